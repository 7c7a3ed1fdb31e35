"""Presentation: routers per chat context, built fresh by factories (a router joins one dispatcher only)."""

from __future__ import annotations

from aiogram import F, Router

from bot.config import Settings
from handlers import fallback, language, questions, start


def build_private_router(settings: Settings) -> Router:
    router = Router(name="private")
    router.message.filter(F.chat.type == "private")
    router.include_routers(start.build_router(), language.build_router(), questions.build_router())
    return router


def build_routers(settings: Settings) -> list[Router]:
    """Every router of the bot, in the order they are tried; the fallback is last."""
    private = build_private_router(settings)
    last = fallback.build_router()
    last.message.filter(F.chat.type == "private")
    return [private, last]
