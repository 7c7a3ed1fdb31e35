"""The account directory in any SQL database SQLAlchemy reaches asynchronously, mapped by a small YAML file.

The mapping names one table and its columns, so the operator's schema is used as it is:

    table: accounts
    schema: public          # optional
    columns:
      account_id: id
      email: email          # optional when accounts have no email
      telegram_id: tg_id    # optional when there is no Telegram sign-in

Only SELECTs are issued, and the connection itself is read-only where the driver allows (SQLite
`query_only`, PostgreSQL `default_transaction_read_only`). `check()` at start turns a wrong table or
column into one line naming the setting, instead of a failure in the middle of someone's request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import column as sql_column
from sqlalchemy import event, func, inspect, select
from sqlalchemy import table as sql_table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.directory.base import Account, DirectoryError, normalize_email

log = logging.getLogger("privacy_desk.directory")

MAPPING_KEYS = ("account_id", "email", "telegram_id")


@dataclass(frozen=True, slots=True)
class DirectoryMapping:
    table: str
    account_id: str
    email: str | None
    telegram_id: str | None
    schema: str | None = None


def _name(value: object, where: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DirectoryError(f"DIRECTORY_MAP: {path}: {where} must be a table or column name")
    return value.strip()


def load_mapping(path: str | Path) -> DirectoryMapping:
    """Read and check the mapping file; any problem is one DirectoryError line naming the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DirectoryError(f"DIRECTORY_MAP: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryError(f"DIRECTORY_MAP: cannot read {path}: {exc.__class__.__name__}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise DirectoryError(f"DIRECTORY_MAP: {path} is not valid YAML{line}") from None
    if not isinstance(data, dict):
        raise DirectoryError(f"DIRECTORY_MAP: {path}: expected keys table and columns")
    unknown = sorted(set(data) - {"table", "schema", "columns"})
    if unknown:
        raise DirectoryError(
            f"DIRECTORY_MAP: {path}: unknown key {unknown[0]!r} (expected table, schema, columns)"
        )
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise DirectoryError(
            f"DIRECTORY_MAP: {path}: columns must map account_id, email, telegram_id to column names"
        )
    unknown = sorted(set(columns) - set(MAPPING_KEYS))
    if unknown:
        raise DirectoryError(
            f"DIRECTORY_MAP: {path}: unknown column key {unknown[0]!r} (expected account_id, email, telegram_id)"
        )
    email = columns.get("email")
    telegram_id = columns.get("telegram_id")
    if email is None and telegram_id is None:
        raise DirectoryError(
            f"DIRECTORY_MAP: {path}: map at least one of columns.email and columns.telegram_id"
        )
    schema = data.get("schema")
    return DirectoryMapping(
        table=_name(data.get("table"), "table", path),
        schema=None if schema is None else _name(schema, "schema", path),
        account_id=_name(columns.get("account_id"), "columns.account_id", path),
        email=None if email is None else _name(email, "columns.email", path),
        telegram_id=None if telegram_id is None else _name(telegram_id, "columns.telegram_id", path),
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:200]


def create_readonly_engine(url: str) -> AsyncEngine:
    """An async engine that refuses writes where the driver lets us say so."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DirectoryError("DIRECTORY_URL: is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            if not Path(database).expanduser().is_file():
                raise DirectoryError(f"DIRECTORY_URL: no database file at {database}")
    connect_args: dict[str, Any] = {}
    if parsed.drivername == "postgresql+asyncpg":
        connect_args["server_settings"] = {"default_transaction_read_only": "on"}
    try:
        engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=backend != "sqlite")
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise DirectoryError(f"DIRECTORY_URL: cannot use this URL: {_first_line(exc)}") from None
    if backend == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _read_only(dbapi_connection, _record) -> None:  # pragma: no cover - exercised via tests
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

    return engine


class SqlDirectory:
    """Finds accounts with read-only SELECTs on the mapped table."""

    def __init__(self, engine: AsyncEngine, mapping: DirectoryMapping) -> None:
        self._engine = engine
        self._mapping = mapping
        self._table = None
        self._telegram_as_text = False

    @property
    def mapping(self) -> DirectoryMapping:
        return self._mapping

    async def check(self) -> None:
        """Reflect the table once; a missing table or column becomes one DirectoryError line."""
        mapping = self._mapping
        wanted = [name for name in (mapping.account_id, mapping.email, mapping.telegram_id) if name]

        def _columns(connection) -> dict[str, Any]:
            found = inspect(connection).get_columns(mapping.table, schema=mapping.schema)
            return {entry["name"]: entry["type"] for entry in found}

        try:
            async with self._engine.connect() as connection:
                columns = await connection.run_sync(_columns)
        except NoSuchTableError:
            raise DirectoryError(
                f"DIRECTORY_MAP: table {mapping.table!r} does not exist in the DIRECTORY_URL database"
            ) from None
        except (SQLAlchemyError, OSError) as exc:
            raise DirectoryError(
                f"DIRECTORY_URL: cannot read the account database: {_first_line(exc)}"
            ) from None
        if not columns:
            raise DirectoryError(
                f"DIRECTORY_MAP: table {mapping.table!r} does not exist in the DIRECTORY_URL database"
            )
        for name in wanted:
            if name not in columns:
                raise DirectoryError(
                    f"DIRECTORY_MAP: column {name!r} is not in table {mapping.table!r} "
                    f"(it has: {', '.join(sorted(columns))})"
                )
        if mapping.telegram_id:
            try:
                self._telegram_as_text = columns[mapping.telegram_id].python_type is str
            except NotImplementedError:
                self._telegram_as_text = False
        self._table = sql_table(mapping.table, *(sql_column(name) for name in wanted), schema=mapping.schema)

    async def _select(self, condition_for) -> Account | None:
        if self._table is None:
            await self.check()
        table = self._table
        mapping = self._mapping
        columns = [table.c[mapping.account_id]]
        columns.append(table.c[mapping.email] if mapping.email else None)
        columns.append(table.c[mapping.telegram_id] if mapping.telegram_id else None)
        statement = (
            select(*(column for column in columns if column is not None))
            .where(condition_for(table))
            .order_by(table.c[mapping.account_id])
            .limit(1)
        )
        try:
            async with self._engine.connect() as connection:
                row = (await connection.execute(statement)).first()
        except (SQLAlchemyError, OSError) as exc:
            log.error("account directory query failed: %s", exc.__class__.__name__)
            raise DirectoryError(f"DIRECTORY_URL: account lookup failed: {exc.__class__.__name__}") from None
        if row is None:
            return None
        values = iter(row)
        account_id = next(values)
        email = next(values) if mapping.email else None
        telegram = next(values) if mapping.telegram_id else None
        return Account(
            account_id=str(account_id),
            email=None if email is None else str(email).strip(),
            telegram_user_id=_as_int(telegram),
        )

    async def find_by_telegram_id(self, user_id: int) -> Account | None:
        column_name = self._mapping.telegram_id
        if column_name is None:
            return None
        if self._table is None:
            await self.check()
        value: int | str = str(int(user_id)) if self._telegram_as_text else int(user_id)
        return await self._select(lambda table: table.c[column_name] == value)

    async def find_by_email(self, email: str) -> Account | None:
        column_name = self._mapping.email
        wanted = normalize_email(email)
        if column_name is None or not wanted:
            return None
        return await self._select(lambda table: func.lower(func.trim(table.c[column_name])) == wanted)

    async def aclose(self) -> None:
        await self._engine.dispose()


def _as_int(value: object) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def build_sql_directory(url: str, mapping_path: str | Path) -> SqlDirectory:
    mapping = load_mapping(mapping_path)
    return SqlDirectory(create_readonly_engine(url), mapping)
