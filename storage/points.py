"""Member points (党员积分), worked out from the records by rules kept as data.

Points are never stored: ``branch_points`` reads a branch's records for a span and
prices each by the rules in force (``points.toml`` shipped here, or the newest file an
admin uploaded, ``save_rules``), so a corrected or withdrawn record corrects the points.
Each kind of record is a ``Source`` in ``SOURCES``: adding one is one entry there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from storage import audit
from storage.clock import from_iso, to_iso
from storage.tomlcheck import RuleError, load

DEFAULT_FILE = Path(__file__).with_name("points.toml")
PARTICIPANT_ROLES = ("member", "secretary")


# --------------------------------------------------------------------------- entry points


@dataclass(frozen=True, slots=True)
class PointLine:
    """One record and what it earned. ``note`` is the record's own title (a theme, a
    topic, a pledge's text), never a student's alias; ``capped`` when the monthly cap
    took some or all of it."""

    member_id: int
    source: str
    record_id: int
    on_date: date
    units: float
    points: float
    note: str | None = None
    capped: bool = False


@dataclass
class MemberPoints:
    member_id: int
    name: str
    active: bool
    lines: list[PointLine] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(line.points for line in self.lines), 2)

    def by_month(self) -> dict[tuple[int, int], list[PointLine]]:
        months: dict[tuple[int, int], list[PointLine]] = {}
        for line in self.lines:
            months.setdefault((line.on_date.year, line.on_date.month), []).append(line)
        return months

    def by_source(self) -> dict[str, float]:
        sums: dict[str, float] = defaultdict(float)
        for line in self.lines:
            sums[line.source] += line.points
        return {key: round(value, 2) for key, value in sums.items()}


async def branch_points(
    conn: aiosqlite.Connection,
    branch_id: int,
    start: date,
    end: date,
    rules: PointRules,
    *,
    zone: ZoneInfo,
    member_id: int | None = None,
) -> list[MemberPoints]:
    """Everyone of the branch (active, or with points in the span), highest total first;
    with ``member_id``, only that member's records are read (a month's cap is per member,
    so their points are the same)."""
    people = await _people(conn, branch_id)
    raw: list[Raw] = []
    span = Span(branch_id, start, end, zone, member_id)
    for name, source in SOURCES.items():
        if name in rules.rules:
            raw.extend(await source.gather(conn, span))
    lines = price(raw, rules)
    found: dict[int, MemberPoints] = {
        member_id: MemberPoints(member_id, name, active)
        for member_id, (name, active) in people.items()
    }
    for line in lines:
        if line.member_id in found:
            found[line.member_id].lines.append(line)
    kept = [p for p in found.values() if p.active or p.lines]
    return sorted(kept, key=lambda p: (-p.total, p.name, p.member_id))


async def member_points(
    conn: aiosqlite.Connection,
    member_id: int,
    start: date,
    end: date,
    rules: PointRules,
    *,
    zone: ZoneInfo,
) -> MemberPoints | None:
    """One member's points in the span with the lines behind them (None: no such member)."""
    rows = await conn.execute_fetchall(
        "SELECT branch_id, name, status FROM members WHERE id = ?", (member_id,)
    )
    row = next(iter(rows), None)
    if row is None:
        return None
    if row[0] is None:
        return MemberPoints(member_id, str(row[1]), row[2] == "active")
    found = await branch_points(
        conn, int(row[0]), start, end, rules, zone=zone, member_id=member_id
    )
    for points in found:
        if points.member_id == member_id:
            return points
    return MemberPoints(member_id, str(row[1]), row[2] == "active")


async def member_year(
    conn: aiosqlite.Connection, member_id: int, year: int, *, zone: ZoneInfo
) -> MemberPoints | None:
    """A member's points for a calendar year under the rules in force (what a nomination
    for the year's pioneers carries)."""
    rules = (await rules_in_force(conn)).rules
    return await member_points(
        conn, member_id, date(year, 1, 1), date(year, 12, 31), rules, zone=zone
    )


# --------------------------------------------------------------------------- the rules


class SourceRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: float = Field(ge=0, le=100)
    monthly_cap: float | None = Field(default=None, gt=0, le=1000)


def _known_source(name: str) -> str:
    if name not in SOURCES:
        raise RuleError("unknown_source", name=name, known=", ".join(SOURCES))
    return name


SourceName = Annotated[str, AfterValidator(_known_source)]


class PointRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1, max_length=40)
    rules: dict[SourceName, SourceRule]


@dataclass(frozen=True)
class RulesInForce:
    rules: PointRules
    text: str
    uploaded_at: datetime | None  # None: the shipped defaults
    uploaded_by: int | None


def parse_rules(text: str) -> PointRules:
    """The rules ``text`` describes, or ``storage.tomlcheck.FileProblems``."""
    return load(PointRules, text)


def default_rules() -> RulesInForce:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    return RulesInForce(parse_rules(text), text, None, None)


