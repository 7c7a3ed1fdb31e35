"""Where the requester lives, in plain words, and what follows from it: the deadline regimes and
whether the operator's policy serves that region at all (Velluto does not serve Russia or Belarus)."""

from __future__ import annotations

from bot.deadlines import Jurisdiction, regimes_for
from bot.i18n import N_
from bot.policy.schema import Policy, RegionEntry

# (jurisdiction, button label) in the order shown.
JURISDICTION_CHOICES: tuple[tuple[str, str], ...] = (
    (Jurisdiction.EEA, N_("European Union, Iceland, Liechtenstein, Norway")),
    (Jurisdiction.UK, N_("United Kingdom")),
    (Jurisdiction.CH, N_("Switzerland")),
    (Jurisdiction.CALIFORNIA, N_("California")),
    (Jurisdiction.US_OTHER, N_("Another US state")),
    (Jurisdiction.KZ, N_("Kazakhstan")),
    (Jurisdiction.BR, N_("Brazil")),
    (Jurisdiction.RU_BY, N_("Russia or Belarus")),
    (Jurisdiction.OTHER, N_("Somewhere else")),
)
LABELS: dict[str, str] = dict(JURISDICTION_CHOICES)

# Policy region ids (bot.policy.schema.RegionId) that cover each jurisdiction.
_REGIONS: dict[str, frozenset[str]] = {
    Jurisdiction.EEA: frozenset({"eea_uk_ch", "eea"}),
    Jurisdiction.UK: frozenset({"eea_uk_ch", "uk"}),
    Jurisdiction.CH: frozenset({"eea_uk_ch", "ch"}),
    Jurisdiction.CALIFORNIA: frozenset({"california", "us"}),
    Jurisdiction.US_OTHER: frozenset({"us"}),
    Jurisdiction.KZ: frozenset({"kz"}),
    Jurisdiction.BR: frozenset(),
    Jurisdiction.RU_BY: frozenset({"ru_by", "ru", "by"}),
    Jurisdiction.OTHER: frozenset({"other"}),
}


def is_jurisdiction(value: str | None) -> bool:
    return value in LABELS


def regimes(jurisdiction: str) -> list[str]:
    """The legal regimes for the deadline (the policy's promise is added by the request service)."""
    return [str(r) for r in regimes_for(jurisdiction)]


def not_served_entry(policy: Policy, jurisdiction: str | None) -> RegionEntry | None:
    """The policy's notice for a region it does not serve, if `jurisdiction` is one."""
    regions = _REGIONS.get(jurisdiction or "", frozenset())
    return next((entry for entry in policy.regions.not_served if entry.region in regions), None)


def not_served(policy: Policy) -> frozenset[str]:
    """The jurisdictions whose residents the policy does not serve."""
    return frozenset(j for j in LABELS if not_served_entry(policy, j) is not None)
