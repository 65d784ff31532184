"""/roster: the secretary's one-command answer to "who came, who was excused, who has not
answered, how many hours" for this month's party day (or ``/roster 2026-10``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from handlers.common.context import XContext
from handlers.common.errors import Refusal
from handlers.common.guards import require_private, require_secretary
from handlers.common.html import split_message
from handlers.common.reply import say
from handlers.partyday import common, parse, views
from storage import partyday


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler("roster", roster_command)]


async def roster_command(update: Update, context: XContext) -> None:
    require_private(update)
    secretary = require_secretary(context)
    today = context.today()
    year, month = today.year, today.month
    if context.args:
        chosen = parse.year_month(" ".join(context.args))
        if chosen is None:
            raise Refusal("partyday.roster.bad_month")
        year, month = chosen
    last_month = None
    async with context.db.read() as conn:
        branch = await common.branch_named(conn, secretary.branch_id)
        day = await common.require_day(conn, branch.id, year, month)
        # A past day's roster leaves out people who joined after it (with nothing on record).
        day_end = (
            datetime.combine(day.date + timedelta(days=1), time(), tzinfo=context.config.zone)
            if day.date is not None and day.date < today
            else None
        )
        lines = await partyday.roster(conn, day, joined_before=day_end)
        if not context.args and (day.date is None or day.date > today):
            # Early in the month the roster wanted is often last month's.
            previous = today.replace(day=1) - timedelta(days=1)
            if await partyday.party_day(conn, branch.id, previous.year, previous.month):
                last_month = f"{previous.year}-{previous.month:02d}"
    text, keyboard = views.roster_screen(
        context.t,
        branch,
        day,
        lines,
        can_remind=common.replies_open(day, context.now(), context),
        held=not common.replies_open(day, context.now(), context),
        viewer_id=secretary.id,
    )
    if last_month is not None:
        text += "\n\n" + context.t("partyday.roster.last_month", month=last_month)
    # A large branch's roster is longer than one message: in parts, buttons under the last.
    parts = split_message(text)
    for part in parts[:-1]:
        await say(update, context, part)
    await say(update, context, parts[-1], keyboard)
