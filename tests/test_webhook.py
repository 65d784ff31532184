"""Webhook mode end to end: the real Application behind PTB's webhook server on a local
port, Telegram's posts imitated with real update JSON, answers recorded by the fake API."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import build_application, startup
from bot.settings import Webhook
from bot.webhook import PTB_WEBHOOK_LOGGER, RefusalLog, start_webhook
from handlers.common.services import BotConfig
from storage import Database
from tests.fakebot import FakeTelegram
from tests.test_run import FakeApiServer, api

__all__ = ["api"]  # the fixture, shared with test_run

SECRET = "s3cret-webhook-token-0123456789abcdef"
HOOK_PATH = "/xianfeng/telegram"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_update(update_id: int, user_id: int = 777) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "路人", "language_code": "zh-hans"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 10 + update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "路人"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@dataclass
class Served:
    tg: FakeTelegram
    webhook: Webhook

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.webhook.port}{HOOK_PATH}"

    async def post(self, update: dict[str, Any], secret: str | None) -> httpx.Response:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with httpx.AsyncClient() as client:
            return await client.post(self.endpoint, json=update, headers=headers)

    async def answers_to(self, chat_id: int) -> list[str]:
        """The bot's answers in a chat, once there is one (updates are processed after
        the webhook's 200, on PTB's update queue)."""
        async with asyncio.timeout(10):
            while not self.tg.texts(chat_id):  # noqa: ASYNC110 (the fake has no event to await)
                await asyncio.sleep(0.02)
        return self.tg.texts(chat_id)


@pytest.fixture
def ptb_webhook_logger() -> Iterator[logging.Logger]:
    """PTB's webhook logger, put back as it was (the filter raises its level)."""
    logger = logging.getLogger(PTB_WEBHOOK_LOGGER)
    level, filters = logger.level, list(logger.filters)
    try:
        yield logger
    finally:
        logger.setLevel(level)
        logger.filters[:] = filters


@pytest.fixture
async def served(
    tmp_path: Path, config: BotConfig, ptb_webhook_logger: logging.Logger
) -> AsyncIterator[Served]:
    tg = FakeTelegram()
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    app = build_application(token="999000:TEST", db=db, config=config, request=tg)
    webhook = Webhook(
        url=f"https://bot.example.cn{HOOK_PATH}",
        listen="127.0.0.1",
        port=free_port(),
        secret=SECRET,
    )
    try:
        async with app:
            await startup(app, run_dispatcher=False)
            await app.start()
            await start_webhook(app.updater, webhook)
            try:
                yield Served(tg, webhook)
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        await db.close()


async def test_telegram_is_told_the_url_and_secret_and_nothing_pending_is_dropped(
    served: Served,
) -> None:
    assert served.tg.webhook == {
        "url": f"https://bot.example.cn{HOOK_PATH}",
        "secret_token": SECRET,
    }
    set_webhook = served.tg.calls_to("setWebhook")[-1].params
    assert set_webhook.get("drop_pending_updates") in (None, False)
    assert not served.tg.calls_to("getUpdates")


async def test_an_update_with_the_right_secret_is_answered(served: Served) -> None:
    response = await served.post(start_update(1), SECRET)
    assert response.status_code == 200
    answers = await served.answers_to(777)
    assert answers and "先锋" in answers[0]


@pytest.mark.parametrize("secret", [None, "wrong-secret-0123456789"], ids=["missing", "wrong"])
async def test_an_update_without_the_right_secret_is_refused_unanswered(
    served: Served, secret: str | None
) -> None:
    response = await served.post(start_update(2, user_id=778), secret)
    assert response.status_code == 403
    await asyncio.sleep(0.3)  # what an accepted update would have had to be answered
    assert served.tg.texts(778) == []
    # The right secret still works afterwards.
    ok = await served.post(start_update(3, user_id=779), SECRET)
    assert ok.status_code == 200 and await served.answers_to(779)


