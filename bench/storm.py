"""The worst hour: 09:00 on the 1st, the party-day announcement fanning out to the whole
bureau while members tap [参加] on it, and the monthly digest ticking in the middle.

On the ten-year database of ``bench.scale`` (100 branches × 50 members), the real
Application runs with its own dispatcher and reminder tick, against a fake Bot API that
answers in 30–80 ms and returns 429 (retry after 1 s) where Telegram would: over 30 new
messages in a second overall, a private chat getting more than a burst of 3 at 1 a
second, a group over 20 a minute. At 09:00 the tick queues the announcement for
everyone; each member, a while after it arrives (randomly spread), taps 参加 (or 请假 and
a reason); one in five then logs a home visit step by step. Every branch's digest is set
for 09:02, so that tick lands in the middle of the fan-out.

It prints the time from each update's arrival to its first answer (p50, p99, max), the
fan-out's rate as a share of the configured rate, the longest any write transaction held
the writer lock, the longest event-loop stall, and the 429s received. A watchdog thread
samples the loop thread's stack while the loop is over 50 ms late, and each stall is
printed with the loop thread's and the process's CPU time in it: CPU near the stall's
length means the loop was busy (the stacks say with what; the garbage collector's long
collections are listed too), far below it means the process was waiting for a core.
A 429 to a private chat is printed with the sends to that chat just before it.

    python -m bench.storm               # 5,000 members, taps 5–120 s after the announcement
    python -m bench.storm --quick       # 1,000 members (20 branches, 1 year), taps 0.5–8 s
    python -m bench.storm --rate 10     # the outbox configured for 10 messages/s (default 25)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from telegram import Update

from bench import scale
from bench.common import BenchTelegram
from bot.app import build_application, erase_expired, freeze_long_lived, shutdown, startup
from handlers.common.services import SERVICES_KEY, BotConfig
from schedules.budget import MESSAGE_METHODS
from storage.database import Database
from tests.fakebot import FakeUser, UpdateFactory, error_response

LATENCY = (0.030, 0.080)
OVERALL = 30  # new messages a second, the whole bot
CHAT_BURST, CHAT_RATE = 3, 1.0  # a private chat: a burst of 3, then 1 a second
GROUP_PER_MINUTE = 20
DIGEST_TIME = "09:02"
LEAVE_SHARE, VISIT_SHARE = 0.1, 0.2
VISIT = ["/visit", "今天", "王同学", "三(2)班", "上门", "父母", "学习", "✅ 保存"]
THINK = (1.0, 3.0)  # seconds between a member's steps


class ShiftedClock:
    """Real time, starting at 09:00 on the 1st."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)

    def restart(self) -> None:
        """09:00 again: what ran before the storm took no time on its clock."""
        self._began = time.monotonic()


class TimedLock(asyncio.Lock):
    """The writer lock, noting how long each holder kept it."""

    def __init__(self) -> None:
        super().__init__()
        self.longest = 0.0
        self.longest_cpu = 0.0
        """The process's CPU time during the longest hold (far below it: waiting for a core)."""
        self.longest_by: tuple[str, ...] = ()
        """Who took the lock for the longest hold (the innermost frames of our code)."""
        self.holds: list[float] = []
        self.over: Counter[tuple[str, ...]] = Counter()
        """Who held the lock over 100 ms, and how often."""
        self._since = 0.0
        self._cpu = 0.0
        self._by: tuple[str, ...] = ()

    async def acquire(self) -> bool:
        await super().acquire()
        self._since, self._cpu = time.perf_counter(), time.process_time()
        self._by = _stack(sys._getframe(1), 4, ours=True)
        return True

    def release(self) -> None:
        held = time.perf_counter() - self._since
        self.holds.append(held)
        if held > 0.1:
            self.over[self._by] += 1
        if held > self.longest:
            self.longest, self.longest_cpu = held, time.process_time() - self._cpu
            self.longest_by = self._by
        super().release()


