"""Fan-out benchmark: N reminders to N private chats through the fake Bot API.

Each call takes 30–80 ms; two bursts of 429s (retry_after 1 s, then 2 s) hit at 30% and
70% of the run, and 1% of the recipients have blocked the bot (403). Prints the achieved
rate against the configured limit (goal: at least 95%), duplicates and lost messages
(goal: 0 and 0) and peak memory. 10,000 at 25 a second takes about 7 minutes.

    python -m bench.fanout [--count 10000] [--rate 25] [--in-flight 4]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.request import RequestData

from bench.common import fill_outbox, index_from_text, status_counts, unfinished
from schedules.dispatcher import Dispatcher, DispatchLimits
from storage.clock import SystemClock
from storage.database import Database
from tests.fakebot import FakeTelegram, error_response

LATENCY = (0.030, 0.080)
BLOCKED_EVERY = 100  # 1% of the chats
BURSTS = ((0.30, 1), (0.70, 2))  # (share of the run, retry_after seconds)
BURST_LENGTH = 0.5  # seconds during which every send is answered 429


class BenchTelegram(FakeTelegram):
    """The fake Bot API counting deliveries per reminder, with timed 429 bursts.

    It drops its own call records as it goes, so the memory figure is the dispatcher's
    rather than the fake's bookkeeping.
    """

    def __init__(self, count: int) -> None:
        super().__init__(latency=LATENCY)
        self.count = count
        self.deliveries: Counter[int] = Counter()
        self.requests = 0
        self.first_request = self.last_answer = 0.0
        self._bursts = [(int(share * count), retry) for share, retry in BURSTS]
        self._burst_until = 0.0
        self._burst_retry = 0
        self.set_failure_rule(self._flood)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        sending = url.endswith("/sendMessage") and request_data is not None
        if sending:
            self.requests += 1
            self.first_request = self.first_request or time.monotonic()
        code, body = await super().do_request(url, method, request_data, *args, **kwargs)
        if sending and request_data is not None:
            self.last_answer = time.monotonic()
            if code == 200:
                self.deliveries[index_from_text(str(request_data.parameters["text"]))] += 1
            self.calls.clear()
        return code, body

    def _flood(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if method != "sendMessage":
            return None
        now = time.monotonic()
        if self._bursts and self.requests >= self._bursts[0][0]:
            _, self._burst_retry = self._bursts.pop(0)
            self._burst_until = now + BURST_LENGTH
        if now < self._burst_until:
            retry = self._burst_retry
            return error_response(429, f"Too Many Requests: retry after {retry}", retry)
        return None


async def run(count: int, rate: float, in_flight: int) -> None:
    logging.getLogger("schedules.dispatcher").setLevel(logging.ERROR)  # 100 403s expected
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.sqlite3")
        await db.open()
        clock = SystemClock()
        await fill_outbox(db, count, clock.now())
        fake = BenchTelegram(count)
        blocked = set(range(BLOCKED_EVERY, count + 1, BLOCKED_EVERY))
        for chat_id in blocked:
            fake.block_user(chat_id)
        bot = Bot("123:TEST", request=fake)
        await bot.initialize()
        dispatcher = Dispatcher(db, bot, clock, DispatchLimits(rate=rate, max_in_flight=in_flight))

        stop = asyncio.Event()
        runner = asyncio.create_task(dispatcher.run(stop))
        last_progress = time.monotonic()
        while unfinished(await status_counts(db)):
            await asyncio.sleep(0.2)
            if time.monotonic() - last_progress >= 30:
                last_progress = time.monotonic()
                print(f"  ... {fake.requests} requests", file=sys.stderr, flush=True)
        stop.set()
        await runner
        counts = await status_counts(db)
        await bot.shutdown()
        await db.close()

    _, traced_peak = tracemalloc.get_traced_memory()
    elapsed = fake.last_answer - fake.first_request
    paused = dispatcher.stats.paused_seconds
    achieved = fake.requests / elapsed
    without_pauses = fake.requests / (elapsed - paused)
    duplicates = sum(n - 1 for n in fake.deliveries.values() if n > 1)
    expected = set(range(1, count + 1)) - blocked
    lost = len(expected - set(fake.deliveries)) + unfinished(counts)
    stats = dispatcher.stats

    print(
        f"fan-out: {count} reminders to {count} private chats, "
        f"{LATENCY[0] * 1000:.0f}-{LATENCY[1] * 1000:.0f} ms per call, "
        f"limit {rate:g}/s, at most {in_flight} in flight"
    )
    print(
        f"requests:    {fake.requests} in {elapsed:.1f} s = {achieved:.2f}/s "
        f"({achieved / rate:.1%} of the limit; {without_pauses / rate:.1%} "
        f"leaving out {paused:.1f} s of 429 pauses)"
    )
    print(
        f"outcomes:    sent {counts.get('sent', 0)}, blocked (403) {counts.get('blocked', 0)}, "
        f"failed {counts.get('failed', 0)}, 429s rescheduled {stats.flood_waits}, "
        f"retries {stats.retried}"
    )
    print(f"duplicates:  {duplicates}")
    print(f"lost:        {lost}")
    print(
        f"peak memory: {traced_peak / 2**20:.1f} MiB traced (tracemalloc), "
        f"{_max_rss_mib():.0f} MiB max RSS"
    )


def _max_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB else


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--in-flight", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.count, args.rate, args.in_flight))


if __name__ == "__main__":
    main()
