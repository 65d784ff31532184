"""Flow tests for pledges (岗位承诺): the whole cycle through the fake Bot API, and the
ways it must refuse, recover and speak both languages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import audit
from storage import pledges as store
from storage.pledges import PledgeStatus
from tests.conftest import (
    EN_MEMBER,
    MEMBER,
    MEMBER2,
    OTHER_SECRETARY,
    SECRETARY,
    ZONE,
    Harness,
)
from tests.fakebot import group_chat

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
    assert "已保存为草稿" in said[0]
    draft = await only_pledge(h, MEMBER.id)
    assert draft.status is PledgeStatus.DRAFT and draft.text == TEXT

    await h.send(MEMBER, "1. 每周二、四下午辅导\n2、每月与家长沟通一次")
    said = await h.press(MEMBER, "2026-12-31")
    assert "岗位" in said[-1]
    said = await h.send(MEMBER, "初二数学教师")
    assert "请确认" in said[-1] and "初二数学教师" in said[-1] and "每月与家长沟通一次" in said[-1]
    said = await h.press(MEMBER, "提交审核")
    assert "已提交" in said[-1]
    review = h.last(SECRETARY)
    assert "王老师 提交了岗位承诺" in review and TEXT in review

    # The secretary returns it with a note; the member edits the text and resubmits.
    said = await h.press(SECRETARY, "↩️ 退回修改")
    assert "退回意见" in said[-1]
    said = await h.send(SECRETARY, "请写明辅导哪些学生")
    assert "已退回" in said[-1]
    assert "请写明辅导哪些学生" in h.last(MEMBER)
    said = await h.press(MEMBER, "修改")
    assert "请确认" in said[-1] and "请写明辅导哪些学生" in said[-1]
    said = await h.press(MEMBER, "修改")
    assert "要修改哪一项" in said[-1]
    await h.press(MEMBER, "承诺内容")
    said = await h.send(MEMBER, BETTER)
    assert BETTER in said[-1]
    await h.press(MEMBER, "提交审核")
    assert "已按意见修改" in h.last(SECRETARY)

    # Approve: published to the notice group, member told.
    said = await h.press(SECRETARY, "✅ 通过")
    assert "审核结果：已公示（李书记）" in said[-1]
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
    async with h.db.read() as conn:
        updates = await store.updates(conn, pledge.id)
    assert [u.photo_file_id for u in updates] == [None, "PHOTO_TUTOR"]
    post = h.tg.message(GROUP, pledge.notice_message_id)
    assert post is not None and "践诺记录：2 条" in post["text"]

    # Fulfil, self-assess, evaluate.
    await h.press(MEMBER, "标记已完成")
    said = await h.send(MEMBER, "一学期共辅导 36 次，5 名学生平均提高 12 分。")
    assert "已标记为完成" in said[-1]
    assert "已标记承诺完成" in h.last(SECRETARY)
    await h.press(MEMBER, "填写自评")
    said = await h.send(MEMBER, "基本完成承诺，今后继续坚持辅导。")
    assert "自评已保存" in said[-1]
    said = await h.press(SECRETARY, "评诺")
    assert "基本完成承诺" in said[-1]
    said = await h.press(SECRETARY, "优秀")
    assert "评语" in said[-1]
    said = await h.send(SECRETARY, "坚持得好")
    assert "优秀" in said[-1]
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
    _ = ZONE
