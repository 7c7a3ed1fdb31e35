"""SQLite's short paths beside SQLAlchemy: small reads of committed data (`storage.engine.sqlite_rows`,
`subject_facts`) are fresh, never block the loop on a locked file and never hide the session's own
changes; a one-hop write (`sqlite_execute`, used for FSM records) is all or nothing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from sqlalchemy import make_url

from bot.subjects import SubjectFacts, subject_facts
from storage.engine import close_inline_reader, sqlite_execute, sqlite_rows
from storage.models import Subject

pytestmark = pytest.mark.db

SQL = "SELECT language FROM subjects WHERE telegram_user_id = ?"


async def test_a_committed_change_is_read_at_once(db_engine, session_factory):
    async with session_factory() as session:
        assert await subject_facts(session, 7) is None
        session.add(Subject(telegram_user_id=7, language="ru", jurisdiction="eea"))
        await session.commit()
    async with session_factory() as session:
        facts = await subject_facts(session, 7)
    assert facts == SubjectFacts(id=facts.id, language="ru", jurisdiction="eea")
    if db_engine.dialect.name == "sqlite":
        assert await sqlite_rows(db_engine, SQL, (7,)) == [("ru",)]
    else:
        assert await sqlite_rows(db_engine, SQL, (7,)) is None  # PostgreSQL: always through the session


async def test_the_sessions_own_unsaved_changes_are_seen(session_factory):
    async with session_factory() as session:
        session.add(Subject(telegram_user_id=8, language="en"))
        assert (await subject_facts(session, 8)).language == "en"  # pending, not committed
        await session.flush()
        assert (await subject_facts(session, 8)).language == "en"  # in the session's transaction
        await session.rollback()
        assert await subject_facts(session, 8) is None


async def test_a_locked_file_is_not_waited_for(db_engine, db_url):
    if db_engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: the inline read does not exist on PostgreSQL")
    await db_engine.dispose()  # an exclusive lock needs every other connection closed
    close_inline_reader(db_engine)
    locker = sqlite3.connect(make_url(db_url).database, timeout=0)
    try:
        locker.execute("PRAGMA locking_mode=EXCLUSIVE")
        locker.execute("BEGIN EXCLUSIVE")
        locker.execute("INSERT INTO subjects (telegram_user_id, created_at, updated_at) VALUES (9, '2026-01-01', '2026-01-01')")
        # No answer rather than a wait (the loop would stop for the busy timeout): the caller asks its
        # session instead, which waits in its own thread.
        assert await sqlite_rows(db_engine, SQL, (9,)) is None
    finally:
        locker.rollback()
        locker.close()
    assert await sqlite_rows(db_engine, SQL, (9,)) == []


async def test_when_the_inline_read_cannot_answer_the_session_does(db_engine, session_factory, monkeypatch):
    async with session_factory() as session:
        session.add(Subject(telegram_user_id=10, language="ru"))
        await session.commit()

    async def unavailable(*_args):
        return None

    monkeypatch.setattr("storage.engine.sqlite_rows", unavailable)
    async with session_factory() as session:
        assert (await subject_facts(session, 10)).language == "ru"
        assert await subject_facts(session, 11) is None


async def test_a_one_hop_write_is_all_or_nothing(db_engine):
    if db_engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL writes go through SQLAlchemy")
    insert = "INSERT INTO subjects (telegram_user_id, created_at, updated_at) VALUES (?, '2026-01-01', '2026-01-01')"
    with pytest.raises(sqlite3.IntegrityError):
        await sqlite_execute(db_engine, [(insert, (12,)), (insert, (12,))])  # the second breaks uniqueness
    assert await sqlite_rows(db_engine, SQL, (12,)) == []  # the first was rolled back with it
    await sqlite_execute(db_engine, [(insert, (12,))])
    assert await sqlite_rows(db_engine, SQL, (12,)) == [(None,)]


async def test_one_hop_writes_beyond_the_pool_size_return_their_connections_cleanly(db_engine, caplog):
    if db_engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL writes go through SQLAlchemy")
    insert = "INSERT INTO subjects (telegram_user_id, created_at, updated_at) VALUES (?, '2026-01-01', '2026-01-01')"
    # More writes at once than the pool keeps (5 + 10 overflow): the extra connections are closed on
    # return, which SQLAlchemy can only do inside its greenlet.
    await asyncio.gather(*(sqlite_execute(db_engine, [(insert, (1000 + n,))]) for n in range(40)))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    count = await sqlite_rows(db_engine, "SELECT count(*) FROM subjects WHERE telegram_user_id >= ?", (1000,))
    assert count == [(40,)]


async def test_a_missing_database_file_is_not_created_by_a_read(tmp_path):
    from storage.engine import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'absent.db'}")
    try:
        assert await sqlite_rows(engine, SQL, (1,)) is None  # no answer: the caller asks its session
        assert not (tmp_path / "absent.db").exists()
    finally:
        close_inline_reader(engine)
        await engine.dispose()


async def test_two_updates_creating_the_same_person_both_succeed(session_factory, monkeypatch):
    from bot import subjects

    find_subject = subjects.find_subject
    async with session_factory() as first, session_factory() as second:
        looked = []

        async def looked_before_the_other_committed(session, telegram_user_id):
            if session is second and not looked:
                looked.append(telegram_user_id)
                return None
            return await find_subject(session, telegram_user_id)

        monkeypatch.setattr(subjects, "find_subject", looked_before_the_other_committed)
        (await subjects.get_or_create_subject(first, 13)).language = "ru"  # e.g. a language chosen
        await first.commit()
        subject = await subjects.get_or_create_subject(second, 13)  # e.g. a request confirmed meanwhile
        await second.commit()
    assert looked == [13] and subject.language == "ru"
