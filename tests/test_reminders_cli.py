"""``xianfeng outbox``: counts by kind and status and the oldest pending row, read-only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from storage import Database, outbox

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def _fill(path: Path) -> None:
    async with Database(path) as db, db.transaction() as tx:
        for n, kind in enumerate(("digest", "broadcast", "broadcast")):
            await outbox.enqueue(
                tx,
                chat_id=3000 + n,
                member_id=None,
                kind=kind,
                text="hi",
                buttons=None,
                dedupe_key=f"k{n}",
                not_before=T0,
                now=T0,
            )


def _outbox(database: Path) -> subprocess.CompletedProcess[str]:
    # A separate process: the CLI sets up logging for the whole process.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "outbox"],
        env={**clean, "XIANFENG_DATABASE": str(database)},
        cwd=database.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_outbox_prints_counts_and_the_oldest_pending_row(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_fill(path))
    result = _outbox(path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == "Outbox"
    assert lines[1].split() == ["kind", "pending", "sending", "sent", "failed", "blocked", "total"]
    assert lines[2].split() == ["broadcast", "2", "0", "0", "0", "0", "2"]
    assert lines[3].split() == ["digest", "1", "0", "0", "0", "0", "1"]
    assert "Oldest pending: #1 digest to chat 3000, due 2026-12-01 01:00:00 UTC" in out


def test_outbox_without_a_database_says_so(tmp_path: Path) -> None:
    result = _outbox(tmp_path / "missing.sqlite3")
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not (tmp_path / "missing.sqlite3").exists()
