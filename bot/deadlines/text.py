"""Explanations kept as structured, translatable parts and rendered in the reader's language later.

The engine is pure and has no language: it records `Msg(msgid, params)` with msgids marked by `N_()`;
`render` translates the msgid first and fills `{name}` placeholders afterwards, so a translation can
move them around. Dates are shown as ISO `YYYY-MM-DD`, which staff read the same in every language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

Gettext = Callable[[str], str]


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


def _value(value: Any, gettext: Gettext) -> str:
    if isinstance(value, Msg):
        return render(value, gettext)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(_value(item, gettext) for item in value)
    return str(value)


def render(message: Msg, gettext: Gettext = identity) -> str:
    params = {name: _value(value, gettext) for name, value in message.params}
    return gettext(message.msgid).format(**params)


def render_all(messages: Iterable[Msg], gettext: Gettext = identity) -> str:
    return " ".join(render(m, gettext) for m in messages)
