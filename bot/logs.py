"""Logging set-up: one line per record (text, or JSON); the bot token and personal data
never printed."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.log_privacy import DropPersonalData


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears (httpx logs request URLs, which contain it)."""

    def __init__(self, token: str | None, others: Sequence[str] = ()) -> None:
        super().__init__()
        secret = token.split(":", 1)[-1] if token else ""
        # The secret part alone is redacted too, unless too short to be a real one (a
        # 1-character "secret" would blank out every letter of the log). ``others``: more
        # secrets, such as the webhook's (PTB logs setWebhook's parameters at DEBUG).
        self._secrets = [s for s in (token, secret if len(secret) >= 8 else None, *others) if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = self.scrub(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<token>")
        return text


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included (an InvalidToken error's
    text, for one, quotes the token)."""

    def __init__(self, fmt: str, token: str | None, others: Sequence[str] = ()) -> None:
        super().__init__(fmt)
        self._redact = RedactToken(token, others)

    def format(self, record: logging.LogRecord) -> str:
        return self._redact.scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line (for journald or a log collector), redacted the same way."""

    def __init__(self, token: str | None, others: Sequence[str] = ()) -> None:
        super().__init__()
        self._redact = RedactToken(token, others)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # The secrets are plain ASCII that JSON leaves as is, so scrubbing the encoded
        # line finds them wherever they are.
        return self._redact.scrub(json.dumps(entry, ensure_ascii=False))


def setup_logging(
    level: str, token: str | None, others: Sequence[str] = (), log_format: str = "text"
) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter(token, others)
        if log_format == "json"
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token, others)
    )
    # First: the token filter flattens a record's arguments into its message.
    handler.addFilter(DropPersonalData())
    handler.addFilter(RedactToken(token, others))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; the URL carries the token and floods the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: names, notes, student
    # aliases. Those never belong in a log, whatever the level.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.INFO)
