"""The question asked of the engine, validated once so the rules can trust it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.deadlines.calendars import eu_calendar
from bot.deadlines.promise import PolicyPromise
from bot.deadlines.regimes import LEGAL_REGIMES, REGIME_ZONES, Regime
from bot.kinds import RequestKind


def _require_aware(name: str, value: datetime | None) -> None:
    if value is None:
        return
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime; give it a time zone (instants are stored in UTC)")


@dataclass(frozen=True)
class DeadlineQuery:
    """One request's facts. See `compute` for the meaning of each field."""

    received_at: datetime
    kind: RequestKind
    regimes: tuple[Regime, ...]
    policy: PolicyPromise | None = None
    extended: bool = False
    paused_days: int = 0
    clock_start: datetime | None = None
    verified_at: datetime | None = None
    eu_holiday_country: str | None = None
    zone: str | None = None

    @classmethod
    def build(
        cls,
        received_at: datetime,
        kind: RequestKind | str,
        regimes: Iterable[Regime | str],
        **options,
    ) -> DeadlineQuery:
        """Normalise ids to enums, add the policy regime when a promise is given, validate."""
        ordered: list[Regime] = []
        for regime in regimes:
            value = Regime(regime)
            if value not in ordered:
                ordered.append(value)
        if options.get("policy") is not None and Regime.POLICY not in ordered:
            # A promise the operator made always applies: leaving it out could only hide an earlier date.
            ordered.append(Regime.POLICY)
        query = cls(received_at=received_at, kind=RequestKind(kind), regimes=tuple(ordered), **options)
        query.validate()
        return query

    def validate(self) -> None:
        _require_aware("received_at", self.received_at)
        _require_aware("clock_start", self.clock_start)
        _require_aware("verified_at", self.verified_at)
        if not self.regimes:
            raise ValueError("no regime given")
        if Regime.POLICY in self.regimes and self.policy is None:
            raise ValueError("the policy regime needs the operator's PolicyPromise")
        if isinstance(self.paused_days, bool) or not isinstance(self.paused_days, int) or self.paused_days < 0:
            raise ValueError("paused_days must be a whole number of days, zero or more")
        if self.zone is not None:
            try:
                ZoneInfo(self.zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {self.zone!r}") from None
        eu_calendar(self.eu_holiday_country)  # raises ValueError for a country with no holiday calendar

    def zone_of(self, regime: Regime) -> str:
        """The zone a regime counts in: its jurisdiction's; EU and the policy follow `zone` when given."""
        if regime is Regime.POLICY:
            if self.zone:
                return self.zone
            legal = [r for r in self.regimes if r in LEGAL_REGIMES]
            return self.zone_of(legal[0]) if legal else "UTC"
        if regime is Regime.EU_GDPR and self.zone:
            return self.zone
        return REGIME_ZONES[regime]
