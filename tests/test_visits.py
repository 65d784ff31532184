"""Flow tests of logging a home visit: /visit step by step, its wrong inputs, edits, follow-ups.

Each test drives the real Application through the fake Telegram and asserts what the bot
said and what the database holds. The clock stands at Saturday 2026-11-28 10:00 in
Asia/Shanghai, inside the default autumn term (2026-09-01 to 2027-01-31).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers.common.i18n import Translator
from handlers.visits import views
from storage import audit, terms, visits
from tests.conftest import EN_MEMBER, MEMBER, MEMBER2, SECRETARY, START, Harness
from tests.fakebot import FakeUser

zh = Translator("zh")
en = Translator("en")


# --------------------------------------------------------------------------- helpers


async def log_visit(
    h: Harness,
    user: FakeUser = MEMBER,
    *,
    alias: str = "王同学",
    class_name: str = "三(2)班",
    day: str = "今天",
    follow_up: str | None = None,
) -> dict[str, Any]:
    """The typical visit: today, typed alias and class, in person, parents, study."""
    await h.send(user, "/visit")
    await h.press(user, day)
    await h.send(user, alias)
    await h.send(user, class_name)
    await h.press(user, "上门")
    await h.press(user, "父母")
    await h.press(user, "学习")
    if follow_up is not None:
        await h.press(user, "🔔 回访")
        await h.press(user, follow_up)
    await h.press(user, "✅ 保存")
    rows = await visit_rows(h)
    return rows[-1]


async def visit_rows(h: Harness) -> list[dict[str, Any]]:
    async with h.db.read() as conn, conn.execute("SELECT * FROM home_visits ORDER BY id") as cur:
        return [dict(row) for row in await cur.fetchall()]


async def member_id(h: Harness, user: FakeUser) -> int:
    async with (
        h.db.read() as conn,
        conn.execute(
            "SELECT id FROM members WHERE telegram_id = ? AND status = 'active'", (user.id,)
        ) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def flow_state(h: Harness, user: FakeUser) -> Any:
    async with (
        h.db.read() as conn,
        conn.execute(
            "SELECT state FROM conversation_states WHERE handler = 'visit' AND conv_key = ?",
            (f"[{user.id}, {user.id}]",),
        ) as cur,
    ):
        row = await cur.fetchone()
    return None if row is None else row[0]


def said(replies: list[str], text: str) -> bool:
    return any(text in reply for reply in replies)


# --------------------------------------------------------------------------- the whole cycle


async def test_the_first_visit_takes_eight_taps_and_one_typed_alias(harness: Harness) -> None:
    await harness.branch_with_people()
    taps_before = len(harness.tg.calls_to("answerCallbackQuery"))
    texts_typed = 0

    await harness.send(MEMBER, "/visit")  # tapped in the command menu
    await harness.press(MEMBER, "今天")
    asked = await harness.send(MEMBER, "王同学")
    texts_typed += 1
    # No classes of their own yet: the class is picked by grade, then number.
    assert said(asked, "先选年级") and "初一" in harness.buttons(MEMBER)
    asked = await harness.press(MEMBER, "三年级")
    assert said(asked, "三年级几班")
    await harness.press(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    summary = await harness.press(MEMBER, "父母")
    # The topics are ticked on the summary, which is redrawn in place.
    assert said(summary, "💬 内容：（待选）") and said(summary, "请点选谈了哪些方面（可多选）")
    summary = await harness.press(MEMBER, "学习")
    assert said(summary, "💬 内容：学习") and "✅ 学习" in harness.buttons(MEMBER)
    replies = await harness.press(MEMBER, "✅ 保存")

    taps = 1 + len(harness.tg.calls_to("answerCallbackQuery")) - taps_before
    assert taps == 8 and texts_typed == 1
    assert said(replies, "家访已保存（2026-11-28，王同学）")
    row = (await visit_rows(harness))[-1]
    assert (row["class_name"], row["form"], row["met"]) == ("三(2)班", "in_person", "parents")
    assert row["topics"] == '["study"]'
    assert row["visit_date"] == "2026-11-28" and row["version"] == 1


async def test_a_later_visit_taps_its_class_in_seven_taps(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    taps_before = len(harness.tg.calls_to("answerCallbackQuery"))

    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "李同学")
    await harness.press(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    await harness.press(MEMBER, "父母")
    await harness.press(MEMBER, "学习")
    replies = await harness.press(MEMBER, "✅ 保存")

    taps = 1 + len(harness.tg.calls_to("answerCallbackQuery")) - taps_before
    assert taps == 7
    assert said(replies, "家访已保存（2026-11-28，李同学）")
    assert said(replies, "本学期家访：2 次")
    # Another class than those used before: the grades are one tap away.
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "赵同学")
    await harness.press(MEMBER, "其他班级")
    await harness.press(MEMBER, "初二")
    await harness.press(MEMBER, "‹ 年级")
    await harness.press(MEMBER, "高一")
    asked = await harness.press(MEMBER, "高一(8)班")
    assert said(asked, "家访方式")
    assert flow_draft(harness, MEMBER)["class"] == "高一(8)班"


async def test_log_and_follow_up_cycle(harness: Harness) -> None:
    await harness.branch_with_people()
    first = await harness.send(MEMBER, "/visit")
    assert said(first, "本学期：2026-09-01 至 2027-01-31")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    await harness.press(MEMBER, "电话")
    await harness.press(MEMBER, "祖辈")
    await harness.press(MEMBER, "留守儿童")
    summary = await harness.press(MEMBER, "家庭困难")
    assert said(summary, "💬 内容：留守儿童、家庭困难")
    await harness.press(MEMBER, "📝 备注")
    await harness.send(MEMBER, "爷爷奶奶带，父母在外地打工。")
    await harness.press(MEMBER, "🔔 回访")
    summary = await harness.press(MEMBER, "1 周后")
    assert said(summary, "🔔 回访：2026-12-05")
    await harness.press(MEMBER, "🔔 回访")
    summary = await harness.send(MEMBER, "不需要回访")  # typed like the button
    assert said(summary, "🔔 回访：（无）")
    await harness.press(MEMBER, "🔔 回访")
    summary = await harness.send(MEMBER, "1周后")
    assert said(summary, "🔔 回访：2026-12-05")
    await harness.press(MEMBER, "📷 照片")
    summary = await harness.photo(MEMBER, "AgPHOTO77")
    assert said(summary, "📷 照片：已添加")
    saved = await harness.press(MEMBER, "✅ 保存")
    assert said(saved, "2026-12-05 会提醒您回访")

    row = (await visit_rows(harness))[0]
    assert row["note"] == "爷爷奶奶带，父母在外地打工。"
    assert row["photo_file_id"] == "AgPHOTO77"
    assert row["follow_up_on"] == "2026-12-05"
    assert row["topics"] == '["left_behind", "hardship"]'
    async with harness.db.read() as conn:
        entries = await audit.for_entity(conn, "home_visit", row["id"])
        assert [e.action for e in entries] == ["visit.logged"]
        # The audit log is never cleaned, so it must hold no student data.
        assert "王同学" not in str(entries[0].detail)
        assert await visits.follow_ups_due(conn, date(2026, 12, 4)) == []

    # A week later the follow-up is due: /visits shows it, the reminder engine finds it.
    harness.clock.set(START + timedelta(days=7))
    listing = await harness.send(MEMBER, "/visits")
    assert said(listing, "🔔 待回访（1）") and said(listing, "⏰ 已到期")
    async with harness.db.read() as conn:
        due = await visits.follow_ups_due(conn, date(2026, 12, 5))
    assert [d.visit_id for d in due] == [row["id"]]
    assert due[0].telegram_id == MEMBER.id
    assert due[0].dedupe_key == f"visit_follow_up:{row['id']}:2026-12-05"

    # The reminder the engine would send: its [Done] works through this feature.
    text, markup = views.follow_up_reminder(zh, due[0])
    assert "王同学" in text and markup is not None
    done_data = markup.inline_keyboard[0][0].callback_data
    assert isinstance(done_data, str)
    asked = await harness.callback(MEMBER, done_data)
    assert said(asked, "回访完成（王同学）")
    done = await harness.send(MEMBER, "已回访，孩子情绪稳定。")
    assert said(done, "已记录回访完成（王同学）")

    row = (await visit_rows(harness))[0]
    assert row["follow_up_done_at"] is not None
    assert row["follow_up_note"] == "已回访，孩子情绪稳定。"
    async with harness.db.read() as conn:
        assert await visits.follow_ups_due(conn, date(2026, 12, 5)) == []
        actions = [e.action for e in await audit.for_entity(conn, "home_visit", row["id"])]
    assert actions == ["visit.logged", "visit.follow_up_done"]
    listing = await harness.send(MEMBER, "/visits")
    assert said(listing, "✅回访") and not said(listing, "待回访")


async def test_postpone_a_week_from_visits(harness: Harness) -> None:
    await harness.branch_with_people()
    row = await log_visit(harness, follow_up="2 周后")
    assert row["follow_up_on"] == "2026-12-12"
    harness.clock.set(START + timedelta(days=16))  # 2026-12-14: two days overdue
    await harness.send(MEMBER, "/visits")
    replies = await harness.press(MEMBER, "推迟一周 1")
    # Overdue: a week from today, not from the missed date.
    assert said(replies, "已推迟到 2026-12-21")
    assert (await visit_rows(harness))[0]["follow_up_on"] == "2026-12-21"
    async with harness.db.read() as conn:
        assert await visits.follow_ups_due(conn, date(2026, 12, 14)) == []
        actions = [e.action for e in await audit.for_entity(conn, "home_visit", row["id"])]
    assert actions == ["visit.logged", "visit.follow_up_postponed"]
    # [Done] with no note.
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "完成 1")
    assert await harness.send(MEMBER, "取消") == ["已取消。"]  # not the note, not done
    assert (await visit_rows(harness))[0]["follow_up_done_at"] is None
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "完成 1")
    replies = await harness.press(MEMBER, "直接完成")
    assert said(replies, "已记录回访完成")
    assert (await visit_rows(harness))[0]["follow_up_note"] is None


# --------------------------------------------------------------------------- dates


async def test_future_date_is_refused_and_asked_again(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    replies = await harness.send(MEMBER, "2026-11-29")
    assert said(replies, "家访日期不能晚于今天（2026-11-28）")
    assert said(replies, "家访是哪一天？")
    # A forged calendar day in the future is refused the same way.
    replies = await harness.callback(MEMBER, "vf:day:2026-12-01")
    assert said(replies, "家访日期不能晚于今天")
    replies = await harness.press(MEMBER, "昨天")
    assert said(replies, "请输入学生化名")
    assert await visit_rows(harness) == []


async def test_date_outside_the_term_is_refused(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    replies = await harness.send(MEMBER, "2026-08-20")
    assert said(replies, "2026-08-20 不在本学期内（2026-09-01 至 2027-01-31）")
    assert said(replies, "家访是哪一天？")
    assert await flow_state(harness, MEMBER) == '"visit.date"'


async def test_typed_dates_in_all_three_forms(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    assert said(await harness.send(MEMBER, "2026-11-03"), "请输入学生化名")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    await harness.press(MEMBER, "父母")
    summary = await harness.send(MEMBER, "学习、安全")  # topics typed on the summary
    assert said(summary, "📅 日期：2026-11-03") and said(summary, "💬 内容：学习、安全")
    for typed, shown in (
        ("11-05", "2026-11-05"),
        ("11月7日", "2026-11-07"),
        ("１１－０９", "2026-11-09"),
    ):
        await harness.press(MEMBER, "✏️ 修改")
        await harness.press(MEMBER, "日期")
        summary = await harness.send(MEMBER, typed)
        assert said(summary, f"📅 日期：{shown}"), (typed, summary)
    replies = await harness.send(MEMBER, "保存")  # the summary's buttons can be typed too
    assert said(replies, "家访已保存（2026-11-09")
    assert (await visit_rows(harness))[0]["visit_date"] == "2026-11-09"


async def test_calendar_picks_a_day_within_the_term(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    shown = await harness.press(MEMBER, "另选日期")
    assert said(shown, "请选择家访日期")
    labels = harness.buttons(MEMBER)
    assert "2026年11月" in labels and "28" in labels and "29" not in labels
    await harness.press(MEMBER, "‹")  # October
    assert "2026年10月" in harness.buttons(MEMBER)
    await harness.press(MEMBER, "‹")  # September, the term's first month: no further back
    assert "‹" not in harness.buttons(MEMBER)
    replies = await harness.press(MEMBER, "15")
    assert said(replies, "请输入学生化名")
    # A forged day before the term.
    await harness.send(MEMBER, "/cancel")
    await harness.send(MEMBER, "/visit")
    replies = await harness.callback(MEMBER, "vf:day:2026-08-31")
    assert said(replies, "不在本学期内")


# --------------------------------------------------------------------------- alias, note, photo


async def test_alias_too_long_and_full_name_warning(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    first = await harness.press(MEMBER, "今天")
    assert said(first, "为什么不写全名")  # explained on the member's first visit
    replies = await harness.send(MEMBER, "一" * 21)
    assert said(replies, "化名最多 20 个字，您输入了 21 个字")
    assert said(replies, "请输入学生化名")
    assert not said(replies, "为什么不写全名")  # explained once
    replies = await harness.send(MEMBER, "王小明")
    assert said(replies, "「王小明」看起来像学生的真实全名") and said(replies, "王同学")
    replies = await harness.send(MEMBER, "欧阳同学")
    assert said(replies, "哪个班")
    await harness.send(MEMBER, "/cancel")
    # Keeping a name-like alias after the warning is the teacher's call.
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "王伟")
    replies = await harness.press(MEMBER, "这是化名，继续")
    assert said(replies, "哪个班")
    assert flow_draft(harness, MEMBER)["alias"] == "王伟"


def flow_draft(h: Harness, user: FakeUser) -> dict[str, Any]:
    data = h.app.user_data[user.id]["visit"]
    assert isinstance(data, dict)
    return data


async def test_note_over_the_limit_is_refused(harness: Harness) -> None:
    await harness.branch_with_people()
    await _to_summary(harness)
    await harness.press(MEMBER, "📝 备注")
    replies = await harness.send(MEMBER, "好" * 1001)
    assert said(replies, "备注最多 1000 字，您输入了 1001 字")
    assert said(replies, "请输入备注")
    summary = await harness.send(MEMBER, "好" * 1000)
    assert said(summary, "请核对家访记录")
    await harness.press(MEMBER, "✅ 保存")
    assert len((await visit_rows(harness))[0]["note"]) == 1000


async def test_photo_where_text_is_asked_and_text_where_a_photo_is(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    replies = await harness.photo(MEMBER)
    assert said(replies, "这里需要输入文字") and said(replies, "请输入学生化名")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    replies = await harness.photo(MEMBER)
    assert said(replies, "请点击上面的按钮") and said(replies, "家访方式")
    replies = await harness.send(MEMBER, "飞机")
    assert said(replies, "没有这个选项") and said(replies, "上门、电话、视频")
    await harness.send(MEMBER, "电话")  # typed choices work
    await harness.send(MEMBER, "其他监护人")
    await harness.send(MEMBER, "安全")
    await harness.press(MEMBER, "📷 照片")
    replies = await harness.send(MEMBER, "照片在这里")
    assert said(replies, "这里需要一张照片") and said(replies, "请发送一张照片")
    replies = await harness.send(MEMBER, "返回")  # the button's label typed: back, no photo
    assert said(replies, "请核对家访记录") and said(replies, "📷 照片：（无）")
    await harness.press(MEMBER, "📝 备注")
    replies = await harness.send(MEMBER, "返回")  # not a note of its own
    assert said(replies, "📝 备注：（无）")
    await harness.press(MEMBER, "📷 照片")
    summary = await harness.photo(MEMBER, "AgBIG", caption="门口拍的")
    assert said(summary, "照片说明已作为备注保存")
    await harness.press(MEMBER, "✅ 保存")
    row = (await visit_rows(harness))[0]
    assert (row["form"], row["met"], row["photo_file_id"]) == ("phone", "guardian", "AgBIG")
    assert row["note"] == "门口拍的"


async def test_a_button_from_an_earlier_step_asks_the_current_question(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    replies = await harness.callback(MEMBER, "vf:form:phone")
    assert said(replies, "请输入学生化名")
    assert said(harness.answers(), "这个按钮属于前面的步骤")
    replies = await harness.callback(MEMBER, "vf:top:study")
    assert await flow_state(harness, MEMBER) == '"visit.alias"'


async def test_topics_need_at_least_one(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    await harness.press(MEMBER, "视频")
    await harness.press(MEMBER, "父母")
    await harness.press(MEMBER, "✅ 保存")
    assert said(harness.answers(), "请至少选择一项谈话内容")
    replies = await harness.send(MEMBER, "保存")
    assert said(replies, "请至少选择一项谈话内容") and said(replies, "请核对家访记录")
    replies = await harness.send(MEMBER, "学习 Safety, health and mood")
    assert said(replies, "💬 内容：学习、安全、身心健康")
    replies = await harness.send(MEMBER, "随便")
    assert said(replies, "请点击上面的按钮")
    # Unticking the last topic on the summary leaves nothing to save.
    for label in ("✅ 学习", "✅ 安全", "✅ 身心健康"):
        await harness.press(MEMBER, label)
    await harness.press(MEMBER, "✅ 保存")
    assert said(harness.answers()[-1:], "请至少选择一项谈话内容")
    assert await visit_rows(harness) == []


# --------------------------------------------------------------------------- restart, cancel


async def test_restart_mid_flow_loses_nothing(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.send(MEMBER, "11月3日")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    await harness.restart()
    await harness.press(MEMBER, "父母")
    await harness.restart()
    summary = await harness.press(MEMBER, "安全")
    assert said(summary, "📅 日期：2026-11-03") and said(summary, "👤 学生：王同学")
    await harness.restart()
    await harness.press(MEMBER, "✅ 保存")
    row = (await visit_rows(harness))[0]
    assert (row["visit_date"], row["student_alias"], row["met"]) == (
        "2026-11-03",
        "王同学",
        "parents",
    )


async def test_cancel_leaves_without_saving(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "王同学")
    replies = await harness.send(MEMBER, "/cancel")
    assert replies == ["已取消。"]
    assert await visit_rows(harness) == []
    assert "visit" not in harness.app.user_data.get(MEMBER.id, {})
    # The button's label typed does the same (it is not taken as an alias or a note).
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    assert await harness.send(MEMBER, "取消") == ["已取消。"]
    assert "visit" not in harness.app.user_data.get(MEMBER.id, {})
    # The [Cancel] button on the summary does the same.
    await _to_summary(harness)
    replies = await harness.press(MEMBER, "取消")
    assert said(replies, "已取消")
    assert await visit_rows(harness) == []
    # Another command mid-flow leaves the flow and runs.
    await harness.send(MEMBER, "/visit")
    replies = await harness.send(MEMBER, "/visits")
    assert said(replies, "已退出") and said(replies, "我的家访")


async def test_english_speaking_member(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(EN_MEMBER, f"/start {info['member_code']}")
    await harness.send(EN_MEMBER, "Lin Wei")
    asked = await harness.send(EN_MEMBER, "/visit")
    assert said(asked, "Which day was the visit?")
    await harness.press(EN_MEMBER, "Today")
    await harness.send(EN_MEMBER, "WXM")
    await harness.send(EN_MEMBER, "Class 3-2")
    await harness.press(EN_MEMBER, "Phone")
    await harness.press(EN_MEMBER, "Grandparents")
    summary = await harness.press(EN_MEMBER, "Left-behind child")
    assert said(summary, "Please check the visit") and said(summary, "Topics: Left-behind child")
    await harness.press(EN_MEMBER, "🔔 Follow-up")
    summary = await harness.send(EN_MEMBER, "in 2 weeks")  # a button's label, typed
    assert said(summary, "Follow-up: 2026-12-12")
    await harness.press(EN_MEMBER, "🔔 Follow-up")
    await harness.send(EN_MEMBER, "12-10")
    saved = await harness.press(EN_MEMBER, "✅ Save")
    assert said(saved, "Visit saved (2026-11-28, WXM)")
    assert said(saved, "You will be reminded to follow up on 2026-12-10")
    listing = await harness.send(EN_MEMBER, "/visits")
    assert said(listing, "My home visits") and said(listing, "Follow-ups to do (1)")


# --------------------------------------------------------------------------- edits, withdrawal


async def test_edit_within_seven_days_keeps_the_previous_version(harness: Harness) -> None:
    await harness.branch_with_people()
    row = await log_visit(harness)
    harness.clock.set(START + timedelta(days=6))
    await harness.send(MEMBER, "/visits")
    summary = await harness.press(MEMBER, "修改 1")
    assert said(summary, f"修改家访记录 #{row['id']}")
    await harness.press(MEMBER, "✏️ 修改")
    await harness.press(MEMBER, "班级")
    await harness.send(MEMBER, "三（3）班")
    replies = await harness.press(MEMBER, "✅ 保存")
    assert said(replies, "修改已保存（第 2 版")
    edited = (await visit_rows(harness))[0]
    assert edited["class_name"] == "三(3)班" and edited["version"] == 2
    async with harness.db.read() as conn:
        old = await visits.versions(conn, row["id"])
        actions = [e for e in await audit.for_entity(conn, "home_visit", row["id"])]
    assert [(v.version, v.content["class_name"]) for v in old] == [(1, "三(2)班")]
    assert actions[-1].action == "visit.edited" and actions[-1].detail["fields"] == ["class_name"]
    # The history is visible from the details.
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "详情 1")
    replies = await harness.press(MEMBER, "历史版本")
    assert said(replies, "第 1 版") and said(replies, "三(2)班")
    # Saving without a change writes nothing.
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "修改 1")
    replies = await harness.press(MEMBER, "✅ 保存")
    assert said(replies, "没有改动")
    assert (await visit_rows(harness))[0]["version"] == 2


async def test_edits_after_the_seven_day_lock_are_refused(harness: Harness) -> None:
    await harness.branch_with_people()
    row = await log_visit(harness)
    # Opened for editing ten minutes before the lock, saved five minutes after it.
    harness.clock.set(START + timedelta(days=7, minutes=-10))
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "修改 1")
    await harness.press(MEMBER, "✏️ 修改")
    await harness.press(MEMBER, "学生")
    await harness.send(MEMBER, "李同学")
    harness.clock.set(START + timedelta(days=7, minutes=5))
    replies = await harness.press(MEMBER, "✅ 保存")
    assert said(replies, "已超过 7 天，已锁定")
    # Later presses of [Edit] or [Withdraw] are refused; the list offers neither.
    await harness.callback(MEMBER, f"vis:edit:{row['id']}")
    assert said(harness.answers(), "已超过 7 天，已锁定")
    await harness.callback(MEMBER, f"vis:wdok:{row['id']}")
    assert said(harness.answers()[-1:], "已超过 7 天，已锁定")
    listing = await harness.send(MEMBER, "/visits")
    assert said(listing, "🔒")
    assert "修改 1" not in harness.buttons(MEMBER)
    after = (await visit_rows(harness))[0]
    assert (after["student_alias"], after["version"], after["withdrawn_at"]) == ("王同学", 1, None)


async def test_withdraw_marks_and_never_deletes(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    await harness.send(MEMBER, "/visits")
    replies = await harness.press(MEMBER, "撤回 1")
    assert said(replies, "确定撤回这条家访记录吗")
    replies = await harness.press(MEMBER, "确定撤回")
    assert said(replies, "已撤回（2026-11-28，王同学）")
    rows = await visit_rows(harness)
    assert len(rows) == 1 and rows[0]["withdrawn_at"] is not None
    listing = await harness.send(MEMBER, "/visits")
    assert said(listing, "本学期家访：0 次") and said(listing, "〔已撤回〕")
    async with harness.db.read() as conn:
        actions = [e.action for e in await audit.for_entity(conn, "home_visit", rows[0]["id"])]
    assert actions == ["visit.logged", "visit.withdrawn"]


async def test_follow_up_done_while_a_draft_waits(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness, follow_up="1 周后")
    await harness.send(MEMBER, "/visits")
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")  # the draft now waits for the alias
    await harness.press(MEMBER, "完成 1")
    replies = await harness.send(MEMBER, "电话回访过了")
    assert said(replies, "已记录回访完成") and said(replies, "未保存的家访记录")
    replies = await harness.send(MEMBER, "赵同学")  # the draft goes on where it was
    assert said(replies, "哪个班")
    assert (await visit_rows(harness))[0]["follow_up_note"] == "电话回访过了"


async def test_progress_against_the_target(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/visittarget 3")
    await _to_summary(harness)
    assert said(await harness.press(MEMBER, "✅ 保存"), "本学期家访：1/3")
    listing = await harness.send(MEMBER, "/visits")
    assert said(listing, "本学期家访：1/3")
    async with harness.db.read() as conn:
        term = await terms.term_for(conn, date(2026, 11, 28))
        behind = await visits.members_behind_target(conn, 1, term, date(2026, 11, 28))
    assert sorted(p.name for p in behind) == ["张老师", "李红梅", "王老师"]
    assert {p.name: p.term_count for p in behind}["王老师"] == 1
    text, markup = views.behind_target_reminder(zh, behind[0], term)
    assert "/3" in text and markup is not None
    # Its [Log a visit] button starts the flow.
    data = markup.inline_keyboard[0][0].callback_data
    assert isinstance(data, str)
    replies = await harness.callback(MEMBER2, data)
    assert said(replies, "家访是哪一天？")


async def _to_summary(h: Harness) -> None:
    await h.send(MEMBER, "/visit")
    await h.press(MEMBER, "今天")
    await h.send(MEMBER, "王同学")
    await h.send(MEMBER, "三(2)班")
    await h.press(MEMBER, "上门")
    await h.press(MEMBER, "父母")
    await h.press(MEMBER, "学习")


async def test_what_is_typed_is_shown_as_typed_not_as_html(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "W&M <3")
    await harness.send(MEMBER, "<b>班")
    await harness.press(MEMBER, "上门")
    await harness.press(MEMBER, "父母")
    summary = await harness.press(MEMBER, "学习")
    # Escaped for Telegram's HTML (the fake Bot API refuses broken HTML as Telegram does).
    assert said(summary, "👤 学生：W&amp;M &lt;3") and said(summary, "🏫 班级：&lt;b&gt;班")
    await harness.press(MEMBER, "✅ 保存")
    row = (await visit_rows(harness))[0]
    assert (row["student_alias"], row["class_name"]) == ("W&M <3", "<b>班")
    listing = await harness.send(MEMBER, "/visits")
    assert said(listing, "W&amp;M &lt;3（&lt;b&gt;班）")


async def test_a_long_history_is_sent_in_messages_telegram_accepts(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    for digit in "12345":  # five edits, each with a note of the full 1000 characters
        await harness.send(MEMBER, "/visits")
        await harness.press(MEMBER, "修改 1")
        await harness.press(MEMBER, "📝 备注")
        await harness.send(MEMBER, digit * 1000)
        await harness.press(MEMBER, "✅ 保存")
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "详情 1")
    replies = await harness.press(MEMBER, "历史版本")
    # The fake Bot API refuses a message over 4096 characters, as Telegram does.
    assert len(replies) >= 2 and all(len(reply) <= 4096 for reply in replies)
    shown = "\n".join(replies)
    assert all(f"第 {n} 版" in shown for n in range(1, 6)) and "4" * 1000 in shown
    assert not said(harness.answers(), "系统出了点问题")


async def test_postpone_tapped_twice_moves_the_follow_up_once(harness: Harness) -> None:
    """A double tap on a slow network, or the reminder's button pressed again later."""
    await harness.branch_with_people()
    row = await log_visit(harness, follow_up="1 周后")
    harness.clock.set(START + timedelta(days=7))  # 2026-12-05, the due day
    async with harness.db.read() as conn:
        due = await visits.follow_ups_due(conn, date(2026, 12, 5))
    _, markup = views.follow_up_reminder(zh, due[0])
    assert markup is not None
    postpone = markup.inline_keyboard[0][1].callback_data
    assert isinstance(postpone, str)
    replies = await harness.callback(MEMBER, postpone)
    assert said(replies, "已推迟到 2026-12-12")
    replies = await harness.callback(MEMBER, postpone)
    assert said(replies, "已推迟到 2026-12-12") and said(replies, "无需再推迟")
    assert (await visit_rows(harness))[0]["follow_up_on"] == "2026-12-12"
    # The same from /visits: the list's button is for the date it showed.
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "推迟一周 1")
    replies = await harness.press(MEMBER, "推迟一周 1")
    assert said(replies, "无需再推迟")
    assert (await visit_rows(harness))[0]["follow_up_on"] == "2026-12-19"
    # A button made before buttons carried the date still postpones.
    replies = await harness.callback(MEMBER, f"vis:fpost:{row['id']}")
    assert said(replies, "已推迟到 2026-12-26")
    async with harness.db.read() as conn:
        actions = [e.action for e in await audit.for_entity(conn, "home_visit", row["id"])]
    assert actions.count("visit.follow_up_postponed") == 3


