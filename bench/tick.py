"""The reminder tick at a bureau's size: the 1st-of-month tick and the ordinary minutes after it.

On a ``bench.scale`` database (100 branches × 50 members, one year by default), the real
Application's reminder engine (every feature's renderers) ticks on a fake clock: at 09:00
on the 1st (the party-day announcement to everyone and the digests), the minutes after
it, the monthly moment at 10:00 (pledge, visit and safety nudges) and the minutes after
that, while all of these are still useful and so still examined. Nothing else runs: the
figures are the tick's own work (the database on its threads, the Python on the loop).

It prints each tick's time (wall clock, and the process's CPU time over all its threads,
which a busy machine stretches less), what it queued, and the median ordinary tick
(nothing new due) after each of the two moments.

    python -m bench.tick                    # 100 × 50, one year
    python -m bench.tick --years 10         # on the ten-year database
    python -m bench.tick --profile          # cProfile of the ordinary ticks (top 25)
    python -m bench.tick --profile moments  # ... of the two moments
    python -m bench.tick --dump rows.tsv    # the outbox rows the ticks made, to compare
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import pstats
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench import scale
from bench.common import BenchTelegram
from bot.app import build_application, freeze_long_lived, reminder_engine
from handlers.common.services import BotConfig
from storage.clock import FixedClock, to_iso
from storage.database import Database

ORDINARY = 5
"""Ordinary minutes timed after each moment."""
WARM_UP = timedelta(minutes=1)
"""A tick this long before 09:00, not timed: the minute before, as in a running bot (the
engine's kept reads are read then, not by the moment)."""


@dataclass
class Timed:
    at: datetime
    seconds: float
    cpu: float
    queued: int
    ordinary: bool
    empty: int = 0
    """Rendered with nothing to say (noted as skipped)."""


def moments() -> list[tuple[datetime, bool]]:
    """(when, ordinary) for each tick, in the order they run (after ``WARM_UP``)."""
    found = [(scale.NOW, False)]
    found += [(scale.NOW + timedelta(minutes=n), True) for n in range(1, ORDINARY + 1)]
    monthly = scale.NOW.replace(hour=10)
    found += [(monthly, False)]
    found += [(monthly + timedelta(minutes=n), True) for n in range(1, ORDINARY + 1)]
    return found


async def run(size: scale.Size, profile: str | None, dump: Path | None = None) -> list[Timed]:
    source = await scale.ensure(size)
    profiler = cProfile.Profile() if profile else None
    profiled = profile == "ordinary"
    timed: list[Timed] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tick.sqlite3"
        shutil.copyfile(source, path)
        clock = FixedClock(scale.NOW)
        async with Database(path) as db:
            config = BotConfig(zone=scale.ZONE, admin_ids=frozenset({scale.ADMIN_TELEGRAM_ID}))
            app = build_application(
                token="999000:TICK", db=db, config=config, clock=clock, request=BenchTelegram()
            )
            engine = reminder_engine(app)
            # As ``xianfeng run`` does after start-up: what start-up built stays out of
            # the collector's full collections (one costs 0.1-0.2 s in a moment otherwise).
            freeze_long_lived()
            clock.set(scale.NOW - WARM_UP)
            await engine.tick()
            for at, ordinary in moments():
                clock.set(at)
                if profiler is not None and ordinary == profiled:
                    profiler.enable()
                began, cpu = time.perf_counter(), time.process_time()
                report = await engine.tick()
                seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
                if profiler is not None and ordinary == profiled:
                    profiler.disable()
                timed.append(Timed(at, seconds, cpu, report.queued, ordinary, report.empty))
            if dump is not None:
                await _dump(db, dump)
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(25)
    return timed


async def _dump(db: Database, path: Path) -> None:
    """The rows the ticks queued, one a line, in dedupe key order: a change to how the tick
    reads must leave them byte for byte the same (compare two dumps with ``cmp``)."""
    async with db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT dedupe_key, chat_id, kind, text, buttons, photo, not_before, expires_at"
            " FROM outbox WHERE created_at >= ? ORDER BY dedupe_key",
            (to_iso(scale.NOW - WARM_UP),),
        )
    lines = ["\t".join(json.dumps(value, ensure_ascii=False) for value in row) for row in rows]
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")  # noqa: ASYNC240
    print(f"dumped {len(lines)} outbox rows to {path}")


def report(size: scale.Size, timed: list[Timed]) -> None:
    print(f"\n{size.branches} branches × {size.members} members, {size.years} y")
    for item in timed:
        local = item.at.astimezone(scale.ZONE)
        what = "ordinary" if item.ordinary else "moment"
        print(
            f"tick at {local:%m-%d %H:%M} ({what}): {item.seconds * 1000:7.1f} ms "
            f"(CPU {item.cpu * 1000:7.1f} ms), queued {item.queued}"
            + (f", nothing to say {item.empty}" if item.empty else "")
        )
    half = len(timed) // 2
    for label, part in (("after 09:00", timed[:half]), ("after 10:00", timed[half:])):
        ordinary = [t.seconds * 1000 for t in part if t.ordinary]
        cpu = [t.cpu * 1000 for t in part if t.ordinary]
        print(
            f"ordinary tick {label}: median {statistics.median(ordinary):.1f} ms "
            f"(CPU {statistics.median(cpu):.1f} ms), longest {max(ordinary):.1f} ms "
            "(goal ≤ 100 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument(
        "--profile", nargs="?", const="ordinary", choices=("ordinary", "moments"),
        help="cProfile the ordinary ticks (default) or the moments",
    )  # fmt: skip
    parser.add_argument(
        "--dump", type=Path, help="write the outbox rows the ticks queued to this file"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    size = scale.Size(args.branches, args.members, args.years)
    report(size, asyncio.run(run(size, args.profile, args.dump)))


if __name__ == "__main__":
    main()
