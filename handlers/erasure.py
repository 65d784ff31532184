"""/erasemember: a bureau admin erases the personal data of a member who left.

The admin picks the person from those who left, sees what will go and what stays, and
confirms with a button. Everything else is in ``storage.erasure``.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from handlers.common.callback import encode, presses
from handlers.common.context import XContext
from handlers.common.errors import NotFound, Refusal
from handlers.common.guards import parse_callback, require_admin, require_private
from handlers.common.i18n import load_texts
from handlers.common.registry import Registrar
from handlers.common.reply import ack, replace, reply, say
from handlers.common.services import CommandSpec
from storage import erasure, members
from storage.members import Role

PREFIX = "era"
MAX_LISTED = 30
COMMANDS = [CommandSpec("erasemember", "cmd.erasemember", frozenset({Role.ADMIN}))]

load_texts(__file__)


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("erasemember", list_departed))
    reg.add(*presses(PREFIX, ask=ask, ok=confirmed, no=kept))


async def list_departed(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    async with context.db.read() as conn:
        people = await erasure.departed(conn)
    if not people:
        await reply(update, context, context.t("erase.none"))
        return
    rows = [
        [
            InlineKeyboardButton(
                f"{person.name}（{person.left_at:%Y-%m-%d}）" if person.left_at else person.name,
                callback_data=encode(PREFIX, "ask", person.id),
            )
        ]
        for person in people[:MAX_LISTED]
    ]
    await reply(update, context, context.t("erase.pick"), InlineKeyboardMarkup(rows))


async def ask(update: Update, context: XContext) -> None:
    require_admin(context)
    person = await _departed(context, parse_callback(update, PREFIX).int_arg(0))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t("erase.yes"), callback_data=encode(PREFIX, "ok", person.id)
                ),
                InlineKeyboardButton(
                    context.t("erase.no"), callback_data=encode(PREFIX, "no", person.id)
                ),
            ]
        ]
    )
    text = context.t("erase.confirm", name=person.name, placeholder=erasure.erased_name(person.id))
    await say(update, context, text, keyboard)


async def confirmed(update: Update, context: XContext) -> None:
    admin = require_admin(context)
    person = await _departed(context, parse_callback(update, PREFIX).int_arg(0))
    try:
        # Ten years of one person's records: long statements, on the writer's thread.
        async with context.db.transaction() as tx, context.db.on_thread(tx):
            done = await erasure.erase_person(tx, person, actor_id=admin.id, now=context.now())
    except erasure.StillActive:
        raise Refusal("erase.still_active") from None
    await ack(update)
    await replace(
        update,
        context,
        context.t(
            "erase.done", placeholder=done.placeholder, visits=done.visits, messages=done.messages
        ),
    )


async def kept(update: Update, context: XContext) -> None:
    require_admin(context)
    parse_callback(update, PREFIX).int_arg(0)
    await ack(update)
    await replace(update, context, context.t("erase.kept"))


async def _departed(context: XContext, member_id: int) -> members.Member:
    async with context.db.read() as conn:
        person = await members.get(conn, member_id)
        active = await members.get_active_by_telegram(conn, person.telegram_id) if person else None
    if person is None or person.role is Role.ADMIN:
        raise NotFound()
    if active is not None:
        raise Refusal("erase.still_active")
    if erasure.is_erased(person):
        raise Refusal("erase.already")
    return person
