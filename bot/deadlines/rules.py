"""Each regime's own deadline for one request, following `shared/legal/deadlines.md` §1-§2.

One function per regime returns a `RegimeResult`, or None when the regime sets no deadline for that
kind of request. The effective deadline (the earliest) is chosen in `engine.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.deadlines.calendars import (
    BRAZIL,
    ENGLAND_AND_WALES,
    KAZAKHSTAN,
    SATURDAY,
    SUNDAY,
    SWITZERLAND,
    US_FEDERAL,
    WEEKENDS_ONLY,
    WorkCalendar,
    add_months,
    end_of_day_utc,
    eu_calendar,
    local_date,
)
from bot.deadlines.query import DeadlineQuery
from bot.deadlines.regimes import REGIME_NAMES, Regime
from bot.deadlines.text import Msg, render_all
from bot.i18n import N_
from bot.kinds import RequestKind as K

# Periods (the "how long" of a rule).
ONE_MONTH = N_("one calendar month")
THREE_MONTHS = N_("three calendar months")
THREE_MONTHS_EU = N_("three calendar months (the earlier of three months and one month plus two)")
DAYS_15 = N_("15 calendar days")
DAYS_30 = N_("30 calendar days")
DAYS_45 = N_("45 calendar days")
DAYS_90 = N_("90 calendar days")
BUSINESS_DAYS_15 = N_("15 business days")
WORKING_DAYS_1 = N_("1 working day")
WORKING_DAYS_3 = N_("3 working days")
WORKING_DAYS_15 = N_("15 working days")
CALENDAR_DAYS = N_("{n} calendar days")

# Sentences.
START_RECEIPT = N_("{regime}: {period} from {start}, the local date of receipt ({zone}).")
START_ID = N_("{regime}: {period} from {start}, the local date on which the requested ID arrived ({zone}).")
START_VERIFIED = N_("{regime}: {period} from {start}, the local date of verification ({zone}).")
BUSINESS_COUNT = N_(
    "{regime}: {period} counted from the day after {start}, the local date of receipt ({zone}), "
    "skipping weekends and {holidays}: {due}."
)
HOLIDAYS_PASSED = N_("Public holidays skipped: {days}.")
ENDS_WORKING = N_("The period ends on {end}, a working day.")
ENDS_ROLLED = N_("The period ends on {end}; rolled past {skipped} to the next working day, {due}.")
ENDS_PLAIN = N_("The period ends on {end}.")
ENDS_NOT_ROLLED = N_(
    "The period ends on {end}, a weekend day or public holiday; this deadline is not rolled forward, "
    "so the earlier date stands."
)
DAY_HOLIDAY = N_("{day} ({holiday})")
DAY_SATURDAY = N_("{day} (Saturday)")
DAY_SUNDAY = N_("{day} (Sunday)")
NOTE_PAUSED = N_("The clock was paused for {n} day(s), counted inclusively; they are added to the end before the roll.")
NOTE_NOT_PAUSED = N_("{regime} is not paused while waiting for the requester: the {n} paused day(s) are not added.")
NOTE_CCPA_VERIFY = N_("CCPA runs from receipt, regardless of the time needed to verify.")
NOTE_CLOCK_IGNORED = N_("{regime} counts from receipt: the later clock start is not used.")
NOTE_NO_EXTENSION = N_("{regime} allows no extension: the deadline stays {due}.")
NOTE_EXTENDED = N_("Extended: the requester had to be told, with reasons, by {notice}.")
NOTE_ACK = N_("Receipt must be confirmed within 10 business days, by {ack}.")
NOTE_NOT_VERIFIED = N_("Not verified yet: counted from receipt, the earliest possible start.")
CAL_US = N_("US federal holidays")
CAL_KZ = N_("Kazakhstan public holidays")


@dataclass(frozen=True)
class RegimeResult:
    """One regime's answer. `due` is the date in force (extended or not); dates are in `zone`."""

    regime: Regime
    zone: str
    start: date
    due: date
    unextended_due: date
    extended_due: date | None
    extension_notice_due: date | None
    ack_due: date | None
    calendar: WorkCalendar
    rolls: bool  # True where the regime's end never falls on a non-working day
    parts: tuple[Msg, ...]

    @property
    def can_extend(self) -> bool:
        return self.extended_due is not None

    @property
    def due_end_utc(self) -> datetime:
        return end_of_day_utc(self.due, self.zone)

    @property
    def explanation(self) -> str:
        return render_all(self.parts)


