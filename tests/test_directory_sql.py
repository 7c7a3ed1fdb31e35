"""Account directory: none, and sql on the demo database; bad configuration fails at start in one line."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.cli import main as cli_main
from bot.config import SettingsError, load_settings
from bot.demo_data import ACCOUNTS, create_demo_data, ensure_demo_data
from bot.directory import (
    Account,
    AccountDirectory,
    DirectoryError,
    NoDirectory,
    SqlDirectory,
    build_directory,
    open_directory,
)
from bot.directory.sql import create_readonly_engine


def _settings(**values):
    """Settings from the given values only: the developer's `.env` must not change a test."""
    return load_settings(_env_file=None, **values)


@pytest.fixture
def demo(tmp_path):
    return create_demo_data(tmp_path / "accounts.db")


@pytest.fixture
async def directory(demo):
    settings = _settings(**{key.lower(): value for key, value in demo.settings().items()})
    found = await open_directory(settings)
    yield found
    await found.aclose()


def _write_map(path, body: str):
    path.write_text(body, encoding="utf-8")
    return path


async def _open(url: str, map_path) -> SqlDirectory:
    settings = _settings(directory="sql", directory_url=url, directory_map=str(map_path))
    return await open_directory(settings)


async def test_none_directory_finds_nobody():
    directory = build_directory(_settings(directory="none"))
    assert isinstance(directory, NoDirectory)
    assert isinstance(directory, AccountDirectory)
    assert await directory.find_by_telegram_id(100001) is None
    assert await directory.find_by_email("anna.keller@example.com") is None


async def test_console_default_users_are_linked(directory):
    assert isinstance(directory, AccountDirectory)
    first = await directory.find_by_telegram_id(100001)
    second = await directory.find_by_telegram_id(100002)
    assert first == Account("vl_0001", "anna.keller@example.com", 100001)
    assert second is not None and second.account_id == "vl_0002"
    assert await directory.find_by_telegram_id(999999) is None


async def test_email_lookup_trims_and_ignores_case(directory):
    assert (await directory.find_by_email("  ANNA.Keller@Example.com ")).account_id == "vl_0001"
    stored_messy = await directory.find_by_email(
        "tom.baker@example.co.uk"
    )  # stored as " Tom.Baker@Example.co.uk "
    assert stored_messy is not None and stored_messy.account_id == "vl_0004"
    assert stored_messy.telegram_user_id is None
    assert await directory.find_by_email("nobody@example.com") is None
    assert await directory.find_by_email("   ") is None


def test_demo_data_has_twenty_accounts_some_linked(demo):
    with closing(sqlite3.connect(demo.database)) as connection:
        rows = connection.execute("SELECT id, telegram_user_id FROM accounts").fetchall()
    assert len(rows) == len(ACCOUNTS) == 20
    linked = {telegram for _, telegram in rows if telegram is not None}
    assert {100001, 100002} <= linked
    assert 0 < len(linked) < 20
    assert demo.mapping.is_file()


async def test_directory_connection_refuses_writes(demo):
    engine = create_readonly_engine(demo.directory_url)
    try:
        with pytest.raises(OperationalError):
            async with engine.begin() as connection:
                await connection.execute(text("DELETE FROM accounts"))
    finally:
        await engine.dispose()
    with closing(sqlite3.connect(demo.database)) as connection:
        assert connection.execute("SELECT count(*) FROM accounts").fetchone()[0] == 20


async def test_missing_table_is_one_clear_error(demo, tmp_path):
    bad = _write_map(tmp_path / "m.yaml", "table: users\ncolumns: {account_id: id, email: email}\n")
    with pytest.raises(DirectoryError, match="table 'users' does not exist") as caught:
        await _open(demo.directory_url, bad)
    assert "\n" not in str(caught.value)


