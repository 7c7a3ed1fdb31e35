"""/mydata and /forget: what the bot itself holds about the person, and deleting it."""

from __future__ import annotations

from typing import Any

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake.jurisdictions import LABELS as JURISDICTION_LABELS
from bot.intake.labels import STATE_LABELS
from bot.intake.mydata import collect, forget
from bot.requests import messages
from bot.subjects import Languages
from handlers.keyboards import LANGUAGE_NAMES, main_menu
from handlers.markup import KeyboardBuilder
from handlers.requests.callbacks import ForgetAction
from handlers.requests.common import long_date
from handlers.texts import answer_long


def build_router() -> Router:
    router = Router(name="requests-privacy")

    @router.message(Command("mydata"))
    async def on_mydata(message: Message, session: AsyncSession, state: FSMContext, i18n: I18n) -> None:
        lang = i18n.current_locale
        held = await collect(session, message.from_user.id)
        form_open = await state.get_state() is not None
        lines = [_("<b>What this bot holds about you</b>")]
        lines.append(
            _("• Your Telegram user id: {id} (no name, no username)").format(id=held.telegram_user_id)
        )
        if held.since is not None:
            lines.append(_("• Known since: {date}").format(date=long_date(held.since.date(), lang)))
        if held.language:
            lines.append(
                _("• Language: {language}").format(language=LANGUAGE_NAMES.get(held.language, held.language))
            )
        if held.jurisdiction in JURISDICTION_LABELS:
            lines.append(
                _("• Where you live: {place}").format(place=_(JURISDICTION_LABELS[held.jurisdiction]))
            )
        for request in held.requests:
            lines.append(
                _("• Request {reference}: {kind}, {state}").format(
                    reference=request.reference, kind=html.quote(messages.kind_label(request.kind, _)),
                    state=_(STATE_LABELS.get(request.state, request.state)),
                )
            )  # fmt: skip
        if held.attachments:
            lines.append(
                _("• Files you sent: {count} (only Telegram's file ids; the files stay in Telegram)").format(
                    count=held.attachments
                )
            )
        if held.email_challenges:
            lines.append(
                _("• Email verification records: {count} (a keyed hash of the email, never the code)").format(
                    count=held.email_challenges
                )
            )
        if form_open:
            lines.append(_("• A form you have started and not sent"))
        if held.empty and not form_open:
            lines.append(_("Nothing else: you have not chosen a language or made a request."))
        lines += ["", _("/forget deletes what is not needed for an open request.")]
        await answer_long(message, "\n".join(lines))

    @router.message(Command("forget"))
    async def on_forget(message: Message) -> None:
        builder = KeyboardBuilder()
        builder.button(text=_("Yes, delete it"), callback_data=ForgetAction(action="yes"))
        builder.button(text=_("No"), callback_data=ForgetAction(action="no"))
        builder.adjust(2)
        await message.answer(
            _("Delete what this bot holds about you? What an open request needs is kept until it is closed; "
              "I will tell you what remains and why."),
            reply_markup=builder.as_markup(),
        )  # fmt: skip

    @router.callback_query(ForgetAction.filter())
    async def on_forget_answer(
        query: CallbackQuery, callback_data: ForgetAction, session: AsyncSession, state: FSMContext,
        languages: Languages, **data: Any,
    ) -> None:  # fmt: skip
        await query.answer()
        if callback_data.action != "yes":
            await query.message.answer(_("Nothing was deleted."), reply_markup=main_menu())
            return
        result = await forget(session, query.from_user.id)
        await session.commit()
        await state.clear()
        languages.cache.forget(query.from_user.id)
        lines = [
            _(
                "Done: your language, where you live, email verification records and any unsent form are deleted."
            )
        ]
        if result.kept:
            lines += ["", _("What remains, and why:")]
            lines += ["• " + _(msgid).format(**params) for msgid, params in result.kept]
        else:
            lines.append(_("Nothing about you remains in this bot."))
        await query.message.answer("\n".join(lines), reply_markup=main_menu())

    return router
