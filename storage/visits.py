"""Home visits (家访): what a member teacher logs, its edits, follow-ups and term targets.

A student is recorded by an alias the teacher chooses (never a full name; see
``looks_like_full_name``), with a class, how and whom the teacher met, the topics, and
optionally a note, a photo (a Telegram file id) and a follow-up date. The invariants live
on the models: no visit in the future, alias and class at most 20 characters, a note at
most 1000, at least one topic, a follow-up after the visit.

Edits are allowed for ``EDIT_WINDOW`` after logging and keep the replaced version in
``home_visit_versions``; after that the record is locked. Withdrawing marks a visit,
never deletes it. Follow-ups can be completed or postponed at any time.

The reminder engine calls ``follow_ups_due`` and ``behind_target_by_branch``; /mydata
(``storage.personal_data``) reads the visits and their ``VisitVersion`` rows. Audit
entries carry ids and field names only, never student data, because the audit log can
never be cleaned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import aiosqlite
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from storage import names, retention
from storage.clock import to_iso
from storage.members import participating
from storage.problems import InputProblem, code_of
from storage.rows import (
    JsonText,
    Table,
    changed_one,
    fetch_all,
    fetch_value,
    insert,
    required,
)
from storage.terms import Term

ALIAS_MAX = 20
CLASS_MAX = 20
NOTE_MAX = 1000
EDIT_WINDOW = timedelta(days=7)
# What an erased visit (past retention, or its teacher's data erased) shows and keeps.
ERASED_ALIAS = "—"
ERASED_CONTENT = '{"erased": true}'
POSTPONE = timedelta(days=7)
TARGET_MAX = 100
RECENT_CLASSES = 6


class Form(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


class Met(StrEnum):
    PARENTS = "parents"
    GRANDPARENTS = "grandparents"
    GUARDIAN = "guardian"


class Topic(StrEnum):
    STUDY = "study"
    SAFETY = "safety"
    HEALTH = "health"
    LEFT_BEHIND = "left_behind"
    HARDSHIP = "hardship"
    OTHER = "other"


class VisitProblem(InputProblem):
    """Input a visit cannot hold; ``code`` names the message the person is shown."""


class VisitLocked(Exception):
    """The edit window has passed (or the visit was withdrawn): the record is final."""


class VisitChanged(Exception):
    """Someone saved this visit since it was opened: the edit was based on an old version."""


# --------------------------------------------------------------------------- field rules


def clean_alias(text: str) -> str:
    alias = " ".join(text.split())
    if not alias:
        raise VisitProblem("alias_empty")
    if len(alias) > ALIAS_MAX:
        raise VisitProblem("alias_long")
    return alias


def clean_class(text: str) -> str:
    name = names.class_spelling(text)
    if not name:
        raise VisitProblem("class_empty")
    if len(name) > CLASS_MAX:
        raise VisitProblem("class_long")
    return name


def clean_note(text: str | None) -> str | None:
    if text is None:
        return None
    note = text.strip()
    if len(note) > NOTE_MAX:
        raise VisitProblem("note_long")
    return note or None


# The most common single and compound surnames. A short all-Han alias that starts with
# one, and has no marker such as 同学 or 某, is probably a real name: the teacher is
# warned (not refused: 王伟 may be the alias a class uses, and the teacher knows best).
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿"
    "关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍"
    "华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米"
    "柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "尉迟", "公孙",
    "夏侯", "端木", "长孙", "宇文", "司徒", "西门", "独孤", "南宫", "万俟", "闻人",
}  # fmt: skip
_ALIAS_MARKERS = ("同学", "某", "学生", "家长", "老师", "*", "x", "X", "○", "〇")


def looks_like_full_name(alias: str) -> bool:
    """True for aliases such as 王小明 that read like a student's real full name."""
    if any(marker in alias for marker in _ALIAS_MARKERS):
        return False
    if not all("\u4e00" <= ch <= "\u9fff" for ch in alias):
        return False
    if alias[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(alias) <= 4
    return alias[0] in _SURNAMES and 2 <= len(alias) <= 3


def suggest_alias(alias: str) -> str:
    """An alias to offer instead of what looks like a full name: 王小明 -> 王同学."""
    surname = alias[:2] if alias[:2] in _COMPOUND_SURNAMES else alias[:1]
    return f"{surname}同学"


def problem_code(error: ValidationError) -> str:
    """The ``VisitProblem`` code behind a model's validation error (or ``invalid``)."""
    return code_of(error, VisitProblem)


# --------------------------------------------------------------------------- models


class VisitFields(BaseModel):
    """What a teacher enters about one visit, with the rules that hold for every version."""

    visit_date: date
    student_alias: str
    class_name: str
    form: Form
    met: Met
    topics: Annotated[list[Topic], JsonText]
    note: str | None = None
    photo_file_id: str | None = Field(default=None, max_length=200)
    follow_up_on: date | None = None

    @field_validator("student_alias")
    @classmethod
    def _alias(cls, value: str) -> str:
        return clean_alias(value)

    @field_validator("class_name")
    @classmethod
    def _class(cls, value: str) -> str:
        return clean_class(value)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return clean_note(value)

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[Topic]) -> list[Topic]:
        if not value:
            raise VisitProblem("topics_empty")
        return [topic for topic in Topic if topic in value]  # one each, in menu order

    @model_validator(mode="after")
    def _follow_up_after_visit(self) -> VisitFields:
        if self.follow_up_on is not None and self.follow_up_on <= self.visit_date:
            raise VisitProblem("follow_up_early")
        return self

    def content(self) -> dict[str, Any]:
        """The entered fields as JSON values (what a version snapshot keeps)."""
        return self.model_dump(mode="json", include=set(VisitFields.model_fields))


