"""Shared pieces of the request handlers: the form kept (encrypted) in FSM data, dates, per-user locks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from babel.dates import format_date

from bot.deadlines import zone_for
from bot.intake.form import FormContext
from bot.intake.jurisdictions import not_served
from bot.policy import Policy
from bot.requests.service import PLAIN, Cipher
from storage.requests import Request


class Intake(StatesGroup):
    filling = State()


class AddInfo(StatesGroup):
    waiting = State()


def form_context(policy: Policy, email_verification: Any, linked: bool) -> FormContext:
    return FormContext(
        processor_case=policy.processor_case is not None,
        email_available=email_verification is not None,
        linked_account=linked,
        not_served=not_served(policy),
    )


async def load_form_data(state: FSMContext, cipher: Cipher | None) -> dict[str, Any] | None:
    data = await state.get_data()
    blob = data.get("form")
    if not blob:
        return None
    try:
        return json.loads((cipher or PLAIN).decrypt(blob))
    except Exception:  # a key changed or the row is damaged: the form cannot continue
        return None


def encode_form(cipher: Cipher | None, form: dict[str, Any]) -> str:
    return (cipher or PLAIN).encrypt(json.dumps(form, ensure_ascii=False))


async def save_form_data(state: FSMContext, cipher: Cipher | None, form: dict[str, Any]) -> None:
    data = await state.get_data()
    data["form"] = encode_form(cipher, form)
    await state.set_data(data)


def long_date(value: date | None, lang: str) -> str:
    return format_date(value, format="long", locale=lang) if value else ""


def local_received(request: Request) -> date:
    zone = request.due_zone or zone_for(request.jurisdiction)
    received: datetime = request.received_at
    return received.astimezone(ZoneInfo(zone)).date()


def attachment_of(message: Message) -> dict[str, str] | None:
    """The file a message carries, as Telegram ids only (the bot never downloads it)."""
    if message.voice:
        file, kind = message.voice, "voice"
    elif message.audio:
        file, kind = message.audio, "audio"
    elif message.document:
        mime = message.document.mime_type or ""
        file, kind = message.document, "audio" if mime.startswith("audio/") else "document"
    elif message.photo:
        file, kind = message.photo[-1], "photo"
    else:
        return None
    return {"file_id": file.file_id, "file_unique_id": file.file_unique_id, "kind": kind}


class UserLocks:
    """One update at a time per person for the steps that write (two Confirms at once create one request)."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        async with self._locks.setdefault(user_id, asyncio.Lock()):
            yield
