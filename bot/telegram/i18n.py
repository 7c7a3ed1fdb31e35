"""aiogram i18n built from `.po` files, and the middleware that picks each update's language.

The language is the one the person chose with /language (kept in the database, never in FSM data,
which `state.clear()` would wipe), else Telegram's `language_code`, else DEFAULT_LOCALE.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware

from bot.i18n import LANGUAGES, LOCALES_DIR, translations
from bot.subjects import Languages

# Telegram clients that report these languages are shown Russian until the person chooses.
RUSSIAN_FIRST = frozenset({"ru", "be", "kk"})


class PoI18n(I18n):
    """aiogram's I18n, fed from the `.po` catalogues compiled in memory at start-up."""

    def find_locales(self):  # type: ignore[override]
        return {lang: translations(lang) for lang in LANGUAGES}


# aiogram keeps "the current I18n" in a context variable per class, and `gettext as _` reads I18n's:
# the subclass must share it, or `_()` raises "I18n context is not set".
PoI18n._ContextInstanceMixin__context_instance = I18n._ContextInstanceMixin__context_instance  # type: ignore[attr-defined]


def build_i18n(default_locale: str) -> PoI18n:
    return PoI18n(path=LOCALES_DIR, default_locale=default_locale, domain="messages")


def language_from_telegram(user: User | None, default: str) -> str:
    code = (user.language_code or "").lower().split("-")[0] if user else ""
    if code in LANGUAGES:
        return code
    if code in RUSSIAN_FIRST:
        return "ru"
    return default


class LocaleMiddleware(I18nMiddleware):
    def __init__(self, i18n: I18n, languages: Languages) -> None:
        super().__init__(i18n)
        self.languages = languages

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        session = data.get("session")
        if user is not None and session is not None:
            chosen = await self.languages.chosen(session, user.id)
            if chosen in LANGUAGES:
                return chosen
        return language_from_telegram(user, self.i18n.default_locale)
