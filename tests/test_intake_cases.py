# ruff: noqa: F811 - pytest fixtures imported from tests.test_intake_kit are used as parameters
"""The special cases of intake and following requests: regions not served, the processor case,
agents and guardians, duplicates, /status with details, adding information and withdrawing,
/mydata and /forget, and the notice of a request closed unverified."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.intake.form import MENU_LABELS
from bot.kinds import RequestKind
from bot.notify import Notifier
from bot.requests.service import expire_unverified, read_details
from storage.base import utcnow
from storage.models import Subject
from storage.outbox import OutboxMessage
from storage.requests import Attachment, RequestEvent
from tests.botkit import Person
from tests.conftest import STAFF_CHAT_ID
from tests.test_intake_kit import (  # noqa: F401 - fixtures
    LINKED,
    UNLINKED,
    Filler,
    all_texts,
    demo_directory,
    demo_paths,
    last_text,
    make_intake_bot,
    requests_of,
    velluto_index,
)

pytestmark = pytest.mark.db


async def make_request(
    person: Person, velluto, kind=RequestKind.ACCESS, answers=None, lang="en", linked=True
):
    filler = Filler(person, kind, lang, velluto, linked=linked)
    await person.says("/request")
    await person.presses(filler.t(MENU_LABELS[kind]))
    await filler.fill(answers)
    await person.presses(filler.t("Confirm and send"))
    return filler


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_russia_or_belarus_is_told_and_offered_account_deletion(
    make_intake_bot, session_factory, velluto, lang
):
    person = Person(make_intake_bot(), user_id=LINKED, language_code=lang)
    filler = Filler(person, RequestKind.ACCESS, lang, velluto, linked=True)
    await person.says("/request")
    await person.presses(filler.t(MENU_LABELS[RequestKind.ACCESS]))
    await filler.answer()  # my own data
    await filler.answer("ru_by")
    notice = last_text(person)
    offer = velluto.regions.not_served[0].offer.get(lang)
    assert offer in notice and "§10.3" in notice
    assert person.button_texts()[0] == filler.t("Ask to delete my account")
    await filler.answer("erasure")
    await filler.fill()
    await person.presses(filler.t("Confirm and send"))
    (request,) = await requests_of(session_factory, LINKED)
    assert request.kind == "erasure" and request.jurisdiction == "ru_by"


async def test_processor_case_is_forwarded_and_the_requester_told_who_answers(
    make_intake_bot, session_factory, velluto
):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(
        person, velluto, RequestKind.ERASURE, {"relation": "processor", "controller": "Acme <Voice> Ltd"}
    )
    (request,) = await requests_of(session_factory, LINKED)
    assert request.state == "forwarded_to_controller" and request.is_processor_case
    reply = last_text(person)
    assert "Acme &lt;Voice&gt; Ltd" in reply  # escaped
    assert velluto.processor_case.who_answers.en in reply and "DPA §7" in reply
    async with session_factory() as session:
        staff_rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == STAFF_CHAT_ID)
        )
        assert list(staff_rows), "the staff are told"


async def test_voice_owner_in_a_business_product_is_a_processor_case(
    make_intake_bot, session_factory, velluto
):
    person = Person(make_intake_bot(), user_id=UNLINKED)
    await make_request(
        person, velluto, RequestKind.VOICE_TAKEDOWN, {"voice_whose": "processor"}, linked=False
    )
    (request,) = await requests_of(session_factory, UNLINKED)
    assert request.state == "forwarded_to_controller" and request.priority


async def test_agent_sends_an_authorisation_and_waits_for_a_person(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.ACCESS, {"relation": "agent"})
    (request,) = await requests_of(session_factory, LINKED)
    assert request.requester_type == "agent" and request.state == "awaiting_verification"
    assert "a person from the privacy team will check" in last_text(person)
    async with session_factory() as session:
        (attachment,) = await session.scalars(select(Attachment).where(Attachment.request_id == request.id))
    assert attachment.file_id == "doc-authorisation"


async def test_guardian_may_skip_the_proof(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.ERASURE, {"relation": "guardian"})
    (request,) = await requests_of(session_factory, LINKED)
    assert request.requester_type == "guardian" and request.state == "awaiting_verification"


async def test_same_kind_twice_offers_to_add_to_the_open_one(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.ACCESS)
    (first,) = await requests_of(session_factory, LINKED)
    await person.says("/request")
    await person.presses("A copy of my data")
    assert first.reference in last_text(person) and "already have an open request" in last_text(person)
    await person.presses(f"Add information to {first.reference}")
    await person.says("Also the <b>invoices</b>, please")
    assert last_text(person) == f"Added to {first.reference}. The privacy team will see it."
    assert len(await requests_of(session_factory, LINKED)) == 1
    async with session_factory() as session:
        events = list(await session.scalars(select(RequestEvent).where(RequestEvent.request_id == first.id)))
    assert [e.action for e in events][-1] == "add_info"


async def test_a_duplicate_found_only_at_confirm_is_offered_too(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.ERASURE)
    (first,) = await requests_of(session_factory, LINKED)
    await person.says("/forget")
    await person.presses("Yes, delete it")  # forgets where they live, so the form asks again
    filler = Filler(person, RequestKind.ACCESS, "en", velluto, linked=True)
    await person.says("/request")
    await person.presses(filler.t(MENU_LABELS[RequestKind.ACCESS]))
    await filler.answer()
    await filler.answer("ru_by")
    await filler.answer("erasure")  # the form becomes an erasure request: the same kind as the open one
    await filler.fill()
    await person.presses(filler.t("Confirm and send"))
    assert "already have an open request" in last_text(person) and first.reference in last_text(person)
    assert person.button_texts()[0] == f"Add information to {first.reference}"
    assert len(await requests_of(session_factory, LINKED)) == 1


async def test_status_details_and_withdraw_in_russian(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED, language_code="ru")
    await make_request(person, velluto, RequestKind.PORTABILITY, lang="ru")
    (request,) = await requests_of(session_factory, LINKED)
    await person.says("/status")
    listing = last_text(person)
    assert request.reference in listing and "в работе" in listing
    from babel.dates import format_date

    assert format_date(request.due_date, format="long", locale="ru") in listing
    await person.presses(request.reference)
    assert "Срок ответа" in last_text(person)
    await person.presses("Отозвать")
    assert request.reference in last_text(person)
    await person.presses("Да, отозвать")
    assert request.reference in last_text(person)
    (request,) = await requests_of(session_factory, LINKED)
    assert request.state == "withdrawn"
    await person.says(f"/status {request.reference.lower()}")
    assert "отозван" in last_text(person)


async def test_status_by_typed_reference_and_add_a_file(make_intake_bot, session_factory, velluto):
    from teremok import MockMessagePhoto

    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.OBJECTION)
    (request,) = await requests_of(session_factory, LINKED)
    await person.says(f"/status {request.reference}")
    assert "Answer due by" in last_text(person)
    await person.presses("Add information")
    await person.sends(
        MockMessagePhoto(file_id="screenshot", caption="see this", user=person.user, chat=person.chat)
    )
    assert last_text(person).startswith("Added to")
    async with session_factory() as session:
        (attachment,) = await session.scalars(select(Attachment).where(Attachment.request_id == request.id))
    assert attachment.kind == "photo" and attachment.file_id == "screenshot"


async def test_mydata_then_forget_keeps_what_an_open_request_needs(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.ERASURE)
    (request,) = await requests_of(session_factory, LINKED)
    await person.says("/mydata")
    held = all_texts(person)
    assert str(LINKED) in held and request.reference in held and "European Union" in held
    await person.says("/forget")
    await person.presses("Yes, delete it")
    reply = last_text(person)
    assert "What remains, and why" in reply and request.reference in reply
    async with session_factory() as session:
        subject = await session.scalar(select(Subject).where(Subject.telegram_user_id == LINKED))
    assert subject is not None and subject.jurisdiction is None
    details = read_details(request)
    assert details["answers"]["erasure_scope"] == "account"  # the open request keeps its details


async def test_forget_without_requests_deletes_everything(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=UNLINKED)
    await person.says("/language")
    await person.presses("✓ English")
    await person.says("/forget")
    await person.presses("Yes, delete it")
    assert "Nothing about you remains in this bot." in last_text(person)
    async with session_factory() as session:
        assert await session.scalar(select(Subject).where(Subject.telegram_user_id == UNLINKED)) is None
    await person.says("/mydata")
    assert "Nothing else" in all_texts(person)


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_unverified_request_closed_after_30_days_notice_renders(
    make_intake_bot, session_factory, velluto, lang
):
    person = Person(make_intake_bot(), user_id=UNLINKED, language_code=lang)
    await make_request(person, velluto, RequestKind.ACCESS, {"verify": "manual"}, lang=lang, linked=False)
    (request,) = await requests_of(session_factory, UNLINKED)
    assert request.state == "awaiting_verification"
    async with session_factory() as session:
        notes = await expire_unverified(session, utcnow() + timedelta(days=31))
        await Notifier(staff_chat_id=STAFF_CHAT_ID).deliver(session, notes)
        await session.commit()
        rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == UNLINKED)))
    (row,) = rows
    text = json.loads(row.payload)["text"]
    assert request.reference in text and "30" in text
    assert ("was closed" if lang == "en" else "закрыт") in text
    (request,) = await requests_of(session_factory, UNLINKED)
    assert request.state == "closed_unverified"


async def test_cancel_while_adding_information_adds_nothing(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.RESTRICTION)
    (request,) = await requests_of(session_factory, LINKED)
    await person.says("/status")
    await person.presses(request.reference)
    await person.presses("Add information")
    await person.presses("Cancel")
    assert await person.bot.get_state(user_id=LINKED) is None
    await person.says("how long do you keep my voice?")  # now a question again, not added
    async with session_factory() as session:
        events = list(
            await session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id))
        )
    assert [e.action for e in events] == ["create"]


async def test_talk_to_a_person_becomes_a_message_to_the_privacy_team(
    make_intake_bot, session_factory, velluto
):
    person = Person(make_intake_bot(), user_id=UNLINKED, language_code="ru")
    filler = Filler(person, RequestKind.OTHER, "ru", velluto, linked=False)
    await person.says("/start")
    await person.presses("Связаться с человеком")
    await person.presses("Отмена")
    async with session_factory() as session:  # a form opened and cancelled leaves nothing about the person
        assert await session.scalar(select(Subject).where(Subject.telegram_user_id == UNLINKED)) is None

    await person.says("/start")
    await person.presses("Связаться с человеком")
    await filler.fill({"question": "Можно ли <удалить> только голос?"})
    await person.presses("Подтвердить и отправить")
    (request,) = await requests_of(session_factory, UNLINKED)
    assert request.kind == "other" and request.state == "open"
    assert read_details(request)["answers"]["question"] == "Можно ли <удалить> только голос?"
    async with session_factory() as session:
        subject = await session.scalar(select(Subject).where(Subject.telegram_user_id == UNLINKED))
    assert subject.language == "ru"  # stored with the request: staff questions and reminders in Russian
    await person.presses("Мои запросы")  # the menu under the confirmation lists the new request
    assert request.reference in last_text(person)


async def test_added_information_reaches_the_staff_group(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await make_request(person, velluto, RequestKind.ACCESS)
    (request,) = await requests_of(session_factory, LINKED)
    await person.says(f"/status {request.reference}")
    await person.presses("Add information")
    await person.says("My <old> username was anna_k")
    async with session_factory() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == STAFF_CHAT_ID))
        )
    relayed = [json.loads(row.payload).get("text", "") for row in rows]
    assert any("My &lt;old&gt; username was anna_k" in text for text in relayed)


async def test_voice_owner_contact_email_is_kept_with_the_request(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=UNLINKED)
    filler = Filler(person, RequestKind.VOICE_TAKEDOWN, "en", velluto, linked=False)
    await person.says("/voice")
    await filler.fill({"voice_where": "https://example.com/clone", "voice_contact": "me@example.org"})
    assert "Contact email: me@example.org" in all_texts(person)
    await person.presses("Confirm and send")
    (request,) = await requests_of(session_factory, UNLINKED)
    details = read_details(request)["answers"]
    assert details["voice_contact"] == "me@example.org" and details["voice_consent"] == "yes"
    assert "honour verified voice-owner requests within 30 days" in last_text(person)