async def test_log_a_visit_on_a_reminder_goes_on_with_a_half_entered_one(
    harness: Harness,
) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "昨天")
    await harness.send(MEMBER, "王同学")
    replies = await harness.callback(MEMBER, "vis:new")  # the behind-target reminder's button
    assert said(replies, "未保存的家访记录，请接着填写") and said(replies, "哪个班")
    assert not said(replies, "已放弃")
    await harness.press(MEMBER, "三年级")
    await harness.press(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    await harness.press(MEMBER, "父母")
    await harness.press(MEMBER, "学习")
    replies = await harness.callback(MEMBER, "vis:new")
    assert said(replies, "请核对家访记录") and said(replies, "👤 学生：王同学")
    await harness.press(MEMBER, "✅ 保存")
    row = (await visit_rows(harness))[0]
    assert (row["visit_date"], row["student_alias"]) == ("2026-11-27", "王同学")
    # With nothing waiting, it starts a visit; /visit typed again goes on with it too.
    replies = await harness.callback(MEMBER, "vis:new")
    assert said(replies, "家访是哪一天？") and not said(replies, "未保存")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "李同学")
    replies = await harness.send(MEMBER, "/visit")
    assert said(replies, "未保存的家访记录，请接着填写") and said(replies, "哪个班")
    assert flow_draft(harness, MEMBER)["alias"] == "李同学"


