"""Card buttons and their second steps: Take, Verified, Ask requester, Extend, Complete, Reject,
Forwarded to customer, Note. A press from anyone but staff gets "not allowed" and changes nothing."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.requests.lifecycle import Action, ExtendReason, RejectReason
from bot.staff import texts
from bot.staff.card import can_extend_now, q
from bot.staff.desk import StaffDesk
from bot.staff.permissions import StaffGate
from handlers.markup import KeyboardBuilder
from handlers.staff.callbacks import StaffAction, StaffChoice
from handlers.staff.common import is_staff, now_utc, perform, refusal
from storage.requests import Request


class StaffInput(StatesGroup):
    question = State()
    extend_reason = State()
    reject_reason = State()
    completion_file = State()
    note = State()


def _choice_keyboard(step: str, options: dict[str, str], request_id: int, gettext):
    builder = KeyboardBuilder()
    for value, text in options.items():
        builder.button(text=gettext(text), callback_data=StaffChoice(step=step, value=value, request_id=request_id))
    builder.button(text=gettext("Cancel this step"), callback_data=StaffChoice(step="cancel", value="-", request_id=request_id))
    builder.adjust(1)
    return builder.as_markup()


def _cancel_keyboard(request_id: int, gettext, *, complete_without_file: bool = False):
    builder = KeyboardBuilder()
    if complete_without_file:
        builder.button(text=gettext("Complete without a file"),
                       callback_data=StaffChoice(step="complete", value="nofile", request_id=request_id))  # fmt: skip
    builder.button(text=gettext("Cancel this step"), callback_data=StaffChoice(step="cancel", value="-", request_id=request_id))
    builder.adjust(1)
    return builder.as_markup()


async def _await_text(callback, state, step, request_id: int, prompt: str, gettext) -> None:
    """Ask the staff member for one message (a question, a note) about a request."""
    await state.set_state(step)
    await state.update_data(request_id=request_id)
    await callback.message.answer(prompt, reply_markup=_cancel_keyboard(request_id, gettext))
    await callback.answer()


def build_router(settings: Settings) -> Router:
    router = Router(name="staff_actions")
    staff_chat = settings.staff_chat_id

    async def allowed(callback: CallbackQuery, bot: Bot, staff_gate: StaffGate, staff_desk: StaffDesk) -> bool:
        in_group = callback.message is not None and callback.message.chat.id == staff_chat
        if in_group and await is_staff(callback.from_user.id, bot=bot, settings=settings, staff_gate=staff_gate):
            return True
        await callback.answer(staff_desk.gettext("Not allowed: only the privacy team can do this."), show_alert=True)
        return False

    async def done(callback: CallbackQuery, session: AsyncSession, result, staff_desk: StaffDesk, ok_text: str):
        gettext = staff_desk.gettext
        if isinstance(result, str):
            await callback.answer(refusal(result, gettext), show_alert=True)
            return
        await session.commit()
        await callback.answer(ok_text)

    @router.callback_query(StaffAction.filter())
    async def on_card_button(
        callback: CallbackQuery, callback_data: StaffAction, session: AsyncSession, bot: Bot,
        staff_gate: StaffGate, staff_desk: StaffDesk, notifier, state: FSMContext,
    ) -> None:  # fmt: skip
        if not await allowed(callback, bot, staff_gate, staff_desk):
            return
        gettext = staff_desk.gettext
        request = await session.get(Request, callback_data.request_id)
        if request is None:
            await callback.answer(gettext("No such request."), show_alert=True)
            return
        user_id = callback.from_user.id
        action = callback_data.action
        ref = q(request.reference)
        common = {"staff_desk": staff_desk, "notifier": notifier}
        if action == Action.ASSIGN:
            result = await perform(session, request, Action.ASSIGN, user_id, assignee=user_id, **common)
            await done(callback, session, result, staff_desk, gettext("Assigned to you."))
        elif action == Action.VERIFY:
            result = await perform(session, request, Action.VERIFY, user_id, method="manual", **common)
            await done(callback, session, result, staff_desk, gettext("Marked as verified."))
        elif action == Action.FORWARD:
            result = await perform(session, request, Action.FORWARD, user_id, **common)
            await done(callback, session, result, staff_desk, gettext("Recorded as forwarded to the customer."))
        elif action == Action.ASK:
            prompt = gettext("Write your question for the requester of {reference} (one message).")
            await _await_text(callback, state, StaffInput.question, request.id, prompt.format(reference=ref), gettext)
        elif action == Action.NOTE:
            prompt = gettext("Write the internal note for {reference}; the requester will not see it.")
            await _await_text(callback, state, StaffInput.note, request.id, prompt.format(reference=ref), gettext)
        elif action == Action.EXTEND:
            if not can_extend_now(request, now_utc()):
                code = "already_extended" if request.extended else "cannot_extend"
                await callback.answer(refusal(code, gettext), show_alert=True)
                return
            await callback.message.answer(
                gettext("Why does {reference} need more time? The requester will be told.").format(reference=ref),
                reply_markup=_choice_keyboard("extend", texts.EXTEND_REASONS, request.id, gettext),
            )
            await callback.answer()
        elif action == Action.REJECT:
            await callback.message.answer(
                gettext("Why is {reference} rejected? The requester will be told.").format(reference=ref),
                reply_markup=_choice_keyboard("reject", texts.REJECT_REASONS, request.id, gettext),
            )
            await callback.answer()
        elif action == Action.COMPLETE:
            await state.set_state(StaffInput.completion_file)
            await state.update_data(request_id=request.id)
            await callback.message.answer(
                gettext("Send the file for the requester of {reference} as a document (it is passed on, "
                        "not kept), or complete without a file.").format(reference=ref),
                reply_markup=_cancel_keyboard(request.id, gettext, complete_without_file=True),
            )
            await callback.answer()
        else:
            await callback.answer(gettext("This cannot be done now."), show_alert=True)

    @router.callback_query(StaffChoice.filter())
    async def on_choice(
        callback: CallbackQuery, callback_data: StaffChoice, session: AsyncSession, bot: Bot,
        staff_gate: StaffGate, staff_desk: StaffDesk, notifier, state: FSMContext,
    ) -> None:  # fmt: skip
        if not await allowed(callback, bot, staff_gate, staff_desk):
            return
        gettext = staff_desk.gettext
        step, value = callback_data.step, callback_data.value
        if step == "cancel":
            await state.clear()
            await callback.answer(gettext("Cancelled."))
            return
        request = await session.get(Request, callback_data.request_id)
        if request is None:
            await callback.answer(gettext("No such request."), show_alert=True)
            return
        user_id = callback.from_user.id
        common = {"staff_desk": staff_desk, "notifier": notifier}
        if step in ("extend", "reject") and value == "other":
            await state.set_state(StaffInput.extend_reason if step == "extend" else StaffInput.reject_reason)
            await state.update_data(request_id=request.id)
            await callback.message.answer(
                gettext("Write the reason in words; the requester will read it."),
                reply_markup=_cancel_keyboard(request.id, gettext),
            )
            await callback.answer()
            return
        if step == "extend" and value in set(ExtendReason):
            result = await perform(session, request, Action.EXTEND, user_id, reason=value, **common)
            await done(callback, session, result, staff_desk, gettext("Extended; the requester is told the new date."))
        elif step == "reject" and value in set(RejectReason):
            result = await perform(session, request, Action.REJECT, user_id, reason=value, **common)
            await done(callback, session, result, staff_desk, gettext("Rejected; the requester is told why."))
        elif step == "complete" and value == "nofile":
            result = await perform(session, request, Action.COMPLETE, user_id, **common)
            await done(callback, session, result, staff_desk, gettext("Completed; the requester is told."))
            if not isinstance(result, str):
                await state.clear()  # after the commit: SQLite has one writer at a time
        else:
            await callback.answer(gettext("This cannot be done now."), show_alert=True)

    # -- typed second steps (only the staff member who pressed the button is in these states) --------

    async def _request_from_state(state: FSMContext, session: AsyncSession) -> Request | None:
        data = await state.get_data()
        request_id = data.get("request_id")
        return await session.get(Request, request_id) if isinstance(request_id, int) else None

    async def _finish(message: Message, session: AsyncSession, state: FSMContext, result,
                      staff_desk: StaffDesk, ok_text: str) -> None:  # fmt: skip
        if isinstance(result, str):
            await message.reply(refusal(result, staff_desk.gettext))
            if result not in ("text_required", "reason_text_required"):
                await state.clear()
            return
        await session.commit()
        await state.clear()
        await message.reply(ok_text)

    async def still_staff(message: Message, bot: Bot, staff_gate: StaffGate, state: FSMContext) -> bool:
        """A staff member's typed answer counts only while they are staff; otherwise the input is dropped."""
        user_id = message.from_user.id if message.from_user else None
        if await is_staff(user_id, bot=bot, settings=settings, staff_gate=staff_gate):
            return True
        await state.clear()
        return False

    text_states = StateFilter(StaffInput.question, StaffInput.note, StaffInput.extend_reason, StaffInput.reject_reason)

    @router.message(text_states, F.chat.id == staff_chat, F.text, ~F.text.startswith("/"))
    async def on_staff_text(
        message: Message, session: AsyncSession, bot: Bot, staff_gate: StaffGate,
        staff_desk: StaffDesk, notifier, state: FSMContext,
    ) -> None:  # fmt: skip
        gettext = staff_desk.gettext
        if not await still_staff(message, bot, staff_gate, state):
            return
        request = await _request_from_state(state, session)
        if request is None:
            await state.clear()
            return
        current = await state.get_state()
        user_id = message.from_user.id
        common = {"staff_desk": staff_desk, "notifier": notifier}
        if current == StaffInput.question.state:
            result = await perform(session, request, Action.ASK, user_id, text=message.text, **common)
            await _finish(message, session, state, result, staff_desk,
                          gettext("Question sent to the requester; the card shows the request waiting."))  # fmt: skip
        elif current == StaffInput.note.state:
            result = await perform(session, request, Action.NOTE, user_id, text=message.text, **common)
            await _finish(message, session, state, result, staff_desk, gettext("Internal note saved."))
        elif current == StaffInput.extend_reason.state:
            result = await perform(session, request, Action.EXTEND, user_id, reason="other", text=message.text,
                                   **common)  # fmt: skip
            await _finish(message, session, state, result, staff_desk,
                          gettext("Extended; the requester is told the new date."))  # fmt: skip
        elif current == StaffInput.reject_reason.state:
            result = await perform(session, request, Action.REJECT, user_id, reason="other", text=message.text,
                                   **common)  # fmt: skip
            await _finish(message, session, state, result, staff_desk, gettext("Rejected; the requester is told why."))

    @router.message(StaffInput.completion_file, F.chat.id == staff_chat, ~F.text.startswith("/"))
    async def on_completion_file(
        message: Message, session: AsyncSession, bot: Bot, staff_gate: StaffGate,
        staff_desk: StaffDesk, notifier, state: FSMContext,
    ) -> None:  # fmt: skip
        gettext = staff_desk.gettext
        if not await still_staff(message, bot, staff_gate, state):
            return
        if message.document is None:
            await message.reply(gettext("Send the file as a document (attach it as a file), or press "
                                        "“Complete without a file”."))  # fmt: skip
            return
        request = await _request_from_state(state, session)
        if request is None:
            await state.clear()
            return
        file_id = message.document.file_id
        result = await perform(session, request, Action.COMPLETE, message.from_user.id, file_id=file_id,
                               text=message.caption, staff_desk=staff_desk, notifier=notifier)  # fmt: skip
        if not isinstance(result, str):
            await staff_desk.deliver_completion_file(session, request, file_id)
        await _finish(message, session, state, result, staff_desk,
                      gettext("Completed; the file goes to the requester and is not kept."))  # fmt: skip

    return router
