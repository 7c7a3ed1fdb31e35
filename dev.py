#!/usr/bin/env python3
"""One entry point for a fresh machine with only Python 3.11+: it makes `.venv`, installs the project
into it (again whenever pyproject.toml changes), then runs what was asked.

    python3 dev.py run     the bot: `privacy-desk run` with BOT_TOKEN, else the local console
    python3 dev.py test    ruff, the tests on SQLite, then the database tests on PostgreSQL
    python3 dev.py shell   the local console (same as `run` without a token)
    python3 dev.py ARGS…   any other `privacy-desk` command, e.g. `python3 dev.py deadline --help`
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def say(text: str) -> None:
    print(f"dev.py: {text}", file=sys.stderr, flush=True)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs under whatever python3 the machine has
        sys.exit(f"dev.py: Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PYTHON.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say("installing privacy-desk and its dependencies into .venv (first time only)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True, cwd=ROOT)
    STAMP.write_text(wanted)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run(list(args), cwd=ROOT, env={**os.environ, **(env or {})}).returncode


def test(extra: list[str]) -> int:
    say("ruff")
    if run(str(BIN / "ruff"), "check", "."):
        return 1
    say("tests on SQLite (and Redis when reachable)")
    code = run(str(PYTHON), "-m", "pytest", *extra)
    if code:
        return code
    if reachable("127.0.0.1", 5432) or "TEST_POSTGRES_URL" in os.environ:
        say("database tests again on PostgreSQL")
        code = run(str(PYTHON), "-m", "pytest", "-m", "db", *extra, env={"TEST_DATABASE": "postgres"})
    else:
        say("PostgreSQL is not reachable at 127.0.0.1:5432: the PostgreSQL pass is skipped")
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "test":
        return test(rest)
    return run(str(BIN / "privacy-desk"), *argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
