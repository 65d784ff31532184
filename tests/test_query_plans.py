"""No query scans a table that grows with history: EXPLAIN QUERY PLAN over what the
repositories actually run.

A small bureau's history (``bench.scale``) is read by every user-facing read the scale
benchmark times, the reminder engine's "what is due" at its busiest moments, the
dispatcher's outbox statements, and the writes a member's taps make. Every statement
they send to SQLite is captured through a trace callback and explained; a ``SCAN`` of a
growing table fails the test unless the statement is listed in ``ALLOWED`` with its
reason. Such a scan is harmless on the small database and costs seconds at ten years.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from bench import scale
from schedules.due import due
from schedules.kinds import SCHEDULED
from schedules.quiet import QuietHours
from storage import (
    links,
    meetings,
    members,
    outbox,
    partyday,
    pledges,
    reminders,
    retention,
    safety,
    service,
    terms,
    visits,
)
from storage.database import Database
from storage.link_rules import LinkRhythms
from storage.meetings import MeetingFrequencies
from storage.partyday import Answer, CheckinMethod, LeaveReason
from storage.service import ServiceEntry, ServiceKind
from storage.visits import VisitContent

# Tables whose rows accumulate month after month (members and branches do not).
GROWING = {
    "home_visits",
    "home_visit_versions",
    "party_day_months",
    "party_day_replies",
    "party_day_checkins",
    "service_logs",
    "service_log_versions",
    "pledges",
    "pledge_updates",
    "outbox",
    "audit_log",
    "reminder_skips",
    "broadcasts",
    "meetings",
    "meeting_attendance",
    "meeting_makeups",
    "safety_lessons",
    "safety_drills",
    "safety_drill_participants",
    "links",
    "link_contacts",
    "inspection_comments",
    "rectification_items",
    "branch_ratings",
    "rating_scores",
    "rating_objections",
    "pioneer_nominations",
    "pioneer_ballots",
    "pioneer_objections",
}

# A statement (a regular expression over its normalised text) allowed to scan, and why.
ALLOWED: dict[str, str] = {
    r"^SELECT \* FROM audit_log ORDER BY id DESC LIMIT \?$": (
        "walks the rowid backwards and stops after LIMIT rows: reads only those"
    ),
    r"^SELECT kind, status, COUNT\(\*\) AS count FROM outbox GROUP BY": (
        "the operator's outbox report (`xianfeng outbox`) counts every row on purpose; it "
        "runs by hand, never for a user or a tick"
    ),
}

SIZE = scale.Size(branches=3, members=6, years=2)
QUIET = QuietHours(time(22, 0), time(7, 0))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scale")
    return asyncio.run(scale.ensure(SIZE, directory=folder, quiet=True))


async def test_no_growing_table_is_scanned(history: Path) -> None:
    async with Database(history) as db:
        statements = await _traced(db)
        async with db.read() as conn:
            problems = []
            for sql in _distinct(statements):
                rows = await conn.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}")
                scans = [str(row[3]) for row in rows if _scans_growing(str(row[3]), sql)]
                if scans and not _allowed(sql):
                    problems.append(f"{_shape(sql)}\n    {'; '.join(scans)}")
    assert len(statements) > 100, "the trace caught nothing: the test would pass blindly"
    assert not problems, "full scans of growing tables:\n" + "\n".join(problems)


def test_a_scan_is_noticed() -> None:
    # The check itself: what SQLite prints for a scan, with and without an index to walk.
    assert _scans_growing("SCAN service_logs")
    joined = "SELECT 1 FROM party_day_checkins c JOIN members m ON m.id = c.member_id"
    assert _scans_growing("SCAN c USING INDEX x", joined)  # an index walked end to end
    assert not _scans_growing("SCAN m", joined)
    assert not _scans_growing("SEARCH service_logs USING INDEX service_logs_member (member_id=?)")
    assert not _scans_growing("SCAN members")
    assert not _scans_growing("SCAN json_each VIRTUAL TABLE INDEX 1:")


# --------------------------------------------------------------------------- the work


async def _traced(db: Database) -> list[str]:
    seen: list[str] = []
    for conn in (db._writer, db._reader):  # the test watches both
        assert conn is not None
        await conn.set_trace_callback(seen.append)
    await _reads(db)
    await _due(db)
    await _digests(db)
    await _member_writes(db)
    await _outbox(db)
    await _retention(db)
    for conn in (db._writer, db._reader):
        assert conn is not None
        await conn.set_trace_callback(None)
    # The aliases of scanned tables are resolved against the statement, so keep them whole.
    return seen


async def _reads(db: Database) -> None:
    async with db.read() as conn:
        for read in scale.READS:
            await read.call(conn, SIZE)


async def _due(db: Database) -> None:
    """The tick at its busiest: the 1st at 09:00 (announcements, digests), 10:00 (monthly
    nudges), a party day's morning, and January (pledges)."""
    moments = [
        scale.NOW,
        scale.NOW.replace(hour=10),
        scale.NOW.replace(day=scale.PARTY_DAY, hour=8),
        datetime(2026, 1, 5, 10, 0, tzinfo=scale.ZONE),
    ]
    async with db.read() as conn:
        for now in moments:
            await due(
                conn,
                now=now,
                since=now - timedelta(minutes=1),
                zone=scale.ZONE,
                quiet=QUIET,
                kinds=frozenset(k.value for k in SCHEDULED),
            )
            await reminders.handled_keys(conn, ["digest:1:2026-11:1"])


