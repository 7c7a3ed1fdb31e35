"""The people the bot knows: their chosen language and jurisdiction, and nothing else.

A subject row is written only when the person picks a language, answers where they live, or sends a
request (not on every update, nor when a form is merely opened: a privacy cost and a write per
message). The language is needed for every update, so it is cached briefly in memory; the other
facts are read when needed, without a thread hop on SQLite (`storage.engine.sqlite_rows`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.engine import committed_rows
from storage.models import Subject

_FACTS_SQL = "SELECT id, language, jurisdiction FROM subjects WHERE telegram_user_id = ?"

_MISSING = object()


class LanguageCache:
    """A small LRU with expiry: user id -> chosen language (or None for "not chosen")."""

    def __init__(self, size: int = 10_000, ttl_seconds: float = 60.0) -> None:
        self._items: OrderedDict[int, tuple[float, str | None]] = OrderedDict()
        self._size = size
        self._ttl = ttl_seconds

    def get(self, user_id: int) -> object:
        item = self._items.get(user_id)
        if item is None or item[0] < time.monotonic():
            return _MISSING
        self._items.move_to_end(user_id)
        return item[1]

    def put(self, user_id: int, language: str | None) -> None:
        self._items[user_id] = (time.monotonic() + self._ttl, language)
        self._items.move_to_end(user_id)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._items.pop(user_id, None)


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """A subject's row, read only: for decisions that change nothing (which menu, whether to look for
    requests at all). To change the person, load the `Subject` with `get_or_create_subject`."""

    id: int
    language: str | None
    jurisdiction: str | None


async def subject_facts(session: AsyncSession, telegram_user_id: int) -> SubjectFacts | None:
    """The person's row, or None when the bot keeps nothing about them.

    Read beside the session when it holds nothing unwritten (the usual case: nothing was read or
    written yet in this update), else through it, so its own changes are seen.
    """
    rows = await committed_rows(session, _FACTS_SQL, (telegram_user_id,))
    if rows is not None:
        return SubjectFacts(*rows[0]) if rows else None
    row = (
        await session.execute(
            select(Subject.id, Subject.language, Subject.jurisdiction).where(
                Subject.telegram_user_id == telegram_user_id
            )
        )
    ).first()
    return SubjectFacts(*row) if row else None


async def find_subject(session: AsyncSession, telegram_user_id: int) -> Subject | None:
    return await session.scalar(select(Subject).where(Subject.telegram_user_id == telegram_user_id))


async def get_or_create_subject(session: AsyncSession, telegram_user_id: int) -> Subject:
    """The person's row, created if missing. Two updates of one person may both find none (a language
    chosen while a request is confirmed): the insert does nothing when the other's row is there, so
    neither fails on the unique user id."""
    subject = await find_subject(session, telegram_user_id)
    if subject is None:
        insert = pg_insert if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite_insert
        now = utcnow()
        await session.execute(
            insert(Subject)
            .values(telegram_user_id=telegram_user_id, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=[Subject.telegram_user_id])
        )
        subject = await find_subject(session, telegram_user_id)
        assert subject is not None
    return subject


class Languages:
    """Chosen languages, read through the cache and written through to the database."""

    def __init__(self, cache: LanguageCache | None = None) -> None:
        self.cache = cache or LanguageCache()

    async def chosen(self, session: AsyncSession, telegram_user_id: int) -> str | None:
        cached = self.cache.get(telegram_user_id)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        language = await self._read(session, telegram_user_id)
        self.cache.put(telegram_user_id, language)
        return language

    @staticmethod
    async def _read(session: AsyncSession, telegram_user_id: int) -> str | None:
        facts = await subject_facts(session, telegram_user_id)
        return facts.language if facts else None

    async def choose(self, session: AsyncSession, telegram_user_id: int, language: str) -> None:
        """Remember the choice; committed here, since the reply that confirms it follows."""
        subject = await get_or_create_subject(session, telegram_user_id)
        subject.language = language
        await session.commit()
        self.cache.put(telegram_user_id, language)
