"""Property tests over thousands of random receipts (spec principles that must hold for every date)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.deadlines import Jurisdiction, NoDeadlineError, PolicyPromise, Regime, compute, regimes_for
from bot.deadlines.calendars import add_months, local_date
from bot.kinds import RequestKind

# Hypothesis' own bookkeeping costs more than a deadline: each example checks a few receipts spread over
# the year (ROUNDS), so ~600 examples cover thousands of dates in a few seconds.
EXAMPLES = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUNDS = 5
START = datetime(2024, 1, 1, tzinfo=UTC)
instants = st.integers(0, 7 * 366 * 24 * 3600).map(lambda seconds: START + timedelta(seconds=seconds))


def spread(received: datetime) -> list[datetime]:
    """The receipt and a few others at odd offsets (different weekdays, months, hours)."""
    return [received + timedelta(minutes=round_ * 61_717) for round_ in range(ROUNDS)]
jurisdictions = st.sampled_from([j for j in Jurisdiction if regimes_for(j)])
kinds = st.sampled_from(list(RequestKind))
promises = st.one_of(
    st.none(),
    st.builds(
        PolicyPromise,
        operator=st.just("op"),
        standard_days=st.integers(1, 60),
        complex_days=st.one_of(st.none(), st.integers(1, 120)),
        voice_owner_days=st.one_of(st.none(), st.integers(1, 60)),
    ),
)


def _compute(received, kind, regimes, promise, **options):
    try:
        return compute(received, kind, regimes, policy=promise, **options)
    except NoDeadlineError:
        return None


@EXAMPLES
@given(received=instants, jurisdiction=jurisdictions, kind=kinds, promise=promises,
       paused=st.integers(0, 60), extra_pause=st.integers(1, 30), extended=st.booleans(),
       id_delay=st.one_of(st.none(), st.integers(0, 40)), verify_delay=st.one_of(st.none(), st.integers(0, 40)))
def test_deadline_properties(received, jurisdiction, kind, promise, paused, extra_pause, extended, id_delay,
                             verify_delay):
    for each in spread(received):
        _check(each, jurisdiction, kind, promise, paused, extra_pause, extended, id_delay, verify_delay)


def _check(received, jurisdiction, kind, promise, paused, extra_pause, extended, id_delay, verify_delay):
    regimes = regimes_for(jurisdiction)
    options = {
        "clock_start": None if id_delay is None else received + timedelta(days=id_delay),
        "verified_at": None if verify_delay is None else received + timedelta(days=verify_delay),
    }
    result = _compute(received, kind, regimes, promise, paused_days=paused, extended=extended, **options)
    if result is None:
        return
    for regime, own in result.per_regime.items():
        # Never before receipt (the day of receipt is day 0, so strictly after, except 0-day promises).
        assert own.due > local_date(received, own.zone)
        # Never on a weekend or holiday where the regime rolls.
        if own.rolls:
            assert own.calendar.is_working_day(own.due), (regime, own.due)
        # The effective deadline is never later than any applicable regime's.
        assert result.due_end_utc <= own.due_end_utc
        if own.extended_due is not None:
            assert own.extended_due >= own.unextended_due
        if own.extension_notice_due is not None:
            assert own.extension_notice_due <= own.unextended_due
        if own.ack_due is not None:
            assert own.ack_due <= own.due
    assert result.binding in result.per_regime
    assert result.due_end_utc.tzinfo is not None and result.due_end_utc.utcoffset() == timedelta(0)

    # Extended is never earlier than unextended.
    plain = _compute(received, kind, regimes, promise, paused_days=paused, extended=False, **options)
    longer = _compute(received, kind, regimes, promise, paused_days=paused, extended=True, **options)
    assert longer.due_end_utc >= plain.due_end_utc
    if plain.extended_due is not None:
        assert plain.extended_due == longer.due

    # More paused days never give an earlier date.
    more = _compute(received, kind, regimes, promise, paused_days=paused + extra_pause, extended=extended, **options)
    assert more.due_end_utc >= result.due_end_utc
    for regime, own in result.per_regime.items():
        assert more.per_regime[regime].due >= own.due


@settings(max_examples=300, deadline=None)
@given(received=instants, kind=kinds, regimes=st.lists(st.sampled_from([r for r in Regime if r is not Regime.POLICY]),
                                                        min_size=1, max_size=4, unique=True))
def test_effective_is_the_earliest_of_any_regime_mix(received, kind, regimes):
    promise = PolicyPromise(operator="op", standard_days=30, complex_days=90, voice_owner_days=30)
    for each in spread(received):
        result = _compute(each, kind, regimes + [Regime.POLICY], promise)
        assert result is not None  # the policy covers every kind
        assert result.due_end_utc == min(r.due_end_utc for r in result.per_regime.values())


@settings(max_examples=500, deadline=None)
@given(day=st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2090, 1, 1).date()),  # noqa: DTZ001
       months=st.integers(0, 36))
def test_add_months_clamps_to_the_month(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(days=1)).day == 1)