class StormTelegram(BenchTelegram):
    """The fake Bot API with Telegram's limits, telling the storm about each answer."""

    def __init__(self, storm: Storm) -> None:
        super().__init__(latency=LATENCY, packed=True)  # 5,000 chats' messages
        self.storm = storm
        self._overall: deque[float] = deque()
        self._chats: dict[int, tuple[float, float]] = {}  # tokens, when
        self._groups: dict[int, deque[float]] = {}
        self.too_many: Counter[str] = Counter()
        self._sent: dict[int, deque[tuple[float, str]]] = {}
        self.refused: list[list[str]] = []
        """For each 429 to a private chat: the sends to that chat just before it."""
        self.set_failure_rule(self._limits)

    async def _answer(self, method: str, p: dict[str, Any]) -> Any:
        # Called after the request's latency, when Telegram has done what it asked.
        result = await super()._answer(method, p)
        if len(self.calls) > 1000:
            self.calls.clear()  # requests in flight keep their own records
        self.storm.observe(method, p, result)
        return result

    def _limits(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if method not in MESSAGE_METHODS:
            return None
        now = time.monotonic()
        while self._overall and now - self._overall[0] >= 1.0:
            self._overall.popleft()
        chat = int(params["chat_id"])
        if len(self._overall) >= OVERALL:
            return self._refuse("overall")
        if chat < 0:
            sends = self._groups.setdefault(chat, deque())
            while sends and now - sends[0] >= 60:
                sends.popleft()
            if len(sends) >= GROUP_PER_MINUTE:
                return self._refuse("group")
            sends.append(now)
        else:
            tokens, when = self._chats.get(chat, (CHAT_BURST, now))
            tokens = min(CHAT_BURST, tokens + (now - when) * CHAT_RATE)
            sent = self._sent.setdefault(chat, deque(maxlen=4))
            if tokens < 1:
                self.refused.append(
                    [f"{who} {now - at:.2f} s before" for at, who in sent] + [f"now {_sender()}"]
                )
                return self._refuse("chat")
            self._chats[chat] = (tokens - 1, now)
            sent.append((now, _sender()))
        self._overall.append(now)
        return None

    def _refuse(self, why: str) -> dict[str, Any]:
        self.too_many[why] += 1
        return error_response(429, "Too Many Requests: retry after 1", retry_after=1)


def _sender() -> str:
    """Who sends the request being checked: the outbox's dispatcher or an answer (and
    which handler), from the coroutines awaiting it."""
    frame: FrameType | None = sys._getframe(2)
    handler = "answer"
    while frame is not None:
        name = frame.f_code.co_filename
        if name.endswith("dispatcher.py"):
            return "outbox"
        if "/handlers/" in name and handler == "answer":
            handler = f"answer ({Path(name).stem}.{frame.f_code.co_name})"
        frame = frame.f_back
    return handler


@dataclass
class Storm:
    delays: tuple[float, float]
    rng: random.Random = field(default_factory=lambda: random.Random(9))
    latencies: list[float] = field(default_factory=list)
    fanout_sends: list[float] = field(default_factory=list)
    members: set[asyncio.Task[None]] = field(default_factory=set)
    """The members still acting (a finished one is forgotten: its phone is not this process)."""
    waiting: dict[int, tuple[float, asyncio.Event]] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    updates: UpdateFactory | None = None
    queue: asyncio.Queue[object] | None = None
    stalls: float = 0.0
    lost_steps: Counter[str] = field(default_factory=Counter)
    ticks: list[tuple[datetime, float, int]] = field(default_factory=list)
    shares: list[tuple[float, int, int]] = field(default_factory=list)
    """(when, answers, outbox messages) started so far, from the shared budget."""
    unanswered: Counter[str] = field(default_factory=Counter)
    watchdog: Watchdog = field(default_factory=lambda: Watchdog())

    def observe(self, method: str, params: dict[str, Any], result: Any) -> None:
        """Every answered request: an announcement starts a member; an answer ends a wait."""
        if method == "answerCallbackQuery":
            chat = self.queries.pop(str(params.get("callback_query_id")), None)
        else:
            chat = int(params["chat_id"]) if "chat_id" in params else None
        if chat is not None and chat in self.waiting:
            since, answered = self.waiting.pop(chat)
            self.latencies.append(time.monotonic() - since)
            answered.set()
        announced = method == "sendMessage" and "pd:att:" in str(params.get("reply_markup"))
        if announced and chat is not None and chat > 0 and chat not in self.waiting:
            self.fanout_sends.append(time.monotonic())
            task = asyncio.create_task(self.member(chat))
            self.members.add(task)
            task.add_done_callback(self.members.discard)

    async def member(self, chat: int) -> None:
        await asyncio.sleep(self.rng.uniform(*self.delays))
        user = FakeUser(chat, f"教师{chat - scale.TELEGRAM_BASE}")
        if self.rng.random() < LEAVE_SHARE:
            await self.tap(user, "pd:lv:")
            await self.think()
            await self.tap(user, "", newest=True)  # the first reason offered
        else:
            await self.tap(user, "pd:att:")
            english = scale.reads_english(chat - scale.TELEGRAM_BASE)
            if not english and self.rng.random() < VISIT_SHARE:
                await self.visit(user)

    async def visit(self, user: FakeUser) -> None:
        """A home visit logged step by step, a few seconds between the steps."""
        for step in VISIT:
            await self.think()
            if step.startswith("/") or step in ("王同学", "三(2)班"):
                await self.put(user, self._factory().text(user, step))
            else:
                try:
                    update = self._factory().press(user, step)
                except AssertionError:
                    self.lost_steps[step] += 1
                    return
                await self.put(user, update, query=True)

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*THINK))

    async def tap(self, user: FakeUser, prefix: str, *, newest: bool = False) -> None:
        """Press the first button whose data starts with ``prefix`` (on the newest message
        only, with ``newest``); labels differ by language, the data does not."""
        assert self.updates is not None and self.updates.fake is not None
        shown = self.updates.fake.messages_in(user.id)
        for message in reversed(shown[-1:] if newest else shown):
            for _, data in BenchTelegram.buttons(message):
                if data and data.startswith(prefix) and data != "flow:cancel":
                    update = self._factory().callback(user, data, message["message_id"])
                    await self.put(user, update, query=True)
                    return

    async def put(self, user: FakeUser, update: Update, *, query: bool = False) -> None:
        if query:
            assert update.callback_query is not None
            self.queries[update.callback_query.id] = user.id
        answered = asyncio.Event()
        self.waiting[user.id] = (time.monotonic(), answered)
        assert self.queue is not None
        await self.queue.put(update)
        try:
            await asyncio.wait_for(answered.wait(), 120)
        except TimeoutError:
            self.waiting.pop(user.id, None)
            self.latencies.append(float("inf"))
            self.unanswered[_describe(update)] += 1

    def _factory(self) -> UpdateFactory:
        assert self.updates is not None
        return self.updates


