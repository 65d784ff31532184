"""三会一课 and 平安校园 through the real Application: recording, announcing, attendance,
quorum, review and locking, the compliance board, make-ups, safety logging and coverage."""

from __future__ import annotations

from datetime import datetime

from bot.app import reminder_engine
from storage import meetings, safety, terms
from storage.meetings import MeetingStatus, Presence
from tests.conftest import ADMIN, MEMBER, MEMBER2, SECRETARY, ZONE, Harness


async def _meeting(h: Harness) -> meetings.Meeting:
    rows = await h.rows("SELECT id FROM meetings ORDER BY id DESC LIMIT 1")
    async with h.db.read() as conn:
        found = await meetings.get(conn, int(rows[0][0]))
    assert found is not None
    return found


async def _start_record(h: Harness, kind: str = "支委会", day: str = "11-20") -> list[str]:
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, kind)
    await h.send(SECRETARY, day)
    await h.send(SECRETARY, "15:00-16:30")
    await h.send(SECRETARY, "学习党的二十届三中全会精神")
    return await h.send(SECRETARY, "党员活动室")


async def test_record_a_meeting_review_and_lock(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    card = await _start_record(h)
    assert "支委会" in card[-1] and "应到 3 人" in card[-1] and "未标记 3 人" in card[-1]

    # Submitting too early names what is missing: present + absent must equal expected.
    said = await h.press(SECRETARY, "提交审核")
    assert "实到 + 缺席须等于应到" in said[-1]

    # Attendance by tapping names; the one absent is asked for a reason.
    await h.press(SECRETARY, "出席情况")
    await h.press(SECRETARY, "⬜ 李红梅")
    await h.press(SECRETARY, "⬜ 王老师")
    await h.press(SECRETARY, "⬜ 张老师")
    redrawn = await h.press(SECRETARY, "✅ 张老师")  # a second tap: absent
    del redrawn
    asked = await h.press(SECRETARY, "完成")
    assert "张老师 缺席的原因" in asked[-1]
    card = await h.send(SECRETARY, "外出培训")
    assert "缺席：张老师（外出培训）" in card[-1] and "实到 2 人" in card[-1]

    # Chair by tapping; a recorder outside the branch only as a guest.
    await h.press(SECRETARY, "主持人")
    await h.press(SECRETARY, "李红梅")
    await h.press(SECRETARY, "记录人")
    refused = await h.send(SECRETARY, "陈校长")
    assert "不是本支部党员" in refused[-1] and "嘉宾 陈校长" in refused[-1]
    card = await h.send(SECRETARY, "嘉宾 陈校长")
    assert "记录人：陈校长（嘉宾）" in card[-1]
    await h.press(SECRETARY, "发言要点")
    await h.send(SECRETARY, "传达学习全会精神，王老师交流发言。")
    await h.press(SECRETARY, "列席人员")
    card = await h.send(SECRETARY, "刘校长、孙主任")
    assert "列席：刘校长、孙主任" in card[-1]
    await h.press(SECRETARY, "照片")
    await h.photo(SECRETARY, "MEETING_PHOTO")
    card = await h.press(SECRETARY, "完成")
    assert "照片：1 张" in card[-1]

    said = await h.press(SECRETARY, "提交审核")
    assert "已提交审核" in said[-1]
    meeting = await _meeting(h)
    assert meeting.status is MeetingStatus.SUBMITTED
    assert meeting.observers == ["刘校长", "孙主任"] and meeting.photos == ["MEETING_PHOTO"]
    async with h.db.read() as conn:
        record = await meetings.get_record(conn, meeting.id)
    assert record is not None and record.attendance is not None
    assert (record.attendance.present, record.attendance.absent) == (2, 1)

    # The bureau is told through the outbox, reviews and returns it with a comment.
    await h.deliver()
    assert "第一中学党支部 提交了支委会记录" in h.last(ADMIN)
    await h.press(ADMIN, "查看")
    await h.press(ADMIN, "退回")
    too_short = await h.send(ADMIN, "改")
    assert "2–300" in too_short[-1]
    await h.send(ADMIN, "请写明学习的具体篇目")
    await h.deliver()
    assert "被退回：请写明学习的具体篇目" in h.last(SECRETARY)
    await h.press(SECRETARY, "查看")
    await h.press(SECRETARY, "主题")
    await h.send(SECRETARY, "学习《决定》全文")
    await h.press(SECRETARY, "提交审核")
    await h.deliver()
    await h.press(ADMIN, "查看")
    said = await h.press(ADMIN, "通过")
    assert "已通过" in said[-1]
    await h.deliver()
    assert "已通过审核" in h.last(SECRETARY)
    meeting = await _meeting(h)
    assert meeting.status is MeetingStatus.APPROVED and meeting.topic == "学习《决定》全文"

    # Approved is locked: an old button to edit is refused; a correction is a new version.
    await h.callback(SECRETARY, f"mt:f:{meeting.id}:topic")
    assert "不能这样修改" in h.answers()[-1]
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "支委会")
    await h.send(SECRETARY, "11-20")
    asked = h.tg.texts(SECRETARY.id)[-1]
    assert "是对原记录的更正" in asked
    said = await h.press(SECRETARY, "更正原记录")
    assert "已建立第 2 版" in said[0]
    async with h.db.read() as conn:
        kept = await meetings.versions(conn, meeting.lineage_id)
    assert [(v.version, v.status) for v in kept] == [
        (1, MeetingStatus.APPROVED),
        (2, MeetingStatus.DRAFT),
    ]


