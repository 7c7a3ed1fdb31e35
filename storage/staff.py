"""Staff desk state kept in the database (not in memory), so restarts and a second instance agree.

- `ReminderClaim`: one row per (request, reminder day); the unique pair is what makes a reminder go
  out exactly once, whichever sweep, instance or restart gets there first.
- `JobClaim`: one row per run of a once-a-day job (the digest of a given local day).
- `StaffLink`: which staff-group message (card, relayed requester message, forum topic) belongs to
  which request, so a staff reply or a message in a topic finds its request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime
from storage.requests import Request

LINK_CARD = "card"
LINK_RELAY = "relay"
LINK_TOPIC = "topic"
SQLITE_SWEEP_LOCK = "lock:sweep"


class ReminderClaim(Base):
    __tablename__ = "staff_reminder_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("request_id", "key", name="uq_staff_reminder_claims_request_id_key"),)


class JobClaim(Base):
    __tablename__ = "staff_job_claims"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffLink(Base):
    __tablename__ = "staff_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))

    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_staff_links_chat_id_message_id"),)


def _insert(session: AsyncSession, model):
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


async def claim_reminder(session: AsyncSession, request_id: int, key: str, now: datetime) -> bool:
    """True for the one caller that records (request, key) first; False for everyone after."""
    statement = (
        _insert(session, ReminderClaim)
        .values(request_id=request_id, key=key, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["request_id", "key"])
        .returning(ReminderClaim.id)
    )
    return (await session.scalar(statement)) is not None


async def claim_reminders(session: AsyncSession, keys: list[tuple[int, str]], now: datetime) -> set[int]:
    """Claim many (request id, key) pairs in one executemany; the request ids this caller got first."""
    if not keys:
        return set()
    statement = (
        _insert(session, ReminderClaim)
        .on_conflict_do_nothing(index_elements=["request_id", "key"])
        .returning(ReminderClaim.request_id)
    )
    rows = [{"request_id": request_id, "key": key, "claimed_at": now} for request_id, key in keys]
    result = await session.execute(statement, rows)
    return set(result.scalars().all())


async def claims_of(session: AsyncSession, request_id: int) -> list[str]:
    result = await session.scalars(
        select(ReminderClaim.key).where(ReminderClaim.request_id == request_id).order_by(ReminderClaim.id)
    )
    return list(result)


async def claim_job(session: AsyncSession, key: str, now: datetime) -> bool:
    statement = (
        _insert(session, JobClaim)
        .values(key=key, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(JobClaim.key)
    )
    return (await session.scalar(statement)) is not None


async def serialize_sweeps(session: AsyncSession, now: datetime) -> None:
    """SQLite: take the write lock before reading, so a second sweep waits and then reads fresh rows.

    (PostgreSQL uses row locks with SKIP LOCKED instead.)
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    statement = (
        _insert(session, JobClaim)
        .values(key=SQLITE_SWEEP_LOCK, claimed_at=now)
        .on_conflict_do_update(index_elements=["key"], set_={"claimed_at": now})
    )
    await session.execute(statement)


async def due_for_sweep(session: AsyncSession, now: datetime, limit: int) -> list[Request]:
    """Requests whose reminder moment has come, through the `next_reminder_at` index; rows another
    PostgreSQL sweep holds are skipped (it is sending them)."""
    query = (
        select(Request)
        .where(Request.next_reminder_at.is_not(None), Request.next_reminder_at <= now)
        .order_by(Request.next_reminder_at, Request.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(await session.scalars(query))


async def move_reminders(session: AsyncSession, moves: list[dict[str, object]]) -> None:
    """Set `next_reminder_at` of many requests at once: [{"row_id": id, "next_at": datetime | None}]."""
    if not moves:
        return
    table = Request.__table__
    statement = (
        update(table).where(table.c.id == bindparam("row_id")).values(next_reminder_at=bindparam("next_at"))
    )
    await (await session.connection()).execute(statement, moves)


async def add_link(session: AsyncSession, chat_id: int, message_id: int, request_id: int, kind: str) -> None:
    statement = (
        _insert(session, StaffLink)
        .values(chat_id=chat_id, message_id=message_id, request_id=request_id, kind=kind)
        .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
    )
    await session.execute(statement)


async def linked_request(session: AsyncSession, chat_id: int, message_id: int) -> tuple[int, str] | None:
    """(request id, link kind) of a staff-group message or topic, or None."""
    row = (
        await session.execute(
            select(StaffLink.request_id, StaffLink.kind).where(
                StaffLink.chat_id == chat_id, StaffLink.message_id == message_id
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def set_card(session: AsyncSession, request_id: int, *, message_id: int | None = None,
                   topic_id: int | None = None) -> None:  # fmt: skip
    values = {}
    if message_id is not None:
        values["staff_chat_message_id"] = message_id
    if topic_id is not None:
        values["staff_topic_id"] = topic_id
    if values:
        await session.execute(update(Request).where(Request.id == request_id).values(**values))


async def overdue_requests(session: AsyncSession, now: datetime, limit: int = 100) -> list[Request]:
    """Open requests whose deadline has passed, the most overdue first (uses the due_end_utc index)."""
    from storage.requests import OPEN_STATE_VALUES

    query = (
        select(Request)
        .where(Request.due_end_utc.is_not(None), Request.due_end_utc < now, Request.state.in_(OPEN_STATE_VALUES))
        .order_by(Request.due_end_utc, Request.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def recent_requests(session: AsyncSession, limit: int) -> list[Request]:
    return list(await session.scalars(select(Request).order_by(Request.id.desc()).limit(limit)))
