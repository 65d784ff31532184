"""The append-only audit log: who did what to which record, when."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import aiosqlite
from pydantic import BaseModel

from storage.clock import to_iso
from storage.rows import JsonText, Table, changed_one, insert


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: str | None
    detail: Annotated[dict[str, Any], JsonText]


async def record(
    tx: aiosqlite.Connection,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str | None = None,
    **detail: Any,
) -> int:
    return await insert(
        tx,
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            to_iso(at),
            actor_id,
            action,
            entity,
            None if entity_id is None else str(entity_id),
            json.dumps(detail, ensure_ascii=False, default=str),
        ),
    )


async def inserted(
    tx: aiosqlite.Connection,
    sql: str,
    params: Iterable[Any],
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    **detail: Any,
) -> int:
    """Insert a row and record its creation (the new row is the entry's ``entity_id``);
    the new row's id."""
    row_id = await insert(tx, sql, params)
    await record(
        tx, at=at, actor_id=actor_id, action=action, entity=entity, entity_id=row_id, **detail
    )
    return row_id


async def changed(
    tx: aiosqlite.Connection,
    sql: str,
    params: Iterable[Any],
    *,
    missing: Exception | None = None,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str | None = None,
    **detail: Any,
) -> bool:
    """Run a write meant to change one row (guarded in its WHERE clause) and record it.
    When it changed none (a second press, someone else's write first) nothing is
    recorded: ``missing`` is raised, or False returned where none is given."""
    if not await changed_one(tx, sql, params):
        if missing is not None:
            raise missing
        return False
    await record(
        tx, at=at, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id, **detail
    )
    return True


_ENTRIES = Table("audit_log", AuditEntry)


async def for_entity(
    conn: aiosqlite.Connection, entity: str, entity_id: int | str
) -> list[AuditEntry]:
    return await _ENTRIES.all(
        conn, "WHERE entity = ? AND entity_id = ? ORDER BY id", (entity, str(entity_id))
    )


async def recent(conn: aiosqlite.Connection, limit: int = 100) -> list[AuditEntry]:
    return await _ENTRIES.all(conn, "ORDER BY id DESC LIMIT ?", (limit,))
