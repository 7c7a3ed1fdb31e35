"""Deadline texts are complete in en and ru, and explanations render in Russian."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.deadlines import PolicyPromise, Regime, compute, render_explanation, render_warnings
from bot.i18n import gettext_for
from bot.kinds import RequestKind as K

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def marked_texts() -> set[str]:
    keywords = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
    found = extract_from_dir(str(ROOT / "bot" / "deadlines"), method_map=[("**.py", "python")], keywords=keywords)
    return {message for _file, _line, message, _comments, _context in found}


def catalog(lang: str):
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "deadlines.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_marked_text_is_in_the_catalogue(lang):
    ids = {m.id for m in catalog(lang) if m.id}
    assert marked_texts() <= ids
    assert ids <= marked_texts(), "stale entries"


def test_russian_is_translated_with_the_same_placeholders():
    ru = catalog("ru")
    assert ru.locale.language == "ru"
    for message in ru:
        if not message.id:
            continue
        assert message.string and not message.fuzzy, message.id
        assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


CASES = [
    ("2024-11-25T12:00:00+00:00", [Regime.UK_GDPR, Regime.POLICY], K.ACCESS, {"paused_days": 2}),
    ("2027-01-31T12:00:00+00:00", [Regime.UK_GDPR, Regime.POLICY], K.ACCESS, {"extended": True}),
    ("2027-01-10T12:00:00+00:00", [Regime.UK_GDPR], K.ACCESS, {"clock_start": "2027-01-31T12:00:00+00:00"}),
    ("2027-01-10T12:00:00+00:00", [Regime.EU_GDPR], K.ACCESS, {"clock_start": "2027-01-31T12:00:00+00:00"}),
    ("2027-01-06T12:00:00-08:00", [Regime.CCPA], K.ACCESS, {"paused_days": 3, "extended": True}),
    ("2027-12-20T12:00:00-08:00", [Regime.CCPA, Regime.KZ], K.OPT_OUT_SALE, {"extended": True}),
    ("2027-03-19T12:00:00+05:00", [Regime.KZ, Regime.POLICY], K.ACCESS, {}),
    ("2027-03-19T12:00:00+05:00", [Regime.KZ], K.RESTRICTION, {"paused_days": 1}),
    ("2027-07-02T12:00:00+02:00", [Regime.CH_FADP], K.ACCESS, {"extended": True}),
    ("2027-04-06T12:00:00-03:00", [Regime.BR_LGPD], K.ACCESS, {}),
    ("2027-01-31T12:00:00-08:00", [Regime.CCPA, Regime.POLICY], K.VOICE_TAKEDOWN, {}),
    ("2027-01-31T12:00:00+00:00", [Regime.UK_GDPR, Regime.POLICY], K.VOICE_TAKEDOWN,
     {"verified_at": "2027-02-10T12:00:00+00:00"}),
]


@pytest.mark.parametrize(("received", "regimes", "kind", "options"), CASES)
def test_explanations_render_fully_in_russian(received, regimes, kind, options):
    options = {k: datetime.fromisoformat(v) if isinstance(v, str) else v for k, v in options.items()}
    promise = PolicyPromise(operator="velluto", standard_days=30, complex_days=90, voice_owner_days=30)
    result = compute(datetime.fromisoformat(received), kind, regimes, policy=promise, **options)
    ru = gettext_for("ru")
    texts = [render_explanation(result, ru), *render_warnings(result, ru)]
    # The English lead-in of every longer text (before its first placeholder) must not survive in Russian.
    english = {m.split("{")[0].strip() for m in marked_texts() if len(m) > 20} - {""}
    for text in texts:
        assert re.search("[а-я]", text)
        assert "{" not in text
        assert not [prefix for prefix in english if prefix in text]
    assert result.explanation == render_explanation(result)  # English by default


def test_dates_can_be_formatted_by_the_caller():
    from babel.dates import format_date

    result = compute(datetime.fromisoformat("2027-02-01T10:00:00+00:00"), K.ACCESS, [Regime.UK_GDPR, Regime.POLICY],
                     policy=PolicyPromise(operator="velluto", standard_days=30))
    text = render_explanation(result, gettext_for("ru"), lambda d: format_date(d, "long", locale="ru"))
    assert "1 марта 2027" in text and "2027-03-01" not in text
    warning = render_warnings(result, gettext_for("ru"), lambda d: format_date(d, "long", locale="ru"))[0]
    assert "3 марта 2027" in warning
