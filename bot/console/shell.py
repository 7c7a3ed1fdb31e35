"""`privacy-desk shell`: chat with the real bot in a terminal, as a user or as staff.

Bot messages are printed with their buttons numbered; typing a number (one or two digits) presses a
button of the last message that had buttons; `/as staff` and `/as user` switch between the staff group
and the private chat; `/quit` (or end of input) leaves.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from aiogram import Bot
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User

from bot.app import App
from bot.console.fake_telegram import FakeTelegramSession

CONSOLE_USER_ID = 100001
BUTTON_DIGITS = 2  # a longer number (a 6-digit email code) is typed text, not a button
CONSOLE_STAFF_USER_ID = 100900
CONSOLE_STAFF_CHAT_ID = -1001000000001
HELP = "Type a message, a number to press a button, /as staff or /as user to switch chats, /quit to leave."

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """HTML parse-mode text as a terminal shows it."""
    return html.unescape(_TAG.sub("", text.replace("<br>", "\n")))


class Console:
    def __init__(
        self, app: App, out: TextIO = sys.stdout, user_language: str | None = None, user_id: int = CONSOLE_USER_ID
    ) -> None:
        self.app = app
        self.user_id = user_id
        self.out = out
        self.user_language = user_language
        staff_chat = app.settings.staff_chat_id or CONSOLE_STAFF_CHAT_ID
        self.staff_chat_id = staff_chat
        self.session = FakeTelegramSession(on_call=self.show)
        self.session.staff_chat_ids.add(staff_chat)
        self.session.staff_user_ids.add(CONSOLE_STAFF_USER_ID)
        self.bot = Bot("4242:CONSOLE-0000000000", session=self.session, default=app_bot_defaults())
        self.as_staff = False
        self.buttons: dict[int, list[tuple[str, str]]] = {}  # chat id -> [(text, callback data)]
        self.button_message: dict[int, Message] = {}
        self._ids = itertools.count(1)

    # --- what the bot sends -------------------------------------------------------------------
    def where(self, chat_id: Any) -> str:
        return "staff" if chat_id == self.staff_chat_id else "bot"

    def show(self, method: TelegramMethod[Any]) -> None:
        chat_id = getattr(method, "chat_id", None)
        if isinstance(method, SendMessage | EditMessageText):
            label = "bot (edited)" if isinstance(method, EditMessageText) else self.where(chat_id)
            self.print_block(label, plain(method.text), method.reply_markup, chat_id)
        elif isinstance(method, EditMessageReplyMarkup):
            self.print_block("bot (buttons changed)", "", method.reply_markup, chat_id)
        elif isinstance(method, AnswerCallbackQuery):
            if method.text:
                self.out.write(f"  (popup) {plain(method.text)}\n")
        elif isinstance(method, SendDocument | SendPhoto):
            kind = "document" if isinstance(method, SendDocument) else "photo"
            caption = plain(method.caption or "")
            self.print_block(self.where(chat_id), f"[{kind}] {caption}".strip(), method.reply_markup, chat_id)
        elif isinstance(method, CopyMessage):
            self.out.write(f"  [{self.where(chat_id)}] (a copy of message {method.message_id})\n")
        self.out.flush()

    def print_block(self, label: str, text: str, markup: Any, chat_id: Any) -> None:
        lines = text.splitlines() or [""]
        self.out.write(f"[{label}] {lines[0]}\n")
        for line in lines[1:]:
            self.out.write(f"    {line}\n")
        if isinstance(markup, InlineKeyboardMarkup):
            buttons = [
                (button.text, button.callback_data or "")
                for row in markup.inline_keyboard
                for button in row
                if button.callback_data
            ]
            if buttons:
                self.buttons[chat_id] = buttons
                self.out.write("    " + "  ".join(f"[{i}] {text}" for i, (text, _) in enumerate(buttons, 1)) + "\n")

    # --- what the person types -----------------------------------------------------------------
    def user(self) -> User:
        if self.as_staff:
            return User(id=CONSOLE_STAFF_USER_ID, is_bot=False, first_name="Staff", language_code="en")
        return User(id=self.user_id, is_bot=False, first_name="You", language_code=self.user_language)

    def chat(self) -> Chat:
        if self.as_staff:
            return Chat(id=self.staff_chat_id, type="supergroup", title="Staff")
        return Chat(id=self.user_id, type="private")

    async def send_text(self, text: str) -> None:
        message = Message(
            message_id=self.session.next_message_id(self.chat().id),
            date=datetime.now(UTC),
            chat=self.chat(),
            from_user=self.user(),
            text=text,
        )
        await self.feed(Update(update_id=next(self._ids), message=message))

    async def press(self, number: int) -> None:
        chat = self.chat()
        buttons = self.buttons.get(chat.id, [])
        if not 1 <= number <= len(buttons):
            self.out.write(f"  (there is no button {number} here)\n")
            return
        message = Message(
            message_id=self.session.next_message_id(chat.id), date=datetime.now(UTC), chat=chat,
            from_user=self.session.bot_user(), text="…",
        )
        query = CallbackQuery(
            id=str(next(self._ids)), from_user=self.user(), chat_instance=str(chat.id),
            message=message, data=buttons[number - 1][1],
        )
        await self.feed(Update(update_id=next(self._ids), callback_query=query))

    async def feed(self, update: Update) -> None:
        await self.app.dispatcher.feed_update(self.bot, update)

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line == "/as staff":
            self.as_staff = True
            self.out.write("  (you are now a staff member in the staff group)\n")
        elif line == "/as user":
            self.as_staff = False
            self.out.write("  (you are now a user in a private chat with the bot)\n")
        elif line.isdigit() and len(line) <= BUTTON_DIGITS:
            await self.press(int(line))
        else:
            await self.send_text(line)
        self.out.flush()
        return True


def app_bot_defaults():
    from aiogram.client.default import DefaultBotProperties
    from aiogram.enums import ParseMode

    return DefaultBotProperties(parse_mode=ParseMode.HTML)


async def run_console(
    app: App, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout, user_id: int = CONSOLE_USER_ID
) -> None:
    console = Console(app, out, user_id=user_id)
    out.write(HELP + "\n")
    out.flush()
    await app.dispatcher.emit_startup(bot=console.bot, **app.dispatcher.workflow_data)
    try:
        interactive = stdin.isatty()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            if not await console.handle_line(line):
                break
    finally:
        await app.dispatcher.emit_shutdown(bot=console.bot, **app.dispatcher.workflow_data)
