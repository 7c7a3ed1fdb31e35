"""The audit hash chain: intact chains verify; any edit, reordering or deletion is reported with its place."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.cli import main as cli_main
from bot.requests import audit, service
from bot.requests.audit import GENESIS_HASH, EventRecord, verify_chain
from bot.requests.cli import verify_database
from bot.requests.lifecycle import Action
from storage.engine import create_session_factory
from storage.models import Subject

T0 = datetime(2027, 3, 5, 9, 30, 0, 123456, tzinfo=UTC)


def build_chain(reference: str, actions: list[str]) -> list[EventRecord]:
    events, prev = [], GENESIS_HASH
    for seq, action in enumerate(actions, start=1):
        fields = dict(
            reference=reference, seq=seq, at=T0 + timedelta(hours=seq), actor_role="staff",
            actor_telegram_id=7, action=action, payload={"n": seq, "due": "2027-04-05"},
        )  # fmt: skip
        digest = audit.event_hash(prev_hash=prev, **fields)
        events.append(EventRecord(prev_hash=prev, hash=digest, **fields))
        prev = digest
    return events


def test_an_intact_chain_verifies():
    chain = build_chain("PD-AAAAAA", ["create", "verify", "ask", "answer"])
    assert verify_chain(chain) == []
    assert verify_chain(chain, {"PD-AAAAAA": chain[-1].hash}) == []
    assert audit.chain_stats(chain + build_chain("PD-BBBBBB", ["create"])) == (5, 2)


def test_the_hash_covers_every_field():
    base = build_chain("PD-AAAAAA", ["create", "verify"])
    changes = {
        "reference": "PD-CCCCCC",
        "at": T0,
        "actor_role": "requester",
        "actor_telegram_id": 8,
        "action": "complete",
        "payload": {"n": 2, "due": "2027-05-05"},
    }
    for name, value in changes.items():
        tampered = [base[0], dataclasses.replace(base[1], **{name: value})]
        problems = verify_chain(tampered)
        assert problems, name
        assert {(p.seq, p.problem) for p in problems if p.reference != "PD-CCCCCC"} <= {
            (2, "hash does not match the event's content")
        }


def test_editing_one_event_names_it_and_the_next_link_still_holds_to_the_stored_hash():
    chain = build_chain("PD-AAAAAA", ["create", "verify", "ask", "answer"])
    chain[1] = dataclasses.replace(chain[1], payload={"n": 2, "due": "2027-12-31"})
    problems = verify_chain(chain)
    assert [(p.reference, p.seq) for p in problems] == [("PD-AAAAAA", 2)]
    assert "PD-AAAAAA seq 2" in str(problems[0])


def test_rehashing_an_edited_event_breaks_the_following_link():
    chain = build_chain("PD-AAAAAA", ["create", "verify", "ask"])
    edited = dataclasses.replace(chain[1], payload={"forged": True})
    edited = dataclasses.replace(edited, hash=audit.hash_of(edited))
    problems = verify_chain([chain[0], edited, chain[2]])
    assert [(p.seq, p.problem) for p in problems] == [(3, "previous hash does not match the event before")]


def test_deleted_events_are_found():
    chain = build_chain("PD-AAAAAA", ["create", "verify", "ask", "answer"])
    middle = verify_chain([chain[0], chain[2], chain[3]])
    assert any("sequence gap" in p.problem for p in middle)
    # The links cannot show a missing tail; the head the request row keeps can.
    assert verify_chain(chain[:3]) == []
    tail = verify_chain(chain[:3], {"PD-AAAAAA": chain[3].hash})
    assert [p.problem for p in tail] == ["the last event is not the one the request records"]
    assert verify_chain([], {"PD-AAAAAA": chain[3].hash})


def test_a_text_must_match_the_digest_in_its_payload():
    stored = "fernet:ciphertext"
    fields = dict(
        reference="PD-AAAAAA", seq=1, at=T0, actor_role="staff", actor_telegram_id=7, action="note",
        payload={"text_sha256": audit.text_digest(stored)},
    )  # fmt: skip
    event = EventRecord(
        prev_hash=GENESIS_HASH, hash=audit.event_hash(prev_hash=GENESIS_HASH, **fields), text=stored, **fields
    )
    assert verify_chain([event]) == []
    assert verify_chain([dataclasses.replace(event, text=None)]) == []  # purged later: still verifies
    assert verify_chain([dataclasses.replace(event, text="fernet:other")])


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        audit.iso_instant(datetime(2027, 1, 1))  # noqa: DTZ001 - the point of the test


# --- the database and the command ----------------------------------------------------------------


async def run_cli(*argv: str) -> int:
    """The real command, in a thread: it runs its own event loop, as it does from the shell."""
    return await asyncio.to_thread(cli_main, list(argv))


async def make_requests(db_engine) -> list[str]:
    now = datetime(2027, 3, 5, 10, tzinfo=UTC)
    references = []
    async with create_session_factory(db_engine)() as session:
        subject = Subject(telegram_user_id=500, language="en")
        session.add(subject)
        await session.flush()
        for kind in ("access", "erasure"):
            change = await service.create_request(session, subject, kind, "eea", {"text": "x"}, now, None)
            request = change.request
            await service.apply(
                session, request, Action.VERIFY, service.Actor.system(), now, method="email_code"
            )
            await service.apply(
                session, request, Action.ASK, service.Actor.staff(9), now, text="Which account?"
            )
            await service.apply(
                session, request, Action.ANSWER, service.Actor.requester(subject), now, text="Main"
            )
            references.append(request.reference)
        await session.commit()
    return references


@pytest.mark.db
async def test_audit_verify_passes_on_an_untouched_database(db_engine, db_url, capsys):
    await make_requests(db_engine)
    assert await run_cli("audit", "verify", "--database", db_url) == 0
    assert capsys.readouterr().out.strip() == "ok: 8 events in 2 requests"


@pytest.mark.db
async def test_editing_one_event_in_the_database_makes_audit_verify_fail(db_engine, db_url, capsys):
    references = await make_requests(db_engine)
    async with db_engine.begin() as connection:
        request_id = (
            await connection.execute(
                text("SELECT id FROM requests WHERE reference = :r"), {"r": references[1]}
            )
        ).scalar_one()
        await connection.execute(
            text("UPDATE request_events SET payload = '{\"from\": \"open\", \"to\": \"completed\"}' "
                 "WHERE request_id = :id AND seq = 3"),
            {"id": request_id},
        )  # fmt: skip
    assert await run_cli("audit", "verify", "--database", db_url) == 1
    out = capsys.readouterr().out
    assert f"{references[1]} seq 3" in out
    assert references[0] not in out


@pytest.mark.db
async def test_deleting_the_last_event_or_breaking_json_is_reported(db_engine, db_url, capsys):
    references = await make_requests(db_engine)
    async with db_engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM request_events WHERE seq = 4 AND request_id = "
                 "(SELECT id FROM requests WHERE reference = :r)"),
            {"r": references[0]},
        )  # fmt: skip
        await connection.execute(
            text("UPDATE request_events SET text = 'edited' WHERE seq = 3 AND request_id = "
                 "(SELECT id FROM requests WHERE reference = :r)"),
            {"r": references[1]},
        )  # fmt: skip
    assert await verify_database(db_url) == 1
    out = capsys.readouterr().out
    assert f"{references[0]} seq 3: the last event is not the one the request records" in out
    assert f"{references[1]} seq 3: text does not match its digest" in out


def test_audit_verify_on_a_missing_database_is_one_line(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'absent.db'}"
    assert cli_main(["audit", "verify", "--database", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no database at" in err
    assert not (tmp_path / "absent.db").exists()


def test_audit_verify_on_an_unmigrated_database_is_one_line(tmp_path, capsys):
    import sqlite3

    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    assert cli_main(["audit", "verify", "--database", f"sqlite+aiosqlite:///{path}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "migrate" in err
