"""aiogram FSM storage on the bot's own database, so a half-filled form survives a restart.

Redis (aiogram's RedisStorage) replaces it when REDIS_URL is set; both keep the same keys.

aiogram reads the state of every update, so reads are served from a write-through memory cache when
this process is the only writer (SQLite: one file, one bot process). With PostgreSQL several instances
may share the database, so there every read goes to the database.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import fsm_queries

CACHE_SIZE = 50_000


class SqlStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], *, cache: bool | None = None) -> None:
        self._sessions = session_factory
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        if cache is None:
            bind = session_factory.kw.get("bind")
            cache = bind is not None and bind.dialect.name == "sqlite"
        self._cache: OrderedDict[str, tuple[str | None, dict[str, Any]]] | None = OrderedDict() if cache else None

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def _load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        if self._cache is not None and key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        async with self._sessions() as session:
            record = await fsm_queries.load(session, key)
        self._remember(key, record)
        return record

    def _remember(self, key: str, record: tuple[str | None, dict[str, Any]]) -> None:
        if self._cache is None:
            return
        self._cache[key] = record
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        name = self._key(key)
        async with self._sessions.begin() as session:
            await fsm_queries.save_field(session, name, state=value)
        if self._cache is not None:
            if name not in self._cache:  # the data is not known here: read it once
                await self._load(name)
            _, data = self._cache[name]
            self._remember(name, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._load(self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self._key(key)
        async with self._sessions.begin() as session:
            await fsm_queries.save_field(session, name, data=dict(data))
        if self._cache is not None:
            state, _ = self._cache.get(name, (None, {}))
            if name not in self._cache:  # the state is not known here: read it once
                state, _ = await self._load(name)
            self._remember(name, (state, copy.deepcopy(dict(data))))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._load(self._key(key))
        return copy.deepcopy(data)

    async def close(self) -> None:
        """The engine is owned by the application, which disposes of it."""
