"""Shared by the staff handlers: who is staff, and doing one request action with its notifications."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.requests.lifecycle import TransitionNotAllowed
from bot.requests.service import Actor, Change, apply
from bot.staff.desk import StaffDesk
from bot.staff.permissions import StaffGate
from storage.base import utcnow
from storage.requests import Request

now_utc = utcnow  # the project's one aware "now"


async def is_staff(user_id: int | None, *, bot: Bot, settings: Settings, staff_gate: StaffGate) -> bool:
    async def fetch(uid: int) -> str:
        member = await bot.get_chat_member(settings.staff_chat_id, uid)
        return str(member.status.value if hasattr(member.status, "value") else member.status)

    return await staff_gate.is_staff(user_id, fetch)


def refusal(code: str, gettext) -> str:
    """Why an action was refused, for the staff member who tried it."""
    texts = {
        "not_permitted": gettext("Not allowed: only the privacy team can do this."),
        "wrong_state": gettext("This cannot be done in the request's current state; the card shows it."),
        "already_extended": gettext("This request was already extended once."),
        "cannot_extend": gettext("The rules that apply to this request allow no extension."),
        "notice_date_passed": gettext("Too late to extend: the date to tell the requester has passed."),
        "reason_text_required": gettext("Write the reason as text."),
        "text_required": gettext("The text cannot be empty."),
    }
    return texts.get(code, gettext("This cannot be done now."))


async def perform(
    session: AsyncSession,
    request: Request,
    action: str,
    user_id: int,
    *,
    staff_desk: StaffDesk,
    notifier: Any,
    **args: Any,
) -> Change | str:
    """Apply one staff action and queue what it tells (not committed); the refusal code if refused."""
    try:
        change = await apply(
            session, request, action, Actor.staff(user_id), now_utc(), cipher=staff_desk.cipher,
            reminder_days=staff_desk.reminder_days, **args,
        )  # fmt: skip
    except TransitionNotAllowed as exc:
        await session.rollback()
        return exc.code
    await notifier.deliver(session, change.notifications)
    return change
