"""Shared by the visit screens: a screen turned in place.

A double tap, or the same page button pressed again, asks Telegram for an edit that
changes nothing, which it refuses ("message is not modified"): the screen already shows
what was asked for, so that refusal is not an error for the person.

Typed 取消 / cancel is left to ``handlers.common.flows``, which takes it before any step.
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
