"""Random walks through the service (fixed seeds): whatever staff, requesters and the system try, a refused
action changes nothing, an accepted one moves exactly as the lifecycle table says, and the audit chain of
every request verifies at the end."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.requests import service
from bot.requests.cli import verify_database
from bot.requests.lifecycle import (
    FINAL_STATES,
    Action,
    ActorRole,
    State,
    TransitionNotAllowed,
    allowed_actions,
    transition,
)
from bot.requests.service import Actor
from storage.engine import create_session_factory
from storage.models import Subject

pytestmark = pytest.mark.db

ARGS = {
    Action.VERIFY: [{"method": "email_code"}, {"method": "manual"}],
    Action.ASK: [{"text": "Which account?"}, {"text": ""}],
    Action.ANSWER: [{}, {"text": "this one"}],
    Action.ADD_INFO: [{"attachments": 1}],
    Action.EXTEND: [{"reason": "complex"}, {"reason": "other"}, {"reason": "other", "text": "backlog"}],
    Action.COMPLETE: [{}, {"file_id": "BQAC"}],
    Action.REJECT: [{"reason": "no_data"}, {"reason": "other"}, {"reason": "nonsense"}],
    Action.WITHDRAW: [{}],
    Action.EXPIRE: [{}],
    Action.FORWARD: [{}, {"controller": "Acme"}],
    Action.ASSIGN: [{}],
    Action.NOTE: [{"text": "internal"}],
}


START = [
    ("access", "uk"),
    ("erasure", "eea"),
    ("erasure", "california"),
    ("objection", "kz"),
    ("access", "eea"),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_walk(db_engine, db_url, seed, capsys):
    rng = random.Random(seed)
    now = datetime(2027, 1, 29, 9, tzinfo=UTC)
    async with create_session_factory(db_engine)() as session:
        owner = Subject(telegram_user_id=1)
        stranger = Subject(telegram_user_id=2)
        session.add_all([owner, stranger])
        await session.flush()
        requests = []
        accepted = 0
        for _ in range(200):
            now += timedelta(hours=rng.randint(1, 40))
            live = [r for r in requests if State(r.state) not in FINAL_STATES]
            if len(live) < 3:
                kind, jurisdiction = rng.choice(START)
                verified = rng.choice([None, "telegram_id"])
                change = await service.create_request(
                    session, owner, kind, jurisdiction, {}, now, None, verified_by=verified
                )
                requests.append(change.request)
                continue
            request = rng.choice(live)
            role = rng.choice(list(ActorRole))
            actor = {
                ActorRole.STAFF: Actor.staff(rng.choice([10, 11])),
                ActorRole.SYSTEM: Actor.system(),
                ActorRole.REQUESTER: Actor.requester(rng.choice([owner, owner, stranger])),
            }[role]
            # Mostly what the role may do now (closing actions less often, so requests live longer);
            # sometimes anything at all.
            possible = allowed_actions(request.state, role)
            staying = [a for a in possible if transition(request.state, a, role) not in FINAL_STATES]
            pool = staying if staying and rng.random() < 0.7 else possible
            action = rng.choice(pool) if pool and rng.random() < 0.8 else rng.choice(list(ARGS))
            args = rng.choice(ARGS[action])
            before = (
                request.state,
                request.event_count,
                request.audit_head,
                request.due_date,
                request.extended,
            )
            try:
                await service.apply(session, request, action, actor, now, **args)
            except TransitionNotAllowed:
                after = (
                    request.state,
                    request.event_count,
                    request.audit_head,
                    request.due_date,
                    request.extended,
                )
                assert after == before
                continue
            accepted += 1
            assert State(request.state) is transition(before[0], action, role)
            assert request.event_count == before[1] + 1
            if role is ActorRole.REQUESTER:
                assert actor.subject_id == owner.id
            if State(request.state) in FINAL_STATES:
                assert request.closed_at is not None and request.next_reminder_at is None
            elif request.due_date is not None:
                assert request.next_reminder_at is not None and request.next_reminder_at > now
        await session.commit()
    assert accepted > 60
    assert await verify_database(db_url) == 0
    assert capsys.readouterr().out.startswith("ok: ")
