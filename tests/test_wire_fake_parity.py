"""The in-process fake (console, benchmarks) must answer like Telegram does on the wire.

The same method goes to the HTTP fake through aiogram's real session and to `FakeTelegramSession`;
both answers must be the type aiogram expects, or the console breaks where production would not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetChatMember
from aiogram.types import BufferedInputFile, ChatMemberAdministrator, ChatMemberLeft, ChatMemberMember

from bot.console.fake_telegram import FakeTelegramSession
from tests.fakes.bot_api import FakeBotAPI, bad_gateway, disconnect, too_many_requests

STAFF_CHAT = -1001234567890


@pytest_asyncio.fixture
async def wire() -> AsyncIterator[tuple[FakeBotAPI, Bot]]:
    async with FakeBotAPI() as api:
        bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        try:
            yield api, bot
        finally:
            await bot.session.close()


async def test_wire_fake_answers_chat_member_statuses_as_aiogram_types(wire: tuple[FakeBotAPI, Bot]) -> None:
    api, bot = wire
    api.set_chat_member(STAFF_CHAT, 7, "administrator")
    api.set_chat_member(STAFF_CHAT, 8, "member")
    assert isinstance(await bot.get_chat_member(STAFF_CHAT, 7), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(STAFF_CHAT, 8), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(STAFF_CHAT, 9), ChatMemberLeft)


async def test_wire_fake_scripted_faults_reach_the_bot_as_telegram_errors(wire: tuple[FakeBotAPI, Bot]) -> None:
    api, bot = wire
    api.script("sendMessage", too_many_requests(7), bad_gateway(), disconnect())
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_message(5, "hello")
    assert flood.value.retry_after == 7
    with pytest.raises(TelegramServerError):
        await bot.send_message(5, "hello")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(5, "hello")
    sent = await bot.send_message(5, "hello")  # the script is used up: normal service again
    assert sent.text == "hello"
    assert [c.text for c in api.calls_to("sendMessage", chat_id=5)] == ["hello"] * 4


async def test_wire_fake_edits_and_uploads_like_telegram(wire: tuple[FakeBotAPI, Bot]) -> None:
    api, bot = wire
    sent = await bot.send_message(5, "first")
    edited = await bot.edit_message_text(text="second", chat_id=5, message_id=sent.message_id)
    assert edited.text == "second"
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text(text="second", chat_id=5, message_id=sent.message_id)
    document = await bot.send_document(5, BufferedInputFile(b'{"a": 1}', "export.json"), caption="your data")
    assert document.document.file_name == "export.json"
    upload = api.calls_to("sendDocument")[0].upload("document")
    assert upload is not None and upload.content == b'{"a": 1}'


async def test_console_fake_answers_a_staff_admin_like_the_wire(wire: tuple[FakeBotAPI, Bot]) -> None:
    api, bot = wire
    api.set_chat_member(STAFF_CHAT, 7, "administrator")
    over_the_wire = await bot.get_chat_member(STAFF_CHAT, 7)

    console = FakeTelegramSession()
    console.staff_chat_ids.add(STAFF_CHAT)
    console.staff_user_ids.add(7)
    in_process = console.result_for(GetChatMember(chat_id=STAFF_CHAT, user_id=7))

    assert type(in_process) is type(over_the_wire)
