"""Requests, their append-only hash-chained events and their attachments; the queries on them.

Rows are changed only through `bot.requests.service` (one transition function writes the event,
the new state and the deadline together). Every requester-facing lookup here takes the subject, so a
reference of someone else's request is simply "not found".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.engine import committed_rows

OPEN_STATE_VALUES: tuple[str, ...] = ("awaiting_verification", "open", "awaiting_requester")

# Existence checks read beside the session (storage.engine.committed_rows) before loading any rows.
_ANY_SQL = "SELECT 1 FROM requests WHERE subject_id = ? LIMIT 1"
_OPEN_OF_KIND_SQL = (
    "SELECT 1 FROM requests WHERE subject_id = ? AND kind = ? AND state IN ("
    + ", ".join("?" * len(OPEN_STATE_VALUES))
    + ") LIMIT 1"
)


class Request(Base):
    """One data-subject request. `details` is ciphertext (JSON of what the requester said)."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    jurisdiction: Mapped[str] = mapped_column(String(16))
    regimes: Mapped[str] = mapped_column(String(128), default="")  # comma-separated regime ids
    state: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    # self, guardian, agent, voice_owner
    requester_type: Mapped[str] = mapped_column(String(16), default="self")
    is_processor_case: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[str | None] = mapped_column(Text)
    policy_promise: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the promise at receipt
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_method: Mapped[str | None] = mapped_column(String(32))
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    pause_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(String(32))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_zone: Mapped[str | None] = mapped_column(String(64))
    due_end_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    deadline_reason: Mapped[str | None] = mapped_column(Text)
    extension_notice_due: Mapped[date | None] = mapped_column(Date)
    ack_due: Mapped[date | None] = mapped_column(Date)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    assignee_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_chat_message_id: Mapped[int | None] = mapped_column(BigInteger)
    staff_topic_id: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    # Hash of the last event: catches events deleted from the end of the chain.
    audit_head: Mapped[str | None] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_requests_subject_id_kind_state", "subject_id", "kind", "state"),)

    @property
    def regime_list(self) -> list[str]:
        return [r for r in (self.regimes or "").split(",") if r]


class RequestEvent(Base):
    """One audit event. Append-only: never updated, never deleted while the request is kept.

    `payload` holds no free text; `text` (ciphertext, purgeable) does, and the payload keeps its digest.
    """

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_request_events_request_id_seq"),)


class Attachment(Base):
    """A file the requester sent: only Telegram's ids are kept, never the file itself."""

    __tablename__ = "request_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # voice, audio, document, photo
    caption: Mapped[str | None] = mapped_column(Text)  # ciphertext
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- queries -------------------------------------------------------------------------------------


async def requests_of_subject(
    session: AsyncSession, subject_id: int, *, open_only: bool = False
) -> list[Request]:
    """A subject's own requests, newest first."""
    if await committed_rows(session, _ANY_SQL, (subject_id,)) == []:
        return []  # known at the cost of an index lookup beside the session (most people have none)
    query = select(Request).where(Request.subject_id == subject_id)
    if open_only:
        query = query.where(Request.state.in_(OPEN_STATE_VALUES))
    result = await session.scalars(query.order_by(Request.received_at.desc(), Request.id.desc()))
    return list(result)


async def request_for_subject(session: AsyncSession, subject_id: int, reference: str) -> Request | None:
    """The subject's request with this (canonical) reference; None for anyone else's or an unknown one."""
    return await session.scalar(
        select(Request).where(Request.reference == reference, Request.subject_id == subject_id)
    )


async def request_by_id_for_subject(
    session: AsyncSession, subject_id: int, request_id: int
) -> Request | None:
    """For callback data carrying an id: still scoped to the subject, so a forged id finds nothing."""
    return await session.scalar(
        select(Request).where(Request.id == request_id, Request.subject_id == subject_id)
    )


