"""The helpdesk in the staff group: a staff reply to a card or a relayed message, or a message in a
request's topic, goes to the requester; a message starting with `#note` stays in the group as an
internal note on the request."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.requests.lifecycle import Action
from bot.staff.desk import StaffDesk
from bot.staff.permissions import StaffGate
from handlers.staff.common import is_staff, perform, refusal
from storage import staff as store
from storage.requests import Request

NOTE_TAG = "#note"


async def request_of(message: Message, session: AsyncSession) -> Request | None:
    """The request a group message belongs to: the message it replies to, else its forum topic."""
    chat = message.chat.id
    candidates = []
    if message.reply_to_message is not None:
        candidates.append(message.reply_to_message.message_id)
    if message.is_topic_message and message.message_thread_id:
        candidates.append(message.message_thread_id)
    for message_id in candidates:
        link = await store.linked_request(session, chat, message_id)
        if link is not None:
            return await session.get(Request, link[0])
    return None


def build_router(settings: Settings) -> Router:
    router = Router(name="staff_relay")

    @router.message(StateFilter(None), F.text | F.document | F.caption, ~F.text.startswith("/"))
    async def on_group_message(message: Message, session: AsyncSession, bot: Bot, staff_gate: StaffGate,
                               staff_desk: StaffDesk, notifier) -> None:  # fmt: skip
        if message.from_user is None or message.from_user.is_bot:
            return
        request = await request_of(message, session)
        if request is None:
            return  # staff talking among themselves
        if not await is_staff(message.from_user.id, bot=bot, settings=settings, staff_gate=staff_gate):
            return
        gettext = staff_desk.gettext
        body = message.text if message.text is not None else (message.caption or "")
        if body.lstrip().lower().startswith(NOTE_TAG):
            note = body.lstrip()[len(NOTE_TAG):].strip()
            result = await perform(session, request, Action.NOTE, message.from_user.id, text=note,
                                   staff_desk=staff_desk, notifier=notifier)  # fmt: skip
            if isinstance(result, str):
                await message.reply(refusal(result, gettext))
                return
            await session.commit()
            await message.reply(gettext("Internal note saved to {reference}.").format(reference=request.reference))
            return
        document = message.document.file_id if message.document is not None else None
        if not await staff_desk.relay_to_requester(session, request, text=body, document=document):
            await message.reply(gettext("The requester of {reference} cannot be reached (their details were "
                                        "removed).").format(reference=request.reference))  # fmt: skip
            return
        await session.commit()
        await message.reply(gettext("Sent to the requester of {reference}.").format(reference=request.reference))

    return router
