"""Inline keyboards shared by several handlers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.i18n import LANGUAGES
from handlers.callbacks import LanguageChoice, MenuAction
from handlers.markup import KeyboardBuilder

MENU_ACTIONS = ("ask", "request", "status", "human")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def main_menu() -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(text=_("Ask a question"), callback_data=MenuAction(action="ask"))
    builder.button(text=_("Make a request"), callback_data=MenuAction(action="request"))
    builder.button(text=_("My requests"), callback_data=MenuAction(action="status"))
    builder.button(text=_("Talk to a person"), callback_data=MenuAction(action="human"))
    builder.adjust(2, 2)
    return builder.as_markup()


def language_keyboard(current: str | None = None) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for code in LANGUAGES:
        mark = "✓ " if code == current else ""
        builder.button(text=f"{mark}{LANGUAGE_NAMES[code]}", callback_data=LanguageChoice(code=code))
    builder.adjust(len(LANGUAGES))
    return builder.as_markup()
