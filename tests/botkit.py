"""Driving the real dispatcher in-process (teremok) the way a person uses the bot."""

from __future__ import annotations

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
from teremok import MockBot, MockCallbackQuery, MockChat, MockMessageText, MockUser

from bot.app import build_dispatcher


class Person:
    """One Telegram user talking to the bot in a private chat."""

    def __init__(self, bot: MockBot, user_id: int = 100001, language_code: str | None = "en") -> None:
        self.bot = bot
        self.user = MockUser(user_id=user_id, language_code=language_code)
        self.chat = MockChat(chat_id=user_id)

    async def says(self, text: str):
        return await self.bot.dispatch(MockMessageText(text, user=self.user, chat=self.chat))

    async def sends(self, message):
        return await self.bot.dispatch(message)

    async def presses(self, button_text: str):
        """Press the button with this text on the last message that had buttons."""
        markup, message_text = self.last_keyboard()
        for row in markup.inline_keyboard:
            for button in row:
                if button.text == button_text:
                    return await self.press_data(button.callback_data)
        raise AssertionError(f"no button {button_text!r} in {self.button_texts()} (on {message_text!r})")

    async def press_data(self, data: str):
        return await self.bot.dispatch(MockCallbackQuery(data=data, user=self.user))

    def replies(self) -> list[str]:
        return [m.text for m in self.bot.last.requests.send_message]

    def last_keyboard(self) -> tuple[InlineKeyboardMarkup, str]:
        for method in reversed(self.bot.requests.all):
            markup = getattr(method, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup) and getattr(method, "chat_id", None) == self.chat.id:
                return markup, getattr(method, "text", "")
        raise AssertionError("no message with buttons was sent")

    def button_texts(self) -> list[str]:
        markup, _ = self.last_keyboard()
        return [button.text for row in markup.inline_keyboard for button in row]


def make_bot(settings, session_factory, policy, **kwargs) -> MockBot:
    dispatcher = build_dispatcher(settings, session_factory, policy, **kwargs)
    return MockBot(dispatcher)


def sent_texts(bot: MockBot) -> list[str]:
    return [m.text for m in bot.requests.all if isinstance(m, SendMessage)]