def _name(regime: Regime) -> Msg:
    return Msg(REGIME_NAMES[regime])


def _skipped(days: list[date], calendar: WorkCalendar) -> tuple[Msg, ...]:
    out = []
    for day in days:
        if day.weekday() == SATURDAY:
            out.append(Msg.of(DAY_SATURDAY, day=day))
        elif day.weekday() == SUNDAY:
            out.append(Msg.of(DAY_SUNDAY, day=day))
        else:  # holiday names come from the `holidays` package, in English
            out.append(Msg.of(DAY_HOLIDAY, day=day, holiday=calendar.holiday_name(day) or ""))
    return tuple(out)


def _roll(end: date, calendar: WorkCalendar) -> tuple[date, Msg]:
    due, skipped = calendar.roll_forward(end)
    if not skipped:
        return due, Msg.of(ENDS_WORKING, end=end)
    return due, Msg.of(ENDS_ROLLED, end=end, skipped=_skipped(skipped, calendar), due=due)


def _unrolled(end: date, calendar: WorkCalendar) -> Msg:
    """A calendar-day end that stays put even on a weekend (the earlier date, spec §4)."""
    if calendar.is_working_day(end):
        return Msg.of(ENDS_PLAIN, end=end)
    return Msg.of(ENDS_NOT_ROLLED, end=end)


def _no_extension_note(query: DeadlineQuery, regime: Regime, due: date) -> list[Msg]:
    return [Msg.of(NOTE_NO_EXTENSION, regime=_name(regime), due=due)] if query.extended else []


def _no_pause_notes(query: DeadlineQuery, regime: Regime) -> list[Msg]:
    """Regimes other than EU/UK GDPR neither pause nor move their start (spec §2: earlier date)."""
    notes = []
    if query.paused_days:
        notes.append(Msg.of(NOTE_NOT_PAUSED, regime=_name(regime), n=query.paused_days))
    if query.clock_start is not None and query.clock_start > query.received_at:
        notes.append(Msg.of(NOTE_CLOCK_IGNORED, regime=_name(regime)))
    return notes


# --- EU and UK GDPR -------------------------------------------------------------------------------

# Art. 12(3) covers the rights of Arts. 15-22. Kinds named after the CCPA are what an EEA/UK person
# exercises as an objection (Art. 21) or restriction (Art. 18); voice takedown is erasure (spec §2,
# voice-owner deletion). Consent withdrawal is counted too ("when it comes with erasure/objection",
# spec §1): the earlier date when in doubt.
GDPR_KINDS = frozenset({
    K.ACCESS, K.RECTIFICATION, K.ERASURE, K.RESTRICTION, K.PORTABILITY, K.OBJECTION,
    K.WITHDRAW_CONSENT, K.VOICE_TAKEDOWN, K.OPT_OUT_SALE, K.LIMIT_SENSITIVE,
})  # fmt: skip


