"""The request register as CSV: one row per request received in a date range, the record an authority
asks for. Only register facts (reference, kind, regimes, dates, outcome); no personal details."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.requests import Request

COLUMNS = (
    "reference", "kind", "jurisdiction", "regimes", "requester_type", "priority", "processor_case",
    "received_at", "verified_at", "verification_method", "due_date", "extended", "extension_reason",
    "state", "closed_at", "outcome", "reject_reason", "on_time",
)  # fmt: skip


def _iso(value: object) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else ""


def _on_time(request: Request) -> str:
    if request.closed_at is None:
        return ""
    if request.due_end_utc is None:
        return "yes"
    return "yes" if request.closed_at <= request.due_end_utc else "no"


async def register_csv(session: AsyncSession, start: datetime, end: datetime) -> str:
    """Requests received in [start, end), oldest first, as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    query = (
        select(Request)
        .where(Request.received_at >= start, Request.received_at < end)
        .order_by(Request.received_at, Request.id)
    )
    for request in (await session.scalars(query)).all():
        writer.writerow([
            request.reference, request.kind, request.jurisdiction, request.regimes, request.requester_type,
            "yes" if request.priority else "no", "yes" if request.is_processor_case else "no",
            _iso(request.received_at), _iso(request.verified_at), request.verification_method or "",
            _iso(request.due_date), "yes" if request.extended else "no", request.extension_reason or "",
            request.state, _iso(request.closed_at), request.outcome or "", request.reject_reason or "",
            _on_time(request),
        ])  # fmt: skip
    return buffer.getvalue()
