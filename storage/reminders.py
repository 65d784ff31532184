"""Reminder data: a branch's reminder times, per-person mutes, the engine's state, skipped
reminders, secretaries' broadcasts, and the reads the reminder engine and the monthly
digest need from the feature tables.

What is due is worked out in ``schedules.due``; this module only stores and reads. Times
of day are local times in the deployment's zone; moments are stored as UTC ISO text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel, Field, ValidationError

from storage import audit, outbox, partyday, terms, visits
from storage.clock import from_iso, to_iso
from storage.members import MEMBERS, Member, participating
from storage.rows import INSERT_CHUNK, Table, changed_one, fetch_value, insert_new, paced, required

BROADCAST_MAX = 3000
_LAST_RUN = "last_run"


# --------------------------------------------------------------------------- branch rules


class BranchRules(BaseModel):
    """When a branch's reminders go out; every field has a default a secretary may change.

    ``monthly_day`` beyond a month's length means that month's last day (the 31st is the
    30th in April and the 28th or 29th in February).
    """

    announce_days: int = Field(default=3, ge=1, le=14)
    """The party-day announcement goes out this many days before the day ..."""
    announce_time: time = time(9, 0)
    """... at this time."""
    morning_time: time = time(8, 0)
    """The reminder on the morning of the party day."""
    daily_time: time = time(9, 0)
    """Follow-ups due that day, pledges waiting for review."""
    monthly_day: int = Field(default=1, ge=1, le=31)
    monthly_time: time = time(10, 0)
    """Monthly nudges (no progress on a pledge, behind the visit target, pledges ready for
    evaluation: every pledge of a year is by its end, so in January at the latest) and the
    start-of-period pledge reminder (in January)."""
    digest_time: time = time(9, 0)
    """The secretary's monthly digest, on the 1st."""


RULE_NAMES: tuple[str, ...] = tuple(BranchRules.model_fields)


class BadRule(ValueError):
    """A rule name or value a secretary typed that cannot be used."""


def parse_rule(name: str, value: str) -> Any:
    """The typed value of one rule from text (``"09:30"``, ``"3"``); ``BadRule`` if wrong."""
    if name not in RULE_NAMES:
        raise BadRule(name)
    text = value.strip().replace("：", ":")
    try:
        checked = BranchRules.model_validate({name: text})
    except ValidationError as exc:
        raise BadRule(name) from exc
    return getattr(checked, name)


def rule_text(value: Any) -> str:
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)


async def rules_for(conn: aiosqlite.Connection, branch_id: int) -> BranchRules:
    return (await all_rules(conn, [branch_id])).get(branch_id, BranchRules())


async def all_rules(
    conn: aiosqlite.Connection, branch_ids: Iterable[int] | None = None
) -> dict[int, BranchRules]:
    """Each branch's rules (defaults where it changed nothing); every branch if no ids."""
    rows = await conn.execute_fetchall("SELECT id FROM branches ORDER BY id")
    known = [int(row[0]) for row in rows]
    wanted = known if branch_ids is None else [b for b in branch_ids if b in set(known)]
    values: dict[int, dict[str, str]] = {b: {} for b in wanted}
    rows = await conn.execute_fetchall("SELECT branch_id, name, value FROM reminder_rules")
    for branch_id, name, value in rows:
        if int(branch_id) in values and name in RULE_NAMES:
            values[int(branch_id)][str(name)] = str(value)
    # A stored value the model no longer accepts falls back to the default, not a crash.
    return {b: _rules_from(v) for b, v in values.items()}


def _rules_from(values: dict[str, str]) -> BranchRules:
    good: dict[str, str] = {}
    for name, value in values.items():
        try:
            parse_rule(name, value)
        except BadRule:
            continue
        good[name] = value
    return BranchRules.model_validate(good)


