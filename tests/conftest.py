"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL with TEST_DATABASE=postgres),
settings that ignore the developer's `.env`, and a bot driven in-process by teremok.

CI runs the suite on SQLite, then `TEST_DATABASE=postgres pytest -m db` for the database tests; when
PostgreSQL or Redis cannot be reached, the tests that need them skip and say why.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import make_url

from bench.scratch import DEFAULT_PG, postgres_database
from bot.config import Settings
from bot.policy import load_policy
from storage import migrate
from storage.engine import close_inline_reader, create_engine, create_session_factory

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = DEFAULT_PG
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STAFF_CHAT_ID = -1001000000001


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def use_postgres() -> bool:
    return os.environ.get("TEST_DATABASE", "sqlite") == "postgres"


@pytest.fixture
async def db_url(tmp_path):
    """A fresh, empty database for one test."""
    if not use_postgres():
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if not reachable(POSTGRES_URL, 5432):
        pytest.skip(f"PostgreSQL not reachable at {make_url(POSTGRES_URL).render_as_string()} (TEST_POSTGRES_URL)")
    url, drop = await postgres_database(POSTGRES_URL, prefix="pd_test")
    yield url
    await drop()


@pytest.fixture
async def db_engine(db_url):
    engine = create_engine(db_url)
    await migrate.upgrade(engine)
    yield engine
    close_inline_reader(engine)
    await engine.dispose()


@pytest.fixture
def session_factory(db_engine):
    return create_session_factory(db_engine)


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        staff_chat_id=STAFF_CHAT_ID,
        policy_file=ROOT / "policies" / "velluto.yaml",
    )


@pytest.fixture(scope="session")
def velluto():
    return load_policy(ROOT / "policies" / "velluto.yaml")


@pytest.fixture
def redis_url() -> str:
    if not reachable(REDIS_URL, 6379):
        pytest.skip(f"Redis not reachable at {REDIS_URL} (TEST_REDIS_URL)")
    return REDIS_URL
