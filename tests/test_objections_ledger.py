"""公示 objections in the 台账: the branch's 公示异议 sheet and its summary line, as a
reader opens the workbook (objections against the branch's star rating, and in the
admins' copy those its members raised against a pioneers list; never who raised one, and
the words only in the admins' copy)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from handlers.reports.export import ExportRequest, build_files
from storage import branches, erasure, members, objections, pioneers, rating
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from storage.members import Member, Role
from storage.pioneer_rules import Windows
from storage.rubric import DEFAULT_FILE

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
ANSWERED = datetime(2026, 11, 30, 15, 30, tzinfo=ZONE)
TODAY = NOW.date()
PERIOD = LedgerPeriod.school_year(2026)


async def _people(db: Database) -> dict[str, Member]:
    async with db.transaction() as tx:
        one = await branches.create(tx, "第一中学党支部", now=NOW)
        two = await branches.create(tx, "第二中学党支部", now=NOW)
        made: dict[str, Member] = {}
        for key, tid, role, branch, name in (
            ("admin", 1, Role.ADMIN, None, "局管理员"),
            ("sec", 2, Role.SECRETARY, one.id, "李书记"),
            ("member", 3, Role.MEMBER, one.id, "王小明"),
            ("other", 4, Role.MEMBER, two.id, "赵其他"),
        ):
            made[key] = await members.create(
                tx, telegram_id=tid, name=name, role=role, branch_id=branch, now=NOW
            )
    return made


async def _objections(db: Database, p: dict[str, Member]) -> None:
    """Branch 1's rating objected to twice (once answered), branch 2's once; a pioneers
    list objected to by a member of each branch; one objection before the period."""
    admin = p["admin"].id
    async with db.transaction() as tx:
        round_ = await rating.open_round(
            tx, 2025, DEFAULT_FILE.read_text("utf-8"), actor_id=admin, now=NOW
        )
        # The steps before 公示 are the rating's own tests; here the tiers are set.
        await tx.execute(
            "UPDATE branch_ratings SET status = 'decided', proposed_tier = 'three', tier = 'three'"
        )
        await tx.execute(
            "UPDATE branch_ratings SET tier = NULL, proposed_tier = NULL WHERE branch_id = 2"
        )
        await rating.publish(tx, round_, [], ends_on=date(2026, 12, 5), actor_id=admin, now=NOW)
        round_ = await rating.get_round(tx, round_.id) or round_
        ours = await rating.rating_of(tx, round_.id, 1)
        theirs = await rating.rating_of(tx, round_.id, 2)
        assert ours is not None and theirs is not None
        first = await objections.raise_objection(
            tx,
            rating.OBJECTIONS,
            round_,
            ours.id,
            "我支部服务时长统计有误",
            member_id=p["other"].id,
            today=TODAY,
            now=NOW,
        )
        await objections.raise_objection(
            tx,
            rating.OBJECTIONS,
            round_,
            ours.id,
            "请复核党日参与率",
            member_id=p["member"].id,
            today=TODAY,
            now=NOW,
        )
        await objections.raise_objection(
            tx,
            rating.OBJECTIONS,
            round_,
            theirs.id,
            "二中的异议",
            member_id=p["member"].id,
            today=TODAY,
            now=NOW,
        )
        found = await objections.get(tx, rating.OBJECTIONS, first)
        assert found is not None
        await objections.answer(
            tx, rating.OBJECTIONS, found, "已复核，数据无误", actor_id=admin, now=ANSWERED
        )

        windows = Windows(
            date(2026, 11, 1), date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 20)
        )
        chosen = await pioneers.open_round(
            tx, year=2026, title="2026年度育人成才先锋党员", quota=2, branch_cap=2,
            windows=windows, today=date(2026, 11, 1), actor_id=admin, now=NOW,
        )  # fmt: skip
        await tx.execute("UPDATE pioneer_rounds SET status = 'confirmed'")
        chosen = await pioneers.get_round(tx, chosen.id) or chosen
        await pioneers.publish(tx, chosen, ends_on=date(2026, 12, 5), actor_id=admin, now=NOW)
        chosen = await pioneers.get_round(tx, chosen.id) or chosen
        await objections.raise_objection(
            tx,
            pioneers.OBJECTIONS,
            chosen,
            chosen.id,
            "名单中某人事迹不实",
            member_id=p["member"].id,
            today=TODAY,
            now=NOW,
        )
        await objections.raise_objection(
            tx,
            pioneers.OBJECTIONS,
            chosen,
            chosen.id,
            "二中党员的异议",
            member_id=p["other"].id,
            today=TODAY,
            now=NOW,
        )
        # Raised before the period: in last school year's 台账, not this one's.
        await tx.execute(
            "UPDATE rating_objections SET at = '2026-08-31T15:00:00+00:00' WHERE text = ?",
            ("请复核党日参与率",),
        )


async def _export(
    db: Database, folder: Path, *, private: bool, texts: bool, lang: str = "zh"
) -> Path:
    request = ExportRequest(
        branch_ids=[1],
        period=PERIOD,
        private=private,
        bureau=False,
        lang=lang,
        objection_texts=texts,
    )
    [path] = await build_files(db, request, folder, today=TODAY, zone=ZONE, now=NOW)
    return path


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def _summary_line(path: Path) -> tuple[Any, ...]:
    label = "公示异议：收到 / 已答复（条）"
    return next(row for row in _rows(path, "封面汇总") if row[0] == label)


async def test_the_admins_copy_lists_the_branchs_notice_objections(
    db: Database, tmp_path: Path
) -> None:
    p = await _people(db)
    await _objections(db, p)
    path = await _export(db, tmp_path, private=True, texts=True)
    assert "公示异议" in load_workbook(path).sheetnames
    header, *found = _rows(path, "公示异议")
    assert header == ("序号", "提出时间", "异议对象", "异议内容", "答复人", "答复内容", "答复时间")
    assert found == [
        (
            1,
            datetime(2026, 11, 28, 10, 0),
            "2025–2026 学年星级评定：本支部星级（三星）",
            "我支部服务时长统计有误",
            "局管理员",
            "已复核，数据无误",
            datetime(2026, 11, 30, 15, 30),
        ),
        (
            2,
            datetime(2026, 11, 28, 10, 0),
            "2026 年评选先锋「2026年度育人成才先锋党员」公示名单",
            "名单中某人事迹不实",
            None,
            None,
            None,
        ),
    ]
    # Who objected is told to the admins only: no objector's name in the 台账.
    values = {v for row in _rows(path, "公示异议") for v in row}
    assert not values & {"王小明", "赵其他"}
    # Raised and answered, with no verdict: answering is the bureau's, not the branch's.
    assert _summary_line(path)[1:4] == (2, 1, "—")


async def test_a_secretarys_copy_has_the_dates_but_not_the_words(
    db: Database, tmp_path: Path
) -> None:
    """In a branch of a few people the words, or that someone there objected to the
    bureau's pioneers list, would name the objector."""
    p = await _people(db)
    await _objections(db, p)
    path = await _export(db, tmp_path, private=True, texts=False)
    _, *found = _rows(path, "公示异议")
    assert found == [
        (
            1,
            datetime(2026, 11, 28, 10, 0),
            "2025–2026 学年星级评定：本支部星级（三星）",
            "（内容存教育局）",
            None,
            "（内容存教育局）",
            datetime(2026, 11, 30, 15, 30),
        ),
    ]
    values = {v for row in _rows(path, "公示异议") for v in row}
    assert not values & {"我支部服务时长统计有误", "已复核，数据无误", "局管理员"}
    assert _summary_line(path)[1:4] == (1, 1, "—")


