"""Party day through the bot: a whole month, the calendar edge cases a secretary sees,
moving and cancelling, replies until the start, check-in days, restarts and /cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from handlers.common.i18n import Translator
from handlers.partyday import views
from storage import branches, members, outbox, partyday
from storage.members import Role
from storage.partyday import Answer, LeaveReason
from tests.conftest import (
    ADMIN,
    EN_MEMBER,
    MEMBER,
    MEMBER2,
    SECRETARY,
    ZONE,
    Harness,
)
from tests.fakebot import FakeTelegram, FakeUser

DECEMBER_8 = "2026年12月8日（星期二）"


# --------------------------------------------------------------------------- helpers


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


async def join_in_english(h: Harness, code: str) -> None:
    await h.send(EN_MEMBER, f"/start {code}")
    await h.send(EN_MEMBER, "Lin Wei")
    await h.send(EN_MEMBER, "/language")
    await h.press(EN_MEMBER, "English")
    await h.deliver()  # the secretary told who joined


async def set_rule(
    h: Harness, typed: str = "第2个星期二", start: str = "14:30", place: str = "三楼会议室"
) -> list[str]:
    """The secretary sets the rule with typed answers; returns the confirmation screen."""
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "设置规则")
    await h.send(SECRETARY, typed)
    await h.send(SECRETARY, start)
    return await h.send(SECRETARY, place)


async def rule_in_place(h: Harness, typed: str = "第2个星期二") -> None:
    await set_rule(h, typed)
    await h.press(SECRETARY, "保存")


async def announced(h: Harness) -> None:
    """The first branch with its people, its rule in place, and December's announcement
    delivered to everyone on 1 December."""
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    await h.press(SECRETARY, "立即发送通知")
    await h.deliver()


def find_button(h: Harness, user: FakeUser, label: str, containing: str) -> tuple[str, int]:
    """The callback data and message id of ``label`` on the newest message with that text."""
    for message in reversed(h.tg.messages_in(user.id)):
        text = str(message.get("text") or message.get("caption") or "")
        if containing not in text:
            continue
        for shown, data in FakeTelegram.buttons(message):
            if shown == label and data is not None:
                return data, int(message["message_id"])
    raise AssertionError(f"no {label!r} on a message containing {containing!r}")


async def press_on(h: Harness, user: FakeUser, label: str, containing: str) -> list[str]:
    data, message_id = find_button(h, user, label, containing)
    return await h.callback(user, data, message_id)


async def rows(h: Harness, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    async with h.db.read() as conn, conn.execute(sql, params) as cur:
        return [tuple(row) for row in await cur.fetchall()]


async def audit_actions(h: Harness) -> set[str]:
    return {row[0] for row in await rows(h, "SELECT action FROM audit_log")}


# --------------------------------------------------------------------------- a whole month


async def test_a_whole_month(harness: Harness) -> None:
    h = harness
    codes = await h.branch_with_people()
    await join_in_english(h, codes["member_code"])
    h.clock.set(at(12, 1))

    # The rule, by buttons (kind, nth, weekday) and typed answers (time, place).
    said = await h.send(SECRETARY, "/partyday")
    assert "还没有设置党日规则" in said[-1]
    await h.press(SECRETARY, "设置规则")
    await h.press(SECRETARY, "第几个星期几")
    await h.press(SECRETARY, "第二个")
    assert "几点开始" in (await h.press(SECRETARY, "星期二"))[-1]
    await h.send(SECRETARY, "下午2点半")
    confirm = (await h.send(SECRETARY, "三楼会议室"))[-1]
    assert "每月第二个星期二，14:30，三楼会议室" in confirm
    assert f"1. {DECEMBER_8} 14:30" in confirm
    saved = await h.press(SECRETARY, "保存")
    assert saved[0] == "党日规则已保存。"
    assert "规则：每月第二个星期二" in saved[1]

    # The month's theme.
    await h.press(SECRETARY, "设置主题")
    await h.press(SECRETARY, "2026年12月（12月8日）")
    said = await h.send(SECRETARY, "学习贯彻全会精神")
    assert said == ["已设置2026年12月的主题：学习贯彻全会精神"]

    # The announcement, now, to everyone in their language.
    said = await h.press(SECRETARY, "立即发送通知")
    assert said == [f"已安排发送 {DECEMBER_8} 的党日通知：4 人。"]
    assert await h.deliver() == 4
    announcement = h.last(MEMBER)
    assert announcement.startswith("【党日通知】第一中学党支部")
    assert "主题：学习贯彻全会精神" in announcement
    assert h.buttons(MEMBER) == ["参加", "请假"]
    assert h.last(EN_MEMBER).startswith("[Party day] 第一中学党支部")
    assert "📅 Tuesday 8 Dec 2026 14:30" in h.last(EN_MEMBER)
    assert h.buttons(EN_MEMBER) == ["Attend", "Ask for leave"]
    # Pressing again sends nothing twice.
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "立即发送通知")
    assert h.answers()[-1].startswith("这次党日的通知已经发给所有人")

    # Replies: attend; leave with a reason button; leave typed in English.
    assert await h.press(MEMBER, "参加") == [
        f"已登记：参加 {DECEMBER_8} 的党日。党日开始前都可以更改。"
    ]
    await h.press(MEMBER2, "请假")
    said = await h.press(MEMBER2, "家事")
    assert said == ["已提交请假（家事），等待支部书记审批。党日开始前都可以更改。"]
    await h.press(EN_MEMBER, "Ask for leave")
    said = await h.send(EN_MEMBER, "illness")
    assert said[0].startswith("Leave requested (illness)")
    await h.deliver()
    assert f"张老师 申请 {DECEMBER_8} 党日请假：家事" in h.tg.texts(SECRETARY.id)
    assert f"Lin Wei 申请 {DECEMBER_8} 党日请假：生病" in h.tg.texts(SECRETARY.id)

    # The secretary decides; each member is told in their language.
    said = await press_on(h, SECRETARY, "批准", "张老师 申请")
    assert said == ["已批准 张老师 的请假。"]
    await h.deliver()
    assert h.last(MEMBER2).startswith(f"您 {DECEMBER_8} 党日的请假已批准")
    await press_on(h, SECRETARY, "不批准", "Lin Wei 申请")
    await h.deliver()
    assert h.last(EN_MEMBER).startswith(
        "Your leave from the party day on Tuesday 8 Dec 2026 was declined"
    )
    # The declined member changes to attending; that is allowed until the start.
    said = await h.press(EN_MEMBER, "Attend")
    assert said[0].startswith("Noted: you attend the party day on Tuesday 8 Dec 2026")

    # The day: check-in by location and by photo.
    h.clock.set(at(12, 8, 13, 50))
    assert "发送您的位置" in (await h.send(MEMBER, "/checkin"))[-1]
    assert await h.location(MEMBER) == ["签到成功（位置），13:50。"]
    await h.send(EN_MEMBER, "/checkin")
    assert await h.photo(EN_MEMBER, "BADGE_PHOTO") == ["Checked in (photo) at 13:50."]

    # After the start nobody can change their answer.
    h.clock.set(at(12, 8, 14, 40))
    await h.press(MEMBER2, "参加")
    assert "回复不能再更改" in h.answers()[-1]

    # The secretary marks the member without a phone.
    await h.send(SECRETARY, "/roster")
    assert await h.press(SECRETARY, "手动登记签到") == ["为谁登记签到？（用于没有手机的同志）"]
    assert h.buttons(SECRETARY) == ["李红梅", "张老师"]
    assert await press_on(h, SECRETARY, "张老师", "为谁登记签到") == ["已为 张老师 登记签到。"]
    await h.deliver()
    assert h.last(MEMBER2) == f"支部书记已为您登记 {DECEMBER_8} 的党日签到。"

    # Service on the day, linked to it.
    await h.send(MEMBER, "/service")
    await h.press(MEMBER, "志愿服务")
    await h.press(MEMBER, "党日 12月8日")
    await h.press(MEMBER, "2 小时")
    await h.send(MEMBER, "为社区老人讲解医保政策")
    said = await h.photo(MEMBER, "SERVICE_PHOTO")
    assert said[0].startswith("已记录 #1：\n志愿服务 · 12月8日 · 2 小时 · 党日 · 📷")

    # The roster answers the four questions in one command.
    roster = (await h.send(SECRETARY, "/roster"))[-1]
    assert roster.startswith("第一中学党支部 · 2026年12月党日名单")
    assert "✅ 参加（2）：Lin Wei、王老师" in roster
    assert "🟡 请假（1）：\n· 张老师：家事，已批准" in roster
    assert "⚪ 未回复（1）：李红梅" in roster
    assert "📍 已签到（3）：Lin Wei（照片）、张老师（书记登记）、王老师（位置）" in roster
    assert "❌ 未签到（1，不含准假）：李红梅" in roster
    assert "⏱ 服务时长：共 2 小时（王老师 2）" in roster

    # A week later the excused member makes up the month.
    h.clock.set(at(12, 15, 10))
    await h.send(MEMBER2, "/service")
    await h.press(MEMBER2, "补课：2026年12月")
    await h.press(MEMBER2, "学习")
    await h.press(MEMBER2, "今天 12月15日")
    await h.send(MEMBER2, "1.5")
    await h.send(MEMBER2, "自学全会精神并写心得")
    said = await h.send(MEMBER2, "跳过")
    assert "补课（2026年12月）" in said[0]
    roster = (await h.send(SECRETARY, "/roster 2026-12"))[-1]
    assert "· 张老师：家事，已批准，已补课 1.5 小时" in roster

    # What is stored.
    assert sorted(
        await rows(
            h,
            "SELECT m.name, r.answer, r.reason_kind, r.approval, r.rev"
            " FROM party_day_replies r JOIN members m ON m.id = r.member_id",
        )
    ) == [
        ("Lin Wei", "attend", None, None, 2),
        ("张老师", "leave", "family", "approved", 1),
        ("王老师", "attend", None, None, 1),
    ]
    assert sorted(
        await rows(
            h,
            "SELECT m.name, c.method, c.photo_file_id, c.latitude IS NOT NULL"
            " FROM party_day_checkins c JOIN members m ON m.id = c.member_id",
        )
    ) == [
        ("Lin Wei", "photo", "BADGE_PHOTO", 0),
        ("张老师", "manual", None, 0),
        ("王老师", "location", None, 1),
    ]
    assert await rows(
        h,
        "SELECT kind, on_date, hours, photo_file_id, party_month_id IS NOT NULL,"
        " makeup_month_id IS NOT NULL FROM service_logs ORDER BY id",
    ) == [
        ("volunteer", "2026-12-08", 2.0, "SERVICE_PHOTO", 1, 0),
        ("study", "2026-12-15", 1.5, None, 0, 1),
    ]
    assert await rows(
        h, "SELECT month, day, theme, announced_at IS NOT NULL FROM party_day_months"
    ) == [("2026-12", "2026-12-08", "学习贯彻全会精神", 1)]
    assert {
        "partyday.rule_set",
        "partyday.theme_set",
        "partyday.announced",
        "partyday.replied",
        "partyday.leave_approved",
        "partyday.leave_declined",
        "partyday.checked_in",
        "partyday.marked",
        "service.logged",
    } <= await audit_actions(h)


# --------------------------------------------------------------------------- the calendar


async def test_the_31st_in_a_30_day_month_is_its_last_day(harness: Harness) -> None:
    await harness.branch_with_people()
    harness.clock.set(at(11, 1))
    confirm = (await set_rule(harness, "31号"))[-1]
    assert "每月31日（当月没有31日时为当月最后一天）" in confirm
    assert "1. 2026年11月30日（星期一） 14:30\n" in confirm
    assert "2. 2026年12月31日（星期四） 14:30\n" in confirm
    # 2027-01-31 is a Sunday and February begins the next day: the Friday before.
    assert "3. 2027年1月29日（星期五） 14:30（由 1月31日 周末调整）" in confirm


async def test_february_and_a_make_up_working_day(harness: Harness) -> None:
    await harness.branch_with_people()
    harness.clock.set(at(2, 1))
    confirm = (await set_rule(harness, "30"))[-1]
    # 2026-02-28 is a Saturday but an official working day (调休): no shift.
    assert "1. 2026年2月28日（星期六） 14:30\n" in confirm
    assert "2. 2026年3月30日（星期一） 14:30\n" in confirm


async def test_public_holidays_move_the_day_and_the_secretary_sees_why(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(9, 15))
    confirm = (await set_rule(h, "1号"))[-1]
    assert "1. 2026年10月8日（星期四） 14:30（由 10月1日 国庆节调整）" in confirm
    assert "2. 2026年11月2日（星期一） 14:30（由 11月1日 周末调整）" in confirm
    assert "3. 2026年12月1日（星期二） 14:30" in confirm
    await h.press(SECRETARY, "保存")
    async with h.db.read() as conn:
        october = await partyday.party_day(conn, 1, 2026, 10)
    assert october is not None
    assert (october.nominal, october.date) == (date(2026, 10, 1), date(2026, 10, 8))
    # Announced (the date is pinned), it still says why it is not the 1st.
    await h.press(SECRETARY, "立即发送通知")
    await h.deliver()
    assert "（规则日 10月1日 是国庆节，已调整到最近的工作日）" in h.last(MEMBER)
    screen = (await h.send(SECRETARY, "/partyday"))[-1]
    assert "1. 2026年10月8日（星期四） 14:30（由 10月1日 国庆节调整）" in screen
    # New Year's Day, in English.
    h.clock.set(at(12, 5))
    await h.send(SECRETARY, "/language")
    await h.press(SECRETARY, "English")
    await h.send(SECRETARY, "/partyday")
    screen = h.last(SECRETARY)
    assert "1. Monday 4 Jan 2027 14:30 (from 1 Jan, New Year's Day)" in screen


# --------------------------------------------------------------------------- move, cancel


async def test_moving_and_cancelling_a_month_tells_members(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    await h.press(SECRETARY, "调整某月日期")
    said = await h.press(SECRETARY, "2026年12月（12月8日）")
    assert said[-1].startswith(f"2026年12月党日现在是 {DECEMBER_8}")
    # Outside the month, then before today: asked again.
    assert "日期需在2026年12月内" in (await h.send(SECRETARY, "2027-01-10"))[-1]
    assert "日期需在2026年12月内" in (await h.send(SECRETARY, "11-30"))[-1]
    # A weekend is allowed, with a warning (then the secretary thinks better of it).
    said = await h.send(SECRETARY, "12-12")
    assert said == [
        "注意：2026年12月12日（星期六）是周末，不是工作日。如确需这天，请继续；"
        "否则发送 /cancel 重来。\n请输入调整的原因（会告诉全体党员）。"
    ]
    await h.send(SECRETARY, "/cancel")
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "调整某月日期")
    await h.press(SECRETARY, "2026年12月（12月8日）")
    # Working days near the day are buttons; any other date is typed.
    assert h.buttons(SECRETARY) == [
        "12月3日 星期四",
        "12月4日 星期五",
        "12月7日 星期一",
        "12月9日 星期三",
        "12月10日 星期四",
        "12月11日 星期五",
        "取消",
    ]
    assert await h.press(SECRETARY, "12月10日 星期四") == ["请输入调整的原因（会告诉全体党员）。"]
    said = await h.send(SECRETARY, "区里统一安排听课")
    assert said == ["已将2026年12月党日调整到 2026年12月10日（星期四），正在通知全体党员（2 人）。"]
    assert await h.deliver() == 2
    notice = h.last(MEMBER)
    assert notice.startswith(
        "【党日调整】第一中学党支部\n2026年12月党日改为：\n📅 2026年12月10日（星期四）"
    )
    assert "原因：区里统一安排听课" in notice
    assert h.buttons(MEMBER) == ["参加", "请假"]
    screen = (await h.send(MEMBER, "/partyday"))[-1]
    assert "（本月已调整，原因：区里统一安排听课）" in screen

    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "取消某月党日")
    for far in ("2028-01", "2026-11"):
        assert await h.send(SECRETARY, far) == ["请点选月份，或输入一年内的月份，如 2026-12。"]
    await h.send(SECRETARY, "2027-01")
    await h.send(SECRETARY, "期末考试周")
    said = await h.send(SECRETARY, "确定")
    assert said == ["已取消2027年1月党日，正在通知全体党员（2 人）。"]
    await h.deliver()
    assert h.last(MEMBER2) == (
        "【党日取消】第一中学党支部\n"
        "2027年1月党日（原定 2027年1月12日（星期二））取消。\n原因：期末考试周"
    )
    screen = (await h.send(SECRETARY, "/partyday"))[-1]
    assert "2. 2027年1月：已取消（期末考试周）" in screen
    await h.press(SECRETARY, "取消某月党日")
    assert await h.press(SECRETARY, "2027年1月（已取消）") == [
        "2027年1月党日已经取消。要恢复，请用“调整某月日期”定一个新日期。"
    ]
    await h.send(SECRETARY, "/cancel")
    # Once held, a month's day stays as it was.
    h.clock.set(at(12, 11))
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "调整某月日期")
    assert await h.send(SECRETARY, "2026-12") == [
        "2026年12月党日已于 2026年12月10日（星期四） 举行，不能再调整或取消。"
        "请选择其他月份，或发送 /cancel。"
    ]
    await h.send(SECRETARY, "/cancel")
    assert {"partyday.moved", "partyday.cancelled"} <= await audit_actions(h)
    kinds = await rows(
        h,
        "SELECT kind, COUNT(*) FROM outbox WHERE kind LIKE 'partyday.%'"
        " GROUP BY kind ORDER BY kind",
    )
    assert kinds == [("partyday.cancelled", 2), ("partyday.moved", 2)]


async def test_a_rule_change_keeps_an_announced_day(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    await h.press(SECRETARY, "立即发送通知")
    # A theme set after the announcement: the secretary is told members did not get it.
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "设置主题")
    await h.press(SECRETARY, "2026年12月（12月8日）")
    assert await h.send(SECRETARY, "学习党章") == [
        "已设置2026年12月的主题：学习党章\n"
        "本月通知已发出，不含这个主题；主题会显示在之后的提醒和 /partyday 中。"
    ]
    await rule_in_place(h, "最后一个周五")
    assert "已发出通知的月份保持原日期" in h.tg.texts(SECRETARY.id)[-2]
    screen = h.last(SECRETARY)
    assert f"1. {DECEMBER_8} 14:30" in screen
    assert "2. 2027年1月29日（星期五） 14:30" in screen


async def test_a_rule_change_under_answers_tells_the_secretary(harness: Harness) -> None:
    """Members answered from /partyday before any announcement; the new rule moves the day."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    await h.send(MEMBER, "/partyday")
    await h.press(MEMBER, "参加")
    await rule_in_place(h, "最后一个周五")
    assert h.tg.texts(SECRETARY.id)[-2] == (
        "党日规则已保存。\n2026年12月已有 1 人按原日期回复，现在是 2026年12月25日（星期五） "
        "14:30，三楼会议室：请点击“立即发送通知”告诉大家。"
    )
    assert await h.press(SECRETARY, "立即发送通知") == [
        "已安排发送 2026年12月25日（星期五） 的党日通知：3 人。"
    ]