async def _digests(db: Database) -> None:
    """The 1st's digests, read for every branch at once (``DueReminder.for_all``)."""
    today = scale.NOW.date()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    branches = list(range(1, SIZE.branches + 1))
    async with db.read() as conn:
        stored = await terms.set_terms(conn)
        await reminders.digests(conn, branches, first, scale.ZONE, stored=stored)
        await links.branch_totals(conn, on=first, today=today, rhythms=LinkRhythms(), terms=stored)
        await meetings.for_branches(conn, branches, first, today - timedelta(days=1))
        await meetings.held_counts(conn, branches, first, today - timedelta(days=1))
        await meetings.compliance_by_branch(
            conn, branches, first.year, today=today, frequencies=MeetingFrequencies()
        )
        await safety.summaries(conn, branches, terms.pick_term(today, stored))


async def _member_writes(db: Database) -> None:
    """What a member's taps write: a party-day answer, leave and its approval, a check-in,
    a service record, a home visit and its follow-up, pledge progress, a mute."""
    now = scale.NOW
    member_id, branch_id, secretary = 2, 1, 1
    async with db.transaction() as tx:
        month = await partyday.ensure_month(tx, branch_id, now.year, now.month, now=now)
        await partyday.set_reply(
            tx, month_id=month.id, member_id=member_id, answer=Answer.ATTEND, now=now
        )
        reply = await partyday.set_reply(
            tx,
            month_id=month.id,
            member_id=member_id + 1,
            answer=Answer.LEAVE,
            reason_kind=LeaveReason.TEACHING,
            now=now,
        )
        await partyday.decide_leave(tx, reply, approve=True, actor_id=secretary, now=now)
        await partyday.check_in(
            tx,
            month_id=month.id,
            member_id=member_id,
            method=CheckinMethod.LOCATION,
            latitude=30.0,
            longitude=120.0,
            now=now,
        )
        entry = ServiceEntry(
            kind=ServiceKind.VOLUNTEER,
            on_date=now.date(),
            hours=2.0,
            description="扫雪",
            logged_on=now.date(),
        )
        await service.log(
            tx,
            member_id=member_id,
            branch_id=branch_id,
            entry=entry,
            party_month_id=None,
            makeup_month_id=month.id,
            now=now,
        )
        await service.has_makeup(tx, member_id, month.id)
        term = await terms.term_for(tx, now.date())
        content = VisitContent(
            visit_date=now.date(),
            student_alias="小明",
            class_name="三(2)班",
            form="phone",
            met="parents",
            topics=["study"],
            follow_up_on=now.date() + timedelta(days=7),
            today=now.date(),
        )
        visit = await visits.create(
            tx, member_id=member_id, branch_id=branch_id, content=content, term=term, now=now
        )
        await visits.complete_follow_up(tx, visit.id, note=None, now=now)
        mine = await pledges.for_member(tx, member_id)
        pledge = await pledges.get(tx, mine[0].id)
        assert pledge is not None
        await pledges.add_update(
            tx, pledge, actor_id=member_id, text="辅导学生", photo_file_id=None, now=now
        )
        await reminders.set_muted(
            tx, member_id=member_id, kind="partyday.morning", muted=True, now=now
        )
        await members.set_unreachable(tx, scale.TELEGRAM_BASE + member_id, now)


async def _outbox(db: Database) -> None:
    """The dispatcher's statements: enqueue, expire, claim, record, idle, recover."""
    now = scale.NOW
    async with db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=scale.TELEGRAM_BASE + 2,
            member_id=2,
            kind="partyday.announce",
            text="党日",
            buttons=None,
            dedupe_key="plan-test:1",
            not_before=now,
            expires_at=now + timedelta(days=1),
            now=now,
        )
        await outbox.expire(tx, now)
        claimed = await outbox.claim_due(tx, now, 1, skip_chats={scale.TELEGRAM_BASE + 3})
        assert claimed, "the queued row was not claimed"
        await outbox.mark_sent(tx, claimed[0].id, 1, now)
        await outbox.recover_in_flight(tx)
    async with db.read() as conn:
        await outbox.next_due_at(conn)
        await outbox.oldest_pending(conn)
        await outbox.get_by_dedupe_key(conn, "plan-test:1")


async def _retention(db: Database) -> None:
    """The daily erasers, with a cut-off that catches part of the history."""
    erasers = {
        "home_visits": visits.erase_student_data,
        "links": links.erase_student_data,
        "outbox": outbox.erase_sent_before,
    }
    erased = await retention.erase_expired(
        db, erasers, today=scale.NOW.date(), years=0, now=scale.NOW, batch=5
    )
    assert erased["home_visits"] > 5, "a batch was not repeated: the test would miss it"


# --------------------------------------------------------------------------- plans

_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _shape(sql: str) -> str:
    """The statement with its values replaced by ``?`` (one shape, one plan)."""
    return " ".join(_LITERAL.sub("?", sql).split())


def _distinct(statements: list[str]) -> Iterator[str]:
    shapes: set[str] = set()
    for sql in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            continue  # BEGIN, COMMIT, SAVEPOINT, PRAGMA
        shape = _shape(sql)
        if shape not in shapes:
            shapes.add(shape)
            yield sql


_SOURCE = re.compile(
    r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|ORDER|GROUP|LEFT|INNER|LIMIT"
    r"|USING|UNION|WHEN)(\w+))?",
    re.IGNORECASE,
)


def _scans_growing(detail: str, sql: str = "") -> bool:
    """A plan line that reads a whole growing table (through its rows or an index)."""
    match = re.match(r"SCAN (\w+)", detail)
    if match is None or "VIRTUAL TABLE" in detail:
        return False
    aliases = {alias: table for table, alias in _SOURCE.findall(sql) if alias}
    return aliases.get(match.group(1), match.group(1)) in GROWING


def _allowed(sql: str) -> bool:
    return any(re.search(pattern, _shape(sql)) for pattern in ALLOWED)
