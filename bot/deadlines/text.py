"""Explanations kept as structured, translatable parts and rendered in the reader's language later.

The engine is pure and has no language: it records `Msg(msgid, params)` with msgids marked by `N_()`;
`render` translates the msgid first and fills `{name}` placeholders afterwards, so a translation can
move them around. Dates are ISO `YYYY-MM-DD` unless the caller passes `format_date` (e.g. Babel's
`format_date(d, locale=lang)` in the bot), so the engine itself needs no locale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

Gettext = Callable[[str], str]
DateFormat = Callable[[date], str]


def identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Msg:
    """A marked message and its parameters (str, int, date, Msg, or a tuple of those: a list)."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, msgid: str, **params: Any) -> Msg:
        return cls(msgid, tuple(params.items()))


def _value(value: Any, gettext: Gettext, format_date: DateFormat | None) -> str:
    if isinstance(value, Msg):
        return render(value, gettext, format_date)
    if isinstance(value, date):
        return format_date(value) if format_date else value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(_value(item, gettext, format_date) for item in value)
    return str(value)


def render(message: Msg, gettext: Gettext = identity, format_date: DateFormat | None = None) -> str:
    params = {name: _value(value, gettext, format_date) for name, value in message.params}
    text = gettext(message.msgid).format(**params)
    # A long date that ends in an abbreviation ("6 апреля 2027 г.") must not get a second full stop.
    return text.replace("..", ".") if ".." in text and "..." not in text else text


def render_all(messages: Iterable[Msg], gettext: Gettext = identity, format_date: DateFormat | None = None) -> str:
    return " ".join(render(m, gettext, format_date) for m in messages)