# --------------------------------------------------------------------------- replies


async def test_a_reply_can_change_until_the_start_and_not_after(harness: Harness) -> None:
    h = harness
    await announced(h)
    await h.press(MEMBER, "请假")
    await h.press(MEMBER, "其他")
    said = await h.send(MEMBER, "参加县教研室公开课")
    assert said[0].startswith("已提交请假（“参加县教研室公开课”）")
    await h.deliver()
    old = find_button(h, SECRETARY, "批准", "王老师 申请")
    await h.press(MEMBER, "参加")
    # The secretary's button for the older request no longer works.
    await h.callback(SECRETARY, *old)
    assert h.answers()[-1] == "此按钮已失效，请重新打开相关菜单。"
    screen = (await h.send(MEMBER, "/partyday"))[-1]
    assert "您的回复：参加" in screen
    h.clock.set(at(12, 8, 14, 30))
    await h.press(MEMBER, "请假")
    assert h.answers()[-1] == (
        f"党日已于 {DECEMBER_8} 14:30 开始，回复不能再更改。如有情况，请直接联系支部书记。"
    )
    screen = (await h.send(MEMBER, "/partyday"))[-1]
    assert "党日已开始，回复不能再更改。" in screen
    assert h.buttons(MEMBER) == ["参加", "请假"]  # the old announcement's, not the screen's
    assert await rows(h, "SELECT answer, rev FROM party_day_replies") == [("attend", 2)]


