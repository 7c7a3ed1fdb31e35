"""The console scenario, through `privacy-desk shell` driven by a pipe: a new user (no Telegram-linked
account) makes an erasure request verified by an email code (the console prints the email), sees it in
/status and withdraws it."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0

pytestmark = pytest.mark.db


class Shell:
    def __init__(self, cwd: Path) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "BOT_TOKEN", "DIRECTORY", "SMTP"))
        }
        env.update(
            PYTHONUNBUFFERED="1", POLICY_FILE=str(ROOT / "policies" / "velluto.yaml"), LOG_LEVEL="WARNING"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "shell", "--user-id", "100500"],
            cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8",
        )  # fmt: skip
        self.output = ""
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)

    def type(self, line: str) -> None:
        self.mark = len(self.output)
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output[getattr(self, "mark", 0) :])
            if match:
                return match
            try:
                self.output += self._lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self._lines.empty():
                    break
        raise AssertionError(f"{pattern!r} never appeared; the console printed:\n{self.output}")

    def press(self, text: str) -> None:
        match = self.wait_for(r"\[(\d+)\] " + re.escape(text) + r"(?=  \[|\n)")
        self.type(match.group(1))

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.stdin.write("/quit\n")
            self.process.stdin.flush()
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def test_console_erasure_verified_by_email_then_withdrawn(tmp_path):
    shell = Shell(tmp_path)
    try:
        shell.wait_for(r"Type a message")
        shell.type("/request")
        shell.press("Delete my data or account")
        shell.press("My own data")
        shell.press("European Union, Iceland, Liechtenstein, Norway")
        shell.press("My whole account and everything in it")
        shell.press("Skip")
        shell.press("A code to my account email")
        shell.wait_for(r"Type the email address of your Velluto account\.")
        shell.type("marie.dubois@example.net")
        code = shell.wait_for(r"Your verification code is (\d{6})").group(1)
        assert "To: marie.dubois@example.net" in shell.output
        shell.type(code)
        shell.wait_for(r"The code is right: you are verified\.")
        shell.press("Confirm and send")
        reference = shell.wait_for(
            r"We have received your request (PD-[A-Z0-9]{6}) \(deletion of your data\)"
        ).group(1)
        shell.wait_for(r"identity: confirmed by a code sent to your account email")
        shell.type("/status")
        shell.wait_for(re.escape(reference) + r" · deletion of your data · in progress")
        shell.press(reference)
        shell.press("Withdraw")
        shell.press("Yes, withdraw it")
        shell.wait_for(rf"Your request {reference} has been withdrawn")
        shell.type("/status")
        shell.wait_for(re.escape(reference) + r" · deletion of your data · withdrawn")
    finally:
        assert shell.close() == 0
    assert (tmp_path / "data" / "demo-accounts.db").is_file()  # the console made its demo directory
