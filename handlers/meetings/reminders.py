"""The meeting and safety reminders as their recipients read them, and their lines in the
secretary's monthly digest: each re-reads its records when the tick renders them."""

from __future__ import annotations

from datetime import date, timedelta

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
        last = terms.next_month(first) - timedelta(days=1)
        held = await meetings.for_branch(due.conn, digest.branch_id, first, last)
        board = await meetings.compliance(
            due.conn, digest.branch_id, first.year, today=due.today, frequencies=frequencies
        )
        short = sum(p.state is PeriodState.SHORT for p in board)
        term = terms.pick_term(due.today, await due.set_terms())
        summary = await safety.summary(due.conn, digest.branch_id, term)
        t = due.t
        return "\n".join(
            [
                t("mt.digest.meetings", count=len(held), short=short, year=first.year),
                t("sf.digest.safety", done=summary.done, members=summary.members,
                  no_lesson=summary.missing_lesson, no_drill=summary.missing_drill),
            ]
        )  # fmt: skip

    return section


VIEWS: dict[Kind, ReminderView] = {
    Kind.MEETING_PERIOD_END: period_end,
    Kind.SAFETY_MISSING: safety_missing,
}
