"""What the outbox benchmarks share: filling an outbox, and reading back what it holds.

Run the benchmarks from the project root as modules (``python -m bench.fanout``), so
``storage``, ``schedules`` and ``tests.fakebot`` import as they do in the tests.
"""

from __future__ import annotations

from datetime import datetime

from storage import outbox
from storage.database import Database

KIND = "bench.reminder"


def dedupe_key(index: int) -> str:
    return f"bench:{index}"


def text_for(index: int) -> str:
    # The key is in the text, so the fake transport can tell which row it delivered.
    return f"<b>提醒</b> 党日活动将于本周六举行。#{index}"


def index_from_text(text: str) -> int:
    return int(text.rsplit("#", 1)[1])


async def fill_outbox(db: Database, count: int, now: datetime) -> None:
    """``count`` reminders to ``count`` private chats (chat ids 1..count), due now."""
    async with db.transaction() as tx:
        for index in range(1, count + 1):
            await outbox.enqueue(
                tx,
                chat_id=index,
                member_id=None,
                kind=KIND,
                text=text_for(index),
                buttons=[[{"text": "参加", "callback_data": f"pd:att:{index}"}]],
                dedupe_key=dedupe_key(index),
                not_before=now,
                now=now,
            )


async def status_counts(db: Database) -> dict[str, int]:
    async with db.read() as conn:
        counts = await outbox.counts(conn)
    totals: dict[str, int] = {}
    for count in counts:
        totals[count.status.value] = totals.get(count.status.value, 0) + count.count
    return totals


def unfinished(counts: dict[str, int]) -> int:
    return counts.get("pending", 0) + counts.get("sending", 0)