async def test_attend_pressed_while_the_leave_reason_is_asked_ends_that_step(
    harness: Harness,
) -> None:
    h = harness
    await announced(h)
    await h.press(MEMBER, "请假")
    await h.press(MEMBER, "参加")
    # A word typed afterwards is not taken as a leave reason.
    said = await h.send(MEMBER, "好的，谢谢")
    assert len(said) == 1 and "请假" not in said[0]  # the catch-all's answer
    assert await rows(h, "SELECT answer, reason_text FROM party_day_replies") == [("attend", None)]
    assert not [t for t in h.tg.texts(SECRETARY.id) if "申请" in t]
    # Typing "参加" at the reason question is an answer too, not a reason.
    await h.press(MEMBER, "请假")
    assert await h.send(MEMBER, "参加") == [
        f"已登记：参加 {DECEMBER_8} 的党日。党日开始前都可以更改。"
    ]
    assert await rows(h, "SELECT answer FROM party_day_replies") == [("attend",)]
    # Halfway through /service, [参加] answers and the service step carries on.
    await h.send(MEMBER2, "/service")
    await h.press(MEMBER2, "学习")
    await h.press(MEMBER2, "参加")
    assert (await h.press(MEMBER2, "今天 12月1日"))[-1].startswith("服务了多长时间？")


