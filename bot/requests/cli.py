"""`privacy-desk audit verify [--database URL]`: check every request's hash chain.

Prints `ok: N events in M requests`, or one line per broken link (`REFERENCE seq N: problem`) and exits 1.
Reads the database only; never changes it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.requests.audit import ChainProblem, EventRecord, verify_chain


class AuditError(Exception):
    """A problem that stops the check; one readable line."""


def _check_url(url: str) -> None:
    """A readable line instead of an empty SQLite file created by mistake."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise AuditError(f"not a database URL: {url}") from None
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
        if not database.startswith("file:") and not Path(database).expanduser().exists():
            raise AuditError(f"no database at {database}")


async def verify_database(url: str, out=None) -> int:
    """Verify every chain in the database at `url`; print the verdict; 0 when intact, 1 otherwise."""
    from storage import requests as store
    from storage.engine import create_engine, create_session_factory

    out = sys.stdout if out is None else out
    _check_url(url)
    engine = create_engine(url)
    problems: list[ChainProblem] = []
    events = 0
    try:
        async with create_session_factory(engine)() as session:
            heads = await store.audit_heads(session)
            chain: list[EventRecord] = []
            seen: set[str] = set()

            def check(chain: list[EventRecord]) -> None:
                if chain:
                    reference = chain[0].reference
                    problems.extend(verify_chain(chain, {reference: heads.get(reference)}))

            async for row in store.iter_audit_rows(session):
                reference, seq, at, role, actor_id, action, payload_text, text, prev_hash, digest = row
                events += 1
                if chain and chain[0].reference != reference:
                    check(chain)
                    chain = []
                seen.add(reference)
                try:
                    payload = (
                        payload_text if isinstance(payload_text, dict) else json.loads(payload_text or "{}")
                    )
                except ValueError:
                    problems.append(ChainProblem(reference, seq, "payload is not valid JSON"))
                    payload = {"unreadable": payload_text}
                chain.append(
                    EventRecord(reference, seq, at, role, actor_id, action, payload, prev_hash, digest, text)
                )
            check(chain)
            for reference in heads:
                if reference not in seen:
                    problems.append(ChainProblem(reference, 0, "the request has no events"))
    except SQLAlchemyError as exc:
        first_line = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        raise AuditError(
            f"cannot read the audit trail ({first_line}); has `privacy-desk migrate` run?"
        ) from None
    finally:
        await engine.dispose()

    if problems:
        for problem in problems:
            print(f"broken: {problem}", file=out)
        print(f"FAILED: {len(problems)} problem(s) in {events} events of {len(heads)} requests", file=out)
        return 1
    print(f"ok: {events} events in {len(heads)} requests", file=out)
    return 0


def _run_verify(args: argparse.Namespace) -> int:
    url = args.database
    if not url:
        from bot.config import SettingsError, load_settings

        try:
            url = load_settings().database_url
        except SettingsError as exc:
            for problem in exc.problems:
                print(f"privacy-desk: {problem}", file=sys.stderr)
            return 2
    try:
        return asyncio.run(verify_database(url))
    except AuditError as exc:
        print(f"privacy-desk audit verify: {exc}", file=sys.stderr)
        return 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `audit verify` to the `privacy-desk` parser."""
    audit = subparsers.add_parser("audit", help="check the requests' audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    audit.set_defaults(func=lambda _args: (audit.print_help(sys.stderr), 2)[1])

    verify = audit_commands.add_parser(
        "verify", help="check that no audit event was edited, reordered or deleted (exit 1 if one was)"
    )
    verify.add_argument("--database", metavar="URL", help="database URL (default: DATABASE_URL)")
    verify.set_defaults(func=_run_verify)
