"""Starts and stops the APScheduler jobs of one bot process (the outbox worker is `bot.outbox.lifecycle`).

Every job is safe to run in every instance (claims in the database), so nothing here elects a leader.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.jobs.daily import expire, send_digest
from bot.jobs.sweep import sweep
from storage.base import utcnow

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 20.0


now_utc = utcnow  # the project's one aware "now"


class Background:
    def __init__(self, *, settings, session_factory, desk, notifier, outbox=None, cipher=None) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.desk = desk
        self.notifier = notifier
        self.outbox = outbox  # anything with wake(): the outbox worker looks for work at once
        self.cipher = cipher
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task] = set()

    def add_jobs(self) -> None:
        hours, minutes = (int(part) for part in self.settings.digest_time.split(":"))
        zone = ZoneInfo(self.settings.operator_timezone)
        common = {"max_instances": 1, "coalesce": True, "replace_existing": True}
        self.scheduler.add_job(self.run_sweep, IntervalTrigger(minutes=1), id="reminder_sweep",
                               next_run_time=now_utc(), **common)  # fmt: skip
        self.scheduler.add_job(self.run_digest, CronTrigger(hour=hours, minute=minutes, timezone=zone),
                               id="digest", misfire_grace_time=3600, **common)  # fmt: skip
        self.scheduler.add_job(self.run_expiry, IntervalTrigger(hours=1), id="expire_unverified",
                               next_run_time=now_utc(), **common)  # fmt: skip

    async def _run(self, what: str, job: Callable[[], Awaitable[object]]) -> None:
        """One job run, tracked so that stopping waits for it instead of cutting it off mid-transaction."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job()
        except Exception:
            log.exception("%s failed; the next run tries again", what)
        finally:
            if task is not None:
                self._running.discard(task)
        self._wake_sender()

    async def run_sweep(self) -> None:
        await self._run("reminder sweep", lambda: sweep(self.session_factory, self.desk, now_utc()))

    async def run_digest(self) -> None:
        await self._run(
            "daily digest",
            lambda: send_digest(self.session_factory, self.desk, now_utc(), self.settings.operator_timezone),
        )

    async def run_expiry(self) -> None:
        await self._run(
            "expiry of unverified requests",
            lambda: expire(self.session_factory, self.notifier, now_utc(), cipher=self.cipher),
        )

    def _wake_sender(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    async def start(self) -> None:
        self.add_jobs()
        self.scheduler.start()
        log.info("background jobs started")

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.pause()  # no new runs; the ones under way finish their transaction
            if self._running:
                _, late = await asyncio.wait(set(self._running), timeout=STOP_GRACE_SECONDS)
                if late:
                    log.warning("%d background job(s) still running at shutdown", len(late))
            self.scheduler.shutdown(wait=False)
        log.info("background jobs stopped")
