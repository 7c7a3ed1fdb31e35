"""Wires the staff desk into a dispatcher (called once from `bot.app.build_dispatcher`).

Installs the card hook on the notifier, the staff check, and at startup the outbox worker (with the
desk's `on_sent` hooks), the scheduler's jobs and the staff group's command menu; stops them at shutdown.
This is the desk's Telegram adapter: the only staff module that talks to aiogram's Bot directly.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.config import Settings
from bot.crypto import cipher_from_settings
from bot.i18n import LANGUAGES, N_, gettext_for
from bot.jobs.scheduler import Background
from bot.notify import Notifier
from bot.outbox.lifecycle import OutboxWorker
from bot.outbox.sender import OutboxHooks
from bot.staff.desk import StaffDesk
from bot.staff.permissions import StaffGate

log = logging.getLogger(__name__)

STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("queue", N_("Open requests, most urgent first")),
    ("overdue", N_("Overdue requests")),
    ("req", N_("A request's card again: /req PD-XXXXXX")),
    ("find", N_("Find requests by reference, Telegram id or email")),
    ("stats", N_("Counts, time to close, on-time rate, with a chart")),
    ("register", N_("The request register as CSV for a date range")),
    ("cancel", N_("Cancel the question, note or reason being written")),
)


def install_staff_desk(dispatcher: Dispatcher, settings: Settings, session_factory: Any) -> StaffDesk:
    notifier = dispatcher.workflow_data.get("notifier")
    if notifier is None:
        notifier = Notifier(staff_chat_id=settings.staff_chat_id, default_language=settings.default_locale)
        dispatcher["notifier"] = notifier
    cipher = dispatcher.workflow_data.get("cipher") or cipher_from_settings(settings)
    desk = StaffDesk(
        settings.staff_chat_id, language=settings.default_locale, cipher=cipher,
        reminder_days=settings.reminder_days,
    )  # fmt: skip
    notifier.staff_hook = desk.on_notification
    hooks = OutboxHooks()
    desk.register_hooks(hooks)
    outbox = OutboxWorker(session_factory, hooks)
    jobs = Background(settings=settings, session_factory=session_factory, desk=desk, notifier=notifier,
                      outbox=outbox, cipher=cipher)  # fmt: skip
    dispatcher.workflow_data.update(
        staff_desk=desk, staff_gate=StaffGate(settings.staff_chat_id, settings.staff_user_ids),
        outbox_hooks=hooks, outbox_worker=outbox, staff_jobs=jobs,
    )  # fmt: skip

    async def start_staff_desk(bot: Bot) -> None:
        await prepare_staff_chat(bot, settings, desk)
        await jobs.start()

    async def stop_staff_desk() -> None:
        await jobs.stop()

    outbox.attach(dispatcher)
    dispatcher.startup.register(start_staff_desk)
    dispatcher.shutdown.register(stop_staff_desk)
    return desk


async def prepare_staff_chat(bot: Bot, settings: Settings, desk: StaffDesk) -> None:
    """Learn whether the staff group has forum topics; give it the staff command menu."""
    if settings.staff_chat_id is None:
        return
    scope = BotCommandScopeChat(chat_id=settings.staff_chat_id)
    try:
        chat = await bot.get_chat(settings.staff_chat_id)
        desk.forum = bool(chat.is_forum)
        for lang in LANGUAGES:
            gettext = gettext_for(lang)
            commands = [BotCommand(command=name, description=gettext(text)) for name, text in STAFF_COMMANDS]
            await bot.set_my_commands(commands, scope=scope, language_code=lang)
        default = gettext_for(settings.default_locale)
        await bot.set_my_commands(
            [BotCommand(command=name, description=default(text)) for name, text in STAFF_COMMANDS], scope=scope
        )
    except Exception as exc:  # the desk works without the menu; topics stay off until the group says so
        log.warning("staff group not reachable at start: %s", type(exc).__name__)
