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
    return model.model_validate(dict(row)) if row is not None else None


async def fetch_all(
    conn: aiosqlite.Connection, model: type[M], sql: str, params: Iterable[Any] = ()
) -> list[M]:
    async with conn.execute(sql, tuple(params)) as cur:
        rows = await cur.fetchall()
    return [model.model_validate(dict(row)) for row in rows]


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
