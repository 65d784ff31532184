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
    python -m bench.tick --taps 100         # members' taps write between ordinary minutes

With ``--taps N``, before each ordinary minute N members answer the party day (one in ten
asks for leave), one in five of them logs a home visit and one in ten a service record,
each in a transaction of its own, as the storm's members do: the tick then reads again
what those writes touched, as it does in a busy minute.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import aiosqlite

from bench import scale
from bench.common import BenchTelegram
from bot.app import build_application, freeze_long_lived, reminder_engine
from handlers.common.services import BotConfig
from storage import partyday, service, terms, visits
from storage.answers import Answer
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


class Taps:
    """Members' writes between minutes (``--taps``): a party-day answer each, some home
    visits and service records, each tap its own transaction; seeded, so two runs write
    the same rows and their dumps compare."""

    def __init__(self, db: Database, per_minute: int) -> None:
        self.db = db
        self.per_minute = per_minute
        self.rng = random.Random(11)
        self.waiting: list[tuple[int, int]] = []  # (member, branch) not yet tapped
        self.months: dict[int, int] = {}  # branch -> this month's party-day month id

    async def load(self) -> None:
        async with self.db.read() as conn:
            rows = await conn.execute_fetchall(
                "SELECT id, branch_id FROM members WHERE status = 'active' AND role = 'member'"
            )
            self.waiting = [(int(r[0]), int(r[1])) for r in rows]
            for branch_id in {branch for _, branch in self.waiting}:
                month = await partyday.get_month(conn, branch_id, scale.NOW.year, scale.NOW.month)
                if month is not None:
                    self.months[branch_id] = month.id
            self.term = terms.pick_term(scale.NOW.date(), await terms.set_terms(conn))
        self.rng.shuffle(self.waiting)

    async def write(self, now: datetime) -> None:
        today = now.astimezone(scale.ZONE).date()
        for _ in range(min(self.per_minute, len(self.waiting))):
            member_id, branch_id = self.waiting.pop()
            async with self.db.transaction() as tx:
                await self._tap(tx, member_id, branch_id, today, now)

    async def _tap(
        self,
        tx: aiosqlite.Connection,
        member_id: int,
        branch_id: int,
        today: date,
        now: datetime,
    ) -> None:
        month_id = self.months.get(branch_id)
        if month_id is not None:
            leave = self.rng.random() < 0.1
            await partyday.set_reply(
                tx, month_id=month_id, member_id=member_id,
                answer=Answer.LEAVE if leave else Answer.ATTEND,
                reason_kind=partyday.LeaveReason.TEACHING if leave else None, now=now,
            )  # fmt: skip
        if self.rng.random() < 0.2:
            content = visits.VisitContent(
                visit_date=today, student_alias="小明", class_name="三(2)班",
                form=visits.Form.IN_PERSON, met=visits.Met.PARENTS,
                topics=[visits.Topic.STUDY], today=today,
            )  # fmt: skip
            await visits.create(
                tx, member_id=member_id, branch_id=branch_id, content=content,
                term=self.term, now=now,
            )  # fmt: skip
        if self.rng.random() < 0.1:
            entry = service.ServiceEntry(
                kind=service.ServiceKind.VOLUNTEER, on_date=today, hours=1.0,
                description="社区服务", logged_on=today,
            )  # fmt: skip
            await service.log(
                tx, member_id=member_id, branch_id=branch_id, entry=entry,
                party_month_id=None, makeup_month_id=None, now=now,
            )  # fmt: skip


async def run(
    size: scale.Size, profile: str | None, dump: Path | None = None, taps: int = 0
) -> list[Timed]:
    source = await scale.ensure(size)
    profiler = cProfile.Profile() if profile else None
    profiled = profile == "ordinary"
    timed: list[Timed] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tick.sqlite3"
        shutil.copyfile(source, path)
        # On disk before the ticks: otherwise the first checkpoint's fsync in a moment
        # waits for the whole copy (1.4 GB at ten years) to be written back.
        with path.open("rb+") as copy:
            os.fsync(copy.fileno())
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
            tapping = Taps(db, taps)
            if taps:
                await tapping.load()
            clock.set(scale.NOW - WARM_UP)
            await engine.tick()
            for at, ordinary in moments():
                if ordinary and taps:
                    # In the minute before: the tick reads again what these wrote.
                    clock.set(at - timedelta(seconds=30))
                    await tapping.write(clock.now())
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
    """What the ticks wrote, one row a line in a fixed order: the outbox rows they queued,
    the reminders they skipped, the party days they pinned and the audit rows of those
    pins. A change to how the tick reads must leave it byte for byte the same (compare
    two dumps with ``cmp``)."""
    since = (to_iso(scale.NOW - WARM_UP),)
    async with db.read() as conn:
        rows = [
            ("outbox", *row)
            for row in await conn.execute_fetchall(
                "SELECT dedupe_key, chat_id, kind, text, buttons, photo, not_before, expires_at"
                " FROM outbox WHERE created_at >= ? ORDER BY dedupe_key",
                since,
            )
        ]
        rows += [
            ("skip", *row)
            for row in await conn.execute_fetchall(
                "SELECT dedupe_key, kind, member_id, due_at, reason, skipped_at"
                " FROM reminder_skips WHERE skipped_at >= ? ORDER BY dedupe_key",
                since,
            )
        ]
        rows += [
            ("pinned", *row)
            for row in await conn.execute_fetchall(
                "SELECT branch_id, month, day, start_time, place, announced_at"
                " FROM party_day_months WHERE announced_at >= ? ORDER BY branch_id, month",
                since,
            )
        ]
        rows += [
            ("audit", *row)
            for row in await conn.execute_fetchall(
                "SELECT at, actor_id, action, entity, entity_id, detail FROM audit_log"
                " WHERE action = 'partyday.announced' AND at >= ? ORDER BY entity_id, at",
                since,
            )
        ]
    lines = ["\t".join(json.dumps(value, ensure_ascii=False) for value in row) for row in rows]
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")  # noqa: ASYNC240
    kinds = {kind: sum(row[0] == kind for row in rows) for kind in ("outbox", "skip", "pinned")}
    print(f"dumped {len(lines)} rows to {path}: {kinds}")


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
    parser.add_argument(
        "--taps", type=int, default=0,
        help="members' taps that write before each ordinary minute (as in the storm)",
    )  # fmt: skip
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    size = scale.Size(args.branches, args.members, args.years)
    report(size, asyncio.run(run(size, args.profile, args.dump, args.taps)))


if __name__ == "__main__":
    main()
