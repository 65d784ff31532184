"""The meeting and safety reminders as their recipients read them, and their lines in the
secretary's monthly digest: each re-reads its records when the tick renders them."""

from __future__ import annotations

from datetime import date, timedelta

import aiosqlite

from handlers.common.reminders import DigestSection, DueReminder, ReminderView, Screen
from handlers.meetings import views
from schedules.kinds import Kind
from storage import meetings, party_groups, safety, terms
from storage.meetings import MeetingFrequencies, MeetingKind, PeriodState
from storage.reminders import Digest


async def period_end(due: DueReminder) -> Screen | None:
    """A required meeting's period ends soon without one: unless one was added since."""
    payload = due.reminder.payload
    kind = MeetingKind(str(payload["kind"]))
    start, end = date.fromisoformat(str(payload["start"])), date.fromisoformat(str(payload["end"]))
    group_id = payload.get("group_id")
    held = await meetings.for_branch(due.conn, int(payload["branch_id"]), start, end)
    if any(m.kind is kind and (group_id is None or m.group_id == group_id) for m in held):
        return None
    t = due.t
    name = views.kind_name(t, kind)
    if group_id is not None:
        group = await party_groups.get(due.conn, int(group_id))
        if group is None:
            return None  # the group was removed meanwhile
        name = t.plain("mt.kind_of_group", kind=name, group=group.name)
    return t("mt.remind.period_end", kind=name, start=start.isoformat(), end=end.isoformat())


async def safety_missing(due: DueReminder) -> Screen | None:
    payload = due.reminder.payload
    term = due.term
    branch_id = int(payload["branch_id"])
    coverage = await due.once(
        ("safety.coverage", branch_id, term.start, term.end),
        lambda: safety.coverage(due.conn, branch_id, term),
    )
    for line in coverage:
        if line.member_id == due.reminder.member_id and not line.done:
            missing = []
            if line.missing_lesson:
                missing.append(due.t("sf.remind.lesson"))
            if line.missing_drill:
                missing.append(due.t("sf.remind.drill"))
            return due.t("sf.remind.missing", end=term.end.isoformat(), missing="、".join(missing))
    return None  # done since the reminder fell due


def digest_section(frequencies: MeetingFrequencies) -> DigestSection:
    """The month's meetings and the year's missed periods; the term's safety coverage."""

    async def section(due: DueReminder, digest: Digest) -> Screen | None:
        first = date.fromisoformat(f"{digest.month}-01")
        term = terms.pick_term(due.today, await due.set_terms())
        # Every due branch's in five queries, not five a branch.
        found = await due.for_all(
            ("meetings.digest", first),
            lambda conn, branch_ids: _digest_counts(
                conn, branch_ids, first, due.today, term, frequencies
            ),
        )
        if found is None:
            return None
        held, short, summary = found
        t = due.t
        return "\n".join(
            [
                t("mt.digest.meetings", count=held, short=short, year=first.year),
                t("sf.digest.safety", done=summary.done, members=summary.members,
                  no_lesson=summary.missing_lesson, no_drill=summary.missing_drill),
            ]
        )  # fmt: skip

    return section


async def _digest_counts(
    conn: aiosqlite.Connection,
    branch_ids: list[int],
    first: date,
    today: date,
    term: terms.Term,
    frequencies: MeetingFrequencies,
) -> dict[int, tuple[int, int, safety.CoverageSummary]]:
    """By branch: the meetings of the month starting ``first``, the periods of its year
    missed so far, and the term's safety coverage."""
    last = terms.next_month(first) - timedelta(days=1)
    held = await meetings.held_counts(conn, branch_ids, first, last)
    boards = await meetings.compliance_by_branch(
        conn, branch_ids, first.year, today=today, frequencies=frequencies
    )
    summaries = await safety.summaries(conn, branch_ids, term)
    return {
        branch_id: (
            held[branch_id],
            sum(p.state is PeriodState.SHORT for p in boards[branch_id]),
            summaries[branch_id],
        )
        for branch_id in branch_ids
    }


VIEWS: dict[Kind, ReminderView] = {
    Kind.MEETING_PERIOD_END: period_end,
    Kind.SAFETY_MISSING: safety_missing,
}
