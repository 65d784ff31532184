"""Bulk and scheduled messages go through the outbox; this wakes its dispatcher.

A handler enqueues rows with ``storage.outbox.enqueue`` inside its own transaction (so the
record and its messages commit together), then calls ``wake(context)`` after the commit.
"""

from __future__ import annotations

from handlers.common.context import XContext


def wake(context: XContext) -> None:
    """Tell the dispatcher new rows are waiting (no-op where none runs, e.g. in migrate)."""
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        dispatcher.wake()
