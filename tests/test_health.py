"""GET /healthz over HTTP: 200 and the figures while the bot works, 503 when it is stuck."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import build_application, reminder_engine, shutdown, startup
from bot.health import DISPATCHER_STUCK, TICK_STUCK, HealthServer
from handlers.common.services import BotConfig
from storage import Database, outbox
from storage.clock import FixedClock
from storage.migrations import load_migrations
from tests.fakebot import FakeTelegram


@dataclass
class Running:
    app: Any
    db: Database
    clock: FixedClock
    port: int

    async def get(self, path: str = "/healthz") -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(f"http://127.0.0.1:{self.port}{path}")


@pytest.fixture
async def running(tmp_path: Path, config: BotConfig, clock: FixedClock) -> AsyncIterator[Running]:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    app = build_application(
        token="999000:TEST", db=db, config=config, clock=clock, request=FakeTelegram()
    )
    server = HealthServer(app, "127.0.0.1", 0)
    try:
        async with app:
            # The real dispatcher task runs; the tick is driven by hand with the fixed clock.
            await startup(app, run_dispatcher=True, run_reminders=False)
            port = await server.start()
            try:
                yield Running(app, db, clock, port)
            finally:
                await server.stop()
                await shutdown(app)
    finally:
        await db.close()


async def test_healthy_bot_answers_200_with_the_figures(running: Running) -> None:
    await reminder_engine(running.app).tick()
    async with running.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=3001,
            member_id=None,
            kind="digest",
            text="下周一党日",
            buttons=None,
            dedupe_key="health:1",
            not_before=running.clock.now() + timedelta(days=1),
            now=running.clock.now(),
        )
    running.clock.advance(timedelta(minutes=2))

    response = await running.get()

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["database"] == {"reachable": True, "schema_version": len(load_migrations())}
    assert body["dispatcher"]["alive"] is True
    assert body["outbox"] == {"pending": 1, "oldest_pending_age_seconds": 120}
    assert body["reminders"]["seconds_since_tick"] == 120
    assert body["reminders"]["last_tick"].startswith("2026-11-28T02:00:00")


async def test_a_tick_missing_for_too_long_is_503(running: Running) -> None:
    await reminder_engine(running.app).tick()
    running.clock.advance(TICK_STUCK + timedelta(seconds=1))

    response = await running.get()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "stuck"
    assert body["problems"] == ["no reminder tick for more than 5 minutes"]
    await reminder_engine(running.app).tick()
    assert (await running.get()).status_code == 200


async def test_a_freshly_started_bot_is_not_stuck_before_its_first_tick(running: Running) -> None:
    response = await running.get()
    assert response.status_code == 200
    assert response.json()["reminders"] == {"last_tick": None, "seconds_since_tick": None}


async def test_a_dead_dispatcher_is_503(running: Running) -> None:
    await reminder_engine(running.app).tick()
    await shutdown(running.app)  # the dispatcher task ends

    response = await running.get()

    assert response.status_code == 503
    body = response.json()
    assert body["dispatcher"]["alive"] is False
    assert body["problems"] == ["dispatcher not running"]


async def test_a_dispatcher_inactive_for_too_long_is_503(running: Running) -> None:
    # The clock jumps; the tick keeps up but the dispatcher's last sign of life is old.
    running.clock.advance(DISPATCHER_STUCK + timedelta(minutes=1))
    await reminder_engine(running.app).tick()

    response = await running.get()

    assert response.status_code == 503
    assert response.json()["problems"] == ["dispatcher inactive for more than 15 minutes"]


async def test_an_unreadable_database_is_503(running: Running) -> None:
    await running.db.close()

    response = await running.get()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["reachable"] is False
    await running.db.open()


async def test_other_paths_are_not_found(running: Running) -> None:
    assert (await running.get("/")).status_code == 404
