"""Reminders with a controlled clock: the expected reminders on the expected days, none twice, across
a restart; two sweeps at once send each reminder once; many due at once make one message; overdue
reminders mention the assignee; the sweep reads only what is due; the digest goes once a day."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.deadlines import PolicyPromise
from bot.jobs.daily import expire, send_digest
from bot.jobs.sweep import sweep, sweep_batch
from bot.notify import Notifier
from bot.requests import service
from bot.staff.desk import StaffDesk
from storage import staff as staff_store
from storage.engine import create_engine, create_session_factory
from storage.models import Subject
from storage.outbox import OutboxMessage
from storage.requests import Request
from tests.conftest import STAFF_CHAT_ID

pytestmark = pytest.mark.db

VELLUTO = PolicyPromise(operator="velluto", standard_days=30, complex_days=90, voice_owner_days=30)
LA = ZoneInfo("America/Los_Angeles")


def make_desk() -> StaffDesk:
    return StaffDesk(STAFF_CHAT_ID, language="en")


async def create(session_factory, received: datetime, *, jurisdiction="california", kind="access",
                 telegram_id=7001, verified_by="telegram_id") -> Request:  # fmt: skip
    async with session_factory() as session, session.begin():
        subject = await session.scalar(select(Subject).where(Subject.telegram_user_id == telegram_id))
        if subject is None:
            subject = Subject(telegram_user_id=telegram_id, language="en")
            session.add(subject)
            await session.flush()
        change = await service.create_request(session, subject, kind, jurisdiction, {}, received, VELLUTO,
                                              verified_by=verified_by)  # fmt: skip
        return change.request


async def staff_messages(session_factory) -> list[str]:
    async with session_factory() as session:
        rows = (await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == STAFF_CHAT_ID).order_by(OutboxMessage.id)
        )).all()  # fmt: skip
    return [json.loads(row.payload).get("text", "") for row in rows]


async def test_a_california_request_gets_exactly_the_expected_reminders_across_a_restart(db_url, db_engine):
    received = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)  # 1 March, 10:00 in Los Angeles
    factory = create_session_factory(db_engine)
    request = await create(factory, received)
    assert (request.due_date, request.ack_due, request.extension_notice_due) == (
        date(2027, 3, 31), date(2027, 3, 15), date(2027, 3, 31)
    )
    desk = make_desk()
    sent: list[tuple[date, str]] = []
    moment = received
    restarted = False
    engine = None
    while moment < datetime(2027, 4, 4, 6, 0, tzinfo=UTC):
        if not restarted and moment >= datetime(2027, 3, 26, tzinfo=UTC):
            # A restart: new engine, new pool, new desk, nothing kept in memory.
            engine = create_engine(db_url)
            factory, desk, restarted = create_session_factory(engine), make_desk(), True
        before = len(await staff_messages(factory))
        await sweep(factory, desk, moment)
        # ... and a second sweep at the same moment, as a retried job would: nothing more.
        await sweep(factory, desk, moment)
        for text in (await staff_messages(factory))[before:]:
            sent.append((moment.astimezone(LA).date(), text))
        moment += timedelta(hours=6)
    if engine is not None:
        await engine.dispose()

    days = [day for day, _ in sent]
    assert days == [
        date(2027, 3, 15),  # CCPA: acknowledge within 10 business days
        date(2027, 3, 24), date(2027, 3, 28), date(2027, 3, 30),  # 7, 3, 1 days before
        date(2027, 3, 31),  # due today, last day to extend
        date(2027, 4, 1), date(2027, 4, 2), date(2027, 4, 3),  # overdue, daily
    ]  # fmt: skip
    texts = [text for _, text in sent]
    assert all(request.reference in text for text in texts)
    assert "CCPA: confirm receipt" in texts[0]
    assert "due in 7 day(s)" in texts[1] and "due in 3 day(s)" in texts[2] and "due in 1 day(s)" in texts[3]
    assert "due TODAY" in texts[4] and "last day to extend" in texts[4]
    assert "OVERDUE by 1 day(s)" in texts[5] and "OVERDUE by 3 day(s)" in texts[7]
    async with factory() as session:
        keys = await staff_store.claims_of(session, request.id)
    assert len(keys) == len(set(keys)) == 8


async def test_a_completed_request_gets_no_more_reminders(session_factory):
    received = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    request = await create(session_factory, received)
    async with session_factory() as session, session.begin():
        row = await session.get(Request, request.id)
        await service.apply(session, row, "complete", service.Actor.staff(5001), received + timedelta(days=2))
        assert row.next_reminder_at is None
    assert await sweep(session_factory, make_desk(), datetime(2027, 4, 10, tzinfo=UTC)) == 0


async def test_two_sweeps_at_once_send_each_reminder_once(db_url, db_engine):
    received = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    factory = create_session_factory(db_engine)
    requests = [await create(factory, received, telegram_id=8000 + i) for i in range(40)]
    other_engine = create_engine(db_url)
    try:
        other = create_session_factory(other_engine)
        for day in (datetime(2027, 3, 24, 12, tzinfo=UTC), datetime(2027, 4, 2, 12, tzinfo=UTC)):
            before = len(await staff_messages(factory))
            counts = await asyncio.gather(
                sweep(factory, make_desk(), day, batch=7), sweep(other, make_desk(), day, batch=7)
            )
            assert sum(counts) == len(requests)
            texts = (await staff_messages(factory))[before:]
            for request in requests:
                assert sum(text.count(request.reference) for text in texts) == 1
        async with factory() as session:
            for request in requests:
                assert len(await staff_store.claims_of(session, request.id)) == 2
    finally:
        await other_engine.dispose()


async def test_many_due_at_once_make_one_grouped_message(session_factory):
    received = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    for i in range(25):
        await create(session_factory, received, telegram_id=9000 + i)
    assert await sweep(session_factory, make_desk(), datetime(2027, 3, 24, 12, tzinfo=UTC)) == 25
    (text,) = await staff_messages(session_factory)
    assert text.startswith("⏰ <b>25 reminders:</b>")


async def test_overdue_reminders_mention_the_assignee_and_single_ones_go_under_the_card(session_factory):
    received = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    request = await create(session_factory, received)
    async with session_factory() as session, session.begin():
        row = await session.get(Request, request.id)
        await service.apply(session, row, "assign", service.Actor.staff(5001), received, assignee=5001)
        await session.execute(update(Request).where(Request.id == request.id).values(staff_chat_message_id=4242))
    await sweep(session_factory, make_desk(), datetime(2027, 4, 2, 12, tzinfo=UTC))
    async with session_factory() as session:
        (row,) = (await session.scalars(select(OutboxMessage))).all()
    payload = json.loads(row.payload)
    assert "OVERDUE" in payload["text"] and 'href="tg://user?id=5001"' in payload["text"]
    assert payload["reply_to_message_id"] == 4242


async def test_the_sweep_reads_only_what_is_due(session_factory):
    soon = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    for i in range(3):
        await create(session_factory, soon, telegram_id=9500 + i)
    for i in range(60):  # received later: nothing due yet on 24 March
        await create(session_factory, soon + timedelta(days=20), telegram_id=9600 + i)
    async with session_factory() as session, session.begin():
        seen, queued = await sweep_batch(session, make_desk(), datetime(2027, 3, 24, 12, tzinfo=UTC))
    assert (seen, queued) == (3, 3)


async def test_the_digest_goes_once_a_day_most_urgent_first(session_factory):
    old = await create(session_factory, datetime(2027, 3, 1, 18, tzinfo=UTC), telegram_id=1)
    new = await create(session_factory, datetime(2027, 4, 1, 18, tzinfo=UTC), telegram_id=2)
    desk = make_desk()
    morning = datetime(2027, 4, 5, 7, 0, tzinfo=UTC)
    assert await send_digest(session_factory, desk, morning, "Europe/Berlin")
    assert not await send_digest(session_factory, desk, morning + timedelta(minutes=1), "Europe/Berlin")
    assert await send_digest(session_factory, make_desk(), morning + timedelta(days=1), "Europe/Berlin")
    first, second = await staff_messages(session_factory)
    assert "2 open request(s), 1 overdue" in first
    assert first.index(old.reference) < first.index(new.reference)
    assert "OVERDUE" in first and second != first


async def test_unverified_requests_expire_and_their_requesters_are_told(session_factory):
    received = datetime(2027, 3, 1, 18, tzinfo=UTC)
    request = await create(session_factory, received, verified_by=None, jurisdiction="eea")
    desk = make_desk()
    notifier = Notifier(staff_chat_id=STAFF_CHAT_ID)
    notifier.staff_hook = desk.on_notification
    assert await expire(session_factory, notifier, received + timedelta(days=29)) == 0
    assert await expire(session_factory, notifier, received + timedelta(days=31)) == 1
    async with session_factory() as session:
        row = await session.get(Request, request.id)
        told = (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 7001))).all()
    assert row.state == "closed_unverified" and row.next_reminder_at is None
    assert any("could not confirm your identity" in json.loads(m.payload)["text"] for m in told)
