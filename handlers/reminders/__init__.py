"""Reminders: /settings (mute each kind; a secretary's branch reminder times), /notify (a
secretary's message to the branch) and the monthly digest.

The engine itself (what is due, the tick) is ``schedules.due`` and ``schedules.engine``;
each feature registers the views of its own kinds, and the composition root hands them
to the engine (``handlers.common.reminders.engine_renderers``).
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.callback import pattern
from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.reminders import digest, notify, settings, views
from schedules.kinds import Kind
from storage.members import Role

SWITCHERS = frozenset({Role.MEMBER, Role.SECRETARY, Role.ADMIN})
"""Who gets reminders, so who has switches: admins get those of what the bureau decides."""
SECRETARY = frozenset({Role.SECRETARY})

COMMANDS = [
    CommandSpec("settings", "cmd.settings", SWITCHERS),
    CommandSpec("notify", "cmd.notify", SECRETARY),
]


def register(reg: Registrar) -> None:
    notify.register_flow(reg)
    settings.register_rule_flow(reg)
    reg.add(CommandHandler("settings", settings.settings_command))
    reg.add(CallbackQueryHandler(settings.switch, pattern=r"^rem:(on|off):"))
    reg.add(CallbackQueryHandler(settings.show_rules, pattern=pattern(views.PREFIX, "rules")))
    reg.reminder(Kind.DIGEST, digest.digest_view(reg.digest_sections))
