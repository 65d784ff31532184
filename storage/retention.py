"""How long children's data is kept, and the erasers that apply the rule.

Home visits are kept in full for a number of years after the school year they fall in
ends (a setting, 5 by default: inspections ask for five years of records); then the
student alias, note and photo are erased (a follow-up still open is closed with them)
and the visit itself stays. Any feature that stores something naming a student
registers an ``Eraser`` (through the Registrar) and the daily job runs them all with
the same cut-off date, a batch per transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import aiosqlite

from storage import audit
from storage.database import Database

# The Chinese school year runs from September to the end of August.
SCHOOL_YEAR_END = (8, 31)
BATCH = 200
"""Records one eraser clears in one transaction. On the 1st of September a whole school
year (about 100,000 home visits in a bureau) falls past retention at once: in batches the
writer lock is held some milliseconds at a time, and no statement nears SQLite's limit
on bound values (32,766), which one transaction for all of them exceeded."""


@dataclass(frozen=True, slots=True)
class Erased:
    """One batch of an eraser: the records it erased, and what went with them, counted
    by name for the run's audit entry (``follow_ups_closed``: open follow-ups of the
    visits erased)."""

    records: int
    with_them: Mapping[str, int] = field(default_factory=dict)


# (tx, records dated on or before this day, now, at most this many) -> how many were erased.
Eraser = Callable[[aiosqlite.Connection, date, datetime, int], Awaitable[int | Erased]]


def cutoff(today: date, years: int) -> date:
    """The last day whose records are past retention: the end of the latest school year
    that ended more than ``years`` years before ``today``."""
    month, day = SCHOOL_YEAR_END
    passed_this_year = today > date(today.year, month, day)
    return date(today.year - years - (0 if passed_this_year else 1), month, day)


async def erase_expired(
    db: Database,
    erasers: dict[str, Eraser],
    *,
    today: date,
    years: int,
    now: datetime,
    batch: int = BATCH,
) -> dict[str, int]:
    """Run every registered eraser for records on or before the cut-off, one batch per
    transaction until it has nothing left; the run is audited once, with its totals.

    A run that fails or is cancelled halfway keeps what it committed and is audited with
    what it erased and ``complete: false``; the next daily run erases the rest. (Only a
    hard kill between batches goes unaudited; each erased record still carries its
    ``erased_at``.)
    """
    if batch < 1:
        raise ValueError("a batch must erase at least one record")
    up_to = cutoff(today, years)
    erased = dict.fromkeys(sorted(erasers), 0)
    complete = False
    try:
        for name in sorted(erasers):
            while True:
                # Each batch's statements are long (hundreds of records and what hangs
                # on them): on the writer's thread, so the loop answers taps meanwhile.
                async with db.transaction() as tx, db.on_thread(tx):
                    done = await erasers[name](tx, up_to, now, batch)
                if isinstance(done, int):
                    done = Erased(done)
                erased[name] += done.records
                for what, count in done.with_them.items():
                    erased[what] = erased.get(what, 0) + count
                await asyncio.sleep(0)  # the taps waiting for the writer go between batches
                if done.records < batch:
                    break
        complete = True
    finally:
        if any(erased.values()):
            async with db.transaction() as tx:
                await audit.record(
                    tx,
                    at=now,
                    actor_id=None,
                    action="retention.erased",
                    entity="retention",
                    entity_id=up_to.isoformat(),
                    years=years,
                    **erased,
                    **({} if complete else {"complete": False}),
                )
    return erased


async def erase_rows(
    tx: aiosqlite.Connection,
    table: str,
    where: str,
    params: Sequence[Any],
    limit: int | None,
    statements: Sequence[tuple[str, Sequence[Any]]],
    counted: Mapping[int, str] | None = None,
) -> Erased:
    """Erase up to ``limit`` rows of ``table`` not erased yet that match ``where`` (None:
    all of them, as for a departed member): the ids first, then each statement, whose
    ``{ids}`` stands for their placeholders and whose values come before the ids.
    ``counted`` names the statements (by position) whose changed rows are counted."""
    bounded = "" if limit is None else f" LIMIT {int(limit)}"
    rows = await tx.execute_fetchall(
        f"SELECT id FROM {table} WHERE erased_at IS NULL AND {where}{bounded}", params
    )
    ids = [int(row[0]) for row in rows]
    named = counted or {}
    with_them = dict.fromkeys(named.values(), 0)
    if ids:
        marks = ",".join("?" * len(ids))
        for position, (sql, values) in enumerate(statements):
            cursor = await tx.execute(sql.format(ids=marks), [*values, *ids])
            if position in named:
                with_them[named[position]] += cursor.rowcount
    return Erased(len(ids), with_them)


def of_members(member_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``erase_rows``'s condition and values for these memberships' rows (a member who left)."""
    marks = ",".join("?" * len(member_ids)) or "NULL"
    return f"member_id IN ({marks})", list(member_ids)
