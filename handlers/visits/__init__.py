"""Home visits (家访): logging from a phone, follow-ups, term targets, privacy, terms.

Commands: /visit (log one), /visits (own list; ``branch`` for the secretary's view; the
bureau's and inspectors' counts), /visittarget N (secretary), /term (admin), /mydata.

Modules: ``flow`` (the /visit conversation), ``records`` (a member's list, details,
withdrawing, follow-ups), ``oversight`` (branch and bureau views, targets),
``term_admin``, ``mydata``; ``views`` has every screen; ``reminders`` what the reminder
engine sends; ``access`` decides who may see or change a visit.
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.visits import flow, mydata, oversight, records, reminders, term_admin
from storage import visits
from storage.members import Role

BRANCH_PEOPLE = frozenset({Role.MEMBER, Role.SECRETARY})

COMMANDS = [
    CommandSpec("visit", "cmd.visit", BRANCH_PEOPLE),
    CommandSpec("visits", "cmd.visits", frozenset(Role)),
    CommandSpec("visittarget", "cmd.visittarget", frozenset({Role.SECRETARY})),
    CommandSpec("term", "cmd.term", frozenset({Role.ADMIN})),
    CommandSpec("mydata", "cmd.mydata", frozenset(Role)),
]


def register(reg: Registrar) -> None:
    # The follow-up [Done] flow comes first: while it waits for its optional note, that
    # note must not be taken as an answer by an unfinished /visit draft.
    records.register_done_flow(reg)
    flow.register_flow(reg)
    term_admin.register_flow(reg)
    records.register(reg)
    oversight.register(reg)
    mydata.register(reg)
    reg.retention("home_visits", visits.erase_student_data)
    for kind, view in reminders.VIEWS.items():
        reg.reminder(kind, view)
    reg.digest_section(reminders.digest_behind)
