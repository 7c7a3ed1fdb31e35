"""Outbox enqueue: rows live in the caller's transaction, long texts are split in order, duplicates are
refused, and what cannot be sent later is refused now."""

from __future__ import annotations

import json
import re

import pytest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox import AFTER_RESULT, OutboxPayloadError, enqueue
from bot.outbox.enqueue import CAPTION_LIMIT, TEXT_LIMIT, load_method, split_text, units
from storage import outbox as store

pytestmark = pytest.mark.db

KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Take", callback_data="ra:take:1")]])


def visible(html: str) -> str:
    return re.sub(r"<[^<>]*>", "", html)


# -- splitting (pure) -------------------------------------------------------------------------------


def test_short_text_is_one_part():
    assert split_text("hello", TEXT_LIMIT) == ["hello"]


def test_long_text_splits_at_line_breaks_and_keeps_every_word_in_order():
    lines = [f"line {n} " + "word " * 30 for n in range(300)]
    text = "\n".join(lines)
    parts = split_text(text, TEXT_LIMIT, html=False)
    assert len(parts) > 1
    assert all(units(part) <= TEXT_LIMIT for part in parts)
    assert all(part.split(" ", 2)[0] == "line" for part in parts)  # every part starts at a line
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_html_tags_open_at_a_cut_are_closed_and_reopened():
    text = "<b>" + "bold words here " * 600 + "</b> tail &amp; end"
    parts = split_text(text, TEXT_LIMIT)
    assert len(parts) >= 3
    for part in parts:
        assert units(part) <= TEXT_LIMIT
        assert part.count("<b>") == part.count("</b>")
    assert parts[-1].endswith("tail &amp; end")
    assert " ".join(" ".join(visible(p) for p in parts).split()) == " ".join(visible(text).split())


def test_a_cut_never_falls_inside_a_tag_or_an_entity():
    text = ('<a href="https://example.org/x">link</a> &amp; ' * 400).strip()
    for part in split_text(text, 1000):
        assert units(part) <= 1000
        assert re.search(r"<[^>]*$|&[#\w]*$", part) is None  # no half tag or entity at the end
        assert part.count("<a ") == part.count("</a>")


def test_length_is_counted_as_telegram_counts_it():
    text = "😀" * 3000  # 2 UTF-16 units each: 6,000 units, over the limit though only 3,000 characters
    parts = split_text(text, TEXT_LIMIT, html=False)
    assert len(parts) == 2 and "".join(parts) == text
    assert all(units(p) <= TEXT_LIMIT for p in parts)


def test_text_without_any_break_is_cut_hard():
    parts = split_text("x" * 10000, TEXT_LIMIT, html=False)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


# -- enqueue --------------------------------------------------------------------------------------------


async def test_enqueue_writes_nothing_when_the_business_transaction_rolls_back(session_factory):
    with pytest.raises(RuntimeError):
        async with session_factory() as session, session.begin():
            await enqueue(session, 111, "sendMessage", text="your request was received")
            raise RuntimeError("the business change failed")
    async with session_factory() as session:
        assert await store.count_open(session) == 0


async def test_enqueue_does_not_commit_for_the_caller(session_factory):
    async with session_factory() as session:
        queued = await enqueue(session, 111, "sendMessage", text="hello")
        assert queued.ids and not queued.duplicate
        async with session_factory() as other:
            assert await store.count_open(other) == 0  # not visible before the caller commits
        await session.commit()
    async with session_factory() as session:
        assert await store.count_open(session) == 1


async def test_long_message_becomes_rows_in_order_with_buttons_on_the_last(session_factory):
    text = "\n".join(f"paragraph {n}: " + "lorem ipsum " * 40 for n in range(40))
    async with session_factory() as session, session.begin():
        queued = await enqueue(
            session, 111, "sendMessage", text=text, reply_markup=KEYBOARD, dedupe_key="digest:1", on_sent="card:9"
        )
    async with session_factory() as session:
        rows = await store.in_chat(session, 111)
    assert [r.id for r in rows] == list(queued.ids) and len(rows) >= 3
    assert queued.primary_id == rows[-1].id
    payloads = [json.loads(r.payload) for r in rows]
    assert all(units(p["text"]) <= TEXT_LIMIT for p in payloads)
    assert " ".join(" ".join(p["text"] for p in payloads).split()) == " ".join(text.split())
    assert [("reply_markup" in p) for p in payloads] == [False] * (len(rows) - 1) + [True]
    assert [r.on_sent for r in rows] == [None] * (len(rows) - 1) + ["card:9"]
    assert rows[0].dedupe_key == "digest:1" and rows[1].dedupe_key == "digest:1#2"


async def test_long_caption_continues_in_follow_up_messages(session_factory):
    caption = "export notes " * 300
    async with session_factory() as session, session.begin():
        await enqueue(session, 111, "sendDocument", document="BQACAgIAAxkBAAI", caption=caption, message_thread_id=5)
    async with session_factory() as session:
        rows = await store.in_chat(session, 111)
    assert [r.method for r in rows][:2] == ["sendDocument", "sendMessage"]
    first, *rest = [json.loads(r.payload) for r in rows]
    assert units(first["caption"]) <= CAPTION_LIMIT and first["document"] == "BQACAgIAAxkBAAI"
    assert all(p["message_thread_id"] == 5 for p in rest) and all(r.message_thread_id == 5 for r in rows)
    together = " ".join([first["caption"], *(p["text"] for p in rest)])
    assert " ".join(together.split()) == " ".join(caption.split())


async def test_the_same_dedupe_key_is_queued_once(session_factory):
    async with session_factory() as session, session.begin():
        first = await enqueue(session, -100, "sendMessage", text="PD-7K3F9Q due in 7 days", dedupe_key="PD-7K3F9Q:7d")
    async with session_factory() as session, session.begin():
        again = await enqueue(session, -100, "sendMessage", text="PD-7K3F9Q due in 7 days", dedupe_key="PD-7K3F9Q:7d")
    assert again.duplicate and again.ids == first.ids
    async with session_factory() as session:
        assert len(await store.in_chat(session, -100)) == 1


async def test_reply_markup_round_trips_through_the_stored_json(session_factory):
    async with session_factory() as session, session.begin():
        queued = await enqueue(session, 111, "sendMessage", text="card", reply_markup=KEYBOARD)
    async with session_factory() as session:
        row = await store.get(session, queued.primary_id)
    method = load_method(row.method, row.payload)
    assert method.reply_markup == KEYBOARD and method.chat_id == 111 and method.text == "card"


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("sendMesage", {"text": "x"}, "unknown Bot API method"),
        ("sendMessage", {}, "text"),
        ("sendDocument", {"document": BufferedInputFile(b"a,b", "register.csv")}, "file_id or URL"),
        ("editMessageText", {"message_id": 5, "text": "x" * 5000}, "4096"),
        ("sendMessage", {"text": "x", "message_thread_id": AFTER_RESULT}, "needs `after`"),
    ],
)
async def test_what_could_never_be_sent_is_refused_at_once(session_factory, method, params, message):
    async with session_factory() as session:
        with pytest.raises(OutboxPayloadError, match=message):
            await enqueue(session, 111, method, **params)
