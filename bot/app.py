"""Composition root: the only place that wires settings, storage, policy, i18n and routers together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings, SettingsError
from bot.crypto import cipher_from_settings
from bot.directory import DirectoryError, build_directory, open_directory
from bot.i18n import LANGUAGES, N_, gettext_for
from bot.notify import Notifier
from bot.policy import Policy, PolicyError, load_policy
from bot.policy.answer import build_index
from bot.staff.wiring import install_staff_desk
from bot.subjects import Languages
from bot.telegram.fsm_storage import SqlStorage
from bot.telegram.i18n import LocaleMiddleware, build_i18n
from bot.telegram.inflight import InFlight
from bot.telegram.inline_filters import run_filters_inline
from bot.telegram.middlewares import DbSessionMiddleware
from bot.verification import MailerError, build_email_verification, build_mailer
from handlers import build_routers
from storage import migrate
from storage.engine import close_inline_reader, create_engine, create_session_factory

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 25.0

# (command, description) registered with Telegram, in the menu's order.
BOT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Main menu")),
    ("help", N_("What this bot can do")),
    ("ask", N_("Ask a question about your data")),
    ("policy", N_("Browse the privacy policy")),
    ("language", N_("Choose the language")),
    ("request", N_("Make a request about your data")),
    ("voice", N_("Report that your voice was cloned")),
    ("status", N_("Your requests and their state")),
    ("mydata", N_("What this bot holds about you")),
    ("forget", N_("Delete what this bot holds about you")),
)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    policy: Policy
    dispatcher: Dispatcher
    inflight: InFlight
    languages: Languages = field(default_factory=Languages)

    async def close(self) -> None:
        services = self.dispatcher.workflow_data
        if services.get("email_verification") is not None:
            await services["email_verification"].drain()  # codes being handed to the mail server
        if hasattr(services.get("directory"), "aclose"):
            await services["directory"].aclose()
        await self.dispatcher.storage.close()
        close_inline_reader(self.engine)
        await self.engine.dispose()


def read_policy(settings: Settings) -> Policy:
    try:
        return load_policy(settings.policy_file)
    except FileNotFoundError:
        raise SettingsError([f"POLICY_FILE: {settings.policy_file} does not exist"]) from None
    except PolicyError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid policy file"
        raise SettingsError(
            [f"POLICY_FILE: {settings.policy_file} is not valid ({first}); run `privacy-desk policy check`"]
        ) from None


def build_fsm_storage(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        return RedisStorage.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        )
    return SqlStorage(session_factory)


def build_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    policy: Policy,
    *,
    storage: BaseStorage | None = None,
    languages: Languages | None = None,
    inflight: InFlight | None = None,
    policy_index: Any = None,
    directory: Any = None,
    email_verification: Any = ...,
    notifier: Notifier | None = None,
) -> Dispatcher:
    """The dispatcher with every router; services not given are built from the settings.

    email_verification: `...` builds it from SMTP_URL (None when no mailer: no email codes offered).
    """
    languages = languages or Languages()
    directory = directory if directory is not None else build_directory(settings)
    notifier = notifier or Notifier(staff_chat_id=settings.staff_chat_id, default_language=settings.default_locale)
    if email_verification is ...:
        mailer = build_mailer(settings, console=False)
        email_verification = (
            build_email_verification(settings, session_factory, directory, mailer) if mailer else None
        )
    dispatcher = Dispatcher(
        storage=storage or build_fsm_storage(settings, session_factory),
        settings=settings,
        policy=policy,
        policy_index=policy_index if policy_index is not None else build_index(policy),
        languages=languages,
        session_factory=session_factory,
        directory=directory,
        email_verification=email_verification,
        notifier=notifier,
        cipher=cipher_from_settings(settings),
    )
    install_staff_desk(dispatcher, settings, session_factory)
    if inflight is not None:
        dispatcher.update.outer_middleware(inflight)
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_factory))
    LocaleMiddleware(build_i18n(settings.default_locale), languages).setup(dispatcher)
    dispatcher.include_routers(*build_routers(settings))
    run_filters_inline(dispatcher)
    return dispatcher


async def build_app(settings: Settings, *, apply_migrations: bool = True, console: bool = False) -> App:
    """Open the database (migrated to the latest schema), read the policy, build the dispatcher.

    console=True prints verification emails instead of sending them (the local console).
    """
    policy = read_policy(settings)
    try:
        directory = await open_directory(settings)
        mailer = build_mailer(settings, console=console)
    except (DirectoryError, MailerError) as exc:
        raise SettingsError([str(exc)]) from None
    try:
        engine = create_engine(settings.database_url)
    except OSError as exc:
        raise SettingsError(
            [f"DATABASE_URL: cannot create the database's directory ({exc.strerror}: {exc.filename})"]
        ) from None
    try:
        if apply_migrations:
            await migrate.upgrade(engine)
    except Exception as exc:
        await engine.dispose()
        raise SettingsError([f"DATABASE_URL: cannot open the database ({type(exc).__name__}: {exc})"]) from None
    session_factory = create_session_factory(engine)
    languages = Languages()
    inflight = InFlight()
    email_verification = (
        build_email_verification(settings, session_factory, directory, mailer) if mailer else None
    )
    dispatcher = build_dispatcher(
        settings, session_factory, policy, languages=languages, inflight=inflight, directory=directory,
        email_verification=email_verification,
    )  # fmt: skip
    return App(settings, engine, session_factory, policy, dispatcher, inflight, languages)


def create_bot(settings: Settings, token: str, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


async def register_commands(bot: Bot) -> None:
    """The command menu in each language (Telegram shows the one matching the user's app)."""
    for lang in LANGUAGES:
        gettext = gettext_for(lang)
        commands = [BotCommand(command=name, description=gettext(text)) for name, text in BOT_COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)
    english = gettext_for("en")
    await bot.set_my_commands(
        [BotCommand(command=name, description=english(text)) for name, text in BOT_COMMANDS],
        scope=BotCommandScopeDefault(),
    )
