"""`xianfeng doctor` as an operator runs it: against a local stand-in for the Bot API
(reachable, with its clock and webhook set as a test needs) and an unreachable one."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.doctor import Status
from bot.doctor import doctor as run_checks
from bot.settings import load_settings
from storage import Database, calendar
from storage.migrations import load_migrations

TOKEN = "424242:doctor-test-SECRET-token"
NEXT_YEAR = datetime.now(UTC).year + 1


class TelegramStandIn:
    """Answers getMe and getWebhookInfo like Telegram, with a Date header ``skew`` seconds
    off this machine's clock."""

    def __init__(self) -> None:
        self.skew = 0.0
        self.webhook: dict[str, Any] = {"url": "", "pending_update_count": 0}
        self.reject_token = False
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                method = self.path.rsplit("/", 1)[-1]
                if stand_in.reject_token:
                    status, body = (
                        401,
                        {"ok": False, "error_code": 401, "description": "Unauthorized"},
                    )
                else:
                    status, body = 200, {"ok": True, "result": stand_in.answer(method)}
                payload = json.dumps(body).encode()
                self.send_response_only(status)
                self.send_header("Date", formatdate(time.time() + stand_in.skew, usegmt=True))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def answer(self, method: str) -> Any:
        if method == "getMe":
            return {"id": 424242, "is_bot": True, "first_name": "先锋", "username": "xf_bot"}
        if method == "getWebhookInfo":
            return {"has_custom_certificate": False, **self.webhook}
        return True


@pytest.fixture
def telegram() -> Iterator[TelegramStandIn]:
    server = TelegramStandIn()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str = ""


