"""/notify: a secretary's message to the branch, previewed, confirmed, sent through the outbox."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import audit, outbox, reminders
from tests.conftest import MEMBER, MEMBER2, OTHER_MEMBER, OTHER_SECRETARY, SECRETARY, Harness

ZONE = ZoneInfo("Asia/Shanghai")


async def queued(h: Harness) -> list[outbox.OutboxMessage]:
    async with h.db.read() as conn:
        return [m for m in await outbox.list_all(conn) if m.kind == "broadcast"]


async def test_preview_then_send_reaches_every_member_once(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.second_branch()
    asked = await harness.send(SECRETARY, "/notify")
    assert "全体成员" in asked[-1]
    preview = await harness.send(SECRETARY, "周五下午3点 <b>全体</b> 到会议室学习")
    assert "将发给 2 人" in preview[-1]
    # The secretary's text is shown as typed, never as markup.
    assert "&lt;b&gt;全体&lt;/b&gt;" in preview[-1]
    assert harness.buttons(SECRETARY) == ["发送", "取消"]
    assert await queued(harness) == []
    done = await harness.press(SECRETARY, "发送")
    assert "已安排发送给 2 人" in done[-1]
    rows = await queued(harness)
    assert sorted(m.chat_id for m in rows) == sorted([MEMBER.id, MEMBER2.id])
    await harness.deliver()
    for user in (MEMBER, MEMBER2):
        text = harness.last(user)
        assert "第一中学党支部 通知" in text and "周五下午3点" in text and "李红梅" in text
    assert not any("周五下午3点" in t for t in harness.tg.texts(OTHER_MEMBER.id))
    # The preview lost its buttons; an old copy pressed again changes nothing.
    assert harness.buttons(SECRETARY) != ["发送", "取消"]
    await harness.callback(SECRETARY, "ntf:send")
    assert "此按钮已失效" in harness.answers()[-1]
    assert len(await queued(harness)) == 2
    async with harness.db.read() as conn:
        broadcast = await reminders.get_broadcast(conn, 1)
        trail = await audit.for_entity(conn, "broadcast", 1)
    assert broadcast is not None and broadcast.recipients == 2
    assert trail[0].action == "reminders.broadcast"


async def test_cancel_at_the_preview_sends_nothing(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/notify")
    await harness.send(SECRETARY, "明天停电，请注意")
    replies = await harness.press(SECRETARY, "取消")
    assert "已取消" in replies[-1]
    assert await queued(harness) == []
    async with harness.db.read() as conn:
        assert await reminders.get_broadcast(conn, 1) is None


async def test_a_typed_confirmation_sends_and_other_text_replaces(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/notify")
    await harness.send(SECRETARY, "第一稿")
    again = await harness.send(SECRETARY, "第二稿：周五学习")
    assert "第二稿" in again[-1] and "预览" in again[-1]
    await harness.send(SECRETARY, "发送")
    texts = {m.text for m in await queued(harness)}
    assert all("第二稿" in t for t in texts) and len(texts) == 1


async def test_a_too_long_or_non_text_notice_is_asked_again(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/notify")
    long = await harness.send(SECRETARY, "长" * 3001)
    assert "太长" in long[-1]
    photo = await harness.photo(SECRETARY)
    assert "需要输入文字" in photo[-1]
    preview = await harness.send(SECRETARY, "短通知")
    assert "预览" in preview[-1]


async def test_at_night_it_waits_for_the_morning_and_says_so(harness: Harness) -> None:
    await harness.branch_with_people()
    harness.clock.set(datetime(2026, 11, 28, 22, 30, tzinfo=ZONE))
    await harness.send(SECRETARY, "/notify")
    preview = await harness.send(SECRETARY, "明早升旗")
    assert "免打扰时段" in preview[-1] and "08:00" in preview[-1]
    done = await harness.press(SECRETARY, "发送")
    assert "08:00" in done[-1]
    assert await harness.deliver() == 0
    harness.clock.set(datetime(2026, 11, 29, 8, 0, tzinfo=ZONE))
    assert await harness.deliver() == 2


async def test_a_secretary_alone_in_the_branch_is_told_there_is_nobody(
    harness: Harness,
) -> None:
    await harness.second_branch()
    # The second branch has its secretary and one member: remove the member first.
    async with harness.db.transaction() as tx:
        await tx.execute(
            "UPDATE members SET status = 'left' WHERE telegram_id = ?", (OTHER_MEMBER.id,)
        )
    await harness.send(OTHER_SECRETARY, "/notify")
    replies = await harness.send(OTHER_SECRETARY, "有人吗")
    assert "没有其他成员" in replies[-1]
