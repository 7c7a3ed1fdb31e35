"""Last resort for private chats: every input gets a clear answer and changes nothing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.keyboards import main_menu


def build_router() -> Router:
    router = Router(name="fallback")

    @router.message(F.text.startswith("/"))
    async def on_unknown_command(message: Message) -> None:
        await message.answer(
            _("I don't know that command. Here is what I can do:"), reply_markup=main_menu()
        )

    @router.message(F.text)
    async def on_text(message: Message) -> None:
        await message.answer(
            _("I did not understand that. Please choose from the menu:"), reply_markup=main_menu()
        )

    @router.message()
    async def on_other_content(message: Message) -> None:
        await message.answer(
            _("I can only read text messages here. Please type your message or use the menu:"),
            reply_markup=main_menu(),
        )

    @router.callback_query()
    async def on_stale_button(query: CallbackQuery) -> None:
        await query.answer(_("This button is no longer valid."), show_alert=True)

    return router