async def test_reminding_those_who_have_not_answered(harness: Harness) -> None:
    h = harness
    await announced(h)
    await h.press(MEMBER, "参加")
    await h.send(SECRETARY, "/roster")
    assert await h.press(SECRETARY, "提醒未回复的 2 人") == ["已提醒 2 位未回复的同志。"]
    await h.deliver()
    assert h.last(MEMBER2).startswith("【请回复党日通知】第一中学党支部\n您还没有回复：")
    await h.press(SECRETARY, "提醒未回复的 2 人")
    assert h.answers()[-1] == "今天已经提醒过他们了，明天可以再提醒。"
    assert "partyday.reminded" in await audit_actions(h)


# --------------------------------------------------------------------------- check-in


async def test_checking_in_on_the_wrong_day_or_twice(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 7, 20))
    await rule_in_place(h)
    assert await h.send(MEMBER, "/checkin") == [
        f"今天不是党日。本月党日是 {DECEMBER_8}，请当天再签到。"
    ]
    # Midnight in Shanghai is still the 7th in UTC: the deployment zone decides.
    h.clock.set(at(12, 8, 0, 5))
    await h.send(MEMBER, "/checkin")
    assert await h.send(MEMBER, "我到了") == ["请发送位置或照片来签到（发送 /cancel 退出）。"]
    assert await h.photo(MEMBER) == ["签到成功（照片），00:05。"]
    assert await h.send(MEMBER, "/checkin") == ["您已于 00:05 签到，无需重复签到。"]
    h.clock.set(at(12, 9))
    assert await h.send(MEMBER2, "/checkin") == [
        f"本月党日（{DECEMBER_8}）已经过去，不能再签到。如需补登，请联系支部书记。"
    ]
    assert await rows(h, "SELECT COUNT(*) FROM party_day_checkins") == [(1,)]


