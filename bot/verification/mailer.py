"""Sending the verification email: SMTP in production, printed in the local console.

SMTP_URL: `smtp://user:pass@host:587?starttls=1` (upgrade with STARTTLS), `smtps://user:pass@host:465`
(implicit TLS), `smtp://host:25` (plain; STARTTLS is still used if the server offers it, `?starttls=0`
turns that off). Logs never carry the recipient, the subject, the body or the code, and SMTP errors
(which may quote the recipient) are logged by class name only.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

log = logging.getLogger("privacy_desk.mailer")

SMTP_TIMEOUT_SECONDS = 30.0


class MailerError(Exception):
    """A mail setting that cannot be used, or a message that could not be handed over; one line."""


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None  # None: upgrade when the server offers it


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read SMTP_URL; a bad value is one MailerError line naming the variable (never the password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise MailerError(
            "SMTP_URL: must start with smtp:// or smtps://, e.g. smtp://user:pass@mail.example.com:587?starttls=1"
        )
    try:
        port = parts.port
    except ValueError:
        raise MailerError("SMTP_URL: the port must be a number between 1 and 65535") from None
    if not parts.hostname:
        raise MailerError("SMTP_URL: names no host, e.g. smtp://mail.example.com:587")
    query = parse_qs(parts.query)
    start_tls: bool | None = None
    if "starttls" in query:
        flag = query["starttls"][-1].lower()
        if flag in _TRUE:
            start_tls = True
        elif flag in _FALSE:
            start_tls = False
        else:
            raise MailerError("SMTP_URL: starttls must be 1 or 0")
    use_tls = parts.scheme == "smtps"
    if use_tls and start_tls:
        raise MailerError("SMTP_URL: smtps:// is already TLS; drop ?starttls=1 (or use smtp://)")
    if use_tls:
        start_tls = False
    default_port = 465 if use_tls else (587 if start_tls else 25)
    return SmtpConfig(
        hostname=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=use_tls,
        start_tls=start_tls,
    )


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2].strip("> ") or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(email.body)
    return message


class SmtpMailer:
    """Hands each email to the SMTP server in one short connection."""

    def __init__(self, config: SmtpConfig, sender: str, *, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        self._config = config
        self._sender = sender
        self._timeout = timeout

    @classmethod
    def from_url(cls, url: str, sender: str, **kwargs) -> SmtpMailer:
        return cls(parse_smtp_url(url), sender, **kwargs)

    async def send(self, email: OutgoingEmail) -> None:
        config = self._config
        try:
            await aiosmtplib.send(
                build_message(email, self._sender),
                hostname=config.hostname,
                port=config.port,
                username=config.username,
                password=config.password,
                use_tls=config.use_tls,
                start_tls=config.start_tls,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("email not sent: %s", exc.__class__.__name__)
            raise MailerError(
                f"the SMTP server did not accept the email ({exc.__class__.__name__})"
            ) from None
        log.info("email sent")


class ConsoleMailer:
    """Prints the email instead of sending it: the local console shows the code right there."""

    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out

    async def send(self, email: OutgoingEmail) -> None:
        out = self._out if self._out is not None else sys.stdout
        print(
            f"\n--- email ---\nTo: {email.to}\nSubject: {email.subject}\n\n{email.body}\n--- end of email ---\n",
            file=out,
        )


def build_mailer(settings, console: bool) -> Mailer | None:
    """The console's printer, SMTP when SMTP_URL is set, otherwise None (no email verification offered)."""
    if console:
        return ConsoleMailer()
    if not settings.smtp_url:
        return None
    if not settings.email_from:
        raise MailerError("EMAIL_FROM: must be set when SMTP_URL is set (the sender address of code emails)")
    return SmtpMailer.from_url(settings.smtp_url, settings.email_from)
