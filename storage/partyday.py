"""Party day (党日) records: a branch's rule, its months, replies and leave, and check-ins.

The day a month actually has (``PartyDay``) is worked out here from three sources, the
first that applies winning: a cancellation; a moved or pinned date on the month row
(pinned when the announcement was sent); the branch's current rule with the holiday shift
of ``storage.partyday_rules``.

Every change writes its audit entry in the caller's transaction. The reminder engine uses
``party_days_between`` and ``members_without_reply``; it does not need anything else here.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel

from storage import audit, members
from storage.answers import Answer
from storage.clock import to_iso
from storage.members import Member
from storage.partyday_rules import DayRule, RuleKind, next_month, plan
from storage.rows import Table, fetch_all, fetch_value, insert, required

PLACE_MAX = 60
THEME_MAX = 100
REASON_MAX = 200
LEAVE_TEXT_MAX = 200
# How many months ahead a "next party day" is looked for (a run of cancellations ends it).
LOOKAHEAD_MONTHS = 12


class MonthStatus(StrEnum):
    PLANNED = "planned"
    MOVED = "moved"
    CANCELLED = "cancelled"


class LeaveReason(StrEnum):
    TEACHING = "teaching"
    ILLNESS = "illness"
    FAMILY = "family"
    OFFICIAL = "official"
    OTHER = "other"


class Approval(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class CheckinMethod(StrEnum):
    LOCATION = "location"
    PHOTO = "photo"
    MANUAL = "manual"


class Rule(BaseModel):
    """A branch's rule as stored: which day, at what time, where."""

    id: int
    branch_id: int
    kind: RuleKind
    day: int | None = None
    nth: int | None = None
    weekday: int | None = None
    start_time: time
    place: str
    created_by: int | None = None
    created_at: datetime
    replaced_at: datetime | None = None

    @property
    def day_rule(self) -> DayRule:
        return DayRule(kind=self.kind, day=self.day, nth=self.nth, weekday=self.weekday)


def clean_line(value: str, limit: int) -> str:
    """A place, theme or reason as typed: one line, trimmed, 1 to ``limit`` characters."""
    value = " ".join(value.split())
    if not 1 <= len(value) <= limit:
        raise ValueError(f"between 1 and {limit} characters")
    return value


class PartyMonth(BaseModel):
    id: int
    branch_id: int
    month: str
    status: MonthStatus
    day: date | None = None
    start_time: time | None = None
    place: str | None = None
    theme: str | None = None
    reason: str | None = None
    announced_at: datetime | None = None
    updated_by: int | None = None
    updated_at: datetime


class PartyDay(BaseModel):
    """A branch's party day for one month, as members are to be told of it."""

    branch_id: int
    year: int
    month: int
    status: MonthStatus
    date: dt.date | None  # None when cancelled
    nominal: dt.date | None = None  # the rule's date before a holiday shift, when from the rule
    start_time: time
    place: str
    theme: str | None = None
    reason: str | None = None
    month_id: int | None = None
    announced: bool = False

    @property
    def key(self) -> str:
        """``YYYYMM``: how buttons name the month (with the branch id)."""
        return f"{self.year:04d}{self.month:02d}"

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def cancelled(self) -> bool:
        return self.status is MonthStatus.CANCELLED

    @property
    def holiday_shifted(self) -> bool:
        return self.nominal is not None and self.date is not None and self.nominal != self.date

    def starts_at(self, zone: ZoneInfo) -> datetime | None:
        """The moment it starts, in the deployment zone."""
        if self.date is None:
            return None
        return datetime.combine(self.date, self.start_time, tzinfo=zone)


class Reply(BaseModel):
    id: int
    month_id: int
    member_id: int
    answer: Answer
    reason_kind: LeaveReason | None = None
    reason_text: str | None = None
    approval: Approval | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    rev: int
    answered_at: datetime
    updated_at: datetime

    def decided(self, approve: bool) -> Approval:
        """The approval a secretary's decision leads to; only a pending leave can be decided."""
        if self.answer is not Answer.LEAVE or self.approval is not Approval.PENDING:
            raise ValueError("only a pending leave request can be approved or declined")
        return Approval.APPROVED if approve else Approval.DECLINED


