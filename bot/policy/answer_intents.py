"""Phrase lists from `intents.yaml`: which questions are really requests, which are off-policy.

A phrase matches when its stems occur in the question in order, with at most `MAX_GAP` other words
between consecutive ones, so "delete all of my data" matches "delete all my" but "my data ... delete"
does not. A frame matches when one of its verbs is followed, within `FRAME_SPAN` words, by one of its
objects ("wipe ... everything", "хватит слать ... рекламу"): phrase lists alone miss too many ways of
saying the same thing. A word ending in `*` is a prefix of the written word, not a stem, for the few
cases where the tense matters ("cloned*" is a report, "clone" is a feature question).
A frame verb may be a few words ("changed my mind"), matched only as a whole. A negated verb ("don't
delete ... until") does not count as that verb: the person asks for the opposite. A match whose verb is
in the past tense ("I deleted my account") is a report, not a request, when the question also asks
something ("... do you still keep my receipts?"). A blocker starting with "^" counts only at the start of
a sentence ("^is my data deleted when ...", while "... i ticked when uploading" is no question).
A `refine` rule turns one kind into a narrower one when the question carries its cues: "send me all my
stuff in a file i can import elsewhere" asks for a copy, but a portable one (portability, not access).
Matching is a handful of list scans over a dozen words: microseconds per question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kinds import RequestKind
from bot.policy.answer_concepts import Concept, load_concepts
from bot.policy.text_normalize import is_stopword, stems

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
    #: Verbs of several words ("changed my mind", "не надо"), matched word for word.
    verb_phrases: tuple[Phrase, ...] = ()
    span: int = 0  # words after the verb where the object may be; 0: FRAME_SPAN

    def match_at(self, seq: Sequence[str], raw: Sequence[str]) -> int | None:
        """The position of the verb of the first match, or None."""
        span = self.span or FRAME_SPAN
        for i, (word, written) in enumerate(zip(seq, raw, strict=False)):
            length = self._verb_length(seq, written, i)
            if not length or (word not in NEGATIONS and _negated(seq, i)):
                continue
            start = i + length
            for j in range(start, min(len(seq), start + span)):
                if seq[j] in self.objects or _starts(raw[j], self.object_prefixes):
                    return i
                if any(tuple(seq[j : j + len(p)]) == p for p in self.object_phrases):
                    return i
        return None

    def matches(self, seq: Sequence[str], raw: Sequence[str]) -> bool:
        return self.match_at(seq, raw) is not None

    def _verb_length(self, seq: Sequence[str], written: str, i: int) -> int:
        if seq[i] in self.verbs or _starts(written, self.verb_prefixes):
            return 1
        return max((len(p) for p in self.verb_phrases if tuple(seq[i : i + len(p)]) == p), default=0)


#: Stems of negations: a verb right after one is negated ("don't delete", "не удаляйте").
NEGATIONS = frozenset(stems("not no never не нет ни"))
#: Phrases starting with these are negative themselves ("не осталось никаких данных обо мне").
NEGATIVE = NEGATIONS | frozenset(stems("nothing none никаких ничего никакие никогда"))
#: How many words before a verb a negation may stand ("do not ever delete").
NEGATION_REACH = 2


def _negated(seq: Sequence[str], i: int) -> bool:
    return any(w in NEGATIONS for w in seq[max(0, i - NEGATION_REACH) : i])


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
                raise ValueError(f"'{item}' must be one word here")
            phrases.append(tuple(stems(item)))
        elif item.endswith("*"):
            prefixes.append(item[:-1].replace("ё", "е"))
        else:
            stems_.update(stems(item))
    return frozenset(stems_), tuple(prefixes), tuple(phrases)


def _frame(data: dict) -> Frame:
    verbs, verb_prefixes, verb_phrases = _split_terms(_both(data.get("verbs")), several_words=True)
    objects, object_prefixes, object_phrases = _split_terms(_both(data.get("objects")), several_words=True)
    span = int(data.get("span") or 0)
    return Frame(verbs, verb_prefixes, objects, object_prefixes, object_phrases, verb_phrases, span)


def phrase_in(phrase: Phrase, seq: Sequence[str], max_gap: int = MAX_GAP) -> bool:
    """True when every stem of `phrase` occurs in `seq` in order, gaps of at most `max_gap` words."""
    return phrase_at(phrase, seq, max_gap) >= 0


def phrase_at(phrase: Phrase, seq: Sequence[str], max_gap: int = MAX_GAP) -> int:
    """Where the first occurrence of `phrase` starts in `seq` (see `phrase_in`), or -1."""
    if not phrase or len(phrase) > len(seq):
        return -1
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
            return start
    return -1


class PhraseSet:
    """Phrases bucketed by their first stem, so a question is checked only against phrases it could match.

    A phrase written with a leading "^" matches only at the start of the sequence (a sentence).
    """

    def __init__(self, phrases: Iterable[Phrase], max_gap: int = MAX_GAP, anchored: Iterable[Phrase] = ()):
        self.max_gap = max_gap
        self._by_first: dict[str, list[Phrase]] = {}
        for phrase in dict.fromkeys(p for p in phrases if p):
            self._by_first.setdefault(phrase[0], []).append(phrase)
        self._anchored = tuple(p for p in anchored if p)

    def __iter__(self):
        return iter((*(p for bucket in self._by_first.values() for p in bucket), *self._anchored))

    def found(self, seq: Sequence[str]) -> list[Phrase]:
        """The phrases that occur in `seq` (each once)."""
        return [phrase for phrase, _ in self.found_at(seq)]

    def found_at(self, seq: Sequence[str]) -> list[tuple[Phrase, int]]:
        """The phrases that occur in `seq` (each once), with where each starts."""
        out = []
        for first in dict.fromkeys(seq):
            for phrase in self._by_first.get(first, ()):
                start = phrase_at(phrase, seq, self.max_gap)
                if start >= 0:
                    out.append((phrase, start))
        out.extend((p, 0) for p in self._anchored if tuple(seq[: len(p)]) == p)
        return out

    def any_in(self, seq: Sequence[str]) -> bool:
        return any(tuple(seq[: len(p)]) == p for p in self._anchored) or any(
            phrase_in(phrase, seq, self.max_gap)
            for first in dict.fromkeys(seq)
            for phrase in self._by_first.get(first, ())
        )


def _phrases(items: Iterable[str]) -> list[Phrase]:
    return [p for p in (tuple(stems(item)) for item in items if not item.startswith("^")) if p]


def _anchored(items: Iterable[str]) -> list[Phrase]:
    return [p for p in (tuple(stems(item[1:])) for item in items if item.startswith("^")) if p]


@dataclass(frozen=True)
class PastTense:
    """How a past-tense verb is written: endings ("deleted", "удалил") and irregular forms ("sent")."""

    suffixes: tuple[str, ...] = ()
    forms: frozenset[str] = frozenset()

    def __call__(self, word: str) -> bool:
        if word in self.forms:
            return True
        # on a word long enough not to be a short word that happens to end so ("need", "feed")
        return any(word.endswith(end) and len(word) > len(end) + 2 for end in self.suffixes)


def _head(raw: Sequence[str], start: int) -> str:
    """The first word of a match that is not grammar: the verb of "i deleted my account"."""
    for word in raw[start : start + 3]:
        if not is_stopword(word):
            return word
    return raw[start] if start < len(raw) else ""


@dataclass(frozen=True)
class Intents:
    """Stemmed phrase lists, both languages merged (a question may mix scripts)."""

    kinds: tuple[tuple[RequestKind, PhraseSet], ...]
    frames: tuple[tuple[RequestKind, tuple[Frame, ...]], ...]
    blockers: PhraseSet
    question_blockers: PhraseSet
    out_of_scope: PhraseSet
    past_tense: PastTense = PastTense()
    #: Kinds where a past-tense verb is the request itself ("someone cloned my voice").
    reports: frozenset[RequestKind] = frozenset()
    concepts: tuple[Concept, ...] = ()
    #: (from kind, to kind, cues): the narrower kind when any cue occurs anywhere in the question.
    refine: tuple[tuple[RequestKind, RequestKind, PhraseSet], ...] = ()
    #: Stems that say nothing about the subject ("actually", "kinda", "посоветуйте"): out of the coverage.
    filler: frozenset[str] = frozenset()
    #: Stems every policy uses in passing ("company", "name", "office"): a match on these alone is weak.
    generic: frozenset[str] = frozenset()
    #: Words that make a question about data ("collect", "store", "храните"): an off-policy subject in
    #: it is what the data is about ("do you record my microphone"), not the subject of the question.
    anchors: PhraseSet = PhraseSet(())

    def vocabulary(self) -> set[str]:
        """Every stem the phrases use, so the typo corrector can map misspellings onto them."""
        words: set[str] = set()
        for _, phrases in self.kinds:
            for phrase in phrases:
                words.update(phrase)
        for _, frames in self.frames:
            for frame in frames:
                words.update(frame.verbs | frame.objects)
                words.update(w for phrase in (*frame.object_phrases, *frame.verb_phrases) for w in phrase)
        for phrase in (*self.blockers, *self.question_blockers, *self.out_of_scope, *self.anchors):
            words.update(phrase)
        for concept in self.concepts:
            words.update(w for phrase in concept.words for w in phrase)
        for _, _, cues in self.refine:
            for phrase in cues:
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
        frames go in file order and are not tried on a sentence that ends with "?". A negated phrase
        does not count; nor does a past-tense one ("i deleted my account") when the question asks something.
        """
        raw = raw if raw is not None else sentences
        asked = asked if asked is not None else [False] * len(sentences)
        whole = [s for sentence in sentences for s in sentence]
        if self.question_blockers.any_in(whole):
            return None
        blocked = [self.blockers.any_in(seq) for seq in sentences]
        asks = any(asked) or any(blocked)

        def counts(kind: RequestKind, written: Sequence[str], start: int) -> bool:
            return not asks or kind in self.reports or not self.past_tense(_head(written, start))

        best: tuple[int, RequestKind] | None = None
        framed: RequestKind | None = None
        for seq, written, question, stop in zip(sentences, raw, asked, blocked, strict=False):
            if stop:
                continue
            for kind, phrases in self.kinds:
                for phrase, start in phrases.found_at(seq):
                    if phrase[0] not in NEGATIVE and _negated(seq, start):
                        continue
                    if counts(kind, written, start) and (best is None or len(phrase) > best[0]):
                        best = (len(phrase), kind)
            if framed is None and not question:
                framed = self._framed(seq, written, counts)
        kind = best[1] if best else framed
        for source, target, cues in self.refine:
            if kind == source and cues.any_in(whole):
                return target
        return kind

    def _framed(self, seq: Sequence[str], written: Sequence[str], counts) -> RequestKind | None:
        for kind, frames in self.frames:
            for frame in frames:
                at = frame.match_at(seq, written)
                if at is not None and counts(kind, written, at):
                    return kind
        return None

    def off_policy(self, seq: Sequence[str]) -> bool:
        """True when the question names a subject privacy policies do not cover (prices, features...)
        and does not ask what is done with data about it."""
        return self.out_of_scope.any_in(seq) and not self.anchors.any_in(seq)


