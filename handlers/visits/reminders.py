"""The home-visit reminders as their recipients read them, and the visits' lines in the
secretary's monthly digest: each re-reads the visits when the tick renders them."""

from __future__ import annotations

from datetime import timedelta

from handlers.common.reminders import DueReminder, ReminderView, Screen
from handlers.visits import views
from schedules.due import HORIZON
from schedules.kinds import Kind
from storage import visits
from storage.reminders import Digest
from storage.terms import Term


async def follow_up(due: DueReminder) -> Screen | None:
    visit_id = int(due.reminder.payload["visit_id"])
    due_on = str(due.reminder.payload["due_on"])
    # Every follow-up the tick reminds of fell due within its horizon (``due`` reads
    # them from that day on too).
    since = due.today - HORIZON - timedelta(days=1)
    waiting = await due.once(
        ("visits.follow_ups", due.today),
        lambda: visits.follow_ups_due(due.conn, due.today, since),
    )
    for item in waiting:
        # Done, postponed (a new date, a new reminder) or withdrawn: nothing to say.
        if item.visit_id == visit_id and item.due_on.isoformat() == due_on:
            return views.follow_up_reminder(due.t, item)
    return None


async def behind_target(due: DueReminder) -> Screen | None:
    payload = due.reminder.payload
    term = due.term
    branch_id = int(payload["branch_id"])
    behind = await due.once(
        ("visits.behind", branch_id, term.start),
        lambda: visits.members_behind_target(due.conn, branch_id, term, due.today),
    )
    for progress in behind:
        if progress.member_id == due.reminder.member_id:
            return views.behind_target_reminder(due.t, progress, term)
    return None  # caught up since the reminder fell due


async def digest_behind(due: DueReminder, digest: Digest) -> Screen | None:
    """Who is below the term's visit target, by name (no student data), for the digest."""
    if digest.visits is None or digest.visits.target is None:
        return None
    term = Term(start=digest.visits.term_start, end=digest.visits.term_end)
    behind = await visits.members_behind_target(due.conn, digest.branch_id, term, due.today)
    if not behind:
        return None
    return views.branch_behind_digest(due.t, digest.branch_id, digest.branch_name, behind)


VIEWS: dict[Kind, ReminderView] = {
    Kind.VISIT_FOLLOW_UP: follow_up,
    Kind.VISIT_BEHIND: behind_target,
}
