"""The outbox worker: claims due rows with a lease, sends them through the aiogram `Bot`, records the outcome.

- Exactly one worker holds a row (a lease in the row, claimed atomically); a worker that dies leaves
  its rows to be reclaimed when the lease ends. Telegram has no idempotency key, so a crash after
  Telegram accepted a message and before the row was marked sent means that one message goes twice.
- Order per chat: a chat's next row is claimable only once the previous one is sent or failed for good.
- 429: the row waits `retry_after`. Network errors, 5xx and unreadable answers: exponential backoff with
  jitter, capped. Blocked bot, chat not found, bad request: failed at once, never retried.
- `on_sent` hooks run in the transaction that marks the row sent, so what they record (the card's
  message_id) is committed with it; a hook that raises is logged and the row is still marked sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import ForumTopic, Message, MessageId
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.enqueue import OutboxPayloadError, load_method
from bot.outbox.limits import Backoff, Clock, GlobalPacer, Limits, Sleep
from storage import outbox as store
from storage.base import utcnow
from storage.outbox import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

# Errors worth another try: the network, Telegram's servers, a proxy's HTML error page, a revoked token
# (an operator fixes it; the messages should still go).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TelegramNetworkError,
    TelegramServerError,
    ClientDecodeError,
    TelegramUnauthorizedError,
    aiohttp.ClientError,
    OSError,
    TimeoutError,
)
UNKNOWN_ERROR_ATTEMPTS = 5
RECORD_ATTEMPTS = 3

SentHook = Callable[[AsyncSession, str, OutboxMessage, Any], Awaitable[None]]
FailedHook = Callable[[AsyncSession, str, OutboxMessage, str], Awaitable[None]]


class OutboxHooks:
    """Business code subscribes here to learn what became of its messages.

    A row queued with `on_sent="card:42"` calls the hook registered as "card" with argument "42":
    `on_sent` hooks get the Telegram result (a Message, MessageId or ForumTopic); `on_failed` hooks the
    short error. Both run inside the transaction that finishes the row.
    """

    def __init__(self) -> None:
        self._sent: dict[str, SentHook] = {}
        self._failed: dict[str, FailedHook] = {}

    def on_sent(self, name: str, hook: SentHook) -> None:
        self._check(name, self._sent)
        self._sent[name] = hook

    def on_failed(self, name: str, hook: FailedHook) -> None:
        self._check(name, self._failed)
        self._failed[name] = hook

    @staticmethod
    def _check(name: str, registry: dict[str, Any]) -> None:
        if not name or ":" in name:
            raise ValueError("a hook name is a non-empty word without ':'")
        if name in registry:
            raise ValueError(f"a hook is already registered as {name!r}")

    async def sent(self, session: AsyncSession, row: OutboxMessage, result: Any) -> None:
        name, _, argument = (row.on_sent or "").partition(":")
        hook = self._sent.get(name)
        if hook is not None:
            await hook(session, argument, row, result)

    async def failed(self, session: AsyncSession, row: OutboxMessage, error: str) -> None:
        name, _, argument = (row.on_sent or "").partition(":")
        hook = self._failed.get(name)
        if hook is not None:
            await hook(session, argument, row, error)


def result_id(result: Any) -> int | None:
    """The id a later row can target: a sent message's id, or a created topic's thread id."""
    if isinstance(result, Message | MessageId):
        return result.message_id
    if isinstance(result, ForumTopic):
        return result.message_thread_id
    return None


def describe(exc: BaseException) -> str:
    """A short error for the row and the log: Telegram's description, never the message text."""
    if isinstance(exc, TelegramAPIError):
        return f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, OutboxPayloadError | aiohttp.ClientError | OSError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Sender:
    """Delivers the outbox. `flush_once()` claims and sends one batch; `run_forever()` loops until stopped."""

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        limits: Limits | None = None,
        hooks: OutboxHooks | None = None,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        lease: timedelta = timedelta(seconds=90),
        batch_size: int = 30,
        request_timeout: int = 30,
        backoff: Backoff | None = None,
        max_attempts: int | None = None,
        poll_interval: float = 0.5,
        keep_finished: timedelta = timedelta(days=7),
        purge_every: timedelta = timedelta(hours=1),
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.limits = limits or Limits()
        self.hooks = hooks or OutboxHooks()
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.worker_id = (worker_id or default_worker_id())[:64]
        self.lease = lease
        self.batch_size = batch_size
        self.request_timeout = request_timeout
        self.backoff = backoff or Backoff()
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self.keep_finished = keep_finished
        self.purge_every = purge_every
        self.pacer = GlobalPacer(self.limits.global_per_second, clock=clock, sleep=sleep)
        # A batch must be sent, paced, before its lease ends, or another worker could take it again.
        worst = request_timeout + batch_size / self.limits.global_per_second + 5
        if lease.total_seconds() <= worst:
            raise ValueError(f"lease must exceed {worst:.0f}s (request timeout + pacing of one batch)")
        self._wake = asyncio.Event()
        self._last_purge: datetime | None = None

    # -- the loop ------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for work now (e.g. right after a commit that queued something)."""
        self._wake.set()

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Flush until `stop_event` is set; a batch in flight is finished, not abandoned."""
        log.info("outbox worker %s started", self.worker_id)
        while not stop_event.is_set():
            try:
                processed = await self.flush_once()
            except Exception:  # the database may be away for a while: keep the worker alive
                log.exception("outbox: flush failed, trying again")
                processed = 0
            if processed:
                await asyncio.sleep(0)
                continue
            await self._idle(stop_event)
        log.info("outbox worker %s stopped", self.worker_id)

    async def _idle(self, stop_event: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(stop_event.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waits, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
            self._wake.clear()

    async def flush_once(self) -> int:
        """Claim one batch of due rows and send it; the number of rows handled."""
        now = self.clock()
        async with self.session_factory() as session, session.begin():
            rows = await store.claim_due(
                session, self.worker_id, now, self.lease, limit=self.batch_size, pace=self.limits.pace()
            )
        # Requests start one by one at the overall pace and run concurrently (one per chat at most).
        sending: list[asyncio.Task[None]] = []
        try:
            for row in rows:
                await self.pacer.acquire()
                sending.append(asyncio.create_task(self._deliver(row)))
            await asyncio.gather(*sending)
        except asyncio.CancelledError:
            for task in sending:
                task.cancel()
            raise
        await self._purge_if_due(now)
        return len(rows)

    async def _purge_if_due(self, now: datetime) -> None:
        if self._last_purge is not None and now - self._last_purge < self.purge_every:
            return
        self._last_purge = now
        async with self.session_factory() as session, session.begin():
            removed = await store.purge_finished(session, now - self.keep_finished)
        if removed:
            log.info("outbox: purged %d finished rows", removed)

    # -- one row ---------------------------------------------------------------------------------------

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            await self._send_and_record(row)
        except asyncio.CancelledError:
            raise
        except Exception:  # recording failed: the lease will bring the row back
            log.exception("outbox: could not record the outcome of row %s", row.id)

    async def _send_and_record(self, row: OutboxMessage) -> None:
        try:
            method = await self._method_for(row)
        except (OutboxPayloadError, ValidationError, ValueError) as exc:
            await self._fail(row, describe(exc))
            return
        try:
            result = await self.bot(method, request_timeout=self.request_timeout)
        except TelegramRetryAfter as exc:
            await self._retry(row, exc.retry_after, describe(exc), count_attempt=False)
        except TelegramMigrateToChat as exc:
            await self._migrate(row, exc.migrate_to_chat_id)
        except TelegramEntityTooLarge as exc:
            await self._fail(row, describe(exc))
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:  # an edit that is already in place
                await self._sent(row, None)
            else:
                await self._fail(row, describe(exc))
        except TRANSIENT_ERRORS as exc:
            if self.max_attempts is not None and row.attempts >= self.max_attempts:
                await self._fail(row, f"gave up after {row.attempts} attempts: {describe(exc)}")
            else:
                await self._retry(row, self.backoff.delay(row.attempts, self.rng), describe(exc))
        except TelegramAPIError as exc:  # forbidden (blocked), not found, conflict, other 4xx: final
            await self._fail(row, describe(exc))
        except Exception as exc:
            log.exception("outbox: unexpected error sending row %s", row.id)
            if row.attempts >= UNKNOWN_ERROR_ATTEMPTS:
                await self._fail(row, describe(exc))
            else:
                await self._retry(row, self.backoff.delay(row.attempts, self.rng), describe(exc))
        else:
            await self._sent(row, result)

    async def _method_for(self, row: OutboxMessage) -> TelegramMethod[Any]:
        after_result = None
        if row.after_id is not None and '"$after"' in row.payload:
            async with self.session_factory() as session:
                dependency = await store.get(session, row.after_id)
            if dependency is not None and dependency.state == OutboxState.SENT.value:
                after_result = dependency.result_message_id
        return load_method(row.method, row.payload, after_result)

    # -- outcomes --------------------------------------------------------------------------------------

    async def _record(self, action: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """Run `action` in its own transaction, a few times if the database hiccups."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                async with self.session_factory() as session, session.begin():
                    await action(session)
                return
            except Exception:
                if attempt == RECORD_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)

    async def _sent(self, row: OutboxMessage, result: Any) -> None:
        now, message_id = self.clock(), result_id(result)

        async def with_hook(session: AsyncSession) -> None:
            if not await store.mark_sent(session, row.id, self.worker_id, now, message_id):
                log.warning("outbox: row %s was delivered after its lease ended", row.id)
            elif row.on_sent:
                await self.hooks.sent(session, row, result)

        if not row.on_sent:
            await self._record(with_hook)
            return
        try:
            async with self.session_factory() as session, session.begin():
                await with_hook(session)
        except Exception as exc:
            log.exception("outbox: on_sent hook %r failed for row %s", row.on_sent, row.id)
            note = f"on_sent hook failed: {describe(exc)}"
            await self._record(
                lambda session: store.mark_sent(session, row.id, self.worker_id, now, message_id, note)
            )

    async def _fail(self, row: OutboxMessage, error: str) -> None:
        now = self.clock()
        log.warning("outbox: row %s (%s to chat %s) failed: %s", row.id, row.method, row.chat_id, error)

        async def with_hook(session: AsyncSession) -> None:
            if await store.mark_failed(session, row.id, self.worker_id, now, error) and row.on_sent:
                await self.hooks.failed(session, row, error)

        if not row.on_sent:
            await self._record(with_hook)
            return
        try:
            async with self.session_factory() as session, session.begin():
                await with_hook(session)
        except Exception:
            log.exception("outbox: on_failed hook %r failed for row %s", row.on_sent, row.id)
            await self._record(lambda session: store.mark_failed(session, row.id, self.worker_id, now, error))

    async def _retry(self, row: OutboxMessage, delay: float, error: str, *, count_attempt: bool = True) -> None:
        at = self.clock() + timedelta(seconds=max(0.0, delay))
        log.info("outbox: row %s retries in %.1fs (%s)", row.id, delay, error)
        await self._record(
            lambda session: store.reschedule(
                session, row.id, self.worker_id, at, error, count_attempt=count_attempt
            )
        )

    async def _migrate(self, row: OutboxMessage, new_chat_id: int) -> None:
        """A group became a supergroup: send this row to the new chat (the next rows follow one by one)."""
        data = json.loads(row.payload)
        data["chat_id"] = new_chat_id
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        await self._record(
            lambda session: store.reschedule(
                session, row.id, self.worker_id, self.clock(), f"migrated to {new_chat_id}",
                count_attempt=False, chat_id=new_chat_id, payload=payload,
            )
        )
