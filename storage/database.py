"""One `Database` over aiosqlite: a serialised writer connection and a reader connection.

Writes go through ``async with db.transaction() as tx`` (BEGIN IMMEDIATE, rollback on
error), or ``db.write_all(statements)`` when nobody reads their results (one trip to the
writer's thread); reads that must not wait for a writer use ``async with db.read() as conn``.
``db.versions(tables)`` says whether tables changed since (for reads kept between ticks).
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import aiosqlite

from storage.files import create_private_file, tighten_sidecars
from storage.migrations import apply_migrations

BUSY_TIMEOUT_MS = 5000
UNWATCHED = frozenset(
    {"outbox", "audit_log", "reminder_skips", "reminder_state", "conversation_states",
     "user_flow_data"}
)  # fmt: skip
"""Tables written on every tap or send and read by no kept read: no version to keep."""
_CHANGED = "xianfeng_changed"

C = TypeVar("C", bound=aiosqlite.Connection)
Statement = tuple[str, Sequence[Any]]
"""One SQL statement and its parameters (``write_all``)."""


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
        self._writer: _Writer | None = None
        self._reader: aiosqlite.Connection | None = None
        self._inline: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        # Per watched table, how many committed transactions wrote to it (this process's
        # writes, seen by temporary triggers); ``_outside`` counts the times another
        # process was seen to have written (``note_other_writers``).
        self._versions: dict[str, int] = {}
        self._written: set[str] = set()
        self._outside = 0
        self._data_version: int | None = None

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
        self._writer = await _connect(self.path, writer=True)
        try:
            if migrate:
                await apply_migrations(self._writer)
            await self._watch(self._writer)
            # The baseline for noticing other processes: without it the first check
            # would take a write made before it as the starting point and miss it.
            await self.note_other_writers(self._writer)
            self._reader = await _connect(self.path)
            self._inline = await _connect(self.path, inline=True)
            # Reads only: a write here would bypass the lock (and join no transaction).
            for reader in (self._reader, self._inline):
                await reader.execute("PRAGMA query_only = ON")
            if str(self.path) != ":memory:":
                tighten_sidecars(self.path)
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise DatabaseError(f"cannot use database {self.path}: {exc}") from exc
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        for conn in (self._inline, self._reader):
            if conn is not None:
                await conn.close()
        if self._writer is not None:
            # Under the lock: no transaction is open while the writer closes. An open one
            # runs its statements on the loop's thread, so its close would run there too
            # and free the connection under a statement still running on the worker's
            # thread (a crash, not an error); it now finishes first.
            async with self._lock:
                await self._writer.close()
        self._inline = self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All or nothing: commit when the block ends, roll back if it raises.

        The block's statements run on the calling thread, the event loop's: a trip to
        the writer's thread and back would cost two thread switches and, on a busy loop,
        a wait for the loop's turn each, all with the lock held (in the monthly storm a
        tap's five statements held it 260 ms, 80 ms of it the process's work). BEGIN
        IMMEDIATE runs there too, when the block's first statement is run, unless
        another process holds SQLite's write lock or a call sent to the writer's thread
        earlier is still running there (its caller was cancelled): then BEGIN and that
        statement go to the thread, to wait there (``BUSY_TIMEOUT_MS`` for the lock)
        while the loop runs. COMMIT goes to the thread
        (it may checkpoint the WAL: write and sync the file). A block with a long
        statement sends it to the thread with ``on_thread``, so the loop runs meanwhile.
        A block that runs no statement begins and commits nothing."""
        writer = self._require(self._writer)
        async with self._lock:
            writer.begin_pending = True
            writer.inline = True
            try:
                yield writer
            except BaseException:
                # To the thread, behind the first statement if it is still on its way (a
                # cancellation), and only if BEGIN went through.
                writer.inline = False
                if not writer.begin_pending:
                    await writer._execute(_rollback_if_open, writer)
                raise
            else:
                writer.inline = False
                if not writer.begin_pending:
                    await writer.execute("COMMIT")
            finally:
                writer.inline = writer.begin_pending = False
                self._count_written()

    @asynccontextmanager
    async def on_thread(self, tx: aiosqlite.Connection) -> AsyncIterator[None]:
        """Inside ``transaction()``: the block's statements go to the writer's thread, one
        trip each, so the event loop runs while they do. For long statements (retention's
        batches, the tick's insert of a slice's rows and its skips): on the loop's thread
        they would hold it, and every tap waiting for an answer, for their length."""
        writer = self._require(self._writer)
        if tx is not writer or not self._lock.locked():
            raise RuntimeError("on_thread() is for the statements of an open transaction()")
        was, writer.inline = writer.inline, False
        try:
            yield
        finally:
            writer.inline = was

    async def write_all(self, statements: Sequence[Statement]) -> None:
        """Statements whose results nobody reads, as one transaction in one trip to the
        writer's thread (a ``transaction()`` block costs a trip per statement, plus BEGIN
        and COMMIT): the persistence writes a step's state this way after every update."""
        if not statements:
            return
        writer = self._require(self._writer)
        async with self._lock:
            try:
                # aiosqlite's one way into its thread (what its execute() uses): its public
                # calls run one statement each.
                await writer._execute(_run_all, writer, statements)
            finally:
                self._count_written()

    def _count_written(self) -> None:
        # Counted after the commit, so a read that saw the old rows is not kept with the
        # new version (a rolled-back write counts too: harmless).
        for table in self._written:
            self._versions[table] += 1
        self._written.clear()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection for reads (it refuses writes); each statement sees the last
        committed state."""
        yield self._require(self._reader)

    @asynccontextmanager
    async def read_inline(self) -> AsyncIterator[aiosqlite.Connection]:
        """``read()``, but each statement runs on the calling thread (the event loop's)
        instead of a trip to the reader's thread and back: for many small reads in a
        row whose caller lets the loop run between them (the reminder tick's rendering).
        A long read here holds the event loop for its length."""
        yield self._require(self._inline)

    def versions(self, tables: Iterable[str]) -> tuple[int, ...] | None:
        """A value that changes whenever a committed write touched one of ``tables`` (or
        another process wrote anything); None if one of them is not watched. Taken
        before a read, it tells later whether the read's answer may have changed."""
        try:
            return (self._outside, *(self._versions[table] for table in tables))
        except KeyError:
            return None

    def snapshot(self) -> tuple[int, dict[str, int]]:
        """The versions of every watched table as ``versions`` counts them, at once."""
        return self._outside, dict(self._versions)

    def is_table(self, name: str) -> bool:
        """A table of the schema (watched or not), not SQLite's own or a function's."""
        return name in self._versions or name in UNWATCHED

    async def note_other_writers(self, tx: aiosqlite.Connection) -> None:
        """Check (inside a write transaction) whether another process committed since the
        last check; if so, every version changes. Writes of this process are counted as
        they commit; another process's (a command line tool) only here."""
        async with tx.execute("PRAGMA data_version") as cur:
            row = await cur.fetchone()
        value = int(row[0]) if row else 0
        if self._data_version is not None and value != self._data_version:
            self._outside += 1
        self._data_version = value

    async def check_other_writers(self) -> None:
        """``note_other_writers`` outside a transaction (it asks the writer connection, so
        it waits its turn for the writer)."""
        writer = self._require(self._writer)
        async with self._lock:
            await self.note_other_writers(writer)

    async def _watch(self, writer: aiosqlite.Connection) -> None:
        """Temporary triggers (this connection only, never in the file) note each table a
        statement writes; ``transaction`` counts them when it commits."""
        await writer.create_function(_CHANGED, 1, self._written.add)
        async with writer.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [str(row[0]) for row in await cur.fetchall()]
        for table in tables:
            if table in UNWATCHED:
                continue
            self._versions.setdefault(table, 0)
            for event in ("INSERT", "UPDATE", "DELETE"):
                await writer.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS {_CHANGED}_{table}_{event.lower()}"
                    f" AFTER {event} ON main.{table} BEGIN SELECT {_CHANGED}('{table}'); END"
                )

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
    def _require(conn: C | None) -> C:
        if conn is None:
            raise DatabaseError("database is not open")
        return conn


class _Writer(aiosqlite.Connection):
    """The writer connection: a transaction's BEGIN IMMEDIATE comes with its first
    statement; the statements run where they are awaited unless the block sent them to
    the worker thread (``Database.on_thread``)."""

    begin_pending = False
    """Set by ``transaction()``: the next call begins the transaction first."""
    inline = False
    """Set by ``transaction()``: statements run on the calling thread (only the open
    transaction uses the writer meanwhile: it holds the writer's lock)."""
    busy_timeout_ms = BUSY_TIMEOUT_MS
    """How long a BEGIN on the thread waits for another process's lock (``_begin_here``
    sets it back to this after trying without waiting)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sent = 0
        """Calls sent to the worker thread and not finished there (changed under ``_count``)."""
        self._count = threading.Lock()

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.begin_pending:
            self.begin_pending = False
            # BEGIN here only if the thread has nothing left to run (a cancelled call
            # may still be running there: a rollback, a COMMIT, a long statement) and no
            # other process holds the lock; otherwise on the thread, behind what is
            # queued there, waiting for the lock.
            if self._sent or not _begin_here(self):
                return await self._send(_begin_then, self, functools.partial(fn, *args, **kwargs))
        if self.inline and not self._sent:
            return _here(self, fn, *args, **kwargs)
        # On the thread: asked for (``on_thread``), or behind a call still running there
        # (one whose caller was cancelled and went on), never beside it.
        return await self._send(fn, *args, **kwargs)

    async def _send(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self._count:
            self._sent += 1
        return await super()._execute(_counted, self, functools.partial(fn, *args, **kwargs))


class _Inline(aiosqlite.Connection):
    """A connection whose statements run where they are awaited (see ``read_inline``):
    each trip to a worker thread costs two thread switches, more than a small read."""

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return _here(self, fn, *args, **kwargs)


def _here(conn: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A statement run on the calling thread, as aiosqlite's worker would run it."""
    if not conn._running or conn._connection is None:
        raise ValueError("Connection closed")
    return fn(*args, **kwargs)


def _begin_here(writer: _Writer) -> bool:
    """BEGIN IMMEDIATE on the calling thread without waiting: False (nothing begun) if
    another process holds SQLite's write lock."""
    conn = writer._conn
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            return False
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(writer.busy_timeout_ms)}")
    return True


