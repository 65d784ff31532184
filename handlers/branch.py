"""A secretary's branch: invite links for members, the member list (with who was imported
and has not joined yet, and a fresh personal link for them), removing a member."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from handlers.common import branch_picker, delivery, views
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import encode, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, Refusal
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_found,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.i18n import Translator, load_texts
from handlers.common.links import reply_fresh_link, reply_invite
from handlers.common.menu import clear_menu
from handlers.common.registry import Registrar
from handlers.common.reply import replace, reply, say
from handlers.common.services import CommandSpec
from storage import branches, invites, members, roster
from storage.branches import Branch
from storage.members import Role

SECRETARY = frozenset({Role.SECRETARY})
# Telegram allows about a hundred buttons on a message; the remove buttons come first,
# then two for each person not joined yet.
FRESH_BUTTONS = 25

COMMANDS = [
    CommandSpec("invite", "cmd.invite", SECRETARY),
    CommandSpec("members", "cmd.members", frozenset({Role.SECRETARY, Role.ADMIN, Role.INSPECTOR})),
]

load_texts(__file__)


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("invite", invite))
    reg.add(CommandHandler("members", list_members))
    reg.add(*presses("mem", rm=ask_remove, rmok=confirm_remove, keep=keep_member, fresh=fresh_link))
    for handler in SCREEN.handlers():
        reg.add(handler)


async def invite(update: Update, context: XContext) -> None:
    require_private(update)
    secretary = require_secretary(context)
    now = context.now()
    async with context.db.transaction() as tx:
        branch = await branches.get(tx, secretary.branch_id)
        created = await invites.create(
            tx, branch_id=secretary.branch_id, role=Role.MEMBER, created_by=secretary.id, now=now
        )
    assert branch is not None
    await reply_invite(update, context, created, branch.name)


async def list_members(update: Update, context: XContext) -> None:
    """/members: the secretary's branch; the bureau picks a branch first (read-only)."""
    require_private(update)
    if require_member(context).role is not Role.SECRETARY:
        await branch_picker.show(update, context, SCREEN)
        return
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        branch = await branches.get(conn, secretary.branch_id)
    assert branch is not None
    await _member_list(update, context, branch, changeable=True)


