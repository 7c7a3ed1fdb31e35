"""What the bot itself holds about a person (`/mydata`) and what `/forget` deletes or keeps, and why.

Deleted: the chosen language and jurisdiction, email verification records, a form in progress, and the
person's row itself when no request refers to it. Kept: open requests (they cannot be answered without
them; withdraw one first), and closed requests until their retention period ends, as the record that
the request was answered (accountability); the retention job then reduces them to a minimal register row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.subjects import find_subject
from storage import verification as challenges
from storage.models import Subject
from storage.requests import OPEN_STATE_VALUES, Attachment, Request, requests_of_subject

KEPT_OPEN = N_(
    "Your open requests {references}: we need them to answer you. Withdraw one in /status if you no "
    "longer want it."
)
KEPT_CLOSED = N_(
    "Your closed requests {references}: kept as the record that we answered them until their retention "
    "period ends; then only a minimal register entry (reference, kind, dates, outcome) remains."
)
KEPT_ID = N_("Your Telegram user id, linked to those requests, so that only you can see them.")
KEPT_LANGUAGE = N_("Your language, so that we can write to you about your open requests.")


@dataclass
class HeldData:
    telegram_user_id: int
    language: str | None = None
    jurisdiction: str | None = None
    since: datetime | None = None
    requests: list[Request] = field(default_factory=list)
    attachments: int = 0
    email_challenges: int = 0

    @property
    def open_requests(self) -> list[Request]:
        return [r for r in self.requests if r.state in OPEN_STATE_VALUES]

    @property
    def closed_requests(self) -> list[Request]:
        return [r for r in self.requests if r.state not in OPEN_STATE_VALUES]

    @property
    def empty(self) -> bool:
        return self.since is None and not self.email_challenges


async def collect(session: AsyncSession, telegram_user_id: int) -> HeldData:
    held = HeldData(telegram_user_id=telegram_user_id)
    held.email_challenges = await challenges.count_for_requester(session, telegram_user_id)
    subject = await find_subject(session, telegram_user_id)
    if subject is None:
        return held
    held.language, held.jurisdiction, held.since = subject.language, subject.jurisdiction, subject.created_at
    held.requests = await requests_of_subject(session, subject.id)
    if held.requests:
        held.attachments = int(
            await session.scalar(
                select(func.count()).where(Attachment.request_id.in_([r.id for r in held.requests]))
            )
            or 0
        )
    return held


@dataclass
class Forgotten:
    """What /forget did: the msgids of what remains and why (with {references} to fill)."""

    kept: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    deleted_subject: bool = False


async def forget(session: AsyncSession, telegram_user_id: int) -> Forgotten:
    """Delete what nothing needs; the caller clears the FSM data and the language cache, and commits."""
    result = Forgotten()
    await challenges.delete_for_requester(session, telegram_user_id)
    subject: Subject | None = await find_subject(session, telegram_user_id)
    if subject is None:
        return result
    requests = await requests_of_subject(session, subject.id)
    open_refs = [r.reference for r in requests if r.state in OPEN_STATE_VALUES]
    closed_refs = [r.reference for r in requests if r.state not in OPEN_STATE_VALUES]
    if not requests:
        await session.execute(delete(Subject).where(Subject.id == subject.id))
        result.deleted_subject = True
        return result
    subject.jurisdiction = None
    if open_refs:
        result.kept.append((KEPT_OPEN, {"references": ", ".join(open_refs)}))
        result.kept.append((KEPT_LANGUAGE, {}))
    else:
        subject.language = None
    if closed_refs:
        result.kept.append((KEPT_CLOSED, {"references": ", ".join(closed_refs)}))
    result.kept.append((KEPT_ID, {}))
    await session.flush()
    return result
