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
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F  # noqa: E402
from aiogram.fsm.storage.memory import MemoryStorage  # noqa: E402
from aiogram.types import CallbackQuery, Chat, Message, MessageEntity, Update, User  # noqa: E402

from bench.scratch import DEFAULT_PG, postgres_database  # noqa: E402
from bot.app import App, build_app, build_dispatcher, create_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.console.fake_telegram import FakeTelegramSession  # noqa: E402
from bot.crypto import generate_data_key  # noqa: E402
from bot.telegram import fsm_storage as fsm_module  # noqa: E402
from bot.telegram.inflight import InFlight  # noqa: E402
from storage import engine as engine_module  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-abcdefghij"
MENU_PRESSES = ("m:ask", "m:request", "m:status", "m:human")
GOAL_RATIO = 1 / 3
ROUND_LIMIT_SECONDS = 120.0
PROJECT_CODE = r"/(bot|handlers|storage)/"  # the profile's third table: our own functions only


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


def updates_for(users: int, first_user_id: int = 10_001) -> list[Update]:
    """Per user: /start, each menu button, /language; users interleaved like a real queue.

    Every round gets new users: the buttons start forms and write state, so reusing users would make
    later rounds handle different things (and measure form steps instead of the menu).
    """
    steps: list[Callable[[int, int], Update]] = [lambda i, u: _command(i, u, "/start")]
    steps += [lambda i, u, d=data: _press(i, u, d) for data in MENU_PRESSES]
    steps += [lambda i, u: _command(i, u, "/language")]
    updates: list[Update] = []
    update_id = 1
    for step in steps:
        for user_id in range(first_user_id, first_user_id + users):
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


async def full_app(scratch: Path, database_url: str | None = None, redis_url: str | None = None) -> App:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]  # a developer's .env must not change the figures
        bot_token=None,
        database_url=database_url or f"sqlite+aiosqlite:///{scratch / 'bench.db'}",
        redis_url=redis_url,
        policy_file=ROOT / "policies" / "velluto.yaml",
        default_locale="en",
        log_level="WARNING",
        data_key=generate_data_key(),  # as in production: contact details and free text encrypted
    )
    return await build_app(settings)


def shallow_keyboard_export() -> None:
    """Bench knob: aiogram's KeyboardBuilder deep-copies the whole markup on every added button."""
    from aiogram.utils.keyboard import KeyboardBuilder

    KeyboardBuilder.export = lambda self: [list(row) for row in self._markup]  # type: ignore[method-assign]


async def set_sqlite_synchronous(app: App, mode: str) -> None:
    """Bench knob: every new SQLite connection gets `PRAGMA synchronous=<mode>` (pool reopened)."""
    from sqlalchemy import event

    @event.listens_for(app.engine.sync_engine, "connect")
    def _synchronous(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.close()

    await app.engine.dispose()


# -- the harness -------------------------------------------------------------------------------------


@dataclass
class Round:
    seconds: float
    cpu_seconds: float
    latencies: list[float]  # seconds, one per update
    kinds: list[str]  # what each update was: "/start", "m:ask", ...

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float, kind: str | None = None) -> float:
        values = self.latencies if kind is None else [v for v, k in zip(self.latencies, self.kinds, strict=True) if k == kind]
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def kind_of(update: Update) -> str:
    if update.callback_query is not None:
        return update.callback_query.data or ""
    return (update.message.text or "") if update.message else ""


async def run_round(
    dispatcher: Dispatcher, bot: Bot, session: FakeTelegramSession, updates: list[Update], concurrency: int
) -> Round:
    latencies: list[float] = []
    kinds: list[str] = []

    async def feed(update: Update) -> None:
        started = time.perf_counter()
        await dispatcher.feed_update(bot, update)
        latencies.append(time.perf_counter() - started)
        kinds.append(kind_of(update))

    session.calls.clear()
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    if concurrency <= 1:
        for update in updates:
            await feed(update)
    else:
        for start in range(0, len(updates), concurrency):
            await asyncio.gather(*(feed(u) for u in updates[start:start + concurrency]))
    result = Round(time.perf_counter() - wall, time.process_time() - cpu, latencies, kinds)
    # Each update must have produced its replies, or the figure measures a broken bot.
    expected = len(updates) + sum(1 for u in updates if u.callback_query)
    if len(session.calls) < expected:
        raise SystemExit(f"only {len(session.calls)} Bot API calls for {len(updates)} updates: handlers did not run")
    return result


