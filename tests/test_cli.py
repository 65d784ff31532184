"""The `xianfeng` command line: help, migrate and backup (run is tested through its parts)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.migrations import load_migrations


def _cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["migrate", "--help"],
        ["backup", "--help"],
        ["restore", "--help"],
        ["doctor", "--help"],
        ["outbox", "--help"],
    ],
)
def test_help_for_every_subcommand(tmp_path: Path, args: list[str]) -> None:
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: xianfeng" in result.stdout


def test_migrate_creates_the_database_in_the_working_directory(tmp_path: Path) -> None:
    result = _cli("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    latest = len(load_migrations())
    assert f"schema version {latest}" in result.stdout
    with sqlite3.connect(tmp_path / "xianfeng.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest
    again = _cli("migrate", cwd=tmp_path)
    assert again.returncode == 0 and f"schema version {latest}" in again.stdout


def test_backup_writes_a_checked_copy(tmp_path: Path) -> None:
    env = {"XIANFENG_DATABASE": str(tmp_path / "live.sqlite3")}
    assert _cli("migrate", cwd=tmp_path, env=env).returncode == 0
    with sqlite3.connect(tmp_path / "live.sqlite3") as conn:
        conn.execute(
            "INSERT INTO branches (name, created_at)"
            " VALUES ('一中党支部', '2026-11-28T02:00:00+00:00')"
        )
    result = _cli("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "integrity check ok" in result.stdout
    with sqlite3.connect(tmp_path / "copy.sqlite3") as conn:
        assert conn.execute("SELECT name FROM branches").fetchall() == [("一中党支部",)]


def test_backup_refuses_to_overwrite_and_names_missing_database(tmp_path: Path) -> None:
    env = {"XIANFENG_DATABASE": str(tmp_path / "none.sqlite3")}
    missing = _cli("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path, env=env)
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    env = {"XIANFENG_DATABASE": str(tmp_path / "live.sqlite3")}
    _cli("migrate", cwd=tmp_path, env=env)
    (tmp_path / "taken.sqlite3").write_text("x")
    taken = _cli("backup", str(tmp_path / "taken.sqlite3"), cwd=tmp_path, env=env)
    assert taken.returncode == 1 and "already exists" in taken.stderr


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda p: p.write_bytes(b"this is not a database, just some text" * 100), "cannot use"),
        (lambda p: p.mkdir(), "is a folder"),
        (
            lambda p: sqlite3.connect(p).execute("PRAGMA user_version = 999").connection.commit(),
            "newer than this program",
        ),
    ],
    ids=["not sqlite", "a folder", "newer schema"],
)
def test_unusable_database_is_one_line_and_exit_1(tmp_path: Path, prepare, expected) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.sqlite3"
    prepare(path)
    result = _cli("migrate", cwd=tmp_path, env={"XIANFENG_DATABASE": str(path)})
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