def _gdpr(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    if query.kind not in GDPR_KINDS:
        return None
    zone = query.zone_of(regime)
    receipt = local_date(query.received_at, zone)
    start, start_msg = receipt, START_RECEIPT
    if regime is Regime.UK_GDPR and query.clock_start is not None:
        # UK GDPR Art. 12A / ICO: the "relevant time" is the latest of receipt and receipt of the ID asked for.
        id_arrived = local_date(query.clock_start, zone)
        if id_arrived > receipt:
            start, start_msg = id_arrived, START_ID
    calendar = ENGLAND_AND_WALES if regime is Regime.UK_GDPR else eu_calendar(query.eu_holiday_country)
    pause = timedelta(days=query.paused_days)

    # Spec §2, pause: paused days are added to the raw end, and only then is the roll applied.
    raw_end = add_months(start, 1) + pause
    unextended, end_msg = _roll(raw_end, calendar)
    if regime is Regime.UK_GDPR:
        # ICO: three months from the original clock start (31 Jan → 30 Apr), not one month then two more.
        ext_raw = add_months(start, 3) + pause
        ext_period = THREE_MONTHS
    else:
        # EU: no regulator has said which method; take the earlier (spec §2, extension): 31 Jan → 28 Apr.
        ext_raw = min(add_months(start, 3), add_months(add_months(start, 1), 2)) + pause
        ext_period = THREE_MONTHS_EU
    extended, ext_end_msg = _roll(ext_raw, calendar)
    # Spec §2: the notice of extension is due by the un-rolled end of the first period (pause included).
    notice = raw_end

    period = ext_period if query.extended else ONE_MONTH
    parts = [Msg.of(start_msg, regime=_name(regime), period=Msg(period), start=start, zone=zone)]
    if query.paused_days:
        parts.append(Msg.of(NOTE_PAUSED, n=query.paused_days))
    if regime is Regime.EU_GDPR and query.clock_start is not None and query.clock_start > query.received_at:
        parts.append(Msg.of(NOTE_CLOCK_IGNORED, regime=_name(regime)))
    if query.extended:
        parts += [ext_end_msg, Msg.of(NOTE_EXTENDED, notice=notice)]
    else:
        parts.append(end_msg)
    return RegimeResult(
        regime=regime, zone=zone, start=start,
        due=extended if query.extended else unextended,
        unextended_due=unextended, extended_due=extended, extension_notice_due=notice, ack_due=None,
        calendar=calendar, rolls=True, parts=tuple(parts),
    )  # fmt: skip


# --- Switzerland ----------------------------------------------------------------------------------

def _ch(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    # FADO Art. 18 names access; the spec says to use the same 30 days for the other rights (§1).
    if query.kind is K.OTHER:
        return None
    zone = query.zone_of(regime)
    receipt = local_date(query.received_at, zone)
    # Code of Obligations Art. 77: the day of receipt is not counted, so day 30 is receipt + 30 days.
    # Art. 78 and the Federal Act on time limits: a Saturday, Sunday or public holiday rolls to the next
    # working day. No pause and no extension are defined (spec §1): both would only give later dates.
    due, end_msg = _roll(receipt + timedelta(days=30), SWITZERLAND)
    parts = [Msg.of(START_RECEIPT, regime=_name(regime), period=Msg(DAYS_30), start=receipt, zone=zone), end_msg]
    parts += _no_pause_notes(query, regime) + _no_extension_note(query, regime, due)
    return RegimeResult(
        regime=regime, zone=zone, start=receipt, due=due, unextended_due=due, extended_due=None,
        extension_notice_due=None, ack_due=None, calendar=SWITZERLAND, rolls=True, parts=tuple(parts),
    )  # fmt: skip


# --- California -----------------------------------------------------------------------------------

# Right to know (which includes a portable copy, Civ. Code §1798.130(a)(2)(B)), delete (voice takedown
# is a deletion) and correct: 45 days. Opt-out of sale/sharing and limiting sensitive data: 15 business days.
CCPA_45 = frozenset({K.ACCESS, K.PORTABILITY, K.ERASURE, K.VOICE_TAKEDOWN, K.RECTIFICATION})
CCPA_15_BUSINESS = frozenset({K.OPT_OUT_SALE, K.LIMIT_SENSITIVE})


def _ccpa(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    if query.kind not in CCPA_45 | CCPA_15_BUSINESS:
        return None
    zone = query.zone_of(regime)
    receipt = local_date(query.received_at, zone)
    # CCPA is never paused and runs from receipt "regardless of the time needed to verify"
    # (Civ. Code §1798.130(a)(2)(A); spec §2 pause).
    notes = []
    if query.paused_days:
        notes.append(Msg.of(NOTE_NOT_PAUSED, regime=_name(regime), n=query.paused_days))
    if query.clock_start is not None or query.verified_at is not None:
        notes.append(Msg(NOTE_CCPA_VERIFY))
    if query.kind in CCPA_15_BUSINESS:
        # 11 CCR §7026(f) / §7027(g): 15 business days, no verification, no extension.
        due, passed = US_FEDERAL.add_working_days(receipt, 15)
        parts = [Msg.of(BUSINESS_COUNT, regime=_name(regime), period=Msg(BUSINESS_DAYS_15), start=receipt,
                        zone=zone, holidays=Msg(CAL_US), due=due)]
        if passed:
            parts.append(Msg.of(HOLIDAYS_PASSED, days=_skipped(passed, US_FEDERAL)))
        parts += notes + _no_extension_note(query, regime, due)
        return RegimeResult(
            regime=regime, zone=zone, start=receipt, due=due, unextended_due=due, extended_due=None,
            extension_notice_due=None, ack_due=None, calendar=US_FEDERAL, rolls=True, parts=tuple(parts),
        )  # fmt: skip
    # 11 CCR §7021(a): confirm receipt within 10 business days (counted from the day after receipt).
    ack, _ = US_FEDERAL.add_working_days(receipt, 10)
    # 11 CCR §7021(b): 45 calendar days; +45 (90 in all) with notice within the first 45 days. Whether
    # CCP §12a moves a deadline off a weekend is unsettled: do not roll, the earlier date (spec §4).
    first = receipt + timedelta(days=45)
    extended = receipt + timedelta(days=90)
    end = extended if query.extended else first
    parts = [Msg.of(START_RECEIPT, regime=_name(regime), period=Msg(DAYS_90 if query.extended else DAYS_45),
                    start=receipt, zone=zone), _unrolled(end, US_FEDERAL)]
    if query.extended:
        parts.append(Msg.of(NOTE_EXTENDED, notice=first))
    parts += [Msg.of(NOTE_ACK, ack=ack)] + notes
    return RegimeResult(
        regime=regime, zone=zone, start=receipt, due=end, unextended_due=first, extended_due=extended,
        extension_notice_due=first, ack_due=ack, calendar=US_FEDERAL, rolls=False, parts=tuple(parts),
    )  # fmt: skip


# --- Kazakhstan -----------------------------------------------------------------------------------

# Law No. 94-V: Art. 8(7) consent withdrawal 15 working days; Art. 25(2)(8) rectification, blocking
# (restriction) and destruction (erasure) 1 working day — the 1-day duty is for unlawfully processed data,
# applied to every erasure to be safe (spec §1); Art. 19-1(3) objection to automated processing 3 working
# days. Opting out of a sale is a consent withdrawal; limiting sensitive data is a blocking. Access and
# portability have no figure in the current law (spec §4): the policy deadline applies.
KZ_WORKING_DAYS: dict[K, tuple[int, str]] = {
    K.WITHDRAW_CONSENT: (15, WORKING_DAYS_15),
    K.OPT_OUT_SALE: (15, WORKING_DAYS_15),
    K.RECTIFICATION: (1, WORKING_DAYS_1),
    K.RESTRICTION: (1, WORKING_DAYS_1),
    K.LIMIT_SENSITIVE: (1, WORKING_DAYS_1),
    K.ERASURE: (1, WORKING_DAYS_1),
    K.VOICE_TAKEDOWN: (1, WORKING_DAYS_1),
    K.OBJECTION: (3, WORKING_DAYS_3),
}


def _kz(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    if query.kind not in KZ_WORKING_DAYS:
        return None
    count, period = KZ_WORKING_DAYS[query.kind]
    zone = query.zone_of(regime)
    receipt = local_date(query.received_at, zone)
    # Spec §2: counting starts the day after receipt (received Friday, 1 working day → Monday). Saturdays
    # the government turns into working days (swapped for a day off) count as working days, as the
    # `holidays` package records them: leaving them out would give a later date than the law.
    due, passed = KAZAKHSTAN.add_working_days(receipt, count)
    parts = [Msg.of(BUSINESS_COUNT, regime=_name(regime), period=Msg(period), start=receipt, zone=zone,
                    holidays=Msg(CAL_KZ), due=due)]
    if passed:
        parts.append(Msg.of(HOLIDAYS_PASSED, days=_skipped(passed, KAZAKHSTAN)))
    parts += _no_pause_notes(query, regime) + _no_extension_note(query, regime, due)
    return RegimeResult(
        regime=regime, zone=zone, start=receipt, due=due, unextended_due=due, extended_due=None,
        extension_notice_due=None, ack_due=None, calendar=KAZAKHSTAN, rolls=True, parts=tuple(parts),
    )  # fmt: skip


# --- Brazil ---------------------------------------------------------------------------------------

def _br(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    # LGPD Art. 19(II): a full statement within 15 days of the request. The law sets no figure for the
    # other rights. The spec rolls only EU, UK and CH deadlines (§2), so this one is not rolled (earlier).
    if query.kind is not K.ACCESS:
        return None
    zone = query.zone_of(regime)
    receipt = local_date(query.received_at, zone)
    due = receipt + timedelta(days=15)
    parts = [Msg.of(START_RECEIPT, regime=_name(regime), period=Msg(DAYS_15), start=receipt, zone=zone),
             _unrolled(due, BRAZIL)]
    parts += _no_pause_notes(query, regime) + _no_extension_note(query, regime, due)
    return RegimeResult(
        regime=regime, zone=zone, start=receipt, due=due, unextended_due=due, extended_due=None,
        extension_notice_due=None, ack_due=None, calendar=BRAZIL, rolls=False, parts=tuple(parts),
    )  # fmt: skip


# --- The operator's policy ------------------------------------------------------------------------

def _policy(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    promise = query.policy
    if promise is None or not promise.covers(query.kind):
        return None
    zone = query.zone_of(regime)
    receipt = local_date(query.received_at, zone)
    notes: list[Msg] = []
    # A promise counts calendar days and says nothing of pauses or weekends: neither is applied, which
    # gives the earlier date (spec, introduction).
    if query.kind is K.VOICE_TAKEDOWN and promise.voice_owner_days is not None:
        # Spec §2: the policy's voice-owner days run from verification. Before verification there is no
        # verification date: count from receipt, the earliest possible start.
        days, extension_days = promise.voice_owner_days, None
        if query.verified_at is not None:
            start, start_msg = max(receipt, local_date(query.verified_at, zone)), START_VERIFIED
        else:
            start, start_msg = receipt, START_RECEIPT
            notes.append(Msg(NOTE_NOT_VERIFIED))
    else:
        days, start, start_msg = promise.standard_days, receipt, START_RECEIPT
        extension_days = promise.complex_days
        if extension_days is not None and extension_days <= days:
            extension_days = None
    first = start + timedelta(days=days)
    extended = start + timedelta(days=extension_days) if extension_days is not None else None
    end = extended if (query.extended and extended is not None) else first
    shown_days = extension_days if (query.extended and extended is not None) else days
    parts = [Msg.of(start_msg, regime=_name(regime), period=Msg.of(CALENDAR_DAYS, n=shown_days), start=start,
                    zone=zone), Msg.of(ENDS_PLAIN, end=end)]
    parts += notes
    if query.extended:
        parts.append(Msg.of(NOTE_EXTENDED, notice=first) if extended else
                     Msg.of(NOTE_NO_EXTENSION, regime=_name(regime), due=first))
    return RegimeResult(
        regime=regime, zone=zone, start=start, due=end, unextended_due=first, extended_due=extended,
        extension_notice_due=first if extended else None, ack_due=None, calendar=WEEKENDS_ONLY, rolls=False,
        parts=tuple(parts),
    )  # fmt: skip


RULES: dict[Regime, Callable[[DeadlineQuery, Regime], RegimeResult | None]] = {
    Regime.EU_GDPR: _gdpr,
    Regime.UK_GDPR: _gdpr,
    Regime.CH_FADP: _ch,
    Regime.CCPA: _ccpa,
    Regime.KZ: _kz,
    Regime.BR_LGPD: _br,
    Regime.POLICY: _policy,
}


def regime_result(query: DeadlineQuery, regime: Regime) -> RegimeResult | None:
    """One regime's deadline for the query, or None when it sets none for this kind."""
    return RULES[regime](query, regime)
