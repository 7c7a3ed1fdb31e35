"""The staff desk's side of every request change: cards, evidence, relays and reminders, as outbox rows.

`StaffDesk.on_notification` is installed as `Notifier.staff_hook`: it runs inside the transaction of
the change, so the card, its edits and the requester's notice are committed (and later sent) together.
The card's message id and forum topic id come back through the outbox's `on_sent` hooks
(`register_hooks`); until then an edit targets the queued card with `after=` and `AFTER_RESULT`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES, Gettext, gettext_for
from bot.outbox.enqueue import AFTER_RESULT, enqueue
from bot.requests import messages
from bot.requests.lifecycle import Action, State
from bot.requests.messages import Notification
from bot.requests.schedule import DEFAULT_REMINDER_DAYS
from bot.requests.service import PLAIN, Actor, Cipher, apply
from bot.staff import texts
from bot.staff.card import keyboard, q, render_card, topic_name
from bot.staff.reminders import DueReminder, reminders_messages
from storage import outbox as outbox_store
from storage import staff as store
from storage.base import utcnow
from storage.models import Subject
from storage.outbox import OPEN_STATES as OUTBOX_OPEN
from storage.outbox import OutboxState
from storage.requests import Request, attachments_of

HOOK_CARD = "staffcard"
HOOK_TOPIC = "stafftopic"
HOOK_LINK = "stafflink"
SEND_BY_KIND = {
    "voice": ("sendVoice", "voice"),
    "audio": ("sendAudio", "audio"),
    "document": ("sendDocument", "document"),
    "photo": ("sendPhoto", "photo"),
}


class StaffDesk:
    def __init__(
        self,
        staff_chat_id: int | None,
        *,
        language: str = "en",
        cipher: Cipher | None = None,
        reminder_days: Iterable[int] = DEFAULT_REMINDER_DAYS,
        forum: bool | None = None,
        clock=utcnow,
    ) -> None:
        self.staff_chat_id = staff_chat_id
        self.language = language if language in LANGUAGES else "en"
        self.cipher = cipher or PLAIN
        self.reminder_days = tuple(reminder_days)
        self.forum = forum  # None: not known yet (no topics until the group says it has them)
        self.clock = clock

    @property
    def gettext(self) -> Gettext:
        return gettext_for(self.language)

    def gettext_for_language(self, language: str | None) -> Gettext:
        """A requester's language (their choice), else the desk's."""
        return gettext_for(language if language in LANGUAGES else self.language)

    # -- the notifier hook ---------------------------------------------------------------------------

    async def on_notification(self, session: AsyncSession, notification: Notification) -> None:
        if self.staff_chat_id is None:
            return
        request = await session.get(Request, notification.request_id)
        if request is None:
            return
        if notification.key == messages.STAFF_NEW:
            await self.post_card(session, request)
        else:
            await self.refresh_card(session, request)
        if notification.key == messages.STAFF_FORWARD:
            controller = notification.params.get("controller") or self.gettext(texts.UNKNOWN_CUSTOMER)
            text = self.gettext(texts.FORWARD_TODO).format(reference=request.reference, controller=controller)
            await self.post_under_card(session, request, "sendMessage", text=q(text))
        await self.post_evidence(session, request)

    # -- cards -----------------------------------------------------------------------------------------

    async def render(self, session: AsyncSession, request: Request) -> tuple[str, dict[str, Any]]:
        now = self.clock()
        attachments = await attachments_of(session, request.id)
        text = render_card(
            request, attachments, gettext=self.gettext, language=self.language, now=now, cipher=self.cipher
        )
        return text, keyboard(request, now, self.gettext)

    def _unchanged(self, session: AsyncSession, request: Request, text: str, markup: dict[str, Any]) -> bool:
        """One change can notify twice (e.g. created and forwarded): queue an edit only when it shows."""
        digest = hashlib.sha256(repr((text, markup)).encode()).hexdigest()
        seen: dict[int, str] = session.info.setdefault("staff_cards", {})
        if seen.get(request.id) == digest:
            return True
        seen[request.id] = digest
        return False

    async def post_card(self, session: AsyncSession, request: Request, *, suffix: str = "") -> None:
        assert self.staff_chat_id is not None
        text, markup = await self.render(session, request)
        self._unchanged(session, request, text, markup)
        chat = self.staff_chat_id
        if self.forum:
            topic = await enqueue(
                session, chat, "createForumTopic", name=topic_name(request, self.gettext),
                dedupe_key=f"topic:{request.id}{suffix}", on_sent=f"{HOOK_TOPIC}:{request.id}",
            )  # fmt: skip
            await enqueue(
                session, chat, "sendMessage", text=text, reply_markup=markup, message_thread_id=AFTER_RESULT,
                after=topic, dedupe_key=f"card:{request.id}{suffix}", on_sent=f"{HOOK_CARD}:{request.id}",
            )  # fmt: skip
            return
        await enqueue(
            session, chat, "sendMessage", text=text, reply_markup=markup,
            dedupe_key=f"card:{request.id}{suffix}", on_sent=f"{HOOK_CARD}:{request.id}",
        )  # fmt: skip

    async def refresh_card(self, session: AsyncSession, request: Request) -> None:
        """Edit the card in place (or queue the edit behind the card not sent yet)."""
        assert self.staff_chat_id is not None
        text, markup = await self.render(session, request)
        if self._unchanged(session, request, text, markup):
            return
        chat = self.staff_chat_id
        if request.staff_chat_message_id is not None:
            await enqueue(session, chat, "editMessageText", message_id=request.staff_chat_message_id,
                          text=text, reply_markup=markup)  # fmt: skip
            return
        row = await outbox_store.by_dedupe_key(session, f"card:{request.id}")
        if row is not None and row.state in OUTBOX_OPEN:
            await enqueue(session, chat, "editMessageText", message_id=AFTER_RESULT, after=row.id,
                          text=text, reply_markup=markup)  # fmt: skip
        elif row is not None and row.state == OutboxState.SENT and row.result_message_id:
            await enqueue(session, chat, "editMessageText", message_id=row.result_message_id,
                          text=text, reply_markup=markup)  # fmt: skip
        else:  # never posted, failed for good, or long purged: post it again
            await self.post_card(session, request, suffix=f":{request.event_count}")

    async def anchor(self, session: AsyncSession, request: Request) -> dict[str, Any]:
        """Parameters that put a message under the request's card: in its topic, or as a reply."""
        if request.staff_topic_id is not None:
            return {"message_thread_id": request.staff_topic_id}
        topic = await outbox_store.by_dedupe_key(session, f"topic:{request.id}")
        if topic is not None and topic.state in OUTBOX_OPEN:
            return {"message_thread_id": AFTER_RESULT, "after": topic.id}
        if request.staff_chat_message_id is not None:
            return {"reply_to_message_id": request.staff_chat_message_id, "allow_sending_without_reply": True}
        card = await outbox_store.by_dedupe_key(session, f"card:{request.id}")
        if card is not None and card.state in OUTBOX_OPEN:
            return {"reply_to_message_id": AFTER_RESULT, "after": card.id, "allow_sending_without_reply": True}
        return {}

    async def post_under_card(self, session: AsyncSession, request: Request, method: str, *,
                              link: bool = False, dedupe_key: str | None = None, **params: Any) -> None:  # fmt: skip
        assert self.staff_chat_id is not None
        placed = await self.anchor(session, request)
        await enqueue(
            session, self.staff_chat_id, method, dedupe_key=dedupe_key,
            on_sent=f"{HOOK_LINK}:{request.id}" if link else None, **placed, **params,
        )  # fmt: skip

    async def post_evidence(self, session: AsyncSession, request: Request) -> None:
        """Each file the requester gave, copied into the group once (by file_id; the bot keeps no file)."""
        caption = q(self.gettext(texts.EVIDENCE_CAPTION).format(reference=request.reference))
        for attachment in await attachments_of(session, request.id):
            # Claimed once for good (outbox dedupe keys go when finished rows are purged).
            if not await store.claim_job(session, f"evidence:{attachment.id}", self.clock()):
                continue
            method, field = SEND_BY_KIND.get(attachment.kind, SEND_BY_KIND["document"])
            await self.post_under_card(session, request, method, link=True, caption=caption,
                                       **{field: attachment.file_id})  # fmt: skip

    # -- relay -----------------------------------------------------------------------------------------

    async def relay_to_requester(
        self, session: AsyncSession, request: Request, *, text: str | None = None,
        document: str | None = None,
    ) -> bool:  # fmt: skip
        """A staff message (text, or a document by file_id) passed to the requester; False if nobody to tell."""
        subject = await session.get(Subject, request.subject_id)
        if subject is None or not subject.telegram_user_id:
            return False
        language = subject.language if subject.language in LANGUAGES else self.language
        body = gettext_for(language)(texts.TO_REQUESTER).format(
            reference=q(request.reference), text=q(text or "")
        ).rstrip()
        if document:
            await enqueue(session, subject.telegram_user_id, "sendDocument", document=document, caption=body)
        else:
            await enqueue(session, subject.telegram_user_id, "sendMessage", text=body)
        return True

    async def relay_from_requester(
        self, session: AsyncSession, request: Request, *, text: str | None = None,
        file_id: str | None = None, file_kind: str | None = None,
    ) -> None:  # fmt: skip
        """What the requester wrote (or sent), posted under the card; staff reply to it to answer."""
        if self.staff_chat_id is None:
            return
        if request.staff_chat_message_id is None and request.staff_topic_id is None:
            row = await outbox_store.by_dedupe_key(session, f"card:{request.id}")
            if row is None:
                await self.post_card(session, request)
        if file_id:
            known = [a for a in await attachments_of(session, request.id) if a.file_id == file_id]
            if known and not await store.claim_job(session, f"evidence:{known[0].id}", self.clock()):
                file_id = None  # just copied into the group as evidence: only the words are left to post
                if not text:
                    return
        if file_id:
            header = q(self.gettext(texts.FROM_REQUESTER_FILE).format(reference=request.reference))
            caption = header + (f"\n\n{q(text)}" if text else "")
            method, field = SEND_BY_KIND.get(file_kind or "document", SEND_BY_KIND["document"])
            await self.post_under_card(session, request, method, link=True, caption=caption, **{field: file_id})
            return
        header = q(self.gettext(texts.FROM_REQUESTER).format(reference=request.reference))
        await self.post_under_card(session, request, "sendMessage", link=True,
                                   text=f"💬 <b>{header}</b>\n{q(text or '')}")  # fmt: skip

    async def deliver_completion_file(self, session: AsyncSession, request: Request, file_id: str) -> bool:
        """The staff's file for a completed request, to the requester as a document. The file_id lives
        only in the outbox row, which drops its payload once sent: the bot then forgets it."""
        subject = await session.get(Subject, request.subject_id)
        if subject is None or not subject.telegram_user_id:
            return False
        language = subject.language if subject.language in LANGUAGES else self.language
        caption = q(gettext_for(language)(texts.COMPLETED_FILE_CAPTION).format(reference=request.reference))
        await enqueue(session, subject.telegram_user_id, "sendDocument", document=file_id, caption=caption)
        return True

    # -- reminders -------------------------------------------------------------------------------------

    async def send_reminders(self, session: AsyncSession, reminders: list[DueReminder]) -> None:
        """One reminder: under its card. Several at once: one grouped message."""
        if self.staff_chat_id is None or not reminders:
            return
        parts = reminders_messages(reminders, self.gettext, self.language)
        if len(reminders) == 1:
            request = await session.get(Request, reminders[0].request_id)
            if request is not None:
                await self.post_under_card(session, request, "sendMessage", text=parts[0])
                return
        for part in parts:  # already cut between lines: no HTML-aware splitting needed
            await enqueue(session, self.staff_chat_id, "sendMessage", text=part)

    # -- outbox hooks ----------------------------------------------------------------------------------

    def register_hooks(self, hooks: Any) -> None:
        """Install the `on_sent` hooks on the sender's `OutboxHooks`."""
        hooks.on_sent(HOOK_CARD, self._card_sent)
        hooks.on_sent(HOOK_TOPIC, self._topic_sent)
        hooks.on_sent(HOOK_LINK, self._link_sent)

    async def _card_sent(self, session: AsyncSession, argument: str, row: Any, result: Any) -> None:
        message_id = getattr(result, "message_id", None)
        if message_id is None or not argument.isdigit():
            return
        await store.set_card(session, int(argument), message_id=message_id)
        await store.add_link(session, row.chat_id, message_id, int(argument), store.LINK_CARD)

    async def _topic_sent(self, session: AsyncSession, argument: str, row: Any, result: Any) -> None:
        thread_id = getattr(result, "message_thread_id", None)
        if thread_id is None or not argument.isdigit():
            return
        await store.set_card(session, int(argument), topic_id=thread_id)
        await store.add_link(session, row.chat_id, thread_id, int(argument), store.LINK_TOPIC)

    async def _link_sent(self, session: AsyncSession, argument: str, row: Any, result: Any) -> None:
        message_id = getattr(result, "message_id", None)
        if message_id is not None and argument.isdigit():
            await store.add_link(session, row.chat_id, message_id, int(argument), store.LINK_RELAY)


async def requester_wrote(
    session: AsyncSession,
    request: Request,
    *,
    desk: StaffDesk,
    notifier: Any,
    now: datetime,
    text: str | None = None,
    file_id: str | None = None,
    file_kind: str | None = None,
) -> None:
    """For the requester flows: a message from the requester about their request goes to the staff.

    If staff were waiting for an answer, it is recorded as the answer (the clock resumes, the card
    shows it); then the text or file is posted under the card. Does not commit.
    """
    if request.state == State.AWAITING_REQUESTER:
        change = await apply(session, request, Action.ANSWER, Actor.requester(request.subject_id), now,
                             cipher=desk.cipher, reminder_days=desk.reminder_days, text=text)  # fmt: skip
        await notifier.deliver(session, change.notifications)
    await desk.relay_from_requester(session, request, text=text, file_id=file_id, file_kind=file_kind)
