"""What requesters are told: every notification renders in en and ru with every placeholder filled."""

from __future__ import annotations

import pytest

from bot.i18n import gettext_for
from bot.kinds import RequestKind
from bot.requests import messages
from bot.requests.messages import Notification, render

PARAMS = {
    messages.RECEIVED: {"kind": "erasure", "due": "2027-03-01"},
    messages.RECEIVED_UNVERIFIED: {"kind": "access", "due": "2027-03-01"},
    messages.RECEIVED_NO_DUE: {"kind": "other"},
    messages.VERIFIED: {"due": "2027-03-10"},
    messages.QUESTION: {"question": "Which account?"},
    messages.EXTENDED: {"due": "2027-04-30", "reason": "many_requests", "reason_text": None},
    messages.COMPLETED: {},
    messages.REJECTED: {"reason": "no_data", "reason_text": None},
    messages.WITHDRAWN: {},
    messages.CLOSED_UNVERIFIED: {"days": 30},
    messages.FORWARDED: {"controller": None},
}


def test_every_requester_text_has_test_params():
    assert set(PARAMS) == set(messages.TEXTS)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("key", sorted(PARAMS))
def test_every_notification_renders_completely(key, language):
    note = Notification("requester", key, 1, "PD-KKKKKK", {"reference": "PD-KKKKKK", **PARAMS[key]})
    shown = render(note, gettext_for(language), language)
    assert "PD-KKKKKK" in shown
    assert "{" not in shown and "None" not in shown
    if language == "ru":
        assert shown != render(note, gettext_for("en"), "en")
    if "due" in PARAMS[key]:
        assert ("2027" in shown) and (PARAMS[key]["due"] not in shown)  # a date in words, not ISO
        assert ".." not in shown


def test_dates_and_reasons_are_in_the_readers_language():
    note = Notification(
        "requester", messages.EXTENDED, 1, "PD-KKKKKK",
        {"reference": "PD-KKKKKK", "due": "2027-05-01", "reason": "complex", "reason_text": None},
    )  # fmt: skip
    assert "May 1, 2027" in render(note, gettext_for("en"), "en")
    ru = render(note, gettext_for("ru"), "ru")
    assert "1 мая 2027" in ru and "запрос сложный" in ru


def test_other_reasons_show_the_staff_text_and_every_kind_has_a_label():
    note = Notification(
        "requester", messages.REJECTED, 1, "PD-KKKKKK",
        {"reference": "PD-KKKKKK", "reason": "other", "reason_text": "a court order requires us to keep it"},
    )  # fmt: skip
    assert "a court order requires us to keep it" in render(note, gettext_for("en"))
    assert set(messages.KIND_LABELS) == set(RequestKind)


def test_html_rendering_escapes_what_people_wrote():
    note = Notification(
        "requester", messages.QUESTION, 1, "PD-KKKKKK", {"reference": "PD-KKKKKK", "question": "<b>id</b>?"}
    )
    assert "&lt;b&gt;id&lt;/b&gt;?" in render(note, gettext_for("en"), html=True)
    assert "<b>id</b>?" in render(note, gettext_for("en"))


def test_staff_notifications_have_no_requester_text():
    with pytest.raises(KeyError):
        render(Notification("staff", messages.STAFF_NEW, 1, "PD-KKKKKK"), gettext_for("en"))
