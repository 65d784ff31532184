"""Read-only gathering of what a branch's 台账 holds for a period, one branch at a time.

``branch_ledger`` reads everything one branch needs (a handful of queries) through the
reader connection, never the writer's lock; a bureau export walks the branches with
``branches`` and keeps at most one branch's rows in memory. Students' aliases and visit
notes are read only when ``private`` is asked for (secretaries and admins): an inspector's
ledger holds visit counts and dates, nothing more.

Rows are plain dataclasses rather than pydantic models: they are read-only projections
of rows the models already checked, and a bureau export reads hundreds of thousands.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from storage import links as link_store
from storage import meetings as meeting_store
from storage import objections as objection_store
from storage import points as points_store
from storage import rectification as rectification_store
from storage import safety as safety_store
from storage import terms as term_store
from storage.clock import from_iso
from storage.ledger_period import LedgerPeriod
from storage.link_rules import Family, LinkRhythms
from storage.links import FamilyCoverage, LedgerContact
from storage.meetings import MeetingFrequencies
from storage.objections import LedgerObjection
from storage.partyday import MonthStatus, PartyMonth, Rule, effective_day
from storage.rows import fetch_value
from storage.terms import Term

# 主题党日 participation a branch is held to (the school branch rules in REFERENCE.md).
PARTICIPATION_TARGET = 0.85
PARTICIPANT_ROLES = ("member", "secretary")


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class BranchRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Reading:
    """How the records are read: as of ``today``, in the deployment's ``zone``, against
    its meeting frequencies and link rhythms (``BotConfig``). The 台账, the star rating's
    auto items, the charts and the inspectors' screen all take one, so they read alike."""

    today: date
    zone: ZoneInfo
    frequencies: MeetingFrequencies = field(default_factory=MeetingFrequencies)
    rhythms: LinkRhythms = field(default_factory=LinkRhythms)


@dataclass(frozen=True, slots=True)
class Membership:
    member_id: int
    name: str
    role: str
    post: str | None
    joined: date
    left: date | None
    reachable: bool

    def present_on(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or self.left >= day)

    def overlaps(self, start: date, end: date) -> bool:
        return self.joined <= end and (self.left is None or self.left >= start)


@dataclass(frozen=True, slots=True)
class NotJoined:
    """Someone imported into the branch's roster who has not joined the bot (yet)."""

    name: str
    role: str
    imported: date


@dataclass(frozen=True, slots=True)
class PledgeEntry:
    id: int
    member: str
    period: str
    category: str
    text: str
    measures: list[str]
    target_date: date | None
    status: str
    submitted: datetime | None
    approved_by: str | None
    approved: datetime | None
    progress_count: int
    last_progress: datetime | None
    fulfilled: datetime | None
    self_assessment: str | None
    rating: str | None
    evaluation: str | None
    evaluator: str | None
    evaluated: datetime | None


@dataclass(frozen=True, slots=True)
class LeaveEntry:
    member: str
    reason_kind: str
    reason_text: str | None
    approval: str


@dataclass(frozen=True, slots=True)
class MakeupEntry:
    member: str
    on_date: date
    hours: float


@dataclass(frozen=True, slots=True)
class PartyDayEntry:
    """One month of the branch's 主题党日, as held, cancelled, still to come, or missing."""

    year: int
    month: int
    status: str  # 'held', 'not_held', 'cancelled', 'upcoming', 'none' (no rule, no date)
    day: date | None
    theme: str | None
    place: str | None
    reason: str | None
    forms: list[str]
    expected: int
    present: int
    leaves: list[LeaveEntry]
    makeups: list[MakeupEntry]
    hours: float
    photos: int
    recorder: str | None

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected and self.status == "held" else None

    @property
    def meets_target(self) -> bool:
        rate = self.rate
        return rate is not None and rate >= PARTICIPATION_TARGET


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    member: str
    on_date: date
    kind: str
    hours: float
    description: str
    party_day: date | None  # the party day it was done on, when linked
    makeup_for: str | None  # "YYYY-MM" of the month it makes up for


@dataclass(frozen=True, slots=True)
class VisitEntry:
    """A visit; ``alias`` and ``note`` are None in a ledger read without ``private``."""

    member_id: int
    member: str
    visit_date: date
    alias: str | None
    class_name: str | None
    form: str
    met: str
    topics: list[str]
    note: str | None
    follow_up_on: date | None
    follow_up_done: datetime | None
    follow_up_note: str | None


