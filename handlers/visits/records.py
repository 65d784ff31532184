"""A member's own visits: /visits (paged), details, history, withdrawing, follow-ups.

Every button names a visit by id only; who may do what is checked against the database
when it is pressed (``access``), so forged callback data gets a polite refusal. Every
handler insists on the private chat, buttons included (a modified client can send any
callback data on any message with buttons, a group's too): nothing about students goes
to a group.
"""

from __future__ import annotations

from datetime import date, datetime

import aiosqlite
from telegram import Update
from telegram.ext import CallbackQueryHandler

from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, Refusal
from handlers.common.flows import END, clear_flow, flow_data, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_branch_person,
    require_member,
    require_private,
)
from handlers.common.registry import Registrar
from handlers.common.reply import ack, remove_buttons, replace, reply, reply_photo
from handlers.common.views import clamp_page
from handlers.visits import access, views
from handlers.visits.views import PAGE_SIZE, RECORD_PREFIX
from storage import audit, members, visits
from storage.members import BranchMember, Member
from storage.terms import Term
from storage.visits import HomeVisit, VisitLocked, VisitProblem

DONE_FLOW = "visitdone"
DONE_NOTE = "visitdone.note"
DONE_PREFIX = "vd"
# The /visit flow's key in user_data: a draft there is still waiting for its answers.
VISIT_FLOW = "visit"


def register(reg: Registrar) -> None:
    reg.add(
        *presses(
            RECORD_PREFIX,
            page=turn_page,
            show=show,
            hist=show_history,
            photo=show_photo,
            wd=ask_withdraw,
            wdok=confirm_withdraw,
            wdno=keep,
            fpost=postpone,
            noop=quiet,
        )
    )


def register_done_flow(reg: Registrar) -> None:
    """[Done] on a follow-up: an optional line about it, then recorded as done."""
    reg.conversation(
        DONE_FLOW,
        entry_points=[CallbackQueryHandler(done_start, pattern=pattern(RECORD_PREFIX, "fdone"))],
        states={DONE_NOTE: step_handlers(DONE_PREFIX, done_note, done_not_text, now=done_now)},
    )


# --------------------------------------------------------------------------- the list


async def my_visits(update: Update, context: XContext, member: BranchMember) -> None:
    """/visits for a member or secretary: the first page, then open follow-ups."""
    text, markup = await _page(context, member, 0)
    await reply(update, context, text, markup)
    async with context.db.read() as conn:
        open_ones = await visits.open_follow_ups(conn, member.id)
    if open_ones:
        await reply(update, context, *views.follow_ups(context.t, open_ones, context.today()))


async def turn_page(update: Update, context: XContext) -> None:
    require_private(update)
    page = parse_callback(update, RECORD_PREFIX).int_arg(0)
    member = require_branch_person(context)
    text, markup = await _page(context, member, page)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await replace(update, context, text, markup)


async def _page(context: XContext, member: BranchMember, page: int) -> views.Screen:
    term = await access.current_term(context)
    async with context.db.read() as conn:
        listed = await page_of(conn, member.id, member.branch_id, term, page)
    return views.my_visits(context.t, listed, now=context.now(), secretary=member.is_secretary)


