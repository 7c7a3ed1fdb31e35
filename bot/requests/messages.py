"""What a request change tells people: notifications as plain data, and their texts for requesters.

The service returns `Notification`s; the caller writes them to the outbox in the same transaction.
Params are JSON-safe (dates as ISO strings) so an outbox row can hold them; `render` turns a requester
notification into text in the reader's language. Staff notifications carry no text: the staff desk
renders its card from the request itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from babel.dates import format_date

from bot.i18n import N_, Gettext
from bot.kinds import RequestKind
from bot.requests.lifecycle import ExtendReason, RejectReason

REQUESTER = "requester"
STAFF = "staff"

# Requester message keys.
RECEIVED = "request.received"
RECEIVED_UNVERIFIED = "request.received_unverified"
RECEIVED_NO_DUE = "request.received_no_due"
VERIFIED = "request.verified"
QUESTION = "request.question"
EXTENDED = "request.extended"
COMPLETED = "request.completed"
REJECTED = "request.rejected"
WITHDRAWN = "request.withdrawn"
CLOSED_UNVERIFIED = "request.closed_unverified"
FORWARDED = "request.forwarded"

# Staff message keys (the staff desk builds the card from the request row).
STAFF_NEW = "staff.request_new"
STAFF_CHANGED = "staff.request_changed"
STAFF_FORWARD = "staff.request_forward_to_controller"

TEXTS: dict[str, str] = {
    RECEIVED: N_("We have received your request {reference} ({kind}). The answer is due by {due}."),
    RECEIVED_UNVERIFIED: N_(
        "We have received your request {reference} ({kind}). Before we act on it we need to confirm "
        "that it is you. The answer is due by {due}."
    ),
    RECEIVED_NO_DUE: N_("We have received your request {reference} ({kind})."),
    VERIFIED: N_("Your identity is confirmed for request {reference}. The answer is due by {due}."),
    QUESTION: N_("The privacy team has a question about your request {reference}:\n\n{question}"),
    EXTENDED: N_(
        "We need more time for your request {reference}: {reason}. The new date for our answer is {due}."
    ),
    COMPLETED: N_("Your request {reference} has been completed."),
    REJECTED: N_("We cannot fulfil your request {reference}: {reason}."),
    WITHDRAWN: N_("Your request {reference} has been withdrawn. Nothing more will be done with it."),
    CLOSED_UNVERIFIED: N_(
        "Your request {reference} was closed because we could not confirm your identity within {days} days. "
        "You can make a new request at any time."
    ),
    FORWARDED: N_(
        "Your request {reference} concerns data that {controller} controls; we process it only on their "
        "behalf and may not answer it without their instructions. We have passed your request to them, "
        "and they will answer you."
    ),
}

CONTROLLER_UNKNOWN = N_("the business customer who provided it")

KIND_LABELS: dict[RequestKind, str] = {
    RequestKind.ACCESS: N_("a copy of your data"),
    RequestKind.RECTIFICATION: N_("correction of your data"),
    RequestKind.ERASURE: N_("deletion of your data"),
    RequestKind.RESTRICTION: N_("restriction of processing"),
    RequestKind.PORTABILITY: N_("an export of your data"),
    RequestKind.OBJECTION: N_("objection to processing"),
    RequestKind.WITHDRAW_CONSENT: N_("withdrawal of consent"),
    RequestKind.OPT_OUT_SALE: N_("opt-out of sale or sharing"),
    RequestKind.LIMIT_SENSITIVE: N_("limiting the use of sensitive data"),
    RequestKind.VOICE_TAKEDOWN: N_("takedown of a cloned voice"),
    RequestKind.OTHER: N_("a question to the privacy team"),
}

REJECT_REASONS: dict[RejectReason, str] = {
    RejectReason.IDENTITY_NOT_VERIFIED: N_("we could not confirm your identity"),
    RejectReason.MANIFESTLY_UNFOUNDED: N_("the request is manifestly unfounded or excessive"),
    RejectReason.LEGAL_OBLIGATION: N_("the law requires us to keep this data"),
    RejectReason.NO_DATA: N_("we hold no data about you"),
}

EXTEND_REASONS: dict[ExtendReason, str] = {
    ExtendReason.COMPLEX: N_("the request is complex"),
    ExtendReason.MANY_REQUESTS: N_("we have received a large number of requests"),
}

_DATE_PARAMS = ("due",)


@dataclass(frozen=True)
class Notification:
    """One message to queue: to the requester (chat_id, language) or to the staff group."""

    audience: str
    key: str
    request_id: int
    reference: str
    params: dict[str, Any] = field(default_factory=dict)
    chat_id: int | None = None
    language: str | None = None


def kind_label(kind: str, gettext: Gettext) -> str:
    try:
        return gettext(KIND_LABELS[RequestKind(kind)])
    except (KeyError, ValueError):
        return str(kind)


def reason_label(params: dict[str, Any], gettext: Gettext) -> str:
    """A reject or extend reason in words; `other` is the staff's own text."""
    code, text = params.get("reason"), params.get("reason_text")
    labels: dict[str, str] = {**REJECT_REASONS, **EXTEND_REASONS}
    if code in labels:
        return gettext(labels[code])
    return str(text or code or "")


def render(notification: Notification, gettext: Gettext, language: str = "en", *, html: bool = False) -> str:
    """The requester-facing text of a notification, translated first and filled after.

    html=True escapes every filled-in value (a staff question, a reason text) for parse_mode HTML.
    """
    template = TEXTS.get(notification.key)
    if template is None:
        raise KeyError(f"no requester text for {notification.key}")
    params: dict[str, Any] = dict(notification.params)
    for name in _DATE_PARAMS:
        value = params.get(name)
        if isinstance(value, str) and value:
            params[name] = format_date(date.fromisoformat(value), format="long", locale=language)
    if "kind" in params:
        params["kind"] = kind_label(params["kind"], gettext)
    if "reason" in params:
        params["reason"] = reason_label(notification.params, gettext)
    if notification.key == FORWARDED and not params.get("controller"):
        params["controller"] = gettext(CONTROLLER_UNKNOWN)
    if html:
        params = {name: escape(str(value), quote=False) for name, value in params.items()}
    return gettext(template).format_map(_Missing(params))


class _Missing(dict):
    """Leave an unknown placeholder visible instead of raising: a missing param must not lose the message."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
