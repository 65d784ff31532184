"""平安校园 records without Telegram: lesson and drill rules, school drills, term coverage."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from storage import Database, audit, members, safety
from storage.members import Role
from storage.safety import DrillFields, DrillKind, LessonFields, SafetyProblem, SafetyTopic
from storage.terms import Term

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
AUTUMN = Term(start=date(2026, 9, 1), end=date(2027, 1, 31))


def lesson(**changes: Any) -> LessonFields:
    base: dict[str, Any] = {
        "on_date": date(2026, 11, 20),
        "class_name": "三（2）班",
        "topic": SafetyTopic.DROWNING,
        "students": 45,
        "today": TODAY,
    }
    return LessonFields.model_validate({**base, **changes})


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"students": 0}, "students_range"),
        ({"students": 201}, "students_range"),
        ({"on_date": date(2026, 11, 29)}, "date_future"),
        ({"on_date": date(2026, 1, 2)}, "date_old"),
        ({"class_name": "  "}, "class_length"),
        ({"class_name": "班" * 21}, "class_length"),
    ],
)
def test_lesson_rules(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationError) as error:
        lesson(**changes)
    assert safety.problem_code(error.value) == code


def test_lesson_limits_and_cleaning() -> None:
    assert lesson(students=1).students == 1
    assert lesson(students=200).students == 200
    assert lesson().class_name == "三(2)班"
    with pytest.raises(ValidationError):
        lesson(topic="earthquakes")
    with pytest.raises(ValidationError) as error:
        DrillFields(on_date=date(2026, 12, 1), kind=DrillKind.EVACUATION, today=TODAY)
    assert safety.problem_code(error.value) == "date_future"
    with pytest.raises(SafetyProblem, match="role_length"):
        safety.clean_role("x")


async def _people(db: Database) -> dict[str, int]:
    async with db.transaction() as tx:
        for name in ("一中", "二中"):
            await tx.execute(
                "INSERT INTO branches (name, created_at) VALUES (?, '2026-09-01T00:00:00+00:00')",
                (name,),
            )
        people = {}
        for tid, name, role, branch in [
            (1, "李红梅", Role.SECRETARY, 1),
            (2, "王老师", Role.MEMBER, 1),
            (3, "张老师", Role.MEMBER, 1),
            (4, "外校人", Role.MEMBER, 2),
        ]:
            member = await members.create(
                tx, telegram_id=tid, name=name, role=role, branch_id=branch, now=NOW
            )
            people[name] = member.id
    return people


async def test_coverage_over_a_term(db: Database) -> None:
    p = await _people(db)
    drill = DrillFields(on_date=date(2026, 10, 9), kind=DrillKind.EVACUATION, today=TODAY)
    async with db.transaction() as tx:
        # 王老师: a lesson and her own drill. 张老师: a lesson only, and one withdrawn.
        await safety.log_lesson(tx, member_id=p["王老师"], branch_id=1, fields=lesson(), now=NOW)
        await safety.log_own_drill(
            tx, member_id=p["王老师"], branch_id=1, fields=drill, role="疏散引导", now=NOW
        )
        await safety.log_lesson(
            tx, member_id=p["张老师"], branch_id=1, now=NOW,
            fields=lesson(class_name="五(1)班", topic=SafetyTopic.FIRE, students=38),
        )  # fmt: skip
        gone = await safety.log_lesson(
            tx, member_id=p["张老师"], branch_id=1, fields=lesson(students=12), now=NOW
        )
        await safety.withdraw_lesson(tx, gone.id, member_id=p["张老师"], now=NOW, today=TODAY)
        with pytest.raises(safety.NotFound):  # only one's own, only once
            await safety.withdraw_lesson(tx, gone.id, member_id=p["张老师"], now=NOW, today=TODAY)
    async with db.read() as conn:
        lines = {c.name: c for c in await safety.coverage(conn, 1, AUTUMN)}
        summary = await safety.summary(conn, 1, AUTUMN)
        drills = await safety.drills_for_member(conn, p["王老师"], AUTUMN)
    assert lines["王老师"].done
    assert (lines["张老师"].lessons, lines["张老师"].drills) == (1, 0)
    assert lines["李红梅"].missing_lesson and lines["李红梅"].missing_drill
    assert summary == safety.CoverageSummary(
        members=3, done=1, missing_lesson=1, missing_drill=2, lessons=2, drills=1, students=83
    )
    assert [(d.role, d.scope) for d in drills] == [("疏散引导", safety.DrillScope.OWN)]
    # Another term sees none of it.
    spring = Term(start=date(2027, 2, 1), end=date(2027, 7, 31))
    async with db.read() as conn:
        assert not any(c.lessons for c in await safety.coverage(conn, 1, spring))


async def test_a_school_drill_is_logged_once_for_everyone(db: Database) -> None:
    p = await _people(db)
    drill = DrillFields(on_date=date(2026, 11, 9), kind=DrillKind.EARTHQUAKE, today=TODAY)
    async with db.transaction() as tx:
        with pytest.raises(SafetyProblem, match="no_participants"):
            await safety.log_school_drill(
                tx, branch_id=1, fields=drill, participant_ids=[], actor_id=p["李红梅"], now=NOW
            )
        with pytest.raises(SafetyProblem, match="not_in_branch"):
            await safety.log_school_drill(
                tx, branch_id=1, fields=drill, participant_ids=[p["王老师"], p["外校人"]],
                actor_id=p["李红梅"], now=NOW,
            )  # fmt: skip
    async with db.transaction() as tx:
        school = await safety.log_school_drill(
            tx, branch_id=1, fields=drill, participant_ids=[p["王老师"], p["张老师"], p["王老师"]],
            actor_id=p["李红梅"], now=NOW,
        )  # fmt: skip
    async with db.read() as conn:
        assert await safety.participants(conn, school.id) == [p["王老师"], p["张老师"]]
        lines = {c.name: c.drills for c in await safety.coverage(conn, 1, AUTUMN)}
        actions = [e.action for e in await audit.for_entity(conn, "safety_drill", school.id)]
    assert lines == {"李红梅": 0, "王老师": 1, "张老师": 1}
    assert actions == ["safety.drill_logged"]
    # Withdrawn by the one who logged it, it no longer counts; nothing is deleted.
    async with db.transaction() as tx:
        with pytest.raises(safety.NotFound):
            await safety.withdraw_drill(tx, school.id, actor_id=p["王老师"], now=NOW, today=TODAY)
        await safety.withdraw_drill(tx, school.id, actor_id=p["李红梅"], now=NOW, today=TODAY)
    async with db.read() as conn:
        assert all(c.drills == 0 for c in await safety.coverage(conn, 1, AUTUMN))
    async with db.transaction() as tx:
        await safety.log_lesson(tx, member_id=p["王老师"], branch_id=1, fields=lesson(), now=NOW)
    for table in ("safety_drills", "safety_drill_participants", "safety_lessons"):
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            async with db.transaction() as tx:
                await tx.execute(f"DELETE FROM {table}")


async def test_only_the_current_terms_records_are_withdrawn(db: Database) -> None:
    p = await _people(db)
    drill = DrillFields(on_date=date(2026, 11, 9), kind=DrillKind.EVACUATION, today=TODAY)
    async with db.transaction() as tx:
        autumn = await safety.log_lesson(
            tx, member_id=p["王老师"], branch_id=1, fields=lesson(), now=NOW
        )
        own = await safety.log_own_drill(
            tx, member_id=p["王老师"], branch_id=1, fields=drill, role="疏散引导", now=NOW
        )
    # In the spring term the autumn's records stay as the 台账 and the rating saw them.
    spring = date(2027, 3, 1)
    async with db.transaction() as tx:
        with pytest.raises(SafetyProblem, match="past_term"):
            await safety.withdraw_lesson(
                tx, autumn.id, member_id=p["王老师"], now=NOW, today=spring
            )
        with pytest.raises(SafetyProblem, match="past_term"):
            await safety.withdraw_drill(tx, own.id, actor_id=p["王老师"], now=NOW, today=spring)
        # Someone else's is still not found, whatever its term.
        with pytest.raises(safety.NotFound):
            await safety.withdraw_lesson(
                tx, autumn.id, member_id=p["张老师"], now=NOW, today=spring
            )
    async with db.read() as conn:
        lines = {c.name: (c.lessons, c.drills) for c in await safety.coverage(conn, 1, AUTUMN)}
    assert lines["王老师"] == (1, 1)
    # In August (no term) the spring term just ended is still the current one.
    june = date(2027, 6, 10)
    async with db.transaction() as tx:
        late = await safety.log_lesson(
            tx, member_id=p["王老师"], branch_id=1, now=NOW,
            fields=lesson(on_date=june, today=june),
        )  # fmt: skip
        await safety.withdraw_lesson(
            tx, late.id, member_id=p["王老师"], now=NOW, today=date(2027, 8, 20)
        )
    async with db.read() as conn:
        withdrawn = await safety.get_lesson(conn, late.id)
    assert withdrawn is not None and withdrawn.status == "withdrawn"


async def test_classes_used_before_are_offered(db: Database) -> None:
    p = await _people(db)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO home_visits (member_id, branch_id, visit_date, student_alias, class_name,"
            " form, met, topics, version, created_at, updated_at) VALUES (?, 1, '2026-11-01',"
            " '小王', '初一(3)班', 'in_person', 'parents', '[\"study\"]', 1,"
            " '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00')",
            (p["王老师"],),
        )
        await safety.log_lesson(tx, member_id=p["王老师"], branch_id=1, fields=lesson(), now=NOW)
    async with db.read() as conn:
        assert await safety.recent_classes(conn, p["王老师"]) == ["三(2)班", "初一(3)班"]
        assert await safety.recent_classes(conn, p["张老师"]) == []


async def test_a_branchs_summary_counts_what_its_people_logged_in_another_branch(
    db: Database,
) -> None:
    """The digest's counts (read for all branches at once) agree with the branch's own
    coverage screen: a lesson or drill someone logged in their former branch still
    counts for them, and one outside the term does not."""
    p = await _people(db)
    async with db.transaction() as tx:
        drill = DrillFields(on_date=date(2026, 11, 9), kind=DrillKind.EVACUATION, today=TODAY)
        await safety.log_own_drill(
            tx, member_id=p["张老师"], branch_id=2, fields=drill, role="疏散引导", now=NOW
        )
        await safety.log_lesson(tx, member_id=p["张老师"], branch_id=2, fields=lesson(), now=NOW)
        await safety.log_lesson(tx, member_id=p["王老师"], branch_id=1, fields=lesson(), now=NOW)
    spring = Term(start=date(2027, 2, 1), end=date(2027, 7, 31))
    async with db.read() as conn:
        lines = {c.name: c for c in await safety.coverage(conn, 1, AUTUMN)}
        summary = await safety.summary(conn, 1, AUTUMN)
        later = await safety.summary(conn, 1, spring)
    assert lines["张老师"].done and not lines["王老师"].done
    assert (summary.members, summary.done) == (3, 1)
    assert (summary.missing_lesson, summary.missing_drill) == (1, 2)
    assert (later.done, later.missing_lesson, later.missing_drill) == (0, 3, 3)