def _counted(writer: _Writer, call: Callable[[], Any]) -> Any:
    """In the writer's thread: a call sent there, counted as finished when it is."""
    try:
        return call()
    finally:
        with writer._count:
            writer._sent -= 1


def _begin_then(writer: aiosqlite.Connection, call: Callable[[], Any]) -> Any:
    """In the writer's thread: BEGIN IMMEDIATE, then the transaction's first statement."""
    writer._conn.execute("BEGIN IMMEDIATE")
    return call()


def _rollback_if_open(writer: aiosqlite.Connection) -> None:
    """In the writer's thread: roll back, unless BEGIN itself failed (nothing is open)."""
    if writer._conn.in_transaction:
        writer._conn.execute("ROLLBACK")


def _run_all(writer: aiosqlite.Connection, statements: Sequence[Statement]) -> None:
    """In the writer's thread: the statements between BEGIN IMMEDIATE and COMMIT."""
    conn = writer._conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sql, params in statements:
            conn.execute(sql, params)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@overload
async def _connect(path: Path, *, writer: Literal[True]) -> _Writer: ...
@overload
async def _connect(path: Path, *, inline: bool = False) -> aiosqlite.Connection: ...
async def _connect(
    path: Path, *, writer: bool = False, inline: bool = False
) -> aiosqlite.Connection:
    # An inline connection is made by aiosqlite's thread and used from the loop's; so is
    # the writer inside ``Database.transaction``.
    connector = functools.partial(
        sqlite3.connect, str(path), isolation_level=None, check_same_thread=not (inline or writer)
    )
    kind = _Writer if writer else _Inline if inline else aiosqlite.Connection
    try:
        # What aiosqlite.connect() does, with the writer's (or the inline) class.
        conn = await kind(connector, 64)
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
