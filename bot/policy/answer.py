"""Answer a person's question from the policy data, never from guesswork.

`answer(question, lang, index)` returns the route (answer / request:<kind> / out_of_scope), the best
matching topic and facts, a confidence and a short rendered text that cites the section. Questions that
are really requests ("delete my account") are recognised from the phrases in `intents.yaml`; questions
the policy does not cover get an honest "the policy does not say" instead of the nearest fact.
Pure: no aiogram, no database; `build_index(policy)` once, then `answer()` per question (well under 1 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import LANGUAGES, N_, Gettext, gettext_for
from bot.kinds import RequestKind
from bot.policy.answer_concepts import concept_stems
from bot.policy.answer_index import (
    W_FACT_KEYWORD,
    W_KEYWORD,
    PolicyIndex,
    build_index,
    phrase_bonus,
    score_fact,
    score_topic,
)
from bot.policy.schema import Fact
from bot.policy.text_normalize import content_stems, script_lang, split_sentences, stem, stems, words

__all__ = ["Answer", "answer", "build_index", "OUT_OF_SCOPE", "ANSWER"]

ANSWER = "answer"
OUT_OF_SCOPE = "out_of_scope"

#: Below this confidence a question is out of scope: better "the policy does not say" than a guess.
MIN_CONFIDENCE = 0.35
#: Score at which a topic match is considered certain (confidence approaches 1 above it).
SCORE_SCALE = 6.0
#: Confidence factor for questions on subjects policies do not cover (prices, features, small talk).
OFF_POLICY_FACTOR = 0.4
#: A topic's phrases found in the question worth this bonus outweigh an off-policy word in it
#: ("... for our voiceovers: are you our processor, acting only on our instructions?").
STRONG_BONUS = 6.0
#: A question word the policy never uses weighs this many times the rarest policy word ("python", "refund").
UNKNOWN_WEIGHT = 1.0
#: Confidence kept when none of the question's words is explained by the topic (the rest scales with coverage).
COVERAGE_BASE = 0.5
#: At least this many subject words unknown to the policy, making at least this share of the question's
#: weight, multiply the confidence by UNKNOWN_FACTOR: the question is about something else.
MIN_UNKNOWN = 2
UNKNOWN_SHARE = 0.5
UNKNOWN_FACTOR = 0.5
#: A topic word of at least this weight (a synonym or a fact's keyword) is strong evidence on its own.
STRONG_WEIGHT = W_FACT_KEYWORD
#: Confidence factor when every word the best topic explains is a generic one (intents.yaml `generic`).
GENERIC_FACTOR = 0.5
#: An English word this long ending in "ly" and unknown to the policy is an adverb: filler.
ADVERB_MIN = 5
#: Confidence factor when the best topic matched only through words of its fact texts.
TEXT_ONLY_FACTOR = 0.6
#: At most this many facts in a rendered answer; a second fact must score this close to the first.
MAX_FACTS = 3
FACT_RATIO = 0.8
#: A general question gets the topic's first facts up to about this many characters.
OVERVIEW_CHARS = 400

SOURCE = N_("Source: {sections}")
NOT_COVERED = N_(
    "The policy does not cover this, so I won't guess. You can ask a person from the privacy team."
)
NOT_STATED = N_("The policy does not say anything about this. You can ask a person from the privacy team.")
REQUEST_LINES: dict[RequestKind, str] = {
    RequestKind.ACCESS: N_("This sounds like a request for a copy of your data. I can start it for you."),
    RequestKind.RECTIFICATION: N_("This sounds like a request to correct your data. I can start it for you."),
    RequestKind.ERASURE: N_("This sounds like a request to delete your data. I can start it for you."),
    RequestKind.RESTRICTION: N_(
        "This sounds like a request to restrict the processing of your data. I can start it for you."
    ),
    RequestKind.PORTABILITY: N_(
        "This sounds like a request for your data in a portable format. I can start it for you."
    ),
    RequestKind.OBJECTION: N_("This sounds like an objection to the processing of your data. I can start it for you."),
    RequestKind.WITHDRAW_CONSENT: N_("This sounds like withdrawing your consent. I can start it for you."),
    RequestKind.OPT_OUT_SALE: N_(
        "This sounds like opting out of the sale or sharing of your data. I can start it for you."
    ),
    RequestKind.LIMIT_SENSITIVE: N_(
        "This sounds like a request to limit the use of your sensitive data. I can start it for you."
    ),
    RequestKind.VOICE_TAKEDOWN: N_(
        "This sounds like a report of a cloned voice: the voice model can be taken down. I can start it for you."
    ),
    RequestKind.OTHER: N_("This sounds like a request about your data. I can start it for you."),
}


@dataclass(frozen=True)
class Answer:
    """What the bot says to one question, and why (route, topic, facts, confidence)."""

    route: str
    topic: str | None
    facts: tuple[Fact, ...]
    confidence: float
    text: str
    section: str | None
    lang: str
    kind: RequestKind | None = None
    sections: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `privacy-desk ask --json`."""
        return {
            "route": self.route,
            "topic": self.topic,
            "confidence": round(self.confidence, 3),
            "answer": self.text,
            "section": self.section,
            "facts": [f.id for f in self.facts],
            "lang": self.lang,
        }