class VisitContent(VisitFields):
    """Fields as entered on ``today`` (the deployment's local date): not in the future."""

    today: date = Field(exclude=True)

    @model_validator(mode="after")
    def _not_future(self) -> VisitContent:
        if self.visit_date > self.today:
            raise VisitProblem("date_future")
        return self


class HomeVisit(VisitFields):
    id: int
    member_id: int
    branch_id: int
    follow_up_done_at: datetime | None = None
    follow_up_note: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: int | None = None
    erased_at: datetime | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def locked(self, now: datetime) -> bool:
        """Past the edit window: kept as filed."""
        return now >= self.created_at + EDIT_WINDOW

    def editable(self, now: datetime) -> bool:
        return not self.withdrawn and not self.locked(now)

    @property
    def follow_up_open(self) -> bool:
        return (
            self.follow_up_on is not None and self.follow_up_done_at is None and not self.withdrawn
        )


class VisitVersion(BaseModel):
    visit_id: int
    version: int
    content: Annotated[dict[str, Any], JsonText]
    replaced_at: datetime
    replaced_by: int | None


class FollowUpDue(BaseModel):
    """An open follow-up for the reminder engine: whom to remind, about which visit."""

    visit_id: int
    member_id: int
    telegram_id: int
    due_on: date
    visit_date: date
    student_alias: str
    class_name: str

    @property
    def dedupe_key(self) -> str:
        """One reminder per visit and due date: a postponed follow-up is reminded again."""
        return f"visit_follow_up:{self.visit_id}:{self.due_on.isoformat()}"


class MemberProgress(BaseModel):
    """One branch person's visits in a term (and in the month of ``as_of``) against target."""

    member_id: int
    telegram_id: int
    name: str
    role: str
    term_count: int
    month_count: int
    target: int | None = None

    @property
    def behind(self) -> bool:
        return self.target is not None and self.term_count < self.target


class BranchProgress(BaseModel):
    """A branch's totals for the bureau and inspectors: counts only, no student data."""

    branch_id: int
    name: str
    people: int
    visits: int
    target: int | None = None
    at_target: int = 0
    none_this_month: int = 0


# --------------------------------------------------------------------------- writes


async def create(
    tx: aiosqlite.Connection,
    *,
    member_id: int,
    branch_id: int,
    content: VisitContent,
    term: Term,
    now: datetime,
) -> HomeVisit:
    if not term.contains(content.visit_date):
        raise VisitProblem("date_outside_term")
    fields = content.content()
    visit_id = await insert(
        tx,
        "INSERT INTO home_visits (member_id, branch_id, visit_date, student_alias, class_name,"
        " form, met, topics, note, photo_file_id, follow_up_on, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            member_id,
            branch_id,
            fields["visit_date"],
            fields["student_alias"],
            fields["class_name"],
            fields["form"],
            fields["met"],
            json.dumps(fields["topics"]),
            fields["note"],
            fields["photo_file_id"],
            fields["follow_up_on"],
            to_iso(now),
            to_iso(now),
        ),
    )
    return required(await get(tx, visit_id))


