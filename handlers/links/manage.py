"""/links buttons outside the conversation: the secretary confirms or declines a member's
own 三联系, opens the list waiting, the branch's links, one's past links and one link with
its log."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from handlers.common import delivery
from handlers.common.branch_picker import require_visible
from handlers.common.callback import Callback, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, OtherBranch, Refusal
from handlers.common.guards import (
    parse_callback,
    require_admin,
    require_branch_access,
    require_branch_person,
    require_found,
    require_member,
    require_private,
    require_secretary_or_admin,
)
from handlers.common.reply import ack, edit, replace, say
from handlers.links import flow, views
from handlers.links.names import names_for
from handlers.links.views import PREFIX
from storage import branches, links, members, terms
from storage.links import Link, LinkForbidden, LinkKind, LinkProblem
from storage.members import Member, Role


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    # Each of these shows people's links (students by alias): taken only in a private
    # chat, as /links is, so a forged press on a group's message shows nothing there.
    return presses(
        PREFIX,
        ok=confirm_pressed,
        no=decline_pressed,
        wait=waiting_pressed,
        branch=branch_pressed,
        mine=mine_pressed,
        past=past_pressed,
        show=show_pressed,
        blist=branch_list_pressed,
        bpick=branch_pick_pressed,
        bur=bureau_pressed,
        late=behind_pressed,
    )


# --------------------------------------------------------------------------- confirming


async def confirm_pressed(update: Update, context: XContext) -> None:
    await _decide(update, context, confirm=True)


async def decline_pressed(update: Update, context: XContext) -> None:
    await _decide(update, context, confirm=False)


async def _decide(update: Update, context: XContext, *, confirm: bool) -> None:
    """The owner's secretary (or an admin) confirms or declines; the owner is told."""
    require_private(update)
    actor = require_secretary_or_admin(context)
    link = await require_found(context, links.get, parse_callback(update, PREFIX).int_arg(0))
    require_branch_access(actor, link.branch_id)
    try:
        async with context.db.transaction() as tx:
            if confirm:
                link = await links.confirm(
                    tx, link.id, actor=actor, today=context.today(), now=context.now()
                )
            else:
                link = await links.decline(tx, link.id, actor=actor, note=None, now=context.now())
            names = await names_for(tx, [link])
            owner = await members.get(tx, link.member_id or 0)
            key = "lk.told.confirmed" if confirm else "lk.told.declined"
            await delivery.tell(
                tx, context, [owner] if owner is not None and owner.active else [],
                "links.decided",
                lambda t: t(key, kind=views.kind_name(t, link.kind),
                            target=views.target(link, names), by=actor.name),
                urgent=True, subject_id=link.id,
            )  # fmt: skip
    except LinkForbidden:
        raise NotAllowed() from None
    except LinkProblem as problem:
        raise Refusal(f"lk.problem.{problem.code}") from None
    delivery.wake(context)
    done = "lk.decided.confirmed" if confirm else "lk.decided.declined"
    kind = views.kind_name(context.t, link.kind)
    text = context.t(
        done, owner=views.owner(link, names), kind=kind, target=views.target(link, names)
    )
    await ack(update)
    if not await edit(update, text):
        await say(update, context, text)


async def waiting_pressed(update: Update, context: XContext) -> None:
    require_private(update)
    actor = require_branch_person(context)
    if not actor.is_secretary:
        raise NotAllowed()
    async with context.db.read() as conn:
        waiting = await links.proposed_in_branch(conn, actor.branch_id, today=context.today())
        names = await names_for(conn, waiting)
    await say(update, context, *views.waiting_list(context.t, waiting, names))


# --------------------------------------------------------------------------- lists


async def branch_pressed(update: Update, context: XContext) -> None:
    require_private(update)
    await flow.show_branch(update, context)


