"""When the reminder sweep should next look at a request (`Request.next_reminder_at`).

Pure. A reminder falls at the start of the local day (in the deadline's zone) of each threshold before
the effective due date (REMINDER_DAYS, default 7, 3, 1, 0), of the extension-notice date and of the CCPA
acknowledgement date; once overdue, at the start of every following local day. The sweep (staff desk)
decides what to say and claims each reminder once; this only keeps the index pointing at the next moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (7, 3, 1, 0)


def start_of_day_utc(day: date, zone_name: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def reminder_dates(
    due: date, *, extension_notice_due: date | None, ack_due: date | None, reminder_days: Iterable[int]
) -> list[date]:
    dates = {due - timedelta(days=d) for d in reminder_days}
    dates.update(d for d in (extension_notice_due, ack_due) if d is not None)
    return sorted(dates)


def next_reminder_at(
    *,
    now: datetime,
    is_open: bool,
    due: date | None,
    zone: str | None,
    extension_notice_due: date | None = None,
    ack_due: date | None = None,
    reminder_days: Iterable[int] = DEFAULT_REMINDER_DAYS,
) -> datetime | None:
    """The first reminder moment strictly after `now`; None for a closed request or one without a deadline."""
    if not is_open or due is None or zone is None:
        return None
    for day in reminder_dates(due, extension_notice_due=extension_notice_due, ack_due=ack_due,
                              reminder_days=reminder_days):  # fmt: skip
        moment = start_of_day_utc(day, zone)
        if moment > now:
            return moment
    # Overdue (or due today with every threshold passed): daily, at the start of the next local day.
    today = now.astimezone(ZoneInfo(zone)).date()
    return start_of_day_utc(today + timedelta(days=1), zone)
