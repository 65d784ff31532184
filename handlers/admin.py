"""Bureau administration: creating branches, listing them (with imported secretaries who
have not joined, and a fresh personal link for them), inviting their secretaries."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common.callback import encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import NotFound, StaleButton
from handlers.common.flows import END, cancel_button, conversation
from handlers.common.guards import parse_callback, require_admin, require_found, require_private
from handlers.common.i18n import texts
from handlers.common.links import personal_invite, reply_invite
from handlers.common.registry import Registrar
from handlers.common.reply import reply, say
from handlers.common.services import CommandSpec
from storage import audit, branches, invites, roster
from storage.branches import BranchName, DuplicateBranch
from storage.members import Role

FLOW = "newbranch"
ASK_NAME = "newbranch.name"
ADMIN = frozenset({Role.ADMIN})
# Telegram allows about a hundred buttons on a message; the branches' come first.
FRESH_BUTTONS = 20

COMMANDS = [
    CommandSpec("newbranch", "cmd.newbranch", ADMIN),
    CommandSpec("branches", "cmd.branches", ADMIN),
]

texts(
    {
        "cmd.newbranch": ("新建党支部", "create a branch"),
        "cmd.branches": ("党支部列表", "list branches"),
        "newbranch.ask": (
            "请输入新党支部的名称（2–40 个字），例如：临海市第一中学党支部。",
            "Please type the new branch's name (2–40 characters), e.g. 临海市第一中学党支部.",
        ),
        "newbranch.bad_name": (
            "名称需为 2–40 个字，且不能含有看不见的字符（如零宽字符、空白填充符），请重新输入。",
            "A name is 2–40 characters, with no invisible ones (zero-width characters, "
            "fillers). Please type it again.",
        ),
        "newbranch.duplicate": (
            "已有名为「{name}」的党支部，请换一个名称。",
            "A branch named “{name}” already exists. Please choose another name.",
        ),
        "newbranch.done": (
            "已创建党支部：{name}\n请把下面的链接私信发给该支部书记。",
            "Branch created: {name}\nSend the link below privately to its secretary.",
        ),
        "branches.none": (
            "还没有党支部。发送 /newbranch 新建。",
            "There are no branches yet. Send /newbranch to create one.",
        ),
        "branches.title": ("党支部（共 {count} 个）：", "Branches ({count}):"),
        "branches.line": ("{name} — {count} 人", "{name} — members: {count}"),
        "branches.secretary_invite": ("书记邀请：{name}", "Secretary invite: {name}"),
        "branches.pending_secretary": (
            "  待加入书记：{name}",
            "  secretary not joined yet: {name}",
        ),
        "branches.fresh_button": ("新链接：{name}", "Fresh link: {name}"),
        "branches.withdraw_button": ("撤回：{name}", "Withdraw: {name}"),
        "branches.fresh_done": (
            "已为 {name} 生成新的个人链接，之前的链接已失效。请把下面这条消息转发给本人：",
            "A fresh personal link for {name} is made; the earlier one no longer works. "
            "Please forward the message below to them:",
        ),
    }
)


def register(reg: Registrar) -> None:
    reg.command_specs(COMMANDS)
    reg.flow(
        conversation(
            FLOW,
            entry_points=[CommandHandler("newbranch", new_branch)],
            states={
                ASK_NAME: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, receive_name),
                    MessageHandler(~filters.COMMAND, name_not_text),
                ]
            },
            timeout=reg.config.conversation_timeout,
        )
    )
    reg.add(CommandHandler("branches", list_branches))
    reg.add(CallbackQueryHandler(secretary_invite, pattern=pattern("adm", "secinv")))
    reg.add(CallbackQueryHandler(fresh_link, pattern=pattern("adm", "fresh")))


async def new_branch(update: Update, context: XContext) -> object:
    require_private(update)
    require_admin(context)
    name = " ".join(context.args or [])
    if not name:
        await reply(
            update,
            context,
            context.t("newbranch.ask"),
            InlineKeyboardMarkup([[cancel_button(context.t)]]),
        )
        return ASK_NAME
    return await _create(update, context, name)


async def receive_name(update: Update, context: XContext) -> object:
    require_admin(context)
    assert update.effective_message is not None and update.effective_message.text is not None
    return await _create(update, context, update.effective_message.text)


async def name_not_text(update: Update, context: XContext) -> object:
    await reply(update, context, context.t("newbranch.ask"))
    return ASK_NAME


async def _create(update: Update, context: XContext, name: str) -> object:
    admin = require_admin(context)
    try:
        clean = BranchName(value=name).value
    except ValueError:
        await reply(update, context, context.t("newbranch.bad_name"))
        return ASK_NAME
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            branch = await branches.create(tx, clean, now=now)
            await audit.record(
                tx,
                at=now,
                actor_id=admin.id,
                action="branch.created",
                entity="branch",
                entity_id=branch.id,
                name=branch.name,
            )
            invite = await invites.create(
                tx, branch_id=branch.id, role=Role.SECRETARY, created_by=admin.id, now=now
            )
    except DuplicateBranch:
        await reply(update, context, context.t("newbranch.duplicate", name=clean))
        return ASK_NAME
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
    if not person.pending:
        raise StaleButton()
    async with context.db.transaction() as tx:
        invite = await roster.fresh_link(tx, person, actor_id=admin.id, now=context.now())
        branch = await branches.get(tx, person.branch_id)
    assert branch is not None
    await say(update, context, context.t("branches.fresh_done", name=person.name))
    text = personal_invite(
        context.t, person.name, invite, context.bot.username, branch.name, context.config.zone
    )
    await reply(update, context, text, link_preview=False)


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
