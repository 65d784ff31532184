"""The rough edges issue 10 found by trying the flows as teachers would, one test each."""

from __future__ import annotations

from datetime import date, timedelta

from storage import members, partyday, pledges
from tests.conftest import MEMBER, MEMBER2, SECRETARY, Harness
from tests.test_partyday import announced, at, rule_in_place
from tests.test_pledges import BETTER, make_pledge, only_pledge
from tests.test_visits import log_visit, visit_rows


async def test_a_check_in_counts_as_attending(harness: Harness) -> None:
    h = harness
    await announced(h)
    await h.press(MEMBER, "参加")
    # 张老师 never pressed [参加] but came and checked in.
    h.clock.set(at(12, 8, 13, 50))
    await h.send(MEMBER2, "/checkin")
    assert await h.location(MEMBER2) == ["签到成功（位置），13:50。"]
    roster = (await h.send(SECRETARY, "/roster"))[-1]
    attend = next(line for line in roster.splitlines() if line.startswith("✅ 参加"))
    assert attend.startswith("✅ 参加（2）") and "张老师" in attend and "王老师" in attend
    assert "⚪ 未回复（1）：李红梅" in roster
    async with h.db.read() as conn:
        silent = await partyday.members_without_reply(conn, 1, date(2026, 12, 8))
    assert [m.name for m in silent] == ["李红梅"]


async def test_notify_preview_counts_only_who_can_receive_it(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        await members.set_unreachable(tx, MEMBER2.id, h.clock.now())
    await h.send(SECRETARY, "/notify")
    preview = (await h.send(SECRETARY, "明天停电，请注意"))[0]
    assert "（将发给 1 人）" in preview
    assert (
        "另有 1 人目前收不到机器人的消息（可能已屏蔽或停用）：张老师。请另行通知他们。" in preview
    )
    done = await h.press(SECRETARY, "发送")
    assert done == ["已安排发送给 1 人。"]


async def test_send_now_at_night_says_when_it_will_go_out(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1, 22, 30))
    await rule_in_place(h)
    said = await h.press(SECRETARY, "立即发送通知")
    assert said[-1].startswith("已安排发送 2026年12月8日（星期二） 的党日通知：3 人。")
    assert said[-1].endswith("现在是免打扰时段，通知将于 08:00 发出。")


async def test_viewing_another_teachers_visit_says_it_cannot_be_viewed(harness: Harness) -> None:
    await harness.branch_with_people()
    visit = await log_visit(harness, MEMBER)
    await harness.callback(MEMBER2, f"vis:show:{visit['id']}")
    assert harness.answers()[-1] == "这条家访记录不是您记录的，您无法查看。"


async def test_a_returned_pledge_edit_goes_straight_to_choosing_what(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请写明辅导哪些学生")
    await h.deliver()
    said = await h.press(MEMBER, "修改")  # on the return notice
    assert "要修改哪一项" in said[-1] and "请确认" not in said[-1]
    said = await h.press(MEMBER, "承诺内容")
    said = await h.send(MEMBER, BETTER)
    assert "请确认" in said[-1] and BETTER in said[-1]


async def test_a_short_honest_self_assessment_is_enough(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    pledge = await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "标记已完成")
    await h.send(MEMBER, "一学期共辅导 36 次，5 名学生平均提高 12 分。")
    said = await h.press(MEMBER, "填写自评")
    assert "2–500 字" in said[-1]
    refused = await h.send(MEMBER, "好")
    assert "自评已保存" not in refused[-1]
    said = await h.send(MEMBER, "较好完成了承诺")
    assert "自评已保存" in said[-1]
    assert (await only_pledge(h, MEMBER.id)).self_assessment == "较好完成了承诺"
    assert pledge.id == (await only_pledge(h, MEMBER.id)).id


async def test_class_choice_offers_classes_used_before_and_few_buttons(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await log_visit(h, MEMBER, class_name="三(12)班")
    await h.send(MEMBER, "/visit")
    await h.press(MEMBER, "今天")
    said = await h.send(MEMBER, "李同学")
    assert "哪个班？点按钮选择，或输入班级" in said[-1]
    assert h.buttons(MEMBER)[0] == "三(12)班"
    await h.press(MEMBER, "其他班级")
    await h.press(MEMBER, "三年级")
    shown = h.buttons(MEMBER)
    assert shown[0] == "三(12)班"  # used before, first
    assert len(shown) <= 12 and "三(20)班" not in shown
    assert "其他班级请直接输入，如 三(12)班" in h.tg.messages_in(MEMBER.id)[-1]["text"]
    said = await h.send(MEMBER, "三(15)班")  # typed, as the question says
    assert "上门" in h.buttons(MEMBER)
    await h.press(MEMBER, "上门")
    await h.press(MEMBER, "父母")
    await h.press(MEMBER, "学习")
    await h.press(MEMBER, "✅ 保存")
    assert (await visit_rows(h))[-1]["class_name"] == "三(15)班"


async def test_a_theme_typed_before_the_month_goes_to_the_coming_party_day(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    await h.press(SECRETARY, "设置主题")
    said = await h.send(SECRETARY, "学习贯彻全会精神")
    assert said[0] == (
        "已设置2026年12月的主题：学习贯彻全会精神\n"
        "您没有先选月份，已按即将到来的2026年12月党日保存。如需设置其他月份，请再点“设置主题”。"
    )
    async with h.db.read() as conn:
        day = await partyday.party_day(conn, 1, 2026, 12)
    assert day is not None and day.theme == "学习贯彻全会精神"
    # A typed month still picks the month.
    await h.press(SECRETARY, "设置主题")
    said = await h.send(SECRETARY, "1月")
    assert "请输入2027年1月党日的主题" in said[-1]


async def test_a_photo_right_after_a_progress_step_is_its_evidence(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    pledge = await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "记录践诺")
    said = await h.send(MEMBER, "本周已辅导两次，学生进步明显。")
    assert "共 1 条" in said[-1]
    said = await h.photo(MEMBER, "PHOTO_AFTER")
    assert said == ["照片已加到这条践诺记录中（共 1 条）。"]
    said = await h.photo(MEMBER, "PHOTO_SECOND")
    assert "刚才的践诺记录已经有照片了" in said[-1]
    said = await h.photo(MEMBER, "PHOTO_CAPTIONED", caption="周四辅导现场")
    assert said == ["践诺记录已保存（共 2 条）。"]  # with its own words: a new entry
    async with h.db.read() as conn:
        updates = await pledges.updates(conn, pledge.id)
    assert [(u.text, u.photo_file_id) for u in updates] == [
        ("本周已辅导两次，学生进步明显。", "PHOTO_AFTER"),
        ("周四辅导现场", "PHOTO_CAPTIONED"),
    ]
    # Later than a few minutes, a photo is not taken for anything.
    h.clock.set(h.clock.now() + timedelta(minutes=11))
    said = await h.photo(MEMBER, "PHOTO_LATE")
    assert "没能理解" in said[-1]
