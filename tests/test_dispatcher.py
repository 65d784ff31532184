"""The dispatcher against the fake Bot API: pacing, Telegram's errors, crashes and stops.

Most tests run on fake time: ``FakeTime`` stands in for the monotonic clock and sleep and
moves the ``FixedClock`` along, so waiting out a 429 or a group's minute takes no time.
The tests of the long-running loop use real time with tiny limits instead.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot
from telegram.request import RequestData

from schedules.budget import SendBudget
from schedules.dispatcher import Dispatcher, DispatchLimits
from schedules.outbox_report import outbox_report
from schedules.quiet import QuietHours
from storage import audit, branches, members, outbox
from storage.clock import FixedClock
from storage.database import Database
from storage.members import Role
from storage.outbox import OutboxMessage, OutboxStatus
from tests.fakebot import FakeTelegram, error_response

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FAST = DispatchLimits(rate=1000.0)


class FakeTime:
    """Monotonic time and sleep that only move when slept through, dragging the clock."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self.now += seconds
            self.clock.advance(timedelta(seconds=seconds))


class TimedFake(FakeTelegram):
    """The fake Bot API, also noting when each send started and how many overlapped."""

    def __init__(self, time_source: FakeTime | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.time_source = time_source
        self.starts: list[tuple[float, int]] = []
        self.in_flight: dict[int, int] = {}
        self.max_in_flight = 0
        self.same_chat_overlap = False

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        if not url.endswith(("/sendMessage", "/sendPhoto")) or request_data is None:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        chat_id = int(str(request_data.parameters["chat_id"]))
        now = self.time_source.monotonic() if self.time_source else 0.0
        self.starts.append((now, chat_id))
        self.same_chat_overlap |= chat_id in self.in_flight
        self.in_flight[chat_id] = self.in_flight.get(chat_id, 0) + 1
        self.max_in_flight = max(self.max_in_flight, sum(self.in_flight.values()))
        try:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        finally:
            self.in_flight[chat_id] -= 1
            if not self.in_flight[chat_id]:
                del self.in_flight[chat_id]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "t.sqlite3")
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def fake_time(clock: FixedClock) -> FakeTime:
    return FakeTime(clock)


@pytest.fixture
def fake(fake_time: FakeTime) -> TimedFake:
    return TimedFake(fake_time)


@pytest.fixture
async def bot(fake: TimedFake) -> AsyncIterator[Bot]:
    tg = Bot("123:TEST", request=fake)
    await tg.initialize()
    yield tg
    await tg.shutdown()


def dispatcher(
    db: Database, bot: Bot, clock: FixedClock, fake_time: FakeTime | None, **limits: Any
) -> Dispatcher:
    settings = DispatchLimits(**({"rate": 1000.0} | limits))
    return Dispatcher(db, bot, clock, settings, timer=fake_time)


async def enqueue(
    db: Database,
    clock: FixedClock,
    key: str,
    chat_id: int,
    *,
    delay: float = 0,
    buttons: outbox.ButtonsInput | None = None,
    photo: str | None = None,
    member_id: int | None = None,
) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=chat_id,
            member_id=member_id,
            kind="partyday.d3",
            text=f"<b>Reminder</b> {key}",
            buttons=buttons,
            dedupe_key=key,
            not_before=clock.now() + timedelta(seconds=delay),
            now=clock.now(),
            photo=photo,
        )


async def row(db: Database, key: str) -> OutboxMessage:
    async with db.read() as conn:
        found = await outbox.get_by_dedupe_key(conn, key)
    assert found is not None
    return found


def sent_texts(fake: FakeTelegram) -> list[str]:
    return [str(p.get("text") or p.get("caption")) for p in fake.sent_messages()]


# ------------------------------------------------------------------ sending


