"""The secretary's monthly digest: the month's counts, then each feature's own section
(registered with ``reg.digest_section``; home visits add who is below their target)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from handlers.common.html import MESSAGE_LIMIT
from handlers.common.reminders import (
    DigestSection,
    DueReminder,
    ReminderView,
    Screen,
    to_buttons,
)
from handlers.reminders import views
from storage import reminders
from storage.outbox import Button


def digest_view(sections: Sequence[DigestSection]) -> ReminderView:
    """The digest's view. ``sections`` is read when a digest is rendered, so a feature
    registered after this one still has its section in it."""

    async def digest(due: DueReminder) -> Screen | None:
        month = date.fromisoformat(f"{due.reminder.payload['month']}-01")
        stored = await due.set_terms()
        # Every due branch's digest in a dozen queries, not two dozen a branch.
        data = await due.for_all(
            ("digest", month),
            lambda conn, branch_ids: reminders.digests(
                conn, branch_ids, month, due.zone, stored=stored
            ),
        )
        if data is None:
            return None
        text = views.digest(due.t, data)
        buttons: list[list[Button]] = []
        for section in sections:
            screen = await section(due, data)
            if screen is None:
                continue
            more, keyboard = (screen, None) if isinstance(screen, str) else screen
            if len(text) + len(more) > MESSAGE_LIMIT - 2:
                continue  # a very large branch: the counts above say it, the list would not fit
            text = f"{text}\n\n{more}"
            buttons += to_buttons(keyboard) or []
        return text, [[b.model_dump(exclude_none=True) for b in row] for row in buttons] or None

    return digest
