"""Random updates through the real Application: every press answered, nothing refused.

Hypothesis draws batches of updates from every kind the bot can receive (typed text of
any Unicode, 4,096+ characters, HTML, commands, stale and forged button data for every
prefix the bot registers, photos, locations, documents, stickers, edited messages,
group and channel posts) from every role, and checks what Telegram users would notice:
no unhandled error, an answer to every private message, exactly one answer to every
button press, and no request that Telegram would refuse.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler, ConversationHandler

from handlers.common.services import BotConfig
from storage.clock import FixedClock
from tests.conftest import (
    ADMIN,
    EN_MEMBER,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    START,
    STRANGER,
    Harness,
)
from tests.fakebot import FakeTelegram, FakeUser, group_chat

PEOPLE = [ADMIN, SECRETARY, MEMBER, MEMBER2, OTHER_SECRETARY, OTHER_MEMBER, STRANGER, EN_MEMBER]
GROUP = group_chat(-1001234, "第一中学党员群")
CHANNEL = group_chat(-1005555, "通知频道", "channel")
EXAMPLES = 40

TEXTS = st.one_of(
    st.text(min_size=1, max_size=60),
    st.sampled_from(
        [
            "<b>粗体</b>",
            "<script>alert(1)</script>",
            "a < b & c > d",
            "&lt;&amp;",
            "\u200b\u200b",
            "ᅟᅟ",
            "王老师\u0301",
            "👨‍👩‍👧‍👦" * 50,
            "取消",
            "今天",
            "1",
            "2026-12-31",
            "明天",
        ]
    ),
    st.sampled_from(["字", "a", "<", "&", "😀"]).map(lambda c: c * 4097),
)
COMMANDS = st.sampled_from(
    [
        "start", "help", "me", "language", "cancel", "visit", "visits", "mydata", "pledge",
        "pledges", "partyday", "service", "settings", "notify", "invite", "members",
        "branches", "newbranch", "setnotice", "theme", "term", "target", "digest", "nosuch",
    ]
)  # fmt: skip
SUFFIXES = st.sampled_from(
    ["", "1", "2", "3", "999999", "0", "-1", "20270212", "20261128", "today", "2026", "x",
     "1:2", "9" * 40, "ok:1", "a:b:c:d"]
)  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[asyncio.AbstractEventLoop, Harness, list[str]]]:
    """One bot, with two branches of people, kept across examples: flows left open by one
    batch meet the next, as they would in use."""
    loop = asyncio.new_event_loop()
    config = BotConfig(
        zone=START.tzinfo,  # type: ignore[arg-type]
        admin_ids=frozenset({ADMIN.id}),
        default_language="zh",
    )
    harness = Harness(tmp_path / "bot.sqlite3", config, FixedClock(START))

    async def set_up() -> None:
        await harness.start()
        await harness.branch_with_people()
        await harness.second_branch()
        await harness.send(EN_MEMBER, "/start")

    loop.run_until_complete(set_up())
    try:
        yield loop, harness, _registered_prefixes(harness)
    finally:
        loop.run_until_complete(harness.stop())
        loop.close()


def _registered_prefixes(harness: Harness) -> list[str]:
    """The literal start of every button pattern the bot listens for."""
    found: set[str] = set()
    for handlers in harness.app.handlers.values():
        stack = list(handlers)
        while stack:
            handler = stack.pop()
            if isinstance(handler, ConversationHandler):
                stack.extend(handler.entry_points)
                stack.extend(handler.fallbacks)
                for steps in handler.states.values():
                    stack.extend(steps)
            elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern = getattr(handler.pattern, "pattern", handler.pattern)
                if isinstance(pattern, str):
                    literal = re.match(r"\^?([A-Za-z0-9_:]*)", pattern)
                    if literal and literal.group(1):
                        found.add(literal.group(1))
    assert len(found) > 20, found
    return sorted(found)


class Step:
    """One update to send, described as data so hypothesis can show and shrink it."""

    def __init__(self, kind: str, user: FakeUser, value: Any = None) -> None:
        self.kind, self.user, self.value = kind, user, value

    def __repr__(self) -> str:
        return f"Step({self.kind!r}, {self.user.first_name}, {self.value!r})"


def steps(prefixes: list[str]) -> st.SearchStrategy[Step]:
    people = st.sampled_from(PEOPLE)
    forged = st.builds(lambda p, s: (p + s)[:64], st.sampled_from(prefixes), SUFFIXES)
    return st.one_of(
        st.builds(Step, st.just("text"), people, TEXTS),
        st.builds(
            Step,
            st.just("command"),
            people,
            st.tuples(COMMANDS, st.one_of(st.just(""), TEXTS)),
        ),
        st.builds(Step, st.just("stale"), people, st.integers(0, 10_000)),
        st.builds(Step, st.just("forged"), people, forged),
        st.builds(Step, st.just("junk_button"), people, st.text(min_size=1, max_size=64)),
        st.builds(Step, st.just("photo"), people, st.one_of(st.none(), TEXTS)),
        st.builds(Step, st.just("location"), people),
        st.builds(Step, st.just("document"), people),
        st.builds(Step, st.just("sticker"), people),
        st.builds(Step, st.just("edited"), people, TEXTS),
        st.builds(Step, st.just("group"), people, st.one_of(TEXTS, COMMANDS.map("/{}".format))),
        st.builds(Step, st.just("channel"), people, TEXTS),
    )


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_random_updates_are_all_answered_and_never_refused(
    world: tuple[asyncio.AbstractEventLoop, Harness, list[str]],
) -> None:
    loop, harness, prefixes = world
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(steps(prefixes), min_size=1, max_size=12))
    def check(batch: list[Step]) -> None:
        for step in batch:
            loop.run_until_complete(_send_and_check(harness, step, errors))

    try:
        check()
    finally:
        logging.getLogger().removeHandler(errors)


async def _send_and_check(harness: Harness, step: Step, errors: ErrorLog) -> None:
    tg = harness.tg
    update = _build(harness, step)
    first_call = len(tg.calls)
    await harness.app.process_update(update)
    calls = tg.calls[first_call:]

    assert not errors.records, (step, [r.getMessage() for r in errors.records])
    refused = [(c.method, c.error, _short(c.params)) for c in calls if c.ok is False]
    assert not refused, (step, refused)
    texts = [str(c.params.get("text", "")) for c in calls]
    assert not any("系统出了点问题" in t or "something went wrong" in t for t in texts), step

    if update.callback_query is not None:
        answers = [
            c
            for c in calls
            if c.method == "answerCallbackQuery"
            and str(c.params.get("callback_query_id")) == update.callback_query.id
        ]
        assert len(answers) == 1, (step, [c.method for c in calls])
    elif update.message is not None and update.message.chat.type == "private":
        spoken = [
            c
            for c in calls
            if c.method.startswith(("send", "edit", "copy"))
            and str(c.params.get("chat_id")) == str(step.user.id)
        ]
        assert spoken, (step, [c.method for c in calls])


def _build(harness: Harness, step: Step) -> Any:
    make, user, value = harness.updates, step.user, step.value
    if step.kind == "text":
        return make.text(user, value)
    if step.kind == "command":
        name, args = value
        return make.text(user, f"/{name} {args}".strip())
    if step.kind == "stale":
        seen = _seen_buttons(harness.tg, user.id)
        if not seen:
            return make.callback(user, "pl:ok:1")
        message_id, data = seen[value % len(seen)]
        return make.callback(user, data, message_id)
    if step.kind in ("forged", "junk_button"):
        return make.callback(user, value)
    if step.kind == "photo":
        return make.photo(user, "AgRANDOM", caption=value)
    if step.kind == "location":
        return make.location(user, 28.85, 121.14)
    if step.kind == "document":
        return make.document(user, "名单.xlsx", content=b"PK\x03\x04")
    if step.kind == "sticker":
        sticker = {
            "file_id": "STK",
            "file_unique_id": "uSTK",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return make.update(message=make._message(user, None, sticker=sticker))
    if step.kind == "edited":
        message = make._message(user, None, text=value, edit_date=make._now())
        return make.update(edited_message=message)
    if step.kind == "group":
        return make.text(user, value, chat=GROUP)
    if step.kind == "channel":
        post = make._message(user, CHANNEL, text=value)
        del post["from"]
        post["sender_chat"] = CHANNEL
        return make.update(channel_post=post)
    raise AssertionError(step.kind)


def _seen_buttons(tg: FakeTelegram, chat_id: int) -> list[tuple[int, str]]:
    found = []
    for message in tg.messages_in(chat_id):
        for _, data in FakeTelegram.buttons(message):
            if data is not None:
                found.append((int(message["message_id"]), data))
    return found


def _short(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v)[:80] if isinstance(v, str) else v) for k, v in params.items()}
