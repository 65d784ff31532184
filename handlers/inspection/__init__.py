"""Inspection groups (督查组): an admin's groups, their inspectors and branches; what an
inspector reads of their assigned branches.

Modules: ``groups`` (the admin's /inspect: groups, invites, branch assignment, removing
an inspector), ``overview`` (the inspector's /inspect: assigned branches and their
counts), ``views`` (every screen), ``texts`` (every word).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed
from handlers.common.flows import END, conversation
from handlers.common.guards import require_member, require_private
from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.inspection import groups, overview
from handlers.inspection.views import PREFIX
from storage.members import Role

FLOW = "inspect"
COMMANDS = [CommandSpec("inspect", "cmd.inspect", frozenset({Role.ADMIN, Role.INSPECTOR}))]


def register(reg: Registrar) -> None:
    reg.command_specs(COMMANDS)
    reg.flow(
        conversation(
            FLOW,
            entry_points=[CommandHandler("inspect", inspect_command)],
            states={
                groups.ASK_GROUP_NAME: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, groups.group_name_typed),
                    MessageHandler(~filters.COMMAND, groups.group_name_not_text),
                ],
            },
            timeout=reg.config.conversation_timeout,
        )
    )
    for action, handler in (
        ("g", groups.open_group),
        ("inv", groups.invite),
        ("as", groups.assign_page),
        ("ab", groups.toggle_branch),
        ("rmls", groups.remove_list),
        ("rm", groups.remove_ask),
        ("rmok", groups.remove_confirmed),
        ("b", overview.open_branch),
    ):
        reg.add(CallbackQueryHandler(handler, pattern=pattern(PREFIX, action)))


async def inspect_command(update: Update, context: XContext) -> object:
    """/inspect: the admin's groups (and ``new``), or the inspector's branches."""
    require_private(update)
    person = require_member(context)
    if person.role is Role.ADMIN:
        return await groups.admin_command(update, context, list(context.args or []))
    if person.role is Role.INSPECTOR:
        await overview.inspector_command(update, context)
        return END
    raise NotAllowed()
