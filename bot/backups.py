"""Daily backups while the bot runs (``XIANFENG_BACKUP_DIR``): an online copy at
``BACKUP_AT`` local time, integrity-checked, owner-only, named by date, pruned after
``BACKUP_KEEP_DAYS``. A failure is logged and told to the admins once, through the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.admin_notice import tell_admins
from bot.settings import Settings
from handlers.common.context import XContext
from handlers.common.i18n import load_texts
from handlers.common.services import SERVICES_KEY, Services
from storage.backups import backup_path, list_backups, prune
from storage.files import PRIVATE_FILE, make_private_dir

BACKUP_JOB = "backup"
FAILED_KIND = "ops.backup_failed"
# At start-up, a newest backup older than this is made up for at once (the bot was down
# at BACKUP_AT, or this is the first start with backups on).
CATCH_UP_AFTER = timedelta(days=1)
CATCH_UP_DELAY_SECONDS = 30

log = logging.getLogger(__name__)

load_texts(__file__)


@dataclass(frozen=True)
class BackupPlan:
    folder: Path
    at: time
    keep_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BackupPlan | None:
        if settings.backup_dir is None:
            return None
        return cls(settings.backup_dir, settings.backup_at, settings.backup_keep_days)


def schedule_backups(app: Application[Any, Any, Any, Any, Any, Any], plan: BackupPlan) -> None:
    """The daily job at ``plan.at`` in the deployment's zone, and a catch-up soon after
    start-up when the newest backup is over a day old."""
    assert app.job_queue is not None
    services: Services = app.bot_data[SERVICES_KEY]
    app.job_queue.run_daily(
        _job, time=plan.at.replace(tzinfo=services.config.zone), name=BACKUP_JOB, data=plan
    )
    newest = _newest(plan.folder)
    if newest is None or services.clock.now() - newest > CATCH_UP_AFTER:
        app.job_queue.run_once(_job, when=CATCH_UP_DELAY_SECONDS, name=BACKUP_JOB, data=plan)
    log.info("backups: daily at %s to %s, kept %d days", plan.at, plan.folder, plan.keep_days)


async def run_backup(services: Services, plan: BackupPlan) -> Path | None:
    """Today's backup (None if it exists already) and the pruning; on failure a log line
    and, once until a backup succeeds again, a message to each admin."""
    now = services.clock.now()
    target = backup_path(plan.folder, now.astimezone(services.config.zone).date())
    started = False
    try:
        make_private_dir(plan.folder)
        if target.exists():
            return None
        started = True
        await services.db.backup(target)
        # Owner-only even where SQLite created it with the umask's mode (the folder is
        # owner-only too, so nobody else could open it meanwhile).
        target.chmod(PRIVATE_FILE)
        removed = prune(plan.folder, now.astimezone(services.config.zone).date(), plan.keep_days)
    except Exception as exc:
        if started:
            target.unlink(missing_ok=True)  # a half-written copy must not pass for a backup
        log.exception("backup failed: %s", target)
        await _tell_admins(services, plan, str(exc))
        return None
    log.info(
        "backup written to %s (integrity check ok); %d old one(s) pruned", target, len(removed)
    )
    return target


async def _job(context: XContext) -> None:
    assert context.job is not None and isinstance(context.job.data, BackupPlan)
    await run_backup(context.application.bot_data[SERVICES_KEY], context.job.data)


async def _tell_admins(services: Services, plan: BackupPlan, reason: str) -> None:
    """One message per admin per run of failures: the dedupe key names the last good
    backup, which only changes when a backup succeeds."""
    backups = list_backups(plan.folder) if plan.folder.is_dir() else []
    last = backups[-1].path.name if backups else None
    try:
        await tell_admins(
            services,
            kind=FAILED_KIND,
            text=lambda t: t("ops.backup_failed", reason=reason, last=last or t("ops.backup_none")),
            dedupe=f"after:{last or 'none'}",
        )
    except Exception:
        log.exception("backup failed, and the admins could not be told through the outbox")


def _newest(folder: Path) -> datetime | None:
    backups = list_backups(folder)
    if not backups:
        return None
    return datetime.fromtimestamp(backups[-1].path.stat().st_mtime, UTC)
