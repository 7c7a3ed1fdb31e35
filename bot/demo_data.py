"""A sample Velluto-like account database for the console and for trying DIRECTORY=sql.

Twenty accounts on reserved example domains, some signed in with Telegram: ids 100001 and 100002 are
the console's default users, so they are verified by Telegram id at once. A few emails have stray
spaces and capitals, as real sign-up data does, to show that lookups trim and ignore case.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path("data/demo-accounts.db")

# (account id, email, Telegram user id or None, plan, country, created)
ACCOUNTS: tuple[tuple[str, str, int | None, str, str, str], ...] = (
    ("vl_0001", "anna.keller@example.com", 100001, "creator", "DE", "2025-02-11"),
    ("vl_0002", "ivan.petrov@example.org", 100002, "free", "KZ", "2025-03-02"),
    ("vl_0003", "marie.dubois@example.net", None, "pro", "FR", "2025-03-19"),
    ("vl_0004", " Tom.Baker@Example.co.uk ", None, "free", "GB", "2025-04-07"),
    ("vl_0005", "lucia.romero@example.com", 100005, "creator", "ES", "2025-04-21"),
    ("vl_0006", "j.smith@example.com", None, "business", "US", "2025-05-03"),
    ("vl_0007", "olga.sokolova@example.org", 100007, "free", "KZ", "2025-05-30"),
    ("vl_0008", "PAULO.SILVA@EXAMPLE.COM", None, "pro", "BR", "2025-06-14"),
    ("vl_0009", "emma.lind@example.net", 100009, "creator", "SE", "2025-07-01"),
    ("vl_0010", "noah.miller@example.com", None, "free", "US", "2025-07-18"),
    ("vl_0011", "sofia.bianchi@example.it", 100011, "pro", "IT", "2025-08-05"),
    ("vl_0012", "k.nowak@example.pl", None, "free", "PL", "2025-08-22"),
    ("vl_0013", "lea.muller@example.ch", None, "business", "CH", "2025-09-09"),
    ("vl_0014", "aigerim.n@example.kz", 100014, "free", "KZ", "2025-09-27"),
    ("vl_0015", "daniel.cohen@example.com", None, "creator", "US", "2025-10-12"),
    ("vl_0016", "Chloe.Martin@example.fr", None, "free", "FR", "2025-10-30"),
    ("vl_0017", "ryan.oconnor@example.ie", 100017, "pro", "IE", "2025-11-16"),
    ("vl_0018", "mia.schneider@example.at", None, "free", "AT", "2026-01-08"),
    ("vl_0019", "lucas.santos@example.com.br", None, "creator", "BR", "2026-02-23"),
    ("vl_0020", "voice.studio@example.com", 100020, "business", "US", "2026-03-15"),
)

MAPPING_YAML = """\
# privacy-desk account directory mapping for the demo database (DIRECTORY_MAP)
table: accounts
columns:
  account_id: id
  email: email
  telegram_id: telegram_user_id
"""


class DemoDataError(Exception):
    """The demo database cannot be written where asked; one readable line."""


@dataclass(frozen=True, slots=True)
class DemoPaths:
    database: Path
    mapping: Path

    @property
    def directory_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.database}"

    def settings(self) -> dict[str, str]:
        """The settings that connect the bot to this database (for `.env` or `with_fields`)."""
        return {"DIRECTORY": "sql", "DIRECTORY_URL": self.directory_url, "DIRECTORY_MAP": str(self.mapping)}


def mapping_path_for(database: Path) -> Path:
    return database.with_name(database.stem + ".map.yaml")


def _is_demo_database(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='privacy_desk_demo'"
            ).fetchone()
        return row is not None
    except sqlite3.DatabaseError:
        return False


def create_demo_data(path: str | Path = DEFAULT_PATH, *, force: bool = False) -> DemoPaths:
    """Write the demo accounts database and its mapping; an existing demo database is replaced.

    Any other existing file is left alone unless `force`, so a mistyped path never wipes real data.
    """
    database = Path(path).expanduser().resolve()
    mapping = mapping_path_for(database)
    if database.exists():
        if not force and not _is_demo_database(database):
            raise DemoDataError(f"{database} exists and is not a demo database; use --force to replace it")
        database.unlink()
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database)) as connection, connection:
            connection.executescript(
                """
                CREATE TABLE privacy_desk_demo (note TEXT);
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    telegram_user_id INTEGER UNIQUE,
                    plan TEXT NOT NULL,
                    country TEXT NOT NULL,
                    created_on TEXT NOT NULL
                );
                """
            )
            connection.execute("INSERT INTO privacy_desk_demo VALUES ('sample accounts for privacy-desk')")
            connection.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?)", ACCOUNTS)
        mapping.write_text(MAPPING_YAML, encoding="utf-8")
    except (OSError, sqlite3.Error) as exc:
        raise DemoDataError(f"cannot write the demo database at {database}: {exc}") from None
    return DemoPaths(database=database, mapping=mapping)


def ensure_demo_data(path: str | Path = DEFAULT_PATH) -> DemoPaths:
    """The demo database, created on first use (the console calls this)."""
    database = Path(path).expanduser().resolve()
    mapping = mapping_path_for(database)
    if database.is_file() and mapping.is_file() and _is_demo_database(database):
        return DemoPaths(database=database, mapping=mapping)
    return create_demo_data(database)
