"""/todo's screens: a branch's lists of who has not yet, their nudge buttons, what a nudge
says to its recipient, and the answer after one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.i18n import Raw, Translator
from handlers.common.todo_link import PREFIX
from handlers.todo import texts  # noqa: F401  (fills the catalog)
from storage.members import Member
from storage.todo import Activity, Missing

Screen = tuple[str, InlineKeyboardMarkup | None]


def lists(
    t: Translator, branch: str, today: date, found: Sequence[Missing], *, actor_id: int,
    branch_id: int, can_nudge: bool,
) -> Screen:  # fmt: skip
    """The title, a block per activity, and a nudge button under each list that has
    someone to remind (the person asking is never nudged by their own press)."""
    parts = [t("todo.title", branch=branch, date=today.isoformat())]
    rows = []
    for missing in found:
        parts.append(block(t, missing))
        count = len(targets(missing, actor_id))
        if can_nudge and missing.nudgeable and count:
            label = t.plain(f"todo.nudge.{missing.activity.value}", count=count)
            data = encode(PREFIX, "n", missing.activity.value, branch_id)
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    if rows:
        parts.append(t("todo.nudge_note"))
    return "\n\n".join(parts), InlineKeyboardMarkup(rows) if rows else None


def block(t: Translator, missing: Missing) -> str:
    key = missing.activity.value
    if missing.activity is Activity.PARTY_DAY and missing.day is None:
        return t("todo.partyday.none")
    when = {
        "year": missing.period,
        "month": missing.period,
        "date": missing.day.isoformat() if missing.day else "",
    }
    if not missing.people:
        return t(f"todo.{key}.done", **when)
    text = t(f"todo.{key}.line", count=len(missing.people), names=names(t, missing.people), **when)
    if not missing.nudgeable:
        text += "\n" + t("todo.partyday.held")
    return text


def targets(missing: Missing, actor_id: int) -> list[Member]:
    """Whom a press nudges: everyone listed but the person pressing."""
    return [person for person in missing.people if person.id != actor_id]


def names(t: Translator, people: Sequence[Member]) -> str:
    return t.plain("todo.sep").join(person.name for person in people)


def nudge(t: Translator, missing: Missing, branch: str) -> str:
    """The reminder one person gets, in their language."""
    day = missing.day.isoformat() if missing.day else ""
    return t(f"todo.msg.{missing.activity.value}", branch=branch, year=missing.period, date=day)


def nudged(
    t: Translator,
    *,
    sent: Sequence[Member],
    again: Sequence[Member],
    muted: Sequence[Member],
    release: datetime | None,
) -> str:
    """What the press did: who was reminded, who had been already today, who muted it."""
    parts = []
    if sent:
        parts.append(t("todo.sent", count=len(sent), names=names(t, sent)))
        if again:
            parts.append(t("todo.some_already", count=len(again)))
    elif again:
        parts.append(t("todo.already_today", names=names(t, again)))
    if muted:
        parts.append(t("todo.muted", count=len(muted), names=names(t, muted)))
    if not parts:
        parts.append(t("todo.nobody"))
    if sent and release is not None:
        parts.append(t("todo.later", when=Raw(release.strftime("%m-%d %H:%M"))))
    return "\n".join(parts)
