"""`privacy-desk shell` through a pipe: the greeting and menu, Russian by /language, and the choice
kept when the shell is started again on the same DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.db


def run_shell(lines: list[str], cwd: Path, database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_TOKEN", "DIRECTORY", "SMTP", "STAFF"))}
    env.update(
        DATABASE_URL=database_url,
        POLICY_FILE=str(ROOT / "policies" / "velluto.yaml"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "shell"],
        input="\n".join(lines) + "\n",
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_greeting_language_switch_and_restart(tmp_path, db_url):
    first = run_shell(["/start", "/language", "2"], tmp_path, db_url)
    assert "[bot] Hello! I am the privacy desk of Velluto." in first
    assert "[1] Ask a question  [2] Make a request  [3] My requests  [4] Talk to a person" in first
    assert "[1] ✓ English  [2] Русский" in first
    assert "Готово: теперь я говорю с вами по-русски." in first

    again = run_shell(["/start"], tmp_path, db_url)
    assert "[bot] Здравствуйте! Я — служба защиты персональных данных Velluto." in again
    assert "[1] Задать вопрос  [2] Подать запрос  [3] Мои запросы  [4] Связаться с человеком" in again


def test_a_fresh_console_database_is_temporary(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(POLICY_FILE=str(ROOT / "policies" / "velluto.yaml"), LOG_LEVEL="WARNING")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "shell"], input="/language\n2\n", cwd=tmp_path, env=env,
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert "по-русски" in done.stdout
    assert not (tmp_path / "data" / "privacy-desk.db").exists()  # nothing written to the default database
