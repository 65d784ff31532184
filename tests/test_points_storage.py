"""Member points: the rules file, what each record earns, the monthly cap, and that a
corrected or withdrawn record corrects the points (property test)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Database, branches, links, members, pledges, points, service, visits
from storage.members import Role
from storage.service import ServiceEntry, ServiceKind
from storage.terms import Term
from storage.tomlcheck import FileProblems
from storage.visits import VisitContent

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
RULES = """version = "t1"
[rules.service_hours]
points = 1
monthly_cap = 8

[rules.home_visit]
points = 2
"""


def test_the_shipped_rules_are_valid_and_name_every_source() -> None:
    rules = points.default_rules().rules
    assert set(rules.rules) == set(points.SOURCES)
    assert rules.rules["service_hours"].monthly_cap == 8


@pytest.mark.parametrize(
    ("text", "line", "field", "code"),
    [
        (
            'version = "x"\n[rules.party_day]\npoints = -1\n',
            3,
            "rules.party_day.points",
            "too_small",
        ),
        ('version = "x"\n[rules.partyday]\npoints = 1\n', 2, "rules.partyday", "unknown_source"),
        (
            'version = "x"\n\n[rules.meeting]\npoint = 1\n',
            4,
            "rules.meeting.point",
            "unknown_field",
        ),
        (
            'version = "x"\n[rules.meeting]\npoints = "one"\n',
            3,
            "rules.meeting.points",
            "not_number",
        ),
        ("[rules.meeting]\npoints = 1\n", None, "version", "missing"),
        ('version = "x"\n[rules.meeting\npoints = 1\n', 2, "", "syntax"),
    ],
)
def test_a_bad_rules_file_names_line_field_and_problem(
    text: str, line: int | None, field: str, code: str
) -> None:
    with pytest.raises(FileProblems) as caught:
        points.parse_rules(text)
    problem = next(p for p in caught.value.problems if p.code == code)
    assert problem.field == field
    if code == "unknown_source":
        assert problem.values["name"] == "partyday"
    if line is not None:
        assert problem.line == line


async def _branch_and_member(db: Database, suffix: str) -> tuple[int, int]:
    async with db.transaction() as tx:
        branch = await branches.create(tx, f"第{suffix}中学党支部", now=NOW)
        member = await members.create(
            tx,
            telegram_id=abs(hash(suffix)) % 10**9 + 10,
            name="王老师",
            role=Role.MEMBER,
            branch_id=branch.id,
            now=NOW,
        )
    return branch.id, member.id


async def test_uploaded_rules_are_in_force_with_their_version(db: Database) -> None:
    async with db.read() as conn:
        assert (await points.rules_in_force(conn)).uploaded_at is None
    async with db.transaction() as tx:
        admin = await members.create(
            tx, telegram_id=1, name="局办", role=Role.ADMIN, branch_id=None, now=NOW
        )
        await points.save_rules(tx, RULES, actor_id=admin.id, now=NOW)
    async with db.read() as conn:
        in_force = await points.rules_in_force(conn)
        stored = await conn.execute_fetchall("SELECT version, uploaded_by FROM point_rules")
    assert in_force.rules.version == "t1"
    assert set(in_force.rules.rules) == {"service_hours", "home_visit"}
    assert [tuple(r) for r in stored] == [("t1", admin.id)]


async def test_service_hours_are_capped_per_month_and_visits_count(db: Database) -> None:
    branch_id, member_id = await _branch_and_member(db, "一")
    async with db.transaction() as tx:
        for day, hours in ((3, 5.0), (10, 4.0), (20, 2.0)):
            await _log(tx, member_id, branch_id, date(2026, 11, day), hours)
        await _log(tx, member_id, branch_id, date(2026, 10, 8), 3.0)
        await _visit(tx, member_id, branch_id, date(2026, 11, 5))
    rules = points.parse_rules(RULES)
    async with db.read() as conn:
        found = await points.member_points(
            conn, member_id, date(2026, 9, 1), date(2027, 1, 31), rules, zone=ZONE
        )
    assert found is not None
    november = found.by_month()[(2026, 11)]
    service_points = [line.points for line in november if line.source == "service_hours"]
    assert service_points == [5.0, 3.0, 0.0]  # 8 a month at most
    assert [line.capped for line in november if line.source == "service_hours"] == [
        False,
        True,
        True,
    ]
    assert found.by_source() == {"service_hours": 11.0, "home_visit": 2.0}
    assert found.total == 13.0
    visit_line = next(line for line in found.lines if line.source == "home_visit")
    assert visit_line.note is None  # never the student's alias


# --------------------------------------------------------------------------- property

_op = st.tuples(st.sampled_from(["keep", "edit", "withdraw"]), st.integers(1, 24))
_record = st.tuples(st.integers(1, 28), st.integers(1, 24), _op)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record, min_size=1, max_size=8), st.lists(st.integers(1, 28), max_size=4))
def test_points_follow_corrected_and_withdrawn_records(
    scratch: Path, logs: list[tuple[int, int, tuple[str, int]]], visit_days: list[int]
) -> None:
    """Whatever is corrected or withdrawn, the points equal what the final records earn:
    hours per month capped at 8, two points per visit not withdrawn."""
    asyncio.run(_check_recomputed(scratch, logs, visit_days))


async def _check_recomputed(
    path: Path, logs: list[tuple[int, int, tuple[str, int]]], visit_days: list[int]
) -> None:
    async with Database(path) as db:
        branch_id, member_id = await _branch_and_member(db, str(next(_COUNTER)))
        rules = points.parse_rules(RULES)
        final: dict[int, float] = {}  # day -> hours of records still active, by record
        kept: list[tuple[int, float]] = []
        async with db.transaction() as tx:
            for day, half_hours, (op, new_half_hours) in logs:
                on = date(2026, 11, day)
                stored = await _log(tx, member_id, branch_id, on, half_hours / 2)
                if op == "edit":
                    await service.edit(
                        tx,
                        stored,
                        changes={"hours": new_half_hours / 2},
                        party_month_id=None,
                        actor_id=member_id,
                        now=_moment(on),
                    )
                    kept.append((stored.id, new_half_hours / 2))
                elif op == "withdraw":
                    await service.withdraw(tx, stored, actor_id=member_id, now=_moment(on))
                else:
                    kept.append((stored.id, half_hours / 2))
            live_visits = 0
            for index, day in enumerate(visit_days):
                visit = await _visit(tx, member_id, branch_id, date(2026, 11, day))
                if index % 2:
                    await visits.withdraw(tx, visit.id, actor_id=member_id, now=NOW)
                else:
                    live_visits += 1
        final = dict(kept)
        async with db.read() as conn:
            found = await points.member_points(
                conn, member_id, date(2026, 11, 1), date(2026, 11, 30), rules, zone=ZONE
            )
        assert found is not None
        assert found.by_source().get("service_hours", 0.0) == min(8.0, sum(final.values()))
        assert found.by_source().get("home_visit", 0.0) == 2.0 * live_visits
        assert {line.record_id for line in found.lines if line.source == "service_hours"} == set(
            final
        )


_COUNTER = iter(range(100, 10**6))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("points") / "points.sqlite3"


# --------------------------------------------------------------------------- records


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(20, 0), tzinfo=ZONE)


async def test_a_members_points_read_only_theirs_and_match_the_branch_board(
    db: Database,
) -> None:
    """/points for one member reads only their records, and gives what the branch's
    board gives them (a month's cap is per member)."""
    branch_id, member_id = await _branch_and_member(db, "三")
    async with db.transaction() as tx:
        other = await members.create(
            tx, telegram_id=77, name="李老师", role=Role.MEMBER, branch_id=branch_id, now=NOW
        )
        for who, hours in ((member_id, 5.0), (other.id, 6.0), (member_id, 4.0)):
            await _log(tx, who, branch_id, date(2026, 11, 3), hours)
        await _visit(tx, other.id, branch_id, date(2026, 11, 5))
    rules = points.parse_rules(RULES)
    span = (date(2026, 9, 1), date(2027, 1, 31))
    async with db.read() as conn:
        mine = await points.member_points(conn, member_id, *span, rules, zone=ZONE)
        board = await points.branch_points(conn, branch_id, *span, rules, zone=ZONE)
    assert mine is not None
    assert {line.member_id for line in mine.lines} == {member_id}
    assert mine.by_source() == {"service_hours": 8.0}  # 5 + 4, capped at 8 a month
    assert mine == next(p for p in board if p.member_id == member_id)
    assert next(p for p in board if p.member_id == other.id).total == 8.0  # 6 + a visit


PLEDGE_RULES = """version = "t2"
[rules.pledge_fulfilled]
points = 5
"""


@pytest.mark.parametrize(
    ("local", "counted"),
    [
        (datetime(2026, 11, 1, 0, 30), True),  # the first day's small hours: 31 Oct in UTC
        (datetime(2026, 11, 30, 23, 30), True),  # the last day's late evening: 30 Nov 15:30 UTC
        (datetime(2026, 10, 31, 23, 59), False),
        (datetime(2026, 12, 1, 0, 0), False),
    ],
)
async def test_a_pledge_counts_by_the_local_day_it_was_fulfilled(
    db: Database, local: datetime, counted: bool
) -> None:
    """Pledges are read by the stored (UTC) moment: the span's local days still decide."""
    _, member_id = await _branch_and_member(db, "四")
    fulfilled_at = local.replace(tzinfo=ZONE)
    async with db.transaction() as tx:
        member = await members.get(tx, member_id)
        assert member is not None
        draft = await pledges.create_draft(
            tx, member=member, period=pledges.Period(code="2026"),
            category=pledges.Category.TEACHING, text="每周辅导后进生两次，期末提高五分", now=NOW,
        )  # fmt: skip
        dated = await pledges.edit(
            tx, draft, actor_id=member_id, now=NOW, target_date=date(2026, 12, 31)
        )
        submitted = await pledges.submit(tx, dated, actor_id=member_id, now=NOW)
        published = await pledges.approve(tx, submitted, actor_id=member_id, now=NOW)
        await pledges.fulfil(
            tx,
            published,
            actor_id=member_id,
            summary="全年辅导学生八十次，成绩提高",
            now=fulfilled_at,
        )
    rules = points.parse_rules(PLEDGE_RULES)
    async with db.read() as conn:
        found = await points.member_points(
            conn, member_id, date(2026, 11, 1), date(2026, 11, 30), rules, zone=ZONE
        )
    assert found is not None
    assert found.by_source() == ({"pledge_fulfilled": 5.0} if counted else {})


async def _log(
    tx: object, member_id: int, branch_id: int, on: date, hours: float
) -> service.ServiceLog:
    entry = ServiceEntry(
        kind=ServiceKind.VOLUNTEER, on_date=on, hours=hours, description="社区服务", logged_on=on
    )
    return await service.log(
        tx,  # type: ignore[arg-type]
        member_id=member_id,
        branch_id=branch_id,
        entry=entry,
        party_month_id=None,
        makeup_month_id=None,
        now=_moment(on),
    )


async def _visit(tx: object, member_id: int, branch_id: int, on: date) -> visits.HomeVisit:
    content = VisitContent(
        visit_date=on,
        student_alias="小明",
        class_name="三(2)班",
        form="in_person",
        met="parents",
        topics=["study"],
        today=NOW.date(),
    )
    return await visits.create(
        tx,  # type: ignore[arg-type]
        member_id=member_id,
        branch_id=branch_id,
        content=content,
        term=Term(start=date(2026, 9, 1), end=date(2027, 1, 31)),
        now=NOW,
    )


async def test_link_contacts_earn_points_until_withdrawn(db: Database) -> None:
    branch_id, member_id = await _branch_and_member(db, "二")
    rules = points.parse_rules('version = "l"\n[rules.link_contact]\npoints = 1\nmonthly_cap = 3\n')
    async with db.transaction() as tx:
        link_id = await tx.execute_insert(
            "INSERT INTO links (kind, member_id, branch_id, target_text, period, period_start,"
            " period_end, start_on, status, created_by, created_at)"
            " VALUES ('class', ?, ?, '三(2)班', 'term', '2026-09-01', '2027-01-31',"
            " '2026-09-01', 'active', ?, ?)",
            (member_id, branch_id, member_id, NOW.isoformat()),
        )
        assert link_id is not None
        ids = []
        for day in (2, 9, 16, 23, 27):
            row = await tx.execute_insert(
                "INSERT INTO link_contacts (link_id, on_date, how, logged_by, side_branch_id,"
                " created_at) VALUES (?, ?, 'talk', ?, ?, ?)",
                (link_id[0], f"2026-11-{day:02d}", member_id, branch_id, NOW.isoformat()),
            )
            assert row is not None
            ids.append(int(row[0]))
    async with db.read() as conn:
        found = await points.member_points(
            conn, member_id, date(2026, 11, 1), date(2026, 11, 30), rules, zone=ZONE
        )
    assert found is not None and found.total == 3.0  # capped at 3 a month
    async with db.transaction() as tx:
        for contact_id in ids[:3]:
            await links.withdraw_contact(tx, contact_id, actor_id=member_id, now=NOW)
    async with db.read() as conn:
        found = await points.member_points(
            conn, member_id, date(2026, 11, 1), date(2026, 11, 30), rules, zone=ZONE
        )
    assert found is not None and found.total == 2.0
    assert [line.record_id for line in found.lines] == ids[3:]
