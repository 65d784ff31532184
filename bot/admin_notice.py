"""Telling the deployment's admins about the running bot (a backup failed, next year's
calendar is unknown): an outbox row each, in their language, after the quiet hours."""

from __future__ import annotations

from collections.abc import Callable

from handlers.common.i18n import Translator
from handlers.common.services import Services
from schedules.quiet import QuietHours
from storage import members, outbox, prefs


async def tell_admins(
    services: Services, *, kind: str, text: Callable[[Translator], str], dedupe: str
) -> None:
    """Queue ``text`` for each admin of ``XIANFENG_ADMIN_IDS`` and wake the dispatcher.
    ``dedupe`` (with the kind and the admin) makes a repeated notice a no-op."""
    config = services.config
    now = services.clock.now()
    not_before = QuietHours(config.quiet_start, config.quiet_end).release(now, config.zone)
    async with services.db.transaction() as tx:
        admins = [a for a in await members.admins(tx) if a.telegram_id in config.admin_ids]
        chosen = await prefs.languages(tx, (a.telegram_id for a in admins))
        for admin in admins:
            t = Translator(chosen.get(admin.telegram_id, config.default_language))
            await outbox.enqueue(
                tx,
                chat_id=admin.telegram_id,
                member_id=admin.id,
                kind=kind,
                text=text(t),
                buttons=None,
                dedupe_key=f"{kind}:{dedupe}:{admin.id}",
                not_before=not_before,
                now=now,
            )
    if services.dispatcher is not None:
        services.dispatcher.wake()
