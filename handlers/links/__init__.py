"""Links and contacts: 三联系 (a member's class, dorm and struggling student), 双服务 (the
people a cadre or a committee member serves) and 结对 (paired branches).

/links: a member's links, setting their own 三联系 (the secretary confirms), logging a
contact in a few taps (and withdrawing one logged by mistake); /links branch: the
secretary's coverage; the bureau's view for an admin, who also sets cadres' links and 结对
pairs. A reminder nudges whoever's link went
uncontacted past its rhythm; the monthly digest counts them.
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.links import flow, manage, reminders, withdraw
from storage import links
from storage.members import Role

COMMANDS = [
    CommandSpec("links", "cmd.links", frozenset({Role.MEMBER, Role.SECRETARY, Role.ADMIN})),
]


def register(reg: Registrar) -> None:
    reg.conversation_of(flow.FLOW, [flow])
    for handler in manage.handlers():
        reg.add(handler)
    reg.add(*withdraw.handlers())
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
    reg.digest_section(reminders.digest_section(reg.config.link_rhythms))
    reg.retention("links", links.erase_student_data)
