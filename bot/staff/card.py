"""A request's card for the staff group: what staff need to act, and the buttons they may press now.

Pure rendering: the request row, its attachments and a `gettext` in, HTML text and an inline keyboard
(plain dicts, stored as JSON by the outbox) out. Callback data is `sa:<action>:<request id>`; the
staff handlers parse it with their `StaffAction` class and authorise every press on the server side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from babel.dates import format_date

from bot.deadlines import render_explanation
from bot.deadlines.calendars import local_date
from bot.i18n import Gettext
from bot.kinds import RequestKind
from bot.requests.lifecycle import (
    Action,
    ActorRole,
    State,
    TransitionNotAllowed,
    allowed_actions,
    check_extension,
)
from bot.requests.service import PLAIN, Cipher, deadline_for, read_details
from bot.staff import texts
from storage.requests import Attachment, Request

CARD_LIMIT = 4000  # an edited text cannot be split: keep the card under Telegram's 4,096
DETAIL_LIMIT = 600
DETAILS_TOTAL = 1800
CALLBACK_PREFIX = "sa"
BUTTON_ACTIONS: tuple[Action, ...] = tuple(texts.BUTTONS)


def action_data(action: Action | str, request_id: int) -> str:
    return f"{CALLBACK_PREFIX}:{action}:{request_id}"


def q(value: Any) -> str:
    return escape(str(value), quote=False)


def mention(user_id: int, gettext: Gettext) -> str:
    """A link that notifies the staff member without the bot storing their name."""
    label = gettext(texts.STAFF_MEMBER).format(id=user_id)
    return f'<a href="tg://user?id={int(user_id)}">{q(label)}</a>'


def date_formatter(language: str) -> Callable[[date], str]:
    return lambda day: format_date(day, format="long", locale=language)


def label(table: dict[str, str], key: str | None, gettext: Gettext) -> str:
    if key is None:
        return ""
    return gettext(table[key]) if key in table else str(key)


def is_minor_case(request: Request, details: dict[str, Any]) -> bool:
    return request.requester_type == "guardian" or bool(details.get("minor"))


def can_extend_now(request: Request, now: datetime) -> bool:
    """Extend is offered only where the regimes allow it and while the notice date has not passed."""
    if Action.EXTEND not in allowed_actions(request.state, ActorRole.STAFF):
        return False
    result = deadline_for(request)
    try:
        check_extension(
            state=request.state,
            extended=bool(request.extended),
            can_extend=result is not None and result.can_extend,
            notice_due=result.extension_notice_due if result else None,
            today=local_date(now, result.zone) if result else now.date(),
        )
    except TransitionNotAllowed:
        return False
    return True


def card_actions(request: Request, now: datetime) -> list[Action]:
    allowed = set(allowed_actions(request.state, ActorRole.STAFF))
    shown = [a for a in BUTTON_ACTIONS if a in allowed]
    if Action.EXTEND in shown and not can_extend_now(request, now):
        shown.remove(Action.EXTEND)
    return shown


def keyboard(request: Request, now: datetime, gettext: Gettext) -> dict[str, Any]:
    buttons = [
        {"text": gettext(texts.BUTTONS[action]), "callback_data": action_data(action, request.id)}
        for action in card_actions(request, now)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return {"inline_keyboard": rows}


def _flatten(details: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested answers as `answers / jurisdiction: eea` lines rather than a printed dict."""
    items: list[tuple[str, Any]] = []
    for key, value in details.items():
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, dict) and value:
            items.extend(_flatten(value, f"{name} / "))
        elif isinstance(value, list | tuple):
            items.append((name, ", ".join(str(item) for item in value) or "—"))
        else:
            items.append((name, value))
    return items


def _details_lines(details: dict[str, Any], gettext: Gettext) -> list[str]:
    if not details:
        return [gettext(texts.CARD_NOTHING_ASKED)]
    lines = [gettext(texts.CARD_ASKED)]
    budget = DETAILS_TOTAL
    for key, value in _flatten(details):
        shown = value if isinstance(value, str) else str(value)
        if len(shown) > DETAIL_LIMIT:
            shown = shown[:DETAIL_LIMIT] + "…"
        line = f"• <i>{q(key)}</i>: {q(shown)}"
        budget -= len(line)
        if budget < 0:
            lines.append("• …")
            break
        lines.append(line)
    return lines


