"""A person halfway through a form continues after a restart: FSM state lives in the database
(or Redis when REDIS_URL is set), not in process memory."""

from __future__ import annotations

import pytest
from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from teremok import MockBot, MockMessageText, MockUser

from bot.app import build_dispatcher
from bot.telegram.fsm_storage import SqlStorage

pytestmark = pytest.mark.db


class Form(StatesGroup):
    email = State()


def form_router() -> Router:
    router = Router(name="test-form")

    @router.message(Command("begin"))
    async def begin(message, state: FSMContext):
        await state.set_state(Form.email)
        await state.update_data(kind="erasure")
        await message.answer("Your email?")

    @router.message(Form.email, F.text)
    async def email(message, state: FSMContext):
        data = await state.get_data()
        await state.clear()
        await message.answer(f"kind={data['kind']} email={message.text}")

    return router


def fresh_dispatcher(settings, session_factory, velluto, storage):
    dispatcher = build_dispatcher(settings, session_factory, velluto, storage=storage)
    router = form_router()
    router._parent_router = dispatcher  # ahead of the bot's own routers, so the fallback doesn't answer first
    dispatcher.sub_routers.insert(0, router)
    return dispatcher


async def test_form_continues_after_restart_on_the_database(settings, session_factory, velluto):
    user = MockUser(user_id=5551, language_code="en")
    first = MockBot(fresh_dispatcher(settings, session_factory, velluto, SqlStorage(session_factory)))
    await first.dispatch(MockMessageText("/begin", user=user))
    assert first.last.requests.send_message[0].text == "Your email?"

    # a new process: new dispatcher, new storage object, same database
    second = MockBot(fresh_dispatcher(settings, session_factory, velluto, SqlStorage(session_factory)))
    await second.dispatch(MockMessageText("me@example.org", user=user))
    assert second.last.requests.send_message[0].text == "kind=erasure email=me@example.org"

    # the form is finished: state cleared, the row gone
    third = MockBot(fresh_dispatcher(settings, session_factory, velluto, SqlStorage(session_factory)))
    assert await third.get_state(user_id=5551) is None


async def test_sql_storage_round_trip_and_isolation(session_factory):
    storage = SqlStorage(session_factory)
    alice = StorageKey(bot_id=1, chat_id=10, user_id=10)
    bob = StorageKey(bot_id=1, chat_id=20, user_id=20)
    await storage.set_state(alice, Form.email)
    await storage.set_data(alice, {"answer": "тест", "n": 3})
    assert await SqlStorage(session_factory).get_state(alice) == Form.email.state
    assert await SqlStorage(session_factory).get_data(alice) == {"answer": "тест", "n": 3}
    assert await storage.get_state(bob) is None and await storage.get_data(bob) == {}
    await storage.set_state(alice, None)
    await storage.set_data(alice, {})
    assert await storage.get_state(alice) is None


@pytest.mark.redis
async def test_form_continues_after_restart_on_redis(settings, session_factory, velluto, redis_url):
    from bot.app import build_fsm_storage

    redis_settings = settings.model_copy(update={"redis_url": redis_url})
    user = MockUser(user_id=5552, language_code="en")
    storage = build_fsm_storage(redis_settings, session_factory)
    first = MockBot(fresh_dispatcher(redis_settings, session_factory, velluto, storage))
    await first.dispatch(MockMessageText("/begin", user=user))
    await storage.close()

    storage = build_fsm_storage(redis_settings, session_factory)
    try:
        second = MockBot(fresh_dispatcher(redis_settings, session_factory, velluto, storage))
        await second.dispatch(MockMessageText("me@example.org", user=user))
        assert second.last.requests.send_message[0].text == "kind=erasure email=me@example.org"
    finally:
        await storage.close()
