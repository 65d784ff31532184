"""Taking back an import for someone who never joined (撤回): from /members (their
secretary) or /branches (an admin), after a confirmation; their personal link stops
working and the phone number and notes the import kept are deleted."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.common.callback import encode, presses
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, StaleButton
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_found,
    require_secretary_or_admin,
)
from handlers.common.registry import Registrar
from handlers.common.reply import ack, replace
from handlers.roster import texts as _texts  # noqa: F401  (fills the catalog)
from storage import roster
from storage.members import Member, Role

PREFIX = "rsw"
"""/members and /branches put ``encode("rsw", "ask", expected_id)`` on their [撤回] buttons."""


def register_withdraw(reg: Registrar) -> None:
    reg.add(*presses(PREFIX, ask=ask, ok=confirm, keep=keep))


async def ask(update: Update, context: XContext) -> None:
    _, person = await _withdrawable(update, context)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t.plain("roster.withdraw_yes"),
                    callback_data=encode(PREFIX, "ok", person.id),
                ),
                InlineKeyboardButton(
                    context.t.plain("roster.withdraw_no"),
                    callback_data=encode(PREFIX, "keep", person.id),
                ),
            ]
        ]
    )
    await ack(update)
    await replace(update, context, context.t("roster.withdraw_confirm", name=person.name), keyboard)


async def confirm(update: Update, context: XContext) -> None:
    actor, person = await _withdrawable(update, context)
    async with context.db.transaction() as tx:
        done = await roster.withdraw(tx, person, actor_id=actor.id, now=context.now())
    if not done:
        raise StaleButton()  # joined or withdrawn meanwhile
    await ack(update)
    await replace(update, context, context.t("roster.withdrawn", name=person.name))


async def keep(update: Update, context: XContext) -> None:
    _, person = await _withdrawable(update, context)
    await ack(update)
    await replace(update, context, context.t("roster.withdraw_kept", name=person.name))


async def _withdrawable(update: Update, context: XContext) -> tuple[Member, roster.Expected]:
    """The imported person the button names, if this person may take them back: their
    branch's secretary, or an admin; and only while they have not joined."""
    data = parse_callback(update, PREFIX)
    actor = require_secretary_or_admin(context)
    person = await require_found(context, roster.get, data.int_arg(0))
    require_branch_access(actor, person.branch_id)
    if actor.role is Role.SECRETARY and person.role is not Role.MEMBER:
        raise NotAllowed()  # an imported secretary is the admin's to take back
    if not person.pending:
        raise StaleButton()
    return actor, person
