"""The command menu Telegram shows beside the text box, in Chinese and English, by role."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from handlers.common.i18n import LANGUAGES, Translator
from handlers.common.services import CommandSpec
from storage.members import Member, Role

logger = logging.getLogger(__name__)


def menu_for(specs: Sequence[CommandSpec], role: Role | None, lang: str) -> list[BotCommand]:
    t = Translator(lang)
    return [
        BotCommand(spec.name, t(spec.description_key)[:256])
        for spec in specs
        if spec.in_menu and (not spec.roles or (role is not None and role in spec.roles))
    ]


async def register_default_menu(bot: Bot, specs: Sequence[CommandSpec]) -> None:
    """What a member sees by default: Chinese for everyone, English for English clients."""
    for lang in LANGUAGES:
        await bot.set_my_commands(
            menu_for(specs, Role.MEMBER, lang),
            scope=BotCommandScopeDefault(),
            language_code=None if lang == "zh" else lang,
        )


async def clear_menu(bot: Bot, telegram_id: int) -> None:
    """Drop a person's own menu, so they see the default one again."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError:
        logger.warning("could not clear the command menu of %s", telegram_id)


async def refresh_menu(bot: Bot, member: Member, specs: Sequence[CommandSpec], lang: str) -> None:
    """Secretaries, admins and inspectors get their own menu in their private chat."""
    try:
        if member.role is Role.MEMBER and lang == "zh":
            # The default menu is already this one; a chat-scoped copy would go stale.
            await bot.delete_my_commands(scope=BotCommandScopeChat(member.telegram_id))
        else:
            await bot.set_my_commands(
                menu_for(specs, member.role, lang), scope=BotCommandScopeChat(member.telegram_id)
            )
    except TelegramError:
        # The menu is a convenience; /help always lists the same commands.
        logger.warning("could not set the command menu for member %s", member.id)
