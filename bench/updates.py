"""Updates per second and handling latency of the full stack, next to a bare aiogram bot.

Goal (issue 2): the full stack (outer middlewares, one database session per update, the language
lookup, i18n, routers, the real handlers on a real SQLite database) keeps at least a third of the
throughput of a bare aiogram bot fed the same updates on the same harness.

Both bots get the same mix, per user: /start, the four main-menu buttons, /language. Updates are
built once as aiogram objects and given to `Dispatcher.feed_update` one after another; the bot's
session is the in-process `FakeTelegramSession` (no network), so what is measured is the bot's own
work. The bare bot makes the same Bot API calls (a reply per message; an answer and a reply per
button) so the difference is the stack, not the number of calls.

Rounds alternate bare, full, bare, full, ... and each figure is the best round: on a shared machine
the slow rounds measure the neighbours. CPU time per update is printed as well for the same reason.

    .venv/bin/python bench/updates.py [--users 100] [--rounds 5] [--concurrency 1] [--profile [STACK]]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F  # noqa: E402
from aiogram.fsm.storage.memory import MemoryStorage  # noqa: E402
from aiogram.types import CallbackQuery, Chat, Message, MessageEntity, Update, User  # noqa: E402

from bot.app import App, build_app, build_dispatcher, create_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.console.fake_telegram import FakeTelegramSession  # noqa: E402
from bot.telegram.inflight import InFlight  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-abcdefghij"
MENU_PRESSES = ("m:ask", "m:request", "m:status", "m:human")
GOAL_RATIO = 1 / 3


# -- the updates -------------------------------------------------------------------------------------


def _user(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name="Bench", language_code="en" if user_id % 3 else "ru")


def _command(update_id: int, user_id: int, text: str) -> Update:
    return Update(
        update_id=update_id,
        message=Message(
            message_id=update_id,
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=_user(user_id),
            text=text,
            entities=[MessageEntity(type="bot_command", offset=0, length=len(text))],
        ),
    )


def _press(update_id: int, user_id: int, data: str) -> Update:
    bot_message = Message(
        message_id=update_id - 1,
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=User(id=123456, is_bot=True, first_name="Privacy Desk"),
        text="menu",
    )
    return Update(
        update_id=update_id,
        callback_query=CallbackQuery(
            id=str(update_id), from_user=_user(user_id), chat_instance=f"ci{user_id}", message=bot_message, data=data
        ),
    )


def updates_for(users: int) -> list[Update]:
    """Per user: /start, each menu button, /language; users interleaved like a real queue."""
    steps: list[Callable[[int, int], Update]] = [lambda i, u: _command(i, u, "/start")]
    steps += [lambda i, u, d=data: _press(i, u, d) for data in MENU_PRESSES]
    steps += [lambda i, u: _command(i, u, "/language")]
    updates: list[Update] = []
    update_id = 1
    for step in steps:
        for user_id in range(10_001, 10_001 + users):
            updates.append(step(update_id, user_id))
            update_id += 1
    return updates


# -- the two bots ------------------------------------------------------------------------------------


def bare_dispatcher() -> Dispatcher:
    """aiogram with nothing added: echo the text, answer a button and echo its data."""
    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text)

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.answer(query.data or "")

    return dispatcher


async def full_app(scratch: Path) -> App:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]  # a developer's .env must not change the figures
        bot_token=None,
        database_url=f"sqlite+aiosqlite:///{scratch / 'bench.db'}",
        redis_url=None,
        policy_file=ROOT / "policies" / "velluto.yaml",
        default_locale="en",
        log_level="WARNING",
    )
    return await build_app(settings)


# -- the harness -------------------------------------------------------------------------------------


@dataclass
class Round:
    seconds: float
    cpu_seconds: float
    latencies: list[float]  # seconds, one per update

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_round(
    dispatcher: Dispatcher, bot: Bot, session: FakeTelegramSession, updates: list[Update], concurrency: int
) -> Round:
    latencies: list[float] = []

    async def feed(update: Update) -> None:
        started = time.perf_counter()
        await dispatcher.feed_update(bot, update)
        latencies.append(time.perf_counter() - started)

    session.calls.clear()
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    if concurrency <= 1:
        for update in updates:
            await feed(update)
    else:
        for start in range(0, len(updates), concurrency):
            await asyncio.gather(*(feed(u) for u in updates[start:start + concurrency]))
    result = Round(time.perf_counter() - wall, time.process_time() - cpu, latencies)
    # Each update must have produced its replies, or the figure measures a broken bot.
    expected = len(updates) + sum(1 for u in updates if u.callback_query)
    if len(session.calls) < expected:
        raise SystemExit(f"only {len(session.calls)} Bot API calls for {len(updates)} updates: handlers did not run")
    return result


def best(rounds: list[Round]) -> Round:
    return max(rounds, key=lambda r: r.per_second)


def line(name: str, r: Round, count: int) -> str:
    return (
        f"{name:<20} {r.per_second:>9.0f} upd/s   p50 {r.percentile(0.50) * 1000:6.2f} ms   "
        f"p99 {r.percentile(0.99) * 1000:6.2f} ms   cpu {r.cpu_seconds / count * 1e6:7.0f} µs/update"
    )


async def main(args: argparse.Namespace) -> int:
    updates = updates_for(args.users)
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as scratch:
        app = await full_app(Path(scratch))
        # The same stack with aiogram's in-memory FSM storage: how much the FSM read per update costs.
        memory_fsm = build_dispatcher(
            app.settings, app.session_factory, app.policy, storage=MemoryStorage(), inflight=InFlight()
        )
        stacks: dict[str, tuple[Dispatcher, Bot, FakeTelegramSession]] = {}
        for name, dispatcher in (("bare aiogram", bare_dispatcher()), ("full stack", app.dispatcher),
                                 ("full, FSM in memory", memory_fsm)):
            session = FakeTelegramSession()
            stacks[name] = (dispatcher, create_bot(app.settings, TOKEN, session=session), session)
        try:
            for dispatcher, bot, session in stacks.values():  # warm-up: imports, caches, first queries
                await run_round(dispatcher, bot, session, updates[: min(len(updates), 200)], 1)
            if args.profile:
                return await profile(*stacks[args.profile], updates, args.concurrency)
            rounds: dict[str, list[Round]] = {name: [] for name in stacks}
            for _ in range(args.rounds):
                for name, (dispatcher, bot, session) in stacks.items():
                    rounds[name].append(await run_round(dispatcher, bot, session, updates, args.concurrency))
        finally:
            await app.close()

    bare_best, full_best = best(rounds["bare aiogram"]), best(rounds["full stack"])
    memory_best = best(rounds["full, FSM in memory"])
    ratio = full_best.per_second / bare_best.per_second
    cpu_ratio = bare_best.cpu_seconds / full_best.cpu_seconds
    print(
        f"{len(updates)} updates ({args.users} users x /start, 4 menu buttons, /language), "
        f"concurrency {args.concurrency}, best of {args.rounds} rounds"
    )
    print(line("bare aiogram", bare_best, len(updates)))
    print(line("full stack", full_best, len(updates)))
    print(line("full, FSM in memory", memory_best, len(updates)))
    verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
    print(f"ratio                {ratio:.2f} of bare throughput (cpu: {cpu_ratio:.2f}); {verdict} the goal of ≥ {GOAL_RATIO:.2f}")
    print(f"  (with the FSM in memory: {memory_best.per_second / bare_best.per_second:.2f})")
    return 0 if ratio >= GOAL_RATIO else 1


async def profile(
    dispatcher: Dispatcher, bot: Bot, session: FakeTelegramSession, updates: list[Update], concurrency: int
) -> int:
    profiler = cProfile.Profile()
    profiler.enable()
    await run_round(dispatcher, bot, session, updates, concurrency)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(30)
        print(out.getvalue())
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="distinct users (6 updates each)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=1, help="updates in flight at once (polling: many)")
    parser.add_argument(
        "--profile", nargs="?", const="full stack", choices=["full stack", "full, FSM in memory", "bare aiogram"],
        help="cProfile one round of this stack (default: the full stack) instead of measuring",
    )
    return parser.parse_args(argv)


def run(awaitable: Awaitable[int]) -> int:
    return asyncio.run(awaitable)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(run(main(parse_args())))
