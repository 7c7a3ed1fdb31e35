"""Deadline engine: when a request must be answered under each regime, and the effective (earliest) date.

Pure code (no database, no aiogram). The specification is `shared/legal/deadlines.md`.
"""

from bot.deadlines.engine import (
    DeadlineResult,
    NoDeadlineError,
    compute,
    compute_query,
    render_explanation,
    render_warnings,
)
from bot.deadlines.promise import PolicyPromise
from bot.deadlines.query import DeadlineQuery
from bot.deadlines.regimes import (
    JURISDICTION_ZONES,
    REGIME_NAMES,
    Jurisdiction,
    Regime,
    regimes_for,
    zone_for,
)
from bot.deadlines.rules import RegimeResult

__all__ = [
    "JURISDICTION_ZONES",
    "REGIME_NAMES",
    "DeadlineQuery",
    "DeadlineResult",
    "Jurisdiction",
    "NoDeadlineError",
    "PolicyPromise",
    "Regime",
    "RegimeResult",
    "compute",
    "compute_query",
    "regimes_for",
    "render_explanation",
    "render_warnings",
    "zone_for",
]
