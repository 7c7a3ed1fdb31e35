"""Email one-time codes end to end: a real SMTP server on loopback (aiosmtpd), a real database, a fake clock.

The database is `db_engine` from conftest (SQLite per test, or PostgreSQL with TEST_DATABASE=postgres).
"""

from __future__ import annotations

import email
import logging
import re
import socket
from datetime import UTC, datetime, timedelta
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import inspect, text

from bot.crypto import FieldCipher, KeyedHash, generate_data_key
from bot.demo_data import create_demo_data
from bot.directory.sql import build_sql_directory
from bot.verification import email_codes
from bot.verification.email_codes import CheckStatus, EmailVerification, StartStatus
from bot.verification.mailer import MailerError, OutgoingEmail, SmtpMailer, parse_smtp_url
from storage import verification as challenges
from storage.engine import create_session_factory

KNOWN = "anna.keller@example.com"  # vl_0001 in the demo database
UNKNOWN = "nobody@example.com"
SENDER = "Privacy desk <privacy@velluto.example>"
REQUESTER = 100500


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"

    def code(self, index: int = -1) -> str:
        body = self.messages[index].get_body(("plain",)).get_content()
        return re.search(r"\b(\d{6})\b", body).group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def directory(tmp_path):
    demo = create_demo_data(tmp_path / "accounts.db")
    found = build_sql_directory(demo.directory_url, demo.mapping)
    yield found
    await found.aclose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def data_key():
    return generate_data_key()


@pytest.fixture
async def service(db_engine, directory, smtp_server, clock, data_key):
    _, port = smtp_server
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{port}", SENDER)
    verification = EmailVerification(
        create_session_factory(db_engine),
        directory,
        mailer,
        KeyedHash("test secret key"),
        FieldCipher(data_key),
        clock=clock,
    )
    yield verification
    await verification.drain()


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[0]


pytestmark = pytest.mark.db


async def test_code_arrives_and_verifies_the_account(service, inbox):
    started = await service.start(REQUESTER, "  Anna.Keller@Example.com ", "en")
    await service.drain()
    assert started.status is StartStatus.SENT
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert inbox.recipients[0] == [KNOWN]
    assert message["From"] == SENDER
    assert message["Subject"] == "Your verification code for a privacy request"
    assert "10 minutes" in message.get_body(("plain",)).get_content()

    result = await service.check(REQUESTER, inbox.code())
    assert result.status is CheckStatus.VERIFIED
    assert result.account.account_id == "vl_0001"
    assert result.account.email == KNOWN
    assert (await service.check(REQUESTER, inbox.code())).status is CheckStatus.EXPIRED  # used once


async def test_email_in_russian(service, inbox):
    await service.start(REQUESTER, KNOWN, "ru")
    await service.drain()
    message = inbox.messages[0]
    assert message["Subject"] == "Код подтверждения для запроса о персональных данных"
    assert "Ваш код подтверждения" in message.get_body(("plain",)).get_content()
    assert (await service.check(REQUESTER, inbox.code())).status is CheckStatus.VERIFIED


async def test_wrong_code_counts_down_then_the_right_one_still_works(service, inbox):
    await service.start(REQUESTER, KNOWN, "en")
    await service.drain()
    real = inbox.code()
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    result = await service.check(REQUESTER, wrong)
    assert (result.status, result.attempts_left) == (CheckStatus.WRONG, 4)
    assert (await service.check(REQUESTER, "not a code")).attempts_left == 3
    spaced = f"{real[:3]} {real[3:]}"
    assert (await service.check(REQUESTER, spaced)).status is CheckStatus.VERIFIED


async def test_code_expires_after_ten_minutes(service, inbox, clock):
    await service.start(REQUESTER, KNOWN, "en")
    await service.drain()
    clock.advance(minutes=10)
    assert (await service.check(REQUESTER, inbox.code())).status is CheckStatus.EXPIRED


async def test_code_is_valid_just_before_expiry(service, inbox, clock):
    await service.start(REQUESTER, KNOWN, "en")
    await service.drain()
    clock.advance(minutes=9, seconds=59)
    assert (await service.check(REQUESTER, inbox.code())).status is CheckStatus.VERIFIED