async def set_rule(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    name: str,
    value: Any,
    actor_id: int,
    now: datetime,
) -> BranchRules:
    """Store one rule (already parsed) for the branch, audited; returns the new rules."""
    text = rule_text(value)
    parse_rule(name, text)
    before = await rules_for(tx, branch_id)
    await tx.execute(
        "INSERT INTO reminder_rules (branch_id, name, value, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (branch_id, name) DO UPDATE SET"
        " value = excluded.value, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (branch_id, name, text, actor_id, to_iso(now)),
    )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="reminders.rule_set",
        entity="branch",
        entity_id=branch_id,
        rule=name,
        before=rule_text(getattr(before, name)),
        after=text,
    )
    return await rules_for(tx, branch_id)


# --------------------------------------------------------------------------- mutes


async def muted_kinds(conn: aiosqlite.Connection, member_id: int) -> set[str]:
    rows = await conn.execute_fetchall(
        "SELECT kind FROM reminder_mutes WHERE member_id = ? AND muted = 1", (member_id,)
    )
    return {str(row[0]) for row in rows}


async def all_mutes(conn: aiosqlite.Connection) -> set[tuple[int, str]]:
    """Every (member id, kind) that is muted."""
    rows = await conn.execute_fetchall("SELECT member_id, kind FROM reminder_mutes WHERE muted = 1")
    return {(int(row[0]), str(row[1])) for row in rows}


async def set_muted(
    tx: aiosqlite.Connection, *, member_id: int, kind: str, muted: bool, now: datetime
) -> None:
    """Mute or unmute a kind for a person; muting also withdraws that kind's reminders
    already queued for them and not yet sent ("a member who muted a kind gets none of it")."""
    await tx.execute(
        "INSERT INTO reminder_mutes (member_id, kind, muted, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (member_id, kind) DO UPDATE SET muted = excluded.muted,"
        " updated_at = excluded.updated_at",
        (member_id, kind, int(muted), to_iso(now)),
    )
    if muted:
        await outbox.withdraw_muted(tx, member_id, kind)
    await audit.record(
        tx,
        at=now,
        actor_id=member_id,
        action="reminders.muted" if muted else "reminders.unmuted",
        entity="member",
        entity_id=member_id,
        kind=kind,
    )


# --------------------------------------------------------------------------- engine state


async def last_run(conn: aiosqlite.Connection) -> datetime | None:
    value = await fetch_value(conn, "SELECT value FROM reminder_state WHERE name = ?", (_LAST_RUN,))
    return None if value is None else from_iso(str(value))


