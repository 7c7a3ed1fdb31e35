"""Composition root: the only place that wires settings, storage, policy, i18n and routers together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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
from bot.i18n import LANGUAGES, N_, gettext_for
from bot.policy import Policy, PolicyError, load_policy
from bot.policy.answer import build_index
from bot.subjects import Languages
from bot.telegram.fsm_storage import SqlStorage
from bot.telegram.i18n import LocaleMiddleware, build_i18n
from bot.telegram.inflight import InFlight
from bot.telegram.middlewares import DbSessionMiddleware
from handlers import build_routers
from storage import migrate
from storage.engine import create_engine, create_session_factory

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 25.0

# (command, description) registered with Telegram, in the menu's order.
BOT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Main menu")),
    ("help", N_("What this bot can do")),
    ("ask", N_("Ask a question about your data")),
    ("policy", N_("Browse the privacy policy")),
    ("language", N_("Choose the language")),
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
        await self.dispatcher.storage.close()
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
) -> Dispatcher:
    languages = languages or Languages()
    dispatcher = Dispatcher(
        storage=storage or build_fsm_storage(settings, session_factory),
        settings=settings,
        policy=policy,
        policy_index=build_index(policy),
        languages=languages,
        session_factory=session_factory,
    )
    if inflight is not None:
        dispatcher.update.outer_middleware(inflight)
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_factory))
    LocaleMiddleware(build_i18n(settings.default_locale), languages).setup(dispatcher)
    dispatcher.include_routers(*build_routers(settings))
    return dispatcher


async def build_app(settings: Settings, *, apply_migrations: bool = True) -> App:
    """Open the database (migrated to the latest schema), read the policy, build the dispatcher."""
    policy = read_policy(settings)
    engine = create_engine(settings.database_url)
    try:
        if apply_migrations:
            await migrate.upgrade(engine)
    except Exception as exc:
        await engine.dispose()
        raise SettingsError([f"DATABASE_URL: cannot open the database ({type(exc).__name__}: {exc})"]) from None
    session_factory = create_session_factory(engine)
    languages = Languages()
    inflight = InFlight()
    dispatcher = build_dispatcher(settings, session_factory, policy, languages=languages, inflight=inflight)
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