def _both(section: dict | None) -> list[str]:
    section = section or {}
    return [*section.get("en", []), *section.get("ru", [])]


def load_intents(path: Path = INTENTS_FILE) -> Intents:
    """Read and stem the intents file; an unknown request kind is a ValueError naming it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds = []
    frames = []
    reports: set[RequestKind] = set()
    for name, section in (data.get("kinds") or {}).items():
        try:
            kind = RequestKind(name)
        except ValueError:
            raise ValueError(f"{path.name}: unknown request kind '{name}'") from None
        kinds.append((kind, PhraseSet(_phrases(_both(section.get("phrases"))))))
        if section.get("reports"):
            reports.add(kind)
        frames.append((kind, tuple(_frame(f) for f in section.get("frames", ()))))
    return Intents(
        kinds=tuple(kinds),
        frames=tuple(frames),
        blockers=PhraseSet(_phrases(_both(data.get("blockers"))), 0, _anchored(_both(data.get("blockers")))),
        question_blockers=PhraseSet(_phrases(_both(data.get("question_blockers"))), max_gap=0),
        out_of_scope=PhraseSet(_phrases(_both(data.get("out_of_scope"))), max_gap=0),
        past_tense=_past_tense(data.get("past_tense") or {}),
        reports=frozenset(reports),
        concepts=load_concepts(data.get("concepts")),
        refine=tuple(_refine(item, path) for item in data.get("refine") or ()),
        filler=frozenset(s for w in _both(data.get("filler")) for s in stems(str(w))),
        generic=frozenset(s for w in _both(data.get("generic")) for s in stems(str(w))),
        anchors=PhraseSet(_phrases(_both(data.get("anchors"))), max_gap=0),
    )


def _refine(item: dict, path: Path) -> tuple[RequestKind, RequestKind, PhraseSet]:
    try:
        source, target = RequestKind(item["from"]), RequestKind(item["to"])
    except ValueError as error:
        raise ValueError(f"{path.name}: refine: {error}") from None
    return source, target, PhraseSet(_phrases(_both(item.get("cues"))))


def _past_tense(data: dict) -> PastTense:
    """Endings and irregular forms of both languages, lower case with ё folded."""
    def fold(items):
        return [str(w).lower().replace("ё", "е") for w in items]

    return PastTense(tuple(fold(_both(data.get("endings")))), frozenset(fold(_both(data.get("forms")))))