async def test_many_open_follow_ups_list_the_soonest_ten(harness: Harness) -> None:
    await harness.branch_with_people()
    owner = await member_id(harness, MEMBER)
    today = date(2026, 11, 28)
    async with harness.db.transaction() as tx:
        term = await terms.term_for(tx, today)
        for n in range(60):
            content = visits.VisitContent(
                visit_date=today - timedelta(days=n % 20), student_alias=f"学生{n:02d}",
                class_name="三(2)班", form=visits.Form.PHONE, met=visits.Met.PARENTS,
                topics=[visits.Topic.STUDY], follow_up_on=today + timedelta(days=1 + n),
                today=today,
            )  # fmt: skip
            await visits.create(
                tx, member_id=owner, branch_id=1, content=content, term=term,
                now=harness.clock.now(),
            )  # fmt: skip
    replies = await harness.send(MEMBER, "/visits")
    follow_ups = replies[-1]
    assert said([follow_ups], "待回访（60）") and said([follow_ups], "另有 50 条")
    assert "学生00" in follow_ups and "学生10" not in follow_ups
    assert len(harness.buttons(MEMBER)) == 20
    await harness.press(MEMBER, "完成 1")
    await harness.press(MEMBER, "直接完成")
    replies = await harness.send(MEMBER, "/visits")
    assert said(replies, "待回访（59）") and "学生10" in replies[-1]


