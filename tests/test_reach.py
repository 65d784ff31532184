"""Reaching Telegram as docs/OPERATIONS.md describes: through PROXY_URL, or a self-hosted
Bot API server in local mode; and the JSON log format of that run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app import application_from_settings
from bot.settings import load_settings
from storage import Database
from tests.test_run import TOKEN, FakeApiServer, api

__all__ = ["api"]  # the fixture, shared with test_run


def test_run_through_an_http_proxy_with_json_logs(api: FakeApiServer, tmp_path: Path) -> None:
    """The documented proxy example. The Bot API's host does not even resolve here, so an
    answer proves every request went through the proxy (the stand-in plays both)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    env.update(
        XIANFENG_BOT_TOKEN=TOKEN,
        XIANFENG_API_BASE_URL="http://api.telegram.invalid/bot",
        XIANFENG_PROXY_URL=f"http://127.0.0.1:{api.port}",
        XIANFENG_LOG_FORMAT="json",
        XIANFENG_LOG_LEVEL="DEBUG",
    )
    log = tmp_path / "run.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stdout=sink, stderr=sink
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and "sendMessage" not in api.methods():
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    output = log.read_text()
    assert process.returncode == 0, output
    assert "sendMessage" in api.methods(), output
    entries = [json.loads(line) for line in output.splitlines()]  # every line is JSON
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    messages = [entry["message"] for entry in entries]
    assert any(m.startswith("xianfeng is running") for m in messages)
    assert "stopping" in messages
    assert "SECRET" not in output and TOKEN not in output


def test_a_fatal_error_is_a_json_line_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    env.update(
        XIANFENG_BOT_TOKEN=TOKEN,
        XIANFENG_API_BASE_URL="http://127.0.0.1:9/bot",
        XIANFENG_LOG_FORMAT="json",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    last = json.loads(result.stderr.strip().splitlines()[-1])
    assert last["level"] == "CRITICAL"
    assert last["message"].startswith("cannot reach the Telegram Bot API at http://127.0.0.1:9")
    assert "SECRET" not in result.stderr


async def test_a_self_hosted_bot_api_server_in_local_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented local-mode example: the settings reach the Bot the Application uses."""
    for name in list(os.environ):
        if name.startswith("XIANFENG_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XIANFENG_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("XIANFENG_API_FILE_BASE_URL", "http://127.0.0.1:8081/file/bot")
    monkeypatch.setenv("XIANFENG_API_LOCAL_MODE", "true")
    settings = load_settings()

    app = application_from_settings(settings, TOKEN, Database(tmp_path / "x.sqlite3"))

    assert app.bot.local_mode is True
    assert app.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
    assert app.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
    default = application_from_settings(
        load_settings(api_local_mode=False), TOKEN, Database(tmp_path / "y.sqlite3")
    )
    assert default.bot.local_mode is False
