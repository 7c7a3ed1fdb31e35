"""Email verification challenges: one row per code sent (or pretended sent), never the code itself.

A row holds the keyed hash of (challenge id, code), a keyed hash of the email (for rate limits without
keeping the address), and the matched account encrypted with DATA_KEY (null when no account matched:
such a challenge can never verify). Rate limits count rows, so they treat known and unknown emails alike.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, String, Text, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class ChallengeState(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUPERSEDED = "superseded"  # a newer code was sent to the same requester


class EmailChallenge(Base):
    __tablename__ = "email_challenges"
    __table_args__ = (Index("ix_email_challenges_requester_created", "requester_telegram_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requester_telegram_id: Mapped[int] = mapped_column(BigInteger)
    email_digest: Mapped[str] = mapped_column(String(64))
    code_digest: Mapped[str] = mapped_column(String(64))
    account_data: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=ChallengeState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


async def sent_since(
    session: AsyncSession, requester_telegram_id: int, since: datetime, email_digest: str | None = None
) -> list[datetime]:
    """Send times of this requester's codes after `since` (for one email when given), oldest first."""
    statement = select(EmailChallenge.created_at).where(
        EmailChallenge.requester_telegram_id == requester_telegram_id, EmailChallenge.created_at > since
    )
    if email_digest is not None:
        statement = statement.where(EmailChallenge.email_digest == email_digest)
    return list(await session.scalars(statement.order_by(EmailChallenge.created_at)))


async def supersede_pending(session: AsyncSession, requester_telegram_id: int) -> None:
    """Only the newest code of a requester is valid."""
    await session.execute(
        update(EmailChallenge)
        .where(
            EmailChallenge.requester_telegram_id == requester_telegram_id,
            EmailChallenge.state == ChallengeState.PENDING,
        )
        .values(state=ChallengeState.SUPERSEDED)
    )


async def add_challenge(session: AsyncSession, challenge: EmailChallenge) -> None:
    session.add(challenge)
    await session.flush()


async def latest_pending(session: AsyncSession, requester_telegram_id: int) -> EmailChallenge | None:
    statement = (
        select(EmailChallenge)
        .where(
            EmailChallenge.requester_telegram_id == requester_telegram_id,
            EmailChallenge.state == ChallengeState.PENDING,
        )
        .order_by(EmailChallenge.created_at.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def get_challenge(session: AsyncSession, challenge_id: str) -> EmailChallenge | None:
    return await session.get(EmailChallenge, challenge_id)


async def claim_attempt(session: AsyncSession, challenge_id: str, max_attempts: int) -> bool:
    """Count one attempt atomically; False when none is left (two racing checks cannot both pass)."""
    result = await session.execute(
        update(EmailChallenge)
        .where(
            EmailChallenge.id == challenge_id,
            EmailChallenge.state == ChallengeState.PENDING,
            EmailChallenge.attempts < max_attempts,
        )
        .values(attempts=EmailChallenge.attempts + 1)
    )
    return result.rowcount == 1


async def mark_verified(session: AsyncSession, challenge_id: str, now: datetime) -> bool:
    result = await session.execute(
        update(EmailChallenge)
        .where(EmailChallenge.id == challenge_id, EmailChallenge.state == ChallengeState.PENDING)
        .values(state=ChallengeState.VERIFIED, verified_at=now)
    )
    return result.rowcount == 1


async def delete_for_requester(session: AsyncSession, requester_telegram_id: int) -> int:
    """`/forget`: every challenge of one person."""
    result = await session.execute(
        delete(EmailChallenge).where(EmailChallenge.requester_telegram_id == requester_telegram_id)
    )
    return result.rowcount or 0


async def count_for_requester(session: AsyncSession, requester_telegram_id: int) -> int:
    """`/mydata`: how many challenges the bot holds for one person."""
    statement = select(func.count()).where(EmailChallenge.requester_telegram_id == requester_telegram_id)
    return int(await session.scalar(statement) or 0)


async def purge_created_before(session: AsyncSession, cutoff: datetime) -> int:
    """Retention: challenges older than `cutoff` are of no use (rate limits look back one hour)."""
    result = await session.execute(delete(EmailChallenge).where(EmailChallenge.created_at < cutoff))
    return result.rowcount or 0
