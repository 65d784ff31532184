"""Shared by the visit screens: answering in the chat, and a screen turned in place.

A double tap, or the same page button pressed again, asks Telegram for an edit that
changes nothing, which it refuses ("message is not modified"): the screen already shows
what was asked for, so that refusal is not an error for the person.

Typed 取消 / cancel is left to ``handlers.common.flows``, which takes it before any step.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers.common.context import XContext


async def send(
    update: Update, context: XContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new message in the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


async def ack(update: Update) -> None:
    """Answer a pressed button (no alert), if a button was pressed."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def edit_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