async def rules_in_force(conn: aiosqlite.Connection) -> RulesInForce:
    """The newest uploaded rules, or the shipped defaults when none was uploaded."""
    rows = await conn.execute_fetchall(
        "SELECT content, uploaded_at, uploaded_by FROM point_rules ORDER BY id DESC LIMIT 1"
    )
    row = next(iter(rows), None)
    if row is None:
        return default_rules()
    text = str(row[0])
    return RulesInForce(parse_rules(text), text, from_iso(row[1]), row[2])


async def save_rules(
    tx: aiosqlite.Connection, text: str, *, actor_id: int, now: datetime
) -> PointRules:
    """Put the rules in ``text`` in force (``FileProblems`` when they cannot be used)."""
    rules = parse_rules(text)
    await audit.inserted(
        tx,
        "INSERT INTO point_rules (version, content, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?)",
        (rules.version, text, actor_id, to_iso(now)),
        at=now,
        actor_id=actor_id,
        action="points.rules",
        entity="point_rules",
        version=rules.version,
    )
    return rules


# --------------------------------------------------------------------------- pricing


def price(raw: Iterable[Raw], rules: PointRules) -> list[PointLine]:
    """Each record priced by its source's rule, a month's cap applied in date order."""
    lines = []
    used: dict[tuple[int, str, int, int], float] = defaultdict(float)
    for item in sorted(raw, key=lambda r: (r.member_id, r.source, r.on_date, r.record_id)):
        rule = rules.rules.get(item.source)
        if rule is None:
            continue
        earned = round(item.units * rule.points, 2)
        capped = False
        if rule.monthly_cap is not None:
            key = (item.member_id, item.source, item.on_date.year, item.on_date.month)
            room = max(rule.monthly_cap - used[key], 0.0)
            if earned > room:
                earned, capped = round(room, 2), True
            used[key] += earned
        lines.append(
            PointLine(
                item.member_id,
                item.source,
                item.record_id,
                item.on_date,
                item.units,
                earned,
                item.note,
                capped,
            )
        )
    lines.sort(key=lambda line: (line.on_date, line.source, line.record_id))
    return lines


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class Span:
    branch_id: int
    start: date
    end: date
    zone: ZoneInfo
    member_id: int | None = None
    """One member's records only (``member_points``); None: everyone's in the branch."""

    @property
    def params(self) -> tuple[int, str, str, int | None]:
        return self.branch_id, self.start.isoformat(), self.end.isoformat(), self.member_id

    @property
    def moments(self) -> tuple[str, str]:
        """The span as stored moments: its first local midnight and the one after its end."""
        first = datetime.combine(self.start, time(), tzinfo=self.zone)
        after = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=self.zone)
        return to_iso(first), to_iso(after)

    def local(self, moment: str) -> date:
        return from_iso(moment).astimezone(self.zone).date()

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Raw:
    """A record that may earn points: whose, which source, when, how many units."""

    member_id: int
    source: str
    record_id: int
    on_date: date
    units: float = 1.0
    note: str | None = None


Gather = Callable[[aiosqlite.Connection, "Span"], Awaitable[list["Raw"]]]


@dataclass(frozen=True)
class Source:
    """A kind of record that earns points; ``unit`` is what ``points`` is per."""

    gather: Gather
    unit: str = "record"


async def _party_days(conn: aiosqlite.Connection, span: Span) -> list[Raw]:
    """Check-ins at a party day that was not cancelled (a check-in counts as attending)."""
    rows = await conn.execute_fetchall(
        "SELECT c.member_id, c.id, c.at, m.theme FROM party_day_months m"
        " JOIN party_day_checkins c ON c.month_id = m.id"
        " WHERE m.branch_id = ? AND m.month BETWEEN ? AND ? AND m.status <> 'cancelled'"
        " AND (?4 IS NULL OR c.member_id = ?4)",
        (span.branch_id, span.start.isoformat()[:7], span.end.isoformat()[:7], span.member_id),
    )
    found = [Raw(int(r[0]), "party_day", int(r[1]), span.local(str(r[2])), note=r[3]) for r in rows]
    return [raw for raw in found if span.contains(raw.on_date)]


def _dated(source: str, sql: str, unit: str = "record", *, member: str = "member_id") -> Source:
    """A source read by one query over the span's branch and days (``Span.params``), giving
    the member, the record's id and its date, then ``units`` and a ``note`` where named.
    ``member`` is the column that says whose a record is (?4: one member's only); its
    condition is added at the end, so ``sql`` ends with its WHERE clause (no ORDER BY)."""
    sql = f"{sql} AND (?4 IS NULL OR {member} = ?4)"

    async def gather(conn: aiosqlite.Connection, span: Span) -> list[Raw]:
        rows = await conn.execute_fetchall(sql, span.params)
        return [_raw(source, row) for row in rows]

    return Source(gather, unit)


def _raw(source: str, row: aiosqlite.Row) -> Raw:
    named = row.keys()
    units = float(row["units"]) if "units" in named else 1.0
    note = None if "note" not in named or row["note"] is None else str(row["note"])
    return Raw(int(row[0]), source, int(row[1]), date.fromisoformat(row[2]), units, note)


