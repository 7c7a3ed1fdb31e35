"""Test doubles that speak real protocols on loopback (a fake Telegram Bot API server, a bot process)."""
