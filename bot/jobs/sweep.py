"""The reminder sweep: what is due now, claimed once, queued as one message per sweep.

Cost follows what is due: the query reads the `next_reminder_at` index up to `batch` rows, and each
row's `next_reminder_at` moves past `now` in the same transaction. A claim row (request, local day)
makes every reminder go out exactly once, whatever runs at the same time: another sweep in this
process, another instance, or the same one after a restart. PostgreSQL sweeps also skip rows another
sweep holds (SKIP LOCKED); SQLite sweeps take the write lock first and so run one after the other.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.requests.service import next_reminder_for
from bot.staff.desk import StaffDesk
from bot.staff.reminders import DueReminder, due_reminder
from storage import staff as store
from storage.requests import Request

log = logging.getLogger(__name__)

BATCH = 1000
MAX_BATCHES = 20


def next_moment(request: Request, now: datetime, reminder_days) -> datetime | None:
    """The same rule as the request service uses after every change."""
    return next_reminder_for(request, now, reminder_days)


async def sweep_batch(session: AsyncSession, desk: StaffDesk, now: datetime, batch: int = BATCH) -> tuple[int, int]:
    """One transaction's work (the caller commits): (rows looked at, reminders queued)."""
    await store.serialize_sweeps(session, now)
    rows = await store.due_for_sweep(session, now, batch)
    owed: list[DueReminder] = []
    moves: list[dict[str, object]] = []
    for request in rows:
        reminder = due_reminder(request, now, desk.reminder_days)
        if reminder is not None:
            owed.append(reminder)
        moves.append({"row_id": request.id, "next_at": next_moment(request, now, desk.reminder_days)})
    # One executemany, not a unit-of-work flush of a thousand objects.
    await store.move_reminders(session, moves)
    mine = await store.claim_reminders(session, [(r.request_id, r.key) for r in owed], now)
    claimed = [r for r in owed if r.request_id in mine]
    await desk.send_reminders(session, claimed)
    await session.flush()
    return len(rows), len(claimed)


async def sweep(
    session_factory: async_sessionmaker[AsyncSession],
    desk: StaffDesk,
    now: datetime,
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Queue every reminder due at `now`; the number queued."""
    total = 0
    for _ in range(max_batches):
        async with session_factory() as session, session.begin():
            seen, queued = await sweep_batch(session, desk, now, batch)
        total += queued
        if seen < batch:
            break
    if total:
        log.info("reminder sweep: %d reminder(s) queued", total)
    return total
