"""The staff desk end to end: the real dispatcher and aiogram Bot over HTTP to the fake Bot API, the
outbox flushed by the real sender. Cards, every staff action with what the requester receives, relay
both ways, internal notes, and that nobody but staff changes anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.requests.lifecycle import Action
from bot.staff.card import BUTTON_ACTIONS
from storage.outbox import OutboxMessage
from tests.conftest import STAFF_CHAT_ID
from tests.test_staff_kit import OUTSIDER, REQUESTER, STAFF, STAFF_2

pytest_plugins = ["tests.test_staff_kit"]

pytestmark = pytest.mark.db


async def test_a_new_request_posts_a_card_with_what_staff_need(desk):
    request = await desk.new_request(
        "erasure", "eea", details={"account": "ann@example.com", "what": "delete <everything>"}
    )
    assert request.staff_chat_message_id is not None  # the on_sent hook recorded the card
    card = desk.card_text(request)
    assert request.reference in card
    assert "erasure" in card and "EEA" in card
    assert "Identity: verified (Telegram account)" in card
    assert "Due:" in card and "Why this date:" in card
    assert "ann@example.com" in card
    assert "delete &lt;everything&gt;" in card and "<everything>" not in card  # requester text escaped for HTML
    assert desk.card_buttons(request) == [
        "✋ Take", "❓ Ask requester", "⏳ Extend", "✔️ Complete", "⛔ Reject", "↪️ Forwarded to customer", "📝 Note",
    ]
    # The requester was told in the same transaction.
    assert any(request.reference in text for text in desk.texts_to(REQUESTER))


async def test_voice_takedown_is_priority_and_its_evidence_is_copied_into_the_group(desk):
    request = await desk.new_request(
        "voice_takedown", "eea", verified_by=None, requester_type="voice_owner",
        attachments=(("voice", "VOICE-FILE-1"), ("document", "DOC-FILE-2")),
    )  # fmt: skip
    card = desk.card_text(request)
    assert "🔴" in card and "PRIORITY" in card and "voice takedown" in card
    assert "Identity: not verified yet" in card
    assert "Evidence: 2 file(s)" in card
    voice = desk.api.calls_to("sendVoice", chat_id=STAFF_CHAT_ID)
    document = desk.api.calls_to("sendDocument", chat_id=STAFF_CHAT_ID)
    assert [c.params["voice"] for c in voice] == ["VOICE-FILE-1"]
    assert [c.params["document"] for c in document] == ["DOC-FILE-2"]
    assert int(voice[0].params["reply_to_message_id"]) == request.staff_chat_message_id
    assert "✅ Verified" in desk.card_buttons(request)
    # Later changes edit the card; the evidence is not copied again.
    await desk.press_on_card(STAFF, request, "verify")
    await desk.press_on_card(STAFF, request, "assign")
    assert len(desk.api.calls_to("sendVoice", chat_id=STAFF_CHAT_ID)) == 1


async def test_a_guardian_request_is_marked_as_a_minor(desk):
    request = await desk.new_request("erasure", "uk", requester_type="guardian")
    assert "a minor" in desk.card_text(request)


async def test_forum_groups_get_a_topic_per_request_and_staff_write_in_it(desk):
    desk.desk.forum = True
    request = await desk.new_request("access", "eea")
    (topic,) = desk.api.calls_to("createForumTopic", chat_id=STAFF_CHAT_ID)
    assert request.reference in topic.params["name"]
    assert request.staff_topic_id is not None
    card = desk.message(STAFF_CHAT_ID, request.staff_chat_message_id)
    assert card["message_thread_id"] == request.staff_topic_id
    await desk.staff_says("Hello, we are looking into it.", thread=request.staff_topic_id)
    reply = desk.last_answer_to_requester()
    assert "Hello, we are looking into it." in reply["text"] and request.reference in reply["text"]


async def test_take_assigns_and_edits_the_card_in_place(desk):
    request = await desk.new_request()
    cards_before = len(desk.sent(STAFF_CHAT_ID))
    answer = await desk.press_on_card(STAFF, request, "assign")
    assert answer == "Assigned to you."
    request = await desk.request(request.id)
    assert request.assignee_telegram_id == STAFF
    assert f"tg://user?id={STAFF}" in desk.card_text(request)
    assert desk.api.calls_to("editMessageText", chat_id=STAFF_CHAT_ID)
    assert len(desk.sent(STAFF_CHAT_ID)) == cards_before  # edited, not posted again


async def test_manual_verification_opens_the_request_and_tells_the_requester(desk):
    request = await desk.new_request("erasure", "eea", verified_by=None, requester_type="agent")
    assert await desk.press_on_card(STAFF, request, "verify") == "Marked as verified."
    request = await desk.request(request.id)
    assert request.state == "open" and request.verification_method == "manual"
    assert "Your identity is confirmed" in desk.last_answer_to_requester()["text"]
    assert "checked by staff" in desk.card_text(request)


async def test_ask_relays_the_question_pauses_the_clock_and_the_answer_comes_back_under_the_card(desk):
    request = await desk.new_request("access", "eea")
    due_before = request.due_date
    await desk.press_on_card(STAFF, request, "ask")
    assert "Write your question" in desk.sent(STAFF_CHAT_ID)[-1].text
    await desk.staff_says("Which email is on the account?")
    request = await desk.request(request.id)
    assert request.state == "awaiting_requester" and request.pause_started_at is not None
    question = desk.last_answer_to_requester()
    assert "Which email is on the account?" in question["text"]
    assert "waiting for the requester" in desk.card_text(request)
    # The requester answers by replying to the question.
    await desk.say(REQUESTER, "It is ann@example.com", chat_id=REQUESTER, reply_to=question["message_id"])
    request = await desk.request(request.id)
    assert request.state == "open"
    assert request.paused_days == 1 and request.pause_started_at is None  # EU GDPR: the clock was paused
    assert request.due_date >= due_before
    relayed = desk.sent(STAFF_CHAT_ID)[-1]
    assert "It is ann@example.com" in relayed.text and request.reference in relayed.text
    assert int(relayed.params["reply_to_message_id"]) == request.staff_chat_message_id
    assert "passed to the privacy team" in desk.last_answer_to_requester()["text"]


@pytest.mark.parametrize(("jurisdiction", "moves"), [("eea", True), ("california", False)])
async def test_asking_pauses_the_clock_only_where_the_law_allows(desk, jurisdiction, moves):
    request = await desk.new_request("access", jurisdiction, promise=None)  # the law alone sets the date
    await desk.press_on_card(STAFF, request, "ask")
    await desk.staff_says("Which account?")
    question = desk.last_answer_to_requester()
    await desk.say(REQUESTER, "the one with ann@example.com", chat_id=REQUESTER, reply_to=question["message_id"])
    answered = await desk.request(request.id)
    assert answered.state == "open" and answered.paused_days == 1
    assert (answered.due_date > request.due_date) is moves  # EU GDPR pauses; CCPA's 45 days run on


async def test_extend_with_a_reason_tells_the_requester_the_new_date_and_only_once(desk):
    request = await desk.new_request("access", "eea")
    await desk.press_on_card(STAFF, request, "extend")
    answer = await desk.press_button(STAFF, "Complex request")
    assert answer == "Extended; the requester is told the new date."
    extended = await desk.request(request.id)
    assert extended.extended and extended.due_date > request.due_date
    told = desk.last_answer_to_requester()["text"]
    assert "the request is complex" in told and str(extended.due_date.year) in told
    assert "⏳ Extend" not in desk.card_buttons(extended)
    # A stale Extend button pressed again changes nothing.
    before = await desk.snapshot(request.id)
    assert await desk.press(STAFF, f"sa:extend:{request.id}") == "This request was already extended once."
    assert await desk.snapshot(request.id) == before


async def test_extend_with_other_reason_takes_the_staff_text(desk):
    request = await desk.new_request("access", "california")
    await desk.press_on_card(STAFF, request, "extend")
    await desk.press_button(STAFF, "Other (write the reason)")
    await desk.staff_says("we must restore archived backups")
    assert "we must restore archived backups" in desk.last_answer_to_requester()["text"]
    assert (await desk.request(request.id)).extension_reason == "other"


async def test_extend_is_not_offered_where_the_law_allows_none(desk):
    request = await desk.new_request("access", "br")  # LGPD: 15 days, no extension
    assert "⏳ Extend" not in desk.card_buttons(request)
    before = await desk.snapshot(request.id)
    answer = await desk.press(STAFF, f"sa:extend:{request.id}")
    assert answer == "The rules that apply to this request allow no extension."
    assert await desk.snapshot(request.id) == before


async def test_complete_with_a_file_delivers_it_to_the_requester_and_forgets_it(desk):
    request = await desk.new_request("access", "eea")
    await desk.press_on_card(STAFF, request, "complete")
    document = {"file_id": "EXPORT-FILE-ID", "file_unique_id": "exp1", "file_name": "export.zip"}
    await desk.staff_says("", document=document, caption="Your export")
    request = await desk.request(request.id)
    assert request.state == "completed"
    delivered = desk.api.calls_to("sendDocument", chat_id=REQUESTER)
    assert [c.params["document"] for c in delivered] == ["EXPORT-FILE-ID"]
    assert any("has been completed" in text for text in desk.texts_to(REQUESTER))
    # Forgotten: not in the audit trail, and the sent outbox row no longer holds it.
    events = await desk.events(request.id)
    assert all("EXPORT-FILE-ID" not in str(e.payload) for e in events)
    async with desk.session_factory() as session:
        payloads = (await session.scalars(select(OutboxMessage.payload))).all()
    assert all("EXPORT-FILE-ID" not in payload for payload in payloads)
    assert "completed" in desk.card_text(request) and desk.card_buttons(request) == ["📝 Note"]


async def test_complete_without_a_file(desk):
    request = await desk.new_request("erasure", "eea")
    await desk.press_on_card(STAFF, request, "complete")
    assert await desk.press_button(STAFF, "Complete without a file") == "Completed; the requester is told."
    assert (await desk.request(request.id)).state == "completed"
    assert not desk.api.calls_to("sendDocument", chat_id=REQUESTER)


@pytest.mark.parametrize(
    ("button", "reason", "told"),
    [
        ("Identity not verified", "identity_not_verified", "we could not confirm your identity"),
        ("Manifestly unfounded or excessive", "manifestly_unfounded", "manifestly unfounded"),
        ("Legal obligation to keep", "legal_obligation", "the law requires us to keep this data"),
        ("No data found", "no_data", "we hold no data about you"),
    ],
)
async def test_reject_with_a_reason_from_the_list(desk, button, reason, told):
    request = await desk.new_request("erasure", "eea")
    await desk.press_on_card(STAFF, request, "reject")
    assert await desk.press_button(STAFF, button) == "Rejected; the requester is told why."
    request = await desk.request(request.id)
    assert (request.state, request.reject_reason) == ("rejected", reason)
    assert told in desk.last_answer_to_requester()["text"]


async def test_reject_other_needs_the_staff_text(desk):
    request = await desk.new_request("erasure", "eea")
    await desk.press_on_card(STAFF, request, "reject")
    await desk.press_button(STAFF, "Other (write the reason)")
    await desk.staff_says("a court order requires us to keep it")
    assert "a court order requires us to keep it" in desk.last_answer_to_requester()["text"]
    assert (await desk.request(request.id)).reject_reason == "other"


async def test_forwarded_to_customer(desk):
    request = await desk.new_request("access", "eea")
    assert await desk.press_on_card(STAFF_2, request, "forward") == "Recorded as forwarded to the customer."
    request = await desk.request(request.id)
    assert request.state == "forwarded_to_controller" and request.is_processor_case
    assert "we process it only on their behalf" in desk.last_answer_to_requester()["text"]
    assert any("processor case" in (c.text or "") for c in desk.sent(STAFF_CHAT_ID))


async def test_notes_stay_internal_by_button_and_by_hashtag(desk):
    request = await desk.new_request("access", "eea")
    to_requester = len(desk.texts_to(REQUESTER))
    await desk.press_on_card(STAFF, request, "note")
    await desk.staff_says("called the customer, waiting")
    await desk.staff_says("#note second remark", reply_to=request.staff_chat_message_id)
    notes = [e for e in await desk.events(request.id) if e.action == "note"]
    assert len(notes) == 2 and all(e.actor_telegram_id == STAFF for e in notes)
    assert len(desk.texts_to(REQUESTER)) == to_requester
    assert "Internal note saved to" in desk.sent(STAFF_CHAT_ID)[-1].text


async def test_staff_reply_to_the_card_and_to_a_relayed_message_reaches_the_requester(desk):
    request = await desk.new_request("access", "eea")
    await desk.staff_says("We received it, thanks.", reply_to=request.staff_chat_message_id)
    first = desk.last_answer_to_requester()
    assert "We received it, thanks." in first["text"]
    await desk.say(REQUESTER, "When will it be ready?", chat_id=REQUESTER, reply_to=first["message_id"])
    relayed = desk.sent(STAFF_CHAT_ID)[-1]
    relayed_id = max(mid for (chat, mid) in desk.api.messages if chat == STAFF_CHAT_ID
                     and "When will it be ready?" in (desk.api.messages[(chat, mid)].get("text") or ""))  # fmt: skip
    assert "When will it be ready?" in relayed.text
    await desk.staff_says("Within the week.", reply_to=relayed_id)
    assert "Within the week." in desk.last_answer_to_requester()["text"]
    # Staff talking among themselves (no reply to a request message) goes nowhere.
    count = len(desk.texts_to(REQUESTER))
    await desk.staff_says("lunch?")
    assert len(desk.texts_to(REQUESTER)) == count


async def test_a_requester_cannot_reach_someone_elses_request_by_replying(desk):
    request = await desk.new_request("access", "eea")
    other = 7999
    message = desk.api.make_message(other, "let me in", chat_id=other)
    message["reply_to_message"] = {
        "message_id": 1, "date": 0, "chat": desk.api.chat(other), "from": desk.api.bot_user(),
        "text": f"Message about your request {request.reference}",
    }  # fmt: skip
    staff_before = len(desk.sent(STAFF_CHAT_ID))
    await desk.feed({"message": message})
    assert len(desk.sent(STAFF_CHAT_ID)) == staff_before


async def test_an_outsider_pressing_every_button_changes_nothing(desk):
    request = await desk.new_request("voice_takedown", "eea", verified_by=None, requester_type="voice_owner")
    before = await desk.snapshot(request.id)
    presses = [f"sa:{action}:{request.id}" for action in BUTTON_ACTIONS]
    presses += [f"sc:{step}:{value}:{request.id}" for step, value in (
        ("reject", "no_data"), ("reject", "other"), ("extend", "complex"), ("extend", "other"),
        ("complete", "nofile"), ("cancel", "-"))]  # fmt: skip
    for data in presses:
        answer = await desk.press(OUTSIDER, data, message_id=request.staff_chat_message_id)
        assert answer == "Not allowed: only the privacy team can do this.", data
    # Nor from a private chat (a forwarded card), even by a staff member.
    for data in presses:
        assert await desk.press(STAFF, data, chat_id=STAFF) == "Not allowed: only the privacy team can do this."
    # An outsider writing in the group after pressing does not become a question or a note.
    await desk.say(OUTSIDER, "what is this", chat_id=STAFF_CHAT_ID, reply_to=request.staff_chat_message_id)
    assert await desk.snapshot(request.id) == before


async def test_staff_user_ids_restrict_who_acts(desk):
    desk.dispatcher["staff_gate"].staff_user_ids = frozenset({STAFF_2})
    request = await desk.new_request("access", "eea")
    before = await desk.snapshot(request.id)
    assert await desk.press_on_card(STAFF, request, Action.ASSIGN) == "Not allowed: only the privacy team can do this."
    assert await desk.snapshot(request.id) == before
    assert await desk.press_on_card(STAFF_2, request, Action.ASSIGN) == "Assigned to you."


async def test_a_member_who_left_loses_access_once_the_cache_expires(desk):
    gate = desk.dispatcher["staff_gate"]
    request = await desk.new_request("access", "eea")
    assert await desk.press_on_card(STAFF, request, "assign") == "Assigned to you."
    desk.api.set_chat_member(STAFF_CHAT_ID, STAFF, "left")
    gate.forget(STAFF)  # what the short cache does by itself after its TTL
    assert await desk.press_on_card(STAFF, request, "assign") == "Not allowed: only the privacy team can do this."


def test_card_dates_are_aware():
    assert datetime.now(UTC).tzinfo is UTC


async def test_a_staff_file_in_reply_to_the_card_reaches_the_requester_as_a_document(desk):
    request = await desk.new_request("access", "eea")
    document = {"file_id": "STAFF-DOC", "file_unique_id": "sd1", "file_name": "letter.pdf"}
    await desk.staff_says("", reply_to=request.staff_chat_message_id, document=document, caption="Our letter")
    (sent,) = desk.api.calls_to("sendDocument", chat_id=REQUESTER)
    assert sent.params["document"] == "STAFF-DOC" and "Our letter" in sent.params["caption"]


async def test_a_message_from_a_forum_group_turns_topics_on_when_startup_could_not_tell(desk):
    desk.desk.forum = None
    await desk.staff_says("/queue")
    assert desk.desk.forum is True
    request = await desk.new_request("access", "eea")
    assert request.staff_topic_id is not None


async def test_a_file_added_by_the_requester_reaches_the_group_once(desk):
    from bot.requests import service

    request = await desk.new_request("voice_takedown", "eea", verified_by=None, requester_type="voice_owner")
    async with desk.session_factory() as session, session.begin():
        row = await session.get(type(request), request.id)
        now = datetime.now(UTC)
        service.add_attachment(session, row, file_id="LATER-VOICE", file_unique_id="lv", kind="voice", now=now)
        change = await service.apply(session, row, "add_info", service.Actor.requester(row.subject_id), now,
                                     text="another sample", attachments=1)  # fmt: skip
        await desk.notifier.deliver(session, change.notifications)  # what the requester flow does, then:
        await desk.desk.relay_from_requester(session, row, text="another sample", file_id="LATER-VOICE",
                                             file_kind="voice")  # fmt: skip
    await desk.flush()
    voices = desk.api.calls_to("sendVoice", chat_id=STAFF_CHAT_ID)
    assert [c.params["voice"] for c in voices] == ["LATER-VOICE"]
    assert any("another sample" in (c.text or "") for c in desk.sent(STAFF_CHAT_ID))
