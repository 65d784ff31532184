"""The `xianfeng` command: run the bot, migrate the database, back it up, inspect the outbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import application_from_settings, freeze_long_lived, shutdown, startup
from bot.backups import BackupPlan, schedule_backups
from bot.doctor import Status, doctor
from bot.health import HealthServer
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, Webhook, load_settings
from bot.webhook import start_webhook
from schedules.outbox_report import outbox_report
from storage import Database, DatabaseError
from storage.backups import restore, run_lock
from storage.files import database_files, too_open
from storage.migrations import load_migrations

logger = logging.getLogger("xianfeng")

EXIT_CONFIG = 2
POLLING_CHECK_SECONDS = 2.0
_POLLING_TASK = "Updater:start_polling:polling_task"  # the name PTB gives its polling task


def main(argv: Sequence[str] | None = None) -> int:
    # PTB 22 reports RetryAfter.retry_after as a timedelta with this; without it, it warns.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        settings = load_settings()
        token = settings.token() if args.command == "run" else None
        webhook = settings.webhook() if args.command == "run" else None
    except SettingsError as exc:
        print(f"xianfeng: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    # Redacted for every command: the doctor, too, calls Telegram with the token.
    raw_token = settings.bot_token.get_secret_value().strip() if settings.bot_token else None
    setup_logging(
        settings.log_level,
        token or raw_token,
        [webhook.secret] if webhook else [],
        settings.log_format,
    )
    try:
        if args.command == "run":
            assert token is not None
            asyncio.run(_run(settings, token, webhook))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "backup":
            asyncio.run(_backup(settings, Path(args.path)))
        elif args.command == "outbox":
            asyncio.run(_outbox(settings))
        elif args.command == "doctor":
            return asyncio.run(_doctor(settings))
        elif args.command == "restore":
            asyncio.run(_restore(settings, Path(args.path)))
    except DatabaseError as exc:
        return _fatal(settings, str(exc), 1)
    except InvalidToken:
        return _fatal(
            settings,
            "Telegram rejected XIANFENG_BOT_TOKEN; copy it again from @BotFather",
            EXIT_CONFIG,
        )
    except NetworkError as exc:
        reason = str(exc).replace(token or "\0", "<token>")
        return _fatal(
            settings,
            f"cannot reach the Telegram Bot API at {settings.api_base_url} ({reason});"
            " check the network, or set XIANFENG_PROXY_URL or XIANFENG_API_BASE_URL",
            1,
        )
    except TelegramError as exc:
        return _fatal(settings, f"Telegram stopped answering: {exc}", 1)
    except OSError as exc:
        # A port already taken (webhook, /healthz), a folder that cannot be written.
        return _fatal(settings, str(exc), 1)
    except KeyboardInterrupt:
        pass
    return 0


def _fatal(settings: Settings, message: str, status: int) -> int:
    """The one line that says why the command stopped: plain text, or with
    XIANFENG_LOG_FORMAT=json a JSON log line like every other."""
    if settings.log_format == "json":
        logger.critical(message)
    else:
        print(f"xianfeng: {message}", file=sys.stderr)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xianfeng",
        description="先锋 (xianfeng): the Telegram bot for party-member teachers. "
        "Settings come from XIANFENG_* environment variables or a .env file.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, description, path) in _COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=description)
        if path is not None:
            command.add_argument("path", metavar="PATH", help=path)
    return parser


# Each command: its line in --help, its own --help, and what its PATH is (if it takes one).
_COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "run": (
        "migrate the database, register the command menu and start receiving updates",
        "Migrate the database, register the command menu and start receiving "
        "updates: long polling, or the webhook server when XIANFENG_WEBHOOK_URL is set. "
        "Needs XIANFENG_BOT_TOKEN. Stops cleanly on Ctrl-C or SIGTERM.",
        None,
    ),
    "migrate": (
        "apply database migrations that are missing, then exit",
        "Create the database file if needed and apply missing migrations.",
        None,
    ),
    "backup": (
        "write a consistent copy of the database to PATH (safe while the bot runs)",
        "Copy the database with SQLite's online backup API, safe while the bot "
        "runs, and check the copy with PRAGMA integrity_check.",
        "where to write the copy (must not exist)",
    ),
    "outbox": (
        "show the outbox: messages by kind and status, and the oldest pending one",
        "Count the outbox's messages by kind and status (pending, sending, sent, "
        "failed, blocked) and show the pending one first in line. Read-only; safe while "
        "the bot runs.",
        None,
    ),
    "restore": (
        "put a backup in place of the database (the bot must be stopped)",
        "Check the backup (integrity, schema version), keep the current database "
        "aside as <database>.before-restore-<time>, put the backup in its place and migrate "
        "it if it is older. Refuses while `xianfeng run` is running on this database.",
        "the backup file to restore",
    ),
    "doctor": (
        "check settings, database, Telegram, clock and backups; one line each",
        "Check the deployment: settings, the database (file modes, integrity, "
        "schema, free disk), Telegram through the configured proxy or base URL (the bot, "
        "its webhook, the clock against Telegram's), the time zone and the backups. One "
        "line per check: ok, or the problem and its fix. Exit status 1 on any problem. "
        "Read-only; safe while the bot runs.",
        None,
    ),
}


async def _restore(settings: Settings, backup: Path) -> None:
    database = settings.database
    with run_lock(database):
        restored = restore(
            database, backup, latest_version=len(load_migrations()), now=datetime.now(UTC)
        )
        db = Database(database)
        await db.open()  # migrates a backup from an older version
        try:
            version = await db.schema_version()
        finally:
            await db.close()
    print(f"restored {database} from {backup} (integrity check ok)")
    if restored.backup_version < version:
        print(f"migrated it from schema version {restored.backup_version} to {version}")
    if restored.aside is not None:
        print(f"the database it replaced is kept as {restored.aside}")


async def _doctor(settings: Settings) -> int:
    findings = await doctor(settings)
    for finding in findings:
        print(finding.line())
    return 1 if any(f.status is Status.PROBLEM for f in findings) else 0


async def _migrate(settings: Settings) -> None:
    db = Database(settings.database)
    await db.open()
    try:
        print(f"database {settings.database} is at schema version {await db.schema_version()}")
    finally:
        await db.close()


async def _backup(settings: Settings, target: Path) -> None:
    async with _as_it_is(settings) as db:
        await db.backup(target)
    print(f"backup written to {target} (integrity check ok)")


async def _outbox(settings: Settings) -> None:
    async with _as_it_is(settings) as db:
        print(await outbox_report(db))


@asynccontextmanager
async def _as_it_is(settings: Settings) -> AsyncIterator[Database]:
    """The existing database, opened without migrating it (copied or read as it is)."""
    if not settings.database.exists():
        raise DatabaseError(f"database {settings.database} does not exist")
    db = Database(settings.database)
    await db.open(migrate=False)
    try:
        yield db
    finally:
        await db.close()


async def _run(settings: Settings, token: str, webhook: Webhook | None) -> None:
    _warn_if_readable_by_others(settings.database)
    # Held until the process ends: `xianfeng restore` refuses meanwhile, and so does a
    # second `run` on the same database.
    with run_lock(settings.database):
        await _serve(settings, token, webhook)


async def _serve(settings: Settings, token: str, webhook: Webhook | None) -> None:
    db = Database(settings.database)
    await db.open()
    app = application_from_settings(settings, token, db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    died: list[BaseException] = []
    try:
        async with app:
            await startup(app)
            if (plan := BackupPlan.from_settings(settings)) is not None:
                schedule_backups(app, plan)
            freeze_long_lived()
            await app.start()
            updater = app.updater
            assert updater is not None
            health = None
            try:
                watchdog = None
                if webhook is None:
                    await updater.start_polling(drop_pending_updates=False)
                    polling = [t for t in asyncio.all_tasks() if t.get_name() == _POLLING_TASK]
                    watchdog = asyncio.create_task(_watch_polling(polling, stop, died))
                else:
                    await start_webhook(updater, webhook)
                if settings.health_port is not None:
                    health = HealthServer(app, settings.health_listen, settings.health_port)
                    await health.start()
                logger.info("xianfeng is running (database %s); Ctrl-C to stop", settings.database)
                await stop.wait()
                if watchdog is not None:
                    watchdog.cancel()
            finally:
                logger.info("stopping")
                if health is not None:
                    await health.stop()
                if updater.running:
                    try:
                        await updater.stop()
                    except TelegramError:
                        # The polling already died of this; `died` holds it for the exit code.
                        logger.debug("polling ended with an error", exc_info=True)
                await shutdown(app)
                if app.running:
                    await app.stop()
    finally:
        await db.close()
    if died:
        raise died[0]


def _warn_if_readable_by_others(database: Path) -> None:
    """A database (or WAL) left readable by others from before is the operator's to fix;
    changing its mode behind their back could break a backup job that reads it."""
    for path, mode in too_open(database_files(database)):
        logger.warning(
            "%s is readable by other users on this server (mode %s); it holds members' and "
            "students' data: chmod 600 %s",
            path.resolve(),
            oct(mode)[2:],
            path.resolve(),
        )


async def _watch_polling(
    polling: list[asyncio.Task[Any]], stop: asyncio.Event, died: list[BaseException]
) -> None:
    """PTB's polling gives up for good on some errors (a revoked token) while the process
    stays up doing nothing; notice that and stop, so a supervisor restarts or alerts."""
    if not polling:
        logger.warning("cannot find PTB's polling task; a dead polling loop goes unnoticed")
        return
    while not stop.is_set():
        await asyncio.sleep(POLLING_CHECK_SECONDS)
        if polling[0].done():
            task = polling[0]
            error = task.exception() if not task.cancelled() else None
            logger.error("polling stopped: %r", error)
            died.append(error or RuntimeError("polling stopped"))
            stop.set()
            return
