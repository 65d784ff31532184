"""An abandoned pledge flow times out politely and keeps the draft (1-second timeout)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from handlers.common.i18n import Translator
from handlers.common.services import BotConfig
from storage import flowstate
from storage.pledges import PledgeStatus
from tests.conftest import ADMIN, MEMBER, ZONE, Harness
from tests.test_pledges import TEXT, only_pledge


@pytest.fixture
def config() -> BotConfig:
    return BotConfig(
        zone=ZONE,
        admin_ids=frozenset({ADMIN.id}),
        default_language="zh",
        conversation_timeout=timedelta(seconds=1),
    )


async def test_timeout_ends_politely_and_keeps_the_draft(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "教书育人")
    await h.send(MEMBER, TEXT)
    before = len(h.tg.texts(MEMBER.id))
    for _ in range(40):
        await asyncio.sleep(0.1)
        if len(h.tg.texts(MEMBER.id)) >= before + 2:
            break
    said = h.tg.texts(MEMBER.id)[before:]
    assert any("草稿已保存" in text for text in said), said
    assert any("已自动结束" in text for text in said), said
    # Written at once, not with the member's next update: a crash now resumes nothing.
    # (The sweep writes it just after the messages go: allow it a moment, no more.)
    for _ in range(20):
        async with h.db.read() as conn:
            states = await flowstate.load_states(conn, "pledge")
            users = await flowstate.load_user_data(conn)
        if states == [] and MEMBER.id not in users:
            break
        await asyncio.sleep(0.1)
    assert states == []
    assert MEMBER.id not in users
    draft = await only_pledge(h, MEMBER.id)
    assert draft.status is PledgeStatus.DRAFT and draft.text == TEXT
    # Resuming from /pledge picks it up where it can.
    said = await h.send(MEMBER, "/pledge")
    assert "您有未完成的承诺" in said[-1]
    said = await h.press(MEMBER, "继续第 1 条")
    assert "目标日期" in said[-1]


async def test_a_timed_out_flow_is_not_resumed_after_a_restart(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/pledge")
    await h.press(MEMBER, "2026 年（今年）")
    await h.press(MEMBER, "教书育人")
    await h.restart()  # the timeout (in memory) is lost with the process
    h.clock.advance(timedelta(minutes=5))
    await h.restart()  # ... and the stored state is too old to load
    said = await h.send(MEMBER, TEXT)
    assert Translator("zh")("fallback.text") in said[-1]
