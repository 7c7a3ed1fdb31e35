"""Settings: defaults, and one readable line naming the variable for each bad value."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DATABASE_URL, SettingsError, load_settings, require_token

KNOWN = (
    "BOT_TOKEN TELEGRAM_API_URL DATABASE_URL REDIS_URL STAFF_CHAT_ID STAFF_USER_IDS POLICY_FILE DEFAULT_LOCALE "
    "OPERATOR_TIMEZONE WEBHOOK_URL WEBHOOK_SECRET WEBHOOK_LISTEN SECRET_KEY DATA_KEY SMTP_URL EMAIL_FROM LOG_LEVEL"
).split()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in KNOWN:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here


def problems(monkeypatch, **env) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    return caught.value.problems


def test_defaults_need_nothing():
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.default_locale == "en"
    assert str(settings.policy_file) == "policies/velluto.yaml"
    assert settings.bot_token is None and settings.redis_url is None
    assert settings.reminder_days == (7, 3, 1, 0)


def test_values_are_parsed(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "123456:ABCdefGHIjklMNO")
    monkeypatch.setenv("STAFF_CHAT_ID", "-1001234567890")
    monkeypatch.setenv("STAFF_USER_IDS", "11, 22,33")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("REMINDER_DAYS", "1,7,3")
    settings = load_settings()
    assert require_token(settings) == "123456:ABCdefGHIjklMNO"
    assert settings.staff_chat_id == -1001234567890
    assert settings.staff_user_ids == frozenset({11, 22, 33})
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.reminder_days == (7, 3, 1)


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("STAFF_CHAT_ID=-100555\nDEFAULT_LOCALE=ru\n")
    settings = load_settings()
    assert settings.staff_chat_id == -100555 and settings.default_locale == "ru"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/db"}, "DATABASE_URL"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"STAFF_CHAT_ID": "the staff group"}, "STAFF_CHAT_ID"),
        ({"STAFF_USER_IDS": "alice,bob"}, "STAFF_USER_IDS"),
        ({"DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE"),
        ({"OPERATOR_TIMEZONE": "Mars/Olympus"}, "OPERATOR_TIMEZONE"),
        ({"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"REMINDER_DAYS": "7,soon"}, "REMINDER_DAYS"),
        ({"DIGEST_TIME": "25:00"}, "DIGEST_TIME"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(monkeypatch, env, variable):
    lines = problems(monkeypatch, **env)
    assert len(lines) == 1
    assert lines[0].startswith(f"{variable}: ")
    assert "\n" not in lines[0] and "Traceback" not in lines[0]


def test_several_problems_give_several_lines(monkeypatch):
    lines = problems(monkeypatch, DATABASE_URL="nonsense", STAFF_CHAT_ID="x")
    assert sorted(line.split(":")[0] for line in lines) == ["DATABASE_URL", "STAFF_CHAT_ID"]


def test_webhook_needs_a_secret(monkeypatch):
    lines = problems(monkeypatch, WEBHOOK_URL="https://bot.example.org")
    assert len(lines) == 1 and "WEBHOOK_SECRET" in lines[0]


def test_missing_token_names_bot_token():
    with pytest.raises(SettingsError) as caught:
        require_token(load_settings())
    assert caught.value.problems[0].startswith("BOT_TOKEN: ")
