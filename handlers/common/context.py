"""The custom CallbackContext: database, clock, settings, the current person and language.

``identify`` runs before any handler (group -1) and loads the person once per update (from
memory while members and language choices are unchanged), so handlers read
``context.member`` and ``context.t`` instead of fetching them.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, CallbackContext, ExtBot

from handlers.common.i18n import Translator, language_from_client
from handlers.common.menu import clear_menu, refresh_menu
from handlers.common.services import SERVICES_KEY, BotConfig, Services
from storage import Database, members, names, prefs
from storage.clock import Clock, local_today
from storage.ledger import Reading
from storage.members import Member, Role

logger = logging.getLogger(__name__)
_WARNED_ADMIN_IDS: set[int] = set()


class XContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._member: Member | None = None
        self._translator: Translator | None = None
        self._identified = False
        self.update_id: int | None = None
        """The update being handled: what it causes is told once (``delivery``)."""

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> XContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.update_id = update.update_id
        return context

    @property
    def services(self) -> Services:
        services = self.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def config(self) -> BotConfig:
        return self.services.config

    def now(self) -> datetime:
        return self.services.clock.now()

    def today(self) -> date:
        """Today's calendar date in the deployment's zone (not UTC's)."""
        return local_today(self.services.clock, self.services.config.zone)

    def reading(self) -> Reading:
        """The records read as of today by the deployment's settings (zone, meeting
        frequencies, link rhythms): what the 台账, the star rating and the charts take."""
        config = self.services.config
        return Reading(self.today(), config.zone, config.meeting_frequencies, config.link_rhythms)

    @property
    def member(self) -> Member | None:
        """The active person behind this update, or None for a stranger."""
        return self._member

    @property
    def t(self) -> Translator:
        if self._translator is None:
            self._translator = Translator(self.config.default_language)
        return self._translator

    def set_identity(self, member: Member | None, language: str) -> None:
        self._member = member
        self._translator = Translator(language)
        self._identified = True

    @property
    def identified(self) -> bool:
        return self._identified


async def identify(update: object, context: XContext) -> None:
    """Load the person and their language. Only reads: what an update itself changes
    about its sender is ``admit``'s, run right after it."""
    if context.identified or not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    config = context.config
    member, language = await context.services.identities.get(user.id)
    lang = language or language_from_client(user.language_code, config.default_language)
    if member is not None and member.role is Role.ADMIN and user.id not in config.admin_ids:
        # Admin rights come from ADMIN_IDS: start-up marks the others left; until it has
        # run they are strangers already.
        member = None
    if (
        member is not None
        and member.role is not Role.ADMIN
        and user.id in config.admin_ids
        and user.id not in _WARNED_ADMIN_IDS
    ):
        # One person, one role: someone in a branch stays what they are there. Said once
        # per process, not on every message they send.
        _WARNED_ADMIN_IDS.add(user.id)
        logger.warning(
            "user %s is in XIANFENG_ADMIN_IDS but is a %s of a branch; not an admin",
            user.id,
            member.role.value,
        )
    context.set_identity(member, lang)


async def admit(update: object, context: XContext) -> None:
    """What writing to the bot changes about the sender, after ``identify``: someone in
    XIANFENG_ADMIN_IDS without a row becomes an admin, and someone Telegram would not
    deliver to is reachable again (they wrote, e.g. after unblocking the bot)."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    member = context.member
    if member is None and user.id in context.config.admin_ids:
        member = await _bootstrap_admin(context, user.id, user.full_name, context.t.lang)
        context.set_identity(member, context.t.lang)
    elif member is not None and member.unreachable_at is not None:
        async with context.db.transaction() as tx:
            await members.set_unreachable(tx, user.id, None)
        context.set_identity(member.model_copy(update={"unreachable_at": None}), context.t.lang)


async def revoke_removed_admins(bot: Bot, services: Services) -> None:
    """At start-up: admins no longer in XIANFENG_ADMIN_IDS lose the role (their row is
    marked left and their command menu cleared), before anyone is asked or told as one."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        removed = [
            admin
            for admin in await members.admins(tx)
            if admin.telegram_id not in services.config.admin_ids
        ]
        for admin in removed:
            await members.mark_left(tx, admin.id, now=now, action="admin.revoked")
    for admin in removed:
        await clear_menu(bot, admin.telegram_id)


async def _bootstrap_admin(
    context: XContext, telegram_id: int, full_name: str, language: str
) -> Member:
    # Shown to members as who wrote to them: the same normal form as members' names.
    name = names.display_name(full_name or "", fallback=str(telegram_id))
    async with context.db.transaction() as tx:
        member = await members.create(
            tx,
            telegram_id=telegram_id,
            name=name,
            role=Role.ADMIN,
            branch_id=None,
            now=context.now(),
            action="admin.bootstrap",
        )
        await prefs.keep_language(tx, telegram_id, language, now=context.now())
    await refresh_menu(context.bot, member, context.services.commands, language)
    return member
