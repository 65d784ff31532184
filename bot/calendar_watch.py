"""From November, the admins are told once a week, through the outbox, when the holiday
calendar does not know next year's arrangement (调休) yet, so the bureau adds it with
/holidays before reminders and party days depend on it.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from bot.admin_notice import tell_admins
from handlers.common.context import XContext
from handlers.common.i18n import load_texts
from handlers.common.services import SERVICES_KEY, Services
from storage import calendar

WATCH_JOB = "calendar-watch"
MISSING_KIND = "ops.calendar_missing"
# The month from which next year's arrangement is expected (the State Council publishes
# it in October to December).
WATCH_FROM_MONTH = 11
WATCH_EVERY_SECONDS = 6 * 60 * 60
WATCH_FIRST_SECONDS = 20

log = logging.getLogger(__name__)

load_texts(__file__)


def schedule_calendar_watch(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        _job, interval=WATCH_EVERY_SECONDS, first=WATCH_FIRST_SECONDS, name=WATCH_JOB
    )


async def warn_missing_year(services: Services) -> int | None:
    """Queue this week's notice to each admin when next year is unknown from November;
    the year warned about, or None. The dedupe key names the ISO week, so once a week."""
    config = services.config
    now = services.clock.now()
    today = now.astimezone(config.zone).date()
    year = today.year + 1
    if today.month < WATCH_FROM_MONTH or calendar.knows_year(year):
        return None
    week = today.isocalendar()
    await tell_admins(
        services,
        kind=MISSING_KIND,
        text=lambda t: t("ops.calendar_missing", year=year),
        dedupe=f"{year}:{week.year}-W{week.week}",
    )
    return year


async def _job(context: XContext) -> None:
    try:
        await warn_missing_year(context.application.bot_data[SERVICES_KEY])
    except Exception:
        log.exception("calendar watch failed; it runs again in a few hours")
