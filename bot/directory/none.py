"""The directory of an operator that has not connected one: nobody is found, everyone is verified manually."""

from __future__ import annotations

from bot.directory.base import Account


class NoDirectory:
    async def find_by_telegram_id(self, user_id: int) -> Account | None:
        return None

    async def find_by_email(self, email: str) -> Account | None:
        return None

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None
