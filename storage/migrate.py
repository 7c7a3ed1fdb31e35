"""Apply Alembic migrations from code: at start-up and from `privacy-desk migrate`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the database to `revision` on an existing async engine."""

    def _upgrade(connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The applied revision(s), comma-separated (feature branches make several heads)."""
    from alembic.runtime.migration import MigrationContext

    def _current(connection) -> str | None:
        heads = sorted(MigrationContext.configure(connection).get_current_heads())
        return ", ".join(heads) or None

    async with engine.connect() as connection:
        return await connection.run_sync(_current)
