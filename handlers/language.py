"""/language: choose the language, remembered in the database."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES
from bot.subjects import Languages
from handlers.callbacks import LanguageChoice
from handlers.keyboards import language_keyboard, main_menu


def build_router() -> Router:
    router = Router(name="language")

    @router.message(Command("language"))
    async def on_language(message: Message, i18n: I18n) -> None:
        await message.answer(
            _("Choose your language:"), reply_markup=language_keyboard(i18n.current_locale)
        )

    @router.callback_query(LanguageChoice.filter())
    async def on_language_chosen(
        query: CallbackQuery,
        callback_data: LanguageChoice,
        session: AsyncSession,
        languages: Languages,
        i18n: I18n,
    ) -> None:
        if callback_data.code not in LANGUAGES:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        await languages.choose(session, query.from_user.id, callback_data.code)
        with i18n.use_locale(callback_data.code):
            await query.answer()
            await query.message.answer(_("Done: I will speak English with you."), reply_markup=main_menu())

    return router
