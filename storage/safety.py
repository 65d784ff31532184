"""平安校园: safety lessons (主题安全教育) and drills (安全演练), and who did both each term.

Every party-member teacher gives one safety lesson and takes part in one drill a term. A
member logs their own; a secretary can log a school drill once with everyone who took
part. Records are withdrawn (only in their own term), never deleted; each change is audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Self, TypeVar

import aiosqlite
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from storage import audit, members, names, terms
from storage.clock import to_iso
from storage.problems import InputProblem, code_of
from storage.rows import Table, fetch_all, fetch_value, required
from storage.terms import Term

STUDENTS_MIN, STUDENTS_MAX = 1, 200
CLASS_MAX = 20
ROLE_MIN, ROLE_MAX = 2, 30
# How far back a lesson or drill may be dated: a term and a little more.
MAX_AGE = timedelta(days=250)
RECENT_CLASSES = 6


class SafetyTopic(StrEnum):
    TRAFFIC = "traffic"  # 交通
    FIRE = "fire"  # 消防
    DROWNING = "drowning"  # 防溺水
    FOOD = "food"  # 食品卫生
    BULLYING = "bullying"  # 防欺凌
    ONLINE = "online"  # 网络安全
    EARTHQUAKE = "earthquake"  # 防震减灾
    OTHER = "other"  # 其他


class DrillKind(StrEnum):
    EVACUATION = "evacuation"  # 消防疏散
    EARTHQUAKE = "earthquake"  # 防震
    STAMPEDE = "stampede"  # 防踩踏
    OTHER = "other"  # 其他


class DrillScope(StrEnum):
    OWN = "own"  # a member logged the drill they took part in
    SCHOOL = "school"  # a secretary logged it once for everyone who took part


class SafetyProblem(InputProblem):
    """Input a safety record cannot hold; ``code`` names the message to show."""


class NotFound(LookupError):
    """No active record with this id belongs to the one asking."""


def problem_code(error: ValidationError) -> str:
    return code_of(error, SafetyProblem)


def check_date(on_date: date, today: date) -> date:
    if on_date > today:
        raise SafetyProblem("date_future")
    if on_date < today - MAX_AGE:
        raise SafetyProblem("date_old")
    return on_date


async def check_withdrawable(conn: aiosqlite.Connection, on_date: date, today: date) -> None:
    """A record dated ``on_date`` may be withdrawn only while its term is the current one,
    the term /safety lists (``terms.term_for`` today): a past term's 台账, star rating and
    points have been exported or inspected, and a withdrawal would change them after."""
    if not (await terms.term_for(conn, today)).contains(on_date):
        raise SafetyProblem("past_term")


def clean_class(text: str) -> str:
    """A class as typed, in one spelling (``names.class_spelling``)."""
    name = names.class_spelling(text)
    if not 1 <= len(name) <= CLASS_MAX:
        raise SafetyProblem("class_length")
    return name


def clean_role(text: str) -> str:
    role = " ".join(text.split())
    if not ROLE_MIN <= len(role) <= ROLE_MAX:
        raise SafetyProblem("role_length")
    return role


def check_students(value: int) -> int:
    if not STUDENTS_MIN <= value <= STUDENTS_MAX:
        raise SafetyProblem("students_range")
    return value


# --------------------------------------------------------------------------- models


class Entered(BaseModel):
    """A lesson or drill as entered on ``today`` (the deployment's local date): its day
    neither ahead of it nor too long past (``check_date``)."""

    on_date: date
    today: date = Field(exclude=True)

    @model_validator(mode="after")
    def _dated(self) -> Self:
        check_date(self.on_date, self.today)
        return self


class LessonFields(Entered):
    class_name: str
    topic: SafetyTopic
    students: int
    photo_file_id: str | None = Field(default=None, max_length=200)

    @field_validator("class_name")
    @classmethod
    def _class(cls, value: str) -> str:
        return clean_class(value)

    @field_validator("students")
    @classmethod
    def _students(cls, value: int) -> int:
        return check_students(value)


class DrillFields(Entered):
    kind: DrillKind


class Lesson(BaseModel):
    id: int
    member_id: int
    branch_id: int
    on_date: date
    class_name: str
    topic: SafetyTopic
    students: int
    photo_file_id: str | None = None
    status: str
    created_at: datetime
    withdrawn_at: datetime | None = None


class Drill(BaseModel):
    id: int
    branch_id: int
    on_date: date
    kind: DrillKind
    scope: DrillScope
    logged_by: int
    status: str
    created_at: datetime
    withdrawn_at: datetime | None = None


class MemberDrill(Drill):
    """A drill as one participant's list shows it, with their role."""

    member_id: int
    role: str | None = None


class Coverage(BaseModel):
    """One person's safety record for a term."""

    member_id: int
    name: str
    telegram_id: int
    lessons: int
    drills: int

    @property
    def done(self) -> bool:
        return self.lessons > 0 and self.drills > 0

    @property
    def missing_lesson(self) -> bool:
        return self.lessons == 0

    @property
    def missing_drill(self) -> bool:
        return self.drills == 0


class CoverageSummary(BaseModel):
    """A branch's term in numbers, for the digest and the ledger's summary."""

    members: int
    done: int
    missing_lesson: int
    missing_drill: int
    lessons: int
    drills: int
    students: int


# --------------------------------------------------------------------------- writes


async def log_lesson(
    tx: aiosqlite.Connection,
    *,
    member_id: int,
    branch_id: int,
    fields: LessonFields,
    now: datetime,
) -> Lesson:
    lesson_id = await audit.inserted(
        tx,
        "INSERT INTO safety_lessons (member_id, branch_id, on_date, class_name, topic, students,"
        " photo_file_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            member_id,
            branch_id,
            fields.on_date.isoformat(),
            fields.class_name,
            fields.topic.value,
            fields.students,
            fields.photo_file_id,
            to_iso(now),
        ),
        at=now,
        actor_id=member_id,
        action="safety.lesson_logged",
        entity="safety_lesson",
        on_date=fields.on_date.isoformat(),
        topic=fields.topic.value,
        students=fields.students,
    )
    return required(await get_lesson(tx, lesson_id))


