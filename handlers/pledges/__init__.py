"""Pledges (岗位承诺): make, review, publish (公示), progress (践诺), fulfil, evaluate (评诺).

One conversation holds every typed step of the feature (making, a return note, progress,
a rating, linking the notice chat), so a person is in at most one of them at a time.
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.pledges import board, making, notice, progress, reminders, review
from handlers.pledges.access import FLOW
from storage.members import Role

MAKERS = frozenset({Role.MEMBER, Role.SECRETARY})
SECRETARY = frozenset({Role.SECRETARY})

COMMANDS = [
    CommandSpec("pledge", "cmd.pledge", MAKERS),
    CommandSpec("pledges", "cmd.pledges", MAKERS | {Role.ADMIN, Role.INSPECTOR}),
    CommandSpec("setnotice", "cmd.setnotice", SECRETARY),
]


def register(reg: Registrar) -> None:
    reg.conversation_of(
        FLOW,
        (making, review, progress, notice),
        on_leave={step: making.keep_draft_note for step in making.states()},
    )
    for part in (making, review, progress, notice, board):
        for handler in part.plain_handlers():
            reg.add(handler)
    notice.register_receipts(reg)
    reg.add(progress.photo_after_progress(reg.app))
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
