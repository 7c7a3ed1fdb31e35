"""Filters run on the event loop: aiogram hands every plain (non-async) filter to a worker thread,
which costs more than the check and queues checks behind each other under load."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import build_dispatcher
from tests.botkit import Person, make_bot

pytestmark = pytest.mark.db


def test_every_handler_is_async_and_every_filter_runs_on_the_loop(settings, session_factory, velluto):
    dispatcher = build_dispatcher(settings, session_factory, velluto)
    checked = 0
    for router in dispatcher.chain_tail:
        for observer in router.observers.values():
            for handler in observer.handlers:
                assert handler.awaitable, f"{router.name}: handler {handler.callback!r} is not async"
                for filter_object in handler.filters or ():
                    assert filter_object.awaitable, f"{router.name}: filter {filter_object.callback!r}"
                    checked += 1
    assert checked > 20  # the magic filters of the menus, forms and staff commands were all seen


async def test_a_conversation_hands_nothing_to_worker_threads(settings, session_factory, velluto, monkeypatch):
    handed: list[object] = []
    to_thread = asyncio.to_thread

    async def counting(function, /, *args, **kwargs):
        handed.append(function)
        return await to_thread(function, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    person = Person(make_bot(settings, session_factory, velluto))
    await person.says("/start")
    await person.presses("Ask a question")
    await person.says("How long do you keep my voice recordings?")
    await person.says("/language")
    await person.presses("Русский")
    await person.says("/status")
    assert person.replies()  # the bot answered throughout
    assert handed == []
