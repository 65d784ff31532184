"""The party-day reminders as members read them: the announcement (or, after one by hand,
a reminder to whoever has not answered) and the morning-of reminder with [签到]."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import aiosqlite

from handlers.common.i18n import Translator
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
        # Announced by hand earlier: remind whoever has still not answered (the rule that
        # chose the recipients, read once for the branch).
        on = day.date
        assert on is not None
        silent = await due.once(
            ("partyday.silent", day.branch_id, on), lambda: _silent(due, day.branch_id, on)
        )
        if due.reminder.member_id not in silent:
            return None
        rules = await due.once(
            ("partyday.rules", day.branch_id), lambda: reminders.rules_for(due.conn, day.branch_id)
        )
        # The D-3 view says "in 3 days"; with another offset the announcement (which
        # names the date and has the same buttons) says it without a wrong number.
        if rules.announce_days == 3:
            return _said_once(due, "d3", views.d3_reminder, day, branch)
    elif not day.announced:
        # Pinned with the messages, so a later rule change cannot move a day members were
        # told about.
        due.write_with(_key(due), lambda tx: _pin(tx, day, due.now))
    return _said_once(due, "announce", views.announcement, day, branch)


async def _silent(due: DueReminder, branch_id: int, day: date) -> set[int]:
    return {m.id for m in await partyday.members_without_reply(due.conn, branch_id, day)}


def _said_once(due: DueReminder, what: str, say: Say, day: PartyDay, branch: Branch) -> Screen:
    """The same screen object for everyone of the branch reading this language: rendered,
    and converted for the outbox, once per slice instead of once per member."""
    said = ("partyday.said", what, _key(due), due.t.lang)
    screen: Screen | None = due.memo.get(said)
    if screen is None:
        screen = due.memo[said] = say(due.t, day, branch)
    return screen


async def morning(due: DueReminder) -> Screen | None:
    found = await _day_and_branch(due)
    return None if found is None else _said_once(due, "morning", views.morning_reminder, *found)


async def _pin(tx: aiosqlite.Connection, day: PartyDay, now: datetime) -> bool:
    """Pin the day as it was announced, unless it moved, was cancelled or changed its time
    or place since (then False: the announcements say what is no longer so). The engine
    is nobody: the audit entry has no actor."""
    current = await partyday.party_day(tx, day.branch_id, day.year, day.month)
    if current is None or _as_told(current) != _as_told(day):
        return False
    if not current.announced:
        await partyday.pin_month(tx, current, actor_id=None, now=now)
    return True


def _as_told(day: PartyDay) -> tuple[object, ...]:
    return (day.date, day.start_time, day.place)


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
    day = await partyday.party_day(due.conn, int(p["branch_id"]), int(p["year"]), int(p["month"]))
    if day is None:
        return None
    branch = await branches.get(due.conn, day.branch_id)
    if branch is None:
        return None
    return day, branch


Say = Callable[[Translator, PartyDay, Branch], Screen]


def _key(due: DueReminder) -> tuple[str, int, int, int]:
    p = due.reminder.payload
    return ("partyday.day", int(p["branch_id"]), int(p["year"]), int(p["month"]))


VIEWS: dict[Kind, ReminderView] = {
    Kind.PARTYDAY_ANNOUNCE: announcement,
    Kind.PARTYDAY_MORNING: morning,
}
