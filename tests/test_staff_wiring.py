"""The desk as `privacy-desk run` starts it: the dispatcher's startup learns that the staff group has
topics, starts the outbox worker and the scheduler's jobs; a new request reaches the group by itself;
shutdown stops them."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.app import build_dispatcher
from tests.conftest import STAFF_CHAT_ID
from tests.fakes.bot_api import FakeBotAPI
from tests.test_staff_kit import Desk

pytestmark = pytest.mark.db


async def test_startup_runs_the_worker_and_the_jobs_and_shutdown_stops_them(settings, session_factory, velluto):
    async with FakeBotAPI() as api:
        api.respond("getChat", lambda call: {
            "id": STAFF_CHAT_ID, "type": "supergroup", "title": "Staff", "is_forum": True,
            "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                    "unique_gifts": False, "premium_subscription": False, "gifts_from_channels": False},
        })  # fmt: skip
        bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)),
                  default=DefaultBotProperties(parse_mode=ParseMode.HTML))  # fmt: skip
        dispatcher = build_dispatcher(settings, session_factory, velluto)
        try:
            await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
            jobs = dispatcher["staff_jobs"]
            assert dispatcher["staff_desk"].forum is True
            assert {job.id for job in jobs.scheduler.get_jobs()} == {"reminder_sweep", "digest", "expire_unverified"}
            commands = api.calls_to("setMyCommands")
            assert any("queue" in str(c.params.get("commands")) for c in commands)
            desk = Desk(api, bot, dispatcher, session_factory, sender=None)  # the worker sends, not the test
            desk.flush = _no_flush
            request = await desk.new_request("access", "eea")
            topic = await api.wait_for("createForumTopic", chat_id=STAFF_CHAT_ID)
            card = await api.wait_for("sendMessage", chat_id=STAFF_CHAT_ID)
            assert request.reference in topic.params["name"] and request.reference in card.text
            assert int(card.params["message_thread_id"]) == 100  # the fake's first topic id
        finally:
            await dispatcher.emit_shutdown(bot=bot, **dispatcher.workflow_data)
            await bot.session.close()
        assert not jobs.scheduler.running
        assert dispatcher["outbox_worker"]._task is None


async def _no_flush(*args, **kwargs) -> None:
    return None


def test_the_digest_runs_at_the_local_time_of_the_operator(settings, session_factory, velluto):
    from datetime import UTC, datetime

    local = settings.model_copy(update={"operator_timezone": "Europe/Berlin", "digest_time": "09:30"})
    dispatcher = build_dispatcher(local, session_factory, velluto)
    jobs = dispatcher["staff_jobs"]
    jobs.add_jobs()
    trigger = jobs.scheduler.get_job("digest").trigger
    after = datetime(2027, 7, 1, 0, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, after) == datetime(2027, 7, 1, 7, 30, tzinfo=UTC)  # CEST
    winter = datetime(2027, 12, 1, 0, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, winter) == datetime(2027, 12, 1, 8, 30, tzinfo=UTC)
