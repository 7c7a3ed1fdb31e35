"""Scratch databases for the benchmarks: a PostgreSQL database created for one run and dropped after."""

from __future__ import annotations

import os
import uuid

from sqlalchemy.engine import make_url

DEFAULT_PG = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


async def postgres_database(base_url: str):
    import asyncpg

    name = f"pd_bench_{uuid.uuid4().hex[:10]}"
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
