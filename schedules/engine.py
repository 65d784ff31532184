"""The tick: what is due becomes outbox rows, rendered outside the write transaction.

``ReminderEngine.tick()`` is what the JobQueue calls every minute (and once at start-up,
which is the catch-up after downtime: the same code with a longer window):

1. read ``last_run`` and ask ``schedules.due`` what is due now (on the reader connection),
   with the engine's ``KeptReads`` (``schedules.kept``): a read whose tables nobody wrote
   since the last minute is answered from memory, and dedupe keys known to be queued or
   skipped are not looked up again, so an ordinary minute reads almost nothing;
2. in slices of at most ``SLICE`` (0.5 s) of rendering or ``BATCH`` (500) messages: render
   each due reminder in its recipient's language with its kind's renderer, on the inline
   reader (``Database.read_inline``: a reader whose small statements run on the loop's own
   thread, as thousands of trips to a worker thread and back cost more than the reads;
   no lock is held: members' taps write meanwhile; the event loop runs other work at
   least every ``YIELD``, 20 ms); then write the slice in one short transaction:
   the writes the views asked for (``Rendered.writes``: the announcement pins its party
   day), the messages in a statement per few hundred rows (``outbox.enqueue_many``: a
   dedupe key already queued adds nothing) and what had nothing to say as skips; the last
   one also records the skipped reminders (log line + ``reminder_skips`` row) and sets
   ``last_run = now``;
3. after each slice's commit, wake the dispatcher, so the first rows go out while the
   rest are rendered.

Reminders rendered in the same slice share their reads through one ``memo`` (a
thousand announcements read their branch's day once per slice, not a thousand times).
The memo also knows the reminders still to render and a reader on its own thread: the
hundred digests of the 1st read their tables once for all their branches there
(``DueReminder.for_all``), kept for the rest of the tick.
A message is as fresh as the slice's reads: one that became untrue in the milliseconds
before its row was written is like one that became untrue while it waited in the outbox.
The last slice also checks whether another process wrote to the database
(``Database.note_other_writers``), so the next tick reads again what it changed.

A crash before the last commit leaves ``last_run`` where it was, so the next tick does the
same work, and the rows already queued are not queued again; after it, the rows are in
the outbox and the dispatcher owns them. Either way nothing is lost
and, thanks to the dedupe keys, nothing is queued twice.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from schedules.due import HORIZON, DuePlan, due
from schedules.kept import KeptReads
from schedules.kinds import SCHEDULED, Memo, Reminder, Rendered, Renderer, Write
from schedules.quiet import QuietHours
from storage import outbox, prefs, reminders
from storage.clock import Clock
from storage.database import Database
from storage.link_rules import LinkRhythms
from storage.meetings import MeetingFrequencies

log = logging.getLogger(__name__)

NOTHING_TO_SAY = "nothing_to_say"
# A slice of the tick: at most this long rendering (seconds) and this many rows, then
# written in one transaction; see ``tick``.
SLICE = 0.5
BATCH = 500
# Longest the tick renders without letting the event loop run the rest (seconds).
YIELD = 0.02


@dataclass
class TickReport:
    at: datetime
    since: datetime | None
    queued: int = 0
    skipped: int = 0
    muted: int = 0
    empty: int = 0
    failed: int = 0
    changed: int = 0
    """Rendered, but a write they needed found its record changed: rendered again next tick."""
    by_kind: dict[str, int] = field(default_factory=dict)


class Failed:
    """A reminder whose renderer raised (``FAILED``)."""


FAILED = Failed()


class _Added(set[str]):
    """Dedupe keys of the rows added, and in ``failed`` those that could not be."""

    def __init__(self, keys: set[str] | None = None) -> None:
        super().__init__(keys or ())
        self.failed: set[str] = set()


class ReminderEngine:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        zone: ZoneInfo,
        quiet: QuietHours,
        renderers: Mapping[str, Renderer],
        default_language: str = "zh",
        wake: Callable[[], None] | None = None,
        frequencies: MeetingFrequencies | None = None,
        rhythms: LinkRhythms | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.quiet = quiet
        self.renderers = dict(renderers)
        self.default_language = default_language
        self.wake = wake
        self.frequencies = frequencies or MeetingFrequencies()
        self.rhythms = rhythms or LinkRhythms()
        self.kept = KeptReads(db)

    @property
    def kinds(self) -> frozenset[str]:
        """The scheduled kinds this engine can render (and so computes)."""
        return frozenset(k.value for k in SCHEDULED if k.value in self.renderers)

    @property
    def missing(self) -> list[str]:
        """Scheduled kinds nobody renders: never computed, said once at start-up."""
        return sorted(k.value for k in SCHEDULED if k.value not in self.renderers)

    async def tick(self) -> TickReport:
        now = self.clock.now()
        # A command-line tool's write since the last tick makes kept reads read again now,
        # not a minute later.
        await self.db.check_other_writers()
        # What is due is read on the reader connection, so the writer (and every member's
        # button press) waits only for the queueing below. Renderers re-read their record
        # when they render, so a change in between is not missed.
        async with self.db.read() as conn:
            since = await reminders.last_run(conn)
            plan = await due(
                conn, now=now, since=since, zone=self.zone, quiet=self.quiet, kinds=self.kinds,
                frequencies=self.frequencies, rhythms=self.rhythms, kept=self.kept,
            )  # fmt: skip
        if since is not None and now - since > HORIZON:
            log.warning(
                "reminders: last run was %s; reminders due before %s are past use and "
                "were not examined",
                since.isoformat(),
                (now - HORIZON).isoformat(),
            )
        report = TickReport(at=now, since=since, muted=plan.muted)
        async with self.db.read() as conn:
            chosen = await prefs.languages(conn, (r.telegram_id for r in plan.reminders))
        # The writer lock is every member's: a tap that writes waits while the tick holds
        # it. So the messages are rendered before the lock is taken, a slice at a time, and
        # each slice is written in one short transaction. A crash between slices is safe:
        # queued rows have their dedupe keys, and last_run moves only with the last slice,
        # so the next tick does exactly the rest.
        position = 0
        reminder = plan.reminders[0] if plan.reminders else None
        written: dict[Hashable, bool] = {}  # each write key made this tick: may rows go?
        kept: dict[Hashable, Any] = {}  # reads made for many reminders (``Memo.tick``)
        while True:
            queued = report.queued
            rendered: list[tuple[Reminder, Rendered | None, str | None]] = []
            ends = time.monotonic() + SLICE
            turn = time.monotonic() + YIELD
            encoded: dict[int, tuple[object, str]] = {}
            async with self.db.read_inline() as conn, self.db.read() as reader:
                memo = Memo(plan.reminders[position:], reader, kept)
                while reminder is not None:
                    language = chosen.get(reminder.telegram_id, self.default_language)
                    done = await self._render(conn, reminder, language, now, report, memo, encoded)
                    if not isinstance(done, Failed):
                        rendered.append((reminder, *done))
                    position += 1
                    reminder = plan.reminders[position] if position < len(plan.reminders) else None
                    if time.monotonic() >= ends or len(rendered) >= BATCH:
                        break
                    if time.monotonic() >= turn:
                        # Reads from the memo do not wait: let everyone else's updates run.
                        await asyncio.sleep(0)
                        turn = time.monotonic() + YIELD
            async with self.db.transaction() as tx:
                handled = await self._write(tx, rendered, now, report, written)
                if reminder is None:
                    await self._skip(tx, plan, now, report)
                    handled += (item.dedupe_key for item in plan.skipped)
                    if since is None or now > since:
                        await reminders.set_last_run(tx, now, now=now)
                    await self.db.note_other_writers(tx)
            # Known only once committed: the next tick does not ask about them again.
            self.kept.handled.update(handled)
            if reminder is None:
                break
            if report.queued > queued and self.wake is not None:
                # The dispatcher starts on the first slice's rows while the rest are
                # rendered: 5,000 announcements take a while to queue.
                self.wake()
            await asyncio.sleep(0)
        if report.queued:
            log.info("reminders: queued %d %s", report.queued, report.by_kind)
            if self.wake is not None:
                self.wake()
        return report

    async def _render(
        self,
        conn: aiosqlite.Connection,
        reminder: Reminder,
        language: str,
        now: datetime,
        report: TickReport,
        memo: Memo,
        encoded: dict[int, tuple[object, str]],
    ) -> tuple[Rendered | None, str | None] | Failed:
        """The reminder as its recipient will read it (None: nothing to say any more) and
        its buttons encoded for the outbox, or ``FAILED``: one broken renderer costs that
        reminder, logged, not the tick; the next tick tries it again while it is useful."""
        render = self.renderers[reminder.kind.value]
        try:
            rendered = await render(conn, reminder, language, now, memo)
            if rendered is None or rendered.buttons is None:
                return rendered, None
            # Checked and encoded here, before the writer lock is taken; once a slice for
            # the same buttons (one branch's announcements share theirs).
            buttons = rendered.buttons
            known = encoded.get(id(buttons))
            if known is None or known[0] is not buttons:
                known = encoded[id(buttons)] = (buttons, outbox.encode_buttons(buttons))
            return rendered, known[1]
        except Exception:
            report.failed += 1
            log.exception("reminders: could not render %s", reminder.dedupe_key)
            return FAILED

    async def _write(
        self,
        tx: aiosqlite.Connection,
        rendered: list[tuple[Reminder, Rendered | None, str | None]],
        now: datetime,
        report: TickReport,
        written: dict[Hashable, bool],
    ) -> list[str]:
        """Queue a slice's messages and note those with nothing to say; the dedupe keys
        now handled (queued, already in the outbox, or noted)."""
        handled: list[str] = []
        messages: list[outbox.NewMessage] = []
        kinds: dict[str, str] = {}
        # The skips and the views' writes (a party day pinned is some seven statements)
        # run on the loop's thread, as every transaction's do; the rows' insert, one longer
        # statement, goes to the writer's thread so the loop answers taps meanwhile.
        for reminder, message, buttons in rendered:
            if message is None:
                # The record changed since it was due (answered, done, withdrawn): note it
                # so the next tick does not render it again.
                await reminders.record_skip(
                    tx, dedupe_key=reminder.dedupe_key, kind=reminder.kind.value,
                    member_id=reminder.member_id, due_at=reminder.due_at,
                    reason=NOTHING_TO_SAY, now=now,
                )  # fmt: skip
                report.empty += 1
                handled.append(reminder.dedupe_key)
                continue
            if not await self._make_writes(tx, message.writes, report, written):
                report.changed += 1
                continue
            messages.append(
                outbox.NewMessage(
                    chat_id=reminder.telegram_id, member_id=reminder.member_id,
                    kind=reminder.kind.value, text=message.text, buttons=buttons,
                    dedupe_key=reminder.dedupe_key, not_before=reminder.not_before,
                    photo=message.photo, expires_at=reminder.expires_at,
                )
            )  # fmt: skip
            kinds[reminder.dedupe_key] = reminder.kind.value
        async with self.db.on_thread(tx):
            added = await self._enqueue(tx, messages, now, report)
        for key in added:
            report.queued += 1
            report.by_kind[kinds[key]] = report.by_kind.get(kinds[key], 0) + 1
        handled += (m.dedupe_key for m in messages if m.dedupe_key not in added.failed)
        return handled

    async def _make_writes(
        self,
        tx: aiosqlite.Connection,
        writes: tuple[tuple[Hashable, Write], ...],
        report: TickReport,
        written: dict[Hashable, bool],
    ) -> bool:
        """Make a message's writes not made yet this tick, each inside a savepoint; False
        if one said its record changed, or failed (what it wrote is then undone)."""
        for key, write in writes:
            if key not in written:
                await tx.execute("SAVEPOINT reminder_write")
                try:
                    written[key] = await write(tx)
                except Exception:
                    written[key] = False
                    report.failed += 1
                    log.exception("reminders: could not write %r", key)
                if not written[key]:
                    await tx.execute("ROLLBACK TO reminder_write")
                await tx.execute("RELEASE reminder_write")
            if not written[key]:
                return False
        return True

    async def _enqueue(
        self,
        tx: aiosqlite.Connection,
        messages: list[outbox.NewMessage],
        now: datetime,
        report: TickReport,
    ) -> _Added:
        """The slice's rows in one statement per few hundred; if one breaks a constraint
        (its member gone, say), one at a time, so it costs only itself."""
        try:
            return _Added(await outbox.enqueue_many(tx, messages, now=now))
        except sqlite3.DatabaseError:
            log.warning("reminders: a batch of %d rows failed; one at a time", len(messages))
        added = _Added()
        for message in messages:
            try:
                added.update(await outbox.enqueue_many(tx, [message], now=now))
            except sqlite3.DatabaseError:
                added.failed.add(message.dedupe_key)
                report.failed += 1
                log.exception("reminders: could not queue %s", message.dedupe_key)
        return added

    async def _skip(
        self, tx: aiosqlite.Connection, plan: DuePlan, now: datetime, report: TickReport
    ) -> None:
        if not plan.skipped:
            return
        items = [
            reminders.NewSkip(
                dedupe_key=item.dedupe_key, kind=item.kind.value, member_id=item.member_id,
                due_at=item.due_at, reason=item.reason,
            )
            for item in plan.skipped
        ]  # fmt: skip
        # After a long outage these are thousands of rows: on the writer's thread, in a
        # statement per few hundred, so the loop answers taps meanwhile.
        async with self.db.on_thread(tx):
            noted = await reminders.record_skips(tx, items, now=now)
        for item in plan.skipped:
            if item.dedupe_key in noted:
                noted.discard(item.dedupe_key)  # counted and logged once, as noted once
                report.skipped += 1
                log.info(
                    "reminders: skipped %s (due %s): %s",
                    item.dedupe_key,
                    item.due_at.isoformat(),
                    item.reason,
                )