async def test_sends_due_rows_as_html_with_their_buttons(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    keyboard = [
        [{"text": "参加", "callback_data": "pd:att:1"}, {"text": "请假", "url": "https://x.org"}]
    ]
    await enqueue(db, clock, "now", 11, buttons=keyboard)
    await enqueue(db, clock, "later", 12, delay=3600)
    d = dispatcher(db, bot, clock, fake_time)

    assert await d.run_once() == 1
    params = fake.last_sent(11)
    assert params["text"] == "<b>Reminder</b> now"
    assert params["parse_mode"] == "HTML"
    assert params["reply_markup"]["inline_keyboard"] == [
        [{"text": "参加", "callback_data": "pd:att:1"}, {"text": "请假", "url": "https://x.org"}]
    ]
    sent = await row(db, "now")
    assert sent.status is OutboxStatus.SENT and sent.attempts == 1
    assert sent.telegram_message_id is not None and sent.sent_at is not None
    assert (await row(db, "later")).status is OutboxStatus.PENDING

    clock.advance(timedelta(hours=1))
    assert await d.run_once() == 1
    assert await d.run_once() == 0
    assert len(fake.sent_messages()) == 2


async def test_photo_goes_out_with_the_text_as_caption(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "pic", 11, photo="AgACfileid")
    assert await dispatcher(db, bot, clock, fake_time).run_once() == 1
    [call] = fake.calls_to("sendPhoto")
    assert call.params["photo"] == "AgACfileid"
    assert call.params["caption"] == "<b>Reminder</b> pic"
    assert call.params["parse_mode"] == "HTML"


async def test_due_rows_go_out_oldest_first(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "c", 13, delay=-10)
    await enqueue(db, clock, "a", 11, delay=-30)
    await enqueue(db, clock, "b", 12, delay=-20)
    await dispatcher(db, bot, clock, fake_time, max_in_flight=1).run_once()
    assert sent_texts(fake) == ["<b>Reminder</b> a", "<b>Reminder</b> b", "<b>Reminder</b> c"]


async def test_enqueueing_twice_delivers_once(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "same", 11)
    await enqueue(db, clock, "same", 11)
    assert await dispatcher(db, bot, clock, fake_time).run_once() == 1
    assert len(fake.sent_messages()) == 1


# ------------------------------------------------------------------ Telegram's errors


async def test_429_pauses_everything_and_reschedules_after_retry_after(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "first", 11)
    await enqueue(db, clock, "second", 12)
    fake.fail_next("sendMessage", error_code=429, retry_after=7, chat_id=11)
    d = dispatcher(db, bot, clock, fake_time, max_in_flight=1)

    await d.run_once()

    first_try, second, retry = fake.starts
    assert first_try[1] == 11 and second[1] == 12 and retry[1] == 11
    assert second[0] - first_try[0] >= 7  # the whole bot waited, not only chat 11
    first = await row(db, "first")
    assert first.status is OutboxStatus.SENT
    assert (first.attempts, first.flood_waits) == (1, 1)  # the 429 was not a failed attempt
    assert first.last_error is not None and "retry after 7" in first.last_error
    assert d.stats.flood_waits == 1


async def test_429_row_is_due_again_after_retry_after(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "k", 11)
    fake.fail_next("sendMessage", error_code=429, retry_after=30)
    failed_at = clock.now()
    await dispatcher(db, bot, clock, fake_time).run_once()
    sent = await row(db, "k")
    assert sent.status is OutboxStatus.SENT
    assert sent.not_before == failed_at + timedelta(seconds=30)
    (tried, _), (retried, _) = fake.starts
    assert retried - tried >= 30


async def test_a_row_that_keeps_getting_429_fails_at_the_cap(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "k", 11)
    fake.fail_next("sendMessage", error_code=429, retry_after=1, times=4)
    await dispatcher(db, bot, clock, fake_time, max_flood_waits=3).run_once()
    failed = await row(db, "k")
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error is not None and failed.last_error.startswith("gave up after 3 flood")
    assert len(fake.starts) == 4


async def test_the_429_that_gives_a_row_up_still_pauses_every_send(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "k", 11)
    await enqueue(db, clock, "next", 12)
    fake.fail_next("sendMessage", error_code=429, retry_after=9, chat_id=11)
    await dispatcher(db, bot, clock, fake_time, max_flood_waits=0, max_in_flight=1).run_once()
    assert (await row(db, "k")).status is OutboxStatus.FAILED
    (given_up, _), (following, chat) = fake.starts
    assert chat == 12 and following - given_up >= 9  # Telegram's wait is the whole bot's


async def test_403_blocks_the_row_and_marks_the_member_unreachable(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "一支部", now=clock.now())
        member = await members.create(
            tx, telegram_id=3001, name="王老师", role=Role.MEMBER, branch_id=branch.id,
            now=clock.now(),
        )  # fmt: skip
    await enqueue(db, clock, "k", 3001, member_id=member.id)
    await enqueue(db, clock, "k2", 3001, delay=3600, member_id=member.id)
    fake.block_user(3001)
    d = dispatcher(db, bot, clock, fake_time)

    assert await d.run_once() == 0
    blocked = await row(db, "k")
    assert blocked.status is OutboxStatus.BLOCKED
    assert blocked.last_error == "Forbidden: bot was blocked by the user"
    async with db.read() as conn:
        refreshed = await members.get(conn, member.id)
    assert refreshed is not None and refreshed.unreachable_at is not None
    assert abs(refreshed.unreachable_at - clock.now()) < timedelta(seconds=1)

    await d.run_once()  # not retried
    assert len(fake.calls_to("sendMessage")) == 1


async def test_chat_not_found_fails_the_row(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "k", 11)
    fake.fail_next("sendMessage", error_code=400)  # "Bad Request: chat not found"
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 0
    failed = await row(db, "k")
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error == "BadRequest: Chat not found"
    clock.advance(timedelta(days=1))
    await d.run_once()
    assert len(fake.starts) == 1


async def test_other_bad_requests_fail_with_telegrams_words(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(
            tx, chat_id=11, member_id=None, kind="broadcast", text="<b>unclosed",
            buttons=None, dedupe_key="bad", not_before=clock.now(), now=clock.now(),
        )  # fmt: skip
    await dispatcher(db, bot, clock, fake_time).run_once()
    failed = await row(db, "bad")
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error is not None and "parse entities" in failed.last_error


async def test_timeouts_are_retried_with_growing_back_off_then_fail(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "k", 11)
    fake.timeout_next("sendMessage", times=5)
    d = dispatcher(db, bot, clock, fake_time, max_attempts=5, backoff_base=2.0)

    waits = []
    for attempt in range(1, 5):
        tried_at = clock.now()
        await d.run_once()
        pending = await row(db, "k")
        assert (pending.status, pending.attempts) == (OutboxStatus.PENDING, attempt)
        assert pending.last_error == "TimedOut: Timed out (injected)"
        waits.append((pending.not_before - tried_at).total_seconds())
        await d.run_once()  # not yet due: nothing is sent
        assert len(fake.starts) == attempt
        fake_time.advance((pending.not_before - clock.now()).total_seconds())
    # Stored times have whole seconds, rounded up: each wait is the back-off plus < 1 s.
    assert [int(w) for w in waits] == [2, 4, 8, 16]

    await d.run_once()
    failed = await row(db, "k")
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 5)
    assert failed.last_error == "gave up after 5 attempts: TimedOut: Timed out (injected)"


async def test_a_network_error_then_success_delivers_once(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "k", 11)
    fake.network_error_next("sendMessage")
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 0
    fake_time.advance(3)
    assert await d.run_once() == 1
    sent = await row(db, "k")
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 2)
    assert len(fake.sent_messages()) == 1


