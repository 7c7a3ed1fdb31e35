"""The operator's promise as the engine needs it; `bot.policy.promise_from_policy` builds it from a file."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kinds import RequestKind


@dataclass(frozen=True)
class PolicyPromise:
    """What the operator's policy promises about response times.

    standard_days: calendar days from receipt. complex_days: the most the policy allows for complex
    requests (its extension), None when it allows none. voice_owner_days: calendar days from
    verification for a voice owner's takedown, None when the standard days apply. kinds: the request
    kinds the promise covers, None for every kind.
    """

    operator: str
    standard_days: int
    complex_days: int | None = None
    voice_owner_days: int | None = None
    kinds: frozenset[RequestKind] | None = None

    def __post_init__(self) -> None:
        if self.standard_days < 0:
            raise ValueError("standard_days must not be negative")
        if self.complex_days is not None and self.complex_days < 0:
            raise ValueError("complex_days must not be negative")
        if self.voice_owner_days is not None and self.voice_owner_days < 0:
            raise ValueError("voice_owner_days must not be negative")

    def covers(self, kind: RequestKind) -> bool:
        return self.kinds is None or RequestKind(kind) in self.kinds
