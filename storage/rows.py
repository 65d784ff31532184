"""Small helpers the repository modules share for turning rows into models."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any, Generic, TypeVar

import aiosqlite
from pydantic import BaseModel, BeforeValidator

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def from_json(value: Any) -> Any:
    """A JSON text column parsed; a value built in Python (not read from a row) as it is."""
    return json.loads(value) if isinstance(value, str) else value


# A model field stored as JSON text: ``photos: Annotated[list[str], JsonText] = []``.
JsonText = BeforeValidator(from_json)


def required(found: T | None) -> T:
    """A record this transaction has just written, read back: it is there (None would be
    a bug, not something to tell anyone)."""
    if found is None:
        raise RuntimeError("a row written in this transaction is missing")
    return found


PACE = 0.01
"""Longest a loop over ``paced`` items holds the event loop (seconds)."""


async def paced(items: Iterable[T]) -> AsyncIterator[T]:
    """The items, letting the event loop run other work at least every ``PACE``: a read
    for a hundred branches at once is worked through in Python on the loop's thread, where
    a tap waiting meanwhile would otherwise wait for all of it."""
    turn = time.monotonic() + PACE
    for item in items:
        yield item
        if time.monotonic() >= turn:
            await asyncio.sleep(0)
            turn = time.monotonic() + PACE


# Each helper is one trip to aiosqlite's thread (execute and fetch together): a cursor
# used as a context manager costs three (execute, fetch, close), and every update
# makes several of these calls.


async def fetch_one(
    conn: aiosqlite.Connection, model: type[M], sql: str, params: Iterable[Any] = ()
) -> M | None:
    for row in await conn.execute_fetchall(sql, tuple(params)):
        return model.model_validate(dict(row))
    return None


async def fetch_all(
    conn: aiosqlite.Connection, model: type[M], sql: str, params: Iterable[Any] = ()
) -> list[M]:
    rows = await conn.execute_fetchall(sql, tuple(params))
    return [model.model_validate(dict(row)) for row in rows]


class Table(Generic[M]):
    """A table whose rows are read whole as one model (``SELECT * FROM name …``): which
    model a table's rows are is said once, beside the model, and a query says only which
    rows (``clause``: its ``WHERE … ORDER BY …``, the same SQL as written out)."""

    def __init__(self, name: str, model: type[M]) -> None:
        self.name = name
        self.model = model

    async def get(self, conn: aiosqlite.Connection, row_id: int) -> M | None:
        """The row with this id, or None."""
        return await self.first(conn, "WHERE id = ?", (row_id,))

    async def first(
        self, conn: aiosqlite.Connection, clause: str, params: Iterable[Any] = ()
    ) -> M | None:
        """The first row ``clause`` selects, or None."""
        return await fetch_one(conn, self.model, f"SELECT * FROM {self.name} {clause}", params)

    async def all(
        self, conn: aiosqlite.Connection, clause: str, params: Iterable[Any] = ()
    ) -> list[M]:
        """Every row ``clause`` selects, in its order."""
        return await fetch_all(conn, self.model, f"SELECT * FROM {self.name} {clause}", params)


async def fetch_value(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> Any:
    for row in await conn.execute_fetchall(sql, tuple(params)):
        return row[0]
    return None


async def insert(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    row = await conn.execute_insert(sql, tuple(params))
    if row is None or row[0] is None:
        raise RuntimeError("insert returned no row id")
    return int(row[0])


INSERT_CHUNK = 500
"""Rows per statement of ``insert_new``: a dozen values each stays far below SQLite's
32,766 per statement."""


async def insert_new(
    tx: aiosqlite.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    key: str,
    chunk: int = INSERT_CHUNK,
) -> set[str]:
    """Insert each row unless one like it is there already (a uniqueness rule: its
    ``key``), ``chunk`` rows per statement; the ``key`` of each row added. A row that
    breaks another rule fails its whole statement (the caller may try one at a time)."""
    added: set[str] = set()
    names = ", ".join(columns)
    marks = f"({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        found = await tx.execute_fetchall(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(part))}"
            f" ON CONFLICT DO NOTHING RETURNING {key}",
            [value for row in part for value in row],
        )
        added.update(str(row[0]) for row in found)
    return added


async def changed_one(conn: aiosqlite.Connection, sql: str, params: Iterable[Any]) -> bool:
    """Run a write meant to change one row; whether it did (False: someone else's write,
    a used-up invite or a second press got there first)."""
    async with conn.execute(sql, tuple(params)) as cursor:
        return cursor.rowcount == 1
