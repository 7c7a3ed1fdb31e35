"""Migrations: the schema comes up on SQLite and PostgreSQL and matches the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage import migrate
from storage.all_models import metadata
from storage.engine import create_engine

pytestmark = pytest.mark.db


async def test_upgrade_reaches_every_head(db_url):
    engine = create_engine(db_url)
    try:
        await migrate.upgrade(engine)
        await migrate.upgrade(engine)  # a second run changes nothing
        heads = set(ScriptDirectory.from_config(migrate.alembic_config(db_url)).get_heads())

        def applied(connection):
            return set(MigrationContext.configure(connection).get_current_heads())

        async with engine.connect() as connection:
            assert await connection.run_sync(applied) == heads
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"subjects", "fsm_states"} <= tables
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(db_engine):
    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)

    async with db_engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db_engine):
    if db_engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    async with db_engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() >= 1000