async def test_no_check_in_on_a_cancelled_day_and_cancel_leaves_the_step(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 8, 9))
    await rule_in_place(h)
    await h.send(MEMBER, "/checkin")
    said = await h.send(MEMBER, "/cancel")
    assert said == ["已退出签到。", "已取消。"]
    await h.press(SECRETARY, "取消某月党日")
    await h.press(SECRETARY, "2026年12月（12月8日）")
    await h.send(SECRETARY, "上级临时通知集中培训")
    await h.press(SECRETARY, "确定取消")
    assert await h.send(MEMBER, "/checkin") == [
        "该月党日已取消（上级临时通知集中培训），无需回复或签到。"
    ]


async def test_leaving_the_check_in_step_takes_the_location_button_away(harness: Harness) -> None:
    """Another command, or another party-day step, leaves the check-in step through its
    on-leave hook: the location button under the text box goes with it."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 8, 14))
    await rule_in_place(h)
    await h.send(MEMBER, "/checkin")
    said = await h.send(MEMBER, "/partyday")
    assert said[:2] == ["已退出签到。", "（已退出未完成的操作。）"]
    removed = [m for m in h.tg.sent_messages(MEMBER.id) if m.get("text") == "已退出签到。"]
    assert removed[-1]["reply_markup"] == {"remove_keyboard": True}
    # The step is over: a location shared now is not taken as a check-in.
    assert await h.location(MEMBER) == [
        "抱歉，没能理解您的消息。请使用菜单中的命令，或发送 /help 查看帮助。"
    ]
    await h.send(MEMBER, "/checkin")
    said = await h.send(MEMBER, "/service")
    assert said[-1] == "已退出签到。"
    assert h.tg.sent_messages(MEMBER.id)[-1]["reply_markup"] == {"remove_keyboard": True}
    # /checkin again in the check-in step keeps the button: it is asked for again.
    await h.send(MEMBER, "/checkin")
    said = await h.send(MEMBER, "/checkin")
    assert "已退出签到。" not in said
    assert await h.location(MEMBER) == ["签到成功（位置），14:00。"]
    assert await rows(h, "SELECT method FROM party_day_checkins") == [("location",)]


async def test_a_check_in_step_timing_out_across_a_restart_takes_the_button_away(
    harness: Harness,
) -> None:
    """The step is dated in the stored flow data: after a restart (which loses PTB's own
    timeout), the next message past the timeout ends the step through its on-leave hook."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 8, 14))
    await rule_in_place(h)
    await h.send(MEMBER, "/checkin")
    await h.restart()
    h.clock.set(at(12, 8, 14, 45))
    said = await h.photo(MEMBER)
    assert said[0] == "签到没有完成，已退出。需要时请重新发送 /checkin。"
    assert "已自动结束" in said[1]
    removed = [m for m in h.tg.sent_messages(MEMBER.id) if m.get("text") == said[0]]
    assert removed[-1]["reply_markup"] == {"remove_keyboard": True}
    assert await rows(h, "SELECT method FROM party_day_checkins") == []


