"""Taking back a record logged by mistake, asked the same way everywhere: [撤回 …] shows
the record with 确定撤回 / 不撤回; 确定撤回 withdraws it (kept, marked, no longer counted)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import Callback, encode, presses
from handlers.common.context import XContext
from handlers.common.guards import parse_callback, require_private
from handlers.common.i18n import Translator
from handlers.common.reply import remove_buttons, say

Record = TypeVar("Record")


@dataclass(frozen=True)
class Withdrawal(Generic[Record]):
    """One feature's withdrawing: its buttons are ``prefix:wd``, ``prefix:wdok`` and
    ``prefix:wdno``, each with the arguments that name the record.

    ``own`` reads the record the button names and refuses (a ``Refusal``) unless the
    person may withdraw it now: theirs, still counted. It runs again on 确定撤回 and on
    不撤回, so a stale or forged confirmation is refused like the first press.
    ``question`` is the text shown above the two buttons; ``withdraw`` withdraws the
    record (its own transaction and audit entry) and returns what to say; ``kept`` says
    the record stays.
    """

    prefix: str
    own: Callable[[XContext, Callback], Awaitable[Record]]
    question: Callable[[XContext, Record], Awaitable[str]]
    withdraw: Callable[[XContext, Record], Awaitable[str]]
    kept: Callable[[XContext, Record], str]

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return presses(self.prefix, wd=self._asked, wdok=self._confirmed, wdno=self._declined)

    async def _asked(self, update: Update, context: XContext) -> None:
        callback, record = await self._pressed(update, context)
        text = await self.question(context, record)
        # A new message: the list it was asked from keeps its other buttons.
        await say(update, context, text, confirm_buttons(context.t, self.prefix, *callback.args))

    async def _confirmed(self, update: Update, context: XContext) -> None:
        _, record = await self._pressed(update, context)
        done = await self.withdraw(context, record)
        await remove_buttons(update)
        await say(update, context, done)

    async def _declined(self, update: Update, context: XContext) -> None:
        _, record = await self._pressed(update, context)
        await remove_buttons(update)
        await say(update, context, self.kept(context, record))

    async def _pressed(self, update: Update, context: XContext) -> tuple[Callback, Record]:
        # What a record shows (a student's alias, a class) stays out of group chats.
        require_private(update)
        callback = parse_callback(update, self.prefix)
        return callback, await self.own(context, callback)


def confirm_buttons(t: Translator, prefix: str, *args: object) -> InlineKeyboardMarkup:
    """[确定撤回] [不撤回] for the record ``args`` name. Not the flows' [取消]: no flow is
    open here, so that button would find nothing to end."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.plain("withdraw.yes"), callback_data=encode(prefix, "wdok", *args)
                ),
                InlineKeyboardButton(
                    t.plain("withdraw.no"), callback_data=encode(prefix, "wdno", *args)
                ),
            ]
        ]
    )
