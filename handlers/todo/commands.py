"""/todo and its buttons: who in a branch has not yet, and a nudge to exactly those people.

A secretary sees their own branch; an admin picks one (the shared branch picker). A
nudge is one outbox row per person, sent as the reminder kind of its activity, so a
person who muted that kind gets none, and the quiet hours (and public holidays, as for
reminders) hold it; its dedupe key names the activity, the day and the person, so a
second press the same day sends nothing again and says so.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from telegram import Update
from telegram.ext import CommandHandler

from handlers.common import branch_picker, delivery
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import Callback, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, Refusal
from handlers.common.guards import parse_callback, require_member, require_private
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import say
from handlers.common.todo_link import PREFIX
from handlers.todo import views
from schedules.quiet import QuietHours
from storage import audit, reminders, todo
from storage.branches import Branch
from storage.members import Member, Role
from storage.todo import Activity, Missing


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("todo", todo_command))
    reg.add(*presses(PREFIX, ls=list_pressed, n=nudge_pressed))
    for handler in SCREEN.handlers():
        reg.add(handler)


async def todo_command(update: Update, context: XContext) -> None:
    """/todo: the secretary's branch; for the bureau, the branch picker first."""
    require_private(update)
    person = _nudger(context)
    if person.role is Role.SECRETARY and person.branch_id is not None:
        branch = await branch_picker.require_visible(context, person, person.branch_id)
        await _show(update, context, person, branch, list(Activity))
        return
    await branch_picker.show(update, context, SCREEN)


async def list_pressed(update: Update, context: XContext) -> None:
    """[谁还没…] on a board: that activity's list alone, with its nudge button."""
    require_private(update)
    activity, branch_id = _activity_and_branch(parse_callback(update, PREFIX))
    person = _nudger(context)
    branch = await branch_picker.require_visible(context, person, branch_id)
    await _show(update, context, person, branch, [activity])


async def nudge_pressed(update: Update, context: XContext) -> None:
    """[提醒…的 N 人]: one reminder to each person still on the list, once a day."""
    require_private(update)
    activity, branch_id = _activity_and_branch(parse_callback(update, PREFIX))
    person = _nudger(context)
    branch = await branch_picker.require_visible(context, person, branch_id)
    today, now = context.today(), context.now()
    kind = todo.NUDGE_KIND[activity]
    release = QuietHours(
        context.config.quiet_start, context.config.quiet_end, context.config.hold_on_holidays
    ).release(now, context.config.zone)
    async with context.db.transaction() as tx:
        # Read again now: whoever did it since the list was shown is not nudged.
        missing = await todo.missing(tx, branch.id, activity, today)
        if not missing.nudgeable:
            raise Refusal("todo.held")
        listed = views.targets(missing, person.id)
        muted_ids = await todo.muted_among(tx, listed, kind)
        wanted = [p for p in listed if p.id not in muted_ids]
        keys = {p.id: _key(missing, branch.id, today, p) for p in wanted}
        done = await reminders.handled_keys(tx, keys.values())
        sent = [p for p in wanted if keys[p.id] not in done]
        await delivery.tell(
            tx,
            context,
            sent,
            kind,
            lambda t: views.nudge(t, missing, branch.name),
            key=lambda p: keys[p.id],
            not_before=release,
            expires_at=_useful_until(missing, today, context),
        )
        if sent:
            await audit.record(
                tx, at=now, actor_id=person.id, action="todo.nudge", entity="branch",
                entity_id=branch.id, activity=activity.value, sent=len(sent),
                muted=len(muted_ids),
            )  # fmt: skip
    delivery.wake(context)
    text = views.nudged(
        context.t,
        sent=sent,
        again=[p for p in wanted if keys[p.id] in done],
        muted=[p for p in listed if p.id in muted_ids],
        release=release.astimezone(context.config.zone) if release > now else None,
    )
    await say(update, context, text)


# --------------------------------------------------------------------------- the bureau


async def _open_branch(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    if extra:
        raise BadButton()
    await _show(update, context, _nudger(context), branch, list(Activity))


def _title(t: Translator, extra: str) -> str:
    return t("todo.pick_branch")


SCREEN = BranchScreen("td", _title, _open_branch)


# --------------------------------------------------------------------------- helpers


async def _show(
    update: Update, context: XContext, person: Member, branch: Branch, which: list[Activity]
) -> None:
    today = context.today()
    async with context.db.read() as conn:
        found = [await todo.missing(conn, branch.id, activity, today) for activity in which]
    text, markup = views.lists(
        context.t, branch.name, today, found, actor_id=person.id, branch_id=branch.id,
        can_nudge=True,
    )  # fmt: skip
    await say(update, context, text, markup)


def _nudger(context: XContext) -> Member:
    """A branch's secretary or an admin: who may see the lists and nudge."""
    person = require_member(context)
    if person.role not in (Role.SECRETARY, Role.ADMIN):
        raise NotAllowed()
    return person


def _activity_and_branch(data: Callback) -> tuple[Activity, int]:
    try:
        return Activity(data.str_arg(0)), data.int_arg(1)
    except ValueError as exc:  # BadCallbackData is a ValueError too
        raise BadButton() from exc


def _key(missing: Missing, branch_id: int, today: date, person: Member) -> str:
    """A nudge's dedupe key: one a day per activity and person. The party day's is the
    roster's own [提醒未回复] key, so the two buttons together remind once a day."""
    if missing.activity is Activity.PARTY_DAY:
        return f"partyday:{branch_id}:{missing.day}:remind:{person.id}:{today}"
    return f"todo.{missing.activity.value}:{today.isoformat()}:{person.id}"


def _useful_until(missing: Missing, today: date, context: XContext) -> datetime:
    """The end of the period the nudge is about: a late one would ask the wrong thing."""
    if missing.activity is Activity.PLEDGE:
        last = date(today.year, 12, 31)
    elif missing.day is not None:
        last = missing.day
    else:
        last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return datetime.combine(last + timedelta(days=1), time(), tzinfo=context.config.zone)
