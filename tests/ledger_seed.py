"""A deterministic history for the 台账 tests and the export benchmark, written in bulk.

The schema comes from the project's migrations (``Database.open``); rows go straight
into those tables because the repository functions would take far too long for a
bureau's ten years. Every record kind an export shows is present: check-ins (some with
photos), leave with a make-up, a cancelled month, service on and off the party day,
pledges at every stage with progress, home visits with aliases, notes and follow-ups,
and term targets.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.database import Database

ZONE = ZoneInfo("Asia/Shanghai")
ALIASES = ["小明", "小红", "阳阳", "乐乐", "豆豆", "佳佳", "小雨", "天天"]
STATUSES = ["submitted", "published", "fulfilled", "evaluated", "withdrawn", "returned"]
KINDS = ["volunteer", "pairing", "outreach", "cleanup", "study", "other"]
PARTY_DAY = 12


@dataclass(frozen=True)
class SeedSize:
    branches: int = 2
    members: int = 6
    first_month: date = date(2025, 9, 1)
    last_month: date = date(2026, 11, 1)  # months after it have no records
    visits_per_month: int = 1


async def seed(path: Path, size: SeedSize) -> None:
    """Create the database at ``path`` and fill it."""
    async with Database(path):
        pass
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    _Filler(conn, size).fill()
    conn.execute("COMMIT")
    conn.close()


def _iso(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC).isoformat()


def _months(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return months


class _Filler:
    def __init__(self, conn: sqlite3.Connection, size: SeedSize) -> None:
        self.conn = conn
        self.size = size
        self.rng = random.Random(7)
        self.start = size.first_month

    def insert(self, table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
        marks = ",".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)

    def fill(self) -> None:
        created = _iso(self.start, 8)
        size = self.size
        self.insert(
            "branches",
            ["id", "name", "created_at"],
            [(b, f"第{b}中学", created) for b in range(1, size.branches + 1)],
        )
        people = []
        self.admin = size.branches * size.members + 1
        for b in range(1, size.branches + 1):
            for n in range(size.members):
                mid = self.member_id(b, n)
                role = "secretary" if n == 0 else "member"
                people.append(
                    (
                        mid,
                        100_000 + mid,
                        f"教师{mid}",
                        role,
                        b,
                        "班主任" if n % 2 else None,
                        "active",
                        created,
                    )
                )
        people.append((self.admin, 1, "局办", "admin", None, None, "active", created))
        self.insert(
            "members",
            ["id", "telegram_id", "name", "role", "branch_id", "post", "status", "joined_at"],
            people,
        )
        self.insert(
            "party_day_rules",
            ["branch_id", "kind", "day", "start_time", "place", "created_by", "created_at"],
            [
                (b, "day", PARTY_DAY, "15:00", "党员活动室", self.member_id(b, 0), created)
                for b in range(1, size.branches + 1)
            ],
        )
        months = _months(self.start, size.last_month)
        for b in range(1, size.branches + 1):
            self.branch(b, months)

    def member_id(self, branch: int, index: int) -> int:
        return (branch - 1) * self.size.members + index + 1

    def branch(self, b: int, months: list[date]) -> None:
        size, rng = self.size, self.rng
        secretary = self.member_id(b, 0)
        ids = [self.member_id(b, n) for n in range(size.members)]
        month_rows, checkins, replies, service, visits = [], [], [], [], []
        month_id_base = b * 10_000
        for index, first in enumerate(months):
            month_id = month_id_base + index
            day = first.replace(day=PARTY_DAY)
            key = f"{first.year:04d}-{first.month:02d}"
            if index == 2:  # one cancelled month in every branch
                month_rows.append(
                    (
                        month_id,
                        b,
                        key,
                        "cancelled",
                        None,
                        None,
                        None,
                        None,
                        "期中考试",
                        None,
                        secretary,
                        _iso(day),
                    )
                )
                continue
            month_rows.append(
                (
                    month_id,
                    b,
                    key,
                    "planned",
                    day.isoformat(),
                    "15:00",
                    "党员活动室",
                    f"{first.month}月主题党日",
                    None,
                    _iso(day, 8),
                    secretary,
                    _iso(day, 8),
                )
            )
            on_leave = ids[-1] if index % 3 == 0 else None
            for mid in ids:
                if mid == on_leave:
                    replies.append(
                        (
                            month_id,
                            mid,
                            "leave",
                            "teaching",
                            None,
                            "approved",
                            secretary,
                            _iso(day, 9),
                            1,
                            _iso(day, 8),
                            _iso(day, 9),
                        )
                    )
                    service.append(
                        (
                            mid,
                            b,
                            "study",
                            day.replace(day=20),
                            2.0,
                            "补学党课",
                            None,
                            month_id,
                            "active",
                        )
                    )
                    continue
                photo = f"photo-{month_id}-{mid}" if mid % 4 == 0 else None
                method = "photo" if photo else "manual"
                checkins.append((month_id, mid, method, photo, secretary, _iso(day, 15)))
                service.append(
                    (
                        mid,
                        b,
                        KINDS[index % len(KINDS)],
                        day,
                        1.5,
                        "社区志愿服务",
                        month_id,
                        None,
                        "active",
                    )
                )
            for mid in ids:
                for v in range(size.visits_per_month):
                    visit_day = first.replace(day=min(3 + v * 7, 27))
                    follow = visit_day.replace(day=28) if mid % 3 == 0 else None
                    visits.append(
                        (
                            mid,
                            b,
                            visit_day.isoformat(),
                            rng.choice(ALIASES),
                            "三(2)班",
                            rng.choice(["in_person", "phone", "video"]),
                            "parents",
                            json.dumps(["study", "safety"]),
                            f"家访记录{mid}-{index}",
                            follow.isoformat() if follow else None,
                            _iso(visit_day, 20),
                            _iso(visit_day, 20),
                        )
                    )
        self.insert(
            "party_day_months",
            [
                "id",
                "branch_id",
                "month",
                "status",
                "day",
                "start_time",
                "place",
                "theme",
                "reason",
                "announced_at",
                "updated_by",
                "updated_at",
            ],
            month_rows,
        )
        self.insert(
            "party_day_checkins",
            ["month_id", "member_id", "method", "photo_file_id", "marked_by", "at"],
            checkins,
        )
        self.insert(
            "party_day_replies",
            [
                "month_id",
                "member_id",
                "answer",
                "reason_kind",
                "reason_text",
                "approval",
                "decided_by",
                "decided_at",
                "rev",
                "answered_at",
                "updated_at",
            ],
            replies,
        )
        self.insert(
            "service_logs",
            [
                "member_id",
                "branch_id",
                "kind",
                "on_date",
                "hours",
                "description",
                "party_month_id",
                "makeup_month_id",
                "status",
                "logged_on",
                "created_at",
                "updated_at",
            ],
            [
                (
                    *row[:3],
                    row[3].isoformat(),
                    *row[4:],
                    row[3].isoformat(),
                    _iso(row[3], 18),
                    _iso(row[3], 18),
                )
                for row in service
            ],
        )
        self.insert(
            "home_visits",
            [
                "member_id",
                "branch_id",
                "visit_date",
                "student_alias",
                "class_name",
                "form",
                "met",
                "topics",
                "note",
                "follow_up_on",
                "created_at",
                "updated_at",
            ],
            visits,
        )
        self.pledges(b, ids, months, secretary)
        self.insert(
            "visit_targets",
            ["branch_id", "target", "set_on", "set_by", "set_at"],
            [
                (b, 4, first.isoformat(), secretary, _iso(first))
                for first in months
                if first.month in (9, 2)
            ],
        )

    def pledges(self, b: int, ids: list[int], months: list[date], secretary: int) -> None:
        years = sorted({m.year for m in months})
        for year in years:
            for n, mid in enumerate(ids):
                status = STATUSES[(n + year) % len(STATUSES)]
                submitted = date(year, 3, 1)
                reviewed = status in ("published", "fulfilled", "evaluated", "withdrawn")
                cur = self.conn.execute(
                    "INSERT INTO pledges (member_id, branch_id, period, category, text,"
                    " measures, target_date, status, submitted_at, reviewed_by, reviewed_at,"
                    " published_at, fulfilled_at, self_assessment, rating,"
                    " evaluation_comment, evaluated_by, evaluated_at, withdrawn_at,"
                    " return_note, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        mid,
                        b,
                        str(year),
                        "teaching",
                        f"{year}年带好毕业班，帮扶学困生",
                        json.dumps(["每周辅导两次", "每月家校沟通"]),
                        date(year, 12, 20).isoformat(),
                        status,
                        _iso(submitted),
                        secretary if reviewed or status == "returned" else None,
                        _iso(date(year, 3, 3)) if reviewed or status == "returned" else None,
                        _iso(date(year, 3, 3)) if reviewed else None,
                        _iso(date(year, 6, 30)) if status in ("fulfilled", "evaluated") else None,
                        "基本完成承诺" if status in ("fulfilled", "evaluated") else None,
                        "good" if status == "evaluated" else None,
                        "完成较好" if status == "evaluated" else None,
                        secretary if status == "evaluated" else None,
                        _iso(date(year, 7, 5)) if status == "evaluated" else None,
                        _iso(date(year, 4, 1)) if status == "withdrawn" else None,
                        "请写具体" if status == "returned" else None,
                        _iso(date(year, 2, 28)),
                        _iso(date(year, 7, 5)),
                    ),
                )
                if status in ("published", "fulfilled", "evaluated"):
                    self.insert(
                        "pledge_updates",
                        ["pledge_id", "member_id", "at", "text"],
                        [
                            (cur.lastrowid, mid, _iso(date(year, 5, d)), "本周辅导完成")
                            for d in (6, 13)
                        ],
                    )
