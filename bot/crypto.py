"""Field encryption at rest (DATA_KEY, Fernet) and keyed hashes (SECRET_KEY, HMAC-SHA256).

Encrypted values carry a `fernet:` prefix, so a value written before a key was configured is still read
back as it is, and a value that needs a key is never mistaken for plain text. Without DATA_KEY the cipher
passes values through and warns once: a small instance may run without it, but the operator must know.
DATA_KEY may hold several comma-separated keys for rotation: the first encrypts, any of them decrypts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

log = logging.getLogger("privacy_desk.crypto")

PREFIX = "fernet:"
_warned = {"data_key": False, "secret_key": False}


class CryptoError(Exception):
    """A key or a stored value that cannot be used; the message is one readable line."""


def _secret(value: str | SecretStr | bytes | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    value = value.strip()
    return value or None


def generate_data_key() -> str:
    """A fresh DATA_KEY value (what `Fernet.generate_key()` gives, as text)."""
    return Fernet.generate_key().decode("ascii")


class FieldCipher:
    """Encrypts and decrypts one text field at a time; a pass-through when no key is configured."""

    def __init__(self, data_key: str | SecretStr | bytes | None) -> None:
        text = _secret(data_key)
        if text is None:
            self._fernet: MultiFernet | None = None
            if not _warned["data_key"]:
                _warned["data_key"] = True
                log.warning("DATA_KEY is not set: contact emails and free text are stored unencrypted")
            return
        keys = [part.strip() for part in text.split(",") if part.strip()]
        try:
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
        except (ValueError, UnicodeEncodeError):
            raise CryptoError(
                "DATA_KEY: is not a Fernet key (32 url-safe base64 bytes); "
                'generate one with: python -c "from bot.crypto import generate_data_key as g; print(g())"'
            ) from None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, value: str) -> str:
        if self._fernet is None:
            return value
        return PREFIX + self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, value: str) -> str:
        if not value.startswith(PREFIX):
            return value  # written before a key was configured
        if self._fernet is None:
            raise CryptoError("DATA_KEY: is not set, but the database holds values encrypted with one")
        try:
            return self._fernet.decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise CryptoError(
                "DATA_KEY: cannot decrypt a stored value; the key differs from the one it was encrypted with"
            ) from None


class KeyedHash:
    """HMAC-SHA256 of one or more text parts, hex; parts are length-prefixed so ("ab","c") != ("a","bc")."""

    def __init__(self, secret_key: str | SecretStr | bytes) -> None:
        text = _secret(secret_key)
        if text is None:
            raise CryptoError("SECRET_KEY: is empty")
        self._key = text.encode("utf-8")

    def __call__(self, *parts: str) -> str:
        message = b"".join(f"{len(part)}:".encode() + part.encode("utf-8") for part in parts)
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def matches(self, digest: str, *parts: str) -> bool:
        """Constant-time comparison of a stored digest with the hash of `parts`."""
        return hmac.compare_digest(digest.encode("ascii"), self(*parts).encode("ascii"))


class _HasKeys(Protocol):
    secret_key: SecretStr | None
    data_key: SecretStr | None


def keyed_hash_from_settings(settings: _HasKeys) -> KeyedHash:
    """The SECRET_KEY hash; without SECRET_KEY a random per-process key (pending codes die with the process)."""
    if settings.secret_key is not None and _secret(settings.secret_key):
        return KeyedHash(settings.secret_key)
    if not _warned["secret_key"]:
        _warned["secret_key"] = True
        log.warning("SECRET_KEY is not set: using a random key for this process only; set it in production")
    return KeyedHash(secrets.token_hex(32))


def cipher_from_settings(settings: _HasKeys) -> FieldCipher:
    return FieldCipher(settings.data_key)


__all__ = [
    "CryptoError",
    "FieldCipher",
    "KeyedHash",
    "cipher_from_settings",
    "generate_data_key",
    "keyed_hash_from_settings",
]
