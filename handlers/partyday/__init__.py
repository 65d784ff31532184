"""Party day (党日): the branch's monthly day, replies and leave, check-in, service log, roster.

Commands: /partyday (the day; for a secretary also its rule and months), /checkin,
/service (log, make-up, year's hours, edit or withdraw; /service branch: the branch's
hours), /roster (secretary). Admins pick a branch and read its days, roster and service;
an inspector does the same for the branches assigned to their group.

All the steps that ask for input belong to one persistent conversation (``common.FLOW``);
buttons that act at once (attend, approve, remind, mark, announce) are plain handlers.
The timed announcement and reminders are sent by the reminder engine with the views in
``reminders``, registered here.
"""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.partyday import checkin, common, manage, reminders, replies, roster, service
from storage.members import Role

PEOPLE = frozenset({Role.MEMBER, Role.SECRETARY})
# The bureau (and an inspector, their group's branches) reads a branch's days, service and
# roster through the branch picker.
BROWSING = PEOPLE | {Role.ADMIN, Role.INSPECTOR}

COMMANDS = [
    CommandSpec("partyday", "cmd.partyday", BROWSING),
    CommandSpec("checkin", "cmd.checkin", PEOPLE),
    CommandSpec("service", "cmd.service", BROWSING),
    CommandSpec("roster", "cmd.roster", frozenset({Role.SECRETARY, Role.ADMIN, Role.INSPECTOR})),
]


def register(reg: Registrar) -> None:
    reg.conversation_of(
        common.FLOW,
        (manage, replies, checkin, service),
        # Check-in takes its location button away; a service record left at the
        # (optional) photo step is kept.
        on_leave={checkin.CHECKIN: checkin.left, service.PHOTO: service.left_at_photo},
    )
    reg.add(CommandHandler("partyday", manage.partyday_command))
    for module in (manage, replies, checkin, roster, service):
        for handler in module.plain_handlers():
            reg.add(handler)
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
