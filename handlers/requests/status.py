"""/status: the requester's own requests, their details, adding information and withdrawing.

Every lookup is scoped to the sender's subject: another person's reference, a forged or guessed id
all answer "not found", and nothing about that request is revealed.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router, html
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake.form import TEXT_LIMIT
from bot.intake.labels import STATE_LABELS, VERIFICATION_LABELS
from bot.requests import messages
from bot.requests.lifecycle import Action, State, TransitionNotAllowed
from bot.requests.service import Actor, add_attachment, apply, find_for_subject, request_by_id_for_subject
from bot.subjects import find_subject, subject_facts
from handlers.keyboards import main_menu
from handlers.markup import KeyboardBuilder
from handlers.requests.callbacks import StatusAction
from handlers.requests.common import AddInfo, UserLocks, attachment_of, local_received, long_date
from handlers.texts import answer_long
from storage.base import utcnow
from storage.requests import OPEN_STATE_VALUES, Request, requests_of_subject

LIST_LIMIT = 20


def _state(request: Request) -> str:
    return _(STATE_LABELS.get(request.state, request.state))


def list_text(requests: list[Request], lang: str) -> str:
    lines = [_("<b>Your requests</b>")]
    for request in requests[:LIST_LIMIT]:
        line = f"<b>{request.reference}</b> · {html.quote(messages.kind_label(request.kind, _))} · {_state(request)}"
        if request.state in OPEN_STATE_VALUES and request.due_date:
            line += " · " + _("due {date}").format(date=long_date(request.due_date, lang))
        lines.append(line)
    if len(requests) > LIST_LIMIT:
        lines.append(_("…and {count} older ones.").format(count=len(requests) - LIST_LIMIT))
    return "\n".join(lines)


def list_keyboard(requests: list[Request]) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for request in requests[:LIST_LIMIT]:
        builder.button(text=request.reference, callback_data=StatusAction(action="show", id=request.id))
    builder.adjust(2)
    return builder.as_markup()


def details_text(request: Request, lang: str) -> str:
    lines = [
        f"<b>{request.reference}</b>: {html.quote(messages.kind_label(request.kind, _))}",
        _("Status: {state}").format(state=_state(request)),
        _("Received: {date}").format(date=long_date(local_received(request), lang)),
    ]
    if request.state in OPEN_STATE_VALUES:
        if request.due_date:
            lines.append(_("Answer due by: {date}").format(date=long_date(request.due_date, lang)))
        how = VERIFICATION_LABELS.get(request.verification_method, VERIFICATION_LABELS[None])
        lines.append(_("Identity: {how}").format(how=_(how)))
        if request.state == State.AWAITING_REQUESTER:
            lines.append(_("The privacy team asked you a question: press “Add information” to answer it."))
    elif request.closed_at:
        lines.append(_("Closed: {date}").format(date=long_date(request.closed_at.date(), lang)))
    return "\n".join(lines)


def details_keyboard(request: Request) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    if request.state in OPEN_STATE_VALUES:
        builder.button(text=_("Add information"), callback_data=StatusAction(action="add", id=request.id))
        builder.button(text=_("Withdraw"), callback_data=StatusAction(action="withdraw", id=request.id))
    builder.button(text=_("All my requests"), callback_data=StatusAction(action="list"))
    builder.adjust(1)
    return builder.as_markup()


async def own_request(session: AsyncSession, user_id: int, request_id: int) -> Request | None:
    subject = await find_subject(session, user_id)
    if subject is None:
        return None
    return await request_by_id_for_subject(session, subject.id, request_id)


def not_found() -> str:
    return _("Request not found. /status lists your requests.")


def build_router() -> Router:
    router = Router(name="requests-status")
    locks = UserLocks()

    async def show_list(message: Message, session: AsyncSession, user_id: int, lang: str) -> None:
        subject = await subject_facts(session, user_id)
        requests = await requests_of_subject(session, subject.id) if subject else []
        if not requests:
            await message.answer(_("You have no requests yet. /request makes one."), reply_markup=main_menu())
            return
        await answer_long(message, list_text(requests, lang), list_keyboard(requests))

    router.show_list = show_list  # type: ignore[attr-defined]

    @router.message(Command("status"))
    async def on_status(message: Message, command: CommandObject, session: AsyncSession, i18n: I18n) -> None:
        lang = i18n.current_locale
        if command.args:
            subject = await find_subject(session, message.from_user.id)
            request = await find_for_subject(session, subject, command.args) if subject else None
            if request is None:
                await message.answer(not_found())
                return
            await message.answer(details_text(request, lang), reply_markup=details_keyboard(request))
            return
        await show_list(message, session, message.from_user.id, lang)

    @router.callback_query(StatusAction.filter())
    async def on_status_action(
        query: CallbackQuery, callback_data: StatusAction, state: FSMContext, session: AsyncSession,
        i18n: I18n, **data: Any,
    ) -> None:  # fmt: skip
        lang, user_id, action = i18n.current_locale, query.from_user.id, callback_data.action
        if action != "add" and await state.get_state() == AddInfo.waiting.state:
            await state.clear()  # "Cancel" while adding information, or another button instead
        if action == "list":
            await query.answer()
            await show_list(query.message, session, user_id, lang)
            return
        async with locks.hold(user_id):
            request = await own_request(session, user_id, callback_data.id)
            if request is None or action not in ("show", "add", "withdraw", "withdraw_yes"):
                await query.answer(not_found(), show_alert=True)
                return
            if action == "show":
                await query.answer()
                await query.message.answer(
                    details_text(request, lang), reply_markup=details_keyboard(request)
                )
                return
            if request.state not in OPEN_STATE_VALUES:
                await query.answer(_("This request is closed; nothing was changed."), show_alert=True)
                return
            await query.answer()
            if action == "add":
                await state.set_state(AddInfo.waiting)
                await state.set_data({"request_id": request.id, "seen": query.message.message_id})
                builder = KeyboardBuilder()
                builder.button(text=_("Cancel"), callback_data=StatusAction(action="show", id=request.id))
                await query.message.answer(
                    _("Send what you want to add to {reference}: text, a photo, a document, a voice message "
                      "or an audio file.").format(reference=request.reference),
                    reply_markup=builder.as_markup(),
                )  # fmt: skip
            elif action == "withdraw":
                builder = KeyboardBuilder()
                builder.button(
                    text=_("Yes, withdraw it"),
                    callback_data=StatusAction(action="withdraw_yes", id=request.id),
                )
                builder.button(
                    text=_("No, keep it"), callback_data=StatusAction(action="show", id=request.id)
                )
                builder.adjust(1)
                await query.message.answer(
                    _("Withdraw request {reference}? Nothing more will be done with it, and this cannot be "
                      "undone.").format(reference=request.reference),
                    reply_markup=builder.as_markup(),
                )  # fmt: skip
            else:
                await withdraw(query, request, session, lang, data)

    async def withdraw(
        query: CallbackQuery, request: Request, session: AsyncSession, lang: str, data: dict[str, Any]
    ) -> None:
        try:
            change = await apply(
                session, request, Action.WITHDRAW, Actor.requester(request.subject_id), utcnow(),
                cipher=data.get("cipher"),
            )  # fmt: skip
        except TransitionNotAllowed:
            await session.rollback()
            await query.message.answer(_("This request is closed; nothing was changed."))
            return
        await deliver_staff(session, change.notifications, data)
        await session.commit()
        texts = [
            messages.render(n, _, lang, html=True)
            for n in change.notifications
            if n.audience == messages.REQUESTER
        ]
        await query.message.answer("\n\n".join(texts) or _("Withdrawn."), reply_markup=main_menu())

    @router.message(AddInfo.waiting, lambda message: not (message.text or "").startswith("/"))
    async def on_info_added(
        message: Message, state: FSMContext, session: AsyncSession, i18n: I18n, **data: Any
    ) -> None:
        async with locks.hold(message.from_user.id):
            stored = await state.get_data()
            if message.message_id <= int(stored.get("seen") or 0):
                return  # the same update again
            request = await own_request(session, message.from_user.id, int(stored.get("request_id") or 0))
            if request is None or request.state not in OPEN_STATE_VALUES:
                await state.clear()
                await message.answer(not_found())
                return
            file = attachment_of(message)
            text = message.text if file is None else message.caption
            if file is None and not (text or "").strip():
                await message.answer(
                    _("I can take text, a photo, a document, a voice message or an audio file here. "
                      "Please send one of those, or press Cancel.")
                )  # fmt: skip
                return
            if text is not None and len(text) > TEXT_LIMIT:
                await message.answer(
                    _("This is too long: at most {limit} characters, please.").format(limit=TEXT_LIMIT)
                )
                return
            now, cipher = utcnow(), data.get("cipher")
            if file is not None:
                add_attachment(
                    session, request, file_id=file["file_id"], file_unique_id=file["file_unique_id"],
                    kind=file["kind"], caption=text, now=now, cipher=cipher,
                )  # fmt: skip
            actor = Actor.requester(request.subject_id)
            if request.state == State.AWAITING_REQUESTER:
                change = await apply(session, request, Action.ANSWER, actor, now, cipher=cipher, text=text)
            else:
                change = await apply(
                    session, request, Action.ADD_INFO, actor, now, cipher=cipher, text=text,
                    attachments=1 if file else 0,
                )  # fmt: skip
            await deliver_staff(session, change.notifications, data)
            desk = data.get("staff_desk")
            if desk is not None:  # the text or file itself goes under the request's card
                await desk.relay_from_requester(
                    session, request, text=text, file_id=file["file_id"] if file else None,
                    file_kind=file["kind"] if file else None,
                )  # fmt: skip
            await session.commit()
            await state.clear()
            await message.answer(
                _("Added to {reference}. The privacy team will see it.").format(reference=request.reference),
                reply_markup=main_menu(),
            )

    return router


async def deliver_staff(session: AsyncSession, notifications: list, data: dict[str, Any]) -> None:
    notifier = data.get("notifier")
    if notifier is not None:
        await notifier.deliver(session, [n for n in notifications if n.audience != messages.REQUESTER])