async def withdraw_lesson(
    tx: aiosqlite.Connection, lesson_id: int, *, member_id: int, now: datetime, today: date
) -> None:
    """The member takes back a lesson they logged by mistake, in its term (``today`` is
    the deployment's local date)."""
    await _withdraw(tx, "lesson", lesson_id, "member_id", member_id, now, today)


async def log_own_drill(
    tx: aiosqlite.Connection,
    *,
    member_id: int,
    branch_id: int,
    fields: DrillFields,
    role: str,
    now: datetime,
) -> Drill:
    """A drill the member took part in, logged by themself, with their role in it."""
    clean = clean_role(role)
    drill = await _create_drill(
        tx, branch_id=branch_id, fields=fields, scope=DrillScope.OWN, actor_id=member_id, now=now
    )
    await _add_participant(tx, drill.id, member_id, role=clean, actor_id=member_id, now=now)
    return drill


async def log_school_drill(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    fields: DrillFields,
    participant_ids: list[int],
    actor_id: int,
    now: datetime,
) -> Drill:
    """A school drill a secretary logs once, with every branch member who took part."""
    if not participant_ids:
        raise SafetyProblem("no_participants")
    if not await members.all_participate(tx, branch_id, participant_ids):
        raise SafetyProblem("not_in_branch")
    drill = await _create_drill(
        tx, branch_id=branch_id, fields=fields, scope=DrillScope.SCHOOL, actor_id=actor_id,
        now=now,
    )  # fmt: skip
    for member_id in dict.fromkeys(participant_ids):
        await _add_participant(tx, drill.id, member_id, role=None, actor_id=actor_id, now=now)
    return drill


