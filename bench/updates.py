"""Updates a second: the whole bot against a bare python-telegram-bot echo bot, same run.

Both get their updates one at a time through ``process_update`` (as polling does) and talk
to the same fake Bot API transport (``tests/fakebot.py``, no latency), so the ratio says
what the bot's own work costs: identifying the person, guards, conversations, the
database, persistence. The full stack runs on a bureau of 20 branches × 49 members with
a year of history (``bench.scale``) and a realistic mix of what members do: /start, /me,
/help, a pledge typed step by step, a home visit tapped step by step, /partyday and
[参加]. The echo bot then gets the very same updates (the same JSON: a pressed button
comes with its message and keyboard) and answers a text with a text and a button with a
callback answer. The two take turns, 500 updates at a time, so a busy neighbour on the
machine slows both alike. Neither side is paced to Telegram's limits here.

It prints updates a second for both and their ratio, p50 and p99 per update, the CPU time
per update (on a busy machine the wall clock also counts waiting for a core), database
round trips per update (calls into aiosqlite's thread) by kind of step, and the
process's RSS at intervals (memory must stay flat).

    python -m bench.updates            # 100,000 updates
    python -m bench.updates --quick    # 5,000
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import logging
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bench import scale
from bench.common import BenchTelegram
from bot.app import build_application, startup
from handlers.common.services import SERVICES_KEY, BotConfig
from storage.clock import FixedClock
from storage.database import Database
from tests.fakebot import FakeUser, UpdateFactory

SIZE = scale.Size(branches=20, members=49, years=1)


# --------------------------------------------------------------------------- the mix


@dataclass(frozen=True)
class Step:
    kind: str  # "send" or "press"
    value: str
    alternatives: tuple[str, ...] = ()
    """Buttons to press instead if ``value`` is not shown (a resumed draft)."""


def _sessions() -> dict[str, list[Step]]:
    send, press = (lambda v: Step("send", v)), (lambda v, *alt: Step("press", v, alt))
    return {
        "start": [send("/start")],
        "me": [send("/me")],
        "help": [send("/help")],
        "pledge": [
            send("/pledge"),
            press("2026 年（今年）", "继续第 1 条"),
            press("教书育人", "2026-12-31"),
            send("本学期所带班级数学平均分提高五分，每周为后进生义务辅导两次"),
            send("1. 每周二、四下午辅导\n2、每月与家长沟通一次"),
            send("/cancel"),
        ],
        "visit": [
            send("/visit"),
            press("今天"),
            send("王同学"),
            send("三(2)班"),
            press("上门"),
            press("父母"),
            press("学习"),
            press("✅ 保存"),
        ],
        "partyday": [send("/partyday"), press("参加")],
    }


# How often each session starts, per 20 sessions (a visit and a pledge are long).
WEIGHTS = {"start": 3, "me": 4, "help": 3, "pledge": 2, "visit": 4, "partyday": 4}


def _plan(count: int) -> Iterator[tuple[FakeUser, str, Step, int]]:
    """(person, session, step, index) until ``count`` steps, people taking turns."""
    sessions = _sessions()
    order = [name for name, weight in WEIGHTS.items() for _ in range(weight)]
    # The members reading Chinese (four in five): the steps press buttons by their labels.
    people = [
        FakeUser(scale.TELEGRAM_BASE + member_id, f"教师{member_id}")
        for member_id in range(1, SIZE.people + 1)
        if not scale.reads_english(member_id)
    ]
    made = turn = 0
    while True:
        person = people[turn % len(people)]
        name = order[(turn * 7) % len(order)]
        for index, step in enumerate(sessions[name]):
            yield person, name, step, index
            made += 1
            if made == count:
                return
        turn += 1


# --------------------------------------------------------------------------- measuring


class RoundTrips:
    """Counts calls into aiosqlite's worker thread (each is one hop and back)."""

    def __init__(self) -> None:
        self.count = 0
        self._original = aiosqlite.Connection._execute

    def __enter__(self) -> RoundTrips:
        counter = self
        original = self._original

        async def counted(conn: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            counter.count += 1
            return await original(conn, fn, *args, **kwargs)

        aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        aiosqlite.Connection._execute = self._original  # type: ignore[method-assign]


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Run:
    name: str
    seconds: float = 0.0
    cpu: float = 0.0
    """CPU seconds of the whole process (all threads) while this side ran."""
    latencies: list[float] = field(default_factory=list)
    trips: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    rss: list[tuple[int, float]] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)] * 1000


CHUNK = 500
"""Updates the full stack handles before the echo bot gets the same ones: the two take
turns, so both see the same machine (other processes come and go)."""

Item = tuple[str, Callable[[], Update]]
"""A step's label ("visit 3") and how to make its update."""


@dataclass
class Side:
    run: Run
    app: Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def full_stack(path: Path) -> AsyncIterator[tuple[Side, UpdateFactory]]:
    tg = BenchTelegram()
    db = Database(path)
    await db.open()
    clock = FixedClock(scale.NOW)
    config = BotConfig(zone=scale.ZONE, admin_ids=frozenset({scale.ADMIN_TELEGRAM_ID}))
    app = build_application(token="999000:BENCH", db=db, config=config, clock=clock, request=tg)
    # The echo bot has no rate limiter: lift Telegram's answer budget (30 new messages a
    # second) here too, so the ratio compares each update's work, not Telegram's pacing
    # (with it, one person's updates one at a time cannot pass ~29 a second; bench.storm
    # measures answers under the limits).
    app.bot_data[SERVICES_KEY].budget.overall = 10**9
    await app.initialize()
    await startup(app, run_dispatcher=False)
    await app.start()
    try:
        yield Side(Run("full stack"), app), UpdateFactory(app.bot, tg)
    finally:
        await app.stop()
        await app.shutdown()
        await db.close()


