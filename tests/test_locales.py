"""Both languages complete: every text the code marks is in the catalogues, translated, not fuzzy, and
no catalogue entry is left over from code that is gone."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, gettext_for, po_files
from bot.i18n_check import check

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+>")


def test_catalogues_are_complete_and_up_to_date():
    problems = check().problems()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_keep_placeholders_and_markup(lang):
    broken = []
    for path in po_files(lang):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if not message.id or isinstance(message.id, tuple):
                    continue
                if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
                    broken.append(f"{path.name}: placeholders differ: {message.id!r}")
                if sorted(TAG.findall(message.id)) != sorted(TAG.findall(message.string)):
                    broken.append(f"{path.name}: HTML tags differ: {message.id!r}")
    assert broken == [], "\n".join(broken)


def test_russian_is_really_used():
    assert gettext_for("ru")("Make a request") == "Подать запрос"
    assert gettext_for("en")("Make a request") == "Make a request"
