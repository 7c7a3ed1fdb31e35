"""Regimes (the rule sets that give a deadline) and jurisdictions (where the requester is).

The mapping follows `shared/legal/deadlines.md` §1 and §2 (time zones). Kept apart from the counting
code so intake can ask "which regimes apply to this person" without importing the engine.
"""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_


class Regime(StrEnum):
    EU_GDPR = "eu_gdpr"
    UK_GDPR = "uk_gdpr"
    CH_FADP = "ch_fadp"
    CCPA = "ccpa"
    KZ = "kz"
    BR_LGPD = "br_lgpd"
    POLICY = "policy"


class Jurisdiction(StrEnum):
    EEA = "eea"
    UK = "uk"
    CH = "ch"
    CALIFORNIA = "california"
    US_OTHER = "us_other"
    KZ = "kz"
    BR = "br"
    RU_BY = "ru_by"
    OTHER = "other"


# Legal regimes only: the policy regime is added by the caller when the operator has a promise.
# us_other, ru_by and other have no regime in the specification, so only the policy applies to them.
_REGIMES: dict[Jurisdiction, tuple[Regime, ...]] = {
    Jurisdiction.EEA: (Regime.EU_GDPR,),
    Jurisdiction.UK: (Regime.UK_GDPR,),
    Jurisdiction.CH: (Regime.CH_FADP,),
    Jurisdiction.CALIFORNIA: (Regime.CCPA,),
    Jurisdiction.US_OTHER: (),
    Jurisdiction.KZ: (Regime.KZ,),
    Jurisdiction.BR: (Regime.BR_LGPD,),
    Jurisdiction.RU_BY: (),
    Jurisdiction.OTHER: (),
}

# Spec §2 "time zone": the local date of receipt is taken in the requester's jurisdiction.
# EU: the member state's zone when known, Europe/Brussels by default. Jurisdictions without a regime
# get a representative zone (only the policy's calendar days are counted there).
JURISDICTION_ZONES: dict[Jurisdiction, str] = {
    Jurisdiction.EEA: "Europe/Brussels",
    Jurisdiction.UK: "Europe/London",
    Jurisdiction.CH: "Europe/Zurich",
    Jurisdiction.CALIFORNIA: "America/Los_Angeles",
    Jurisdiction.US_OTHER: "America/New_York",
    Jurisdiction.KZ: "Asia/Almaty",
    Jurisdiction.BR: "America/Sao_Paulo",
    Jurisdiction.RU_BY: "Europe/Moscow",
    Jurisdiction.OTHER: "UTC",
}

REGIME_ZONES: dict[Regime, str] = {
    Regime.EU_GDPR: JURISDICTION_ZONES[Jurisdiction.EEA],
    Regime.UK_GDPR: JURISDICTION_ZONES[Jurisdiction.UK],
    Regime.CH_FADP: JURISDICTION_ZONES[Jurisdiction.CH],
    Regime.CCPA: JURISDICTION_ZONES[Jurisdiction.CALIFORNIA],
    Regime.KZ: JURISDICTION_ZONES[Jurisdiction.KZ],
    Regime.BR_LGPD: JURISDICTION_ZONES[Jurisdiction.BR],
}

REGIME_NAMES: dict[Regime, str] = {
    Regime.EU_GDPR: N_("EU GDPR (Art. 12)"),
    Regime.UK_GDPR: N_("UK GDPR (Art. 12)"),
    Regime.CH_FADP: N_("Swiss FADP (Art. 25)"),
    Regime.CCPA: N_("CCPA (California)"),
    Regime.KZ: N_("Kazakhstan (Law No. 94-V)"),
    Regime.BR_LGPD: N_("LGPD (Brazil)"),
    Regime.POLICY: N_("Operator policy"),
}

LEGAL_REGIMES: tuple[Regime, ...] = tuple(r for r in Regime if r is not Regime.POLICY)


def regimes_for(jurisdiction: Jurisdiction | str) -> tuple[Regime, ...]:
    """The legal regimes that protect a requester in this jurisdiction (without the policy)."""
    return _REGIMES[Jurisdiction(jurisdiction)]


def zone_for(jurisdiction: Jurisdiction | str) -> str:
    """The IANA zone in which a requester's local date of receipt is taken."""
    return JURISDICTION_ZONES[Jurisdiction(jurisdiction)]
