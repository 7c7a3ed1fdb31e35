"""The request service: create a request, and `apply` — the one function every change goes through.

`apply` checks the transition against the lifecycle, updates the request, recomputes its deadline,
appends a hash-chained audit event and returns the notifications to queue. It never commits and never
sends: the caller writes the notifications to the outbox and commits once, so what a person is told
and what is recorded cannot diverge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deadlines import DeadlineResult, Jurisdiction, NoDeadlineError, PolicyPromise, compute, regimes_for
from bot.deadlines.calendars import local_date
from bot.deadlines.regimes import zone_for
from bot.kinds import RequestKind
from bot.requests import audit, messages
from bot.requests.lifecycle import (
    FINAL_STATES,
    OPEN_STATES,
    Action,
    ActorRole,
    State,
    TransitionNotAllowed,
    check_extension,
    check_reason,
    initial_state,
    transition,
)
from bot.requests.messages import REQUESTER, STAFF, Notification
from bot.requests.reference import new_reference, normalize_reference
from bot.requests.schedule import DEFAULT_REMINDER_DAYS, next_reminder_at
from storage import requests as store
from storage.models import Subject
from storage.requests import Attachment, Request, RequestEvent

UNVERIFIED_EXPIRY_DAYS = 30
CLOCK_START_REGIME = "uk_gdpr"
# The keyword arguments each action of `apply` takes; anything else is a caller's mistake.
ACTION_ARGS: dict[Action, frozenset[str]] = {
    Action.VERIFY: frozenset({"method"}),
    Action.ASK: frozenset({"text"}),
    Action.ANSWER: frozenset({"text"}),
    Action.ADD_INFO: frozenset({"text", "attachments"}),
    Action.EXTEND: frozenset({"reason", "text"}),
    Action.COMPLETE: frozenset({"text", "file_id"}),
    Action.REJECT: frozenset({"reason", "text"}),
    Action.FORWARD: frozenset({"controller"}),
    Action.ASSIGN: frozenset({"assignee"}),
    Action.NOTE: frozenset({"text"}),
}
VERIFICATION_METHODS = ("telegram_id", "email_code", "manual", "not_required")
REQUESTER_TYPES = ("self", "guardian", "agent", "voice_owner")
ATTACHMENT_KINDS = ("voice", "audio", "document", "photo")


class Cipher(Protocol):
    def encrypt(self, value: str) -> str: ...
    def decrypt(self, value: str) -> str: ...


class PlainCipher:
    """Pass-through, for when no `bot.crypto.FieldCipher` is given."""

    def encrypt(self, value: str) -> str:
        return value

    def decrypt(self, value: str) -> str:
        return value


PLAIN = PlainCipher()


@dataclass(frozen=True)
class Actor:
    """Who acts. A requester acts only on their own requests (`subject_id`); staff carry their Telegram id."""

    role: ActorRole
    telegram_id: int | None = None
    subject_id: int | None = None

    @classmethod
    def requester(cls, subject: Subject | int) -> Actor:
        return cls(ActorRole.REQUESTER, subject_id=subject if isinstance(subject, int) else subject.id)

    @classmethod
    def staff(cls, telegram_id: int) -> Actor:
        return cls(ActorRole.STAFF, telegram_id=telegram_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorRole.SYSTEM)


@dataclass
class Change:
    """What one create/apply did: the request, the events written and what to queue."""

    request: Request
    events: list[RequestEvent] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


# --- policy snapshot and deadline -----------------------------------------------------------------


def promise_to_json(promise: PolicyPromise | None) -> dict[str, Any] | None:
    if promise is None:
        return None
    return {
        "operator": promise.operator,
        "standard_days": promise.standard_days,
        "complex_days": promise.complex_days,
        "voice_owner_days": promise.voice_owner_days,
        "kinds": sorted(promise.kinds) if promise.kinds is not None else None,
    }


def promise_from_json(data: Mapping[str, Any] | None) -> PolicyPromise | None:
    if not data:
        return None
    kinds = data.get("kinds")
    return PolicyPromise(
        operator=data["operator"],
        standard_days=data["standard_days"],
        complex_days=data.get("complex_days"),
        voice_owner_days=data.get("voice_owner_days"),
        kinds=frozenset(RequestKind(k) for k in kinds) if kinds is not None else None,
    )


def deadline_for(request: Request) -> DeadlineResult | None:
    """The request's deadline recomputed from its stored facts; None when no regime sets one."""
    regimes = [r for r in request.regime_list if r != "policy"]
    promise = promise_from_json(request.policy_promise)
    if not regimes and promise is None:
        return None
    try:
        return compute(
            request.received_at,
            request.kind,
            regimes,
            policy=promise,
            extended=request.extended,
            paused_days=request.paused_days,
            clock_start=request.clock_start_at,
            verified_at=request.verified_at,
            eu_holiday_country=request.holiday_country,
        )
    except NoDeadlineError:
        return None


