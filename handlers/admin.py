"""Bureau administration: creating branches, listing them (with imported secretaries who
have not joined, and a fresh personal link for them), inviting their secretaries."""

from __future__ import annotations

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from handlers.common.callback import encode, presses
from handlers.common.context import XContext
from handlers.common.errors import NotFound
from handlers.common.flows import END, step_handlers
from handlers.common.guards import parse_callback, require_admin, require_found, require_private
from handlers.common.i18n import load_texts
from handlers.common.links import reply_fresh_link, reply_invite
from handlers.common.naming import Naming
from handlers.common.registry import Registrar
from handlers.common.reply import answering, reply
from handlers.common.services import CommandSpec
from handlers.common.views import cancel_only
from storage import branches, invites, roster
from storage.branches import Branch, BranchName, DuplicateBranch
from storage.invites import Invite
from storage.members import Role

FLOW = "newbranch"
ASK_NAME = "newbranch.name"
ADMIN = frozenset({Role.ADMIN})
NAMING = Naming("newbranch", BranchName, DuplicateBranch)
# Telegram allows about a hundred buttons on a message; the branches' come first.
FRESH_BUTTONS = 20

COMMANDS = [
    CommandSpec("newbranch", "cmd.newbranch", ADMIN),
    CommandSpec("branches", "cmd.branches", ADMIN),
]

load_texts(__file__)


def register(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[CommandHandler("newbranch", new_branch)],
        states={ASK_NAME: step_handlers("adm", receive_name, name_not_text)},
    )
    reg.add(CommandHandler("branches", list_branches))
    reg.add(*presses("adm", secinv=secretary_invite, fresh=fresh_link))


async def new_branch(update: Update, context: XContext) -> object:
    require_private(update)
    require_admin(context)
    name = " ".join(context.args or [])
    if not name:
        await reply(
            update,
            context,
            context.t("newbranch.ask"),
            cancel_only(context.t),
        )
        return ASK_NAME
    return await _create(update, context, name)


async def receive_name(update: Update, context: XContext) -> object:
    require_admin(context)
    assert update.effective_message is not None and update.effective_message.text is not None
    return await _create(update, context, update.effective_message.text)


name_not_text = answering("newbranch.ask", ASK_NAME)


async def _create(update: Update, context: XContext, name: str) -> object:
    admin = require_admin(context)
    now = context.now()

    async def create(tx: aiosqlite.Connection, clean: str) -> tuple[Branch, Invite]:
        branch = await branches.create(tx, clean, now=now, actor_id=admin.id)
        invite = await invites.create(
            tx, branch_id=branch.id, role=Role.SECRETARY, created_by=admin.id, now=now
        )
        return branch, invite

    made = await NAMING.create(update, context, name, create)
    if made is None:
        return ASK_NAME
    branch, invite = made
    await reply(update, context, context.t("newbranch.done", name=branch.name))
    await reply_invite(update, context, invite, branch.name)
    return END


async def list_branches(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    async with context.db.read() as conn:
        rows = await branches.list_with_counts(conn)
        expected = await roster.pending_secretaries(conn)
    if not rows:
        await reply(update, context, context.t("branches.none"))
        return
    lines = [context.t("branches.title", count=len(rows))]
    for row in rows:
        lines.append(context.t("branches.line", name=row.name, count=row.member_count))
        lines += [
            context.t("branches.pending_secretary", name=person.name)
            for person in expected
            if person.branch_id == row.id
        ]
    keyboard = [
        [
            InlineKeyboardButton(
                context.t.plain("branches.secretary_invite", name=row.name)[:60],
                callback_data=encode("adm", "secinv", row.id),
            )
        ]
        for row in rows
    ]
    keyboard += [
        [
            InlineKeyboardButton(
                context.t.plain("branches.fresh_button", name=person.name)[:60],
                callback_data=encode("adm", "fresh", person.id),
            ),
            # Handled by the roster import (handlers/roster/withdraw.py).
            InlineKeyboardButton(
                context.t.plain("branches.withdraw_button", name=person.name)[:60],
                callback_data=encode("rsw", "ask", person.id),
            ),
        ]
        for person in expected[:FRESH_BUTTONS]
    ]
    await reply(update, context, "\n".join(lines), InlineKeyboardMarkup(keyboard))


async def fresh_link(update: Update, context: XContext) -> None:
    """A new personal link for an imported secretary who has not joined; the old one stops
    working."""
    data = parse_callback(update, "adm")
    admin = require_admin(context)
    person = await require_found(context, roster.get, data.int_arg(0))
    await reply_fresh_link(update, context, person, admin, "branches.fresh_done")


async def secretary_invite(update: Update, context: XContext) -> None:
    require_private(update)
    data = parse_callback(update, "adm")
    admin = require_admin(context)
    branch_id = data.int_arg(0)
    query = update.callback_query
    assert query is not None
    now = context.now()
    async with context.db.transaction() as tx:
        branch = await branches.get(tx, branch_id)
        if branch is None:
            raise NotFound()
        invite = await invites.create(
            tx, branch_id=branch.id, role=Role.SECRETARY, created_by=admin.id, now=now
        )
    await query.answer()
    assert query.message is not None
    await reply_invite(update, context, invite, branch.name)
