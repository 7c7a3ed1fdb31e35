"""aiogram FSM storage on the bot's own database, so a half-filled form survives a restart.

Redis (aiogram's RedisStorage) replaces it when REDIS_URL is set; both keep the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import fsm_queries


class SqlStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._sessions.begin() as session:
            await fsm_queries.save_field(session, self._key(key), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as session:
            state, _ = await fsm_queries.load(session, self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._sessions.begin() as session:
            await fsm_queries.save_field(session, self._key(key), data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessions() as session:
            _, data = await fsm_queries.load(session, self._key(key))
        return data

    async def close(self) -> None:
        """The engine is owned by the application, which disposes of it."""
