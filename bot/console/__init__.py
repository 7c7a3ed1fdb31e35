"""The local console: the real dispatcher against an in-process fake Telegram, in a terminal."""
