"""The lifecycle table: every (state, action, role) is either the listed transition or refused."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from bot.requests.lifecycle import (
    Action,
    ActorRole,
    State,
    TransitionNotAllowed,
    allowed_actions,
    check_extension,
    check_reason,
    initial_state,
    transition,
)

A, S = Action, State
REQ, STAFF, SYS = ActorRole.REQUESTER, ActorRole.STAFF, ActorRole.SYSTEM
OPEN3 = (S.AWAITING_VERIFICATION, S.OPEN, S.AWAITING_REQUESTER)

# Written out by hand from DESIGN.md "Request lifecycle" and the brief — not derived from the code.
ALLOWED: dict[tuple[State, Action, ActorRole], State] = {
    (S.AWAITING_VERIFICATION, A.VERIFY, STAFF): S.OPEN,
    (S.AWAITING_VERIFICATION, A.VERIFY, SYS): S.OPEN,
    (S.OPEN, A.ASK, STAFF): S.AWAITING_REQUESTER,
    (S.AWAITING_REQUESTER, A.ANSWER, REQ): S.OPEN,
    (S.AWAITING_REQUESTER, A.ANSWER, STAFF): S.OPEN,
    (S.OPEN, A.COMPLETE, STAFF): S.COMPLETED,
    (S.AWAITING_REQUESTER, A.COMPLETE, STAFF): S.COMPLETED,
    (S.AWAITING_VERIFICATION, A.EXPIRE, SYS): S.CLOSED_UNVERIFIED,
}
for _state in OPEN3:
    ALLOWED[(_state, A.WITHDRAW, REQ)] = S.WITHDRAWN
    ALLOWED[(_state, A.REJECT, STAFF)] = S.REJECTED
    ALLOWED[(_state, A.FORWARD, STAFF)] = S.FORWARDED_TO_CONTROLLER
    ALLOWED[(_state, A.FORWARD, SYS)] = S.FORWARDED_TO_CONTROLLER
    ALLOWED[(_state, A.EXTEND, STAFF)] = _state
    ALLOWED[(_state, A.ASSIGN, STAFF)] = _state
    ALLOWED[(_state, A.ADD_INFO, REQ)] = _state
for _state in State:
    ALLOWED[(_state, A.NOTE, STAFF)] = _state

CASES = list(product(State, Action, ActorRole))


@pytest.mark.parametrize(("state", "action", "role"), CASES, ids=lambda v: str(v))
def test_every_transition_is_allowed_or_refused(state, action, role):
    expected = ALLOWED.get((state, action, role))
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as caught:
            transition(state, action, role)
        assert caught.value.code in {"not_permitted", "wrong_state", "not_a_transition"}
        assert str(action) in str(caught.value) and str(state) in str(caught.value)
    else:
        assert transition(state, action, role) is expected


def test_closed_requests_accept_only_staff_notes():
    for state in (S.COMPLETED, S.REJECTED, S.WITHDRAWN, S.CLOSED_UNVERIFIED, S.FORWARDED_TO_CONTROLLER):
        assert allowed_actions(state, STAFF) == [A.NOTE]
        assert allowed_actions(state, REQ) == []
        assert allowed_actions(state, SYS) == []


def test_a_requester_pressing_a_staff_button_hears_not_permitted_whatever_the_state():
    for state in State:
        with pytest.raises(TransitionNotAllowed) as caught:
            transition(state, A.COMPLETE, REQ)
        assert caught.value.code == "not_permitted"


def test_strings_are_accepted_and_unknown_actions_refused():
    assert transition("open", "ask", "staff") is S.AWAITING_REQUESTER
    with pytest.raises(TransitionNotAllowed) as caught:
        transition("open", "delete_everything", "staff")
    assert caught.value.code == "unknown_action"
    with pytest.raises(TransitionNotAllowed):
        transition("open", "create", "requester")


def test_initial_state():
    assert initial_state(verified=True) is S.OPEN
    assert initial_state(verified=False) is S.AWAITING_VERIFICATION


def test_extension_once_where_allowed_until_the_notice_date_inclusive():
    notice = date(2027, 4, 5)
    check_extension(state=S.OPEN, extended=False, can_extend=True, notice_due=notice, today=notice)
    for kwargs, code in (
        ({"extended": True, "can_extend": True, "today": notice}, "already_extended"),
        ({"extended": False, "can_extend": False, "today": notice}, "cannot_extend"),
        ({"extended": False, "can_extend": True, "today": date(2027, 4, 6)}, "notice_date_passed"),
    ):
        with pytest.raises(TransitionNotAllowed) as caught:
            check_extension(state=S.OPEN, notice_due=notice, **kwargs)
        assert caught.value.code == code


def test_reasons_are_from_the_list_and_other_needs_a_text():
    assert check_reason(A.REJECT, "no_data", None) == "no_data"
    assert check_reason(A.EXTEND, "complex", None) == "complex"
    assert check_reason(A.REJECT, "other", "duplicate of PD-23456A") == "other"
    for action, reason, text, code in (
        (A.REJECT, "other", "  ", "reason_text_required"),
        (A.REJECT, "complex", None, "bad_reason"),  # an extension reason is not a rejection reason
        (A.EXTEND, "no_data", None, "bad_reason"),
        (A.REJECT, None, None, "bad_reason"),
    ):
        with pytest.raises(TransitionNotAllowed) as caught:
            check_reason(action, reason, text)
        assert caught.value.code == code