async def test_missing_column_names_it_and_lists_the_real_ones(demo, tmp_path):
    bad = _write_map(
        tmp_path / "m.yaml",
        "table: accounts\ncolumns: {account_id: id, email: mail, telegram_id: telegram_user_id}\n",
    )
    with pytest.raises(DirectoryError, match=r"column 'mail' is not in table 'accounts' \(it has: .*email"):
        await _open(demo.directory_url, bad)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("table: [\n", "not valid YAML"),
        ("- accounts\n", "expected keys table and columns"),
        ("table: accounts\ncolumns: {account_id: id, email: email}\nfilter: x\n", "unknown key 'filter'"),
        ("table: accounts\ncolumns: {account_id: id, phone: phone}\n", "unknown column key 'phone'"),
        (
            "table: accounts\ncolumns: {account_id: id}\n",
            "at least one of columns.email and columns.telegram_id",
        ),
        ("table: ''\ncolumns: {account_id: id, email: email}\n", "table must be a table or column name"),
        ("table: accounts\n", "columns must map"),
    ],
)
def test_bad_mapping_files_are_one_line_each(tmp_path, demo, body, message):
    path = _write_map(tmp_path / "m.yaml", body)
    settings = _settings(directory="sql", directory_url=demo.directory_url, directory_map=str(path))
    with pytest.raises(DirectoryError, match=message) as caught:
        build_directory(settings)
    assert str(caught.value).startswith("DIRECTORY_MAP: ")


def test_missing_files_are_named(tmp_path, demo):
    settings = _settings(
        directory="sql", directory_url=demo.directory_url, directory_map=str(tmp_path / "no.yaml")
    )
    with pytest.raises(DirectoryError, match="DIRECTORY_MAP: no such file"):
        build_directory(settings)
    missing_db = f"sqlite+aiosqlite:///{tmp_path / 'absent.db'}"
    settings = _settings(directory="sql", directory_url=missing_db, directory_map=str(demo.mapping))
    with pytest.raises(DirectoryError, match="DIRECTORY_URL: no database file"):
        build_directory(settings)
    assert not (tmp_path / "absent.db").exists()


def test_sql_directory_needs_url_and_map():
    with pytest.raises(SettingsError, match="DIRECTORY_URL and DIRECTORY_MAP must be set"):
        _settings(directory="sql")
    with pytest.raises(SettingsError, match="DIRECTORY: must be none or sql"):
        _settings(directory="ldap")
    with pytest.raises(SettingsError, match="DIRECTORY_URL: names no async driver"):
        _settings(directory_url="sqlite:///accounts.db")


async def test_text_telegram_ids_and_a_table_without_telegram_column(tmp_path):
    database = tmp_path / "other.db"
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("CREATE TABLE members (uid INTEGER PRIMARY KEY, mail TEXT, tg TEXT)")
        connection.execute("INSERT INTO members VALUES (7, 'Eve@Example.org', '555001')")
    url = f"sqlite+aiosqlite:///{database}"
    with_tg = await _open(
        url,
        _write_map(
            tmp_path / "a.yaml", "table: members\ncolumns: {account_id: uid, email: mail, telegram_id: tg}\n"
        ),
    )
    try:
        assert await with_tg.find_by_telegram_id(555001) == Account("7", "Eve@Example.org", 555001)
    finally:
        await with_tg.aclose()
    email_only = await _open(
        url, _write_map(tmp_path / "b.yaml", "table: members\ncolumns: {account_id: uid, email: mail}\n")
    )
    try:
        assert await email_only.find_by_telegram_id(555001) is None
        assert await email_only.find_by_email("eve@example.org") == Account("7", "Eve@Example.org", None)
    finally:
        await email_only.aclose()


def test_demo_data_command_prints_the_settings(tmp_path, capsys):
    path = tmp_path / "sub" / "demo.db"
    assert cli_main(["demo-data", "--path", str(path)]) == 0
    out = capsys.readouterr().out
    assert "DIRECTORY=sql" in out
    assert f"DIRECTORY_URL=sqlite+aiosqlite:///{path}" in out
    assert f"DIRECTORY_MAP={tmp_path / 'sub' / 'demo.map.yaml'}" in out
    assert cli_main(["demo-data", "--path", str(path)]) == 0  # a demo database is simply rebuilt


def test_demo_data_never_overwrites_another_file(tmp_path, capsys):
    precious = tmp_path / "precious.db"
    precious.write_bytes(b"real data")
    assert cli_main(["demo-data", "--path", str(precious)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert precious.read_bytes() == b"real data"


def test_ensure_demo_data_reuses_an_existing_database(tmp_path):
    first = ensure_demo_data(tmp_path / "d.db")
    stamp = first.database.stat().st_mtime_ns
    assert ensure_demo_data(tmp_path / "d.db") == first
    assert first.database.stat().st_mtime_ns == stamp