@dataclass(frozen=True)
class _Match:
    topic: str | None
    score: float
    confidence: float
    facts: tuple[Fact, ...]


def _match(index: PolicyIndex, question: str) -> tuple[_Match, list[list[str]], list[list[str]], list[bool]]:
    split = split_sentences(question) or [("", False)]
    raw = [words(part) for part, _ in split]
    parts = [index.normalise([stem(w) for w in part]) for part in raw]
    asked = [question_mark for _, question_mark in split]
    seq = [w for part in parts for w in part]
    query = index.normalise(content_stems(question))
    # an age written as a number, a country: the word the policy uses for it ("age", "abroad")
    plain = [stem(w) for part in raw for w in part]
    added, ages = concept_stems(index.intents.concepts, question, plain, script_lang(question))
    query = list(dict.fromkeys([w for w in query if w not in ages] + added))
    off_policy = index.intents.off_policy(seq)

    bonus, found = phrase_bonus(index, seq)
    ranked = sorted(
        ((score_topic(entry, query, bonus, index.idf), entry) for entry in index.topics.values()),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not ranked or ranked[0][0] <= 0:
        return _Match(None, 0.0, 0.0, ()), parts, raw, asked
    best_score, best = ranked[0]

    # How much of what the person said the topic explains: unknown words weigh as the rarest known;
    # filler ("actually", "kinda", numbers) says nothing either way and is left out.
    filler = _filler(index, raw)
    subject = [w for w in query if w not in filler]
    unknown = [w for w in subject if w not in index.idf]
    mass = sum(index.idf.get(w, index.max_idf * UNKNOWN_WEIGHT) for w in subject) or 1.0
    covered_words = [w for w in subject if best.weights.get(w, 0.0) > 0]
    coverage = min(1.0, sum(index.idf.get(w, 0.0) for w in covered_words) / mass)
    confidence = (1 - math.exp(-best_score / SCORE_SCALE)) * (COVERAGE_BASE + (1 - COVERAGE_BASE) * coverage)
    if off_policy and bonus.get(best.id, 0.0) < STRONG_BONUS:
        confidence *= OFF_POLICY_FACTOR
    # What ties the question to the topic: a phrase, or a word the topic is named by (a synonym-level
    # weight) that is not one every policy uses in passing ("company", "name", "office").
    specific = [w for w in covered_words if w not in index.intents.generic]
    strong = bool(bonus.get(best.id)) or any(best.weights[w] >= STRONG_WEIGHT for w in specific)
    if not strong:
        # The question's subject words are mostly unknown to the whole policy ("a poem about my cat"):
        # whatever topic shares a word with it is a guess.
        if len(unknown) >= MIN_UNKNOWN and len(unknown) * index.max_idf >= UNKNOWN_SHARE * mass:
            confidence *= UNKNOWN_FACTOR
        if covered_words and not specific:
            confidence *= GENERIC_FACTOR
    # Matched only through words of long fact texts, with no synonym, keyword or title: weak evidence.
    evidence = max((best.weights.get(w, 0.0) for w in query), default=0.0)
    if evidence < W_KEYWORD and not bonus.get(best.id):
        confidence *= TEXT_ONLY_FACTOR

    general = not any(best.weights.get(w) and w not in best.topic_words for w in query)
    facts = _pick_facts(best.facts, query, found, index, best, general)
    return _Match(best.id, best_score, confidence, facts), parts, raw, asked


def _filler(index: PolicyIndex, raw: list[list[str]]) -> set[str]:
    """Stems of the question that carry no subject: the listed filler, numbers, unknown "-ly" adverbs."""
    out = set(index.intents.filler)
    for word in (w for part in raw for w in part):
        if word.isdigit() or (len(word) >= ADVERB_MIN and word.endswith("ly") and stem(word) not in index.idf):
            out.add(stem(word))
    return out


def _pick_facts(entries, query, found, index: PolicyIndex, topic=None, general=False) -> tuple[Fact, ...]:
    """The best-fitting facts; the topic's first facts (its overview) when nothing tells them apart.

    `general`: the question names only the topic ("what are my rights"); then the overview wins unless
    another fact fits clearly better (twice the score).
    """
    if not entries:
        return ()
    spread = topic.fact_spread if topic else {}
    names = topic.topic_words if topic else frozenset()
    scored = [(score_fact(e, query, found, index.idf, spread, names), i, e.fact) for i, e in enumerate(entries)]
    top = max(s for s, _, _ in scored)
    if top <= 0 or (general and top <= 2 * scored[0][0]):
        return _overview(entries)
    chosen = sorted((s for s in scored if s[0] >= top * FACT_RATIO), key=lambda s: (-s[0], s[1]))
    return tuple(f for _, _, f in chosen[:MAX_FACTS])


def _overview(entries) -> tuple[Fact, ...]:
    """The topic's first fact, and the next ones while the answer stays short."""
    out: list[Fact] = []
    length = 0
    for entry in entries[:MAX_FACTS]:
        length += len(entry.fact.text.en)
        if out and length > OVERVIEW_CHARS:
            break
        out.append(entry.fact)
    return tuple(out)


def _request_facts(index: PolicyIndex, kind: RequestKind, question: str) -> tuple[Fact, ...]:
    """The one fact of the section the policy names for this request kind that best fits the question."""
    offer = next((o for o in index.policy.request_kinds if o.kind == kind), None)
    if offer is None:
        return ()
    entries = [e for t in index.topics.values() for e in t.facts if e.fact.section == offer.section]
    query = index.normalise(content_stems(question))
    _, found = phrase_bonus(index, index.normalise(stems(question)))
    return _pick_facts(entries, query, found, index)[:1]


def _render_facts(facts: tuple[Fact, ...], lang: str, gettext: Gettext) -> tuple[str, tuple[str, ...]]:
    sections = tuple(dict.fromkeys(f.section for f in facts))
    lines = [f.text.get(lang) for f in facts]
    if sections:
        lines.append(gettext(SOURCE).format(sections="; ".join(sections)))
    return "\n".join(lines), sections


def answer(question: str, lang: str | None, index: PolicyIndex, gettext: Gettext | None = None) -> Answer:
    """The answer to one question; `lang` None or unknown means: detect it from the script."""
    lang = lang if lang in LANGUAGES else script_lang(question)
    gettext = gettext or gettext_for(lang)
    match, parts, raw, asked = _match(index, question)

    kind = index.intents.request_kind(parts, raw, asked)
    if kind is not None:
        facts = _request_facts(index, kind, question) or match.facts[:1]
        body, sections = _render_facts(facts, lang, gettext)
        text = gettext(REQUEST_LINES[kind]) + ("\n" + body if body else "")
        return Answer(
            route=f"request:{kind.value}",
            topic=match.topic,
            facts=facts,
            confidence=max(match.confidence, 0.9),
            text=text,
            section=sections[0] if sections else None,
            lang=lang,
            kind=kind,
            sections=sections,
        )

    if match.topic is None or match.confidence < MIN_CONFIDENCE:
        return Answer(OUT_OF_SCOPE, None, (), match.confidence, gettext(NOT_COVERED), None, lang)
    if not match.facts:  # the policy declares the topic but states nothing on it
        return Answer(OUT_OF_SCOPE, match.topic, (), match.confidence, gettext(NOT_STATED), None, lang)

    text, sections = _render_facts(match.facts, lang, gettext)
    return Answer(
        route=ANSWER,
        topic=match.topic,
        facts=match.facts,
        confidence=match.confidence,
        text=text,
        section=sections[0],
        lang=lang,
        sections=sections,
    )
