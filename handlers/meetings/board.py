"""/meetings: the secretary's compliance board, the bureau's overview and review queue,
and a member's own meetings with a 党课 make-up (补课) for one they missed."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from handlers.common import branch_picker
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, Refusal
from handlers.common.flows import END, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_branch_person,
    require_found,
    require_member,
)
from handlers.common.i18n import Translator
from handlers.common.views import cancel_only
from handlers.meetings import views
from handlers.meetings.common import (
    data,
    finish,
    say,
    start,
    typed,
    typed_date,
)
from handlers.meetings.record import again, refusals, text_expected
from storage import branches, meetings
from storage.branches import Branch
from storage.meetings import RECORDED, Meeting, MeetingKind, PeriodState, Presence
from storage.members import Role

MAKEUP_DATE, MAKEUP_NOTE = "mt.makeup_date", "mt.makeup_note"


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("meetings", meetings_command),
        CallbackQueryHandler(makeup_pressed, pattern=pattern("mt", "mk")),
    ]


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {
        MAKEUP_DATE: step_handlers("mt", makeup_date_typed, text_expected),
        MAKEUP_NOTE: step_handlers("mt", makeup_note_typed, text_expected),
    }


async def meetings_command(update: Update, context: XContext) -> object:
    """By role: the bureau's overview, the secretary's board, a member's own meetings."""
    person = require_member(context)
    finish(context)
    year = context.today().year
    t = context.t
    frequencies = context.config.meeting_frequencies
    if person.role is Role.ADMIN:
        async with context.db.read() as conn:
            lines = []
            for summary in await branches.list_with_counts(conn):
                board = await meetings.compliance(conn, summary.id, year, today=context.today(),
                                                  frequencies=frequencies)  # fmt: skip
                short = sum(p.state is PeriodState.SHORT for p in board)
                lines.append((summary.name, summary.id, short))
            waiting = await meetings.waiting_review(conn)
            names = {branch_id: name for name, branch_id, _ in lines}
        counts = [
            (name, short, sum(m.branch_id == branch_id for m in waiting))
            for name, branch_id, short in lines
        ]
        queue = [(m, names.get(m.branch_id, "")) for m in waiting]
        text, markup = views.admin_board(t, year, counts, queue)
        await say(update, context, text, markup)
        await branch_picker.show(update, context, SCREEN)  # then one branch's board
        return END
    if person.role is Role.INSPECTOR:
        # The branches assigned to their group, one board at a time, read-only.
        await branch_picker.show(update, context, SCREEN)
        return END
    member = require_branch_person(context)
    async with context.db.read() as conn:
        mine = await meetings.for_member(conn, member.id, year)
        if member.role is Role.SECRETARY:
            branch = await branches.get(conn, member.branch_id)
            board = await meetings.compliance(
                conn, member.branch_id, year, today=context.today(), frequencies=frequencies
            )
            records = await meetings.for_branch(
                conn, member.branch_id, context.today().replace(month=1, day=1),
                context.today().replace(month=12, day=31),
            )  # fmt: skip
    if member.role is Role.SECRETARY:
        text, markup = views.board(t, branch.name if branch else "", year, board, records)
        await say(update, context, text, markup)
    text, markup = views.mine(t, year, mine)
    await say(update, context, text, markup)
    return END


async def _open_for_bureau(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    """The picker's [branch]: its board as its secretary sees it, the records listed
    without the buttons that open them for editing."""
    if extra:
        raise BadButton()
    today = context.today()
    async with context.db.read() as conn:
        board = await meetings.compliance(
            conn, branch.id, today.year, today=today, frequencies=context.config.meeting_frequencies
        )
        records = await meetings.for_branch(
            conn, branch.id, today.replace(month=1, day=1), today.replace(month=12, day=31)
        )
    text, _ = views.board(context.t, branch.name, today.year, board, records)
    await say(update, context, text)


def _picker_title(t: Translator, extra: str) -> str:
    return t("mt.admin.pick_branch")


SCREEN = BranchScreen("mt", _picker_title, _open_for_bureau, inspectors=True)


async def _missed_lecture(context: XContext, meeting_id: int) -> tuple[int, Meeting]:
    person = require_branch_person(context)
    meeting = await require_found(context, meetings.get, meeting_id)
    if meeting.branch_id != person.branch_id:
        raise NotAllowed()
    return person.id, meeting


async def makeup_pressed(update: Update, context: XContext) -> object:
    member_id, meeting = await _missed_lecture(context, parse_callback(update, "mt").int_arg(0))
    if meeting.kind is not MeetingKind.LECTURE or meeting.status not in RECORDED:
        raise Refusal("mt.problem.makeup_not_lecture")
    async with context.db.read() as conn:
        found = await meetings.attendee(conn, meeting.id, member_id)
        done = await meetings.makeups(conn, meeting.lineage_id)
    if found is None or found.presence is not Presence.ABSENT:
        raise Refusal("mt.problem.makeup_not_absent")
    if any(m.member_id == member_id for m in done):
        raise Refusal("mt.problem.makeup_done")
    start(context, "makeup", meeting_id=meeting.id)
    await say(update, context, context.t("mt.ask.makeup_date"), cancel_only(context.t))
    return MAKEUP_DATE


async def makeup_date_typed(update: Update, context: XContext) -> object:
    day = await typed_date(update, context)
    if day is None:
        return MAKEUP_DATE
    _, meeting = await _missed_lecture(context, int(data(context)["meeting_id"]))
    if not meeting.on_date <= day <= context.today():
        await say(update, context, context.t("mt.problem.makeup_date"))
        return MAKEUP_DATE
    data(context)["date"] = day.isoformat()
    await say(update, context, context.t("mt.ask.makeup_note"), cancel_only(context.t))
    return MAKEUP_NOTE


async def makeup_note_typed(update: Update, context: XContext) -> object:
    flow = data(context)
    member_id, meeting = await _missed_lecture(context, int(flow["meeting_id"]))
    try:
        with refusals():
            async with context.db.transaction() as tx:
                await meetings.record_makeup(
                    tx, meeting, member_id, on_date=date.fromisoformat(flow["date"]),
                    note=typed(update), today=context.today(), now=context.now(),
                )  # fmt: skip
    except Refusal as refusal:
        if refusal.key == "mt.problem.makeup_date":
            await say(update, context, context.t(refusal.key))
            await say(update, context, context.t("mt.ask.makeup_date"), cancel_only(context.t))
            return MAKEUP_DATE
        if refusal.key == "mt.problem.makeup_length":
            return await again(update, context, refusal, MAKEUP_NOTE)
        finish(context)
        await say(update, context, context.t(refusal.key))
        return END
    finish(context)
    await say(update, context, context.t("mt.makeup.saved"))
    return END
