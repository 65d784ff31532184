"""GET /healthz for a monitor: 200 and JSON while the bot works, 503 when it is stuck.

Served on its own port (``XIANFENG_HEALTH_PORT``) by tornado, which PTB's webhook extra
already brings, in polling and webhook mode alike.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram.ext import Application

from bot.app import dispatcher_running
from handlers.common.services import SERVICES_KEY, Services
from storage import outbox, reminders

# The reminder tick runs every minute; five missed in a row is no longer lateness.
TICK_STUCK = timedelta(minutes=5)
# The dispatcher shows it is alive at least every minute when idle, after every send,
# and after each retry back-off (at most 10 minutes while the database keeps failing).
DISPATCHER_STUCK = timedelta(minutes=15)

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Health:
    ok: bool
    body: dict[str, Any] = field(default_factory=dict)


async def check_health(app: AnyApp, started_at: datetime) -> Health:
    """What /healthz answers. ``started_at``: when serving began, so a bot that has just
    started is not called stuck for having no tick yet."""
    services: Services = app.bot_data[SERVICES_KEY]
    now = services.clock.now()
    problems: list[str] = []
    body: dict[str, Any] = {"time": now.isoformat()}

    try:
        async with services.db.read() as conn:
            version = await services.db.schema_version()
            pending = await outbox.pending_summary(conn)
            last_tick = await reminders.last_run(conn)
    except Exception as exc:
        log.warning("healthz: the database cannot be read: %s", exc)
        body["database"] = {"reachable": False, "error": str(exc)}
        problems.append("database unreachable")
        return Health(False, {"status": "unavailable", **body, "problems": problems})
    body["database"] = {"reachable": True, "schema_version": version}

    dispatcher = services.dispatcher
    active_at = dispatcher.active_at if dispatcher is not None else None
    alive = dispatcher_running(app)
    if not alive:
        problems.append("dispatcher not running")
    elif now - (active_at or started_at) > DISPATCHER_STUCK:
        problems.append(f"dispatcher inactive for more than {_minutes(DISPATCHER_STUCK)}")
    body["dispatcher"] = {"alive": alive, "last_active": _iso(active_at)}

    body["outbox"] = {
        "pending": pending.count,
        "oldest_pending_age_seconds": _age(now, pending.oldest_created_at),
    }

    if now - max(last_tick or started_at, started_at) > TICK_STUCK:
        problems.append(f"no reminder tick for more than {_minutes(TICK_STUCK)}")
    body["reminders"] = {
        "last_tick": _iso(last_tick),
        "seconds_since_tick": _age(now, last_tick),
    }

    status = "stuck" if problems else "ok"
    return Health(not problems, {"status": status, **body, "problems": problems})


class HealthServer:
    """The /healthz HTTP server; ``port`` 0 picks a free one (``start`` returns it)."""

    def __init__(self, app: AnyApp, listen: str, port: int) -> None:
        self._app = app
        self._listen = listen
        self._port = port
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> int:
        services: Services = self._app.bot_data[SERVICES_KEY]
        web = tornado.web.Application(
            [(r"/healthz", _HealthHandler, {"app": self._app, "started_at": services.clock.now()})],
            # A monitor asks every few seconds; an access line each time would bury the log.
            log_function=lambda handler: None,
        )
        sockets = tornado.netutil.bind_sockets(self._port, address=self._listen)
        self._server = tornado.httpserver.HTTPServer(web)
        self._server.add_sockets(sockets)
        port = int(sockets[0].getsockname()[1])
        log.info("health: GET http://%s:%d/healthz", self._listen, port)
        return port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, app: AnyApp, started_at: datetime) -> None:
        self._app = app
        self._started_at = started_at

    async def get(self) -> None:
        health = await check_health(self._app, self._started_at)
        self.set_status(200 if health.ok else 503)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(health.body, ensure_ascii=False))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _age(now: datetime, since: datetime | None) -> int | None:
    return None if since is None else max(int((now - since).total_seconds()), 0)


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} minutes"
