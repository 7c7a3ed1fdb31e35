"""What the bot needs from the operator's account system: find an account by Telegram id or by email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class DirectoryError(Exception):
    """A directory that cannot be used as configured; the message is one readable line."""


@dataclass(frozen=True, slots=True)
class Account:
    """An operator account as far as verification needs it (no names, nothing else)."""

    account_id: str
    email: str | None
    telegram_user_id: int | None


@runtime_checkable
class AccountDirectory(Protocol):
    async def find_by_telegram_id(self, user_id: int) -> Account | None: ...

    async def find_by_email(self, email: str) -> Account | None: ...


def normalize_email(email: str) -> str:
    """The form emails are compared in: trimmed and lower-cased (the directory does the same in SQL)."""
    return email.strip().lower()