async def withdraw_drill(
    tx: aiosqlite.Connection, drill_id: int, *, actor_id: int, now: datetime, today: date
) -> None:
    """Withdraw a drill in its term: a member's own, or a school drill by its secretary."""
    await _withdraw(tx, "drill", drill_id, "logged_by", actor_id, now, today)


async def _withdraw(
    tx: aiosqlite.Connection,
    kind: str,
    record_id: int,
    owner: str,
    actor_id: int,
    now: datetime,
    today: date,
) -> None:
    """Withdraw an active lesson or drill (``kind``) of the person who logged it (the
    ``owner`` column); ``NotFound`` for anyone else's, or one withdrawn already;
    ``SafetyProblem("past_term")`` for one of a past term (``check_withdrawable``). The
    audit entry names the record by id and date, nothing of its content."""
    on_date = await fetch_value(
        tx,
        f"SELECT on_date FROM safety_{kind}s WHERE id = ? AND {owner} = ? AND status = 'active'",
        (record_id, actor_id),
    )
    if on_date is None:
        raise NotFound(record_id)
    await check_withdrawable(tx, date.fromisoformat(str(on_date)), today)
    await audit.changed(
        tx,
        f"UPDATE safety_{kind}s SET status = 'withdrawn', withdrawn_at = ?"
        f" WHERE id = ? AND {owner} = ? AND status = 'active'",
        (to_iso(now), record_id, actor_id),
        missing=NotFound(record_id),
        at=now, actor_id=actor_id, action=f"safety.{kind}_withdrawn", entity=f"safety_{kind}",
        entity_id=record_id, on_date=on_date,
    )  # fmt: skip


async def _create_drill(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    fields: DrillFields,
    scope: DrillScope,
    actor_id: int,
    now: datetime,
) -> Drill:
    drill_id = await audit.inserted(
        tx,
        "INSERT INTO safety_drills (branch_id, on_date, kind, scope, logged_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            branch_id,
            fields.on_date.isoformat(),
            fields.kind.value,
            scope.value,
            actor_id,
            to_iso(now),
        ),
        at=now,
        actor_id=actor_id,
        action="safety.drill_logged",
        entity="safety_drill",
        scope=scope.value,
        kind=fields.kind.value,
        on_date=fields.on_date.isoformat(),
    )
    return required(await get_drill(tx, drill_id))


async def _add_participant(
    tx: aiosqlite.Connection,
    drill_id: int,
    member_id: int,
    *,
    role: str | None,
    actor_id: int,
    now: datetime,
) -> None:
    await tx.execute(
        "INSERT INTO safety_drill_participants (drill_id, member_id, role, added_by, added_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (drill_id, member_id) DO NOTHING",
        (drill_id, member_id, role, actor_id, to_iso(now)),
    )


# --------------------------------------------------------------------------- reads


_LESSONS = Table("safety_lessons", Lesson)
Logged = TypeVar("Logged", Lesson, Drill)
_DRILLS = Table("safety_drills", Drill)


async def get_lesson(conn: aiosqlite.Connection, lesson_id: int) -> Lesson | None:
    return await _LESSONS.get(conn, lesson_id)


async def get_drill(conn: aiosqlite.Connection, drill_id: int) -> Drill | None:
    return await _DRILLS.get(conn, drill_id)


async def participants(conn: aiosqlite.Connection, drill_id: int) -> list[int]:
    rows = await conn.execute_fetchall(
        "SELECT member_id FROM safety_drill_participants WHERE drill_id = ? ORDER BY member_id",
        (drill_id,),
    )
    return [int(row[0]) for row in rows]


async def role_in(conn: aiosqlite.Connection, drill_id: int, member_id: int) -> str | None:
    """The role a member gave for their part in a drill (None in a school drill)."""
    value = await fetch_value(
        conn,
        "SELECT role FROM safety_drill_participants WHERE drill_id = ? AND member_id = ?",
        (drill_id, member_id),
    )
    return None if value is None else str(value)


async def lessons_for_member(
    conn: aiosqlite.Connection, member_id: int, term: Term
) -> list[Lesson]:
    return await _in_term(conn, _LESSONS, "member_id = ?", member_id, term)


