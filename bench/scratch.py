"""Scratch PostgreSQL databases, created for one benchmark run or one test and dropped after (the tests'
`db_url` fixture uses this too)."""

from __future__ import annotations

import os
import uuid

from sqlalchemy.engine import make_url

DEFAULT_PG = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


async def postgres_database(base_url: str, prefix: str = "pd_bench"):
    """A new empty database on the server of `base_url`: its URL, and a coroutine function that drops it."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_dsn = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def drop() -> None:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    return make_url(base_url).set(database=name).render_as_string(hide_password=False), drop
