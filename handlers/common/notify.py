"""Telling someone other than the sender something right away, in their own language.

For one-off notices caused by an action (a pledge was approved, a member was removed).
Scheduled and bulk messages go through the outbox instead.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from handlers.common.context import XContext
from handlers.common.i18n import Translator
from storage import prefs

logger = logging.getLogger(__name__)


async def translator_for(context: XContext, telegram_id: int) -> Translator:
    async with context.db.read() as conn:
        lang = await prefs.get_language(conn, telegram_id)
    return Translator(lang or context.config.default_language)


async def tell(
    context: XContext,
    telegram_id: int,
    key: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    **kwargs: Any,
) -> bool:
    """Send one message; False (and a log line) if Telegram would not deliver it."""
    t = await translator_for(context, telegram_id)
    try:
        await context.bot.send_message(telegram_id, t(key, **kwargs), reply_markup=reply_markup)
    except TelegramError as exc:
        logger.warning("could not notify %s (%s): %s", telegram_id, key, exc)
        return False
    return True