async def drills_for_member(
    conn: aiosqlite.Connection, member_id: int, term: Term
) -> list[MemberDrill]:
    return await fetch_all(
        conn,
        MemberDrill,
        "SELECT d.*, p.member_id, p.role FROM safety_drills d"
        " JOIN safety_drill_participants p ON p.drill_id = d.id"
        " WHERE p.member_id = ? AND d.status = 'active' AND d.on_date BETWEEN ? AND ?"
        " ORDER BY d.on_date DESC, d.id DESC",
        (member_id, *term.bounds),
    )


async def drills_logged_by(conn: aiosqlite.Connection, member_id: int, term: Term) -> list[Drill]:
    """The active drills this person logged in ``term``: their own, and as a secretary the
    school drills they logged for others (the ones they may withdraw)."""
    return await _in_term(conn, _DRILLS, "logged_by = ?", member_id, term)


async def lessons_for_branch(
    conn: aiosqlite.Connection, branch_id: int, term: Term
) -> list[Lesson]:
    return await _in_term(conn, _LESSONS, "branch_id = ?", branch_id, term, order="on_date, id")


async def _in_term(
    conn: aiosqlite.Connection,
    table: Table[Logged],
    whose: str,
    owner_id: int,
    term: Term,
    *,
    order: str = "on_date DESC, id DESC",
) -> list[Logged]:
    """The active lessons or drills ``whose`` (a condition on ``owner_id``) held in ``term``."""
    return await table.all(
        conn,
        f"WHERE {whose} AND status = 'active' AND on_date BETWEEN ? AND ? ORDER BY {order}",
        (owner_id, *term.bounds),
    )


async def recent_classes(
    conn: aiosqlite.Connection, member_id: int, limit: int = RECENT_CLASSES
) -> list[str]:
    """Classes the member used before, in safety lessons or home visits, latest first."""
    rows = await conn.execute_fetchall(
        "SELECT class_name, MAX(at) AS last FROM ("
        " SELECT class_name, created_at AS at FROM safety_lessons WHERE member_id = ?"
        " UNION ALL SELECT class_name, created_at AS at FROM home_visits WHERE member_id = ?"
        ") GROUP BY class_name ORDER BY last DESC, class_name LIMIT ?",
        (member_id, member_id, limit),
    )
    return [str(row[0]) for row in rows]


_COVERAGE_SQL = f"""
SELECT m.id AS member_id, m.name, m.telegram_id, m.branch_id,
       (SELECT COUNT(*) FROM safety_lessons l WHERE l.member_id = m.id AND l.status = 'active'
          AND l.on_date BETWEEN ? AND ?) AS lessons,
       (SELECT COUNT(*) FROM safety_drill_participants p JOIN safety_drills d ON d.id = p.drill_id
          WHERE p.member_id = m.id AND d.status = 'active'
          AND d.on_date BETWEEN ? AND ?) AS drills
FROM members m
WHERE {members.participating("m")}
"""


# CROSS JOIN keeps the branches first, so each branch's term is read by its index.
_SUMMARY_SQL = """
WITH lessons AS MATERIALIZED (
    SELECT l.member_id, COUNT(*) AS n FROM branches b CROSS JOIN safety_lessons l
    WHERE l.branch_id = b.id AND l.on_date BETWEEN ? AND ? AND l.status = 'active'
    GROUP BY l.member_id
), drills AS MATERIALIZED (
    SELECT p.member_id, COUNT(*) AS n
    FROM branches b CROSS JOIN safety_drills d CROSS JOIN safety_drill_participants p
    WHERE d.branch_id = b.id AND p.drill_id = d.id AND d.on_date BETWEEN ? AND ?
      AND d.status = 'active'
    GROUP BY p.member_id
)
SELECT m.branch_id, COUNT(*), COUNT(CASE WHEN l.n > 0 AND d.n > 0 THEN 1 END),
       COUNT(CASE WHEN l.n IS NULL THEN 1 END), COUNT(CASE WHEN d.n IS NULL THEN 1 END)
FROM members m
LEFT JOIN lessons l ON l.member_id = m.id
LEFT JOIN drills d ON d.member_id = m.id
WHERE {participating} AND m.branch_id IN (SELECT value FROM json_each(?))
GROUP BY m.branch_id
"""


