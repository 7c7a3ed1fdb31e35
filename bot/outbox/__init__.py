"""Durable outbox: business code queues messages in its own transaction (`enqueue`); a worker
(`Sender`) delivers them within Telegram's limits, retrying what can succeed and recording what cannot."""

from bot.outbox.enqueue import AFTER_RESULT, Enqueued, OutboxPayloadError, enqueue
from bot.outbox.lifecycle import OutboxWorker
from bot.outbox.limits import Limits
from bot.outbox.sender import OutboxHooks, Sender

__all__ = ["AFTER_RESULT", "Enqueued", "Limits", "OutboxHooks", "OutboxPayloadError", "OutboxWorker", "Sender",
           "enqueue"]