# --------------------------------------------------------------------------- flows


async def test_a_restart_in_the_middle_of_setting_the_rule_loses_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "设置规则")
    await h.send(SECRETARY, "最后一个星期五")
    await h.send(SECRETARY, "15:30")
    await h.restart()
    confirm = (await h.send(SECRETARY, "党员活动室"))[-1]
    assert "每月最后一个星期五，15:30，党员活动室" in confirm
    await h.restart()
    await h.send(SECRETARY, "保存")
    assert await rows(h, "SELECT kind, weekday, start_time, place FROM party_day_rules") == [
        ("last", 4, "15:30", "党员活动室")
    ]


async def test_cancel_and_wrong_input_while_setting_the_rule(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "设置规则")
    assert (await h.send(SECRETARY, "看情况"))[-1].startswith("没有看懂这个规则")
    await h.press(SECRETARY, "每月几号")
    assert await h.send(SECRETARY, "35") == ["请输入 1 到 31 之间的数字。"]
    await h.press(SECRETARY, "15")
    assert await h.send(SECRETARY, "晚饭后") == ["时间格式不对，请输入如 14:30。"]
    await h.press(SECRETARY, "16:30")
    assert await h.photo(SECRETARY) == ["地点需为 1–60 个字，请重新输入。"]
    assert await h.send(SECRETARY, "/cancel") == ["已取消。"]
    assert await rows(h, "SELECT COUNT(*) FROM party_day_rules") == [(0,)]
    # The kept place is offered the next time.
    await rule_in_place(h)
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "设置规则")
    await h.send(SECRETARY, "15")
    await h.send(SECRETARY, "16:30")
    assert "沿用：三楼会议室" in h.buttons(SECRETARY)


