"""The outbox table and its queries: messages the bot sends on its own, written in the business
transaction and sent later by `bot.outbox.sender`.

Row life: pending -> sending (claimed with a lease) -> sent | failed, or back to pending with a later
`next_attempt_at` after a transient error. `next_attempt_at` is the one time column the claim looks at:
for a pending row it is when it may be tried, for a sending row the end of its lease (a crashed worker's
rows come back when it passes), for a finished row when it finished (what the purge looks at).

A row may be claimed only when it is the oldest open row of its chat (order per chat), its `after_id`
row is finished, and its chat's pace allows (no message into that chat in the last `chat_interval`; for
a group, fewer than `group_per_window` in the last `group_window`). The pace is read from `sent_at` in
the table, so it holds across workers, instances and restarts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from storage.base import Base, UTCDateTime


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


OPEN_STATES = (OutboxState.PENDING.value, OutboxState.SENDING.value)
FINISHED_STATES = (OutboxState.SENT.value, OutboxState.FAILED.value)
LAST_ERROR_LENGTH = 255


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_outbox_messages_chat_id_state_id", "chat_id", "state", "id"),
        Index("ix_outbox_messages_chat_id_sent_at", "chat_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(64))
    # JSON of the Bot API parameters (reply markup included); emptied once sent.
    payload: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    on_sent: Mapped[str | None] = mapped_column(String(128))
    after_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(LAST_ERROR_LENGTH))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_message_id: Mapped[int | None] = mapped_column(BigInteger)


@dataclass(frozen=True)
class Pace:
    """Per-chat limits the claim enforces (values come from `bot.outbox.limits.Limits`)."""

    chat_interval: timedelta = timedelta(seconds=1)
    group_per_window: int = 20
    group_window: timedelta = timedelta(minutes=1)


def _claimable(now: datetime, pace: Pace, limit: int):
    """Ids of rows that may be sent now, oldest due first, at most one per chat."""
    row = OutboxMessage
    other = aliased(OutboxMessage, name="other")
    dependency = aliased(OutboxMessage, name="dependency")
    earlier_open = exists().where(
        other.chat_id == row.chat_id, other.state.in_(OPEN_STATES), other.id < row.id
    )
    sent_recently = exists().where(other.chat_id == row.chat_id, other.sent_at > now - pace.chat_interval)
    group_sent = (
        select(func.count())
        .select_from(other)
        .where(other.chat_id == row.chat_id, other.sent_at > now - pace.group_window)
        .scalar_subquery()
    )
    waiting_for_dependency = exists().where(dependency.id == row.after_id, dependency.state.in_(OPEN_STATES))
    return (
        select(row.id)
        .where(
            row.state.in_(OPEN_STATES),
            row.next_attempt_at <= now,
            ~earlier_open,
            ~sent_recently,
            or_(row.chat_id > 0, group_sent < pace.group_per_window),
            or_(row.after_id.is_(None), ~waiting_for_dependency),
        )
        .order_by(row.next_attempt_at, row.id)
        .limit(limit)
    )


async def claim_due(
    session: AsyncSession, worker: str, now: datetime, lease: timedelta, *, limit: int, pace: Pace = Pace()
) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for `worker` until `now + lease`, in one statement.

    PostgreSQL locks the candidates with FOR UPDATE SKIP LOCKED, so concurrent claimers take different
    rows; SQLite runs the whole UPDATE under its single write lock. Either way the outer WHERE repeats
    the state and time test, so a row another worker has just claimed is not taken again.
    """
    candidates = _claimable(now, pace, limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=OutboxMessage)
    until = now + lease
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(candidates.scalar_subquery()),
            OutboxMessage.state.in_(OPEN_STATES),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            state=OutboxState.SENDING.value,
            claimed_by=worker,
            claimed_until=until,
            next_attempt_at=until,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.scalars(statement)).all())
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))


def _owned(message_id: int, worker: str):
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.state == OutboxState.SENDING.value,
        OutboxMessage.claimed_by == worker,
    )


async def mark_sent(
    session: AsyncSession,
    message_id: int,
    worker: str,
    now: datetime,
    result_message_id: int | None,
    note: str | None = None,
) -> bool:
    """Record a delivery (and forget the text); False when the lease was lost to another worker."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_owned(message_id, worker))
        .values(
            state=OutboxState.SENT.value,
            sent_at=now,
            next_attempt_at=now,
            result_message_id=result_message_id,
            payload="",
            last_error=note[:LAST_ERROR_LENGTH] if note else None,
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def mark_failed(session: AsyncSession, message_id: int, worker: str, now: datetime, error: str) -> bool:
    """A permanent failure: the row is finished and the chat's next message may go."""
    result = await session.execute(
        update(OutboxMessage)
        .where(_owned(message_id, worker))
        .values(
            state=OutboxState.FAILED.value,
            next_attempt_at=now,
            last_error=error[:LAST_ERROR_LENGTH],
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def reschedule(
    session: AsyncSession,
    message_id: int,
    worker: str,
    at: datetime,
    error: str | None,
    *,
    count_attempt: bool = True,
    chat_id: int | None = None,
    payload: str | None = None,
) -> bool:
    """Back to pending until `at` (a transient error, a 429, a migrated group)."""
    values: dict[str, object] = {
        "state": OutboxState.PENDING.value,
        "next_attempt_at": at,
        "last_error": error[:LAST_ERROR_LENGTH] if error else None,
        "claimed_by": None,
        "claimed_until": None,
    }
    if not count_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    if chat_id is not None:
        values["chat_id"] = chat_id
    if payload is not None:
        values["payload"] = payload
    result = await session.execute(
        update(OutboxMessage)
        .where(_owned(message_id, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def get(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id, populate_existing=True)


async def by_dedupe_key(session: AsyncSession, dedupe_key: str) -> OutboxMessage | None:
    return await session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))


async def in_chat(session: AsyncSession, chat_id: int) -> Sequence[OutboxMessage]:
    """Every row of a chat in queue order (tests, operators' inspection)."""
    statement = select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
    return (await session.scalars(statement)).all()


async def count_open(session: AsyncSession) -> int:
    statement = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state.in_(OPEN_STATES))
    return int(await session.scalar(statement) or 0)


async def purge_finished(session: AsyncSession, before: datetime) -> int:
    """Delete sent and failed rows finished before `before` (failed rows keep their text until then)."""
    result = await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.state.in_(FINISHED_STATES), OutboxMessage.next_attempt_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
