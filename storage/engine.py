"""Engine and session factory; SQLite gets WAL, a busy timeout and foreign keys on every connection."""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import greenlet_spawn

SQLITE_BUSY_TIMEOUT_MS = 5000


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    if is_sqlite:
        _prepare_sqlite_file(url)
        # Sessions always end their own transactions (commit, or rollback on close), so the pool need not
        # roll back again on every return: with aiosqlite that is a thread round trip per update.
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_reset_on_return=None
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - exercised via tests
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine.sync_engine, "connect")
        def _one_hop_statements(dbapi_connection, _record) -> None:
            if hasattr(getattr(dbapi_connection, "_connection", None), "_execute"):
                dbapi_connection.__class__ = _OneHopConnection

        _skip_idle_rollbacks(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


class _OneHopCursor:
    """aiosqlite's cursor as SQLAlchemy's adapter uses it, but a statement is one trip to the thread.

    aiosqlite runs each call in its connection's thread: SQLAlchemy's adapter makes four trips per
    statement (open a cursor, execute, fetch, close), and each trip (a queue, a thread wake-up, a
    future resolved across threads) costs more CPU than a small query. Here the statement is executed,
    its rows fetched and its cursor closed in the thread at once; the rest is answered from memory.
    """

    arraysize = 1

    def __init__(self, connection: Any) -> None:
        self._connection = connection  # aiosqlite.Connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> _OneHopCursor:
        return self

    def _run(self, many: bool, sql: str, parameters: Any) -> tuple[Any, int, int | None, list[Any]]:
        cursor = self._connection._conn.cursor()  # in aiosqlite's thread
        try:
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            return cursor.description, cursor.rowcount, cursor.lastrowid, rows
        finally:
            cursor.close()

    async def _go(self, many: bool, sql: str, parameters: Any) -> _OneHopCursor:
        outcome = await self._connection._execute(self._run, many, sql, parameters)
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def execute(self, sql: str, parameters: Any = ()) -> _OneHopCursor:
        return await self._go(False, sql, () if parameters is None else parameters)

    async def executemany(self, sql: str, parameters: Any) -> _OneHopCursor:
        return await self._go(True, sql, parameters)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class _OneHopAdaptedCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return _OneHopCursor(connection)


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection whose (non-streaming) cursors make one trip per statement."""

    __slots__ = ()
    _cursor_cls = _OneHopAdaptedCursor


def _skip_idle_rollbacks(engine: AsyncEngine) -> None:
    """Roll back only a connection that is in a transaction.

    The sqlite3 driver's own rollback does nothing outside a transaction, but through aiosqlite even that
    nothing is a hop to the connection's thread and back: every session that only read (most updates) paid
    it on close. The driver's flag is read here without the hop.
    """
    dialect = engine.sync_engine.dialect
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection) -> None:
        adapted = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        driver = getattr(getattr(adapted, "_connection", None), "_conn", None)
        if driver is not None and not driver.in_transaction:
            return
        rollback(dbapi_connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def sqlite_rows(engine: AsyncEngine, sql: str, parameters: tuple) -> list[tuple] | None:
    """Rows of one small SELECT of committed data, read on the event loop; None when it cannot be read
    that way (not a SQLite file, or the file is busy at this instant): the caller then asks its session.

    Through aiosqlite every statement is a hand-off to the connection's thread and back, which costs far
    more CPU than an indexed lookup of one row; these reads (the language of a new person, whether they
    are known at all) happen on most updates. A WAL reader never waits for writers, and the connection
    here has no busy timeout, so a read either answers at once or gives up. Use it only for indexed
    lookups of a few rows, outside a transaction of your own (it cannot see uncommitted writes).
    `sql` is plain SQLite SQL with `?` placeholders.
    """
    reader = _inline_reader(engine)
    return None if reader is None else reader.rows(sql, parameters)


async def committed_rows(session: AsyncSession, sql: str, parameters: tuple) -> list[tuple] | None:
    """Rows of a small SELECT of committed data, read beside the session: on SQLite on the loop
    (`sqlite_rows`), on PostgreSQL on a pooled connection in autocommit (no BEGIN/ROLLBACK round trips,
    and the session opens no connection for it). None (ask the session itself) when the session holds
    changes or a transaction of its own, which a read beside it would not see, or when the read cannot
    be made that way. `sql` uses `?` placeholders."""
    engine = session.bind
    if engine is None or session.in_transaction() or session.new or session.dirty or session.deleted:
        return None
    if engine.dialect.name == "postgresql":  # type: ignore[union-attr]
        return await _postgres_rows(engine, sql, parameters)  # type: ignore[arg-type]
    return await sqlite_rows(engine, sql, parameters)  # type: ignore[arg-type]


_NUMBERED: dict[str, str] = {}


async def _postgres_rows(engine: AsyncEngine, sql: str, parameters: tuple) -> list[tuple]:
    numbered = _NUMBERED.get(sql)
    if numbered is None:  # `?` -> `$1`, `$2`, ... (our own SQL: no `?` inside literals)
        parts = sql.split("?")
        numbered = _NUMBERED[sql] = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        raw = await connection.get_raw_connection()
        rows = await raw.driver_connection.fetch(numbered, *parameters)  # asyncpg: no transaction opened
    return [tuple(row) for row in rows]


async def sqlite_execute(engine: AsyncEngine, statements: Sequence[tuple[str, tuple]]) -> None:
    """Run `statements` and commit, in a single hop to aiosqlite's thread (SQLite only).

    For the one small write most form steps make (the FSM record): through SQLAlchemy it is a
    connection, a transaction, the statement and the commit, each a hop or a layer that costs more CPU
    than the write. All or nothing: on any error the transaction is rolled back and the error raised.
    `sql` is plain SQLite SQL with `?` placeholders.
    """
    if engine.dialect.name != "sqlite":
        raise ValueError("sqlite_execute needs a SQLite engine")
    connection = await engine.raw_connection()
    try:
        driver = connection.driver_connection  # aiosqlite.Connection

        def run() -> None:  # in aiosqlite's thread
            raw = driver._conn
            try:
                for sql, parameters in statements:
                    raw.execute(sql, parameters)
                raw.commit()
            except BaseException:
                raw.rollback()
                raise

        await driver._execute(run)
    finally:
        # Returning it may close it (an overflow connection), which is I/O: SQLAlchemy needs a greenlet.
        await greenlet_spawn(connection.close)


class _InlineReader:
    """One read-only (query_only) sqlite3 connection per database file, in autocommit mode: each SELECT
    is its own read transaction and sees everything committed before it."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._connection: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        uri = Path(self._database).absolute().as_uri() + "?mode=rw"  # never creates a missing file
        connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA query_only=ON")
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def rows(self, sql: str, parameters: tuple) -> list[tuple] | None:
        try:
            connection = self._connection or self._open()
            return connection.execute(sql, parameters).fetchall()
        except sqlite3.Error:  # busy or locked (recovery, an exclusive lock), or worse: ask the session
            return None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_READERS: weakref.WeakKeyDictionary[Any, _InlineReader | None] = weakref.WeakKeyDictionary()


def _inline_reader(engine: AsyncEngine) -> _InlineReader | None:
    sync_engine = engine.sync_engine
    try:
        return _READERS[sync_engine]
    except KeyError:
        pass
    reader = None
    url = sync_engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" and not (
        url.database.startswith("file:") or url.query
    ):
        reader = _InlineReader(url.database)  # the path exactly as the driver opens it
    _READERS[sync_engine] = reader
    return reader


def close_inline_reader(engine: AsyncEngine) -> None:
    """Close the engine's inline read connection (with `engine.dispose()`)."""
    reader = _READERS.pop(engine.sync_engine, None)
    if reader is not None:
        reader.close()