def topic_name(request: Request, gettext: Gettext) -> str:
    marker = "🔴 " if request.priority else ""
    return f"{marker}{request.reference} · {label(texts.KINDS, request.kind, gettext)}"[:128]


def render_card(
    request: Request,
    attachments: Sequence[Attachment],
    *,
    gettext: Gettext,
    language: str,
    now: datetime,
    cipher: Cipher | None = None,
) -> str:
    details = read_details(request, cipher or PLAIN)
    fmt = date_formatter(language)
    lines: list[str] = []
    minor = is_minor_case(request, details)
    if request.priority or minor:
        why = [gettext(texts.PRIORITY_VOICE)] if request.kind == RequestKind.VOICE_TAKEDOWN else []
        if minor:
            why.append(gettext(texts.PRIORITY_MINOR))
        lines.append(f"🔴 <b>{q(gettext(texts.PRIORITY))}</b>" + (f": {q(', '.join(why))}" if why else ""))
    lines.append(f"<b>{q(request.reference)}</b>")
    lines.append(q(gettext(texts.CARD_KIND).format(kind=label(texts.KINDS, request.kind, gettext))))
    lines.append(q(gettext(texts.CARD_JURISDICTION).format(
        jurisdiction=request.jurisdiction.upper(), regimes=", ".join(request.regime_list) or "-")))  # fmt: skip
    lines.append(q(gettext(texts.CARD_REQUESTER).format(
        requester=label(texts.REQUESTER_TYPES, request.requester_type, gettext))))  # fmt: skip
    lines.append(q(gettext(texts.CARD_STATE).format(state=label(texts.STATES, request.state, gettext))))
    if request.verified_at is not None:
        method = label(texts.VERIFICATION_METHODS, request.verification_method, gettext)
        lines.append(q(gettext(texts.CARD_VERIFIED).format(method=method)))
    elif request.state == State.AWAITING_VERIFICATION:
        lines.append(q(gettext(texts.CARD_UNVERIFIED)))
    if request.is_processor_case:
        lines.append(q(gettext(texts.CARD_PROCESSOR)))
    if request.closed_at is not None:
        lines.append(q(gettext(texts.CARD_CLOSED).format(
            date=fmt(request.closed_at.date()), outcome=label(texts.STATES, request.outcome, gettext))))  # fmt: skip
    elif request.due_date is not None:
        lines.append("<b>" + q(gettext(texts.CARD_DUE).format(due=fmt(request.due_date), zone=request.due_zone)) + "</b>")
        result = deadline_for(request)
        if result is not None:
            explanation = render_explanation(result, gettext, fmt)
            lines.append(q(gettext(texts.CARD_WHY).format(explanation=explanation[:DETAIL_LIMIT])))
    else:
        lines.append(q(gettext(texts.CARD_NO_DUE)))
    if request.extended:
        reason = label(texts.EXTEND_REASONS, request.extension_reason, gettext)
        lines.append(q(gettext(texts.CARD_EXTENDED).format(reason=reason)))
    if request.pause_started_at is not None and request.state == State.AWAITING_REQUESTER:
        lines.append(q(gettext(texts.CARD_PAUSED).format(date=fmt(request.pause_started_at.date()))))
    if request.assignee_telegram_id is not None:
        lines.append(q(gettext(texts.CARD_ASSIGNEE).format(assignee="\x00")).replace(
            "\x00", mention(request.assignee_telegram_id, gettext)))  # fmt: skip
    elif request.state in {s.value for s in (State.AWAITING_VERIFICATION, State.OPEN, State.AWAITING_REQUESTER)}:
        lines.append(q(gettext(texts.CARD_UNASSIGNED)))
    lines.append("")
    lines += _details_lines(details, gettext)
    if attachments:
        lines.append(q(gettext(texts.CARD_EVIDENCE).format(count=len(attachments))))
    text = "\n".join(lines)
    if len(text) > CARD_LIMIT:
        text = text[:CARD_LIMIT]
        text = text[: text.rfind("\n")] + "\n…"
    return text