def _store_deadline(request: Request, now: datetime, reminder_days: Iterable[int]) -> DeadlineResult | None:
    result = deadline_for(request)
    if result is None:
        request.due_date = request.due_zone = request.due_end_utc = None
        request.extension_notice_due = request.ack_due = None
        request.deadline_reason = "No regime or policy sets a deadline for this request."
    else:
        request.due_date = result.due
        request.due_zone = result.zone
        request.due_end_utc = result.due_end_utc
        request.extension_notice_due = result.extension_notice_due
        request.ack_due = result.ack_due
        request.deadline_reason = result.explanation
    request.next_reminder_at = next_reminder_for(request, now, reminder_days)
    return result


def next_reminder_for(request: Request, now: datetime, reminder_days: Iterable[int]) -> datetime | None:
    """When the request next needs a staff reminder (`bot.requests.schedule`), from its stored dates."""
    return next_reminder_at(
        now=now,
        is_open=State(request.state) in OPEN_STATES,
        due=request.due_date,
        zone=request.due_zone,
        extension_notice_due=None if request.extended else request.extension_notice_due,
        ack_due=request.ack_due,
        reminder_days=reminder_days,
    )


# --- events ---------------------------------------------------------------------------------------


def _append_event(
    session: AsyncSession,
    request: Request,
    *,
    at: datetime,
    actor: Actor,
    action: Action,
    payload: dict[str, Any],
    text: str | None,
    cipher: Cipher,
) -> RequestEvent:
    """Append one event chained to the request's last one (`audit_head`); (request, seq) is unique."""
    payload = dict(payload)
    stored_text = None
    if text is not None and text.strip():
        stored_text = cipher.encrypt(text)
        payload["text_sha256"] = audit.text_digest(stored_text)
    seq = (request.event_count or 0) + 1
    prev_hash = request.audit_head or audit.GENESIS_HASH
    actor_id = actor.telegram_id if actor.role is not ActorRole.REQUESTER else None
    digest = audit.event_hash(
        prev_hash=prev_hash, reference=request.reference, seq=seq, at=at, actor_role=actor.role,
        actor_telegram_id=actor_id, action=action, payload=payload,
    )  # fmt: skip
    event = RequestEvent(
        request_id=request.id, seq=seq, at=at, actor_role=str(actor.role), actor_telegram_id=actor_id,
        action=str(action), payload=payload, text=stored_text, prev_hash=prev_hash, hash=digest,
    )  # fmt: skip
    session.add(event)
    request.event_count = seq
    request.audit_head = digest
    return event


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (datetime.now(UTC))")
    return now.astimezone(UTC)


async def _subject_of(session: AsyncSession, request: Request) -> Subject | None:
    return await session.get(Subject, request.subject_id)


def _requester_note(request: Request, subject: Subject | None, key: str, **params: Any) -> Notification:
    return Notification(
        audience=REQUESTER, key=key, request_id=request.id, reference=request.reference,
        params={"reference": request.reference, **params},
        chat_id=subject.telegram_user_id if subject else None, language=subject.language if subject else None,
    )  # fmt: skip


def _staff_note(request: Request, key: str, **params: Any) -> Notification:
    return Notification(
        audience=STAFF, key=key, request_id=request.id, reference=request.reference,
        params={"reference": request.reference, **params},
    )  # fmt: skip


def _due_param(request: Request) -> str | None:
    return request.due_date.isoformat() if request.due_date else None


# --- create ---------------------------------------------------------------------------------------


async def _fresh_reference(session: AsyncSession, attempts: int = 10) -> str:
    for _ in range(attempts):
        reference = new_reference()
        if not await store.reference_exists(session, reference):
            return reference
    raise RuntimeError("could not find a free request reference")  # 31**6 references: not in practice


