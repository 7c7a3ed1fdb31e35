"""Field encryption (DATA_KEY) and keyed hashes (SECRET_KEY)."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from bot import crypto
from bot.crypto import CryptoError, FieldCipher, KeyedHash, generate_data_key, keyed_hash_from_settings


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(crypto, "_warned", {"data_key": False, "secret_key": False})


def test_round_trip_hides_the_value():
    cipher = FieldCipher(SecretStr(generate_data_key()))
    stored = cipher.encrypt("Anna.Keller@example.com — пишите")
    assert "Anna.Keller" not in stored
    assert stored.startswith("fernet:")
    assert cipher.decrypt(stored) == "Anna.Keller@example.com — пишите"


def test_same_value_encrypts_differently_each_time():
    cipher = FieldCipher(generate_data_key())
    assert cipher.encrypt("x@example.com") != cipher.encrypt("x@example.com")


def test_without_key_values_pass_through_and_it_warns_once(fresh_warnings, caplog):
    with caplog.at_level(logging.WARNING, logger="privacy_desk.crypto"):
        first = FieldCipher(None)
        FieldCipher("")
    assert not first.enabled
    assert first.encrypt("a@example.com") == "a@example.com"
    assert first.decrypt("a@example.com") == "a@example.com"
    warnings = [record for record in caplog.records if "DATA_KEY" in record.getMessage()]
    assert len(warnings) == 1


def test_values_written_before_the_key_was_set_are_still_readable():
    plain = FieldCipher(None).encrypt("old@example.com")
    assert FieldCipher(generate_data_key()).decrypt(plain) == "old@example.com"


def test_wrong_key_fails_clearly():
    stored = FieldCipher(generate_data_key()).encrypt("a@example.com")
    with pytest.raises(CryptoError, match="DATA_KEY: cannot decrypt"):
        FieldCipher(generate_data_key()).decrypt(stored)


def test_encrypted_value_without_a_key_fails_clearly():
    stored = FieldCipher(generate_data_key()).encrypt("a@example.com")
    with pytest.raises(CryptoError, match="DATA_KEY: is not set"):
        FieldCipher(None).decrypt(stored)


def test_a_key_that_is_not_fernet_is_refused_in_one_line():
    with pytest.raises(CryptoError, match="DATA_KEY: is not a Fernet key") as caught:
        FieldCipher("correct horse battery staple")
    assert "\n" not in str(caught.value)


def test_rotation_new_key_first_still_reads_old_values():
    old, new = generate_data_key(), generate_data_key()
    stored = FieldCipher(old).encrypt("a@example.com")
    rotated = FieldCipher(f"{new},{old}")
    assert rotated.decrypt(stored) == "a@example.com"
    assert FieldCipher(new).decrypt(rotated.encrypt("b@example.com")) == "b@example.com"


def test_keyed_hash_depends_on_key_and_on_part_boundaries():
    first = KeyedHash("k1")
    assert first("email", "a@example.com") == KeyedHash(SecretStr("k1"))("email", "a@example.com")
    assert first("email", "a@example.com") != KeyedHash("k2")("email", "a@example.com")
    assert first("ab", "c") != first("a", "bc")
    assert first.matches(first("code", "123456"), "code", "123456")
    assert not first.matches(first("code", "123456"), "code", "123457")


def test_missing_secret_key_gives_a_random_key_with_a_warning(fresh_warnings, caplog):
    class Settings:
        secret_key = None
        data_key = None

    with caplog.at_level(logging.WARNING, logger="privacy_desk.crypto"):
        one = keyed_hash_from_settings(Settings())
        two = keyed_hash_from_settings(Settings())
    assert one("x") != two("x")
    assert sum("SECRET_KEY" in record.getMessage() for record in caplog.records) == 1


def test_empty_secret_key_is_refused():
    with pytest.raises(CryptoError, match="SECRET_KEY"):
        KeyedHash(" ")
