"""Who is asking: Telegram id match, email one-time codes, or manual review by staff."""

from __future__ import annotations

from enum import StrEnum

from bot.verification.email_codes import (
    CheckResult,
    CheckStatus,
    EmailCodeLimits,
    EmailVerification,
    StartResult,
    StartStatus,
    build_email_verification,
    looks_like_email,
)
from bot.verification.mailer import (
    ConsoleMailer,
    Mailer,
    MailerError,
    OutgoingEmail,
    SmtpMailer,
    build_mailer,
    parse_smtp_url,
)
from bot.verification.telegram_id import account_for_sender


class VerificationMethod(StrEnum):
    TELEGRAM_ID = "telegram_id"  # the sender's Telegram id is linked to the account
    EMAIL_CODE = "email_code"  # the requester read a code sent to the account's email
    MANUAL = "manual"  # staff looked at the evidence


__all__ = [
    "CheckResult",
    "CheckStatus",
    "ConsoleMailer",
    "EmailCodeLimits",
    "EmailVerification",
    "Mailer",
    "MailerError",
    "OutgoingEmail",
    "SmtpMailer",
    "StartResult",
    "StartStatus",
    "VerificationMethod",
    "account_for_sender",
    "build_email_verification",
    "build_mailer",
    "looks_like_email",
    "parse_smtp_url",
]
