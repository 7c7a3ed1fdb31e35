"""Phrase lists from `intents.yaml`: which questions are really requests, which are off-policy.

A phrase matches when its stems occur in the question in order, with at most `MAX_GAP` other words
between consecutive ones, so "delete all of my data" matches "delete all my" but "my data ... delete"
does not. Matching is a handful of list scans over a dozen words: microseconds per question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kinds import RequestKind
from bot.policy.text_normalize import stems

INTENTS_FILE = Path(__file__).with_name("intents.yaml")
MAX_GAP = 2

Phrase = tuple[str, ...]


def phrase_in(phrase: Phrase, seq: Sequence[str], max_gap: int = MAX_GAP) -> bool:
    """True when every stem of `phrase` occurs in `seq` in order, gaps of at most `max_gap` words."""
    if not phrase or len(phrase) > len(seq):
        return False
    first = phrase[0]
    for start, token in enumerate(seq):
        if token != first:
            continue
        pos = start
        for want in phrase[1:]:
            window = seq[pos + 1 : pos + 2 + max_gap]
            try:
                pos = pos + 1 + window.index(want)
            except ValueError:
                break
        else:
            return True
    return False


def _phrases(items: Iterable[str]) -> list[Phrase]:
    return [p for p in (tuple(stems(item)) for item in items) if p]


@dataclass(frozen=True)
class Intents:
    """Stemmed phrase lists, both languages merged (a question may mix scripts)."""

    kinds: tuple[tuple[RequestKind, tuple[Phrase, ...]], ...]
    blockers: tuple[Phrase, ...]
    question_blockers: tuple[Phrase, ...]
    out_of_scope: tuple[Phrase, ...]

    def vocabulary(self) -> set[str]:
        """Every stem the phrases use, so the typo corrector can map misspellings onto them."""
        words: set[str] = set()
        for _, phrases in self.kinds:
            for phrase in phrases:
                words.update(phrase)
        for phrase in (*self.blockers, *self.question_blockers, *self.out_of_scope):
            words.update(phrase)
        return words

    def request_kind(self, sentences: Sequence[Sequence[str]]) -> RequestKind | None:
        """The request a question (as stemmed sentences) makes, or None when it only asks about one."""
        whole = [s for sentence in sentences for s in sentence]
        if any(phrase_in(b, whole, max_gap=0) for b in self.question_blockers):
            return None
        best: tuple[int, RequestKind] | None = None
        for seq in sentences:
            if any(phrase_in(b, seq, max_gap=0) for b in self.blockers):
                continue
            for kind, phrases in self.kinds:
                for phrase in phrases:
                    if (best is None or len(phrase) > best[0]) and phrase_in(phrase, seq):
                        best = (len(phrase), kind)
        return best[1] if best else None

    def off_policy(self, seq: Sequence[str]) -> bool:
        """True when the question names a subject privacy policies do not cover (prices, features...)."""
        return any(phrase_in(p, seq, max_gap=0) for p in self.out_of_scope)


def _both(section: dict | None) -> list[str]:
    section = section or {}
    return [*section.get("en", []), *section.get("ru", [])]


def load_intents(path: Path = INTENTS_FILE) -> Intents:
    """Read and stem the intents file; an unknown request kind is a ValueError naming it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds = []
    for name, section in (data.get("kinds") or {}).items():
        try:
            kind = RequestKind(name)
        except ValueError:
            raise ValueError(f"{path.name}: unknown request kind '{name}'") from None
        kinds.append((kind, tuple(_phrases(_both(section)))))
    return Intents(
        kinds=tuple(kinds),
        blockers=tuple(_phrases(_both(data.get("blockers")))),
        question_blockers=tuple(_phrases(_both(data.get("question_blockers")))),
        out_of_scope=tuple(_phrases(_both(data.get("out_of_scope")))),
    )
