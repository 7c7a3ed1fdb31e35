"""Card and reminder texts in both staff languages: every kind and state renders fully, buttons fit
Telegram's 64-byte callback data, long details stay within one editable message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.i18n import gettext_for
from bot.kinds import RequestKind
from bot.requests.lifecycle import State
from bot.staff.card import CARD_LIMIT, keyboard, render_card
from bot.staff.reminders import DueReminder, reminders_messages
from handlers.staff.callbacks import StaffAction
from storage.requests import Request

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)


def request_row(kind: str, state: str, **fields) -> Request:
    values = dict(
        id=123456789, reference="PD-7K3F9Q", subject_id=1, kind=kind, jurisdiction="eea", regimes="eu_gdpr,policy",
        state=state, priority=kind == "voice_takedown", requester_type="self", is_processor_case=False,
        details='{"account": "ann@example.com"}',
        policy_promise={"operator": "velluto", "standard_days": 30, "complex_days": 90, "voice_owner_days": 30,
                        "kinds": None},
        received_at=NOW - timedelta(days=3), verified_at=None, paused_days=0, extended=False,
        due_date=date(2027, 4, 6), due_zone="Europe/Brussels", assignee_telegram_id=5001, event_count=1,
        closed_at=NOW if state in {s.value for s in (State.COMPLETED, State.REJECTED, State.WITHDRAWN)} else None,
        outcome=state,
    )  # fmt: skip
    values.update(fields)
    return Request(**values)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("state", [s.value for s in State])
def test_every_state_renders_in_both_languages(language, state):
    gettext = gettext_for(language)
    for kind in RequestKind:
        text = render_card(request_row(kind.value, state), [], gettext=gettext, language=language, now=NOW)
        assert "PD-7K3F9Q" in text and "{" not in text and "None" not in text
        if language == "ru":
            assert "Вид:" in text and "Kind:" not in text
        markup = keyboard(request_row(kind.value, state), NOW, gettext)
        for row in markup["inline_keyboard"]:
            for button in row:
                assert len(button["callback_data"].encode()) <= 64
                assert StaffAction.unpack(button["callback_data"]).request_id == 123456789


def test_long_details_are_cut_to_one_editable_message():
    details = '{"a": "' + "x" * 5000 + '", "b": "' + "y" * 5000 + '"}'
    text = render_card(request_row("other", "open", details=details), [], gettext=gettext_for("en"),
                       language="en", now=NOW)  # fmt: skip
    assert len(text) <= CARD_LIMIT and text.count("<i>") == text.count("</i>")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_grouped_reminders_are_cut_between_lines(language):
    reminders = [
        DueReminder(i, f"PD-{i:06d}", "access", "2027-03-10", date(2027, 3, 10), date(2027, 3, 9), -1,
                    ("overdue",), 5001, None, None, None, None, False)
        for i in range(300)
    ]  # fmt: skip
    parts = reminders_messages(reminders, gettext_for(language), language)
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    joined = "\n".join(parts)
    assert all(f"PD-{i:06d}" in joined for i in range(300))
    assert ("OVERDUE" if language == "en" else "ПРОСРОЧЕН") in parts[0]
