"""Once-a-day and housekeeping jobs: the staff digest and the expiry of unverified requests."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.enqueue import enqueue
from bot.requests.service import expire_unverified
from bot.staff.desk import StaffDesk
from bot.staff.digest import digest_text
from storage import staff as store
from storage.requests import open_requests_by_urgency

log = logging.getLogger(__name__)


async def send_digest(
    session_factory: async_sessionmaker[AsyncSession], desk: StaffDesk, now: datetime, zone: str
) -> bool:
    """The digest of the operator's local day, once per day however many instances run it."""
    if desk.staff_chat_id is None:
        return False
    today = now.astimezone(ZoneInfo(zone)).date()
    async with session_factory() as session, session.begin():
        if not await store.claim_job(session, f"digest:{today.isoformat()}", now):
            return False
        requests = await open_requests_by_urgency(session)
        text = digest_text(requests, today, desk.gettext, desk.language)
        await enqueue(session, desk.staff_chat_id, "sendMessage", text=text)
    return True


async def expire(session_factory: async_sessionmaker[AsyncSession], notifier, now: datetime, cipher=None) -> int:
    """Close requests left unverified too long and tell their requesters (and the cards)."""
    async with session_factory() as session, session.begin():
        notes = await expire_unverified(session, now, cipher=cipher)
        await notifier.deliver(session, notes)
    expired = len({n.request_id for n in notes})
    if expired:
        log.info("expired %d unverified request(s)", expired)
    return expired
