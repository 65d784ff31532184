"""Who sees home visits: the branch view and targets, the bureau, inspectors, group chats,
/mydata, and the admin's school terms."""

from __future__ import annotations

import json
from datetime import date, timedelta

from handlers.common.i18n import Translator
from handlers.visits import views
from storage import audit, branches, inspection, members
from storage.members import Role
from storage.terms import Term
from storage.visits import BranchProgress
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    START,
    Harness,
)
from tests.fakebot import FakeUser, Upload
from tests.test_visits import log_visit, member_id, said, visit_rows

INSPECTOR = FakeUser(4001, "督查一组")
GROUP = -100555


async def add_inspector(h: Harness) -> None:
    """An inspector of a group that inspects 第一中学党支部 (branch 1) only (the invite
    flow is tested in tests/test_inspection.py)."""
    now = h.clock.now()
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert admin is not None
        group = await inspection.create_group(tx, "第一督查组", created_by=admin.id, now=now)
        invite = await inspection.create_invite(
            tx, group.id, shared=False, created_by=admin.id, now=now
        )
        await inspection.join(tx, invite, telegram_id=INSPECTOR.id, name="督查一组", now=now)
        await inspection.assign(tx, group.id, 1, actor_id=admin.id, now=now)


async def test_secretary_sees_the_branch_against_its_target(harness: Harness) -> None:
    await harness.branch_with_people()
    replies = await harness.send(SECRETARY, "/visittarget")
    assert said(replies, "用法：/visittarget") and said(replies, "未设置")
    replies = await harness.send(SECRETARY, "/visittarget 二")
    assert said(replies, "目标需为 0 到 100 之间的整数")
    replies = await harness.send(SECRETARY, "/visittarget 2")
    assert said(replies, "本学期（2026-09-01 至 2027-01-31）每位党员家访目标 2 次")
    await log_visit(harness)
    await log_visit(harness, alias="李同学")
    replies = await harness.send(SECRETARY, "/visits branch")
    text = replies[-1]
    assert "目标：每人 2 次" in text
    assert "王老师：2/2 ✅" in text and "张老师：0/2" in text and "李红梅：0/2" in text
    assert "本月（2026-11）还没有家访：" in text and "张老师" in text
    assert "王同学" not in text  # the overview has counts, not students
    # The secretary opens a member's records and one record.
    replies = await harness.press(SECRETARY, "王老师 的记录")
    assert said(replies, "王老师 的家访") and said(replies, "王同学")
    replies = await harness.press(SECRETARY, "详情 1")
    assert said(replies, "记录人：王老师")
    assert "修改" not in " ".join(harness.buttons(SECRETARY))  # only the teacher edits
    async with harness.db.read() as conn:
        entries = await audit.for_entity(conn, "branch", 1)
    assert [e.detail["target"] for e in entries if e.action == "visit_target.set"] == [2]