async def test_an_inspectors_copy_has_the_dates_but_not_the_words(
    db: Database, tmp_path: Path
) -> None:
    p = await _people(db)
    await _objections(db, p)
    path = await _export(db, tmp_path, private=False, texts=False, lang="en")
    header, *found = _rows(path, "Notice objections")
    assert header[1:4] == ("Raised at", "Against", "Objection")
    assert [row[2:] for row in found] == [
        (
            "Star rating 2025–2026: this branch's tier (three stars)",
            "(kept by the bureau)",
            None,
            "(kept by the bureau)",
            datetime(2026, 11, 30, 15, 30),
        )
    ]


async def test_an_unanswered_objection_shows_no_answer_even_withheld(
    db: Database, tmp_path: Path
) -> None:
    p = await _people(db)
    await _objections(db, p)
    async with db.transaction() as tx:
        await tx.execute("UPDATE rating_objections SET answer = NULL, answered_by = NULL,"
                         " answered_at = NULL")  # fmt: skip
    path = await _export(db, tmp_path, private=True, texts=False)
    _, *found = _rows(path, "公示异议")
    assert [row[3:] for row in found] == [("（内容存教育局）", None, None, None)]
    assert _summary_line(path)[1:4] == (1, 0, "—")


async def test_no_objections_require_nothing(db: Database, tmp_path: Path) -> None:
    await _people(db)
    path = await _export(db, tmp_path, private=True, texts=True)
    assert _rows(path, "公示异议") == [
        ("序号", "提出时间", "异议对象", "异议内容", "答复人", "答复内容", "答复时间")
    ]
    assert _summary_line(path)[1:4] == (0, 0, "—")


async def test_erasing_someone_erases_their_objections_words(db: Database, tmp_path: Path) -> None:
    p = await _people(db)
    await _objections(db, p)
    async with db.transaction() as tx:
        await members.mark_left(tx, p["member"].id, now=NOW)
        left = await members.get(tx, p["member"].id)
        assert left is not None
        await erasure.erase_person(tx, left, actor_id=p["admin"].id, now=NOW)
    path = await _export(db, tmp_path, private=True, texts=True)
    _, *found = _rows(path, "公示异议")
    assert [row[3] for row in found] == ["我支部服务时长统计有误", "—"]
