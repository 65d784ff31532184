"""Every button press is answered exactly once, and no edit changes nothing."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from handlers.common.context import XContext
from tests.conftest import MEMBER, SECRETARY, Harness
from tests.test_pledges import make_pledge


def _answers_to(harness: Harness, update: Update) -> list[dict[str, object]]:
    assert update.callback_query is not None
    return [
        c.params
        for c in harness.tg.calls_to("answerCallbackQuery")
        if str(c.params.get("callback_query_id")) == update.callback_query.id
    ]


def _refused(harness: Harness) -> list[tuple[str, str | None]]:
    return [(c.method, c.error) for c in harness.tg.calls if c.ok is False]


async def test_a_press_no_handler_answers_gets_one_answer(harness: Harness) -> None:
    # Each stops the update, as our handlers do, so the catch-alls never see it.
    async def silent(update: Update, context: XContext) -> None:
        raise ApplicationHandlerStop

    async def replies_only(update: Update, context: XContext) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "好的")
        raise ApplicationHandlerStop

    async def answers_twice(update: Update, context: XContext) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("一")
        await update.callback_query.answer("二")
        raise ApplicationHandlerStop

    harness.app.add_handler(CallbackQueryHandler(silent, pattern="^zz:silent$"), group=-2)
    harness.app.add_handler(CallbackQueryHandler(replies_only, pattern="^zz:reply$"), group=-2)
    harness.app.add_handler(CallbackQueryHandler(answers_twice, pattern="^zz:twice$"), group=-2)
    await harness.branch_with_people()

    silent_press = harness.updates.callback(MEMBER, "zz:silent")
    await harness.process(MEMBER, silent_press)
    [answer] = _answers_to(harness, silent_press)
    assert answer["text"] == "此按钮已失效，请重新打开相关菜单。" and answer["show_alert"] is True

    reply_press = harness.updates.callback(MEMBER, "zz:reply")
    assert await harness.process(MEMBER, reply_press) == ["好的"]
    [answer] = _answers_to(harness, reply_press)
    assert "text" not in answer  # the reply says it all: the spinner just stops

    twice = harness.updates.callback(MEMBER, "zz:twice")
    await harness.process(MEMBER, twice)
    assert [a["text"] for a in _answers_to(harness, twice)] == ["一"]
    assert _refused(harness) == []


async def test_old_keep_and_continue_presses_send_no_empty_edit(harness: Harness) -> None:
    await harness.branch_with_people()
    row = await make_pledge(harness)
    # Pressed on a message that shows no buttons (an old or forged press).
    for data in (f"pl:keep:{row.id}", f"pl:cont:{row.id}", f"pl:keep:{row.id}"):
        latest = harness.tg.messages_in(MEMBER.id)[-1]
        assert not harness.tg.buttons(latest)
        press = harness.updates.callback(MEMBER, data, latest["message_id"])
        await harness.process(MEMBER, press)
        assert len(_answers_to(harness, press)) == 1, data
    assert _refused(harness) == []


async def test_the_presses_the_issue_found_unanswered_get_one_answer(harness: Harness) -> None:
    await harness.branch_with_people()
    cases = [
        (MEMBER, "svc:hist"),
        (SECRETARY, "pd:md:20270212"),
        (MEMBER, "pl:per:2026"),
        (SECRETARY, "vf:date:today"),
        (MEMBER, "pl:keep:999"),
        (MEMBER, "pl:cont:999"),
    ]
    for user, data in cases:
        press = harness.updates.callback(user, data)
        await harness.process(user, press)
        assert len(_answers_to(harness, press)) == 1, data
    assert _refused(harness) == []
