"""The dispatcher: drains the outbox into Telegram at Telegram's pace, recording every outcome.

``Dispatcher.run(stop)`` is the long-running loop the composition root starts; anything
that enqueues calls ``wake()`` after committing, so new rows go out at once instead of at
the next poll. ``run_once()`` sends what is due now and returns, for tests and scripts.

How a message is sent, one at a time per row:

1. wait for a free sending slot (at most ``max_in_flight`` requests at once), for the end
   of a flood pause (after a 429), and for the overall pace (``rate`` a second); just
   before the request, also for room in Telegram's overall limit left by the answers to
   people acting (``schedules.budget``: they go first);
2. claim the oldest due row whose chat may be sent to now (one a second per chat, 20 a
   minute per group, never two in flight to one chat): in one transaction it becomes
   'sending' with one more attempt;
3. send it (``sendMessage``, or ``sendPhoto`` with the text as caption), as HTML with its
   inline keyboard; an edit row changes the message its ``edit_of`` row posted instead
   (``editMessageText``; "message is not modified" means it already shows this: sent);
4. record the outcome in one transaction: sent (with Telegram's message id), rescheduled
   (429: after ``retry_after``, the attempt given back; timeout or network error: with
   exponential back-off until ``max_attempts``; but when different rows fail one after the
   other, Telegram is unreachable: all sending pauses and no attempt is counted), blocked
   (403, and the member is marked unreachable), or failed (bad request such as "chat not
   found", or retries exhausted). A feature that must know how its kind of message fared
   (a notice post's message id, or that it failed) has a *receipt* for the kind, run in
   that same transaction for the final outcomes and a chat's move.

What a crash can do
-------------------
A row is 'sending' only between its claim and the commit of its outcome, and it is
claimed only when it can be sent at once, so after ``kill -9`` the rows left in
'sending' are exactly the requests that were in flight. ``recover_in_flight`` (run by
``run`` at start-up) sends those again: each may arrive twice, if Telegram had accepted
it before the process died. Nothing else is lost or repeated: pending rows are sent
once, rows with a recorded outcome never again.

So a kill repeats at most the messages in flight, which is at most ``max_in_flight``
(default 4) and at most one per chat, since one chat never has two in flight: no person
gets more than one repeat per kill. Requests start evenly spaced, so about
``rate × latency`` are in flight (1–2 at 25 a second and 30–80 ms a call). With
``max_in_flight=1`` the issue's "at most the one message in flight" holds literally, at
the price of a rate near one over the latency (about 15 a second at 65 ms a call).

A timed-out request is the other way to repeat a message: Telegram may have delivered
it without our seeing the answer, and the retry delivers it again. Telegram offers no
way to tell, so the retry is deliberate; not retrying would lose messages instead.

A graceful stop (``stop`` set) claims nothing more and returns when the requests in
flight have been answered and recorded.

Late rows: quiet hours and usefulness
-------------------------------------
Rows are queued with a ``not_before`` outside the quiet hours, but a row can still be
late: the bot was down, Telegram asked for a long wait, a timeout's back-off ran on.
So the dispatcher checks again when it sends: inside the quiet hours (``quiet``, in
``zone``) it claims only urgent rows (someone is waiting for them: a review decision, a
leave answer; an edit, which rings no phone) and otherwise sleeps until they end, and a
row past its
``expires_at`` (a reminder's "useful until") is given up, logged and recorded as failed
(``outbox.expire``), never delivered late and wrong.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

import aiosqlite
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from schedules.budget import SendBudget
from schedules.pacing import ChatPacer, RatePacer, RealTimer, Timer
from schedules.quiet import QuietHours
from storage import branches, members, outbox
from storage.clock import Clock
from storage.database import Database
from storage.outbox import Keyboard, OutboxMessage

log = logging.getLogger(__name__)

# Shortest idle sleep, so an unexpected state (a due row that cannot be claimed) costs a
# slow poll rather than a busy loop.
MIN_IDLE = 0.05
# Tries to record a send's outcome before the row is left 'sending' until the next restart.
RECORD_TRIES = 3


@dataclass(frozen=True)
class DispatchLimits:
    rate: float = 25.0
    """Messages a second, overall (Telegram allows about 30)."""
    chat_interval: float = 1.0
    """Seconds between two messages to the same chat, private or group."""
    group_per_minute: int = 20
    """Messages to one group (negative chat id) in any 60 seconds."""
    max_in_flight: int = 4
    """Requests at once; bounds what a crash can repeat (see the module docstring)."""
    max_attempts: int = 5
    """Attempts for timeouts and network errors before the row fails."""
    backoff_base: float = 2.0
    """Seconds before the first retry; doubled for each further attempt."""
    backoff_max: float = 600.0
    max_flood_waits: int = 10
    """429s one row may receive before it fails (429s do not count as attempts)."""
    outage_pause_max: float = 120.0
    """Longest pause of all sending while Telegram is unreachable (see ``_judge_network``)."""
    idle_poll: float = 60.0
    """Longest sleep with nothing due: picks up rows enqueued without ``wake()``."""
    burst: int = 2
    """Back-to-back starts allowed to make up for lateness (see ``RatePacer``)."""

    def backoff(self, attempts: int) -> float:
        return min(self.backoff_base * 2 ** min(max(attempts - 1, 0), 32), self.backoff_max)


@dataclass
class DispatchStats:
    """What this dispatcher has done since it was built (for logs and benchmarks)."""

    requests: int = 0
    sent: int = 0
    retried: int = 0
    flood_waits: int = 0
    failed: int = 0
    blocked: int = 0
    recovered: int = 0
    expired: int = 0
    """Rows given up unsent because they were no longer useful."""
    record_errors: int = 0
    paused_seconds: float = 0.0
    """Time all sending stood still because of 429s or an outage."""

    def count(self, outcome: Outcome) -> None:
        match outcome:
            case Outcome.SENT:
                self.sent += 1
            case Outcome.FLOOD:
                self.flood_waits += 1
            case Outcome.RETRY | Outcome.MOVED | Outcome.OUTAGE:
                self.retried += 1
            case Outcome.BLOCKED:
                self.blocked += 1
            case Outcome.FAILED:
                self.failed += 1


class Dispatcher:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        limits: DispatchLimits | None = None,
        *,
        timer: Timer | None = None,
        quiet: QuietHours | None = None,
        zone: ZoneInfo | None = None,
        receipts: Mapping[str, Receipt] | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        """``bot`` must allow ``limits.max_in_flight`` concurrent requests (PTB's default
        HTTPXRequest pool has 256 connections; a pool of 1 would serialise them).

        ``quiet`` and ``zone``: only urgent rows are sent inside the quiet hours (see the
        module docstring); without them the dispatcher sends whenever a row is due.
        ``receipts``: by kind, what to record when such a row's outcome is known.

        ``budget``: Telegram's overall limit shared with the answers to people acting
        (``schedules.budget``); each send also waits for room in it, so answers never
        queue behind the fan-out. ``bot`` should then be one without PTB's rate limiter,
        or the send would be counted twice."""
        if quiet is not None and zone is None:
            raise ValueError("quiet hours need the zone they are in")
        self._db = db
        self._bot = bot
        self._clock = clock
        self.limits = limits or DispatchLimits()
        self._timer: Timer = timer or RealTimer()
        self._quiet = quiet
        self._zone = zone
        self._receipts = dict(receipts or {})
        self._budget = budget
        self._pacer = RatePacer(self.limits.rate, self._timer, burst=self.limits.burst)
        self._chats = ChatPacer(
            interval=self.limits.chat_interval,
            group_per_minute=self.limits.group_per_minute,
            timer=self._timer,
        )
        self._slots = asyncio.Semaphore(self.limits.max_in_flight)
        self._paused_until = float("-inf")
        self._network_row: int | None = None
        self._outage = 0
        self._wake = asyncio.Event()
        self.stats = DispatchStats()
        self.active_at: datetime | None = None
        """When the running loop last showed it was not stuck (a pass, a wait, a send);
        /healthz reads it."""

    def wake(self) -> None:
        """Rows were enqueued: look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def recover(self) -> int:
        """Return rows a crash left in 'sending' to pending (they may be sent twice)."""
        async with self._db.transaction() as tx:
            count = await outbox.recover_in_flight(tx)
        if count:
            log.warning("outbox: %d message(s) interrupted by a crash will be sent again", count)
        self.stats.recovered += count
        return count

    async def run_once(self) -> int:
        """Send what is due now and return how many were delivered.

        Waits for the overall pace and a flood pause, not for a chat's limit: rows held
        back by one stay pending. Rows that become due again while it runs (after a
        flood pause) are sent too.
        """
        before = self.stats.sent
        never = asyncio.Event()
        while await self._pass(never):
            pass
        return self.stats.sent - before

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; then let the requests in flight finish and return."""
        recovered = False
        failures = 0
        while not stop.is_set():
            self._wake.clear()
            self.active_at = self._clock.now()
            try:
                if not recovered:
                    # Inside the retry loop: a database that fails at this first step
                    # must not end the task (nobody awaits it until shutdown).
                    await self.recover()
                    recovered = True
                await self._pass(stop)
                delay = await self._idle_delay()
                failures = 0
            except Exception:
                # A dead dispatcher silently stops every reminder; a broken database
                # gets a retry with back-off (and a log line each time) instead.
                failures += 1
                delay = self.limits.backoff(failures)
                log.exception("outbox: dispatching failed; trying again in %.0f s", delay)
            if not stop.is_set():
                await self._wait_any((self._wake, stop), delay)

    # ------------------------------------------------------------------ one pass

    async def _pass(self, stop: asyncio.Event) -> int:
        """Claim and send due rows until none can be sent now; return how many were tried."""
        tried = 0
        in_flight: set[asyncio.Task[None]] = set()
        await self._expire()
        try:
            while not stop.is_set():
                await self._slots.acquire()
                message = None
                try:
                    if await self._flood_cleared(stop):
                        await self._pacer.wait_turn()
                        # (Read after the waits: the quiet hours may have begun meanwhile.)
                        message = await self._claim_next(urgent_only=self._quiet_wait() > 0)
                finally:
                    if message is None:
                        self._slots.release()
                if message is None:
                    break
                tried += 1
                task = asyncio.create_task(self._deliver(message))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
        finally:
            # Also when cancelled: requests already made are answered and recorded.
            # (asyncio.wait, unlike gather, does not cancel them if we are cancelled again.)
            if in_flight:
                await asyncio.wait(set(in_flight))
        return tried

    def _quiet_wait(self) -> float:
        """Seconds until the quiet hours end; 0 outside them (or with none set)."""
        if self._quiet is None or self._zone is None:
            return 0.0
        now = self._clock.now()
        return max((self._quiet.release(now, self._zone) - now).total_seconds(), 0.0)

    async def _expire(self) -> None:
        """Give up the rows that stopped being useful before they could be sent, and the
        edits of messages that were never sent."""
        async with self._db.transaction() as tx:
            expired = await outbox.expire(tx, self._clock.now())
            orphaned = await outbox.drop_orphaned_edits(tx)
        for message in orphaned:
            self.stats.expired += 1
            log.warning(
                "outbox: edit row %d (%s to %d) dropped: row %s was never sent",
                message.id,
                message.kind,
                message.chat_id,
                message.edit_of,
            )
        for message in expired:
            self.stats.expired += 1
            log.warning(
                "outbox: row %d (%s to %d) expired unsent: useful until %s, due since %s",
                message.id,
                message.kind,
                message.chat_id,
                f"{message.expires_at:%Y-%m-%d %H:%M} UTC",
                f"{message.not_before:%Y-%m-%d %H:%M} UTC",
            )

    async def _flood_cleared(self, stop: asyncio.Event) -> bool:
        """Wait out a pause ordered by a 429; False if told to stop meanwhile."""
        while not stop.is_set():
            remaining = self._paused_until - self._timer.monotonic()
            if remaining <= 0:
                return True
            await self._wait_any((stop,), remaining)
        return False

    async def _claim_next(self, *, urgent_only: bool) -> OutboxMessage | None:
        if self._budget is not None:
            # A chat just answered waits its second too: answers and the outbox together
            # keep to one chat's pace (answers first).
            for chat_id in self._budget.take_answered():
                self._chats.sending(chat_id)
        skip = self._chats.unavailable()
        async with self._db.transaction() as tx:
            claimed = await outbox.claim_due(
                tx, self._clock.now(), 1, skip_chats=skip, urgent_only=urgent_only
            )
            message = claimed[0] if claimed else None
            if message is not None and message.edit_of is not None:
                target = await outbox.edit_target(tx, message)
                message = message.model_copy(update={"telegram_message_id": target})
        if message is None:
            return None
        self._chats.begin(message.chat_id)
        return message

    async def _deliver(self, message: OutboxMessage) -> None:
        """Send one claimed row and record what happened; never raises."""
        try:
            outcome = self._judge_network(message, await self._attempt(message))
            self.active_at = self._clock.now()
            if outcome.pause:
                self._pause(outcome.pause)
            for retry in range(RECORD_TRIES):
                try:
                    await self._record(message, outcome)
                    break
                except Exception:
                    # A busy or failing database: try again shortly. Left 'sending', the
                    # row would wait for the next restart and then maybe be sent twice.
                    self.stats.record_errors += 1
                    if retry == RECORD_TRIES - 1:
                        raise
                    log.warning(
                        "outbox: could not record the outcome for row %d; trying again",
                        message.id,
                        exc_info=True,
                    )
                    await self._timer.sleep(self.limits.backoff(retry + 1) / 4)
        except Exception:
            # The row stays 'sending' and is sent again after a restart.
            log.exception("outbox: could not record the outcome for row %d", message.id)
        finally:
            self._chats.end(message.chat_id)
            self._slots.release()

    async def _attempt(self, message: OutboxMessage) -> Result:
        # Attempts beyond the limit can only come from crashes during this row's sends
        # (retries stop at the limit): a row that keeps killing the process is given up.
        if message.attempts > self.limits.max_attempts:
            return Result(Outcome.FAILED, f"gave up after {message.attempts - 1} interrupted sends")
        if self._budget is not None:
            await self._budget.take_fanout()
        self._chats.sending(message.chat_id)
        self.stats.requests += 1
        try:
            telegram_id = await self._send(message)
        except BadRequest as exc:
            if message.edit_of is not None and "not modified" in str(exc).lower():
                # The message already shows this (a repeat after a crash, say): done.
                return Result(Outcome.SENT, message_id=message.telegram_message_id)
            return classify(exc, message, self.limits)
        except Exception as exc:
            return classify(exc, message, self.limits)
        return Result(Outcome.SENT, message_id=telegram_id)

    async def _send(self, message: OutboxMessage) -> int:
        markup = keyboard_markup(message.buttons)
        if message.edit_of is not None:
            # ``_claim_next`` put the edited message's Telegram id here.
            assert message.telegram_message_id is not None
            if message.photo is not None:
                await self._bot.edit_message_caption(
                    chat_id=message.chat_id,
                    message_id=message.telegram_message_id,
                    caption=message.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            else:
                await self._bot.edit_message_text(
                    message.text,
                    chat_id=message.chat_id,
                    message_id=message.telegram_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            return message.telegram_message_id
        if message.photo is not None:
            sent = await self._bot.send_photo(
                message.chat_id,
                message.photo,
                caption=message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        else:
            sent = await self._bot.send_message(
                message.chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        return sent.message_id

    def _judge_network(self, message: OutboxMessage, outcome: Result) -> Result:
        """Network errors for two different rows one after the other mean Telegram (or the
        way to it, a proxy) is down, not that those messages are bad. Then the attempt is
        given back and all sending pauses, longer each time (up to ``outage_pause_max``),
        until a request gets an answer: an outage of an hour costs no reminder, where
        counting attempts would fail every due row within half a minute. One row failing
        on its own keeps counting towards ``max_attempts``."""
        if not outcome.network:
            if self._outage:
                log.warning("outbox: Telegram answers again; sending resumes")
            self._network_row, self._outage = None, 0
            return outcome
        previous, self._network_row = self._network_row, message.id
        if previous is None or previous == message.id:
            return outcome
        self._outage += 1
        wait = min(self.limits.backoff(self._outage), self.limits.outage_pause_max)
        log.warning(
            "outbox: Telegram unreachable (%s); all sending paused for %.0f s", outcome.cause, wait
        )
        return Result(
            Outcome.OUTAGE,
            f"{outcome.cause}; Telegram unreachable, not counted as an attempt",
            delay=wait,
            pause=wait,
            network=True,
            cause=outcome.cause,
        )

    def _pause(self, seconds: float) -> None:
        # Telegram's flood control is per bot, so every send waits, not just this chat's.
        now = self._timer.monotonic()
        until = now + seconds
        self.stats.paused_seconds += max(until - max(self._paused_until, now), 0.0)
        self._paused_until = max(self._paused_until, until)

    async def _record(self, message: OutboxMessage, result: Result) -> None:
        now = self._clock.now()
        error = result.error or ""
        async with self._db.transaction() as tx:
            match result.kind:
                case Outcome.SENT:
                    await outbox.mark_sent(tx, message.id, result.message_id or 0, now)
                case Outcome.FLOOD:
                    await outbox.defer_for_flood(tx, message.id, _later(now, result.delay), error)
                case Outcome.RETRY:
                    await outbox.reschedule(tx, message.id, _later(now, result.delay), error)
                case Outcome.OUTAGE:
                    await outbox.defer_for_outage(tx, message.id, _later(now, result.delay), error)
                case Outcome.MOVED:
                    await outbox.retarget(tx, message.id, result.chat_id or 0, error)
                    # Whatever the message was, a branch's notice chat follows the group.
                    await branches.follow_chat(tx, message.chat_id, result.chat_id or 0, now)
                case Outcome.BLOCKED:
                    await outbox.mark_blocked(tx, message.id, error)
                    if not message.is_group:
                        await members.set_unreachable(tx, message.chat_id, now)
                case Outcome.FAILED:
                    await outbox.mark_failed(tx, message.id, error)
            receipt = self._receipts.get(message.kind)
            if receipt is not None and result.kind in RECEIPTED:
                await receipt(tx, message, result, now)
        self.stats.count(result.kind)
        if result.kind in (Outcome.FAILED, Outcome.BLOCKED):
            log.warning(
                "outbox: row %d (%s to %d) %s: %s",
                message.id,
                message.kind,
                message.chat_id,
                result.kind.value,
                error,
            )

    # ------------------------------------------------------------------ idling

    async def _idle_delay(self) -> float:
        """How long nothing can be sent: until the next row is due or a chat frees up (or
        the quiet hours end)."""
        quiet = self._quiet_wait()
        longest = min(quiet, self.limits.idle_poll) if quiet else self.limits.idle_poll
        async with self._db.read() as conn:
            due = await outbox.next_due_at(conn, urgent_only=quiet > 0)
        if due is None:
            return max(longest, MIN_IDLE)
        until_due = (due - self._clock.now()).total_seconds()
        if until_due > 0:
            return max(min(until_due, longest), MIN_IDLE)
        # Rows are due but their chats are resting (or a flood pause is on).
        waits = [self._chats.next_release(), self._paused_until - self._timer.monotonic()]
        positive = [w for w in waits if w is not None and w > 0]
        return max(min(min(positive, default=MIN_IDLE), self.limits.idle_poll), MIN_IDLE)

    async def _wait_any(self, events: Iterable[asyncio.Event], seconds: float) -> None:
        events = list(events)
        if any(event.is_set() for event in events):
            return
        waiters: list[asyncio.Future[object]] = [
            asyncio.ensure_future(event.wait()) for event in events
        ]
        waiters.append(asyncio.ensure_future(self._timer.sleep(seconds)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()


# ---------------------------------------------------------------------- outcomes


class Outcome(Enum):
    SENT = "sent"
    FLOOD = "flood wait"
    RETRY = "retry"
    OUTAGE = "outage"
    MOVED = "chat moved"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    kind: Outcome
    error: str | None = None
    message_id: int | None = None
    delay: float = 0.0
    """Seconds to wait before the row is tried again (FLOOD, RETRY)."""
    chat_id: int | None = field(default=None)
    """The chat to send to instead (MOVED)."""
    pause: float = 0.0
    """Seconds every send must wait: Telegram answered 429 (whether or not the row is
    given up for it, the flood control is the whole bot's), or it cannot be reached."""
    network: bool = False
    """The send failed with a timeout or a network error (``cause`` says which)."""
    cause: str = ""


Receipt = Callable[[aiosqlite.Connection, OutboxMessage, Result, datetime], Awaitable[None]]
"""What a feature records when one of its rows has an outcome (the row, the outcome, now):
runs in the transaction that records it, so both commit together, for the outcomes in
``RECEIPTED``."""

RECEIPTED = frozenset({Outcome.SENT, Outcome.FAILED, Outcome.BLOCKED, Outcome.MOVED})


def classify(exc: Exception, message: OutboxMessage, limits: DispatchLimits) -> Result:
    """What a failed send means for its row.

    Order matters: ``BadRequest`` and ``TimedOut`` are subclasses of ``NetworkError``.
    """
    if isinstance(exc, RetryAfter):
        wait = retry_after_seconds(exc)
        error = f"RetryAfter: Too Many Requests: retry after {wait:g}"
        if message.flood_waits >= limits.max_flood_waits:
            return Result(
                Outcome.FAILED,
                f"gave up after {message.flood_waits} flood waits: {error}",
                pause=wait,
            )
        return Result(Outcome.FLOOD, error, delay=wait, pause=wait)
    error = describe(exc)
    if isinstance(exc, Forbidden):
        return Result(Outcome.BLOCKED, error)
    if isinstance(exc, ChatMigrated):
        return Result(Outcome.MOVED, error, chat_id=exc.new_chat_id)
    if isinstance(exc, BadRequest):
        # "Chat not found", unparsable HTML, too long ...: sending again cannot help.
        return Result(Outcome.FAILED, error)
    if isinstance(exc, NetworkError):  # TimedOut included
        if message.attempts >= limits.max_attempts:
            return Result(
                Outcome.FAILED,
                f"gave up after {message.attempts} attempts: {error}",
                network=True,
                cause=error,
            )
        return Result(
            Outcome.RETRY,
            error,
            delay=limits.backoff(message.attempts),
            network=True,
            cause=error,
        )
    if not isinstance(exc, TelegramError):
        log.exception("outbox: unexpected error sending row %d", message.id, exc_info=exc)
    return Result(Outcome.FAILED, error)


def describe(exc: Exception) -> str:
    name, text = type(exc).__name__, str(exc)
    return text if text.startswith(name) else f"{name}: {text}"


def retry_after_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int, or a timedelta with ``PTB_TIMEDELTA`` set
    (reading it warns about that change otherwise); either way, seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def keyboard_markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data, url=b.url) for b in row]
            for row in buttons
        ]
    )


def _later(now: datetime, seconds: float) -> datetime:
    # Stored times have whole seconds: round up so a row is never due before its wait ends.
    moment = now + timedelta(seconds=seconds)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment
