"""The search index over one policy: weighted stems per topic and per fact, built once at start-up.

Scoring is a small TF-IDF over topics: a question stem scores in a topic by where it appears there
(synonyms count most, then fact keywords and details, then fact texts) times how rare it is across
topics. Multi-word synonyms and keywords found in order add a bonus, so "how long" pulls towards
retention even though "long" alone is weak. Unknown question words are mapped to the nearest index
word (Levenshtein distance 1, or 2 for long words) to forgive typos.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.policy.answer_intents import Intents, Phrase, load_intents, phrase_in
from bot.policy.schema import LANGS, Fact, Policy
from bot.policy.text_normalize import content_stems, stems, token_lang

#: Weight of a stem by where it appears in a topic.
W_SYNONYM = 3.0
W_TITLE = 2.0
W_KEYWORD = 2.0
W_DETAIL = 1.5
W_TEXT = 1.0
#: Bonus per word of a multi-word synonym or keyword found in order in the question.
PHRASE_BONUS = 1.5


def _add(weights: dict[str, float], words: Iterable[str], weight: float) -> None:
    for word in words:
        if weights.get(word, 0.0) < weight:
            weights[word] = weight


@dataclass
class FactEntry:
    fact: Fact
    weights: dict[str, float] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)


@dataclass
class TopicEntry:
    id: str
    weights: dict[str, float] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)
    facts: list[FactEntry] = field(default_factory=list)


@dataclass
class PolicyIndex:
    """Everything `answer()` needs, precomputed from one policy."""

    policy: Policy
    topics: dict[str, TopicEntry]
    idf: dict[str, float]
    max_idf: float
    intents: Intents
    _vocab: dict[str, list[str]]  # script -> known stems, for typo correction
    _known: frozenset[str]
    _fixes: dict[str, str | None] = field(default_factory=dict)

    def correct(self, word: str) -> str | None:
        """The known stem a question stem stands for: itself, its nearest typo fix, or None."""
        if word in self._known:
            return word
        if word in self._fixes:
            return self._fixes[word]
        fix = None
        if len(word) >= 4 and not word.isdigit():
            limit = 1 if len(word) <= 6 else 2
            found = process.extractOne(
                word, self._vocab[token_lang(word)], scorer=Levenshtein.distance, score_cutoff=limit
            )
            if found is not None:
                fix = found[0]
        if len(self._fixes) < 100_000:
            self._fixes[word] = fix
        return fix

    def normalise(self, seq: Sequence[str]) -> list[str]:
        """Question stems with typos fixed; unknown words are kept as they are."""
        return [self.correct(w) or w for w in seq]


def _localised_words(texts: Iterable[str]) -> list[str]:
    return [s for text in texts for s in content_stems(text)]


def _phrases(texts: Iterable[str]) -> list[Phrase]:
    out = []
    for text in texts:
        seq = tuple(stems(text))
        if len(seq) > 1:
            out.append(seq)
    return out


def _fact_entry(fact: Fact) -> FactEntry:
    entry = FactEntry(fact)
    for lang in LANGS:
        _add(entry.weights, content_stems(fact.text.get(lang)), W_TEXT)
        for detail in fact.details.values():
            _add(entry.weights, content_stems(detail.get(lang)), W_DETAIL)
        keywords = fact.keywords.get(lang)
        _add(entry.weights, _localised_words(keywords), W_KEYWORD)
        entry.phrases.extend(_phrases(keywords))
    return entry


def build_index(policy: Policy, intents: Intents | None = None) -> PolicyIndex:
    """Precompute the index of one policy (call once; the index is read-only afterwards)."""
    intents = intents or load_intents()
    topics: dict[str, TopicEntry] = {}
    for topic in policy.topics:
        entry = TopicEntry(topic.id)
        for lang in LANGS:
            synonyms = topic.synonyms.get(lang)
            _add(entry.weights, _localised_words(synonyms), W_SYNONYM)
            _add(entry.weights, content_stems(topic.title.get(lang)), W_TITLE)
            entry.phrases.extend(_phrases(synonyms))
        topics[topic.id] = entry
    for fact in policy.facts:
        entry = topics.setdefault(fact.topic, TopicEntry(fact.topic))
        fact_entry = _fact_entry(fact)
        entry.facts.append(fact_entry)
        for word, weight in fact_entry.weights.items():
            _add(entry.weights, [word], weight)
        entry.phrases.extend(fact_entry.phrases)

    df: dict[str, int] = defaultdict(int)
    for entry in topics.values():
        for word in entry.weights:
            df[word] += 1
    n = max(len(topics), 1)
    idf = {word: math.log(1 + n / count) for word, count in df.items()}
    max_idf = math.log(1 + n)

    known = set(idf) | intents.vocabulary()
    vocab: dict[str, list[str]] = {"en": [], "ru": []}
    for word in sorted(known):
        if len(word) >= 3 and not word.isdigit():
            vocab[token_lang(word)].append(word)
    return PolicyIndex(
        policy=policy,
        topics=topics,
        idf=idf,
        max_idf=max_idf,
        intents=intents,
        _vocab=vocab,
        _known=frozenset(known),
    )


def score_topic(entry: TopicEntry, query: Sequence[str], seq: Sequence[str], idf: dict[str, float]) -> float:
    """How well one topic matches: weighted rare words plus in-order phrase bonuses."""
    score = sum(entry.weights.get(word, 0.0) * idf.get(word, 0.0) for word in query)
    for phrase in entry.phrases:
        if phrase_in(phrase, seq, max_gap=1):
            score += PHRASE_BONUS * len(phrase)
    return score


def score_fact(entry: FactEntry, query: Sequence[str], seq: Sequence[str], idf: dict[str, float]) -> float:
    score = sum(entry.weights.get(word, 0.0) * idf.get(word, 0.0) for word in query)
    for phrase in entry.phrases:
        if phrase_in(phrase, seq, max_gap=1):
            score += PHRASE_BONUS * len(phrase)
    return score
