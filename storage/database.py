"""One `Database` over aiosqlite: a serialised writer connection and a reader connection.

Writes go through ``async with db.transaction() as tx`` (BEGIN IMMEDIATE, rollback on
error); reads that must not wait for a writer use ``async with db.read() as conn``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.files import create_private_file, tighten_sidecars
from storage.migrations import apply_migrations

BUSY_TIMEOUT_MS = 5000


class DatabaseError(RuntimeError):
    """The database could not be opened, migrated or backed up."""


class Database:
    """Owns the connections to one SQLite file.

    A statement run on a shared aiosqlite connection while another coroutine has a
    transaction open would join that transaction, so every write goes through the one
    writer connection under a lock, and plain reads use a second connection.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self, *, migrate: bool = True) -> None:
        if self._writer is not None:
            return
        if str(self.path) != ":memory:" and not self.path.parent.exists():
            raise DatabaseError(f"folder for the database does not exist: {self.path.parent}")
        if self.path.is_dir():
            raise DatabaseError(f"database path is a folder, not a file: {self.path}")
        if str(self.path) != ":memory:" and not self.path.exists():
            # SQLite would create it with the umask's mode, readable by everyone; its WAL
            # and shared-memory files take this file's mode.
            create_private_file(self.path)
        self._writer = await _connect(self.path)
        try:
            if migrate:
                await apply_migrations(self._writer)
            self._reader = await _connect(self.path)
            if str(self.path) != ":memory:":
                tighten_sidecars(self.path)
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise DatabaseError(f"cannot use database {self.path}: {exc}") from exc
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All or nothing: commit when the block ends, roll back if it raises."""
        writer = self._require(self._writer)
        async with self._lock:
            await writer.execute("BEGIN IMMEDIATE")
            try:
                yield writer
            except BaseException:
                await writer.execute("ROLLBACK")
                raise
            else:
                await writer.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection for reads; each statement sees the last committed state."""
        yield self._require(self._reader)

    async def schema_version(self) -> int:
        async with self.read() as conn, conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def backup(self, target: str | Path) -> None:
        """Online backup through SQLite's backup API, then ``integrity_check`` on the copy.

        The copy is created owner-only (0600) before anything is written to it.
        """
        target = Path(target)
        if target.exists():
            raise DatabaseError(f"backup target already exists: {target}")
        if not target.parent.exists():
            raise DatabaseError(f"folder for the backup does not exist: {target.parent}")
        reader = self._require(self._reader)
        try:
            create_private_file(target)
        except FileExistsError as exc:
            raise DatabaseError(f"backup target already exists: {target}") from exc
        dest = await aiosqlite.connect(target)
        try:
            await reader.backup(dest)
            async with dest.execute("PRAGMA integrity_check") as cur:
                row = await cur.fetchone()
        finally:
            await dest.close()
        if not row or row[0] != "ok":
            raise DatabaseError(f"integrity check of the backup failed: {row}")

    @staticmethod
    def _require(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise DatabaseError("database is not open")
        return conn


async def _connect(path: Path) -> aiosqlite.Connection:
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open database {path}: {exc}") from exc
    try:
        conn.row_factory = aiosqlite.Row
        # A file that is not SQLite fails here, on its first real statement.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as exc:
        await conn.close()
        raise DatabaseError(f"cannot use database {path}: {exc}") from exc
    return conn