class Checkin(BaseModel):
    id: int
    month_id: int
    member_id: int
    method: CheckinMethod
    latitude: float | None = None
    longitude: float | None = None
    photo_file_id: str | None = None
    marked_by: int | None = None
    at: datetime


class RosterLine(BaseModel):
    """One person on a month's roster."""

    member: Member
    reply: Reply | None = None
    checkin: Checkin | None = None
    hours: float = 0.0
    makeup_hours: float = 0.0


class NotPlannable(Exception):
    """The month has no rule and no date of its own."""


# --------------------------------------------------------------------------- month keys


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_button_month(text: str) -> tuple[int, int]:
    """``YYYYMM`` from a button into (year, month); ValueError if it is not one."""
    if len(text) != 6 or not text.isdigit():
        raise ValueError("not a YYYYMM month")
    year, month = int(text[:4]), int(text[4:])
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise ValueError("month out of range")
    return year, month


# --------------------------------------------------------------------------- rules


RULES = Table("party_day_rules", Rule)


async def current_rule(conn: aiosqlite.Connection, branch_id: int) -> Rule | None:
    return await RULES.first(conn, "WHERE branch_id = ? AND replaced_at IS NULL", (branch_id,))


async def set_rule(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    rule: DayRule,
    start_time: time,
    place: str,
    actor_id: int,
    now: datetime,
) -> Rule:
    """Make ``rule`` the branch's rule; the one it replaces keeps its row."""
    place = clean_line(place, PLACE_MAX)
    await tx.execute(
        "UPDATE party_day_rules SET replaced_at = ? WHERE branch_id = ? AND replaced_at IS NULL",
        (to_iso(now), branch_id),
    )
    rule_id = await audit.inserted(
        tx,
        "INSERT INTO party_day_rules"
        " (branch_id, kind, day, nth, weekday, start_time, place, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            branch_id,
            rule.kind.value,
            rule.day,
            rule.nth,
            rule.weekday,
            start_time.strftime("%H:%M"),
            place,
            actor_id,
            to_iso(now),
        ),
        at=now,
        actor_id=actor_id,
        action="partyday.rule_set",
        entity="party_day_rule",
        branch_id=branch_id,
        kind=rule.kind.value,
        day=rule.day,
        nth=rule.nth,
        weekday=rule.weekday,
        start_time=start_time.strftime("%H:%M"),
        place=place,
    )
    return required(await RULES.get(tx, rule_id))


# --------------------------------------------------------------------------- months


MONTHS = Table("party_day_months", PartyMonth)


async def get_month(
    conn: aiosqlite.Connection, branch_id: int, year: int, month: int
) -> PartyMonth | None:
    return await MONTHS.first(
        conn, "WHERE branch_id = ? AND month = ?", (branch_id, month_key(year, month))
    )


async def get_month_by_id(conn: aiosqlite.Connection, month_id: int) -> PartyMonth | None:
    return await MONTHS.get(conn, month_id)


async def party_day(
    conn: aiosqlite.Connection, branch_id: int, year: int, month: int
) -> PartyDay | None:
    """The branch's day for the month, or None when it has neither rule nor own date."""
    rule = await current_rule(conn, branch_id)
    row = await get_month(conn, branch_id, year, month)
    return effective_day(rule, row, branch_id, year, month)


def effective_day(
    rule: Rule | None, row: PartyMonth | None, branch_id: int, year: int, month: int
) -> PartyDay | None:
    """Combine a rule and a month row (either may be missing) into the month's day."""
    start_time = (row.start_time if row else None) or (rule.start_time if rule else None)
    place = (row.place if row else None) or (rule.place if rule else None)
    if start_time is None or place is None:
        return None
    common = {
        "branch_id": branch_id,
        "year": year,
        "month": month,
        "start_time": start_time,
        "place": place,
        "theme": row.theme if row else None,
        "reason": row.reason if row else None,
        "month_id": row.id if row else None,
        "announced": bool(row and row.announced_at),
    }
    if row is not None and row.status is MonthStatus.CANCELLED:
        return PartyDay(status=MonthStatus.CANCELLED, date=None, **common)
    if row is not None and row.day is not None:
        nominal = None
        if row.status is MonthStatus.PLANNED and rule is not None:
            # Pinned by the announcement: still say why, if the rule's date was shifted.
            planned = plan(rule.day_rule, year, month)
            if planned.date == row.day:
                nominal = planned.nominal
        return PartyDay(status=row.status, date=row.day, nominal=nominal, **common)
    if rule is None:
        return None
    planned = plan(rule.day_rule, year, month)
    return PartyDay(
        status=MonthStatus.PLANNED, date=planned.date, nominal=planned.nominal, **common
    )


