"""The party-day reminders as members read them: the announcement (or, after one by hand,
a reminder to whoever has not answered) and the morning-of reminder with [签到]."""

from __future__ import annotations

from handlers.common.reminders import DueReminder, ReminderView, Screen
from handlers.partyday import views
from schedules.kinds import Kind
from storage import branches, partyday, reminders
from storage.branches import Branch
from storage.partyday import PartyDay


async def announcement(due: DueReminder) -> Screen | None:
    found = await _day_and_branch(due)
    if found is None:
        return None
    day, branch = found
    if due.reminder.payload.get("variant") == "reminder":
        # Announced by hand earlier: remind whoever has still not answered.
        if day.month_id is not None and await partyday.get_reply(
            due.tx, day.month_id, due.reminder.member_id
        ):
            return None
        rules = await reminders.rules_for(due.tx, day.branch_id)
        # The D-3 view says "in 3 days"; with another offset the announcement (which
        # names the date and has the same buttons) says it without a wrong number.
        if rules.announce_days == 3:
            return views.d3_reminder(due.t, day, branch)
        return views.announcement(due.t, day, branch)
    if not day.announced:
        # Pinned, so a later rule change cannot move a day members were told about.
        # The engine is nobody: the audit entry has no actor.
        day = await partyday.pin(due.tx, day, actor_id=None, now=due.now)
        due.memo[_key(due)] = (day, branch)
    return views.announcement(due.t, day, branch)


async def morning(due: DueReminder) -> Screen | None:
    found = await _day_and_branch(due)
    if found is None:
        return None
    day, branch = found
    return views.morning_reminder(due.t, day, branch)


async def _day_and_branch(due: DueReminder) -> tuple[PartyDay, Branch] | None:
    """The day as it stands now, if it is still the one the reminder was about."""
    found = await due.once(_key(due), lambda: _read_day_and_branch(due))
    if found is None:
        return None
    day, _ = found
    if day.date is None or day.date.isoformat() != due.reminder.payload["date"]:
        return None  # cancelled or moved: the feature told people; new keys follow
    return found


async def _read_day_and_branch(due: DueReminder) -> tuple[PartyDay, Branch] | None:
    p = due.reminder.payload
    day = await partyday.party_day(due.tx, int(p["branch_id"]), int(p["year"]), int(p["month"]))
    if day is None:
        return None
    branch = await branches.get(due.tx, day.branch_id)
    if branch is None:
        return None
    return day, branch


def _key(due: DueReminder) -> tuple[str, int, int, int]:
    p = due.reminder.payload
    return ("partyday.day", int(p["branch_id"]), int(p["year"]), int(p["month"]))


VIEWS: dict[Kind, ReminderView] = {
    Kind.PARTYDAY_ANNOUNCE: announcement,
    Kind.PARTYDAY_MORNING: morning,
}