async def update(
    tx: aiosqlite.Connection,
    visit: HomeVisit,
    content: VisitContent,
    *,
    term: Term,
    actor_id: int,
    now: datetime,
) -> tuple[HomeVisit, list[str]]:
    """Replace the content, keeping the old version; returns the visit and changed fields.

    ``visit`` is the version the editor started from: if it was saved again meanwhile,
    ``VisitChanged``; if it is locked or withdrawn now, ``VisitLocked``.
    """
    current = await get(tx, visit.id)
    if current is None or not current.editable(now):
        raise VisitLocked()
    if current.version != visit.version:
        raise VisitChanged()
    if not term.contains(content.visit_date):
        raise VisitProblem("date_outside_term")
    before = current.content()
    after = content.content()
    changed = [name for name in after if after[name] != before[name]]
    if not changed:
        return current, []
    await tx.execute(
        "INSERT INTO home_visit_versions (visit_id, version, content, replaced_at, replaced_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            current.id,
            current.version,
            json.dumps(before, ensure_ascii=False),
            to_iso(now),
            actor_id,
        ),
    )
    await tx.execute(
        "UPDATE home_visits SET visit_date = ?, student_alias = ?, class_name = ?, form = ?,"
        " met = ?, topics = ?, note = ?, photo_file_id = ?, follow_up_on = ?,"
        " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        (
            after["visit_date"],
            after["student_alias"],
            after["class_name"],
            after["form"],
            after["met"],
            json.dumps(after["topics"]),
            after["note"],
            after["photo_file_id"],
            after["follow_up_on"],
            to_iso(now),
            current.id,
            current.version,
        ),
    )
    return required(await get(tx, visit.id)), changed


async def withdraw(
    tx: aiosqlite.Connection, visit_id: int, *, actor_id: int, now: datetime
) -> HomeVisit:
    current = await get(tx, visit_id)
    if current is None or not current.editable(now):
        raise VisitLocked()
    await tx.execute(
        "UPDATE home_visits SET withdrawn_at = ?, withdrawn_by = ?, updated_at = ?"
        " WHERE id = ? AND withdrawn_at IS NULL",
        (to_iso(now), actor_id, to_iso(now), visit_id),
    )
    return required(await get(tx, visit_id))


async def erase_student_data(
    tx: aiosqlite.Connection, up_to: date, now: datetime, limit: int
) -> retention.Erased:
    """Retention: erase the alias, note, photo and follow-up line of up to ``limit``
    visits made on or before ``up_to``, and the content of their earlier versions; a
    follow-up still open is closed (its date cleared), counted as ``follow_ups_closed``.
    The visit stays."""
    return await retention.erase_rows(
        tx,
        "home_visits",
        "visit_date <= ?",
        [up_to.isoformat()],
        limit,
        _erasing(now),
        _COUNTED,
    )


async def erase_for_members(
    tx: aiosqlite.Connection, member_ids: Sequence[int], now: datetime
) -> retention.Erased:
    """The same erasure for every visit of these memberships (a member who left asked)."""
    where, params = retention.of_members(member_ids)
    return await retention.erase_rows(
        tx, "home_visits", where, params, None, _erasing(now), _COUNTED
    )


def _erasing(now: datetime) -> list[tuple[str, list[Any]]]:
    # The statements erasing a batch of visits (home_visits_unerased finds retention's).
    # An open follow-up would otherwise stay on its teacher's list for ever, naming "—",
    # and [Postpone] there would bring its reminders back.
    return [
        ("UPDATE home_visits SET follow_up_on = NULL WHERE follow_up_on IS NOT NULL"
         " AND follow_up_done_at IS NULL AND withdrawn_at IS NULL AND id IN ({ids})",
         []),
        ("UPDATE home_visits SET student_alias = ?, note = NULL, photo_file_id = NULL,"
         " follow_up_note = NULL, erased_at = ? WHERE id IN ({ids})",
         [ERASED_ALIAS, to_iso(now)]),
        ("UPDATE home_visit_versions SET content = ? WHERE visit_id IN ({ids})",
         [ERASED_CONTENT]),
    ]  # fmt: skip


