"""Small helpers the repository modules share for turning rows into models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import aiosqlite
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


async def fetch_one(
    conn: aiosqlite.Connection, model: type[M], sql: str, params: Iterable[Any] = ()
) -> M | None:
    async with conn.execute(sql, tuple(params)) as cur:
        row = await cur.fetchone()
        names = _names(cur)
    return model.model_validate(dict(zip(names, row, strict=True))) if row is not None else None


async def fetch_all(
    conn: aiosqlite.Connection, model: type[M], sql: str, params: Iterable[Any] = ()
) -> list[M]:
    async with conn.execute(sql, tuple(params)) as cur:
        rows = await cur.fetchall()
        names = _names(cur)
    # Zipping the column names once is several times faster than dict(row) per row,
    # which matters for the tick reading every member each minute.
    return [model.model_validate(dict(zip(names, row, strict=True))) for row in rows]


def _names(cur: aiosqlite.Cursor) -> list[str]:
    return [str(column[0]) for column in cur.description or ()]


async def fetch_value(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> Any:
    async with conn.execute(sql, tuple(params)) as cur:
        row = await cur.fetchone()
    return row[0] if row is not None else None


async def insert(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    async with conn.execute(sql, tuple(params)) as cur:
        rowid = cur.lastrowid
    if rowid is None:
        raise RuntimeError("insert returned no row id")
    return rowid
