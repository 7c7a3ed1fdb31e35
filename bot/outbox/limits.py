"""Telegram's sending limits and the pacing that keeps the bot inside them.

Per-chat limits (1 message/s into a chat, 20/min into a group) are enforced by the claim query from the
`sent_at` column (`storage.outbox.Pace`), so they hold across workers, instances and restarts. The
overall rate (about 30/s) is paced here, in process: with several instances, give each its share
(`Limits(global_per_second=30 / instances)`). Clock and sleep are injected so tests need no real time.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.base import utcnow
from storage.outbox import Pace

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    global_per_second: float = 30.0
    chat_interval: timedelta = timedelta(seconds=1)
    group_per_minute: int = 20
    group_window: timedelta = timedelta(minutes=1)

    def pace(self) -> Pace:
        return Pace(self.chat_interval, self.group_per_minute, self.group_window)


class GlobalPacer:
    """Spaces sends at least 1/rate apart (a GCRA without burst): never more than `rate` in any second.

    Each caller reserves the next free slot before sleeping, so concurrent senders queue fairly.
    """

    def __init__(self, per_second: float, *, clock: Clock = utcnow, sleep: Sleep = asyncio.sleep) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        # Rounded up to the microsecond, so `per_second` slots never fit inside one second.
        self.interval = timedelta(microseconds=math.ceil(1_000_000 / per_second))
        self.clock = clock
        self.sleep = sleep
        self._next_free: datetime | None = None

    def reserve(self) -> float:
        """Take the next slot; seconds to wait before using it."""
        now = self.clock()
        slot = now if self._next_free is None or self._next_free <= now else self._next_free
        self._next_free = slot + self.interval
        return (slot - now).total_seconds()

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await self.sleep(wait)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with equal jitter, capped: attempt n waits in [d/2, d], d = min(cap, base*2^(n-1))."""

    base: float = 1.0
    cap: float = 300.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(0, attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)
