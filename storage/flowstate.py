"""What unfinished conversations have reached and collected, kept across restarts.

Stored as JSON (never pickle), so the file stays readable and safe to load. The writes
are statements for ``Database.write_all``: the persistence writes them after every step,
all in one trip to the writer's thread.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from storage.clock import from_iso, to_iso
from storage.database import Statement


async def load_states(conn: aiosqlite.Connection, handler: str) -> list[tuple[str, Any, datetime]]:
    rows = await conn.execute_fetchall(
        "SELECT conv_key, state, updated_at FROM conversation_states WHERE handler = ?",
        (handler,),
    )
    return [(row[0], json.loads(row[1]), from_iso(row[2])) for row in rows]


def save_state(handler: str, key: str, state: Any, *, now: datetime) -> Statement:
    """The statement that keeps a conversation's state (None: the conversation ended)."""
    if state is None:
        return (
            "DELETE FROM conversation_states WHERE handler = ? AND conv_key = ?",
            (handler, key),
        )
    return (
        "INSERT INTO conversation_states (handler, conv_key, state, updated_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (handler, conv_key) DO UPDATE SET"
        " state = excluded.state, updated_at = excluded.updated_at",
        (handler, key, json.dumps(state), to_iso(now)),
    )


async def load_user_data(conn: aiosqlite.Connection) -> dict[int, dict[str, Any]]:
    rows = await conn.execute_fetchall("SELECT telegram_id, data FROM user_flow_data")
    return {int(row[0]): json.loads(row[1]) for row in rows}


def save_user_data(telegram_id: int, data: dict[str, Any] | None, *, now: datetime) -> Statement:
    """The statement that keeps a person's flow data (empty: none kept)."""
    if not data:
        return ("DELETE FROM user_flow_data WHERE telegram_id = ?", (telegram_id,))
    return (
        "INSERT INTO user_flow_data (telegram_id, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET data = excluded.data,"
        " updated_at = excluded.updated_at",
        (telegram_id, json.dumps(data, ensure_ascii=False), to_iso(now)),
    )
