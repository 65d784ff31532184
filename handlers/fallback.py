"""The catch-alls, added last: whatever no feature took still gets a clear answer."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.common.context import XContext
from handlers.common.flows import CANCEL_DATA
from handlers.common.i18n import load_texts
from handlers.common.registry import Registrar
from handlers.common.reply import answering, reply
from handlers.common.services import CommandSpec
from storage.members import Role

COMMANDS: list[CommandSpec] = []  # nothing of its own in /help or the menu

load_texts(__file__)


def register(reg: Registrar) -> None:
    reg.add(CallbackQueryHandler(cancel_after_flow, pattern=f"^{CANCEL_DATA}$"))
    reg.add(CallbackQueryHandler(unknown_button))
    reg.add(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
    reg.add(MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL, unknown_document))
    reg.add(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, unknown_text))


async def cancel_after_flow(update: Update, context: XContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(context.t("flow.nothing_to_cancel")[:200])


async def unknown_button(update: Update, context: XContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(context.t("refuse.stale_button"), show_alert=True)


unknown_command = answering("fallback.unknown_command")


async def unknown_document(update: Update, context: XContext) -> None:
    """A file outside any step that takes one: secretaries and admins are pointed to
    /import, where files are read."""
    member = context.member
    importer = member is not None and member.role in (Role.SECRETARY, Role.ADMIN)
    await reply(
        update, context, context.t("fallback.document_import" if importer else "fallback.document")
    )


async def unknown_text(update: Update, context: XContext) -> None:
    key = "fallback.text" if context.member is not None else "start.stranger"
    await reply(update, context, context.t(key))