async def request_by_reference(session: AsyncSession, reference: str) -> Request | None:
    """Staff lookup (no subject scope): only for the staff desk."""
    return await session.scalar(select(Request).where(Request.reference == reference))


async def reference_exists(session: AsyncSession, reference: str) -> bool:
    return (await session.scalar(select(Request.id).where(Request.reference == reference))) is not None


async def open_requests_by_urgency(session: AsyncSession, limit: int | None = None) -> list[Request]:
    """Open requests, the soonest (or most overdue) deadline first; priority breaks ties; no deadline last."""
    query = (
        select(Request)
        .where(Request.state.in_(OPEN_STATE_VALUES))
        .order_by(
            Request.due_end_utc.is_(None),
            Request.due_end_utc,
            Request.priority.desc(),
            Request.received_at,
            Request.id,
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return list(await session.scalars(query))


async def due_for_reminders(session: AsyncSession, now: datetime, limit: int = 1000) -> list[Request]:
    """Requests whose next reminder is due; uses the `next_reminder_at` index only."""
    query = (
        select(Request)
        .where(Request.next_reminder_at.is_not(None), Request.next_reminder_at <= now)
        .order_by(Request.next_reminder_at, Request.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def open_duplicate(session: AsyncSession, subject_id: int, kind: str) -> Request | None:
    """An open request of the same kind by the same subject (offer to add to it instead)."""
    if await committed_rows(session, _OPEN_OF_KIND_SQL, (subject_id, str(kind), *OPEN_STATE_VALUES)) == []:
        return None  # known at the cost of an index lookup beside the session (the usual answer)
    return await session.scalar(
        select(Request)
        .where(
            Request.subject_id == subject_id, Request.kind == str(kind), Request.state.in_(OPEN_STATE_VALUES)
        )
        .order_by(Request.received_at.desc())
        .limit(1)
    )


async def unverified_received_before(
    session: AsyncSession, cutoff: datetime, limit: int = 500
) -> list[Request]:
    return list(
        await session.scalars(
            select(Request)
            .where(Request.state == "awaiting_verification", Request.received_at < cutoff)
            .order_by(Request.received_at)
            .limit(limit)
        )
    )


async def last_event(session: AsyncSession, request_id: int) -> RequestEvent | None:
    return await session.scalar(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.seq.desc())
        .limit(1)
    )


async def events_of(session: AsyncSession, request_id: int) -> list[RequestEvent]:
    result = await session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.seq)
    )
    return list(result)


async def attachments_of(session: AsyncSession, request_id: int) -> list[Attachment]:
    result = await session.scalars(
        select(Attachment).where(Attachment.request_id == request_id).order_by(Attachment.id)
    )
    return list(result)


async def iter_audit_rows(session: AsyncSession) -> AsyncIterator[tuple[Any, ...]]:
    """Every event as (reference, seq, at, actor_role, actor_telegram_id, action, payload as raw JSON text,
    text, prev_hash, hash), request by request, in order; streamed, not loaded at once.

    The payload is read as text so one corrupted row is reported, not fatal to the whole check.
    """
    query = (
        select(
            Request.reference,
            RequestEvent.seq,
            RequestEvent.at,
            RequestEvent.actor_role,
            RequestEvent.actor_telegram_id,
            RequestEvent.action,
            cast(RequestEvent.payload, Text),
            RequestEvent.text,
            RequestEvent.prev_hash,
            RequestEvent.hash,
        )
        .join(RequestEvent, RequestEvent.request_id == Request.id)
        .order_by(RequestEvent.request_id, RequestEvent.seq)
    )
    result = await session.stream(query.execution_options(yield_per=1000))
    async for row in result:
        yield tuple(row)


async def audit_heads(session: AsyncSession) -> dict[str, str | None]:
    """reference -> hash of its last event, as each request row records it."""
    result = await session.execute(select(Request.reference, Request.audit_head))
    return {reference: head for reference, head in result}
