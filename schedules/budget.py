"""Telegram's overall sending limit, shared by answers to the person acting and the fan-out.

Telegram allows a bot about 30 new messages a second in all. Two kinds of traffic use
them: answers to someone who just tapped or typed (they are waiting, looking at their
phone) and the outbox fan-out (reminders, announcements: nobody is waiting for the
exact second). ``SendBudget`` counts both in one sliding second and gives answers the
right of way: an answer goes at once unless answers alone have used the whole second,
while the dispatcher takes a start only when the second has room left
(``answer_reserve``). So during a monthly storm the fan-out slows down by what the
answers use instead of the answers queueing behind the fan-out, and the two together
stay within Telegram's limit.

``AnswerLimiter`` is the Application's PTB rate limiter for interactive requests (every
request the handlers make); the dispatcher sends through its own ``Bot`` without it and
takes its turns from the same budget. One chat has a pace too (about one message a
second): the budget tells the dispatcher which chats were just answered, and it counts
those as sent to (a secretary tapping through their own party-day answer while members'
leave requests queue for them: the requests wait their second, the answers do not).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.ext import BaseRateLimiter

from schedules.pacing import RealTimer, Timer

# Bot API methods that put a new message into a chat: what Telegram's limits count.
# Edits and callback answers change nothing in the chat's history and are not paced.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendLocation",
        "sendMediaGroup",
        "sendAnimation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)
GROUP_PER_MINUTE = 20
ANSWERED_KEPT = 1000
"""Chats answered that ``SendBudget`` remembers for the dispatcher before forgetting old ones."""


class SendBudget:
    """New messages in the last second, by anyone; answers first, the fan-out after."""

    WINDOW = 1.0

    def __init__(
        self, overall: float = 30.0, *, answer_reserve: int = 2, timer: Timer | None = None
    ) -> None:
        if overall < 1:
            raise ValueError("the overall limit must allow at least one message a second")
        self.overall = int(overall)
        self.answer_reserve = min(answer_reserve, self.overall - 1)
        self._timer = timer or RealTimer()
        self._starts: deque[float] = deque()
        self._answered: dict[int, float] = {}
        self.answers = 0
        self.fanout = 0
        self.answer_waits = 0

    def used(self) -> int:
        """Messages started in the last second."""
        self._forget(self._timer.monotonic())
        return len(self._starts)

    async def take_answer(self) -> None:
        """Start an answer now, unless the whole last second is used (then wait for room)."""
        await self._take(self.overall)
        self.answers += 1

    def answered(self, chat_id: int) -> None:
        """An answer (a new message) went to this chat now."""
        now = self._timer.monotonic()
        self._answered[chat_id] = now
        if len(self._answered) > ANSWERED_KEPT:  # no dispatcher asks (a script): forget
            for chat in [c for c, at in self._answered.items() if now - at >= self.WINDOW]:
                del self._answered[chat]

    def take_answered(self) -> list[int]:
        """The chats answered in the last second that the dispatcher has not been told of:
        it counts them as sent to now, so answers and the outbox together keep to one
        chat's pace (answers first)."""
        now = self._timer.monotonic()
        recent = [c for c, at in self._answered.items() if now - at < self.WINDOW]
        self._answered.clear()
        return recent

    async def take_fanout(self) -> None:
        """Start an outbox message once the last second leaves room for answers."""
        await self._take(self.overall - self.answer_reserve)
        self.fanout += 1

    async def _take(self, limit: int) -> None:
        waited = False
        while True:
            now = self._timer.monotonic()
            self._forget(now)
            if len(self._starts) < limit:
                self._starts.append(now)
                if waited and limit == self.overall:
                    self.answer_waits += 1
                return
            waited = True
            # The oldest start leaves the window first; then look again.
            await self._timer.sleep(max(self._starts[0] + self.WINDOW - now, 0.001))

    def _forget(self, now: float) -> None:
        while self._starts and now - self._starts[0] >= self.WINDOW:
            self._starts.popleft()


class AnswerLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter for the Application's own requests (answers to the person acting).

    A new message takes its turn from the shared ``SendBudget`` (at once, in all but a
    storm of answers) and, to a group, from that group's 20 a minute; everything else
    (edits, callback answers, getMe) goes straight through. A 429 is raised to the caller,
    like PTB's ``AIORateLimiter`` with no retries: an answer that late is worse than an
    error message.
    """

    def __init__(self, budget: SendBudget) -> None:
        self.budget = budget
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if endpoint in MESSAGE_METHODS and chat_id is not None:
            if _is_group(chat_id):
                limiter = self._groups.setdefault(chat_id, AsyncLimiter(GROUP_PER_MINUTE, 60))
                await limiter.acquire()
            await self.budget.take_answer()
            if isinstance(chat_id, int):  # the outbox knows chats by id, never by @name
                self.budget.answered(chat_id)
        return await callback(*args, **kwargs)


def _is_group(chat_id: object) -> bool:
    # A string chat id is a channel or supergroup's @name; group ids are negative.
    if isinstance(chat_id, str):
        return not chat_id.lstrip("-").isdigit() or chat_id.startswith("-")
    return isinstance(chat_id, int) and chat_id < 0
