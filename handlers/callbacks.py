"""Callback data classes: ids only (Telegram allows 64 bytes); everything else is looked up server-side."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuAction(CallbackData, prefix="m"):
    action: str  # one of handlers.keyboards.MENU_ACTIONS


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class PolicyTopic(CallbackData, prefix="pt"):
    topic: str


class AnswerAction(CallbackData, prefix="qa"):
    action: str  # "request" (start the matching request) or "human"
    kind: str = ""
