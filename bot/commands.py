"""`privacy-desk run`, `shell` and `migrate`: the commands that start the application."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings, require_token

log = logging.getLogger("privacy_desk")


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def fail(problems: list[str]) -> int:
    for problem in problems:
        print(f"privacy-desk: {problem}", file=sys.stderr)
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
        setup_logging(settings.log_level)
        if settings.bot_token is None and sys.stdin.isatty() and not args.no_console:
            print(
                "BOT_TOKEN is not set, so this is the local console (no Telegram). To connect a real bot, "
                "create one with @BotFather and put its token in BOT_TOKEN (see README).",
                file=sys.stderr,
            )
            return _console(settings, temporary=False)
        token = require_token(settings)
        return asyncio.run(_run_telegram(settings, token))
    except SettingsError as exc:
        return fail(exc.problems)
    except KeyboardInterrupt:
        return 130


async def _run_telegram(settings: Settings, token: str) -> int:
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.app import build_app, create_bot
    from bot.runner import run_polling, run_webhook

    app = await build_app(settings)
    bot = create_bot(settings, token)
    try:
        try:
            await bot.get_me()
        except TelegramUnauthorizedError:
            raise SettingsError(
                ["BOT_TOKEN: Telegram rejected this token (Unauthorized); copy it again from @BotFather"]
            ) from None
        except TelegramNetworkError as exc:
            raise SettingsError(
                [f"TELEGRAM_API_URL: cannot reach {settings.telegram_api_url} ({exc.message})"]
            ) from None
        if settings.webhook_url:
            await run_webhook(app, bot)
        else:
            await run_polling(app, bot)
    finally:
        await bot.session.close()
        await app.close()
    return 0


def _with_demo_directory(settings: Settings, scratch: Path) -> Settings:
    """The console finds accounts in the demo database unless a directory is configured."""
    from bot.demo_data import DemoDataError, ensure_demo_data

    if settings.directory != "none":
        return settings
    try:
        paths = ensure_demo_data()
    except DemoDataError:  # a read-only working directory: keep the demo data with the scratch database
        paths = ensure_demo_data(scratch / "demo-accounts.db")
    return settings.model_copy(
        update={"directory": "sql", "directory_url": paths.directory_url, "directory_map": paths.mapping}
    )


def _console(settings: Settings, temporary: bool, user_id: int | None = None) -> int:
    from bot.app import build_app
    from bot.console.shell import CONSOLE_USER_ID, run_console

    with tempfile.TemporaryDirectory(prefix="privacy-desk-") as scratch:
        if temporary:
            url = f"sqlite+aiosqlite:///{Path(scratch) / 'console.db'}"
            settings = settings.model_copy(update={"database_url": url})
        settings = _with_demo_directory(settings, Path(scratch))
        settings = _with_console_staff(settings)

        async def main() -> None:
            app = await build_app(settings, console=True)
            try:
                await run_console(app, user_id=user_id or CONSOLE_USER_ID)
            finally:
                await app.close()

        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            pass
    return 0


def _with_console_staff(settings: Settings) -> Settings:
    """The console plays the staff group too: its chat id and its staff member, unless configured."""
    from bot.console.shell import CONSOLE_STAFF_CHAT_ID, CONSOLE_STAFF_USER_ID

    update: dict[str, object] = {}
    if settings.staff_chat_id is None:
        update["staff_chat_id"] = CONSOLE_STAFF_CHAT_ID
    if not settings.staff_user_ids:
        update["staff_user_ids"] = frozenset({CONSOLE_STAFF_USER_ID})
    return settings.model_copy(update=update) if update else settings


def cmd_shell(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
        setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
        temporary = "DATABASE_URL" not in os.environ and not _dotenv_sets("DATABASE_URL")
        return _console(settings, temporary=temporary, user_id=args.user_id)
    except SettingsError as exc:
        return fail(exc.problems)


def _dotenv_sets(name: str) -> bool:
    env = Path(".env")
    if not env.is_file():
        return False
    return any(line.split("=", 1)[0].strip() == name for line in env.read_text().splitlines() if "=" in line)


def cmd_migrate(args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.engine import create_engine

    try:
        settings = load_settings()
    except SettingsError as exc:
        return fail(exc.problems)

    async def main() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    try:
        revision = asyncio.run(main())
    except Exception as exc:
        return fail([f"DATABASE_URL: cannot migrate the database ({type(exc).__name__}: {exc})"])
    print(f"database is at revision {revision}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the bot (long polling, or webhook when WEBHOOK_URL is set)")
    run.add_argument(
        "--no-console", action="store_true", help="never fall back to the console when BOT_TOKEN is missing"
    )
    run.set_defaults(func=cmd_run)
    shell = subparsers.add_parser("shell", help="chat with the bot in this terminal (no token, no network)")
    shell.add_argument(
        "--user-id", type=int, default=None,
        help="the Telegram user id you chat as (default 100001, an account linked in the demo data)",
    )  # fmt: skip
    shell.set_defaults(func=cmd_shell)
    migrate = subparsers.add_parser("migrate", help="bring the database to the latest schema")
    migrate.set_defaults(func=cmd_migrate)
