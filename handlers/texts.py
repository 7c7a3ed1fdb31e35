"""What the bot writes directly (not through the outbox): Telegram's size limit, the same way the outbox
splits, so a long text is cut at a line or a space and never inside an HTML tag."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message

from bot.outbox.enqueue import TEXT_LIMIT, split_text

MESSAGE_LIMIT = TEXT_LIMIT


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A long HTML text as messages of at most `limit` characters (as Telegram counts them)."""
    return split_text(text, limit) or [""]


async def answer_long(message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `text` in as many messages as it needs; the buttons go on the last one."""
    chunks = split_message(text)
    for chunk in chunks[:-1]:
        await message.answer(chunk)
    await message.answer(chunks[-1], reply_markup=reply_markup)
