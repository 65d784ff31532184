"""The /import conversation: template, file, preview, confirmation, links.

A secretary imports the branch's members; an admin, branches and their secretaries. The
file is read at the preview and read again (by its Telegram file id) at the confirmation,
so what is kept between the steps is the file's id, never its rows or phone numbers.
"""

from __future__ import annotations

import asyncio

import aiosqlite
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.flows import END, OTHER, enter_flow, flow_data
from handlers.common.guards import (
    require_admin,
    require_private,
    require_secretary,
    require_secretary_or_admin,
)
from handlers.common.i18n import Translator
from handlers.common.links import personal_invite
from handlers.common.registry import Registrar
from handlers.common.reply import answering, remove_buttons, reply, reply_document, say
from handlers.common.services import CommandSpec
from handlers.common.views import cancel_only
from handlers.roster import sheet, views
from handlers.roster.sheet import Scope, SheetProblem, SheetRefused, Table
from storage import roster
from storage.members import Member, Role, Secretary
from storage.roster import MAX_ROWS, Created, Imported, Plan

FLOW = "roster"
WAIT_FILE = "roster.file"
PREVIEW = "roster.preview"

COMMANDS = [CommandSpec("import", "cmd.import", frozenset({Role.SECRETARY, Role.ADMIN}))]


def register_flow(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[CommandHandler("import", start)],
        states={
            WAIT_FILE: [
                MessageHandler(filters.Document.ALL, receive_file),
                MessageHandler(filters.PHOTO, photo_sent),
                MessageHandler(OTHER, not_a_file),
            ],
            PREVIEW: [
                CallbackQueryHandler(confirm, pattern=pattern("rst", "ok")),
                MessageHandler(filters.Document.ALL, receive_file),
                MessageHandler(OTHER, use_buttons),
            ],
        },
    )


async def start(update: Update, context: XContext) -> object:
    require_private(update)
    actor = require_secretary_or_admin(context)
    scope = Scope.BRANCHES if actor.role is Role.ADMIN else Scope.MEMBERS
    enter_flow(context, FLOW, scope=scope.value)
    t = context.t
    template = await asyncio.to_thread(sheet.template, scope, t.lang)
    name = "roster.file.template" if scope is Scope.MEMBERS else "roster.file.branch_template"
    await reply_document(
        update, context, template, t.plain(name), t(f"roster.template_caption.{scope.value}")
    )
    await reply(
        update,
        context,
        t(f"roster.ask_file.{scope.value}", max=MAX_ROWS),
        cancel_only(t),
    )
    return WAIT_FILE


async def receive_file(update: Update, context: XContext) -> object:
    data = flow_data(context, FLOW)
    scope = Scope(data["scope"])
    actor = _actor(context, scope)
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    file_name = document.file_name or ""
    try:
        table = await _read(context, document.file_id, file_name, document.file_size, scope)
    except SheetRefused as refused:
        await reply(update, context, views.sheet_refused(context.t, refused, scope))
        return WAIT_FILE
    async with context.db.read() as conn:
        plan = await _check(conn, actor, table)
    data.update(file_id=document.file_id, file_name=file_name)
    if not plan.new and not plan.problems:
        await reply(update, context, context.t(f"roster.nothing_new.{scope.value}"))
        return END
    text, markup = views.preview(context.t, scope, file_name, table, plan)
    await reply(update, context, text, markup)
    return PREVIEW if plan.new else WAIT_FILE


async def confirm(update: Update, context: XContext) -> object:
    data = flow_data(context, FLOW)
    scope = Scope(data["scope"])
    actor = _actor(context, scope)
    try:
        table = await _read(context, str(data["file_id"]), str(data["file_name"]), None, scope)
    except SheetRefused as refused:  # the same file read a second time: not expected
        await say(update, context, views.sheet_refused(context.t, refused, scope))
        return END
    now = context.now()
    async with context.db.transaction() as tx:
        if isinstance(actor, Secretary):
            imported = await roster.import_members(
                tx, actor.branch_id, table.rows, actor_id=actor.id, now=now
            )
        else:
            imported = await roster.import_branches(tx, table.rows, actor_id=actor.id, now=now)
        # One message per person, to forward: through the outbox, which paces them.
        for created in imported.created:
            await delivery.tell(
                tx,
                context,
                [actor],
                "roster.link",
                _forwardable(context, created),
                key=str(created.invite.id),
                urgent=True,
            )
    delivery.wake(context)
    await remove_buttons(update)
    if not imported.created:
        await say(update, context, context.t(f"roster.nothing_new.{scope.value}"))
        return END
    await say(update, context, views.done(context.t, scope, imported))
    await _reply_links(update, context, scope, imported)
    return END


photo_sent = answering("roster.photo_not_file", WAIT_FILE)


not_a_file = answering("roster.send_as_file", WAIT_FILE)


use_buttons = answering("roster.use_buttons", PREVIEW)


async def _read(
    context: XContext, file_id: str, file_name: str, size: int | None, scope: Scope
) -> Table:
    if size is not None and size > sheet.MAX_BYTES:
        raise SheetRefused(SheetProblem.TOO_BIG)
    file = await context.bot.get_file(file_id)
    content = bytes(await file.download_as_bytearray())
    return await asyncio.to_thread(sheet.read, content, file_name, scope)


async def _check(conn: aiosqlite.Connection, actor: Member, table: Table) -> Plan:
    if isinstance(actor, Secretary):
        return await roster.check_members(conn, actor.branch_id, table.rows)
    return await roster.check_branches(conn, table.rows)


def _actor(context: XContext, scope: Scope) -> Member:
    """Who may go on with this import now (the role is read from the database at each
    step): the branch's secretary for members, an admin for branches."""
    return require_secretary(context) if scope is Scope.MEMBERS else require_admin(context)


def _forwardable(context: XContext, created: Created) -> delivery.Render:
    username, zone = context.bot.username, context.config.zone

    def render(t: Translator) -> str:
        return personal_invite(
            t, created.person.name, created.invite, username, created.branch_name, zone
        )

    return render


async def _reply_links(update: Update, context: XContext, scope: Scope, imported: Imported) -> None:
    t = context.t
    headers, rows = views.links_rows(
        t, scope, imported.created, context.bot.username, context.config.zone
    )
    content = await asyncio.to_thread(
        sheet.links_sheet, headers, rows, t.plain("roster.sheet_title")
    )
    caption = t("roster.done.caption", count=len(rows))
    await reply_document(update, context, content, t.plain("roster.file.links"), caption)
