"""Presentation: routers per chat context, built fresh by factories (a router joins one dispatcher only)."""

from __future__ import annotations

from aiogram import F, Router

from bot.config import Settings
from handlers import fallback, language, questions, requests, start
from handlers.staff import build_requester_router, build_staff_router


def build_private_router(settings: Settings) -> Router:
    router = Router(name="private")
    router.message.filter(F.chat.type == "private")
    # Requests before questions: a form in progress is never answered as a question.
    router.include_routers(
        start.build_router(), language.build_router(), requests.build_router(), questions.build_router()
    )
    return router


def build_routers(settings: Settings) -> list[Router]:
    """Every router of the bot, in the order they are tried; the fallback is last."""
    private = build_private_router(settings)
    last = fallback.build_router()
    last.message.filter(F.chat.type == "private")
    # Staff group first; then a requester's reply to a request message (relayed to staff) before any form.
    group = build_staff_router(settings)
    return [*([group] if group else []), build_requester_router(), private, last]
