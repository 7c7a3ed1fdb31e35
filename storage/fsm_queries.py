"""Reads and writes of persisted FSM records (one row per conversation key).

Core statements on a connection, not the ORM: aiogram reads the state of every update, and a Session
around one primary-key lookup costs more than the lookup.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.base import utcnow
from storage.models import FsmRecord

_table = FsmRecord.__table__
_LOAD = select(_table.c.state, _table.c.data).where(_table.c.key == bindparam("key"))
_ALL = select(_table.c.key, _table.c.state, _table.c.data)
_DELETE_EMPTY = delete(_table).where(
    _table.c.key == bindparam("key"), _table.c.state.is_(None), _table.c.data == "{}"
)


def _decode(state: str | None, data: str | None) -> tuple[str | None, dict[str, Any]]:
    return state, json.loads(data or "{}")


async def load(connection: AsyncConnection, key: str) -> tuple[str | None, dict[str, Any]]:
    row = (await connection.execute(_LOAD, {"key": key})).first()
    if row is None:
        return None, {}
    return _decode(row.state, row.data)


async def load_all(
    connection: AsyncConnection, limit: int
) -> dict[str, tuple[str | None, dict[str, Any]]] | None:
    """Every record, or None when there are more than `limit`."""
    rows = (await connection.execute(_ALL.limit(limit + 1))).all()
    if len(rows) > limit:
        return None
    return {row.key: _decode(row.state, row.data) for row in rows}


def _upsert(dialect: str, fields: frozenset[str]):
    """INSERT ... ON CONFLICT DO UPDATE of `fields`, built once per dialect and set of fields."""
    statement = _UPSERTS.get((dialect, fields))
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(_table).values(
            key=bindparam("key"),
            state=bindparam("state"),
            data=bindparam("data"),
            updated_at=bindparam("updated_at"),
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={name: getattr(statement.excluded, name) for name in (*sorted(fields), "updated_at")},
        )
        _UPSERTS[(dialect, fields)] = statement
    return statement


_UPSERTS: dict[tuple[str, frozenset[str]], Any] = {}


async def save_field(connection: AsyncConnection, key: str, **values: Any) -> None:
    """Upsert `state` and/or `data` of one key; an empty record is deleted."""
    statement = _upsert(connection.dialect.name, frozenset(values))
    data = json.dumps(values["data"], ensure_ascii=False, default=str) if "data" in values else "{}"
    state = values.get("state")
    await connection.execute(statement, {"key": key, "state": state, "data": data, "updated_at": utcnow()})
    if state is None and data == "{}":  # may have become empty
        await connection.execute(_DELETE_EMPTY, {"key": key})


def sqlite_save(dialect: Dialect, key: str, **values: Any) -> list[tuple[str, tuple]]:
    """`save_field` as SQLite SQL and parameters, for `storage.engine.sqlite_execute` (one hop)."""
    fields = frozenset(values)
    compiled = _SQLITE_SAVES.get(fields)
    if compiled is None:
        compiled = _SQLITE_SAVES[fields] = (
            _positional(_upsert("sqlite", fields), dialect),
            _positional(_DELETE_EMPTY, dialect),
            _table.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect),
        )
    upsert, delete_empty, stamp = compiled
    data = json.dumps(values["data"], ensure_ascii=False, default=str) if "data" in values else "{}"
    state = values.get("state")
    now = utcnow()
    statements = [upsert({"key": key, "state": state, "data": data, "updated_at": stamp(now) if stamp else now})]
    if state is None and data == "{}":  # may have become empty
        statements.append(delete_empty({"key": key}))
    return statements


def _positional(statement: Any, dialect: Dialect) -> Callable[[dict[str, Any]], tuple[str, tuple]]:
    """A statement compiled once for SQLite: given its named values, the SQL and `?` parameters in order
    (values not given keep those compiled in, such as the literal of `data = '{}'`)."""
    compiled = statement.compile(dialect=dialect)
    sql, order, defaults = compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)

    def bind(values: dict[str, Any]) -> tuple[str, tuple]:
        return sql, tuple(values[name] if name in values else defaults[name] for name in order)

    return bind


_SQLITE_SAVES: dict[frozenset[str], tuple[Any, Any, Any]] = {}


async def keys_in_state(session: AsyncSession | AsyncConnection, state: str) -> list[str]:
    result = await session.scalars(select(FsmRecord.key).where(FsmRecord.state == state))
    return list(result)
