"""`xianfeng doctor`: checks a deployment, one line each: ok, or the problem and its fix.

Each check is an async function from a `Checkup` to its findings, listed in `CHECKS`;
a later check (such as the holiday calendar's) is one more function appended there.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path

import httpx
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.calendar_watch import WATCH_FROM_MONTH
from bot.settings import Settings, SettingsError
from storage import Database, DatabaseError, calendar
from storage.backups import check_file, list_backups
from storage.files import database_files, too_open
from storage.migrations import load_migrations

# A reminder is due at a minute; half of that is the most the clock may be off.
CLOCK_SKEW_LIMIT = timedelta(seconds=30)
# Daily backups, with two hours' grace for a slow one or a restart around BACKUP_AT.
BACKUP_MAX_AGE = timedelta(hours=26)
# Room for a backup, the WAL and a VACUUM: three times the database, and never less.
MIN_FREE_BYTES = 100 * 1024 * 1024


class Status(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Finding:
    subject: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        fix = f" -> fix: {self.fix}" if self.fix else ""
        return f"{self.status.value:<8} {self.subject}: {self.detail}{fix}"


@dataclass
class Checkup:
    """What the checks share: the settings, and what Telegram answered (filled by the
    Telegram check for the ones after it)."""

    settings: Settings
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    telegram_date: datetime | None = None
    """The ``Date`` header of Telegram's answer."""


Check = Callable[[Checkup], Awaitable[list[Finding]]]


async def doctor(settings: Settings, checks: Sequence[Check] | None = None) -> list[Finding]:
    """Run the checks in order; their findings, one per printed line."""
    checkup = Checkup(settings)
    findings: list[Finding] = []
    for check in CHECKS if checks is None else checks:
        findings.extend(await check(checkup))
    return findings


# --------------------------------------------------------------------------- checks


async def check_settings(checkup: Checkup) -> list[Finding]:
    settings = checkup.settings
    problems = []
    for read in (settings.token, settings.webhook):
        try:
            read()
        except SettingsError as exc:
            problems.append(Finding("settings", Status.PROBLEM, str(exc)))
    if not settings.admin_ids:
        problems.append(
            Finding(
                "settings",
                Status.PROBLEM,
                "XIANFENG_ADMIN_IDS is empty: nobody can create branches",
                "put the bureau administrators' Telegram user ids in XIANFENG_ADMIN_IDS",
            )
        )
    if problems:
        return problems
    mode = "webhook " + str(settings.webhook_url) if settings.webhook_url else "long polling"
    return [
        Finding("settings", Status.OK, f"{len(settings.admin_ids)} admin(s); receiving by {mode}")
    ]


async def check_time_zone(checkup: Checkup) -> list[Finding]:
    local = checkup.now().astimezone(checkup.settings.zone)
    return [
        Finding(
            "time zone",
            Status.OK,
            f"{checkup.settings.timezone}: it is {local:%Y-%m-%d %H:%M} (UTC{local:%z}) there",
        )
    ]


async def check_database(checkup: Checkup) -> list[Finding]:
    path = checkup.settings.database
    if not path.is_file():
        return [
            Finding(
                "database",
                Status.PROBLEM,
                f"{path} does not exist",
                "run `xianfeng migrate` (or start the bot) in the right working directory,"
                " or set XIANFENG_DATABASE",
            )
        ]
    findings = [_file_modes(path)]
    try:
        checked = check_file(path)
    except DatabaseError as exc:
        return [*findings, Finding("database", Status.PROBLEM, str(exc), _RESTORE_FIX)]
    if checked.intact:
        findings.append(Finding("database", Status.OK, f"{path}: integrity check ok"))
    else:
        findings.append(
            Finding(
                "database",
                Status.PROBLEM,
                f"{path}: integrity check failed: {checked.integrity}",
                _RESTORE_FIX,
            )
        )
    findings.append(_schema(checked.schema_version))
    findings.append(_free_disk(path))
    return findings


