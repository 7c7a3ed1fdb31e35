"""Outbox under faults, over real HTTP against the fake Bot API: 429 with retry_after, 502 (JSON and a
proxy's HTML page), dropped connections, a blocked bot, a worker dying with rows claimed. Every message
is delivered exactly once and in order per chat; none is lost; what can never be sent is not retried.

Time is a fake clock the sender reads; only the HTTP exchange is real.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.outbox import AFTER_RESULT, Limits, OutboxHooks, Sender, enqueue
from bot.outbox.limits import Backoff
from storage import outbox as store
from storage.base import utcnow
from storage.outbox import OutboxState
from tests.fakes.bot_api import (
    FakeBotAPI,
    bad_gateway,
    bad_gateway_html,
    disconnect,
    error,
    forbidden_blocked,
    too_many_requests,
)

pytestmark = pytest.mark.db

STAFF = -1001000000001
NO_PACE = Limits(global_per_second=10_000, chat_interval=timedelta(0), group_per_minute=10**6)


class FakeClock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=1)  # after the rows' real enqueue time

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        target = self.now + timedelta(seconds=seconds)
        await asyncio.sleep(0)
        self.now = max(self.now, target)


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def make_bot(api):
    bots: list[Bot] = []

    def factory() -> Bot:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = Bot(api.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
        bots.append(bot)
        return bot

    yield factory
    for bot in bots:
        await bot.session.close()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_sender(make_bot, session_factory, clock):
    def factory(**options) -> Sender:
        options.setdefault("clock", clock)
        options.setdefault("sleep", clock.sleep)
        options.setdefault("rng", random.Random(7))
        options.setdefault("request_timeout", 5)
        options.setdefault("lease", timedelta(seconds=60))
        return Sender(make_bot(), options.pop("session_factory", session_factory), **options)

    return factory


async def queue(session_factory, *messages: tuple[int, str], **options) -> None:
    async with session_factory() as session, session.begin():
        for chat_id, text in messages:
            await enqueue(session, chat_id, "sendMessage", text=text, **options)


async def drain(sender: Sender, clock: FakeClock, session_factory, *, step: float = 1.0, limit: int = 2000) -> None:
    """Flush until nothing is open, moving the fake clock on whenever nothing is due."""
    for _ in range(limit):
        if not await sender.flush_once():
            async with session_factory() as session:
                if await store.count_open(session) == 0:
                    return
            clock.advance(step)
    raise AssertionError("the outbox did not drain")


def delivered(api: FakeBotAPI) -> dict[int, list[str]]:
    """Texts Telegram accepted, per chat, in the order it accepted them."""
    per_chat: dict[int, list[str]] = {}
    for (chat_id, _), message in sorted(api.messages.items(), key=lambda item: item[0][1]):
        if "text" in message:
            per_chat.setdefault(chat_id, []).append(message["text"])
    return per_chat


async def rows_of(session_factory, chat_id: int):
    async with session_factory() as session:
        return list(await store.in_chat(session, chat_id))


# -- the acceptance case -----------------------------------------------------------------------------


async def test_429_502_and_dropped_connections_deliver_everything_once_in_order(
    api, make_sender, clock, session_factory
):
    chats = [111, 222, 333, STAFF]
    expected = {chat: [f"message {n} to {chat}" for n in range(6)] for chat in chats}
    await queue(session_factory, *[(chat, text) for n in range(6) for chat in chats for text in [expected[chat][n]]])
    api.script(
        "sendMessage",
        too_many_requests(3), bad_gateway(), disconnect(), disconnect(), disconnect(),
        bad_gateway_html(), too_many_requests(1), disconnect(), bad_gateway(), disconnect(),
    )
    sender = make_sender(batch_size=3)

    await drain(sender, clock, session_factory)

    assert delivered(api) == expected
    assert len(api.calls_to("sendMessage")) == 24 + 10  # every fault was met once and retried
    for chat in chats:
        rows = await rows_of(session_factory, chat)
        assert {r.state for r in rows} == {OutboxState.SENT}
        assert all(r.result_message_id and r.payload == "" for r in rows)  # text forgotten once sent


async def test_retry_after_is_honoured(api, make_sender, clock, session_factory):
    await queue(session_factory, (111, "first"), (111, "second"))
    api.script("sendMessage", too_many_requests(30))
    sender = make_sender()

    await sender.flush_once()
    waiting = (await rows_of(session_factory, 111))[0]
    assert waiting.state == OutboxState.PENDING and "retry after 30" in waiting.last_error
    assert waiting.attempts == 0  # a 429 is not a failed attempt: it does not grow the backoff
    clock.advance(29)
    assert await sender.flush_once() == 0  # neither the row nor the chat's next message goes early
    clock.advance(2)
    await drain(sender, clock, session_factory)

    assert delivered(api) == {111: ["first", "second"]}
    assert len(api.calls_to("sendMessage")) == 3


async def test_server_errors_back_off_exponentially_with_jitter(api, make_sender, clock, session_factory):
    await queue(session_factory, (111, "hello"))
    api.script("sendMessage", bad_gateway(), bad_gateway(), bad_gateway())
    sender = make_sender(backoff=Backoff(base=2.0, cap=5.0))
    waits = []
    for _ in range(3):
        started = clock()
        assert await sender.flush_once() == 1
        row = (await rows_of(session_factory, 111))[0]
        assert row.state == OutboxState.PENDING and "Bad Gateway" in row.last_error
        waits.append((row.next_attempt_at - started).total_seconds())
        clock.now = row.next_attempt_at
    assert 1.0 <= waits[0] <= 2.0 and 2.0 <= waits[1] <= 4.0 and 2.5 <= waits[2] <= 5.0  # capped at 5
    await drain(sender, clock, session_factory)
    assert delivered(api) == {111: ["hello"]}


async def test_a_blocked_bot_fails_the_message_once_and_the_chat_moves_on(api, make_sender, clock, session_factory):
    await queue(session_factory, (111, "you blocked me"), (111, "after unblocking"), (222, "other chat"))
    api.script("sendMessage", forbidden_blocked())
    sender = make_sender(batch_size=1)

    await drain(sender, clock, session_factory)
    clock.advance(86400)
    await sender.flush_once()

    rows = await rows_of(session_factory, 111)
    assert [r.state for r in rows] == [OutboxState.FAILED, OutboxState.SENT]
    assert "blocked by the user" in rows[0].last_error and rows[0].attempts == 1
    assert len(api.calls_to("sendMessage", chat_id=111)) == 2  # tried once, never again
    assert delivered(api) == {111: ["after unblocking"], 222: ["other chat"]}


async def test_a_group_upgraded_to_a_supergroup_gets_the_message_at_its_new_id(
    api, make_sender, clock, session_factory
):
    await queue(session_factory, (-555, "reminder"))
    api.script("sendMessage", error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                                    migrate_to_chat_id=-100555))
    await drain(make_sender(), clock, session_factory)
    assert delivered(api) == {-100555: ["reminder"]}


# -- a worker that dies, two workers at once ----------------------------------------------------------


async def test_a_worker_stopped_mid_send_leaves_its_rows_to_another_after_the_lease(
    api, make_sender, clock, session_factory
):
    await queue(session_factory, (111, "one"), (111, "two"), (111, "three"))
    held = api.hold("sendMessage", then=disconnect())
    first = make_sender(worker_id="dies", lease=timedelta(seconds=60))
    crashed = asyncio.create_task(first.flush_once())
    await held.wait_arrived()
    crashed.cancel()  # the process is gone with row "one" claimed
    with pytest.raises(asyncio.CancelledError):
        await crashed
    held.release()

    second = make_sender(worker_id="survives", lease=timedelta(seconds=60))
    clock.advance(30)
    assert await second.flush_once() == 0  # the lease still holds
    clock.advance(31)
    await drain(second, clock, session_factory)

    assert delivered(api) == {111: ["one", "two", "three"]}
    assert (await rows_of(session_factory, 111))[0].attempts == 2


async def test_two_workers_on_the_same_database_send_each_message_once(api, make_bot, db_url, session_factory):
    from storage.engine import create_engine, create_session_factory

    chats = [100 + n for n in range(8)] + [STAFF]
    expected = {chat: [f"#{n} for {chat}" for n in range(15)] for chat in chats}
    await queue(session_factory, *[(chat, expected[chat][n]) for n in range(15) for chat in chats])
    api.script("sendMessage", *([bad_gateway(), disconnect()] * 5))

    engines = [create_engine(db_url), create_engine(db_url)]  # two processes: separate connection pools
    workers = [
        Sender(make_bot(), create_session_factory(engine), limits=NO_PACE, worker_id=f"w{n}", batch_size=4,
               backoff=Backoff(base=0.01, cap=0.05), request_timeout=5, lease=timedelta(seconds=60))
        for n, engine in enumerate(engines)
    ]
    handled = [0, 0]

    async def work(index: int) -> None:
        for _ in range(5000):
            count = await workers[index].flush_once()
            handled[index] += count
            if not count:
                async with session_factory() as session:
                    if await store.count_open(session) == 0:
                        return
                await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(asyncio.gather(work(0), work(1)), timeout=60)
    finally:
        for engine in engines:
            await engine.dispose()

    assert delivered(api) == expected
    assert all(handled), handled  # both workers did take rows
    texts = [c.text for c in api.calls_to("sendMessage")]
    assert len(texts) == len(chats) * 15 + 10


# -- results for business code ---------------------------------------------------------------------


async def test_on_sent_hook_learns_the_message_id_in_the_same_transaction(api, make_sender, clock, session_factory):
    hooks = OutboxHooks()
    seen = []

    async def card_sent(session, argument, row, result):
        assert session.in_transaction()
        seen.append((argument, result.message_id, row.id))

    hooks.on_sent("card", card_sent)
    async with session_factory() as session, session.begin():
        queued = await enqueue(session, STAFF, "sendMessage", text="<b>PD-7K3F9Q</b>", on_sent="card:42")
    await drain(make_sender(hooks=hooks), clock, session_factory)

    row = (await rows_of(session_factory, STAFF))[0]
    assert seen == [("42", row.result_message_id, queued.primary_id)]
    assert (STAFF, row.result_message_id) in api.messages


async def test_a_failing_hook_does_not_send_the_message_twice(api, make_sender, clock, session_factory):
    hooks = OutboxHooks()

    async def broken(session, argument, row, result):
        raise RuntimeError("bug in the staff desk")

    hooks.on_sent("card", broken)
    await queue(session_factory, (STAFF, "card"), on_sent="card:1")
    await drain(make_sender(hooks=hooks), clock, session_factory)
    clock.advance(600)
    await make_sender(hooks=hooks).flush_once()

    row = (await rows_of(session_factory, STAFF))[0]
    assert row.state == OutboxState.SENT and "hook failed" in row.last_error
    assert len(api.calls_to("sendMessage")) == 1


async def test_on_failed_hook_hears_of_a_permanent_failure(api, make_sender, clock, session_factory):
    hooks = OutboxHooks()
    failures = []

    async def relay_failed(session, argument, row, error_text):
        failures.append((argument, error_text))

    hooks.on_failed("relay", relay_failed)
    await queue(session_factory, (111, "staff reply"), on_sent="relay:PD-1")
    api.script("sendMessage", forbidden_blocked())
    await drain(make_sender(hooks=hooks), clock, session_factory)
    assert failures == [("PD-1", "TelegramForbiddenError: Forbidden: bot was blocked by the user")]


async def test_a_topic_then_a_message_into_it_then_an_edit_of_that_message(api, make_sender, clock, session_factory):
    async with session_factory() as session, session.begin():
        topic = await enqueue(session, STAFF, "createForumTopic", name="PD-7K3F9Q")
        card = await enqueue(session, STAFF, "sendMessage", text="new card", message_thread_id=AFTER_RESULT,
                             after=topic)
        await enqueue(session, STAFF, "editMessageText", text="taken by Anna", message_id=AFTER_RESULT, after=card)
    await drain(make_sender(), clock, session_factory)

    topic_id = api.calls_to("createForumTopic")[0]
    sent = api.calls_to("sendMessage")[0]
    assert sent.params["message_thread_id"] == "100"  # the fake's first topic id
    rows = await rows_of(session_factory, STAFF)
    assert [r.state for r in rows] == [OutboxState.SENT] * 3
    assert rows[0].result_message_id == 100 and topic_id is not None
    assert api.messages[(STAFF, rows[1].result_message_id)]["text"] == "taken by Anna"


async def test_a_message_whose_topic_could_not_be_created_fails_instead_of_going_elsewhere(
    api, make_sender, clock, session_factory
):
    async with session_factory() as session, session.begin():
        topic = await enqueue(session, STAFF, "createForumTopic", name="PD-7K3F9Q")
        await enqueue(session, STAFF, "sendMessage", text="card", message_thread_id=AFTER_RESULT, after=topic)
    api.script("createForumTopic", error(400, "Bad Request: the chat is not a forum"))
    await drain(make_sender(), clock, session_factory)

    rows = await rows_of(session_factory, STAFF)
    assert [r.state for r in rows] == [OutboxState.FAILED, OutboxState.FAILED]
    assert "was not sent" in rows[1].last_error and not api.calls_to("sendMessage")


async def test_an_edit_that_changes_nothing_counts_as_done(api, make_sender, clock, session_factory):
    async with session_factory() as session, session.begin():
        card = await enqueue(session, STAFF, "sendMessage", text="same")
        await enqueue(session, STAFF, "editMessageText", text="same", message_id=AFTER_RESULT, after=card)
    await drain(make_sender(), clock, session_factory)
    rows = await rows_of(session_factory, STAFF)
    assert [r.state for r in rows] == [OutboxState.SENT, OutboxState.SENT]
    assert len(api.calls_to("editMessageText")) == 1


async def test_run_forever_delivers_and_stops_when_asked(api, make_bot, session_factory):
    sender = Sender(make_bot(), session_factory, limits=NO_PACE, poll_interval=0.02, request_timeout=5,
                    lease=timedelta(seconds=60))
    stop = asyncio.Event()
    worker = asyncio.create_task(sender.run_forever(stop))
    await queue(session_factory, (111, "while running"))
    sender.wake()
    await api.wait_for("sendMessage", chat_id=111)
    stop.set()
    await asyncio.wait_for(worker, timeout=5)
    async with session_factory() as session:
        assert await store.count_open(session) == 0


async def test_a_rolled_back_transaction_sends_nothing_and_a_committed_one_sends(
    api, make_sender, clock, session_factory
):
    with pytest.raises(RuntimeError):
        async with session_factory() as session, session.begin():
            await enqueue(session, 111, "sendMessage", text="request PD-1 received")
            raise RuntimeError("the request could not be saved")
    await queue(session_factory, (111, "request PD-2 received"))
    await drain(make_sender(), clock, session_factory)
    clock.advance(3600)
    await make_sender().flush_once()
    assert delivered(api) == {111: ["request PD-2 received"]}
    assert len(api.calls) == 1


async def test_a_long_message_arrives_as_parts_in_order(api, make_sender, clock, session_factory):
    text = "\n".join(f"<b>{n}.</b> " + "a line of the register export " * 8 for n in range(150))
    async with session_factory() as session, session.begin():
        await enqueue(session, 111, "sendMessage", text=text)
    api.script("sendMessage", bad_gateway(), disconnect())
    await drain(make_sender(), clock, session_factory)
    parts = delivered(api)[111]
    assert len(parts) >= 3 and all(len(part) <= 4096 for part in parts)
    assert " ".join("\n".join(parts).split()) == " ".join(text.split())
