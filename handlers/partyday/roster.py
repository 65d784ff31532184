"""/roster: the secretary's one-command answer to "who came, who was excused, who has not
answered, how many hours" for this month's party day (or ``/roster 2026-10``).

The bureau (and an inspector, for the branches assigned to their group) picks a branch
first (the shared branch picker) and reads the same roster, without the buttons that
remind, mark attendance or decide leave; an inspector sees the kind of each leave, not
its words.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from handlers.common import branch_picker
from handlers.common.branch_picker import BranchScreen
from handlers.common.context import XContext
from handlers.common.errors import BadButton, Refusal
from handlers.common.guards import require_member, require_private, require_secretary
from handlers.common.html import split_message
from handlers.common.i18n import Translator
from handlers.common.reply import say
from handlers.common.todo_link import leads_to_todo
from handlers.partyday import common, parse, views
from storage import partyday
from storage.branches import Branch
from storage.members import Member, Role
from storage.partyday import parse_button_month


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler("roster", roster_command), *SCREEN.handlers()]


async def roster_command(update: Update, context: XContext) -> None:
    require_private(update)
    asked = None
    if context.args:
        asked = parse.year_month(" ".join(context.args))
        if asked is None:
            raise Refusal("partyday.roster.bad_month")
    if require_member(context).role is not Role.SECRETARY:
        extra = f"{asked[0]:04d}{asked[1]:02d}" if asked else ""
        await branch_picker.show(update, context, SCREEN, extra)
        return
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        branch = await common.branch_named(conn, secretary.branch_id)
    await _roster(update, context, secretary, branch, asked)


async def _open_for_bureau(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    """The picker's [branch]: its roster, read-only."""
    try:
        asked = parse_button_month(extra) if extra else None
    except ValueError as exc:
        raise BadButton() from exc
    await _roster(update, context, require_member(context), branch, asked)


def _picker_title(t: Translator, extra: str) -> str:
    return t("partyday.roster.pick_branch")


SCREEN = BranchScreen("ro", _picker_title, _open_for_bureau, inspectors=True)


async def _roster(
    update: Update,
    context: XContext,
    viewer: Member,
    branch: Branch,
    asked: tuple[int, int] | None,
) -> None:
    today = context.today()
    year, month = asked or (today.year, today.month)
    read_only = viewer.role is not Role.SECRETARY
    last_month = None
    async with context.db.read() as conn:
        day = await common.require_day(conn, branch.id, year, month)
        # A past day's roster leaves out people who joined after it (with nothing on record).
        day_end = (
            datetime.combine(day.date + timedelta(days=1), time(), tzinfo=context.config.zone)
            if day.date is not None and day.date < today
            else None
        )
        lines = await partyday.roster(conn, day, joined_before=day_end)
        if asked is None and (day.date is None or day.date > today):
            # Early in the month the roster wanted is often last month's.
            previous = today.replace(day=1) - timedelta(days=1)
            if await partyday.party_day(conn, branch.id, previous.year, previous.month):
                last_month = f"{previous.year}-{previous.month:02d}"
    open_now = common.replies_open(day, context.now(), context)
    text, keyboard = views.roster_screen(
        context.t,
        branch,
        day,
        lines,
        can_remind=open_now,
        held=not open_now,
        viewer_id=viewer.id,
        read_only=read_only,
        todo=(year, month) == (today.year, today.month) and leads_to_todo(viewer),
        # An inspector reads counts and who, not the members' own words about their leave.
        reasons=viewer.role is not Role.INSPECTOR,
    )
    if last_month is not None:
        text += "\n\n" + context.t("partyday.roster.last_month", month=last_month)
    # A large branch's roster is longer than one message: in parts, buttons under the last.
    parts = split_message(text)
    for part in parts[:-1]:
        await say(update, context, part)
    await say(update, context, parts[-1], keyboard)