async def check_telegram(checkup: Checkup) -> list[Finding]:
    settings = checkup.settings
    try:
        token = settings.token()
    except SettingsError:
        return [Finding("telegram", Status.SKIPPED, "needs XIANFENG_BOT_TOKEN")]
    where = settings.api_base_url + (f" through {settings.proxy_url}" if settings.proxy_url else "")
    answered: list[str] = []

    async def remember_date(response: httpx.Response) -> None:
        if "date" in response.headers:
            answered.append(response.headers["date"])

    request = HTTPXRequest(
        proxy=settings.proxy_url, httpx_kwargs={"event_hooks": {"response": [remember_date]}}
    )
    bot = Bot(
        token,
        base_url=settings.api_base_url,
        base_file_url=settings.api_file_base_url,
        request=request,
        local_mode=settings.api_local_mode,
    )
    try:
        async with bot:
            me = await bot.get_me()
            webhook = await bot.get_webhook_info()
    except InvalidToken:
        return [
            Finding(
                "telegram",
                Status.PROBLEM,
                f"{where} rejected XIANFENG_BOT_TOKEN",
                "copy the token again from @BotFather",
            )
        ]
    except (NetworkError, TelegramError) as exc:
        reason = str(exc).replace(token, "<token>")
        return [
            Finding(
                "telegram",
                Status.PROBLEM,
                f"cannot reach {where} ({reason})",
                "check the network, or set XIANFENG_PROXY_URL (or XIANFENG_API_BASE_URL for"
                " a self-hosted Bot API server)",
            )
        ]
    if answered:
        checkup.telegram_date = parsedate_to_datetime(answered[-1])
    findings = [Finding("telegram", Status.OK, f"@{me.username} (id {me.id}) answers via {where}")]
    findings.append(_webhook_state(settings, webhook.url, webhook.last_error_message))
    findings.append(_clock(checkup))
    return findings


async def check_backups(checkup: Checkup) -> list[Finding]:
    folder = checkup.settings.backup_dir
    if folder is None:
        return [
            Finding(
                "backups",
                Status.SKIPPED,
                "XIANFENG_BACKUP_DIR is not set, so the bot makes no backups by itself",
                "set XIANFENG_BACKUP_DIR (see docs/OPERATIONS.md, Backups)",
            )
        ]
    if not folder.is_dir():
        return [
            Finding(
                "backups",
                Status.PROBLEM,
                f"{folder} does not exist",
                "start the bot (it creates the folder), or correct XIANFENG_BACKUP_DIR",
            )
        ]
    backups = list_backups(folder)
    if not backups:
        return [
            Finding(
                "backups",
                Status.PROBLEM,
                f"no backup in {folder} yet",
                "start the bot: it makes one at start-up when the last is over a day old",
            )
        ]
    newest = backups[-1].path
    modified = datetime.fromtimestamp(newest.stat().st_mtime, UTC)
    age = checkup.now() - modified
    summary = f"{len(backups)} in {folder}; newest {newest.name}, {_hours(age)} old"
    if age > BACKUP_MAX_AGE:
        return [
            Finding(
                "backups",
                Status.PROBLEM,
                summary,
                "is the bot running? look for 'backup failed' in its log",
            )
        ]
    return [Finding("backups", Status.OK, summary)]


async def check_calendar(checkup: Checkup) -> list[Finding]:
    """This year's and next year's holiday arrangement (调休): known to a library or entered
    with /holidays. Next year's is expected from November (see bot/calendar_watch.py)."""
    await _load_overrides(checkup.settings.database)
    today = checkup.now().astimezone(checkup.settings.zone).date()
    findings = []
    for year in (today.year, today.year + 1):
        source = calendar.year_source(year)
        if source is not calendar.Source.ESTIMATE:
            findings.append(Finding("calendar", Status.OK, f"{year}: from {source.value}"))
        elif year == today.year + 1 and today.month < WATCH_FROM_MONTH:
            findings.append(
                Finding(
                    "calendar",
                    Status.OK,
                    f"{year}: not published yet; expected from November",
                )
            )
        else:
            findings.append(
                Finding(
                    "calendar",
                    Status.PROBLEM,
                    f"{year}: holidays and make-up working days (调休) unknown;"
                    " only the statutory days are estimated",
                    f"an admin enters {year}'s arrangement with /holidays, or upgrade"
                    " chinesecalendar (pip install -U chinesecalendar)",
                )
            )
    return findings


