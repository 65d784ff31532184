"""Inspection groups as people use them: an admin creates a group, invites its inspectors
and assigns branches; an inspector sees only those branches, never a student's alias."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from bot.app import reminder_engine
from handlers.reports.commands import wait_for_running
from storage import branches, links, members, partyday
from storage.ledger_period import LedgerPeriod
from storage.link_rules import LinkPeriod
from storage.links import ContactFields, ContactWay, LinkFields, LinkKind
from storage.members import Role
from storage.partyday import Answer, LeaveReason
from tests.conftest import ADMIN, MEMBER, MEMBER2, SECRETARY, STRANGER, ZONE, Harness
from tests.fakebot import FakeUser
from tests.forbidden.pledges import TEXT
from tests.forbidden.pledges import _submitted as submitted_pledge
from tests.test_reports import log_visit
from tests.test_todo import log_service, party_day_on

INSPECTOR = FakeUser(4001, "孙督查")
INSPECTOR2 = FakeUser(4002, "周督查")


async def group_with_inspector(
    h: Harness, *, assign: tuple[str, ...] = ("第一中学党支部",)
) -> None:
    """第三督查组 with 孙建 as its inspector, assigned ``assign``."""
    await h.send(ADMIN, "/inspect new 第三督查组")
    await h.press(ADMIN, "🔗 邀请链接（一人一次，7 天）")
    await h.send(INSPECTOR, f"/start {h.invite_code(ADMIN)}")
    await h.send(INSPECTOR, "孙建")
    if assign:
        await h.send(ADMIN, "/inspect")
        await h.press(ADMIN, "第三督查组（督查员 1 人，支部 0 个）")
        await h.press(ADMIN, "🏫 分配 / 取消支部")
        for name in assign:
            await h.press(ADMIN, name)
    await h.deliver()


async def student_link(h: Harness, *, alias: str) -> None:
    """王老师 (MEMBER) keeps in touch with a struggling student (学困生) this school year,
    set by the admin straight through storage, and phoned about maths (数学补差) on 11-20."""
    year = LedgerPeriod.school_year_of(date(2026, 11, 28))
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        owner = await members.get_active_by_telegram(tx, MEMBER.id)
        assert admin is not None and owner is not None and owner.branch_id is not None
        fields = LinkFields(
            kind=LinkKind.STUDENT, member_id=owner.id, branch_id=owner.branch_id,
            student_alias=alias, period=LinkPeriod.YEAR, period_start=year.start,
            period_end=year.end, start_on=year.start, today=date(2026, 11, 28),
        )  # fmt: skip
        link = await links.set_link(tx, fields, actor=admin, owner=owner, now=h.clock.now())
        contact = ContactFields.for_link(
            link, date(2026, 11, 28), on_date=date(2026, 11, 20), how=ContactWay.PHONE,
            note="数学补差",
        )  # fmt: skip
        await links.log_contact(tx, link.id, contact, actor=owner, now=h.clock.now())


async def person(h: Harness, user: FakeUser) -> Any:
    async with h.db.read() as conn:
        return await members.get_active_by_telegram(conn, user.id)


async def test_an_admin_creates_a_group_and_invites_an_inspector(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    replies = await h.send(ADMIN, "/inspect new 第三督查组")
    assert replies[0] == "已创建督查组：第三督查组。请邀请督查员并分配支部。"
    assert "督查员（0）：（暂无）" in replies[1]
    await h.press(ADMIN, "🔗 邀请链接（一人一次，7 天）")
    assert "最多可使用 1 次" in h.last(ADMIN)
    code = h.invite_code(ADMIN)
    offer = await h.send(INSPECTOR, f"/start {code}")
    assert "您受邀以督查员身份加入第三督查组" in offer[0]
    done = await h.send(INSPECTOR, "孙建")
    assert done[0] == "孙建，欢迎加入第三督查组！发送 /inspect 查看您负责督查的党支部。"
    joined = await person(h, INSPECTOR)
    assert joined.role is Role.INSPECTOR and joined.branch_id is None
    await h.deliver()
    assert h.last(ADMIN) == "孙建 已通过邀请链接加入「第三督查组」（督查员）。"
    # A one-use link: the next person is told it is used up.
    await h.send(INSPECTOR2, f"/start {code}")
    assert h.last(INSPECTOR2).startswith("此邀请链接的使用次数已满")
    # The inspector sees the group has no branches yet.
    assert (await h.send(INSPECTOR, "/inspect"))[0].startswith("第三督查组还没有被分配支部")
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT action FROM audit_log WHERE action LIKE 'inspection.%' ORDER BY id"
        )
    assert [r[0] for r in rows] == ["inspection.group_created", "inspection.invite_created"]


async def test_the_name_is_asked_when_missing_and_checked(harness: Harness) -> None:
    h = harness
    assert (await h.send(ADMIN, "/inspect new"))[0].startswith("请输入督查组的名称")
    assert (await h.send(ADMIN, "组"))[0].startswith("名称需为 2–40 个字")
    await h.send(ADMIN, "第三督查组")
    assert (await h.send(ADMIN, "/inspect new 第三督查组"))[0] == (
        "已有名为「第三督查组」的督查组，请换一个名称。"
    )
    await h.send(ADMIN, "/cancel")
    listed = await h.send(ADMIN, "/inspect")
    assert listed[0].startswith("督查组（共 1 个）")
    assert h.buttons(ADMIN) == ["第三督查组（督查员 0 人，支部 0 个）"]


async def test_a_shared_link_lets_several_join_and_a_branch_member_cannot(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/inspect new 第三督查组")
    await h.press(ADMIN, "🔗 邀请链接（多人，3 天）")
    assert "最多可使用 20 次" in h.last(ADMIN)
    code = h.invite_code(ADMIN)
    for user, name in ((INSPECTOR, "孙建"), (INSPECTOR2, "周敏")):
        await h.send(user, f"/start {code}")
        await h.send(user, name)
    assert (await person(h, INSPECTOR2)).role is Role.INSPECTOR
    # A teacher of a branch cannot also be an inspector with the same account.
    refused = await h.send(SECRETARY, f"/start {code}")
    assert refused[0].startswith("您已是第一中学党支部的成员。督查员不属于任何党支部")
    # Three days later the shared link has expired.
    h.clock.set(h.clock.now() + timedelta(days=3, minutes=1))
    await h.send(STRANGER, f"/start {code}")
    assert "expired" in h.last(STRANGER)


async def test_branches_are_assigned_with_buttons_in_pages(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        for number in range(1, 13):
            await branches.create(tx, f"测试学校{number:02d}党支部", now=h.clock.now())
    await group_with_inspector(h, assign=())
    await h.send(ADMIN, "/inspect")
    await h.press(ADMIN, "第三督查组（督查员 1 人，支部 0 个）")
    await h.press(ADMIN, "🏫 分配 / 取消支部")
    assert "第 1/2 页" in h.last(ADMIN)
    await h.press(ADMIN, "下一页 ▶")
    assert "第 2/2 页" in h.last(ADMIN)
    await h.press(ADMIN, "测试学校12党支部")
    assert "✅ 测试学校12党支部" in h.buttons(ADMIN)
    assert h.answers()[-1] == "已分配：测试学校12党支部"
    await h.press(ADMIN, "第一中学党支部")
    await h.press(ADMIN, "◀ 上一页")
    assert "第 1/2 页" in h.last(ADMIN)
    await h.press(ADMIN, "⬅️ 返回督查组")
    assert "负责支部（2）：测试学校12党支部、第一中学党支部" in h.last(ADMIN)
    # Pressed again: taken back.
    await h.press(ADMIN, "🏫 分配 / 取消支部")
    await h.press(ADMIN, "下一页 ▶")
    await h.press(ADMIN, "✅ 第一中学党支部")
    assert h.answers()[-1] == "已取消分配：第一中学党支部"
    inspector = await person(h, INSPECTOR)
    async with h.db.read() as conn:
        seen = [b.name for b in await branches.visible_to(conn, inspector)]
    assert seen == ["测试学校12党支部"]


async def test_an_inspector_sees_only_the_assigned_branches(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await log_visit(h, alias="小明同学")
    await group_with_inspector(h)
    mine = await h.send(INSPECTOR, "/inspect")
    assert mine[0].startswith("第三督查组：您负责督查以下支部（1 个）")
    assert h.buttons(INSPECTOR) == ["第一中学党支部"]
    await h.press(INSPECTOR, "第一中学党支部")
    screen = h.last(INSPECTOR)
    assert "👥 党员 3 人：李红梅、张老师、王老师" in screen
    assert "🏠 家访" in screen and "共 1 次" in screen
    assert "小明同学" not in screen
    # The other branch's button, forged: refused.
    async with h.db.read() as conn:
        other = [b for b in await branches.list_with_counts(conn) if b.name == "第二中学党支部"]
    await h.callback(INSPECTOR, f"ins:b:{other[0].id}")
    assert h.answers()[-1] == "抱歉，这个党支部没有分配给您的督查组。"
    # /visits: the counts of the assigned branch only.
    totals = await h.send(INSPECTOR, "/visits")
    assert "第一中学党支部" in totals[0] and "第二中学党支部" not in totals[0]
    await h.callback(INSPECTOR, f"vis:br:{other[0].id}")
    assert h.answers()[-1].startswith("抱歉，这条记录不属于您的党支部")


async def test_an_inspector_reads_the_assigned_branchs_boards_without_changing_anything(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await party_day_on(h, 30)
    await log_visit(h, alias="小明同学")
    await log_service(h, MEMBER.id, date(2026, 11, 20))
    await submitted_pledge(h)
    now = h.clock.now()
    async with h.db.transaction() as tx:
        month = await partyday.ensure_month(tx, 1, 2026, 11, now=now)
        member2 = await members.get_active_by_telegram(tx, MEMBER2.id)
        assert member2 is not None
        await partyday.set_reply(
            tx, month_id=month.id, member_id=member2.id, answer=Answer.LEAVE,
            reason_kind=LeaveReason.OTHER, reason_text="陪小明同学看病", now=now,
        )  # fmt: skip
    await group_with_inspector(h)
    help_text = "\n".join(await h.send(INSPECTOR, "/help"))
    for command in ("/pledges", "/roster", "/partyday", "/service", "/members", "/meetings"):
        assert command in help_text
    assert "/todo" not in help_text

    def no_buttons() -> bool:
        return "reply_markup" not in h.tg.sent_messages(INSPECTOR.id)[-1]

    # Pledges: only the assigned branch; the board without /todo or the term switch; a
    # pledge with its history and no button.
    assert await h.send(INSPECTOR, "/pledges") == ["请选择支部，查看其 2026 年度岗位承诺："]
    assert h.buttons(INSPECTOR) == ["第一中学党支部"]
    board = (await h.press(INSPECTOR, "第一中学党支部"))[-1]
    assert "第一中学党支部 · 2026 年度岗位承诺" in board and "王老师" in board
    assert h.buttons(INSPECTOR) == ["1. 王老师 · 待审核"]
    pledge = (await h.press(INSPECTOR, "1. 王老师 · 待审核"))[-1]
    assert TEXT in pledge and no_buttons()
    # The roster: who is on leave and its kind, never the member's own words.
    await h.send(INSPECTOR, "/roster")
    roster_text = (await h.press(INSPECTOR, "第一中学党支部"))[-1]
    assert "张老师" in roster_text and "其他" in roster_text
    assert "陪小明同学看病" not in roster_text and no_buttons()
    await h.send(ADMIN, "/roster")
    assert "陪小明同学看病" in (await h.press(ADMIN, "第一中学党支部"))[-1]  # the bureau reads it
    # The party day, then its roster; the branch's service; its members; its meetings.
    await h.send(INSPECTOR, "/partyday")
    assert "三楼会议室" in (await h.press(INSPECTOR, "第一中学党支部"))[-1]
    assert h.buttons(INSPECTOR) == ["📋 查看本月名单"]
    await h.send(INSPECTOR, "/service")
    service_text = (await h.press(INSPECTOR, "第一中学党支部"))[-1]
    assert "王老师：全年 2 小时（1 条）" in service_text and no_buttons()
    await h.send(INSPECTOR, "/members")
    members_text = (await h.press(INSPECTOR, "第一中学党支部"))[-1]
    assert "李红梅" in members_text and no_buttons()
    await h.send(INSPECTOR, "/meetings")
    assert "三会一课完成情况" in (await h.press(INSPECTOR, "第一中学党支部"))[-1]
    assert no_buttons()
    # /inspect's branch screen leads to the same boards.
    await h.send(INSPECTOR, "/inspect")
    await h.press(INSPECTOR, "第一中学党支部")
    assert h.buttons(INSPECTOR)[:5] == [
        "📝 岗位承诺", "📋 本月党日名单", "🤝 志愿服务", "📅 三会一课", "👥 党员名单"
    ]  # fmt: skip
    assert "第一中学党支部 · 2026 年度岗位承诺" in (await h.press(INSPECTOR, "📝 岗位承诺"))[-1]
    await h.send(INSPECTOR, "/inspect")
    await h.press(INSPECTOR, "第一中学党支部")
    assert "张老师" in (await h.press(INSPECTOR, "📋 本月党日名单"))[-1]
    # Nothing anywhere in the inspector's chat names the student or repeats a note.
    for text in h.tg.texts(INSPECTOR.id):
        assert "小明同学" not in text and "家长很配合" not in text
    # /todo (it reminds people) stays closed, and the other branch too.
    assert await h.send(INSPECTOR, "/todo") == ["抱歉，您没有权限使用此功能。"]
    async with h.db.read() as conn:
        other = [b for b in await branches.list_with_counts(conn) if b.name == "第二中学党支部"]
    await h.callback(INSPECTOR, f"bp:go:ro:{other[0].id}")
    assert h.answers()[-1].startswith("抱歉，这条记录不属于您的党支部")


async def test_an_inspector_exports_an_assigned_branch_without_aliases(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await log_visit(h, alias="小明同学")
    await student_link(h, alias="豆豆同学")
    await group_with_inspector(h)
    await h.send(INSPECTOR, "/export")
    assert h.buttons(INSPECTOR) == ["第一中学党支部"]  # no 全局, no other branch
    await h.press(INSPECTOR, "第一中学党支部")
    await h.press(INSPECTOR, "本学年 2026–2027")
    await wait_for_running()
    [sent] = [
        c.params
        for c in h.tg.calls_to("sendDocument")
        if c.ok and int(c.params["chat_id"]) == INSPECTOR.id
    ]
    book = load_workbook(io.BytesIO(sent["document"].content))
    assert "家访记录表" not in book.sheetnames
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert not any("小明同学" in cell or "家长很配合" in cell for cell in cells)
    assert not any("豆豆同学" in cell or "数学补差" in cell for cell in cells)  # 学困生 link
    assert "三联系·双服务·结对记录" in book.sheetnames  # the sheet is there, counts only
    # The secretary's copy of the same branch has the alias: the test above can fail.
    await h.send(SECRETARY, "/export")
    await h.press(SECRETARY, "本学年 2026–2027")
    await wait_for_running()
    [own] = [
        c.params
        for c in h.tg.calls_to("sendDocument")
        if c.ok and int(c.params["chat_id"]) == SECRETARY.id
    ]
    secretary_book = load_workbook(io.BytesIO(own["document"].content))
    secretary_cells = [
        str(value)
        for sheet in secretary_book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any("豆豆同学" in cell for cell in secretary_cells)
    assert any("数学补差" in cell for cell in secretary_cells)
    assert any("小明同学" in cell for cell in secretary_cells)
    # /charts: the picker of the assigned branch, then its pictures.
    await h.send(INSPECTOR, "/charts")
    assert h.buttons(INSPECTOR) == ["第一中学党支部"]
    await h.press(INSPECTOR, "第一中学党支部")
    await wait_for_running()
    assert [c for c in h.tg.calls_to("sendMediaGroup") if c.ok] or [
        c for c in h.tg.calls_to("sendPhoto") if c.ok
    ]


async def test_a_removed_inspector_loses_access_and_is_told(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await group_with_inspector(h)
    await h.send(ADMIN, "/inspect")
    await h.press(ADMIN, "第三督查组（督查员 1 人，支部 1 个）")
    await h.press(ADMIN, "➖ 移除督查员")
    await h.press(ADMIN, "孙建")
    assert h.last(ADMIN) == "确认把 孙建 移出「第三督查组」吗？"
    [confirm] = [
        data
        for message in h.tg.messages_in(ADMIN.id)
        for label, data in h.tg.buttons(message)
        if label == "确认移除"
    ]
    await h.press(ADMIN, "确认移除")
    assert h.last(ADMIN) == "已把 孙建 移出「第三督查组」。"
    await h.deliver()
    assert h.last(INSPECTOR).startswith("您已被移出「第三督查组」")
    assert await person(h, INSPECTOR) is None
    await h.send(INSPECTOR, "/inspect")
    assert h.last(INSPECTOR).startswith("您还没有加入任何党支部")
    # The confirmation pressed again: the button is stale.
    await h.callback(ADMIN, confirm)
    assert h.answers()[-1] == "此按钮已失效，请重新打开相关菜单。"


# --------------------------------------------------------------------------- comments, items


async def items_in_db(h: Harness) -> list[tuple[Any, ...]]:
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT text, deadline, status, answer, answer_photo, reopen_reason, reopen_count"
            " FROM rectification_items ORDER BY id"
        )
    return [tuple(row) for row in rows]


async def comment_with_items(h: Harness) -> None:
    """孙建 comments on 第一中学党支部 with two items (12-20 and 2026-12-31)."""
    await h.send(INSPECTOR, "/inspect")
    await h.press(INSPECTOR, "第一中学党支部")
    await h.press(INSPECTOR, "✍️ 写督查点评")
    await h.send(INSPECTOR, "党日活动记录完整，家访覆盖面还需扩大。")
    await h.press(INSPECTOR, "➕ 添加整改事项")
    await h.send(INSPECTOR, "党员名册未及时更新")
    await h.send(INSPECTOR, "12-20")
    await h.press(INSPECTOR, "➕ 添加整改事项")
    await h.send(INSPECTOR, "补齐十月党日照片")
    await h.send(INSPECTOR, "2026-12-31")
    await h.press(INSPECTOR, "✅ 提交点评")
    await h.deliver()


async def test_an_inspector_comments_and_the_secretary_answers_each_item(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await group_with_inspector(h)
    await h.send(INSPECTOR, "/inspect")
    await h.press(INSPECTOR, "第一中学党支部")
    await h.press(INSPECTOR, "✍️ 写督查点评")
    assert h.last(INSPECTOR).startswith("请输入对「第一中学党支部」的督查点评")
    assert (await h.send(INSPECTOR, "很好"))[0] == "点评需为 5–1000 个字，请重新输入。"
    preview = await h.send(INSPECTOR, "党日活动记录完整，家访覆盖面还需扩大。")
    assert "整改事项：无" in preview[0]
    await h.press(INSPECTOR, "➕ 添加整改事项")
    assert (await h.send(INSPECTOR, "改"))[0].startswith("整改事项需为 4–300 个字")
    await h.send(INSPECTOR, "党员名册未及时更新")
    # A deadline that has passed (the nearest 11-20 is last week) is refused.
    assert (await h.send(INSPECTOR, "11-20"))[
        0
    ] == "期限需晚于今天（2026-11-28），请重新输入整改期限。"
    assert (await h.send(INSPECTOR, "下周"))[0].startswith("没看懂这个日期")
    preview = await h.send(INSPECTOR, "12-20")
    assert "1. 党员名册未及时更新（期限 2026-12-20）" in preview[0]
    assert (await h.send(INSPECTOR, "随便说点"))[0] == "请点上面的按钮：添加整改事项，或提交点评。"
    await h.press(INSPECTOR, "➕ 添加整改事项")
    await h.send(INSPECTOR, "补齐十月党日照片")
    await h.send(INSPECTOR, "2026-12-31")
    await h.press(INSPECTOR, "✅ 提交点评")
    assert h.last(INSPECTOR) == "督查点评已提交，已通知第一中学党支部的支部书记（整改事项 2 项）。"
    await h.deliver()
    told = h.last(SECRETARY)
    assert told.startswith("📮 <b>督查点评</b>（第三督查组 · 孙建）")
    assert "2. 补齐十月党日照片（期限 2026-12-31）" in told
    assert h.buttons(SECRETARY) == ["✍️ 答复第 1 项", "✍️ 答复第 2 项"]
    # The secretary answers item 1 with a photo.
    await h.press(SECRETARY, "✍️ 答复第 1 项")
    assert "期限：2026-12-20" in h.last(SECRETARY)
    await h.send(SECRETARY, "已更新名册并在支部大会上通报。")
    assert h.last(SECRETARY).startswith("可以发送一张照片作为佐证")
    assert (await h.send(SECRETARY, "好的"))[0] == "请发送一张照片，或点「不附照片，提交」。"
    await h.photo(SECRETARY, "ROSTER_PHOTO")
    assert h.last(SECRETARY) == "整改情况已提交，等待督查组验收。"
    first = (await items_in_db(h))[0]
    assert first[2:5] == ("done", "已更新名册并在支部大会上通报。", "ROSTER_PHOTO")
    await h.deliver()
    assert h.last(INSPECTOR).startswith("📬 第一中学党支部 已答复整改事项")
    assert "（附照片）" in h.last(INSPECTOR)
    # The inspector opens it: the photo, then the item with accept / reopen.
    await h.press(INSPECTOR, "查看并验收")
    photos = [c.params for c in h.tg.calls_to("sendPhoto") if c.ok]
    assert photos[-1]["photo"] == "ROSTER_PHOTO" and int(photos[-1]["chat_id"]) == INSPECTOR.id
    assert "状态：已答复，待验收" in h.last(INSPECTOR)
    await h.press(INSPECTOR, "↩️ 退回整改")
    await h.send(INSPECTOR, "名册缺少新入职党员")
    assert h.last(INSPECTOR) == "已退回整改，并通知支部书记：党员名册未及时更新"
    await h.deliver()
    assert "理由：名册缺少新入职党员" in h.last(SECRETARY)
    await h.press(SECRETARY, "✍️ 重新答复")
    await h.send(SECRETARY, "已补录两名新入职党员。")
    await h.send(SECRETARY, "不用")
    assert h.last(SECRETARY) == "整改情况已提交，等待督查组验收。"
    await h.deliver()
    await h.press(INSPECTOR, "查看并验收")
    assert "上次退回理由：名册缺少新入职党员（第 1 次退回）" in h.last(INSPECTOR)
    await h.press(INSPECTOR, "✅ 验收通过")
    assert h.last(INSPECTOR) == "已验收通过：党员名册未及时更新"
    await h.deliver()
    assert h.last(SECRETARY) == "✅ 督查组已验收通过整改事项：党员名册未及时更新"
    assert [row[2] for row in await items_in_db(h)] == ["accepted", "open"]
    assert (await items_in_db(h))[0][5:] == ("名册缺少新入职党员", 1)
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT action FROM audit_log WHERE entity IN ('inspection_comment',"
            " 'rectification_item') ORDER BY id"
        )
    assert [r[0] for r in rows] == [
        "inspection.comment",
        "inspection.item_answered",
        "inspection.item_reopened",
        "inspection.item_answered",
        "inspection.item_accepted",
    ]


async def test_the_items_are_listed_for_each_role_and_old_buttons_refused(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await group_with_inspector(h)
    await comment_with_items(h)
    listed = await h.send(SECRETARY, "/rectify")
    assert listed[0].startswith("督查整改事项（未验收 2 项）")
    assert "第一中学党支部｜党员名册未及时更新｜期限 2026-12-20｜待整改" in listed[0]
    assert (await h.send(ADMIN, "/rectify"))[0].startswith("督查整改事项（未验收 2 项）")
    assert (await h.send(INSPECTOR, "/rectify"))[0].startswith("督查整改事项（未验收 2 项）")
    # After the deadline the item shows as overdue.
    h.clock.set(h.clock.now() + timedelta(days=23))
    assert "待整改（已逾期）" in (await h.send(SECRETARY, "/rectify"))[0]
    # The answer pressed twice: the second time it is already answered.
    await h.send(SECRETARY, "/rectify")
    await h.press(SECRETARY, "第 1 项")
    await h.press(SECRETARY, "✍️ 答复整改情况")
    await h.send(SECRETARY, "已更新名册。")
    await h.send(SECRETARY, "不用")
    await h.press(SECRETARY, "✍️ 答复整改情况")
    assert h.answers()[-1] == "这项整改已答复，正在等待督查组验收。"
    # An inspector pressing accept on an item that is not answered yet.
    await h.send(INSPECTOR, "/rectify")
    await h.press(INSPECTOR, "第 2 项")
    data = [d for m in h.tg.messages_in(INSPECTOR.id) for label, d in h.tg.buttons(m) if d]
    item2 = max(int(d.split(":")[2]) for d in data if d.startswith("ins:it:"))
    await h.callback(INSPECTOR, f"ins:ok:{item2}")
    assert h.answers()[-1] == "这项整改还没有答复（或已退回），现在不能验收或退回。"


# --------------------------------------------------------------------------- reminders, 台账


async def tick(h: Harness, when: datetime) -> dict[str, int]:
    h.clock.set(when)
    report = await reminder_engine(h.app).tick()
    await h.deliver()
    return dict(report.by_kind)


async def test_reminders_before_and_after_a_deadline(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await group_with_inspector(h)
    await comment_with_items(h)  # item 1 due 12-20, item 2 due 12-31
    await tick(h, datetime(2026, 11, 28, 12, 0, tzinfo=ZONE))  # the first run notes the time
    # Item 1 is answered before its reminder: only item 2 will be reminded.
    await h.send(SECRETARY, "/rectify")
    await h.press(SECRETARY, "第 1 项")
    await h.press(SECRETARY, "✍️ 答复整改情况")
    await h.send(SECRETARY, "已更新名册。")
    await h.send(SECRETARY, "不用")
    kinds = await tick(h, datetime(2026, 12, 17, 9, 5, tzinfo=ZONE))
    assert kinds.get("inspection.deadline") is None  # item 1 answered: nothing to say
    kinds = await tick(h, datetime(2026, 12, 28, 9, 5, tzinfo=ZONE))
    assert kinds["inspection.deadline"] == 1
    [soon] = [t for t in h.tg.texts(SECRETARY.id) if t.startswith("⏰ 督查整改事项")]
    assert soon.startswith("⏰ 督查整改事项将于 2026-12-31 到期，尚未答复")
    assert "补齐十月党日照片" in soon
    # The day after the deadline: the secretary and the group's inspector.
    kinds = await tick(h, datetime(2027, 1, 4, 9, 5, tzinfo=ZONE))
    assert kinds["inspection.deadline"] == 2
    overdue = "⚠️ 督查整改事项已超过期限（2026-12-31），仍未答复：\n第一中学党支部：补齐十月党日照片"
    assert overdue in h.tg.texts(SECRETARY.id)
    assert h.last(INSPECTOR) == overdue
    # A tick again the same day sends nothing twice.
    kinds = await tick(h, datetime(2027, 1, 4, 9, 30, tzinfo=ZONE))
    assert kinds.get("inspection.deadline") is None


async def test_the_ledger_has_the_rectification_sheet(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await log_visit(h, alias="小明同学")
    await group_with_inspector(h)
    await comment_with_items(h)
    await h.send(SECRETARY, "/rectify")
    await h.press(SECRETARY, "第 1 项")
    await h.press(SECRETARY, "✍️ 答复整改情况")
    await h.send(SECRETARY, "已更新名册。")
    await h.photo(SECRETARY, "ROSTER_PHOTO")
    await h.deliver()
    await h.press(INSPECTOR, "查看并验收")
    await h.press(INSPECTOR, "✅ 验收通过")
    for user in (INSPECTOR, SECRETARY):
        await h.send(user, "/export")
        if user is INSPECTOR:
            await h.press(user, "第一中学党支部")
        await h.press(user, "本学年 2026–2027")
        await wait_for_running()
    inspector_copy, secretary_copy = [
        load_workbook(io.BytesIO(c.params["document"].content))
        for c in h.tg.calls_to("sendDocument")
        if c.ok
    ]
    for book in (inspector_copy, secretary_copy):
        rows = list(book["督查整改台账"].iter_rows(values_only=True))
        assert rows[0][:8] == (
            "序号", "点评时间", "督查组", "督查员", "督查点评", "整改事项", "整改期限", "状态"
        )  # fmt: skip
        assert len(rows) == 3
        first, second = rows[1], rows[2]
        assert first[5] == "党员名册未及时更新" and first[7] == "已验收"
        assert first[6] == datetime(2026, 12, 20)  # an Excel date
        assert first[8] == "已更新名册。" and first[11] == 1 and first[14] == "孙建"
        assert second[7] == "待整改" and second[8] is None
        summary = list(book["封面汇总"].iter_rows(values_only=True))
        [open_line] = [row for row in summary if row[0] == "督查整改事项未完成（项）"]
        assert open_line[2] == 1
    assert "家访记录表" in secretary_copy.sheetnames
    assert "家访记录表" not in inspector_copy.sheetnames
    cells = [
        str(value)
        for sheet in inspector_copy.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert not any("小明同学" in cell for cell in cells)
