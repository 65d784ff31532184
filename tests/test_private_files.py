"""The database, its WAL, backups and exports are owner-only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from storage import Database, branches
from storage.files import too_open
from tests.conftest import MEMBER, Harness
from tests.test_database import NOW


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 0: any file created without an explicit mode would be 0666."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("open_umask")
async def test_new_database_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    async with Database(path) as db:
        async with db.transaction() as tx:
            await branches.create(tx, "一中", now=NOW)
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert [_mode(f) for f in files] == [0o600, 0o600, 0o600]


@pytest.mark.usefixtures("open_umask")
def test_backup_command_writes_an_owner_only_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XIANFENG_DATABASE", str(tmp_path / "x.sqlite3"))
    assert main(["migrate"]) == 0
    assert main(["backup", "copy.sqlite3"]) == 0
    assert "backup written to copy.sqlite3" in capsys.readouterr().out
    assert _mode(tmp_path / "copy.sqlite3") == 0o600
    assert too_open(list(tmp_path.iterdir())) == []


async def test_mydata_export_leaves_no_file_on_the_server(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    await harness.branch_with_people()
    before = _files(tmp_path)
    await harness.send(MEMBER, "/mydata")
    assert harness.tg.calls_to("sendDocument")
    assert _files(tmp_path) == before


async def test_a_ledger_export_is_owner_only(tmp_path: Path) -> None:
    from tests.ledger_seed import SeedSize, seed
    from tests.test_ledger_export import export

    path = tmp_path / "ledger.sqlite3"
    await seed(path, SeedSize())
    old = os.umask(0)
    try:
        async with Database(path) as db:
            files = await export(db, tmp_path)
    finally:
        os.umask(old)
    assert files and [_mode(f) for f in files] == [0o600] * len(files)
