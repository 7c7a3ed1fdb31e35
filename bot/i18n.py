"""Translations loaded from the `.po` files at start-up with Babel: no compiled `.mo` in git, no build step.

Every `.po` file in `locales/<lang>/LC_MESSAGES/` is merged into one catalogue per language, so each
feature keeps its own file (`core.po`, `deadlines.po`, `policy.po`, ...) and edits never collide.
Pure code marks its texts with `N_()` and takes a `gettext` callable to render them; handlers use
aiogram's `_()` through the middleware in `bot/telegram/i18n.py`.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES: tuple[str, ...] = ("en", "ru")
DOMAIN = "messages"

Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - the conventional name, known to the extractor
    """Mark a text for translation without translating it now."""
    return message


def po_files(lang: str, locales_dir: Path = LOCALES_DIR) -> list[Path]:
    return sorted((locales_dir / lang / "LC_MESSAGES").glob("*.po"))


def load_catalog(lang: str, locales_dir: Path = LOCALES_DIR):
    """Every `.po` of one language merged into one Babel catalogue (later files do not override)."""
    merged = None
    for path in po_files(lang, locales_dir):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


def build_translations(lang: str, locales_dir: Path = LOCALES_DIR) -> _gettext.GNUTranslations:
    """Compile one language's `.po` files in memory into a GNUTranslations object."""
    catalog = load_catalog(lang, locales_dir)
    buffer = BytesIO()
    if catalog is None:
        from babel.messages.catalog import Catalog

        catalog = Catalog(locale=lang)
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def translations(lang: str) -> _gettext.GNUTranslations:
    return build_translations(lang)


def gettext_for(lang: str) -> Gettext:
    """A `gettext` callable for pure code that renders text outside a Telegram update (CLI, jobs)."""
    if lang not in LANGUAGES:
        lang = LANGUAGES[0]
    return translations(lang).gettext
