"""Telling the deployment's admins about the running bot (a backup failed, next year's
calendar is unknown): an outbox row each, in their language, after the quiet hours."""

from __future__ import annotations

from collections.abc import Callable

from handlers.common import delivery
from handlers.common.i18n import Translator
from handlers.common.services import Services
from storage import members


async def tell_admins(
    services: Services, *, kind: str, text: Callable[[Translator], str], dedupe: str
) -> None:
    """Queue ``text`` for each admin of ``XIANFENG_ADMIN_IDS`` and wake the dispatcher.
    ``dedupe`` (with the kind and the admin) makes a repeated notice a no-op."""
    config = services.config
    async with services.db.transaction() as tx:
        admins = [a for a in await members.admins(tx) if a.telegram_id in config.admin_ids]
        await delivery.queue(
            tx, admins, kind, text, key=dedupe, config=config, now=services.clock.now()
        )
    if services.dispatcher is not None:
        services.dispatcher.wake()
