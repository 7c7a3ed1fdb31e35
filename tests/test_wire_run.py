"""`privacy-desk run` as a real process against a fake Bot API on 127.0.0.1: polling, webhook, shutdown.

These are the acceptance checks of the foundation issue seen from outside: what Telegram would see
on the wire, and what an operator sees on the terminal when a setting is wrong.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.process import BotProcess, bot_env

STARTUP_SECONDS = 60.0  # imports and migrations on a busy 2-core machine
EXIT_SECONDS = 10.0
MENU = [
    ("Ask a question", "m:ask"),
    ("Make a request", "m:request"),
    ("My requests", "m:status"),
    ("Talk to a person", "m:human"),
]


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


def settings_for(api: FakeBotAPI, tmp_path: Path, **extra: str) -> dict[str, str]:
    settings = {
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "INFO",
    }
    return bot_env(**{**settings, **extra})


def stored_language(tmp_path: Path, user_id: int) -> str | None:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        row = db.execute("SELECT language FROM subjects WHERE telegram_user_id = ?", (user_id,)).fetchone()
    return row[0] if row else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in text)


async def test_run_answers_start_over_long_polling_and_exits_0_on_sigterm(api: FakeBotAPI, tmp_path: Path) -> None:
    async with BotProcess("run", env=settings_for(api, tmp_path), workdir=tmp_path / "run") as bot:
        poll = await api.wait_for("getUpdates", timeout=STARTUP_SECONDS)
        assert int(poll.params.get("timeout") or 0) > 0, "the bot should long-poll, not spin"
        assert "callback_query" in poll.params["allowed_updates"], "menu presses would never arrive"

        api.push_message(111, "/start", language_code="en")
        reply = await api.wait_for("sendMessage", chat_id=111)

        assert "Velluto" in reply.text
        assert reply.buttons == MENU
        assert reply.params.get("parse_mode") == "HTML"

        menus = {language: commands for (scope, language), commands in api.commands.items() if scope == "default"}
        assert {"en", "ru"} <= menus.keys()
        english = [c["command"] for c in menus["en"]]
        assert english[:2] == ["start", "help"] and "language" in english
        assert [c["command"] for c in menus["ru"]] == english
        assert all(has_cyrillic(c["description"]) for c in menus["ru"])
        assert not any(has_cyrillic(c["description"]) for c in menus["en"])

        bot.signal(signal.SIGTERM)
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr
    assert "Traceback" not in bot.stderr


async def test_update_in_flight_at_sigterm_finishes_before_exit(api: FakeBotAPI, tmp_path: Path) -> None:
    async with BotProcess("run", env=settings_for(api, tmp_path), workdir=tmp_path / "run") as bot:
        await api.wait_for("getUpdates", timeout=STARTUP_SECONDS)
        # The language handler commits, then answers the button (held here), then replies.
        held = api.hold("answerCallbackQuery")
        api.push_callback(222, "lang:ru", language_code="en")
        await held.wait_arrived()

        bot.signal(signal.SIGTERM)
        await bot.wait_for_log("Polling stopped")  # shutdown has begun while the update is mid-way
        assert bot.returncode is None, "the bot exited with an update still being handled"
        held.release()

        reply = await api.wait_for("sendMessage", chat_id=222)
        assert reply.text.startswith("Готово")
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr
    assert stored_language(tmp_path, 222) == "ru"
    assert "Traceback" not in bot.stderr


async def test_language_choice_survives_a_restart(api: FakeBotAPI, tmp_path: Path) -> None:
    env = settings_for(api, tmp_path)
    async with BotProcess("run", env=env, workdir=tmp_path / "first") as bot:
        await api.wait_for("getUpdates", timeout=STARTUP_SECONDS)
        api.push_callback(333, "lang:ru", language_code="en")
        await api.wait_for("sendMessage", chat_id=333)
        bot.signal(signal.SIGTERM)
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr

    polls_before = len(api.calls_to("getUpdates"))
    async with BotProcess("run", env=env, workdir=tmp_path / "second") as bot:
        await api.wait_for("getUpdates", count=polls_before + 1, timeout=STARTUP_SECONDS)
        api.push_message(333, "/start", language_code="en")
        reply = await api.wait_for("sendMessage", chat_id=333, match=lambda call: "Velluto" in call.text)
        assert has_cyrillic(reply.text), "the user chose Russian before the restart"
        bot.signal(signal.SIGTERM)
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr


async def test_webhook_mode_checks_the_secret_header(api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    env = settings_for(
        api, tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}", WEBHOOK_SECRET="s3cret", WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    async with BotProcess("run", env=env, workdir=tmp_path / "run") as bot:
        hook = await api.wait_for("setWebhook", timeout=STARTUP_SECONDS)
        assert hook.params["url"] == f"http://127.0.0.1:{port}/telegram/webhook"
        assert hook.params["secret_token"] == "s3cret"
        assert {"message", "callback_query"} <= set(hook.params["allowed_updates"])

        wrong, _ = await api.post_to_webhook({"message": api.make_message(401, "/start")}, secret_token="guess")
        missing, _ = await api.post_to_webhook({"message": api.make_message(402, "/start")})
        right, _ = await api.post_to_webhook({"message": api.make_message(403, "/start")}, secret_token="s3cret")

        assert wrong in (401, 403)
        assert missing in (401, 403)
        assert right == 200
        reply = await api.wait_for("sendMessage", chat_id=403)
        assert "Velluto" in reply.text
        assert reply.buttons == MENU

        bot.signal(signal.SIGTERM)
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr
    assert not api.calls_to("sendMessage", chat_id=401)
    assert not api.calls_to("sendMessage", chat_id=402)
    assert not api.calls_to("getUpdates"), "webhook mode must not poll"
    assert "Traceback" not in bot.stderr


async def test_webhook_update_in_flight_at_sigterm_finishes_before_exit(api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    env = settings_for(
        api, tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}", WEBHOOK_SECRET="s3cret", WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    async with BotProcess("run", env=env, workdir=tmp_path / "run") as bot:
        await api.wait_for("setWebhook", timeout=STARTUP_SECONDS)
        held = api.hold("answerCallbackQuery")
        status, _ = await api.post_to_webhook({"callback_query": api.make_callback(223, "lang:ru")}, secret_token="s3cret")
        assert status == 200
        await held.wait_arrived()

        bot.signal(signal.SIGTERM)
        await wait_until_refused(port)  # the server stopped accepting: shutdown has begun
        assert bot.returncode is None, "the bot exited with an update still being handled"
        held.release()

        reply = await api.wait_for("sendMessage", chat_id=223)
        assert reply.text.startswith("Готово")
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr
    assert stored_language(tmp_path, 223) == "ru"
    assert "Traceback" not in bot.stderr


async def wait_until_refused(port: int, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.05)
    raise AssertionError(f"127.0.0.1:{port} still accepts connections {timeout}s after SIGTERM")


async def test_a_burst_of_people_starting_a_form_all_get_an_answer(api: FakeBotAPI, tmp_path: Path) -> None:
    people = range(601, 621)  # 20 at once: aiogram polling handles a batch of updates concurrently
    async with BotProcess("run", env=settings_for(api, tmp_path), workdir=tmp_path / "run") as bot:
        await api.wait_for("getUpdates", timeout=STARTUP_SECONDS)
        for person in people:
            api.push_callback(person, "m:human", language_code="en")
        for person in people:  # well under the pool's 30 s timeout, far over the normal second or two
            await api.wait_for("sendMessage", chat_id=person, timeout=20.0)
        bot.signal(signal.SIGTERM)
        assert await bot.wait(EXIT_SECONDS) == 0, bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr  # e.g. a pooled connection closed outside a greenlet


# -- wrong settings: one line naming the setting, non-zero exit, no traceback ---------------------------


def problem_lines(bot: BotProcess) -> list[str]:
    return [line for line in bot.stderr.splitlines() if line.strip()]


async def run_to_exit(env: dict[str, str], tmp_path: Path) -> BotProcess:
    async with BotProcess("run", env=env, workdir=tmp_path / "run") as bot:
        await bot.wait(STARTUP_SECONDS)
    return bot


async def test_nonsense_database_url_is_one_line_naming_it(api: FakeBotAPI, tmp_path: Path) -> None:
    bot = await run_to_exit(settings_for(api, tmp_path, DATABASE_URL="nonsense"), tmp_path)
    assert bot.returncode != 0
    lines = problem_lines(bot)
    assert len(lines) == 1, bot.stderr
    assert "DATABASE_URL" in lines[0]
    assert api.calls == []


async def test_missing_token_without_a_tty_is_one_line_naming_it(api: FakeBotAPI, tmp_path: Path) -> None:
    env = settings_for(api, tmp_path)
    del env["BOT_TOKEN"]
    bot = await run_to_exit(env, tmp_path)
    assert bot.returncode != 0
    lines = problem_lines(bot)
    assert len(lines) == 1, bot.stderr
    assert "BOT_TOKEN" in lines[0]
    assert api.calls == []


async def test_unreachable_database_ends_with_one_line_naming_it(api: FakeBotAPI, tmp_path: Path) -> None:
    env = settings_for(api, tmp_path, DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere")
    bot = await run_to_exit(env, tmp_path)
    assert bot.returncode != 0
    lines = problem_lines(bot)
    # Log lines at LOG_LEVEL=INFO may come first; the problem is one line, the last one, and no traceback.
    assert [line for line in lines if "DATABASE_URL" in line] == lines[-1:], bot.stderr
    assert "Traceback" not in bot.stderr
    assert api.calls == []


async def test_sqlite_path_that_cannot_exist_is_one_line_naming_it(api: FakeBotAPI, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    env = settings_for(api, tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{blocker / 'data' / 'bot.db'}")
    bot = await run_to_exit(env, tmp_path)
    assert bot.returncode != 0
    assert "Traceback" not in bot.stderr, bot.stderr
    lines = problem_lines(bot)
    assert [line for line in lines if "DATABASE_URL" in line] == lines[-1:], bot.stderr


async def test_token_rejected_by_telegram_is_one_line_naming_it(tmp_path: Path) -> None:
    async with FakeBotAPI(token="123456:THE-REAL-TOKEN-xyz") as api:
        env = settings_for(api, tmp_path, BOT_TOKEN="123456:A-REVOKED-TOKEN-abc")
        bot = await run_to_exit(env, tmp_path)
    assert bot.returncode != 0
    assert "Traceback" not in bot.stderr, bot.stderr
    lines = problem_lines(bot)
    assert [line for line in lines if "BOT_TOKEN" in line] == lines[-1:], bot.stderr


async def test_unreachable_api_server_is_one_line_naming_it(tmp_path: Path) -> None:
    env = bot_env(
        BOT_TOKEN="123456:TEST-TOKEN-abcdefghij",
        TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    bot = await run_to_exit(env, tmp_path)
    assert bot.returncode != 0
    assert "Traceback" not in bot.stderr, bot.stderr
    lines = problem_lines(bot)
    assert [line for line in lines if "TELEGRAM_API_URL" in line] == lines[-1:], bot.stderr
