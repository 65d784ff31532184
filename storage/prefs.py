"""Per-account preferences kept before and after joining: the interface language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from storage.clock import to_iso
from storage.rows import fetch_value

LANGUAGES = ("zh", "en")


async def get_language(conn: aiosqlite.Connection, telegram_id: int) -> str | None:
    value = await fetch_value(
        conn, "SELECT language FROM user_prefs WHERE telegram_id = ?", (telegram_id,)
    )
    return str(value) if value is not None else None


async def languages(conn: aiosqlite.Connection, telegram_ids: Iterable[int]) -> dict[int, str]:
    """The chosen language of each of these accounts that chose one, in one query."""
    ids = list(dict.fromkeys(telegram_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await conn.execute_fetchall(
        f"SELECT telegram_id, language FROM user_prefs WHERE telegram_id IN ({marks})", ids
    )
    return {int(row[0]): str(row[1]) for row in rows}


async def keep_language(
    tx: aiosqlite.Connection, telegram_id: int, language: str, *, now: datetime
) -> None:
    """Remember a language unless the person already chose one (with /language)."""
    await _save_language(tx, telegram_id, language, now, on_conflict="DO NOTHING")


async def set_language(
    tx: aiosqlite.Connection, telegram_id: int, language: str, *, now: datetime
) -> None:
    await _save_language(
        tx,
        telegram_id,
        language,
        now,
        on_conflict="DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
    )


async def _save_language(
    tx: aiosqlite.Connection, telegram_id: int, language: str, now: datetime, *, on_conflict: str
) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    await tx.execute(
        "INSERT INTO user_prefs (telegram_id, language, updated_at) VALUES (?, ?, ?)"
        f" ON CONFLICT (telegram_id) {on_conflict}",
        (telegram_id, language, to_iso(now)),
    )
