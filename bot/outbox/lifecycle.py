"""Runs the outbox worker alongside the dispatcher: started on its startup (polling or webhook alike),
stopped on its shutdown after the batch in flight has been recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.sender import OutboxHooks, Sender

log = logging.getLogger(__name__)


class OutboxWorker:
    """One `Sender` per process, bound to the bot the dispatcher starts with.

    `sender_options` go to `Sender` (limits, lease, batch_size, poll_interval, ...).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        hooks: OutboxHooks,
        *,
        stop_grace_seconds: float = 20.0,
        **sender_options: Any,
    ) -> None:
        self.session_factory = session_factory
        self.hooks = hooks
        self.stop_grace_seconds = stop_grace_seconds
        self.sender_options = sender_options
        self.sender: Sender | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def attach(self, dispatcher: Dispatcher) -> None:
        dispatcher.startup.register(self.start)
        dispatcher.shutdown.register(self.stop)

    async def start(self, bot: Bot) -> None:
        if self._task is not None:
            return
        self.sender = Sender(bot, self.session_factory, hooks=self.hooks, **self.sender_options)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.sender.run_forever(self._stop), name="outbox-worker")

    def wake(self) -> None:
        if self.sender is not None:
            self.sender.wake()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), self.stop_grace_seconds)
        except TimeoutError:  # a request hanging: its row comes back when the lease ends
            log.warning("outbox worker did not stop within %.0fs; cancelling it", self.stop_grace_seconds)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
