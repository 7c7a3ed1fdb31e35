"""The reminder sweep's time as the number of requests grows: 10^5 and 10^6 requests in the database,
1,000 of them due, on SQLite and PostgreSQL.

Goal (issue 6): the sweep's cost depends on what is due, not on how many requests exist. The sweep reads
the `next_reminder_at` index up to what is due, claims each reminder with a unique row, moves each
request's `next_reminder_at` on and queues one grouped message, all in one transaction per 1,000 rows.

Rows are built with bulk inserts (SQLAlchemy Core executemany, 20,000 rows a statement batch): open
requests with a deadline, `next_reminder_at` spread over the next 60 days, except `--due` of them one
hour in the past. Each measured sweep is a full `bot.jobs.sweep.sweep` (query, claims, updates, outbox
row, commit); between rounds the same rows are made due again and their claims removed. The figure is
the median of `--rounds` sweeps, with the best one next to it.

    .venv/bin/python bench/sweep.py [--sizes 100000,1000000] [--due 1000] [--rounds 5]
                                    [--backends sqlite,postgres] [--postgres-url URL] [--plan]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import DEFAULT_PG, postgres_database  # noqa: E402
from bot.jobs.sweep import sweep  # noqa: E402
from bot.staff.desk import StaffDesk  # noqa: E402
from storage import migrate  # noqa: E402
from storage.engine import create_engine, create_session_factory  # noqa: E402
from storage.models import Subject  # noqa: E402
from storage.outbox import OutboxMessage  # noqa: E402
from storage.requests import Request  # noqa: E402
from storage.staff import ReminderClaim  # noqa: E402

STAFF_CHAT_ID = -1001000000001
CHUNK = 20_000


def request_rows(start: int, count: int, subject_id: int, now: datetime, due_ids: set[int], rng: random.Random):
    for index in range(start, start + count):
        received = now - timedelta(days=rng.randint(0, 20))
        due = (received + timedelta(days=30)).date()
        soon = now + timedelta(minutes=rng.randint(60, 60 * 24 * 60))
        yield {
            "id": index, "reference": f"PD-B{index:07d}"[:16], "subject_id": subject_id, "kind": "access",
            "jurisdiction": "eea", "regimes": "eu_gdpr,policy", "state": "open", "priority": False,
            "requester_type": "self", "is_processor_case": False, "details": "{}", "received_at": received,
            "paused_days": 0, "extended": False, "due_date": due, "due_zone": "Europe/Brussels",
            "due_end_utc": datetime.combine(due, datetime.min.time(), tzinfo=UTC) + timedelta(days=1),
            "extension_notice_due": due, "next_reminder_at": now - timedelta(hours=1) if index in due_ids else soon,
            "event_count": 0, "created_at": received, "updated_at": received,
        }  # fmt: skip


async def fill(session_factory, total: int, due: int, now: datetime) -> list[int]:
    rng = random.Random(6)
    due_ids = set(rng.sample(range(1, total + 1), due))
    async with session_factory() as session, session.begin():
        subject = Subject(telegram_user_id=1, language="en")
        session.add(subject)
        await session.flush()
        subject_id = subject.id
    for start in range(1, total + 1, CHUNK):
        count = min(CHUNK, total - start + 1)
        async with session_factory() as session, session.begin():
            await session.execute(insert(Request), list(request_rows(start, count, subject_id, now, due_ids, rng)))
    return sorted(due_ids)


async def reset(session_factory, due_ids: list[int], now: datetime) -> None:
    async with session_factory() as session, session.begin():
        await session.execute(delete(ReminderClaim))
        await session.execute(delete(OutboxMessage))
        for start in range(0, len(due_ids), 500):
            await session.execute(
                update(Request).where(Request.id.in_(due_ids[start : start + 500]))
                .values(next_reminder_at=now - timedelta(hours=1))
            )  # fmt: skip


async def query_plan(engine, now: datetime) -> str:
    """How the database runs the sweep's query: it must be a range read of the next_reminder_at index."""
    from sqlalchemy.dialects import postgresql, sqlite

    query = (
        select(Request.id).where(Request.next_reminder_at.is_not(None), Request.next_reminder_at <= now)
        .order_by(Request.next_reminder_at, Request.id).limit(1000)
    )  # fmt: skip
    dialect = postgresql.dialect() if engine.dialect.name == "postgresql" else sqlite.dialect()
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    async with engine.connect() as connection:
        rows = (await connection.exec_driver_sql(prefix + sql)).all()
    lines = [str(row[-1]).strip() for row in rows]
    return " | ".join(line for line in lines if line)


async def measure(url: str, total: int, due: int, rounds: int) -> dict[str, float]:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        session_factory = create_session_factory(engine)
        now = datetime(2027, 3, 10, 12, tzinfo=UTC)
        started = time.perf_counter()
        due_ids = await fill(session_factory, total, due, now)
        fill_seconds = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:  # committed: ANALYZE's statistics are transactional
                await connection.exec_driver_sql("ANALYZE requests")
        async with session_factory() as session:
            assert await session.scalar(select(func.count()).select_from(Request)) == total
        plan = await query_plan(engine, now)
        desk = StaffDesk(STAFF_CHAT_ID)
        times = []
        for _ in range(rounds):
            await reset(session_factory, due_ids, now)
            started = time.perf_counter()
            queued = await sweep(session_factory, desk, now)
            times.append(time.perf_counter() - started)
            assert queued == due, (queued, due)
        return {"fill": fill_seconds, "median": statistics.median(times), "best": min(times), "plan": plan}
    finally:
        await engine.dispose()


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--plan", action="store_true", help="print how the database runs the due query")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"reminder sweep, {args.due} due, median (best) of {args.rounds} sweeps; {datetime.now(UTC).date().isoformat()}")
    print(f"{'backend':<10} {'requests':>10} {'fill s':>8} {'sweep ms':>10} {'best ms':>9} {'µs per due':>11}")
    for backend in args.backends.split(","):
        for total in sizes:
            if backend == "sqlite":
                with tempfile.TemporaryDirectory() as folder:
                    result = await measure(f"sqlite+aiosqlite:///{folder}/bench.db", total, args.due, args.rounds)
            elif backend == "postgres":
                try:
                    url, drop = await postgres_database(args.postgres_url)
                except OSError as exc:
                    print(f"postgres: not reachable ({exc}); skipped", file=sys.stderr)
                    break
                try:
                    result = await measure(url, total, args.due, args.rounds)
                finally:
                    await drop()
            else:
                print(f"unknown backend {backend!r}", file=sys.stderr)
                return 2
            print(
                f"{backend:<10} {total:>10,} {result['fill']:>8.1f} {result['median'] * 1000:>10.1f} "
                f"{result['best'] * 1000:>9.1f} {result['median'] * 1e6 / args.due:>11.0f}",
                flush=True,
            )
            if args.plan:
                print(f"  plan: {result['plan']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
