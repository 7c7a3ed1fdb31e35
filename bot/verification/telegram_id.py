"""Verification by Telegram id: Telegram authenticates the sender, so a linked account is proof enough."""

from __future__ import annotations

from bot.directory.base import Account, AccountDirectory


async def account_for_sender(directory: AccountDirectory, telegram_user_id: int) -> Account | None:
    """The account signed in with this Telegram id, if any: the sender is verified at once."""
    return await directory.find_by_telegram_id(telegram_user_id)
