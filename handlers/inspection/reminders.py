"""The rectification deadline reminder as its recipients read it: the item is re-read when
the tick renders it, and nothing is said once it was answered."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from handlers.common.reminders import DueReminder, ReminderView, Screen
from handlers.inspection import views
from schedules.kinds import Kind
from storage import rectification
from storage.rectification import ItemStatus


async def deadline(due: DueReminder) -> Screen | None:
    """Before the deadline: it is coming; after it: it has passed. With the item's button."""
    payload = due.reminder.payload
    row = await rectification.get(due.conn, int(payload["item_id"]))
    if row is None or row.status is not ItemStatus.OPEN:
        return None  # answered (or accepted) since the reminder fell due
    if row.deadline.isoformat() != str(payload["deadline"]):
        return None
    t = due.t
    key = "insp.remind.before" if payload.get("when") == "before" else "insp.remind.after"
    text = t(key, branch=row.branch_name, text=row.text, deadline=row.deadline.isoformat())
    markup = InlineKeyboardMarkup([[views.button(t.plain("insp.btn.open"), "it", row.id)]])
    return text, markup


VIEWS: dict[Kind, ReminderView] = {Kind.RECTIFICATION_DEADLINE: deadline}
