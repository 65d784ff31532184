"""/links through the real Application: a member's own 三联系 confirmed by the secretary,
双服务 and 结对 set by the secretary and the bureau, contacts logged in a few taps, the
coverage views, the reminder and the digest line, privacy and bad input."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.app import reminder_engine
from handlers.common.i18n import Translator
from handlers.common.reminders import DueReminder
from handlers.links import views
from handlers.links.reminders import behind
from schedules.kinds import Kind, Reminder
from storage import branches, links, members, reminders, terms, visits
from storage.link_rules import LinkPeriod
from storage.links import ContactFields, LinkFields, LinkKind, LinkStatus
from storage.visits import Form, Met, Topic, VisitContent
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    ZONE,
    Harness,
)
from tests.fakebot import FakeTelegram, FakeUser


async def _ids(h: Harness) -> dict[int, int]:
    """Telegram id → member id of the active people."""
    async with (
        h.db.read() as conn,
        conn.execute("SELECT telegram_id, id FROM members WHERE status = 'active'") as cur,
    ):
        return {int(row[0]): int(row[1]) for row in await cur.fetchall()}


async def _links(h: Harness) -> list[links.Link]:
    async with h.db.read() as conn, conn.execute("SELECT id FROM links ORDER BY id") as cur:
        ids = [int(row[0]) for row in await cur.fetchall()]
    async with h.db.read() as conn:
        found = [await links.get(conn, i) for i in ids]
    return [link for link in found if link is not None]


async def _contacts(h: Harness) -> list[tuple[Any, ...]]:
    async with (
        h.db.read() as conn,
        conn.execute(
            "SELECT link_id, on_date, how, note, photo_file_id, side_branch_id FROM link_contacts"
            " ORDER BY id"
        ) as cur,
    ):
        return [tuple(row) for row in await cur.fetchall()]


async def _set_three(h: Harness, user: FakeUser, kind: str, value: str) -> list[str]:
    await h.send(user, "/links")
    await h.press(user, "➕ 设置三联系")
    await h.press(user, kind)
    return await h.send(user, value)


async def _confirmed_class(h: Harness, value: str = "三(2)班") -> links.Link:
    await _set_three(h, MEMBER, "三联系·班级", value)
    await h.deliver()
    await h.press(SECRETARY, "✅ 确认")
    await h.deliver()
    return (await _links(h))[-1]


async def test_a_member_sets_a_class_and_the_secretary_confirms(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    said = await _set_three(h, MEMBER, "三联系·班级", "三（2）班")
    assert "已登记 三联系·班级：三(2)班，等待支部书记确认" in said[-1]
    [link] = await _links(h)
    assert (link.kind, link.status, link.target_text) == (
        LinkKind.CLASS, LinkStatus.PROPOSED, "三(2)班",
    )  # fmt: skip
    # The secretary is asked through the outbox, with the buttons to decide.
    await h.deliver()
    assert "王老师 登记了三联系：三联系·班级 三(2)班，请确认" in h.last(SECRETARY)
    assert h.buttons(SECRETARY) == ["✅ 确认", "↩️ 退回"]
    # Nothing can be logged on it yet: /links says it waits.
    assert "等待书记确认" in (await h.send(MEMBER, "/links"))[-1]
    assert "📝 三(2)班" not in h.buttons(MEMBER)
    await h.press(SECRETARY, "✅ 确认")
    assert "已确认：王老师 三联系·班级 三(2)班" in h.last(SECRETARY)
    await h.deliver()
    assert "您的 三联系·班级（三(2)班）已由 李红梅 确认" in h.last(MEMBER)
    [link] = await _links(h)
    assert link.status is LinkStatus.ACTIVE
    # A second tap on the request (its buttons are gone; a stale copy) changes nothing.
    await h.callback(SECRETARY, f"lk:no:{link.id}")
    assert "已经处理过了" in h.answers()[-1]


async def test_a_declined_link_is_told_to_its_owner(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await _set_three(h, MEMBER, "三联系·寝室", "男生3号楼201")
    await h.deliver()
    await h.press(SECRETARY, "↩️ 退回")
    await h.deliver()
    assert "被 李红梅 退回" in h.last(MEMBER)
    assert (await _links(h))[0].status is LinkStatus.DECLINED


async def test_a_student_is_an_alias_and_a_full_name_is_warned(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    said = await _set_three(h, MEMBER, "三联系·学困生", "王小明")
    assert "看起来像学生的真实全名" in said[-1] and "王同学" in said[-1]
    assert await _links(h) == []
    # Too long an alias is refused; the button keeps the warned one.
    said = await h.send(MEMBER, "一" * 21)
    assert "化名最多 20 个字" in said[-1]
    assert await _links(h) == []
    await h.press(MEMBER, "这是化名，继续")
    [link] = await _links(h)
    assert link.student_alias == "王小明" and link.status is LinkStatus.PROPOSED
    # The audit log names the link, never the student.
    async with h.db.read() as conn, conn.execute("SELECT detail FROM audit_log") as cur:
        assert not any("王小明" in str(row[0]) for row in await cur.fetchall())


async def test_a_second_class_replaces_the_first_only_after_confirmations(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    first = await _confirmed_class(h)
    said = await _set_three(h, MEMBER, "三联系·班级", "四(1)班")
    assert "已联系班级「三(2)班」" in said[-1] and "确认改为「四(1)班」" in said[-1]
    assert len(await _links(h)) == 1  # nothing stored before the member confirms
    await h.press(MEMBER, "改为「四(1)班」")
    found = await _links(h)
    assert [(link.target_text, link.status) for link in found] == [
        ("三(2)班", LinkStatus.ACTIVE), ("四(1)班", LinkStatus.PROPOSED),
    ]  # fmt: skip
    await h.deliver()
    assert "确认后替换其原来联系的班级" in h.last(SECRETARY)
    await h.press(SECRETARY, "✅ 确认")
    found = await _links(h)
    assert [(link.target_text, link.status) for link in found] == [
        ("三(2)班", LinkStatus.ENDED), ("四(1)班", LinkStatus.ACTIVE),
    ]  # fmt: skip
    assert found[0].replaced_by == found[1].id and found[0].id == first.id


async def test_log_a_contact_in_three_taps_and_a_line(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(datetime(2026, 11, 10, 10, 0, tzinfo=ZONE))
    link = await _confirmed_class(h)
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    await h.send(MEMBER, "/links")
    assert "⚠️ 本月尚未联系" in h.last(MEMBER)
    await h.press(MEMBER, "📝 三(2)班")
    assert "日期：今天" in h.last(MEMBER)
    await h.press(MEMBER, "谈心")
    said = await h.send(MEMBER, "班会上和同学们谈学习习惯")
    assert "已记录：2026-11-28 谈心 · 三(2)班。本月已联系 1 次" in said[-1]
    assert await _contacts(h) == [
        (link.id, "2026-11-28", "talk", "班会上和同学们谈学习习惯", None, link.branch_id)
    ]
    assert "本月已联系 1 次" in (await h.send(MEMBER, "/links"))[-1]
    # A photo with its caption, another day typed where the way is asked.
    await h.press(MEMBER, "📝 三(2)班")
    said = await h.send(MEMBER, "11-20")
    assert "日期：2026-11-20" in said[-1]
    await h.press(MEMBER, "上门")
    await h.photo(MEMBER, "PHOTO9", caption="走访寝室")
    assert (await _contacts(h))[-1][1:5] == ("2026-11-20", "visit", "走访寝室", "PHOTO9")
    # Skip the line: four taps, nothing typed.
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "电话")
    await h.press(MEMBER, "跳过，直接保存")
    assert (await _contacts(h))[-1][2:4] == ("phone", None)


async def test_a_contact_dated_in_the_future_or_before_the_link_is_refused(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(datetime(2026, 11, 10, 10, 0, tzinfo=ZONE))
    await _confirmed_class(h)
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "📅 改日期")
    assert "2026-11-10 至 2026-11-28" in h.last(MEMBER)
    for typed in ("明天", "11-09", "2026-12-01"):
        said = await h.send(MEMBER, typed)
        assert "联系日期需在 2026-11-10 至 2026-11-28 之间" in said[-1], typed
    said = await h.send(MEMBER, "十一月")
    assert "没看懂这个日期" in said[-1]
    said = await h.send(MEMBER, "11-10")
    assert "日期：2026-11-10" in said[-1]
    # Where the way is asked, neither a photo nor a word that is no way.
    assert "请点击上面的按钮" in (await h.photo(MEMBER))[-1]
    assert "请点击上面的按钮" in (await h.send(MEMBER, "吃饭"))[-1]
    await h.send(MEMBER, "线上")
    said = await h.send(MEMBER, "很" * 201)
    assert "最多 200 个字" in said[-1]
    await h.send(MEMBER, "跳过")
    assert [row[1:3] for row in await _contacts(h)] == [("2026-11-10", "online")]


async def test_a_home_visit_to_the_student_counts_without_logging_twice(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await _set_three(h, MEMBER, "三联系·学困生", "豆豆")
    await h.deliver()
    await h.press(SECRETARY, "✅ 确认")
    ids = await _ids(h)
    content = VisitContent(
        visit_date=date(2026, 11, 28), student_alias="豆豆", class_name="三(2)班",
        form=Form.IN_PERSON, met=Met.PARENTS, topics=[Topic.STUDY], today=date(2026, 11, 28),
    )  # fmt: skip
    async with h.db.transaction() as tx:
        term = await terms.term_for(tx, date(2026, 11, 28))
        await visits.create(
            tx, member_id=ids[MEMBER.id], branch_id=1, content=content, term=term,
            now=h.clock.now(),
        )  # fmt: skip
    said = await h.send(MEMBER, "/links")
    assert "三联系·学困生：豆豆 — 本月已联系 1 次" in said[-1]
    assert await _contacts(h) == []  # counted from the visit, not copied


async def test_the_secretary_sets_two_services_within_the_branch(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await h.send(SECRETARY, "/links")
    await h.press(SECRETARY, "设置双服务")
    assert "李红梅" in h.buttons(SECRETARY) and "钱老师" not in h.buttons(SECRETARY)
    await h.press(SECRETARY, "王老师")
    assert "王老师 联系谁" in h.last(SECRETARY)
    assert "王老师" not in h.buttons(SECRETARY)  # not themselves
    await h.press(SECRETARY, "张老师")
    assert "已设置 双服务·党员群众：王老师 — 张老师" in h.last(SECRETARY)
    await h.deliver()
    assert "已为您设置 双服务·党员群众：张老师" in h.last(MEMBER)
    # A non-member by name and role; a name without a role is asked again.
    await h.send(SECRETARY, "/links")
    await h.press(SECRETARY, "设置双服务")
    await h.press(SECRETARY, "王老师")
    said = await h.send(SECRETARY, "陈明")
    assert "请输入姓名和身份" in said[-1]
    said = await h.send(SECRETARY, "陈明 家长委员")
    assert "王老师 — 陈明（家长委员）" in said[-1]
    # A member of another branch only by an admin: a forged pick is refused.
    ids = await _ids(h)
    await h.send(SECRETARY, "/links")
    await h.press(SECRETARY, "设置双服务")
    await h.press(SECRETARY, "王老师")
    await h.callback(SECRETARY, f"lk:pk:{ids[OTHER_MEMBER.id]}")
    assert "无法识别此按钮" in h.answers()[-1]
    assert [link.kind for link in await _links(h)] == [LinkKind.SERVE_PERSON] * 2
    # The member logs a contact on it; it counts for the term.
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 张老师")
    await h.press(MEMBER, "谈心")
    said = await h.send(MEMBER, "不用")
    assert "本学期已联系 1 次" in said[-1]


async def test_the_bureau_sets_a_cadres_links_and_a_pair(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    said = await h.send(ADMIN, "/links")
    assert "全局联系情况" in said[-1] and "还没有任何联系对象" in said[-1]
    # A cadre of 第一中学 serves 第二中学's branch, and a member of it (only admins may).
    await h.press(ADMIN, "设置干部双服务")
    await h.press(ADMIN, "第一中学党支部")
    await h.press(ADMIN, "张老师")
    await h.press(ADMIN, "双服务·学校")
    assert "第一中学党支部" not in h.buttons(ADMIN)
    said = await h.press(ADMIN, "第二中学党支部")
    assert "双服务·学校：张老师 — 第二中学党支部" in said[-1]
    await h.send(ADMIN, "/links")
    await h.press(ADMIN, "设置干部双服务")
    await h.press(ADMIN, "第一中学党支部")
    await h.press(ADMIN, "张老师")
    await h.press(ADMIN, "双服务·党员群众")
    await h.press(ADMIN, "第二中学党支部")
    said = await h.press(ADMIN, "钱老师")
    assert "双服务·党员群众：张老师 — 钱老师" in said[-1]
    # 结对: both sides' secretaries are told.
    await h.send(ADMIN, "/links")
    await h.press(ADMIN, "设置结对")
    await h.press(ADMIN, "第一中学党支部")
    said = await h.press(ADMIN, "第二中学党支部")
    assert "结对：第一中学党支部 — 第二中学党支部" in said[-1]
    await h.deliver()
    assert "本支部已与 第二中学党支部 结对" in h.last(SECRETARY)
    assert "本支部已与 第一中学党支部 结对" in h.last(OTHER_SECRETARY)
    kinds = [link.kind for link in await _links(h)]
    assert kinds == [LinkKind.SERVE_BRANCH, LinkKind.SERVE_PERSON, LinkKind.PAIR]
    # The same pair again is refused.
    await h.send(ADMIN, "/links")
    await h.press(ADMIN, "设置结对")
    await h.press(ADMIN, "第二中学党支部")
    said = await h.press(ADMIN, "第一中学党支部")
    assert "已经登记过了" in said[-1]


async def test_pair_contacts_are_logged_by_either_side_and_shown_on_both(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await h.send(ADMIN, "/links")
    await h.press(ADMIN, "设置结对")
    await h.press(ADMIN, "第一中学党支部")
    await h.press(ADMIN, "第二中学党支部")
    await h.deliver()
    said = await h.send(OTHER_SECRETARY, "/links")
    assert "结对共建" in said[-1] and "第一中学党支部 — 本学期尚未联系" in said[-1]
    await h.press(OTHER_SECRETARY, "📝 第一中学党支部")
    await h.press(OTHER_SECRETARY, "活动")
    said = await h.send(OTHER_SECRETARY, "送教下乡")
    assert "本学期已联系 1 次" in said[-1]
    await h.deliver()
    assert "第二中学党支部记录了一次活动（2026-11-28，活动）送教下乡" in h.last(SECRETARY)
    said = await h.send(SECRETARY, "/links")
    assert "第二中学党支部 — 本学期已联系 1 次" in said[-1]
    [contact] = await _contacts(h)
    assert contact[5] == 2  # the side that logged it
    # A member of either branch may not log it.
    [pair] = await _links(h)
    await h.callback(OTHER_MEMBER, f"lk:log:{pair.id}")
    assert len(await _contacts(h)) == 1


async def test_ending_a_link_keeps_its_history(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    link = await _confirmed_class(h)
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "谈心")
    await h.send(MEMBER, "跳过")
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "查看 / 结束联系")
    said = await h.press(MEMBER, "三联系·班级 · 三(2)班")
    assert "2026-11-28 谈心" in said[-1]
    await h.press(MEMBER, "结束此联系")
    said = await h.send(MEMBER, "走")
    assert "原因需 2–200 个字" in said[-1]
    said = await h.send(MEMBER, "学期中调整任教班级")
    assert "已结束 三联系·班级：三(2)班" in said[-1]
    [ended] = await _links(h)
    assert (ended.status, ended.end_reason) == (LinkStatus.ENDED, "学期中调整任教班级")
    assert len(await _contacts(h)) == 1
    # The secretary ends a member's link: the member is told.
    await _set_three(h, MEMBER, "三联系·寝室", "女生1号楼305")
    await h.deliver()
    await h.press(SECRETARY, "✅ 确认")
    dorm = (await _links(h))[-1]
    await h.callback(SECRETARY, f"lk:end:{dorm.id}")
    await h.send(SECRETARY, "寝室调整")
    await h.deliver()
    assert "已由 李红梅 结束，原因：寝室调整" in h.last(MEMBER)
    assert link.id != dorm.id


async def test_a_link_whose_school_year_is_over_moves_to_past_links(harness: Harness) -> None:
    """Nothing ends a link at its period's end: from the next day it is no longer listed
    or loggable, and the owner finds it under 往期联系 with its contacts."""
    h = harness
    await h.branch_with_people()
    link = await _confirmed_class(h)
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "谈心")
    await h.send(MEMBER, "跳过")
    h.clock.set(datetime(2027, 8, 31, 10, 0, tzinfo=ZONE))  # the school year's last day
    said = await h.send(MEMBER, "/links")
    assert "三联系·班级：三(2)班" in said[-1]
    assert "📝 三(2)班" in h.buttons(MEMBER)
    assert not any("往期" in label for label in h.buttons(MEMBER))
    h.clock.set(datetime(2027, 9, 1, 10, 0, tzinfo=ZONE))
    said = await h.send(MEMBER, "/links")
    assert "三(2)班" not in said[-1] and "您还没有联系对象" in said[-1]
    assert "🗂 往期联系（1）" in h.buttons(MEMBER)
    assert "查看 / 结束联系" not in h.buttons(MEMBER)
    said = await h.press(MEMBER, "🗂 往期联系（1）")
    assert "往期联系</b>（共 1 项" in said[-1]
    said = await h.press(MEMBER, "2027-08 · 三联系·班级 · 三(2)班")
    assert "期限已满" in said[-1] and "2026-11-28 谈心" in said[-1]
    detail = h.tg.messages_in(MEMBER.id)[-1]
    assert "期限已满" in str(detail.get("text")) and FakeTelegram.buttons(detail) == []
    await h.callback(MEMBER, f"lk:log:{link.id}")
    assert "期限已满，不能记录联系" in h.answers(MEMBER)[-1]
    # Nothing was rewritten, and the secretary's list of the branch's links is empty.
    [stored] = await _links(h)
    assert (stored.status, await _contacts(h)) == (LinkStatus.ACTIVE, [(link.id, "2026-11-28",
            "talk", None, None, 1)])  # fmt: skip
    said = await h.callback(SECRETARY, "lk:blist:1:0")
    assert "没有" in said[-1]


async def test_coverage_for_the_secretary_and_the_bureau(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    h.clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=ZONE))
    await _confirmed_class(h)
    await _set_three(h, MEMBER2, "三联系·寝室", "男生3号楼201")
    await h.deliver()
    await h.press(SECRETARY, "✅ 确认")
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "谈心")
    await h.send(MEMBER, "跳过")
    said = await h.send(SECRETARY, "/links branch")
    assert "第一中学党支部 联系情况" in said[-1]
    assert "三联系 1/2 已联系，1 项落后" in said[-1]
    assert "王老师：1/1 已联系" in said[-1]
    assert "张老师：0/1 已联系；落后：三联系·寝室 男生3号楼201" in said[-1]
    said = await h.send(ADMIN, "/links")
    assert "第一中学党支部：三联系 1/2 已联系，1 项落后" in said[-1]
    # The bureau's screen counts; who is behind is a branch's button away.
    assert "男生3号楼201" not in said[-1]
    said = await h.press(ADMIN, "⚠️ 第一中学党支部：1 项落后")
    assert "张老师 · 三联系·寝室 男生3号楼201（上次联系：无）" in said[-1]
    # A member has no branch view.
    said = await h.send(MEMBER, "/links branch")
    assert "只有" in said[-1] or "权限" in said[-1]


async def _tick(h: Harness, when: datetime) -> dict[str, int]:
    h.clock.set(when)
    report = await reminder_engine(h.app).tick()
    await h.deliver()
    return dict(report.by_kind)


async def test_a_link_gone_uncontacted_is_reminded_and_the_digest_counts_it(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE branches SET created_at = '2026-01-01T00:00:00+00:00'")
    h.clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=ZONE))
    await _confirmed_class(h)
    await _set_three(h, MEMBER2, "三联系·寝室", "男生3号楼201")
    await h.deliver()
    await h.press(SECRETARY, "✅ 确认")
    await _tick(h, datetime(2026, 11, 20, 8, 0, tzinfo=ZONE))  # the first run notes the time
    # 张老师 muted the kind.
    ids = await _ids(h)
    async with h.db.transaction() as tx:
        await reminders.set_muted(
            tx, member_id=ids[MEMBER2.id], kind="links.behind", muted=True, now=h.clock.now()
        )
    # 24 November, the month's last week: 王老师's class still without a contact.
    kinds = await _tick(h, datetime(2026, 11, 24, 9, 5, tzinfo=ZONE))
    assert kinds.get("links.behind") == 1
    assert "以下联系还没有联系记录" in h.last(MEMBER) and "三(2)班（2026-11-30 前）" in h.last(
        MEMBER
    )
    assert not any("还没有联系记录" in text for text in h.tg.texts(MEMBER2.id))
    # From the reminder's button, logged; no second reminder this month.
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "谈心")
    await h.send(MEMBER, "跳过")
    assert "links.behind" not in await _tick(h, datetime(2026, 11, 25, 9, 5, tzinfo=ZONE))
    # The digest on 1 December counts November's links.
    await _tick(h, datetime(2026, 12, 1, 9, 5, tzinfo=ZONE))
    digest = [t for t in h.tg.texts(SECRETARY.id) if "🔗 联系" in t]
    assert digest and "三联系 1/2 已联系，1 项落后" in digest[-1]


async def test_the_reminder_says_nothing_once_the_link_was_contacted(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE branches SET created_at = '2026-01-01T00:00:00+00:00'")
    h.clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=ZONE))
    link = await _confirmed_class(h)
    await _tick(h, datetime(2026, 11, 20, 8, 0, tzinfo=ZONE))
    # A contact made before the tick renders the reminder: nothing is sent.
    h.clock.set(datetime(2026, 11, 24, 9, 5, tzinfo=ZONE))
    reminder = Reminder(
        kind=Kind.LINK_BEHIND, member_id=1, telegram_id=MEMBER.id, branch_id=1,
        dedupe_key="x", due_at=h.clock.now(), not_before=h.clock.now(),
        expires_at=h.clock.now(),
        payload={"links": [{"id": link.id, "start": "2026-11-01", "end": "2026-11-30"}]},
    )  # fmt: skip
    async with h.db.transaction() as tx:
        due = DueReminder(reminder, tx, Translator("zh"), h.clock.now(), ZONE)
        assert await behind(due) is not None
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "📝 三(2)班")
    await h.press(MEMBER, "活动")
    await h.send(MEMBER, "跳过")
    async with h.db.transaction() as tx:
        due = DueReminder(reminder, tx, Translator("zh"), h.clock.now(), ZONE)
        assert await behind(due) is None


async def test_a_pair_without_a_joint_activity_reminds_both_secretaries(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE branches SET created_at = '2026-01-01T00:00:00+00:00'")
    h.clock.set(datetime(2026, 9, 2, 10, 0, tzinfo=ZONE))
    await h.send(ADMIN, "/links")
    await h.press(ADMIN, "设置结对")
    await h.press(ADMIN, "第一中学党支部")
    await h.press(ADMIN, "第二中学党支部")
    await _tick(h, datetime(2027, 1, 5, 8, 0, tzinfo=ZONE))
    # The autumn term ends on 31 January: from 11 January the pair is behind.
    kinds = await _tick(h, datetime(2027, 1, 11, 9, 5, tzinfo=ZONE))
    assert kinds.get("links.behind") == 2
    assert "结对 第二中学党支部（2027-01-31 前）" in h.last(SECRETARY)
    assert "结对 第一中学党支部（2027-01-31 前）" in h.last(OTHER_SECRETARY)
    assert not any("还没有联系记录" in text for text in h.tg.texts(MEMBER.id))
    # Either side logs it from the reminder's button.
    await h.press(OTHER_SECRETARY, "📝 第一中学党支部")
    await h.press(OTHER_SECRETARY, "活动")
    said = await h.send(OTHER_SECRETARY, "联合教研")
    assert "本学期已联系 1 次" in said[-1]


async def test_bad_input_while_setting(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "➕ 设置三联系")
    said = await h.send(MEMBER, "教室")
    assert "请点击上面的按钮" in said[-1]
    said = await h.send(MEMBER, "2")  # the second option, by number
    assert "学生寝室" in said[-1]
    assert "这里需要输入文字" in (await h.photo(MEMBER))[-1]
    said = await h.send(MEMBER, "寝" * 31)
    assert "最多 30 个字" in said[-1]
    said = await h.send(MEMBER, "取消")
    assert "已取消" in said[-1]
    assert await _links(h) == []


def test_past_links_and_a_branchs_links_come_a_page_at_a_time() -> None:
    t = Translator("zh")
    base = {"kind": LinkKind.CLASS, "member_id": 2, "branch_id": 1, "period": "term",
            "start_on": date(2020, 9, 1), "status": LinkStatus.ACTIVE, "created_by": 2,
            "created_at": datetime(2020, 9, 1, tzinfo=ZONE)}  # fmt: skip
    many = [
        links.Link.model_validate({**base, "id": n, "target_text": f"{n}班",
                                   "period_start": date(2020, 9, 1),
                                   "period_end": date(2021, 1, n + 1)})
        for n in range(13)
    ]  # fmt: skip
    names = views.Names(members={2: "王老师"}, branches={1: "第一中学党支部"})

    def pressed(screen: views.Screen) -> list[str | None]:
        markup = screen[1]
        assert markup is not None
        return [b.callback_data for row in markup.inline_keyboard for b in row]

    first, second = views.past_links(t, many, names, 0), views.past_links(t, many, names, 1)
    assert "共 13 项" in first[0]
    assert pressed(first) == [*(f"lk:show:{n}" for n in range(12)), "lk:past:1"]
    assert pressed(second) == ["lk:show:12", "lk:past:0"]
    listed = views.branch_links(t, "第一中学党支部", many, names, 0, 1)
    assert pressed(listed)[-1] == "lk:blist:1:1" and len(pressed(listed)) == 13
    assert views.past_links(t, [], names, 0) == ("您没有往期联系。", None)
    # A page that does not exist shows the nearest one.
    assert views.past_links(t, many, names, 5) == second
    assert views.branch_links(t, "第一中学党支部", many, names, -2, 1) == listed


async def _students(h: Harness, user: FakeUser, count: int, contacted: int = 0) -> None:
    """``count`` 学困生 links of ``user`` set by the bureau on 1 November (aliases 小明1…),
    the first ``contacted`` of them contacted on 26 November."""
    async with h.db.transaction() as tx:
        owner = await members.get_active_by_telegram(tx, user.id)
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert owner is not None and admin is not None
        for n in range(1, count + 1):
            fields = LinkFields(
                kind=LinkKind.STUDENT, student_alias=f"小明{n}", member_id=owner.id,
                branch_id=owner.branch_id, period=LinkPeriod.YEAR,
                period_start=date(2026, 9, 1), period_end=date(2027, 8, 31),
                start_on=date(2026, 11, 1), today=date(2026, 11, 1),
            )  # fmt: skip
            link = await links.set_link(tx, fields, actor=admin, owner=owner, now=h.clock.now())
            if n <= contacted:
                talk = ContactFields.for_link(
                    link, date(2026, 11, 28), on_date=date(2026, 11, 26), how="talk"
                )
                await links.log_contact(tx, link.id, talk, actor=owner, now=h.clock.now())


async def test_the_bureau_opens_a_branchs_links_behind_a_page_at_a_time(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    await _students(h, MEMBER, 14, contacted=1)
    await _students(h, OTHER_MEMBER, 1)
    said = await h.send(ADMIN, "/links")
    assert "2 个支部有落后的联系" in said[-1]
    assert "第一中学党支部：三联系 1/14 已联系，13 项落后" in said[-1]
    assert "第二中学党支部：三联系 0/1 已联系，1 项落后" in said[-1]
    assert "小明" not in said[-1]  # the screen prints counts, not the links behind
    assert h.buttons(ADMIN)[:2] == ["⚠️ 第一中学党支部：13 项落后", "⚠️ 第二中学党支部：1 项落后"]
    # A branch's links behind, 12 a page, each to open; the contacted one is not there.
    said = await h.press(ADMIN, "⚠️ 第一中学党支部：13 项落后")
    assert "第一中学党支部：落后的联系</b>（共 13 项）" in said[-1] and "第 1/2 页" in said[-1]
    assert "王老师 · 三联系·学困生 小明10（上次联系：无）" in said[-1]
    assert "小明1（" not in said[-1]
    first = h.buttons(ADMIN)
    assert len(first) == 14 and first[-2:] == ["下一页 ▶", "◀ 返回全局情况"]
    said = await h.press(ADMIN, "下一页 ▶")
    assert "第 2/2 页" in said[-1] and said[-1].count("三联系·学困生") == 1
    second = h.buttons(ADMIN)
    assert len(second) == 3 and second[-2:] == ["◀ 上一页", "◀ 返回全局情况"]
    assert set(first[:12]).isdisjoint(second[:1])
    # A forged page shows the nearest real one; a forged branch or number is refused.
    said = await h.callback(ADMIN, "lk:late:1:-3")
    assert "第 1/2 页" in said[-1] and h.buttons(ADMIN) == first
    said = await h.callback(ADMIN, "lk:late:1:99")
    assert "第 2/2 页" in said[-1] and h.buttons(ADMIN) == second
    assert await h.callback(ADMIN, "lk:late:1:x") == []
    assert "无法识别此按钮" in h.answers()[-1]
    assert await h.callback(ADMIN, "lk:late:99:0") == []
    assert "没有找到" in h.answers()[-1]
    # A link opens with its details (the admin may see the alias); back to the bureau.
    said = await h.press(ADMIN, second[0])
    assert "小明" in said[-1] and "王老师" in said[-1]
    said = await h.callback(ADMIN, "lk:late:2:0")
    assert "钱老师 · 三联系·学困生 小明1（上次联系：无）" in said[-1]
    said = await h.press(ADMIN, "◀ 返回全局情况")
    assert "全局联系情况" in said[-1] and "13 项落后" in said[-1]
    # Nobody behind in a branch: said so, with the way back.
    h.clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=ZONE))
    said = await h.callback(ADMIN, "lk:late:1:0")
    assert "第一中学党支部目前没有落后的联系" in said[-1]
    assert h.buttons(ADMIN) == ["◀ 返回全局情况"]


async def test_the_bureaus_branches_come_a_page_at_a_time(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    await _students(h, MEMBER, 1)
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert admin is not None
        for n in range(13):
            branch = await branches.create(
                tx, f"第{n + 10}小学党支部", actor_id=admin.id, now=h.clock.now()
            )
            await links.set_link(
                tx, LinkFields(kind=LinkKind.PAIR, branch_id=1, target_branch_id=branch.id,
                               period=LinkPeriod.TERM, period_start=date(2026, 9, 1),
                               period_end=date(2027, 1, 31), start_on=date(2026, 9, 1),
                               today=date(2026, 9, 1)),
                actor=admin, owner=None, now=h.clock.now(),
            )  # fmt: skip
    said = await h.send(ADMIN, "/links")
    assert "第 1/2 页，共 14 个支部" in said[-1]
    assert said[-1].count("· 第") == 12
    assert "下一页 ▶" in h.buttons(ADMIN) and "◀ 上一页" not in h.buttons(ADMIN)
    said = await h.press(ADMIN, "下一页 ▶")
    assert "第 2/2 页，共 14 个支部" in said[-1] and said[-1].count("· 第") == 2
    assert "◀ 上一页" in h.buttons(ADMIN) and "设置结对" in h.buttons(ADMIN)
    said = await h.callback(ADMIN, "lk:bur:-1")
    assert "第 1/2 页" in said[-1]
    said = await h.callback(ADMIN, "lk:bur:7")
    assert "第 2/2 页" in said[-1]
    assert await h.callback(ADMIN, "lk:bur:x") == []
    assert "无法识别此按钮" in h.answers()[-1]


async def _past_dorms(h: Harness, user: FakeUser, count: int) -> None:
    """``count`` 三联系·寝室 links of ``user`` for last school year (over: past links)."""
    async with h.db.transaction() as tx:
        owner = await members.get_active_by_telegram(tx, user.id)
        assert owner is not None
        for n in range(count):
            await links.set_link(
                tx, LinkFields(kind=LinkKind.DORM, target_text=f"男生{n}号楼", member_id=owner.id,
                               branch_id=owner.branch_id, period=LinkPeriod.YEAR,
                               period_start=date(2025, 9, 1), period_end=date(2026, 8, 31),
                               start_on=date(2025, 9, 1), today=date(2025, 9, 1)),
                actor=owner, owner=owner, now=h.clock.now(),
            )  # fmt: skip


async def test_a_forged_page_of_a_branchs_links_or_past_links_shows_a_real_page(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    await _students(h, MEMBER, 13)
    said = await h.callback(SECRETARY, "lk:blist:1:0")
    assert "进行中的联系 13 项" in said[-1]
    first = h.buttons(SECRETARY)
    assert len(first) == 13 and first[-1] == "下一页 ▶"
    # One past the end showed no link, a negative one was refused as a bad button.
    said = await h.callback(SECRETARY, "lk:blist:1:99")
    last = h.buttons(SECRETARY)
    assert "进行中的联系 13 项" in said[-1] and last[1:] == ["◀ 上一页"]
    assert last[0] not in first
    said = await h.callback(SECRETARY, "lk:blist:1:-1")
    assert "进行中的联系 13 项" in said[-1] and h.buttons(SECRETARY) == first
    assert await h.callback(SECRETARY, "lk:blist:1:x") == []
    assert "无法识别此按钮" in h.answers()[-1]
    # The same for one's past links: 13 whose school year is over.
    await _past_dorms(h, MEMBER, 13)
    said = await h.callback(MEMBER, "lk:past:-4")
    assert "共 13 项" in said[-1]
    first = h.buttons(MEMBER)
    assert len(first) == 13 and first[-1] == "下一页 ▶"
    said = await h.callback(MEMBER, "lk:past:12")
    assert "共 13 项" in said[-1] and h.buttons(MEMBER)[1:] == ["◀ 上一页"]


async def _turns_back(h: Harness, user: FakeUser, count: int, rows_after: int = 0) -> None:
    """The list on screen, ``count`` items (12 a page, ``rows_after`` buttons below the
    turn), turns: page 1 has [下一页] alone; page 2 the rest and [上一页] alone, which
    shows page 1 again."""
    first = h.buttons(user)
    items = first[:12]
    assert len(first) == 13 + rows_after and first[12] == "下一页 ▶"
    assert "◀ 上一页" not in first
    await h.press(user, "下一页 ▶")
    second = h.buttons(user)
    rest = second[: count - 12]
    assert second[count - 12 :] == ["◀ 上一页", *first[13:]]
    assert not set(rest) & set(items)
    await h.press(user, "◀ 上一页")
    assert h.buttons(user) == first


async def test_every_paged_list_of_links_turns_back_a_page(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    # A branch's running links (the secretary's list).
    await _students(h, MEMBER, 13)
    await h.callback(SECRETARY, "lk:blist:1:0")
    await _turns_back(h, SECRETARY, 13)
    # One's past links: 13 whose school year is over.
    await _past_dorms(h, MEMBER2, 13)
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert admin is not None
        for n in range(13):  # 14 branches to pick from
            await branches.create(tx, f"第{n + 10}小学党支部", actor_id=admin.id, now=h.clock.now())
    await h.send(MEMBER2, "/links")
    await h.press(MEMBER2, "🗂 往期联系（13）")
    await _turns_back(h, MEMBER2, 13)
    # A question in the setting flow: the first branch of a pair, [取消] below the turn.
    await h.send(ADMIN, "/links")
    said = await h.press(ADMIN, "设置结对")
    assert "结对的第一个支部（帮扶方）是？" in said[-1]
    await _turns_back(h, ADMIN, 14, rows_after=1)
    assert h.buttons(ADMIN)[-1] == "取消"
