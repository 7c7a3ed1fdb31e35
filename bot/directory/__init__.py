"""Account directory connectors: find the operator's account behind a Telegram id or an email.

`build_directory(settings)` picks the connector from DIRECTORY (none | sql); `open_directory(settings)`
also checks it, so a wrong table or column stops the start with one line instead of failing later.
"""

from __future__ import annotations

from bot.directory.base import Account, AccountDirectory, DirectoryError, normalize_email
from bot.directory.none import NoDirectory
from bot.directory.sql import DirectoryMapping, SqlDirectory, build_sql_directory, load_mapping


def build_directory(settings) -> NoDirectory | SqlDirectory:
    """The connector DIRECTORY names; raises DirectoryError (one line) on a bad URL or mapping file."""
    if settings.directory == "sql":
        if not settings.directory_url or not settings.directory_map:
            raise DirectoryError("DIRECTORY_URL and DIRECTORY_MAP must be set when DIRECTORY=sql")
        return build_sql_directory(settings.directory_url, settings.directory_map)
    return NoDirectory()


async def open_directory(settings) -> NoDirectory | SqlDirectory:
    """Build and check the directory (reflects the mapped table once)."""
    directory = build_directory(settings)
    await directory.check()
    return directory


__all__ = [
    "Account",
    "AccountDirectory",
    "DirectoryError",
    "DirectoryMapping",
    "NoDirectory",
    "SqlDirectory",
    "build_directory",
    "load_mapping",
    "normalize_email",
    "open_directory",
]
