"""The button a branch's board carries into /todo's list for its activity.

Features never import each other, so the shape of /todo's button (``td:ls:<activity>:
<branch>``) lives here, for the boards of pledges, visits, the party day and service.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import encode
from handlers.common.i18n import Translator
from storage.members import Member, Role
from storage.todo import Activity

PREFIX = "td"


def leads_to_todo(viewer: Member) -> bool:
    """Whether a board shown to ``viewer`` carries the button: /todo reminds people, so it
    is the secretaries' and the bureau's, never an inspector's (who only reads)."""
    return viewer.role in (Role.SECRETARY, Role.ADMIN)


def todo_button(t: Translator, activity: Activity, branch_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t.plain(f"todo.button.{activity.value}"),
        callback_data=encode(PREFIX, "ls", activity.value, branch_id),
    )
