"""The effective deadline: the earliest among every applicable regime and the operator's policy.

Spec §1: "The effective deadline of a request is the earliest deadline among all regimes that apply to
it". Earliest is compared by the instant each due day ends (regimes may count in different zones);
on a tie a legal regime is named as binding before the policy, since the law is what staff must meet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.deadlines.calendars import end_of_day_utc
from bot.deadlines.promise import PolicyPromise
from bot.deadlines.query import DeadlineQuery
from bot.deadlines.regimes import REGIME_NAMES, Regime
from bot.deadlines.rules import RegimeResult, regime_result
from bot.deadlines.text import DateFormat, Gettext, Msg, identity, render, render_all
from bot.i18n import N_
from bot.kinds import RequestKind

EFFECTIVE_ONE = N_("Deadline {due}, set by {regime}.")
EFFECTIVE_MANY = N_("Effective deadline {due}, set by {regime}: the earliest of {candidates}.")
CANDIDATE = N_("{regime} by {due}")
NOT_COVERED = N_("No deadline for this kind of request from: {regimes}.")
KZ_NO_FIGURE = N_("Kazakhstan's law gives no figure for access or portability: the policy deadline applies.")
WARN_POLICY_LATER = N_(
    "The policy promises {policy_due}, later than {regime} ({law_due}): the law binds earlier."
)
WARN_POLICY_LATER_EXTENDED = N_(
    "If extended, the policy allows until {policy_due}, later than {regime} ({law_due}): the law binds earlier."
)


class NoDeadlineError(ValueError):
    """No given regime sets a deadline for this kind of request."""


@dataclass(frozen=True)
class DeadlineResult:
    """The effective deadline and how it was reached. Dates are local dates in `zone`."""

    query: DeadlineQuery
    due: date
    zone: str
    due_end_utc: datetime
    extension_notice_due: date | None
    ack_due: date | None
    extended_due: date | None
    binding: Regime
    per_regime: dict[Regime, RegimeResult]
    not_applicable: tuple[Regime, ...]
    explanation_parts: tuple[Msg, ...]
    warning_parts: tuple[Msg, ...] = field(default=())

    @property
    def can_extend(self) -> bool:
        return self.extended_due is not None

    @property
    def explanation(self) -> str:
        return render_explanation(self)

    @property
    def warnings(self) -> list[str]:
        return render_warnings(self)


def render_explanation(
    result: DeadlineResult, gettext: Gettext = identity, format_date: DateFormat | None = None
) -> str:
    """The explanation in the language of `gettext` (English with the default); dates ISO by default."""
    return render_all(result.explanation_parts, gettext, format_date)


def render_warnings(
    result: DeadlineResult, gettext: Gettext = identity, format_date: DateFormat | None = None
) -> list[str]:
    return [render(part, gettext, format_date) for part in result.warning_parts]


def _end(day: date, result: RegimeResult) -> datetime:
    return end_of_day_utc(day, result.zone)


def _earliest(results: Iterable[RegimeResult], pick=lambda r: r.due) -> RegimeResult:
    return min(results, key=lambda r: (_end(pick(r), r), r.regime is Regime.POLICY))


def compute(
    received_at: datetime,
    kind: RequestKind | str,
    regimes: Iterable[Regime | str],
    *,
    policy: PolicyPromise | None = None,
    extended: bool = False,
    paused_days: int = 0,
    clock_start: datetime | None = None,
    verified_at: datetime | None = None,
    eu_holiday_country: str | None = None,
    zone: str | None = None,
) -> DeadlineResult:
    """The effective deadline of one request.

    received_at: aware instant of receipt (naive → ValueError). regimes: the legal regimes of the
    requester's jurisdiction, plus `Regime.POLICY` (added automatically when `policy` is given).
    extended: the controller has extended where allowed. paused_days: EU/UK stop-the-clock days, counted
    inclusively. clock_start: UK, when the requested ID arrived. verified_at: starts the policy's
    voice-owner days. eu_holiday_country: member state whose holidays the EU roll skips (weekends only
    when None). zone: the requester's zone for the EU (member state) and the policy; jurisdiction default.
    Raises NoDeadlineError when no regime covers the kind.
    """
    query = DeadlineQuery.build(
        received_at, kind, regimes, policy=policy, extended=extended, paused_days=paused_days,
        clock_start=clock_start, verified_at=verified_at, eu_holiday_country=eu_holiday_country, zone=zone,
    )  # fmt: skip
    return compute_query(query)


def compute_query(query: DeadlineQuery) -> DeadlineResult:
    """`compute` for an already built query."""
    per_regime: dict[Regime, RegimeResult] = {}
    not_applicable: list[Regime] = []
    for regime in query.regimes:
        result = regime_result(query, regime)
        if result is None:
            not_applicable.append(regime)
        else:
            per_regime[regime] = result
    if not per_regime:
        names = ", ".join(str(r) for r in query.regimes)
        raise NoDeadlineError(f"no deadline for a {query.kind} request under {names}")

    results = list(per_regime.values())
    binding = _earliest(results)
    unextended = _earliest(results, lambda r: r.unextended_due)
    if_extended = _earliest(results, lambda r: r.extended_due or r.unextended_due)
    ext_day = if_extended.extended_due or if_extended.unextended_due
    can_extend = _end(ext_day, if_extended) > _end(unextended.unextended_due, unextended)
    notices = [r.extension_notice_due for r in results if r.can_extend and r.extension_notice_due]
    acks = [r.ack_due for r in results if r.ack_due is not None]

    return DeadlineResult(
        query=query,
        due=binding.due,
        zone=binding.zone,
        due_end_utc=binding.due_end_utc,
        extension_notice_due=min(notices) if can_extend and notices else None,
        ack_due=min(acks) if acks else None,
        extended_due=ext_day if can_extend else None,
        binding=binding.regime,
        per_regime=per_regime,
        not_applicable=tuple(not_applicable),
        explanation_parts=_explain(query, binding, results, not_applicable),
        warning_parts=_warnings(query, per_regime),
    )


def _explain(
    query: DeadlineQuery, binding: RegimeResult, results: list[RegimeResult], not_applicable: list[Regime]
) -> tuple[Msg, ...]:
    name = Msg(REGIME_NAMES[binding.regime])
    if len(results) == 1:
        parts = [Msg.of(EFFECTIVE_ONE, due=binding.due, regime=name)]
    else:
        candidates = tuple(Msg.of(CANDIDATE, regime=Msg(REGIME_NAMES[r.regime]), due=r.due) for r in results)
        parts = [Msg.of(EFFECTIVE_MANY, due=binding.due, regime=name, candidates=candidates)]
    parts += binding.parts
    if not_applicable:
        parts.append(Msg.of(NOT_COVERED, regimes=tuple(Msg(REGIME_NAMES[r]) for r in not_applicable)))
        if Regime.KZ in not_applicable and query.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY):
            parts.append(Msg(KZ_NO_FIGURE))  # spec §4: say so, not silently
    return tuple(parts)


def _warnings(query: DeadlineQuery, per_regime: dict[Regime, RegimeResult]) -> tuple[Msg, ...]:
    """Spec §1: a policy may promise later than the law; staff must see that the law binds earlier."""
    promise = per_regime.get(Regime.POLICY)
    legal = [r for r in per_regime.values() if r.regime is not Regime.POLICY]
    if promise is None or not legal:
        return ()
    warnings = []
    law = _earliest(legal)
    if _end(promise.due, promise) > law.due_end_utc:
        template = WARN_POLICY_LATER_EXTENDED if query.extended and promise.can_extend else WARN_POLICY_LATER
        warnings.append(Msg.of(template, policy_due=promise.due, regime=Msg(REGIME_NAMES[law.regime]),
                               law_due=law.due))
    if not query.extended and promise.extended_due is not None:
        law_ext = _earliest(legal, lambda r: r.extended_due or r.unextended_due)
        law_ext_day = law_ext.extended_due or law_ext.unextended_due
        if _end(promise.extended_due, promise) > _end(law_ext_day, law_ext):
            warnings.append(Msg.of(WARN_POLICY_LATER_EXTENDED, policy_due=promise.extended_due,
                                   regime=Msg(REGIME_NAMES[law_ext.regime]), law_due=law_ext_day))
    return tuple(warnings)
