"""An admin replaces a file kept as data (the points rules, a school year's rubric) by
sending it in the chat: one flow for both, the file checked before anything is kept.

A button ``<prefix>:up:<what>[:<arg>]`` enters the flow; the admin sends the file as a
document; the bot answers with what is now in force, or every problem with its line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite
from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.common.callback import BadCallbackData
from handlers.common.context import XContext
from handlers.common.errors import BadButton
from handlers.common.flows import END, enter_flow, flow_data
from handlers.common.guards import parse_callback, require_admin, require_private
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import reply, say
from handlers.common.views import cancel_only
from handlers.evaluation import views
from storage.tomlcheck import FileProblems

FLOW = "evaluation_upload"
WAIT_FILE = "file"
MAX_FILE = 64 * 1024
PREFIX = "evu"


@dataclass(frozen=True)
class Upload:
    """What one kind of file asks for, and how it is kept: ``save`` raises
    ``FileProblems`` or returns the lines that say what is now in force."""

    ask: Callable[[Translator, int], str]
    save: Callable[[aiosqlite.Connection, str, int, int, datetime, Translator], Awaitable[str]]
    validate_arg: Callable[[int], bool] = lambda arg: arg == 0


UPLOADS: dict[str, Upload] = {}


def upload_kind(name: str, upload: Upload) -> None:
    UPLOADS[name] = upload


def register(reg: Registrar) -> None:
    _register_flow(reg)


def _register_flow(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[CallbackQueryHandler(ask_file, pattern=rf"^{PREFIX}:up:")],
        states={
            WAIT_FILE: [
                MessageHandler(filters.Document.ALL, received_file),
                MessageHandler(filters.ALL & ~filters.COMMAND, not_a_file),
            ]
        },
    )


async def ask_file(update: Update, context: XContext) -> str:
    require_private(update)
    require_admin(context)
    callback = parse_callback(update, PREFIX)
    try:
        what = callback.str_arg(0)
        arg = int(callback.args[1]) if len(callback.args) > 1 else 0
    except (BadCallbackData, ValueError) as exc:
        raise BadButton() from exc
    upload = UPLOADS.get(what)
    if upload is None or not upload.validate_arg(arg):
        raise BadButton()
    enter_flow(context, FLOW, what=what, arg=arg)
    markup = cancel_only(context.t)
    await say(update, context, upload.ask(context.t, arg), markup)
    return WAIT_FILE


async def received_file(update: Update, context: XContext) -> str | int:
    admin = require_admin(context)
    data = flow_data(context, FLOW)
    upload = UPLOADS.get(str(data.get("what")))
    document = update.effective_message.document if update.effective_message else None
    if upload is None or document is None:
        return await not_a_file(update, context)
    if document.file_size is not None and document.file_size > MAX_FILE:
        await reply(update, context, context.t("upload.too_big"))
        return WAIT_FILE
    content = bytes(await (await document.get_file()).download_as_bytearray())
    if len(content) > MAX_FILE:
        await reply(update, context, context.t("upload.too_big"))
        return WAIT_FILE
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        await reply(update, context, context.t("upload.not_text"))
        return WAIT_FILE
    try:
        async with context.db.transaction() as tx:
            summary = await upload.save(
                tx, text, int(data.get("arg", 0)), admin.id, context.now(), context.t
            )
    except FileProblems as exc:
        found = exc.problems
        head = context.t("upload.errors", count=len(found))
        await reply(update, context, f"{head}\n{views.problems(context.t, found)}")
        return WAIT_FILE
    await reply(update, context, summary)
    return END


async def not_a_file(update: Update, context: XContext) -> str:
    require_admin(context)
    await reply(update, context, context.t("upload.not_file"))
    return WAIT_FILE