def _time_the_ticks(engine: Any, storm: Storm) -> None:
    """Note how long each reminder tick takes, and what it queued."""
    tick = engine.tick

    async def timed() -> Any:
        began = time.perf_counter()
        report = await tick()
        storm.ticks.append((report.at, time.perf_counter() - began, report.queued))
        return report

    engine.tick = timed


def _describe(update: Update) -> str:
    if update.callback_query is not None:
        return str(update.callback_query.data).rsplit(":", 2)[0]
    return str(update.effective_message.text if update.effective_message else update)


async def count_the_shares(stop: asyncio.Event, storm: Storm, budget: Any) -> None:
    """Every half second: how many answers and outbox messages have started so far."""
    while not stop.is_set():
        storm.shares.append((time.monotonic(), budget.answers, budget.fanout))
        await asyncio.sleep(0.5)


async def watch_the_loop(stop: asyncio.Event, storm: Storm) -> None:
    """The longest the event loop went without running this task when it was due; each
    gap over ``STALL`` is noted with the loop thread's and the process's CPU time in it
    (CPU near the gap: the loop was busy; far below: it waited for a core or the GIL) and
    the stacks ``Watchdog`` sampled meanwhile."""
    watchdog = storm.watchdog
    while not stop.is_set():
        began, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
        watchdog.beat = began
        await asyncio.sleep(0.005)
        ended = time.perf_counter()
        gap = ended - began - 0.005
        storm.stalls = max(storm.stalls, gap)
        if gap > STALL:
            watchdog.note(
                Stall(gap, time.thread_time() - cpu, time.process_time() - process),
            )


STALL = 0.05
"""A loop late by more than this (seconds) is a stall worth explaining."""


@dataclass
class Stall:
    seconds: float
    loop_cpu: float
    """CPU time of the loop thread during the stall."""
    process_cpu: float
    """CPU time of the whole process (every thread) during the stall."""
    stacks: list[tuple[str, ...]] = field(default_factory=list)


