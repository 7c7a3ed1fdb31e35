"""`privacy-desk deadline`: the effective deadline of one request, for staff and for scripts (`--json`).

`--received` must carry a zone offset (`Z` or `+01:00`): a bare local time is refused with a one-line
error rather than guessed, because a guess could move the day of receipt and so the deadline.
Bad input prints one line on stderr and exits 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from typing import Any

from bot.deadlines.engine import DeadlineResult, NoDeadlineError, compute, render_explanation, render_warnings
from bot.deadlines.promise import PolicyPromise
from bot.deadlines.regimes import Regime
from bot.i18n import LANGUAGES, N_, gettext_for
from bot.kinds import RequestKind

DEFAULT_POLICY_FILE = "policies/velluto.yaml"

LINE_DUE = N_("Due: {due} (until the end of that day in {zone})")
LINE_NOTICE = N_("Extension notice due: {date}")
LINE_EXTENDED = N_("If extended: {date}")
LINE_ACK = N_("Acknowledgement due: {date}")
LINE_WHY = N_("Why: {explanation}")
LINE_WARNING = N_("Warning: {warning}")
NONE = N_("none for this request")
ERR_PREFIX = N_("privacy-desk deadline: {error}")
ERR_NO_OFFSET = N_("{option} needs a time-zone offset, e.g. 2027-01-31T09:30:00Z or 2027-01-31T09:30:00+01:00")
ERR_BAD_DATE = N_("{option}: not an ISO 8601 date and time: {value}")
ERR_UNKNOWN_REGIME = N_("unknown regime {value}; choose from {choices}")
ERR_UNKNOWN_KIND = N_("unknown kind {value}; choose from {choices}")
ERR_PAUSED = N_("--paused-days must be a whole number, zero or more: {value}")
ERR_NO_POLICY_MODULE = N_("the policy regime needs the policy module (bot.policy), which is not available")
ERR_POLICY_FILE = N_("cannot use the policy file {path}: {problem}")
ERR_NO_DEADLINE = N_("no deadline for a {kind} request under {regimes}")
ERR_NO_PROMISE = N_("the policy file {path} promises no response times")


class InputError(Exception):
    """Bad command-line input: the message is already rendered, one line."""


def _instant(option: str, value: str | None, _) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(_(ERR_BAD_DATE).format(option=option, value=value)) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InputError(_(ERR_NO_OFFSET).format(option=option))
    return parsed


def _regimes(value: str, _) -> list[Regime]:
    out = []
    for item in filter(None, (part.strip().lower() for part in value.split(","))):
        try:
            out.append(Regime(item))
        except ValueError:
            raise InputError(_(ERR_UNKNOWN_REGIME).format(
                value=item, choices=", ".join(r.value for r in Regime))) from None
    if not out:
        raise InputError(_(ERR_UNKNOWN_REGIME).format(value=repr(value), choices=", ".join(r.value for r in Regime)))
    return out


def _kind(value: str, _) -> RequestKind:
    try:
        return RequestKind(value.strip().lower())
    except ValueError:
        raise InputError(_(ERR_UNKNOWN_KIND).format(
            value=value, choices=", ".join(k.value for k in RequestKind))) from None


def _paused(value: str, _) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise InputError(_(ERR_PAUSED).format(value=value))
    return days


def _policy(path: str | None, _) -> tuple[str, PolicyPromise | None]:
    """Read the promise through bot.policy, imported here so the engine never depends on it.

    None when the policy promises no response times (its file has no `response_times`).
    """
    path = path or os.environ.get("POLICY_FILE") or DEFAULT_POLICY_FILE
    try:
        from bot.policy import PolicyError, load_policy, promise_from_policy
    except ImportError:
        raise InputError(_(ERR_NO_POLICY_MODULE)) from None
    try:
        return path, promise_from_policy(load_policy(path))
    except PolicyError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(_(ERR_POLICY_FILE).format(path=path, problem=problem)) from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def result_json(result: DeadlineResult, gettext=None) -> dict[str, Any]:
    """The `--json` object: dates as YYYY-MM-DD, null where there is none."""
    _ = gettext or (lambda s: s)
    return {
        "due": _iso(result.due),
        "zone": result.zone,
        "due_end_utc": result.due_end_utc.isoformat(),
        "extension_notice_due": _iso(result.extension_notice_due),
        "ack_due": _iso(result.ack_due),
        "extended_due": _iso(result.extended_due),
        "can_extend": result.can_extend,
        "binding": result.binding.value,
        "explanation": render_explanation(result, _),
        "warnings": render_warnings(result, _),
        "not_applicable": [r.value for r in result.not_applicable],
        "per_regime": {
            regime.value: {
                "due": _iso(r.due),
                "zone": r.zone,
                "unextended_due": _iso(r.unextended_due),
                "extended_due": _iso(r.extended_due),
                "extension_notice_due": _iso(r.extension_notice_due),
                "ack_due": _iso(r.ack_due),
                "can_extend": r.can_extend,
            }
            for regime, r in result.per_regime.items()
        },
    }


def result_text(result: DeadlineResult, _) -> str:
    none = _(NONE)
    lines = [
        _(LINE_DUE).format(due=result.due.isoformat(), zone=result.zone),
        _(LINE_NOTICE).format(date=_iso(result.extension_notice_due) or none),
        _(LINE_EXTENDED).format(date=_iso(result.extended_due) or none),
        _(LINE_ACK).format(date=_iso(result.ack_due) or none),
        _(LINE_WHY).format(explanation=render_explanation(result, _)),
    ]
    lines += [_(LINE_WARNING).format(warning=w) for w in render_warnings(result, _)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    _ = gettext_for(args.lang)
    try:
        received = _instant("--received", args.received, _)
        regimes = _regimes(args.regime, _)
        kind = _kind(args.kind, _)
        paused = _paused(args.paused_days, _)
        clock_start = _instant("--clock-start", args.clock_start, _)
        verified = _instant("--verified", args.verified, _)
        policy = None
        if Regime.POLICY in regimes:
            path, policy = _policy(args.policy, _)
            if policy is None:  # nothing promised: only the law applies
                regimes = [r for r in regimes if r is not Regime.POLICY]
                if not regimes:
                    raise InputError(_(ERR_NO_PROMISE).format(path=path))
        try:
            result = compute(
                received, kind, regimes, policy=policy, extended=args.extended, paused_days=paused,
                clock_start=clock_start, verified_at=verified, eu_holiday_country=args.eu_holidays,
                zone=args.zone,
            )  # fmt: skip
        except NoDeadlineError:
            raise InputError(_(ERR_NO_DEADLINE).format(
                kind=kind.value, regimes=", ".join(r.value for r in regimes))) from None
        except (ValueError, KeyError) as exc:  # e.g. an unknown zone or holiday country
            raise InputError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    except InputError as exc:
        print(_(ERR_PREFIX).format(error=exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result_json(result, _), ensure_ascii=False, indent=2))
    else:
        print(result_text(result, _))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `deadline` to the `privacy-desk` parser."""
    parser = subparsers.add_parser(
        "deadline",
        help="compute a request's response deadline under one or more regimes",
        description="The effective (earliest) deadline of a request, with the reason.",
    )
    parser.add_argument("--received", required=True, metavar="ISO8601",
                        help="when the request was received, with a zone offset (e.g. 2027-01-31T09:30:00Z)")
    parser.add_argument("--regime", required=True, metavar="REGIME[,REGIME...]",
                        help="regimes: " + ", ".join(r.value for r in Regime))
    parser.add_argument("--kind", required=True, metavar="KIND",
                        help="request kind: " + ", ".join(k.value for k in RequestKind))
    parser.add_argument("--extended", action="store_true", help="the deadline has been extended where allowed")
    parser.add_argument("--paused-days", default="0", metavar="N",
                        help="EU/UK: days the clock was paused waiting for the requester (inclusive)")
    parser.add_argument("--clock-start", metavar="ISO8601", help="UK: when the requested ID arrived")
    parser.add_argument("--verified", metavar="ISO8601", help="when the requester was verified (policy voice-owner days)")
    parser.add_argument("--eu-holidays", metavar="CC", help="EU: member state whose public holidays count")
    parser.add_argument("--zone", metavar="IANA", help="requester's zone for the EU and the policy (default by regime)")
    parser.add_argument("--policy", metavar="FILE",
                        help=f"policy file for the policy regime (default: $POLICY_FILE or {DEFAULT_POLICY_FILE})")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the output")
    parser.set_defaults(func=run)
