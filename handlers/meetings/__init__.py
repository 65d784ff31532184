"""Required activities: 三会一课 branch meetings and 平安校园 safety lessons and drills.

Commands: /meeting (secretary: record a meeting held, or announce one ahead), /meetings
(the compliance board, the bureau's review queue, a member's own meetings and 党课
make-ups), /safety (lessons, drills, a school drill, /safety branch coverage).

Every step that asks for input belongs to one persistent conversation
(``common.FLOW``); messages to other people (announcements, leave, review) go through
the outbox.
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.meetings import board, common, people, record, reminders, review, safety
from storage.members import Role

COMMANDS = [
    CommandSpec("meeting", "cmd.meeting", frozenset({Role.SECRETARY})),
    CommandSpec("meetings", "cmd.meetings", frozenset(Role)),
    CommandSpec("safety", "cmd.safety", frozenset({Role.MEMBER, Role.SECRETARY})),
]


def register(reg: Registrar) -> None:
    reg.conversation_of(common.FLOW, (record, people, review, board, safety))
    reg.add(*safety.plain_handlers())
    for handler in board.SCREEN.handlers():  # the bureau's picker of branch boards
        reg.add(handler)
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
    reg.digest_section(reminders.digest_section(reg.config.meeting_frequencies))
