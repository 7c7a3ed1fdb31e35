"""Outbox rate limits with an injected clock: 1 message/s into a chat, 20/min into a group (both held by
the claim, so across workers too), about 30/s overall (paced in process), and capped backoff."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.outbox import Limits, Sender, enqueue
from bot.outbox.limits import Backoff, GlobalPacer
from storage import outbox as store
from storage.base import utcnow
from tests.fakes.bot_api import FakeBotAPI

GROUP = -1001000000001


class FakeClock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=1)
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await asyncio.sleep(0)  # what was started before this sleep begins now, at the time it was due
        self.now += timedelta(seconds=seconds)


def most_in_any_window(times: list[datetime], window: timedelta) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


# -- overall pace (pure) ---------------------------------------------------------------------------


async def test_overall_pace_never_exceeds_30_in_any_second():
    clock = FakeClock()
    pacer = GlobalPacer(30, clock=clock, sleep=clock.sleep)
    started = clock()
    sent = []
    for _ in range(95):
        await pacer.acquire()
        sent.append(clock())
    assert most_in_any_window(sent, timedelta(seconds=1)) == 30
    assert sent[-1] - started >= timedelta(seconds=94 / 30)


def test_concurrent_senders_get_successive_slots():
    clock = FakeClock()
    pacer = GlobalPacer(30, clock=clock, sleep=clock.sleep)
    waits = [pacer.reserve() for _ in range(60)]  # a batch reserving at the same instant
    assert waits[0] == 0 and waits[30] == pytest.approx(1.0, abs=1e-4)
    assert all(b - a == pytest.approx(1 / 30, abs=1e-5) for a, b in zip(waits, waits[1:], strict=False))
    clock.advance(10)
    assert pacer.reserve() == 0  # an idle pacer does not make anyone wait


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    backoff, rng = Backoff(base=1.0, cap=60.0), random.Random(1)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (30, 60)]:
        delays = {backoff.delay(attempt, rng) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, so two workers do not retry in step


# -- per-chat limits through the sender ---------------------------------------------------------------


class TimedBot(Bot):
    """Notes the (fake) time every request to Telegram started."""

    def __init__(self, *args, clock: FakeClock, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock
        self.accepted: list[tuple[datetime, int]] = []

    async def __call__(self, method, request_timeout=None):
        self.accepted.append((self.clock(), method.chat_id))
        return await super().__call__(method, request_timeout=request_timeout)


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def timed_bots(api):
    bots: list[TimedBot] = []

    def factory(clock: FakeClock) -> TimedBot:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        bots.append(TimedBot(api.token, session=session, clock=clock))
        return bots[-1]

    yield factory
    for bot in bots:
        await bot.session.close()


async def run_until_sent(senders: list[Sender], clock: FakeClock, session_factory, step: float = 0.25) -> None:
    for turn in range(20000):
        if not await senders[turn % len(senders)].flush_once():
            async with session_factory() as session:
                if await store.count_open(session) == 0:
                    return
            clock.advance(step)
    raise AssertionError("the outbox did not drain")


@pytest.mark.db
async def test_one_message_a_second_into_a_chat_and_twenty_a_minute_into_a_group(
    timed_bots, session_factory
):
    clock = FakeClock()
    async with session_factory() as session, session.begin():
        for n in range(5):
            await enqueue(session, 7, "sendMessage", text=f"private {n}")
        for n in range(45):
            await enqueue(session, GROUP, "sendMessage", text=f"group {n}")
        for chat in range(1000, 1040):
            await enqueue(session, chat, "sendMessage", text="one each")
    bot = timed_bots(clock)
    sender = Sender(bot, session_factory, clock=clock, sleep=clock.sleep, request_timeout=5,
                    lease=timedelta(seconds=60))

    await run_until_sent([sender], clock, session_factory)

    private = [at for at, chat in bot.accepted if chat == 7]
    group = [at for at, chat in bot.accepted if chat == GROUP]
    assert len(private) == 5 and len(group) == 45
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(private, private[1:], strict=False))
    assert most_in_any_window(group, timedelta(minutes=1)) == 20
    assert group[20] - group[0] >= timedelta(minutes=1)
    assert most_in_any_window([at for at, _ in bot.accepted], timedelta(seconds=1)) <= 30
    # the other chats were not held up behind the busy group
    others = [at for at, chat in bot.accepted if chat >= 1000]
    assert max(others) < group[20]


@pytest.mark.db
async def test_the_chat_pace_holds_across_two_workers(timed_bots, session_factory):
    clock = FakeClock()
    async with session_factory() as session, session.begin():
        for n in range(6):
            await enqueue(session, 7, "sendMessage", text=f"private {n}")
    bots = [timed_bots(clock), timed_bots(clock)]
    senders = [
        Sender(bot, session_factory, clock=clock, sleep=clock.sleep, worker_id=f"w{n}", request_timeout=5,
               lease=timedelta(seconds=60), limits=Limits())
        for n, bot in enumerate(bots)
    ]
    await run_until_sent(senders, clock, session_factory, step=0.1)

    sent = sorted(at for bot in bots for at, _ in bot.accepted)
    assert len(sent) == 6 and all(bot.accepted for bot in bots)  # both took turns
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(sent, sent[1:], strict=False))


def test_limits_default_to_telegrams_published_figures():
    limits = Limits()
    assert limits.global_per_second == 30
    assert limits.chat_interval == timedelta(seconds=1)
    assert (limits.group_per_minute, limits.group_window) == (20, timedelta(minutes=1))


def test_a_lease_shorter_than_a_send_is_refused():
    with pytest.raises(ValueError, match="lease"):
        Sender(Bot("1:x"), None, lease=timedelta(seconds=10), request_timeout=30)  # type: ignore[arg-type]