async def page_of(
    conn: aiosqlite.Connection, member_id: int, branch_id: int, term: Term, page: int
) -> views.VisitPage:
    total = await visits.listed_for_member(conn, member_id, term)
    # A page past the end (the list shrank since the button was made) shows the last.
    page = clamp_page(page, total, PAGE_SIZE)
    shown = await visits.list_for_member(
        conn, member_id, term, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    count = await visits.count_for_member(conn, member_id, term)
    target = await visits.target_for(conn, branch_id, term)
    return views.VisitPage(
        term=term, visits=shown, page=page, total=total, count=count, target=target
    )


# --------------------------------------------------------------------------- one visit


async def show(update: Update, context: XContext) -> None:
    actor, visit = await _viewed(update, context)
    async with context.db.read() as conn:
        teacher = await members.get(conn, visit.member_id)
    await ack(update)
    screen = views.visit_detail(
        context.t,
        visit,
        teacher=teacher.name if teacher else "?",
        zone=context.config.zone,
        now=context.now(),
        owner=actor.id == visit.member_id,
        has_history=visit.version > 1,
    )
    await reply(update, context, *screen)


async def show_history(update: Update, context: XContext) -> None:
    _, visit = await _viewed(update, context)
    async with context.db.read() as conn:
        earlier = await visits.versions(conn, visit.id)
    await ack(update)
    for text in views.history(context.t, visit.id, earlier, context.config.zone):
        await reply(update, context, text)


async def show_photo(update: Update, context: XContext) -> None:
    _, visit = await _viewed(update, context)
    await ack(update)
    if visit.photo_file_id:
        caption = context.t("visit.photo_caption", id=visit.id)
        await reply_photo(update, context, visit.photo_file_id, caption)


async def ask_withdraw(update: Update, context: XContext) -> None:
    _, visit = await _owned(update, context, editable=True)
    await ack(update)
    await reply(update, context, *views.confirm_withdraw(context.t, visit))


async def confirm_withdraw(update: Update, context: XContext) -> None:
    member, visit = await _owned(update, context, editable=True)
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            withdrawn = await visits.withdraw(tx, visit.id, actor_id=member.id, now=now)
            await audit.record(
                tx, at=now, actor_id=member.id, action="visit.withdrawn",
                entity="home_visit", entity_id=visit.id, version=withdrawn.version,
            )  # fmt: skip
    except VisitLocked as exc:
        # The window closed between the check above and the write.
        raise Refusal("visit.locked") from exc
    await ack(update)
    text = context.t(
        "visit.withdrawn", date=visit.visit_date.isoformat(), alias=visit.student_alias
    )
    await replace(update, context, text)


async def keep(update: Update, context: XContext) -> None:
    parse_callback(update, RECORD_PREFIX)
    require_member(context)
    await remove_buttons(update)
    query = update.callback_query
    assert query is not None
    await query.answer(context.t("visit.kept"))


async def quiet(update: Update, context: XContext) -> None:
    """A label-only button (the page number): nothing to do."""
    assert update.callback_query is not None
    await update.callback_query.answer()


# --------------------------------------------------------------------------- follow-ups


async def postpone(update: Update, context: XContext) -> None:
    require_private(update)
    data = parse_callback(update, RECORD_PREFIX)
    visit_id = data.int_arg(0)
    # The date the button was made for (buttons made before it was added carry none).
    from_date = _button_date(data.str_arg(1)) if len(data.args) > 1 else None
    member = require_branch_person(context)
    visit = await access.load(context, visit_id)
    access.require_owner(member, visit)
    now = context.now()
    async with context.db.transaction() as tx:
        moved = await visits.postpone_follow_up(
            tx, visit.id, today=context.today(), now=now, from_date=from_date
        )
        if moved is not None and moved[1]:
            await audit.record(
                tx, at=now, actor_id=member.id, action="visit.follow_up_postponed",
                entity="home_visit", entity_id=visit.id, to=moved[0].isoformat(),
            )  # fmt: skip
    if moved is None:
        raise Refusal("visit.no_open_follow_up")
    await ack(update)
    key = "visit.postponed" if moved[1] else "visit.postponed_already"
    await reply(
        update, context, context.t(key, date=moved[0].isoformat(), alias=visit.student_alias)
    )


def _button_date(raw: str) -> date:
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError as exc:
        raise BadButton() from exc


async def done_start(update: Update, context: XContext) -> object:
    _, visit = await _owned(update, context)
    if not visit.follow_up_open:
        raise Refusal("visit.no_open_follow_up")
    await ack(update)
    flow_data(context, DONE_FLOW)["visit_id"] = visit.id
    await reply(update, context, *views.done_ask(context.t, visit.student_alias))
    return DONE_NOTE


async def done_now(update: Update, context: XContext) -> object:
    await ack(update)
    await remove_buttons(update)
    return await _complete(update, context, None)


async def done_note(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        note = visits.clean_note(message.text)
    except VisitProblem:
        return await _ask_done_again(
            update, context, context.t("visit.note_long", count=len(message.text.strip()))
        )
    return await _complete(update, context, note)


async def done_not_text(update: Update, context: XContext) -> object:
    return await _ask_done_again(update, context, context.t("input.text_expected"))


async def _ask_done_again(update: Update, context: XContext, problem: str) -> object:
    visit_id = int(flow_data(context, DONE_FLOW).get("visit_id", 0))
    visit = await access.load(context, visit_id)
    await reply(update, context, *views.done_ask(context.t, visit.student_alias, problem))
    return DONE_NOTE


async def _complete(update: Update, context: XContext, note: str | None) -> object:
    member = require_branch_person(context)
    visit_id = int(flow_data(context, DONE_FLOW).get("visit_id", 0))
    visit = await access.load(context, visit_id)
    access.require_owner(member, visit)
    now = context.now()
    async with context.db.transaction() as tx:
        done = await visits.complete_follow_up(tx, visit.id, note=note, now=now)
        if done:
            await audit.record(
                tx, at=now, actor_id=member.id, action="visit.follow_up_done",
                entity="home_visit", entity_id=visit.id, with_note=note is not None,
            )  # fmt: skip
    clear_flow(context, DONE_FLOW)
    if not done:
        await reply(update, context, context.t("visit.no_open_follow_up"))
        return END
    await reply(update, context, context.t("visit.done_saved", alias=visit.student_alias))
    if (context.user_data or {}).get(VISIT_FLOW):
        await reply(update, context, context.t("visit.draft_waiting"))
    return END


# --------------------------------------------------------------------------- helpers


async def _viewed(update: Update, context: XContext) -> tuple[Member, HomeVisit]:
    """The visit a button names, for someone allowed to see it (private chat only)."""
    require_private(update)
    visit_id = parse_callback(update, RECORD_PREFIX).int_arg(0)
    actor = require_member(context)
    visit = await access.load(context, visit_id)
    access.require_viewer(actor, visit)
    return actor, visit


async def _owned(
    update: Update, context: XContext, *, editable: bool = False
) -> tuple[Member, HomeVisit]:
    """The visit a button names, for the teacher who logged it (and, if ``editable``,
    only while it may still be changed)."""
    require_private(update)
    visit_id = parse_callback(update, RECORD_PREFIX).int_arg(0)
    member = require_branch_person(context)
    visit = await access.load(context, visit_id)
    access.require_owner(member, visit)
    if editable:
        access.require_editable(visit, context.now())
    return member, visit
