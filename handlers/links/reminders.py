"""The links reminder as its recipient reads it, and the links line of the secretary's
monthly digest: both re-read the links when the tick renders them."""

from __future__ import annotations

from datetime import date

from handlers.common.reminders import DigestSection, DueReminder, ReminderView, Screen
from handlers.links import views
from handlers.links.names import names_for
from schedules.kinds import Kind
from storage import links
from storage.link_rules import LinkRhythms, Span
from storage.links import Link, LinkStatus
from storage.reminders import Digest


async def behind(due: DueReminder) -> Screen | None:
    """The links still without a contact in their window; None when all have one since."""
    found: list[tuple[Link, date]] = []
    for item in due.reminder.payload.get("links", []):
        link = await links.get(due.conn, int(item["id"]))
        if link is None or link.status is not LinkStatus.ACTIVE:
            continue
        window = Span(date.fromisoformat(str(item["start"])), date.fromisoformat(str(item["end"])))
        if await links.contacts_in(due.conn, link, window) == 0:
            found.append((link, window.end))
    if not found:
        return None
    names = await names_for(due.conn, [link for link, _ in found])
    return views.reminder(due.t, found, names, due.reminder.branch_id)


def digest_section(rhythms: LinkRhythms) -> DigestSection:
    """The reported month's links (a term's for the term rhythms): contacted and behind."""

    async def section(due: DueReminder, digest: Digest) -> Screen | None:
        first = date.fromisoformat(f"{digest.month}-01")
        stored = await due.set_terms()
        # Every branch's counts in one query, read once for all the digests.
        counts = await due.for_all(
            ("links.digest", first),
            lambda conn, _: links.branch_totals(
                conn, on=first, today=due.today, rhythms=rhythms, terms=stored
            ),
        )
        return None if counts is None else views.digest_line(due.t, counts)

    return section


VIEWS: dict[Kind, ReminderView] = {Kind.LINK_BEHIND: behind}
