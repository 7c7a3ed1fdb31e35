"""Email one-time codes: prove that the requester reads the mailbox registered to an account.

A 6-digit code from `secrets` is stored only as HMAC(SECRET_KEY, challenge id, code); it expires after
10 minutes and allows 5 attempts; a new code for the same address needs 60 s, and at most 3 go to one
address per hour for one requester (10 per hour over all addresses, so the bot cannot be used to spam).

No account enumeration: an address without an account takes the same path (directory lookup, limits,
a challenge row, the same answer), except that no email is sent and the row can never verify. Emails
are handed to the mailer in the background, after the commit, so the answer takes no longer when an
email really goes out, and a slow SMTP server never holds the conversation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.crypto import FieldCipher, KeyedHash, cipher_from_settings, keyed_hash_from_settings
from bot.directory.base import Account, AccountDirectory, normalize_email
from bot.i18n import N_, gettext_for
from bot.verification.mailer import Mailer, OutgoingEmail
from storage import verification as challenges
from storage.base import utcnow

log = logging.getLogger("privacy_desk.verification")

Clock = Callable[[], datetime]

CODE_DIGITS = 6
_CODE_HASH_PURPOSE = "email-code"
_EMAIL_HASH_PURPOSE = "email"
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

EMAIL_SUBJECT = N_("Your verification code for a privacy request")
EMAIL_BODY = N_(
    "Your verification code is {code}.\n"
    "\n"
    "Enter it in the chat with the privacy bot within {minutes} minutes.\n"
    "\n"
    "If you did not ask for this code, ignore this email: nothing happens without it. "
    "Never share the code with anyone."
)


@dataclass(frozen=True, slots=True)
class EmailCodeLimits:
    code_ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    resend_after: timedelta = timedelta(seconds=60)
    per_email_per_hour: int = 3
    per_requester_per_hour: int = 10


class StartStatus(StrEnum):
    SENT = "sent"
    RESEND_TOO_SOON = "resend_too_soon"
    HOURLY_LIMIT = "hourly_limit"


@dataclass(frozen=True, slots=True)
class StartResult:
    """What to tell the requester; identical whether or not the email has an account."""

    status: StartStatus
    challenge_id: str | None = None
    seconds_left: int = 0  # until a new code may be asked for (RESEND_TOO_SOON, HOURLY_LIMIT)


class CheckStatus(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"  # also: no code pending for this requester (ask for a new one either way)
    TOO_MANY_ATTEMPTS = "too_many_attempts"


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: CheckStatus
    account: Account | None = None  # VERIFIED only
    attempts_left: int = 0  # WRONG only


def looks_like_email(text: str) -> bool:
    """A cheap shape check for the handler, so an obvious typo is caught before any code is sent."""
    return bool(_EMAIL_RE.match(text.strip())) and len(text.strip()) <= 254


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _clean_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "")


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _dump_account(account: Account) -> str:
    return json.dumps(
        {
            "account_id": account.account_id,
            "email": account.email,
            "telegram_user_id": account.telegram_user_id,
        }
    )


def _load_account(text: str) -> Account:
    data = json.loads(text)
    return Account(
        account_id=data["account_id"], email=data.get("email"), telegram_user_id=data.get("telegram_user_id")
    )


def render_email(to: str, code: str, minutes: int, lang: str) -> OutgoingEmail:
    gettext = gettext_for(lang)
    return OutgoingEmail(
        to=to,
        subject=gettext(EMAIL_SUBJECT),
        body=gettext(EMAIL_BODY).format(code=code, minutes=minutes),
    )


class EmailVerification:
    """Starts and checks email challenges; each call is one short transaction of its own."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        directory: AccountDirectory,
        mailer: Mailer,
        hasher: KeyedHash,
        cipher: FieldCipher,
        *,
        clock: Clock = utcnow,
        limits: EmailCodeLimits | None = None,
    ) -> None:
        self._sessions = session_factory
        self._directory = directory
        self._mailer = mailer
        self._hash = hasher
        self._cipher = cipher
        self._clock = clock
        self._limits = limits or EmailCodeLimits()
        self._deliveries: set[asyncio.Task[None]] = set()

    @property
    def limits(self) -> EmailCodeLimits:
        return self._limits

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the verification clock returned a naive datetime; return an aware UTC instant")
        return now

    async def start(self, requester_telegram_id: int, email: str, lang: str) -> StartResult:
        """Send a code to `email` if it belongs to an account; the answer does not say whether it does."""
        limits = self._limits
        address = normalize_email(email)
        email_digest = self._hash(_EMAIL_HASH_PURPOSE, address)
        account = await self._directory.find_by_email(address)
        now = self._now()
        hour_ago = now - timedelta(hours=1)
        code = _new_code()
        challenge_id = secrets.token_hex(16)
        async with self._sessions.begin() as session:
            to_address = await challenges.sent_since(session, requester_telegram_id, hour_ago, email_digest)
            from_requester = await challenges.sent_since(session, requester_telegram_id, hour_ago)
            if len(to_address) >= limits.per_email_per_hour:
                oldest = to_address[-limits.per_email_per_hour]
                return StartResult(
                    StartStatus.HOURLY_LIMIT, seconds_left=_seconds(oldest + timedelta(hours=1) - now)
                )
            if len(from_requester) >= limits.per_requester_per_hour:
                oldest = from_requester[-limits.per_requester_per_hour]
                return StartResult(
                    StartStatus.HOURLY_LIMIT, seconds_left=_seconds(oldest + timedelta(hours=1) - now)
                )
            if to_address and now - to_address[-1] < limits.resend_after:
                wait = to_address[-1] + limits.resend_after - now
                return StartResult(StartStatus.RESEND_TOO_SOON, seconds_left=_seconds(wait))
            await challenges.supersede_pending(session, requester_telegram_id)
            await challenges.add_challenge(
                session,
                challenges.EmailChallenge(
                    id=challenge_id,
                    requester_telegram_id=requester_telegram_id,
                    email_digest=email_digest,
                    code_digest=self._hash(_CODE_HASH_PURPOSE, challenge_id, code),
                    account_data=None if account is None else self._cipher.encrypt(_dump_account(account)),
                    state=challenges.ChallengeState.PENDING,
                    attempts=0,
                    created_at=now,
                    expires_at=now + limits.code_ttl,
                ),
            )
        if account is not None:  # only after the commit: a code in a mailbox always exists in the database
            minutes = int(limits.code_ttl.total_seconds() // 60)
            self._deliver(render_email((account.email or address).strip(), code, minutes, lang))
        return StartResult(StartStatus.SENT, challenge_id=challenge_id)

    async def check(
        self, requester_telegram_id: int, code: str, challenge_id: str | None = None
    ) -> CheckResult:
        """Check a code against the requester's newest challenge (or the one named, if it is theirs)."""
        limits = self._limits
        now = self._now()
        entered = _clean_code(code)
        async with self._sessions.begin() as session:
            if challenge_id is None:
                challenge = await challenges.latest_pending(session, requester_telegram_id)
            else:
                challenge = await challenges.get_challenge(session, challenge_id)
                if challenge is not None and challenge.requester_telegram_id != requester_telegram_id:
                    challenge = None
            if challenge is None or challenge.state != challenges.ChallengeState.PENDING:
                return CheckResult(CheckStatus.EXPIRED)
            if now >= challenge.expires_at:
                return CheckResult(CheckStatus.EXPIRED)
            used = challenge.attempts  # read before the claim: the UPDATE also refreshes the loaded row
            if not await challenges.claim_attempt(session, challenge.id, limits.max_attempts):
                return CheckResult(CheckStatus.TOO_MANY_ATTEMPTS)
            matches = self._hash.matches(challenge.code_digest, _CODE_HASH_PURPOSE, challenge.id, entered)
            if matches and challenge.account_data is not None and len(entered) == CODE_DIGITS:
                await challenges.mark_verified(session, challenge.id, now)
                return CheckResult(
                    CheckStatus.VERIFIED, account=_load_account(self._cipher.decrypt(challenge.account_data))
                )
            attempts_left = limits.max_attempts - (used + 1)
        if attempts_left <= 0:
            return CheckResult(CheckStatus.TOO_MANY_ATTEMPTS)
        return CheckResult(CheckStatus.WRONG, attempts_left=attempts_left)

    def _deliver(self, email: OutgoingEmail) -> None:
        task = asyncio.get_running_loop().create_task(self._send(email))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _send(self, email: OutgoingEmail) -> None:
        try:
            await self._mailer.send(email)
        except Exception as exc:  # a lost email is recoverable: the requester asks again
            log.warning("verification email not delivered: %s", exc.__class__.__name__)

    async def drain(self) -> None:
        """Wait for emails being handed over (shutdown, tests)."""
        while self._deliveries:
            await asyncio.gather(*list(self._deliveries), return_exceptions=True)


def build_email_verification(
    settings,
    session_factory: async_sessionmaker[AsyncSession],
    directory: AccountDirectory,
    mailer: Mailer,
    *,
    clock: Clock = utcnow,
) -> EmailVerification:
    """The service wired from SECRET_KEY and DATA_KEY (see `bot.crypto` for what happens without them)."""
    return EmailVerification(
        session_factory,
        directory,
        mailer,
        keyed_hash_from_settings(settings),
        cipher_from_settings(settings),
        clock=clock,
    )
