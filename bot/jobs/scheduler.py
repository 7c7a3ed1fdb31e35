"""Starts and stops the APScheduler jobs of one bot process (the outbox worker is `bot.outbox.lifecycle`).

Every job is safe to run in every instance (claims in the database), so nothing here elects a leader.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.jobs.daily import expire, send_digest
from bot.jobs.sweep import sweep

log = logging.getLogger(__name__)


def now_utc() -> datetime:
    return datetime.now(UTC)


class Background:
    def __init__(self, *, settings, session_factory, desk, notifier, outbox=None, cipher=None) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.desk = desk
        self.notifier = notifier
        self.outbox = outbox  # anything with wake(): the outbox worker looks for work at once
        self.cipher = cipher
        self.scheduler = AsyncIOScheduler(timezone=UTC)

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

    async def run_sweep(self) -> None:
        try:
            await sweep(self.session_factory, self.desk, now_utc())
        except Exception:
            log.exception("reminder sweep failed; the next run tries again")
        self._wake_sender()

    async def run_digest(self) -> None:
        try:
            await send_digest(self.session_factory, self.desk, now_utc(), self.settings.operator_timezone)
        except Exception:
            log.exception("daily digest failed")
        self._wake_sender()

    async def run_expiry(self) -> None:
        try:
            await expire(self.session_factory, self.notifier, now_utc(), cipher=self.cipher)
        except Exception:
            log.exception("expiry of unverified requests failed")
        self._wake_sender()

    def _wake_sender(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    async def start(self) -> None:
        self.add_jobs()
        self.scheduler.start()
        log.info("background jobs started")

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        log.info("background jobs stopped")
