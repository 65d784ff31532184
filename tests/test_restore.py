"""`xianfeng restore`, and the restore drill of docs/OPERATIONS.md performed step by step."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import aiosqlite

from storage.migrations import apply_migrations, load_migrations
from tests.test_run import TOKEN, FakeApiServer, api

__all__ = ["api"]  # the fixture, shared with test_run

LATEST = len(load_migrations())


def cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def branches(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM branches ORDER BY id")]


def add_branch(database: Path, name: str) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO branches (name, created_at) VALUES (?, '2026-11-28T02:00:00+00:00')",
            (name,),
        )


def test_the_restore_drill(api: FakeApiServer, tmp_path: Path) -> None:
    """docs/OPERATIONS.md, "Restore drill", in the same order."""
    database = tmp_path / "xianfeng.sqlite3"
    assert cli("migrate", cwd=tmp_path).returncode == 0
    add_branch(database, "一中党支部")
    (tmp_path / "backups").mkdir(mode=0o700)
    backup = tmp_path / "backups/xianfeng-2026-11-30.sqlite3"
    # 1. A backup exists (the nightly one, or made by hand like this).
    assert cli("backup", str(backup), cwd=tmp_path).returncode == 0
    add_branch(database, "误建的支部")  # what the restore is meant to undo

    # 2. While the bot runs, restore refuses and changes nothing.
    env = {"XIANFENG_BOT_TOKEN": TOKEN, "XIANFENG_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    log = tmp_path / "run.log"
    with log.open("w") as sink:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env={**clean, **env},
            stdout=sink,
            stderr=sink,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and "getUpdates" not in api.methods():
                time.sleep(0.1)
            refused = cli("restore", str(backup), cwd=tmp_path)
            assert refused.returncode == 1
            assert "in use by a running xianfeng" in refused.stderr
            assert f"process {bot.pid}" in refused.stderr
            assert branches(database) == ["一中党支部", "误建的支部"]
            # 3. Stop the bot (systemctl stop xianfeng sends SIGTERM).
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
        finally:
            if bot.poll() is None:
                bot.kill()

    # 4. Restore.
    restored = cli("restore", str(backup), cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert f"restored xianfeng.sqlite3 from {backup} (integrity check ok)" in restored.stdout
    assert branches(database) == ["一中党支部"]
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    (aside,) = tmp_path.glob("xianfeng.sqlite3.before-restore-????????-??????")
    assert f"kept as {aside.name}" in restored.stdout
    assert branches(aside) == ["一中党支部", "误建的支部"]  # nothing is lost by restoring

    # 5. The doctor's database lines are ok.
    checked = cli("doctor", cwd=tmp_path)
    for subject in ("database:", "schema:"):
        (line,) = [x for x in checked.stdout.splitlines() if x[9:].startswith(subject)]
        assert line.startswith("ok "), checked.stdout


def test_an_older_backup_is_migrated(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"

    async def make_old() -> None:
        async with aiosqlite.connect(old, isolation_level=None) as conn:
            await apply_migrations(conn, load_migrations()[:3])

    asyncio.run(make_old())
    add_branch(old, "老支部")
    result = cli("restore", str(old), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"migrated it from schema version 3 to {LATEST}" in result.stdout
    assert "kept as" not in result.stdout  # there was no database to keep aside
    database = tmp_path / "xianfeng.sqlite3"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert branches(database) == ["老支部"]


def test_a_damaged_or_newer_backup_is_refused_and_the_database_kept(tmp_path: Path) -> None:
    database = tmp_path / "xianfeng.sqlite3"
    cli("migrate", cwd=tmp_path)
    add_branch(database, "现有支部")

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all " * 200)
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 999")
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()

    for backup, reason in (
        (garbage, "cannot use"),
        (newer, "newer than this program"),
        (empty, "holds no xianfeng data"),
        (tmp_path / "missing.sqlite3", "is not a file"),
    ):
        result = cli("restore", str(backup), cwd=tmp_path)
        assert result.returncode == 1, backup
        assert reason in result.stderr and "Traceback" not in result.stderr
        assert branches(database) == ["现有支部"]
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_a_second_run_on_the_same_database_is_refused(api: FakeApiServer, tmp_path: Path) -> None:
    env = {"XIANFENG_BOT_TOKEN": TOKEN, "XIANFENG_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "getUpdates" not in api.methods():
            time.sleep(0.1)
        second = cli("run", cwd=tmp_path, **env)
        assert second.returncode == 1
        assert "in use by a running xianfeng" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
