"""Webhook mode: PTB's webhook server behind the bureau's reverse proxy, instead of polling.

Requests without Telegram's secret token are refused (403) by PTB; this module makes
the log say so at most once a minute, however many arrive.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram.ext import Updater

from bot.settings import Webhook

# PTB's webhook handler logs as the Updater (telegram/ext/_utils/webhookhandler.py).
PTB_WEBHOOK_LOGGER = "telegram.ext.Updater"
REFUSAL_LOG_INTERVAL = 60.0
# The start of what PTB logs (at DEBUG) for each request it refuses with 403.
_REFUSALS = ("Request did not include the secret token", "Request had the wrong secret token")

log = logging.getLogger(__name__)


async def start_webhook(updater: Updater, webhook: Webhook) -> None:
    """Tell Telegram the URL and secret (setWebhook) and start listening for its posts.

    Updates Telegram holds from while the bot was down are delivered, not dropped.
    """
    install_refusal_log(logging.getLogger(PTB_WEBHOOK_LOGGER))
    await updater.start_webhook(
        listen=webhook.listen,
        port=webhook.port,
        url_path=webhook.path,
        webhook_url=webhook.url,
        secret_token=webhook.secret,
        drop_pending_updates=False,
    )
    log.info(
        "webhook: Telegram posts to %s; listening on %s:%d%s",
        webhook.url,
        webhook.listen,
        webhook.port,
        webhook.path,
    )


def install_refusal_log(logger: logging.Logger) -> RefusalLog:
    """Attach (once) the filter that turns PTB's per-request refusal lines into one
    warning a minute. PTB logs them at DEBUG, so the logger must pass DEBUG to the
    filter, which then holds back every other record below the configured level."""
    for existing in logger.filters:
        if isinstance(existing, RefusalLog):
            return existing
    refusals = RefusalLog(threshold=logger.getEffectiveLevel())
    logger.addFilter(refusals)
    logger.setLevel(logging.DEBUG)
    return refusals


class RefusalLog(logging.Filter):
    """At most one warning per ``interval`` about refused webhook requests, with how
    many were refused since the last one; the wrong token itself is never logged."""

    def __init__(
        self,
        threshold: int,
        interval: float = REFUSAL_LOG_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.threshold = threshold
        self.interval = interval
        self._monotonic = monotonic
        self._last: float | None = None
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or not record.msg.startswith(_REFUSALS):
            return record.levelno >= self.threshold
        now = self._monotonic()
        if self._last is not None and now - self._last < self.interval:
            self._held += 1
            return False
        more = f"; {self._held} more since the last such line" if self._held else ""
        self._last, self._held = now, 0
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = (
            "webhook: refused a request without Telegram's secret token (403)%s; if this"
            " repeats, something other than Telegram is posting to the webhook URL"
        )
        record.args = (more,)
        return True
