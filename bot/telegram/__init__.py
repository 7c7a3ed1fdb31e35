"""Telegram adapters: the only part of `bot/` besides `bot/app.py` that imports aiogram."""