_COUNTED = {0: "follow_ups_closed"}  # _erasing's statements counted in the audit entry


async def complete_follow_up(
    tx: aiosqlite.Connection, visit_id: int, *, note: str | None, now: datetime
) -> bool:
    """Mark the follow-up done; False if there is no open one (done, withdrawn, none)."""
    clean = clean_note(note)
    return await changed_one(
        tx,
        "UPDATE home_visits SET follow_up_done_at = ?, follow_up_note = ?, updated_at = ?"
        " WHERE id = ? AND follow_up_on IS NOT NULL AND follow_up_done_at IS NULL"
        " AND withdrawn_at IS NULL",
        (to_iso(now), clean, to_iso(now), visit_id),
    )


async def postpone_follow_up(
    tx: aiosqlite.Connection,
    visit_id: int,
    *,
    today: date,
    now: datetime,
    from_date: date | None = None,
) -> tuple[date, bool] | None:
    """Move an open follow-up a week past its date (or past today, if already overdue).

    Returns the follow-up date and whether it moved; None if there is no open follow-up.
    ``from_date`` is the date the pressed button showed: if the follow-up has moved
    since (a second tap of the same button), it is left where it is.
    """
    visit = await get(tx, visit_id)
    if visit is None or not visit.follow_up_open or visit.follow_up_on is None:
        return None
    if from_date is not None and visit.follow_up_on != from_date:
        return visit.follow_up_on, False
    new_date = max(visit.follow_up_on, today) + POSTPONE
    await tx.execute(
        "UPDATE home_visits SET follow_up_on = ?, updated_at = ? WHERE id = ?",
        (new_date.isoformat(), to_iso(now), visit_id),
    )
    return new_date, True


async def set_target(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    target: int,
    set_by: int,
    today: date,
    now: datetime,
) -> None:
    if not 0 <= target <= TARGET_MAX:
        raise VisitProblem("target_range")
    await tx.execute(
        "INSERT INTO visit_targets (branch_id, target, set_on, set_by, set_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (branch_id, target, today.isoformat(), set_by, to_iso(now)),
    )


# --------------------------------------------------------------------------- reads


_VISITS = Table("home_visits", HomeVisit)


async def get(conn: aiosqlite.Connection, visit_id: int) -> HomeVisit | None:
    return await _VISITS.get(conn, visit_id)


_VERSIONS = Table("home_visit_versions", VisitVersion)


async def versions(conn: aiosqlite.Connection, visit_id: int) -> list[VisitVersion]:
    return await _VERSIONS.all(conn, "WHERE visit_id = ? ORDER BY version", (visit_id,))


async def list_for_member(
    conn: aiosqlite.Connection, member_id: int, term: Term, *, offset: int = 0, limit: int = 5
) -> list[HomeVisit]:
    """A member's visits dated in ``term`` (withdrawn ones too, marked), newest first."""
    return await _VISITS.all(
        conn,
        "WHERE member_id = ? AND visit_date BETWEEN ? AND ?"
        " ORDER BY visit_date DESC, id DESC LIMIT ? OFFSET ?",
        (member_id, *term.bounds, limit, offset),
    )


async def listed_for_member(conn: aiosqlite.Connection, member_id: int, term: Term) -> int:
    """How many rows ``list_for_member`` pages through."""
    value = await fetch_value(
        conn,
        "SELECT COUNT(*) FROM home_visits WHERE member_id = ? AND visit_date BETWEEN ? AND ?",
        (member_id, *term.bounds),
    )
    return int(value or 0)


async def count_for_member(conn: aiosqlite.Connection, member_id: int, term: Term) -> int:
    """Visits that count towards the target: in the term and not withdrawn."""
    value = await fetch_value(
        conn,
        "SELECT COUNT(*) FROM home_visits WHERE member_id = ? AND withdrawn_at IS NULL"
        " AND visit_date BETWEEN ? AND ?",
        (member_id, *term.bounds),
    )
    return int(value or 0)


async def has_visits(conn: aiosqlite.Connection, member_id: int) -> bool:
    return bool(
        await fetch_value(
            conn, "SELECT 1 FROM home_visits WHERE member_id = ? LIMIT 1", (member_id,)
        )
    )


