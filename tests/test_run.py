"""`xianfeng run` as a real process against a local stand-in for the Bot API server.

XIANFENG_API_BASE_URL points the bot at a small HTTP server on 127.0.0.1, so this checks
what unit tests cannot: start-up migrates, registers the menu, polls, answers a message,
stops cleanly on SIGTERM, and never prints the token, even at DEBUG.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from storage.migrations import load_migrations

TOKEN = "424242:run-test-SECRET-token"


class FakeApiServer:
    """Answers getMe, getUpdates (one /start, then nothing) and records every method."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._update_given = False
        self.reject_token = False
        self.revoke_after_start = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(body).items()}
                method = self.path.rsplit("/", 1)[-1]
                server.calls.append((method, params))
                revoked = server.revoke_after_start and method == "getUpdates"
                if server.reject_token or revoked:
                    status = 401
                    answer = {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    status = 200
                    answer = {"ok": True, "result": server.answer(method, params)}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        bot = {"id": 424242, "is_bot": True, "first_name": "先锋", "username": "xf_bot"}
        if method == "getMe":
            return bot
        if method == "getUpdates":
            if not self._update_given:
                self._update_given = True
                return [_start_update()]
            time.sleep(0.2)
            return []
        if method == "sendMessage":
            return {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "x"},
                "from": bot,
                "text": params.get("text", ""),
            }
        return True

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]


def _start_update() -> dict[str, Any]:
    user = {"id": 777, "is_bot": False, "first_name": "路人", "language_code": "zh-hans"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 10,
            "date": int(time.time()),
            "chat": {"id": 777, "type": "private", "first_name": "路人"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
def api() -> Iterator[FakeApiServer]:
    server = FakeApiServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()


def test_run_starts_answers_and_stops_cleanly(api: FakeApiServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    env.update(
        XIANFENG_BOT_TOKEN=TOKEN,
        XIANFENG_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
        XIANFENG_LOG_LEVEL="DEBUG",
    )
    log = tmp_path / "run.log"
    with log.open("w") as sink:
        # A file, not a pipe: at DEBUG nobody reading a pipe would block the bot.
        # umask 0 would make every new file world-writable; the bot's files must not be.
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=sink,
            preexec_fn=lambda: os.umask(0),
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and "sendMessage" not in api.methods():
                time.sleep(0.1)
            assert "sendMessage" in api.methods(), log.read_text()
            database = tmp_path / "xianfeng.sqlite3"
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    output = log.read_text()
    assert process.returncode == 0, output
    methods = api.methods()
    assert methods[0] == "getMe"
    assert "setMyCommands" in methods and "getUpdates" in methods
    reply = next(params for method, params in api.calls if method == "sendMessage")
    assert int(reply["chat_id"]) == 777 and "先锋" in reply["text"]
    assert "SECRET" not in output and TOKEN not in output
    assert "stopping" in output
    assert "readable by other users" not in output
    with sqlite3.connect(tmp_path / "xianfeng.sqlite3") as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == len(load_migrations())


def _run_briefly(env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    env.update(XIANFENG_BOT_TOKEN=TOKEN, **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_run_warns_once_about_a_database_others_can_read(tmp_path: Path) -> None:
    database = tmp_path / "xianfeng.sqlite3"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    result = _run_briefly({"XIANFENG_API_BASE_URL": "http://127.0.0.1:9/bot"}, tmp_path)
    warnings = [line for line in result.stderr.splitlines() if "readable by other" in line]
    assert len(warnings) == 1, result.stderr
    assert str(database) in warnings[0] and "644" in warnings[0]
    assert _mode(database) == 0o644  # the operator's to change, not ours


def test_unreachable_telegram_is_one_clear_line(tmp_path: Path) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    result = _run_briefly({"XIANFENG_API_BASE_URL": "http://127.0.0.1:9/bot"}, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("xianfeng: cannot reach the Telegram Bot API at")
    assert "XIANFENG_PROXY_URL" in lines[-1]
    assert "Traceback" not in result.stderr and "SECRET" not in result.stderr


def test_rejected_token_is_one_clear_line(api: FakeApiServer, tmp_path: Path) -> None:
    api.reject_token = True
    result = _run_briefly({"XIANFENG_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "xianfeng: Telegram rejected XIANFENG_BOT_TOKEN; copy it again from @BotFather"
    )
    assert "Traceback" not in result.stderr


def test_token_revoked_while_running_stops_the_process(api: FakeApiServer, tmp_path: Path) -> None:
    """PTB's polling gives up on a revoked token; the process must not idle on for ever."""
    api.revoke_after_start = True
    result = _run_briefly({"XIANFENG_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot"}, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "xianfeng: Telegram rejected XIANFENG_BOT_TOKEN; copy it again from @BotFather"
    )
    assert "SECRET" not in result.stderr
    assert "still running" not in result.stderr
