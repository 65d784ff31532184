"""The 三联系/双服务/结对 sheet of the 台账 workbook and its coverage lines on the summary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from handlers.reports.export import ExportRequest, build_files
from storage import links, members
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from storage.link_rules import LinkPeriod
from storage.links import ContactFields, ContactWay, LinkFields, LinkKind
from tests.ledger_seed import ZONE, SeedSize, seed

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
SCHOOL_YEAR = LedgerPeriod.school_year(2025)
SHEET = "三联系·双服务·结对记录"
THREE = "三联系：按联系频次应联系 / 已联系（条次）"
PAIR = "结对：按频次应开展 / 已开展共建活动"


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    path = tmp_path / "ledger.sqlite3"
    await seed(path, SeedSize())
    database = Database(path)
    await database.open()
    await _links(database)
    yield database
    await database.close()


async def _links(db: Database) -> None:
    """Branch 1's member 2: a class and a student; branches 1 and 2 paired."""
    async with db.read() as conn:
        admin = await members.get(conn, 13)
        secretary_1 = await members.get(conn, 1)
        secretary_2 = await members.get(conn, 7)
    assert admin is not None and secretary_1 is not None and secretary_2 is not None
    base: dict[str, Any] = {
        "period": LinkPeriod.YEAR, "period_start": SCHOOL_YEAR.start,
        "period_end": SCHOOL_YEAR.end, "start_on": SCHOOL_YEAR.start, "today": TODAY,
    }  # fmt: skip
    made = {}
    async with db.transaction() as tx:
        owner = await members.get(tx, 2)
        for kind, target in [
            (LinkKind.CLASS, {"target_text": "三(2)班"}),
            (LinkKind.STUDENT, {"student_alias": "豆豆同学"}),
        ]:
            fields = LinkFields(kind=kind, member_id=2, branch_id=1, **target, **base)
            made[kind] = await links.set_link(tx, fields, actor=admin, owner=owner, now=NOW)
        pair = LinkFields(kind=LinkKind.PAIR, branch_id=1, target_branch_id=2, **base)
        made[LinkKind.PAIR] = await links.set_link(tx, pair, actor=admin, owner=None, now=NOW)
        for kind, day, how, note, actor in [
            (LinkKind.CLASS, date(2025, 10, 10), ContactWay.TALK, "班会", owner),
            (LinkKind.STUDENT, date(2025, 11, 3), ContactWay.PHONE, "数学补差", owner),
            (LinkKind.PAIR, date(2025, 10, 20), ContactWay.ACTIVITY, "联合教研", secretary_1),
            (LinkKind.PAIR, date(2025, 10, 21), ContactWay.ACTIVITY, "送教下乡", secretary_2),
        ]:
            assert actor is not None
            contact = ContactFields.for_link(made[kind], TODAY, on_date=day, how=how, note=note)
            await links.log_contact(tx, made[kind].id, contact, actor=actor, now=NOW)


async def export(db: Database, folder: Path, *, branch: int, private: bool) -> Path:
    request = ExportRequest(
        branch_ids=[branch], period=SCHOOL_YEAR, private=private, bureau=False, lang="zh"
    )
    [path] = await build_files(db, request, folder, today=TODAY, zone=ZONE, now=NOW)
    return path


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def checks(path: Path) -> dict[str, list[Any]]:
    summary = rows(path, "封面汇总")
    return {str(row[0]): list(row[1:4]) for row in summary if row and row[0]}


async def test_one_row_per_contact_with_the_alias_for_the_secretary(
    db: Database, tmp_path: Path
) -> None:
    path = await export(db, tmp_path, branch=1, private=True)
    sheet = rows(path, SHEET)
    assert sheet[0] == (
        "序号", "联系日期", "联系类别", "联系人（党员/支部）", "联系对象", "联系方式",
        "联系情况", "记录方（结对）",
    )  # fmt: skip
    lines = [(r[2], r[3], r[4], r[5], r[6], r[7]) for r in sheet[1:]]
    assert lines == [
        ("三联系·班级", "教师2", "三(2)班", "谈心", "班会", None),
        ("结对", "第1中学", "第2中学", "活动", "联合教研", "第1中学"),
        ("结对", "第1中学", "第2中学", "活动", "送教下乡", "第2中学"),
        ("三联系·学困生", "教师2", "豆豆同学", "电话", "数学补差", None),
    ]
    assert [r[1].date() for r in sheet[1:]] == [
        date(2025, 10, 10), date(2025, 10, 20), date(2025, 10, 21), date(2025, 11, 3),
    ]  # fmt: skip
    found = checks(path)
    # Two monthly links over twelve past months, each contacted in one of them.
    assert found[THREE] == [24, 2, "未达标"]
    # One pair over the autumn and spring terms: a joint activity in the autumn only.
    assert found[PAIR] == [2, 1, "未达标"]


async def test_the_other_side_of_a_pair_sees_its_contacts(db: Database, tmp_path: Path) -> None:
    path = await export(db, tmp_path, branch=2, private=True)
    lines = [(r[2], r[3], r[4], r[7]) for r in rows(path, SHEET)[1:]]
    assert lines == [
        ("结对", "第2中学", "第1中学", "第1中学"),
        ("结对", "第2中学", "第1中学", "第2中学"),
    ]
    assert THREE not in checks(path)  # no 三联系 links there: no line


async def test_an_inspectors_copy_shows_no_student(db: Database, tmp_path: Path) -> None:
    path = await export(db, tmp_path, branch=1, private=False)
    sheet = rows(path, SHEET)
    student = next(r for r in sheet if r[2] == "三联系·学困生")
    assert student[4] == "（学生信息不在本文件中）" and student[6] is None
    values = [str(v) for r in sheet for v in r if v is not None]
    assert not any("豆豆" in v or "数学补差" in v for v in values)
    assert any("联合教研" in v for v in values)  # a pair's activity is no student's data
