"""Data-subject requests: the lifecycle, public references, the audit chain and the one service that changes them."""