async def upcoming(
    conn: aiosqlite.Connection, branch_id: int, today: date, n: int = 3
) -> list[PartyDay]:
    """The next ``n`` months' days from today's month, cancelled ones included.

    This month counts only while its day is today or later (or it is cancelled and that
    day has not passed by the rule); past days are left out.
    """
    rule = await current_rule(conn, branch_id)
    last = (today.year, today.month)
    for _ in range(LOOKAHEAD_MONTHS):
        last = next_month(*last)
    rows = {
        row.month: row
        for row in await MONTHS.all(
            conn,
            "WHERE branch_id = ? AND month BETWEEN ? AND ?",
            (branch_id, month_key(today.year, today.month), month_key(*last)),
        )
    }
    days: list[PartyDay] = []
    year, month = today.year, today.month
    for _ in range(LOOKAHEAD_MONTHS + 1):
        row = rows.get(month_key(year, month))
        day = effective_day(rule, row, branch_id, year, month)
        if day is not None and _not_past(day, rule, today):
            days.append(day)
            if len(days) == n:
                break
        year, month = next_month(year, month)
    return days


async def ensure_month(
    tx: aiosqlite.Connection, branch_id: int, year: int, month: int, *, now: datetime
) -> PartyMonth:
    """The month's row, created (following the rule) if it does not exist yet."""
    await tx.execute(
        "INSERT OR IGNORE INTO party_day_months (branch_id, month, updated_at) VALUES (?, ?, ?)",
        (branch_id, month_key(year, month), to_iso(now)),
    )
    return required(await get_month(tx, branch_id, year, month))


async def set_theme(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    year: int,
    month: int,
    theme: str,
    actor_id: int,
    now: datetime,
) -> PartyMonth:
    theme = clean_line(theme, THEME_MAX)
    row = await ensure_month(tx, branch_id, year, month, now=now)
    await tx.execute(
        "UPDATE party_day_months SET theme = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        (theme, actor_id, to_iso(now), row.id),
    )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="partyday.theme_set",
        entity="party_day_month",
        entity_id=row.id,
        branch_id=branch_id,
        month=row.month,
        old=row.theme,
        new=theme,
    )
    return row.model_copy(update={"theme": theme})


async def change_day(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    year: int,
    month: int,
    to: date | None,
    reason: str,
    actor_id: int,
    now: datetime,
) -> PartyDay:
    """Move one month's day to ``to`` (in the same month; this also brings back a
    cancelled one), or cancel it (``to`` None), audited with the reason.

    Time and place are kept on a cancelled month so it still reads sensibly in the roster
    and ledger.
    """
    if to is not None and (to.year, to.month) != (year, month):
        raise ValueError("a month's day moves within its month")
    status = MonthStatus.CANCELLED if to is None else MonthStatus.MOVED
    reason = clean_line(reason, REASON_MAX)
    before = await party_day(tx, branch_id, year, month)
    if before is None:
        raise NotPlannable()
    row = await ensure_month(tx, branch_id, year, month, now=now)
    day = row.day if to is None else to  # a cancelled month keeps what its row had
    await tx.execute(
        "UPDATE party_day_months SET status = ?, day = ?, start_time = ?, place = ?,"
        " reason = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        (
            status.value,
            None if day is None else day.isoformat(),
            before.start_time.strftime("%H:%M"),
            before.place,
            reason,
            actor_id,
            to_iso(now),
            row.id,
        ),
    )
    old = None if before.date is None else before.date.isoformat()
    changed = {"old": old, "new": to.isoformat()} if to is not None else {"day": old}
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action=f"partyday.{status.value}",
        entity="party_day_month",
        entity_id=row.id,
        branch_id=branch_id,
        month=row.month,
        reason=reason,
        **changed,
    )
    return required(await party_day(tx, branch_id, year, month))


