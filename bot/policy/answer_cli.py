"""`privacy-desk ask`: the answer engine from the shell, one question or a batch on standard input.

An operator tests a policy file against real questions with
`privacy-desk ask --json < questions.txt`: one JSON object per input line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.policy.answer import answer, build_index
from bot.policy.loader import PolicyError, load_policy

DEFAULT_POLICY = Path("policies/velluto.yaml")


def default_policy_path() -> Path:
    """POLICY_FILE from the environment, else the Velluto example."""
    return Path(os.environ.get("POLICY_FILE") or DEFAULT_POLICY)


def register_ask(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from the policy data",
        description="Answer a question from a policy file. Without QUESTION, read one question per line "
        "from standard input and print one JSON object per line.",
    )
    parser.add_argument("question", nargs="?", metavar="QUESTION", help="the question (omit to read stdin)")
    parser.add_argument("--lang", choices=("en", "ru"), help="answer language (default: from the script)")
    parser.add_argument("--policy", type=Path, help="policy file (default: $POLICY_FILE or policies/velluto.yaml)")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.set_defaults(func=run_ask)


def run_ask(args: argparse.Namespace) -> int:
    path = args.policy or default_policy_path()
    try:
        index = build_index(load_policy(path))
    except PolicyError as exc:
        first = exc.problems[0] if exc.problems else ("", "invalid policy")
        where = f"{first[0]}: " if first[0] else ""
        print(f"privacy-desk ask: {path}: {where}{first[1]}", file=sys.stderr)
        return 2
    if args.question is not None:
        if not args.question.strip():
            print("privacy-desk ask: the question is empty", file=sys.stderr)
            return 2
        result = answer(args.question, args.lang, index)
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            print(result.text)
        return 0
    for line in sys.stdin:
        if not line.strip():
            continue
        result = answer(line.strip(), args.lang, index)
        print(json.dumps({"question": line.strip(), **result.to_dict()}, ensure_ascii=False), flush=True)
    return 0