class Watchdog(threading.Thread):
    """Samples the loop thread's stack every ``EVERY`` seconds while the loop is late by
    more than ``STALL``: what the loop was doing (or waiting in) when it stalled."""

    EVERY = 0.01

    def __init__(self) -> None:
        super().__init__(daemon=True, name="storm-watchdog")
        self.loop_thread = threading.get_ident()
        self.beat = time.perf_counter()
        self.stopped = threading.Event()
        self.stalls: list[Stall] = []
        self._samples: list[tuple[str, ...]] = []
        self._lock = threading.Lock()
        self.collections: list[tuple[int, float]] = []
        """(generation, seconds) of every garbage collection that took over 10 ms."""
        self._collecting = 0.0
        gc.callbacks.append(self._time_collection)

    def _time_collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        elif (took := time.perf_counter() - self._collecting) > 0.01:
            self.collections.append((info["generation"], took))

    def run(self) -> None:
        while not self.stopped.wait(self.EVERY):
            if time.perf_counter() - self.beat <= STALL:
                continue
            frame = sys._current_frames().get(self.loop_thread)
            if frame is not None:
                with self._lock:
                    self._samples.append(_stack(frame))

    def note(self, stall: Stall) -> None:
        """A stall just ended (called on the loop): it takes the samples taken meanwhile."""
        with self._lock:
            stall.stacks, self._samples = self._samples, []
        self.stalls.append(stall)

    def report(self, top: int = 6) -> None:
        if not self.stalls:
            return
        worst = sorted(self.stalls, key=lambda s: s.seconds, reverse=True)
        wall = sum(s.seconds for s in self.stalls)
        loop = sum(s.loop_cpu for s in self.stalls)
        process = sum(s.process_cpu for s in self.stalls)
        print(
            f"stalls over {STALL * 1000:.0f} ms: {len(self.stalls)}, {wall:.2f} s in all; "
            f"loop thread CPU {loop:.2f} s ({loop / wall:.0%}), process CPU {process:.2f} s"
        )
        for stall in worst[:top]:
            print(
                f"  {stall.seconds * 1000:.0f} ms: loop CPU {stall.loop_cpu * 1000:.0f} ms, "
                f"process CPU {stall.process_cpu * 1000:.0f} ms, {len(stall.stacks)} samples"
            )
            for stack, count in Counter(stall.stacks).most_common(2):
                print(f"    {count}× " + "\n        ".join(stack))
        slow = sorted(self.collections, key=lambda c: c[1], reverse=True)
        print(
            f"  garbage collections over 10 ms: {len(slow)}; longest "
            + ", ".join(f"{s * 1000:.0f} ms (gen {g})" for g, s in slow[:5])
        )
        innermost: Counter[str] = Counter()
        for stall in self.stalls:
            innermost.update(stack[0] for stack in stall.stacks if stack)
        print("  innermost frames over all stalls (samples):")
        for where, count in innermost.most_common(top * 2):
            print(f"    {count:4d} {where}")


def _stack(frame: FrameType | None, depth: int = 10, *, ours: bool = False) -> tuple[str, ...]:
    """The innermost ``depth`` frames as file:line function, innermost first (with
    ``ours``, only those in the bot's own packages)."""
    found = []
    while frame is not None and len(found) < depth:
        code = frame.f_code
        parts = Path(code.co_filename).parts
        if not ours or ("site-packages" not in parts and OURS.intersection(parts)):
            found.append(f"{'/'.join(parts[-2:])}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(found)


OURS = frozenset({"bot", "handlers", "schedules", "storage"})


def prepare(source: Path, folder: Path) -> Path:
    path = folder / "storm.sqlite3"
    shutil.copyfile(source, path)
    # On disk before the storm: otherwise the first checkpoint's fsync waits for the whole
    # copy (1.4 GB at ten years) to be written back.
    with path.open("rb+") as copy:
        os.fsync(copy.fileno())
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO reminder_rules (branch_id, name, value, updated_by, updated_at)"
            " SELECT id, 'digest_time', ?, NULL, created_at FROM branches",
            (DIGEST_TIME,),
        )
    conn.close()
    return path


