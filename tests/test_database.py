"""The data layer: migrations, transactions, the append-only audit log, online backup."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from storage import Database, DatabaseError, audit, branches, members
from storage.members import PersonName, Role
from storage.migrations import Migration, apply_migrations, load_migrations

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


async def test_fresh_file_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "a.sqlite3")
    await db.open()
    try:
        assert await db.schema_version() == len(load_migrations())
        async with db.read() as conn, conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with db.read() as conn, conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
    finally:
        await db.close()


async def test_reapplying_migrations_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    async with Database(path) as db, db.transaction() as tx:
        await branches.create(tx, "一中党支部", now=NOW)
    async with aiosqlite.connect(path) as conn:
        assert await apply_migrations(conn) == []
    async with Database(path) as db, db.read() as conn:
        assert [b.name for b in await branches.list_with_counts(conn)] == ["一中党支部"]


async def test_a_failing_migration_is_rolled_back_whole(tmp_path: Path) -> None:
    bad = [
        *load_migrations()[:1],
        Migration(2, "0002_bad.sql", "CREATE TABLE ok_table (id INTEGER);\nSELECT * FROM nope;\n"),
    ]
    async with aiosqlite.connect(tmp_path / "a.sqlite3", isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError):
            await apply_migrations(conn, bad)
        async with conn.execute("PRAGMA user_version") as cur:
            assert (await cur.fetchone())[0] == 1
        async with conn.execute("SELECT name FROM sqlite_master WHERE name = 'ok_table'") as cur:
            assert await cur.fetchone() is None


def test_migration_files_are_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (x);")
    (tmp_path / "0003_c.sql").write_text("CREATE TABLE c (x);")
    with pytest.raises(ValueError, match="without gaps"):
        load_migrations(tmp_path)
    (tmp_path / "4_bad name.sql").write_text("")
    with pytest.raises(ValueError, match="badly named"):
        load_migrations(tmp_path)


def test_statements_split_like_sqlite_including_triggers() -> None:
    sql = load_migrations()[0]
    statements = sql.statements()
    assert any(s.startswith("CREATE TRIGGER audit_log_no_update") for s in statements)
    assert all(sqlite3.complete_statement(s) for s in statements)


async def test_newer_database_than_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(DatabaseError, match="newer than this program"):
        await Database(path).open()


async def test_transaction_rolls_back_everything_on_error(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as tx:
            await branches.create(tx, "一中党支部", now=NOW)
            _ = 1 / 0
    async with db.read() as conn:
        assert await branches.list_with_counts(conn) == []


async def test_a_failing_first_statement_or_begin_leaves_the_writer_usable(db: Database) -> None:
    """BEGIN goes with the first statement: if that statement fails the transaction is
    rolled back; if BEGIN itself fails (another process holds the lock) nothing is left
    open; a block that runs nothing is fine."""
    async with db.transaction() as tx:
        await branches.create(tx, "一中党支部", now=NOW)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO no_such_table VALUES (1)")
    writer = db._writer
    assert writer is not None
    writer.busy_timeout_ms = 0  # BEGIN on the thread does not wait for the other process
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with db.transaction() as tx:
                await branches.create(tx, "二中党支部", now=NOW)
        other.execute("ROLLBACK")
    finally:
        other.close()
    async with db.transaction():
        pass
    async with db.transaction() as tx:
        await branches.create(tx, "三中党支部", now=NOW)
    async with db.read() as conn:
        names = [b.name for b in await branches.list_with_counts(conn)]
        assert sorted(names) == ["一中党支部", "三中党支部"]


async def test_write_all_is_all_or_nothing(db: Database) -> None:
    """The statements go together: one that fails takes the others back with it, and
    the writer is left free for the next transaction."""
    insert = "INSERT INTO user_flow_data (telegram_id, data, updated_at) VALUES (?, ?, ?)"
    with pytest.raises(sqlite3.IntegrityError):
        await db.write_all([(insert, (7, "{}", "t")), (insert, (7, "{}", "t"))])
    await db.write_all([(insert, (8, "{}", "t")), (insert, (9, "{}", "t"))])
    async with db.transaction() as tx:
        await branches.create(tx, "一中党支部", now=NOW)
    async with db.read() as conn:
        rows = await conn.execute_fetchall("SELECT telegram_id FROM user_flow_data")
        assert [row[0] for row in rows] == [8, 9]
        assert [b.name for b in await branches.list_with_counts(conn)] == ["一中党支部"]


async def test_inline_reads_see_commits_on_the_loops_thread_and_refuse_writes(
    db: Database,
) -> None:
    """The tick's renderers read without a trip to a worker thread: in the caller's thread,
    the last committed state, and never a write (that would bypass the writer's lock)."""
    async with db.transaction() as tx:
        await branches.create(tx, "一中党支部", now=NOW)
    threads: list[int] = []

    def note(action: int, *_: object) -> int:
        threads.append(threading.get_ident())
        return sqlite3.SQLITE_OK

    async with db.read_inline() as conn:
        await conn.set_authorizer(note)
        assert [b.name for b in await branches.list_with_counts(conn)] == ["一中党支部"]
        await conn.set_authorizer(None)
        assert threads and set(threads) == {threading.get_ident()}
        with pytest.raises(sqlite3.OperationalError):
            await conn.execute("DELETE FROM branches")
    async with db.transaction() as tx:
        await branches.create(tx, "二中党支部", now=NOW)
    async with db.read_inline() as conn:
        assert len(await branches.list_with_counts(conn)) == 2


async def test_a_transactions_statements_run_on_the_loops_thread_all_or_nothing(
    db: Database,
) -> None:
    """BEGIN and the statements run on the caller's thread (no trip each with the lock
    held), those inside ``on_thread`` on the writer's thread; all of them rolled back with
    the block, committed with it, counted for the kept reads. ``on_thread`` outside a
    block is refused."""
    loop = threading.get_ident()
    before = db.versions(["branches"])
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as tx:
            await branches.create(tx, "一中党支部", now=NOW)
            await branches.create(tx, "四中党支部", now=NOW)
            _ = 1 / 0
    await _tell_threads(db)
    async with db.transaction() as tx:
        assert await where(tx) == loop  # the first statement, with BEGIN
        await branches.create(tx, "二中党支部", now=NOW)
        assert await where(tx) == loop
        async with db.on_thread(tx):
            await branches.create(tx, "三中党支部", now=NOW)
            async with db.on_thread(tx):  # a helper that sends its own long statement
                assert await where(tx) != loop
            assert await where(tx) != loop  # still the outer block's thread
        assert await where(tx) == loop
        await branches.create(tx, "五中党支部", now=NOW)
    assert db.versions(["branches"]) != before
    async with db.read() as conn:
        names = [b.name for b in await branches.list_with_counts(conn)]
        assert sorted(names) == ["三中党支部", "二中党支部", "五中党支部"]
    writer = db._writer
    assert writer is not None
    with pytest.raises(RuntimeError, match="open transaction"):
        async with db.on_thread(writer):
            pass
    async with db.transaction() as tx, db.on_thread(tx):
        assert await where(tx) != loop  # BEGIN here, the block's statements on the thread
        await branches.create(tx, "六中党支部", now=NOW)
    async with db.read() as conn:
        assert len(await branches.list_with_counts(conn)) == 4


async def test_a_transaction_waits_on_the_thread_while_another_process_holds_the_lock(
    db: Database,
) -> None:
    """Another process (a command-line tool) holds SQLite's write lock: BEGIN waits for it
    on the writer's thread, so the event loop goes on meanwhile, and the transaction
    runs once the lock is free; the one after it begins on the loop's thread again."""
    loop = threading.get_ident()
    await _tell_threads(db)
    other = sqlite3.connect(db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        waiting = asyncio.create_task(write_where(db, "一中党支部"))
        await asyncio.sleep(0.1)  # had BEGIN waited on the loop's thread, it would have failed
        assert not waiting.done()
        other.execute("ROLLBACK")
        assert await waiting != loop
    finally:
        other.close()
    assert await write_where(db, "二中党支部") == loop
    async with db.read() as conn:
        names = [b.name for b in await branches.list_with_counts(conn)]
        assert sorted(names) == ["一中党支部", "二中党支部"]


async def test_a_transaction_after_a_cancelled_one_waits_for_what_it_left_on_the_thread(
    db: Database,
) -> None:
    """A transaction cancelled (twice: a shutdown) during a long statement it sent to the
    writer's thread leaves that statement and its rollback running there after it let
    go of the lock: the next transaction begins behind them on the thread, not beside
    them on the loop's (there it would fail: a transaction within a transaction), and
    the one after it runs on the loop's thread again."""
    slow = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)"
        " SELECT count(*) FROM c"
    )
    loop = threading.get_ident()
    await _tell_threads(db)

    async def cancelled() -> None:
        async with db.transaction() as tx:
            await branches.create(tx, "一中党支部", now=NOW)
            async with db.on_thread(tx):
                await tx.execute_fetchall(slow)

    task = asyncio.create_task(cancelled())
    await asyncio.sleep(0.05)  # the slow statement runs on the thread
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()  # again, while its rollback waits behind the slow statement
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await write_where(db, "二中党支部") != loop
    assert await write_where(db, "三中党支部") == loop
    async with db.read() as conn:
        names = [b.name for b in await branches.list_with_counts(conn)]
        assert sorted(names) == ["三中党支部", "二中党支部"]


