"""Making a request: /request, /voice, the menu and the answers' "Make this request" button.

The form's steps come from `bot.intake.form`; this module asks them one by one, with Back and Cancel
on every step, checks what arrives (a sticker where text is expected keeps the step and says why),
and on Confirm records the request, queues the staff notifications and commits before saying
"received". Buttons carry the form's token and the step they belong to, so a stale, forged or
replayed press changes nothing; a replayed message is recognised by its message id.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake import form as forms
from bot.intake.form import (
    CALIFORNIA_KINDS,
    MENU_KINDS,
    MENU_LABELS,
    NO_VERIFICATION_KINDS,
    STEPS,
    SUMMARY,
    TEXT_LIMIT,
    Form,
    FormContext,
    Step,
    StepType,
)
from bot.intake.jurisdictions import LABELS as JURISDICTION_LABELS
from bot.intake.jurisdictions import not_served_entry
from bot.intake.labels import VERIFICATION_LABELS
from bot.intake.submit import find_duplicate, submit
from bot.kinds import RequestKind
from bot.policy import Policy
from bot.requests import messages
from bot.requests.lifecycle import State
from bot.requests.service import UNVERIFIED_EXPIRY_DAYS, Change
from bot.subjects import get_or_create_subject, subject_facts
from bot.verification import CheckStatus, StartStatus, account_for_sender, looks_like_email
from handlers.keyboards import main_menu
from handlers.markup import KeyboardBuilder
from handlers.requests.callbacks import EditStep, KindChoice, Nav, StatusAction, StepChoice
from handlers.requests.common import (
    Intake,
    UserLocks,
    attachment_of,
    encode_form,
    form_context,
    load_form_data,
    save_form_data,
)
from handlers.texts import answer_long
from storage.base import utcnow
from storage.requests import Request

log = logging.getLogger(__name__)

SUMMARY_TEXT_LIMIT = 300


def _not_command(message: Message) -> bool:
    return not (message.text or "").startswith("/")


def _operator(policy: Policy) -> str:
    return html.quote(policy.operator.name)


def _label(text: str, policy: Policy) -> str:
    return _(text).format(operator=policy.operator.name)


# --- keyboards --------------------------------------------------------------------------------------


def kind_menu(policy: Policy, jurisdiction: str | None) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for kind in MENU_KINDS:
        if kind in CALIFORNIA_KINDS and jurisdiction not in (None, "california"):
            continue
        builder.button(text=_(MENU_LABELS[kind]), callback_data=KindChoice(kind=kind.value))
    builder.button(text=_("Cancel"), callback_data=Nav(action="cancel", token="-", step="-"))
    builder.adjust(1)
    return builder.as_markup()


def step_keyboard(form: Form, step: Step, policy: Policy) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    context = form_context(policy, None, form.linked_account_id is not None)
    for option in forms.options(step, context):
        builder.button(
            text=_label(option.label, policy),
            callback_data=StepChoice(token=form.token, step=step.id, value=option.value),
        )
    if step.optional:
        builder.button(text=_("Skip"), callback_data=Nav(action="skip", token=form.token, step=step.id))
    if step.type is StepType.CODE:
        builder.button(
            text=_("Send a new code"), callback_data=Nav(action="resend", token=form.token, step=step.id)
        )
    # Back from the first step returns to the list of requests.
    builder.button(text=_("Back"), callback_data=Nav(action="back", token=form.token, step=step.id))
    builder.button(text=_("Cancel"), callback_data=Nav(action="cancel", token=form.token, step=step.id))
    builder.adjust(1)
    return builder.as_markup()


def summary_keyboard(form: Form) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(
        text=_("Confirm and send"), callback_data=Nav(action="confirm", token=form.token, step=SUMMARY)
    )
    builder.button(text=_("Edit"), callback_data=Nav(action="edit", token=form.token, step=SUMMARY))
    builder.button(text=_("Back"), callback_data=Nav(action="back", token=form.token, step=SUMMARY))
    builder.button(text=_("Cancel"), callback_data=Nav(action="cancel", token=form.token, step=SUMMARY))
    builder.adjust(1, 1, 2)
    return builder.as_markup()


def edit_keyboard(form: Form, context: FormContext) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for step in forms.editable_steps(form, context):
        builder.button(text=_(step.title), callback_data=EditStep(token=form.token, step=step.id))
    builder.button(
        text=_("Back to the summary"), callback_data=Nav(action="summary", token=form.token, step=SUMMARY)
    )
    builder.adjust(1)
    return builder.as_markup()


# --- texts ------------------------------------------------------------------------------------------


def _shorten(text: str, limit: int = SUMMARY_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display(step: Step, value: Any, policy: Policy) -> str:
    if value is None:
        return _("(skipped)")
    if step.type is StepType.CHOICE:
        option = step.option(str(value))
        return html.quote(_label(option.label, policy)) if option else html.quote(str(value))
    if isinstance(value, dict):
        return _("a file")
    return html.quote(_shorten(str(value)))


def summary_text(form: Form, context: FormContext, policy: Policy) -> str:
    lines = [
        _("<b>Please check your request before it is sent.</b>"),
        _("Request: {kind}").format(kind=html.quote(messages.kind_label(form.kind, _))),
    ]
    ids = forms.step_ids(form, context)
    for step_id in ids:
        step = STEPS[step_id]
        if step.title and step_id in form.answers:
            lines.append(f"• {_(step.title)}: {display(step, form.answers[step_id], policy)}")
    if "jurisdiction" not in ids and form.jurisdiction:
        step = STEPS["jurisdiction"]
        lines.append(f"• {_(step.title)}: {display(step, form.jurisdiction, policy)}")
    verified_by = form.verified_by(context)
    lines.append(
        _("• Identity: {how}").format(how=_(VERIFICATION_LABELS.get(verified_by, VERIFICATION_LABELS[None])))
    )
    if form.processor_case:
        lines.append("")
        lines.append(
            _("This data is controlled by a business customer of {operator}: your request will be passed to "
              "them, and they will answer it.").format(operator=_operator(policy))
        )  # fmt: skip
    if form.answers.get("consent") == "voice_biometrics":
        lines.append("")
        lines.append(_("Withdrawing this consent deletes your voice model; this cannot be undone."))
    return "\n".join(lines)


def step_prompt(form: Form, step: Step, policy: Policy, lang: str) -> str:
    offer = ""
    if step.id == "not_served":
        entry = not_served_entry(policy, form.jurisdiction)
        if entry is not None:
            offer = entry.offer.get(lang) if entry.offer else ""
            offer = html.quote(f"{offer} ({entry.section})" if offer else entry.section)
    return _(step.prompt).format(operator=_operator(policy), offer=offer)


def promise_text(policy: Policy, kind: RequestKind) -> str | None:
    times = policy.response_times
    if times is None:
        return None
    if kind is RequestKind.VOICE_TAKEDOWN and times.voice_owner_days:
        return _(
            "{operator}'s privacy policy promises to honour verified voice-owner requests within {days} days."
        ).format(operator=_operator(policy), days=times.voice_owner_days)
    if times.complex_days:
        return _(
            "{operator}'s privacy policy promises an answer within {days} days; a complex request may take up "
            "to {complex_days} days, and you will be told why."
        ).format(operator=_operator(policy), days=times.standard_days, complex_days=times.complex_days)
    return _("{operator}'s privacy policy promises an answer within {days} days.").format(
        operator=_operator(policy), days=times.standard_days
    )


def confirmation_text(change: Change, policy: Policy, lang: str) -> str:
    """What the requester reads once the request is committed: reference, next steps, due date, promise."""
    request: Request = change.request
    parts = [
        messages.render(note, _, lang, html=True)
        for note in change.notifications
        if note.audience == messages.REQUESTER
    ]
    if request.state == State.FORWARDED_TO_CONTROLLER and policy.processor_case is not None:
        case = policy.processor_case
        parts.append(
            html.quote(f"{case.who_answers.get(lang)} {case.instruction.get(lang)} ({case.section})")
        )
    elif request.state == State.AWAITING_VERIFICATION:
        parts.append(
            _("What happens next: a person from the privacy team will check that it is you and may ask you "
              "for something here. We act on the request once that is done; if it cannot be confirmed within "
              "{days} days, the request is closed.").format(days=UNVERIFIED_EXPIRY_DAYS)
        )  # fmt: skip
    else:
        how = _(VERIFICATION_LABELS.get(request.verification_method, VERIFICATION_LABELS[None]))
        parts.append(
            _("What happens next: the privacy team works on it now (identity: {how}). They may ask you "
              "questions here.").format(how=how)
        )  # fmt: skip
    if request.state != State.FORWARDED_TO_CONTROLLER:
        promise = promise_text(policy, RequestKind(request.kind))
        if promise:
            parts.append(promise)
    parts.append(_("You can follow it with /status."))
    return "\n\n".join(parts)


# --- the flow ---------------------------------------------------------------------------------------


class Flow:
    """The per-update helpers of the form, bound to what the handler was given."""

    def __init__(self, state: FSMContext, policy: Policy, cipher: Any, email_verification: Any, lang: str):
        self.state, self.policy, self.cipher = state, policy, cipher
        self.email_verification, self.lang = email_verification, lang

    def context(self, form: Form) -> FormContext:
        return form_context(self.policy, self.email_verification, form.linked_account_id is not None)

    async def load(self) -> Form | None:
        data = await load_form_data(self.state, self.cipher)
        if data is None:
            return None
        try:
            return Form.from_json(data)
        except (KeyError, ValueError):
            return None

    async def save(self, form: Form) -> None:
        await save_form_data(self.state, self.cipher, form.to_json())

    async def ask(self, message: Message, form: Form) -> None:
        context = self.context(form)
        step = forms.current_step(form, context)
        if step.id == SUMMARY:
            await answer_long(message, summary_text(form, context, self.policy), summary_keyboard(form))
            return
        await message.answer(
            step_prompt(form, step, self.policy, self.lang),
            reply_markup=step_keyboard(form, step, self.policy),
        )

    async def keep(self, message: Message, form: Form, why: str) -> None:
        """Wrong input: say why, ask the same step again."""
        await message.answer(why)
        await self.ask(message, form)


def wrong_input_text(step: Step) -> str:
    if step.type in (StepType.CHOICE, StepType.SUMMARY):
        return _("Please use the buttons below.")
    if step.type in (StepType.MEDIA, StepType.OPTIONAL_MEDIA):
        if step.media == forms.AUDIO:
            return _("Please send a voice message or an audio file.")
        return _("Please send a photo or a document.")
    if step.type is StepType.CODE:
        return _("Please type the 6-digit code as text.")
    return _("Please type your answer as text: I cannot use stickers, photos or files here.")


async def remember_jurisdiction(session: AsyncSession, user_id: int, jurisdiction: str) -> None:
    subject = await get_or_create_subject(session, user_id)
    subject.jurisdiction = jurisdiction
    await session.commit()


def build_router() -> Router:
    router = Router(name="requests-intake")
    locks = UserLocks()

    def flow(state: FSMContext, policy: Policy, data: dict[str, Any], i18n: I18n) -> Flow:
        return Flow(state, policy, data.get("cipher"), data.get("email_verification"), i18n.current_locale)

    async def offer_kinds(message: Message, session: AsyncSession, user_id: int, policy: Policy) -> None:
        subject = await subject_facts(session, user_id)
        await message.answer(
            _("What would you like to ask for?"),
            reply_markup=kind_menu(policy, subject.jurisdiction if subject else None),
        )

    async def start_form(
        message: Message, user_id: int, kind: RequestKind, state: FSMContext, session: AsyncSession,
        policy: Policy, data: dict[str, Any], i18n: I18n,
    ) -> None:  # fmt: skip
        current = flow(state, policy, data, i18n)
        if await state.get_state() == Intake.filling.state:
            stored = await state.get_data()
            form = await current.load()
            if form is not None and form.kind is kind and stored.get("origin") == message.message_id:
                await current.ask(message, form)  # the same press or command again: the form is kept
                return
        # Nothing is stored about the person until they send the request (see on_confirm).
        subject = await subject_facts(session, user_id)
        duplicate = await find_duplicate(session, subject.id, kind) if subject else None
        if duplicate is not None:
            await state.clear()
            await offer_duplicate(message, duplicate.reference, duplicate.id)
            return
        account = None
        directory = data.get("directory")
        if (
            directory is not None
            and kind not in NO_VERIFICATION_KINDS
            and kind is not RequestKind.VOICE_TAKEDOWN
        ):
            try:
                account = await account_for_sender(directory, user_id)
            except Exception as exc:  # the directory being down must not stop a request: a person checks
                log.warning("account directory lookup failed: %s", type(exc).__name__)
        form = Form(
            kind=kind, token=secrets.token_hex(4), linked_account_id=account.account_id if account else None
        )
        if subject is not None and subject.jurisdiction in JURISDICTION_LABELS:
            form.answers["jurisdiction"] = subject.jurisdiction
            form.ask_jurisdiction = False
        await state.set_state(Intake.filling)
        await state.set_data(  # one write: the markers and the (encrypted) form together
            {"seen": message.message_id, "origin": message.message_id, "form": encode_form(current.cipher, form.to_json())}
        )
        if kind is not RequestKind.VOICE_TAKEDOWN:
            intro = [_("Request: {kind}.").format(kind=html.quote(messages.kind_label(kind, _)))]
            if account is not None:
                intro.append(
                    _("Your Telegram account is linked to a {operator} account, so if this is about your own "
                      "data you are verified at once: no code needed.").format(operator=_operator(policy))
                )  # fmt: skip
            elif kind in NO_VERIFICATION_KINDS:
                intro.append(_("No identity check is needed for this request."))
            await message.answer(" ".join(intro))
        await current.ask(message, form)

    async def offer_duplicate(message: Message, reference: str, request_id: int) -> None:
        builder = KeyboardBuilder()
        builder.button(
            text=_("Add information to {reference}").format(reference=reference),
            callback_data=StatusAction(action="add", id=request_id),
        )
        builder.button(text=_("My requests"), callback_data=StatusAction(action="list"))
        builder.adjust(1)
        await message.answer(
            _("You already have an open request of this kind: {reference}. Instead of a second one, you can "
              "add information to it.").format(reference=reference),
            reply_markup=builder.as_markup(),
        )  # fmt: skip

    async def start_chosen_kind(
        query: CallbackQuery, raw_kind: str, state: FSMContext, session: AsyncSession, policy: Policy,
        data: dict[str, Any], i18n: I18n,
    ) -> None:  # fmt: skip
        """A kind chosen by a button (the kind list, an answer's "Make this request"): checked, then started."""
        try:
            kind = RequestKind(raw_kind)
        except ValueError:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        await query.answer()
        await start_form(query.message, query.from_user.id, kind, state, session, policy, data, i18n)

    router.start_form = start_form  # type: ignore[attr-defined]
    router.start_chosen_kind = start_chosen_kind  # type: ignore[attr-defined]
    router.offer_kinds = offer_kinds  # type: ignore[attr-defined]

    @router.message(Command("request"))
    async def on_request_command(message: Message, session: AsyncSession, policy: Policy) -> None:
        await offer_kinds(message, session, message.from_user.id, policy)

    @router.message(Command("voice"))
    async def on_voice_command(
        message: Message, state: FSMContext, session: AsyncSession, policy: Policy, i18n: I18n, **data: Any
    ) -> None:
        await start_form(
            message, message.from_user.id, RequestKind.VOICE_TAKEDOWN, state, session, policy, data, i18n
        )

    @router.message(Command("cancel"))
    async def on_cancel_command(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("Cancelled. Nothing was sent."), reply_markup=main_menu())

    @router.callback_query(KindChoice.filter())
    async def on_kind_chosen(
        query: CallbackQuery, callback_data: KindChoice, state: FSMContext, session: AsyncSession,
        policy: Policy, i18n: I18n, **data: Any,
    ) -> None:  # fmt: skip
        await start_chosen_kind(query, callback_data.kind, state, session, policy, data, i18n)

    @router.callback_query(StepChoice.filter())
    async def on_choice(
        query: CallbackQuery, callback_data: StepChoice, state: FSMContext, session: AsyncSession,
        policy: Policy, i18n: I18n, **data: Any,
    ) -> None:  # fmt: skip
        async with locks.hold(query.from_user.id):
            current = flow(state, policy, data, i18n)
            form = await current.load() if await state.get_state() == Intake.filling.state else None
            step = forms.current_step(form, current.context(form)) if form else None
            option = step.option(callback_data.value) if step else None
            if option is not None and option not in forms.options(step, current.context(form)):
                option = None
            if (
                form is None
                or form.token != callback_data.token
                or step.id != callback_data.step
                or option is None
            ):
                await query.answer(_("This button is no longer valid."), show_alert=True)
                return
            await query.answer()
            forms.answer(form, step.id, option.value)
            if step.id == "not_served" and option.value == "erasure":
                form.kind = RequestKind.ERASURE
            if step.id == "jurisdiction":
                await remember_jurisdiction(session, query.from_user.id, option.value)
            await current.save(form)
            await current.ask(query.message, form)

    @router.callback_query(EditStep.filter())
    async def on_edit_step(
        query: CallbackQuery,
        callback_data: EditStep,
        state: FSMContext,
        policy: Policy,
        i18n: I18n,
        **data: Any,
    ) -> None:
        async with locks.hold(query.from_user.id):
            current = flow(state, policy, data, i18n)
            form = await current.load() if await state.get_state() == Intake.filling.state else None
            if (
                form is None
                or form.token != callback_data.token
                or forms.current_step(form, current.context(form)).id != SUMMARY
                or not forms.edit(form, callback_data.step, current.context(form))
            ):
                await query.answer(_("This button is no longer valid."), show_alert=True)
                return
            await query.answer()
            await current.save(form)
            await current.ask(query.message, form)

    @router.callback_query(Nav.filter())
    async def on_nav(
        query: CallbackQuery, callback_data: Nav, state: FSMContext, session: AsyncSession, policy: Policy,
        i18n: I18n, **data: Any,
    ) -> None:  # fmt: skip
        async with locks.hold(query.from_user.id):
            current = flow(state, policy, data, i18n)
            action = callback_data.action
            if action == "confirm":
                await confirm(query, callback_data, current, session, policy, data)
                return
            form = await current.load() if await state.get_state() == Intake.filling.state else None
            if action == "cancel" and (
                form is None and callback_data.token == "-" or form and form.token == callback_data.token
            ):
                await query.answer()
                await state.clear()
                await query.message.answer(_("Cancelled. Nothing was sent."), reply_markup=main_menu())
                return
            if form is None or form.token != callback_data.token:
                await query.answer(_("This button is no longer valid."), show_alert=True)
                return
            context = current.context(form)
            step = forms.current_step(form, context)
            if step.id != callback_data.step:
                await query.answer(_("This button is no longer valid."), show_alert=True)
                return
            if action == "back":
                await query.answer()
                if not forms.back(form):
                    await offer_kinds(query.message, session, query.from_user.id, policy)
                    await state.clear()
                    return
                await current.save(form)
                await current.ask(query.message, form)
            elif action == "skip" and step.optional:
                await query.answer()
                forms.answer(form, step.id, None)
                await current.save(form)
                await current.ask(query.message, form)
            elif action == "edit" and step.id == SUMMARY:
                await query.answer()
                await query.message.answer(
                    _("What would you like to change?"), reply_markup=edit_keyboard(form, context)
                )
            elif action == "summary" and step.id == SUMMARY:
                await query.answer()
                await current.ask(query.message, form)
            elif action == "resend" and step.type is StepType.CODE:
                await query.answer()
                await send_code(query.message, query.from_user.id, form, current, resend=True)
            else:
                await query.answer(_("This button is no longer valid."), show_alert=True)

    async def send_code(message: Message, user_id: int, form: Form, current: Flow, *, resend: bool) -> bool:
        """Ask for a code to the form's email; True when the code step should follow."""
        verification = current.email_verification
        email = form.answers.get("email")
        if verification is None or not email:
            await message.answer(
                _("Email codes are not available here: go Back and choose that a person checks.")
            )
            return False
        result = await verification.start(user_id, email, current.lang)
        minutes = int(verification.limits.code_ttl.total_seconds() // 60)
        if result.status is StartStatus.SENT:
            text = (
                _("A new code is on its way to {email}, if it is the email of a {operator} account. It is valid "
                  "for {minutes} minutes.") if resend else
                _("If {email} is the email of a {operator} account, a 6-digit code is on its way to it. It is "
                  "valid for {minutes} minutes.")
            )  # fmt: skip
            await message.answer(
                text.format(email=html.quote(email), operator=_operator(current.policy), minutes=minutes),
                reply_markup=step_keyboard(form, STEPS["code"], current.policy) if resend else None,
            )
            return True
        if result.status is StartStatus.RESEND_TOO_SOON:
            text = _(
                "A code was sent less than a minute ago: please use that one, or ask for a new one in {seconds} seconds."
            )
            await message.answer(
                text.format(seconds=result.seconds_left),
                reply_markup=step_keyboard(form, STEPS["code"], current.policy) if resend else None,
            )
            return True
        wait = max(1, (result.seconds_left + 59) // 60)
        await message.answer(
            _("Too many codes were sent in the last hour. You can ask again in {minutes} minutes, or go Back "
              "and choose that a person checks instead.").format(minutes=wait),
            reply_markup=step_keyboard(form, STEPS["code" if resend else "email"], current.policy),
        )  # fmt: skip
        return False

    async def confirm(
        query: CallbackQuery, callback_data: Nav, current: Flow, session: AsyncSession, policy: Policy,
        data: dict[str, Any],
    ) -> None:  # fmt: skip
        state = current.state
        form = await current.load() if await state.get_state() == Intake.filling.state else None
        if form is None or form.token != callback_data.token:
            submitted = (await state.get_data()).get("submitted") or {}
            reference = submitted.get(callback_data.token)
            if reference:
                await query.answer(
                    _("Already sent: your request is {reference}.").format(reference=reference),
                    show_alert=True,
                )
            else:
                await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        context = current.context(form)
        if forms.current_step(form, context).id != SUMMARY:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        await query.answer()
        user_id = query.from_user.id
        subject = await get_or_create_subject(session, user_id)
        if subject.language is None:  # later notices (a staff question, a reminder) come in this language
            subject.language = current.lang
        result = await submit(session, subject, form, context, policy, utcnow(), cipher=current.cipher)
        if result.duplicate is not None:
            # Read before the rollback, which expires every loaded object (reading one then is I/O).
            reference, request_id = result.duplicate.reference, result.duplicate.id
            await session.rollback()
            await state.clear()
            await offer_duplicate(query.message, reference, request_id)
            return
        change = result.change
        notifier = data.get("notifier")
        if notifier is not None:
            # The requester's own notices are the reply below; staff are told through the outbox.
            await notifier.deliver(
                session, [n for n in change.notifications if n.audience != messages.REQUESTER]
            )
        reference = change.request.reference
        await session.commit()
        if data.get("languages") is not None:
            data["languages"].cache.put(user_id, subject.language)
        await state.set_state(None)
        await state.set_data({"submitted": {form.token: reference}})
        await answer_long(query.message, confirmation_text(change, policy, current.lang), main_menu())

    @router.message(Intake.filling, _not_command)
    async def on_form_input(
        message: Message, state: FSMContext, session: AsyncSession, policy: Policy, i18n: I18n, **data: Any
    ) -> None:
        async with locks.hold(message.from_user.id):
            current = flow(state, policy, data, i18n)
            stored = await state.get_data()
            if message.message_id <= int(stored.get("seen") or 0):
                return  # the same update again: it was handled already
            form = await current.load()
            if form is None:
                await state.clear()
                await message.answer(
                    _("I could not restore your form, sorry. Please start again with /request."),
                    reply_markup=main_menu(),
                )
                return
            await state.update_data(seen=message.message_id)
            context = current.context(form)
            step = forms.current_step(form, context)
            text = message.text
            if text is not None and len(text) > TEXT_LIMIT:
                await current.keep(
                    message,
                    form,
                    _("This is too long: at most {limit} characters, please.").format(limit=TEXT_LIMIT),
                )
                return
            if step.type in (StepType.TEXT, StepType.OPTIONAL_TEXT):
                if not (text or "").strip():
                    await current.keep(message, form, wrong_input_text(step))
                    return
                forms.answer(form, step.id, text.strip())
            elif step.type in (StepType.MEDIA, StepType.OPTIONAL_MEDIA):
                file = attachment_of(message)
                if file is None or file["kind"] not in step.media:
                    await current.keep(message, form, wrong_input_text(step))
                    return
                forms.answer(form, step.id, file)
            elif step.type in (StepType.EMAIL, StepType.OPTIONAL_EMAIL):
                if text is None:
                    await current.keep(message, form, wrong_input_text(step))
                    return
                if not looks_like_email(text):
                    await current.keep(
                        message,
                        form,
                        _("That does not look like an email address. Please check it and type it again."),
                    )
                    return
                email = text.strip()
                if step.type is StepType.EMAIL:
                    form.answers["email"] = email
                    if not await send_code(message, message.from_user.id, form, current, resend=False):
                        form.answers.pop("email", None)
                        await current.save(form)
                        return
                    form.answers.pop("email", None)
                forms.answer(form, step.id, email)
            elif step.type is StepType.CODE:
                if text is None:
                    await current.keep(message, form, wrong_input_text(step))
                    return
                if not await check_code(message, form, current, text):
                    await current.save(form)
                    return
            else:
                await current.keep(message, form, wrong_input_text(step))
                return
            await current.save(form)
            await current.ask(message, form)

    async def check_code(message: Message, form: Form, current: Flow, text: str) -> bool:
        verification = current.email_verification
        if verification is None:
            await current.keep(
                message,
                form,
                _("Email codes are not available here: go Back and choose that a person checks."),
            )
            return False
        result = await verification.check(message.from_user.id, text)
        keyboard = step_keyboard(form, STEPS["code"], current.policy)
        if result.status is CheckStatus.VERIFIED:
            form.answers["account_id"] = result.account.account_id if result.account else None
            forms.answer(form, "code", "verified")
            await message.answer(_("The code is right: you are verified."))
            return True
        if result.status is CheckStatus.WRONG:
            await message.answer(
                _("That code is not right. Attempts left: {count}.").format(count=result.attempts_left),
                reply_markup=keyboard,
            )
        elif result.status is CheckStatus.EXPIRED:
            await message.answer(
                _("This code has expired or is no longer valid. Press “Send a new code”."),
                reply_markup=keyboard,
            )
        else:
            await message.answer(
                _("Too many wrong attempts: this code no longer works. Press “Send a new code”."),
                reply_markup=keyboard,
            )
        return False

    return router
