"""An abandoned step times out politely (a check-in's takes its location button away); a
press that started no flow never does."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from handlers.common.flows import FlowConversation, sweep_timeouts
from handlers.common.services import BotConfig
from tests.conftest import ADMIN, MEMBER, ZONE, Harness
from tests.test_partyday import announced, at, rule_in_place


@pytest.fixture
def config() -> BotConfig:
    return BotConfig(
        zone=ZONE,
        admin_ids=frozenset({ADMIN.id}),
        default_language="zh",
        conversation_timeout=timedelta(seconds=1),
    )


async def test_an_abandoned_check_in_removes_the_location_button(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 8, 14))
    await rule_in_place(h)
    await h.send(MEMBER, "/checkin")
    before = len(h.tg.texts(MEMBER.id))
    for _ in range(40):
        await asyncio.sleep(0.1)
        if len(h.tg.texts(MEMBER.id)) >= before + 2:
            break
    said = h.tg.texts(MEMBER.id)[before:]
    assert said[0] == "签到没有完成，已退出。需要时请重新发送 /checkin。", said
    assert "已自动结束" in said[1]
    removed = [m for m in h.tg.sent_messages(MEMBER.id) if m.get("text") == said[0]]
    assert removed[0]["reply_markup"] == {"remove_keyboard": True}


async def test_a_service_record_left_at_the_photo_step_is_kept(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 8, 18))
    await rule_in_place(h)
    await h.send(MEMBER, "/service")
    await h.press(MEMBER, "学习")
    await h.press(MEMBER, "党日 12月8日")
    await h.press(MEMBER, "2 小时")
    await h.send(MEMBER, "集体学习全会精神")
    before = len(h.tg.texts(MEMBER.id))
    for _ in range(40):
        await asyncio.sleep(0.1)
        if len(h.tg.texts(MEMBER.id)) >= before + 2:
            break
    said = h.tg.texts(MEMBER.id)[before:]
    assert said[0] == (
        "照片一直没有发来，已先保存记录 #1（无照片）：\n学习 · 12月8日 · 2 小时 · 党日\n"
        "集体学习全会精神\n\n7 天内可以补照片或修改：/service history"
    ), said
    assert "已自动结束" in said[1]
    async with h.db.read() as conn, conn.execute("SELECT hours FROM service_logs") as cur:
        assert [tuple(row) for row in await cur.fetchall()] == [(2.0,)]


async def test_attending_outside_a_flow_never_times_out(harness: Harness) -> None:
    # [参加] belongs to the leave flow only to end its reason step; pressed on its own it
    # starts no flow, so nothing may "time out" later, and nothing of it is kept meanwhile.
    h = harness
    await announced(h)
    said = await h.press(MEMBER, "参加")
    assert said[0].startswith("已登记：参加")
    kept = [
        handler.timeout_jobs
        for handlers in h.app.handlers.values()
        for handler in handlers
        if isinstance(handler, FlowConversation) and handler.timeout_jobs
    ]
    assert kept == []
    before = len(h.tg.texts(MEMBER.id))
    await asyncio.sleep(1.5)
    assert await sweep_timeouts(h.app) == 0
    assert h.tg.texts(MEMBER.id)[before:] == []


async def test_a_leave_reason_left_unanswered_still_times_out(harness: Harness) -> None:
    h = harness
    await announced(h)
    await h.press(MEMBER, "请假")
    before = len(h.tg.texts(MEMBER.id))
    await asyncio.sleep(1.5)
    await sweep_timeouts(h.app)
    timed_out = "您已 1 分钟未操作，本次操作已自动结束。如需继续，请重新开始。"
    assert h.tg.texts(MEMBER.id)[before:] == [timed_out]
