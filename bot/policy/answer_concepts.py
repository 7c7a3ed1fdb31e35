"""Concepts a question names without the policy's words: an age written as a number, a country.

"мне 17, можно пользоваться?" says nothing about "age", yet it asks about the minimum age; "is my data
sent to the US" names a country, not "transfers". The concepts in `intents.yaml` add the word the
policy's topics use ("age", "abroad") to the question's stems, so topic scoring does the rest:
- `numbers`: a number up to `max` right after a personal word ("мне", "i'm", "my son is") or before
  an age phrase ("years old") is an age; a number followed by a unit ("is 30 days") is not.
- `words`: any of these words or phrases (stemmed, "united states"); `exact` entries match only as
  written, case included ("US" is a country, "us" a pronoun). With `near`, the concept counts only
  when one of those words is in the question too ("i live in Germany" is not about transfers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.policy.text_normalize import stems


def _both(section: dict | None) -> list[str]:
    """Both languages' entries; a single word may stand without a list ("means: {en: age}")."""
    out: list[str] = []
    for lang in ("en", "ru"):
        value = (section or {}).get(lang, [])
        out.extend([value] if isinstance(value, str) else [str(w) for w in value])
    return out


def _stem_set(items: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(p for p in (tuple(stems(item)) for item in items) if p)


def _has(phrases: frozenset[tuple[str, ...]], seq: Sequence[str], at: int) -> bool:
    return any(tuple(seq[at : at + len(p)]) == p for p in phrases)


@dataclass(frozen=True)
class Concept:
    means: tuple[str, ...]  # stems added to the question
    words: frozenset[tuple[str, ...]] = frozenset()
    exact: re.Pattern[str] | None = None
    near: frozenset[str] = frozenset()
    max_number: int = 0
    before: frozenset[tuple[str, ...]] = frozenset()
    after: frozenset[tuple[str, ...]] = frozenset()
    units: frozenset[str] = frozenset()

    def found(self, text: str, seq: Sequence[str]) -> tuple[bool, int | None]:
        """Whether the question names this concept, and where a number standing for it is (or None)."""
        if self.near and not self.near.intersection(seq):
            return False, None
        if self.max_number:
            for i, word in enumerate(seq):
                if word.isdigit() and 0 < int(word) <= self.max_number and self._is_age(seq, i):
                    return True, i
        if self.exact is not None and self.exact.search(text):
            return True, None
        return any(_has(self.words, seq, i) for i in range(len(seq))), None

    def _is_age(self, seq: Sequence[str], i: int) -> bool:
        if _has(self.after, seq, i + 1):
            return True
        if i + 1 < len(seq) and seq[i + 1] in self.units:
            return False
        return any(tuple(seq[max(0, i - len(p)) : i]) == p for p in self.before)


def load_concepts(items: list[dict] | None) -> tuple[Concept, ...]:
    """The `concepts` section of intents.yaml, stemmed."""
    out = []
    for item in items or ():
        numbers = item.get("numbers") or {}
        exact = [re.escape(w) for w in item.get("exact", ())]
        out.append(
            Concept(
                means=tuple(s for w in _both(item.get("means")) for s in stems(w)),
                words=_stem_set(_both(item.get("words"))),
                exact=re.compile(r"\b(?:" + "|".join(exact) + r")\b") if exact else None,
                near=frozenset(s for w in _both(item.get("near")) for s in stems(w)),
                max_number=int(numbers.get("max") or 0),
                before=_stem_set(_both(numbers.get("before"))),
                after=_stem_set(_both(numbers.get("after"))),
                units=frozenset(s for w in _both(numbers.get("units")) for s in stems(w)),
            )
        )
    return tuple(out)


def concept_stems(concepts: Sequence[Concept], text: str, seq: Sequence[str], lang: str) -> tuple[list[str], set[str]]:
    """Stems to add to the question (in its language where `means` has both), and numbers that were ages."""
    added: list[str] = []
    numbers: set[str] = set()
    for concept in concepts:
        hit, at = concept.found(text, seq)
        if not hit:
            continue
        if at is not None:
            numbers.add(seq[at])
        added.append(_pick(concept.means, lang))
    return added, numbers


def _pick(means: tuple[str, ...], lang: str) -> str:
    cyrillic = [m for m in means if re.search("[а-я]", m)]
    latin = [m for m in means if m not in cyrillic]
    return ((cyrillic if lang == "ru" else latin) or list(means))[0]
