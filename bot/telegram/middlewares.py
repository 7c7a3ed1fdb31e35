"""Outer middlewares: one database session per update."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.fsm_storage import update_writes


class DbSessionMiddleware(BaseMiddleware):
    """Opens one AsyncSession per update; what a handler does not commit is rolled back.

    A handler may need a second connection while it holds its own (the FSM storage writes in its own
    transaction), so at most half the pool is handed to updates at once: a burst of updates then waits
    its turn instead of taking every connection and deadlocking on the second one.

    The update is also the scope of its FSM writes (`update_writes`): a state it sets is in the
    database before the update counts as finished.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self._slots = asyncio.Semaphore(_pool_capacity(session_factory) // 2 or 1)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self._slots, self.session_factory() as session, update_writes():
            data["session"] = session
            return await handler(event, data)


def _pool_capacity(session_factory: async_sessionmaker[AsyncSession]) -> int:
    bind = session_factory.kw.get("bind")
    pool = getattr(getattr(bind, "sync_engine", None), "pool", None)
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    if callable(size):
        return size() + max(overflow, 0)
    return 10