async def set_last_run(tx: aiosqlite.Connection, at: datetime, *, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO reminder_state (name, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at",
        (_LAST_RUN, to_iso(at), to_iso(now)),
    )


async def handled_keys(conn: aiosqlite.Connection, keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys are already in the outbox (in any status) or were
    skipped: one query for both."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    rows = await conn.execute_fetchall(
        "SELECT dedupe_key FROM outbox WHERE dedupe_key IN (SELECT value FROM json_each(?1))"
        " UNION SELECT dedupe_key FROM reminder_skips"
        " WHERE dedupe_key IN (SELECT value FROM json_each(?1))",
        (json.dumps(wanted),),
    )
    return {str(row[0]) for row in rows}


class Skip(BaseModel):
    dedupe_key: str
    kind: str
    member_id: int | None
    due_at: datetime
    reason: str
    skipped_at: datetime


async def record_skip(
    tx: aiosqlite.Connection,
    *,
    dedupe_key: str,
    kind: str,
    member_id: int | None,
    due_at: datetime,
    reason: str,
    now: datetime,
) -> bool:
    """Note a reminder that will not be sent; True if it was not noted before."""
    return await changed_one(
        tx,
        "INSERT OR IGNORE INTO reminder_skips"
        " (dedupe_key, kind, member_id, due_at, reason, skipped_at) VALUES (?, ?, ?, ?, ?, ?)",
        (dedupe_key, kind, member_id, to_iso(due_at), reason, to_iso(now)),
    )


@dataclass(frozen=True, slots=True)
class NewSkip:
    """A reminder that will not be sent, as ``record_skips`` notes it."""

    dedupe_key: str
    kind: str
    member_id: int | None
    due_at: datetime
    reason: str


async def record_skips(
    tx: aiosqlite.Connection, items: Sequence[NewSkip], *, now: datetime, chunk: int = INSERT_CHUNK
) -> set[str]:
    """Note many reminders that will not be sent, a statement per ``chunk``; the dedupe
    keys not noted before. After a long outage a tick skips thousands at once: one
    statement each held the event loop and the writer lock for their sum."""
    skipped_at = to_iso(now)
    # Most share their due moment (a day's announcements): each formatted once.
    iso: dict[datetime, str] = {}
    rows = [
        (item.dedupe_key, item.kind, item.member_id,
         iso.get(item.due_at) or iso.setdefault(item.due_at, to_iso(item.due_at)),
         item.reason, skipped_at)
        for item in items
    ]  # fmt: skip
    return await insert_new(tx, "reminder_skips", _SKIPPED, rows, key="dedupe_key", chunk=chunk)


_SKIPPED = ("dedupe_key", "kind", "member_id", "due_at", "reason", "skipped_at")


_SKIPS = Table("reminder_skips", Skip)


async def skips(conn: aiosqlite.Connection) -> list[Skip]:
    return await _SKIPS.all(conn, "ORDER BY skipped_at, rowid")


# --------------------------------------------------------------------------- broadcasts


class Broadcast(BaseModel):
    id: int
    branch_id: int
    sender_id: int
    text: str
    recipients: int
    not_before: datetime
    created_at: datetime


async def create_broadcast(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    sender_id: int,
    text: str,
    recipients: int,
    not_before: datetime,
    now: datetime,
) -> Broadcast:
    """Store a secretary's message (its outbox rows are the caller's), audited."""
    if not 1 <= len(text) <= BROADCAST_MAX:
        raise ValueError(f"a broadcast has 1 to {BROADCAST_MAX} characters")
    broadcast_id = await audit.inserted(
        tx,
        "INSERT INTO broadcasts (branch_id, sender_id, text, recipients, not_before, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (branch_id, sender_id, text, recipients, to_iso(not_before), to_iso(now)),
        at=now,
        actor_id=sender_id,
        action="reminders.broadcast",
        entity="broadcast",
        branch_id=branch_id,
        recipients=recipients,
        not_before=to_iso(not_before),
    )
    return required(await get_broadcast(tx, broadcast_id))


_BROADCASTS = Table("broadcasts", Broadcast)


async def get_broadcast(conn: aiosqlite.Connection, broadcast_id: int) -> Broadcast | None:
    return await _BROADCASTS.get(conn, broadcast_id)


# --------------------------------------------------------------------------- people


async def active_people(conn: aiosqlite.Connection) -> dict[int, Member]:
    """Every active membership by member id (admins and inspectors included)."""
    people = await MEMBERS.all(conn, "WHERE status = 'active'")
    return {person.id: person for person in people}


async def branch_people(conn: aiosqlite.Connection, branch_id: int) -> list[Member]:
    """The branch's active members and secretaries: who branch reminders go to."""
    return await MEMBERS.all(
        conn,
        f"WHERE branch_id = ? AND {participating()} ORDER BY id",
        (branch_id,),
    )


async def branches_created(conn: aiosqlite.Connection) -> dict[int, datetime]:
    """When each branch was created (a digest covers only months it existed in)."""
    rows = await conn.execute_fetchall("SELECT id, created_at FROM branches")
    return {int(row[0]): from_iso(str(row[1])) for row in rows}


async def on_approved_leave(conn: aiosqlite.Connection, branch_id: int, month: str) -> set[int]:
    """Members whose leave from the branch's party day of ``month`` (YYYY-MM) was approved."""
    rows = await conn.execute_fetchall(
        "SELECT r.member_id FROM party_day_replies r"
        " JOIN party_day_months pm ON pm.id = r.month_id"
        " WHERE pm.branch_id = ? AND pm.month = ? AND r.answer = 'leave'"
        " AND r.approval = 'approved'",
        (branch_id, month),
    )
    return {int(row[0]) for row in rows}


async def party_days(
    conn: aiosqlite.Connection, start: date, end: date
) -> list[tuple[partyday.PartyDay, partyday.PartyMonth | None]]:
    """Every branch's party day in [start, end] with its month row (cancelled ones left
    out), in two queries: ``partyday.party_days_between`` asks per branch and month, which
    is too slow for a tick every minute. The day itself comes from the feature's own
    ``effective_day`` (rule, moves, cancellations, holiday shift)."""
    rules = {
        rule.branch_id: rule for rule in await partyday.RULES.all(conn, "WHERE replaced_at IS NULL")
    }
    months: dict[tuple[int, str], partyday.PartyMonth] = {
        (row.branch_id, row.month): row
        for row in await partyday.MONTHS.all(
            conn,
            "WHERE month BETWEEN ? AND ?",
            (f"{start.year:04d}-{start.month:02d}", f"{end.year:04d}-{end.month:02d}"),
        )
    }
    found = []
    for branch_id in sorted({*rules, *(b for b, _ in months)}):
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            row = months.get((branch_id, f"{year:04d}-{month:02d}"))
            day = partyday.effective_day(rules.get(branch_id), row, branch_id, year, month)
            if day is not None and day.date is not None and start <= day.date <= end:
                found.append((day, row))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(found, key=lambda pair: (pair[0].date or start, pair[0].branch_id))


# --------------------------------------------------------------------------- the digest


class PartyDaySection(BaseModel):
    day: date | None
    cancelled: bool = False
    participants: int = 0
    checked_in: int = 0
    on_leave: int = 0
    no_reply: int = 0


class ServiceSection(BaseModel):
    hours: float = 0.0
    records: int = 0
    people: int = 0


class VisitsSection(BaseModel):
    in_month: int = 0
    term_start: date
    term_end: date
    term_total: int = 0
    target: int | None = None
    at_target: int = 0
    people: int = 0


class PledgesSection(BaseModel):
    period: str
    by_status: dict[str, int] = {}
    without: int = 0


class Digest(BaseModel):
    """A branch's month for its secretary: a section per feature.

    The party-day section is None when the month had no party day on record; the
    renderer leaves it out rather than showing zeros that would look like facts.
    """

    branch_id: int
    branch_name: str
    month: str
    people: int
    party_day: PartyDaySection | None = None
    service: ServiceSection | None = None
    visits: VisitsSection | None = None
    pledges: PledgesSection | None = None
    idle: list[str] = []
    unreachable: list[str] = []


async def digest(
    conn: aiosqlite.Connection, branch_id: int, first: date, zone: ZoneInfo
) -> Digest | None:
    """What the branch did in the month starting ``first``; None if the branch is unknown."""
    return (await digests(conn, [branch_id], first, zone)).get(branch_id)


async def digests(
    conn: aiosqlite.Connection,
    branch_ids: Iterable[int],
    first: date,
    zone: ZoneInfo,
    *,
    stored: list[terms.Term] | None = None,
) -> dict[int, Digest]:
    """``digest`` of each of these branches, by branch id (unknown ones left out), in a
    dozen queries for them all: the hundred digests of the 1st read each table once, not
    once a branch. ``stored``: the terms set, if already read."""
    wanted = json.dumps(sorted(set(branch_ids)))
    rows = await conn.execute_fetchall(
        "SELECT id, name FROM branches WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (wanted,),
    )
    names = {int(row[0]): str(row[1]) for row in rows}
    if not names:
        return {}
    if stored is None:
        stored = await terms.set_terms(conn)
    last = _month_end(first)
    month = f"{first.year:04d}-{first.month:02d}"
    # (id, name, unreachable) of each branch's people, by id: all a digest says of them.
    people: dict[int, list[tuple[int, str, bool]]] = {branch_id: [] for branch_id in names}
    rows = await conn.execute_fetchall(
        "SELECT branch_id, id, name, unreachable_at IS NOT NULL FROM members"
        f" WHERE branch_id IN (SELECT value FROM json_each(?)) AND {participating()}"
        " ORDER BY branch_id, id",
        (wanted,),
    )
    for row in rows:
        people[int(row[0])].append((int(row[1]), str(row[2]), bool(row[3])))
    found = {
        branch_id: Digest(
            branch_id=branch_id,
            branch_name=name,
            month=month,
            people=len(people[branch_id]),
            unreachable=[who for _, who, unreachable in people[branch_id] if unreachable],
        )
        for branch_id, name in names.items()
    }
    ids = {branch_id: [i for i, _, _ in found_people] for branch_id, found_people in people.items()}
    party = await _party_day_sections(conn, wanted, first, ids, zone)
    service = await _service_sections(conn, wanted, first, last)
    term = terms.pick_term(last, stored)
    visits_ = await _visits_sections(conn, wanted, first, last, term, ids)
    pledges = await _pledges_sections(conn, wanted, str(first.year), ids)
    active = await _active_in_month(conn, first, last, zone, ids)
    active |= await _checked_in(conn, month)
    async for branch_id, result in paced(found.items()):
        result.party_day = party.get(branch_id)
        result.service = service.get(branch_id, ServiceSection())
        result.visits = visits_[branch_id]
        result.pledges = pledges[branch_id]
        result.idle = [who for i, who, _ in people[branch_id] if i not in active]
    return found


async def _checked_in(conn: aiosqlite.Connection, month: str) -> set[int]:
    """Who checked in at any branch's party day of the month (looked up from a branch's
    people, it would cost a probe per person)."""
    rows = await conn.execute_fetchall(
        "SELECT DISTINCT c.member_id FROM party_day_checkins c"
        " JOIN party_day_months pm ON pm.id = c.month_id WHERE pm.month = ?",
        (month,),
    )
    return {int(row[0]) for row in rows}


async def _party_day_sections(
    conn: aiosqlite.Connection,
    wanted: str,
    first: date,
    ids: dict[int, list[int]],
    zone: ZoneInfo,
) -> dict[int, PartyDaySection]:
    """By branch; a branch whose month had no party day on record is left out."""
    rules = {
        rule.branch_id: rule
        for rule in await partyday.RULES.all(
            conn,
            "WHERE branch_id IN (SELECT value FROM json_each(?)) AND replaced_at IS NULL",
            (wanted,),
        )
    }
    months = {
        row.branch_id: row
        for row in await partyday.MONTHS.all(
            conn,
            "WHERE branch_id IN (SELECT value FROM json_each(?)) AND month = ?",
            (wanted, partyday.month_key(first.year, first.month)),
        )
    }
    month_ids = json.dumps(sorted(row.id for row in months.values()))
    # Two trips for every branch's month: a hundred digests are rendered in one tick.
    replies: dict[int, dict[int, tuple[str, str | None]]] = {}
    rows = await conn.execute_fetchall(
        "SELECT month_id, member_id, answer, approval FROM party_day_replies"
        " WHERE month_id IN (SELECT value FROM json_each(?))",
        (month_ids,),
    )
    for row in rows:
        replies.setdefault(int(row[0]), {})[int(row[1])] = (str(row[2]), row[3])
    checked: dict[int, set[int]] = {}
    rows = await conn.execute_fetchall(
        "SELECT month_id, member_id FROM party_day_checkins"
        " WHERE month_id IN (SELECT value FROM json_each(?))",
        (month_ids,),
    )
    for row in rows:
        checked.setdefault(int(row[0]), set()).add(int(row[1]))
    found: dict[int, PartyDaySection] = {}
    async for branch_id, members in paced(ids.items()):
        # The feature's own rule for which day a month has (rule, moves, cancellations).
        rule = rules.get(branch_id)
        day = partyday.effective_day(
            rule, months.get(branch_id), branch_id, first.year, first.month
        )
        if day is None:
            continue
        if (
            day.month_id is None
            and day.date is not None
            and rule is not None
            and rule.created_at.astimezone(zone).date() > day.date
        ):
            continue  # the rule was set after that day: the month had no party day on record
        if day.cancelled:
            found[branch_id] = PartyDaySection(day=None, cancelled=True, participants=len(members))
            continue
        answered = replies.get(day.month_id or 0, {})
        present = checked.get(day.month_id or 0, set())
        found[branch_id] = PartyDaySection(
            day=day.date,
            participants=len(members),
            checked_in=sum(1 for i in members if i in present),
            on_leave=sum(1 for i in members if answered.get(i) == ("leave", "approved")),
            no_reply=sum(1 for i in members if i not in answered),
        )
    return found


async def _service_sections(
    conn: aiosqlite.Connection, wanted: str, first: date, last: date
) -> dict[int, ServiceSection]:
    """By branch; a branch with no records is left out."""
    rows = await conn.execute_fetchall(
        "SELECT branch_id, COALESCE(SUM(hours), 0), COUNT(*), COUNT(DISTINCT member_id)"
        " FROM service_logs"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND status = 'active'"
        " AND on_date BETWEEN ? AND ? GROUP BY branch_id",
        (wanted, first.isoformat(), last.isoformat()),
    )
    return {
        int(row[0]): ServiceSection(hours=float(row[1]), records=int(row[2]), people=int(row[3]))
        for row in rows
    }


async def _visits_sections(
    conn: aiosqlite.Connection,
    wanted: str,
    first: date,
    last: date,
    term: terms.Term,
    ids: dict[int, list[int]],
) -> dict[int, VisitsSection]:
    rows = await conn.execute_fetchall(
        "SELECT branch_id, COUNT(*) FROM home_visits"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND withdrawn_at IS NULL"
        " AND visit_date BETWEEN ? AND ? GROUP BY branch_id",
        (wanted, first.isoformat(), last.isoformat()),
    )
    in_month = {int(row[0]): int(row[1]) for row in rows}
    # The term's counts of the branch's people (who ``ids`` holds), a row a branch.
    totals = {
        row.branch_id: row
        for row in await visits.branch_totals(conn, term, min(last, term.end), ids)
    }
    return {
        branch_id: VisitsSection(
            in_month=in_month.get(branch_id, 0),
            term_start=term.start,
            term_end=term.end,
            term_total=totals[branch_id].visits,
            target=totals[branch_id].target,
            at_target=totals[branch_id].at_target,
            people=totals[branch_id].people,
        )
        for branch_id in ids
    }


async def _pledges_sections(
    conn: aiosqlite.Connection, wanted: str, period: str, ids: dict[int, list[int]]
) -> dict[int, PledgesSection]:
    by_status: dict[int, dict[str, int]] = {}
    rows = await conn.execute_fetchall(
        "SELECT branch_id, status, COUNT(*) FROM pledges"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND period = ?"
        " AND status != 'withdrawn' GROUP BY branch_id, status",
        (wanted, period),
    )
    for row in rows:
        by_status.setdefault(int(row[0]), {})[str(row[1])] = int(row[2])
    rows = await conn.execute_fetchall(
        "SELECT DISTINCT branch_id, member_id FROM pledges"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND period = ?"
        " AND status NOT IN ('draft', 'withdrawn')",
        (wanted, period),
    )
    pledged = {(int(row[0]), int(row[1])) for row in rows}
    return {
        branch_id: PledgesSection(
            period=period,
            by_status=by_status.get(branch_id, {}),
            without=sum(1 for i in members if (branch_id, i) not in pledged),
        )
        for branch_id, members in ids.items()
    }


async def _active_in_month(
    conn: aiosqlite.Connection,
    first: date,
    last: date,
    zone: ZoneInfo,
    ids: dict[int, list[int]],
) -> set[int]:
    """Who of these people logged a visit, a service record or pledge progress in the
    month (the party day's check-ins are ``_checked_in``'s)."""
    everyone = sorted({i for members in ids.values() for i in members})
    if not everyone:
        return set()
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    # Each query looks up only these people (by the member indexes), so its cost is their
    # month, not the whole bureau's history.
    people = "member_id IN (SELECT value FROM json_each(?))"
    queries: list[tuple[str, tuple[Any, ...]]] = [
        (
            f"SELECT member_id FROM home_visits WHERE {people} AND withdrawn_at IS NULL"
            " AND visit_date BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        ),
        (
            f"SELECT member_id FROM service_logs WHERE {people} AND status = 'active'"
            " AND on_date BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        ),
        (
            f"SELECT member_id FROM pledge_updates WHERE {people} AND at >= ? AND at < ?",
            (to_iso(start), to_iso(end)),
        ),
    ]
    wanted = json.dumps(everyone)
    found: set[int] = set()
    for sql, params in queries:
        found |= {int(row[0]) for row in await conn.execute_fetchall(sql, (wanted, *params))}
    return found & set(everyone)


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
