"""Flow tests for pledges (岗位承诺): the whole cycle through the fake Bot API, and the
ways it must refuse, recover and speak both languages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.common.i18n import Translator
from handlers.pledges import views
from storage import audit, outbox
from storage import pledges as store
from storage.outbox import OutboxStatus
from storage.pledges import PledgeStatus
from tests.conftest import (
    ADMIN,
    EN_MEMBER,
    MEMBER,
    MEMBER2,
    SECRETARY,
    ZONE,
    Harness,
)
from tests.fakebot import FakeTelegram, FakeUser, group_chat

SECOND_SECRETARY = FakeUser(2003, "孙丽")
GROUP = -1001234
CHANNEL = -1005555
TEXT = "本学年每周为学困生义务辅导两次，帮助他们数学成绩提高十分以上。"
BETTER = "本学年每周二、周四为本班 5 名学困生义务辅导，期末数学平均分提高 10 分以上。"


async def pledges_of(h: Harness, telegram_id: int) -> list[store.PledgeRow]:
    async with h.db.read() as conn:
        async with conn.execute(
            "SELECT id FROM members WHERE telegram_id = ? AND status = 'active'", (telegram_id,)
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return await store.for_member(conn, int(row[0]), include_withdrawn=True)


async def only_pledge(h: Harness, telegram_id: int) -> store.PledgeRow:
    found = await pledges_of(h, telegram_id)
    assert len(found) == 1, found
    return found[0]


async def link_group(h: Harness) -> None:
    await h.send(SECRETARY, "/setnotice", chat=group_chat(GROUP, "第一中学党员群"))
    await h.deliver()  # the first line in the group, and the secretary told privately


async def make_pledge(h: Harness, user: Any = MEMBER, text: str = TEXT) -> store.PledgeRow:
    """Member makes and submits a pledge with buttons; returns it as stored."""
    await h.send(user, "/pledge")
    await h.press(user, "2026 年（今年）")
    await h.press(user, "教书育人")
    await h.send(user, text)
    await h.send(user, "1. 每周二、四下午辅导\n2、每月与家长沟通一次")
    await h.press(user, "2026-12-31")
    if "岗位" in h.last(user):
        await h.send(user, "初二数学教师")
    await h.press(user, "提交审核")
    await h.deliver()  # the review request reaches the reviewers through the outbox
    return (await pledges_of(h, user.id))[0]


async def test_whole_cycle(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    assert "公示处" in h.tg.texts(GROUP)[-1]

    said = await h.send(MEMBER, "/pledge")
    assert "哪一年度" in said[-1]
    await h.press(MEMBER, "2026 年（今年）")
    said = await h.press(MEMBER, "教书育人")
    assert "10–500" in said[-1]
    said = await h.send(MEMBER, TEXT)
    assert "已保存为草稿" in said[-1] and "具体措施" in said[-1]
    draft = await only_pledge(h, MEMBER.id)
    assert draft.status is PledgeStatus.DRAFT and draft.text == TEXT

    await h.send(MEMBER, "1. 每周二、四下午辅导\n2、每月与家长沟通一次")
    said = await h.press(MEMBER, "2026-12-31")
    assert "岗位" in said[-1]
    said = await h.send(MEMBER, "初二数学教师")
    assert "请确认" in said[-1] and "初二数学教师" in said[-1] and "每月与家长沟通一次" in said[-1]
    said = await h.press(MEMBER, "提交审核")
    await h.deliver()
    assert "已提交" in said[-1]
    await h.deliver()
    review = h.last(SECRETARY)
    assert "王老师 提交了岗位承诺" in review and TEXT in review

    # The secretary returns it with a note; the member edits the text and resubmits.
    said = await h.press(SECRETARY, "↩️ 退回修改")
    assert "退回意见" in said[-1]
    said = await h.send(SECRETARY, "请写明辅导哪些学生")
    assert "已退回" in said[-1]
    await h.deliver()
    assert "请写明辅导哪些学生" in h.last(MEMBER)
    said = await h.press(MEMBER, "修改")  # straight to choosing what to change
    assert "要修改哪一项" in said[-1] and "请确认" not in said[-1]
    said = await h.send(MEMBER, "/cancel")  # left: told it still needs resubmitting
    assert "您的修改已保存，但还没有重新提交" in said[0] and "草稿" not in said[0]
    await h.send(MEMBER, "/pledges")  # found again through the list after /cancel
    await h.press(MEMBER, "1. 教书育人 · 已退回")
    said = await h.press(MEMBER, "修改")
    assert "要修改哪一项" in said[-1]
    await h.press(MEMBER, "承诺内容")
    said = await h.send(MEMBER, BETTER)
    assert BETTER in said[-1]
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    assert "已按意见修改" in h.last(SECRETARY)

    # Approve: published to the notice group, member told.
    said = await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    assert "审核结果：已公示（李红梅）" in said[-1]
    await h.deliver()  # the post, and the member told
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.status is PledgeStatus.PUBLISHED and pledge.text == BETTER
    assert pledge.notice_chat_id == GROUP and pledge.notice_message_id is not None
    post = h.tg.message(GROUP, pledge.notice_message_id)
    assert post is not None and BETTER in post["text"] and "初二数学教师" in post["text"]
    assert "已通过审核并公示" in h.last(MEMBER)

    # Progress (践诺): text, then a photo with a caption.
    await h.send(MEMBER, "/pledges")
    said = await h.press(MEMBER, "1. 教书育人 · 已公示")
    assert BETTER in said[-1]
    await h.press(MEMBER, "记录践诺")
    said = await h.send(MEMBER, "本周已辅导两次，学生进步明显。")
    assert "共 1 条" in said[-1]
    await h.press(MEMBER, "再记一条")
    said = await h.photo(MEMBER, "PHOTO_TUTOR", caption="周四辅导现场")
    assert "共 2 条" in said[-1]
    await h.deliver()
    async with h.db.read() as conn:
        updates = await store.updates(conn, pledge.id)
    assert [u.photo_file_id for u in updates] == [None, "PHOTO_TUTOR"]
    post = h.tg.message(GROUP, pledge.notice_message_id)
    assert post is not None and "践诺记录：2 条" in post["text"]

    # Fulfil, self-assess, evaluate.
    await h.press(MEMBER, "标记已完成")
    said = await h.send(MEMBER, "一学期共辅导 36 次，5 名学生平均提高 12 分。")
    assert "已标记为完成" in said[-1]
    await h.deliver()
    assert "已标记承诺完成" in h.last(SECRETARY)
    await h.press(MEMBER, "填写自评")
    said = await h.send(MEMBER, "基本完成承诺，今后继续坚持辅导。")
    assert "自评已保存" in said[-1]
    said = await h.press(SECRETARY, "评诺")
    assert "基本完成承诺" in said[-1]
    # What the member did is in front of the secretary who rates it.
    assert "践诺记录：共 2 条" in said[-1] and "本周已辅导两次，学生进步明显。" in said[-1]
    assert "周四辅导现场 📷" in said[-1]
    said = await h.press(SECRETARY, "优秀")
    assert "评语" in said[-1]
    said = await h.send(SECRETARY, "坚持得好")
    assert "优秀" in said[-1]
    await h.deliver()
    assert "已评诺：优秀" in h.last(MEMBER) and "坚持得好" in h.last(MEMBER)
    post = h.tg.message(GROUP, pledge.notice_message_id)
    assert post is not None and "评诺：优秀" in post["text"]

    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.status is PledgeStatus.EVALUATED and pledge.rating == "excellent"
    async with h.db.read() as conn:
        log = await audit.for_entity(conn, "pledge", pledge.id)
    moves = [(e.detail["from"], e.detail["to"]) for e in log if "to" in e.detail]
    assert moves == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "published"),
        ("published", "fulfilled"),
        ("fulfilled", "evaluated"),
    ]
    actors = {e.action: e.actor_id for e in log}
    assert actors["pledge.approved"] == actors["pledge.returned"] != actors["pledge.submitted"]
    assert all(isinstance(e.at, datetime) for e in log)


async def test_typed_answers_work_as_well_as_buttons(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    said = await h.send(MEMBER, "今年")
    assert "请选择类别" in said[-1]
    said = await h.send(MEMBER, "第三个")  # not an option: told, and asked again
    assert "请点击上面的按钮" in said[0] and "请选择类别" in said[-1]
    said = await h.send(MEMBER, "3")
    assert "关爱学生" in said[-1]
    await h.send(MEMBER, TEXT)
    said = await h.send(MEMBER, "跳过")
    assert "目标日期" in said[-1]
    said = await h.send(MEMBER, "12月20日")
    assert "岗位" in said[-1]
    said = await h.send(MEMBER, "  初二   数学教师 ")
    assert "初二 数学教师" in said[-1] and "具体措施：无" in said[-1]
    said = await h.send(MEMBER, "修改")
    assert "要修改哪一项" in said[-1]
    said = await h.send(MEMBER, "目标日期")
    said = await h.send(MEMBER, "2026/12/25")
    assert "2026-12-25" in said[-1]
    said = await h.send(MEMBER, "提交")
    assert "已提交" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.status is PledgeStatus.SUBMITTED
    assert pledge.category == "caring" and pledge.measures == []
    assert str(pledge.target_date) == "2026-12-25" and pledge.owner_post == "初二 数学教师"

    # The secretary evaluates with a typed rating once the target date has come,
    # without the member marking it fulfilled.
    await h.deliver()
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    h.clock.set(datetime(2026, 12, 26, 9, 0, tzinfo=ZONE))
    await h.send(SECRETARY, "/pledges branch")
    said = await h.press(SECRETARY, "1. 王老师 · 已公示")
    assert "评诺" in h.buttons(SECRETARY)
    await h.press(SECRETARY, "评诺")
    said = await h.send(SECRETARY, "良好")
    assert "评语" in said[-1]
    said = await h.press(SECRETARY, "跳过")
    assert "良好" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.status is PledgeStatus.EVALUATED and pledge.rating == "good"
    assert pledge.evaluation_comment is None


async def test_english_speaking_member(harness: Harness) -> None:
    h = harness
    codes = await h.branch_with_people()
    await h.send(EN_MEMBER, f"/start {codes['member_code']}")
    await h.send(EN_MEMBER, "Lin")
    said = await h.send(EN_MEMBER, "/pledge")
    assert "Which year" in said[-1]
    await h.press(EN_MEMBER, "2026 (this year)")
    said = await h.send(EN_MEMBER, "innovation in the post")
    assert "Please write your pledge (10–500 characters)" in said[-1]
    said = await h.send(EN_MEMBER, "Too short")
    assert "you sent 9" in said[0]
    said = await h.send(EN_MEMBER, "I will open a weekly robotics club for grade 8 pupils.")
    assert "Saved as a draft" in said[-1]
    await h.press(EN_MEMBER, "Skip")
    said = await h.send(EN_MEMBER, "2027-01-05")
    assert "outside what 2026 allows (2026-11-28 to 2026-12-31)" in said[0]
    said = await h.send(EN_MEMBER, "12-31")
    assert "What is your post" in said[-1]
    said = await h.send(EN_MEMBER, "Physics teacher")
    assert "Please check your pledge" in said[-1] and "Post: Physics teacher" in said[-1]
    said = await h.press(EN_MEMBER, "Submit")
    assert said[-1].startswith("Submitted.")
    # The secretary reads Chinese. Messages caused by someone else use the language the
    # member chose with /language (the client's language is known only from its own updates).
    await h.deliver()
    assert "Lin 提交了岗位承诺" in h.last(SECRETARY)
    await h.send(EN_MEMBER, "/language")
    await h.press(EN_MEMBER, "English")
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    assert "Your pledge was approved and published" in h.last(EN_MEMBER)
    await h.send(EN_MEMBER, "/pledges")
    said = await h.press(EN_MEMBER, "1. innovation in the post · published")
    assert "Status: 📢 published" in said[-1]
    assert h.buttons(EN_MEMBER) == ["Add progress", "Mark fulfilled", "Self-assessment", "Withdraw"]


async def test_over_long_empty_and_wrong_kind_of_text(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "岗位创新")
    said = await h.send(MEMBER, "长" * 501)
    assert "10–500 字，您输入了 501 字" in said[0] and "请写下您的承诺" in said[-1]
    said = await h.send(MEMBER, "   ")
    assert "您输入了 0 字" in said[0]
    said = await h.photo(MEMBER, "P1")
    assert "这里需要输入文字" in said[0] and "请写下您的承诺" in said[-1]
    assert await pledges_of(h, MEMBER.id) == []
    said = await h.send(MEMBER, "长" * 500)
    assert "已保存为草稿" in said[-1]
    said = await h.send(MEMBER, "\n".join(f"{i}. 第{i}条措施" for i in range(1, 7)))
    assert "最多 5 条，您写了 6 条" in said[0] and "具体措施" in said[-1]
    said = await h.send(MEMBER, "好\n第二条措施")
    assert "每条措施需为 2–200 字" in said[0]
    said = await h.send(MEMBER, "（1）第一条措施\n- 第二条措施")
    assert "目标日期" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.measures == ["第一条措施", "第二条措施"] and len(pledge.text) == 500


async def test_target_date_must_be_within_the_period(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2027 年（明年）")
    await h.press(MEMBER, "服务群众")
    await h.send(MEMBER, TEXT)
    said = await h.press(MEMBER, "跳过")
    assert "2027-01-01 至 2027-12-31" in said[-1]
    said = await h.send(MEMBER, "2026-12-31")
    assert "不在 2027 年度可选的范围内（2027-01-01 至 2027-12-31）" in said[0]
    assert "请选择或输入目标日期" in said[-1]
    said = await h.send(MEMBER, "明年夏天")
    assert "没有看懂这个日期" in said[0]
    said = await h.send(MEMBER, "2027-02-30")
    assert "没有看懂这个日期" in said[0]
    said = await h.callback(MEMBER, "pl:date:2028-01-01")
    assert "不在 2027 年度" in said[0]
    said = await h.send(MEMBER, "2027年6月30日")
    assert "岗位" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.period == "2027" and str(pledge.target_date) == "2027-06-30"


async def test_past_dates_are_refused_too(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "其他")
    await h.send(MEMBER, TEXT)
    await h.press(MEMBER, "跳过")
    said = await h.send(MEMBER, "2026-03-01")
    assert "2026-11-28 至 2026-12-31" in said[0]
    assert (await only_pledge(h, MEMBER.id)).target_date is None


async def test_restart_mid_flow_loses_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.restart()
    said = await h.press(MEMBER, "关爱学生")
    assert "关爱学生" in said[-1]
    await h.restart()
    await h.send(MEMBER, TEXT)
    await h.restart()
    said = await h.send(MEMBER, "每周家访一名留守儿童")
    assert "目标日期" in said[-1]
    await h.restart()
    await h.press(MEMBER, "2026-12-31")
    await h.send(MEMBER, "班主任")
    await h.restart()
    said = await h.press(MEMBER, "提交审核")
    await h.deliver()
    assert "已提交" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.status is PledgeStatus.SUBMITTED and pledge.category == "caring"
    assert pledge.measures == ["每周家访一名留守儿童"]
    # A secretary's return note survives a restart as well.
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.restart()
    said = await h.send(SECRETARY, "请写明家访的频率")
    assert "已退回" in said[-1]
    assert (await only_pledge(h, MEMBER.id)).return_note == "请写明家访的频率"


async def test_cancel_keeps_the_draft_and_pledge_resumes_it(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "教书育人")
    await h.send(MEMBER, TEXT)
    await h.press(MEMBER, "跳过")
    said = await h.send(MEMBER, "/cancel")
    assert any("草稿已保存" in text for text in said) and "已取消" in said[-1]
    said = await h.send(MEMBER, "2026-12-31")
    assert Translator("zh")("fallback.text") in said[-1]  # the flow has ended
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.DRAFT

    said = await h.send(MEMBER, "/pledge")
    assert "您有未完成的承诺" in said[-1] and "【草稿】" in said[-1]
    said = await h.press(MEMBER, "继续第 1 条")
    assert "目标日期" in said[-1]
    await h.press(MEMBER, "2026-12-31")
    said = await h.send(MEMBER, "初二数学教师")
    assert "请确认" in said[-1]
    # [Cancel] at the preview keeps it too; /pledges offers it, and typing "1" continues.
    said = await h.press(MEMBER, "取消")
    assert any("草稿已保存" in text for text in said)
    said = await h.send(MEMBER, "/pledges")
    assert "草稿" in said[-1]
    await h.send(MEMBER, "/pledge")
    said = await h.send(MEMBER, "1")
    assert "请确认" in said[-1]
    said = await h.press(MEMBER, "提交审核")
    await h.deliver()
    assert "已提交" in said[-1]


async def test_start_a_new_one_beside_a_draft_and_the_limit(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    for index in range(3):
        await h.send(MEMBER, "/pledge")
        if index:
            said = await h.press(MEMBER, "新建一条承诺")
        await h.press(MEMBER, "2026 年（今年）")
        await h.press(MEMBER, "教书育人")
        await h.send(MEMBER, f"{TEXT}（第{index + 1}条）")
        await h.send(MEMBER, "/cancel")
    assert len(await pledges_of(h, MEMBER.id)) == 3
    await h.send(MEMBER, "/pledge")
    await h.send(MEMBER, "新建")
    said = await h.press(MEMBER, "2026 年（今年）")
    assert "已有 3 条未完成的承诺（上限 3 条）" in said[-1]
    # Next year is a separate period with its own limit.
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "新建一条承诺")
    said = await h.press(MEMBER, "2027 年（明年）")
    assert "请选择类别" in said[-1]
    # Withdrawing a draft frees a place.
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "3. 教书育人 · 草稿")
    said = await h.press(MEMBER, "放弃草稿")
    assert "确定撤回" in said[-1]
    said = await h.press(MEMBER, "确定撤回")
    assert "已撤回" in said[-1]
    async with h.db.read() as conn:
        member = (await pledges_of(h, MEMBER.id))[0].member_id
        assert await store.open_count(conn, member, "2026") == 2


async def test_double_presses_change_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    review_message = h.tg.messages_in(SECRETARY.id)[-1]["message_id"]
    pledge = await only_pledge(h, MEMBER.id)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    said = await h.callback(SECRETARY, f"pl:ok:{pledge.id}", review_message)
    assert "已经处理过了（当前：已公示）" in h.answers()[-1]
    await h.callback(SECRETARY, f"pl:ret:{pledge.id}", review_message)
    assert "已经处理过了" in h.answers()[-1]
    assert said == []
    async with h.db.read() as conn:
        log = await audit.for_entity(conn, "pledge", pledge.id)
    assert [e.action for e in log].count("pledge.approved") == 1
    # The member's submit button pressed again after approval.
    await h.callback(MEMBER, f"pl:sub:{pledge.id}")
    assert "当前为“已公示”" in h.answers()[-1]

    # Withdraw confirmed twice.
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "撤回承诺")
    await h.press(MEMBER, "确定撤回")
    await h.callback(MEMBER, f"pl:wdok:{pledge.id}")
    assert "当前为“已撤回”" in h.answers()[-1]
    async with h.db.read() as conn:
        log = await audit.for_entity(conn, "pledge", pledge.id)
    assert [e.action for e in log].count("pledge.withdrawn") == 1


async def test_two_secretaries_review_once(harness: Harness) -> None:
    """Both secretaries get the request; the second to press is told it is done."""
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/branches")
    await h.press(ADMIN, "书记邀请：第一中学党支部")
    await h.send(SECOND_SECRETARY, f"/start {h.invite_code(ADMIN)}")
    await h.send(SECOND_SECRETARY, "孙丽")
    await make_pledge(h)
    assert "王老师 提交了岗位承诺" in h.last(SECOND_SECRETARY)
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请补充具体措施")
    await h.press(SECOND_SECRETARY, "✅ 通过")
    await h.deliver()
    assert "已经处理过了（当前：已退回）" in h.answers()[-1]
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.RETURNED


async def test_rating_twice_and_evaluating_too_early(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    pledge = await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    await h.callback(SECRETARY, f"pl:ev:{pledge.id}")
    assert "目标日期（2026-12-31）还没到" in h.answers()[-1]
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "标记已完成")
    said = await h.send(MEMBER, "完成")
    assert "10–500 字，您输入了 2 字" in said[0]
    await h.send(MEMBER, "一学期共辅导 36 次，学生平均提高 12 分。")
    await h.deliver()
    await h.press(SECRETARY, "评诺")
    rating_message = h.tg.messages_in(SECRETARY.id)[-1]["message_id"]
    await h.press(SECRETARY, "一般")
    await h.send(SECRETARY, "/cancel")  # nothing saved without the last step
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.FULFILLED
    await h.callback(SECRETARY, f"pl:ev:{pledge.id}")
    await h.press(SECRETARY, "优秀")
    await h.press(SECRETARY, "跳过")
    await h.callback(SECRETARY, f"pl:rate:{pledge.id}:poor", rating_message)
    assert "已经处理过了（当前：已评诺）" in h.answers()[-1]
    await h.callback(SECRETARY, f"pl:ev:{pledge.id}")
    assert "已经处理过了（当前：已评诺）" in h.answers()[-1]
    done = await only_pledge(h, MEMBER.id)
    assert done.rating == "excellent"


async def test_no_notice_chat_tells_the_secretary_once(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    assert "还没有设置公示群" in h.last(SECRETARY)
    await make_pledge(h, MEMBER2, BETTER)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    told = [t for t in h.tg.texts(SECRETARY.id) if "还没有设置公示群" in t]
    assert len(told) == 1
    # Both are on the board; nobody is missing but the secretary.
    said = await h.send(SECRETARY, "/pledges branch")
    assert "📢 已公示 2" in said[-1] and "尚未作出承诺（1 人）：李红梅" in said[-1]
    # Linking a group later: told how many wait, and each can be posted from its screen.
    await link_group(h)
    assert "另有 2 条已通过的承诺尚未公示" in h.last(SECRETARY)
    await h.press(SECRETARY, "2. 王老师 · 已公示")  # the board lists by name
    await h.press(SECRETARY, "发布到公示群")
    assert "正在发布到公示群" in h.answers()[-1]
    waiting = await only_pledge(h, MEMBER.id)
    await h.callback(SECRETARY, f"pl:post:{waiting.id}")  # queued already: not twice
    assert "已在公示群中" in h.answers()[-1]
    await h.deliver()
    posted = await only_pledge(h, MEMBER.id)
    assert posted.notice_chat_id == GROUP and posted.notice_message_id is not None
    await h.callback(SECRETARY, f"pl:post:{posted.id}")
    assert "已在公示群中" in h.answers()[-1]


async def test_notice_chat_where_the_bot_cannot_post(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()

    async def notice_chat() -> int | None:
        query = "SELECT notice_chat_id FROM branches LIMIT 1"
        async with h.db.read() as conn, conn.execute(query) as cur:
            row = await cur.fetchone()
        assert row is not None
        return row[0]

    # A channel where the bot is only a member: it may not post.
    h.tg.set_bot_member_status(CHANNEL, "member")
    said = await h.send(SECRETARY, "/setnotice")
    assert "转发任意一条消息" in said[-1]
    said = await h.process(SECRETARY, h.updates.forwarded_from_chat(SECRETARY, CHANNEL))
    assert "无法把「先锋测试频道」设为公示群" in said[-1] and "发布消息" in said[-1]
    # An administrator without the right to post: the same.
    h.tg.set_bot_member_status(CHANNEL, "administrator", can_post_messages=False)
    await h.send(SECRETARY, "/setnotice")
    said = await h.process(SECRETARY, h.updates.forwarded_from_chat(SECRETARY, CHANNEL))
    assert "发布消息" in said[-1]
    # A group the bot has left.
    h.tg.set_bot_member_status(GROUP, "left")
    await h.send(SECRETARY, "/setnotice", chat=group_chat(GROUP))
    await h.deliver()  # told privately: the bot may not speak in the group
    assert "我不在这个群或频道里" in h.last(SECRETARY)
    assert h.tg.texts(GROUP) == []
    assert await notice_chat() is None
    # A message forwarded from a person says nothing about the chat.
    await h.send(SECRETARY, "/setnotice")
    update = h.updates.update(
        message={
            "message_id": 77,
            "date": 0,
            "chat": SECRETARY.private_chat(),
            "from": SECRETARY.to_dict(),
            "text": "转发",
            "forward_origin": {"type": "user", "date": 0, "sender_user": MEMBER.to_dict()},
        }
    )
    said = await h.process(SECRETARY, update)
    assert "转发自个人" in said[-1]
    said = await h.send(SECRETARY, "好的")
    assert "转发任意一条消息" in said[-1]

    # Now with the right: linked by forwarding.
    h.tg.set_bot_member_status(CHANNEL, "administrator", can_post_messages=True)
    said = await h.process(SECRETARY, h.updates.forwarded_from_chat(SECRETARY, CHANNEL))
    assert "已将「先锋测试频道」设为 第一中学党支部 的公示群" in said[-1]
    assert await notice_chat() == CHANNEL
    await h.deliver()
    assert "公示处" in h.tg.texts(CHANNEL)[-1]

    # The bot is later removed: approval still publishes; the secretary hears why not posted.
    await make_pledge(h)
    h.tg.fail_next(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot is not a member of the channel chat",
        chat_id=CHANNEL,
    )
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    assert "未能发布到公示群：我已不在公示群中" in h.last(SECRETARY)
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.status is PledgeStatus.PUBLISHED and pledge.notice_message_id is None
    # Fixed: posted from the pledge's screen.
    await h.press(SECRETARY, "查看承诺")
    await h.press(SECRETARY, "发布到公示群")
    await h.deliver()
    assert (await only_pledge(h, MEMBER.id)).notice_message_id is not None

    # Unlinking.
    said = await h.send(SECRETARY, "/setnotice off")
    assert "已取消本支部的公示群" in said[-1]
    assert await notice_chat() is None


async def test_notice_post_edits_survive_telegram_errors(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    pledge = await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    pledge = await only_pledge(h, MEMBER.id)
    # An edit that changes nothing is fine ...
    h.tg.fail_next(
        "editMessageText",
        error_code=400,
        description="Bad Request: message is not modified: specified new message content "
        "and reply markup are exactly the same",
    )
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "记录践诺")
    said = await h.send(MEMBER, "辅导了两次")
    assert "共 1 条" in said[-1]
    await h.deliver()  # the edit goes through the outbox
    assert (await only_pledge(h, MEMBER.id)).notice_message_id == pledge.notice_message_id
    async with h.db.read() as conn:
        edits = [r for r in await outbox.list_all(conn) if r.kind == "pledge.notice.edit"]
    assert [r.status for r in edits] == [OutboxStatus.SENT]
    # ... and a post deleted by a chat admin is forgotten, so it can be posted again.
    h.tg.fail_next(
        "editMessageText", error_code=400, description="Bad Request: message to edit not found"
    )
    await h.press(MEMBER, "再记一条")
    said = await h.send(MEMBER, "又辅导了两次")
    assert "共 2 条" in said[-1]
    await h.deliver()
    assert (await only_pledge(h, MEMBER.id)).notice_message_id is None
    async with h.db.read() as conn:
        log = await audit.for_entity(conn, "pledge", pledge.id)
        edits = [r for r in await outbox.list_all(conn) if r.kind == "pledge.notice.edit"]
    assert "pledge.notice_lost" in [e.action for e in log]
    # A forgotten post is not edited again.
    await h.press(MEMBER, "再记一条")
    await h.send(MEMBER, "第三次辅导")
    async with h.db.read() as conn:
        after = [r for r in await outbox.list_all(conn) if r.kind == "pledge.notice.edit"]
    assert len(after) == len(edits) == 2


async def test_withdrawing_a_published_pledge_updates_the_notice(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    pledge = await only_pledge(h, MEMBER.id)
    await h.send(MEMBER, "/pledges")
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "撤回承诺")
    await h.press(MEMBER, "不撤回")
    assert h.answers()[-1] == "已保留。"
    assert "确定撤回" not in h.buttons(MEMBER)  # the question's buttons are gone
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.PUBLISHED
    await h.press(MEMBER, "撤回承诺")
    await h.press(MEMBER, "确定撤回")
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.WITHDRAWN
    await h.deliver()
    assert pledge.notice_message_id is not None
    post = h.tg.message(GROUP, pledge.notice_message_id)
    assert post is not None and "本承诺已撤回" in post["text"]
    # Withdrawn pledges leave the member's list but stay on record and on the board count.
    said = await h.send(MEMBER, "/pledges")
    assert "还没有岗位承诺" in said[-1]
    said = await h.send(SECRETARY, "/pledges branch")
    assert "另有已撤回 1 条" in said[-1]


async def test_progress_photo_without_caption_asks_for_words(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    await h.press(MEMBER, "查看承诺")
    await h.press(MEMBER, "记录践诺")
    said = await h.send(MEMBER, "/pledges")  # another command leaves the step
    assert "已退出" in said[0]
    await h.press(MEMBER, "1. 教书育人 · 已公示")
    await h.press(MEMBER, "记录践诺")
    said = await h.photo(MEMBER, "PHOTO_NO_CAPTION")
    assert "照片已收到" in said[-1]
    await h.restart()
    said = await h.send(MEMBER, "家长会上介绍了辅导安排")
    assert "共 1 条" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    async with h.db.read() as conn:
        updates = await store.updates(conn, pledge.id)
    assert [(u.text, u.photo_file_id) for u in updates] == [
        ("家长会上介绍了辅导安排", "PHOTO_NO_CAPTION")
    ]


async def test_secretary_board_counts_lists_and_who_has_none(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.send(MEMBER2, "/pledge")
    await h.press(MEMBER2, "2026 年（今年）")
    await h.press(MEMBER2, "其他")
    await h.send(MEMBER2, BETTER)
    await h.send(MEMBER2, "/cancel")
    said = await h.send(SECRETARY, "/pledges branch")
    board = said[-1]
    assert "⏳ 待审核 1" in board and "📝 草稿 1" in board
    assert "尚未作出承诺（2 人）：张老师、李红梅" in board  # a draft is not a pledge yet
    assert h.buttons(SECRETARY) == [
        "1. 王老师 · 待审核",
        "2. 张老师 · 草稿",
        "🕓 谁还没作出承诺",
        "开启按学期承诺",
    ]
    said = await h.press(SECRETARY, "1. 王老师 · 待审核")
    assert h.buttons(SECRETARY) == ["✅ 通过", "↩️ 退回修改"]
    said = await h.press(SECRETARY, "2. 张老师 · 草稿")
    assert "状态：📝 草稿" in said[-1]
    said = await h.send(SECRETARY, "/pledges branch 2027")
    assert "本年度还没有承诺" in said[-1] and "尚未作出承诺（3 人）" in said[-1]
    said = await h.send(SECRETARY, "/pledges branch 明年")
    assert "年份格式不对" in said[-1]
    said = await h.send(SECRETARY, "/pledges branch 2026-09-01..2027-01-31")
    assert "年份格式不对" in said[-1]
    said = await h.send(SECRETARY, "/pledges")
    assert "/pledges branch" in said[-1]


async def test_a_secretarys_own_pledge_is_reviewed_by_someone_else(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    pledge = await make_pledge(h, SECRETARY)
    assert "李红梅 提交了岗位承诺" in h.last(ADMIN)
    await h.callback(SECRETARY, f"pl:ok:{pledge.id}")
    assert "没有权限" in h.answers()[-1]
    assert (await only_pledge(h, SECRETARY.id)).status is PledgeStatus.SUBMITTED
    said = await h.press(ADMIN, "✅ 通过")
    await h.deliver()
    assert "审核结果：已公示（局办）" in said[-1]
    # The secretary hears, once, that the branch has no notice chat.
    assert sum("还没有设置公示群" in text for text in h.tg.texts(SECRETARY.id)) == 1
    await h.send(SECRETARY, "/pledges")
    await h.press(SECRETARY, "1. 教书育人 · 已公示")
    assert "评诺" not in h.buttons(SECRETARY)


async def test_the_post_can_be_changed_from_the_edit_menu(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "教书育人")
    await h.send(MEMBER, TEXT)
    await h.press(MEMBER, "跳过")
    await h.press(MEMBER, "2026-12-31")
    said = await h.send(MEMBER, "师")
    assert "岗位需为 2–30 字" in said[0]
    await h.send(MEMBER, "初二数学教师")
    await h.press(MEMBER, "修改")
    said = await h.press(MEMBER, "我的岗位")
    assert "岗位" in said[-1]
    said = await h.send(MEMBER, "初三数学教师、备课组长")
    assert "岗位：初三数学教师、备课组长" in said[-1]
    # Asked once: the next pledge goes from the date straight to the preview.
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2027 年（明年）")
    await h.press(MEMBER, "其他")
    await h.send(MEMBER, BETTER)
    await h.press(MEMBER, "跳过")
    said = await h.send(MEMBER, "2027-06-30")
    assert "请确认" in said[-1] and "初三数学教师、备课组长" in said[-1]


async def test_the_reminder_nudge_button_starts_a_pledge(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    text, markup = views.render_no_pledge_nudge(Translator("zh"), name="王老师", period="2026")
    await h.app.bot.send_message(MEMBER.id, text, reply_markup=markup)
    said = await h.press(MEMBER, "作出承诺")
    assert "哪一年度" in said[-1]
    said = await h.send(MEMBER, "2026")
    assert "请选择类别" in said[-1]


async def test_typed_skip_words_mean_what_the_skip_button_means(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.measures == ["每周二、四下午辅导", "每月与家长沟通一次"]
    # Returned: editing the measures, typing 跳过 keeps them, 无 clears them.
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请再具体一些")
    await h.deliver()
    await h.press(MEMBER, "修改")
    said = await h.press(MEMBER, "具体措施")
    assert "点击“跳过”保持不变" in said[-1]
    said = await h.send(MEMBER, "跳过")
    assert "请确认" in said[-1] and "每月与家长沟通一次" in said[-1]
    assert (await only_pledge(h, MEMBER.id)).measures == pledge.measures
    await h.send(MEMBER, "修改")
    await h.send(MEMBER, "3")
    said = await h.send(MEMBER, "无")
    assert "具体措施：无" in said[-1]
    assert (await only_pledge(h, MEMBER.id)).measures == []
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    # The secretary types 跳过 where the comment is optional: no comment is saved.
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    h.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=ZONE))
    await h.callback(SECRETARY, f"pl:ev:{pledge.id}")
    await h.send(SECRETARY, "良好")
    said = await h.send(SECRETARY, "跳过")
    assert "已完成对 王老师 的评诺：良好" in said[-1]
    await h.deliver()
    assert (await only_pledge(h, MEMBER.id)).evaluation_comment is None
    assert "评语" not in h.last(MEMBER)


async def test_a_photo_whose_caption_is_refused_is_kept_for_the_words_typed_next(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    await h.press(MEMBER, "查看承诺")
    await h.press(MEMBER, "记录践诺")
    said = await h.photo(MEMBER, "PHOTO_SHORT", caption="好")
    assert "您输入了 1 字" in said[0] and "请用一两句话说明这张照片" in said[-1]
    said = await h.send(MEMBER, "周四辅导现场")
    assert "共 1 条" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    async with h.db.read() as conn:
        updates = await store.updates(conn, pledge.id)
    assert [(u.text, u.photo_file_id) for u in updates] == [("周四辅导现场", "PHOTO_SHORT")]
    # Text alone that is too short: told, and the question asked again.
    await h.press(MEMBER, "再记一条")
    said = await h.send(MEMBER, "好")
    assert "您输入了 1 字" in said[0] and "请记录践诺进展" in said[-1]


async def test_returning_turns_the_review_request_into_a_record(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    request = h.tg.messages_in(SECRETARY.id)[-1]["message_id"]
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请写明辅导哪些学生")
    record = h.tg.message(SECRETARY.id, request)
    assert record is not None
    assert "审核结果：已退回（李红梅）" in record["text"]
    assert FakeTelegram.buttons(record) == []  # no [Approve] left to press by mistake


async def test_in_the_new_year_the_board_points_to_last_years_unevaluated_pledges(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    h.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=ZONE))
    said = await h.send(SECRETARY, "/pledges branch")
    assert "2027 年度岗位承诺" in said[-1]
    assert "2026 年度还有 1 条承诺未完成评诺，请发送 /pledges branch 2026 查看" in said[-1]
    said = await h.send(SECRETARY, "/pledges branch 2026")
    assert "未完成评诺" not in said[-1]
    await h.press(SECRETARY, "1. 王老师 · 已公示")
    await h.press(SECRETARY, "评诺")
    await h.press(SECRETARY, "良好")
    await h.press(SECRETARY, "跳过")
    said = await h.send(SECRETARY, "/pledges branch")
    assert "未完成评诺" not in said[-1]


async def test_my_list_shows_the_latest_progress_and_the_latest_change(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    await h.press(MEMBER, "查看承诺")
    await h.press(MEMBER, "记录践诺")
    await h.send(MEMBER, "本周已辅导两次，学生进步明显。")
    said = await h.send(MEMBER, "/pledges")
    assert "已公示（更新于 2026-11-28）" in said[-1]
    assert "最近践诺 11-28：本周已辅导两次，学生进步明显。" in said[-1]
    # Evaluated in January: the list and the pledge show that date, not the progress's.
    h.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=ZONE))
    pledge = await only_pledge(h, MEMBER.id)
    await h.callback(SECRETARY, f"pl:ev:{pledge.id}")
    await h.press(SECRETARY, "良好")
    await h.press(SECRETARY, "跳过")
    said = await h.send(MEMBER, "/pledges")
    assert "已评诺（更新于 2027-01-04）" in said[-1]
    said = await h.press(MEMBER, "1. 教书育人 · 已评诺")
    assert "最近更新：2027-01-04 09:00" in said[-1]


async def test_setnotice_retry_by_forwarding_again_and_off_inside_the_group(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    h.tg.register_chat(CHANNEL, "channel", title="先锋测试频道")
    h.tg.register_chat(GROUP, "supergroup", title="第一中学党员群")
    h.tg.set_bot_member_status(CHANNEL, "member")
    await h.send(SECRETARY, "/setnotice")
    said = await h.process(SECRETARY, h.updates.forwarded_from_chat(SECRETARY, CHANNEL))
    assert "发布消息" in said[-1] and "再从那里转发一条消息给我即可" in said[-1]
    # The right is given in the channel; one more forward is enough.
    h.tg.set_bot_member_status(CHANNEL, "administrator", can_post_messages=True)
    said = await h.process(SECRETARY, h.updates.forwarded_from_chat(SECRETARY, CHANNEL))
    assert "已将「先锋测试频道」设为 第一中学党支部 的公示群" in said[-1]
    said = await h.send(SECRETARY, "/setnotice")
    assert "当前公示群：「先锋测试频道」" in said[-1]
    await h.send(SECRETARY, "/cancel")
    # Linking a group, then "/setnotice off" sent in that group unlinks it.
    await link_group(h)
    said = await h.send(SECRETARY, "/setnotice")
    assert "当前公示群：「第一中学党员群」" in said[-1]
    await h.send(SECRETARY, "/cancel")
    before = len(h.tg.texts(GROUP))
    await h.send(SECRETARY, "/setnotice off", chat=group_chat(GROUP, "第一中学党员群"))
    await h.deliver()
    assert "已取消本支部的公示群" in h.last(SECRETARY)
    assert len(h.tg.texts(GROUP)) == before  # nothing "linked" posted in the group
    said = await h.send(SECRETARY, "/setnotice")
    assert "还没有设置公示群" in said[-1]


async def test_a_target_date_that_passed_while_returned_is_asked_again(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "教书育人")
    await h.send(MEMBER, TEXT)
    await h.press(MEMBER, "跳过")
    await h.send(MEMBER, "12月5日")
    await h.send(MEMBER, "初二数学教师")
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请写明辅导哪些学生")
    await h.deliver()
    h.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=ZONE))
    pledge = await only_pledge(h, MEMBER.id)
    # [Resubmit] on the pledge's screen: refused, nothing sent for review.
    await h.callback(MEMBER, f"pl:sub:{pledge.id}")
    assert "目标日期 2026-12-05 已经过了" in h.answers()[-1]
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.RETURNED
    # [Edit]: the date is asked again before the preview.
    said = await h.press(MEMBER, "修改")
    assert "原定的目标日期 2026-12-05 已经过了" in said[0]
    assert "2026-12-10 至 2026-12-31" in said[-1]
    said = await h.press(MEMBER, "2026-12-31")
    assert "请确认" in said[-1] and "2026-12-31" in said[-1]
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.SUBMITTED
    # Returned again and left until the year is over: it can no longer be completed.
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请补充措施")
    h.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=ZONE))
    await h.send(MEMBER, "/pledge")
    said = await h.send(MEMBER, "1")
    assert "2026 年度已经结束，这条承诺无法再提交" in said[-1]
    await h.callback(MEMBER, f"pl:sub:{pledge.id}")
    assert "2026 年度已经结束" in h.answers()[-1]
    assert (await only_pledge(h, MEMBER.id)).status is PledgeStatus.RETURNED


async def test_typed_html_is_shown_as_typed_everywhere(harness: Harness) -> None:
    """What people type reaches every screen and the notice chat as they typed it."""
    h = harness

    def seen(chat_id: int) -> str:  # the newest message as Telegram shows it (HTML parsed)
        return str(h.tg.messages_in(chat_id)[-1]["text"])

    await h.branch_with_people()
    await link_group(h)
    text = "每周辅导 <b>两次</b> & 家访 <a href='x'>一次</a>，成绩提高 >10 分"
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "教书育人")
    await h.send(MEMBER, text)
    await h.send(MEMBER, "<i>每周二</i>\n家长 & 学生")
    await h.press(MEMBER, "2026-12-31")
    await h.send(MEMBER, "<数学>教师")
    preview = seen(MEMBER.id)
    assert text in preview and "<i>每周二</i>" in preview and "<数学>教师" in preview
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    assert text in seen(SECRETARY.id)
    await h.press(SECRETARY, "↩️ 退回修改")
    await h.send(SECRETARY, "请把 <b> 去掉 & 重写")
    await h.deliver()
    assert "请把 <b> 去掉 & 重写" in seen(MEMBER.id)
    await h.callback(MEMBER, f"pl:sub:{(await only_pledge(h, MEMBER.id)).id}")
    await h.deliver()
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.notice_message_id is not None
    post = h.tg.message(GROUP, pledge.notice_message_id)
    assert post is not None and text in post["text"] and "家长 & 学生" in post["text"]
    await h.send(SECRETARY, "/pledges branch")
    assert "每周辅导 <b>两次</b> &" in seen(SECRETARY.id)
    await h.send(MEMBER, "/pledges")
    assert "每周辅导 <b>两次</b> &" in seen(MEMBER.id)


async def test_a_branch_may_also_run_term_pledges(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    # Off by default: the year only (and the next year, from October).
    await h.send(MEMBER, "/pledge")
    assert h.buttons(MEMBER) == ["2026 年（今年）", "2027 年（明年）", "取消"]
    await h.send(MEMBER, "/cancel")
    # The secretary switches it on from the board.
    await h.send(SECRETARY, "/pledges branch")
    await h.press(SECRETARY, "开启按学期承诺")
    assert "党员作出承诺时可选择本学期" in h.answers()[-1]
    assert h.buttons(SECRETARY) == ["🕓 谁还没作出承诺", "关闭按学期承诺"]
    said = await h.send(SECRETARY, "/pledges branch")
    assert "本支部也按学期作出承诺" in said[-1]

    said = await h.send(MEMBER, "/pledge")
    assert "全年的，还是本学期的" in said[-1]
    assert h.buttons(MEMBER) == [
        "2026 年（今年）",
        "2027 年（明年）",
        "2026 年秋季学期（本学期）",
        "取消",
    ]
    said = await h.send(MEMBER, "本学期")
    assert "2026 年秋季学期岗位承诺。请选择类别" in said[-1]
    await h.press(MEMBER, "关爱学生")
    await h.send(MEMBER, TEXT)
    said = await h.press(MEMBER, "跳过")
    assert "2026-11-28 至 2027-01-31" in said[-1]
    said = await h.send(MEMBER, "2027-02-10")
    assert "不在 2026 年秋季学期可选的范围内（2026-11-28 至 2027-01-31）" in said[0]
    await h.send(MEMBER, "1月15日")  # the January this term ends in
    said = await h.send(MEMBER, "初二数学教师")
    assert "</b>（2026 年秋季学期）" in said[-1] and "目标日期：2027-01-15" in said[-1]
    await h.press(MEMBER, "提交审核")
    await h.deliver()
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.period == "2026-09-01..2027-01-31" and str(pledge.target_date) == "2027-01-15"

    # On the year's board, with its term named; the member has made a pledge.
    said = await h.send(SECRETARY, "/pledges branch")
    assert "王老师 · 关爱学生 · 2026 年秋季学期" in said[-1]
    assert "尚未作出承诺（2 人）：张老师、李红梅" in said[-1]
    await h.press(SECRETARY, "1. 王老师 · 待审核")
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    post = h.tg.message(GROUP, (await only_pledge(h, MEMBER.id)).notice_message_id or 0)
    assert post is not None and "岗位承诺（2026 年秋季学期）" in post["text"]
    said = await h.send(MEMBER, "/pledges")
    assert "2026 年秋季学期 · 关爱学生 · 已公示" in said[-1]

    # Switched off again: new pledges are for the year; the term pledge stays.
    await h.send(SECRETARY, "/pledges branch")
    await h.press(SECRETARY, "关闭按学期承诺")
    assert "新的承诺只按年度作出" in h.answers()[-1]
    await h.send(MEMBER, "/pledge")
    assert h.buttons(MEMBER) == ["2026 年（今年）", "2027 年（明年）", "取消"]
    async with h.db.read() as conn:
        log = await audit.for_entity(conn, "branch", pledge.branch_id)
    switches = [
        (e.detail["from"], e.detail["to"]) for e in log if e.action == "branch.pledge_terms_set"
    ]
    assert switches == [(False, True), (True, False)]


async def test_pledges_read_dates_and_skip_words_as_every_feature_does(harness: Harness) -> None:
    """Unified with visits and party day (issue 9): 今天, 12月3号 and full-width dates are
    target dates now; 不用 skips the measures and 不需要 the evaluation comment."""
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.send(MEMBER, "今年")
    await h.send(MEMBER, "3")
    await h.send(MEMBER, TEXT)
    said = await h.send(MEMBER, "不用")
    assert "目标日期" in said[-1]
    said = await h.send(MEMBER, "今天")
    assert "岗位" in said[-1]
    pledge = await only_pledge(h, MEMBER.id)
    assert str(pledge.target_date) == "2026-11-28" and pledge.measures == []
    await h.send(MEMBER, "初二 数学教师")
    for typed, stored in (("12月3号", "2026-12-03"), ("２０２６－１２－０５", "2026-12-05")):
        await h.send(MEMBER, "修改")
        await h.send(MEMBER, "目标日期")
        said = await h.send(MEMBER, typed)
        assert stored in said[-1], (typed, said)
        assert str((await only_pledge(h, MEMBER.id)).target_date) == stored
    await h.send(MEMBER, "提交")
    await h.deliver()  # the review request reaches the secretary through the outbox
    await h.press(SECRETARY, "✅ 通过")
    h.clock.set(datetime(2026, 12, 6, 9, 0, tzinfo=ZONE))
    await h.callback(SECRETARY, f"pl:ev:{pledge.id}")
    await h.send(SECRETARY, "良好")
    said = await h.send(SECRETARY, "不需要")
    assert "已完成对 王老师 的评诺：良好" in said[-1]
    assert (await only_pledge(h, MEMBER.id)).evaluation_comment is None
