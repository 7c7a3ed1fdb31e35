"""The outbox worker runs with the dispatcher: it starts on startup, delivers what business code
committed, and stops on shutdown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.outbox import Limits, OutboxHooks, enqueue
from bot.outbox.lifecycle import OutboxWorker
from storage import outbox as store
from tests.fakes.bot_api import FakeBotAPI

pytestmark = pytest.mark.db


async def test_worker_starts_and_stops_with_the_dispatcher(session_factory):
    hooks = OutboxHooks()
    sent_ids = []

    async def card_sent(session, argument, row, result):
        sent_ids.append((argument, result.message_id))

    hooks.on_sent("card", card_sent)
    dispatcher = Dispatcher()
    worker = OutboxWorker(session_factory, hooks, poll_interval=0.02, limits=Limits(chat_interval=timedelta(0)))
    worker.attach(dispatcher)
    async with FakeBotAPI() as api:
        bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        try:
            await dispatcher.emit_startup(bot=bot)
            async with session_factory() as session, session.begin():
                await enqueue(session, -100123, "sendMessage", text="card", on_sent="card:7")
                await enqueue(session, 111, "sendMessage", text="notice")
            worker.wake()
            await api.wait_for("sendMessage", chat_id=111)
            await api.wait_for("sendMessage", chat_id=-100123)
            await dispatcher.emit_shutdown()
        finally:
            await bot.session.close()
    assert worker.sender is not None and sent_ids and sent_ids[0][0] == "7"
    async with session_factory() as session:
        assert await store.count_open(session) == 0
