"""The fake Bot API transport behaves like Telegram as far as PTB can tell."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakebot import (
    BOT_ID,
    BOT_USERNAME,
    FakeTelegram,
    FakeUser,
    UpdateFactory,
    error_response,
    parse_html,
)

ALICE = FakeUser(1001, "丽", last_name="王", username="alice")
BOB = FakeUser(1002, "Bob", language_code="en")
GROUP = -100123

App = Application[Any, Any, Any, Any, Any, Any]


async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("再来", callback_data="ping:again")]])
    await update.effective_message.reply_text(
        "<b>pong</b>", parse_mode="HTML", reply_markup=keyboard
    )


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("收到")
    await query.edit_message_text(f"pong again ({query.data})")


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[App]:
    # One transport serves both roles: PTB initialises/shuts down each role, which the fake
    # tolerates, and every call ends up in the same record.
    application = (
        ApplicationBuilder().token("123:TEST").request(fake).get_updates_request(fake).build()
    )
    application.add_handler(CommandHandler("ping", ping))
    application.add_handler(CallbackQueryHandler(again, pattern=r"^ping:"))
    await application.initialize()
    yield application
    await application.shutdown()


@pytest.fixture
def updates(app: App) -> UpdateFactory:
    return UpdateFactory(app.bot)


# ----------------------------------------------------------------------------- flows


async def test_initialize_asks_get_me(app: App, fake: FakeTelegram) -> None:
    assert [c.method for c in fake.calls] == ["getMe"]
    assert app.bot.id == BOT_ID
    assert app.bot.username == BOT_USERNAME
    assert app.bot.first_name == "先锋"
    assert app.bot.can_join_groups is True


async def test_command_button_and_callback(
    app: App,
    fake: FakeTelegram,
    updates: UpdateFactory,
) -> None:
    fake.clear()
    await app.process_update(updates.text(ALICE, "/ping"))

    sent = fake.last_sent(ALICE.id)
    assert sent["text"] == "<b>pong</b>"
    assert sent["parse_mode"] == "HTML"
    assert fake.buttons(sent) == [("再来", "ping:again")]
    assert isinstance(sent["reply_markup"], dict)  # decoded, not a JSON string
    shown = fake.messages_in(ALICE.id)[-1]
    assert shown["text"] == "pong"  # what Telegram shows: entities parsed out
    assert shown["chat"]["first_name"] == "丽"

    await app.process_update(updates.press(ALICE, "再来"))

    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "收到"
    [edit] = fake.calls_to("editMessageText")
    assert edit.params["message_id"] == shown["message_id"]
    assert fake.texts(ALICE.id) == ["<b>pong</b>", "pong again (ping:again)"]
    assert fake.message(ALICE.id, shown["message_id"])["text"] == "pong again (ping:again)"  # type: ignore[index]
    assert fake.buttons(fake.messages_in(ALICE.id)[-1]) == []  # the edit dropped the keyboard


async def test_message_ids_share_one_sequence_per_chat(
    app: App,
    fake: FakeTelegram,
    updates: UpdateFactory,
) -> None:
    first = updates.text(ALICE, "/ping")
    await app.process_update(first)
    await app.process_update(updates.text(BOB, "/ping"))
    assert first.message is not None
    assert first.message.message_id == 1
    assert fake.messages_in(ALICE.id)[0]["message_id"] == 2
    assert fake.messages_in(BOB.id)[0]["message_id"] == 2
    assert [p["chat_id"] for p in fake.sent_messages()] == [ALICE.id, BOB.id]


async def test_callback_with_explicit_message(
    app: App,
    fake: FakeTelegram,
    updates: UpdateFactory,
) -> None:
    update = updates.callback(ALICE, "ping:old", message_id=77, message_text="旧消息")
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    assert query.chat_instance and query.message.message_id == 77
    assert query.message.from_user is not None and query.message.from_user.id == BOT_ID
    await app.process_update(update)
    assert fake.texts(ALICE.id) == ["pong again (ping:old)"]  # unknown message: edited leniently


async def test_group_commands_addressed_to_this_bot_only(
    app: App,
    fake: FakeTelegram,
    updates: UpdateFactory,
) -> None:
    await app.process_update(updates.group_text(ALICE, GROUP, f"/ping@{BOT_USERNAME} now"))
    await app.process_update(updates.group_text(ALICE, GROUP, "/ping@other_bot"))
    assert len(fake.sent_messages(GROUP)) == 1
    message = fake.messages_in(GROUP)[0]
    assert message["chat"] == {"id": GROUP, "type": "supergroup", "title": "先锋测试群"}


async def test_polling_with_shared_transport(
    app: App,
    fake: FakeTelegram,
    updates: UpdateFactory,
) -> None:
    fake.queue_update(updates.text(BOB, "/ping"))
    assert app.updater is not None
    await app.start()
    await app.updater.start_polling(poll_interval=0)
    try:
        for _ in range(200):
            if fake.sent_messages(BOB.id):
                break
            await asyncio.sleep(0.01)
    finally:
        await app.updater.stop()
        await app.stop()
    assert fake.last_sent(BOB.id)["text"] == "<b>pong</b>"
    assert fake.calls_to("deleteWebhook")
    assert len(fake.sent_messages(BOB.id)) == 1  # the offset acknowledged the update


# ----------------------------------------------------------------------------- errors


async def test_429_is_retry_after(
    app: App,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", error_code=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(ALICE.id, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    failed = fake.calls_to("sendMessage")[-1]
    assert failed.ok is False and failed.error == "Too Many Requests: retry after 7"
    assert fake.sent_messages() == []
    await app.bot.send_message(ALICE.id, "hi")  # only the next call failed
    assert fake.texts(ALICE.id) == ["hi"]


async def test_403_is_forbidden(app: App, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", error_code=403, chat_id=ALICE.id)
    await app.bot.send_message(BOB.id, "other chats are fine")
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await app.bot.send_message(ALICE.id, "hi")


async def test_400_is_bad_request_with_prefix_stripped(
    app: App,
    fake: FakeTelegram,
) -> None:
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    with pytest.raises(BadRequest) as caught:
        await app.bot.send_message(ALICE.id, "hi")
    assert caught.value.message == "Chat not found"


async def test_timeouts_and_network_errors(app: App, fake: FakeTelegram) -> None:
    fake.timeout_next("sendMessage")
    with pytest.raises(TimedOut):
        await app.bot.send_message(ALICE.id, "lost")
    fake.timeout_next("sendMessage", delivered=True)
    with pytest.raises(TimedOut):
        await app.bot.send_message(ALICE.id, "arrived anyway")
    fake.network_error_next("sendMessage")
    with pytest.raises(NetworkError) as caught:
        await app.bot.send_message(ALICE.id, "lost too")
    assert not isinstance(caught.value, TimedOut)
    assert fake.texts(ALICE.id) == ["arrived anyway"]
    assert [c.error for c in fake.calls_to("sendMessage")] == [
        "TimedOut",
        "TimedOut",
        "NetworkError",
    ]


async def test_times_and_blocked_users(app: App, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", error_code=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(ALICE.id, "x")
    await app.bot.send_message(ALICE.id, "third time lucky")

    fake.block_user(BOB.id)
    with pytest.raises(Forbidden):
        await app.bot.send_message(BOB.id, "x")
    fake.block_user(BOB.id, blocked=False)
    await app.bot.send_message(BOB.id, "welcome back")


async def test_telegram_validation(app: App, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities: unsupported start tag"):
        await app.bot.send_message(ALICE.id, "1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message is too long"):
        await app.bot.send_message(ALICE.id, "长" * 4097)
    with pytest.raises(BadRequest, match=r"^Message text is empty"):
        await app.bot.send_message(ALICE.id, "<b> </b>", parse_mode="HTML")
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await app.bot.send_message(ALICE.id, "hi", reply_markup=long_data)

    message = await app.bot.send_message(ALICE.id, "1 &lt;2 &amp; <i>3</i>", parse_mode="HTML")
    assert message.text == "1 <2 & 3"
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await message.edit_text("1 &lt;2 &amp; <i>3</i>", parse_mode="HTML")
    await message.edit_text("changed")


def test_parse_html_matches_telegram_wording() -> None:
    assert parse_html('<a href="https://x">x</a> &#20808;&quot;') == 'x 先"'
    assert parse_html("AT&T") == "AT&T"
    for bad, error in [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("先<foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("x <", "Unclosed start tag at byte offset 2"),
        ("x < y", 'Unsupported start tag "" at byte offset 2'),
        ("<b x", "Unclosed start tag at byte offset 0"),
    ]:
        with pytest.raises(ValueError) as caught:
            parse_html(bad)
        assert str(caught.value) == error


async def test_failure_rule_latency_and_concurrency(
    app: App,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter warns about int retry_after otherwise

    def every_fifth_chat_is_flooded(
        method: str, params: dict[str, object]
    ) -> dict[str, object] | None:
        chat_id = params.get("chat_id")
        if method == "sendMessage" and isinstance(chat_id, int) and chat_id % 5 == 0:
            return error_response(429, "Too Many Requests: retry after 3", retry_after=3)
        return None

    fake.set_failure_rule(every_fifth_chat_is_flooded)
    fake.latency = (0.0, 0.02)

    async def send(chat_id: int) -> str:
        try:
            await app.bot.send_message(chat_id, f"hello {chat_id}")
        except RetryAfter:
            return "429"
        return "ok"

    outcomes = await asyncio.gather(*(send(2000 + i % 20) for i in range(200)))
    assert outcomes.count("429") == 40
    assert len(fake.sent_messages()) == 160
    for chat_id in range(2001, 2020):
        if chat_id % 5:
            ids = [m["message_id"] for m in fake.messages_in(chat_id)]
            assert ids == list(range(1, 11))

    fake.set_failure_rule(None)
    fake.latency = (0.05, 0.05)
    with pytest.raises(TimedOut):
        await app.bot.send_message(ALICE.id, "slow", read_timeout=0.01)
    assert fake.texts(ALICE.id) == ["slow"]  # it reached Telegram; only the answer was late


# ----------------------------------------------------------------------------- other methods


async def test_chats_and_members(app: App, fake: FakeTelegram) -> None:
    private = await app.bot.get_chat(ALICE.id)
    assert private.type == "private"
    group = await app.bot.get_chat(GROUP)
    assert group.type == "supergroup" and group.title
    fake.register_chat(-100777, "channel", title="先锋频道", username="xianfeng_channel")
    channel = await app.bot.get_chat("@xianfeng_channel")
    assert (channel.id, channel.type, channel.title) == (-100777, "channel", "先锋频道")
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.get_chat("@nobody_here")

    me = await app.bot.get_chat_member(-100777, BOT_ID)
    assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages is True
    fake.set_bot_member_status(-100777, "administrator", can_post_messages=False)
    me = await app.bot.get_chat_member(-100777, BOT_ID)
    assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages is False
    fake.set_bot_member_status(GROUP, "left")
    assert (await app.bot.get_chat_member(GROUP, BOT_ID)).status == "left"
    assert (await app.bot.get_chat_member(GROUP, ALICE.id)).status == "member"

    post = await app.bot.send_message(-100777, "频道消息")
    assert post.sender_chat is not None and post.sender_chat.id == -100777
    assert await app.bot.leave_chat(-100777) is True
    assert (await app.bot.get_chat_member(-100777, BOT_ID)).status == "left"


async def test_commands_files_and_misc(app: App, fake: FakeTelegram) -> None:
    await app.bot.set_my_commands([("start", "开始")], language_code="zh")
    await app.bot.set_my_commands([("start", "Start")])
    assert [c.description for c in await app.bot.get_my_commands(language_code="zh")] == ["开始"]
    assert [c.description for c in await app.bot.get_my_commands()] == ["Start"]
    await app.bot.delete_my_commands(language_code="zh")
    assert await app.bot.get_my_commands(language_code="zh") == ()

    upload = await app.bot.send_document(
        ALICE.id, InputFile(b"a,b\n1,2\n", filename="名单.csv"), caption="名单"
    )
    assert upload.document is not None and upload.document.file_name == "名单.csv"
    sent = fake.last_sent(ALICE.id)
    assert sent["document"].content == b"a,b\n1,2\n"
    file = await app.bot.get_file(upload.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"

    photo = await app.bot.send_photo(
        ALICE.id, "AgACEXISTING", caption="<i>图</i>", parse_mode="HTML"
    )
    assert photo.photo[-1].file_id == "AgACEXISTING" and photo.caption == "图"
    location = await app.bot.send_location(ALICE.id, latitude=39.9, longitude=116.4)
    assert location.location is not None and location.location.latitude == 39.9
    assert fake.texts(ALICE.id) == ["名单", "<i>图</i>"]

    copied = await app.bot.copy_message(BOB.id, ALICE.id, photo.message_id)
    assert copied.message_id == 1
    forwarded = await app.bot.forward_message(BOB.id, ALICE.id, upload.message_id)
    assert forwarded.caption == "名单"
    assert await app.bot.send_chat_action(ALICE.id, "typing") is True
    assert await app.bot.delete_message(ALICE.id, photo.message_id) is True
    assert fake.message(ALICE.id, photo.message_id) is None
    assert await app.bot.do_api_request("someFutureMethod", api_kwargs={"x": 1}) is True
    assert fake.calls_to("someFutureMethod")[0].params == {"x": 1}
    assert await app.bot.set_webhook("https://example.org/hook", secret_token="s3cret") is True
    assert await app.bot.delete_webhook() is True


async def test_update_builders(app: App, fake: FakeTelegram, updates: UpdateFactory) -> None:
    text = updates.text(ALICE, "/start@xianfeng_test_bot abc")
    assert text.message is not None and text.message.get_bot() is app.bot
    assert text.message.entities[0].length == len("/start@xianfeng_test_bot")
    assert text.effective_user is not None and text.effective_user.language_code == "zh-hans"
    assert updates.text(ALICE, "你好").message.entities == ()  # type: ignore[union-attr]

    photo = updates.photo(ALICE, caption="签到").message
    assert photo is not None and photo.photo[-1].file_id == "PHOTO1" and photo.caption == "签到"
    location = updates.location(ALICE, 31.2, 121.5).message
    assert location is not None and location.location is not None
    assert location.location.longitude == 121.5

    document = updates.document(ALICE, "名单.xlsx", content=b"PK\x03\x04").message
    assert document is not None and document.document is not None
    assert document.document.mime_type is not None and "spreadsheet" in document.document.mime_type
    file = await app.bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"PK\x03\x04"

    channel = updates.forwarded_from_chat(ALICE, -100555, title="学校频道").message
    assert channel is not None and isinstance(channel.forward_origin, MessageOriginChannel)
    assert channel.forward_origin.chat.title == "学校频道"
    group = updates.forwarded_from_chat(ALICE, GROUP, chat_type="supergroup").message
    assert group is not None and isinstance(group.forward_origin, MessageOriginChat)
    assert group.forward_origin.sender_chat.id == GROUP

    added = updates.my_chat_member(ALICE, -100999, new_status="administrator")
    assert added.my_chat_member is not None
    assert added.my_chat_member.new_chat_member.status == "administrator"
    assert added.my_chat_member.old_chat_member.status == "left"

    ids = [updates.text(BOB, "x").update_id for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_press_reports_missing_buttons(app: App, updates: UpdateFactory) -> None:
    await app.process_update(updates.text(ALICE, "/ping"))
    with pytest.raises(AssertionError, match="再来"):
        updates.press(ALICE, "不存在")