async def test_a_double_tap_on_a_picker_is_no_error(harness: Harness) -> None:
    """The second tap asks for the screen already shown; Telegram refuses such an edit."""
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "另选日期")
    await harness.press(MEMBER, "‹")
    await harness.callback(MEMBER, "vf:cal:2026-10")  # the same "‹" again
    assert "2026年10月" in harness.buttons(MEMBER)
    await harness.press(MEMBER, "15")
    await harness.send(MEMBER, "王同学")
    await harness.press(MEMBER, "三年级")
    await harness.callback(MEMBER, "vf:grade:3")
    assert said(harness.tg.texts(MEMBER.id)[-1:], "三年级几班")
    assert not said(harness.answers(), "系统出了点问题")


async def test_restart_in_a_picker_and_in_the_follow_up_note(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, "王同学")
    await harness.press(MEMBER, "初三")  # the class numbers, shown in place
    await harness.restart()
    await harness.press(MEMBER, "初三(4)班")
    await harness.press(MEMBER, "电话")
    await harness.press(MEMBER, "祖辈")
    await harness.press(MEMBER, "🔔 回访")
    await harness.press(MEMBER, "1 周后")
    await harness.press(MEMBER, "安全")
    await harness.restart()
    await harness.press(MEMBER, "✅ 保存")
    row = (await visit_rows(harness))[0]
    assert (row["class_name"], row["follow_up_on"], row["topics"]) == (
        "初三(4)班",
        "2026-12-05",
        '["safety"]',
    )
    # [Done] on the follow-up, a restart, then the line about it.
    await harness.send(MEMBER, "/visits")
    await harness.press(MEMBER, "完成 1")
    await harness.restart()
    replies = await harness.send(MEMBER, "奶奶说孩子按时上学了")
    assert said(replies, "已记录回访完成（王同学）")
    assert (await visit_rows(harness))[0]["follow_up_note"] == "奶奶说孩子按时上学了"


