"""Speed of the answer engine: index build time, questions per second and latency over the dev set.

Goals (issue 4): p99 latency under 5 ms, index build under 1 s. Run from the repository root:
    .venv/bin/python bench/answer.py [--policy policies/velluto.yaml] [--rounds 5] [--accuracy]
`--accuracy` also prints the accuracy on the development set and on the holdout sets (each file's
header says how it was written and whether it is still unseen), with the questions answered wrongly.
Latency is measured both as wall time and as process CPU time: on a busy machine (other test runs,
a bot in the background) wall time includes waiting for the CPU, which the engine does not control.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.policy import load_policy  # noqa: E402
from bot.policy.answer import answer, build_index  # noqa: E402
from bot.policy.answer_eval import evaluate, load_questions  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", type=Path, default=ROOT / "policies" / "velluto.yaml")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the dev set (after one warm-up)")
    parser.add_argument("--accuracy", action="store_true", help="also print dev and holdout accuracy")
    args = parser.parse_args(argv)

    policy = load_policy(args.policy)
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = build_index(policy)
        builds.append(time.perf_counter() - start)
    questions = load_questions(sorted((ROOT / "tests" / "data").glob("questions_*.yaml")))

    for q in questions:  # warm-up: typo-fix cache, stem cache
        answer(q.q, q.lang, index)
    gc.collect()
    wall: list[float] = []
    cpu: list[float] = []
    total_start = time.perf_counter()
    for _ in range(args.rounds):
        for q in questions:
            w0, c0 = time.perf_counter(), time.process_time()
            answer(q.q, q.lang, index)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    total = time.perf_counter() - total_start

    ms = 1000.0
    print(f"policy: {args.policy.name} ({len(policy.facts)} facts, {len(policy.topics)} topics)")
    print(f"questions: {len(questions)} x {args.rounds} rounds; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"index build: best {min(builds):.3f} s, worst {max(builds):.3f} s (goal < 1 s)")
    print(f"throughput: {len(wall) / total:.0f} questions/s")
    print(f"latency wall: mean {sum(wall) / len(wall) * ms:.2f} ms, p50 {percentile(wall, 0.5) * ms:.2f} ms, "
          f"p99 {percentile(wall, 0.99) * ms:.2f} ms, max {max(wall) * ms:.2f} ms (goal p99 < 5 ms)")
    print(f"latency cpu:  mean {sum(cpu) / len(cpu) * ms:.2f} ms, p50 {percentile(cpu, 0.5) * ms:.2f} ms, "
          f"p99 {percentile(cpu, 0.99) * ms:.2f} ms, max {max(cpu) * ms:.2f} ms")
    if args.accuracy:
        name = args.policy.stem
        sets = (
            ("development set", "questions_*.yaml"),
            ("holdout set 1 (seen while making generic changes)", "holdout_*.yaml"),
            ("holdout set 2 (synonyms later added from its misses)", "holdout2_*.yaml"),
            ("holdout set 3 (intents later tuned from its misses)", "holdout3_*.yaml"),
            ("holdout set 4 (second round tuned from its misses)", "holdout4_*.yaml"),
            ("holdout set 5 (written before the second round, evaluated after it)", "holdout5_*.yaml"),
        )
        for label, pattern in sets:
            qs = load_questions(sorted((ROOT / "tests" / "data").glob(pattern)))
            report = evaluate(index, qs, name, check_must=(name == "velluto"))
            print(f"\n{label}: " + report.summary())
            for failure in report.failures:
                print("  " + failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