async def test_a_future_meeting_is_announced_and_answered(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "支部党员大会")
    await h.send(SECRETARY, "12-05")
    await h.send(SECRETARY, "15:30")
    await h.send(SECRETARY, "讨论发展党员")
    said = await h.send(SECRETARY, "会议室")
    assert "共通知 2 人" in said[0]
    meeting = await _meeting(h)
    assert meeting.status is MeetingStatus.ANNOUNCED
    await h.deliver()
    assert "会议通知" in h.last(MEMBER) and "讨论发展党员" in h.last(MEMBER)
    said = await h.press(MEMBER, "参加")
    assert "您将参加" in said[-1]
    await h.press(MEMBER2, "请假")
    await h.send(MEMBER2, "带学生参加竞赛")
    await h.deliver()
    assert "张老师 请假" in h.last(SECRETARY)

    # It cannot be recorded as held before its day ...
    await h.callback(SECRETARY, f"mt:held:{meeting.id}")
    assert "不能这样修改" in h.answers()[-1]
    # ... and on the day, the one on leave is absent with the reason given.
    h.clock.set(datetime(2026, 12, 5, 18, 0, tzinfo=ZONE))
    card = await h.callback(SECRETARY, f"mt:held:{meeting.id}")
    assert "缺席：张老师（带学生参加竞赛）" in card[-1]
    # A general meeting deciding something with one of three voters present: no quorum.
    await h.press(SECRETARY, "出席情况")
    await h.press(SECRETARY, "⬜ 李红梅")
    await h.press(SECRETARY, "⬜ 王老师")
    await h.press(SECRETARY, "✅ 王老师")
    await h.press(SECRETARY, "完成")
    await h.send(SECRETARY, "病假")
    await h.press(SECRETARY, "决定与表决")
    await h.send(SECRETARY, "同意将王老师列为发展对象")
    bad = await h.send(SECRETARY, "同意很多")
    assert "三个数字" in bad[-1]
    card = await h.send(SECRETARY, "赞成 1 反对 0 弃权 0")
    assert "未达法定人数" in card[-1] and "表决：赞成 1，反对 0，弃权 0" in card[-1]