def cli_doctor(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`xianfeng doctor` as a process (exit status, nothing on stderr)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        env={**clean, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def doctor(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Outcome]:
    """The same checks in this process (cheaper than a process per case): settings from
    these environment variables, the working directory the test's."""

    def run(tmp_path: Path, **env: str) -> Outcome:
        with monkeypatch.context() as patch:
            for name in list(os.environ):
                if name.startswith("XIANFENG_"):
                    patch.delenv(name)
            for name, value in env.items():
                patch.setenv(name, value)
            patch.chdir(tmp_path)
            findings = asyncio.run(run_checks(load_settings()))
        problem = any(f.status is Status.PROBLEM for f in findings)
        return Outcome(1 if problem else 0, "\n".join(f.line() for f in findings))

    return run


def lines(result: Outcome | subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    """The printed lines by subject ("ok       telegram: ..." -> {"telegram": [...]})."""
    found: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        subject = line[9:].split(":", 1)[0]
        found.setdefault(subject, []).append(line)
    return found


@pytest.fixture
def healthy(tmp_path: Path, telegram: TelegramStandIn) -> dict[str, str]:
    """A migrated, owner-only database, a fresh backup, and the stand-in API."""
    database = tmp_path / "xianfeng.sqlite3"

    async def prepare() -> None:
        db = Database(database)
        await db.open()
        await db.backup(tmp_path / "backups/xianfeng-2026-12-01.sqlite3")
        async with db.transaction() as tx:
            # Next year's arrangement, as an admin enters it once it is published.
            await calendar.set_override(
                tx,
                calendar.Override(date(NEXT_YEAR, 1, 1), calendar.DayKind.HOLIDAY, "元旦"),
                set_by=1001,
                now=datetime.now(UTC),
            )
        await db.close()

    (tmp_path / "backups").mkdir(mode=0o700)
    asyncio.run(prepare())
    database.chmod(0o600)
    return {
        "XIANFENG_BOT_TOKEN": TOKEN,
        "XIANFENG_ADMIN_IDS": "1001",
        "XIANFENG_API_BASE_URL": f"http://127.0.0.1:{telegram.port}/bot",
        "XIANFENG_BACKUP_DIR": str(tmp_path / "backups"),
    }


def test_a_healthy_deployment_is_all_ok(tmp_path: Path, healthy: dict[str, str]) -> None:
    result = cli_doctor(tmp_path, **healthy)
    assert result.returncode == 0, result.stdout + result.stderr
    found = lines(result)
    assert set(found) == {
        "settings", "time zone", "database files", "database", "schema", "disk",
        "telegram", "webhook", "clock", "backups", "calendar",
    }  # fmt: skip
    assert all(line.startswith("ok ") for line in result.stdout.splitlines()), result.stdout
    assert "@xf_bot" in found["telegram"][0]
    assert f"version {len(load_migrations())}, up to date" in found["schema"][0]
    assert "none (long polling)" in found["webhook"][0]
    assert "Asia/Shanghai" in found["time zone"][0]
    assert "1 in " in found["backups"][0] and "xianfeng-2026-12-01.sqlite3" in found["backups"][0]
    assert "SECRET" not in result.stdout + result.stderr


def test_an_unreachable_api_is_a_problem_with_the_fix(
    tmp_path: Path, healthy: dict[str, str]
) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    unreachable = {**healthy, "XIANFENG_API_BASE_URL": "http://127.0.0.1:9/bot"}
    result = cli_doctor(tmp_path, **unreachable)
    assert result.returncode == 1
    (telegram,) = lines(result)["telegram"]
    assert telegram.startswith("problem  telegram: cannot reach http://127.0.0.1:9/bot")
    assert "fix: check the network, or set XIANFENG_PROXY_URL" in telegram
    # What needs Telegram's answer is not claimed either way; the rest is still checked.
    assert "webhook" not in lines(result) and "clock" not in lines(result)
    assert lines(result)["schema"][0].startswith("ok ")
    assert "SECRET" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_a_rejected_token_says_so(
    tmp_path: Path,
    doctor: Callable[..., Outcome],
    healthy: dict[str, str],
    telegram: TelegramStandIn,
) -> None:
    telegram.reject_token = True
    result = doctor(tmp_path, **healthy)
    assert result.returncode == 1
    assert "rejected XIANFENG_BOT_TOKEN -> fix: copy the token again" in result.stdout


def test_a_skewed_clock_is_a_problem(
    tmp_path: Path,
    doctor: Callable[..., Outcome],
    healthy: dict[str, str],
    telegram: TelegramStandIn,
) -> None:
    telegram.skew = -300  # Telegram's clock says five minutes earlier: ours is ahead
    result = doctor(tmp_path, **healthy)
    assert result.returncode == 1
    (clock,) = lines(result)["clock"]
    # (The Date header has whole seconds.)
    assert re.match(r"problem  clock: 30[01] s ahead of Telegram's", clock), clock
    assert "timedatectl set-ntp true" in clock


def test_webhook_state_is_compared_with_the_settings(
    tmp_path: Path,
    doctor: Callable[..., Outcome],
    healthy: dict[str, str],
    telegram: TelegramStandIn,
) -> None:
    url = "https://bot.example.cn/xianfeng/telegram"
    env = {**healthy, "XIANFENG_WEBHOOK_URL": url, "XIANFENG_WEBHOOK_SECRET": "x" * 32}
    not_set = doctor(tmp_path, **env)
    assert not_set.returncode == 1
    assert "Telegram posts to nowhere" in lines(not_set)["webhook"][0]

    telegram.webhook = {"url": url, "pending_update_count": 3, "last_error_date": 1764000000,
                        "last_error_message": "Connection refused"}  # fmt: skip
    failing = doctor(tmp_path, **env)
    assert "last delivery failed: Connection refused" in lines(failing)["webhook"][0]

    telegram.webhook = {"url": url, "pending_update_count": 0}
    working = doctor(tmp_path, **env)
    assert working.returncode == 0, working.stdout
    assert lines(working)["webhook"][0] == f"ok       webhook: {url}, no delivery errors"


def test_database_problems_are_named_with_their_fix(
    tmp_path: Path, doctor: Callable[..., Outcome], healthy: dict[str, str]
) -> None:
    database = tmp_path / "xianfeng.sqlite3"
    database.chmod(0o644)
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA user_version = 3")
    result = doctor(tmp_path, **healthy)
    assert result.returncode == 1
    found = lines(result)
    assert found["database files"][0].startswith("problem  database files: readable by other")
    assert "chmod 600" in found["database files"][0]
    assert "fix: run `xianfeng migrate`" in found["schema"][0]

    missing = doctor(tmp_path, **{**healthy, "XIANFENG_DATABASE": str(tmp_path / "nope.db")})
    assert "does not exist -> fix: run `xianfeng migrate`" in lines(missing)["database"][0]


def test_missing_and_stale_backups_are_problems(
    tmp_path: Path, doctor: Callable[..., Outcome], healthy: dict[str, str]
) -> None:
    backup = tmp_path / "backups/xianfeng-2026-12-01.sqlite3"
    old = time.time() - 3 * 86400
    os.utime(backup, (old, old))
    stale = doctor(tmp_path, **healthy)
    assert stale.returncode == 1
    assert "3 days old -> fix: is the bot running?" in lines(stale)["backups"][0]

    backup.unlink()
    none = doctor(tmp_path, **healthy)
    assert lines(none)["backups"][0].startswith("problem  backups: no backup in")

    off = doctor(tmp_path, **{k: v for k, v in healthy.items() if k != "XIANFENG_BACKUP_DIR"})
    assert off.returncode == 0
    assert lines(off)["backups"][0].startswith("skipped  backups: XIANFENG_BACKUP_DIR is not set")


def test_settings_problems_are_listed(
    tmp_path: Path, doctor: Callable[..., Outcome], healthy: dict[str, str]
) -> None:
    env = {
        k: v for k, v in healthy.items() if k not in ("XIANFENG_BOT_TOKEN", "XIANFENG_ADMIN_IDS")
    }
    result = doctor(tmp_path, **env)
    assert result.returncode == 1
    settings = lines(result)["settings"]
    assert any("XIANFENG_BOT_TOKEN is not set" in line for line in settings)
    assert any("XIANFENG_ADMIN_IDS is empty" in line for line in settings)
    assert lines(result)["telegram"] == ["skipped  telegram: needs XIANFENG_BOT_TOKEN"]
