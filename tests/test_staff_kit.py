"""Shared by the staff desk tests (no tests here): the real dispatcher and aiogram Bot talking HTTP to
the fake Bot API, the real outbox sender flushing what the bot queued, and people to play the parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy import select

from bot.app import build_dispatcher
from bot.deadlines import PolicyPromise
from bot.outbox import Limits, Sender
from bot.requests import service
from storage import outbox as outbox_store
from storage.models import Subject
from storage.outbox import OutboxMessage
from storage.requests import Attachment, Request, RequestEvent
from tests.conftest import STAFF_CHAT_ID
from tests.fakes.bot_api import FakeBotAPI

STAFF = 5001
STAFF_2 = 5002
OUTSIDER = 6001
REQUESTER = 7001
VELLUTO = PolicyPromise(operator="velluto", standard_days=30, complex_days=90, voice_owner_days=30)
NO_PACE = Limits(global_per_second=10_000, chat_interval=timedelta(0), group_per_minute=10**6)


@dataclass
class Snapshot:
    state: str
    event_count: int
    assignee: int | None
    extended: bool
    outbox_rows: int


class Desk:
    """The staff group, a requester and an outsider, all talking to one bot through the fake Bot API."""

    def __init__(self, api: FakeBotAPI, bot: Bot, dispatcher, session_factory, sender: Sender) -> None:
        self.api, self.bot, self.dispatcher, self.session_factory, self.sender = (
            api, bot, dispatcher, session_factory, sender,
        )  # fmt: skip
        self.desk = dispatcher["staff_desk"]
        self.notifier = dispatcher["notifier"]

    # -- setting the scene ---------------------------------------------------------------------------

    async def new_request(
        self, kind: str = "access", jurisdiction: str = "eea", *, details: dict[str, Any] | None = None,
        verified_by: str | None = "telegram_id", requester: int = REQUESTER, language: str = "en",
        attachments: tuple[tuple[str, str], ...] = (), received: datetime | None = None,
        requester_type: str = "self", promise: PolicyPromise | None = VELLUTO,
    ) -> Request:  # fmt: skip
        async with self.session_factory() as session, session.begin():
            subject = await session.scalar(select(Subject).where(Subject.telegram_user_id == requester))
            if subject is None:
                subject = Subject(telegram_user_id=requester, language=language)
                session.add(subject)
                await session.flush()
            change = await service.create_request(
                session, subject, kind, jurisdiction, details if details is not None else {"account": "ann@example.com"},
                received or datetime.now(UTC), promise, verified_by=verified_by, requester_type=requester_type,
                cipher=self.desk.cipher,
            )  # fmt: skip
            for index, (file_kind, file_id) in enumerate(attachments):
                service.add_attachment(session, change.request, file_id=file_id, file_unique_id=f"u{index}",
                                       kind=file_kind, now=datetime.now(UTC))  # fmt: skip
            await session.flush()
            await self.notifier.deliver(session, change.notifications)
            request_id = change.request.id
        await self.flush()
        return await self.request(request_id)

    async def request(self, request_id: int) -> Request:
        async with self.session_factory() as session:
            return await session.get(Request, request_id)

    async def events(self, request_id: int) -> list[RequestEvent]:
        async with self.session_factory() as session:
            rows = await session.scalars(
                select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.seq)
            )
            return list(rows)

    async def snapshot(self, request_id: int) -> Snapshot:
        request = await self.request(request_id)
        async with self.session_factory() as session:
            rows = len((await session.scalars(select(OutboxMessage.id))).all())
        return Snapshot(request.state, request.event_count, request.assignee_telegram_id, request.extended, rows)

    async def attachments(self, request_id: int) -> list[Attachment]:
        async with self.session_factory() as session:
            return list(await session.scalars(select(Attachment).where(Attachment.request_id == request_id)))

    # -- the outbox ------------------------------------------------------------------------------------

    async def flush(self, limit: int = 500) -> None:
        """Send everything queued (as the worker would), until nothing is open."""
        for _ in range(limit):
            if await self.sender.flush_once():
                continue
            async with self.session_factory() as session:
                if await outbox_store.count_open(session) == 0:
                    return
        raise AssertionError("the outbox did not drain")

    # -- people ----------------------------------------------------------------------------------------

    async def feed(self, update: dict[str, Any]) -> None:
        update = {"update_id": 1, **update}
        await self.dispatcher.feed_raw_update(self.bot, update)
        await self.flush()

    async def press(self, user: int, data: str, *, message_id: int | None = None, chat_id: int = STAFF_CHAT_ID) -> str:
        """Press a button; returns the callback answer's text (what the presser sees)."""
        before = len(self.api.calls_to("answerCallbackQuery"))
        callback = self.api.make_callback(user, data, message_id, chat_id=chat_id)
        await self.feed({"callback_query": callback})
        answers = self.api.calls_to("answerCallbackQuery")
        return (answers[-1].params.get("text") or "") if len(answers) > before else ""

    async def press_on_card(self, user: int, request: Request, action: str) -> str:
        request = await self.request(request.id)
        return await self.press(user, f"sa:{action}:{request.id}", message_id=request.staff_chat_message_id)

    async def press_button(self, user: int, text: str) -> str:
        """Press the button with this text on the bot's latest staff-group message that has it."""
        for (chat, message_id), message in sorted(self.api.messages.items(), key=lambda item: -item[0][1]):
            if chat != STAFF_CHAT_ID:
                continue
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == text:
                        return await self.press(user, button["callback_data"], message_id=message_id)
        raise AssertionError(f"no button {text!r} in the staff group")

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return self.api.messages[(chat_id, message_id)]

    async def say(self, user: int, text: str, *, chat_id: int, reply_to: int | None = None,
                  thread: int | None = None, **extra: Any) -> dict[str, Any]:  # fmt: skip
        message = self.api.make_message(user, text, chat_id=chat_id, message_thread_id=thread)
        if reply_to is not None:
            message["reply_to_message"] = self.message(chat_id, reply_to)
        if extra:
            message.update(extra)
            if "document" in extra and not text:
                message.pop("text", None)
        await self.feed({"message": message})
        return message

    async def staff_says(self, text: str, *, user: int = STAFF, **kwargs: Any) -> dict[str, Any]:
        return await self.say(user, text, chat_id=STAFF_CHAT_ID, **kwargs)

    def sent(self, chat_id: int, method: str = "sendMessage") -> list[Any]:
        return self.api.calls_to(method, chat_id=chat_id)

    def texts_to(self, chat_id: int) -> list[str]:
        return [call.text or "" for call in self.api.calls if call.chat_id == chat_id and call.text]

    def card_text(self, request: Request) -> str:
        return self.message(STAFF_CHAT_ID, request.staff_chat_message_id)["text"]

    def card_buttons(self, request: Request) -> list[str]:
        markup = self.message(STAFF_CHAT_ID, request.staff_chat_message_id).get("reply_markup") or {}
        return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]

    def last_answer_to_requester(self, requester: int = REQUESTER) -> dict[str, Any]:
        mine = [(mid, m) for (chat, mid), m in self.api.messages.items() if chat == requester]
        return max(mine)[1]


@pytest.fixture
async def desk(settings, session_factory, velluto):
    async with FakeBotAPI() as api:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = Bot(api.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
        dispatcher = build_dispatcher(settings, session_factory, velluto)
        dispatcher["staff_desk"].forum = False
        sender = Sender(bot, session_factory, hooks=dispatcher["outbox_hooks"], limits=NO_PACE)
        api.set_chat_member(STAFF_CHAT_ID, STAFF, "member")
        api.set_chat_member(STAFF_CHAT_ID, STAFF_2, "administrator")
        try:
            yield Desk(api, bot, dispatcher, session_factory, sender)
        finally:
            await bot.session.close()
