"""The request service on a real database: creation, the one transition function, deadline recomputation,
notifications, queries, and that a requester only ever reaches their own requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bot.crypto import FieldCipher, generate_data_key
from bot.deadlines import PolicyPromise
from bot.i18n import gettext_for
from bot.requests import messages, service
from bot.requests.audit import EventRecord, verify_chain
from bot.requests.lifecycle import Action, State, TransitionNotAllowed
from bot.requests.service import Actor
from storage import requests as store
from storage.engine import create_session_factory
from storage.models import Subject
from storage.requests import Request, RequestEvent

pytestmark = pytest.mark.db

VELLUTO = PolicyPromise(operator="velluto", standard_days=30, complex_days=90, voice_owner_days=30)
STAFF = Actor.staff(777)


def at(y, m, d, h=12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
async def session(db_engine):
    async with create_session_factory(db_engine)() as session:
        yield session


async def subject(session, telegram_id=1001, language="en") -> Subject:
    person = Subject(telegram_user_id=telegram_id, language=language)
    session.add(person)
    await session.flush()
    return person


async def chain_problems(session, request: Request):
    events = (await session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id))).all()
    records = [
        EventRecord(request.reference, e.seq, e.at, e.actor_role, e.actor_telegram_id, e.action, e.payload,
                    e.prev_hash, e.hash, e.text)
        for e in events
    ]  # fmt: skip
    return verify_chain(records, {request.reference: request.audit_head})


# --- creation ---------------------------------------------------------------------------------------


async def test_create_records_the_request_its_deadline_and_the_first_event(session):
    person = await subject(session)
    change = await service.create_request(
        session, person, "erasure", "uk", {"account": "a@example.com"}, at(2027, 1, 31, 10), VELLUTO
    )
    await session.commit()
    request = change.request
    assert request.state == "awaiting_verification"
    assert request.regime_list == ["uk_gdpr", "policy"]
    # ICO example: 31 Jan 2027 → Mon 1 Mar 2027 (28 Feb is a Sunday); the policy's 30 days end 2 Mar.
    assert request.due_date == date(2027, 3, 1)
    assert request.due_zone == "Europe/London"
    assert "UK GDPR" in request.deadline_reason
    assert request.next_reminder_at == datetime(2027, 2, 22, tzinfo=UTC)  # 7 days before, London midnight
    assert [e.action for e in change.events] == ["create"]
    assert [(n.audience, n.key) for n in change.notifications] == [
        ("requester", messages.RECEIVED_UNVERIFIED),
        ("staff", messages.STAFF_NEW),
    ]
    told = change.notifications[0]
    assert (told.chat_id, told.language, told.params["due"]) == (1001, "en", "2027-03-01")
    assert await chain_problems(session, request) == []


async def test_a_verified_sender_starts_open_and_voice_takedowns_are_priority(session):
    person = await subject(session)
    change = await service.create_request(
        session, person, "voice_takedown", "eea", {"link": "https://x"}, at(2027, 3, 5), VELLUTO,
        verified_by="telegram_id", requester_type="voice_owner",
    )  # fmt: skip
    assert change.request.state == "open"
    assert change.request.priority is True
    assert change.request.verification_method == "telegram_id"
    assert change.notifications[0].key == messages.RECEIVED


async def test_details_are_encrypted_with_the_cipher(session, db_engine):
    cipher = FieldCipher(generate_data_key())
    person = await subject(session)
    change = await service.create_request(
        session, person, "rectification", "eea", {"wrong": "my birth date 1990-01-01"}, at(2027, 3, 5), None,
        cipher=cipher,
    )  # fmt: skip
    await service.apply(
        session, change.request, Action.NOTE, STAFF, at(2027, 3, 6), text="secret note", cipher=cipher
    )
    await session.commit()
    async with db_engine.connect() as connection:
        raw_details = (await connection.execute(text("SELECT details FROM requests"))).scalar_one()
        raw_note = (
            await connection.execute(text("SELECT text FROM request_events WHERE action='note'"))
        ).scalar_one()
    assert "1990" not in raw_details and "secret" not in raw_note
    assert service.read_details(change.request, cipher) == {"wrong": "my birth date 1990-01-01"}
    assert await chain_problems(session, change.request) == []


async def test_processor_case_is_forwarded_at_once_and_the_requester_told_who_answers(session):
    person = await subject(session, language="ru")
    change = await service.create_request(
        session,
        person,
        "erasure",
        "eea",
        {},
        at(2027, 3, 5),
        VELLUTO,
        processor_case=True,
        controller="Acme Calls",
    )
    request = change.request
    assert request.state == "forwarded_to_controller" and request.is_processor_case
    assert request.next_reminder_at is None and request.outcome == "forwarded_to_controller"
    assert [e.action for e in change.events] == ["create", "forward"]
    keys = [(n.audience, n.key) for n in change.notifications]
    assert ("requester", messages.FORWARDED) in keys and ("staff", messages.STAFF_FORWARD) in keys
    forwarded = next(n for n in change.notifications if n.key == messages.FORWARDED)
    shown = messages.render(forwarded, gettext_for("ru"), "ru")
    assert "Acme Calls" in shown and request.reference in shown
    assert await chain_problems(session, request) == []


async def test_a_request_no_regime_covers_has_no_due_date(session):
    person = await subject(session)
    change = await service.create_request(session, person, "other", "us_other", {}, at(2027, 3, 5), None)
    assert change.request.due_date is None and change.request.next_reminder_at is None
    assert change.notifications[0].key == messages.RECEIVED_NO_DUE


# --- deadline recomputation -------------------------------------------------------------------------


async def test_uk_clock_starts_when_the_requested_id_arrives(session):
    person = await subject(session)
    request = (
        await service.create_request(session, person, "access", "uk", {}, at(2027, 1, 31, 10), None)
    ).request
    assert request.due_date == date(2027, 3, 1)
    change = await service.apply(
        session, request, Action.VERIFY, Actor.system(), at(2027, 2, 10), method="email_code"
    )
    assert request.state == "open" and request.clock_start_at == at(2027, 2, 10)
    assert request.due_date == date(2027, 3, 10)  # one month from 10 Feb
    assert change.notifications[0].key == messages.VERIFIED
    assert change.notifications[0].params["due"] == "2027-03-10"


async def test_eu_verification_does_not_move_the_deadline(session):
    person = await subject(session)
    request = (
        await service.create_request(session, person, "access", "eea", {}, at(2027, 3, 5), None)
    ).request
    await service.apply(session, request, Action.VERIFY, STAFF, at(2027, 3, 9))
    assert request.verification_method == "manual" and request.verified_at == at(2027, 3, 9)
    assert request.clock_start_at is None  # only the UK has a clock start
    assert request.due_date == date(2027, 4, 5)  # EDPB example 32: from receipt


async def test_eu_pause_adds_the_asked_to_answered_days_inclusively(session):
    person = await subject(session)
    request = (
        await service.create_request(
            session, person, "access", "eea", {}, at(2027, 3, 5), None, verified_by="telegram_id"
        )
    ).request
    assert request.due_date == date(2027, 4, 5)
    asked = await service.apply(session, request, Action.ASK, STAFF, at(2027, 3, 10), text="Which email?")
    assert request.state == "awaiting_requester" and request.due_date == date(2027, 4, 5)
    assert asked.notifications[0].params["question"] == "Which email?"
    await service.apply(session, request, Action.ANSWER, Actor.requester(person), at(2027, 3, 12), text="b@x")
    assert request.state == "open" and request.paused_days == 3 and request.pause_started_at is None
    assert request.due_date == date(2027, 4, 8)  # 5 Apr + 3 paused days (10, 11, 12 Mar), a Thursday


async def test_pause_days_are_counted_in_local_dates(session):
    person = await subject(session)
    request = (
        await service.create_request(
            session, person, "access", "eea", {}, at(2027, 3, 5), None, verified_by="telegram_id"
        )
    ).request
    # 23:30 UTC on 9 Mar is 00:30 on 10 Mar in Brussels: asked and answered the same local day.
    await service.apply(
        session, request, Action.ASK, STAFF, datetime(2027, 3, 9, 23, 30, tzinfo=UTC), text="?"
    )
    await service.apply(session, request, Action.ANSWER, Actor.requester(person), at(2027, 3, 10, 20))
    assert request.paused_days == 1


async def test_ccpa_never_pauses_and_extends_to_90_days(session):
    person = await subject(session)
    received = at(2027, 3, 5, 20)  # noon in Los Angeles
    request = (
        await service.create_request(
            session, person, "erasure", "california", {}, received, None, verified_by="telegram_id"
        )
    ).request
    assert request.due_date == date(2027, 4, 19) and request.ack_due is not None
    await service.apply(session, request, Action.ASK, STAFF, at(2027, 3, 10, 20), text="Which account?")
    await service.apply(session, request, Action.ANSWER, Actor.requester(person), at(2027, 3, 20, 20))
    assert request.paused_days == 11  # recorded as a fact...
    assert request.due_date == date(2027, 4, 19)  # ...but CCPA runs regardless
    change = await service.apply(
        session, request, Action.EXTEND, STAFF, at(2027, 3, 25, 20), reason="complex"
    )
    assert request.extended and request.extension_reason == "complex"
    assert request.due_date == date(2027, 6, 3)  # 90 days from receipt
    told = change.notifications[0]
    assert told.key == messages.EXTENDED and told.params["due"] == "2027-06-03"
    assert "the request is complex" in messages.render(told, gettext_for("en"))


async def test_uk_extension_is_three_months_from_the_start_and_only_once(session):
    person = await subject(session)
    request = (
        await service.create_request(
            session, person, "access", "uk", {}, at(2027, 1, 31, 10), None, verified_by="telegram_id"
        )
    ).request
    await service.apply(session, request, Action.EXTEND, STAFF, at(2027, 2, 15), reason="many_requests")
    assert request.due_date == date(2027, 4, 30)  # ICO: 31 Jan → 30 Apr
    with pytest.raises(TransitionNotAllowed) as caught:
        await service.apply(session, request, Action.EXTEND, STAFF, at(2027, 2, 16), reason="complex")
    assert caught.value.code == "already_extended"


async def test_extension_is_refused_after_the_notice_date_or_where_no_regime_allows_it(session):
    person = await subject(session)
    eu = (
        await service.create_request(
            session, person, "access", "eea", {}, at(2027, 3, 5), None, verified_by="telegram_id"
        )
    ).request
    assert eu.extension_notice_due == date(2027, 4, 5)
    with pytest.raises(TransitionNotAllowed) as late:
        await service.apply(session, eu, Action.EXTEND, STAFF, at(2027, 4, 6), reason="complex")
    assert late.value.code == "notice_date_passed"
    opt_out = (
        await service.create_request(
            session,
            person,
            "opt_out_sale",
            "california",
            {},
            at(2027, 3, 5, 20),
            None,
            verified_by="not_required",
        )
    ).request
    with pytest.raises(TransitionNotAllowed) as never:
        await service.apply(session, opt_out, Action.EXTEND, STAFF, at(2027, 3, 6, 20), reason="complex")
    assert never.value.code == "cannot_extend"
    assert not eu.extended and not opt_out.extended and eu.event_count == 1 and opt_out.event_count == 1


# --- the transition function ------------------------------------------------------------------------


async def test_a_refused_transition_changes_nothing(session):
    person = await subject(session)
    request = (
        await service.create_request(session, person, "access", "eea", {}, at(2027, 3, 5), None)
    ).request
    before = (request.state, request.event_count, request.audit_head, request.due_date)
    for action, actor, args in (
        (Action.COMPLETE, STAFF, {}),  # not verified yet
        (Action.VERIFY, Actor.requester(person), {}),  # a requester cannot verify themselves
        (Action.EXPIRE, STAFF, {}),  # only the system expires
        (Action.REJECT, STAFF, {"reason": "other"}),  # "other" needs a text
        (Action.NOTE, STAFF, {"text": ""}),
    ):
        with pytest.raises(TransitionNotAllowed):
            await service.apply(session, request, action, actor, at(2027, 3, 6), **args)
    assert (request.state, request.event_count, request.audit_head, request.due_date) == before
    count = await session.scalar(select(func.count()).select_from(RequestEvent))
    assert count == 1


async def test_the_full_life_of_a_request_is_one_verified_chain(session):
    person = await subject(session)
    request = (
        await service.create_request(session, person, "access", "eea", {}, at(2027, 3, 5), VELLUTO)
    ).request
    await service.apply(session, request, Action.ASSIGN, STAFF, at(2027, 3, 5, 13))
    assert request.assignee_telegram_id == 777
    await service.apply(session, request, Action.VERIFY, Actor.system(), at(2027, 3, 6), method="email_code")
    await service.apply(
        session, request, Action.ADD_INFO, Actor.requester(person), at(2027, 3, 6), attachments=1
    )
    await service.apply(session, request, Action.NOTE, STAFF, at(2027, 3, 7), text="export ready")
    change = await service.apply(
        session, request, Action.COMPLETE, STAFF, at(2027, 3, 8), file_id="BQAC-file"
    )
    await session.commit()
    assert request.state == "completed" and request.outcome == "completed"
    assert request.closed_at == at(2027, 3, 8) and request.next_reminder_at is None
    assert change.notifications[0].params["file_id"] == "BQAC-file"
    events = await store.events_of(session, request.id)
    assert [e.action for e in events] == ["create", "assign", "verify", "add_info", "note", "complete"]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1].payload["from"] == "open" and events[-1].payload["to"] == "completed"
    assert events[0].actor_telegram_id is None  # the requester is the subject: no id copied into the trail
    assert events[1].actor_telegram_id == 777
    assert await chain_problems(session, request) == []
    with pytest.raises(TransitionNotAllowed):
        await service.apply(session, request, Action.WITHDRAW, Actor.requester(person), at(2027, 3, 9))


async def test_reject_and_withdraw_tell_the_requester(session):
    person = await subject(session, language="ru")
    first = (await service.create_request(session, person, "access", "eea", {}, at(2027, 3, 5), None)).request
    rejected = await service.apply(
        session,
        first,
        Action.REJECT,
        STAFF,
        at(2027, 3, 6),
        reason="other",
        text="duplicate of another request",
    )
    assert first.state == "rejected" and first.reject_reason == "other"
    shown = messages.render(rejected.notifications[0], gettext_for("ru"), "ru")
    assert "duplicate of another request" in shown and first.reference in shown
    second = (
        await service.create_request(session, person, "erasure", "eea", {}, at(2027, 3, 5), None)
    ).request
    withdrawn = await service.apply(session, second, Action.WITHDRAW, Actor.requester(person), at(2027, 3, 6))
    assert second.state == "withdrawn" and withdrawn.notifications[0].key == messages.WITHDRAWN
    assert "отозван" in messages.render(withdrawn.notifications[0], gettext_for("ru"), "ru")


async def test_completing_during_a_pause_closes_the_pause(session):
    person = await subject(session)
    request = (
        await service.create_request(
            session, person, "access", "eea", {}, at(2027, 3, 5), None, verified_by="telegram_id"
        )
    ).request
    await service.apply(session, request, Action.ASK, STAFF, at(2027, 3, 10), text="?")
    await service.apply(session, request, Action.COMPLETE, STAFF, at(2027, 3, 11))
    assert request.pause_started_at is None and request.paused_days == 2


# --- a subject reaches only their own requests -------------------------------------------------------


async def test_a_subject_cannot_fetch_or_act_on_another_subjects_request(session):
    alice, bob = await subject(session, 1), await subject(session, 2)
    mine = (await service.create_request(session, alice, "access", "eea", {}, at(2027, 3, 5), None)).request
    await session.commit()
    assert await service.find_for_subject(session, alice, mine.reference.lower()) is mine
    assert await service.find_for_subject(session, bob, mine.reference) is None
    assert await service.find_for_subject(session, bob, "PD-not-a-ref") is None
    assert await service.request_by_id_for_subject(session, bob.id, mine.id) is None
    assert await service.requests_of_subject(session, bob.id) == []
    assert [r.reference for r in await service.requests_of_subject(session, alice.id)] == [mine.reference]
    with pytest.raises(TransitionNotAllowed) as caught:
        await service.apply(session, mine, Action.WITHDRAW, Actor.requester(bob), at(2027, 3, 6))
    assert caught.value.code == "not_permitted" and mine.state == "awaiting_verification"


# --- queries -----------------------------------------------------------------------------------------


async def test_queue_reminders_duplicates_and_expiry(session):
    person = await subject(session)
    now = at(2027, 3, 5)
    kz = (
        await service.create_request(
            session, person, "erasure", "kz", {}, now, None, verified_by="telegram_id"
        )
    ).request
    eu = (
        await service.create_request(
            session, person, "access", "eea", {}, now, None, verified_by="telegram_id"
        )
    ).request
    old = (
        await service.create_request(session, person, "objection", "eea", {}, now - timedelta(days=31), None)
    ).request
    young = (
        await service.create_request(
            session, person, "restriction", "eea", {}, now - timedelta(days=29), None
        )
    ).request
    done = (
        await service.create_request(
            session, person, "portability", "eea", {}, now, None, verified_by="telegram_id"
        )
    ).request
    await service.apply(session, done, Action.COMPLETE, STAFF, now)
    await session.commit()

    queue = await service.open_requests_by_urgency(session)
    assert queue[0] is old  # overdue first
    assert queue.index(kz) < queue.index(eu)  # 1 working day before one month
    assert done not in queue

    assert await service.open_duplicate(session, person.id, "access") is eu
    assert await service.open_duplicate(session, person.id, "portability") is None

    due = await service.due_for_reminders(session, now)
    assert old in due and eu not in due and done not in due
    assert all(r.next_reminder_at <= now for r in due)

    told = await service.expire_unverified(session, now)
    assert old.state == "closed_unverified" and young.state == "awaiting_verification"
    assert [(n.key, n.reference) for n in told if n.audience == "requester"] == [
        (messages.CLOSED_UNVERIFIED, old.reference)
    ]
    assert "30" in messages.render(told[0], gettext_for("en"))
    assert State(old.state) is State.CLOSED_UNVERIFIED and old.next_reminder_at is None


async def test_unknown_kinds_jurisdictions_and_naive_times_are_refused(session):
    person = await subject(session)
    with pytest.raises(ValueError):
        await service.create_request(session, person, "teleport", "eea", {}, at(2027, 3, 5), None)
    with pytest.raises(ValueError):
        await service.create_request(session, person, "access", "mars", {}, at(2027, 3, 5), None)
    with pytest.raises(ValueError):
        await service.create_request(session, person, "access", "eea", {}, datetime(2027, 3, 5), None)  # noqa: DTZ001


async def test_attachments_keep_only_telegram_ids_and_an_encrypted_caption(session):
    cipher = FieldCipher(generate_data_key())
    person = await subject(session)
    request = (
        await service.create_request(session, person, "voice_takedown", "eea", {}, at(2027, 3, 5), VELLUTO)
    ).request
    service.add_attachment(
        session, request, file_id="AwACAgIAAx", file_unique_id="AgADxx", kind="voice", caption="my own voice",
        now=at(2027, 3, 5), cipher=cipher,
    )  # fmt: skip
    await service.apply(
        session, request, Action.ADD_INFO, Actor.requester(person), at(2027, 3, 5), attachments=1
    )
    await session.commit()
    [attachment] = await store.attachments_of(session, request.id)
    assert attachment.kind == "voice" and attachment.file_id == "AwACAgIAAx"
    assert "voice" not in attachment.caption and cipher.decrypt(attachment.caption) == "my own voice"
    with pytest.raises(ValueError):
        service.add_attachment(
            session, request, file_id="x", file_unique_id="y", kind="sticker", now=at(2027, 3, 5)
        )


async def test_two_staff_acting_at_once_cannot_fork_the_chain(db_engine):
    factory = create_session_factory(db_engine)
    async with factory() as setup:
        person = await subject(setup)
        request = (
            await service.create_request(
                setup, person, "access", "eea", {}, at(2027, 3, 5), None, verified_by="telegram_id"
            )
        ).request
        await setup.commit()
    async with factory() as first, factory() as second:
        mine = await first.get(Request, request.id)
        theirs = await second.get(Request, request.id)
        await service.apply(first, mine, Action.COMPLETE, Actor.staff(1), at(2027, 3, 6))
        await first.commit()
        with pytest.raises(DBAPIError):  # same seq: the unique (request_id, seq) refuses the second write
            await service.apply(
                second, theirs, Action.REJECT, Actor.staff(2), at(2027, 3, 6), reason="no_data"
            )
            await second.commit()
        await second.rollback()
    async with factory() as check:
        stored = await check.get(Request, request.id)
        assert stored.state == "completed" and stored.event_count == 2
        assert await chain_problems(check, stored) == []


async def test_a_mistyped_argument_is_refused_before_anything_changes(session):
    person = await subject(session)
    request = (
        await service.create_request(session, person, "access", "eea", {}, at(2027, 3, 5), None)
    ).request
    with pytest.raises(TypeError):
        await service.apply(session, request, Action.REJECT, STAFF, at(2027, 3, 6), reasons="no_data")
    with pytest.raises(TypeError):
        await service.apply(session, request, Action.ASSIGN, STAFF, at(2027, 3, 6), assignee="@somebody")
    assert request.state == "awaiting_verification" and request.event_count == 1
