"""Lists of pledges: /pledges (the member's own), /pledges branch (the secretary's board:
counts by status, who has none yet), and opening one pledge with what can be done now.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler

from handlers.common import branch_picker
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, Refusal
from handlers.common.flows import Handlers
from handlers.common.guards import (
    parse_callback,
    require_branch_person,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.i18n import Translator
from handlers.common.reply import ack, edit_buttons, reply, say
from handlers.common.todo_link import leads_to_todo
from handlers.pledges import views
from handlers.pledges.access import viewable_pledge
from handlers.pledges.notice import POSTABLE
from handlers.pledges.views import PREFIX
from storage import branches
from storage import pledges as store
from storage.branches import Branch
from storage.members import Role
from storage.pledge_rules import may_review
from storage.pledges import Period, PledgeStatus

# Not evaluated yet, and not given up: what still needs the secretary after the year.
UNFINISHED = frozenset(
    {PledgeStatus.SUBMITTED, PledgeStatus.RETURNED, PledgeStatus.PUBLISHED, PledgeStatus.FULFILLED}
)

BRANCH_WORDS = ("branch", "b", "支部", "全支部")


def plain_handlers() -> Handlers:
    return [
        CommandHandler("pledges", list_pledges),
        *presses(PREFIX, bb=bureau_board, open=open_pledge, terms=terms_pressed),
        *SCREEN.handlers(),
    ]


async def list_pledges(update: Update, context: XContext) -> None:
    """/pledges: my pledges; /pledges branch [year]: the branch board (secretaries)."""
    require_private(update)
    args = context.args or []
    if context.member is not None and context.member.role in (Role.ADMIN, Role.INSPECTOR):
        await bureau_picker(update, context, args[1:] if args else [])
        return
    if args and args[0].lower() in BRANCH_WORDS:
        await branch_board(update, context, args[1:])
        return
    member = require_branch_person(context)
    async with context.db.read() as conn:
        rows = await store.for_member(conn, member.id)
    secretary = member.role is Role.SECRETARY
    await reply(
        update, context, *views.my_list(context.t, rows, context.config.zone, secretary=secretary)
    )


async def branch_board(update: Update, context: XContext, args: list[str]) -> None:
    secretary = require_secretary(context)
    period = _asked_period(args) or Period.containing(context.today())
    # Asked for a year by name: that year alone, without last year's stragglers.
    text, markup = await _board(
        context, secretary.branch_id, period, switch=True, earlier_note=not args
    )
    await reply(update, context, text, markup)


async def bureau_picker(update: Update, context: XContext, args: list[str]) -> None:
    """/pledges for the bureau (and an inspector): the branch picker, each branch opening
    its board."""
    year = (_asked_period(args) or Period.containing(context.today())).code
    await branch_picker.show(update, context, SCREEN, year)


async def bureau_board(update: Update, context: XContext) -> None:
    """``pl:bb:<branch>:<year>``, the picker's buttons before it was shared: still opened
    from messages sent then."""
    data = parse_callback(update, PREFIX)
    branch_id, year = data.int_arg(0), data.str_arg(1)
    person = branch_picker.browser(context, SCREEN)
    branch = await branch_picker.require_visible(context, person, branch_id)
    await _open_for_bureau(update, context, branch, year)


async def _open_for_bureau(update: Update, context: XContext, branch: Branch, year: str) -> None:
    """A branch's board as its secretary sees it, without the switch that changes it (and
    for an inspector, who only reads, without the button into /todo)."""
    try:
        period = Period(code=year)
    except ValueError as exc:
        raise BadButton() from exc
    current = period == Period.containing(context.today())
    text, markup = await _board(
        context,
        branch.id,
        period,
        switch=False,
        earlier_note=current,
        todo=leads_to_todo(require_member(context)),
    )
    await say(update, context, text, markup)


def _picker_title(t: Translator, year: str) -> str:
    return t("pledge.board.pick_branch", period=year)


SCREEN = BranchScreen("pl", _picker_title, _open_for_bureau, inspectors=True)


def _asked_period(args: list[str]) -> Period | None:
    """The year typed after /pledges branch, if any."""
    if not args:
        return None
    try:
        period = Period(code=args[0])
    except ValueError as exc:
        raise Refusal("pledge.board.bad_period") from exc
    if period.is_term:  # the board is a year's: its terms are on it
        raise Refusal("pledge.board.bad_period")
    return period


async def _board(
    context: XContext,
    branch_id: int,
    period: Period,
    *,
    switch: bool,
    earlier_note: bool,
    todo: bool = True,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The board of ``branch_id`` for a year; ``switch``: the secretary's term switch;
    ``todo``: the button into /todo's list."""
    earlier = Period.of_year(int(period.code) - 1)
    async with context.db.read() as conn:
        branch = await branches.get(conn, branch_id)
        rows = await store.for_branch(conn, branch_id, period.code)
        without = await store.members_without_pledge(conn, branch_id, period.code)
        # Last year's pledges are evaluated in the new year: on this year's board, say
        # they still wait.
        unfinished = (
            [
                row
                for row in await store.for_branch(conn, branch_id, earlier.code)
                if row.status in UNFINISHED
            ]
            if earlier_note
            else []
        )
        runs_terms = await store.runs_terms(conn, branch_id)
    assert branch is not None
    text, markup = views.board(
        context.t,
        branch.name,
        period.code,
        rows,
        without,
        runs_terms=runs_terms if switch else None,
        branch_id=branch_id if todo else None,
    )
    if unfinished:
        text += "\n\n" + context.t(
            "pledge.board.earlier", period=earlier.code, count=len(unfinished)
        )
    return text, markup


async def terms_pressed(update: Update, context: XContext) -> None:
    """[Allow term pledges] / [Year pledges only] on the board: the branch's choice."""
    on = parse_callback(update, PREFIX).int_arg(0) == 1
    secretary = require_secretary(context)
    async with context.db.transaction() as tx:
        if await store.runs_terms(tx, secretary.branch_id) != on:
            await store.set_runs_terms(
                tx, secretary.branch_id, on, actor_id=secretary.id, now=context.now()
            )
    await ack(
        update, context.t("pledge.board.terms_on" if on else "pledge.board.terms_off"), alert=True
    )
    query = update.callback_query
    assert query is not None
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is not None:
        # The same board, its last row now the switch the other way.
        rows = [*markup.inline_keyboard[:-1], views.terms_switch(context.t, on)]
        await edit_buttons(update, InlineKeyboardMarkup(rows))


async def open_pledge(update: Update, context: XContext) -> None:
    """[Open]: the pledge in full, with the buttons for what this viewer may do now."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    actor, row = await viewable_pledge(context, pledge_id)
    async with context.db.read() as conn:
        progress = await store.updates(conn, row.id)
        branch = await branches.get(conn, row.branch_id)
    reviewer = may_review(actor, row)
    can_post = (
        reviewer
        and row.status in POSTABLE
        and row.notice_message_id is None
        and branch is not None
        and branch.notice_chat_id is not None
    )
    await ack(update)
    text, markup = views.detail(
        context.t,
        row,
        owner=row.member_id == actor.id,
        reviewer=reviewer,
        today=context.today(),
        zone=context.config.zone,
        progress=progress,
        can_post_notice=can_post,
    )
    await reply(update, context, text, markup)
