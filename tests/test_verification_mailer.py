"""SMTP_URL parsing, the console mailer, and which mailer the settings give."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from bot.config import load_settings
from bot.verification.email_codes import EmailVerification, looks_like_email
from bot.verification.mailer import (
    ConsoleMailer,
    MailerError,
    OutgoingEmail,
    SmtpMailer,
    build_mailer,
    build_message,
    parse_smtp_url,
)


def _settings(**values):
    """Settings from the given values only: the developer's `.env` must not change a test."""
    return load_settings(_env_file=None, **values)


def test_smtp_url_with_starttls_and_escaped_password():
    config = parse_smtp_url("smtp://bot%40velluto.example:p%40ss%3Aword@mail.example.com:2525?starttls=1")
    assert (config.hostname, config.port) == ("mail.example.com", 2525)
    assert (config.username, config.password) == ("bot@velluto.example", "p@ss:word")
    assert (config.use_tls, config.start_tls) == (False, True)


@pytest.mark.parametrize(
    ("url", "port", "use_tls", "start_tls"),
    [
        ("smtps://mail.example.com", 465, True, False),
        ("smtp://mail.example.com?starttls=1", 587, False, True),
        ("smtp://mail.example.com", 25, False, None),
        ("smtp://mail.example.com:25?starttls=0", 25, False, False),
    ],
)
def test_smtp_url_defaults(url, port, use_tls, start_tls):
    config = parse_smtp_url(url)
    assert (config.port, config.use_tls, config.start_tls) == (port, use_tls, start_tls)
    assert config.username is None and config.password is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "must start with smtp:// or smtps://"),
        ("smtp://mail.example.com:99999", "port"),
        ("smtp://:25", "names no host"),
        ("smtps://mail.example.com?starttls=1", "already TLS"),
        ("smtp://mail.example.com?starttls=maybe", "starttls must be 1 or 0"),
    ],
)
def test_bad_smtp_urls_are_one_line_naming_the_variable(url, message):
    with pytest.raises(MailerError, match=message) as caught:
        parse_smtp_url(url)
    assert str(caught.value).startswith("SMTP_URL: ")


def test_bad_smtp_url_never_echoes_the_password():
    with pytest.raises(MailerError) as caught:
        parse_smtp_url("smtp://user:hunter2@mail.example.com:notaport")
    assert "hunter2" not in str(caught.value)


def test_build_mailer_choices():
    assert isinstance(build_mailer(_settings(), console=True), ConsoleMailer)
    assert build_mailer(_settings(smtp_url=None), console=False) is None
    with pytest.raises(MailerError, match="EMAIL_FROM"):
        build_mailer(_settings(smtp_url="smtp://mail.example.com", email_from=None), console=False)
    smtp = build_mailer(
        _settings(smtp_url="smtps://u:p@mail.example.com", email_from="privacy@velluto.example"),
        console=False,
    )
    assert isinstance(smtp, SmtpMailer)


async def test_console_mailer_prints_the_email():
    out = io.StringIO()
    await ConsoleMailer(out).send(
        OutgoingEmail(to="a@example.com", subject="Subject line", body="Code 123456")
    )
    printed = out.getvalue()
    assert "To: a@example.com" in printed and "Subject line" in printed and "Code 123456" in printed


def test_message_has_the_headers_mail_servers_expect():
    message = build_message(
        OutgoingEmail("a@example.com", "Код", "Тело 123456"), "Desk <desk@velluto.example>"
    )
    assert message["From"] == "Desk <desk@velluto.example>" and message["To"] == "a@example.com"
    assert message["Message-ID"].endswith("@velluto.example>")
    assert message["Date"]
    assert message.get_content().strip() == "Тело 123456"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("anna@example.com", True),
        (" anna@example.com ", True),
        ("anna", False),
        ("a@b", False),
        ("a b@c.de", False),
    ],
)
def test_email_shape_check(text, ok):
    assert looks_like_email(text) is ok


async def test_a_naive_clock_is_refused():
    service = EmailVerification(None, None, None, None, None, clock=lambda: datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        await service.check(1, "123456")
