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
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed
from handlers.common.flows import END, OTHER, photo_step, step_handlers
from handlers.common.guards import require_member, require_private
from handlers.common.registry import Registrar
from handlers.common.reply import answering
from handlers.common.services import CommandSpec
from handlers.inspection import comments, groups, items, overview, reminders
from handlers.inspection.views import FLOW, PREFIX
from storage.members import Role

COMMANDS = [
    CommandSpec("inspect", "cmd.inspect", frozenset({Role.ADMIN, Role.INSPECTOR})),
    CommandSpec("rectify", "cmd.rectify", frozenset({Role.ADMIN, Role.SECRETARY, Role.INSPECTOR})),
]


def register(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[
            CommandHandler("inspect", inspect_command),
            *presses(PREFIX, c=comments.start, ans=items.answer_start, re=items.reopen_start),
        ],
        states={
            groups.ASK_GROUP_NAME: step_handlers(
                PREFIX, groups.group_name_typed, groups.group_name_not_text
            ),
            comments.COMMENT: step_handlers(PREFIX, comments.comment_typed, text_expected),
            comments.PREVIEW: [
                *presses(PREFIX, ci=comments.add_item, cs=comments.submit),
                MessageHandler(OTHER, comments.use_buttons),
            ],
            comments.ITEM_TEXT: step_handlers(PREFIX, comments.item_text_typed, text_expected),
            comments.ITEM_DEADLINE: step_handlers(PREFIX, comments.deadline_typed, text_expected),
            items.ANSWER: step_handlers(PREFIX, items.answer_typed, text_expected),
            items.PHOTO: photo_step(PREFIX, items.save_answer, items.photo_expected, skip="np"),
            items.REASON: step_handlers(PREFIX, items.reason_typed, text_expected),
        },
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


# A photo or sticker where words are asked for: say so, and wait for them.
text_expected = answering("input.text_expected")