CHECKS: list[Check] = [
    check_settings,
    check_time_zone,
    check_database,
    check_telegram,
    check_backups,
    check_calendar,
]
"""In printing order."""


# --------------------------------------------------------------------------- helpers

_RESTORE_FIX = "stop the bot and restore the last good backup (xianfeng restore PATH)"


async def _load_overrides(path: Path) -> None:
    """The bureau's calendar overrides from the database, if it is there and migrated."""
    if not await asyncio.to_thread(path.is_file):
        return  # opening would create it
    db = Database(path)
    try:
        await db.open(migrate=False)
        async with db.read() as conn:
            await calendar.load_overrides(conn)
    except (DatabaseError, sqlite3.Error):
        return  # the database check reports what is wrong with the file
    finally:
        await db.close()


def _file_modes(path: Path) -> Finding:
    open_to_others = [f"{f.name} ({mode:o})" for f, mode in too_open(database_files(path))]
    if open_to_others:
        return Finding(
            "database files",
            Status.PROBLEM,
            "readable by other users: " + ", ".join(open_to_others),
            f"chmod 600 {path}*",
        )
    return Finding("database files", Status.OK, "owner-only")


def _schema(version: int) -> Finding:
    latest = len(load_migrations())
    if version > latest:
        return Finding(
            "schema",
            Status.PROBLEM,
            f"version {version} is newer than this program ({latest})",
            "install the newer program again (git pull && pip install -e .)",
        )
    if version < latest:
        return Finding(
            "schema",
            Status.PROBLEM,
            f"version {version}, this program has {latest}",
            "run `xianfeng migrate` (`xianfeng run` also does)",
        )
    return Finding("schema", Status.OK, f"version {version}, up to date")


def _free_disk(path: Path) -> Finding:
    free = shutil.disk_usage(path.resolve().parent).free
    needed = max(3 * path.stat().st_size, MIN_FREE_BYTES)
    detail = f"{free // 2**20} MiB free beside the database"
    if free < needed:
        return Finding(
            "disk",
            Status.PROBLEM,
            detail + f" (needs {needed // 2**20} MiB)",
            "free space, or move the database and backups to a larger disk",
        )
    return Finding("disk", Status.OK, detail)


def _webhook_state(settings: Settings, url: str, last_error: str | None) -> Finding:
    if settings.webhook_url is None:
        if url:
            return Finding(
                "webhook",
                Status.OK,
                f"Telegram still has {url}; `xianfeng run` (long polling) removes it",
            )
        return Finding("webhook", Status.OK, "none (long polling)")
    if url != settings.webhook_url:
        return Finding(
            "webhook",
            Status.PROBLEM,
            f"Telegram posts to {url or 'nowhere'}, not {settings.webhook_url}",
            "start the bot: `xianfeng run` sets the webhook",
        )
    if last_error:
        return Finding(
            "webhook",
            Status.PROBLEM,
            f"{url}: Telegram's last delivery failed: {last_error}",
            "check the reverse proxy, its certificate and WEBHOOK_PORT (docs/OPERATIONS.md)",
        )
    return Finding("webhook", Status.OK, f"{url}, no delivery errors")


def _clock(checkup: Checkup) -> Finding:
    if checkup.telegram_date is None:
        return Finding("clock", Status.SKIPPED, "Telegram's answer had no Date header")
    skew = checkup.now() - checkup.telegram_date
    seconds = abs(skew.total_seconds())
    direction = "ahead of" if skew.total_seconds() > 0 else "behind"
    detail = f"{seconds:.0f} s {direction} Telegram's"
    if abs(skew) > CLOCK_SKEW_LIMIT:
        return Finding(
            "clock",
            Status.PROBLEM,
            detail,
            "turn on time synchronisation (timedatectl set-ntp true, or chrony)",
        )
    return Finding("clock", Status.OK, detail)


def _hours(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"
