"""Crash benchmark: SIGKILL the dispatcher mid-way, restart it, and count what arrived.

The parent fills an outbox with N reminders, then runs the dispatcher in a child process
and kills it with SIGKILL ``--kills`` times at random moments, restarting it each time;
the last child runs to the end. The child's fake Bot API stands in for Telegram: it
"delivers" a message half-way through the request (so a kill can land after delivery
but before the answer is recorded, which is what makes a repeat possible) and appends
the delivery to a log with flush + fsync before answering, so the count survives kills.

Prints delivered, duplicates (the design bound: at most the requests in flight at each
kill, at most ``--in-flight``; ``--in-flight 1`` gives at most one per kill) and lost
(goal: 0).

    python -m bench.crash [--count 2000] [--kills 3] [--rate 25] [--in-flight 4]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from telegram import Bot
from telegram.request import RequestData

from bench.common import fill_outbox, index_from_text, status_counts, unfinished
from schedules.dispatcher import Dispatcher, DispatchLimits
from storage.clock import SystemClock
from storage.database import Database
from tests.fakebot import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
# Each way of a request: delivery happens between the two halves.
HALF_LATENCY = (0.015, 0.040)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--child", nargs=3, metavar=("DB", "LOG", "GENERATION"))
    args = parser.parse_args()
    if args.child:
        database, log, generation = args.child
        asyncio.run(child(Path(database), Path(log), int(generation), args.rate, args.in_flight))
    else:
        parent(args.count, args.kills, args.rate, args.in_flight)


# ---------------------------------------------------------------------- the parent


def parent(count: int, kills: int, rate: float, in_flight: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database, log = Path(folder) / "crash.sqlite3", Path(folder) / "deliveries.log"
        log.touch()
        asyncio.run(_fill(database, count))
        in_flight_at_kill: list[int] = []
        started = time.monotonic()
        for generation in range(kills + 1):
            sys.stdout.flush()  # the children write to the same stdout
            process = _spawn(database, log, generation, rate, in_flight)
            if generation < kills:
                _wait_for_lines(log, count * (generation + 1) // (kills + 1), process)
                time.sleep(random.uniform(0, 0.04))  # land at a random point of a send
                process.send_signal(signal.SIGKILL)
                process.wait()
                in_flight_at_kill.append(asyncio.run(_count_sending(database)))
            elif process.wait() != 0:
                raise SystemExit(f"the last dispatcher exited with {process.returncode}")
        elapsed = time.monotonic() - started
        deliveries = _read_log(log)
        counts = asyncio.run(_counts(database))

    per_index = Counter(index for index, _ in deliveries)
    duplicates = sum(n - 1 for n in per_index.values() if n > 1)
    first_generation: dict[int, int] = {}
    for index, generation in deliveries:
        first_generation.setdefault(index, generation)
    per_kill = Counter(first_generation[i] for i, n in per_index.items() if n > 1)
    lost = count - len(per_index)

    print(
        f"crash: {count} reminders, {kills} SIGKILLs of the dispatcher, limit {rate:g}/s, "
        f"at most {in_flight} in flight, {elapsed:.1f} s in all"
    )
    for generation, sending in enumerate(in_flight_at_kill):
        print(
            f"  kill {generation + 1}: {sending} row(s) left in 'sending', "
            f"{per_kill.get(generation, 0)} delivered twice"
        )
    print(f"delivered:   {len(per_index)} distinct, {len(deliveries)} deliveries in all")
    print(
        f"duplicates:  {duplicates} (bound: the requests in flight at each kill, "
        f"at most {in_flight} per kill, {in_flight * kills} here)"
    )
    print(f"lost:        {lost}")
    print(f"outbox:      {counts}")


def _spawn(database: Path, log: Path, generation: int, rate: float, in_flight: int) -> Any:
    command = [sys.executable, "-m", "bench.crash", "--child", str(database), str(log)]
    command += [str(generation), "--rate", str(rate), "--in-flight", str(in_flight)]
    return subprocess.Popen(command, cwd=ROOT)


def _wait_for_lines(log: Path, lines: int, process: Any) -> None:
    while log.read_bytes().count(b"\n") < lines:
        if process.poll() is not None:
            raise SystemExit(f"the dispatcher exited early with {process.returncode}")
        time.sleep(0.005)


def _read_log(log: Path) -> list[tuple[int, int]]:
    entries = []
    for line in log.read_text().splitlines():
        index, generation = line.split()
        entries.append((int(index), int(generation)))
    return entries


async def _fill(path: Path, count: int) -> None:
    db = Database(path)
    await db.open()
    await fill_outbox(db, count, SystemClock().now())
    await db.close()


async def _count_sending(path: Path) -> int:
    return (await _counts(path)).get("sending", 0)


async def _counts(path: Path) -> dict[str, int]:
    db = Database(path)
    await db.open()
    try:
        return await status_counts(db)
    finally:
        await db.close()


# ---------------------------------------------------------------------- the child


class DurableTelegram(FakeTelegram):
    """The fake Bot API, delivering half-way through a request and logging it durably."""

    def __init__(self, log: IO[str], generation: int) -> None:
        super().__init__()
        self.log = log
        self.generation = generation

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        if not url.endswith("/sendMessage") or request_data is None:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        await asyncio.sleep(random.uniform(*HALF_LATENCY))
        code, body = await super().do_request(url, method, request_data, *args, **kwargs)
        if code == 200:
            index = index_from_text(str(request_data.parameters["text"]))
            self.log.write(f"{index} {self.generation}\n")
            self.log.flush()
            os.fsync(self.log.fileno())
        self.calls.clear()
        await asyncio.sleep(random.uniform(*HALF_LATENCY))
        return code, body


async def child(database: Path, log_path: Path, generation: int, rate: float, n: int) -> None:
    logging.basicConfig(format=f"  [dispatcher {generation + 1}] %(message)s", stream=sys.stdout)
    db = Database(database)
    await db.open()
    with log_path.open("a", encoding="utf-8") as log:
        bot = Bot("123:TEST", request=DurableTelegram(log, generation))
        await bot.initialize()
        dispatcher = Dispatcher(db, bot, SystemClock(), DispatchLimits(rate=rate, max_in_flight=n))
        stop = asyncio.Event()
        runner = asyncio.create_task(dispatcher.run(stop))  # recovers 'sending' rows first
        # Done when the outbox is: the database is the only place that knows.
        while unfinished(await status_counts(db)):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        stop.set()
        await runner
        await bot.shutdown()
    await db.close()


if __name__ == "__main__":
    main()
