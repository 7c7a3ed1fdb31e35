"""aiogram FSM storage on the bot's own database, so a half-filled form survives a restart.

Redis (aiogram's RedisStorage) replaces it when REDIS_URL is set; both keep the same keys.

aiogram reads the state of every update, so reads are served from a write-through memory cache when
this process is the only writer (SQLite: one file, one bot process). The cache is filled with every
record on first use: while it holds them all, a key it lacks has no record, so the first update of a
new person costs no query. With PostgreSQL several instances may share the database, so there every
read goes to the database.

Within an update (see `update_writes`), a new state waits for the data written next, or for the
update's end, so that a form's start (state, then data) and `state.clear()` are one write each.
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import DEFAULT_DESTINY, BaseStorage, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import fsm_queries
from storage.engine import sqlite_execute

CACHE_SIZE = 50_000

Record = tuple[str | None, dict[str, Any]]


class _Pending(dict[tuple["SqlStorage", str], str | None]):
    """(storage, key) -> the state set in this update and not written yet."""

    open = True


_pending: ContextVar[_Pending | None] = ContextVar("fsm_pending", default=None)


def _scope() -> _Pending | None:
    """The current update's pending states; None outside an update, or in a task it started that
    outlived it (the context is copied into the task, but nothing would write what it defers)."""
    pending = _pending.get()
    return pending if pending is not None and pending.open else None


@asynccontextmanager
async def update_writes() -> AsyncIterator[None]:
    """One update's scope: states set in it are written, at the latest, when it ends."""
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        pending.open = False
        while pending:
            (storage, name), state = pending.popitem()
            await storage._write(name, state=state)


class SqlStorage(BaseStorage):
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, cache: bool | None = None
    ) -> None:
        self._engine: AsyncEngine = session_factory.kw["bind"]
        if cache is None:
            cache = self._engine.dialect.name == "sqlite"
        self._cache: OrderedDict[str, Record] | None = OrderedDict() if cache else None
        self._complete = False  # the cache holds every record of the database
        self._filled = asyncio.Lock() if cache else None
        self._fill_tried = False

    @staticmethod
    def _key(key: StorageKey) -> str:
        """aiogram's DefaultKeyBuilder(with_bot_id=True, with_destiny=True), built without its list."""
        if key.business_connection_id is None and not key.thread_id:
            return f"fsm:{key.bot_id}:{key.chat_id}:{key.user_id}:{key.destiny or DEFAULT_DESTINY}"
        thread = f"{key.thread_id}:" if key.thread_id else ""
        return f"fsm:{key.bot_id}:{key.chat_id}:{thread}{key.user_id}:{key.destiny}"

    async def _fill(self) -> None:
        """Read every record once, if they fit in the cache."""
        assert self._filled is not None and self._cache is not None
        async with self._filled:
            if self._fill_tried:
                return
            async with self._engine.connect() as connection:
                records = await fsm_queries.load_all(connection, CACHE_SIZE)
            self._fill_tried = True
            if records is None:
                return
            for name, record in records.items():
                self._cache.setdefault(name, record)  # a write that finished meanwhile is newer
            self._complete = len(self._cache) <= CACHE_SIZE

    async def _load(self, key: str) -> Record:
        if self._cache is not None:
            if not self._fill_tried:
                await self._fill()
            record = self._cache.get(key)
            if record is not None:
                self._cache.move_to_end(key)
                return record
            if self._complete:
                return None, {}
        async with self._engine.connect() as connection:
            if self._engine.dialect.name == "postgresql":  # one SELECT needs no BEGIN/ROLLBACK round trips
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            record = await fsm_queries.load(connection, key)
        if self._cache is not None:
            self._remember(key, record)
        return record

    def _remember(self, key: str, record: Record) -> None:
        cache = self._cache
        if cache is None:
            return
        if record[0] is None and not record[1]:  # no record: while complete, nothing needs keeping
            if self._complete:
                cache.pop(key, None)
                return
        cache[key] = record
        cache.move_to_end(key)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
            self._complete = False

    async def _write(self, name: str, **values: Any) -> None:
        if self._engine.dialect.name == "sqlite":  # one hop instead of a transaction through SQLAlchemy
            await sqlite_execute(self._engine, fsm_queries.sqlite_save(self._engine.dialect, name, **values))
            return
        async with self._engine.begin() as connection:
            await fsm_queries.save_field(connection, name, **values)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        name = self._key(key)
        pending = _scope()
        if pending is None:
            await self._write(name, state=value)
        if self._cache is not None:
            _, data = await self._load(name)
            self._remember(name, (value, data))
        if pending is not None:
            pending[(self, name)] = value

    async def get_state(self, key: StorageKey) -> str | None:
        name = self._key(key)
        pending = _scope()
        if pending and (self, name) in pending:
            return pending[(self, name)]
        state, _ = await self._load(name)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self._key(key)
        values: dict[str, Any] = {"data": dict(data)}
        pending = _scope()
        if pending and (self, name) in pending:
            values["state"] = pending.pop((self, name))
        await self._write(name, **values)
        if self._cache is not None:
            state, _ = await self._load(name) if "state" not in values else (values["state"], None)
            self._remember(name, (state, copy.deepcopy(dict(data))))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._load(self._key(key))
        return copy.deepcopy(data)

    async def close(self) -> None:
        """The engine is owned by the application, which disposes of it."""