@dataclass(frozen=True, slots=True)
class TermVisits:
    """Visits in one term against its per-member target (None when none was set)."""

    term: Term
    target: int | None
    people: int
    visits: int
    at_target: int

    @property
    def required(self) -> int | None:
        return None if self.target is None else self.target * self.people

    @property
    def short(self) -> bool:
        return self.target is not None and self.at_target < self.people


@dataclass(frozen=True, slots=True)
class MeetingEntry:
    """One 三会一课 meeting as the 三会一课记录 sheet shows it (its current version)."""

    kind: str
    group: str | None  # the party group (党小组) that held a 党小组会
    on_date: date
    start_time: time | None
    end_time: time | None
    topic: str
    place: str | None
    chair: str | None
    recorder: str | None
    lecturer: str | None
    expected: int
    present: int
    absent: int
    absences: list[tuple[str, str | None]]  # (name, reason)
    observers: list[str]
    key_points: str | None
    decisions: str | None
    votes: tuple[int, int, int] | None
    quorum_met: bool | None  # None when no quorum was needed
    photos: int
    status: str
    review_note: str | None
    version: int


@dataclass(frozen=True, slots=True)
class MeetingCheck:
    """How often a meeting type was required in the period's elapsed periods, and held."""

    kind: str
    frequency: str
    required: int
    held: int


@dataclass(frozen=True, slots=True)
class SafetyEntry:
    """A safety lesson or a member's part in a drill (平安校园 sheet)."""

    member: str
    on_date: date
    what: str  # 'lesson' or 'drill'
    topic: str  # the lesson topic or the drill kind
    class_name: str | None
    students: int | None
    role: str | None
    school_drill: bool
    photo: bool


@dataclass(frozen=True, slots=True)
class RectificationEntry:
    """One 整改 item with its comment, as the 督查整改台账 sheet shows it (no student
    data is ever in a comment or an item, so every reader gets the sheet)."""

    comment_at: datetime
    group: str
    inspector: str
    comment: str
    item: str
    deadline: date
    status: str  # 'open', 'done', 'accepted'
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    photo: bool
    reopen_count: int
    reopen_reason: str | None
    accepted_by: str | None
    accepted_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status == "accepted"


@dataclass(frozen=True, slots=True)
class MonthSummary:
    year: int
    month: int
    party_day: PartyDayEntry
    pledges_submitted: int
    pledges_approved: int
    pledges_fulfilled: int
    pledges_evaluated: int
    visits: int
    service_hours: float
    past: bool  # the month has begun, so what it lacks counts as short

    @property
    def party_day_short(self) -> bool:
        if not self.past or self.party_day.status == "upcoming":
            return False
        return self.party_day.status != "held" or not self.party_day.meets_target