async def pin(
    tx: aiosqlite.Connection, day: PartyDay, *, actor_id: int | None, now: datetime
) -> PartyDay:
    """Fix the month's date, time and place as announced, and note when it was announced.

    ``actor_id`` is None when the reminder engine announces (nobody pressed anything).
    """
    await pin_month(tx, day, actor_id=actor_id, now=now)
    return required(await party_day(tx, day.branch_id, day.year, day.month))


async def pin_month(
    tx: aiosqlite.Connection, day: PartyDay, *, actor_id: int | None, now: datetime
) -> None:
    """``pin`` without reading the day back (the tick pins a hundred branches' days)."""
    if day.date is None:
        raise ValueError("a cancelled day is not announced")
    row = await ensure_month(tx, day.branch_id, day.year, day.month, now=now)
    await tx.execute(
        "UPDATE party_day_months SET day = ?, start_time = ?, place = ?, announced_at = ?,"
        " updated_at = ? WHERE id = ?",
        (
            day.date.isoformat(),
            day.start_time.strftime("%H:%M"),
            day.place,
            to_iso(now),
            to_iso(now),
            row.id,
        ),
    )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="partyday.announced",
        entity="party_day_month",
        entity_id=row.id,
        branch_id=day.branch_id,
        month=row.month,
        day=day.date.isoformat(),
    )


async def party_days_between(conn: aiosqlite.Connection, start: date, end: date) -> list[PartyDay]:
    """Every branch's party day falling in [start, end] (cancelled days left out).

    For the reminder engine: a D-3 notice looks at ``today + 3``, the morning-of reminder
    at ``today``. Ordered by date, then branch.
    """
    if end < start:
        return []
    branch_ids = [
        int(row[0])
        for row in await _rows(
            conn,
            "SELECT branch_id FROM party_day_rules WHERE replaced_at IS NULL"
            " UNION SELECT branch_id FROM party_day_months",
        )
    ]
    found: list[PartyDay] = []
    for branch_id in sorted(branch_ids):
        rule = await current_rule(conn, branch_id)
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            row = await get_month(conn, branch_id, year, month)
            day = effective_day(rule, row, branch_id, year, month)
            if day is not None and day.date is not None and start <= day.date <= end:
                found.append(day)
            year, month = next_month(year, month)
    return sorted(found, key=lambda d: (d.date or start, d.branch_id))


def _not_past(day: PartyDay, rule: Rule | None, today: date) -> bool:
    if day.date is not None:
        return day.date >= today
    # Cancelled: it counts until the day it would have been has passed.
    if day.year == today.year and day.month == today.month and rule is not None:
        return plan(rule.day_rule, day.year, day.month).date >= today
    return (day.year, day.month) > (today.year, today.month)


# --------------------------------------------------------------------------- people


# Who takes part in a branch's party day (the same people as its meetings').
participants = members.participants


async def members_without_reply(
    conn: aiosqlite.Connection, branch_id: int, day: date
) -> list[Member]:
    """Participants who have not answered the party day of ``day``'s month (a check-in
    counts as an answer: they came)."""
    return await fetch_all(
        conn,
        Member,
        f"""
        SELECT m.* FROM members m
        WHERE m.branch_id = ? AND {members.participating("m")}
          AND NOT EXISTS (
              SELECT 1 FROM party_day_replies r
              JOIN party_day_months pm ON pm.id = r.month_id
              WHERE r.member_id = m.id AND pm.branch_id = ? AND pm.month = ?
          )
          AND NOT EXISTS (
              SELECT 1 FROM party_day_checkins c
              JOIN party_day_months pm ON pm.id = c.month_id
              WHERE c.member_id = m.id AND pm.branch_id = ? AND pm.month = ?
          )
        ORDER BY CASE m.role WHEN 'secretary' THEN 0 ELSE 1 END, m.name, m.id
        """,
        (
            branch_id,
            branch_id,
            month_key(day.year, day.month),
            branch_id,
            month_key(day.year, day.month),
        ),
    )


