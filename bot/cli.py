"""The `privacy-desk` command: one entry point, one sub-command module per feature.

Each module in COMMAND_MODULES has `register(subparsers)`, which adds its sub-commands and sets
`func(args) -> int` on them. Modules are imported only here, so `privacy-desk --help` lists them all.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

COMMAND_MODULES: tuple[str, ...] = (
    "bot.commands",  # run, shell, migrate
    "bot.i18n_check",  # i18n check
    "bot.deadlines.cli",  # deadline
    "bot.policy.cli",  # policy check, ask
    "bot.requests.cli",  # audit verify
    "bot.directory.cli",  # demo-data
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacy-desk",
        description="The privacy front desk of an online service, as a Telegram bot.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            if importlib.util.find_spec(name) is None:  # a feature not written yet
                continue
        except ModuleNotFoundError:
            continue
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    return int(func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
