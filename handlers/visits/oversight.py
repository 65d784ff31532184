"""/visits for everyone, the secretary's branch view, the bureau's totals, /visittarget.

A secretary sees their branch: each person's count against the term's target, who has
no visit this month, and (a button per person) that person's records. Admins see every
branch and can open any. Inspectors see the same counts, for the branches assigned to
their inspection group only, and never a record.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, NotFound, OtherBranch
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_branch_person,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.registry import Registrar
from handlers.common.reply import ack, edit, replace, reply
from handlers.visits import access, records, views
from handlers.visits.views import RECORD_PREFIX
from storage import audit, branches, members, terms, visits
from storage.members import Member, Role
from storage.visits import VisitProblem

BRANCH_WORDS = ("branch", "支部")


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("visits", visits_command))
    reg.add(CommandHandler("visittarget", set_target))
    reg.add(
        *presses(
            RECORD_PREFIX,
            br=open_branch,
            brp=open_branch,
            tot=totals_page,
            mem=member_page,
            memp=member_page,
        )
    )


async def visits_command(update: Update, context: XContext) -> None:
    """/visits: one's own visits; /visits branch: the branch (secretary) or all (bureau)."""
    require_private(update)
    actor = require_member(context)
    args = context.args or []
    wants_branch = bool(args) and args[0].lower() in BRANCH_WORDS
    if actor.role in (Role.ADMIN, Role.INSPECTOR):
        await _totals(update, context, actor)
    elif wants_branch:
        secretary = require_secretary(context)
        await reply(update, context, *await _branch_screen(context, secretary, secretary.branch_id))
    else:
        await records.my_visits(update, context, require_branch_person(context))


async def open_branch(update: Update, context: XContext) -> None:
    """[A branch] (a message of its own), or a page of it (``brp``: turned in place)."""
    require_private(update)
    data = parse_callback(update, RECORD_PREFIX)
    branch_id = data.int_arg(0)
    page = data.int_arg(1) if data.action == "brp" else 0
    actor = require_member(context)
    if actor.role is Role.MEMBER:
        raise NotAllowed()
    if actor.role is Role.INSPECTOR:
        await _require_assigned(context, actor, branch_id)
    else:
        require_branch_access(actor, branch_id)
    screen = await _branch_screen(context, actor, branch_id, page)
    await ack(update)
    if data.action == "brp":
        await _edit(update, screen)
    else:
        await reply(update, context, *screen)


async def totals_page(update: Update, context: XContext) -> None:
    """Another page of every branch's counts (bureau and inspectors)."""
    require_private(update)
    page = parse_callback(update, RECORD_PREFIX).int_arg(0)
    actor = require_member(context)
    if actor.role not in (Role.ADMIN, Role.INSPECTOR):
        raise NotAllowed()
    screen = await _totals_screen(context, actor, page)
    await ack(update)
    await _edit(update, screen)


async def member_page(update: Update, context: XContext) -> None:
    """A secretary's or admin's read-only list of one person's visits this term."""
    require_private(update)
    data = parse_callback(update, RECORD_PREFIX)
    member_id, page = data.int_arg(0), data.int_arg(1)
    actor = require_member(context)
    if actor.role is Role.INSPECTOR:
        raise access.CountsOnly()
    if actor.role is Role.MEMBER:
        raise NotAllowed()
    term = await access.current_term(context)
    async with context.db.read() as conn:
        person = await members.get(conn, member_id)
        if person is None or person.branch_id is None:
            raise NotFound()
        require_branch_access(actor, person.branch_id)
        listed = await records.page_of(conn, person.id, person.branch_id, term, page)
    screen = views.member_visits(
        context.t, listed, name=person.name, member_id=person.id, now=context.now()
    )
    query = update.callback_query
    assert query is not None
    await query.answer()
    if data.action == "mem":
        await reply(update, context, *screen)  # from the branch view: a message of its own
    else:
        await replace(update, context, *screen)  # turning a page


async def set_target(update: Update, context: XContext) -> None:
    """/visittarget N: the branch's per-member target for the current (or coming) term."""
    require_private(update)
    secretary = require_secretary(context)
    term = await access.target_term(context)
    today = context.today()
    # "本学期", or in a gap between terms "下学期": the coming term is the one set.
    which = context.t("visit.term_now" if term.contains(today) else "visit.term_next")
    span = {"which": which, "start": term.start.isoformat(), "end": term.end.isoformat()}
    args = context.args or []
    if not args:
        async with context.db.read() as conn:
            current = await visits.target_for(conn, secretary.branch_id, term)
        shown = (
            context.t("visit.target_each", target=current)
            if current is not None
            else context.t("visit.target_unset")
        )
        await reply(update, context, context.t("visit.target_usage", current=shown, **span))
        return
    try:
        target = int(args[0])
    except ValueError:
        await reply(update, context, context.t("visit.target_bad"))
        return
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            # Dated inside the term it is for, which is how target_for finds it.
            await visits.set_target(
                tx, branch_id=secretary.branch_id, target=target, set_by=secretary.id,
                today=max(today, term.start), now=now,
            )  # fmt: skip
            await audit.record(
                tx, at=now, actor_id=secretary.id, action="visit_target.set",
                entity="branch", entity_id=secretary.branch_id, target=target,
                term_start=term.start.isoformat(), term_end=term.end.isoformat(),
            )  # fmt: skip
    except VisitProblem:
        await reply(update, context, context.t("visit.target_bad"))
        return
    await reply(update, context, context.t("visit.target_set", target=target, **span))


async def _branch_screen(
    context: XContext, actor: Member, branch_id: int, page: int = 0
) -> views.Screen:
    today = context.today()
    async with context.db.read() as conn:
        branch = await branches.get(conn, branch_id)
        if branch is None:
            raise NotFound()
        term = await terms.term_for(conn, today)
        people = await visits.branch_progress(conn, branch_id, term, today)
    return views.branch_view(
        context.t,
        branch_id=branch_id,
        branch_name=branch.name,
        term=term,
        people=people,
        today=today,
        member_buttons=actor.role is not Role.INSPECTOR,
        page=page,
    )


async def _totals(update: Update, context: XContext, actor: Member) -> None:
    await reply(update, context, *await _totals_screen(context, actor, 0))


async def _totals_screen(context: XContext, actor: Member, page: int) -> views.Screen:
    today = context.today()
    inspector = actor.role is Role.INSPECTOR
    async with context.db.read() as conn:
        term = await terms.term_for(conn, today)
        totals = await visits.branch_totals(conn, term, today)
        if inspector:
            # Only the branches assigned to the inspector's group (none: an empty list).
            seen = {branch.id for branch in await branches.visible_to(conn, actor)}
            totals = [row for row in totals if row.branch_id in seen]
    return views.totals_view(context.t, term, totals, inspector=inspector, page=page)


async def _require_assigned(context: XContext, inspector: Member, branch_id: int) -> None:
    async with context.db.read() as conn:
        seen = {branch.id for branch in await branches.visible_to(conn, inspector)}
    if branch_id not in seen:
        raise OtherBranch()


async def _edit(update: Update, screen: views.Screen) -> None:
    query = update.callback_query
    assert query is not None
    await edit(update, *screen)
