"""Table-driven deadline cases: every worked example of shared/legal/deadlines.md §3 and our own cases.

Expected dates were worked out by hand from the calendars (E&W bank holidays, US federal, KZ, CH), not
copied from the engine's output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.deadlines import (
    Jurisdiction,
    NoDeadlineError,
    PolicyPromise,
    Regime,
    compute,
    regimes_for,
    zone_for,
)
from bot.kinds import RequestKind as K

EU, UK, CH, CCPA, KZ, BR, POLICY = (
    Regime.EU_GDPR, Regime.UK_GDPR, Regime.CH_FADP, Regime.CCPA, Regime.KZ, Regime.BR_LGPD, Regime.POLICY,
)  # fmt: skip
VELLUTO = PolicyPromise(operator="velluto", standard_days=30, complex_days=90, voice_owner_days=30)


def at(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- spec §3: regulators' worked examples (received at midday local) ------------------------------

SPEC_EXAMPLES = [
    # (source, received, regime, due)
    ("ICO", "2025-09-03T12:00:00+01:00", UK, "2025-10-03"),
    ("ICO bank holidays 25/26 Dec", "2024-11-25T12:00:00+00:00", UK, "2024-12-27"),
    ("ICO 31 Mar", "2027-03-31T12:00:00+01:00", UK, "2027-04-30"),
    ("ICO 28 Feb is a Sunday", "2027-01-31T12:00:00+00:00", UK, "2027-03-01"),
    ("ICO leap year", "2028-01-31T12:00:00+00:00", UK, "2028-02-29"),
    ("ICO received on a bank holiday", "2027-01-01T12:00:00+00:00", UK, "2027-02-01"),
    ("EDPB example 32", "2027-03-05T12:00:00+01:00", EU, "2027-04-05"),
    ("EDPB example 33", "2026-08-31T12:00:00+02:00", EU, "2026-09-30"),
]


@pytest.mark.parametrize(("source", "received", "regime", "due"), SPEC_EXAMPLES, ids=[e[0] for e in SPEC_EXAMPLES])
def test_regulator_worked_examples(source, received, regime, due):
    assert compute(at(received), K.ACCESS, [regime]).due == d(due)


def test_spec_effective_example_uk_month_beats_policy_30_days():
    # §1: received 1 Feb 2027 from the UK: UK month ends 1 Mar, policy's 30 days end 3 Mar → 1 Mar.
    result = compute(at("2027-02-01T10:00:00+00:00"), K.ACCESS, regimes_for(Jurisdiction.UK) + (POLICY,),
                     policy=VELLUTO)
    assert result.due == d("2027-03-01")
    assert result.binding is UK
    assert result.per_regime[POLICY].due == d("2027-03-03")
    assert any("2027-03-03" in w and "later" in w for w in result.warnings)


def test_spec_extension_examples_31_january():
    # §2: UK three months from the original start (31 Jan → 30 Apr); EU the earlier method (→ 28 Apr).
    uk = compute(at("2027-01-31T12:00:00+00:00"), K.ACCESS, [UK], extended=True)
    eu = compute(at("2027-01-31T12:00:00+01:00"), K.ACCESS, [EU], extended=True)
    assert (uk.due, eu.due) == (d("2027-04-30"), d("2027-04-28"))
    # The notice is due by the un-rolled end of the first period: Sunday 28 Feb, not Monday 1 Mar.
    assert uk.extension_notice_due == eu.extension_notice_due == d("2027-02-28")


def test_spec_policy_90_days_later_than_three_months_after_31_january():
    result = compute(at("2027-01-31T12:00:00+00:00"), K.ACCESS, [UK, POLICY], policy=VELLUTO, extended=True)
    assert result.due == d("2027-04-30") and result.binding is UK
    assert result.per_regime[POLICY].due == d("2027-05-01")
    assert result.warnings and "2027-05-01" in result.warnings[0]


def test_spec_kz_received_friday_one_working_day_is_monday():
    assert compute(at("2027-01-29T12:00:00+05:00"), K.ERASURE, [KZ]).due == d("2027-02-01")


# --- own cases -----------------------------------------------------------------------------------
# (id, received, regimes, kind, options, expected due)
CASES = [
    # UK month ends, weekends, bank holidays, year ends
    ("uk 26 Nov → Sat 26 Dec, Mon 28 Dec substitute", "2026-11-26T12:00:00+00:00", [UK], K.ACCESS, {}, "2026-12-29"),
    ("uk 27 Dec 2027 and 28 Dec substitute days", "2027-11-27T12:00:00+00:00", [UK], K.ACCESS, {}, "2027-12-29"),
    ("uk across the year end, 3 Jan 2028 substitute", "2027-12-01T12:00:00+00:00", [UK], K.ACCESS, {}, "2028-01-04"),
    ("uk 29 Feb leap → Good Friday + Easter", "2024-02-29T12:00:00+00:00", [UK], K.ACCESS, {}, "2024-04-02"),
    ("uk 28 Feb → Sun 28 Mar, Easter Monday", "2027-02-28T12:00:00+00:00", [UK], K.ERASURE, {}, "2027-03-30"),
    ("uk August bank holiday", "2026-07-31T12:00:00+01:00", [UK], K.RECTIFICATION, {}, "2026-09-01"),
    ("uk 31 Mar → 30 Apr clamp", "2025-03-31T12:00:00+01:00", [UK], K.PORTABILITY, {}, "2025-04-30"),
    ("uk 30 Jan → Sat 28 Feb clamp, rolled to Monday", "2026-01-30T12:00:00+00:00", [UK], K.OBJECTION, {}, "2026-03-02"),
    ("uk 31 Oct → 30 Nov", "2025-10-31T12:00:00+00:00", [UK], K.RESTRICTION, {}, "2025-12-01"),
    ("uk 31 Dec → Sat 31 Jan → Monday", "2025-12-31T12:00:00+00:00", [UK], K.ACCESS, {}, "2026-02-02"),
    # UK extension (three months from the original start)
    ("uk ext 31 Jan 2028 → Sun 30 Apr, May Day", "2028-01-31T12:00:00+00:00", [UK], K.ACCESS, {"extended": True}, "2028-05-02"),
    ("uk ext 31 May → 31 Aug (not 30 Aug)", "2027-05-31T12:00:00+01:00", [UK], K.ACCESS, {"extended": True}, "2027-08-31"),
    ("uk ext 30 Nov → 28 Feb clamp", "2026-11-30T12:00:00+00:00", [UK], K.ACCESS, {"extended": True}, "2027-03-01"),
    # UK pause: paused days added to the raw end, then rolled
    ("uk pause 1 day added before the roll", "2027-01-31T12:00:00+00:00", [UK], K.ACCESS, {"paused_days": 1}, "2027-03-01"),
    ("uk pause 5 days", "2027-01-31T12:00:00+00:00", [UK], K.ACCESS, {"paused_days": 5}, "2027-03-05"),
    ("uk pause lands on Christmas", "2024-11-25T12:00:00+00:00", [UK], K.ACCESS, {"paused_days": 3}, "2024-12-30"),
    ("uk pause + extension", "2027-01-31T12:00:00+00:00", [UK], K.ACCESS, {"paused_days": 2, "extended": True}, "2027-05-04"),
    # UK clock start when the requested ID arrives
    ("uk ID arrived 31 Jan", "2027-01-10T12:00:00+00:00", [UK], K.ACCESS,
     {"clock_start": "2027-01-31T12:00:00+00:00"}, "2027-03-01"),
    ("uk ID before receipt is ignored", "2027-03-05T12:00:00+00:00", [UK], K.ACCESS,
     {"clock_start": "2027-03-01T12:00:00+00:00"}, "2027-04-05"),
    ("uk ID arrives 23:30 BST = 22:30Z, same local day", "2027-04-01T09:00:00+01:00", [UK], K.ACCESS,
     {"clock_start": "2027-04-30T22:30:00+00:00"}, "2027-06-01"),
    # UK time-zone edges
    ("uk 23:30 local on 31 Jan", "2027-01-31T23:30:00+00:00", [UK], K.ACCESS, {}, "2027-03-01"),
    ("uk 23:30 BST on 31 Mar", "2027-03-31T23:30:00+01:00", [UK], K.ACCESS, {}, "2027-04-30"),
    ("uk 23:30Z on 31 Mar is 1 Apr in London", "2027-03-31T23:30:00+00:00", [UK], K.ACCESS, {}, "2027-05-04"),
    ("uk night DST starts, 00:59 GMT", "2027-03-28T00:59:00+00:00", [UK], K.ACCESS, {}, "2027-04-28"),
    ("uk night DST starts, 01:30 BST", "2027-03-28T00:30:00+00:00", [UK], K.ACCESS, {}, "2027-04-28"),
    ("uk eve of DST, 23:30 GMT Saturday", "2027-03-27T23:30:00+00:00", [UK], K.ACCESS, {}, "2027-04-27"),
    # EU
    ("eu 31 Jan → Sun 28 Feb → Mon", "2027-01-31T12:00:00+01:00", [EU], K.ACCESS, {}, "2027-03-01"),
    ("eu leap year", "2028-01-31T12:00:00+01:00", [EU], K.ERASURE, {}, "2028-02-29"),
    ("eu Christmas not a holiday without a country", "2026-11-25T12:00:00+01:00", [EU], K.ACCESS, {}, "2026-12-25"),
    ("eu Christmas with German holidays", "2026-11-25T12:00:00+01:00", [EU], K.ACCESS,
     {"eu_holiday_country": "DE"}, "2026-12-28"),
    ("eu ext 31 Jan 2028 → Sat 29 Apr → Mon", "2028-01-31T12:00:00+01:00", [EU], K.ACCESS, {"extended": True}, "2028-05-01"),
    ("eu ext with German May Day", "2028-01-31T12:00:00+01:00", [EU], K.ACCESS,
     {"extended": True, "eu_holiday_country": "DE"}, "2028-05-02"),
    ("eu ext 31 May → 30 Aug (1+2 is earlier)", "2027-05-31T12:00:00+02:00", [EU], K.ACCESS, {"extended": True}, "2027-08-30"),
    ("eu ext 31 Aug → 30 Nov", "2026-08-31T12:00:00+02:00", [EU], K.ACCESS, {"extended": True}, "2026-11-30"),
    ("eu pause 10 days", "2027-03-05T12:00:00+01:00", [EU], K.ACCESS, {"paused_days": 10}, "2027-04-15"),
    ("eu no clock start rule", "2027-01-10T12:00:00+01:00", [EU], K.ACCESS,
     {"clock_start": "2027-01-31T12:00:00+01:00"}, "2027-02-10"),
    ("eu Brussels: 22:30Z is 1 Apr", "2027-03-31T22:30:00+00:00", [EU], K.ACCESS, {}, "2027-05-03"),
    ("eu Lisbon: 22:30Z is still 31 Mar", "2027-03-31T22:30:00+00:00", [EU], K.ACCESS,
     {"zone": "Europe/Lisbon"}, "2027-04-30"),
    ("eu withdraw consent", "2027-05-31T12:00:00+02:00", [EU], K.WITHDRAW_CONSENT, {}, "2027-06-30"),
    # Switzerland: 30 days, receipt excluded, Saturday and national holidays roll
    ("ch 31 Jan + 30 days", "2027-01-31T12:00:00+01:00", [CH], K.ACCESS, {}, "2027-03-02"),
    ("ch National Day on a Sunday", "2027-07-02T12:00:00+02:00", [CH], K.ACCESS, {}, "2027-08-02"),
    ("ch Christmas Friday", "2026-11-25T12:00:00+01:00", [CH], K.ERASURE, {}, "2026-12-28"),
    ("ch Ascension", "2027-04-06T12:00:00+02:00", [CH], K.ACCESS, {}, "2027-05-07"),
    ("ch New Year", "2026-12-02T12:00:00+01:00", [CH], K.ACCESS, {}, "2027-01-04"),
    ("ch Saturday rolls", "2027-01-01T12:00:00+01:00", [CH], K.ACCESS, {}, "2027-02-01"),
    ("ch pause not added", "2027-01-31T12:00:00+01:00", [CH], K.ACCESS, {"paused_days": 7}, "2027-03-02"),
    ("ch extension not defined", "2027-01-31T12:00:00+01:00", [CH], K.ACCESS, {"extended": True}, "2027-03-02"),
    # CCPA: 45 calendar days, never rolled, never paused
    ("ccpa know 31 Jan", "2027-01-31T12:00:00-08:00", [CCPA], K.ACCESS, {}, "2027-03-17"),
    ("ccpa 45th day a Saturday is not rolled", "2027-01-06T12:00:00-08:00", [CCPA], K.ERASURE, {}, "2027-02-20"),
    ("ccpa extension 90 days, Saturday kept", "2027-01-31T12:00:00-08:00", [CCPA], K.ACCESS, {"extended": True}, "2027-05-01"),
    ("ccpa never paused", "2027-01-31T12:00:00-08:00", [CCPA], K.ACCESS, {"paused_days": 10}, "2027-03-17"),
    ("ccpa regardless of verification", "2027-01-31T12:00:00-08:00", [CCPA], K.RECTIFICATION,
     {"clock_start": "2027-02-20T12:00:00-08:00"}, "2027-03-17"),
    ("ccpa 23:30 PST is still 31 Jan", "2027-02-01T07:30:00+00:00", [CCPA], K.ACCESS, {}, "2027-03-17"),
    ("ccpa 00:30 PST is 1 Feb", "2027-02-01T08:30:00+00:00", [CCPA], K.ACCESS, {}, "2027-03-18"),
    ("ccpa night DST starts, 01:59 PST", "2027-03-14T09:59:00+00:00", [CCPA], K.ACCESS, {}, "2027-04-28"),
    ("ccpa eve of DST, 23:30 PST", "2027-03-14T07:30:00+00:00", [CCPA], K.ACCESS, {}, "2027-04-27"),
    ("ccpa voice takedown is a deletion", "2025-06-02T12:00:00-07:00", [CCPA], K.VOICE_TAKEDOWN, {}, "2025-07-17"),
    ("ccpa portability is part of know", "2025-06-02T12:00:00-07:00", [CCPA], K.PORTABILITY, {}, "2025-07-17"),
    # CCPA business days across US federal holidays
    ("ccpa opt-out over Christmas and New Year observed", "2027-12-20T12:00:00-08:00", [CCPA], K.OPT_OUT_SALE, {}, "2028-01-12"),
    ("ccpa limit over Veterans Day and Thanksgiving", "2027-11-10T12:00:00-08:00", [CCPA], K.LIMIT_SENSITIVE, {}, "2027-12-03"),
    ("ccpa opt-out not extended", "2027-11-10T12:00:00-08:00", [CCPA], K.OPT_OUT_SALE, {"extended": True}, "2027-12-03"),
    ("ccpa opt-out received Saturday, over Juneteenth and 4 July", "2025-06-14T12:00:00-07:00", [CCPA], K.OPT_OUT_SALE, {},
     "2025-07-08"),
    # Kazakhstan working days
    ("kz erasure Friday → Monday", "2027-01-29T12:00:00+05:00", [KZ], K.ERASURE, {}, "2027-02-01"),
    ("kz rectification over Women's Day", "2027-03-05T12:00:00+05:00", [KZ], K.RECTIFICATION, {}, "2027-03-09"),
    ("kz restriction over Nowruz", "2027-03-19T12:00:00+05:00", [KZ], K.RESTRICTION, {}, "2027-03-25"),
    ("kz objection 3 days over Independence Day", "2027-12-14T12:00:00+05:00", [KZ], K.OBJECTION, {}, "2027-12-20"),
    ("kz withdraw consent 15 days over New Year", "2026-12-28T12:00:00+05:00", [KZ], K.WITHDRAW_CONSENT, {}, "2027-01-21"),
    ("kz working Saturday 4 May 2024 counts", "2024-05-03T12:00:00+05:00", [KZ], K.ERASURE, {}, "2024-05-04"),
    ("kz day off 8 May 2024 is skipped", "2024-05-07T12:00:00+05:00", [KZ], K.RECTIFICATION, {}, "2024-05-10"),
    ("kz 22:30 Thursday local", "2027-01-28T17:30:00+00:00", [KZ], K.ERASURE, {}, "2027-01-29"),
    ("kz 00:30 Friday local", "2027-01-28T19:30:00+00:00", [KZ], K.ERASURE, {}, "2027-02-01"),
    ("kz voice takedown is an erasure", "2027-01-29T12:00:00+05:00", [KZ], K.VOICE_TAKEDOWN, {}, "2027-02-01"),
    ("kz no pause, no extension", "2027-01-29T12:00:00+05:00", [KZ], K.ERASURE,
     {"paused_days": 3, "extended": True}, "2027-02-01"),
    # Brazil: 15 days for access, not rolled
    ("br access 15 days on Tiradentes kept", "2027-04-06T12:00:00-03:00", [BR], K.ACCESS, {}, "2027-04-21"),
    ("br 23:30 local on 31 Jan", "2027-02-01T02:30:00+00:00", [BR], K.ACCESS, {}, "2027-02-15"),
    # Policy (calendar days, no roll) and combinations
    ("policy only: UTC zone", "2027-01-31T23:30:00+00:00", [POLICY], K.ACCESS, {"policy": VELLUTO}, "2027-03-02"),
    ("policy binds when earlier than UK", "2024-11-25T12:00:00+00:00", [UK, POLICY], K.ACCESS, {"policy": VELLUTO}, "2024-12-25"),
    ("policy complex 90 days from receipt", "2027-03-01T12:00:00+00:00", [POLICY], K.ACCESS,
     {"policy": VELLUTO, "extended": True}, "2027-05-30"),
    ("voice owner days from verification", "2027-01-31T12:00:00-08:00", [CCPA, POLICY], K.VOICE_TAKEDOWN,
     {"policy": VELLUTO, "verified_at": "2027-02-10T12:00:00-08:00"}, "2027-03-12"),
    ("voice: UK from receipt beats policy from verification", "2027-01-31T12:00:00+00:00", [UK, POLICY],
     K.VOICE_TAKEDOWN, {"policy": VELLUTO, "verified_at": "2027-02-10T12:00:00+00:00"}, "2027-03-01"),
    ("voice not verified yet: from receipt", "2027-01-31T12:00:00-08:00", [CCPA, POLICY], K.VOICE_TAKEDOWN,
     {"policy": VELLUTO}, "2027-03-02"),
    ("kz access: only the policy", "2027-01-29T12:00:00+05:00", [KZ, POLICY], K.ACCESS, {"policy": VELLUTO}, "2027-02-28"),
    ("kz erasure: the law beats the policy", "2027-01-29T12:00:00+05:00", [KZ, POLICY], K.ERASURE,
     {"policy": VELLUTO}, "2027-02-01"),
    ("eu + policy in February", "2027-02-01T12:00:00+01:00", [EU, POLICY], K.ERASURE, {"policy": VELLUTO}, "2027-03-01"),
    ("ccpa + policy: policy's 30 days first", "2027-01-31T12:00:00-08:00", [CCPA, POLICY], K.ACCESS,
     {"policy": VELLUTO}, "2027-03-02"),
    ("ccpa + policy extended: 90 days each", "2027-01-31T12:00:00-08:00", [CCPA, POLICY], K.ACCESS,
     {"policy": VELLUTO, "extended": True}, "2027-05-01"),
]


def _options(options: dict) -> dict:
    out = dict(options)
    for key in ("clock_start", "verified_at"):
        if key in out:
            out[key] = at(out[key])
    return out


@pytest.mark.parametrize(("case_id", "received", "regimes", "kind", "options", "due"), CASES, ids=[c[0] for c in CASES])
def test_own_cases(case_id, received, regimes, kind, options, due):
    result = compute(at(received), kind, regimes, **_options(options))
    assert result.due == d(due)
    assert result.due >= result.per_regime[result.binding].start


def test_at_least_sixty_own_cases():
    assert len(CASES) >= 60


# --- fields beyond the due date ------------------------------------------------------------------

def test_uk_extension_fields():
    result = compute(at("2027-01-31T12:00:00+00:00"), K.ACCESS, [UK])
    assert result.due == d("2027-03-01")
    assert result.can_extend and result.extended_due == d("2027-04-30")
    assert result.extension_notice_due == d("2027-02-28")
    assert result.ack_due is None


def test_uk_notice_includes_pause_but_not_roll():
    result = compute(at("2027-01-31T12:00:00+00:00"), K.ACCESS, [UK], paused_days=2)
    assert result.extension_notice_due == d("2027-03-02")


def test_ccpa_acknowledgement_and_extension():
    result = compute(at("2027-01-31T12:00:00-08:00"), K.ACCESS, [CCPA])
    assert result.ack_due == d("2027-02-12")
    assert result.extension_notice_due == d("2027-03-17")
    assert result.extended_due == d("2027-05-01")


def test_ccpa_acknowledgement_over_federal_holidays():
    result = compute(at("2027-12-20T12:00:00-08:00"), K.ERASURE, [CCPA])
    assert result.ack_due == d("2028-01-05")
    assert result.due == d("2028-02-03")


def test_ccpa_ack_juneteenth_not_reached():
    assert compute(at("2025-06-02T12:00:00-07:00"), K.ACCESS, [CCPA]).ack_due == d("2025-06-16")


def test_opt_out_has_no_ack_and_no_extension():
    result = compute(at("2027-12-20T12:00:00-08:00"), K.OPT_OUT_SALE, [CCPA])
    assert result.ack_due is None and result.extension_notice_due is None
    assert not result.can_extend and result.extended_due is None


@pytest.mark.parametrize("regime", [CH, KZ, BR])
def test_regimes_without_extension(regime):
    kind = K.ERASURE if regime is KZ else K.ACCESS
    result = compute(at("2027-03-03T12:00:00+00:00"), kind, [regime], extended=True)
    assert not result.can_extend and result.extended_due is None and result.extension_notice_due is None
    assert "no extension" in result.explanation


def test_policy_without_complex_days_cannot_extend():
    promise = PolicyPromise(operator="x", standard_days=30)
    result = compute(at("2027-03-01T12:00:00+00:00"), K.ACCESS, [POLICY], policy=promise)
    assert not result.can_extend and result.extension_notice_due is None


def test_policy_kinds_limit_where_it_applies():
    promise = PolicyPromise(operator="x", standard_days=10, kinds=frozenset({K.ACCESS}))
    erasure = compute(at("2027-03-03T12:00:00+00:00"), K.ERASURE, [UK, POLICY], policy=promise)
    access = compute(at("2027-03-03T12:00:00+00:00"), K.ACCESS, [UK, POLICY], policy=promise)
    assert erasure.binding is UK and POLICY in erasure.not_applicable
    assert access.binding is POLICY and access.due == d("2027-03-13")


def test_policy_given_is_always_applied():
    result = compute(at("2024-11-25T12:00:00+00:00"), K.ACCESS, [UK], policy=VELLUTO)
    assert result.binding is POLICY


def test_due_end_utc_is_end_of_local_day():
    winter = compute(at("2027-02-26T12:00:00+01:00"), K.ACCESS, [EU])
    summer = compute(at("2027-03-31T12:00:00+02:00"), K.ACCESS, [EU])
    assert winter.due == d("2027-03-26")
    assert winter.due_end_utc == datetime(2027, 3, 26, 22, 59, 59, 999999, tzinfo=UTC)
    assert summer.due_end_utc == datetime(2027, 4, 30, 21, 59, 59, 999999, tzinfo=UTC)
    assert winter.due_end_utc.tzinfo is UTC and winter.zone == "Europe/Brussels"


def test_explanation_names_the_rolled_bank_holidays():
    result = compute(at("2024-11-25T12:00:00+00:00"), K.ACCESS, [UK])
    assert "UK GDPR" in result.explanation and "one calendar month" in result.explanation
    assert "Christmas Day" in result.explanation and "Boxing Day" in result.explanation
    assert "2024-12-27" in result.explanation


def test_explanation_says_ccpa_weekend_is_not_rolled():
    result = compute(at("2027-01-06T12:00:00-08:00"), K.ACCESS, [CCPA])
    assert "not rolled" in result.explanation


def test_explanation_kz_access_has_no_figure():
    result = compute(at("2027-01-29T12:00:00+05:00"), K.ACCESS, [KZ, POLICY], policy=VELLUTO)
    assert result.binding is POLICY and Regime.KZ in result.not_applicable
    assert "no figure" in result.explanation


def test_warning_only_when_policy_is_later():
    later = compute(at("2027-02-01T10:00:00+00:00"), K.ACCESS, [UK, POLICY], policy=VELLUTO)
    earlier = compute(at("2024-11-25T12:00:00+00:00"), K.ACCESS, [UK, POLICY],
                      policy=PolicyPromise(operator="x", standard_days=20))
    assert later.warnings and not earlier.warnings


def test_warning_about_extension_before_extending():
    result = compute(at("2027-01-31T12:00:00+00:00"), K.ACCESS, [UK, POLICY], policy=VELLUTO)
    assert any(w.startswith("If extended") and "2027-05-01" in w for w in result.warnings)


def test_no_deadline_raises():
    with pytest.raises(NoDeadlineError):
        compute(at("2027-03-03T12:00:00+00:00"), K.RESTRICTION, [CCPA])
    with pytest.raises(NoDeadlineError):
        compute(at("2027-03-03T12:00:00+00:00"), K.OTHER, [UK, EU, CH])


@pytest.mark.parametrize("bad", [
    {"received_at": datetime(2027, 1, 31, 12)},  # noqa: DTZ001 - the naive value under test
    {"clock_start": datetime(2027, 1, 31, 12)},  # noqa: DTZ001
    {"verified_at": datetime(2027, 1, 31, 12)},  # noqa: DTZ001
    {"paused_days": -1},
    {"zone": "Mars/Olympus"},
    {"eu_holiday_country": "XX"},
    {"regimes": []},
    {"regimes": [POLICY]},
])
def test_invalid_queries_raise_value_error(bad):
    args = {"received_at": at("2027-01-31T12:00:00+00:00"), "kind": K.ACCESS, "regimes": [EU]} | bad
    with pytest.raises(ValueError):
        compute(**args)


# --- jurisdictions -------------------------------------------------------------------------------

def test_regimes_for_each_jurisdiction():
    assert regimes_for("eea") == (EU,)
    assert regimes_for(Jurisdiction.UK) == (UK,)
    assert regimes_for(Jurisdiction.CH) == (CH,)
    assert regimes_for(Jurisdiction.CALIFORNIA) == (CCPA,)
    assert regimes_for(Jurisdiction.KZ) == (KZ,)
    assert regimes_for(Jurisdiction.BR) == (BR,)
    for j in (Jurisdiction.US_OTHER, Jurisdiction.RU_BY, Jurisdiction.OTHER):
        assert regimes_for(j) == ()
    assert all(POLICY not in regimes_for(j) for j in Jurisdiction)
    assert zone_for("california") == "America/Los_Angeles" and zone_for("kz") == "Asia/Almaty"


# --- every regime × kind pair: received Wednesday 3 Mar 2027 (the same local date everywhere) -------

ALL_BUT_OTHER = [k for k in K if k is not K.OTHER]
MATRIX: dict[Regime, dict[K, str]] = {
    EU: dict.fromkeys(ALL_BUT_OTHER, "2027-04-05"),  # Sat 3 Apr → Mon 5 Apr
    UK: dict.fromkeys(ALL_BUT_OTHER, "2027-04-05"),
    CH: dict.fromkeys(ALL_BUT_OTHER, "2027-04-02"),  # +30 days, a Friday
    CCPA: {
        **dict.fromkeys([K.ACCESS, K.PORTABILITY, K.ERASURE, K.VOICE_TAKEDOWN, K.RECTIFICATION], "2027-04-17"),
        K.OPT_OUT_SALE: "2027-03-24", K.LIMIT_SENSITIVE: "2027-03-24",
    },
    KZ: {
        K.WITHDRAW_CONSENT: "2027-03-31", K.OPT_OUT_SALE: "2027-03-31", K.OBJECTION: "2027-03-09",
        **dict.fromkeys([K.RECTIFICATION, K.RESTRICTION, K.LIMIT_SENSITIVE, K.ERASURE, K.VOICE_TAKEDOWN],
                        "2027-03-04"),
    },
    BR: {K.ACCESS: "2027-03-18"},
    POLICY: dict.fromkeys(K, "2027-04-02"),
}
PAIRS = [(r, k) for r in Regime for k in K]


@pytest.mark.parametrize(("regime", "kind"), PAIRS, ids=[f"{r}-{k}" for r, k in PAIRS])
def test_every_regime_kind_pair(regime, kind):
    received = at("2027-03-03T12:00:00+00:00")
    expected = MATRIX[regime].get(kind)
    options = {"policy": VELLUTO} if regime is POLICY else {}
    if expected is None:
        with pytest.raises(NoDeadlineError):
            compute(received, kind, [regime], **options)
    else:
        assert compute(received, kind, [regime], **options).due == d(expected)