async def _open_for_bureau(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    if extra:
        raise BadButton()
    await _member_list(update, context, branch, changeable=False)


def _picker_title(t: Translator, extra: str) -> str:
    return t("members.pick_branch")


SCREEN = BranchScreen("mb", _picker_title, _open_for_bureau, inspectors=True)


async def _member_list(
    update: Update, context: XContext, branch: Branch, *, changeable: bool
) -> None:
    """Who is in the branch and who is expected; ``changeable`` (the secretary's own copy):
    the buttons that remove a member, or renew or withdraw an expected one's link."""
    async with context.db.read() as conn:
        people = await members.list_branch(conn, branch.id, include_left=True)
        expected = await roster.pending(conn, branch.id)
    t = context.t
    active = [m for m in people if m.active]
    left = [m for m in people if not m.active]
    lines = [t("members.title", branch=branch.name, count=len(active))]
    for index, person in enumerate(active, start=1):
        flag = t("members.unreachable") if person.unreachable_at else ""
        lines.append(
            t(
                "members.line",
                index=index,
                name=person.name,
                role=views.role_name(t, person.role),
                flag=flag,
            )
        )
    if left:
        lines.append(t("members.left_title", names="、".join(m.name for m in left)))
    if expected:
        lines += ["", t("members.pending_title", count=len(expected))]
        lines += [_pending_line(context, index, p) for index, p in enumerate(expected, start=1)]
        if changeable and len(expected) > FRESH_BUTTONS:
            lines.append(t("members.fresh_more", count=FRESH_BUTTONS))
    keyboard = [
        [
            InlineKeyboardButton(
                t.plain("members.remove_button", name=person.name)[:60],
                callback_data=encode("mem", "rm", person.id),
            )
        ]
        for person in active
        if changeable and person.role is Role.MEMBER
    ]
    keyboard += [
        [
            InlineKeyboardButton(
                t.plain("members.fresh_button", name=person.name)[:60],
                callback_data=encode("mem", "fresh", person.id),
            ),
            # Handled by the roster import (handlers/roster/withdraw.py).
            InlineKeyboardButton(
                t.plain("members.withdraw_button", name=person.name)[:60],
                callback_data=encode("rsw", "ask", person.id),
            ),
        ]
        for person in (expected[:FRESH_BUTTONS] if changeable else [])
    ]
    await say(
        update, context, "\n".join(lines), InlineKeyboardMarkup(keyboard) if keyboard else None
    )


async def fresh_link(update: Update, context: XContext) -> None:
    """A new personal link for someone imported who has not joined; the old one stops
    working. The secretary gets the message to forward."""
    data = parse_callback(update, "mem")
    secretary = require_secretary(context)
    person = await require_found(context, roster.get, data.int_arg(0))
    require_branch_access(secretary, person.branch_id)
    await reply_fresh_link(update, context, person, secretary, "members.fresh_done")


def _pending_line(context: XContext, index: int, person: roster.Pending) -> str:
    t = context.t
    details = [d for d in (person.subject, person.class_name) if d]
    link = (
        t(
            "members.link_until",
            date=person.link_expires_at.astimezone(context.config.zone).strftime("%Y-%m-%d"),
        )
        if person.link_expires_at is not None and person.link_expires_at > context.now()
        else t("members.link_none")
    )
    return t(
        "members.pending_line",
        index=index,
        name=person.name,
        details=f"（{' · '.join(details)}）" if details else "",
        link=link,
    )


async def ask_remove(update: Update, context: XContext) -> None:
    data = parse_callback(update, "mem")
    secretary = require_secretary(context)
    target = await _removable(context, data.int_arg(0), secretary)
    query = update.callback_query
    assert query is not None
    keyboard = [
        [
            InlineKeyboardButton(
                context.t("members.confirm_yes"), callback_data=encode("mem", "rmok", target.id)
            ),
            InlineKeyboardButton(
                context.t("members.confirm_no"), callback_data=encode("mem", "keep", target.id)
            ),
        ]
    ]
    await query.answer()
    assert query.message is not None
    await reply(
        update,
        context,
        context.t("members.confirm_remove", name=target.name),
        InlineKeyboardMarkup(keyboard),
    )


async def confirm_remove(update: Update, context: XContext) -> None:
    data = parse_callback(update, "mem")
    secretary = require_secretary(context)
    target = await _removable(context, data.int_arg(0), secretary)
    now = context.now()
    async with context.db.transaction() as tx:
        if not await members.mark_left(
            tx, target.id, now=now, actor_id=secretary.id, branch_id=target.branch_id
        ):
            # Removed meanwhile by another press (another secretary's, at the same moment).
            raise Refusal("members.already_left", name=target.name)
        branch = await branches.get(tx, target.branch_id or 0)
        if branch is not None:
            await delivery.tell(
                tx,
                context,
                [target],
                "member.removed",
                lambda t: t("members.removed_notice", branch=branch.name),
            )
    delivery.wake(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await replace(update, context, context.t("members.removed", name=target.name))
    # Their private menu would still offer what they may no longer use.
    await clear_menu(context.bot, target.telegram_id)


async def keep_member(update: Update, context: XContext) -> None:
    data = parse_callback(update, "mem")
    secretary = require_secretary(context)
    target = await require_found(context, members.get, data.int_arg(0))
    require_branch_access(secretary, target.branch_id)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await replace(update, context, context.t("members.kept", name=target.name))


async def _removable(
    context: XContext, member_id: int, secretary: members.Member
) -> members.Member:
    target = await require_found(context, members.get, member_id)
    require_branch_access(secretary, target.branch_id)
    if target.id == secretary.id:
        raise NotAllowed("members.cannot_remove_self")
    if not target.active:
        raise Refusal("members.already_left", name=target.name)
    return target
