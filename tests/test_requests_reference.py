"""Public references: format, unambiguous alphabet, forgiving input, uniqueness in the database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.requests import reference as ref
from bot.requests import service
from storage.engine import create_session_factory
from storage.models import Subject

FORMAT = re.compile(r"^PD-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$")


def test_format_and_alphabet():
    for _ in range(500):
        assert FORMAT.match(ref.new_reference())
    for ambiguous in "01OIL":
        assert ambiguous not in ref.ALPHABET


def test_references_are_random():
    seen = {ref.new_reference() for _ in range(1000)}
    # 31**6 possible values: two collisions among 1000 draws would be astronomically unlikely.
    assert len(seen) >= 999


def test_references_come_from_the_secure_generator(monkeypatch):
    monkeypatch.setattr(ref.secrets, "choice", lambda alphabet: "K")
    assert ref.new_reference() == "PD-KKKKKK"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("PD-7K3F9Q", "PD-7K3F9Q"),
        ("pd-7k3f9q", "PD-7K3F9Q"),
        (" PD 7K3F 9Q ", "PD-7K3F9Q"),
        ("7K3F9Q", "PD-7K3F9Q"),
        ("PD7K3F9Q", "PD-7K3F9Q"),
        ("РD-7К3F9Q", "PD-7K3F9Q"),  # Cyrillic Р and К typed on a Russian keyboard
        ("PD-7K3F9", None),
        ("PD-7K3F9QQ", None),
        ("PD-0K3F9Q", None),
        ("PD-OK3F9Q", None),
        ("PD-7K3F9Q; DROP TABLE requests", None),
        ("", None),
    ],
)
def test_normalize(typed, expected):
    assert ref.normalize_reference(typed) == expected


@pytest.mark.db
async def test_a_colliding_reference_is_drawn_again(db_engine, monkeypatch):
    draws = iter(["PD-AAAAAA", "PD-AAAAAA", "PD-BBBBBB"])
    monkeypatch.setattr(service, "new_reference", lambda: next(draws))
    now = datetime(2027, 3, 5, 10, tzinfo=UTC)
    async with create_session_factory(db_engine)() as session:
        subject = Subject(telegram_user_id=1)
        session.add(subject)
        await session.flush()
        first = await service.create_request(
            session, subject, "access", "eea", {}, now, None, verified_by="telegram_id"
        )
        second = await service.create_request(session, subject, "erasure", "eea", {}, now, None)
        await session.commit()
    assert (first.request.reference, second.request.reference) == ("PD-AAAAAA", "PD-BBBBBB")