async def test_refused_requests_are_logged_once_not_per_request(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for n in range(5):
        response = await served.post(start_update(10 + n, user_id=800 + n), "wrong-" + "x" * 20)
        assert response.status_code == 403
    refusals = [r for r in caplog.records if "refused a request" in r.getMessage()]
    assert len(refusals) == 1
    assert refusals[0].levelno == logging.WARNING
    assert "wrong-xxxx" not in caplog.text
    # PTB's other DEBUG lines (each update's full JSON) stay below the configured level.
    assert not [r for r in caplog.records if r.levelno < logging.INFO]


def test_the_refusal_line_repeats_after_a_minute_with_the_count() -> None:
    clock = [0.0]
    refusals = RefusalLog(threshold=logging.INFO, monotonic=lambda: clock[0])
    logger = logging.getLogger("test.webhook.refusals")
    passed: list[str] = []

    def refuse() -> None:
        record = logger.makeRecord(
            logger.name,
            logging.DEBUG,
            __file__,
            1,
            "Request had the wrong secret token: %s",
            ("guess",),
            None,
        )
        if refusals.filter(record):
            passed.append(record.getMessage())

    for at in (0.0, 10.0, 30.0, 59.0, 61.0, 62.0):
        clock[0] = at
        refuse()
    assert len(passed) == 2
    assert "more since" not in passed[0]
    assert "3 more since the last such line" in passed[1]
    assert all("guess" not in line for line in passed)


def _run(env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    env.update(XIANFENG_BOT_TOKEN="424242:run-test-SECRET-token", **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"XIANFENG_WEBHOOK_URL": "https://bot.example.cn/hook"},
            "xianfeng: XIANFENG_WEBHOOK_SECRET is not set",
        ),
        (
            {
                "XIANFENG_WEBHOOK_URL": "http://bot.example.cn/hook",
                "XIANFENG_WEBHOOK_SECRET": SECRET,
            },
            "xianfeng: XIANFENG_WEBHOOK_URL is invalid: must start with https://",
        ),
        (
            {"XIANFENG_WEBHOOK_URL": "https://bot.example.cn/hook", "XIANFENG_WEBHOOK_SECRET": "x"},
            "xianfeng: XIANFENG_WEBHOOK_SECRET is invalid",
        ),
    ],
    ids=["no secret", "plain http", "short secret"],
)
def test_webhook_settings_mistakes_stop_start_up_with_one_line(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = _run(env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(expected), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert SECRET not in result.stderr


def test_run_in_webhook_mode_answers_posts_and_serves_healthz(
    api: FakeApiServer, tmp_path: Path
) -> None:
    """`xianfeng run` as a process: setWebhook at start-up, no polling, a posted update
    answered, /healthz 200, a clean stop on SIGTERM."""
    hook_port, health_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    env.update(
        XIANFENG_BOT_TOKEN="424242:run-test-SECRET-token",
        XIANFENG_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
        XIANFENG_WEBHOOK_URL=f"https://bot.example.cn{HOOK_PATH}",
        XIANFENG_WEBHOOK_PORT=str(hook_port),
        XIANFENG_WEBHOOK_SECRET=SECRET,
        XIANFENG_HEALTH_PORT=str(health_port),
        # At DEBUG PTB logs setWebhook's parameters: the secret must still not show.
        XIANFENG_LOG_LEVEL="DEBUG",
    )
    log = tmp_path / "run.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stdout=sink, stderr=sink
        )
        try:
            health = _wait_for(f"http://127.0.0.1:{health_port}/healthz", log)
            assert health.status_code == 200 and health.json()["status"] == "ok"
            hook = f"http://127.0.0.1:{hook_port}{HOOK_PATH}"
            update = start_update(1)
            refused = httpx.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
            )
            assert refused.status_code == 403
            accepted = httpx.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert accepted.status_code == 200
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and "sendMessage" not in api.methods():
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    output = log.read_text()
    assert process.returncode == 0, output
    webhook = next(params for method, params in api.calls if method == "setWebhook")
    assert webhook["url"] == f"https://bot.example.cn{HOOK_PATH}"
    assert webhook["secret_token"] == SECRET
    assert "getUpdates" not in api.methods()
    replies = [params for method, params in api.calls if method == "sendMessage"]
    assert len(replies) == 1 and int(replies[0]["chat_id"]) == 777
    assert output.count("refused a request") == 1
    assert SECRET not in output


def _wait_for(url: str, log: Path, timeout: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(url)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered:\n{log.read_text()}")
