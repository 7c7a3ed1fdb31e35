"""Measure the answer engine against a question set (the development set in `tests/data/`).

Shared by the acceptance tests and `bench/answer.py`, and usable by an operator who writes their own
set for their own policy. A question set is YAML: `lang` and a list of `questions`, each with `q` and
either `topic` (plus optional `accept`, `must` regexes and `only` policy names) or `route` (`out_of_scope`, `request:<kind>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.policy.answer import ANSWER, OUT_OF_SCOPE, Answer, answer
from bot.policy.answer_index import PolicyIndex


@dataclass(frozen=True)
class Question:
    q: str
    lang: str
    route: str  # "answer", "out_of_scope" or "request:<kind>"
    topics: tuple[str, ...] = ()  # expected topic first, then other acceptable ones
    must: tuple[str, ...] = ()
    only: tuple[str, ...] = ()  # the policies that state what is asked; empty: all that have the topic

    @property
    def kind(self) -> str:
        return "topic" if self.route == ANSWER else "oos" if self.route == OUT_OF_SCOPE else "request"


def load_questions(paths: Iterable[Path]) -> list[Question]:
    out: list[Question] = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        lang = data["lang"]
        for item in data["questions"]:
            topics = (item["topic"], *item.get("accept", ())) if "topic" in item else ()
            out.append(
                Question(
                    q=str(item["q"]),
                    lang=lang,
                    route=item.get("route", ANSWER),
                    topics=topics,
                    must=tuple(item.get("must", ())),
                    only=tuple(item.get("only", ())),
                )
            )
    return out


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.rate:.1%} ({self.right}/{self.total})"


@dataclass
class Report:
    """Accuracy per language and per kind of question, with the failures to read."""

    policy: str
    topic: dict[str, Score] = field(default_factory=dict)
    requests: dict[str, Score] = field(default_factory=dict)
    oos: dict[str, Score] = field(default_factory=dict)
    facts: dict[str, Score] = field(default_factory=dict)
    skipped: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"answer engine on {self.policy}:"]
        for lang in sorted(set(self.topic) | set(self.requests) | set(self.oos)):
            parts = [
                f"topic {self.topic.get(lang, Score())}",
                f"requests {self.requests.get(lang, Score())}",
                f"out-of-scope {self.oos.get(lang, Score())}",
            ]
            if lang in self.facts:
                parts.append(f"facts {self.facts[lang]}")
            lines.append(f"  {lang}: " + ", ".join(parts))
        if self.skipped:
            lines.append(f"  {self.skipped} topic questions skipped (not stated by this policy)")
        return "\n".join(lines)


def _describe(question: Question, result: Answer) -> str:
    want = question.route if question.kind != "topic" else "/".join(question.topics)
    got = result.route if result.route != ANSWER else result.topic
    return f"[{question.lang}] {question.q!r}: want {want}, got {got} ({result.confidence:.2f})"


def evaluate(
    index: PolicyIndex, questions: Iterable[Question], name: str, check_must: bool = True
) -> Report:
    """Answer every question; topic questions whose topics the policy lacks are skipped."""
    report = Report(name)
    with_facts = {t for t, entry in index.topics.items() if entry.facts}
    for question in questions:
        result = answer(question.q, question.lang, index)
        lang = question.lang
        if question.kind == "request":
            ok = result.route == question.route
            report.requests.setdefault(lang, Score()).add(ok)
        elif question.kind == "oos":
            ok = result.route == OUT_OF_SCOPE
            report.oos.setdefault(lang, Score()).add(ok)
        else:
            if not with_facts.intersection(question.topics) or (question.only and name not in question.only):
                report.skipped += 1
                continue
            ok = result.route == ANSWER and result.topic in question.topics
            report.topic.setdefault(lang, Score()).add(ok)
            if check_must and question.must:
                missing = [m for m in question.must if not re.search(m, result.text, re.IGNORECASE)]
                report.facts.setdefault(lang, Score()).add(not missing)
                if ok and missing:
                    report.failures.append(_describe(question, result) + f" missing {missing}")
        if not ok:
            report.failures.append(_describe(question, result))
    return report
