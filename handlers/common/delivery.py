"""Bulk and scheduled messages go through the outbox; this wakes its dispatcher.

A handler enqueues rows with ``storage.outbox.enqueue`` inside its own transaction (so the
record and its messages commit together), then calls ``wake(context)`` after the commit.
"""

from __future__ import annotations

from datetime import datetime

from handlers.common.context import XContext
from schedules.quiet import QuietHours


def release_time(context: XContext) -> datetime:
    """When a message a person sends out now may be delivered: now, or at night the end of
    the deployment's quiet hours (nobody's phone should buzz at 23:00 for a notice)."""
    quiet = QuietHours(context.config.quiet_start, context.config.quiet_end)
    return quiet.release(context.now(), context.config.zone)


def wake(context: XContext) -> None:
    """Tell the dispatcher new rows are waiting (no-op where none runs, e.g. in migrate)."""
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        dispatcher.wake()
