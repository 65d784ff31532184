"""The catch-alls, added last: whatever no feature took still gets a clear answer."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.common.context import XContext
from handlers.common.flows import CANCEL_DATA
from handlers.common.i18n import texts
from handlers.common.registry import Registrar
from handlers.common.reply import reply
from storage.members import Role

texts(
    {
        "fallback.unknown_command": (
            "没有这个命令。发送 /help 查看您可以使用的命令。",
            "I don't know that command. Send /help to see what you can use.",
        ),
        "fallback.document_import": (
            "收到一个文件，但现在没有在导入名单。如需导入，请先发送 /import，再发送表格文件。",
            "A file arrived, but no roster import is under way. To import one, send /import "
            "first, then the spreadsheet.",
        ),
        "fallback.document": (
            "抱歉，这里不接收文件。请使用菜单中的命令，或发送 /help 查看帮助。",
            "Sorry, files are not taken here. Please use a command from the menu, or send /help.",
        ),
        "fallback.text": (
            "抱歉，没能理解您的消息。请使用菜单中的命令，或发送 /help 查看帮助。",
            "I did not understand that. Please use a command from the menu, or send /help.",
        ),
    }
)


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


async def unknown_command(update: Update, context: XContext) -> None:
    await reply(update, context, context.t("fallback.unknown_command"))


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