@dataclass
class BranchLedger:
    branch: BranchRef
    period: LedgerPeriod
    today: date
    private: bool
    members: list[Membership]
    pledges: list[PledgeEntry]
    party_days: list[PartyDayEntry]
    service: list[ServiceEntry]
    visits: list[VisitEntry]  # within the period
    terms: list[TermVisits]
    not_joined: list[NotJoined] = field(default_factory=list)  # imported, never joined
    months: list[MonthSummary] = field(default_factory=list)
    meetings: list[MeetingEntry] = field(default_factory=list)
    meeting_checks: list[MeetingCheck] = field(default_factory=list)
    safety: list[SafetyEntry] = field(default_factory=list)
    safety_people: int = 0  # participants counted for the term below
    safety_done: int = 0  # of them, those with both a lesson and a drill
    safety_term: Term | None = None
    rectifications: list[RectificationEntry] = field(default_factory=list)
    objections: list[LedgerObjection] = field(default_factory=list)  # 公示 objections
    points_total: float = 0.0  # 党员积分 of the participants in the period (rules in force)
    points_version: str = ""

    @property
    def rectifications_open(self) -> int:
        """Items not accepted yet (to fix, or answered and waiting for the inspectors)."""
        return sum(not entry.finished for entry in self.rectifications)

    # 三联系/双服务/结对 contacts in the period, and coverage against the link rhythms.
    link_contacts: list[LedgerContact] = field(default_factory=list)
    link_coverage: dict[Family, FamilyCoverage] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing was recorded in the period (the roster alone is not a record)."""
        return not (
            self.pledges
            or self.rectifications
            or self.objections
            or self.service
            or self.visits
            or self.meetings
            or self.safety
            or self.link_contacts
            or any(day.status in ("held", "cancelled") for day in self.party_days)
        )

    @property
    def participants(self) -> list[Membership]:
        return [m for m in self.members if m.role in PARTICIPANT_ROLES]

    @property
    def pledgers(self) -> int:
        """Participants with at least one pledge in the period that was not withdrawn."""
        names = {p.member for p in self.pledges if p.status != "withdrawn"}
        return sum(1 for m in self.participants if m.name in names)


# --------------------------------------------------------------------------- reads


async def branches(conn: aiosqlite.Connection, ids: Iterable[int] | None = None) -> list[BranchRef]:
    """Every branch by name, or only those in ``ids``."""
    found = await conn.execute_fetchall("SELECT id, name FROM branches ORDER BY name, id")
    rows = [BranchRef(int(row[0]), str(row[1])) for row in found]
    if ids is None:
        return rows
    wanted = set(ids)
    return [row for row in rows if row.id in wanted]


async def branch_ledger(
    conn: aiosqlite.Connection,
    branch: BranchRef,
    period: LedgerPeriod,
    reading: Reading,
    *,
    private: bool,
    objection_texts: bool = False,
) -> BranchLedger:
    """Everything the branch's workbook shows for ``period``, as of ``reading.today``; a
    student's alias only when ``private`` (the secretaries' and admins' copies), the words
    of 公示 objections only with ``objection_texts`` (the admins' copy)."""
    today, zone = reading.today, reading.zone
    members = await _memberships(conn, branch.id, period, zone)
    not_joined = await _not_joined(conn, branch.id, period, zone)
    names = await _names(conn, branch.id)
    terms = await _terms_overlapping(conn, period)
    pledges = await _pledges(conn, branch.id, period, zone, names)
    logs = await _service_logs(conn, branch.id, period)
    service = [_service_entry(log, names) for log in logs if period.contains(log.on_date)]
    visit_start = min([period.start, *(t.start for t in terms)])
    visit_end = max([period.end, *(t.end for t in terms)])
    all_visits = await _visits(conn, branch.id, visit_start, visit_end, names, private=private)
    party_days = await _party_days(conn, branch.id, period, members, logs, today, zone, names)
    ledger = BranchLedger(
        branch=branch,
        period=period,
        today=today,
        private=private,
        members=members,
        not_joined=not_joined,
        pledges=pledges,
        party_days=party_days,
        service=service,
        visits=[v for v in all_visits if period.contains(v.visit_date)],
        terms=[
            await _term_visits(conn, branch.id, term, members, all_visits, today) for term in terms
        ],
    )
    ledger.months = _month_summaries(ledger, zone)
    await _add_meetings(conn, ledger, reading.frequencies)
    await _add_safety(conn, ledger)
    await _add_rectifications(conn, ledger, zone)
    start, end = _moments(period, zone)
    ledger.objections = await objection_store.for_ledger(
        conn, branch.id, start, end, zone, texts=objection_texts
    )
    await _add_points(conn, ledger, zone)
    ledger.link_contacts = await link_store.ledger_contacts(
        conn, branch.id, period.start, period.end, private=private
    )
    ledger.link_coverage = await link_store.period_coverage(
        conn, branch_id=branch.id, start=period.start, end=period.end, today=today,
        rhythms=reading.rhythms, terms=await term_store.set_terms(conn),
    )  # fmt: skip
    return ledger


# --------------------------------------------------------------------------- members


async def _memberships(
    conn: aiosqlite.Connection, branch_id: int, period: LedgerPeriod, zone: ZoneInfo
) -> list[Membership]:
    """Everyone who belonged to the branch at some time in the period, secretaries first."""
    rows = await conn.execute_fetchall(
        "SELECT id, name, role, post, joined_at, left_at, unreachable_at FROM members"
        " WHERE branch_id = ? ORDER BY CASE role WHEN 'secretary' THEN 0 ELSE 1 END, name, id",
        (branch_id,),
    )
    members = [
        Membership(
            member_id=int(row[0]),
            name=str(row[1]),
            role=str(row[2]),
            post=row[3],
            joined=_local_date(row[4], zone),
            left=_local_date(row[5], zone) if row[5] else None,
            reachable=row[6] is None,
        )
        for row in rows
    ]
    return [m for m in members if m.overlaps(period.start, period.end)]


async def _not_joined(
    conn: aiosqlite.Connection, branch_id: int, period: LedgerPeriod, zone: ZoneInfo
) -> list[NotJoined]:
    """The branch's imported people still waiting to join (not withdrawn), imported by the
    period's end, in the order imported. Their phone numbers are never read."""
    rows = await conn.execute_fetchall(
        "SELECT name, role, created_at FROM expected_people"
        " WHERE branch_id = ? AND member_id IS NULL AND withdrawn_at IS NULL ORDER BY id",
        (branch_id,),
    )
    people = [NotJoined(str(row[0]), str(row[1]), _local_date(row[2], zone)) for row in rows]
    return [person for person in people if person.imported <= period.end]


# --------------------------------------------------------------------------- pledges


async def _pledges(
    conn: aiosqlite.Connection,
    branch_id: int,
    period: LedgerPeriod,
    zone: ZoneInfo,
    names: dict[int, str],
) -> list[PledgeEntry]:
    """Pledges for a year or term overlapping the period; drafts are not pledges yet."""
    first, last = str(period.start.year), str(period.end.year)
    rows = await conn.execute_fetchall(
        """
        SELECT p.id, p.member_id, p.period, p.category, p.text, p.measures, p.target_date,
               p.status, p.submitted_at, p.reviewed_by, p.published_at, p.fulfilled_at,
               p.self_assessment, p.rating, p.evaluation_comment, p.evaluated_by,
               p.evaluated_at,
               (SELECT COUNT(*) FROM pledge_updates u WHERE u.pledge_id = p.id),
               (SELECT MAX(at) FROM pledge_updates u WHERE u.pledge_id = p.id)
        FROM pledges p
        WHERE p.branch_id = ? AND p.status != 'draft'
          AND ((length(p.period) = 4 AND p.period BETWEEN ? AND ?)
               OR (length(p.period) > 4 AND substr(p.period, 1, 10) <= ?
                   AND substr(p.period, 13) >= ?))
        ORDER BY p.period, p.member_id, p.id
        """,
        (branch_id, first, last, period.end.isoformat(), period.start.isoformat()),
    )
    entries = []
    for row in rows:
        approved = _moment(row[10], zone)
        entries.append(
            PledgeEntry(
                id=int(row[0]),
                member=names.get(int(row[1]), f"#{row[1]}"),
                period=str(row[2]),
                category=str(row[3]),
                text=str(row[4]),
                measures=list(json.loads(row[5] or "[]")),
                target_date=date.fromisoformat(row[6]) if row[6] else None,
                status=str(row[7]),
                submitted=_moment(row[8], zone),
                # Who reviewed it counts as the approver only once it was published.
                approved_by=_name(names, row[9]) if approved else None,
                approved=approved,
                progress_count=int(row[17]),
                last_progress=_moment(row[18], zone),
                fulfilled=_moment(row[11], zone),
                self_assessment=row[12],
                rating=row[13],
                evaluation=row[14],
                evaluator=_name(names, row[15]),
                evaluated=_moment(row[16], zone),
            )
        )
    return entries


# --------------------------------------------------------------------------- service


# A make-up (补课) is done after the month it makes up for, so a period's months need the
# service logged up to this long after the period's end.
MAKEUP_MARGIN = timedelta(days=62)


@dataclass(frozen=True, slots=True)
class _Log:
    member_id: int
    on_date: date
    kind: str
    hours: float
    description: str
    photo: bool
    party_month_id: int | None
    makeup_month_id: int | None
    party_day: date | None
    makeup_for: str | None


async def _service_logs(
    conn: aiosqlite.Connection, branch_id: int, period: LedgerPeriod
) -> list[_Log]:
    """The branch's active service records from the period's start to past its end.

    One read through the (branch_id, on_date) index serves both the service sheet and
    each month's hours and make-ups; looking those up by month id would scan the table.
    """
    rows = await conn.execute_fetchall(
        """
        SELECT s.member_id, s.on_date, s.kind, s.hours, s.description,
               s.photo_file_id IS NOT NULL, s.party_month_id, s.makeup_month_id,
               pm.day, mm.month
        FROM service_logs s
        LEFT JOIN party_day_months pm ON pm.id = s.party_month_id
        LEFT JOIN party_day_months mm ON mm.id = s.makeup_month_id
        WHERE s.branch_id = ? AND s.status = 'active' AND s.on_date BETWEEN ? AND ?
        ORDER BY s.on_date, s.id
        """,
        (branch_id, period.start.isoformat(), (period.end + MAKEUP_MARGIN).isoformat()),
    )
    return [
        _Log(
            member_id=int(row[0]),
            on_date=date.fromisoformat(row[1]),
            kind=str(row[2]),
            hours=float(row[3]),
            description=str(row[4]),
            photo=bool(row[5]),
            party_month_id=row[6],
            makeup_month_id=row[7],
            party_day=date.fromisoformat(row[8]) if row[8] else None,
            makeup_for=row[9],
        )
        for row in rows
    ]


def _service_entry(log: _Log, names: dict[int, str]) -> ServiceEntry:
    return ServiceEntry(
        member=names.get(log.member_id, f"#{log.member_id}"),
        on_date=log.on_date,
        kind=log.kind,
        hours=log.hours,
        description=log.description,
        party_day=log.party_day,
        makeup_for=log.makeup_for,
    )


# --------------------------------------------------------------------------- visits


async def _visits(
    conn: aiosqlite.Connection,
    branch_id: int,
    start: date,
    end: date,
    names: dict[int, str],
    *,
    private: bool,
) -> list[VisitEntry]:
    # Without ``private`` the alias, class and notes are not even read.
    secret = (
        "v.student_alias, v.class_name, v.note, v.follow_up_note"
        if private
        else "NULL, NULL, NULL, NULL"
    )
    rows = await conn.execute_fetchall(
        f"""
        SELECT v.member_id, v.visit_date, v.form, v.met, v.topics, v.follow_up_on,
               v.follow_up_done_at, {secret}
        FROM home_visits v
        WHERE v.branch_id = ? AND v.withdrawn_at IS NULL AND v.visit_date BETWEEN ? AND ?
        ORDER BY v.visit_date, v.id
        """,
        (branch_id, start.isoformat(), end.isoformat()),
    )
    return [
        VisitEntry(
            member_id=int(row[0]),
            member=names.get(int(row[0]), f"#{row[0]}"),
            visit_date=date.fromisoformat(row[1]),
            form=str(row[2]),
            met=str(row[3]),
            topics=list(json.loads(row[4])),
            follow_up_on=date.fromisoformat(row[5]) if row[5] else None,
            follow_up_done=from_iso(row[6]) if row[6] else None,
            alias=row[7],
            class_name=row[8],
            note=row[9],
            follow_up_note=row[10],
        )
        for row in rows
    ]


async def _terms_overlapping(conn: aiosqlite.Connection, period: LedgerPeriod) -> list[Term]:
    stored = await term_store.set_terms(conn)
    found: dict[tuple[date, date], Term] = {}
    for year, month in period.months():
        term = term_store.pick_term(date(year, month, 1), stored)
        if term.start <= period.end and term.end >= period.start:
            found[(term.start, term.end)] = term
    return sorted(found.values(), key=lambda term: term.start)


async def _term_visits(
    conn: aiosqlite.Connection,
    branch_id: int,
    term: Term,
    members: list[Membership],
    visits: list[VisitEntry],
    today: date,
) -> TermVisits:
    target = await _target_for(conn, branch_id, term)
    people = [
        m for m in members if m.role in PARTICIPANT_ROLES and m.overlaps(term.start, term.end)
    ]
    counts = Counter(v.member_id for v in visits if term.contains(v.visit_date))
    at_target = sum(1 for m in people if counts[m.member_id] >= target) if target is not None else 0
    return TermVisits(
        term=term,
        target=target,
        people=len(people),
        visits=sum(counts[m.member_id] for m in people),
        at_target=at_target,
    )


async def _target_for(conn: aiosqlite.Connection, branch_id: int, term: Term) -> int | None:
    target = await fetch_value(
        conn,
        "SELECT target FROM visit_targets WHERE branch_id = ? AND set_on BETWEEN ? AND ?"
        " ORDER BY id DESC LIMIT 1",
        (branch_id, term.start.isoformat(), term.end.isoformat()),
    )
    return None if target is None else int(target)


# --------------------------------------------------------------------------- party day


async def _party_days(
    conn: aiosqlite.Connection,
    branch_id: int,
    period: LedgerPeriod,
    members: list[Membership],
    logs: list[_Log],
    today: date,
    zone: ZoneInfo,
    names: dict[int, str],
) -> list[PartyDayEntry]:
    rules = await _rules(conn, branch_id)
    month_keys = [f"{y:04d}-{m:02d}" for y, m in period.months()]
    found = await conn.execute_fetchall(
        "SELECT * FROM party_day_months WHERE branch_id = ? AND month BETWEEN ? AND ?",
        (branch_id, month_keys[0], month_keys[-1]),
    )
    rows = {r["month"]: PartyMonth.model_validate(dict(r)) for r in found}
    ids = [row.id for row in rows.values()]
    details = await _month_details(conn, ids, logs) if ids else _MonthDetails()
    entries = []
    for year, month in period.months():
        row = rows.get(f"{year:04d}-{month:02d}")
        rule = _rule_in_force(rules, year, month, zone)
        day = effective_day(rule, row, branch_id, year, month)
        entries.append(_party_day_entry(year, month, row, day, members, details, names, today))
    return entries


@dataclass
class _MonthDetails:
    present: Counter[int] = field(default_factory=Counter)
    photos: Counter[int] = field(default_factory=Counter)
    leaves: dict[int, list[tuple[int, str, str | None, str]]] = field(default_factory=dict)
    makeups: dict[int, list[tuple[int, date, float]]] = field(default_factory=dict)
    hours: dict[int, float] = field(default_factory=dict)
    kinds: dict[int, list[str]] = field(default_factory=dict)


async def _month_details(
    conn: aiosqlite.Connection, month_ids: list[int], logs: list[_Log]
) -> _MonthDetails:
    """Check-ins and leave for these months (two reads), and their service from ``logs``."""
    details = _MonthDetails()
    marks = ",".join("?" * len(month_ids))
    rows = await conn.execute_fetchall(
        f"SELECT month_id, photo_file_id FROM party_day_checkins WHERE month_id IN ({marks})",
        month_ids,
    )
    for month_id, photo in rows:
        details.present[month_id] += 1
        if photo:
            details.photos[month_id] += 1
    rows = await conn.execute_fetchall(
        "SELECT month_id, member_id, reason_kind, reason_text, approval FROM party_day_replies"
        f" WHERE answer = 'leave' AND month_id IN ({marks}) ORDER BY id",
        month_ids,
    )
    for month_id, member_id, kind, text, approval in rows:
        details.leaves.setdefault(month_id, []).append((member_id, kind, text, approval))
    wanted = set(month_ids)
    for log in logs:
        if log.makeup_month_id in wanted:
            details.makeups.setdefault(log.makeup_month_id, []).append(
                (log.member_id, log.on_date, log.hours)
            )
        if log.party_month_id in wanted:
            month_id = log.party_month_id
            details.hours[month_id] = details.hours.get(month_id, 0.0) + log.hours
            kinds = details.kinds.setdefault(month_id, [])
            if log.kind not in kinds:
                kinds.append(log.kind)
            if log.photo:
                details.photos[month_id] += 1
    return details


def _party_day_entry(
    year: int,
    month: int,
    row: PartyMonth | None,
    day: Any,
    members: list[Membership],
    details: _MonthDetails,
    names: dict[int, str],
    today: date,
) -> PartyDayEntry:
    month_id = row.id if row else None
    held_on = day.date if day is not None else None
    if day is None:
        status = "none"
    elif day.status is MonthStatus.CANCELLED:
        status = "cancelled"
    elif held_on is not None and held_on > today:
        status = "upcoming"
    elif month_id is not None and details.present[month_id] > 0:
        status = "held"
    else:
        status = "not_held"
    expected = (
        sum(1 for m in members if m.role in PARTICIPANT_ROLES and m.present_on(held_on))
        if held_on is not None and status in ("held", "not_held")
        else 0
    )

    def name(member_id: int) -> str:
        return names.get(member_id, f"#{member_id}")

    return PartyDayEntry(
        year=year,
        month=month,
        status=status,
        day=held_on,
        theme=day.theme if day is not None else None,
        place=day.place if day is not None else None,
        reason=day.reason if day is not None else None,
        forms=details.kinds.get(month_id, []) if month_id else [],
        expected=expected,
        present=details.present[month_id] if month_id else 0,
        leaves=[
            LeaveEntry(name(m), kind, text, approval)
            for m, kind, text, approval in details.leaves.get(month_id, [])
        ]
        if month_id
        else [],
        makeups=[
            MakeupEntry(name(m), on, hours) for m, on, hours in details.makeups.get(month_id, [])
        ]
        if month_id
        else [],
        hours=details.hours.get(month_id, 0.0) if month_id else 0.0,
        photos=details.photos[month_id] if month_id else 0,
        recorder=_name(names, row.updated_by) if row is not None else None,
    )


async def _rules(conn: aiosqlite.Connection, branch_id: int) -> list[Rule]:
    rows = await conn.execute_fetchall(
        "SELECT * FROM party_day_rules WHERE branch_id = ? ORDER BY created_at, id", (branch_id,)
    )
    return [Rule.model_validate(dict(row)) for row in rows]


def _rule_in_force(rules: list[Rule], year: int, month: int, zone: ZoneInfo) -> Rule | None:
    """The newest rule set by the month's end and not replaced before the month began."""
    first = datetime.combine(date(year, month, 1), time(0), tzinfo=zone)
    after = datetime.combine(
        date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1), time(0), tzinfo=zone
    )
    chosen = None
    for rule in rules:
        if rule.created_at < after and (rule.replaced_at is None or rule.replaced_at > first):
            chosen = rule
    return chosen


