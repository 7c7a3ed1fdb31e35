"""Short public references such as `PD-7K3F9Q`: random, unguessable, easy to read aloud and retype.

The alphabet has no 0/O, 1/I/L: a reference read from a screen or dictated cannot be misread.
A reference is never a lookup key on its own: every requester lookup is also scoped to the subject.
"""

from __future__ import annotations

import re
import secrets

PREFIX = "PD-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6 ≈ 8.9e8 references

# Cyrillic letters that look like Latin ones, as a Russian keyboard types them.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_PATTERN = re.compile(rf"^(?:PD)?-?([{ALPHABET}]{{{LENGTH}}})$")


def new_reference(length: int = LENGTH) -> str:
    """A fresh random reference from the operating system's secure generator."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_reference(text: str) -> str | None:
    """The canonical form of what a person typed (`pd 7k3f9q`, `7K3F9Q`, Cyrillic lookalikes), or None."""
    cleaned = re.sub(r"[\s_]+", "", (text or "").upper()).translate(_LOOKALIKES)
    match = _PATTERN.match(cleaned)
    return PREFIX + match.group(1) if match else None


def is_reference(text: str) -> bool:
    return normalize_reference(text) == text
