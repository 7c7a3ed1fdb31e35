"""What a reminder says: which deadline moment a request has reached, in words for the staff group.

Pure. The sweep (`bot.jobs.sweep`) decides when; this decides what. A reminder is keyed by the local
day (in the deadline's zone) it was scheduled for, so each request gets at most one per day, and the
claim row (request, day) makes it exactly one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import Gettext
from bot.staff import texts
from bot.staff.card import date_formatter, label, mention, q
from storage.requests import Request

OVERDUE = "overdue"
DUE_IN = "due_in"
EXTENSION_NOTICE = "extension_notice"
ACK = "ack"


@dataclass(frozen=True)
class DueReminder:
    request_id: int
    reference: str
    kind: str
    key: str  # the claim key: the scheduled local day, ISO
    today: date
    due: date
    days_left: int  # negative when overdue
    reasons: tuple[str, ...]
    assignee: int | None
    extension_notice_due: date | None
    ack_due: date | None
    thread_id: int | None
    card_message_id: int | None
    priority: bool


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def due_reminder(request: Request, now: datetime, reminder_days: Iterable[int]) -> DueReminder | None:
    """The reminder a request owes now (its `next_reminder_at` has passed); None without a deadline."""
    if request.due_date is None or request.due_zone is None or request.next_reminder_at is None:
        return None
    zone = request.due_zone
    scheduled = local_day(request.next_reminder_at, zone)
    today = local_day(now, zone)
    days_left = (request.due_date - today).days
    reasons: list[str] = []
    if days_left < 0:
        reasons.append(OVERDUE)
    else:
        reasons.append(DUE_IN)
    notice = None if request.extended else request.extension_notice_due
    if notice is not None and notice == today:
        reasons.append(EXTENSION_NOTICE)
    if request.ack_due is not None and request.ack_due == today:
        reasons.append(ACK)
    del reminder_days  # thresholds shape the schedule (next_reminder_at), not the wording
    return DueReminder(
        request_id=request.id, reference=request.reference, kind=request.kind, key=scheduled.isoformat(),
        today=today, due=request.due_date, days_left=days_left, reasons=tuple(reasons),
        assignee=request.assignee_telegram_id, extension_notice_due=notice, ack_due=request.ack_due,
        thread_id=request.staff_topic_id, card_message_id=request.staff_chat_message_id,
        priority=bool(request.priority),
    )  # fmt: skip


def reminder_line(reminder: DueReminder, gettext: Gettext, language: str) -> str:
    fmt = date_formatter(language)
    due = fmt(reminder.due)
    if reminder.days_left < 0:
        status = gettext(texts.OVERDUE).format(days=-reminder.days_left, due=due)
    elif reminder.days_left == 0:
        status = gettext(texts.DUE_TODAY).format(due=due)
    else:
        status = gettext(texts.DUE_IN).format(days=reminder.days_left, due=due)
    parts = [q(status)]
    if EXTENSION_NOTICE in reminder.reasons and reminder.extension_notice_due:
        parts.append(q(gettext(texts.EXTENSION_NOTICE).format(date=fmt(reminder.extension_notice_due))))
    if ACK in reminder.reasons and reminder.ack_due:
        parts.append(q(gettext(texts.ACK_DUE).format(date=fmt(reminder.ack_due))))
    if OVERDUE in reminder.reasons:
        if reminder.assignee is not None:
            who = q(gettext(texts.ATTENTION).format(assignee="\x00")).replace(
                "\x00", mention(reminder.assignee, gettext)
            )
        else:
            who = q(gettext(texts.NOBODY_ASSIGNED))
        parts.append(who)
    marker = "🔴 " if reminder.priority else ""
    kind = q(label(texts.KINDS, reminder.kind, gettext))
    return f"{marker}<b>{q(reminder.reference)}</b> ({kind}): " + "; ".join(parts)


MESSAGE_BUDGET = 3800  # characters of one grouped message (Telegram allows 4,096)


def reminders_messages(reminders: list[DueReminder], gettext: Gettext, language: str) -> list[str]:
    """The grouped reminder text, most urgent first, cut between lines into messages Telegram accepts."""
    ordered = sorted(reminders, key=lambda r: (r.days_left, not r.priority, r.reference))
    if len(ordered) == 1:
        header = q(gettext(texts.REMINDER_ONE))
    else:
        header = q(gettext(texts.REMINDER_MANY).format(count=len(ordered)))
    messages: list[str] = []
    current = f"⏰ <b>{header}</b>"
    for reminder in ordered:
        line = reminder_line(reminder, gettext, language)
        if len(current) + 1 + len(line) > MESSAGE_BUDGET:
            messages.append(current)
            current = line
        else:
            current += "\n" + line
    messages.append(current)
    return messages


def reminders_text(reminders: list[DueReminder], gettext: Gettext, language: str) -> str:
    return "\n".join(reminders_messages(reminders, gettext, language))
