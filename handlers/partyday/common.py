"""What the party-day step modules share: the flow's name, loading a month's day from a
button, and the step answers built on ``handlers.common.reply``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import aiosqlite
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from handlers.common import delivery
from handlers.common.callback import Callback
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotFound, Refusal
from handlers.common.flows import END
from handlers.common.guards import parse_callback, require_branch_access
from handlers.common.i18n import Translator
from handlers.common.reply import remove_buttons, say
from handlers.common.views import cancel_only
from handlers.partyday.views import Rendered, long_date
from storage import branches
from storage.branches import Branch
from storage.members import BranchMember, Member
from storage.partyday import PartyDay, parse_button_month, party_day

# One conversation for the whole feature, so a person is in at most one of its steps:
# starting another (a [请假] press in the middle of /service) replaces the unfinished one.
FLOW = "partyday"

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
P = TypeVar("P", bound=BranchMember)
DayView = Callable[[Translator, PartyDay, Branch], Rendered]

# What the steps take: a typed answer, and anything else that is no command.


@dataclass(frozen=True)
class MonthPress(Generic[P]):
    """A button naming a month of the presser's branch: ``pd:<action>:<branch>:<month>``."""

    person: P
    data: Callback
    branch_id: int
    year: int
    month: int


def month_pressed(update: Update, context: XContext, who: Callable[[XContext], P]) -> MonthPress[P]:
    """The person (``who`` checks the role) and the month their pressed button names;
    another branch is refused."""
    data = parse_callback(update, "pd")
    person = who(context)
    branch_id = data.int_arg(0)
    require_branch_access(person, branch_id)
    year, month = month_from(data, 1)
    return MonthPress(person, data, branch_id, year, month)


def month_from(callback: Callback, index: int) -> tuple[int, int]:
    try:
        return parse_button_month(callback.str_arg(index))
    except ValueError as exc:
        raise BadButton() from exc


async def branch_named(conn: aiosqlite.Connection, branch_id: int) -> Branch:
    branch = await branches.get(conn, branch_id)
    if branch is None:
        raise NotFound()
    return branch


async def tell_of_day(
    tx: aiosqlite.Connection,
    context: XContext,
    people: Sequence[Member],
    what: str,
    view: DayView,
    day: PartyDay,
    *,
    once: str = "",
    not_before: datetime | None = None,
) -> int:
    """``view`` of the branch's day to each of ``people`` (the kind ``partyday.<what>``),
    once per date (and ``once``, e.g. a day) each; how many were new."""
    branch = await branch_named(tx, day.branch_id)
    prefix = f"partyday:{day.branch_id}:{day.date}:{what}"
    return await delivery.tell(
        tx,
        context,
        people,
        f"partyday.{what}",
        lambda t: view(t, day, branch),
        key=lambda person: f"{prefix}:{person.id}{once}",
        not_before=not_before,
    )


async def require_day(
    conn: aiosqlite.Connection, branch_id: int, year: int, month: int
) -> PartyDay:
    day = await party_day(conn, branch_id, year, month)
    if day is None:
        raise Refusal("partyday.not_set")
    return day


async def day_open_for_replies(
    conn: aiosqlite.Connection, context: XContext, branch_id: int, year: int, month: int
) -> PartyDay:
    """The month's day while answers to it may still change; refused once it started or
    when it is cancelled."""
    day = await require_day(conn, branch_id, year, month)
    if day.date is None:
        raise Refusal("partyday.is_cancelled", reason=day.reason or "")
    if not replies_open(day, context.now(), context):
        raise Refusal("partyday.remind.past")
    return day


def replies_open(day: PartyDay, now: datetime, context: XContext) -> bool:
    """Answers may change until the day's start time (deployment zone)."""
    starts = day.starts_at(context.config.zone)
    return starts is not None and now < starts


def refuse_if_closed(day: PartyDay, context: XContext) -> None:
    if day.date is None:
        raise Refusal("partyday.is_cancelled", reason=day.reason or "")
    starts = day.starts_at(context.config.zone)
    if starts is None or context.now() >= starts:
        assert day.date is not None
        start_text = f"{long_date(context.t, day.date)} {day.start_time.strftime('%H:%M')}"
        raise Refusal("partyday.closed", start=start_text)


async def ask(
    update: Update,
    context: XContext,
    state: str,
    key: str,
    keyboard: InlineKeyboardMarkup | None = None,
    **kwargs: object,
) -> str:
    """Say what was wrong (or what is needed) and stay on the same step."""
    await say(update, context, context.t(key, **kwargs), keyboard)
    return state


async def ask_typed(
    update: Update, context: XContext, state: str, key: str, **values: object
) -> str:
    """Ask for a typed answer, offering only [取消], and go to ``state``; a pressed
    button's message loses its buttons."""
    await said_from_button(update, context, context.t(key, **values), cancel_only(context.t))
    return state


async def said_from_button(
    update: Update, context: XContext, text: str, markup: Markup | None = None
) -> None:
    """Like ``say``, and the pressed message loses its buttons (they did their job)."""
    await remove_buttons(update)
    await say(update, context, text, markup)


async def refused(update: Update, context: XContext, refusal: Refusal) -> object:
    """End the step with the refusal's message: at the last step of a flow, asking the same
    question again would only be refused again (the day started, the record locked)."""
    await say(update, context, context.t(refusal.key, **refusal.kwargs))
    return END