def _steps(updates: UpdateFactory, count: int) -> Iterator[Item]:
    for user, session, step, index in _plan(count):
        yield f"{session} {index}", functools.partial(_update, updates, user, step)


def _update(updates: UpdateFactory, user: FakeUser, step: Step) -> Update:
    if step.kind == "send":
        return updates.text(user, step.value)
    for label in (step.value, *step.alternatives):
        try:
            return updates.press(user, label)
        except AssertionError:
            continue
    raise LookupError(f"no button {step.value}")


@asynccontextmanager
async def bare_ptb() -> AsyncIterator[Side]:
    """An echo bot on the same transport: a text is answered with a text, a button with
    a callback answer."""
    tg = BenchTelegram()
    app = ApplicationBuilder().token("999000:BARE").request(tg).get_updates_request(tg).build()

    async def echo(update: Update, context: Any) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    async def answer(update: Update, context: Any) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    app.add_handler(MessageHandler(tg_filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    await app.initialize()
    await app.start()
    try:
        yield Side(Run("bare PTB"), app)
    finally:
        await app.stop()
        await app.shutdown()


async def compare(count: int, path: Path) -> tuple[Run, Run]:
    """``count`` updates to the full stack, ``CHUNK`` at a time, each chunk then sent as
    Telegram sent it (the same JSON: a pressed button's message with its keyboard) to the
    echo bot."""
    every = max(count // 10, 1)
    async with full_stack(path) as (full, updates), bare_ptb() as bare:
        steps = _steps(updates, count)
        with RoundTrips() as trips:
            while chunk := list(itertools.islice(steps, CHUNK)):
                handled = await _drive(full, trips, chunk, rss_every=every)
                same = [
                    (label, functools.partial(Update.de_json, update.to_dict(), bare.app.bot))
                    for label, update in handled
                ]
                await _drive(bare, trips, same)
    return full.run, bare.run


async def _drive(
    side: Side, trips: RoundTrips, items: list[Item], rss_every: int = 0
) -> list[tuple[str, Update]]:
    """The updates one at a time (as polling hands them over); those handled."""
    tg = side.app.bot.request
    assert isinstance(tg, BenchTelegram)
    run = side.run
    handled: list[tuple[str, Update]] = []
    started, cpu = time.perf_counter(), time.process_time()
    for label, make in items:
        try:
            update = make()
        except LookupError as missing:
            run.failures[f"{label}: {missing}"] += 1
            continue
        before = trips.count
        began = time.perf_counter()
        await side.app.process_update(update)
        run.latencies.append(time.perf_counter() - began)
        run.trips[label].append(trips.count - before)
        tg.calls.clear()
        handled.append((label, update))
        if rss_every and len(run.latencies) % rss_every == 0:
            run.rss.append((len(run.latencies), rss_mib()))
    run.seconds += time.perf_counter() - started
    run.cpu += time.process_time() - cpu
    return handled


def report(full: Run, bare: Run) -> None:
    print(f"\n{'':<12}{'updates/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>9}{'updates':>9}")
    for r in (bare, full):
        print(
            f"{r.name:<12}{r.rate:>12.0f}{r.percentile(0.5):>9.2f}{r.percentile(0.99):>9.2f}"
            f"{r.cpu / len(r.latencies) * 1000:>9.2f}{len(r.latencies):>9}"
        )
    print(f"ratio full/bare: {full.rate / bare.rate:.3f}× (goal ≥ 0.2×)")
    # On a busy machine the wall clock also counts waiting for a core; CPU time does not.
    cpu_ratio = (bare.cpu / len(bare.latencies)) / (full.cpu / len(full.latencies))
    print(f"by CPU time per update: {cpu_ratio:.3f}×")
    trips = [t for values in full.trips.values() for t in values]
    print(
        f"database round trips per update: mean {statistics.mean(trips):.1f}, "
        f"median {statistics.median(trips):.0f}, max {max(trips)} (goal ≤ 6 for a typical step)"
    )
    sessions = _sessions()
    for name in WEIGHTS:
        per_step = [
            statistics.median(full.trips[f"{name} {i}"]) if full.trips.get(f"{name} {i}") else 0
            for i in range(len(sessions[name]))
        ]
        print(f"  {name:<9} {' '.join(f'{t:.0f}' for t in per_step)}")
    print("RSS (MiB) by updates handled: " + ", ".join(f"{n}: {m:.0f}" for n, m in full.rss))
    if full.failures:
        print(f"steps that could not be made: {dict(full.failures)}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 updates")
    args = parser.parse_args()
    count = 5_000 if args.quick else args.count
    logging.basicConfig(level=logging.ERROR)
    source = await scale.ensure(SIZE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bot.sqlite3"
        shutil.copyfile(source, path)
        full, bare = await compare(count, path)
    print(f"{SIZE.branches} branches × {SIZE.members} members, pid {os.getpid()}")
    report(full, bare)


if __name__ == "__main__":
    asyncio.run(main())
