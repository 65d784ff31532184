"""What the benchmarks share: filling an outbox, reading back what it holds, and a fake
Bot API that forgets what no later step needs.

Run the benchmarks from the project root as modules (``python -m bench.fanout``), so
``storage``, ``schedules`` and ``tests.fakebot`` import as they do in the tests.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from storage import outbox
from storage.database import Database
from tests.fakebot import FakeTelegram

KIND = "bench.reminder"
KEEP_MESSAGES = 4  # per chat, in the fake: enough to find the buttons to press


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


class BenchTelegram(FakeTelegram):
    """The fake Bot API forgetting what no later step needs, so memory is the bot's own."""

    def __init__(self, latency: tuple[float, float] | None = None) -> None:
        super().__init__(latency=latency, check_html=False)
        self._by_chat: dict[Any, list[int]] = defaultdict(list)

    def _new_message(self, p: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = super()._new_message(p, **content)
        chat_id = message["chat"]["id"]
        ids = self._by_chat[chat_id]
        ids.append(message["message_id"])
        while len(ids) > KEEP_MESSAGES:
            old = (chat_id, ids.pop(0))
            self._messages.pop(old, None)
            self._raw.pop(old, None)
        return message

    def messages_in(self, chat_id: Any) -> list[dict[str, Any]]:
        found = (self._messages.get((chat_id, m)) for m in self._by_chat.get(chat_id, []))
        return [dict(message) for message in found if message is not None]
