"""The bureau sees every branch: /roster, /partyday, /service, /members, /meetings, /todo and
/pledges put the one branch picker in front of the screen a secretary sees for their own
branch, read-only where the secretary's copy changes things; 10 branches a page."""

from __future__ import annotations

from datetime import date

from storage import branches, members, roster
from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, Harness
from tests.test_todo import log_service, party_day_on


async def test_the_roster_for_the_bureau_has_no_buttons_that_change_things(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await party_day_on(h, 30)
    said = await h.send(ADMIN, "/roster")
    assert said == ["请选择支部，查看其党日名单："]
    assert h.buttons(ADMIN) == ["第一中学党支部", "第二中学党支部"]
    said = await h.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部" in said[-1] and "未回复（3）" in said[-1]
    # No [提醒未回复] / [手动登记签到] / approvals: only the list of who has not answered.
    assert h.buttons(ADMIN) == ["🕓 谁还没回复党日"]
    # The secretary's own copy keeps them.
    await h.send(SECRETARY, "/roster")
    assert "手动登记签到" in h.buttons(SECRETARY)


async def test_a_month_asked_for_reaches_the_branch_chosen(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await party_day_on(h, 10)
    await h.send(ADMIN, "/roster 2026-10")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部 · 2026年10月党日名单" in said[-1]
    # A past month: nothing to nudge about, and nothing to change.
    assert "reply_markup" not in h.tg.sent_messages(ADMIN.id)[-1]


async def test_the_bureau_reads_a_branchs_party_days_and_goes_on_to_its_roster(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await party_day_on(h, 30)
    await h.send(ADMIN, "/partyday")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部 · 党日设置" in said[-1] and "三楼会议室" in said[-1]
    assert h.buttons(ADMIN) == ["📋 查看本月名单"]  # no 设置规则 / 设置主题 / 取消
    said = await h.press(ADMIN, "📋 查看本月名单")
    assert "未回复（3）" in said[-1]
    said = await h.send(ADMIN, "/partyday")
    said = await h.press(ADMIN, "第二中学党支部")
    assert said[-1] == "第二中学党支部 · 党日设置\n该支部还没有设置党日规则。"


async def test_the_branchs_service_board(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await log_service(h, MEMBER.id, date(2026, 11, 20))
    await log_service(h, MEMBER.id, date(2026, 3, 2))
    await log_service(h, SECRETARY.id, date(2025, 12, 30))  # last year
    said = await h.send(SECRETARY, "/service branch")
    board = said[-1]
    assert "第一中学党支部 · 2026年志愿服务" in board and "全年共 4 小时，1 人有记录" in board
    assert "本月（11月）共 2 小时。" in board
    assert "1. 王老师：全年 4 小时（2 条），本月 2 小时" in board
    assert "本月还没有记录的：张老师、李红梅" in board
    assert h.buttons(SECRETARY) == ["🕓 谁本月还没记录服务"]
    said = await h.send(SECRETARY, "/service branch 2025")
    assert "全年共 2 小时" in said[-1] and "本月" not in said[-1]

    said = await h.send(ADMIN, "/service")
    assert said[-1] == "请选择支部，查看其志愿服务时长："
    said = await h.press(ADMIN, "第二中学党支部")
    assert "第二中学党支部 · 2026年志愿服务" in said[-1] and "赵建国" in said[-1]
    assert "王老师" not in said[-1]
    await h.send(ADMIN, "/service branch 2025")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "2025年志愿服务" in said[-1] and "全年共 2 小时" in said[-1]


async def test_members_for_the_bureau_without_remove_buttons(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await h.send(ADMIN, "/members")
    said = await h.press(ADMIN, "第二中学党支部")
    assert "第二中学党支部（2 人）" in said[-1] and "钱老师" in said[-1]
    assert h.buttons(ADMIN) == ["第一中学党支部", "第二中学党支部"]  # the picker's, not 移除
    await h.send(OTHER_SECRETARY, "/members")
    assert h.buttons(OTHER_SECRETARY) == ["移除 钱老师"]


async def test_the_bureau_sees_who_is_expected_without_their_link_buttons(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
        assert secretary is not None
        await roster.import_members(
            tx, 1, [roster.RosterRow(number=2, name="陈老师", subject="语文")],
            actor_id=secretary.id, now=h.clock.now(),
        )  # fmt: skip
    await h.send(SECRETARY, "/members")
    assert "新链接：陈老师" in h.buttons(SECRETARY)
    await h.send(ADMIN, "/members")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "尚未加入（1 人）" in said[-1] and "陈老师" in said[-1]
    assert "reply_markup" not in h.tg.sent_messages(ADMIN.id)[-1]  # no 移除, 新链接, 撤回


async def test_the_bureau_opens_a_branchs_meeting_board(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/meetings")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部" in said[-1] and "三会一课" in said[-1]


async def test_a_hundred_branches_page_by_ten(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        for number in range(2, 106):
            await branches.create(tx, f"测试支部{number:03d}", now=h.clock.now())
    said = await h.send(ADMIN, "/members")
    assert said[-1] == "请选择支部，查看其成员：\n第 1/11 页，共 105 个支部。"
    first = h.buttons(ADMIN)
    assert len(first) == 11 and first[-1] == "下一页 ▶" and first[0] == "测试支部002"
    messages = len(h.tg.sent_messages(ADMIN.id))
    await h.press(ADMIN, "下一页 ▶")
    assert len(h.tg.sent_messages(ADMIN.id)) == messages  # turned in place, no new message
    assert h.tg.texts(ADMIN.id)[-1].endswith("第 2/11 页，共 105 个支部。")
    assert h.buttons(ADMIN)[0] == "测试支部012"
    assert h.buttons(ADMIN)[-2:] == ["◀ 上一页", "下一页 ▶"]
    await h.callback(ADMIN, "bp:pg:mb:10")
    last = [*(f"测试支部{number}" for number in range(102, 106)), "第一中学党支部", "◀ 上一页"]
    assert h.buttons(ADMIN) == last  # 第一 sorts after the 测试 names
    said = await h.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部（3 人）" in said[-1]
    # A page beyond the end (the list shrank since): the last page.
    await h.callback(ADMIN, "bp:pg:mb:40")
    assert h.buttons(ADMIN) == last
    # Every screen pages the same way.
    for command in ("/roster", "/partyday", "/service", "/todo", "/pledges"):
        said = await h.send(ADMIN, command)
        assert said[-1].endswith("第 1/11 页，共 105 个支部。"), command
        assert h.buttons(ADMIN)[-1] == "下一页 ▶"


async def test_the_pledge_picker_is_the_shared_one(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/pledges")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "第一中学党支部 · 2026 年度岗位承诺" in said[-1]
    # The bureau's copy leads to /todo's list (no term switch: the branch's own choice).
    assert h.buttons(ADMIN) == ["🕓 谁还没作出承诺"]
    # A picker button sent before the picker was shared still opens the board.
    said = await h.callback(ADMIN, "pl:bb:1:2025")
    assert "第一中学党支部 · 2025 年度岗位承诺" in said[-1]


async def test_help_lists_todo_for_secretaries_and_admins_only(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    assert "/todo" in (await h.send(SECRETARY, "/help"))[-1]
    admin_help = (await h.send(ADMIN, "/help"))[-1]
    assert "/todo" in admin_help and "/roster" in admin_help and "/members" in admin_help
    assert "/todo" not in (await h.send(MEMBER, "/help"))[-1]