async def test_future_dates_and_bad_input_are_refused(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党课")
    bad = await h.send(SECRETARY, "下周")
    assert "没看懂这个日期" in bad[-1]
    await h.send(SECRETARY, "11-27")
    bad = await h.send(SECRETARY, "三点")
    assert "没看懂这个时间" in bad[-1]
    await h.send(SECRETARY, "跳过")
    bad = await h.send(SECRETARY, "学")
    assert "2–100" in bad[-1]
    said = await h.send(SECRETARY, "/cancel")
    assert "已取消" in said[-1]
    assert await h.rows("SELECT id FROM meetings") == []
    # A record cannot be dated ahead: tomorrow's meeting becomes an announcement instead.
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党课")
    asked = await h.send(SECRETARY, "明天")
    assert "会议时间？例如 15:30 或" in asked[-1]
    await h.send(SECRETARY, "取消")
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党课")
    await h.send(SECRETARY, "11-27")
    await h.send(SECRETARY, "跳过")
    await h.send(SECRETARY, "党章学习")
    card = await h.send(SECRETARY, "跳过")
    assert "授课人" in card[-1]
    # Submitting a lecture without its lecturer is refused with the reason.
    await h.press(SECRETARY, "出席情况")
    await h.press(SECRETARY, "全部出席")
    await h.press(SECRETARY, "完成")
    await h.press(SECRETARY, "主持人")
    await h.press(SECRETARY, "李红梅")
    await h.press(SECRETARY, "记录人")
    await h.press(SECRETARY, "王老师")
    await h.press(SECRETARY, "发言要点")
    await h.send(SECRETARY, "学习党章第一章")
    said = await h.press(SECRETARY, "提交审核")
    assert "党课请填写授课人" in said[-1]


async def test_compliance_board_and_member_view_with_make_up(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    # A 党课 on 20 November that 王老师 missed, submitted.
    await _start_record(h, kind="党课")
    await h.press(SECRETARY, "出席情况")
    await h.press(SECRETARY, "⬜ 李红梅")
    await h.press(SECRETARY, "⬜ 张老师")
    await h.press(SECRETARY, "⬜ 王老师")
    await h.press(SECRETARY, "✅ 王老师")
    await h.press(SECRETARY, "完成")
    await h.send(SECRETARY, "病假")
    for field, answer in (("主持人", "李红梅"), ("记录人", "张老师"), ("授课人", "李红梅")):
        await h.press(SECRETARY, field)
        await h.press(SECRETARY, answer)
    await h.press(SECRETARY, "发言要点")
    await h.send(SECRETARY, "讲授党史")
    await h.press(SECRETARY, "提交审核")

    board = await h.send(SECRETARY, "/meetings")
    assert "2026 年三会一课完成情况" in board[0]
    assert "党课（每季度）：❌ ❌ ❌ ✅" in board[0]
    assert "支委会（每月）：❌" in board[0]

    mine = await h.send(MEMBER, "/meetings")
    assert "党课：学习党的二十届三中全会精神 — 缺席" in mine[-1]
    await h.press(MEMBER, "补课：11-20 党课")
    bad = await h.send(MEMBER, "11-19")
    assert "补课日期须在党课之后" in bad[0]
    await h.send(MEMBER, "今天")
    said = await h.send(MEMBER, "观看党课录像并撰写心得")
    assert "补课已记录" in said[-1]
    mine = await h.send(MEMBER, "/meetings")
    assert "已补课 2026-11-28" in mine[-1]
    others = await h.send(MEMBER2, "/meetings")
    assert "— 出席" in others[-1] and "补课" not in others[-1]

    overview = await h.send(ADMIN, "/meetings")
    assert "第一中学党支部：未开" in overview[0] and "待审核 1 条" in overview[0]
    assert overview[-1] == "查看某个支部的三会一课台账，请选择支部："


async def test_safety_lesson_drill_school_drill_and_coverage(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    menu = await h.send(MEMBER, "/safety")
    assert "安全教育课 0 节" in menu[-1]
    await h.press(MEMBER, "记录安全教育课")
    bad = await h.send(MEMBER, "明天")
    assert "不能晚于今天" in bad[-1]
    await h.send(MEMBER, "11-20")
    await h.send(MEMBER, "三（2）班")
    unknown = await h.send(MEMBER, "数学")
    assert "请点击上面的按钮选择" in unknown[-1]
    await h.press(MEMBER, "防溺水")
    for count in ("0", "201", "很多"):
        bad = await h.send(MEMBER, count)
        assert "1–200" in bad[-1]
    await h.send(MEMBER, "45")
    said = await h.photo(MEMBER, "LESSON_PHOTO")
    assert "三(2)班 防溺水安全教育课，45 名学生" in said[-1]
    # The class used before is offered next time.
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "记录安全教育课")
    await h.send(MEMBER, "今天")
    assert "三(2)班" in h.buttons(MEMBER)
    await h.send(MEMBER, "/cancel")

    await h.send(MEMBER2, "/safety")
    await h.press(MEMBER2, "记录参加的演练")
    await h.send(MEMBER2, "11-09")
    await h.send(MEMBER2, "fire evacuation")  # a drill typed by its name, in either language
    bad = await h.send(MEMBER2, "带")
    assert "2–30" in bad[-1]
    said = await h.send(MEMBER2, "疏散引导")
    assert "消防疏散演练，职责：疏散引导" in said[-1]

    await h.send(SECRETARY, "/safety")
    await h.press(SECRETARY, "登记全校演练（书记）")
    await h.send(SECRETARY, "11-12")
    await h.press(SECRETARY, "防震")
    none = await h.press(SECRETARY, "完成")
    assert "至少选一人" in none[-1]
    await h.press(SECRETARY, "⬜ 王老师")
    await h.press(SECRETARY, "⬜ 李红梅")
    said = await h.press(SECRETARY, "完成")
    assert "2 名党员参加" in said[-1]

    coverage = await h.send(SECRETARY, "/safety branch")
    assert "两项都完成：1/3 人" in coverage[-1]
    assert "✅ 已完成：王老师" in coverage[-1]
    assert "📚 缺安全教育课：张老师、李红梅" in coverage[-1]
    assert "🚨 缺安全演练：无" in coverage[-1]
    async with h.db.read() as conn:
        term = await terms.term_for(conn, datetime(2026, 11, 28).date())
        lessons = await safety.lessons_for_branch(conn, 1, term)
    assert [(x.class_name, x.students, x.photo_file_id) for x in lessons] == [
        ("三(2)班", 45, "LESSON_PHOTO")
    ]


async def test_safety_lesson_photo_may_be_skipped(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "记录安全教育课")
    await h.send(MEMBER, "11-20")
    await h.send(MEMBER, "三（2）班")
    await h.press(MEMBER, "防溺水")
    await h.send(MEMBER, "45")
    other = await h.send(MEMBER, "好的")
    assert other[-1] == "请发送照片，或点“跳过”。"
    assert "跳过" in h.buttons(MEMBER)
    said = await h.press(MEMBER, "跳过")
    assert "三(2)班 防溺水安全教育课，45 名学生" in said[-1]
    async with h.db.read() as conn:
        term = await terms.term_for(conn, datetime(2026, 11, 28).date())
        lessons = await safety.lessons_for_branch(conn, 1, term)
    assert [(x.class_name, x.photo_file_id) for x in lessons] == [("三(2)班", None)]


async def test_attendance_of_a_submitted_record_is_locked(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await _start_record(h)
    meeting = await _meeting(h)
    async with h.db.transaction() as tx:
        for a in await meetings.attendees(tx, meeting.id):
            await meetings.set_presence(
                tx, meeting, a.member_id, Presence.PRESENT, actor_id=1, now=h.clock.now()
            )
        await meetings.edit(
            tx, meeting, actor_id=1, today=datetime(2026, 11, 28).date(), now=h.clock.now(),
            chair_name="李红梅", recorder_name="王老师", key_points="要点",
        )  # fmt: skip
    await h.press(SECRETARY, "提交审核")
    await h.callback(SECRETARY, f"mt:tog:{meeting.id}:{meeting.created_by}")
    assert "不能这样修改" in h.answers()[-1]
    assert (await _meeting(h)).status is MeetingStatus.SUBMITTED


async def _branch_since_january(h: Harness) -> None:
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE branches SET created_at = '2026-01-01T00:00:00+00:00'")


async def _tick(h: Harness, when: datetime) -> dict[str, int]:
    h.clock.set(when)
    report = await reminder_engine(h.app).tick()
    await h.deliver()
    return dict(report.by_kind)


async def test_reminders_for_a_period_without_its_meeting(harness: Harness) -> None:
    h = harness
    await _branch_since_january(h)
    await _tick(h, datetime(2026, 11, 20, 8, 0, tzinfo=ZONE))  # the first run notes the time
    # 24 November, 09:00: November ends in a week without a 支委会 or 党小组会 (monthly).
    kinds = await _tick(h, datetime(2026, 11, 24, 9, 5, tzinfo=ZONE))
    assert kinds == {"meeting.period_end": 2}
    sent = [text for text in h.tg.texts(SECRETARY.id) if "还没有召开" in text]
    assert {("支委会" in text, "党小组会" in text) for text in sent} == {
        (True, False),
        (False, True),
    }
    assert all("2026-11-01 至 2026-11-30" in text for text in sent)
    assert not any("还没有召开" in text for text in h.tg.texts(MEMBER.id))
    # A 支委会 recorded since: December's week before its end warns of the rest only.
    h.clock.set(datetime(2026, 12, 20, 10, 0, tzinfo=ZONE))
    await _start_record(h, day="12-20")
    kinds = await _tick(h, datetime(2026, 12, 25, 9, 5, tzinfo=ZONE))
    # The month (党小组会) and the quarter (党员大会, 党课) end on 31 December.
    assert kinds["meeting.period_end"] == 3
    december = [t for t in h.tg.texts(SECRETARY.id) if "2026-12-01 至 2026-12-31" in t]
    assert len(december) == 1 and "党小组会" in december[0]


async def test_safety_reminder_in_the_terms_last_month_and_digest(harness: Harness) -> None:
    h = harness
    await _branch_since_january(h)
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE branches SET created_at = '2026-08-01T00:00:00+00:00'")
    # 王老师 has done both this term; the others have not.
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "记录安全教育课")
    await h.send(MEMBER, "11-20")
    await h.send(MEMBER, "三(2)班")
    await h.press(MEMBER, "交通")
    await h.send(MEMBER, "40")
    await h.send(MEMBER, "跳过")
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "记录参加的演练")
    await h.send(MEMBER, "11-09")
    await h.press(MEMBER, "防踩踏")
    await h.send(MEMBER, "楼梯口引导")
    await _tick(h, datetime(2026, 12, 30, 8, 0, tzinfo=ZONE))
    # January, the autumn term's last month: those missing something are told (the 1st
    # is 元旦, so the nudge waits for the first working day, Monday 4 January).
    kinds = await _tick(h, datetime(2027, 1, 4, 10, 5, tzinfo=ZONE))
    assert kinds.get("safety.missing") == 2
    assert "还缺少：一节主题安全教育课、一次安全演练" in h.last(MEMBER2)
    assert not any("还缺少" in text for text in h.tg.texts(MEMBER.id))
    # The secretary's digest (1 January, for December) has the meetings and safety lines.
    digest = [t for t in h.tg.texts(SECRETARY.id) if "平安校园（本学期）" in t]
    assert digest and "两项都完成 1/3 人" in digest[-1]
    assert "三会一课：上月记录 0 次会议" in digest[-1]
