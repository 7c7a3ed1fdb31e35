"""Reads and writes of persisted FSM records (one row per conversation key)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import FsmRecord


async def load(session: AsyncSession, key: str) -> tuple[str | None, dict[str, Any]]:
    record = await session.get(FsmRecord, key)
    if record is None:
        return None, {}
    return record.state, json.loads(record.data or "{}")


async def save_field(session: AsyncSession, key: str, **values: Any) -> None:
    """Upsert `state` and/or `data` of one key; an empty record is deleted."""
    if "data" in values:
        values["data"] = json.dumps(values["data"], ensure_ascii=False, default=str)
    values["updated_at"] = utcnow()
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    defaults = {"state": None, "data": "{}"}
    statement = insert(FsmRecord).values(key=key, **{**defaults, **values})
    statement = statement.on_conflict_do_update(index_elements=[FsmRecord.key], set_=values)
    await session.execute(statement)
    if values.get("state", None) is None and values.get("data", "{}") == "{}":  # may have become empty
        await session.execute(
            delete(FsmRecord).where(FsmRecord.key == key, FsmRecord.state.is_(None), FsmRecord.data == "{}")
        )


async def keys_in_state(session: AsyncSession, state: str) -> list[str]:
    result = await session.scalars(select(FsmRecord.key).where(FsmRecord.state == state))
    return list(result)