# --------------------------------------------------------------------------- replies


_REPLIES = Table("party_day_replies", Reply)


async def get_reply(conn: aiosqlite.Connection, month_id: int, member_id: int) -> Reply | None:
    return await _REPLIES.first(conn, "WHERE month_id = ? AND member_id = ?", (month_id, member_id))


async def reply_count(conn: aiosqlite.Connection, month_id: int) -> int:
    count = await fetch_value(
        conn, "SELECT COUNT(*) FROM party_day_replies WHERE month_id = ?", (month_id,)
    )
    return int(count) if count is not None else 0


async def get_reply_by_id(conn: aiosqlite.Connection, reply_id: int) -> Reply | None:
    return await _REPLIES.get(conn, reply_id)


async def set_reply(
    tx: aiosqlite.Connection,
    *,
    month_id: int,
    member_id: int,
    answer: Answer,
    reason_kind: LeaveReason | None = None,
    reason_text: str | None = None,
    now: datetime,
) -> Reply:
    """Record or change a member's answer; a leave request starts (again) as pending."""
    if (answer is Answer.LEAVE) != (reason_kind is not None):
        raise ValueError("a leave request needs a reason, attending has none")
    if reason_text is not None:
        reason_text = clean_line(reason_text, LEAVE_TEXT_MAX)
    approval = Approval.PENDING.value if answer is Answer.LEAVE else None
    kind = reason_kind.value if reason_kind else None
    existing = await get_reply(tx, month_id, member_id)
    if existing is None:
        reply_id = await insert(
            tx,
            "INSERT INTO party_day_replies (month_id, member_id, answer, reason_kind,"
            " reason_text, approval, answered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                month_id,
                member_id,
                answer.value,
                kind,
                reason_text,
                approval,
                to_iso(now),
                to_iso(now),
            ),
        )
    else:
        reply_id = existing.id
        await tx.execute(
            "UPDATE party_day_replies SET answer = ?, reason_kind = ?, reason_text = ?,"
            " approval = ?, decided_by = NULL, decided_at = NULL, rev = rev + 1,"
            " updated_at = ? WHERE id = ?",
            (answer.value, kind, reason_text, approval, to_iso(now), reply_id),
        )
    await audit.record(
        tx,
        at=now,
        actor_id=member_id,
        action="partyday.replied",
        entity="party_day_reply",
        entity_id=reply_id,
        month_id=month_id,
        answer=answer.value,
        reason_kind=kind,
        reason_text=reason_text,
        previous=None if existing is None else existing.answer.value,
    )
    return required(await get_reply_by_id(tx, reply_id))


async def decide_leave(
    tx: aiosqlite.Connection, reply: Reply, *, approve: bool, actor_id: int, now: datetime
) -> Reply:
    approval = reply.decided(approve)
    await audit.changed(
        tx,
        "UPDATE party_day_replies SET approval = ?, decided_by = ?, decided_at = ?"
        " WHERE id = ? AND rev = ? AND approval = 'pending'",
        (approval.value, actor_id, to_iso(now), reply.id, reply.rev),
        missing=ValueError("the leave request changed meanwhile"),
        at=now,
        actor_id=actor_id,
        action="partyday.leave_approved" if approve else "partyday.leave_declined",
        entity="party_day_reply",
        entity_id=reply.id,
        month_id=reply.month_id,
        member_id=reply.member_id,
    )
    return required(await get_reply_by_id(tx, reply.id))


async def approved_leaves(
    conn: aiosqlite.Connection, member_id: int, since: date, until: date
) -> list[tuple[Reply, PartyMonth]]:
    """A member's approved leave for months whose day fell in [since, until]."""
    where = """
        FROM party_day_replies r JOIN party_day_months pm ON pm.id = r.month_id
        WHERE r.member_id = ? AND r.answer = 'leave' AND r.approval = 'approved'
          AND pm.status <> 'cancelled' AND pm.month BETWEEN ? AND ?
        """
    params = (member_id, month_key(since.year, since.month), month_key(until.year, until.month))
    # One reply per member and month (UNIQUE (month_id, member_id)): keyed by the month.
    replies = {
        reply.month_id: reply
        for reply in await fetch_all(conn, Reply, f"SELECT r.* {where}", params)
    }
    months = await fetch_all(conn, PartyMonth, f"SELECT pm.* {where} ORDER BY pm.month", params)
    return [(replies[row.id], row) for row in months if row.id in replies]


