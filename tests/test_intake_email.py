# ruff: noqa: F811 - pytest fixtures imported from tests.test_intake_kit are used as parameters
"""Email code verification through the bot, end to end, against a real SMTP server on loopback (aiosmtpd):
the code arrives, a wrong code, expiry, the attempt limit, the resend limit, no account enumeration."""

from __future__ import annotations

import email
import re
import socket
from datetime import UTC, datetime, timedelta
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from bot.crypto import FieldCipher, KeyedHash
from bot.kinds import RequestKind
from bot.requests.service import read_details
from bot.verification import EmailVerification, SmtpMailer
from tests.botkit import Person
from tests.test_intake_kit import (  # noqa: F401 - fixtures
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

KNOWN = "marie.dubois@example.net"  # vl_0003, not linked to Telegram
UNKNOWN = "nobody@example.com"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"

    def code(self, index: int = -1) -> str:
        return re.search(r"\b(\d{6})\b", self.messages[index].get_body(("plain",)).get_content()).group(1)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def verification(session_factory, demo_directory, smtp, clock):
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{smtp[1]}", "Privacy desk <privacy@velluto.example>")
    service = EmailVerification(
        session_factory, demo_directory, mailer, KeyedHash("test key"), FieldCipher(None), clock=clock
    )
    yield service
    await service.drain()


@pytest.fixture
def inbox(smtp):
    return smtp[0]


async def to_email_step(person: Person, velluto, lang: str = "en") -> Filler:
    filler = Filler(person, RequestKind.ERASURE, lang, velluto, linked=False, email=True)
    await person.says("/request")
    await person.presses(filler.t("Delete my data or account"))
    await filler.fill_until("email", {"verify": "email"})
    assert last_text(person) == filler.t("Type the email address of your {operator} account.")
    return filler


async def give_email(person: Person, verification, address: str) -> str:
    await person.says(address)
    await verification.drain()
    return person.replies()[0]


async def test_code_arrives_wrong_code_then_right_one(
    make_intake_bot, verification, inbox, session_factory, velluto
):
    person = Person(make_intake_bot(email_verification=verification), user_id=UNLINKED)
    await to_email_step(person, velluto)
    said = await give_email(person, verification, KNOWN)
    assert said.startswith(f"If {KNOWN} is the email of a Velluto account, a 6-digit code is on its way")
    assert last_text(person) == "Type the 6-digit code from the email."
    (message,) = inbox.messages
    code = inbox.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    await person.says(wrong)
    assert person.replies()[0] == "That code is not right. Attempts left: 4."
    await person.says(code)
    assert person.replies()[0] == "The code is right: you are verified."
    assert "confirmed by a code sent to your account email" in all_texts(person)
    await person.presses("Confirm and send")
    (request,) = await requests_of(session_factory, UNLINKED)
    assert request.state == "open" and request.verification_method == "email_code"
    assert read_details(request)["account_id"] == "vl_0003"
    assert KNOWN not in str(read_details(request))  # the account email is not copied into the request


async def test_expired_code_then_a_new_one_in_russian(make_intake_bot, verification, inbox, clock, velluto):
    person = Person(make_intake_bot(email_verification=verification), user_id=UNLINKED, language_code="ru")
    await to_email_step(person, velluto, "ru")
    await give_email(person, verification, KNOWN)
    old = inbox.code()
    clock.advance(minutes=11)
    await person.says(old)
    assert person.replies()[0].startswith("Срок действия кода истёк")
    await person.presses("Отправить новый код")
    await verification.drain()
    assert person.replies()[0].startswith(f"Новый код отправлен на {KNOWN}")
    assert len(inbox.messages) == 2
    await person.says(inbox.code())
    assert person.replies()[0] == "Код верный: личность подтверждена."


async def test_attempt_limit(make_intake_bot, verification, inbox, velluto):
    person = Person(make_intake_bot(email_verification=verification), user_id=UNLINKED)
    await to_email_step(person, velluto)
    await give_email(person, verification, KNOWN)
    code = inbox.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = []
    for _ in range(5):
        await person.says(wrong)
        answers.append(person.replies()[0])
    assert answers[:4] == [f"That code is not right. Attempts left: {n}." for n in (4, 3, 2, 1)]
    assert answers[4].startswith("Too many wrong attempts")
    await person.says(code)  # the right code no longer helps
    assert person.replies()[0].startswith("Too many wrong attempts")
    assert "Send a new code" in person.button_texts()


async def test_resend_limit(make_intake_bot, verification, inbox, clock, velluto):
    person = Person(make_intake_bot(email_verification=verification), user_id=UNLINKED)
    await to_email_step(person, velluto)
    await give_email(person, verification, KNOWN)
    await person.presses("Send a new code")
    assert re.match(r"A code was sent less than a minute ago: .* in \d+ seconds\.", person.replies()[0])
    for _ in range(2):
        clock.advance(seconds=61)
        await person.presses("Send a new code")
        await verification.drain()
        assert person.replies()[0].startswith("A new code is on its way")
    clock.advance(seconds=61)
    await person.presses("Send a new code")
    assert re.match(
        r"Too many codes were sent in the last hour\. You can ask again in \d+ minutes", person.replies()[0]
    )
    assert len(inbox.messages) == 3
    await person.says(inbox.code())  # the newest code still works
    assert person.replies()[0] == "The code is right: you are verified."


async def test_no_account_enumeration(make_intake_bot, verification, inbox, velluto):
    bot = make_intake_bot(email_verification=verification)
    known, unknown = Person(bot, user_id=UNLINKED), Person(bot, user_id=UNLINKED + 1)
    await to_email_step(known, velluto)
    await to_email_step(unknown, velluto)
    said_known = await give_email(known, verification, KNOWN)
    said_unknown = await give_email(unknown, verification, UNKNOWN)
    assert said_known.replace(KNOWN, "@") == said_unknown.replace(UNKNOWN, "@")
    assert known.button_texts() == unknown.button_texts()
    assert len(inbox.messages) == 1  # only the real account got an email
    await unknown.says("123456")
    assert unknown.replies()[0] == "That code is not right. Attempts left: 4."


async def test_email_shape_is_checked_before_anything_is_sent(make_intake_bot, verification, inbox, velluto):
    person = Person(make_intake_bot(email_verification=verification), user_id=UNLINKED)
    await to_email_step(person, velluto)
    await person.says("not an email")
    assert (
        person.replies()[0] == "That does not look like an email address. Please check it and type it again."
    )
    assert last_text(person) == "Type the email address of your Velluto account."
    await person.presses("Back")
    assert last_text(person) == "We need to confirm that the account is yours. How would you like to do that?"
    assert inbox.messages == []
