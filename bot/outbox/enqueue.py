"""The API business code calls to send a message: a row in the caller's own transaction, no commit.

If the caller's transaction rolls back, nothing is sent; once it commits, the sender delivers the row.
Parameters are validated against aiogram's method model now (a typo fails in the business code, not
hours later in the worker) and stored as JSON, so files must be given by file_id or URL.

    await enqueue(session, staff_chat_id, "sendMessage", text=card_html, reply_markup=keyboard,
                  dedupe_key=f"card:{request.id}", on_sent=f"card:{request.id}")
    topic = await enqueue(session, staff_chat_id, "createForumTopic", name=reference)
    await enqueue(session, staff_chat_id, "sendMessage", text=card_html,
                  message_thread_id=AFTER_RESULT, after=topic)   # the new topic's id, once it exists
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import aiogram.methods
from aiogram.methods.base import TelegramMethod
from aiogram.types import InputFile
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox as store
from storage.base import utcnow

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CAPTION_METHODS = frozenset(
    {"sendDocument", "sendPhoto", "sendVideo", "sendAudio", "sendAnimation", "sendVoice", "copyMessage"}
)
AFTER_KEY = "$after"
# Parameters that belong to the first part of a split message, and those that go with every part.
FIRST_PART_ONLY = ("reply_parameters", "reply_to_message_id", "allow_sending_without_reply")
EVERY_PART = (
    "message_thread_id", "parse_mode", "disable_notification", "protect_content", "link_preview_options",
    "business_connection_id", "message_effect_id",
)


class OutboxPayloadError(ValueError):
    """The message cannot be queued as given (unknown method, invalid parameters, a file object)."""


class _AfterResult:
    """Placeholder for the id the `after` row produced (its message_id, or a new topic's thread id)."""

    def __repr__(self) -> str:
        return "AFTER_RESULT"


AFTER_RESULT: Any = _AfterResult()


@dataclass(frozen=True)
class Enqueued:
    """The rows queued, in send order. `primary_id` carries `on_sent` and the buttons: target it with
    `after=` to edit the message later. `duplicate` means the dedupe key was already queued."""

    ids: tuple[int, ...]
    primary_id: int
    duplicate: bool = False


@cache
def _method_classes() -> dict[str, type[TelegramMethod[Any]]]:
    classes: dict[str, type[TelegramMethod[Any]]] = {}
    for name in dir(aiogram.methods):
        candidate = getattr(aiogram.methods, name)
        if isinstance(candidate, type) and issubclass(candidate, TelegramMethod):
            api_name = getattr(candidate, "__api_method__", None)
            if isinstance(api_name, str):
                classes[api_name] = candidate
    return classes


def method_class(method: str) -> type[TelegramMethod[Any]]:
    try:
        return _method_classes()[method]
    except KeyError:
        raise OutboxPayloadError(f"unknown Bot API method {method!r}") from None


def load_method(method: str, payload: str, after_result: int | None = None) -> TelegramMethod[Any]:
    """The aiogram method object for a stored row, placeholders filled with `after_result`."""
    data = json.loads(payload)
    fields = data.pop(AFTER_KEY, [])
    if fields and after_result is None:
        raise OutboxPayloadError("the message it depends on was not sent")
    for name in fields:
        data[name] = after_result
    return method_class(method).model_validate(data)


def _contains_file(value: Any) -> bool:
    if isinstance(value, InputFile):
        return True
    if isinstance(value, dict):
        return any(_contains_file(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_file(v) for v in value)
    return False


def dump_payload(method: str, chat_id: int, params: dict[str, Any]) -> str:
    cls = method_class(method)
    if _contains_file(params):
        raise OutboxPayloadError("outbox messages are stored as JSON: give files by file_id or URL")
    placeholders = sorted(name for name, value in params.items() if value is AFTER_RESULT)
    concrete = {name: (1 if value is AFTER_RESULT else value) for name, value in params.items()}
    try:
        model = cls(chat_id=chat_id, **concrete)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise OutboxPayloadError(f"{method}: {where}: {first.get('msg')}") from None
    data = model.model_dump(mode="json", exclude_unset=True)
    for name in placeholders:
        data.pop(name, None)
    if placeholders:
        data[AFTER_KEY] = placeholders
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------------
# Splitting long texts (HTML-aware: tags open at a cut are closed and reopened in the next part)

_HTML_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|.", re.S)
_TAG = re.compile(r"<(/?)\s*([a-zA-Z][\w-]*)")
_ANY_TAG = re.compile(r"<[^<>]*>")


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _apply(stack: tuple[tuple[str, str], ...], atom: str) -> tuple[tuple[str, str], ...]:
    match = _TAG.match(atom) if atom.startswith("<") else None
    if match is None:
        return stack
    closing, name = match.group(1), match.group(2).lower()
    if not closing:
        return (*stack, (name, atom))
    for index in range(len(stack) - 1, -1, -1):
        if stack[index][0] == name:
            return stack[:index] + stack[index + 1 :]
    return stack


def _closing(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def split_text(text: str, limit: int, *, html: bool = True, first_limit: int | None = None) -> list[str]:
    """Parts of at most `limit` units (the first at most `first_limit`), cut at a line break or space
    in the second half of a part when there is one, never inside an HTML tag or entity."""
    if units(text) <= (first_limit or limit):
        return [text]
    atoms = _HTML_ATOM.findall(text) if html else list(text)
    parts: list[str] = []
    stack: tuple[tuple[str, str], ...] = ()
    i, count = 0, len(atoms)
    while i < count:
        if parts:
            while i < count and atoms[i] in (" ", "\n"):
                i += 1
            if i >= count:
                break
        budget = first_limit if (first_limit and not parts) else limit
        prefix = "".join(tag for _, tag in stack)
        size, current, j = units(prefix), stack, i
        line_break = space = None
        while j < count:
            after = _apply(current, atoms[j]) if html else current
            if size + units(atoms[j]) + units(_closing(after)) > budget:
                break
            size, current, j = size + units(atoms[j]), after, j + 1
            if atoms[j - 1] == "\n":
                line_break = (j, current)
            elif atoms[j - 1] == " ":
                space = (j, current)
        half = i + (j - i) // 2
        if j >= count:
            cut, cut_stack = count, current
        elif line_break and line_break[0] > half:
            cut, cut_stack = line_break
        elif space and space[0] > half:
            cut, cut_stack = space
        elif j > i:
            cut, cut_stack = j, current
        else:  # a single tag longer than the budget: it cannot be cut, send it whole
            cut, cut_stack = i + 1, (_apply(current, atoms[i]) if html else current)
        part = (prefix + "".join(atoms[i:cut])).rstrip(" \n") + _closing(cut_stack)
        if _ANY_TAG.sub("", part).strip() if html else part.strip():
            parts.append(part)
        stack, i = cut_stack, cut
    return parts


def _is_html(params: dict[str, Any]) -> bool:
    """The bot's default parse mode is HTML (bot.app.create_bot); an explicit other mode is not."""
    mode = params.get("parse_mode", "HTML")
    return mode is not None and str(mode).lower() == "html"


@dataclass
class _Part:
    method: str
    params: dict[str, Any]
    primary: bool = False


def _split(method: str, params: dict[str, Any]) -> list[_Part]:
    if method in ("sendMessage", "editMessageText") and isinstance(params.get("text"), str):
        text = params["text"]
        if units(text) <= TEXT_LIMIT:
            return [_Part(method, params, primary=True)]
        if method == "editMessageText":
            raise OutboxPayloadError("an edited text cannot be longer than 4096 characters")
        if params.get("entities"):
            raise OutboxPayloadError("a text with explicit entities cannot be split; shorten it")
        chunks = split_text(text, TEXT_LIMIT, html=_is_html(params))
        parts = []
        for index, chunk in enumerate(chunks):
            first, last = index == 0, index == len(chunks) - 1
            part = {k: v for k, v in params.items() if k != "reply_markup" or last}
            if not first:
                part = {k: v for k, v in part.items() if k not in FIRST_PART_ONLY}
            parts.append(_Part(method, {**part, "text": chunk}, primary=last))
        return parts
    caption = params.get("caption")
    if method in CAPTION_METHODS | {"editMessageCaption"} and isinstance(caption, str):
        if units(caption) <= CAPTION_LIMIT:
            return [_Part(method, params, primary=True)]
        if method == "editMessageCaption":
            raise OutboxPayloadError("an edited caption cannot be longer than 1024 characters")
        if params.get("caption_entities"):
            raise OutboxPayloadError("a caption with explicit entities cannot be split; shorten it")
        html = _is_html(params)
        head, *rest = split_text(caption, TEXT_LIMIT, html=html, first_limit=CAPTION_LIMIT)
        parts = [_Part(method, {**params, "caption": head}, primary=True)]
        shared = {k: v for k, v in params.items() if k in EVERY_PART}
        parts += [_Part("sendMessage", {**shared, "text": chunk}) for chunk in rest]
        return parts
    return [_Part(method, params, primary=True)]


# ---------------------------------------------------------------------------------------------------
# Writing rows


def _insert(session: AsyncSession):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(store.OutboxMessage)
    if dialect == "sqlite":
        return sqlite.insert(store.OutboxMessage)
    raise OutboxPayloadError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")


def _thread_id(params: dict[str, Any]) -> int | None:
    value = params.get("message_thread_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def enqueue(
    session: AsyncSession,
    chat_id: int,
    method: str,
    /,
    *,
    dedupe_key: str | None = None,
    on_sent: str | None = None,
    after: int | Enqueued | None = None,
    not_before: datetime | None = None,
    **params: Any,
) -> Enqueued:
    """Queue `method(chat_id=chat_id, **params)` in the caller's transaction (flushed, not committed).

    - `dedupe_key`: the same logical message is queued once; a second call returns the first rows with
      `duplicate=True` (e.g. "PD-7K3F9Q:7d").
    - `on_sent`: "<hook>:<argument>"; the sender calls the hook registered under <hook> once the message
      is sent (with its Telegram result) or has failed for good.
    - `after`: a row (or `Enqueued`) that must be finished first; parameters set to `AFTER_RESULT` get
      that row's result (message_id, or message_thread_id of a created topic).
    - Texts over 4,096 characters become several messages in order (buttons on the last), captions over
      1,024 continue in follow-up messages.
    """
    if isinstance(chat_id, bool) or not isinstance(chat_id, int):
        raise OutboxPayloadError("chat_id must be an integer chat id")
    if (dedupe_key is not None and len(dedupe_key) > 240) or (on_sent is not None and len(on_sent) > 128):
        raise OutboxPayloadError("dedupe_key is limited to 240 characters and on_sent to 128")
    after_id = after.primary_id if isinstance(after, Enqueued) else after
    if any(value is AFTER_RESULT for value in params.values()) and after_id is None:
        raise OutboxPayloadError("AFTER_RESULT needs `after`")
    parts = _split(method, params)
    payloads = [dump_payload(part.method, chat_id, part.params) for part in parts]
    now = utcnow()
    due = max(now, not_before) if not_before is not None else now
    ids: list[int] = []
    primary_id: int | None = None
    for index, (part, payload) in enumerate(zip(parts, payloads, strict=True)):
        key = None if dedupe_key is None else (dedupe_key if index == 0 else f"{dedupe_key}#{index + 1}")
        statement = _insert(session).values(
            created_at=now,
            chat_id=chat_id,
            message_thread_id=_thread_id(part.params),
            method=part.method,
            payload=payload,
            dedupe_key=key,
            on_sent=on_sent if part.primary else None,
            after_id=after_id,
            state=store.OutboxState.PENDING.value,
            attempts=0,
            next_attempt_at=due,
        )
        if key is not None:
            statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
        row_id = await session.scalar(statement.returning(store.OutboxMessage.id))
        if row_id is None:  # only the first part can meet its key: the whole message was queued before
            existing = await store.by_dedupe_key(session, key or "")
            existing_id = existing.id if existing is not None else 0
            return Enqueued((existing_id,), existing_id, duplicate=True)
        ids.append(row_id)
        if part.primary:
            primary_id = row_id
    return Enqueued(tuple(ids), primary_id if primary_id is not None else ids[-1])

