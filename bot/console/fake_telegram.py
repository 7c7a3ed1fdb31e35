"""An in-process stand-in for the Bot API: records what the bot sends and answers like Telegram would.

Used by `privacy-desk shell` and the benchmarks; no token and no network.
"""

from __future__ import annotations

import itertools
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    CopyMessage,
    GetChat,
    GetChatMember,
    GetMe,
    SendMediaGroup,
    TelegramMethod,
)
from aiogram.types import (
    AcceptedGiftTypes,
    Chat,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardMarkup,
    Message,
    MessageId,
    User,
)

BOT_USER_ID = 4242


def _returns_message(returning: Any) -> bool:
    if returning is Message:
        return True
    if typing.get_origin(returning) in (typing.Union, types.UnionType):
        return Message in typing.get_args(returning)
    return False


class FakeTelegramSession(BaseSession):
    """Every outgoing call goes to `on_call` (for printing) and gets a plausible result."""

    def __init__(self, on_call: Callable[[TelegramMethod[Any]], None] | None = None) -> None:
        super().__init__()
        self.on_call = on_call
        self.calls: list[TelegramMethod[Any]] = []
        self.staff_chat_ids: set[int] = set()
        self.staff_user_ids: set[int] = set()
        self._message_ids: dict[Any, itertools.count[int]] = {}

    def next_message_id(self, chat_id: Any) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1000)))

    def chat(self, chat_id: Any) -> Chat:
        if isinstance(chat_id, int) and chat_id in self.staff_chat_ids:
            return Chat(id=chat_id, type="supergroup", title="Staff")
        return Chat(id=int(chat_id) if isinstance(chat_id, int) else 0, type="private")

    def bot_user(self) -> User:
        return User(id=BOT_USER_ID, is_bot=True, first_name="Privacy Desk", username="privacy_desk_bot")

    def message_for(self, method: TelegramMethod[Any]) -> Message:
        chat_id = getattr(method, "chat_id", None) or 0
        data: dict[str, Any] = {
            "message_id": getattr(method, "message_id", None) or self.next_message_id(chat_id),
            "date": datetime.now(UTC),
            "chat": self.chat(chat_id),
            "from_user": self.bot_user(),
        }
        for name in ("text", "caption"):
            value = getattr(method, name, None)
            if isinstance(value, str):
                data[name] = value
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            data["reply_markup"] = markup
        return Message(**data)

    def result_for(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return self.bot_user()
        if isinstance(method, GetChat):
            chat = self.chat(method.chat_id)
            return ChatFullInfo(
                id=chat.id, type=chat.type, title=chat.title, accent_color_id=0, max_reaction_count=11,
                accepted_gift_types=AcceptedGiftTypes(
                    unlimited_gifts=False, limited_gifts=False, unique_gifts=False,
                    premium_subscription=False, gifts_from_channels=False,
                ),
            )
        if isinstance(method, GetChatMember):
            user = User(id=method.user_id, is_bot=False, first_name="Member")
            if method.user_id in self.staff_user_ids:
                return ChatMemberAdministrator(
                    user=user, can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                    can_delete_messages=False, can_manage_video_chats=False, can_restrict_members=False,
                    can_promote_members=False, can_change_info=False, can_invite_users=False,
                    can_post_stories=False, can_edit_stories=False, can_delete_stories=False,
                    can_send_welcome_messages=False,
                )
            return ChatMemberMember(user=user) if method.chat_id in self.staff_chat_ids else ChatMemberLeft(user=user)
        if isinstance(method, CopyMessage):
            return MessageId(message_id=self.next_message_id(method.chat_id))
        if isinstance(method, SendMediaGroup):
            return [self.message_for(method) for _ in method.media]
        returning = type(method).__returning__
        if returning is bool:
            return True
        if _returns_message(returning):
            return self.message_for(method)
        return True

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        self.calls.append(method)
        if self.on_call is not None:
            self.on_call(method)
        return self.result_for(method)

    async def stream_content(self, url: str, headers=None, timeout: int = 30, chunk_size: int = 65536,
                             raise_for_status: bool = True):  # pragma: no cover - no files in the console
        yield b""

    async def close(self) -> None:
        return None
