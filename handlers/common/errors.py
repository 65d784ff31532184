"""Domain refusals that guards raise, and the one error handler that answers them.

A refusal is a polite answer, not a fault: it is logged at INFO. Anything else is a bug:
logged with the update, and the user is told something went wrong, in their language.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Collection
from typing import Any, TypeVar

from pydantic import ValidationError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import BadCallbackData
from handlers.common.context import XContext, admit, identify
from handlers.common.registry import current_handler
from handlers.common.reply import ack, reply
from storage.problems import InputProblem

logger = logging.getLogger(__name__)


class Refusal(Exception):
    """Raised by guards; the error handler answers with the message ``key``."""

    key = "refuse.role"

    def __init__(self, key: str | None = None, **kwargs: Any) -> None:
        super().__init__(key or self.key)
        if key:
            self.key = key
        self.kwargs = kwargs


class NotRegistered(Refusal):
    key = "refuse.stranger"


class NotAllowed(Refusal):
    key = "refuse.role"


class OtherBranch(Refusal):
    key = "refuse.other_branch"


class NotFound(Refusal):
    key = "refuse.not_found"


class StaleButton(Refusal):
    key = "refuse.stale_button"


class BadButton(Refusal):
    key = "refuse.bad_button"


class PrivateOnly(Refusal):
    key = "refuse.private_only"


T = TypeVar("T")


async def refused_as(prefix: str, problem: type[InputProblem], step: Awaitable[T]) -> T:
    """Await a storage step; a ``problem`` it raises is told as the refusal
    ``<prefix>.<code>`` (e.g. ``rating.problem.not_published``)."""
    try:
        return await step
    except problem as refused:
        raise Refusal(f"{prefix}.{refused.code}", **refused.params) from None


async def told_or_refused(
    update: Update, context: XContext, prefix: str, problem: InputProblem, again: Collection[str]
) -> None:
    """A problem met saving a typed answer: one the person mends by typing again (its
    code in ``again``) is told as ``<prefix>.<code>`` and the step stays; any other is
    refused as that, like ``refused_as``."""
    if problem.code not in again:
        raise Refusal(f"{prefix}.{problem.code}", **problem.params) from None
    await reply(update, context, context.t(f"{prefix}.{problem.code}", **problem.params))


async def error_handler(update: object, context: XContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        logger.error("error outside an update: %r", error, exc_info=error)
        return
    if isinstance(error, BadCallbackData):
        error = BadButton()
    if isinstance(error, Refusal):
        logger.info(
            "refused %s for user %s",
            type(error).__name__,
            _user_id(update),
            extra={"key": error.key},
        )
        await _answer(update, context, error.key, alert=True, **error.kwargs)
        # Answered: no handler in a later group (e.g. the unknown-command catch-all after a
        # refused conversation entry point) may answer the same update a second time.
        raise ApplicationHandlerStop
    # Ids and names only: the update's text or callback data never belongs in a log.
    logger.error(
        "unhandled error in %s for %s: %s",
        current_handler.get() or "no handler",
        describe_update(update),
        _describe_error(error),
    )
    await _answer(update, context, "error.internal", alert=True)
    raise ApplicationHandlerStop


async def answer_refusal(update: Update, context: XContext, refusal: Refusal) -> None:
    """Answer a refusal the way the error handler does, for a handler that catches one
    itself (to end its flow cleanly) instead of letting it reach the error handler."""
    await _answer(update, context, refusal.key, alert=True, **refusal.kwargs)


async def _answer(
    update: Update, context: XContext, key: str, *, alert: bool, **kwargs: Any
) -> None:
    """Say it where the person will see it: as a button alert or as a reply."""
    try:
        await identify(update, context)
    except Exception:
        # The database may be what failed; answer in the default language then.
        logger.warning("could not load the person to answer an error", exc_info=True)
    try:
        text = context.t(key, **kwargs)
        if update.callback_query is not None:
            await ack(update, text, alert=alert)
        else:
            await reply(update, context, text)
    except TelegramError:
        logger.warning("could not tell the user about an error", exc_info=True)
    except Exception:
        # The error handler must never raise: PTB would only log it again, and the
        # database may be the thing that failed.
        logger.exception("error while answering an error")


def describe_update(update: Update) -> str:
    """Update id, what kind it is, chat and user ids: no text, no callback data."""
    kind = next((name for name in _UPDATE_KINDS if getattr(update, name, None)), "other")
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update {update.update_id} ({kind}, chat {chat}, user {user})"


_UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "poll",
    "poll_answer",
)


def _describe_error(error: BaseException | None) -> str:
    """The traceback, with the value pydantic quotes in its message left out."""
    if error is None:
        return "no exception"
    lines = traceback.format_exception(error)
    if isinstance(error, ValidationError):
        fields = ", ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['type']}"
            for e in error.errors(include_input=False, include_url=False)
        )
        lines[-1] = f"{type(error).__name__}: {fields}\n"
    return "".join(lines).rstrip()


def _user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


async def identify_or_stop(update: object, context: XContext) -> None:
    """Runs before every handler (group -1): load the person (and ``admit`` them: what
    their writing changes about them), or stop this update.

    Without the person no handler can decide what is allowed, so a failure here (the
    database gone away) answers once and stops, rather than carrying on as a stranger.
    """
    if isinstance(update, Update) and (update.edited_message or update.edited_channel_post):
        # An edited message is not a new answer: taking it as one would create a second
        # branch, or join with a retyped name. Nothing here acts on edits.
        raise ApplicationHandlerStop
    try:
        await identify(update, context)
        await admit(update, context)
    except Exception:
        logger.exception("could not identify the sender of an update")
        if isinstance(update, Update):
            await _answer(update, context, "error.internal", alert=True)
        raise ApplicationHandlerStop from None