async def open_follow_ups(conn: aiosqlite.Connection, member_id: int) -> list[HomeVisit]:
    """A member's follow-ups not yet done, soonest first (whatever term the visit was in)."""
    return await _VISITS.all(
        conn,
        "WHERE member_id = ? AND follow_up_on IS NOT NULL"
        " AND follow_up_done_at IS NULL AND withdrawn_at IS NULL ORDER BY follow_up_on, id",
        (member_id,),
    )


async def recent_classes(
    conn: aiosqlite.Connection, member_id: int, limit: int = RECENT_CLASSES
) -> list[str]:
    """The classes this member logged visits for, most recently used first."""
    rows = await conn.execute_fetchall(
        "SELECT class_name FROM home_visits WHERE member_id = ? GROUP BY class_name"
        " ORDER BY MAX(id) DESC LIMIT ?",
        (member_id, limit),
    )
    return [str(row[0]) for row in rows]


async def target_for(conn: aiosqlite.Connection, branch_id: int, term: Term) -> int | None:
    """The per-member target set for this branch during ``term``, or None if none was."""
    value = await fetch_value(
        conn,
        "SELECT target FROM visit_targets WHERE branch_id = ? AND set_on BETWEEN ? AND ?"
        " ORDER BY id DESC LIMIT 1",
        (branch_id, *term.bounds),
    )
    return None if value is None else int(value)


# Each active member's and secretary's visits in a term and in a month (parameters: the
# month's first day and last day counted, the term's start and end); a query adds its own
# conditions after the WHERE, and the GROUP BY m.id.
_PEOPLE_COUNTS = f"""
SELECT m.id AS member_id, m.telegram_id, m.name, m.role, m.branch_id,
       COUNT(v.id) AS term_count,
       COUNT(CASE WHEN v.visit_date BETWEEN ? AND ? THEN 1 END) AS month_count
FROM members m
LEFT JOIN home_visits v
       ON v.member_id = m.id AND v.withdrawn_at IS NULL AND v.visit_date BETWEEN ? AND ?
WHERE {participating("m")}
"""


async def branch_progress(
    conn: aiosqlite.Connection, branch_id: int, term: Term, as_of: date
) -> list[MemberProgress]:
    """Every active member and secretary of the branch with their counts, fewest first.

    The month is the calendar month of ``as_of`` up to that day.
    """
    target = await target_for(conn, branch_id, term)
    targets = {} if target is None else {branch_id: target}
    return (await progress_by_branch(conn, [branch_id], term, as_of, targets))[branch_id]


async def targets_by_branch(conn: aiosqlite.Connection, term: Term) -> dict[int, int]:
    """``target_for`` of every branch with a target set during ``term``, in one query."""
    targets: dict[int, int] = {}
    for row in await conn.execute_fetchall(
        "SELECT branch_id, target FROM visit_targets WHERE set_on BETWEEN ? AND ? ORDER BY id",
        term.bounds,
    ):
        targets[int(row[0])] = int(row[1])  # the latest set wins, as in ``target_for``
    return targets


async def progress_by_branch(
    conn: aiosqlite.Connection,
    branch_ids: Iterable[int],
    term: Term,
    as_of: date,
    targets: dict[int, int],
) -> dict[int, list[MemberProgress]]:
    """``branch_progress`` of each of these branches (``targets``: ``targets_by_branch``),
    in one query rather than one a branch."""
    wanted = sorted(set(branch_ids))
    month_first = as_of.replace(day=1)
    rows = await conn.execute_fetchall(
        f"{_PEOPLE_COUNTS} AND m.branch_id IN (SELECT value FROM json_each(?))"
        " GROUP BY m.id ORDER BY term_count, m.name",
        (
            month_first.isoformat(),
            as_of.isoformat(),
            term.start.isoformat(),
            term.end.isoformat(),
            json.dumps(wanted),
        ),
    )
    found: dict[int, list[MemberProgress]] = {branch_id: [] for branch_id in wanted}
    for row in rows:
        branch_id = int(row["branch_id"])
        found[branch_id].append(
            MemberProgress.model_validate({**dict(row), "target": targets.get(branch_id)})
        )
    return found


