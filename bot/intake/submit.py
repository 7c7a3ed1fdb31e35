"""Turning a finished form into a request: duplicate check, `create_request`, attachments.

Never commits: the handler queues the staff notifications and commits once, then tells the requester.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake.form import Form, FormContext, details_of, files_of
from bot.kinds import RequestKind
from bot.policy import Policy
from bot.policy.promise import promise_from_policy
from bot.requests.service import Change, Cipher, add_attachment, create_request, open_duplicate
from storage.models import Subject
from storage.requests import Request

REQUESTER_TYPES = {"self": "self", "guardian": "guardian", "agent": "agent", "voice_owner": "voice_owner"}


@dataclass
class Submission:
    change: Change | None = None
    duplicate: Request | None = None  # an open request of the same kind: offer to add to it instead


async def find_duplicate(session: AsyncSession, subject_id: int, kind: RequestKind) -> Request | None:
    return await open_duplicate(session, subject_id, str(kind))


async def submit(
    session: AsyncSession,
    subject: Subject,
    form: Form,
    context: FormContext,
    policy: Policy,
    now: datetime,
    *,
    cipher: Cipher | None = None,
) -> Submission:
    duplicate = await find_duplicate(session, subject.id, form.kind)
    if duplicate is not None:
        return Submission(duplicate=duplicate)
    files = files_of(form, context)
    details: dict = {"answers": details_of(form, context), "files": len(files)}
    verified_by = form.verified_by(context)
    if verified_by == "telegram_id" and form.linked_account_id:
        details["account_id"] = form.linked_account_id
    elif verified_by == "email_code" and form.answers.get("account_id"):
        details["account_id"] = form.answers["account_id"]
    relation = form.relation
    requester_type = REQUESTER_TYPES.get(relation, "self")
    jurisdiction = form.jurisdiction or "other"
    change = await create_request(
        session, subject, form.kind, jurisdiction, details, now, promise_from_policy(policy),
        cipher=cipher, verified_by=verified_by, requester_type=requester_type,
        processor_case=form.processor_case, controller=form.answers.get("controller") or None,
    )  # fmt: skip
    for file in files:
        add_attachment(
            session, change.request, file_id=file["file_id"], file_unique_id=file["file_unique_id"],
            kind=file["kind"], caption=file["step"], now=now, cipher=cipher,
        )  # fmt: skip
    subject.jurisdiction = jurisdiction  # remembered: asked once
    await session.flush()
    return Submission(change=change)
