"""Every button press gets exactly one answer, whatever handled it, or if nothing did.

Telegram keeps a pressed button spinning until ``answerCallbackQuery``, and refuses a
second answer. Rather than trust each handler, the Application opens a ``Press`` for
each callback query; every Bot API call passes ``CallTracker`` (the rate limiter slot),
which records the answer and drops any second one. A press left unanswered at the end
of its update is answered here: quietly if the bot already said something in reply,
else with "this button is no longer valid" in the person's language.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from handlers.common.i18n import Translator, language_from_client
from handlers.common.services import Services
from schedules.budget import AnswerLimiter
from storage import prefs

logger = logging.getLogger(__name__)
ANSWER = "answerCallbackQuery"
_Result = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass
class Press:
    query_id: str
    answered: bool = False
    spoke: bool = False  # the bot sent or edited something while handling it


_current: ContextVar[Press | None] = ContextVar("current_press", default=None)


@asynccontextmanager
async def every_press_answered(
    update: object, bot: ExtBot[Any], services: Services
) -> AsyncIterator[None]:
    """Wrap the processing of one update; answers its callback query if nobody did."""
    query = update.callback_query if isinstance(update, Update) else None
    if query is None or not isinstance(update, Update):
        yield
        return
    press = Press(query.id)
    token = _current.set(press)
    try:
        yield
    finally:
        _current.reset(token)
        if not press.answered:
            await _answer_unanswered(update, bot, services, press)


class CallTracker(AnswerLimiter):
    """The answers' rate limiter, which also notes, per update, whether its press was
    answered (and drops a second answer)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        press = _current.get()
        if press is not None:
            if endpoint == ANSWER and str(data.get("callback_query_id")) == press.query_id:
                if press.answered:
                    logger.debug("a second answer to a button press was not sent")
                    return True
                press.answered = True
            elif endpoint != ANSWER:
                press.spoke = True
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


async def _answer_unanswered(
    update: Update, bot: ExtBot[Any], services: Services, press: Press
) -> None:
    user = update.effective_user
    text = None
    if not press.spoke:
        language = None
        if user is not None:
            try:
                async with services.db.read() as conn:
                    language = await prefs.get_language(conn, user.id)
            except Exception:
                logger.warning("could not read a language to answer a button", exc_info=True)
        default = services.config.default_language
        lang = language or language_from_client(user.language_code if user else None, default)
        text = Translator(lang)("refuse.stale_button")
    try:
        await bot.answer_callback_query(press.query_id, text=text, show_alert=text is not None)
    except TelegramError:
        logger.info("could not answer button press of update %s", update.update_id)
