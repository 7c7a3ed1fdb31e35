"""privacy-desk: the privacy front desk of a small online service, as a Telegram bot."""

__version__ = "0.1.0"
