"""The real `privacy-desk` command as a child process, with a clean environment and bounded waits.

The child runs in a scratch directory (so no developer `.env` leaks in), with stdin not a TTY, and
with every setting the project reads removed from the inherited environment except those given.
Its output goes to files, so a chatty bot can never block on a full pipe.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import BinaryIO

from bot.config import Settings

REPO = Path(__file__).resolve().parents[2]
VELLUTO = REPO / "policies" / "velluto.yaml"
SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)


def bot_env(**settings: str) -> dict[str, str]:
    """The inherited environment without any project setting, plus `settings` (POLICY_FILE defaulted)."""
    env = {name: value for name, value in os.environ.items() if name.upper() not in SETTING_NAMES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("POLICY_FILE", str(VELLUTO))
    env.update(settings)
    return env


class BotProcess:
    """`python -m bot <args>` started in `workdir`; use as an async context manager (killed on exit)."""

    def __init__(self, *args: str, env: dict[str, str], workdir: Path) -> None:
        self.args = args
        self.env = env
        self.workdir = workdir
        self.stdout_path = workdir / "stdout.log"
        self.stderr_path = workdir / "stderr.log"
        self.process: asyncio.subprocess.Process | None = None

    def _open_logs(self) -> tuple[BinaryIO, BinaryIO]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        return self.stdout_path.open("wb"), self.stderr_path.open("wb")

    async def start(self) -> BotProcess:
        out, err = self._open_logs()
        with out, err:  # the child keeps its own copies of the descriptors
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args,
                cwd=self.workdir, env=self.env, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=err,
            )
        return self

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.returncode

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def signal(self, number: int = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    async def wait(self, timeout: float = 15.0) -> int:
        """The exit code; fails the test (with the child's stderr) if it does not exit in time."""
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not exit within {timeout}s; stderr:\n{self.stderr}") from None

    async def wait_for_log(self, needle: str, timeout: float = 15.0) -> None:
        """Until `needle` appears in the child's stderr (polled; fails early if the child exits)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while needle not in self.stderr:
            if self.returncode is not None:
                raise AssertionError(f"the bot exited ({self.returncode}) before logging {needle!r}:\n{self.stderr}")
            if loop.time() > deadline:
                raise AssertionError(f"{needle!r} not logged within {timeout}s; stderr:\n{self.stderr}")
            await asyncio.sleep(0.05)
