"""/export and /charts as people use them: buttons, progress, the file and pictures sent."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from PIL import Image

from handlers.common.i18n import Translator
from handlers.reports.commands import wait_for_running
from storage import members, terms, visits
from storage.visits import Form, Met, Topic, VisitContent
from tests.conftest import ADMIN, MEMBER, SECRETARY, Harness
from tests.fakebot import FakeUser

ZH = Translator("zh")
INSPECTOR = FakeUser(4001, "督查一组")


async def log_visit(h: Harness, alias: str = "王同学") -> None:
    """MEMBER's visit a week ago, with a note, straight through storage."""
    today = h.clock.now().astimezone(h.config.zone).date()
    content = VisitContent(
        visit_date=today - timedelta(days=7),
        student_alias=alias,
        class_name="三(2)班",
        form=Form.IN_PERSON,
        met=Met.PARENTS,
        topics=[Topic.STUDY],
        note="家长很配合",
        today=today,
    )
    async with h.db.read() as conn:
        owner = await members.get_active_by_telegram(conn, MEMBER.id)
    assert owner is not None and owner.branch_id is not None
    async with h.db.transaction() as tx:
        term = await terms.term_for(tx, today)
        await visits.create(
            tx,
            member_id=owner.id,
            branch_id=owner.branch_id,
            content=content,
            term=term,
            now=h.clock.now(),
        )


def documents(h: Harness, user: FakeUser) -> list[Any]:
    return [
        call.params
        for call in h.tg.calls_to("sendDocument")
        if call.ok and int(call.params["chat_id"]) == user.id
    ]


def workbook(params: dict[str, Any]) -> Any:
    return load_workbook(io.BytesIO(params["document"].content))


async def test_a_secretary_exports_the_school_year_and_gets_the_workbook(
    harness: Harness,
) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    replies = await harness.send(SECRETARY, "/export")
    assert "第一中学党支部" in replies[-1]
    labels = harness.buttons(SECRETARY)
    assert labels[:2] == ["本学年 2026–2027", "上学年 2025–2026"]
    assert "本学期 2026-09-01–2027-01-31" in labels
    await harness.press(SECRETARY, "本学年 2026–2027")
    await wait_for_running()
    [sent] = documents(harness, SECRETARY)
    assert sent["document"].filename == "台账_第一中学党支部_2026-2027.xlsx"
    assert sent["caption"] == "第一中学党支部 台账 · 2026–2027"
    book = workbook(sent)
    assert book.sheetnames[-1] == "家访记录表"
    roster = list(book["党员名册"].iter_rows(values_only=True))
    assert [row[1] for row in roster[1:]] == ["李红梅", "张老师", "王老师"]
    visit_rows = list(book["家访记录表"].iter_rows(values_only=True))
    assert len(visit_rows) == 2 and visit_rows[1][3] == "王同学"
    # One progress message, edited in place to say it is done.
    texts = harness.tg.texts(SECRETARY.id)
    assert any(text.startswith("正在生成 第一中学党支部 2026–2027 的台账") for text in texts)
    assert texts[-1] == "台账已生成，共 1 个文件。"
    async with (
        harness.db.read() as conn,
        conn.execute("SELECT detail FROM audit_log WHERE action = 'report.export'") as cur,
    ):
        assert [row[0] for row in await cur.fetchall()] == ['{"period": "sy2026"}']


async def test_an_admin_exports_the_whole_bureau(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    await harness.send(ADMIN, "/export")
    assert harness.buttons(ADMIN) == ["全局（各支部）", "第一中学党支部", "第二中学党支部"]
    await harness.press(ADMIN, "全局（各支部）")
    await harness.press(ADMIN, "上学年 2025–2026")
    await wait_for_running()
    [sent] = documents(harness, ADMIN)
    roster = list(workbook(sent)["党员名册"].iter_rows(values_only=True))
    assert roster[0][:2] == ("支部", "序号")
    # Nobody had joined yet in 2025–2026: headers only, and the summary says so.
    assert len(roster) == 1
    summary = [v for row in workbook(sent)["封面汇总"].iter_rows(values_only=True) for v in row]
    assert "本期没有任何记录：以下各表只有表头。" in summary


async def test_an_admin_picks_one_branch(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    await log_visit(harness)
    await harness.send(ADMIN, "/export")
    await harness.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部" in harness.last(ADMIN)
    await harness.press(ADMIN, "2026年（自然年）")
    await wait_for_running()
    [sent] = documents(harness, ADMIN)
    book = workbook(sent)
    rows = list(book["家访记录表"].iter_rows(values_only=True))
    assert rows[1][3] == "王同学"


async def test_members_cannot_export(harness: Harness) -> None:
    await harness.branch_with_people()
    replies = await harness.send(MEMBER, "/export")
    assert replies == [ZH("refuse.role")]
    assert documents(harness, MEMBER) == []


async def test_a_second_press_while_one_runs_is_answered_politely(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/export")
    await harness.press(SECRETARY, "本学年 2026–2027")
    await harness.press(SECRETARY, "上学年 2025–2026")
    await wait_for_running()
    assert ZH.plain("report.busy") in harness.answers()
    assert len(documents(harness, SECRETARY)) == 1


async def test_a_secretary_gets_three_charts(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    await harness.send(SECRETARY, "/charts")
    await wait_for_running()
    [group] = [c.params for c in harness.tg.calls_to("sendMediaGroup") if c.ok]
    assert int(group["chat_id"]) == SECRETARY.id
    assert len(group["media"]) == 3
    first = group["media"][0]
    assert first["caption"] == "第一中学党支部 · 2026–2027 学年图表"
    uploads = [v for v in group.values() if hasattr(v, "content")]
    assert len(uploads) == 3
    for upload in uploads:
        assert Image.open(io.BytesIO(upload.content)).format == "PNG"


async def test_an_admin_sees_branches_side_by_side_then_one_branch(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    await harness.send(ADMIN, "/charts")
    await wait_for_running()
    [photo] = [c.params for c in harness.tg.calls_to("sendPhoto") if c.ok]
    assert photo["caption"] == "各支部对比 · 2026–2027 学年"
    assert harness.buttons(ADMIN) == ["第一中学党支部", "第二中学党支部"]
    await harness.press(ADMIN, "第二中学党支部")
    await wait_for_running()
    [group] = [c.params for c in harness.tg.calls_to("sendMediaGroup") if c.ok]
    assert group["media"][0]["caption"].startswith("第二中学党支部")
