"""Personal data never reaches the log: other libraries' records keep ids and names only.

python-telegram-bot logs whole updates ("Processing update …") and every request's
parameters ("Calling Bot API endpoint … with parameters …") at DEBUG: message texts,
names, callback data, a visit's student alias and note. This filter, on the one log
handler, reduces such arguments to what an operator needs (ids, method names, sizes).
Our own modules log ids only, so their records pass unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from telegram import TelegramObject, Update
from telegram.error import TelegramError

from handlers.common.errors import describe_update

# Loggers of libraries that may put message contents in a record's arguments.
LIBRARIES = ("telegram", "httpx", "httpcore", "apscheduler", "aiosqlite", "hpack")
# A method name, a URL without its query, a state name, a tuple of ids: never free text
# from a person, which arrives inside objects and dicts, never as a bare argument.
_PLAIN = re.compile(r"[A-Za-z0-9_ ,()./:=<>-]{0,120}")
# Request parameters worth keeping: ids and switches, never texts or markup.
_ID_KEYS = ("chat_id", "message_id", "user_id", "offset", "limit", "timeout", "show_alert")


class DropPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".", 1)[0] not in LIBRARIES:
            return True
        if not isinstance(record.msg, str):
            record.msg, record.args = describe(record.msg), None
        elif isinstance(record.args, Mapping):
            record.args = {key: describe(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(describe(value) for value in record.args)
        return True


def describe(value: Any) -> Any:
    """What may be logged of ``value``: itself if harmless, else its shape."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if _PLAIN.fullmatch(value) else f"<text of {len(value)} characters>"
    if isinstance(value, Update):
        return describe_update(value)
    if isinstance(value, TelegramError):
        return f"{type(value).__name__}({describe(value.message)})"
    if isinstance(value, Mapping):
        return _describe_params(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        if all(item is None or isinstance(item, bool | int | float) for item in items):
            return value
        return f"<{len(items)} items>"
    if isinstance(value, TelegramObject | BaseException):
        return f"<{type(value).__name__}>"
    return f"<{type(value).__name__}>"


def _describe_params(params: Mapping[Any, Any]) -> str:
    shown = []
    for key, value in params.items():
        number = value is None or isinstance(value, bool | int | float)
        if key in _ID_KEYS and (number or str(value).lstrip("-").isdigit()):
            shown.append(f"{key}={value}")
        else:
            shown.append(f"{key}=…")
    return "{" + ", ".join(shown) + "}"
