"""Reminders: /settings (mute each kind; a secretary's branch reminder times), /notify (a
secretary's message to the branch), the monthly digest, and the composition of the
features' reminder views into the engine's renderers (``engine_renderers``).

The engine itself (what is due, the tick) is ``schedules.due`` and ``schedules.engine``;
the composition root builds it with ``engine_renderers(registrar.renderers, config)`` and
runs its tick every minute.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.callback import pattern
from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.reminders import notify, settings, views
from handlers.reminders.render import engine_renderers
from storage.members import Role

PEOPLE = frozenset({Role.MEMBER, Role.SECRETARY})
SECRETARY = frozenset({Role.SECRETARY})

COMMANDS = [
    CommandSpec("settings", "cmd.settings", PEOPLE),
    CommandSpec("notify", "cmd.notify", SECRETARY),
]

__all__ = ["COMMANDS", "engine_renderers", "register"]


def register(reg: Registrar) -> None:
    reg.command_specs(COMMANDS)
    reg.flow(notify.conversation_handler(reg))
    reg.flow(settings.rule_conversation(reg))
    reg.add(CommandHandler("settings", settings.settings_command))
    reg.add(CallbackQueryHandler(settings.switch, pattern=r"^rem:(on|off):"))
    reg.add(CallbackQueryHandler(settings.show_rules, pattern=pattern(views.PREFIX, "rules")))
