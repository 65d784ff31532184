"""Reads the tick repeats every minute, kept while nothing they read has changed.

``KeptReads.get(conn, key, read)`` runs ``read`` once and answers later calls with the
same key from memory for as long as no committed write touched a table it read. Which
tables a read reads is not declared but watched: SQLite's authorizer names every table a
statement reads when it is prepared (setting one makes every statement prepare again), so
a read changed later to read one more table is still kept correctly. A read of a table
nobody counts writes to (``storage.database.UNWATCHED``) is never kept. The holiday
overrides live in memory and are part of every key.

The engine also remembers the dedupe keys it knows are handled (queued or skipped): that
only grows, as the outbox and the skips are never deleted from, so a key once seen
handled is never asked about again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiosqlite

from storage import calendar
from storage.database import Database

T = TypeVar("T")


@dataclass
class _Kept:
    value: Any
    tables: tuple[str, ...]
    versions: tuple[int, ...] | None


class KeptReads:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.handled: set[str] = set()
        """Dedupe keys known to be queued or skipped (see module doc)."""
        self._kept: dict[Hashable, _Kept] = {}
        self._derived: dict[Hashable, tuple[tuple[object, ...], Hashable, Any]] = {}
        self._used: set[Hashable] = set()
        self._holidays: tuple[calendar.Override, ...] = ()
        self.reads = 0
        """How many reads actually ran (the rest came from memory): for tests and bench."""

    def begin(self) -> None:
        """A new evaluation: the holidays as they are now; reads not used again are forgotten
        at ``end``."""
        # A failed evaluation never reached ``end``: forget what it did not use, so reads
        # do not pile up while ticks keep failing.
        self.end()
        self._holidays = tuple(calendar.overrides())
        self._used.clear()

    def __len__(self) -> int:
        """How many answers are kept."""
        return len(self._kept) + len(self._derived)

    def end(self) -> None:
        for kept in (self._kept, self._derived):
            for key in [k for k in kept if k not in self._used]:
                del kept[key]

    def derived(
        self, key: Hashable, same: tuple[object, ...], equal: Hashable, build: Callable[[], T]
    ) -> T:
        """``build()``, or what it built before from the same objects (``same``, compared by
        identity: kept reads are the same objects while unchanged) and equal values."""
        self._used.add(key)
        kept = self._derived.get(key)
        if (
            kept is not None
            and len(kept[0]) == len(same)
            and all(a is b for a, b in zip(kept[0], same, strict=True))
            and kept[1] == equal
        ):
            return kept[2]
        value = build()
        self._derived[key] = (same, equal, value)
        return value

    async def get(
        self, conn: aiosqlite.Connection, key: Hashable, read: Callable[[], Awaitable[T]]
    ) -> T:
        full = (key, self._holidays)
        self._used.add(full)
        kept = self._kept.get(full)
        if (
            kept is not None
            and kept.versions is not None
            and self.db.versions(kept.tables) == kept.versions
        ):
            return kept.value
        # The versions are taken before the read: a write committed meanwhile makes the
        # next call read again, never the other way round.
        outside, counts = self.db.snapshot()
        tables: set[str] = set()
        value = await _traced(conn, tables, read)
        self.reads += 1
        names = tuple(sorted(t for t in tables if self.db.is_table(t)))
        versions: tuple[int, ...] | None = None
        if all(name in counts for name in names):
            versions = (outside, *(counts[name] for name in names))
        self._kept[full] = _Kept(value, names, versions)
        return value


async def _traced(
    conn: aiosqlite.Connection, tables: set[str], read: Callable[[], Awaitable[T]]
) -> T:
    """Run ``read`` noting every table its statements read (see module doc); reads by
    others on the connection meanwhile are noted too, which only keeps less."""

    def note(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            tables.add(table)
        return sqlite3.SQLITE_OK

    await conn.set_authorizer(note)
    try:
        return await read()
    finally:
        await conn.set_authorizer(None)