async def test_changing_one_answer_offers_back_not_cancel(harness: Harness) -> None:
    """After the summary, a step's [Cancel] would drop the whole visit: it is [Back]."""
    await harness.branch_with_people()
    await _to_summary(harness)
    await harness.press(MEMBER, "✏️ 修改")
    await harness.press(MEMBER, "班级")
    labels = harness.buttons(MEMBER)
    assert "↩️ 返回核对" in labels and "取消" not in labels
    await harness.press(MEMBER, "其他班级")
    assert "↩️ 返回核对" in harness.buttons(MEMBER)
    summary = await harness.press(MEMBER, "↩️ 返回核对")
    assert said(summary, "🏫 班级：三(2)班") and said(summary, "👤 学生：王同学")
    await harness.press(MEMBER, "✏️ 修改")
    await harness.press(MEMBER, "日期")
    await harness.press(MEMBER, "另选日期")
    assert "↩️ 返回核对" in harness.buttons(MEMBER) and "取消" not in harness.buttons(MEMBER)
    await harness.press(MEMBER, "↩️ 返回核对")
    # The follow-up calendar's only way out is [Back] to the summary.
    await harness.press(MEMBER, "🔔 回访")
    await harness.press(MEMBER, "选择日期")
    assert "取消" not in harness.buttons(MEMBER) and "返回" in harness.buttons(MEMBER)
    summary = await harness.press(MEMBER, "返回")
    assert said(summary, "请核对家访记录")
    await harness.press(MEMBER, "✅ 保存")
    assert (await visit_rows(harness))[0]["class_name"] == "三(2)班"


