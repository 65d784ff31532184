"""Daily backups while the bot runs: the dated, checked, owner-only copy, pruning, the
schedule, and a failure told to the admins once through the outbox."""

from __future__ import annotations

import os
import stat
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.backups import BACKUP_JOB, FAILED_KIND, BackupPlan, run_backup, schedule_backups
from handlers.common.services import SERVICES_KEY, Services
from storage import Database, outbox
from storage.backups import check_file
from storage.migrations import load_migrations
from tests.conftest import ADMIN, ZONE, Harness


def services(harness: Harness) -> Services:
    return harness.app.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def half_written(target: Path) -> None:
    target.write_bytes(b"half")


async def failure_notices(harness: Harness) -> list[outbox.OutboxMessage]:
    async with harness.db.read() as conn:
        return [m for m in await outbox.list_all(conn) if m.kind == FAILED_KIND]


async def test_a_backup_is_dated_checked_owner_only_and_old_ones_pruned(
    harness: Harness, tmp_path: Path
) -> None:
    await harness.send(ADMIN, "/newbranch 第一中学党支部")
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    # Today is 2026-11-28 (the harness clock); 30 days kept: the 29th of October stays.
    for name in ("xianfeng-2026-10-28.sqlite3", "xianfeng-2026-10-29.sqlite3", "notes.txt"):
        (folder / name).write_text("old")

    written = await run_backup(services(harness), BackupPlan(folder, time(2, 30), 30))

    assert written == folder / "xianfeng-2026-11-28.sqlite3"
    assert mode(written) == 0o600 and mode(folder) == 0o700
    checked = check_file(written)
    assert checked.intact and checked.schema_version == len(load_migrations())
    copy = Database(written)
    await copy.open(migrate=False)
    async with copy.read() as conn, conn.execute("SELECT name FROM branches") as cur:
        assert [row[0] for row in await cur.fetchall()] == ["第一中学党支部"]
    await copy.close()
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt",
        "xianfeng-2026-10-29.sqlite3",
        "xianfeng-2026-11-28.sqlite3",
    ]
    # Once a day: a second run the same day writes nothing.
    assert await run_backup(services(harness), BackupPlan(folder, time(2, 30), 30)) is None


async def test_a_failed_backup_is_told_to_the_admins_once(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.send(ADMIN, "/start")
    plan = BackupPlan(tmp_path / "backups", time(2, 30), 30)

    async def disk_full(self: Database, target: Path) -> None:
        half_written(Path(target))
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(Database, "backup", disk_full)
        assert await run_backup(services(harness), plan) is None
        harness.clock.advance(timedelta(days=1))
        assert await run_backup(services(harness), plan) is None  # still failing next day

    assert list(plan.folder.iterdir()) == []  # no half-written copy left to pass for one
    (notice,) = await failure_notices(harness)
    assert notice.chat_id == ADMIN.id
    assert await harness.deliver() == 1
    text = harness.last(ADMIN)
    assert "数据库自动备份没有成功" in text and "No space left on device" in text
    assert "最近一次成功的备份：无" in text

    # A backup succeeds again; a later failure is news, and is told again.
    good = await run_backup(services(harness), plan)
    assert good is not None
    harness.clock.advance(timedelta(days=1))
    with monkeypatch.context() as patch:
        patch.setattr(Database, "backup", disk_full)
        await run_backup(services(harness), plan)
    assert len(await failure_notices(harness)) == 2
    await harness.deliver()
    assert f"最近一次成功的备份：{good.name}" in harness.last(ADMIN)


async def test_a_backup_folder_that_cannot_be_made_is_a_failure_too(
    harness: Harness, tmp_path: Path
) -> None:
    await harness.send(ADMIN, "/start")
    (tmp_path / "a-file").write_text("")
    plan = BackupPlan(tmp_path / "a-file" / "backups", time(2, 30), 30)
    assert await run_backup(services(harness), plan) is None
    assert len(await failure_notices(harness)) == 1


async def test_backups_are_scheduled_daily_at_backup_at_local_time(
    harness: Harness, tmp_path: Path
) -> None:
    plan = BackupPlan(tmp_path / "backups", time(2, 30), 30)
    schedule_backups(harness.app, plan)
    jobs = harness.app.job_queue.get_jobs_by_name(BACKUP_JOB)
    daily = [job for job in jobs if job.next_t.astimezone(ZONE).time() == time(2, 30)]
    assert len(daily) == 1
    # No backup yet: one is made soon after start-up rather than waiting for 02:30.
    assert len(jobs) == 2
    for job in jobs:
        job.schedule_removal()


@pytest.mark.parametrize(("age_hours", "jobs"), [(3, 1), (25, 2)])
async def test_a_catch_up_only_when_the_newest_backup_is_over_a_day_old(
    harness: Harness, tmp_path: Path, age_hours: int, jobs: int
) -> None:
    plan = BackupPlan(tmp_path / "backups", time(2, 30), 30)
    written = await run_backup(services(harness), plan)
    assert written is not None
    made = (harness.clock.now() - timedelta(hours=age_hours)).timestamp()
    os.utime(written, (made, made))
    schedule_backups(harness.app, plan)
    scheduled = harness.app.job_queue.get_jobs_by_name(BACKUP_JOB)
    assert len(scheduled) == jobs
    for job in scheduled:
        job.schedule_removal()