async def steady_retention(app: Any, lock: TimedLock) -> None:
    """Erase what is past retention before the storm: a deployment ten years old has done
    so every night (the built history never has). Printed, as it is also the first run
    at ten years: the longest batch is the longest the writer lock is held by it."""
    began = time.perf_counter()
    erased = await erase_expired(app)
    print(
        f"retention before the storm: {erased} in {time.perf_counter() - began:.1f} s,"
        f" the longest batch held the writer lock {lock.longest * 1000:.0f} ms"
    )
    lock.longest = lock.longest_cpu = 0.0
    lock.holds.clear()
    lock.over.clear()


async def run(
    size: scale.Size,
    delays: tuple[float, float],
    limit: float,
    verbose: bool = False,
    rate: float | None = None,
) -> None:
    source = await scale.ensure(size)
    storm = Storm(delays)
    with tempfile.TemporaryDirectory() as folder:
        path = prepare(source, Path(folder))
        db = Database(path)
        await db.open()
        lock = TimedLock()
        db._lock = lock  # the bench watches the writer lock
        tg = StormTelegram(storm)
        config = BotConfig(zone=scale.ZONE, admin_ids=frozenset({scale.ADMIN_TELEGRAM_ID}))
        if rate is not None:
            config = replace(config, send_rate=rate)
        clock = ShiftedClock(scale.NOW)
        app = build_application(token="999000:STORM", db=db, config=config, clock=clock,
                                request=tg)  # fmt: skip
        await app.initialize()
        await steady_retention(app, lock)
        clock.restart()
        storm.updates = UpdateFactory(app.bot, tg)
        storm.queue = app.update_queue
        stop = asyncio.Event()
        began = time.monotonic()
        await app.start()
        await startup(app)  # the dispatcher, and the tick a second from now
        freeze_long_lived()  # as `xianfeng run` does
        # The collections before (retention's, freezing's own) are not the storm's.
        storm.watchdog.collections.clear()
        watcher = asyncio.create_task(watch_the_loop(stop, storm))
        storm.watchdog.start()
        services = app.bot_data[SERVICES_KEY]
        dispatcher = services.dispatcher
        _time_the_ticks(services.reminders, storm)
        counter = asyncio.create_task(count_the_shares(stop, storm, services.budget))
        while time.monotonic() - began < limit:
            await asyncio.sleep(1)
            if verbose and int(time.monotonic() - began) % 10 == 0:
                seconds = time.monotonic() - began
                print(
                    f"{seconds:.0f} s: {len(storm.fanout_sends)} announced, "
                    f"{len(storm.latencies)} answered, {len(storm.waiting)} waiting"
                )
            done = not storm.members
            digest_ticked = clock.now() > scale.NOW + timedelta(minutes=2, seconds=30)
            if storm.fanout_sends and done and digest_ticked:
                async with db.read() as conn:
                    rows = await conn.execute_fetchall(
                        "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                    )
                if next(iter(rows))[0] == 0:
                    break
        elapsed = time.monotonic() - began
        stop.set()
        await watcher
        storm.watchdog.stopped.set()
        gc.callbacks.remove(storm.watchdog._time_collection)
        await counter
        await shutdown(app)
        await app.stop()
        await app.shutdown()
        await db.close()
    budget = services.budget
    room = budget.overall - budget.answer_reserve
    report(storm, tg, dispatcher, config.send_rate, room, lock, elapsed, size)


def report(storm: Storm, tg: StormTelegram, dispatcher: Any, rate: float, room: int,
           lock: TimedLock, elapsed: float, size: scale.Size) -> None:  # fmt: skip
    answered = sorted(x for x in storm.latencies if x != float("inf"))
    lost = len(storm.latencies) - len(answered)

    def pct(share: float) -> float:
        return answered[min(int(share * len(answered)), len(answered) - 1)] * 1000

    sends = storm.fanout_sends
    span = (sends[-1] - sends[0]) if len(sends) > 1 else float("nan")
    achieved = (len(sends) - 1) / span if len(sends) > 1 else 0.0
    print(f"\n{size.branches} branches × {size.members} members, {size.years} y; {elapsed:.0f} s")
    print(f"updates answered: {len(answered)} of {len(storm.latencies)} ({lost} never)")
    print(
        f"answer latency: p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {pct(1.0):.0f} ms"
        " (goal p99 ≤ 500 ms, max ≤ 2 s)"
    )
    print(
        f"fan-out: {len(sends)} announcements in {span:.0f} s = {achieved:.1f}/s = "
        f"{achieved / rate:.1%} of the configured {rate:g}/s (goal ≥ 95%); dispatcher "
        f"sent {dispatcher.stats.sent}, paused {dispatcher.stats.paused_seconds:.1f} s"
    )
    if len(sends) > 1:
        shared(storm, sends[0], sends[-1], rate, room)
    print(
        f"longest write-lock hold: {lock.longest * 1000:.0f} ms, the process's CPU time "
        f"meanwhile {lock.longest_cpu * 1000:.0f} ms (goal ≤ 100 ms)"
    )
    if lock.longest_by:
        print("  taken by " + " < ".join(lock.longest_by))
    if lock.holds:
        holds = sorted(lock.holds)
        print(
            f"  {len(holds)} holds: p50 {holds[len(holds) // 2] * 1000:.1f} ms, p99 "
            f"{holds[int(len(holds) * 0.99)] * 1000:.0f} ms; over 100 ms: {sum(lock.over.values())}"
        )
        for by, times in lock.over.most_common(3):
            print(f"    {times}× " + " < ".join(by[:2]))
    print(f"longest event-loop stall: {storm.stalls * 1000:.0f} ms (goal ≤ 100 ms)")
    storm.watchdog.report()
    print(f"429s: {sum(tg.too_many.values())} {dict(tg.too_many)} (goal 0)")
    for refused in tg.refused:
        print("  429 to a chat after: " + "; ".join(refused))
    for at, seconds, queued in storm.ticks:
        if queued:
            local = at.astimezone(scale.ZONE)
            print(f"tick at {local:%H:%M:%S}: {seconds * 1000:.0f} ms, queued {queued}")
    quiet = sorted(seconds for _, seconds, queued in storm.ticks if not queued)
    if quiet:
        median = quiet[len(quiet) // 2] * 1000
        print(
            f"ordinary ticks (nothing due): {len(quiet)}, median {median:.0f} ms,"
            f" longest {quiet[-1] * 1000:.0f} ms (goal ≤ 100 ms)"
        )
    if storm.unanswered or storm.lost_steps:
        print(
            f"never answered: {dict(storm.unanswered)}; steps not shown: {dict(storm.lost_steps)}"
        )


def shared(storm: Storm, first: float, last: float, rate: float, room: int) -> None:
    """Telegram's one overall limit, as answers and the fan-out shared it meanwhile.

    Answers go first, so the fan-out can only use what they leave of the budget it draws
    on (``room`` a second): its share of that is what the dispatcher controls.
    """
    inside = [s for s in storm.shares if first <= s[0] <= last]
    if len(inside) < 2:
        return
    (t0, answers0, out0), (t1, answers1, out1) = inside[0], inside[-1]
    answers, out = (answers1 - answers0) / (t1 - t0), (out1 - out0) / (t1 - t0)
    left = max(min(rate, room - answers), 0.001)
    print(
        f"Telegram's overall limit meanwhile: {answers + out:.1f} new messages/s "
        f"(answers {answers:.1f}/s first, outbox {out:.1f}/s); the outbox had "
        f"min({rate:g}, {room} - answers) = {left:.1f}/s left and used {out / left:.0%} of it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--branches", type=int)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--years", type=int)
    parser.add_argument("--limit", type=float, default=900.0, help="seconds at most")
    parser.add_argument("--verbose", action="store_true", help="progress every 10 s")
    parser.add_argument(
        "--rate", type=float, help="the outbox's configured messages a second (XIANFENG_SEND_RATE)"
    )
    args = parser.parse_args()
    if args.rate is not None and not 0 < args.rate <= 30:
        parser.error("--rate: more than 0 and at most 30 messages a second")
    logging.basicConfig(level=logging.ERROR)
    if args.quick:
        size = scale.Size(args.branches or 20, args.members, args.years or 1)
        delays = (0.5, 8.0)
    else:
        size = scale.Size(args.branches or 100, args.members, args.years or 10)
        delays = (5.0, 120.0)
    asyncio.run(run(size, delays, args.limit, args.verbose, args.rate))


if __name__ == "__main__":
    main()
