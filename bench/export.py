"""Export benchmark: how long a 台账 workbook takes on a bureau's ten years of records.

Prints the time of one branch's workbook for a school year (goal ≤ 2 s), of the whole
bureau's (goal ≤ 30 s), the bureau export's peak memory (goal ≤ 300 MB, measured in a
child process of its own) and the longest the event loop went unanswered meanwhile (the
bot keeps answering others while an export runs).

The database is ``bench.scale``'s (100 branches × 50 members × 10 years, cached under
bench/out/) when that module is present, else one ``tests.ledger_seed`` builds here.

    python -m bench.export [--branches 100] [--members 50] [--years 10] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from handlers.reports.export import ExportRequest, build_files
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from tests.ledger_seed import ZONE, SeedSize, seed

OUT = Path(__file__).parent / "out"
TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
PERIOD = LedgerPeriod.school_year(2025)  # the last full school year before TODAY


async def database(args: argparse.Namespace) -> Path:
    if args.db:
        return Path(args.db)
    try:
        from bench import scale  # type: ignore[attr-defined]
    except ImportError:
        scale = None
    if scale is not None:
        return await scale.ensure(scale.Size(args.branches, args.members, args.years))
    path = OUT / f"ledger-{args.branches}x{args.members}-{args.years}y.sqlite3"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        first = date(TODAY.year - args.years, TODAY.month, 1)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        await seed(
            partial,
            SeedSize(
                branches=args.branches,
                members=args.members,
                first_month=first,
                last_month=TODAY.replace(day=1),
            ),
        )
        partial.replace(path)
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s")
    return path


async def export(path: Path, *, bureau: bool, branch: int = 1) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds of every thread, longest event-loop stall, bytes)."""
    stalls: list[float] = []
    done = asyncio.Event()

    async def watch() -> None:
        # What another person's update would wait for: the gap between two wake-ups.
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stalls.append(time.perf_counter() - before - 0.01)

    request = ExportRequest(
        branch_ids=None if bureau else [branch],
        period=PERIOD,
        private=True,
        bureau=bureau,
        lang="zh",
    )
    async with Database(path) as db:
        watcher = asyncio.create_task(watch())
        with tempfile.TemporaryDirectory() as folder:
            started, cpu = time.perf_counter(), time.process_time()
            files = await build_files(db, request, Path(folder), today=TODAY, zone=ZONE, now=NOW)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = sum(f.stat().st_size for f in files)
        done.set()
        await watcher
    return seconds, cpu, max(stalls, default=0.0), size


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--db")
    parser.add_argument("--child", choices=["bureau"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = await database(args)
    # The first export in a process pays one-off imports (the holiday calendar, openpyxl)
    # that a running bot has long paid; it is not counted.
    await export(path, bureau=False, branch=2)
    if args.child == "bureau":
        seconds, cpu, stall, size = await export(path, bureau=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(
            json.dumps(
                {"seconds": seconds, "cpu": cpu, "stall": stall, "bytes": size, "peak": peak}
            )
        )
        return
    walls, cpus = [], []
    for _ in range(3):
        seconds, cpu, _stall, size = await export(path, bureau=False)
        walls.append(seconds)
        cpus.append(cpu)
    print(f"database: {path.name}, period {PERIOD.label}, load average {_load()}")
    print(
        f"branch workbook: {statistics.median(walls):.2f} s wall,"
        f" {statistics.median(cpus):.2f} s CPU (median of 3, {size / 1024:.0f} KiB)"
        "  goal ≤ 2 s"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.export",
        "--db",
        str(path),
        "--child",
        "bureau",
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await child.communicate()
    if child.returncode:
        raise SystemExit(f"the bureau export failed ({child.returncode})")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    print(
        f"bureau workbook: {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU"
        f" ({result['bytes'] / 2**20:.1f} MiB)  goal ≤ 30 s"
    )
    print(f"bureau export peak memory: {result['peak'] / 2**20:.0f} MiB  goal ≤ 300 MB")
    print(f"longest event-loop stall during it: {result['stall'] * 1000:.0f} ms")


def _load() -> str:
    """The machine's load: wall times on a shared machine are CPU time stretched by it."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


if __name__ == "__main__":
    asyncio.run(main())