# --------------------------------------------------------------------------- summary


def _month_summaries(ledger: BranchLedger, zone: ZoneInfo) -> list[MonthSummary]:
    def month_of(moment: datetime | None) -> tuple[int, int] | None:
        return (moment.year, moment.month) if moment is not None else None

    submitted = Counter(month_of(p.submitted) for p in ledger.pledges)
    approved = Counter(month_of(p.approved) for p in ledger.pledges)
    fulfilled = Counter(month_of(p.fulfilled) for p in ledger.pledges)
    evaluated = Counter(month_of(p.evaluated) for p in ledger.pledges)
    visits = Counter((v.visit_date.year, v.visit_date.month) for v in ledger.visits)
    hours: Counter[tuple[int, int]] = Counter()
    for entry in ledger.service:
        hours[(entry.on_date.year, entry.on_date.month)] += entry.hours  # type: ignore[assignment]
    today_key = (ledger.today.year, ledger.today.month)
    return [
        MonthSummary(
            year=day.year,
            month=day.month,
            party_day=day,
            pledges_submitted=submitted[(day.year, day.month)],
            pledges_approved=approved[(day.year, day.month)],
            pledges_fulfilled=fulfilled[(day.year, day.month)],
            pledges_evaluated=evaluated[(day.year, day.month)],
            visits=visits[(day.year, day.month)],
            service_hours=float(hours[(day.year, day.month)]),
            past=(day.year, day.month) <= today_key,
        )
        for day in ledger.party_days
    ]