# --------------------------------------------------------------------------- check-ins


_CHECKINS = Table("party_day_checkins", Checkin)


async def get_checkin(conn: aiosqlite.Connection, month_id: int, member_id: int) -> Checkin | None:
    return await _CHECKINS.first(
        conn, "WHERE month_id = ? AND member_id = ?", (month_id, member_id)
    )


async def check_in(
    tx: aiosqlite.Connection,
    *,
    month_id: int,
    member_id: int,
    method: CheckinMethod,
    now: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    photo_file_id: str | None = None,
    marked_by: int | None = None,
) -> Checkin | None:
    """Record a check-in; None (and nothing written) if this person already checked in."""
    async with tx.execute(
        "INSERT OR IGNORE INTO party_day_checkins"
        " (month_id, member_id, method, latitude, longitude, photo_file_id, marked_by, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            month_id,
            member_id,
            method.value,
            latitude,
            longitude,
            photo_file_id,
            marked_by,
            to_iso(now),
        ),
    ) as cur:
        if cur.rowcount != 1:
            return None
        checkin_id = cur.lastrowid
    await audit.record(
        tx,
        at=now,
        actor_id=marked_by or member_id,
        action="partyday.marked" if method is CheckinMethod.MANUAL else "partyday.checked_in",
        entity="party_day_checkin",
        entity_id=checkin_id,
        month_id=month_id,
        member_id=member_id,
        method=method.value,
    )
    return await get_checkin(tx, month_id, member_id)


# --------------------------------------------------------------------------- roster


async def roster(
    conn: aiosqlite.Connection, day: PartyDay, *, joined_before: datetime | None = None
) -> list[RosterLine]:
    """Each participant with their answer, check-in, the month's hours and make-up hours.

    ``joined_before`` (the end of a past day) leaves out those who joined later and have
    nothing on record for the month: they were not expected to answer it.
    """
    people = await participants(conn, day.branch_id)
    replies: dict[int, Reply] = {}
    checkins: dict[int, Checkin] = {}
    makeup: dict[int, float] = {}
    if day.month_id is not None:
        for reply in await _REPLIES.all(conn, "WHERE month_id = ?", (day.month_id,)):
            replies[reply.member_id] = reply
        for checkin in await _CHECKINS.all(conn, "WHERE month_id = ?", (day.month_id,)):
            checkins[checkin.member_id] = checkin
        for member_id, hours in await _rows(
            conn,
            "SELECT member_id, SUM(hours) FROM service_logs"
            " WHERE makeup_month_id = ? AND status = 'active' GROUP BY member_id",
            (day.month_id,),
        ):
            makeup[int(member_id)] = float(hours)
    hours_by_member = {
        int(member_id): float(hours)
        for member_id, hours in await _rows(
            conn,
            "SELECT member_id, SUM(hours) FROM service_logs"
            " WHERE branch_id = ? AND status = 'active' AND on_date BETWEEN ? AND ?"
            " AND makeup_month_id IS NULL GROUP BY member_id",
            # A range, not LIKE 'YYYY-MM-%': the index on (branch_id, on_date) serves it.
            (day.branch_id, f"{day.month_text}-01", f"{day.month_text}-31"),
        )
    }
    lines = [
        RosterLine(
            member=person,
            reply=replies.get(person.id),
            checkin=checkins.get(person.id),
            hours=hours_by_member.get(person.id, 0.0),
            makeup_hours=makeup.get(person.id, 0.0),
        )
        for person in people
    ]
    if joined_before is None:
        return lines
    return [
        line
        for line in lines
        if line.member.joined_at < joined_before
        or line.reply is not None
        or line.checkin is not None
        or line.hours
        or line.makeup_hours
    ]


async def _rows(
    conn: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()
) -> list[tuple[Any, ...]]:
    rows = await conn.execute_fetchall(sql, params)
    return [tuple(row) for row in rows]