async def _tell_threads(db: Database) -> None:
    """Give the writer a SQL function ``where_am_i()``: the thread a statement runs on."""
    async with db.transaction() as tx:
        await tx.create_function("where_am_i", 0, threading.get_ident)


async def where(tx: aiosqlite.Connection) -> int:
    """The thread this statement of ``tx`` runs on (after ``_tell_threads``)."""
    [(thread,)] = await tx.execute_fetchall("SELECT where_am_i()")
    return int(thread)


async def write_where(db: Database, name: str) -> int:
    """Create a branch in a transaction of its own; the thread its first statement ran on."""
    async with db.transaction() as tx:
        thread = await where(tx)
        await branches.create(tx, name, now=NOW)
    return thread


async def test_concurrent_transactions_do_not_join_each_other(db: Database) -> None:
    """A failing transaction must not take a concurrent one's writes down with it."""

    async def good() -> None:
        async with db.transaction() as tx:
            await branches.create(tx, "good", now=NOW)

    async def bad() -> None:
        async with db.transaction() as tx:
            await branches.create(tx, "bad", now=NOW)
            await asyncio.sleep(0.01)
            raise RuntimeError("boom")

    results = await asyncio.gather(bad(), good(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    async with db.read() as conn:
        assert [b.name for b in await branches.list_with_counts(conn)] == ["good"]


async def test_audit_log_is_append_only(db: Database) -> None:
    async with db.transaction() as tx:
        entry = await audit.record(
            tx,
            at=NOW,
            actor_id=None,
            action="branch.created",
            entity="branch",
            entity_id=1,
            name="x",
        )
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as tx:
                await tx.execute(statement)
    async with db.read() as conn:
        [kept] = await audit.for_entity(conn, "branch", 1)
    assert kept.id == entry and kept.detail == {"name": "x"}


async def test_duplicate_branch_names_are_refused_ignoring_case(db: Database) -> None:
    async with db.transaction() as tx:
        await branches.create(tx, "Linhai No.1 Branch", now=NOW)
    with pytest.raises(branches.DuplicateBranch):
        async with db.transaction() as tx:
            await branches.create(tx, "  linhai  no.1 branch ", now=NOW)


async def test_a_person_has_one_active_membership(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "一中", now=NOW)
        first = await members.create(
            tx, telegram_id=5, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await members.create(
                tx, telegram_id=5, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
            )
    async with db.transaction() as tx:
        await members.mark_left(tx, first.id, now=NOW)
        await members.create(
            tx, telegram_id=5, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
    async with db.read() as conn:
        rows = await members.list_branch(conn, branch.id, include_left=True)
    assert sorted(m.status for m in rows) == ["active", "left"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("王小明", "王小明"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("  Li   Lei ", "Li Lei"),
        ("Zoë", "Zoë"),
    ],
)
def test_person_names_accepted(typed: str, kept: str) -> None:
    assert PersonName(value=typed).value == kept


@pytest.mark.parametrize(
    "typed", ["王", "", "王小明123", "a" * 21, "·王小明", "<b>王</b>", "王小明!"]
)
def test_person_names_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        PersonName(value=typed)


async def test_backup_while_open_is_consistent(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as tx:
        await branches.create(tx, "一中", now=NOW)
    target = tmp_path / "copy.sqlite3"
    await db.backup(target)
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM branches").fetchall() == [("一中",)]
    with pytest.raises(DatabaseError, match="already exists"):
        await db.backup(target)


async def test_oldest_schema_with_data_migrates_to_latest_keeping_every_row(
    tmp_path: Path,
) -> None:
    """Build schema version 1, fill it, migrate to the latest version, check every row."""
    path = tmp_path / "old.sqlite3"
    oldest = load_migrations()[:1]
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await apply_migrations(conn, oldest)
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("BEGIN")
        await conn.execute(
            "INSERT INTO branches (id, name, notice_chat_id, created_at)"
            " VALUES (1, '一中党支部', -1001, '2026-09-01T00:00:00+00:00')"
        )
        await conn.execute(
            "INSERT INTO members (id, telegram_id, name, role, branch_id, post, status,"
            " joined_at) VALUES (1, 11, '李红梅', 'secretary', 1, '校长', 'active',"
            " '2026-09-01T00:00:00+00:00'), (2, 12, '王老师', 'member', 1, NULL, 'left',"
            " '2026-09-02T00:00:00+00:00')"
        )
        await conn.execute(
            "INSERT INTO invites (id, code, branch_id, role, created_by, created_at,"
            " expires_at, max_uses, uses) VALUES (1, 'abc_DEF-123', 1, 'member', 1,"
            " '2026-09-01T00:00:00+00:00', '2026-09-08T00:00:00+00:00', 100, 1)"
        )
        await conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, detail)"
            " VALUES ('2026-09-01T00:00:00+00:00', 1, 'member.joined', 'member', '1', '{}')"
        )
        await conn.execute("INSERT INTO user_prefs VALUES (12, 'en', '2026-09-02T00:00:00+00:00')")
        await conn.execute("COMMIT")
        before = {
            table: await (await conn.execute(f"SELECT * FROM {table} ORDER BY 1")).fetchall()
            for table in ("branches", "members", "invites", "audit_log", "user_prefs")
        }
    async with Database(path) as db:
        assert await db.schema_version() == len(load_migrations())
        async with db.read() as conn:
            for table, rows in before.items():
                async with conn.execute(f"SELECT * FROM {table} ORDER BY 1") as cur:
                    after = [tuple(row) for row in await cur.fetchall()]
                # Later migrations may add columns; every old value must still be there.
                assert [row[: len(old)] for row, old in zip(after, rows, strict=True)] == [
                    tuple(old) for old in rows
                ], table


async def test_closing_while_a_transaction_runs_waits_for_it(db: Database) -> None:
    """The database is closed (a shutdown, a failing health check) while a transaction's
    first statement waits for the writer's thread: the close waits for the transaction
    to end instead of freeing the connection on the loop's thread under the worker (a
    crash); the transaction commits, and the database is closed after it."""
    ran: list[str] = []

    def slow(name: str) -> int:
        time.sleep(0.2)
        ran.append(name)
        return 1

    writer = db._writer
    assert writer is not None
    await writer.create_function("slow", 1, slow)
    busy = asyncio.create_task(writer.execute("SELECT slow('before')"))  # the thread is busy

    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute("SELECT slow('first')")
            await branches.create(tx, "一中党支部", now=NOW)

    task = asyncio.create_task(write())
    await asyncio.sleep(0.05)  # the transaction's first statement now waits behind ``busy``
    await db.close()
    await busy
    await task
    assert ran == ["before", "first"]
    check = sqlite3.connect(db.path)
    try:
        assert check.execute("SELECT name FROM branches").fetchall() == [("一中党支部",)]
    finally:
        check.close()
