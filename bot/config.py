"""Settings from the environment and an optional `.env`, checked once at start.

The variable names are the public contract (README, `.env.example`). A bad value becomes one line
naming the variable (`SettingsError`), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.i18n import LANGUAGES

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/privacy-desk.db"
SUPPORTED_DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class SettingsError(Exception):
    """Configuration problems, one readable line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    staff_chat_id: int | None = None
    staff_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    policy_file: Path = Path("policies/velluto.yaml")
    default_locale: str = "en"
    operator_timezone: str = "UTC"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0:8080"
    secret_key: SecretStr | None = None
    data_key: SecretStr | None = None
    smtp_url: str | None = None
    email_from: str | None = None
    log_level: str = "INFO"
    reminder_days: Annotated[tuple[int, ...], NoDecode] = (7, 3, 1, 0)
    digest_time: str = "09:00"
    directory: Literal["none", "sql"] = "none"
    directory_url: str | None = None
    directory_map: Path | None = None

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value)
        head, _, tail = text.partition(":")
        if not head.isdigit() or len(tail) < 10:
            raise ValueError("does not look like a token from BotFather (digits:letters)")
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL; use e.g. sqlite+aiosqlite:///./data/privacy-desk.db "
                "or postgresql+asyncpg://user@host/db"
            ) from None
        if url.drivername not in SUPPORTED_DATABASE_DRIVERS:
            raise ValueError(
                f"driver {url.drivername!r} is not supported; use one of {', '.join(SUPPORTED_DATABASE_DRIVERS)}"
            )
        return value

    @field_validator("redis_url", "smtp_url", "email_from", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("directory", mode="before")
    @classmethod
    def _directory(cls, value: object) -> object:
        if value in (None, ""):
            return "none"
        text = str(value).strip().lower()
        if text not in ("none", "sql"):
            raise ValueError("must be none or sql (an account database reached through DIRECTORY_URL)")
        return text

    @field_validator("directory_url", "directory_map", mode="before")
    @classmethod
    def _directory_empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("directory_url")
    @classmethod
    def _directory_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL; use e.g. sqlite+aiosqlite:///./data/demo-accounts.db "
                "or postgresql+asyncpg://reader@host/accounts"
            ) from None
        if "+" not in url.drivername:
            raise ValueError(
                f"names no async driver ({url.drivername}); use e.g. sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _staff_chat(cls, value: object) -> object:
        if value in (None, ""):
            return None
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError("must be a number such as -1001234567890 (the staff group's chat id)") from None

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _staff_users(cls, value: object) -> object:
        if value in (None, ""):
            return frozenset()
        if isinstance(value, str):
            try:
                return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
            except ValueError:
                raise ValueError("must be comma-separated Telegram user ids, e.g. 11111,22222") from None
        return value

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _reminder_days(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                days = tuple(sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True))
            except ValueError:
                raise ValueError("must be comma-separated whole days, e.g. 7,3,1,0") from None
            if not days or min(days) < 0:
                raise ValueError("must be comma-separated whole days ≥ 0, e.g. 7,3,1,0")
            return days
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("operator_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA time zone such as Europe/Berlin") from None
        return value

    @field_validator("digest_time")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("must be a local time HH:MM, e.g. 09:00")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 0.0.0.0:8080")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set (Telegram sends it back in a header)")
        return self

    @model_validator(mode="after")
    def _sql_directory_needs_url_and_map(self) -> Settings:
        if self.directory == "sql":
            needed = {"DIRECTORY_URL": self.directory_url, "DIRECTORY_MAP": self.directory_map}
            missing = [name for name, value in needed.items() if value is None]
            if missing:
                raise ValueError(
                    f"{' and '.join(missing)} must be set when DIRECTORY=sql (see privacy-desk demo-data)"
                )
        return self

    @property
    def listen_host_port(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host, int(port)

    def policy_path(self) -> Path:
        return self.policy_file


def _problem_line(error: dict) -> str:
    location = error.get("loc") or ()
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if location:
        return f"{str(location[0]).upper()}: {message}"
    return message


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; raise SettingsError with one line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError([_problem_line(error) for error in exc.errors()]) from None


def require_token(settings: Settings) -> str:
    if settings.bot_token is None:
        raise SettingsError(["BOT_TOKEN: is not set; create a bot with @BotFather and put its token in BOT_TOKEN"])
    return settings.bot_token.get_secret_value()


def with_fields(settings: Settings, **changes: object) -> Settings:
    """A copy with some fields changed (tests, console)."""
    return settings.model_copy(update=changes)


__all__ = ["Settings", "SettingsError", "load_settings", "require_token", "DEFAULT_DATABASE_URL"]
