"""The pledge reminders as their recipients read them: each view re-reads its pledges when
the tick renders it and says nothing when they moved on since the reminder fell due.
A reviewer's list holds the pledges they are asked to review (``storage.pledge_rules``)."""

from __future__ import annotations

from handlers.common.reminders import DueReminder, ReminderView, Screen
from handlers.pledges import views
from schedules.kinds import Kind
from storage import members
from storage import pledges as store
from storage.pledge_rules import REVIEW_AFTER, asked_of


async def no_pledge(due: DueReminder) -> Screen | None:
    person = await members.get(due.conn, due.reminder.member_id)
    if person is None:
        return None
    period = str(due.reminder.payload["period"])
    return views.render_no_pledge_nudge(due.t, name=person.name, period=period)


async def stale_progress(due: DueReminder) -> Screen | None:
    # A branch's published pledges read once (a month's nudges go to most of its members).
    branch_id = due.reminder.branch_id
    published = await due.once(("pledges.published", branch_id), lambda: _published(due, branch_id))
    row = published.get(int(due.reminder.payload["pledge_id"]))
    if row is None:
        return None  # evaluated, withdrawn or fulfilled meanwhile
    return views.render_stale_progress(due.t, row, days=(due.now - row.since).days)


async def _published(due: DueReminder, branch_id: int | None) -> dict[int, store.PublishedText]:
    if branch_id is None:
        return {}
    return {row.id: row for row in await store.published_texts(due.conn, branch_id)}


async def waiting_review(due: DueReminder) -> Screen | None:
    branch_id = int(due.reminder.payload["branch_id"])
    waiting = await store.waiting_review(due.conn, due.now - REVIEW_AFTER)
    rows = await asked_of(
        due.conn, due.reminder.member_id, [row for row in waiting if row.branch_id == branch_id]
    )
    if not rows:
        return None
    return views.render_waiting_review(due.t, rows, zone=due.zone)


async def evaluation_due(due: DueReminder) -> Screen | None:
    branch_id = int(due.reminder.payload["branch_id"])
    ready = await store.due_for_evaluation(due.conn, due.today, branch_id)
    rows = await asked_of(due.conn, due.reminder.member_id, ready)
    if not rows:
        return None
    return views.render_evaluation_due(due.t, rows)


VIEWS: dict[Kind, ReminderView] = {
    Kind.PLEDGE_NO_PLEDGE: no_pledge,
    Kind.PLEDGE_STALE: stale_progress,
    Kind.PLEDGE_REVIEW: waiting_review,
    Kind.PLEDGE_EVALUATE: evaluation_due,
}
