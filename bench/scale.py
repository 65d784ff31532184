"""A bureau's history as a database, and how long every user-facing read takes on it.

``python -m bench.scale`` builds (once; cached under ``bench/out/`` by schema version and
size) a database of 100 branches × 50 members with one year and with ten years of
history, then times the repository calls behind each screen on both and prints them side
by side: a read that grows with history shows a ratio well above 1.

    python -m bench.scale [--branches 100] [--members 50] [--years 1 10] [--repeat 5]

The schema comes from the project's own migrations (``Database.open``); the rows are
bulk inserts into exactly those tables (the storage functions would take hours for 5
million rows), and ``validate`` reads a sample back through the repositories, whose
pydantic models refuse anything the code would not have written. ``bench.storm`` and
the EXPLAIN test (``tests/test_query_plans.py``) build their databases here too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import activities
from storage import (
    audit,
    branches,
    link_rules,
    links,
    meetings,
    members,
    outbox,
    partyday,
    personal_data,
    pledges,
    points,
    prefs,
    reminders,
    safety,
    service,
    terms,
    todo,
    visits,
)
from storage.database import Database
from storage.migrations import load_migrations
from storage.partyday_rules import DayRule, plan

OUT = Path(__file__).parent / "out"
ZONE = ZoneInfo("Asia/Shanghai")
# The worst hour starts here: 09:00 on the 1st, the party day on Friday the 4th, so its
# D-3 announcement is due at this very minute (see bench/storm.py).
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)
PARTY_DAY = 4
# The month's last week, no link contacted since the 1st: the bureau's worst day for links.
LATE = date(2026, 12, 28)
TELEGRAM_BASE = 100_000
ADMIN_TELEGRAM_ID = 1

HISTORY = 2
"""What the history holds: 2 added meetings, safety and links (an older file gains them)."""
VISITS_PER_YEAR = 20
SERVICES_PER_YEAR = 10
UPDATES_PER_PLEDGE = 3
ALIASES = ["小明", "小红", "阳阳", "乐乐", "豆豆", "佳佳", "Tom", "小雨", "天天", "果果"]
CLASSES = ["一(1)班", "二(3)班", "三(2)班", "四(1)班", "五(4)班", "六(2)班"]
TOPICS = ["study", "safety", "health", "left_behind", "hardship", "other"]


@dataclass(frozen=True)
class Size:
    branches: int = 100
    members: int = 50
    years: int = 10

    @property
    def people(self) -> int:
        return self.branches * self.members

    def path(self, directory: Path = OUT) -> Path:
        version = len(load_migrations())
        name = f"scale-v{version}-h{HISTORY}-{self.branches}x{self.members}-{self.years}y.sqlite3"
        return directory / name


async def ensure(
    size: Size, *, directory: Path = OUT, rebuild: bool = False, quiet: bool = False
) -> Path:
    """The database of this size, built if it is not cached yet (or ``rebuild``)."""
    path = size.path(directory)
    if path.exists() and not rebuild:
        return path
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before minutes of work
    partial = path.with_suffix(".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    older = None if rebuild else _older_version(size, directory)
    if older is not None:
        # The same history under an older schema: upgrading it is what a deployment does
        # (the project's migrations, at open) and takes seconds rather than minutes.
        shutil.copyfile(older, partial)
        async with Database(partial):
            pass  # the project's migrations bring the copy up to date
        _fill_missing(partial, size)
    else:
        async with Database(partial):
            pass  # the project's migrations make the schema
        _fill(partial, size)
    async with Database(partial) as db:
        await validate(db, size)
    partial.replace(path)
    if not quiet:
        megabytes = path.stat().st_size / 2**20
        print(f"built {path.name}: {megabytes:.0f} MiB in {time.perf_counter() - started:.0f} s")
    return path


def reads_english(member_id: int) -> bool:
    """One member in five chose English."""
    return member_id % 5 == 0


def _older_version(size: Size, directory: Path) -> Path | None:
    suffix = size.path(directory).name.rsplit("-", 2)
    found = sorted(
        directory.glob(f"scale-v*-{suffix[-2]}-{suffix[-1]}"),
        key=lambda path: (int(path.name.split("-")[1][1:]), path.name.count("-")),
    )
    return found[-1] if found else None


# --------------------------------------------------------------------------- the rows


def _fill(path: Path, size: Size) -> None:
    _filling(path, size, lambda builder: builder.build())


def _fill_missing(path: Path, size: Size) -> None:
    """What an older cached history lacks (``HISTORY`` 1 had no meetings, safety, links)."""

    def missing(builder: _Builder) -> None:
        if not builder.conn.execute("SELECT 1 FROM meetings LIMIT 1").fetchone():
            activities.fill(builder)

    _filling(path, size, missing)


def _filling(path: Path, size: Size, work: Callable[[_Builder], None]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    conn.execute("BEGIN")
    work(_Builder(conn, size))
    conn.execute("COMMIT")
    # No ANALYZE: the bot never runs it, so the planner here chooses as it does there.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), tzinfo=ZONE)


class _Builder:
    """Deterministic history (seeded): the same size always gives the same rows."""

    def __init__(self, conn: sqlite3.Connection, size: Size) -> None:
        self.conn = conn
        self.size = size
        self.rng = random.Random(20261201)
        self.today = NOW.date()
        self.start = date(self.today.year - size.years, self.today.month, 1)
        self.audit: list[tuple[Any, ...]] = []
        self.audit_id = 0

    def build(self) -> None:
        self.people()
        months = self.party_days()
        self.replies_and_checkins(months)
        self.home_visits()
        self.pledges()
        self.outbox(months)
        activities.fill(self)
        self.flush_audit(force=True)
        # Reminders ran a minute ago: the next tick covers just the coming minute.
        self.conn.execute(
            "INSERT INTO reminder_state (name, value, updated_at) VALUES ('last_run', ?, ?)",
            (_iso(NOW - timedelta(minutes=1)), _iso(NOW - timedelta(minutes=1))),
        )

    def insert(self, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        marks = ",".join("?" * len(columns.split(",")))
        self.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def log(
        self, at: datetime, actor: int, action: str, entity: str, entity_id: int, **detail: Any
    ) -> None:
        self.audit_id += 1
        self.audit.append(
            (
                self.audit_id,
                _iso(at),
                actor,
                action,
                entity,
                str(entity_id),
                json.dumps(detail, ensure_ascii=False),
            )
        )
        self.flush_audit()

    def flush_audit(self, *, force: bool = False) -> None:
        if len(self.audit) >= 100_000 or (force and self.audit):
            self.insert("audit_log", "id,at,actor_id,action,entity,entity_id,detail", self.audit)
            self.audit.clear()

    # ----------------------------------------------------------------- people

    def people(self) -> None:
        created = _iso(_at(self.start, 8))
        self.insert(
            "branches",
            "id,name,notice_chat_id,created_at",
            [(b, f"第{b}党支部", None, created) for b in range(1, self.size.branches + 1)],
        )
        rows, langs = [], []
        for b in range(1, self.size.branches + 1):
            for n in range(self.size.members):
                member_id = (b - 1) * self.size.members + n + 1
                role = "secretary" if n == 0 else "member"
                rows.append(
                    (
                        member_id,
                        TELEGRAM_BASE + member_id,
                        f"教师{member_id}",
                        role,
                        b,
                        "班主任" if n % 3 == 0 else None,
                        "active",
                        None,
                        created,
                        None,
                    )
                )
                if reads_english(member_id):
                    langs.append((TELEGRAM_BASE + member_id, "en", created))
        rows.append(
            (
                self.admin_id,
                ADMIN_TELEGRAM_ID,
                "管理员",
                "admin",
                None,
                None,
                "active",
                None,
                created,
                None,
            )
        )
        self.insert(
            "members",
            "id,telegram_id,name,role,branch_id,post,status,unreachable_at,joined_at,left_at",
            rows,
        )
        self.insert("user_prefs", "telegram_id,language,updated_at", langs)
        self.insert(
            "visit_targets",
            "branch_id,target,set_on,set_by,set_at",
            [
                (b, 8, self.start.isoformat(), self.secretary(b), created)
                for b in range(1, self.size.branches + 1)
            ],
        )
        self.insert(
            "party_day_rules",
            "branch_id,kind,day,nth,weekday,start_time,place,created_by,created_at,replaced_at",
            [
                (
                    b,
                    "day",
                    PARTY_DAY,
                    None,
                    None,
                    "15:00",
                    "三楼会议室",
                    self.secretary(b),
                    created,
                    None,
                )
                for b in range(1, self.size.branches + 1)
            ],
        )

    @property
    def admin_id(self) -> int:
        """The bureau's one admin, after every branch's members."""
        return self.size.people + 1

    @property
    def branches(self) -> range:
        return range(1, self.size.branches + 1)

    def secretary(self, branch_id: int) -> int:
        return (branch_id - 1) * self.size.members + 1

    def branch_members(self, branch_id: int) -> range:
        first = self.secretary(branch_id)
        return range(first, first + self.size.members)

    def branch_of(self, member_id: int) -> int:
        return (member_id - 1) // self.size.members + 1

    # ----------------------------------------------------------------- party days

    def party_days(self) -> list[tuple[int, int, date]]:
        """One announced month row per branch and past month: (month id, branch, day)."""
        rule = DayRule(kind="day", day=PARTY_DAY)
        months, rows = [], []
        month_id = 0
        year, month = self.start.year, self.start.month
        while (year, month) < (self.today.year, self.today.month):
            day = plan(rule, year, month).date
            for b in range(1, self.size.branches + 1):
                month_id += 1
                announced = _iso(_at(day - timedelta(days=3), 9))
                rows.append(
                    (
                        month_id,
                        b,
                        f"{year:04d}-{month:02d}",
                        "planned",
                        day.isoformat(),
                        None,
                        None,
                        None,
                        None,
                        announced,
                        None,
                        announced,
                    )
                )
                months.append((month_id, b, day))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        self.insert(
            "party_day_months",
            "id,branch_id,month,status,day,start_time,place,theme,reason,announced_at,"
            "updated_by,updated_at",
            rows,
        )
        return months

    def replies_and_checkins(self, months: list[tuple[int, int, date]]) -> None:
        rng = self.rng
        replies, checkins, services, versions = [], [], [], []
        reply_id = checkin_id = 0
        self.service_id = 0
        for month_id, branch_id, day in months:
            for member_id in self.branch_members(branch_id):
                if rng.random() < 0.05:
                    continue  # never answered
                reply_id += 1
                answered = _at(day - timedelta(days=rng.randint(1, 3)), rng.randint(9, 20))
                if rng.random() < 0.12:
                    reason = rng.choice(["teaching", "illness", "family", "official", "other"])
                    replies.append(
                        (
                            reply_id,
                            month_id,
                            member_id,
                            "leave",
                            reason,
                            None,
                            "approved",
                            self.secretary(branch_id),
                            _iso(answered + timedelta(hours=2)),
                            2,
                            _iso(answered),
                            _iso(answered + timedelta(hours=2)),
                        )
                    )
                    if rng.random() < 0.5:
                        on = day + timedelta(days=rng.randint(1, 20))
                        if on < self.today:
                            self.service(
                                member_id, branch_id, on, services, versions, makeup=month_id
                            )
                else:
                    replies.append(
                        (
                            reply_id,
                            month_id,
                            member_id,
                            "attend",
                            None,
                            None,
                            None,
                            None,
                            None,
                            1,
                            _iso(answered),
                            _iso(answered),
                        )
                    )
                    if rng.random() < 0.9:
                        checkin_id += 1
                        at = _at(day, 14, rng.randint(40, 59))
                        checkins.append(
                            (
                                checkin_id,
                                month_id,
                                member_id,
                                "location",
                                30.27,
                                120.15,
                                None,
                                None,
                                _iso(at),
                            )
                        )
                        self.log(
                            at,
                            member_id,
                            "partyday.checked_in",
                            "party_day_checkin",
                            checkin_id,
                            month_id=month_id,
                            member_id=member_id,
                            method="location",
                        )
                self.log(
                    answered,
                    member_id,
                    "partyday.replied",
                    "party_day_reply",
                    reply_id,
                    month_id=month_id,
                    answer=replies[-1][3],
                )
        self.insert(
            "party_day_replies",
            "id,month_id,member_id,answer,reason_kind,reason_text,approval,decided_by,"
            "decided_at,rev,answered_at,updated_at",
            replies,
        )
        self.insert(
            "party_day_checkins",
            "id,month_id,member_id,method,latitude,longitude,photo_file_id,marked_by,at",
            checkins,
        )
        days = (self.today - self.start).days
        for member_id in range(1, self.size.people + 1):
            branch_id = self.branch_of(member_id)
            for _ in range(SERVICES_PER_YEAR * self.size.years):
                on = self.start + timedelta(days=rng.randrange(days))
                self.service(member_id, branch_id, on, services, versions)
        self.insert(
            "service_logs",
            "id,member_id,branch_id,kind,on_date,hours,description,photo_file_id,"
            "party_month_id,makeup_month_id,logged_on,status,created_at,updated_at,withdrawn_at",
            services,
        )
        self.insert(
            "service_log_versions",
            "log_id,kind,on_date,hours,description,photo_file_id,party_month_id,replaced_by,"
            "replaced_at",
            versions,
        )

    def service(
        self,
        member_id: int,
        branch_id: int,
        on: date,
        rows: list[tuple[Any, ...]],
        versions: list[tuple[Any, ...]],
        *,
        makeup: int | None = None,
    ) -> None:
        rng = self.rng
        self.service_id += 1
        logged = min(on + timedelta(days=rng.randint(0, 2)), self.today - timedelta(days=1))
        at = _at(logged, 20)
        kind = rng.choice(["volunteer", "pairing", "outreach", "cleanup", "study", "other"])
        hours = rng.choice([1.0, 1.5, 2.0, 3.0])
        withdrawn = rng.random() < 0.02
        rows.append(
            (
                self.service_id,
                member_id,
                branch_id,
                kind,
                on.isoformat(),
                hours,
                "社区志愿服务：帮助留守儿童辅导作业",
                None,
                None,
                makeup,
                logged.isoformat(),
                "withdrawn" if withdrawn else "active",
                _iso(at),
                _iso(at),
                _iso(at) if withdrawn else None,
            )
        )
        if rng.random() < 0.03:
            versions.append(
                (
                    self.service_id,
                    kind,
                    on.isoformat(),
                    hours,
                    "社区服务",
                    None,
                    None,
                    member_id,
                    _iso(at),
                )
            )
        self.log(
            at,
            member_id,
            "service.logged",
            "service_log",
            self.service_id,
            branch_id=branch_id,
            kind=kind,
            on_date=on.isoformat(),
        )

    # ----------------------------------------------------------------- home visits

    def home_visits(self) -> None:
        rng = self.rng
        days = (self.today - self.start).days
        rows, versions = [], []
        visit_id = 0
        for member_id in range(1, self.size.people + 1):
            branch_id = self.branch_of(member_id)
            for _ in range(VISITS_PER_YEAR * self.size.years):
                visit_id += 1
                on = self.start + timedelta(days=rng.randrange(days))
                at = _iso(_at(on, 19))
                follow = on + timedelta(days=14) if rng.random() < 0.1 else None
                done = (
                    _iso(_at(follow, 18))
                    if follow is not None and follow < self.today - timedelta(days=7)
                    else None
                )
                edited = rng.random() < 0.03
                topics = json.dumps(rng.sample(TOPICS, rng.randint(1, 2)))
                rows.append(
                    (
                        visit_id,
                        member_id,
                        branch_id,
                        on.isoformat(),
                        rng.choice(ALIASES),
                        rng.choice(CLASSES),
                        rng.choice(["in_person", "phone", "video"]),
                        rng.choice(["parents", "grandparents", "guardian"]),
                        topics,
                        "家长配合，孩子近期学习状态好转" if rng.random() < 0.3 else None,
                        None,
                        None if follow is None else follow.isoformat(),
                        done,
                        "已回访" if done else None,
                        2 if edited else 1,
                        at,
                        at,
                        None,
                        None,
                    )
                )
                if edited:
                    content = {"visit_date": on.isoformat(), "topics": json.loads(topics)}
                    versions.append((visit_id, 1, json.dumps(content), at, member_id))
            if len(rows) >= 100_000:
                self.flush_visits(rows, versions)
        self.flush_visits(rows, versions)

    def flush_visits(self, rows: list[tuple[Any, ...]], versions: list[tuple[Any, ...]]) -> None:
        self.insert(
            "home_visits",
            "id,member_id,branch_id,visit_date,student_alias,class_name,form,met,topics,note,"
            "photo_file_id,follow_up_on,follow_up_done_at,follow_up_note,version,created_at,"
            "updated_at,withdrawn_at,withdrawn_by",
            rows,
        )
        self.insert(
            "home_visit_versions", "visit_id,version,content,replaced_at,replaced_by", versions
        )
        rows.clear()
        versions.clear()

    # ----------------------------------------------------------------- pledges

    def pledges(self) -> None:
        rng = self.rng
        rows, updates = [], []
        pledge_id = update_id = 0
        for year in range(self.start.year + 1, self.today.year + 1):
            current = year == self.today.year
            for member_id in range(1, self.size.people + 1):
                pledge_id += 1
                branch_id = self.branch_of(member_id)
                secretary = self.secretary(branch_id)
                drafted = _at(date(year, 1, rng.randint(5, 25)), 20)
                reviewed = drafted + timedelta(days=2)
                evaluated = None if current else _iso(_at(date(year, 12, 28), 10))
                rows.append(
                    (
                        pledge_id,
                        member_id,
                        branch_id,
                        str(year),
                        rng.choice(["teaching", "innovation", "caring", "serving", "other"]),
                        "本学年所带班级数学平均分提高五分，每周为后进生义务辅导两次",
                        json.dumps(["每周辅导两次", "每月家访一次"], ensure_ascii=False),
                        f"{year}-12-31",
                        "published" if current else "evaluated",
                        _iso(drafted),
                        None,
                        secretary,
                        _iso(reviewed),
                        _iso(reviewed),
                        None,
                        None,
                        None,
                        None,
                        None,
                        None if current else "good",
                        None if current else "完成较好",
                        None if current else secretary,
                        evaluated,
                        None,
                        _iso(drafted),
                        evaluated or _iso(reviewed),
                    )
                )
                self.log(
                    drafted, member_id, "pledge.drafted", "pledge", pledge_id, period=str(year)
                )
                self.log(reviewed, secretary, "pledge.approved", "pledge", pledge_id)
                for n in range(UPDATES_PER_PLEDGE):
                    at = _at(date(year, 3 + 3 * n, rng.randint(1, 28)), 21)
                    if at >= NOW:
                        continue
                    update_id += 1
                    updates.append(
                        (update_id, pledge_id, member_id, _iso(at), "本月辅导学生八次", None)
                    )
                    self.log(
                        at,
                        member_id,
                        "pledge.progress",
                        "pledge",
                        pledge_id,
                        update_id=update_id,
                        photo=False,
                    )
        self.insert(
            "pledges",
            "id,member_id,branch_id,period,category,text,measures,target_date,status,"
            "submitted_at,return_note,reviewed_by,reviewed_at,published_at,notice_chat_id,"
            "notice_message_id,fulfilled_at,fulfil_summary,self_assessment,rating,"
            "evaluation_comment,evaluated_by,evaluated_at,withdrawn_at,created_at,updated_at",
            rows,
        )
        self.insert("pledge_updates", "id,pledge_id,member_id,at,text,photo_file_id", updates)

    # ----------------------------------------------------------------- outbox

    def outbox(self, months: list[tuple[int, int, date]]) -> None:
        """What the reminders sent: each month's announcement and morning reminder to every
        participant and the digest to each secretary, all delivered."""
        rows: list[tuple[Any, ...]] = []
        message = 0
        for _, branch_id, day in months:
            announce = _at(day - timedelta(days=3), 9)
            morning = _at(day, 8)
            base = f"partyday:{branch_id}:{day.isoformat()}"
            for member_id in self.branch_members(branch_id):
                chat = TELEGRAM_BASE + member_id
                for kind, key, at in (
                    ("partyday.announce", f"{base}:{member_id}", announce),
                    ("partyday.morning", f"{base}:morning:{member_id}", morning),
                ):
                    message += 1
                    rows.append(
                        (
                            chat,
                            member_id,
                            kind,
                            f"<b>党日活动</b> {day:%m月%d日} 15:00 三楼会议室",
                            None,
                            None,
                            key,
                            _iso(at),
                            _iso(at),
                            "sent",
                            1,
                            0,
                            None,
                            _iso(at + timedelta(seconds=30)),
                            message,
                            None,
                        )
                    )
            # The month's digest went to the secretary on the 1st of the next month.
            sent_on = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            if sent_on < self.today:
                secretary = self.secretary(branch_id)
                at = _at(sent_on, 9)
                message += 1
                rows.append(
                    (
                        TELEGRAM_BASE + secretary,
                        secretary,
                        "digest",
                        "<b>上月小结</b>",
                        None,
                        None,
                        f"digest:{branch_id}:{day:%Y-%m}:{secretary}",
                        _iso(at),
                        _iso(at),
                        "sent",
                        1,
                        0,
                        None,
                        _iso(at + timedelta(seconds=30)),
                        message,
                        None,
                    )
                )
            if len(rows) >= 100_000:
                self.flush_outbox(rows)
        self.flush_outbox(rows)

    def flush_outbox(self, rows: list[tuple[Any, ...]]) -> None:
        self.insert(
            "outbox",
            "chat_id,member_id,kind,text,buttons,photo,dedupe_key,not_before,created_at,status,"
            "attempts,flood_waits,last_error,sent_at,telegram_message_id,expires_at",
            rows,
        )
        rows.clear()


# --------------------------------------------------------------------------- the reads


async def validate(db: Database, size: Size) -> None:
    """Read a sample back through the repositories: their models refuse a bad row."""
    async with db.read() as conn:
        person = await members.get_active_by_telegram(conn, TELEGRAM_BASE + size.members + 2)
        assert person is not None and person.branch_id == 2, person
        for read in READS:
            await read.call(conn, size)
        count = await conn.execute_fetchall("SELECT COUNT(*) FROM home_visits")
        assert next(iter(count))[0] == size.people * VISITS_PER_YEAR * size.years
        attended = await meetings.for_member(conn, _member(size), NOW.year)
        assert attended, "the history holds no meetings"


@dataclass(frozen=True)
class Read:
    name: str
    """What a user does to cause it."""
    call: Callable[[Any, Size], Awaitable[object]]
    user: bool = True
    """Someone waits for it in Telegram (False: an operator's command line)."""


def _member(size: Size) -> int:
    """A member in the middle of the bureau (not a secretary)."""
    return (size.branches // 2 - 1) * size.members + 7


def _branch(size: Size) -> int:
    return size.branches // 2


async def _mydata(conn: Any, size: Size) -> object:
    return await personal_data.for_account(conn, TELEGRAM_BASE + _member(size))


async def _identify(conn: Any, size: Size) -> object:
    telegram_id = TELEGRAM_BASE + _member(size)
    return (
        await members.get_active_by_telegram(conn, telegram_id),
        await prefs.get_language(conn, telegram_id),
    )


async def _roster(conn: Any, size: Size) -> object:
    last = NOW.date().replace(day=1) - timedelta(days=1)
    day = await partyday.party_day(conn, _branch(size), last.year, last.month)
    assert day is not None
    return await partyday.roster(conn, day)


async def _digest(conn: Any, size: Size) -> object:
    last = NOW.date().replace(day=1) - timedelta(days=1)
    return await reminders.digest(conn, _branch(size), last.replace(day=1), ZONE)


async def _visits_list(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    member_id = _member(size)
    return (
        await visits.list_for_member(conn, member_id, term),
        await visits.listed_for_member(conn, member_id, term),
        await visits.count_for_member(conn, member_id, term),
        await visits.open_follow_ups(conn, member_id),
        await visits.recent_classes(conn, member_id),
    )


async def _visits_board(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    return (
        await visits.branch_progress(conn, _branch(size), term, NOW.date()),
        await visits.target_for(conn, _branch(size), term),
    )


async def _bureau_board(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    return await visits.branch_totals(conn, term, NOW.date())


async def _service_history(conn: Any, size: Size) -> object:
    member_id = _member(size)
    return (
        await service.recent(conn, member_id, NOW - timedelta(days=90)),
        await service.hours_by_month(conn, member_id, NOW.year),
    )


async def _pledges_mine(conn: Any, size: Size) -> object:
    member_id = _member(size)
    mine = await pledges.for_member(conn, member_id)
    return mine, [await pledges.updates(conn, row.id) for row in mine[:3]]


async def _pledges_branch(conn: Any, size: Size) -> object:
    return (
        await pledges.for_branch(conn, _branch(size), str(NOW.year)),
        await pledges.members_without_pledge(conn, _branch(size), str(NOW.year)),
    )


async def _partyday_screen(conn: Any, size: Size) -> object:
    days = await partyday.upcoming(conn, _branch(size), NOW.date())
    return days, await partyday.members_without_reply(conn, _branch(size), NOW.date())


async def _leaves(conn: Any, size: Size) -> object:
    return await partyday.approved_leaves(
        conn, _member(size), NOW.date() - timedelta(days=365), NOW.date()
    )


async def _branch_admin(conn: Any, size: Size) -> object:
    return (
        await branches.list_with_counts(conn),
        await members.list_branch(conn, _branch(size)),
    )


async def _todo(conn: Any, size: Size) -> object:
    found = [await todo.missing(conn, _branch(size), a, NOW.date()) for a in todo.Activity]
    return found, await todo.muted_among(conn, found[-1].people, "service.missing")


async def _service_board(conn: Any, size: Size) -> object:
    return await service.branch_hours(conn, _branch(size), NOW.year, NOW.date().replace(day=1))


async def _meetings_board(conn: Any, size: Size) -> object:
    """The branch's 三会一课 board for the year, and its records of the last term."""
    term = await terms.term_for(conn, NOW.date())
    frequencies = meetings.parse_frequencies("")
    board = await meetings.compliance(
        conn, _branch(size), NOW.year, today=NOW.date(), frequencies=frequencies
    )
    return board, await meetings.for_branch(conn, _branch(size), term.start, term.end)


async def _meetings_mine(conn: Any, size: Size) -> object:
    return await meetings.for_member(conn, _member(size), NOW.year)


async def _safety_branch(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    return (
        await safety.coverage(conn, _branch(size), term),
        await safety.summary(conn, _branch(size), term),
    )


async def _safety_mine(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    return (
        await safety.lessons_for_member(conn, _member(size), term),
        await safety.drills_for_member(conn, _member(size), term),
        await safety.recent_classes(conn, _member(size)),
    )


async def _links_mine(conn: Any, size: Size) -> object:
    """What /links reads for a member: their links in force, the branch's coverage, those
    waiting, how many past links they have."""
    day = NOW.date()
    return (
        await links.owned_by(conn, _member(size), today=day),
        await _link_coverage(conn, _branch(size)),
        await links.proposed_in_branch(conn, _branch(size), today=day),
        await links.count_past(conn, _member(size), today=day),
    )


async def _links_bureau(conn: Any, size: Size) -> object:
    """What the bureau's /links reads: every branch's figures (never the links behind)."""
    return await _bureau_totals(conn, NOW.date())


async def _links_bureau_late(conn: Any, size: Size) -> object:
    """The same on a bad day: the month's last week with no contact logged since the 1st,
    so every 三联系 link is behind (5,000 of them at 100 × 50)."""
    return await _bureau_totals(conn, LATE)


async def _links_behind(conn: Any, size: Size) -> object:
    """The bureau's drill-down on that day: one branch's links behind."""
    return await links.coverage(
        conn,
        on=LATE,
        today=LATE,
        rhythms=link_rules.parse_rhythms(""),
        terms=await terms.set_terms(conn),
        branch_id=_branch(size),
        behind_only=True,
    )


async def _bureau_totals(conn: Any, day: date) -> object:
    return await links.branch_totals(
        conn,
        on=day,
        today=day,
        rhythms=link_rules.parse_rhythms(""),
        terms=await terms.set_terms(conn),
    )


async def _link_coverage(conn: Any, branch_id: int | None) -> object:
    return await links.coverage(
        conn,
        on=NOW.date(),
        today=NOW.date(),
        rhythms=link_rules.parse_rhythms(""),
        terms=await terms.set_terms(conn),
        branch_id=branch_id,
    )


async def _points_mine(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    rules = (await points.rules_in_force(conn)).rules
    return (
        await points.member_points(conn, _member(size), term.start, term.end, rules, zone=ZONE),
        await points.member_year(conn, _member(size), NOW.year - 1, zone=ZONE),
    )


async def _points_branch(conn: Any, size: Size) -> object:
    term = await terms.term_for(conn, NOW.date())
    rules = (await points.rules_in_force(conn)).rules
    return await points.branch_points(conn, _branch(size), term.start, term.end, rules, zone=ZONE)


async def _outbox_report(conn: Any, size: Size) -> object:
    return await outbox.counts(conn), await outbox.next_due_at(conn)


async def _audit_recent(conn: Any, size: Size) -> object:
    return await audit.recent(conn)


READS: list[Read] = [
    Read("identify (every update)", _identify),
    Read("/mydata", _mydata),
    Read("/roster (last month)", _roster),
    Read("digest (one branch)", _digest),
    Read("/visits list", _visits_list),
    Read("visit board (branch)", _visits_board),
    Read("visit board (bureau)", _bureau_board),
    Read("service history", _service_history),
    Read("/pledge mine", _pledges_mine),
    Read("pledges (branch)", _pledges_branch),
    Read("/partyday", _partyday_screen),
    Read("approved leaves", _leaves),
    Read("/branches, members", _branch_admin),
    Read("/todo (branch)", _todo),
    Read("/service branch", _service_board),
    Read("/meetings (branch)", _meetings_board),
    Read("meetings (member, year)", _meetings_mine),
    Read("/safety (branch)", _safety_branch),
    Read("/safety mine", _safety_mine),
    Read("/links mine", _links_mine),
    Read("/links (bureau)", _links_bureau),
    Read("/links (bureau, 28th)", _links_bureau_late),
    Read("/links behind (branch)", _links_behind),
    Read("/points mine", _points_mine),
    Read("/points (branch)", _points_branch),
    Read("xianfeng outbox (CLI)", _outbox_report, user=False),
    Read("audit (admin)", _audit_recent),
]


async def time_reads(path: Path, size: Size, repeat: int) -> dict[str, float]:
    """Median milliseconds of each read (after one warm-up run)."""
    timings: dict[str, float] = {}
    async with Database(path) as db, db.read() as conn:
        for read in READS:
            await read.call(conn, size)
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                await read.call(conn, size)
                samples.append((time.perf_counter() - started) * 1000)
            timings[read.name] = statistics.median(samples)
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--years", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    sizes = [Size(args.branches, args.members, years) for years in args.years]
    results = {}
    for size in sizes:
        path = await ensure(size, rebuild=args.rebuild)
        results[size.years] = await time_reads(path, size, args.repeat)
    header = "".join(f"{f'{s.years} y (ms)':>12}" for s in sizes)
    print(f"\n{args.branches} branches × {args.members} members; median of {args.repeat}")
    print(f"{'read':<26}{header}{'ratio':>8}")
    for read in READS:
        values = [results[s.years][read.name] for s in sizes]
        ratio = values[-1] / values[0] if values[0] else float("nan")
        cells = "".join(f"{v:>12.1f}" for v in values)
        print(f"{read.name:<26}{cells}{ratio:>8.1f}")
    users = {read.name for read in READS if read.user}
    last = results[sizes[-1].years]
    worst = max((item for item in last.items() if item[0] in users), key=lambda item: item[1])
    print(
        f"slowest read someone waits for, at {sizes[-1].years} y: {worst[0]} {worst[1]:.1f} ms"
        " (goal ≤ 50 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
