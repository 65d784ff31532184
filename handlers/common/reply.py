"""Answering the person acting, in the chat their update came from.

With the outbox dispatcher, the only module that calls Telegram's send and edit methods
(tests/test_delivery_rule.py holds every other one to it): anything for someone else goes
through ``handlers.common.delivery``. Here, long text is split with the buttons on the
last part, a pressed button is answered once, and an edit that would change nothing
("message is not modified": a double tap, the same page again) counts as done.
"""

from __future__ import annotations

import contextlib
import html
import io
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from handlers.common.context import XContext
from handlers.common.html import split_message

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
# Telegram shows at most this much of a button's answer.
ALERT_MAX = 200


async def reply(
    update: Update,
    context: XContext,
    text: str,
    markup: Markup | None = None,
    *,
    link_preview: bool = True,
) -> None:
    """A new message in the chat the update came from; long text in parts, the buttons
    on the last. ``link_preview=False``: no preview under a link (an invite)."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_message(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        markup_here = markup if last else None
        await context.bot.send_message(
            chat.id,
            part,
            reply_markup=markup_here,
            disable_web_page_preview=None if link_preview else True,
        )


async def say(update: Update, context: XContext, text: str, markup: Markup | None = None) -> None:
    """``reply`` after answering the pressed button, if one was pressed."""
    await ack(update)
    await reply(update, context, text, markup)


def answering(
    key: str, state: object = None
) -> Callable[[Update, XContext], Coroutine[Any, Any, object]]:
    """A step's answer to what it does not take (a photo where text is asked, text where a
    button is): the message ``key``, and the flow stays at ``state`` (None: where it is)."""

    async def answer(update: Update, context: XContext) -> object:
        await say(update, context, context.t(key))
        return state

    answer.__qualname__ = f"answering.{key}"
    return answer


async def reply_photo(
    update: Update,
    context: XContext,
    photo: str | bytes,
    caption: str | None = None,
    markup: Markup | None = None,
) -> None:
    """A photo (a Telegram file id, or a picture drawn here) in the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_photo(chat.id, photo, caption=caption, reply_markup=markup)


async def reply_document(
    update: Update,
    context: XContext,
    document: bytes,
    filename: str,
    caption: str | None = None,
) -> None:
    """A file in the chat the update came from (a person's own data, say)."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_document(
            chat.id, document=io.BytesIO(document), filename=filename, caption=caption
        )


async def reply_photos(
    update: Update, context: XContext, photos: Sequence[bytes], caption: str | None = None
) -> None:
    """Pictures as one album (2–10), the caption under the first."""
    chat = update.effective_chat
    if chat is not None:
        media = [
            InputMediaPhoto(photo, caption=caption if index == 0 else None)
            for index, photo in enumerate(photos)
        ]
        await context.bot.send_media_group(chat.id, media)


async def reply_progress(update: Update, context: XContext, text: str) -> int | None:
    """A line that will be edited as work goes on (``edit_earlier``): its message id."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = await context.bot.send_message(chat.id, text)
    return message.message_id


async def ack(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the pressed button (no-op for a typed message): a short note, or an alert
    the person must dismiss. A press too old to answer is handled all the same."""
    query = update.callback_query
    if query is None:
        return
    note = html.unescape(text)[:ALERT_MAX] if text else None
    with contextlib.suppress(BadRequest):
        await query.answer(note, show_alert=alert)


async def edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> bool:
    """Turn the pressed message into this screen. True when it shows it (already did, too);
    False when it cannot be edited (a photo, or too old): then say it anew if it matters."""
    query = update.callback_query
    if query is None or query.message is None:
        return False
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        return _not_modified(error)
    return True


async def replace(
    update: Update, context: XContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Turn the pressed message into this screen, or, where it cannot be edited, say it
    anew (a screen reached by typing, a photo message)."""
    if not await edit(update, text, markup):
        await reply(update, context, text, markup)


async def edit_earlier(
    update: Update,
    context: XContext,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Like ``edit``, for an earlier message of this chat (a request pressed a few steps
    ago); its buttons at least go when the text cannot change."""
    chat = update.effective_chat
    if chat is None:
        return False
    try:
        await context.bot.edit_message_text(
            text, chat_id=chat.id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as error:
        if _not_modified(error):
            return True
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(chat.id, message_id, reply_markup=None)
        return False
    return True


async def edit_buttons(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    """Change only the pressed message's buttons (a page turned, a choice ticked)."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    if query.message.reply_markup == markup:
        return  # an edit that changes nothing is refused as "message is not modified"
    # Gone, or too old to edit: nothing to do either way.
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=markup)


async def remove_buttons(update: Update) -> None:
    """Take the buttons off the message that was pressed, so it cannot be pressed again."""
    await edit_buttons(update, None)


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in str(error).lower()
