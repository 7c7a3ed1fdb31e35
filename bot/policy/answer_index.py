"""The search index over one policy: weighted stems per topic and per fact, built once at start-up.

Scoring is a small TF-IDF over topics: a question stem scores in a topic by where it appears there
(synonyms count most, then fact keywords and details, then fact texts) times how rare it is across
topics. Multi-word synonyms and keywords found in order add a bonus, so "how long" pulls towards
retention even though "long" alone is weak. Unknown question words are mapped to the nearest index
word (edit distance 1, or 2 for long words, a swap of two letters counting as one) to forgive typos.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.policy.answer_intents import Intents, Phrase, PhraseSet, load_intents
from bot.policy.schema import LANGS, Fact, Policy
from bot.policy.text_normalize import STOP_STEMS, content_stems, stems, token_lang

#: Weight of a stem by where it appears in a topic.
W_SYNONYM = 3.0
W_TITLE = 2.0
W_KEYWORD = 2.0
W_DETAIL = 1.5
#: Within a topic, a fact's own keywords are what tells it from its neighbours: they count most there.
W_FACT_KEYWORD = 3.0
#: Within a topic, a word that names the topic itself ("how long", "keep") says little about which fact.
TOPIC_WORD_IN_FACT = 0.3
W_TEXT = 1.0
#: Weight of each word of a multi-word synonym or keyword: the phrase bonus rewards the whole phrase,
#: so "someone" in "someone cloned my voice" must not weigh like the synonym "someone" would.
W_PHRASE_WORD = 1.5
#: Stems this long or longer may be corrected by one edit (two from 8 letters). Shorter ones are too often
#: real words: "told" is one letter from "old" and "sold", "ages" from "age" (so "kepp" stays uncorrected).
MIN_TYPO_LENGTH = 5
#: How much a topic's long fact texts are damped (0: not at all, 1: in proportion to their length).
LENGTH_DAMPING = 0.5
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
    phrases: set[Phrase] = field(default_factory=set)


@dataclass
class TopicEntry:
    id: str
    weights: dict[str, float] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)
    facts: list[FactEntry] = field(default_factory=list)
    #: Stems of the topic's synonyms and title: a question made only of these names the topic, nothing narrower.
    topic_words: set[str] = field(default_factory=set)
    #: How well a word tells this topic's facts apart (1: in one fact only, 0: in all of them).
    fact_spread: dict[str, float] = field(default_factory=dict)


@dataclass
class PolicyIndex:
    """Everything `answer()` needs, precomputed from one policy."""

    policy: Policy
    topics: dict[str, TopicEntry]
    phrases: PhraseSet  # every synonym and keyword phrase of every topic
    phrase_topics: dict[Phrase, tuple[str, ...]]
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
        if len(word) >= MIN_TYPO_LENGTH and not word.isdigit():
            vocab = self._vocab[token_lang(word)]
            fix = _same_root(word, vocab)
            if fix is None:
                limit = 1 if len(word) <= 7 else 2
                found = process.extractOne(word, vocab, scorer=OSA.distance, score_cutoff=limit)
                if found is not None:
                    fix = found[0]
        if len(self._fixes) < 100_000:
            self._fixes[word] = fix
        return fix

    def normalise(self, seq: Sequence[str]) -> list[str]:
        """Question stems with typos fixed; unknown words are kept as they are."""
        return [self.correct(w) or w for w in seq]


def _add_terms(weights: dict[str, float], terms: Iterable[str], weight: float) -> None:
    """Synonyms or keywords: a one-word term at full weight, the words of a phrase at W_PHRASE_WORD."""
    for term in terms:
        words = content_stems(term)
        _add(weights, words, weight if len(words) == 1 else min(weight, W_PHRASE_WORD))


def _same_root(word: str, vocab: list[str]) -> str | None:
    """A known stem sharing a long prefix with `word` ("защища" ~ "защищен"): Snowball leaves some
    Russian verb and participle forms with different tails. `vocab` is sorted."""
    if len(word) < 5:
        return None
    root = word[: max(5, len(word) - 2)]
    start = bisect.bisect_left(vocab, root)
    best = None
    for candidate in vocab[start : start + 20]:
        if not candidate.startswith(root):
            break
        if abs(len(candidate) - len(word)) <= 3 and (best is None or len(candidate) < len(best)):
            best = candidate
    return best


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
        _add_terms(entry.weights, keywords, W_FACT_KEYWORD)
        entry.phrases.update(_phrases(keywords))
    return entry


def _spread(entry: TopicEntry) -> None:
    """Within-topic rarity of each word: "right" is in every fact of the rights topic, so a question
    with only "rights" in it should get the overview (the first fact), not whichever fact says "right"."""
    n = len(entry.facts)
    if n < 2:
        return
    df: dict[str, int] = defaultdict(int)
    for fact in entry.facts:
        for word in fact.weights:
            df[word] += 1
    top = math.log(1 + n)
    entry.fact_spread = {word: math.log(1 + n / count) / top for word, count in df.items() if count > 1}


def build_index(policy: Policy, intents: Intents | None = None) -> PolicyIndex:
    """Precompute the index of one policy (call once; the index is read-only afterwards)."""
    intents = intents or load_intents()
    topics: dict[str, TopicEntry] = {}
    for topic in policy.topics:
        entry = TopicEntry(topic.id)
        for lang in LANGS:
            synonyms = topic.synonyms.get(lang)
            _add_terms(entry.weights, synonyms, W_SYNONYM)
            entry.topic_words.update(w for term in synonyms for w in content_stems(term))
            entry.topic_words.update(content_stems(topic.title.get(lang)))
            _add(entry.weights, content_stems(topic.title.get(lang)), W_TITLE)
            entry.phrases.extend(_phrases(synonyms))
        topics[topic.id] = entry
    fact_words: dict[str, dict[str, float]] = defaultdict(dict)
    for fact in policy.facts:
        entry = topics.setdefault(fact.topic, TopicEntry(fact.topic))
        fact_entry = _fact_entry(fact)
        entry.facts.append(fact_entry)
        for word, weight in fact_entry.weights.items():
            _add(fact_words[fact.topic], [word], weight)
        entry.phrases.extend(fact_entry.phrases)
    # Words from fact texts count less in topics with many of them: a topic of twelve long facts
    # would otherwise win every vague question on vocabulary alone (BM25's length normalisation).
    sizes = [len(words) for words in fact_words.values()] or [1]
    average = sum(sizes) / len(sizes)
    for topic_id, words in fact_words.items():
        damp = min(1.0, (average / max(len(words), 1)) ** LENGTH_DAMPING)
        entry = topics[topic_id]
        for word, weight in words.items():
            _add(entry.weights, [word], min(weight, W_KEYWORD) * damp)

    df: dict[str, int] = defaultdict(int)
    for entry in topics.values():
        for word in entry.weights:
            df[word] += 1
    n = max(len(topics), 1)
    idf = {word: math.log(1 + n / count) for word, count in df.items()}
    max_idf = math.log(1 + n)

    known = set(idf) | intents.vocabulary() | STOP_STEMS
    for entry in topics.values():
        known.update(w for phrase in entry.phrases for w in phrase)
    vocab: dict[str, list[str]] = {"en": [], "ru": []}
    for word in sorted(known):
        if len(word) >= 3 and not word.isdigit():
            vocab[token_lang(word)].append(word)
    for entry in topics.values():
        _spread(entry)
    phrase_topics: dict[Phrase, list[str]] = defaultdict(list)
    for entry in topics.values():
        for phrase in dict.fromkeys(entry.phrases):
            phrase_topics[phrase].append(entry.id)
    return PolicyIndex(
        policy=policy,
        topics=topics,
        phrases=PhraseSet(phrase_topics, max_gap=1),
        phrase_topics={p: tuple(ids) for p, ids in phrase_topics.items()},
        idf=idf,
        max_idf=max_idf,
        intents=intents,
        _vocab=vocab,
        _known=frozenset(known),
    )


def phrase_bonus(index: PolicyIndex, seq: Sequence[str]) -> tuple[dict[str, float], list[Phrase]]:
    """Bonus per topic for the synonym and keyword phrases found in the question, and those phrases."""
    found = index.phrases.found(seq)
    bonus: dict[str, float] = defaultdict(float)
    for phrase in found:
        for topic_id in index.phrase_topics[phrase]:
            bonus[topic_id] += PHRASE_BONUS * len(phrase)
    return bonus, found


def score_topic(entry: TopicEntry, query: Sequence[str], bonus: dict[str, float], idf: dict[str, float]) -> float:
    """How well one topic matches: weighted rare words plus in-order phrase bonuses."""
    return sum(entry.weights.get(word, 0.0) * idf.get(word, 0.0) for word in query) + bonus.get(entry.id, 0.0)


def score_fact(
    entry: FactEntry,
    query: Sequence[str],
    found: Sequence[Phrase],
    idf: dict[str, float],
    spread: dict[str, float],
    topic_words: set[str] | frozenset[str] = frozenset(),
) -> float:
    """How well one fact of its topic fits: keywords first, words shared by the topic's facts discounted,
    words that only name the topic ("how long") nearly ignored unless they are this fact's keywords."""
    score = 0.0
    for word in query:
        weight = entry.weights.get(word, 0.0)
        if not weight:
            continue
        if word in topic_words and weight < W_FACT_KEYWORD:
            weight *= TOPIC_WORD_IN_FACT
        score += weight * idf.get(word, 0.0) * spread.get(word, 1.0)
    return score + sum(PHRASE_BONUS * len(p) for p in found if p in entry.phrases)