# --------------------------------------------------------------------------- names


async def _names(conn: aiosqlite.Connection, branch_id: int) -> dict[int, str]:
    """Everyone who can appear in the branch's records: its people, past and present, and
    the bureau's admins (who may approve, evaluate or edit a month for it)."""
    rows = await conn.execute_fetchall(
        "SELECT id, name FROM members WHERE branch_id = ? OR role = 'admin'", (branch_id,)
    )
    return {int(row[0]): str(row[1]) for row in rows}


def _name(names: dict[int, str], member_id: int | None) -> str | None:
    return None if member_id is None else names.get(int(member_id), f"#{member_id}")


# --------------------------------------------------------------------------- values


def _moment(text: str | None, zone: ZoneInfo) -> datetime | None:
    """A stored UTC moment as the deployment's local wall time (what a ledger shows)."""
    return from_iso(text).astimezone(zone) if text else None


def _local_date(text: str, zone: ZoneInfo) -> date:
    return from_iso(text).astimezone(zone).date()


# --------------------------------------------------------------------------- 三会一课, 平安校园


async def _add_meetings(
    conn: aiosqlite.Connection, ledger: BranchLedger, frequencies: MeetingFrequencies
) -> None:
    """The period's meetings (approved version, else the latest), and per type how many
    of the required periods that began by ``today`` inside the ledger period were met."""
    held = await meeting_store.for_branch(
        conn, ledger.branch.id, ledger.period.start, ledger.period.end
    )
    for meeting in held:
        if meeting.status in (
            meeting_store.MeetingStatus.ANNOUNCED,
            meeting_store.MeetingStatus.WITHDRAWN,
        ):
            continue
        record = await meeting_store.get_record(conn, meeting.id)
        assert record is not None
        people = record.attendees
        absent = [a for a in people if a.presence is meeting_store.Presence.ABSENT]
        votes = None
        if meeting.has_votes:
            votes = (meeting.votes_for or 0, meeting.votes_against or 0, meeting.votes_abstain or 0)
        ledger.meetings.append(
            MeetingEntry(
                kind=meeting.kind.value,
                group=record.group_name,
                on_date=meeting.on_date,
                start_time=meeting.start_time,
                end_time=meeting.end_time,
                topic=meeting.topic,
                place=meeting.place,
                chair=meeting.chair_name,
                recorder=meeting.recorder_name,
                lecturer=meeting.lecturer_name,
                expected=len(people),
                present=sum(a.presence is meeting_store.Presence.PRESENT for a in people),
                absent=len(absent),
                absences=[(a.name, a.absence_reason) for a in absent],
                observers=list(meeting.observers),
                key_points=meeting.key_points,
                decisions=meeting.decisions,
                votes=votes,
                quorum_met=record.quorum_met,
                photos=len(meeting.photos),
                status=meeting.status.value,
                review_note=meeting.return_note,
                version=meeting.version,
            )
        )
    recorded = [m for m in held if m.status in meeting_store.RECORDED]
    for kind in meeting_store.MeetingKind:
        frequency = frequencies.of(kind)
        spans = [
            span
            for year in range(ledger.period.start.year, ledger.period.end.year + 1)
            for span in meeting_store.periods(frequency, year)
            if ledger.period.start <= span.start
            and span.end <= ledger.period.end
            and span.start <= ledger.today
        ]
        met = sum(
            any(m.kind is kind and span.contains(m.on_date) for m in recorded) for span in spans
        )
        ledger.meeting_checks.append(MeetingCheck(kind.value, frequency.value, len(spans), met))


