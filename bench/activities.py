"""The campaign's other activities over the years, for ``bench.scale``: 三会一课 meetings
with their attendance, safety lessons and drills, and 三联系 class links with their contacts.

Rows go in by bulk insert into the project's own tables, as in ``bench.scale``, and are
read back through the repositories there (``scale.READS``), whose models refuse a row
the code would not have written.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from storage.terms import Term

ZONE = ZoneInfo("Asia/Shanghai")
COMMITTEE = 5
"""Members on the branch committee (支委会): the secretary and the next four."""
LESSONS_PER_TERM = 2
DRILLS_PER_TERM = 2
DRILL_PARTICIPANTS = 10
CONTACTS_PER_LINK = 4
SAFETY_TOPICS = ["traffic", "fire", "drowning", "food", "bullying", "online", "earthquake"]
NAMES = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨帆", "赵敏"]
CONTACT_WAYS = ["talk", "visit", "phone", "online", "activity"]

# The tables filled here, with the columns given (the rest take their defaults).
MEETINGS = (
    "meetings",
    "id,lineage_id,branch_id,kind,on_date,start_time,end_time,place,topic,chair_id,"
    "chair_name,recorder_id,recorder_name,lecturer_id,lecturer_name,key_points,decisions,"
    "status,submitted_at,reviewed_by,reviewed_at,created_by,created_at,updated_at",
)
ATTENDANCE = (
    "meeting_attendance",
    "meeting_id,member_id,presence,absence_reason,marked_by,marked_at",
)
LINKS = (
    "links",
    "id,kind,member_id,branch_id,target_text,period,period_start,period_end,start_on,"
    "status,created_by,created_at,decided_by,decided_at",
)
CONTACTS = ("link_contacts", "link_id,on_date,how,note,logged_by,side_branch_id,created_at")


class History(Protocol):
    """What ``bench.scale``'s builder gives: the bureau's people and the span of history."""

    rng: random.Random
    start: date
    today: date

    def insert(self, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None: ...
    def secretary(self, branch_id: int) -> int: ...
    def branch_members(self, branch_id: int) -> range: ...
    @property
    def admin_id(self) -> int: ...
    @property
    def branches(self) -> range: ...


def fill(history: History) -> None:
    """Every activity from the first month of history up to yesterday."""
    meetings(history)
    terms = list(terms_between(history.start, history.today))
    safety(history, terms)
    links(history, terms)


def terms_between(start: date, today: date) -> Iterator[Term]:
    """The default terms (autumn 1 Sep–31 Jan, spring 1 Feb–31 Jul) begun by ``today``."""
    year = start.year - 1
    while True:
        for term in (
            Term(start=date(year, 2, 1), end=date(year, 7, 31)),
            Term(start=date(year, 9, 1), end=date(year + 1, 1, 31)),
        ):
            if term.start > today:
                return
            if term.end >= start:
                yield term
        year += 1


def _days_held(history: History, terms: list[Term]) -> Iterator[tuple[Term, int]]:
    """Each term begun before today, with how many of its days have passed."""
    for term in terms:
        days = (min(term.end, history.today - timedelta(days=1)) - term.start).days
        if days >= 1:
            yield term, days


def _name(member_id: int) -> str:
    """A name as typed in a meeting record (the members' own names here carry digits)."""
    return NAMES[member_id % len(NAMES)]


def _stamp(day: date, hour: int) -> str:
    """A local hour of ``day`` as stored (UTC ISO text)."""
    moment = datetime.combine(day, time(hour), tzinfo=ZONE)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- meetings


def meetings(history: History) -> None:
    """Each month a committee meeting (支委会); each quarter a general meeting (党员大会)
    and a party lecture (党课) for everyone; all recorded, approved by the bureau."""
    rng = history.rng
    rows: list[tuple[Any, ...]] = []
    attendance: list[tuple[Any, ...]] = []
    meeting_id = 0
    year, month = history.start.year, history.start.month
    while (year, month) < (history.today.year, history.today.month):
        for branch_id in history.branches:
            secretary = history.secretary(branch_id)
            people = history.branch_members(branch_id)
            held = [("committee", 10, people[:COMMITTEE])]
            if month % 3 == 0:
                held += [("general", 20, people), ("lecture", 25, people)]
            for kind, day_of_month, expected in held:
                meeting_id += 1
                on = date(year, month, day_of_month)
                submitted = _stamp(on + timedelta(days=1), 17)
                reviewed = _stamp(on + timedelta(days=3), 10)
                lecture = kind == "lecture"
                rows.append(
                    (
                        meeting_id,
                        meeting_id,
                        branch_id,
                        kind,
                        on.isoformat(),
                        "15:30",
                        "17:00",
                        "三楼会议室",
                        "学习党的二十届三中全会精神" if lecture else "研究本月党建工作",
                        secretary,
                        _name(secretary),
                        secretary + 1,
                        _name(secretary + 1),
                        secretary if lecture else None,
                        _name(secretary) if lecture else None,
                        "传达上级文件精神，结合学校实际讨论落实",
                        None if lecture else "按计划开展本月活动",
                        "approved",
                        submitted,
                        history.admin_id,
                        reviewed,
                        secretary,
                        _stamp(on, 18),
                        reviewed,
                    )
                )
                for member_id in expected:
                    present = rng.random() < 0.92
                    attendance.append(
                        (
                            meeting_id,
                            member_id,
                            "present" if present else "absent",
                            None if present else "外出培训",
                            secretary,
                            submitted,
                        )
                    )
        if len(attendance) >= 100_000:
            _flush_meetings(history, rows, attendance)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    _flush_meetings(history, rows, attendance)


def _flush_meetings(
    history: History, rows: list[tuple[Any, ...]], attendance: list[tuple[Any, ...]]
) -> None:
    # Attendance first: a trigger locks the attendance of an approved meeting.
    _flush(history, (ATTENDANCE, attendance), (MEETINGS, rows))


# --------------------------------------------------------------------------- safety


def safety(history: History, terms: list[Term]) -> None:
    """Each member gives two safety lessons a term; each branch holds two drills a term
    with ten of its members taking part."""
    rng = history.rng
    lessons: list[tuple[Any, ...]] = []
    drills: list[tuple[Any, ...]] = []
    participants: list[tuple[Any, ...]] = []
    for term, days in _days_held(history, terms):
        for branch_id in history.branches:
            secretary = history.secretary(branch_id)
            people = history.branch_members(branch_id)
            for member_id in people:
                for _ in range(LESSONS_PER_TERM):
                    on = term.start + timedelta(days=rng.randrange(days))
                    lessons.append(
                        (
                            member_id,
                            branch_id,
                            on.isoformat(),
                            rng.choice(["一(1)班", "三(2)班", "五(4)班"]),
                            rng.choice(SAFETY_TOPICS),
                            rng.randint(30, 50),
                            _stamp(on, 17),
                        )
                    )
            for _ in range(DRILLS_PER_TERM):
                on = term.start + timedelta(days=rng.randrange(days))
                drill_id = len(drills) + 1
                drills.append(
                    (
                        drill_id,
                        branch_id,
                        on.isoformat(),
                        "evacuation",
                        "own",
                        secretary,
                        _stamp(on, 17),
                    )
                )
                for member_id in rng.sample(people, min(DRILL_PARTICIPANTS, len(people))):
                    participants.append((drill_id, member_id, secretary, _stamp(on, 17)))
    history.insert(
        "safety_lessons",
        "member_id,branch_id,on_date,class_name,topic,students,created_at",
        lessons,
    )
    history.insert("safety_drills", "id,branch_id,on_date,kind,scope,logged_by,created_at", drills)
    history.insert(
        "safety_drill_participants", "drill_id,member_id,added_by,added_at", participants
    )


# --------------------------------------------------------------------------- links


def links(history: History, terms: list[Term]) -> None:
    """Each member links with one class a term (三联系-班级) and logs four contacts in it."""
    rng = history.rng
    rows: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    link_id = 0
    for term, days in _days_held(history, terms):
        for branch_id in history.branches:
            secretary = history.secretary(branch_id)
            for member_id in history.branch_members(branch_id):
                link_id += 1
                created = _stamp(term.start, 9)
                rows.append(
                    (
                        link_id,
                        "class",
                        member_id,
                        branch_id,
                        rng.choice(["一(1)班", "三(2)班", "五(4)班"]),
                        "term",
                        term.start.isoformat(),
                        term.end.isoformat(),
                        term.start.isoformat(),
                        "active",
                        member_id,
                        created,
                        secretary,
                        created,
                    )
                )
                for _ in range(CONTACTS_PER_LINK):
                    on = term.start + timedelta(days=rng.randrange(days))
                    contacts.append(
                        (
                            link_id,
                            on.isoformat(),
                            rng.choice(CONTACT_WAYS),
                            "与班主任交流学生近况" if rng.random() < 0.5 else None,
                            member_id,
                            branch_id,
                            _stamp(on, 18),
                        )
                    )
        if len(contacts) >= 100_000:
            _flush_links(history, rows, contacts)
    _flush_links(history, rows, contacts)


def _flush_links(
    history: History, rows: list[tuple[Any, ...]], contacts: list[tuple[Any, ...]]
) -> None:
    _flush(history, (LINKS, rows), (CONTACTS, contacts))


def _flush(history: History, *batches: tuple[tuple[str, str], list[tuple[Any, ...]]]) -> None:
    """Insert each batch into its table (table, columns), in order, and empty the lists."""
    for (table, columns), rows in batches:
        history.insert(table, columns, rows)
    for _, rows in batches:
        rows.clear()
