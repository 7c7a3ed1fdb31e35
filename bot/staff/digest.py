"""The daily digest: open requests by urgency, overdue first, in one message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.i18n import Gettext
from bot.staff import texts
from bot.staff.card import date_formatter, label, mention, q
from storage.requests import Request

DIGEST_LINES = 40


def digest_text(requests: Sequence[Request], today: date, gettext: Gettext, language: str) -> str:
    """`requests` are the open ones, most urgent first (`open_requests_by_urgency`)."""
    fmt = date_formatter(language)
    if not requests:
        return q(gettext(texts.DIGEST_EMPTY).format(date=fmt(today)))
    overdue = [r for r in requests if r.due_date is not None and r.due_date < today]
    week = [r for r in requests if r.due_date is not None and 0 <= (r.due_date - today).days <= 7]
    lines = [
        "📋 <b>" + q(gettext(texts.DIGEST_TITLE).format(
            date=fmt(today), open=len(requests), overdue=len(overdue), week=len(week))) + "</b>"
    ]  # fmt: skip
    for request in list(requests)[:DIGEST_LINES]:
        lines.append(request_line(request, today, gettext, language))
    if len(requests) > DIGEST_LINES:
        lines.append(q(gettext(texts.DIGEST_MORE).format(count=len(requests) - DIGEST_LINES)))
    return "\n".join(lines)


def request_line(request: Request, today: date, gettext: Gettext, language: str) -> str:
    """One line per request for /queue, /overdue, /find and the digest."""
    fmt = date_formatter(language)
    marker = "🔴 " if request.priority else ""
    kind = label(texts.KINDS, request.kind, gettext)
    state = label(texts.STATES, request.state, gettext)
    if request.due_date is None:
        when = gettext(texts.CARD_NO_DUE)
    else:
        days = (request.due_date - today).days
        due = fmt(request.due_date)
        if days < 0:
            when = gettext(texts.OVERDUE).format(days=-days, due=due)
        elif days == 0:
            when = gettext(texts.DUE_TODAY).format(due=due)
        else:
            when = gettext(texts.DUE_IN).format(days=days, due=due)
    line = f"{marker}<b>{q(request.reference)}</b> · {q(kind)} · {q(state)} · {q(when)}"
    if request.assignee_telegram_id is not None:
        line += " · " + mention(request.assignee_telegram_id, gettext)
    return line