async def test_an_outage_costs_no_message(
    db: Database,
    bot: Bot,
    fake: TimedFake,
    clock: FixedClock,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram unreachable (a proxy down) while 20 reminders are due: counted as attempts,
    each row would fail within half a minute. Failures of different rows one after the
    other are an outage instead: nothing is counted, all sending pauses (longer each time,
    at most two minutes), and everything goes out once the network is back."""
    for i in range(20):
        await enqueue(db, clock, f"k{i}", 100 + i)
    fake.network_error_next("sendMessage", times=60)
    d = dispatcher(db, bot, clock, fake_time, max_in_flight=1, max_attempts=3)
    start = clock.now()
    for _ in range(10):
        await d.run_once()
        fake_time.advance(5)
    async with db.read() as conn:
        rows = await outbox.list_all(conn)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert len(fake.sent_messages()) == 20 and len(fake.starts) == 80
    assert max(r.attempts for r in rows) <= 2  # the outage was never counted against a row
    # It paused between tries, growing to two minutes, rather than hammering the network.
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(fake.starts[:60])]
    assert gaps[1] >= 2 and gaps[2] >= 4 and max(gaps) == pytest.approx(120, abs=1)
    assert clock.now() - start > timedelta(hours=1)
    assert "Telegram unreachable" in caplog.text and "sending resumes" in caplog.text


async def test_one_row_failing_on_its_own_still_counts_its_attempts(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "bad", 11)
    await enqueue(db, clock, "good", 12)
    fake.network_error_next("sendMessage", chat_id=11, times=10)
    d = dispatcher(db, bot, clock, fake_time, max_attempts=3)
    for _ in range(10):
        await d.run_once()
        fake_time.advance(20)
    assert (await row(db, "good")).status is OutboxStatus.SENT
    bad = await row(db, "bad")
    assert (bad.status, bad.attempts) == (OutboxStatus.FAILED, 3)


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    """Whatever kind of message found out (a reminder here, not a pledge post), the
    branch whose notice chat it was follows the group to its new id."""
    async with db.transaction() as tx:
        linked = await branches.create(tx, "一支部", now=clock.now())
        other = await branches.create(tx, "二支部", now=clock.now())
        await branches.set_notice_chat(tx, linked.id, -100, actor_id=None, now=clock.now())
        await branches.set_notice_chat(tx, other.id, -200, actor_id=None, now=clock.now())
    await enqueue(db, clock, "k", -100)

    def migrated(method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if int(params.get("chat_id", 0)) != -100:
            return None
        body = error_response(400, "Bad Request: group chat was upgraded to a supergroup chat")
        return body | {"parameters": {"migrate_to_chat_id": -1001234}}

    fake.set_failure_rule(migrated)
    d = dispatcher(db, bot, clock, fake_time)
    await d.run_once()
    moved = await row(db, "k")
    assert (moved.status, moved.chat_id, moved.attempts) == (OutboxStatus.SENT, -1001234, 1)
    assert len(fake.sent_messages(-1001234)) == 1
    async with db.read() as conn:
        assert [(b.name, b.notice_chat_id) for b in await branches.list_with_counts(conn)] == [
            ("一支部", -1001234),
            ("二支部", -200),
        ]
        linked_again = [
            (e.entity_id, e.actor_id, e.detail)
            for e in reversed(await audit.recent(conn, 10))
            if e.action == "branch.notice_set"
        ]
    assert linked_again == [
        (str(linked.id), None, {"chat_id": -100}),
        (str(other.id), None, {"chat_id": -200}),
        (str(linked.id), None, {"chat_id": -1001234, "migrated": True}),  # followed, once
    ]


async def test_a_row_interrupted_again_and_again_is_given_up(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    await enqueue(db, clock, "poison", 11)
    d = dispatcher(db, bot, clock, fake_time, max_attempts=2)
    for _ in range(2):  # two crashes while sending it
        async with db.transaction() as tx:
            await outbox.claim_due(tx, clock.now(), 1)
        await d.recover()
    await d.run_once()
    given_up = await row(db, "poison")
    assert given_up.status is OutboxStatus.FAILED
    assert fake.starts == []


# ------------------------------------------------------------------ limits


async def test_one_message_a_second_to_one_private_chat(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    for i in range(3):
        await enqueue(db, clock, f"a{i}", 7)
    await enqueue(db, clock, "b", 8)
    d = dispatcher(db, bot, clock, fake_time)

    assert await d.run_once() == 2  # one to each chat
    fake_time.advance(0.5)
    assert await d.run_once() == 0
    for _ in range(4):
        fake_time.advance(0.5)
        await d.run_once()
    to_seven = [t for t, chat in fake.starts if chat == 7]
    assert len(to_seven) == 3
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(to_seven))
    assert sent_texts(fake)[-2:] == ["<b>Reminder</b> a1", "<b>Reminder</b> a2"]  # in order


async def test_a_chat_just_answered_gets_no_outbox_message_for_a_second(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    # The person acting in chat 7 was just answered: the outbox's message to them waits
    # a second (one chat's pace, answers and outbox together); chat 8 is not held up.
    budget = SendBudget(30, timer=fake_time)
    d = Dispatcher(db, bot, clock, DispatchLimits(rate=1000.0), timer=fake_time, budget=budget)
    await enqueue(db, clock, "a", 7)
    await enqueue(db, clock, "b", 8)
    budget.answered(7)
    answered_at = fake_time.monotonic()  # the budget and the dispatcher share the timer
    assert await d.run_once() == 1
    assert [chat for _, chat in fake.starts] == [8]
    fake_time.advance(0.5)
    assert await d.run_once() == 0
    fake_time.advance(0.5)
    assert await d.run_once() == 1
    started = [t for t, chat in fake.starts if chat == 7]
    assert started and started[0] - answered_at >= 1.0


async def test_at_most_twenty_a_minute_to_one_group(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    for i in range(45):
        await enqueue(db, clock, f"g{i}", -100)
    await enqueue(db, clock, "private", 5)
    d = dispatcher(db, bot, clock, fake_time, chat_interval=0.5)

    while fake_time.now < 1000 + 150:
        await d.run_once()
        fake_time.advance(0.25)

    group = [t for t, chat in fake.starts if chat == -100]
    assert len(group) == 45
    assert all(sum(1 for t in group if start <= t < start + 60) <= 20 for start in group)
    assert group[19] - group[0] < 60 and group[20] - group[0] >= 60
    assert len(fake.sent_messages(5)) == 1  # not held up behind the group


async def test_overall_rate_is_paced(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    for i in range(50):
        await enqueue(db, clock, f"k{i}", 100 + i)
    assert await dispatcher(db, bot, clock, fake_time, rate=25.0, burst=1).run_once() == 50
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(fake.starts)]
    assert gaps == pytest.approx([1 / 25] * 49)


async def test_sends_overlap_up_to_the_limit_but_never_to_one_chat(
    db: Database, clock: FixedClock
) -> None:
    fake = TimedFake(latency=(0.02, 0.04))
    tg = Bot("123:TEST", request=fake)
    await tg.initialize()
    for i in range(40):
        await enqueue(db, clock, f"k{i}", 100 + i % 10)
    d = Dispatcher(db, tg, clock, DispatchLimits(rate=2000.0, max_in_flight=3, chat_interval=0))
    for _ in range(10):
        await d.run_once()
    assert len(fake.sent_messages()) == 40
    assert fake.max_in_flight == 3
    assert not fake.same_chat_overlap


# ------------------------------------------------------------------ late rows


SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_nothing_goes_out_in_the_quiet_hours_even_if_it_was_due_before(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    """A row due at 20:55 that is still pending at 21:30 (the bot was down) waits for
    08:00: members were promised nothing in the night."""
    clock.set(datetime(2026, 3, 1, 20, 55, tzinfo=SHANGHAI))
    await enqueue(db, clock, "late", 11)
    clock.set(datetime(2026, 3, 1, 21, 30, tzinfo=SHANGHAI))
    d = Dispatcher(db, bot, clock, FAST, timer=fake_time, quiet=QuietHours(), zone=SHANGHAI)
    assert await d.run_once() == 0
    assert fake.sent_messages() == []
    # It sleeps until the morning (in polls of at most idle_poll), not in a busy loop.
    assert await d._idle_delay() == FAST.idle_poll
    clock.set(datetime(2026, 3, 2, 7, 59, 30, tzinfo=SHANGHAI))
    assert await d._idle_delay() == 30.0
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI))
    assert await d.run_once() == 1
    assert (await row(db, "late")).status is OutboxStatus.SENT


async def test_a_flood_pause_that_runs_into_the_quiet_hours_sends_nothing_after_it(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    clock.set(datetime(2026, 3, 1, 20, 59, tzinfo=SHANGHAI))
    await enqueue(db, clock, "a", 11)
    await enqueue(db, clock, "b", 12)
    fake.fail_next("sendMessage", error_code=429, retry_after=120, chat_id=11)
    d = Dispatcher(
        db, bot, clock, DispatchLimits(rate=1000.0, max_in_flight=1), timer=fake_time,
        quiet=QuietHours(), zone=SHANGHAI,
    )  # fmt: skip
    assert await d.run_once() == 0  # the pause ended at 21:01: quiet
    assert len(fake.starts) == 1
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI))
    assert await d.run_once() == 2


async def test_without_quiet_hours_a_late_row_goes_at_once(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    clock.set(datetime(2026, 3, 1, 23, 0, tzinfo=SHANGHAI))
    await enqueue(db, clock, "k", 11)
    none = QuietHours(time(0, 0), time(0, 0))
    d = Dispatcher(db, bot, clock, FAST, timer=fake_time, quiet=none, zone=SHANGHAI)
    assert await d.run_once() == 1


async def test_a_row_past_its_usefulness_is_given_up_and_logged_not_sent(
    db: Database,
    bot: Bot,
    fake: TimedFake,
    clock: FixedClock,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with db.transaction() as tx:
        for key, useful in (("stale", 3600), ("fresh", 3 * 3600), ("forever", None)):
            await outbox.enqueue(
                tx,
                chat_id=10 + len(key),
                member_id=None,
                kind="partyday.morning",
                text=key,
                buttons=None,
                dedupe_key=key,
                not_before=clock.now(),
                now=clock.now(),
                expires_at=None if useful is None else clock.now() + timedelta(seconds=useful),
            )
    clock.advance(timedelta(hours=2))  # the bot was down
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 2
    assert sorted(sent_texts(fake)) == ["forever", "fresh"]
    stale = await row(db, "stale")
    assert stale.status is OutboxStatus.FAILED and stale.attempts == 0
    assert stale.last_error is not None and stale.last_error.startswith("expired")
    assert d.stats.expired == 1
    assert "expired unsent" in caplog.text


async def test_an_expired_row_is_never_claimed(db: Database, clock: FixedClock) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(
            tx, chat_id=11, member_id=None, kind="k", text="t", buttons=None, dedupe_key="k",
            not_before=clock.now(), now=clock.now(), expires_at=clock.now(),
        )  # fmt: skip
        assert await outbox.claim_due(tx, clock.now(), 10) == []


# ------------------------------------------------------------------ crash and stop


async def test_restart_sends_rows_left_in_sending_again(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    for key in ("a", "b", "c"):
        await enqueue(db, clock, key, 10 + ord(key))
    async with db.transaction() as tx:  # a dispatcher died with two requests in flight
        await outbox.claim_due(tx, clock.now(), 2)

    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 1  # 'sending' rows are not touched without recovery
    assert await d.recover() == 2
    assert await d.run_once() == 2
    async with db.read() as conn:
        rows = await outbox.list_all(conn)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert sorted(r.attempts for r in rows) == [1, 2, 2]


async def test_run_recovers_at_start_and_wakes_for_new_rows(
    db: Database, clock: FixedClock
) -> None:
    fake = TimedFake()
    tg = Bot("123:TEST", request=fake)
    await tg.initialize()
    await enqueue(db, clock, "left-over", 11)
    async with db.transaction() as tx:
        await outbox.claim_due(tx, clock.now(), 1)
    d = Dispatcher(db, tg, clock, DispatchLimits(rate=1000.0, idle_poll=30.0))
    stop = asyncio.Event()
    runner = asyncio.create_task(d.run(stop))

    await _until(lambda: len(fake.sent_messages()) == 1)
    await enqueue(db, clock, "new", 12)
    d.wake()
    await _until(lambda: len(fake.sent_messages()) == 2)  # long before the 30 s poll
    stop.set()
    await asyncio.wait_for(runner, 2)
    assert d.stats.recovered == 1


async def test_graceful_stop_finishes_the_messages_in_flight(
    db: Database, clock: FixedClock
) -> None:
    fake = TimedFake(latency=(0.2, 0.2))
    tg = Bot("123:TEST", request=fake)
    await tg.initialize()
    for i in range(20):
        await enqueue(db, clock, f"k{i}", 100 + i)
    d = Dispatcher(db, tg, clock, DispatchLimits(rate=10.0, max_in_flight=2))
    stop = asyncio.Event()
    runner = asyncio.create_task(d.run(stop))
    await _until(lambda: sum(1 for c in fake.calls if c.ok is None) >= 2)

    stop.set()
    await asyncio.wait_for(runner, 2)

    async with db.read() as conn:
        rows = await outbox.list_all(conn)
    statuses = [r.status for r in rows]
    assert OutboxStatus.SENDING not in statuses
    assert statuses.count(OutboxStatus.SENT) == len(fake.sent_messages()) >= 2
    assert OutboxStatus.PENDING in statuses  # stopped, not drained


async def test_run_survives_a_failing_database_and_tries_again(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = TimedFake()
    tg = Bot("123:TEST", request=fake)
    await tg.initialize()
    await enqueue(db, clock, "k", 11)
    real_claim = outbox.claim_due
    failures = iter([True])

    async def flaky_claim(*args: Any, **kwargs: Any) -> list[OutboxMessage]:
        if next(failures, False):
            raise OSError("disk I/O error")
        return await real_claim(*args, **kwargs)

    monkeypatch.setattr(outbox, "claim_due", flaky_claim)
    d = Dispatcher(db, tg, clock, DispatchLimits(rate=1000.0, backoff_base=0.01))
    stop = asyncio.Event()
    runner = asyncio.create_task(d.run(stop))
    await _until(lambda: len(fake.sent_messages()) == 1)
    stop.set()
    await asyncio.wait_for(runner, 2)


async def test_a_database_failing_at_start_up_recovery_does_not_end_the_dispatcher(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = TimedFake()
    tg = Bot("123:TEST", request=fake)
    await tg.initialize()
    await enqueue(db, clock, "left-over", 11)
    async with db.transaction() as tx:
        await outbox.claim_due(tx, clock.now(), 1)
    await enqueue(db, clock, "k", 12)
    real_recover = outbox.recover_in_flight
    failures = iter([True])

    async def flaky_recover(*args: Any, **kwargs: Any) -> int:
        if next(failures, False):
            raise OSError("disk I/O error")
        return await real_recover(*args, **kwargs)

    monkeypatch.setattr(outbox, "recover_in_flight", flaky_recover)
    d = Dispatcher(db, tg, clock, DispatchLimits(rate=1000.0, backoff_base=0.01))
    stop = asyncio.Event()
    runner = asyncio.create_task(d.run(stop))
    await _until(lambda: len(fake.sent_messages()) == 2)
    stop.set()
    await asyncio.wait_for(runner, 2)
    assert d.stats.recovered == 1


async def test_a_failed_record_is_tried_again_instead_of_waiting_for_a_restart(
    db: Database,
    bot: Bot,
    fake: TimedFake,
    clock: FixedClock,
    fake_time: FakeTime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await enqueue(db, clock, "k", 11)
    real_mark_sent = outbox.mark_sent
    failures = iter([True])

    async def flaky_mark_sent(*args: Any, **kwargs: Any) -> None:
        if next(failures, False):
            raise OSError("database is locked")
        await real_mark_sent(*args, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent", flaky_mark_sent)
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 1
    assert (await row(db, "k")).status is OutboxStatus.SENT
    assert len(fake.sent_messages()) == 1
    assert d.stats.record_errors == 1


async def _until(condition: Callable[[], bool]) -> None:
    """Poll what the fake has recorded (it has no event to wait on), for at most 2 s."""
    async with asyncio.timeout(2.0):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


# ------------------------------------------------------------------ report


async def test_outbox_report_counts_by_kind_and_status(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    assert "Oldest pending: none" in await outbox_report(db)
    await enqueue(db, clock, "a", 11)
    await enqueue(db, clock, "b", 12, delay=3600)
    fake.block_user(11)
    await dispatcher(db, bot, clock, fake_time).run_once()

    report = await outbox_report(db)
    lines = report.splitlines()
    assert lines[1].split() == ["kind", "pending", "sending", "sent", "failed", "blocked", "total"]
    assert lines[2].split() == ["partyday.d3", "1", "0", "0", "0", "1", "2"]
    assert lines[3].split() == ["all", "1", "0", "0", "0", "1", "2"]
    assert lines[4].startswith("Oldest pending: #2 partyday.d3 to chat 12, due 2026-03-01 10:00:00")


# ------------------------------------------------------------------ urgent rows, edits, receipts


async def add(
    db: Database,
    clock: FixedClock,
    key: str,
    chat_id: int,
    text: str,
    *,
    urgent: bool = False,
    edit_of: int | None = None,
    kind: str = "pledge.notice",
) -> int:
    """A row as ``handlers.common.delivery`` queues it; returns its id."""
    async with db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=chat_id,
            member_id=None,
            kind=kind,
            text=text,
            buttons=None,
            dedupe_key=key,
            not_before=clock.now(),
            now=clock.now(),
            urgent=urgent,
            edit_of=edit_of,
            subject_id=7,
        )
    return (await row(db, key)).id


async def test_in_the_quiet_hours_only_urgent_rows_go_out(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    """Someone waiting for an answer gets it at 23:00; a notice for many waits for 08:00."""
    clock.set(datetime(2026, 3, 1, 23, 0, tzinfo=SHANGHAI))
    await add(db, clock, "notice", 11, "for everyone")
    await add(db, clock, "answer", 12, "your leave was approved", urgent=True)
    d = Dispatcher(db, bot, clock, FAST, timer=fake_time, quiet=QuietHours(), zone=SHANGHAI)
    assert await d.run_once() == 1
    assert sent_texts(fake) == ["your leave was approved"]
    assert (await row(db, "notice")).status is OutboxStatus.PENDING
    # Nothing urgent is left: it sleeps towards the morning, not in a busy loop.
    assert await d._idle_delay() == FAST.idle_poll
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI))
    assert await d.run_once() == 1
    assert (await row(db, "notice")).status is OutboxStatus.SENT


async def test_an_edit_waits_for_its_message_then_changes_it_in_place(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    post = await add(db, clock, "post", -100, "v1")
    # Queued before the post went out: held until it has, then applied to it.
    await add(db, clock, "edit", -100, "v2", urgent=True, edit_of=post)
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 1
    assert (await row(db, "edit")).status is OutboxStatus.PENDING
    fake_time.advance(2)  # the group's one message a second, edits included
    assert await d.run_once() == 1
    posted = await row(db, "post")
    assert posted.telegram_message_id is not None
    message = fake.message(-100, posted.telegram_message_id)
    assert message is not None and message["text"] == "v2"
    assert len(fake.calls_to("sendMessage")) == 1
    [call] = fake.calls_to("editMessageText")
    assert call.params["parse_mode"] == "HTML"
    assert (await row(db, "edit")).status is OutboxStatus.SENT


async def test_an_edit_that_changes_nothing_counts_as_done(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    post = await add(db, clock, "post", -100, "v1")
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 1
    fake_time.advance(2)
    await add(db, clock, "same", -100, "v1", urgent=True, edit_of=post)
    fake.fail_next(
        "editMessageText",
        error_code=400,
        description="Bad Request: message is not modified: specified new message content "
        "and reply markup are exactly the same",
    )
    assert await d.run_once() == 1
    assert (await row(db, "same")).status is OutboxStatus.SENT


async def test_only_the_newest_waiting_edit_is_sent(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    post = await add(db, clock, "post", -100, "v1")
    await add(db, clock, "e2", -100, "v2", urgent=True, edit_of=post)
    await add(db, clock, "e3", -100, "v3", urgent=True, edit_of=post)
    assert (await row(db, "e2")).status is OutboxStatus.FAILED
    assert "superseded" in str((await row(db, "e2")).last_error)
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 1
    fake_time.advance(2)
    assert await d.run_once() == 1
    assert [c.params["text"] for c in fake.calls_to("editMessageText")] == ["v3"]


async def test_an_edit_of_a_message_that_never_went_out_is_dropped(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    post = await add(db, clock, "post", -100, "v1")
    await add(db, clock, "edit", -100, "v2", urgent=True, edit_of=post)
    fake.fail_next("sendMessage", error_code=403, chat_id=-100)
    d = dispatcher(db, bot, clock, fake_time)
    assert await d.run_once() == 0
    assert (await row(db, "post")).status is OutboxStatus.BLOCKED
    assert await d.run_once() == 0
    edit = await row(db, "edit")
    assert edit.status is OutboxStatus.FAILED and "never sent" in str(edit.last_error)
    assert fake.calls_to("editMessageText") == []


async def test_receipts_learn_the_outcome_in_the_same_transaction(
    db: Database, bot: Bot, fake: TimedFake, clock: FixedClock, fake_time: FakeTime
) -> None:
    """A feature's receipt for its kind hears of sends, failures and a chat's move."""
    heard: list[tuple[str, str, int | None, int | None]] = []

    async def receipt(tx: Any, message: OutboxMessage, result: Any, now: datetime) -> None:
        status = await outbox.get(tx, message.id)  # already recorded, same transaction
        assert status is not None
        heard.append((message.dedupe_key, status.status.value, result.message_id, result.chat_id))

    await add(db, clock, "ok", -100, "a")
    await add(db, clock, "gone", -200, "b")
    await add(db, clock, "moved", -300, "c")
    await add(db, clock, "other", 11, "d", kind="partyday.d3")
    fake.fail_next("sendMessage", error_code=403, chat_id=-200)

    def migrated(method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if int(params.get("chat_id", 0)) != -300:
            return None
        body = error_response(400, "Bad Request: group chat was upgraded to a supergroup chat")
        return body | {"parameters": {"migrate_to_chat_id": -1009999}}

    fake.set_failure_rule(migrated)
    d = Dispatcher(db, bot, clock, FAST, timer=fake_time, receipts={"pledge.notice": receipt})
    await d.run_once()
    ok = await row(db, "ok")
    assert ("ok", "sent", ok.telegram_message_id, None) in heard
    assert ("gone", "blocked", None, None) in heard
    assert ("moved", "pending", None, -1009999) in heard  # moved, then sent at its new id
    assert ("moved", "sent") in [(key, status) for key, status, _, _ in heard]
    assert "other" not in [key for key, *_ in heard]  # no receipt for that kind
