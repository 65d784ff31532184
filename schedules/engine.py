"""The tick: what is due becomes outbox rows, in one transaction with the time it ran.

``ReminderEngine.tick()`` is what the JobQueue calls every minute (and once at start-up,
which is the catch-up after downtime: the same code with a longer window):

1. read ``last_run`` and ask ``schedules.due`` what is due now (on the reader connection),
   with the engine's ``KeptReads`` (``schedules.kept``): a read whose tables nobody wrote
   since the last minute is answered from memory, and dedupe keys known to be queued or
   skipped are not looked up again, so an ordinary minute reads almost nothing;
2. in transactions of at most ``SLICE`` (50 ms) each, so that members' taps are not kept
   waiting for the writer: render each due reminder in its recipient's language with its
   kind's renderer and queue it in the outbox under its dedupe key (each inside a
   savepoint, so one broken renderer costs that reminder, not the tick); in the last one,
   record the skipped ones (log line + ``reminder_skips`` row) and set ``last_run = now``;
3. after each slice's commit, wake the dispatcher, so the first rows go out while the
   rest are rendered.

Reminders rendered in the same slice share their reads through one ``memo`` (a
thousand announcements read their branch's day once per slice, not a thousand times).
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
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from schedules.due import HORIZON, DuePlan, due
from schedules.kept import KeptReads
from schedules.kinds import SCHEDULED, Memo, Reminder, Renderer
from schedules.quiet import QuietHours
from storage import outbox, prefs, reminders
from storage.clock import Clock
from storage.database import Database
from storage.link_rules import LinkRhythms
from storage.meetings import MeetingFrequencies

log = logging.getLogger(__name__)

NOTHING_TO_SAY = "nothing_to_say"
# Longest a tick holds the writer lock at once (seconds); see ``tick``.
SLICE = 0.05


@dataclass
class TickReport:
    at: datetime
    since: datetime | None
    queued: int = 0
    skipped: int = 0
    muted: int = 0
    empty: int = 0
    failed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


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
        # button press) waits only for the rendering and queueing below. Renderers re-read
        # their record inside the transaction, so a change in between is not missed.
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
        # it. So the reminders are rendered and queued in slices of at most SLICE seconds,
        # each its own transaction, and waiting writers go in between. A crash between
        # slices is safe: queued rows have their dedupe keys, and last_run moves only with
        # the last slice, so the next tick does exactly the rest.
        pending = iter(plan.reminders)
        reminder = next(pending, None)
        while True:
            queued = report.queued
            handled: list[str] = []  # dedupe keys this slice queued or noted as skipped
            async with self.db.transaction() as tx:
                ends = time.monotonic() + SLICE
                memo: Memo = {}
                while reminder is not None:
                    language = chosen.get(reminder.telegram_id, self.default_language)
                    if await self._queue(tx, reminder, language, now, report, memo):
                        handled.append(reminder.dedupe_key)
                    reminder = next(pending, None)
                    if time.monotonic() >= ends:
                        break
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
                # rendered: 5,000 announcements take seconds to queue.
                self.wake()
            await asyncio.sleep(0)
        if report.queued:
            log.info("reminders: queued %d %s", report.queued, report.by_kind)
            if self.wake is not None:
                self.wake()
        return report

    async def _queue(
        self,
        tx: aiosqlite.Connection,
        reminder: Reminder,
        language: str,
        now: datetime,
        report: TickReport,
        memo: Memo,
    ) -> bool:
        """Render and queue one reminder; True if its dedupe key is now handled (queued,
        already in the outbox, or noted as having nothing to say)."""
        render = self.renderers[reminder.kind.value]
        await tx.execute("SAVEPOINT reminder")
        try:
            rendered = await render(tx, reminder, language, now, memo)
            if rendered is None:
                # The record changed since it was due (answered, done, withdrawn): note it
                # so the next tick does not render it again.
                await reminders.record_skip(
                    tx,
                    dedupe_key=reminder.dedupe_key,
                    kind=reminder.kind.value,
                    member_id=reminder.member_id,
                    due_at=reminder.due_at,
                    reason=NOTHING_TO_SAY,
                    now=now,
                )
                report.empty += 1
                return True
            if await outbox.enqueue(
                tx,
                chat_id=reminder.telegram_id,
                member_id=reminder.member_id,
                kind=reminder.kind.value,
                text=rendered.text,
                buttons=rendered.buttons,
                photo=rendered.photo,
                dedupe_key=reminder.dedupe_key,
                not_before=reminder.not_before,
                expires_at=reminder.expires_at,
                now=now,
            ):
                report.queued += 1
                report.by_kind[reminder.kind.value] = report.by_kind.get(reminder.kind.value, 0) + 1
            return True
        except Exception:
            # One broken renderer must not stop every other reminder: undo its writes,
            # log it, and let the next tick try again while the reminder is useful.
            # What it read or noted for the others may have been undone with it.
            await tx.execute("ROLLBACK TO reminder")
            memo.clear()
            report.failed += 1
            log.exception("reminders: could not render %s", reminder.dedupe_key)
            return False
        finally:
            await tx.execute("RELEASE reminder")

    async def _skip(
        self, tx: aiosqlite.Connection, plan: DuePlan, now: datetime, report: TickReport
    ) -> None:
        for item in plan.skipped:
            if await reminders.record_skip(
                tx,
                dedupe_key=item.dedupe_key,
                kind=item.kind.value,
                member_id=item.member_id,
                due_at=item.due_at,
                reason=item.reason,
                now=now,
            ):
                report.skipped += 1
                log.info(
                    "reminders: skipped %s (due %s): %s",
                    item.dedupe_key,
                    item.due_at.isoformat(),
                    item.reason,
                )
