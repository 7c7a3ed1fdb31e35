"""`privacy-desk policy check FILE...` (and, from the answer engine, `privacy-desk ask`).

`check` prints `FILE: ok (N facts, M topics)` or one line per problem, `FILE: path: message`, and exits 1
when any file has a problem; never a traceback, so an operator can run it in CI on every edit.
"""

from __future__ import annotations

import argparse
import sys

from bot.policy.loader import PolicyError, load_policy


def check_files(paths: list[str], out=None) -> int:
    """Validate each file, print its verdict; 0 when all are valid, 1 otherwise."""
    out = sys.stdout if out is None else out
    failed = False
    for path in paths:
        try:
            policy = load_policy(path)
        except PolicyError as exc:
            failed = True
            for where, message in exc.problems:
                print(f"{path}: {where}: {message}" if where else f"{path}: {message}", file=out)
            continue
        print(f"{path}: ok ({len(policy.facts)} facts, {len(policy.topics)} topics)", file=out)
    return 1 if failed else 0


def _run_check(args: argparse.Namespace) -> int:
    return check_files(args.files)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `policy` command group (and, later, `ask`) to the `privacy-desk` parser."""
    policy = subparsers.add_parser("policy", help="work with operator policy files (policies/*.yaml)")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")
    policy.set_defaults(func=lambda _args: (policy.print_help(sys.stderr), 2)[1])

    check = policy_commands.add_parser("check", help="validate policy files and list every problem")
    check.add_argument("files", nargs="+", metavar="FILE", help="policy YAML file(s)")
    check.set_defaults(func=_run_check)

    # --- `privacy-desk ask` (answer engine): bot/policy/answer_cli.py ---------------------------------
    from bot.policy.answer_cli import register_ask

    register_ask(subparsers)