async def test_an_album_is_answered_once(harness: Harness) -> None:
    """Telegram sends an album as one message per picture; the bot answers it once."""
    await harness.branch_with_people()

    async def album(group: str, pictures: int) -> list[str]:
        replies = []
        for n in range(pictures):
            sizes = [{"file_id": f"Ag{group}_{n}", "file_unique_id": f"u{group}{n}",
                      "width": 1280, "height": 960, "file_size": 150000}]  # fmt: skip
            message = harness.updates._message(MEMBER, None, photo=sizes, media_group_id=group)
            replies += await harness.process(MEMBER, harness.updates.update(message=message))
        return replies

    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    replies = await album("G1", 3)  # where the alias is asked
    assert len(replies) == 1 and said(replies, "这里需要输入文字")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    await harness.press(MEMBER, "父母")
    await harness.press(MEMBER, "学习")
    await harness.press(MEMBER, "📷 照片")
    replies = await album("G2", 4)
    assert len(replies) == 1 and said(replies, "已保存相册中的第一张")
    await harness.press(MEMBER, "✅ 保存")
    assert (await visit_rows(harness))[0]["photo_file_id"] == "AgG2_0"


async def test_visits_read_dates_and_choices_as_every_feature_does(harness: Harness) -> None:
    """Unified with pledges and party day (issue 9): 昨日 and 前天 are visit dates, 明天 a
    follow-up, and a form or whom met may be typed as its number in the list."""
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    assert said(await harness.send(MEMBER, "昨日"), "请输入学生化名")
    await harness.send(MEMBER, "王同学")
    await harness.send(MEMBER, "三(2)班")
    await harness.send(MEMBER, "1")
    await harness.send(MEMBER, "1")
    summary = await harness.send(MEMBER, "学习")
    assert said(summary, "📅 日期：2026-11-27")
    await harness.press(MEMBER, "✏️ 修改")
    await harness.press(MEMBER, "日期")
    assert said(await harness.send(MEMBER, "前天"), "📅 日期：2026-11-26")
    await harness.press(MEMBER, "🔔 回访")
    await harness.send(MEMBER, "明天")
    await harness.send(MEMBER, "保存")
    row = (await visit_rows(harness))[0]
    assert (row["visit_date"], row["follow_up_on"]) == ("2026-11-26", "2026-11-29")
    assert (row["form"], row["met"]) == ("in_person", "parents")
