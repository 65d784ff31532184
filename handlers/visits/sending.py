"""Turning a message into the next screen in place (calendar months, pickers, pages).

A double tap, or the same page button pressed again, asks Telegram for an edit that
changes nothing, which it refuses ("message is not modified"): the screen already shows
what was asked for, so that refusal is not an error for the person.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest


async def edit_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