async def test_five_attempts_then_even_the_right_code_fails(service, inbox):
    await service.start(REQUESTER, KNOWN, "en")
    await service.drain()
    real = inbox.code()
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    lefts = [(await service.check(REQUESTER, wrong)).attempts_left for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    assert (await service.check(REQUESTER, wrong)).status is CheckStatus.TOO_MANY_ATTEMPTS
    assert (await service.check(REQUESTER, real)).status is CheckStatus.TOO_MANY_ATTEMPTS


async def test_resend_waits_sixty_seconds_and_replaces_the_old_code(service, inbox, clock):
    assert (await service.start(REQUESTER, KNOWN, "en")).status is StartStatus.SENT
    await service.drain()
    clock.advance(seconds=20)
    too_soon = await service.start(REQUESTER, KNOWN, "en")
    assert (too_soon.status, too_soon.seconds_left) == (StartStatus.RESEND_TOO_SOON, 40)
    await service.drain()
    assert len(inbox.messages) == 1
    clock.advance(seconds=40)
    assert (await service.start(REQUESTER, KNOWN, "en")).status is StartStatus.SENT
    await service.drain()
    assert len(inbox.messages) == 2
    old, new = inbox.code(0), inbox.code(1)
    if old != new:
        assert (await service.check(REQUESTER, old)).status is CheckStatus.WRONG
    assert (await service.check(REQUESTER, new)).status is CheckStatus.VERIFIED


async def test_at_most_three_codes_per_hour_to_one_address(service, inbox, clock):
    for _ in range(3):
        assert (await service.start(REQUESTER, KNOWN, "en")).status is StartStatus.SENT
        clock.advance(seconds=61)
    limited = await service.start(REQUESTER, KNOWN, "en")
    assert limited.status is StartStatus.HOURLY_LIMIT
    assert limited.seconds_left == 3600 - 3 * 61
    clock.advance(seconds=limited.seconds_left)
    assert (await service.start(REQUESTER, KNOWN, "en")).status is StartStatus.SENT
    await service.drain()
    assert len(inbox.messages) == 4


async def test_limits_are_per_requester(service, clock):
    for _ in range(3):
        await service.start(REQUESTER, KNOWN, "en")
        clock.advance(seconds=61)
    assert (await service.start(REQUESTER + 1, KNOWN, "en")).status is StartStatus.SENT


async def test_unknown_email_gets_the_same_answer_and_no_mail(service, inbox, clock, monkeypatch):
    monkeypatch.setattr(email_codes, "_new_code", lambda: "123456")
    known = await service.start(REQUESTER, KNOWN, "en")
    unknown = await service.start(REQUESTER + 1, UNKNOWN, "en")
    await service.drain()
    assert (
        (unknown.status, unknown.seconds_left) == (known.status, known.seconds_left) == (StartStatus.SENT, 0)
    )
    assert len(unknown.challenge_id) == len(known.challenge_id)
    assert inbox.recipients == [[KNOWN]]

    # The code that would have been sent never verifies; the answers match a known address's.
    result = await service.check(REQUESTER + 1, "123456")
    assert (result.status, result.attempts_left) == (CheckStatus.WRONG, 4)
    assert (await service.check(REQUESTER, "123456")).status is CheckStatus.VERIFIED

    # Limits answer the same way too.
    clock.advance(seconds=10)
    for requester, address in ((REQUESTER, KNOWN), (REQUESTER + 1, UNKNOWN)):
        again = await service.start(requester, address, "en")
        assert (again.status, again.seconds_left) == (StartStatus.RESEND_TOO_SOON, 50)


async def test_unknown_email_never_verifies_even_after_all_attempts(service, monkeypatch):
    monkeypatch.setattr(email_codes, "_new_code", lambda: "000000")
    await service.start(REQUESTER, UNKNOWN, "en")
    statuses = [(await service.check(REQUESTER, "000000")).status for _ in range(6)]
    assert CheckStatus.VERIFIED not in statuses
    assert statuses[-1] is CheckStatus.TOO_MANY_ATTEMPTS


async def test_database_holds_neither_the_code_nor_the_email(service, inbox, db_engine):
    await service.start(REQUESTER, KNOWN, "en")
    await service.drain()
    code = inbox.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    await service.check(REQUESTER, wrong)
    cells = await _all_cells(db_engine)
    assert any("fernet:" in cell for cell in cells)  # the account is stored, encrypted
    assert not any(code in cell for cell in cells)
    assert not any(wrong in cell for cell in cells)
    assert not any("anna.keller" in cell.lower() for cell in cells)
    assert (await service.check(REQUESTER, code)).status is CheckStatus.VERIFIED


async def test_another_requester_cannot_use_a_challenge(service, inbox):
    started = await service.start(REQUESTER, KNOWN, "en")
    await service.drain()
    stolen = await service.check(REQUESTER + 1, inbox.code(), challenge_id=started.challenge_id)
    assert stolen.status is CheckStatus.EXPIRED
    own = await service.check(REQUESTER, inbox.code(), challenge_id=started.challenge_id)
    assert own.status is CheckStatus.VERIFIED


async def test_nothing_personal_in_the_logs(service, inbox, caplog):
    with caplog.at_level(logging.DEBUG):
        await service.start(REQUESTER, KNOWN, "en")
        await service.drain()
        await service.check(REQUESTER, "999999")
        await service.check(REQUESTER, inbox.code())
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("privacy_desk"))
    assert KNOWN not in ours and inbox.code() not in ours and "verification code" not in ours


