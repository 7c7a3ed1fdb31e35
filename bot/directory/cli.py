"""`privacy-desk demo-data [--path FILE] [--force]`: write the sample account database and say how to use it."""

from __future__ import annotations

import argparse
import sys

from bot.demo_data import DEFAULT_PATH, DemoDataError, create_demo_data


def _run_demo_data(args: argparse.Namespace, out=None) -> int:
    out = sys.stdout if out is None else out
    try:
        paths = create_demo_data(args.path, force=args.force)
    except DemoDataError as exc:
        print(f"demo-data: {exc}", file=sys.stderr)
        return 1
    print(f"# demo account database: {paths.database}", file=out)
    print("# add these settings to .env (or the environment) to use it:", file=out)
    for name, value in paths.settings().items():
        print(f"{name}={value}", file=out)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `demo-data` to the `privacy-desk` parser."""
    demo = subparsers.add_parser(
        "demo-data", help="create a sample account database (SQLite) for DIRECTORY=sql and the console"
    )
    demo.add_argument("--path", default=str(DEFAULT_PATH), help=f"database file (default {DEFAULT_PATH})")
    demo.add_argument(
        "--force", action="store_true", help="replace an existing file that is not a demo database"
    )
    demo.set_defaults(func=_run_demo_data)