async def _add_safety(conn: aiosqlite.Connection, ledger: BranchLedger) -> None:
    """Lessons and drills in the period, and who did both in the term of its last day
    (or of today, when the period is still under way)."""
    names = {m.member_id: m.name for m in ledger.members}
    # Lessons and members' parts in drills in one read, as rows of one shape.
    rows = await conn.execute_fetchall(
        """
        SELECT member_id, on_date, 'lesson' AS what, topic, class_name, students, NULL,
               0, photo_file_id IS NOT NULL, id AS seq
        FROM safety_lessons
        WHERE branch_id = ? AND status = 'active' AND on_date BETWEEN ? AND ?
        UNION ALL
        SELECT p.member_id, d.on_date, 'drill', d.kind, NULL, NULL, p.role,
               d.scope = 'school', 0, d.id
        FROM safety_drills d JOIN safety_drill_participants p ON p.drill_id = d.id
        WHERE d.branch_id = ? AND d.status = 'active' AND d.on_date BETWEEN ? AND ?
        ORDER BY what DESC, on_date, seq, member_id
        """,
        (ledger.branch.id, ledger.period.start.isoformat(), ledger.period.end.isoformat()) * 2,
    )
    for row in rows:
        ledger.safety.append(
            SafetyEntry(
                member=names.get(int(row[0]), "?"),
                on_date=date.fromisoformat(str(row[1])),
                what=str(row[2]),
                topic=str(row[3]),
                class_name=None if row[4] is None else str(row[4]),
                students=None if row[5] is None else int(row[5]),
                role=row[6],
                school_drill=bool(row[7]),
                photo=bool(row[8]),
            )
        )
    ledger.safety.sort(key=lambda e: (e.on_date, e.what, e.member))
    term = await term_store.term_for(conn, min(ledger.today, ledger.period.end))
    lines = await safety_store.coverage(conn, ledger.branch.id, term)
    ledger.safety_term = term
    ledger.safety_people = len(lines)
    ledger.safety_done = sum(line.done for line in lines)


