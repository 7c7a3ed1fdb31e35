"""Turns the notifications a request change returns into outbox rows, in the caller's transaction.

Requester notices are rendered here in the requester's language. Staff notifications go to the staff
desk's hook (cards built from the request row, edited in place); until one is installed, a plain line
goes to the staff group so nothing is ever silently dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES, N_, gettext_for
from bot.outbox.enqueue import enqueue
from bot.requests.messages import REQUESTER, STAFF, Notification, kind_label, render

StaffHook = Callable[[AsyncSession, Notification], Awaitable[None]]

STAFF_FALLBACK = N_("Request {reference}: {event}")


class Notifier:
    def __init__(self, *, staff_chat_id: int | None, default_language: str = "en") -> None:
        self.staff_chat_id = staff_chat_id
        self.default_language = default_language
        self.staff_hook: StaffHook | None = None

    def language_of(self, notification: Notification) -> str:
        language = notification.language or self.default_language
        return language if language in LANGUAGES else self.default_language

    async def deliver(self, session: AsyncSession, notifications: Iterable[Notification]) -> None:
        for notification in notifications:
            if notification.audience == REQUESTER:
                await self.to_requester(session, notification)
            elif notification.audience == STAFF:
                await self.to_staff(session, notification)

    async def to_requester(self, session: AsyncSession, notification: Notification) -> None:
        if notification.chat_id is None:  # the requester's details were purged: nobody to tell
            return
        language = self.language_of(notification)
        text = render(notification, gettext_for(language), language, html=True)
        await enqueue(session, notification.chat_id, "sendMessage", text=text)

    async def to_staff(self, session: AsyncSession, notification: Notification) -> None:
        if self.staff_hook is not None:
            await self.staff_hook(session, notification)
            return
        if self.staff_chat_id is None:
            return
        gettext = gettext_for(self.default_language)
        event = notification.params.get("kind")
        text = gettext(STAFF_FALLBACK).format(
            reference=escape(notification.reference, quote=False),
            event=escape(kind_label(event, gettext) if event else notification.key, quote=False),
        )
        await enqueue(session, self.staff_chat_id, "sendMessage", text=text)