async def test_a_place_with_html_characters_reads_as_typed(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    confirm = (await set_rule(h, place="党员之家<二楼>&会议室"))[-1]
    assert "党员之家&lt;二楼&gt;&amp;会议室" in confirm  # escaped in the HTML message
    await h.press(SECRETARY, "保存")
    await h.send(SECRETARY, "/partyday")
    await h.press(SECRETARY, "设置规则")
    await h.send(SECRETARY, "15")
    await h.send(SECRETARY, "16:30")
    assert "沿用：党员之家<二楼>&会议室" in h.buttons(SECRETARY)  # the button is plain text
    await h.press(SECRETARY, "沿用：党员之家<二楼>&会议室")
    assert await rows(h, "SELECT place FROM party_day_rules WHERE replaced_at IS NULL") == [
        ("党员之家<二楼>&会议室",)
    ]


async def test_a_member_sees_the_coming_day(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    assert await h.send(MEMBER, "/partyday") == ["本支部还没有设置党日。设置后，党日通知会发给您。"]
    h.clock.set(at(12, 8, 9))
    await rule_in_place(h)
    screen = (await h.send(MEMBER, "/partyday"))[-1]
    assert screen == (
        f"第一中学党支部 · 党日\n📅 {DECEMBER_8} 14:30\n📍 三楼会议室\n\n"
        "您的回复：尚未回复\n\n今天就是党日：到场后发送 /checkin 签到。"
    )
    assert h.buttons(MEMBER) == ["参加", "请假"]


async def test_marking_by_hand_opens_on_the_day(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 7))
    await rule_in_place(h)
    roster = (await h.send(SECRETARY, "/roster"))[-1]
    assert roster.endswith("\n\n上月的名单：/roster 2026-11")
    assert "未签到" not in roster  # not before the day
    await h.press(SECRETARY, "手动登记签到")
    assert h.answers()[-1] == f"党日（{DECEMBER_8}）还没到，当天才能登记签到。"
    h.clock.set(at(12, 9))
    await h.send(SECRETARY, "/roster")
    await h.press(SECRETARY, "手动登记签到")
    await h.press(SECRETARY, "王老师")
    await h.send(SECRETARY, "/roster")
    await h.press(SECRETARY, "手动登记签到")
    assert h.buttons(SECRETARY) == ["李红梅", "张老师"]
    assert await rows(h, "SELECT method, marked_by FROM party_day_checkins") == [("manual", 2)]


async def test_the_reminder_engine_renderers(harness: Harness) -> None:
    """What issue 6's engine sends: the D-3 notice and the morning-of reminder with [签到]."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 5, 9))
    await rule_in_place(h)
    async with h.db.read() as conn:
        due = await partyday.party_days_between(conn, date(2026, 12, 8), date(2026, 12, 8))
        branch = await branches.get(conn, 1)
        silent = await partyday.members_without_reply(conn, 1, date(2026, 12, 8))
    assert [d.date for d in due] == [date(2026, 12, 8)] and branch is not None
    assert [m.name for m in silent] == ["李红梅", "张老师", "王老师"]
    text, buttons = views.d3_reminder(Translator("zh"), due[0], branch)
    assert text.startswith("【党日提醒】第一中学党支部\n3 天后是党日：\n📅 2026年12月8日")
    h.clock.set(at(12, 8, 7, 30))
    text, buttons = views.morning_reminder(Translator("en"), due[0], branch)
    async with h.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=MEMBER.id,
            member_id=None,
            kind="partyday.morning",
            text=text,
            buttons=buttons,
            dedupe_key="partyday:1:2026-12-08:morning:test",
            not_before=h.clock.now(),
            now=h.clock.now(),
            # Sent at 07:30, inside the quiet hours the harness's dispatcher keeps.
            urgent=True,
        )
    await h.deliver()
    assert h.last(MEMBER).startswith("[Party day today] 第一中学党支部")
    assert "发送您的位置" in (await h.press(MEMBER, "Check in"))[-1]
    assert await h.location(MEMBER) == ["签到成功（位置），07:30。"]


# --------------------------------------------------------------------------- a large branch


async def test_a_large_branchs_roster_and_mark_list_fit_telegram(harness: Harness) -> None:
    """90 more people, 60 of them asking for leave in 150 characters: the roster goes out in
    parts under Telegram's 4096, with a few approve rows; the mark list goes by pages."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    async with h.db.transaction() as tx:
        row = await partyday.ensure_month(tx, 1, 2026, 12, now=h.clock.now())
        for i in range(90):
            person = await members.create(
                tx,
                telegram_id=50000 + i,
                name=f"欧阳某某某某某某某某某{i:03d}",
                role=Role.MEMBER,
                branch_id=1,
                now=h.clock.now(),
            )
            if i < 60:
                await partyday.set_reply(
                    tx,
                    month_id=row.id,
                    member_id=person.id,
                    answer=Answer.LEAVE,
                    reason_kind=LeaveReason.OTHER,
                    reason_text="县里<统一>安排&培训" * 13,
                    now=h.clock.now(),
                )
    said = await h.send(SECRETARY, "/roster")
    assert len(said) >= 3
    sent = h.tg.sent_messages(SECRETARY.id)[-len(said) :]
    assert all("reply_markup" not in message for message in sent[:-1])
    labels = h.buttons(SECRETARY)
    assert labels[:2] == ["提醒未回复的 33 人", "手动登记签到"]
    assert len([label for label in labels if label.startswith("批准 ")]) == 8
    joined = "\n".join(said)
    assert "🟡 请假（60）" in joined and "⚪ 未回复（33）" in joined
    assert "另有 52 人的请假待审批" in joined
    assert joined.count("县里&lt;统一&gt;安排&amp;培训") == 60 * 13

    h.clock.set(at(12, 8, 15))
    await h.send(SECRETARY, "/roster")
    await h.press(SECRETARY, "手动登记签到")
    first_page = h.buttons(SECRETARY)
    assert len(first_page) == 24 + 2 and first_page[-2:] == ["第 1/4 页", "下一页"]
    await h.press(SECRETARY, "下一页")
    assert h.buttons(SECRETARY)[0] == "欧阳某某某某某某某某某022"
    # Marking one keeps the list (on its page) for the next.
    said = await h.press(SECRETARY, "欧阳某某某某某某某某某022")
    assert said == ["已为 欧阳某某某某某某某某某022 登记签到。"]
    assert h.buttons(SECRETARY)[0] == "欧阳某某某某某某某某某023"
    await h.press(SECRETARY, "欧阳某某某某某某某某某023")
    assert await rows(h, "SELECT COUNT(*) FROM party_day_checkins") == [(2,)]


async def test_a_branchs_only_secretary_asks_the_bureau_for_leave(harness: Harness) -> None:
    h = harness
    await announced(h)
    await h.press(SECRETARY, "请假")
    said = await h.press(SECRETARY, "公务")
    assert said == [
        "已提交请假（公务）。本支部没有其他书记，已报教育局审批。党日开始前都可以更改。"
    ]
    await h.deliver()
    assert h.last(ADMIN) == (
        f"第一中学党支部 书记 李红梅 申请 {DECEMBER_8} 党日请假：公务\n"
        "（该支部没有其他书记，请局里审批。）"
    )
    # The secretary's roster has no buttons to approve their own request.
    roster = (await h.send(SECRETARY, "/roster"))[-1]
    assert "· 李红梅：公务，待审批" in roster
    assert not [label for label in h.buttons(SECRETARY) if "李红梅" in label]
    assert await press_on(h, ADMIN, "批准", "李红梅 申请") == ["已批准 李红梅 的请假。"]
    await h.deliver()
    assert h.last(SECRETARY).startswith(f"您 {DECEMBER_8} 党日的请假已批准")
    assert await rows(h, "SELECT approval, decided_by FROM party_day_replies") == [("approved", 1)]


async def test_a_past_roster_leaves_out_who_joined_after_the_day(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    h.clock.set(at(12, 10))
    await h.send(SECRETARY, "/invite")
    await join_in_english(h, h.invite_code(SECRETARY))
    assert (await h.send(EN_MEMBER, "/partyday"))[-1].startswith("第一中学党支部 · party day")
    roster = (await h.send(SECRETARY, "/roster 2026-12"))[-1]
    assert "⚪ 未回复（3）：李红梅、张老师、王老师" in roster
    # Whoever joined after the day but logged service that month is still counted.
    await h.send(EN_MEMBER, "/service")
    await h.send(EN_MEMBER, "study session")
    await h.send(EN_MEMBER, "today")
    await h.send(EN_MEMBER, "1")
    await h.send(EN_MEMBER, "Read the branch's notes")
    await h.send(EN_MEMBER, "skip")
    roster = (await h.send(SECRETARY, "/roster 2026-12"))[-1]
    assert "⚪ 未回复（4）：李红梅、Lin Wei、张老师、王老师" in roster
    assert "（Lin Wei 1）" in roster