async def coverage(conn: aiosqlite.Connection, branch_id: int, term: Term) -> list[Coverage]:
    """Every active member of the branch with their lessons and drills in ``term``."""
    return await fetch_all(
        conn,
        Coverage,
        f"{_COVERAGE_SQL} AND m.branch_id = ? ORDER BY m.name, m.id",
        (*term.bounds, *term.bounds, branch_id),
    )


async def summary(
    conn: aiosqlite.Connection,
    branch_id: int,
    term: Term,
    lines: Sequence[Coverage] | None = None,
) -> CoverageSummary:
    """One branch's term in numbers, from its people's ``coverage`` (read by the member
    index: a branch's fifty people, not the bureau's term as ``summaries`` reads for a
    hundred branches at once); ``lines`` when the caller has read them already."""
    if lines is None:
        lines = await coverage(conn, branch_id, term)
    people = (
        len(lines),
        sum(line.done for line in lines),
        sum(line.missing_lesson for line in lines),
        sum(line.missing_drill for line in lines),
    )
    lessons, drills = await _held(conn, json.dumps([branch_id]), term)
    return _summary(people, lessons.get(branch_id, (0, 0)), drills.get(branch_id, 0))


async def summaries(
    conn: aiosqlite.Connection, branch_ids: Iterable[int], term: Term
) -> dict[int, CoverageSummary]:
    """``summary`` of each of these branches, in three queries for them all (the digests
    of the 1st ask for every branch)."""
    wanted = sorted(set(branch_ids))
    branches = json.dumps(wanted)
    # Each person's line counted in SQL: a row a branch, not one a person. The term's
    # lessons and drills are counted per person once, read by the branch indexes (every
    # branch: someone's may be in another branch), so the read stays the size of a term
    # however long the history (a person's drills read by person are all their years').
    people: dict[int, tuple[int, int, int, int]] = {}
    for row in await conn.execute_fetchall(
        _SUMMARY_SQL.format(participating=members.participating("m")),
        (*term.bounds, *term.bounds, branches),
    ):
        people[int(row[0])] = (int(row[1]), int(row[2]), int(row[3]), int(row[4]))
    lessons, drills = await _held(conn, branches, term)
    return {
        branch_id: _summary(
            people.get(branch_id, (0, 0, 0, 0)),
            lessons.get(branch_id, (0, 0)),
            drills.get(branch_id, 0),
        )
        for branch_id in wanted
    }


async def _held(
    conn: aiosqlite.Connection, branches: str, term: Term
) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """The term's lessons (how many, how many students) and drills of these branches (a
    JSON list), by branch."""
    lessons: dict[int, tuple[int, int]] = {}
    for row in await conn.execute_fetchall(
        "SELECT branch_id, COUNT(*), SUM(students) FROM safety_lessons"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND status = 'active'"
        " AND on_date BETWEEN ? AND ? GROUP BY branch_id",
        (branches, *term.bounds),
    ):
        lessons[int(row[0])] = (int(row[1]), int(row[2]))
    rows = await conn.execute_fetchall(
        "SELECT branch_id, COUNT(*) FROM safety_drills"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND status = 'active'"
        " AND on_date BETWEEN ? AND ? GROUP BY branch_id",
        (branches, *term.bounds),
    )
    return lessons, {int(row[0]): int(row[1]) for row in rows}


def _summary(
    people: tuple[int, int, int, int], lessons: tuple[int, int], drills: int
) -> CoverageSummary:
    members_, done, no_lesson, no_drill = people
    held, students = lessons
    return CoverageSummary(
        members=members_,
        done=done,
        missing_lesson=no_lesson,
        missing_drill=no_drill,
        lessons=held,
        drills=drills,
        students=students,
    )