# --------------------------------------------------------------------------- 督查整改


async def _add_rectifications(
    conn: aiosqlite.Connection, ledger: BranchLedger, zone: ZoneInfo
) -> None:
    """The items of comments made in the period, and older ones still open at its start."""
    start, end = _moments(ledger.period, zone)
    for row in await rectification_store.for_ledger(conn, ledger.branch.id, start, end):
        ledger.rectifications.append(
            RectificationEntry(
                comment_at=row.comment_at.astimezone(zone),
                group=row.group_name,
                inspector=row.author_name,
                comment=row.comment_text,
                item=row.text,
                deadline=row.deadline,
                status=row.status.value,
                answer=row.answer,
                answered_by=row.answered_by_name,
                answered_at=row.answered_at.astimezone(zone) if row.answered_at else None,
                photo=row.answer_photo is not None,
                reopen_count=row.reopen_count,
                reopen_reason=row.reopen_reason,
                accepted_by=row.accepted_by_name,
                accepted_at=row.accepted_at.astimezone(zone) if row.accepted_at else None,
            )
        )


def _moments(period: LedgerPeriod, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as moments: its first day's start until the day after its last."""
    start = datetime.combine(period.start, time(0), tzinfo=zone)
    return start, datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=zone)


async def _add_points(conn: aiosqlite.Connection, ledger: BranchLedger, zone: ZoneInfo) -> None:
    """The branch's member points in the period, worked out as /points does."""
    rules = (await points_store.rules_in_force(conn)).rules
    people = await points_store.branch_points(
        conn, ledger.branch.id, ledger.period.start, ledger.period.end, rules, zone=zone
    )
    ledger.points_total = round(sum(person.total for person in people), 2)
    ledger.points_version = rules.version
