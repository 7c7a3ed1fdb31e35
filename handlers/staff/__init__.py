"""The staff desk in the staff group (STAFF_CHAT_ID): card buttons, commands and the relay.

`build_staff_router` returns the group's router (None without a staff group); `build_requester_router` the
small private-chat router that passes a requester's replies back to the staff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.types import Message

from bot.config import Settings
from handlers.staff import actions, commands, relay, requester


class ForumDetector(BaseMiddleware):
    """A message from the staff group says whether it has topics (if startup could not ask Telegram)."""

    async def __call__(
        self, handler: Callable[[Message, dict[str, Any]], Awaitable[Any]], event: Message, data: dict[str, Any]
    ) -> Any:
        desk = data.get("staff_desk")
        if desk is not None and desk.forum is None and event.chat.is_forum:
            desk.forum = True
        return await handler(event, data)


def build_staff_router(settings: Settings) -> Router | None:
    if settings.staff_chat_id is None:
        return None
    router = Router(name="staff")
    router.message.filter(F.chat.id == settings.staff_chat_id)
    router.message.outer_middleware(ForumDetector())
    # Card buttons are checked in the handler (group and member), so a press from anywhere is refused.
    router.include_routers(
        actions.build_router(settings), commands.build_router(settings), relay.build_router(settings)
    )
    return router


def build_requester_router() -> Router:
    return requester.build_router()
