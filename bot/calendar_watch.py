"""From November, the admins are told once a week, through the outbox, when the holiday
calendar does not know next year's arrangement (调休) yet, so the bureau adds it with
/holidays before reminders and party days depend on it.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from handlers.common.context import XContext
from handlers.common.i18n import Translator, texts
from handlers.common.services import SERVICES_KEY, Services
from schedules.quiet import QuietHours
from storage import calendar, members, outbox, prefs

WATCH_JOB = "calendar-watch"
MISSING_KIND = "ops.calendar_missing"
# The month from which next year's arrangement is expected (the State Council publishes
# it in October to December).
WATCH_FROM_MONTH = 11
WATCH_EVERY_SECONDS = 6 * 60 * 60
WATCH_FIRST_SECONDS = 20

log = logging.getLogger(__name__)

texts(
    {
        "ops.calendar_missing": (
            "📅 日历还不知道 {year} 年的放假和调休安排。国务院办公厅发布通知后，"
            "请用 /holidays 录入{year}年的节假日和调休上班日；在此之前，党日和提醒按法定节日估算。",
            "📅 The calendar does not know {year}'s holiday arrangement (调休) yet. Once the"
            " State Council publishes it, please enter {year}'s holidays and make-up working"
            " days with /holidays; until then party days and reminders use an estimate.",
        ),
    }
)


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
    not_before = QuietHours(config.quiet_start, config.quiet_end).release(now, config.zone)
    async with services.db.transaction() as tx:
        admins = [a for a in await members.admins(tx) if a.telegram_id in config.admin_ids]
        chosen = await prefs.languages(tx, (a.telegram_id for a in admins))
        for admin in admins:
            t = Translator(chosen.get(admin.telegram_id, config.default_language))
            await outbox.enqueue(
                tx,
                chat_id=admin.telegram_id,
                member_id=admin.id,
                kind=MISSING_KIND,
                text=t("ops.calendar_missing", year=year),
                buttons=None,
                dedupe_key=f"{MISSING_KIND}:{year}:{week.year}-W{week.week}:{admin.id}",
                not_before=not_before,
                now=now,
            )
    if services.dispatcher is not None:
        services.dispatcher.wake()
    return year


async def _job(context: XContext) -> None:
    try:
        await warn_missing_year(context.application.bot_data[SERVICES_KEY])
    except Exception:
        log.exception("calendar watch failed; it runs again in a few hours")
