"""The 台账 workbook as a reader opens it: sheets, headers, rows, cell types, privacy."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from handlers.reports.export import ExportRequest, build_files
from storage import meetings, points, safety
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from storage.meetings import MeetingFields, MeetingKind, Presence
from storage.safety import DrillFields, DrillKind, LessonFields, SafetyTopic
from tests.ledger_seed import ALIASES, ZONE, SeedSize, seed

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
SCHOOL_YEAR = LedgerPeriod.school_year(2025)


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    path = tmp_path / "ledger.sqlite3"
    await seed(path, SeedSize())
    database = Database(path)
    await database.open()
    yield database
    await database.close()


async def export(
    db: Database,
    folder: Path,
    *,
    branches: list[int] | None = (1,),  # type: ignore[assignment]
    period: LedgerPeriod = SCHOOL_YEAR,
    private: bool = True,
    bureau: bool = False,
    lang: str = "zh",
    **kw: Any,
) -> list[Path]:
    request = ExportRequest(
        branch_ids=branches, period=period, private=private, bureau=bureau, lang=lang
    )
    return await build_files(db, request, folder, today=TODAY, zone=ZONE, now=NOW, **kw)


def count(db: Database, sql: str, *params: object) -> int:
    conn = sqlite3.connect(db.path)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def every_value(path: Path) -> list[str]:
    book = load_workbook(path)
    return [
        str(value)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


async def test_a_secretarys_workbook_has_every_book_with_its_rows(
    db: Database, tmp_path: Path
) -> None:
    [path] = await export(db, tmp_path)
    book = load_workbook(path)
    assert book.sheetnames == [
        "封面汇总", "党员名册", "岗位承诺台账", "主题党日活动记录", "三会一课记录", "平安校园",
        "服务时长台账", "督查整改台账", "公示异议", "三联系·双服务·结对记录", "家访记录表",
    ]  # fmt: skip
    start, end = "2025-09-01", "2026-08-31"
    roster = rows(path, "党员名册")
    assert roster[0][:3] == ("序号", "姓名", "角色")
    assert len(roster) - 1 == 6
    service = rows(path, "服务时长台账")
    assert service[0][:4] == ("序号", "党员", "日期", "服务类别")
    assert len(service) - 1 == count(
        db,
        "SELECT COUNT(*) FROM service_logs WHERE branch_id = 1 AND on_date BETWEEN ? AND ?",
        start,
        end,
    )
    visits = rows(path, "家访记录表")
    assert visits[0][3] == "学生（化名）"
    assert len(visits) - 1 == count(
        db,
        "SELECT COUNT(*) FROM home_visits WHERE branch_id = 1 AND visit_date BETWEEN ? AND ?",
        start,
        end,
    )
    assert {row[3] for row in visits[1:]} <= set(ALIASES)
    # Year pledges for 2025 and 2026 both overlap the school year; drafts never count.
    pledges = rows(path, "岗位承诺台账")
    assert len(pledges) - 1 == count(
        db, "SELECT COUNT(*) FROM pledges WHERE branch_id = 1 AND period IN ('2025', '2026')"
    )
    days = rows(path, "主题党日活动记录")
    assert len(days) - 1 == 12  # one row per month of the school year


async def test_cells_are_typed_dates_numbers_and_rates(db: Database, tmp_path: Path) -> None:
    [path] = await export(db, tmp_path)
    book = load_workbook(path)
    days = book["主题党日活动记录"]
    header = [cell.value for cell in days[1]]
    first_held = days[2]  # September 2025: held, with a check-in for all but none on leave
    date_cell = first_held[header.index("活动日期")]
    assert isinstance(date_cell.value, datetime) and date_cell.value.date() == date(2025, 9, 12)
    assert date_cell.number_format == "yyyy-mm-dd"
    rate = first_held[header.index("参与率")]
    assert isinstance(rate.value, float) and rate.number_format == "0.0%"
    assert first_held[header.index("实参加人数")].value == 5  # one member on leave
    assert first_held[header.index("应参加人数")].value == 6
    assert "教师6（教学任务，已批准）" in first_held[header.index("请假人员及事由")].value
    assert "2025-09-20" in first_held[header.index("补课人员及日期")].value
    service = book["服务时长台账"]
    hours = service[2][4]
    assert isinstance(hours.value, float)
    # The header stays in view and prints on every page, A4 landscape.
    for name in ("党员名册", "岗位承诺台账", "主题党日活动记录", "服务时长台账", "家访记录表"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.column_dimensions["B"].width >= 8


async def test_the_summary_marks_short_months_and_counts(db: Database, tmp_path: Path) -> None:
    [path] = await export(db, tmp_path)
    summary = [[v for v in row if v is not None] for row in rows(path, "封面汇总")]
    flat = [str(v) for row in summary for v in row]
    assert "第1中学 台账" in flat
    assert "2025–2026" in flat
    # November 2025 was cancelled: marked short with its reason.
    assert "党日取消：期中考试" in flat
    # Months where one of six was on leave reach 5/6 = 83%: short of 85%.
    assert flat.count("参与率不足85%") == 4
    checks = {
        row[0]: row[1:] for row in summary if row and row[0] == "主题党日（已到月份每月一次）"
    }
    assert checks["主题党日（已到月份每月一次）"] == [12, 11, "未达标"]


async def test_an_inspectors_copy_has_no_alias_and_no_note(db: Database, tmp_path: Path) -> None:
    [path] = await export(db, tmp_path, private=False)
    book = load_workbook(path)
    assert "家访记录表" not in book.sheetnames
    values = every_value(path)
    assert not any(alias in value for value in values for alias in ALIASES)
    assert not any("家访记录" in value and value != "家访记录表" for value in values)
    # The counts are still there: visits per month on the summary.
    summary = rows(path, "封面汇总")
    header = next(row for row in summary if row and row[0] == "月份")
    september = next(row for row in summary if isinstance(row[0], datetime) and row[0].month == 9)
    assert september[header.index("家访次数")] == 6


async def test_english_headers_for_an_english_reader(db: Database, tmp_path: Path) -> None:
    [path] = await export(db, tmp_path, lang="en")
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["Summary", "Roster", "Pledges"]
    assert rows(path, "Roster")[0][:3] == ("No.", "Name", "Role")


async def test_a_period_without_records_says_so(db: Database, tmp_path: Path) -> None:
    [path] = await export(db, tmp_path, period=LedgerPeriod.calendar_year(2024))
    assert len(rows(path, "服务时长台账")) == 1  # headers only
    assert len(rows(path, "岗位承诺台账")) == 1
    assert "本期没有任何记录：以下各表只有表头。" in every_value(path)


async def test_the_bureau_file_has_every_branch_and_splits_when_too_big(
    db: Database, tmp_path: Path
) -> None:
    seen: list[int] = []

    async def progress(percent: int) -> None:
        seen.append(percent)

    [whole] = await export(db, tmp_path, branches=None, bureau=True, progress=progress)
    roster = rows(whole, "党员名册")
    assert roster[0][:2] == ("支部", "序号")
    assert {row[0] for row in roster[1:]} == {"第1中学", "第2中学"}
    assert len(roster) - 1 == 12
    assert seen == sorted(seen) and 0 < seen[-1] < 100
    split = tmp_path / "split"
    split.mkdir()
    parts = await export(db, split, branches=None, bureau=True, limit=1000)
    assert len(parts) == 2
    names = [rows(part, "党员名册")[1][1] for part in parts]
    assert names == ["教师1", "教师7"]
    assert all("（按支部拆分）" in " ".join(every_value(part)) for part in parts)


async def test_meetings_and_safety_sheets_and_their_summary_lines(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        roster = await meetings.branch_members(tx, 1)
        ids = [m.id for m in roster]
        general = await meetings.record(
            tx, branch_id=1, attendee_ids=ids, actor_id=ids[0], today=TODAY, now=NOW,
            fields=MeetingFields(
                kind=MeetingKind.GENERAL, on_date=date(2026, 3, 10), topic="讨论发展对象",
                chair_name="李书记", recorder_name="陈校长",
                key_points="介绍人发言", decisions="同意列为发展对象", votes_for=1,
                votes_against=0, votes_abstain=1, observers=["刘主任"],
            ),
        )  # fmt: skip
        for index, member_id in enumerate(ids):
            presence = Presence.PRESENT if index < 2 else Presence.ABSENT
            reason = None if presence is Presence.PRESENT else "病假"
            await meetings.set_presence(
                tx, general, member_id, presence, reason=reason, actor_id=ids[0], now=NOW
            )
        general = await meetings.submit(tx, general, actor_id=ids[0], now=NOW)
        await meetings.approve(tx, general, actor_id=ids[0], now=NOW)
        # Logged long after (model_construct skips the "at most a term back" rule a
        # person typing it today would meet): the ledger reads what is stored.
        lesson_day = date(2026, 6, 1)
        await safety.log_lesson(
            tx, member_id=ids[1], branch_id=1, now=NOW,
            fields=LessonFields.model_construct(
                on_date=lesson_day, class_name="三(2)班", topic=SafetyTopic.DROWNING,
                students=40, photo_file_id=None,
            ),
        )  # fmt: skip
        await safety.log_school_drill(
            tx, branch_id=1, participant_ids=ids[:2], actor_id=ids[0], now=NOW,
            fields=DrillFields.model_construct(on_date=date(2026, 5, 12),
                                               kind=DrillKind.EVACUATION),
        )  # fmt: skip
    [path] = await export(db, tmp_path)
    sheet = rows(path, "三会一课记录")
    assert sheet[0][:7] == ("序号", "会议类型", "党小组", "年", "季度", "月", "会议主题/议题")
    [row] = sheet[1:]
    header = sheet[0]
    line = dict(zip(header, row, strict=True))
    assert line["党小组"] is None  # the whole branch's meeting
    assert line["会议类型"] == "支部党员大会" and (line["年"], line["季度"], line["月"]) == (
        2026,
        1,
        3,
    )
    assert line["应到人数"] == len(ids) and line["实到人数"] == 2
    assert line["缺席人数"] == len(ids) - 2 and "（病假）" in line["缺席人员及原因"]
    assert line["列席人员"] == "刘主任" and line["记录人"] == "陈校长"
    assert "表决：赞成 1，反对 0，弃权 1" in line["决定事项/表决结果"]
    assert line["审核状态/审核意见"] == "已通过"
    safe = rows(path, "平安校园")
    items = [(r[3], r[4]) for r in safe[1:]]
    assert ("安全教育课", "防溺水") in items
    assert items.count(("安全演练（全校）", "消防疏散")) == 2
    summary = [r for r in rows(path, "封面汇总") if r and r[0]]
    lines = {r[0]: r[1:4] for r in summary}
    # Quarters wholly inside the school year (Q4 2025, Q1 and Q2 2026); one held, in Q1.
    assert lines["支部党员大会（每季度一次）已开周期"] == (3, 1, "未达标")
    assert lines["支委会（每月一次）已开周期"][:2] == (12, 0)


async def test_the_summary_has_the_branchs_member_points(db: Database, tmp_path: Path) -> None:
    """The points line is what /points shows for the branch: worked out from the records
    by the rules in force, not a stored count."""
    async with db.read() as conn:
        rules = (await points.rules_in_force(conn)).rules
        people = await points.branch_points(
            conn, 1, SCHOOL_YEAR.start, SCHOOL_YEAR.end, rules, zone=ZONE
        )
    expected = round(sum(person.total for person in people), 2)
    assert expected > 0
    [path] = await export(db, tmp_path)
    summary = [[v for v in row if v is not None] for row in rows(path, "封面汇总")]
    line = next(row for row in summary if row and row[0] == "党员积分合计（按现行积分规则）")
    assert line[1] == expected
