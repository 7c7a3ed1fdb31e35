"""The audit trail as a hash chain: each event's hash covers the previous one, so an edit shows.

Pure: `event_hash` and `verify_chain` take plain values (or anything with the same attributes, such
as `storage.requests.RequestEvent` rows paired with their request's reference). Payloads hold no
free text: texts live in a separate, purgeable column, and the payload keeps their digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS_HASH = "0" * 64


class ChainEvent(Protocol):
    reference: str
    seq: int
    at: datetime
    actor_role: str
    actor_telegram_id: int | None
    action: str
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class EventRecord:
    """One event as the chain sees it (the storage row plus its request's reference)."""

    reference: str
    seq: int
    at: datetime
    actor_role: str
    actor_telegram_id: int | None
    action: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""
    text: str | None = None


@dataclass(frozen=True)
class ChainProblem:
    reference: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.reference} seq {self.seq}: {self.problem}"


def iso_instant(at: datetime) -> str:
    """One spelling of an instant on every backend: UTC, microseconds, `+00:00`."""
    if at.tzinfo is None:
        raise ValueError("naive datetime in the audit chain; use an aware datetime")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(
    *,
    prev_hash: str,
    reference: str,
    seq: int,
    at: datetime,
    actor_role: str,
    actor_telegram_id: int | None,
    action: str,
    payload: Mapping[str, Any],
) -> bytes:
    document = {
        "prev_hash": prev_hash,
        "reference": reference,
        "seq": seq,
        "at": iso_instant(at),
        "actor_role": str(actor_role),
        "actor_id": actor_telegram_id,
        "action": str(action),
        "payload": dict(payload or {}),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(**fields: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of one event's fields (see `canonical`)."""
    return hashlib.sha256(canonical(**fields)).hexdigest()


def text_digest(stored_text: str) -> str:
    """Digest of a stored (possibly encrypted) text, kept in the payload so the text can be purged later."""
    return hashlib.sha256(stored_text.encode("utf-8")).hexdigest()


def hash_of(event: ChainEvent) -> str:
    return event_hash(
        prev_hash=event.prev_hash,
        reference=event.reference,
        seq=event.seq,
        at=event.at,
        actor_role=event.actor_role,
        actor_telegram_id=event.actor_telegram_id,
        action=event.action,
        payload=event.payload,
    )


def verify_chain(events: Iterable[ChainEvent], heads: Mapping[str, str] | None = None) -> list[ChainProblem]:
    """Every broken link, per request: gaps in seq, wrong prev_hash, a hash that does not match its
    content, a text that does not match its digest. An empty list means the chain is intact.

    `heads` (reference -> hash of its last event, as the request row records it) also catches events
    deleted from the end of a chain, which the links alone cannot show.
    """
    by_reference: dict[str, list[ChainEvent]] = {}
    for event in events:
        by_reference.setdefault(event.reference, []).append(event)
    problems: list[ChainProblem] = []
    for reference, chain in by_reference.items():
        chain.sort(key=lambda e: e.seq)
        problems.extend(_verify_one(reference, chain))
    for reference, head in (heads or {}).items():
        chain = by_reference.get(reference, [])
        last = chain[-1] if chain else None
        if (last.hash if last else None) != head:
            seq = last.seq if last else 0
            problems.append(ChainProblem(reference, seq, "the last event is not the one the request records"))
    return problems


def _verify_one(reference: str, chain: list[ChainEvent]) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    for expected_seq, event in enumerate(chain, start=1):
        if event.seq != expected_seq:
            problems.append(ChainProblem(reference, event.seq, f"sequence gap: expected seq {expected_seq}"))
        if event.prev_hash != expected_prev:
            problems.append(
                ChainProblem(reference, event.seq, "previous hash does not match the event before")
            )
        try:
            actual = hash_of(event)
        except (TypeError, ValueError) as exc:
            problems.append(ChainProblem(reference, event.seq, f"cannot hash the event: {exc}"))
        else:
            if actual != event.hash:
                problems.append(ChainProblem(reference, event.seq, "hash does not match the event's content"))
        stored_text = getattr(event, "text", None)
        digest = (event.payload or {}).get("text_sha256") if isinstance(event.payload, Mapping) else None
        if stored_text is not None and digest != text_digest(stored_text):
            problems.append(ChainProblem(reference, event.seq, "text does not match its digest"))
        expected_prev = event.hash
    return problems


def chain_stats(events: Iterable[ChainEvent]) -> tuple[int, int]:
    """(number of events, number of requests)."""
    count, references = 0, set()
    for event in events:
        count += 1
        references.add(event.reference)
    return count, len(references)
