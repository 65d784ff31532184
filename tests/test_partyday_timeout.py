"""An abandoned check-in step times out politely and takes its location button away."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from handlers.common.services import BotConfig
from tests.conftest import ADMIN, MEMBER, ZONE, Harness
from tests.test_partyday import at, rule_in_place


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