async def branch_totals(
    conn: aiosqlite.Connection,
    term: Term,
    as_of: date,
    branch_ids: Iterable[int] | None = None,
) -> list[BranchProgress]:
    """Counts per branch for the bureau and inspectors (and the digests), by branch name.

    The same counts as ``branch_progress`` (and the target as ``target_for``), for every
    branch (or these ones) in one query rather than two per branch.
    """
    month_first = as_of.replace(day=1)
    start, end = term.bounds
    people, branches, wanted = "", "", []
    if branch_ids is not None:
        people = " AND m.branch_id IN (SELECT value FROM json_each(?))"
        branches = " WHERE b.id IN (SELECT value FROM json_each(?))"
        wanted = [json.dumps(sorted(set(branch_ids)))]
    rows = await conn.execute_fetchall(
        f"""
        WITH people AS ({_PEOPLE_COUNTS}{people} GROUP BY m.id),
        targets AS (
            SELECT b.id AS branch_id,
                   (SELECT target FROM visit_targets t
                    WHERE t.branch_id = b.id AND t.set_on BETWEEN ? AND ?
                    ORDER BY t.id DESC LIMIT 1) AS target
            FROM branches b{branches}
        )
        SELECT b.id, b.name, tg.target,
               COUNT(p.member_id) AS people,
               COALESCE(SUM(p.term_count), 0) AS visits,
               COUNT(CASE WHEN tg.target IS NOT NULL AND p.term_count >= tg.target
                          THEN 1 END) AS at_target,
               COUNT(CASE WHEN p.month_count = 0 THEN 1 END) AS none_this_month
        FROM branches b
        JOIN targets tg ON tg.branch_id = b.id
        LEFT JOIN people p ON p.branch_id = b.id
        GROUP BY b.id
        ORDER BY b.name
        """,
        (month_first.isoformat(), as_of.isoformat(), start, end, *wanted, start, end, *wanted),
    )
    return [
        BranchProgress(
            branch_id=int(row[0]),
            name=str(row[1]),
            target=None if row[2] is None else int(row[2]),
            people=int(row[3]),
            visits=int(row[4]),
            at_target=int(row[5]),
            none_this_month=int(row[6]),
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- for reminders


async def follow_ups_due(
    conn: aiosqlite.Connection, on: date, since: date | None = None
) -> list[FollowUpDue]:
    """Open follow-ups due on or before ``on`` (and on or after ``since``) whose teacher
    is still active.

    Overdue ones are included so a missed day is not lost; send each once by
    ``FollowUpDue.dedupe_key`` (a postponed follow-up gets a new key). The reminder tick
    gives ``since``: the follow-ups' index holds every follow-up ever set, done ones too
    (100,000 at ten years), and it has no use for those past its horizon.
    """
    return await fetch_all(
        conn,
        FollowUpDue,
        """
        SELECT v.id AS visit_id, v.member_id, m.telegram_id, v.follow_up_on AS due_on,
               v.visit_date, v.student_alias, v.class_name
        FROM home_visits v JOIN members m ON m.id = v.member_id
        WHERE v.follow_up_on IS NOT NULL AND v.follow_up_on <= ? AND v.follow_up_on >= ?
          AND v.follow_up_done_at IS NULL AND v.withdrawn_at IS NULL
          AND m.status = 'active'
        ORDER BY v.follow_up_on, v.id
        """,
        (on.isoformat(), (since or date.min).isoformat()),
    )


async def members_behind_target(
    conn: aiosqlite.Connection, branch_id: int, term: Term, as_of: date
) -> list[MemberProgress]:
    """Active branch people with fewer visits in ``term`` than its target (none if unset)."""
    return [p for p in await branch_progress(conn, branch_id, term, as_of) if p.behind]


async def behind_target_by_branch(
    conn: aiosqlite.Connection, term: Term, as_of: date
) -> dict[int, list[MemberProgress]]:
    """``members_behind_target`` of every branch with a target, by branch, in two queries
    rather than two a branch (the reminder tick asks about them all, again whenever a
    visit is logged while the monthly nudges are useful)."""
    targets = await targets_by_branch(conn, term)
    if not targets:
        return {}
    progress = await progress_by_branch(conn, targets, term, as_of, targets)
    found: dict[int, list[MemberProgress]] = {}
    for branch_id, people in progress.items():
        behind = [p for p in people if p.behind]
        if behind:
            found[branch_id] = behind
    return found