def _pledges(source: str) -> Gather:
    """Pledges fulfilled in the span (on the day they were), or evaluated 优秀 / 良好 (on
    the day of the evaluation): ``source`` says which."""
    column, where = (
        ("fulfilled_at", "status IN ('fulfilled', 'evaluated')")
        if source == "pledge_fulfilled"
        else (
            "evaluated_at",
            f"status = 'evaluated' AND rating = '{source.removeprefix('pledge_')}'",
        )
    )

    async def gather(conn: aiosqlite.Connection, span: Span) -> list[Raw]:
        # The span's local days as stored moments: only its pledges are read (by the
        # branch's index on the moment), and no date needs checking afterwards.
        rows = await conn.execute_fetchall(
            f"SELECT member_id, id, text, {column} FROM pledges WHERE branch_id = ?"
            f" AND {column} >= ? AND {column} < ? AND {where} AND (?4 IS NULL OR member_id = ?4)",
            (span.branch_id, *span.moments, span.member_id),
        )
        return [
            Raw(int(r[0]), source, int(r[1]), span.local(str(r[3])), note=_short(str(r[2])))
            for r in rows
        ]

    return gather


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Every kind of record that can earn points, by the name the rules file uses.
SOURCES: dict[str, Source] = {
    "party_day": Source(_party_days),
    "party_day_makeup": _dated(
        "party_day_makeup",
        "SELECT s.member_id, s.id, s.on_date, m.month AS note FROM service_logs s"
        " JOIN party_day_months m ON m.id = s.makeup_month_id"
        " WHERE s.branch_id = ? AND s.on_date BETWEEN ? AND ? AND s.status = 'active'",
        member="s.member_id",
    ),
    "service_hours": _dated(
        "service_hours",
        "SELECT member_id, id, on_date, hours AS units, description AS note FROM service_logs"
        " WHERE branch_id = ? AND on_date BETWEEN ? AND ? AND status = 'active'",
        unit="hour",
    ),
    # No alias, class or note: the line says only that a visit was made, and when.
    "home_visit": _dated(
        "home_visit",
        "SELECT member_id, id, visit_date FROM home_visits"
        " WHERE branch_id = ? AND visit_date BETWEEN ? AND ? AND withdrawn_at IS NULL",
    ),
    # Present at a 三会一课 meeting whose record was submitted (its current version).
    "meeting": _dated(
        "meeting",
        "SELECT a.member_id, m.id, m.on_date, m.topic AS note FROM meetings m"
        " JOIN meeting_attendance a ON a.meeting_id = m.id"
        " WHERE m.branch_id = ? AND m.on_date BETWEEN ? AND ?"
        " AND m.status IN ('submitted', 'returned', 'approved') AND a.presence = 'present'",
        member="a.member_id",
    ),
    "safety_lesson": _dated(
        "safety_lesson",
        "SELECT member_id, id, on_date, class_name AS note FROM safety_lessons"
        " WHERE branch_id = ? AND on_date BETWEEN ? AND ? AND status = 'active'",
    ),
    "safety_drill": _dated(
        "safety_drill",
        "SELECT p.member_id, d.id, d.on_date FROM safety_drills d"
        " JOIN safety_drill_participants p ON p.drill_id = d.id"
        " WHERE d.branch_id = ? AND d.on_date BETWEEN ? AND ? AND d.status = 'active'",
        member="p.member_id",
    ),
    # Contacts logged on a member's 三联系 links (class, dorm, struggling student), not
    # withdrawn; a home visit that also counts as a contact earns as a visit only.
    "link_contact": _dated(
        "link_contact",
        # A contact is dated within its link's period, so only links whose period meets
        # the span are read (?1 branch, ?2 first day, ?3 last day, ?4 member).
        "SELECT l.member_id, c.id, c.on_date FROM links l"
        " JOIN link_contacts c ON c.link_id = l.id"
        " WHERE l.branch_id = ?1 AND l.kind IN ('class', 'dorm', 'student')"
        " AND l.period_end >= ?2 AND l.start_on <= ?3"
        " AND c.on_date BETWEEN ?2 AND ?3 AND c.withdrawn_at IS NULL",
        member="l.member_id",
    ),
    "pledge_fulfilled": Source(_pledges("pledge_fulfilled")),
    "pledge_excellent": Source(_pledges("pledge_excellent")),
    "pledge_good": Source(_pledges("pledge_good")),
}


# --------------------------------------------------------------------------- people


async def _people(conn: aiosqlite.Connection, branch_id: int) -> dict[int, tuple[str, bool]]:
    rows = await conn.execute_fetchall(
        "SELECT id, name, status FROM members WHERE branch_id = ? AND role IN (?, ?)",
        (branch_id, *PARTICIPANT_ROLES),
    )
    return {int(r[0]): (str(r[1]), r[2] == "active") for r in rows}