async def test_smtp_failure_does_not_change_the_answer(db_engine, directory, clock, caplog):
    dead = SmtpMailer.from_url(f"smtp://127.0.0.1:{_free_port()}", SENDER, timeout=5)
    verification = EmailVerification(
        create_session_factory(db_engine), directory, dead, KeyedHash("k"), FieldCipher(None), clock=clock
    )
    with caplog.at_level(logging.WARNING):
        assert (await verification.start(REQUESTER, KNOWN, "en")).status is StartStatus.SENT
        await verification.drain()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "not delivered" in logged and KNOWN not in logged


async def test_smtp_mailer_refusal_is_one_line_without_the_address(smtp_server):
    with pytest.raises(MailerError) as caught:
        await SmtpMailer(parse_smtp_url(f"smtp://127.0.0.1:{_free_port()}"), SENDER, timeout=5).send(
            OutgoingEmail(to=KNOWN, subject="s", body="b")
        )
    assert KNOWN not in str(caught.value) and "\n" not in str(caught.value)


async def _all_cells(engine) -> list[str]:
    """Every non-null value in every table of the bot's database, as text."""
    cells: list[str] = []
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table}"'))
            cells.extend(str(value) for row in rows for value in row if value is not None)
    return cells


async def test_ten_codes_per_hour_over_all_addresses(service, inbox, clock):
    answers = []
    for index in range(11):
        answers.append((await service.start(REQUESTER, f"someone{index}@example.com", "en")).status)
        clock.advance(seconds=1)
    assert answers[:10] == [StartStatus.SENT] * 10
    assert answers[10] is StartStatus.HOURLY_LIMIT
    await service.drain()
    assert inbox.messages == []  # none of these addresses has an account


async def test_no_code_requested_reads_as_expired(service):
    assert (await service.check(REQUESTER, "123456")).status is CheckStatus.EXPIRED


async def test_forget_and_purge_remove_challenges(service, db_engine, clock):
    await service.start(REQUESTER, KNOWN, "en")
    await service.start(REQUESTER + 1, UNKNOWN, "en")
    sessions = create_session_factory(db_engine)
    async with sessions.begin() as session:
        assert await challenges.count_for_requester(session, REQUESTER) == 1
        assert await challenges.delete_for_requester(session, REQUESTER) == 1
        assert await challenges.count_for_requester(session, REQUESTER) == 0
        assert await challenges.purge_created_before(session, clock.now + timedelta(seconds=1)) == 1
    assert (await service.check(REQUESTER, "123456")).status is CheckStatus.EXPIRED
