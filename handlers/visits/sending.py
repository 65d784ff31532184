"""Shared by the visit flows: a screen turned in place, and [Cancel] typed.

A double tap, or the same page button pressed again, asks Telegram for an edit that
changes nothing, which it refuses ("message is not modified"): the screen already shows
what was asked for, so that refusal is not an error for the person.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import MessageHandler, filters

from handlers.common.context import XContext
from handlers.common.flows import END, clear_flow

# The [Cancel] button's label typed as the answer (in either language): it cancels, as
# the button does, instead of becoming a student alias, a class or a note.
_CANCEL_WORDS = re.compile(r"^\s*(取消|cancel)\s*[。.!！]?\s*$", re.IGNORECASE)


async def edit_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def typed_cancel(flow: str) -> MessageHandler[Any, Any]:
    """A handler for the first place in each state of ``flow``: 取消 / cancel, typed."""

    async def cancel(update: Update, context: XContext) -> object:
        clear_flow(context, flow)
        chat = update.effective_chat
        assert chat is not None
        await context.bot.send_message(chat.id, context.t("flow.cancelled"))
        return END

    return MessageHandler(filters.TEXT & filters.Regex(_CANCEL_WORDS), cancel)
