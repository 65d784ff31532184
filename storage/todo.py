"""Who in a branch has not yet done this period's part: a pledge for the year, a home visit,
an answer to the party day, service this month; and who of them muted that kind of reminder.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum

import aiosqlite
from pydantic import BaseModel

from storage import partyday, pledges
from storage.members import Member, participating
from storage.rows import fetch_all


class Activity(StrEnum):
    PLEDGE = "pledge"
    VISIT = "visit"
    PARTY_DAY = "partyday"
    SERVICE = "service"


# The reminder kind each nudge is sent as, so a person who muted that kind in /settings
# gets no nudge about it either (names as in ``schedules.kinds.Kind``).
NUDGE_KIND = {
    Activity.PLEDGE: "pledge.no_pledge",
    Activity.VISIT: "visit.behind_target",
    Activity.PARTY_DAY: "partyday.announce",
    Activity.SERVICE: "service.missing",
}


class Missing(BaseModel):
    """One activity's list: who has not, for which period, and whether a nudge still
    makes sense (a party day already held, or none this month, is not nudged about)."""

    activity: Activity
    period: str
    """The year ("2026") for pledges; the month ("2026-11") for the others."""
    people: list[Member]
    day: date | None = None
    """The party day's date (None: the month has none, or it was cancelled)."""
    nudgeable: bool = True


async def missing(
    conn: aiosqlite.Connection, branch_id: int, activity: Activity, today: date
) -> Missing:
    """Active members and secretaries of the branch who have not done ``activity`` yet."""
    month = f"{today.year:04d}-{today.month:02d}"
    if activity is Activity.PLEDGE:
        # The board's own list: no pledge submitted for the year or a term in it.
        people = await pledges.members_without_pledge(conn, branch_id, str(today.year))
        return Missing(activity=activity, period=str(today.year), people=people)
    if activity is Activity.PARTY_DAY:
        day = await partyday.party_day(conn, branch_id, today.year, today.month)
        if day is None or day.date is None:
            return Missing(activity=activity, period=month, people=[], nudgeable=False)
        people = await partyday.members_without_reply(conn, branch_id, today)
        return Missing(
            activity=activity, period=month, people=people, day=day.date,
            nudgeable=day.date >= today,
        )  # fmt: skip
    table, column, alive = (
        ("home_visits", "visit_date", "withdrawn_at IS NULL")
        if activity is Activity.VISIT
        else ("service_logs", "on_date", "status = 'active'")
    )
    people = await fetch_all(
        conn,
        Member,
        f"""
        SELECT m.* FROM members m
        WHERE m.branch_id = ? AND {participating("m")}
          AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.member_id = m.id AND r.{alive}
                          AND r.{column} BETWEEN ? AND ?)
        ORDER BY CASE m.role WHEN 'secretary' THEN 0 ELSE 1 END, m.name, m.id
        """,
        (branch_id, today.replace(day=1).isoformat(), today.isoformat()),
    )
    return Missing(activity=activity, period=month, people=people)


async def muted_among(conn: aiosqlite.Connection, people: list[Member], kind: str) -> set[int]:
    """The ids of ``people`` who turned ``kind`` off in /settings."""
    if not people:
        return set()
    rows = await conn.execute_fetchall(
        "SELECT member_id FROM reminder_mutes WHERE kind = ? AND muted = 1"
        " AND member_id IN (SELECT value FROM json_each(?))",
        (kind, json.dumps([person.id for person in people])),
    )
    return {int(row[0]) for row in rows}
