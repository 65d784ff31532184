"""The pioneers' reminder as its recipients read it: the self-nominations of a branch
still waiting for 认可 / 不认可, re-read when the tick renders it; nothing is said once
they are decided or the nomination window has moved."""

from __future__ import annotations

from datetime import date

from handlers.common.reminders import DueReminder, ReminderView, Screen
from handlers.evaluation import pioneer_views as views
from schedules.kinds import Kind
from storage import members
from storage import pioneers as store
from storage.members import Member
from storage.pioneer_rules import Phase, deciders
from storage.pioneers import Nomination, NominationStatus, Round, RoundStatus


async def waiting_endorsement(due: DueReminder) -> Screen | None:
    """The recipient's list of the branch's self-nominations they decide, with a button
    to the list where they decide them; the window's last day says so."""
    payload = due.reminder.payload
    round_id, branch_id = int(payload["round_id"]), int(payload["branch_id"])
    round_, waiting, secretaries, admins = await due.once(
        ("pioneers.waiting", round_id, branch_id), lambda: _branch(due, round_id, branch_id)
    )
    if (
        round_ is None
        or round_.status is not RoundStatus.OPEN
        or round_.phase(due.today) is not Phase.NOMINATING
    ):
        return None
    me = due.reminder.member_id
    mine = [
        n
        for n in waiting
        if me in {d.id for d in deciders(n.branch_id, n.member_id, secretaries, admins)}
    ]
    if not mine:
        return None
    last = date.fromisoformat(str(payload["day"])) == round_.nominate_until
    bureau = me in {a.id for a in admins}
    return views.endorsement_reminder(due.t, round_, mine, last=last, bureau=bureau, zone=due.zone)


async def _branch(
    due: DueReminder, round_id: int, branch_id: int
) -> tuple[Round | None, list[Nomination], list[Member], list[Member]]:
    """The round, the branch's waiting self-nominations, its secretaries and the admins:
    read once for all of the branch's recipients."""
    round_ = await store.get_round(due.conn, round_id)
    found = await store.nominations(due.conn, round_id, branch_id=branch_id)
    waiting = [n for n in found if n.status is NominationStatus.PENDING]
    return (
        round_,
        waiting,
        await members.secretaries(due.conn, branch_id),
        await members.admins(due.conn),
    )


VIEWS: dict[Kind, ReminderView] = {Kind.PIONEER_ENDORSEMENT: waiting_endorsement}
