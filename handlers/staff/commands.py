"""Staff-group commands: /queue, /overdue, /req REF, /find, /stats, /register, /cancel.

They answer only in the staff group and only to staff (the router is filtered on the group's id).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.requests.reference import normalize_reference
from bot.requests.service import read_details
from bot.staff.card import date_formatter
from bot.staff.desk import StaffDesk
from bot.staff.digest import request_line
from bot.staff.permissions import StaffGate
from bot.staff.register import register_csv
from bot.staff.stats import compute_stats, stats_chart, stats_text
from bot.subjects import find_subject
from handlers.staff.common import is_staff, now_utc
from handlers.texts import answer_long
from storage import staff as store
from storage.requests import open_requests_by_urgency, request_by_reference, requests_of_subject

LIST_LIMIT = 50
FIND_SCAN_LIMIT = 5000
DEFAULT_STATS_DAYS = 30
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_range(args: str | None, default_days: int, today: date) -> tuple[date, date] | None:
    """`N` (last N days), `FROM TO` (inclusive dates), or nothing (the default)."""
    parts = (args or "").split()
    if not parts:
        return today - timedelta(days=default_days - 1), today
    if len(parts) == 1 and parts[0].isdigit() and 0 < int(parts[0]) <= 3660:
        return today - timedelta(days=int(parts[0]) - 1), today
    if len(parts) == 2 and all(_DATE.match(p) for p in parts):
        try:
            start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
        except ValueError:
            return None
        return (start, end) if start <= end else None
    return None


def bold(text: str) -> str:
    return f"<b>{text}</b>"


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), tzinfo=UTC), datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC)


async def send_lines(message: Message, header: str, lines: list[str]) -> None:
    await answer_long(message, "\n".join([header, *lines]))


async def send_request_list(message: Message, requests, staff_desk: StaffDesk, empty: str, title: str) -> None:
    """A list of requests, one line each (or `empty` when there are none)."""
    if not requests:
        await message.answer(empty)
        return
    today = now_utc().date()
    lines = [request_line(r, today, staff_desk.gettext, staff_desk.language) for r in requests]
    await send_lines(message, bold(title), lines)


def build_router(settings: Settings) -> Router:
    router = Router(name="staff_commands")

    async def staff_only(message: Message, bot: Bot, staff_gate: StaffGate) -> bool:
        user_id = message.from_user.id if message.from_user else None
        return await is_staff(user_id, bot=bot, settings=settings, staff_gate=staff_gate)

    @router.message(Command("queue"))
    async def on_queue(message: Message, session: AsyncSession, bot: Bot, staff_gate: StaffGate,
                       staff_desk: StaffDesk) -> None:  # fmt: skip
        if not await staff_only(message, bot, staff_gate):
            return
        gettext = staff_desk.gettext
        requests = await open_requests_by_urgency(session, limit=LIST_LIMIT)
        await send_request_list(
            message, requests, staff_desk, gettext("No open requests."), gettext("Open requests, most urgent first:")
        )

    @router.message(Command("overdue"))
    async def on_overdue(message: Message, session: AsyncSession, bot: Bot, staff_gate: StaffGate,
                         staff_desk: StaffDesk) -> None:  # fmt: skip
        if not await staff_only(message, bot, staff_gate):
            return
        gettext = staff_desk.gettext
        requests = await store.overdue_requests(session, now_utc(), limit=LIST_LIMIT)
        await send_request_list(message, requests, staff_desk, gettext("Nothing is overdue."), gettext("Overdue requests:"))

    @router.message(Command("req"))
    async def on_req(message: Message, command: CommandObject, session: AsyncSession, bot: Bot,
                     staff_gate: StaffGate, staff_desk: StaffDesk) -> None:  # fmt: skip
        if not await staff_only(message, bot, staff_gate):
            return
        gettext = staff_desk.gettext
        reference = normalize_reference(command.args or "")
        request = await request_by_reference(session, reference) if reference else None
        if request is None:
            await message.answer(gettext("No request with that reference. Usage: /req PD-XXXXXX"))
            return
        text, markup = await staff_desk.render(session, request)
        await message.answer(text, reply_markup=InlineKeyboardMarkup.model_validate(markup))

    @router.message(Command("find"))
    async def on_find(message: Message, command: CommandObject, session: AsyncSession, bot: Bot,
                      staff_gate: StaffGate, staff_desk: StaffDesk) -> None:  # fmt: skip
        if not await staff_only(message, bot, staff_gate):
            return
        gettext = staff_desk.gettext
        query = (command.args or "").strip()
        if not query:
            await message.answer(gettext("Usage: /find PD-XXXXXX, a Telegram user id, or an email address"))
            return
        found = []
        reference = normalize_reference(query)
        if reference:
            request = await request_by_reference(session, reference)
            found = [request] if request else []
        elif query.lstrip("-").isdigit():
            subject = await find_subject(session, int(query))
            found = await requests_of_subject(session, subject.id) if subject else []
        elif "@" in query:
            needle = query.lower()
            for request in await store.recent_requests(session, FIND_SCAN_LIMIT):
                try:
                    details = read_details(request, staff_desk.cipher)
                except Exception:  # a value written under another key: not a match
                    continue
                if any(needle in str(value).lower() for value in details.values()):
                    found.append(request)
        if not found:
            await message.answer(gettext("Nothing found."))
            return
        today = now_utc().date()
        lines = [request_line(r, today, gettext, staff_desk.language) for r in found[:LIST_LIMIT]]
        await send_lines(message, bold(gettext("Found:")), lines)

    @router.message(Command("stats"))
    async def on_stats(message: Message, command: CommandObject, session: AsyncSession, bot: Bot,
                       staff_gate: StaffGate, staff_desk: StaffDesk) -> None:  # fmt: skip
        if not await staff_only(message, bot, staff_gate):
            return
        gettext = staff_desk.gettext
        period = parse_range(command.args, DEFAULT_STATS_DAYS, now_utc().date())
        if period is None:
            await message.answer(gettext("Usage: /stats, /stats 90 (last 90 days) or /stats 2026-01-01 2026-03-31"))
            return
        start, end = bounds(*period)
        stats = await compute_stats(session, start, end)
        text = stats_text(stats, gettext, date_formatter(staff_desk.language))
        png = stats_chart(stats, gettext)
        caption = text if len(text) <= 1000 else None
        await message.answer_photo(BufferedInputFile(png, filename="stats.png"), caption=caption)
        if caption is None:
            await message.answer(text)

    @router.message(Command("register"))
    async def on_register(message: Message, command: CommandObject, session: AsyncSession, bot: Bot,
                          staff_gate: StaffGate, staff_desk: StaffDesk) -> None:  # fmt: skip
        if not await staff_only(message, bot, staff_gate):
            return
        gettext = staff_desk.gettext
        period = parse_range(command.args, 365, now_utc().date())
        if period is None:
            await message.answer(gettext("Usage: /register 2026-01-01 2026-12-31 (dates received, inclusive)"))
            return
        start, end = bounds(*period)
        data = await register_csv(session, start, end)
        name = f"register_{period[0].isoformat()}_{period[1].isoformat()}.csv"
        caption = gettext("Request register, received {start} to {end}: {count} request(s).").format(
            start=period[0].isoformat(), end=period[1].isoformat(), count=max(data.count("\n") - 1, 0)
        )
        await message.answer_document(BufferedInputFile(data.encode("utf-8"), filename=name), caption=caption)

    @router.message(Command("cancel"))
    async def on_cancel(message: Message, state: FSMContext, staff_desk: StaffDesk) -> None:
        await state.clear()
        await message.answer(staff_desk.gettext("Cancelled."))

    return router