async def create_request(
    session: AsyncSession,
    subject: Subject,
    kind: RequestKind | str,
    jurisdiction: Jurisdiction | str,
    details: Mapping[str, Any] | None,
    now: datetime,
    policy_promise: PolicyPromise | None,
    *,
    cipher: Cipher | None = None,
    verified_by: str | None = None,
    priority: bool = False,
    requester_type: str = "self",
    processor_case: bool = False,
    controller: str | None = None,
    eu_holiday_country: str | None = None,
    reminder_days: Iterable[int] = DEFAULT_REMINDER_DAYS,
) -> Change:
    """Record a new request and its first event in the caller's transaction (the caller commits).

    verified_by: how the sender is already verified ("telegram_id", or "not_required" for a CCPA
    opt-out); None leaves it awaiting verification. processor_case: the data belongs to a business
    customer (DPA): the request is forwarded at once (`controller` names the customer, when known).
    Voice takedowns are always priority. Returns the request, its events and what to notify.
    """
    now = _require_aware(now)
    kind = RequestKind(kind)
    jurisdiction = Jurisdiction(jurisdiction)
    if verified_by is not None and verified_by not in VERIFICATION_METHODS:
        raise ValueError(f"verified_by must be one of {', '.join(VERIFICATION_METHODS)}")
    if requester_type not in REQUESTER_TYPES:
        raise ValueError(f"requester_type must be one of {', '.join(REQUESTER_TYPES)}")
    cipher = cipher or PLAIN
    regimes = [str(r) for r in regimes_for(jurisdiction)]
    if policy_promise is not None:
        regimes.append("policy")
    state = initial_state(verified_by is not None)
    request = Request(
        reference=await _fresh_reference(session),
        subject_id=subject.id,
        kind=str(kind),
        jurisdiction=str(jurisdiction),
        regimes=",".join(regimes),
        state=str(state),
        priority=bool(priority or kind is RequestKind.VOICE_TAKEDOWN),
        requester_type=requester_type,
        is_processor_case=processor_case,
        details=cipher.encrypt(json.dumps(dict(details or {}), ensure_ascii=False, sort_keys=True)),
        policy_promise=promise_to_json(policy_promise),
        holiday_country=eu_holiday_country,
        received_at=now,
        clock_start_at=now if verified_by and CLOCK_START_REGIME in regimes else None,
        verified_at=now if verified_by else None,
        verification_method=verified_by,
        paused_days=0,
        extended=False,
        event_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()  # the id, for the event
    _store_deadline(request, now, reminder_days)
    actor = Actor.requester(subject)
    payload = {
        "to": str(state), "kind": str(kind), "jurisdiction": str(jurisdiction), "regimes": regimes,
        "priority": request.priority, "requester_type": requester_type, "processor_case": processor_case,
        "verified_by": verified_by, "due": _due_param(request),
    }  # fmt: skip
    event = _append_event(
        session, request, at=now, actor=actor, action=Action.CREATE, payload=payload, text=None, cipher=cipher
    )
    change = Change(request, [event])
    if not processor_case:
        if request.due_date is None:
            key = messages.RECEIVED_NO_DUE
        else:
            key = messages.RECEIVED if state is State.OPEN else messages.RECEIVED_UNVERIFIED
        change.notifications.append(
            _requester_note(request, subject, key, kind=str(kind), due=_due_param(request))
        )
    change.notifications.append(
        _staff_note(request, messages.STAFF_NEW, kind=str(kind), priority=request.priority)
    )
    if processor_case:
        forwarded = await apply(
            session, request, Action.FORWARD, Actor.system(), now, cipher=cipher, controller=controller,
            reminder_days=reminder_days,
        )  # fmt: skip
        change.events += forwarded.events
        change.notifications += forwarded.notifications
    await session.flush()
    return change


# --- the one transition function ------------------------------------------------------------------


def _paused_days_until(request: Request, now: datetime) -> int:
    """Days of the running pause, counted inclusively in the requester's local dates (spec §2)."""
    if request.pause_started_at is None:
        return 0
    zone = zone_for(request.jurisdiction)
    return (local_date(now, zone) - local_date(request.pause_started_at, zone)).days + 1


def _end_pause(request: Request, now: datetime) -> int:
    days = _paused_days_until(request, now)
    request.paused_days = (request.paused_days or 0) + days
    request.pause_started_at = None
    return days


def _text_arg(
    args: Mapping[str, Any], name: str, *, required: bool, state: str, action: Action
) -> str | None:
    value = args.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be text")
    if required and not (value or "").strip():
        raise TransitionNotAllowed(state, action, "-", f"{name}_required")
    return value


async def apply(
    session: AsyncSession,
    request: Request,
    action: Action | str,
    actor: Actor,
    now: datetime,
    *,
    cipher: Cipher | None = None,
    reminder_days: Iterable[int] = DEFAULT_REMINDER_DAYS,
    **args: Any,
) -> Change:
    """Change a request: check, update, recompute the deadline, write one audit event, say who to tell.

    Arguments by action: verify(method="telegram_id"|"email_code"|"manual"); ask(text=question);
    answer(text=None); add_info(text=None); extend(reason=ExtendReason, text for "other");
    complete(text=None, file_id=None); reject(reason=RejectReason, text for "other"); withdraw();
    expire(); forward(controller=None); assign(assignee=None → the acting staff member); note(text).
    Raises TransitionNotAllowed (nothing changed) when the lifecycle forbids it.
    """
    now = _require_aware(now)
    cipher = cipher or PLAIN
    try:
        action = Action(action)
    except ValueError:
        raise TransitionNotAllowed(request.state, str(action), actor.role, "unknown_action") from None
    old = State(request.state)
    if actor.role is ActorRole.REQUESTER and actor.subject_id != request.subject_id:
        raise TransitionNotAllowed(
            old, action, actor.role, "not_permitted", "not the requester's own request"
        )
    if actor.role is ActorRole.STAFF and actor.telegram_id is None:
        raise TransitionNotAllowed(old, action, actor.role, "not_permitted", "staff actions need a staff id")
    new = transition(old, action, actor.role)
    unknown = set(args) - ACTION_ARGS.get(action, frozenset())
    if unknown:
        raise TypeError(f"{action} takes no argument {', '.join(sorted(unknown))}")

    payload: dict[str, Any] = {"from": str(old), "to": str(new)}
    text: str | None = None
    subject = await _subject_of(session, request)
    extra: dict[str, Any] = {}

    if action is Action.VERIFY:
        method = args.get("method") or ("manual" if actor.role is ActorRole.STAFF else None)
        if method not in VERIFICATION_METHODS:
            raise ValueError(f"verify needs method= one of {', '.join(VERIFICATION_METHODS)}")
        request.verified_at = now
        if CLOCK_START_REGIME in request.regime_list:
            # UK GDPR Art. 12A: the "relevant time" is when the requested ID arrives. No other regime has a
            # clock start (the EU and CCPA count from receipt), so none is recorded for them.
            request.clock_start_at = now
        request.verification_method = method
        payload["method"] = method
    elif action is Action.ASK:
        text = _text_arg(args, "text", required=True, state=old, action=action)
        request.pause_started_at = now
        extra["question"] = text
    elif action is Action.ANSWER:
        text = _text_arg(args, "text", required=False, state=old, action=action)
        payload["paused_days"] = _end_pause(request, now)
    elif action is Action.ADD_INFO:
        text = _text_arg(args, "text", required=False, state=old, action=action)
        payload["attachments"] = int(args.get("attachments", 0))
    elif action is Action.EXTEND:
        text = _text_arg(args, "text", required=False, state=old, action=action)
        code = str(check_reason(action, args.get("reason"), text, state=old))
        current = deadline_for(request)
        check_extension(
            state=old,
            extended=request.extended,
            can_extend=current is not None and current.can_extend,
            notice_due=current.extension_notice_due if current else None,
            today=local_date(now, current.zone) if current else now.date(),
        )
        request.extended = True
        request.extension_reason = code
        payload["reason"] = code
        extra.update(reason=code, reason_text=text if code == "other" else None)
    elif action is Action.REJECT:
        text = _text_arg(args, "text", required=False, state=old, action=action)
        code = str(check_reason(action, args.get("reason"), text, state=old))
        request.reject_reason = code
        payload["reason"] = code
        extra.update(reason=code, reason_text=text if code == "other" else None)
    elif action is Action.COMPLETE:
        text = _text_arg(args, "text", required=False, state=old, action=action)
        if args.get("file_id"):
            payload["file"] = True
            extra["file_id"] = args["file_id"]
    elif action is Action.FORWARD:
        controller = _text_arg(args, "controller", required=False, state=old, action=action)
        text = controller
        request.is_processor_case = True
        extra["controller"] = controller
    elif action is Action.ASSIGN:
        assignee = args.get("assignee", actor.telegram_id)
        if assignee is not None and (isinstance(assignee, bool) or not isinstance(assignee, int)):
            raise TypeError("assignee must be a Telegram user id or None")
        request.assignee_telegram_id = assignee
        payload["assignee"] = assignee
    elif action is Action.NOTE:
        text = _text_arg(args, "text", required=True, state=old, action=action)

    if new in FINAL_STATES and old not in FINAL_STATES:
        if request.pause_started_at is not None:
            payload["paused_days"] = _end_pause(request, now)
        request.closed_at = now
        request.outcome = str(new)
    request.state = str(new)
    request.updated_at = now
    _store_deadline(request, now, reminder_days)
    payload["due"] = _due_param(request)

    event = _append_event(
        session, request, at=now, actor=actor, action=action, payload=payload, text=text, cipher=cipher
    )
    notes = _notifications(request, subject, action, old, new, extra)
    await session.flush()
    return Change(request, [event], notes)


def _notifications(
    request: Request, subject: Subject | None, action: Action, old: State, new: State, extra: dict[str, Any]
) -> list[Notification]:
    due = _due_param(request)
    to_requester: Notification | None = None
    if action is Action.VERIFY:
        to_requester = _requester_note(request, subject, messages.VERIFIED, due=due)
    elif action is Action.ASK:
        to_requester = _requester_note(request, subject, messages.QUESTION, question=extra["question"])
    elif action is Action.EXTEND:
        to_requester = _requester_note(
            request,
            subject,
            messages.EXTENDED,
            due=due,
            reason=extra["reason"],
            reason_text=extra["reason_text"],
        )
    elif action is Action.COMPLETE:
        params = {"file_id": extra["file_id"]} if extra.get("file_id") else {}
        to_requester = _requester_note(request, subject, messages.COMPLETED, **params)
    elif action is Action.REJECT:
        to_requester = _requester_note(
            request, subject, messages.REJECTED, reason=extra["reason"], reason_text=extra["reason_text"]
        )
    elif action is Action.WITHDRAW:
        to_requester = _requester_note(request, subject, messages.WITHDRAWN)
    elif action is Action.EXPIRE:
        to_requester = _requester_note(
            request, subject, messages.CLOSED_UNVERIFIED, days=UNVERIFIED_EXPIRY_DAYS
        )
    elif action is Action.FORWARD:
        to_requester = _requester_note(
            request, subject, messages.FORWARDED, controller=extra.get("controller")
        )
    notes = [to_requester] if to_requester else []
    if action is Action.FORWARD:
        notes.append(_staff_note(request, messages.STAFF_FORWARD, controller=extra.get("controller")))
    elif action is not Action.NOTE:
        # The card is edited in place on every visible change; notes already live in the staff group.
        notes.append(_staff_note(request, messages.STAFF_CHANGED, action=str(action), state=str(new)))
    return notes


# --- attachments and housekeeping -----------------------------------------------------------------


def add_attachment(
    session: AsyncSession,
    request: Request,
    *,
    file_id: str,
    file_unique_id: str,
    kind: str,
    caption: str | None = None,
    now: datetime,
    cipher: Cipher | None = None,
) -> Attachment:
    """Keep a Telegram file reference (never the file). Record it with `apply(..., ADD_INFO, attachments=n)`."""
    if kind not in ATTACHMENT_KINDS:
        raise ValueError(f"attachment kind must be one of {', '.join(ATTACHMENT_KINDS)}")
    cipher = cipher or PLAIN
    attachment = Attachment(
        request_id=request.id, file_id=file_id, file_unique_id=file_unique_id, kind=kind,
        caption=cipher.encrypt(caption) if caption else None, created_at=_require_aware(now),
    )  # fmt: skip
    session.add(attachment)
    return attachment


def read_details(request: Request, cipher: Cipher | None = None) -> dict[str, Any]:
    if not request.details:
        return {}
    return json.loads((cipher or PLAIN).decrypt(request.details))


async def expire_unverified(
    session: AsyncSession,
    now: datetime,
    *,
    days: int = UNVERIFIED_EXPIRY_DAYS,
    limit: int = 500,
    cipher: Cipher | None = None,
) -> list[Notification]:
    """Close requests unverified for `days` days (counted from receipt); returns what to tell."""
    now = _require_aware(now)
    notes: list[Notification] = []
    for request in await store.unverified_received_before(session, now - timedelta(days=days), limit=limit):
        change = await apply(session, request, Action.EXPIRE, Actor.system(), now, cipher=cipher)
        notes += change.notifications
    return notes


# --- queries for callers (re-exported so handlers import one module) ------------------------------


async def find_for_subject(session: AsyncSession, subject: Subject, typed_reference: str) -> Request | None:
    """What a requester typed or a callback carried, resolved only among their own requests."""
    reference = normalize_reference(typed_reference)
    if reference is None:
        return None
    return await store.request_for_subject(session, subject.id, reference)


requests_of_subject = store.requests_of_subject
request_by_id_for_subject = store.request_by_id_for_subject
request_by_reference = store.request_by_reference
open_requests_by_urgency = store.open_requests_by_urgency
due_for_reminders = store.due_for_reminders
open_duplicate = store.open_duplicate
