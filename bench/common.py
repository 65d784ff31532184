"""What the benchmarks share: filling an outbox, reading back what it holds, and a fake
Bot API that forgets what no later step needs.

Run the benchmarks from the project root as modules (``python -m bench.fanout``), so
``storage``, ``schedules`` and ``tests.fakebot`` import as they do in the tests.
"""

from __future__ import annotations

import json
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
    """The fake Bot API forgetting what no later step needs, so memory is the bot's own.

    With ``packed`` it keeps what it does keep (the last few messages a chat, as Telegram's
    servers would) as JSON text: thousands of chats' messages as dicts are objects the
    garbage collector scans in the bot's process, which a deployment never holds. It costs
    the fake some CPU in the same process, so ``bench.updates`` (a ratio of CPU times)
    does not use it; ``bench.storm`` (5,000 chats) does."""

    def __init__(self, latency: tuple[float, float] | None = None, *, packed: bool = False) -> None:
        super().__init__(latency=latency, check_html=False)
        self._by_chat: dict[Any, list[int]] = defaultdict(list)
        if packed:
            self._messages = _Packed()
            self._raw = _Packed()

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

    def _edit(self, p: dict[str, Any], field_name: str | None, plain: str | None) -> Any:
        # The fake edits the message it read in place: a packed one is a copy, kept again.
        edited = super()._edit(p, field_name, plain)
        if isinstance(self._messages, _Packed) and isinstance(edited, dict):
            self._messages[(edited["chat"]["id"], edited["message_id"])] = edited
        return edited


class _Packed(dict[Any, Any]):
    """A dict whose values are kept as JSON text and read back as fresh copies."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, json.dumps(value, ensure_ascii=False))

    def __getitem__(self, key: Any) -> Any:
        return json.loads(super().__getitem__(key))

    def get(self, key: Any, default: Any = None) -> Any:
        found = super().get(key)
        return default if found is None else json.loads(found)
