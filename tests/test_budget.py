"""Telegram's overall limit shared by answers and the fan-out (``schedules.budget``):
answers to the person acting never wait behind the outbox, and the two together stay
within the limit."""

from __future__ import annotations

import asyncio
from typing import Any

from handlers.common.services import SERVICES_KEY
from schedules.budget import AnswerLimiter, SendBudget
from storage import outbox
from tests.conftest import STRANGER, Harness


class FakeTimer:
    """Monotonic time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_an_answer_goes_at_once_while_the_fanout_has_used_its_share() -> None:
    timer = FakeTimer()
    budget = SendBudget(30, answer_reserve=2, timer=timer)
    for _ in range(28):
        await budget.take_fanout()
    assert timer.now == 0.0 and budget.used() == 28
    await budget.take_answer()
    await budget.take_answer()
    assert timer.now == 0.0  # the two answers did not wait
    assert (budget.answers, budget.fanout, budget.answer_waits) == (2, 28, 0)


async def test_the_fanout_waits_for_room_left_by_answers() -> None:
    timer = FakeTimer()
    budget = SendBudget(30, answer_reserve=2, timer=timer)
    for _ in range(10):
        await budget.take_answer()
    timer.now = 0.5
    for _ in range(18):
        await budget.take_fanout()
    assert timer.now == 0.5  # 10 answers + 18 = 28: room left for two more answers
    await budget.take_fanout()
    # The 29th start would leave no room for answers: it waits until the first answers
    # leave the window, a second after they started.
    assert timer.now == 1.0
    assert budget.used() <= 28


async def test_answers_alone_never_exceed_the_limit() -> None:
    timer = FakeTimer()
    budget = SendBudget(30, timer=timer)
    for _ in range(31):
        await budget.take_answer()
    assert timer.now == 1.0 and budget.answer_waits == 1


async def test_the_limiter_paces_new_messages_only() -> None:
    timer = FakeTimer()
    budget = SendBudget(30, timer=timer)
    limiter = AnswerLimiter(budget)
    sent: list[str] = []

    async def call(method: str) -> Any:
        sent.append(method)
        return True

    async def request(method: str, **data: Any) -> None:
        await limiter.process_request(call, (method,), {}, method, data, None)

    await request("answerCallbackQuery", callback_query_id="1")
    await request("editMessageText", chat_id=5, message_id=1, text="x")
    await request("sendMessage", chat_id=5, text="x")
    await request("sendPhoto", chat_id=-100, photo="p")
    assert sent == ["answerCallbackQuery", "editMessageText", "sendMessage", "sendPhoto"]
    assert budget.answers == 2 and budget.used() == 2


async def test_the_limiter_notes_which_chats_new_messages_went_to() -> None:
    timer = FakeTimer()
    budget = SendBudget(30, timer=timer)
    limiter = AnswerLimiter(budget)

    async def call(method: str) -> Any:
        return True

    async def request(method: str, **data: Any) -> None:
        await limiter.process_request(call, (method,), {}, method, data, None)

    await request("sendMessage", chat_id=5, text="x")
    await request("editMessageText", chat_id=6, message_id=1, text="x")
    await request("answerCallbackQuery", callback_query_id="1")
    await request("sendMessage", chat_id=7, text="x")
    timer.now = 0.5
    assert budget.take_answered() == [5, 7]  # an edit adds no message to the chat
    assert budget.take_answered() == []  # told once
    await request("sendMessage", chat_id=8, text="x")
    timer.now = 1.5
    assert budget.take_answered() == []  # over a second ago: its pace is kept already


async def test_the_bot_answers_while_the_fanout_has_used_its_share(harness: Harness) -> None:
    # The real Application: the outbox has used everything it may of this second; a
    # stranger's /start is still answered, without waiting, and counted as an answer.
    services = harness.app.bot_data[SERVICES_KEY]
    budget = services.dispatcher._budget  # the one the dispatcher takes from
    assert isinstance(budget, SendBudget)
    assert services.dispatcher._bot is not harness.app.bot  # no double count
    for _ in range(budget.overall - budget.answer_reserve):
        await budget.take_fanout()
    assert await harness.send(STRANGER, "/start")
    assert budget.answers == 1 and budget.answer_waits == 0
    # And a delivered outbox row is counted once, as fan-out.
    async with harness.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=STRANGER.id,
            member_id=None,
            kind="bench",
            text="hi",
            buttons=None,
            dedupe_key="budget:1",
            not_before=harness.clock.now(),
            now=harness.clock.now(),
        )
    sent_before = budget.fanout
    # The stranger was just answered: the row waits a second for their chat (fake time).
    assert await harness.deliver() == 1
    assert budget.fanout == sent_before + 1 and budget.answers == 1
