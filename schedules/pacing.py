"""Telegram's sending limits as in-memory pacers: overall rate, per chat, per group.

Telegram allows about 30 messages a second overall, one a second to one chat and 20 a
minute to one group; going faster earns 429s. These classes only say *when* the next
send may start; the dispatcher asks them before every request. They read time from a
``Timer`` (monotonic seconds and a sleep), so tests run them on fake time.

The state is in memory on purpose: after a restart the worst case is one message to a
chat sooner than a second after the previous one, which Telegram answers with a 429
that the dispatcher already handles.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Protocol


class Timer(Protocol):
    """Monotonic time and sleeping, injectable so tests need not wait."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class RatePacer:
    """Spaces request starts evenly at ``rate`` per second, with a small catch-up burst.

    Evenly spaced starts keep the number of requests in flight (and so what a crash can
    repeat) near ``rate × latency``. A little lateness (a slow database write, the event
    loop busy) may be made up with up to ``burst`` starts back to back, so the achieved
    rate stays at the configured one instead of drifting below it.
    """

    def __init__(self, rate: float, timer: Timer, *, burst: int = 2) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._slack = self.interval * (burst - 1)
        self._timer = timer
        self._next = float("-inf")

    async def wait_turn(self) -> None:
        now = self._timer.monotonic()
        start = max(self._next, now - self._slack)
        self._next = start + self.interval
        if start > now:
            await self._timer.sleep(start - now)


class ChatPacer:
    """Per-chat limits: ``interval`` between sends to any chat, and for groups (negative
    ids) at most ``group_per_minute`` sends in any 60 seconds.

    A chat is also unavailable while a message to it is in flight, so one chat's messages
    go out one at a time and in order, and a crash can repeat at most one per chat.
    """

    WINDOW = 60.0

    def __init__(self, *, interval: float, group_per_minute: int, timer: Timer) -> None:
        self._interval = interval
        self._group_limit = group_per_minute
        self._timer = timer
        self._last: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._busy: set[int] = set()

    def unavailable(self) -> set[int]:
        """Chats that may not be sent to now (in flight, or too soon after the last)."""
        now = self._timer.monotonic()
        self._forget_before(now)
        blocked = set(self._busy)
        blocked.update(self._last)  # what is left after forgetting is still too recent
        blocked.update(g for g, sends in self._group_sends.items() if self._group_full(sends))
        return blocked

    def next_release(self) -> float | None:
        """Seconds until the first unavailable chat becomes available, if any is waiting."""
        now = self._timer.monotonic()
        self._forget_before(now)
        moments = [last + self._interval for last in self._last.values()]
        moments += [
            sends[0] + self.WINDOW
            for sends in self._group_sends.values()
            if self._group_full(sends)
        ]
        return max(min(moments) - now, 0.0) if moments else None

    def begin(self, chat_id: int) -> None:
        """A message to this chat has been claimed; nothing else goes there until ``end``."""
        self._busy.add(chat_id)

    def sending(self, chat_id: int) -> None:
        """The request is about to start: this is the moment the limits count."""
        now = self._timer.monotonic()
        self._last[chat_id] = now
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)

    def end(self, chat_id: int) -> None:
        self._busy.discard(chat_id)

    def _group_full(self, sends: deque[float]) -> bool:
        return len(sends) >= self._group_limit

    def _forget_before(self, now: float) -> None:
        # Keeps memory proportional to recent traffic, not to every chat ever seen.
        for chat_id in [c for c, last in self._last.items() if now - last >= self._interval]:
            del self._last[chat_id]
        for chat_id, sends in list(self._group_sends.items()):
            while sends and now - sends[0] >= self.WINDOW:
                sends.popleft()
            if not sends:
                del self._group_sends[chat_id]
