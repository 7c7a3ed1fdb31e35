"""Date arithmetic: months with end-of-month clamping, working-day calendars, rolls, local dates.

Everything here works on `date` values; instants are turned into local dates only by `local_date`,
and back into an aware UTC instant only by `end_of_day_utc`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SATURDAY, SUNDAY = 5, 6
# Far enough for any real request, small enough to fail fast on a broken holiday calendar.
_MAX_SCAN_DAYS = 366


def add_months(start: date, months: int) -> date:
    """The same day-of-month `months` later, clamped to the month's last day (spec §2, month arithmetic).

    31 Jan + 1 → 28/29 Feb; 31 Aug + 1 → 30 Sep (EDPB Guidelines 01/2022 example 33).
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(instant: datetime, zone_name: str) -> date:
    """The date of an aware instant in a zone: the day of receipt is that local day (spec §2)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime has no place in deadline arithmetic; give a time zone")
    return instant.astimezone(ZoneInfo(zone_name)).date()


def end_of_day_utc(day: date, zone_name: str) -> datetime:
    """The last instant of `day` in the zone, as an aware UTC datetime (what reminders compare against)."""
    local = datetime.combine(day, time(23, 59, 59, 999999), tzinfo=ZoneInfo(zone_name))
    return local.astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends plus one country's public holidays (or none). Identified by a short key for caching."""

    key: str  # "" = weekends only
    country: str | None = None
    subdiv: str | None = None

    def holiday_name(self, day: date) -> str | None:
        if self.country is None:
            return None
        return _holidays(self.country, self.subdiv).get(day)

    def is_working_day(self, day: date) -> bool:
        if self.country is None:
            return day.weekday() not in (SATURDAY, SUNDAY)
        calendar_ = _holidays(self.country, self.subdiv)
        if day in calendar_:  # also fills in that year, including its weekend working days
            return False
        if day.weekday() in (SATURDAY, SUNDAY):
            # A Saturday the government made a working day (e.g. KZ 4 May 2024, swapped for 8 May) counts.
            return day in calendar_.weekend_workdays
        return True

    def roll_forward(self, day: date) -> tuple[date, list[date]]:
        """The first working day on or after `day`, and the non-working days skipped on the way."""
        skipped: list[date] = []
        current = day
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(current):
                return current, skipped
            skipped.append(current)
            current += timedelta(days=1)
        raise RuntimeError(f"no working day within a year after {day} in calendar {self.key!r}")

    def add_working_days(self, start: date, count: int) -> tuple[date, list[date]]:
        """`count` working days after `start`; counting begins the day after (spec §2, CCPA and KZ).

        Received Friday + 1 working day → Monday. Returns the end and the holidays (not weekends) passed.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        holidays_passed: list[date] = []
        current, left = start, count
        for _ in range(count + _MAX_SCAN_DAYS):
            current += timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
                if left == 0:
                    return current, holidays_passed
            elif current.weekday() not in (SATURDAY, SUNDAY):
                holidays_passed.append(current)
        raise RuntimeError(f"calendar {self.key!r} has too few working days after {start}")


@lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str | None) -> holidays.HolidayBase:
    # One object per calendar: it fills in years lazily as dates are looked up.
    return holidays.country_holidays(country, subdiv=subdiv)


WEEKENDS_ONLY = WorkCalendar("")
# UK: England & Wales bank holidays (spec §2; ICO guidance counts "working days" by E&W bank holidays).
ENGLAND_AND_WALES = WorkCalendar("GB-ENG", "GB", "ENG")
# US federal holidays, including the "observed" weekday when a holiday falls on a weekend (5 U.S.C. 6103).
US_FEDERAL = WorkCalendar("US", "US")
KAZAKHSTAN = WorkCalendar("KZ", "KZ")
# Switzerland: nationwide holidays only. Cantonal holidays would only push dates later, and the spec's
# principle is "when in doubt, take the earlier date" (deadlines.md, introduction).
SWITZERLAND = WorkCalendar("CH", "CH")
BRAZIL = WorkCalendar("BR", "BR")


def eu_calendar(country: str | None) -> WorkCalendar:
    """EU: weekends only unless the operator configures a member state (spec §4, last point)."""
    if not country:
        return WEEKENDS_ONLY
    code = country.upper()
    try:
        _holidays(code, None)
    except NotImplementedError as exc:
        raise ValueError(f"no public-holiday calendar for country {country!r}") from exc
    return WorkCalendar(code, code)
