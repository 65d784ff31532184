"""How long children's data is kept, and the erasers that apply the rule.

Home visits are kept in full for a number of years after the school year they fall in
ends (a setting, 5 by default: inspections ask for five years of records); then the
student alias, note and photo are erased and the visit itself stays. Any feature that
stores something naming a student registers an ``Eraser`` (through the Registrar) and
the daily job runs them all with the same cut-off date.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

import aiosqlite

from storage import audit

DEFAULT_YEARS = 5
# The Chinese school year runs from September to the end of August.
SCHOOL_YEAR_END = (8, 31)
# (tx, records dated on or before this day, now) -> how many records were erased.
Eraser = Callable[[aiosqlite.Connection, date, datetime], Awaitable[int]]


def cutoff(today: date, years: int) -> date:
    """The last day whose records are past retention: the end of the latest school year
    that ended more than ``years`` years before ``today``."""
    month, day = SCHOOL_YEAR_END
    passed_this_year = today > date(today.year, month, day)
    return date(today.year - years - (0 if passed_this_year else 1), month, day)


async def erase_expired(
    tx: aiosqlite.Connection,
    erasers: dict[str, Eraser],
    *,
    today: date,
    years: int,
    now: datetime,
) -> dict[str, int]:
    """Run every registered eraser for records on or before the cut-off; audited."""
    up_to = cutoff(today, years)
    erased = {name: await erase(tx, up_to, now) for name, erase in sorted(erasers.items())}
    if any(erased.values()):
        await audit.record(
            tx,
            at=now,
            actor_id=None,
            action="retention.erased",
            entity="retention",
            entity_id=up_to.isoformat(),
            years=years,
            **erased,
        )
    return erased
