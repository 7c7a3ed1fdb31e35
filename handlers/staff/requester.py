"""The requester's side of the relay: a reply, in the private chat, to one of the bot's messages about
a request (a staff question or a relayed message) goes back under that request's card.

Only the requester's own requests are found (the reference is looked up within their subject).
Other requester flows can do the same with `bot.staff.desk.requester_wrote`.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.requests.reference import ALPHABET, LENGTH
from bot.requests.service import find_for_subject
from bot.staff.desk import StaffDesk, requester_wrote
from bot.subjects import find_subject
from handlers.staff.common import now_utc

REFERENCE_IN_TEXT = re.compile(rf"PD-[{ALPHABET}]{{{LENGTH}}}")


def replied_reference(message: Message) -> dict[str, Any] | bool:
    """Filter: the message answers a bot message that names a request reference."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return False
    match = REFERENCE_IN_TEXT.search(replied.text or replied.caption or "")
    return {"relay_reference": match.group(0)} if match else False


def build_router() -> Router:
    router = Router(name="staff_relay_requester")
    router.message.filter(F.chat.type == "private")

    @router.message(StateFilter(None), replied_reference, F.text | F.document | F.voice | F.photo | F.audio)
    async def on_requester_reply(message: Message, relay_reference: str, session: AsyncSession,
                                 staff_desk: StaffDesk, notifier) -> None:  # fmt: skip
        subject = await find_subject(session, message.from_user.id) if message.from_user else None
        request = await find_for_subject(session, subject, relay_reference) if subject else None
        if request is None:
            return
        file_id, kind = None, None
        for kind_name in ("document", "voice", "audio"):
            item = getattr(message, kind_name)
            if item is not None:
                file_id, kind = item.file_id, kind_name
        if message.photo:
            file_id, kind = message.photo[-1].file_id, "photo"
        text = message.text if message.text is not None else message.caption
        await requester_wrote(session, request, desk=staff_desk, notifier=notifier, now=now_utc(),
                              text=text, file_id=file_id, file_kind=kind)  # fmt: skip
        await session.commit()
        gettext = staff_desk.gettext_for_language(subject.language)
        await message.answer(gettext("Thank you, your message has been passed to the privacy team."))

    return router