async def sql_per_kind(
    app: App, bot: Bot, users: int = 20, *, returning: bool = False
) -> dict[str, tuple[float, float, float]]:
    """SQL statements through SQLAlchemy, inline reads and commits per update of each kind (one extra
    pass, on people not seen before)."""
    from sqlalchemy import event

    statements: Counter[str] = Counter()
    inline: Counter[str] = Counter()
    commits: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    current = [""]

    def on_statement(*_args: object) -> None:
        statements[current[0]] += 1

    def on_commit(*_args: object) -> None:
        commits[current[0]] += 1

    rows = engine_module._InlineReader.rows  # reads beside SQLAlchemy, which its events do not see
    one_hop = fsm_module.sqlite_execute  # the FSM's one-hop writes, likewise

    async def counted_execute(engine, sql_and_parameters):
        statements[current[0]] += len(sql_and_parameters)
        commits[current[0]] += 1
        return await one_hop(engine, sql_and_parameters)

    def counted_rows(reader, sql, parameters):
        inline[current[0]] += 1
        return rows(reader, sql, parameters)

    engine = app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    engine_module._InlineReader.rows = counted_rows  # type: ignore[method-assign]
    fsm_module.sqlite_execute = counted_execute
    if returning:
        await add_subjects(app, 9_000_000, users)
    try:
        for update in updates_for(users, 9_000_000):
            current[0] = kind_of(update)
            seen[current[0]] += 1
            await app.dispatcher.feed_update(bot, update)
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
        engine_module._InlineReader.rows = rows  # type: ignore[method-assign]
        fsm_module.sqlite_execute = one_hop
    return {kind: (statements[kind] / n, inline[kind] / n, commits[kind] / n) for kind, n in seen.items()}


async def add_subjects(app: App, first_user_id: int, users: int) -> None:
    """--returning: these people have been here before (they chose a language, so the bot has their row)."""
    from storage.base import utcnow
    from storage.models import Subject

    now = utcnow()
    rows = [
        {"telegram_user_id": user_id, "language": "en", "created_at": now, "updated_at": now}
        for user_id in range(first_user_id, first_user_id + users)
    ]
    async with app.engine.begin() as connection:
        await connection.execute(Subject.__table__.insert(), rows)


def best(rounds: list[Round]) -> Round:
    return max(rounds, key=lambda r: r.per_second)


def line(name: str, r: Round, count: int) -> str:
    return (
        f"{name:<20} {r.per_second:>9.0f} upd/s   p50 {r.percentile(0.50) * 1000:6.2f} ms   "
        f"p99 {r.percentile(0.99) * 1000:6.2f} ms   cpu {r.cpu_seconds / count * 1e6:7.0f} µs/update"
    )