async def mine_pressed(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_branch_person(context)
    today = context.today()
    async with context.db.read() as conn:
        mine = await links.owned_by(conn, person.id, today=today)
        if person.is_secretary:
            mine += [
                link for link in await links.of_branch(conn, person.branch_id, today=today)
                if link.kind is LinkKind.PAIR
            ]  # fmt: skip
        names = await names_for(conn, mine)
    side = person.branch_id if person.is_secretary else None
    await say(update, context, *views.manage(context.t, mine, names, side=side))


async def past_pressed(update: Update, context: XContext) -> None:
    """One's own links no longer in force (their period over, or ended), newest first, a
    page at a time, each to open with its log."""
    require_private(update)
    person = require_branch_person(context)
    page = page_asked(parse_callback(update, PREFIX), 0)
    async with context.db.read() as conn:
        past = await links.past_of(conn, person.id, today=context.today())
        names = await names_for(conn, past)
    await ack(update)
    await say(update, context, *views.past_links(context.t, past, names, page))


async def show_pressed(update: Update, context: XContext) -> None:
    """One link with its recent log: to the owner, the branch's secretary (either side's
    for a 结对) and admins; with [记录联系] and [结束] for those who may."""
    require_private(update)
    actor = require_member(context)
    link = await require_found(context, links.get, parse_callback(update, PREFIX).int_arg(0))
    _may_see(actor, link)
    async with context.db.read() as conn:
        log = await links.contacts(conn, link, limit=10)
        names = await names_for(conn, [link])
    side = actor.branch_id if link.kind is LinkKind.PAIR else None
    await ack(update)
    await replace(
        update, context,
        *views.link_detail(context.t, link, names, log, side=side, may_log=link.may_log(actor),
                           may_end=link.may_end(actor), today=context.today(), me=actor.id),
    )  # fmt: skip


def _may_see(actor: Member, link: Link) -> None:
    if link.may_see_student(actor) or (link.kind is LinkKind.PAIR and link.may_log(actor)):
        return
    if actor.role is Role.SECRETARY:
        raise OtherBranch()
    raise NotAllowed()


async def branch_list_pressed(update: Update, context: XContext) -> None:
    """A branch's running links to open (its secretary, or an admin)."""
    require_private(update)
    actor = require_secretary_or_admin(context)
    callback = parse_callback(update, PREFIX)
    branch_id = callback.int_arg(0)
    page = page_asked(callback, 1)
    require_branch_access(actor, branch_id)
    async with context.db.read() as conn:
        branch = await branches.get(conn, branch_id)
        found = await links.of_branch(conn, branch_id, today=context.today())
        names = await names_for(conn, found)
    if branch is None:
        raise NotAllowed()
    await ack(update)
    await replace(
        update, context, *views.branch_links(context.t, branch.name, found, names, page, branch_id)
    )


async def branch_pick_pressed(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    async with context.db.read() as conn:
        found = await branches.list_with_counts(conn)
    choices = [(b.id, b.name) for b in found]
    text, markup = views.pick(
        context.t,
        context.t("lk.ask.branch"),
        choices,
        "blist",
        0,
        size=max(1, len(choices)),
        in_flow=False,
    )
    await say(update, context, text, markup)


# --------------------------------------------------------------------------- the bureau


async def bureau_pressed(update: Update, context: XContext) -> None:
    """A page of the bureau's branches and their figures."""
    require_private(update)
    require_admin(context)
    page = page_asked(parse_callback(update, PREFIX), 0)
    await ack(update)
    await replace(update, context, *await flow.bureau_screen(context, page))


async def behind_pressed(update: Update, context: XContext) -> None:
    """The bureau's drill-down: one branch's links behind, a page at a time (an admin:
    they show students' aliases, which inspectors never see)."""
    require_private(update)
    actor = require_admin(context)
    callback = parse_callback(update, PREFIX)
    branch = await require_visible(context, actor, callback.int_arg(0))
    asked = page_asked(callback, 1)
    today = context.today()
    async with context.db.read() as conn:
        late = await links.coverage(
            conn, on=today, today=today, rhythms=context.config.link_rhythms,
            terms=await terms.set_terms(conn), branch_id=branch.id, behind_only=True,
        )  # fmt: skip
        names = await names_for(conn, [row.link for row in late])
    await ack(update)
    await replace(
        update, context,
        *views.behind_links(context.t, branch.name, late, names, asked, branch.id),
    )  # fmt: skip


def page_asked(callback: Callback, index: int) -> int:
    """The page a button names (0 when it names none). Any whole number is taken, as a
    forged or stale one is then moved onto a page that exists (``clamp_page``); anything
    else is a button this bot did not make."""
    if len(callback.args) <= index:
        return 0
    try:
        return int(callback.args[index])
    except ValueError:
        raise BadButton() from None
