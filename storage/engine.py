"""Engine and session factory; SQLite gets WAL, a busy timeout and foreign keys on every connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

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

        _skip_idle_rollbacks(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


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