async def main(args: argparse.Namespace) -> int:
    count = 6 * args.users
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as scratch:
        if args.shallow_keyboards:
            shallow_keyboard_export()
        database_url, drop = None, None
        if args.postgres:
            database_url, drop = await postgres_database(args.postgres)
        app = await full_app(Path(scratch), database_url, args.redis)
        if args.sqlite_synchronous:
            await set_sqlite_synchronous(app, args.sqlite_synchronous)
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
                await run_round(dispatcher, bot, session, updates_for(min(args.users, 50), 1_000), 1)
            if args.profile:
                return await profile(*stacks[args.profile], updates_for(args.users), args.concurrency)
            rounds: dict[str, list[Round]] = {name: [] for name in stacks}
            for number in range(args.rounds):
                for index, (name, (dispatcher, bot, session)) in enumerate(stacks.items()):
                    first_user_id = 1_000_000 * (number + 1) + 100_000 * index
                    updates = updates_for(args.users, first_user_id)
                    if args.returning and name != "bare aiogram":
                        await add_subjects(app, first_user_id, args.users)  # before the clock starts
                    try:
                        rounds[name].append(await asyncio.wait_for(
                            run_round(dispatcher, bot, session, updates, args.concurrency), ROUND_LIMIT_SECONDS
                        ))
                    except Exception as exc:  # a stalled stack is a finding, not a crash of the bench
                        text = str(exc).splitlines()[0] if str(exc) else ""
                        print(f"{name}: round failed at concurrency {args.concurrency}: {type(exc).__name__} {text}")
                        return 1
            sql = await sql_per_kind(app, stacks["full stack"][1], returning=args.returning)
        finally:
            await app.close()
            if drop is not None:
                await drop()

    bare_best, full_best = best(rounds["bare aiogram"]), best(rounds["full stack"])
    memory_best = best(rounds["full, FSM in memory"])
    ratio = full_best.per_second / bare_best.per_second
    cpu_ratio = bare_best.cpu_seconds / full_best.cpu_seconds
    if args.sqlite_synchronous:
        print(f"SQLite PRAGMA synchronous={args.sqlite_synchronous} (bench knob, not the application's setting)")
    if args.shallow_keyboards:
        print("keyboard builder without deep copies (bench knob: what building markups directly would give)")
    fsm = f", FSM in Redis ({args.redis})" if args.redis else ""
    print(f"full stack on {'PostgreSQL (' + args.postgres + ')' if args.postgres else 'SQLite (WAL)'}{fsm}")
    if args.returning:
        print("returning people: each has a subject row (a language chosen earlier), no requests")
    print(
        f"{count} updates ({args.users} users x /start, 4 menu buttons, /language), "
        f"concurrency {args.concurrency}, best of {args.rounds} rounds"
    )
    print(line("bare aiogram", bare_best, count))
    print(line("full stack", full_best, count))
    print(line("full, FSM in memory", memory_best, count))
    verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
    print(f"ratio                {ratio:.2f} of bare throughput (cpu: {cpu_ratio:.2f}); {verdict} the goal of ≥ {GOAL_RATIO:.2f}")
    print(f"  (with the FSM in memory: {memory_best.per_second / bare_best.per_second:.2f})")
    if args.concurrency <= 1:
        print("by update: p50 full stack vs bare; per update in the full stack: SQL statements (through")
        print("SQLAlchemy or one hop), reads on the loop (storage.engine.sqlite_rows), commits")
        for kind in ("/start", *MENU_PRESSES, "/language"):
            statements, inline, commits = sql.get(kind, (0.0, 0.0, 0.0))
            print(
                f"  {kind:<10} {full_best.percentile(0.5, kind) * 1000:6.2f} ms"
                f"   vs {bare_best.percentile(0.5, kind) * 1000:5.2f} ms"
                f"   {statements:4.1f} statements, {inline:3.1f} inline reads, {commits:3.1f} commits"
            )
    return 0 if ratio >= GOAL_RATIO else 1


async def profile(
    dispatcher: Dispatcher, bot: Bot, session: FakeTelegramSession, updates: list[Update], concurrency: int
) -> int:
    profiler = cProfile.Profile()
    profiler.enable()
    await run_round(dispatcher, bot, session, updates, concurrency)
    profiler.disable()
    for order, restriction in (("tottime", ()), ("cumulative", ()), ("cumulative", (PROJECT_CODE,))):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(*restriction, 30)
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
    parser.add_argument(
        "--postgres", nargs="?", const=DEFAULT_PG, metavar="URL",
        help=f"run the full stack on a scratch PostgreSQL database made on this server (default {DEFAULT_PG})",
    )
    parser.add_argument(
        "--redis", nargs="?", const="redis://127.0.0.1:6379/15", metavar="URL",
        help="keep the FSM in Redis (REDIS_URL), as at scale; default database 15 of the local server",
    )
    parser.add_argument(
        "--returning", action="store_true",
        help="people the bot already knows (a subject row each) instead of first contacts",
    )
    parser.add_argument(
        "--sqlite-synchronous", choices=["OFF", "NORMAL", "FULL"], type=str.upper,
        help="override SQLite's synchronous pragma, to measure what the commits' fsyncs cost",
    )
    parser.add_argument(
        "--shallow-keyboards", action="store_true",
        help="patch aiogram's KeyboardBuilder.export to copy rows, not buttons (both stacks), to measure it",
    )
    return parser.parse_args(argv)


def run(awaitable: Awaitable[int]) -> int:
    return asyncio.run(awaitable)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(run(main(parse_args())))
