"""At DEBUG, no personal data reaches the log, through our loggers or the libraries'."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import setup_logging
from tests.conftest import MEMBER, Harness
from tests.test_pledges import TEXT, make_pledge, only_pledge

TOKEN = "999000:TEST"
ALIAS = "QZALIAS同学"
NOTE = "QZNOTE父母在外地打工"
PLEDGE = TEXT + "QZPLEDGE"
TYPED = "QZTYPED<b>随便说说</b>"
FORGED = "vf:QZDATA:1"
MARKERS = ("QZALIAS", "QZNOTE", "QZPLEDGE", "QZTYPED", "QZDATA", "王老师", "李红梅")


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The production logging set-up at DEBUG, writing into a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    libraries = ("httpx", "apscheduler", "aiosqlite", "httpcore")
    saved_levels = {name: logging.getLogger(name).level for name in libraries}
    setup_logging("DEBUG", TOKEN)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


async def test_visit_pledge_texts_and_buttons_stay_out_of_the_debug_log(
    harness: Harness, debug_log: io.StringIO
) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/visit")
    await harness.press(MEMBER, "今天")
    await harness.send(MEMBER, ALIAS)
    await harness.send(MEMBER, "三(2)班")
    await harness.press(MEMBER, "上门")
    await harness.press(MEMBER, "父母")
    await harness.press(MEMBER, "学习")
    await harness.press(MEMBER, "📝 备注")
    await harness.send(MEMBER, NOTE)
    await harness.press(MEMBER, "✅ 保存")
    await make_pledge(harness, MEMBER, PLEDGE)
    # Through the update queue, as polling delivers: PTB logs "Processing update …".
    before = len(harness.tg.texts(MEMBER.id))
    await harness.app.update_queue.put(harness.updates.text(MEMBER, TYPED))
    for _ in range(200):
        if len(harness.tg.texts(MEMBER.id)) > before:
            break
        await asyncio.sleep(0.01)
    assert len(harness.tg.texts(MEMBER.id)) > before
    await harness.callback(MEMBER, FORGED)
    # An unexpected error: the error handler's line names the handler, never the text.
    harness.tg.fail_next("sendMessage", error_code=400, description="Bad Request: QZ fails")
    await harness.send(MEMBER, "QZTYPED again")

    async with (
        harness.db.read() as conn,
        conn.execute("SELECT student_alias, note FROM home_visits") as cur,
    ):
        assert [tuple(r) for r in await cur.fetchall()] == [(ALIAS, NOTE)]

    assert (await only_pledge(harness, MEMBER.id)).text == PLEDGE

    output = debug_log.getvalue()
    # DEBUG was really on, for PTB's loggers too.
    assert "Processing update" in output and "Calling Bot API endpoint" in output
    assert "unhandled error in handlers.fallback.unknown_text for update" in output
    assert f"(message, chat {MEMBER.id}, user {MEMBER.id})" in output
    for marker in MARKERS:
        assert marker not in output, marker
    assert TOKEN not in output
