"""Cross-reference checks a schema alone cannot express, each reported with the YAML path to fix.

pydantic checks each value; these check that the parts agree with each other (ids unique, every fact's
topic declared, documents known, retention rows complete), so an operator editing the file by hand gets
every mistake at once with a path like `facts[12].topic`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.policy.schema import Policy

_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)

#: (yaml_path, message), e.g. ("facts[12].text.ru", "field required").
Problem = tuple[str, str]


def _duplicates(prefix: str, ids: Iterable[str], what: str = "id") -> list[Problem]:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for i, value in enumerate(ids):
        if value in seen:
            problems.append(
                (f"{prefix}[{i}].{what}", f"duplicate {what} '{value}' (first at {prefix}[{seen[value]}])")
            )
        else:
            seen[value] = i
    return problems


def consistency_problems(policy: Policy) -> list[Problem]:
    """Every disagreement between parts of a valid-looking policy."""
    problems: list[Problem] = []
    doc_ids = {d.id for d in policy.operator.documents}
    topic_ids = {t.id for t in policy.topics}
    used_topics = {f.topic for f in policy.facts}

    problems += _duplicates("operator.documents", (d.id for d in policy.operator.documents))
    problems += _duplicates("topics", (t.id for t in policy.topics))
    problems += _duplicates("facts", (f.id for f in policy.facts))
    problems += _duplicates("request_kinds", (k.kind.value for k in policy.request_kinds), "kind")
    regions = [*policy.regions.served, *policy.regions.not_served]
    problems += _duplicates("regions", (r.region for r in regions), "region")

    for i, fact in enumerate(policy.facts):
        if fact.topic not in topic_ids:
            problems.append((f"facts[{i}].topic", f"topic '{fact.topic}' is not declared in topics"))
        if not _CYRILLIC.search(fact.text.ru):
            problems.append((f"facts[{i}].text.ru", "has no Russian letters: not translated?"))
        if fact.document is not None and fact.document not in doc_ids:
            problems.append((f"facts[{i}].document", f"unknown document '{fact.document}'"))
        if fact.topic == "retention":
            for key in ("item", "period"):
                if key not in fact.details:
                    problems.append(
                        (
                            f"facts[{i}].details.{key}",
                            "field required (a retention fact needs item and period)",
                        )
                    )
    for i, topic in enumerate(policy.topics):
        if topic.id not in used_topics:
            problems.append((f"topics[{i}].id", f"topic '{topic.id}' is declared but no fact uses it"))

    case = policy.processor_case
    if case is not None and case.document not in doc_ids:
        problems.append(("processor_case.document", f"unknown document '{case.document}'"))

    times = policy.response_times
    if times is not None:
        if times.complex_days is not None and times.complex_days < times.standard_days:
            problems.append(("response_times.complex_days", "must not be shorter than standard_days"))
        if (times.voice_owner_days is None) != (times.voice_owner_from is None):
            problems.append(
                ("response_times.voice_owner_from", "voice_owner_days and voice_owner_from go together")
            )
        if times.kinds:
            problems += _duplicates("response_times.kinds", (k.kind.value for k in times.kinds), "kind")

    stated = {name for name, value in policy.contacts if value is not None and name != "section"}
    for i, offer in enumerate(policy.request_kinds):
        for j, channel in enumerate(offer.channels):
            if channel != "account_settings" and channel not in stated:
                problems.append(
                    (f"request_kinds[{i}].channels[{j}]", f"channel '{channel}' has no entry in contacts")
                )
    return problems
