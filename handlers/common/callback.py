"""The one codec for callback data: ``prefix:action:arg...``, ASCII, at most 64 bytes; and
the handlers that match its buttons.

Buttons carry what to do and which record, never who may do it: authorization is
checked against the database on every press.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

MAX_BYTES = 64  # Telegram's limit; PTB does not check it.
_PART = re.compile(r"^[A-Za-z0-9_.\-]+$")


E = TypeVar("E", bound=Enum)
ButtonHandler = Callable[[Update, Any], Coroutine[Any, Any, object]]


class BadCallbackData(ValueError):
    """Callback data that this bot could not have made."""


@dataclass(frozen=True)
class Callback:
    prefix: str
    action: str
    args: tuple[str, ...] = ()

    def int_arg(self, index: int = 0) -> int:
        try:
            value = int(self.args[index])
        except (IndexError, ValueError) as exc:
            raise BadCallbackData(f"argument {index} is not a number") from exc
        if value < 0:
            raise BadCallbackData("negative id")
        return value

    def str_arg(self, index: int = 0) -> str:
        try:
            return self.args[index]
        except IndexError as exc:
            raise BadCallbackData(f"argument {index} missing") from exc

    def date_arg(self, index: int = 0) -> date:
        """A day, as buttons carry one: ``YYYYMMDD``."""
        value = self.str_arg(index)
        try:
            return datetime.strptime(value, "%Y%m%d").date()
        except ValueError as exc:
            raise BadCallbackData(f"argument {index} is no date") from exc

    def enum_arg(self, enum: type[E], index: int = 0) -> E:
        """The member of ``enum`` (a kind, a reason, a rating) argument ``index`` names."""
        value = self.str_arg(index)
        try:
            return enum(value)
        except ValueError as exc:
            raise BadCallbackData(f"argument {index} is no {enum.__name__}") from exc


def encode(prefix: str, action: str, *args: object) -> str:
    parts = [prefix, action, *(str(arg) for arg in args)]
    for part in parts:
        if not _PART.match(part):
            raise ValueError(f"callback part {part!r} has characters outside A-Za-z0-9_.-")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback:
    if not data or len(data.encode()) > MAX_BYTES:
        raise BadCallbackData("empty or too long")
    parts = data.split(":")
    if len(parts) < 2 or not all(_PART.match(part) for part in parts):
        raise BadCallbackData(f"malformed: {data!r}")
    return Callback(parts[0], parts[1], tuple(parts[2:]))


def pattern(prefix: str, action: str | None = None) -> str:
    """A regex for ``CallbackQueryHandler(pattern=...)`` matching one prefix (and action)."""
    if action is None:
        return rf"^{re.escape(prefix)}:"
    return rf"^{re.escape(prefix)}:{re.escape(action)}(:|$)"


def presses(prefix: str, **actions: ButtonHandler) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of a feature's buttons: ``action=handler`` each, matched by
    ``pattern(prefix, action)``, in the order given."""
    return [
        CallbackQueryHandler(handler, pattern=pattern(prefix, action))
        for action, handler in actions.items()
    ]
