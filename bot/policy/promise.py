"""The operator's own response-time promise, in the form the deadline engine takes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.policy.schema import Policy

if TYPE_CHECKING:
    from bot.deadlines import PolicyPromise


def promise_from_policy(policy: Policy) -> PolicyPromise | None:
    """`response_times` of a policy as a `bot.deadlines.PolicyPromise`; None when the policy promises none.

    Imported lazily: the policy package must not depend on the deadline package at import time.
    """
    from bot.deadlines import PolicyPromise

    times = policy.response_times
    if times is None:
        return None
    kinds = frozenset(k.kind for k in times.kinds) if times.kinds else None
    return PolicyPromise(
        operator=policy.operator.id,
        standard_days=times.standard_days,
        complex_days=times.complex_days,
        voice_owner_days=times.voice_owner_days,
        kinds=kinds,
    )
