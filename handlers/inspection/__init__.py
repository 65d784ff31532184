"""Inspection groups (督查组): an admin's groups, their inspectors and branches; what an
inspector reads of their assigned branches.

Modules: ``groups`` (the admin's /inspect: groups, invites, branch assignment, removing
an inspector), ``overview`` (the inspector's /inspect: assigned branches and their
counts), ``comments`` (an inspector's 督查点评 with 整改 items), ``items`` (the
secretary's answers, the inspector's acceptance, /rectify), ``reminders`` (the deadline
reminder's view), ``views`` (every screen),
``texts`` (every word).
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
from handlers.common.reply import reply
from handlers.common.services import CommandSpec
from handlers.inspection import comments, groups, items, overview, reminders
from handlers.inspection.views import PREFIX
from storage.members import Role

FLOW = "inspect"
TEXT = filters.TEXT & ~filters.COMMAND
OTHER = ~filters.COMMAND
COMMANDS = [
    CommandSpec("inspect", "cmd.inspect", frozenset({Role.ADMIN, Role.INSPECTOR})),
    CommandSpec("rectify", "cmd.rectify", frozenset({Role.ADMIN, Role.SECRETARY, Role.INSPECTOR})),
]


def register(reg: Registrar) -> None:
    reg.command_specs(COMMANDS)
    reg.flow(
        conversation(
            FLOW,
            entry_points=[
                CommandHandler("inspect", inspect_command),
                CallbackQueryHandler(comments.start, pattern=pattern(PREFIX, "c")),
                CallbackQueryHandler(items.answer_start, pattern=pattern(PREFIX, "ans")),
                CallbackQueryHandler(items.reopen_start, pattern=pattern(PREFIX, "re")),
            ],
            states={
                groups.ASK_GROUP_NAME: [
                    MessageHandler(TEXT, groups.group_name_typed),
                    MessageHandler(OTHER, groups.group_name_not_text),
                ],
                comments.COMMENT: [
                    MessageHandler(TEXT, comments.comment_typed),
                    MessageHandler(OTHER, text_expected),
                ],
                comments.PREVIEW: [
                    CallbackQueryHandler(comments.add_item, pattern=pattern(PREFIX, "ci")),
                    CallbackQueryHandler(comments.submit, pattern=pattern(PREFIX, "cs")),
                    MessageHandler(OTHER, comments.use_buttons),
                ],
                comments.ITEM_TEXT: [
                    MessageHandler(TEXT, comments.item_text_typed),
                    MessageHandler(OTHER, text_expected),
                ],
                comments.ITEM_DEADLINE: [
                    MessageHandler(TEXT, comments.deadline_typed),
                    MessageHandler(OTHER, text_expected),
                ],
                items.ANSWER: [
                    MessageHandler(TEXT, items.answer_typed),
                    MessageHandler(OTHER, text_expected),
                ],
                items.PHOTO: [
                    MessageHandler(filters.PHOTO, items.photo_sent),
                    CallbackQueryHandler(items.no_photo, pattern=pattern(PREFIX, "np")),
                    MessageHandler(TEXT, items.photo_text),
                    MessageHandler(OTHER, items.photo_text),
                ],
                items.REASON: [
                    MessageHandler(TEXT, items.reason_typed),
                    MessageHandler(OTHER, text_expected),
                ],
            },
            timeout=reg.config.conversation_timeout,
        )
    )
    reg.add(CommandHandler("rectify", items.rectify_command))
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
    for action, handler in (
        ("g", groups.open_group),
        ("inv", groups.invite),
        ("as", groups.assign_page),
        ("ab", groups.toggle_branch),
        ("rmls", groups.remove_list),
        ("rm", groups.remove_ask),
        ("rmok", groups.remove_confirmed),
        ("b", overview.open_branch),
        ("il", items.branch_items),
        ("it", items.open_item),
        ("ok", items.accept),
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


async def text_expected(update: Update, context: XContext) -> object:
    """A photo or sticker where words are asked for: say so, and wait for them."""
    await reply(update, context, context.t("input.text_expected"))
    return None