async def test_target_is_per_term(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/visittarget 4")
    harness.clock.set(START + timedelta(days=80))  # 2027-02-16: the spring term
    replies = await harness.send(SECRETARY, "/visits branch")
    assert said(replies, "2027-02-01 至 2027-07-31") and said(replies, "未设置")


async def test_secretary_of_another_branch_cannot_see_this_branch(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    await log_visit(harness)
    visit_id = (await visit_rows(harness))[0]["id"]
    before = len(harness.answers())
    for data in (
        "vis:br:1",
        f"vis:mem:{await member_id(harness, MEMBER)}:0",
        f"vis:show:{visit_id}",
    ):
        replies = await harness.callback(OTHER_SECRETARY, data)
        assert not said(replies, "王同学")
    assert harness.answers()[before:] == ["抱歉，这条记录不属于您的党支部，无法查看或操作。"] * 3
    # Their own /visits branch shows only their branch.
    replies = await harness.send(OTHER_SECRETARY, "/visits branch")
    assert said(replies, "第二中学党支部") and not said(replies, "王老师")
    assert not any("王同学" in text for text in harness.tg.texts(OTHER_SECRETARY.id))
    # A member of the other branch cannot read the visit either.
    await harness.callback(OTHER_MEMBER, f"vis:show:{visit_id}")
    assert harness.answers()[-1] == "抱歉，这条记录不属于您的党支部，无法查看或操作。"


async def test_inspector_sees_counts_only(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    await add_inspector(harness)
    await log_visit(harness, follow_up="1 周后")
    visit_id = (await visit_rows(harness))[0]["id"]
    replies = await harness.send(INSPECTOR, "/visits")
    text = replies[-1]
    assert "各支部家访统计" in text and "第一中学党支部：1 次，3 人" in text
    assert "第二中学党支部" not in text  # not assigned to the inspector's group
    assert "督查组可查看数量" in text
    replies = await harness.press(INSPECTOR, "第一中学党支部")
    assert said(replies, "王老师：1") and "王老师 的记录" not in harness.buttons(INSPECTOR)
    before = len(harness.answers())
    for data in (
        f"vis:show:{visit_id}",
        f"vis:hist:{visit_id}",
        f"vis:photo:{visit_id}",
        f"vis:mem:{await member_id(harness, MEMBER)}:0",
        f"vis:edit:{visit_id}",
    ):
        await harness.callback(INSPECTOR, data)
    refused = harness.answers()[before:]
    assert refused[:4] == ["督查组只能查看家访数量，不能查看具体记录（保护学生隐私）。"] * 4
    assert refused[4] == "抱歉，您没有权限使用此功能。"
    assert not any("王同学" in text for text in harness.tg.texts(INSPECTOR.id))
    replies = await harness.send(INSPECTOR, "/visit")
    assert replies == ["抱歉，您没有权限使用此功能。"]


async def test_admin_sees_every_branch_and_can_open_records(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    await log_visit(harness)
    replies = await harness.send(ADMIN, "/visits")
    assert said(replies, "第一中学党支部：1 次") and said(replies, "第二中学党支部：0 次")
    await harness.press(ADMIN, "第一中学党支部")
    await harness.press(ADMIN, "王老师 的记录")
    replies = await harness.press(ADMIN, "详情 1")
    assert said(replies, "王同学")
    # ... but it is not the admin's to change.
    visit_id = (await visit_rows(harness))[0]["id"]
    await harness.callback(ADMIN, f"vis:wdok:{visit_id}")
    assert harness.answers()[-1] == "抱歉，您没有权限使用此功能。"


async def test_nothing_about_students_in_a_group_chat(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    group = {"id": GROUP, "type": "supergroup", "title": "第一中学党员群"}
    for command in ("/visit", "/visits", "/visits branch", "/mydata"):
        user = SECRETARY if "branch" in command else MEMBER
        replies = await harness.send(user, command, chat=group)
        assert replies == ["请在与我的私聊中使用此命令。"], (command, replies)
    assert not any("王同学" in text for text in harness.tg.texts(GROUP))
    assert not harness.tg.sent_messages(GROUP) or all(
        "王同学" not in str(params) for params in harness.tg.sent_messages(GROUP)
    )


async def test_mydata_sends_the_members_own_records_as_a_file(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness, follow_up="1 周后")
    await log_visit(harness, MEMBER2, alias="张同学")
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "修改 1")
    await harness.press(MEMBER, "📝 备注")
    await harness.send(MEMBER, "补充")
    await harness.press(MEMBER, "✅ 保存")
    await harness.send(MEMBER, "/mydata")
    sent = harness.tg.last_sent(MEMBER.id)
    document = sent["document"]
    assert isinstance(document, Upload) and document.filename.endswith(".json")
    assert "妥善保管" in sent["caption"]
    data = json.loads(document.content)
    assert [m["name"] for m in data["memberships"]] == ["王老师"]
    assert [v["student_alias"] for v in data["home_visits"]] == ["王同学"]  # not 张同学
    visit = data["home_visits"][0]
    assert visit["note"] == "补充" and visit["earlier_versions"][0]["content"]["note"] is None
    assert {a["action"] for a in data["actions"]} >= {
        "member.joined",
        "visit.logged",
        "visit.edited",
    }
    async with harness.db.read() as conn:
        exported = [e for e in await audit.recent(conn) if e.action == "mydata.exported"]
    assert len(exported) == 1 and "王同学" not in str(exported[0].detail)


async def test_admin_sets_the_school_term(harness: Harness) -> None:
    await harness.branch_with_people()
    replies = await harness.send(ADMIN, "/term")
    assert said(replies, "当前学期：2026-09-01 至 2027-01-31（默认划分）")
    await harness.press(ADMIN, "设置学期日期")
    replies = await harness.send(ADMIN, "2026年9月1日")
    assert said(replies, "开始日期：2026-09-01")
    replies = await harness.send(ADMIN, "2026-09-10")
    assert said(replies, "学期长度需在 28 到 250 天之间")
    replies = await harness.send(ADMIN, "2027-01-20")
    assert said(replies, "已设置学期：2026-09-01 至 2027-01-20")
    replies = await harness.send(ADMIN, "/term")
    assert said(replies, "2026-09-01 至 2027-01-20（管理员设置）")
    # The member's visit dates now follow it.
    harness.clock.set(START + timedelta(days=58))  # 2027-01-25, after the set term
    await harness.send(MEMBER, "/visit")
    replies = await harness.send(MEMBER, "2027-01-22")
    assert said(replies, "不在本学期内（2026-09-01 至 2027-01-20）")
    # Typed in one go, replacing the overlapping term (which is kept, marked).
    replies = await harness.send(ADMIN, "/term 2026-09-01 2027-01-31")
    assert said(replies, "替换了原先设置的 1 个重叠学期")
    async with (
        harness.db.read() as conn,
        conn.execute("SELECT COUNT(*), COUNT(superseded_at) FROM terms") as cur,
    ):
        assert tuple(await cur.fetchone()) == (2, 1)  # type: ignore[arg-type]
    replies = await harness.send(MEMBER2, "/term")
    assert replies == ["抱歉，您没有权限使用此功能。"]
    # 取消 typed while a date is asked leaves, like the button.
    await harness.send(ADMIN, "/term")
    await harness.press(ADMIN, "设置学期日期")
    assert await harness.send(ADMIN, "取消") == ["已取消。"]


async def test_a_large_branch_and_many_branches_are_paged(harness: Harness) -> None:
    """150 people in a branch, 45 branches: every screen fits one Telegram message."""
    await harness.branch_with_people()
    async with harness.db.transaction() as tx:
        for n in range(147):
            await members.create(
                tx, telegram_id=50_000 + n, name=f"阿依古丽·买买提{n:03d}", role=Role.MEMBER,
                branch_id=1, now=harness.clock.now(),
            )  # fmt: skip
        for n in range(44):
            await branches.create(tx, name=f"临海市第{n:02d}中学党支部", now=harness.clock.now())
    await log_visit(harness)

    replies = await harness.send(SECRETARY, "/visits branch")
    text = replies[-1]
    assert len(text) <= 4096 and "3. 阿依古丽·买买提000：0" in text
    assert "21." not in text and "第 1/8 页" in harness.buttons(SECRETARY)
    assert "，另有 119 人" in text  # 149 without a visit this month; 30 named
    assert len(harness.buttons(SECRETARY)) <= 100
    replies = await harness.press(SECRETARY, "下一页 ›")
    assert "21. " in replies[-1] and "第 2/8 页" in harness.buttons(SECRETARY)
    await harness.callback(SECRETARY, "vis:brp:1:99")  # past the end: the last page
    last = harness.tg.texts(SECRETARY.id)[-1]
    assert "150. 王老师：1" in last and "第 8/8 页" in harness.buttons(SECRETARY)

    replies = await harness.send(ADMIN, "/visits")
    assert len(replies[-1]) <= 4096 and "第 1/3 页" in harness.buttons(ADMIN)
    replies = await harness.press(ADMIN, "下一页 ›")
    assert said(replies, "临海市第") and "第 2/3 页" in harness.buttons(ADMIN)
    assert not said(harness.answers(), "系统出了点问题")


def test_the_bureau_counts_read_well_in_english() -> None:
    term = Term(start=date(2026, 9, 1), end=date(2027, 1, 31))
    one = BranchProgress(branch_id=1, name="No. 1 Middle School", people=1, visits=1, target=2)
    text, _ = views.totals_view(Translator("en"), term, [one], inspector=False)
    assert "visits 1, people 1, at target 0/1 (2 each); no visit this month: 0" in text
    assert "1 visits" not in text and "1 people" not in text


async def test_a_target_set_in_the_summer_is_for_the_coming_term(harness: Harness) -> None:
    await harness.branch_with_people()
    harness.clock.set(START.replace(year=2027, month=8, day=20))  # between the terms
    replies = await harness.send(SECRETARY, "/visittarget 4")
    assert said(replies, "已设置：下学期（2027-09-01 至 2028-01-31）每位党员家访目标 4 次")
    replies = await harness.send(SECRETARY, "/visittarget")
    assert said(replies, "下学期（2027-09-01 至 2028-01-31）当前目标：每人 4 次")
    harness.clock.set(START.replace(year=2027, month=9, day=6))
    replies = await harness.send(SECRETARY, "/visits branch")
    assert said(replies, "目标：每人 4 次")
    replies = await harness.send(SECRETARY, "/visittarget")
    assert said(replies, "本学期（2027-09-01 至 2028-01-31）当前目标：每人 4 次")
