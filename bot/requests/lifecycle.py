"""The request lifecycle as one pure table: which action moves which state, and who may take it.

Every change to a request goes through `bot.requests.service.apply`, which asks `transition()` first.
Nothing here knows about Telegram, the database or the clock, so the whole table is tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class State(StrEnum):
    AWAITING_VERIFICATION = "awaiting_verification"
    OPEN = "open"
    AWAITING_REQUESTER = "awaiting_requester"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CLOSED_UNVERIFIED = "closed_unverified"
    FORWARDED_TO_CONTROLLER = "forwarded_to_controller"


class Action(StrEnum):
    CREATE = "create"  # the first event of every request; never a transition
    VERIFY = "verify"
    ASK = "ask"
    ANSWER = "answer"
    ADD_INFO = "add_info"  # the requester adds details or files without being asked
    EXTEND = "extend"
    COMPLETE = "complete"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    FORWARD = "forward"
    ASSIGN = "assign"
    NOTE = "note"


class ActorRole(StrEnum):
    REQUESTER = "requester"
    STAFF = "staff"
    SYSTEM = "system"  # the bot itself: automatic verification, intake rules, the expiry job


class RejectReason(StrEnum):
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    LEGAL_OBLIGATION = "legal_obligation"
    NO_DATA = "no_data"
    OTHER = "other"  # needs a text


class ExtendReason(StrEnum):
    COMPLEX = "complex"
    MANY_REQUESTS = "many_requests"
    OTHER = "other"  # needs a text


OPEN_STATES: frozenset[State] = frozenset({State.AWAITING_VERIFICATION, State.OPEN, State.AWAITING_REQUESTER})
FINAL_STATES: frozenset[State] = frozenset(State) - OPEN_STATES
ALL_STATES: frozenset[State] = frozenset(State)

R, S, Y = ActorRole.REQUESTER, ActorRole.STAFF, ActorRole.SYSTEM


@dataclass(frozen=True)
class Rule:
    """`action` is allowed from `sources` for `roles`; `target` None keeps the state."""

    sources: frozenset[State]
    roles: frozenset[ActorRole]
    target: State | None


RULES: dict[Action, Rule] = {
    # Telegram-id match and email codes verify as the system; voice owners and agents are verified by staff.
    Action.VERIFY: Rule(frozenset({State.AWAITING_VERIFICATION}), frozenset({S, Y}), State.OPEN),
    Action.ASK: Rule(frozenset({State.OPEN}), frozenset({S}), State.AWAITING_REQUESTER),
    # Staff may record an answer that came by another channel.
    Action.ANSWER: Rule(frozenset({State.AWAITING_REQUESTER}), frozenset({R, S}), State.OPEN),
    Action.ADD_INFO: Rule(OPEN_STATES, frozenset({R}), None),
    # Allowed while unverified too: the CCPA clock runs regardless of verification.
    Action.EXTEND: Rule(OPEN_STATES, frozenset({S}), None),
    Action.COMPLETE: Rule(frozenset({State.OPEN, State.AWAITING_REQUESTER}), frozenset({S}), State.COMPLETED),
    Action.REJECT: Rule(OPEN_STATES, frozenset({S}), State.REJECTED),
    Action.WITHDRAW: Rule(OPEN_STATES, frozenset({R}), State.WITHDRAWN),
    Action.EXPIRE: Rule(frozenset({State.AWAITING_VERIFICATION}), frozenset({Y}), State.CLOSED_UNVERIFIED),
    # Intake forwards a processor case as the system; staff can decide it later from the card.
    Action.FORWARD: Rule(OPEN_STATES, frozenset({S, Y}), State.FORWARDED_TO_CONTROLLER),
    Action.ASSIGN: Rule(OPEN_STATES, frozenset({S}), None),
    # Internal notes stay possible after closing: the record may need a remark.
    Action.NOTE: Rule(ALL_STATES, frozenset({S}), None),
}


class TransitionNotAllowed(Exception):
    """An action that the lifecycle forbids; `code` says why in one machine-readable word."""

    def __init__(self, state: str, action: str, role: str, code: str, detail: str = ""):
        self.state, self.action, self.role, self.code = state, action, role, code
        message = f"{action} by {role} is not allowed in state {state}: {code}"
        super().__init__(f"{message} ({detail})" if detail else message)


def transition(state: State | str, action: Action | str, actor_role: ActorRole | str) -> State:
    """The state after `action` by `actor_role`, or TransitionNotAllowed.

    The role is checked before the state, so a requester pressing a staff button always hears
    "not permitted" and learns nothing about the request's state.
    """
    state, role = State(state), ActorRole(actor_role)
    try:
        action = Action(action)
    except ValueError:
        raise TransitionNotAllowed(state, str(action), role, "unknown_action") from None
    rule = RULES.get(action)
    if rule is None:
        raise TransitionNotAllowed(state, action, role, "not_a_transition")
    if role not in rule.roles:
        raise TransitionNotAllowed(state, action, role, "not_permitted")
    if state not in rule.sources:
        raise TransitionNotAllowed(state, action, role, "wrong_state")
    return rule.target or state


def is_allowed(state: State | str, action: Action | str, actor_role: ActorRole | str) -> bool:
    try:
        transition(state, action, actor_role)
    except TransitionNotAllowed:
        return False
    return True


def allowed_actions(state: State | str, actor_role: ActorRole | str) -> list[Action]:
    """What this role may do now (e.g. which buttons a card shows), in table order."""
    return [action for action in RULES if is_allowed(state, action, actor_role)]


def initial_state(verified: bool) -> State:
    """A request starts open when its sender is already verified (Telegram id, or no check needed)."""
    return State.OPEN if verified else State.AWAITING_VERIFICATION


def check_extension(
    *, state: State | str, extended: bool, can_extend: bool, notice_due: date | None, today: date
) -> None:
    """The extra conditions of `extend`: once, where the regimes allow it, by the notice date (inclusive).

    `today` is the local date in the request's deadline zone.
    """
    if extended:
        raise TransitionNotAllowed(state, Action.EXTEND, ActorRole.STAFF, "already_extended")
    if not can_extend:
        raise TransitionNotAllowed(state, Action.EXTEND, ActorRole.STAFF, "cannot_extend")
    if notice_due is not None and today > notice_due:
        raise TransitionNotAllowed(
            state,
            Action.EXTEND,
            ActorRole.STAFF,
            "notice_date_passed",
            f"notice was due {notice_due.isoformat()}",
        )


def check_reason(action: Action, reason: str | None, text: str | None, state: State | str = "-") -> str:
    """The reason code of reject/extend, validated; `other` needs a text."""
    enum = RejectReason if action is Action.REJECT else ExtendReason
    try:
        code = enum(reason)
    except ValueError:
        raise TransitionNotAllowed(
            state, action, ActorRole.STAFF, "bad_reason", f"one of {', '.join(enum)}"
        ) from None
    if code == "other" and not (text or "").strip():
        raise TransitionNotAllowed(state, action, ActorRole.STAFF, "reason_text_required")
    return code
