"""The inspector's side of /inspect: the branches assigned to their group, and one
branch's counts (read without students' aliases or notes)."""

from __future__ import annotations

from telegram import Update

from handlers.common import branch_picker
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, OtherBranch, Refusal
from handlers.common.guards import parse_callback, require_private, require_role
from handlers.common.reply import ack, reply
from handlers.inspection import views
from storage import branches, inspection, ledger
from storage.branches import Branch
from storage.ledger_period import LedgerPeriod
from storage.members import Member, Role


class NotAssigned(Refusal):
    key = "insp.not_assigned"


def require_inspector(context: XContext) -> Member:
    return require_role(context, Role.INSPECTOR)


async def require_inspected(context: XContext, inspector: Member, branch_id: int) -> Branch:
    """The branch, if it is assigned to the inspector's group now: the one rule of who
    reads which branch (``visible_to``, as the boards' picker checks it), said as such."""
    try:
        return await branch_picker.require_visible(context, inspector, branch_id)
    except OtherBranch as exc:
        raise NotAssigned() from exc


async def inspector_command(update: Update, context: XContext) -> None:
    """/inspect for an inspector: their group's branches, a button each."""
    inspector = require_inspector(context)
    async with context.db.read() as conn:
        group = await inspection.group_of(conn, inspector.id)
        held = await branches.visible_to(conn, inspector)
    await reply(update, context, *views.my_branches(context.t, group, held))


async def open_branch(update: Update, context: XContext) -> None:
    """[A branch]: its counts for the school year so far."""
    require_private(update)
    data = parse_callback(update, views.PREFIX)
    member = context.member
    if member is None or member.role is not Role.INSPECTOR:
        raise NotAllowed()
    branch = await require_inspected(context, member, data.int_arg(0))
    reading = context.reading()
    period = LedgerPeriod.school_year_of(reading.today)
    async with context.db.read() as conn:
        [ref] = await ledger.branches(conn, [branch.id])
        read = await ledger.branch_ledger(conn, ref, period, reading, private=False)
    await ack(update)
    await reply(update, context, *views.branch_screen(context.t, read, reading.today))
