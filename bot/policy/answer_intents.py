"""Phrase lists from `intents.yaml`: which questions are really requests, which are off-policy.

A phrase matches when its stems occur in the question in order, with at most `MAX_GAP` other words
between consecutive ones, so "delete all of my data" matches "delete all my" but "my data ... delete"
does not. A frame matches when one of its verbs is followed, within `FRAME_SPAN` words, by one of its
objects ("wipe ... everything", "хватит слать ... рекламу"): phrase lists alone miss too many ways of
saying the same thing. A word ending in `*` is a prefix of the written word, not a stem, for the few
cases where the tense matters ("cloned*" is a report, "clone" is a feature question).
Matching is a handful of list scans over a dozen words: microseconds per question.
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
FRAME_SPAN = 5

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Frame:
    """A request verb then its object in one sentence; `*` entries are prefixes of raw words."""

    verbs: frozenset[str]
    verb_prefixes: tuple[str, ...]
    objects: frozenset[str]
    object_prefixes: tuple[str, ...]
    #: Objects of several words ("my voice"), matched word for word: "a cloned voice" is not a report.
    object_phrases: tuple[Phrase, ...] = ()

    def matches(self, seq: Sequence[str], raw: Sequence[str]) -> bool:
        for i, (word, written) in enumerate(zip(seq, raw, strict=False)):
            if word in self.verbs or _starts(written, self.verb_prefixes):
                window = range(i + 1, min(len(seq), i + 1 + FRAME_SPAN))
                for j in window:
                    if seq[j] in self.objects or _starts(raw[j], self.object_prefixes):
                        return True
                    if any(tuple(seq[j : j + len(p)]) == p for p in self.object_phrases):
                        return True
        return False


def _starts(word: str, prefixes: tuple[str, ...]) -> bool:
    return bool(prefixes) and word.startswith(prefixes)


def _split_terms(
    items: Iterable[str], several_words: bool = False
) -> tuple[frozenset[str], tuple[str, ...], tuple[Phrase, ...]]:
    stems_: set[str] = set()
    prefixes: list[str] = []
    phrases: list[Phrase] = []
    for item in items:
        if not isinstance(item, str):  # YAML reads a bare no/yes/on as a boolean: quote it
            raise ValueError(f"frame word {item!r} is not a string (quote it in the YAML)")
        item = item.strip().lower()
        if " " in item:
            if not several_words:
                raise ValueError(f"frame verbs are single words, not '{item}' (use a phrase instead)")
            phrases.append(tuple(stems(item)))
        elif item.endswith("*"):
            prefixes.append(item[:-1].replace("ё", "е"))
        else:
            stems_.update(stems(item))
    return frozenset(stems_), tuple(prefixes), tuple(phrases)


def _frame(data: dict) -> Frame:
    verbs, verb_prefixes, _ = _split_terms(_both(data.get("verbs")))
    objects, object_prefixes, object_phrases = _split_terms(_both(data.get("objects")), several_words=True)
    return Frame(verbs, verb_prefixes, objects, object_prefixes, object_phrases)


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


class PhraseSet:
    """Phrases bucketed by their first stem, so a question is checked only against phrases it could match."""

    def __init__(self, phrases: Iterable[Phrase], max_gap: int = MAX_GAP):
        self.max_gap = max_gap
        self._by_first: dict[str, list[Phrase]] = {}
        for phrase in dict.fromkeys(p for p in phrases if p):
            self._by_first.setdefault(phrase[0], []).append(phrase)

    def __iter__(self):
        return (p for bucket in self._by_first.values() for p in bucket)

    def found(self, seq: Sequence[str]) -> list[Phrase]:
        """The phrases that occur in `seq` (each once)."""
        out = []
        for first in dict.fromkeys(seq):
            for phrase in self._by_first.get(first, ()):
                if phrase_in(phrase, seq, self.max_gap):
                    out.append(phrase)
        return out

    def any_in(self, seq: Sequence[str]) -> bool:
        return any(
            phrase_in(phrase, seq, self.max_gap)
            for first in dict.fromkeys(seq)
            for phrase in self._by_first.get(first, ())
        )


def _phrases(items: Iterable[str]) -> list[Phrase]:
    return [p for p in (tuple(stems(item)) for item in items) if p]


@dataclass(frozen=True)
class Intents:
    """Stemmed phrase lists, both languages merged (a question may mix scripts)."""

    kinds: tuple[tuple[RequestKind, PhraseSet], ...]
    frames: tuple[tuple[RequestKind, tuple[Frame, ...]], ...]
    blockers: PhraseSet
    question_blockers: PhraseSet
    out_of_scope: PhraseSet

    def vocabulary(self) -> set[str]:
        """Every stem the phrases use, so the typo corrector can map misspellings onto them."""
        words: set[str] = set()
        for _, phrases in self.kinds:
            for phrase in phrases:
                words.update(phrase)
        for _, frames in self.frames:
            for frame in frames:
                words.update(frame.verbs | frame.objects)
                words.update(w for phrase in frame.object_phrases for w in phrase)
        for phrase in (*self.blockers, *self.question_blockers, *self.out_of_scope):
            words.update(phrase)
        return words

    def request_kind(
        self,
        sentences: Sequence[Sequence[str]],
        raw: Sequence[Sequence[str]] | None = None,
        asked: Sequence[bool] | None = None,
    ) -> RequestKind | None:
        """The request a question makes, or None when it only asks about one.

        `sentences` are the stemmed sentences, `raw` the same sentences' written words (for `*` prefixes),
        `asked` whether each ended with "?". A phrase beats a frame; among phrases the longest wins;
        frames go in file order and are not tried on a sentence that ends with "?".
        """
        raw = raw if raw is not None else sentences
        asked = asked if asked is not None else [False] * len(sentences)
        whole = [s for sentence in sentences for s in sentence]
        if self.question_blockers.any_in(whole):
            return None
        best: tuple[int, RequestKind] | None = None
        framed: RequestKind | None = None
        for seq, written, question in zip(sentences, raw, asked, strict=False):
            if self.blockers.any_in(seq):
                continue
            for kind, phrases in self.kinds:
                for phrase in phrases.found(seq):
                    if best is None or len(phrase) > best[0]:
                        best = (len(phrase), kind)
            if framed is None and not question:
                framed = next((k for k, fs in self.frames if any(f.matches(seq, written) for f in fs)), None)
        return best[1] if best else framed

    def off_policy(self, seq: Sequence[str]) -> bool:
        """True when the question names a subject privacy policies do not cover (prices, features...)."""
        return self.out_of_scope.any_in(seq)


def _both(section: dict | None) -> list[str]:
    section = section or {}
    return [*section.get("en", []), *section.get("ru", [])]


def load_intents(path: Path = INTENTS_FILE) -> Intents:
    """Read and stem the intents file; an unknown request kind is a ValueError naming it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds = []
    frames = []
    for name, section in (data.get("kinds") or {}).items():
        try:
            kind = RequestKind(name)
        except ValueError:
            raise ValueError(f"{path.name}: unknown request kind '{name}'") from None
        kinds.append((kind, PhraseSet(_phrases(_both(section.get("phrases"))))))
        frames.append((kind, tuple(_frame(f) for f in section.get("frames", ()))))
    return Intents(
        kinds=tuple(kinds),
        frames=tuple(frames),
        blockers=PhraseSet(_phrases(_both(data.get("blockers"))), max_gap=0),
        question_blockers=PhraseSet(_phrases(_both(data.get("question_blockers"))), max_gap=0),
        out_of_scope=PhraseSet(_phrases(_both(data.get("out_of_scope"))), max_gap=0),
    )
