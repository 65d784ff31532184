"""/partyday: the day as a member sees it; for a secretary, the rule and the months.

A secretary sets the rule (kind → day or weekday → time → place → check and save), sets a
month's theme, moves or cancels one month with a reason (members are told through the
outbox), and sends the coming day's announcement now.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Coroutine
from datetime import date, time, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from handlers.common import branch_picker, delivery
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import Callback, pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, Refusal
from handlers.common.flows import (
    END,
    Handlers,
    Step,
    enter_flow,
    flow_data,
    step_handlers,
)
from handlers.common.guards import (
    parse_callback,
    require_branch_person,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.i18n import Translator
from handlers.common.reply import say
from handlers.common.typed import in_month, typed_date, typed_text
from handlers.common.views import cancel_only
from handlers.partyday import common, parse, views
from handlers.partyday.common import FLOW
from handlers.partyday.views import Rendered
from storage import partyday
from storage.branches import Branch
from storage.members import Role, Secretary
from storage.partyday import PartyDay, month_key
from storage.partyday_rules import DayRule, RuleKind, is_working_day, next_plans

RULE_KIND = "pd.rule.kind"
RULE_DAY = "pd.rule.day"
RULE_NTH = "pd.rule.nth"
RULE_WEEKDAY = "pd.rule.weekday"
RULE_TIME = "pd.rule.time"
RULE_PLACE = "pd.rule.place"
RULE_CONFIRM = "pd.rule.confirm"
MONTH_PICK = "pd.month.pick"
THEME_TEXT = "pd.theme.text"
MOVE_DATE = "pd.move.date"
MOVE_REASON = "pd.move.reason"
CANCEL_REASON = "pd.cancel.reason"
CANCEL_CONFIRM = "pd.cancel.confirm"


# A rule step taking one value (None when it could not be read).
Take = Callable[[Update, XContext, Any], Coroutine[Any, Any, object]]


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return presses("pd", rule=rule_start, theme=month_start, move=month_start, cxl=month_start)


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    def step(state: str, typed: Step, bad: str, **buttons: Step) -> Handlers:
        return step_handlers("pd", typed, _again(state, bad), **buttons)

    return {
        RULE_KIND: step(RULE_KIND, rule_kind_typed, "partyday.rule.bad_kind", rk=rule_kind_pressed),
        RULE_DAY: step(
            RULE_DAY, _typed(_take_day, parse.day_of_month), "partyday.rule.bad_day",
            rd=_pressed(_take_day),
        ),
        RULE_NTH: step(
            RULE_NTH, _typed(_take_nth, parse.nth), "partyday.rule.bad_nth",
            rn=_pressed(_take_nth),
        ),
        RULE_WEEKDAY: step(
            RULE_WEEKDAY, _typed(_take_weekday, parse.weekday), "partyday.rule.bad_weekday",
            rw=_pressed(_take_weekday),
        ),
        RULE_TIME: step(
            RULE_TIME, _typed(_take_time, parse.start_time), "partyday.rule.bad_time",
            rt=_pressed(_take_time, _button_time),
        ),
        RULE_PLACE: step(
            RULE_PLACE, rule_place_typed, "partyday.rule.bad_place", rp=rule_place_kept
        ),
        RULE_CONFIRM: _confirm_step(
            RULE_CONFIRM, "partyday.rule.confirm_again", "rsave", _save_rule
        ),
        MONTH_PICK: step(MONTH_PICK, month_typed, "partyday.month.bad", mo=month_pressed),
        THEME_TEXT: step(THEME_TEXT, theme_typed, "partyday.theme.bad"),
        MOVE_DATE: step_handlers("pd", move_date_typed, move_date_other, md=move_date_pressed),
        MOVE_REASON: step(MOVE_REASON, move_reason_typed, "partyday.reason.bad"),
        CANCEL_REASON: step(CANCEL_REASON, cancel_reason_typed, "partyday.reason.bad"),
        CANCEL_CONFIRM: _confirm_step(
            CANCEL_CONFIRM, "partyday.cancel.confirm_again", "cxlok", _cancel_month
        ),
    }  # fmt: skip


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(announce, pattern=pattern("pd", "ann")), *SCREEN.handlers()]


# --------------------------------------------------------------------------- /partyday


async def partyday_command(update: Update, context: XContext) -> None:
    require_private(update)
    if require_member(context).role not in (Role.MEMBER, Role.SECRETARY):
        await branch_picker.show(update, context, SCREEN)
        return
    person = require_branch_person(context)
    today = context.today()
    async with context.db.read() as conn:
        branch = await common.branch_named(conn, person.branch_id)
        rule = await partyday.current_rule(conn, branch.id)
        # One look ahead serves both: the secretary's next three months, and the member's
        # next day that is not cancelled.
        ahead = await partyday.upcoming(conn, branch.id, today, n=partyday.LOOKAHEAD_MONTHS)
        coming = ahead[:3]
        day = next((month for month in ahead if not month.cancelled), None)
        reply = checkin = None
        if day is not None and day.month_id is not None:
            reply = await partyday.get_reply(conn, day.month_id, person.id)
            checkin = await partyday.get_checkin(conn, day.month_id, person.id)
    t = context.t
    if day is not None:
        text, keyboard = views.member_screen(
            t,
            branch,
            day,
            reply,
            checkin,
            today=today,
            open_for_replies=common.replies_open(day, context.now(), context),
        )
        await say(update, context, text, keyboard)
    elif not person.is_secretary:
        await say(update, context, t("partyday.none"))
    if person.is_secretary:
        text, keyboard = views.secretary_screen(t, branch, rule, coming)
        await say(update, context, text, keyboard)


async def _open_for_bureau(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    """The picker's [branch]: its rule and coming months as the secretary sees them, with
    a button to the roster instead of the ones that change them."""
    if extra:
        raise BadButton()
    async with context.db.read() as conn:
        rule = await partyday.current_rule(conn, branch.id)
        coming = (await partyday.upcoming(conn, branch.id, context.today(), n=3))[:3]
    if rule is None:
        await say(update, context, context.t("partyday.bureau_no_rule", branch=branch.name))
        return
    text, _ = views.secretary_screen(context.t, branch, rule, coming)
    roster = branch_picker.button(context.t.plain("partyday.btn.roster"), "ro", branch.id)
    await say(update, context, text, InlineKeyboardMarkup([[roster]]))


def _picker_title(t: Translator, extra: str) -> str:
    return t("partyday.pick_branch")


SCREEN = BranchScreen("pd", _picker_title, _open_for_bureau, inspectors=True)


# --------------------------------------------------------------------------- the rule


async def rule_start(update: Update, context: XContext) -> object:
    parse_callback(update, "pd")
    require_secretary(context)
    enter_flow(context, FLOW)
    # The settings screen keeps its buttons: it is a menu.
    await say(
        update, context, context.t("partyday.rule.ask_kind"), views.rule_kind_question(context.t)
    )
    return RULE_KIND


async def rule_kind_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "pd")
    require_secretary(context)
    kind = data.enum_arg(RuleKind)
    flow_data(context, FLOW)["kind"] = kind.value
    await common.said_from_button(update, context, *_kind_question(context, kind))
    return {RuleKind.DAY: RULE_DAY, RuleKind.NTH: RULE_NTH, RuleKind.LAST: RULE_WEEKDAY}[kind]


async def rule_kind_typed(update: Update, context: XContext) -> object:
    require_secretary(context)
    rule = parse.rule(typed_text(update))
    if rule is None:
        return await common.ask(
            update,
            context,
            RULE_KIND,
            "partyday.rule.bad_kind",
            views.rule_kind_question(context.t),
        )
    flow_data(context, FLOW).update(rule.model_dump(mode="json"))
    return await _ask_time(update, context)


async def rule_place_kept(update: Update, context: XContext) -> object:
    parse_callback(update, "pd")
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        rule = await partyday.current_rule(conn, secretary.branch_id)
    if rule is None:
        raise BadButton()
    return await _take_place(update, context, rule.place)


async def rule_place_typed(update: Update, context: XContext) -> object:
    require_secretary(context)
    return await _take_place(update, context, typed_text(update))


def _pressed(take: Take, read: Callable[[Callback], object] = lambda data: data.int_arg(0)) -> Step:
    """A rule step's button: its value (read from the callback data) goes to ``take``."""

    async def pressed(update: Update, context: XContext) -> object:
        data = parse_callback(update, "pd")
        require_secretary(context)
        return await take(update, context, read(data))

    return pressed


def _confirm_step(state: str, again: str, action: str, confirmed: Step) -> Handlers:
    """A step asking to confirm: its button (``action``) or a yes typed runs ``confirmed``;
    anything else asks again (``again``)."""

    async def pressed(update: Update, context: XContext) -> object:
        parse_callback(update, "pd")
        return await confirmed(update, context)

    async def typed(update: Update, context: XContext) -> object:
        if not parse.is_yes(typed_text(update)):
            return await common.ask(update, context, state, again)
        return await confirmed(update, context)

    return step_handlers("pd", typed, _again(state, again), **{action: pressed})


def _typed(take: Take, read: Callable[[str], object]) -> Step:
    """The same rule step answered by typing: ``read`` parses the text for ``take``."""

    async def on_typed(update: Update, context: XContext) -> object:
        require_secretary(context)
        return await take(update, context, read(typed_text(update)))

    return on_typed


def _button_time(data: Callback) -> time | None:
    return parse.start_time(data.str_arg(0))


async def _take_day(update: Update, context: XContext, day: int | None) -> object:
    if day is None or not 1 <= day <= 31:
        return await common.ask(
            update, context, RULE_DAY, "partyday.rule.bad_day", views.rule_day_question(context.t)
        )
    flow_data(context, FLOW)["day"] = day
    return await _ask_time(update, context)


async def _take_nth(update: Update, context: XContext, nth: int | None) -> object:
    if nth is None or not 1 <= nth <= 4:
        return await common.ask(
            update, context, RULE_NTH, "partyday.rule.bad_nth", views.rule_nth_question(context.t)
        )
    flow_data(context, FLOW)["nth"] = nth
    await common.said_from_button(
        update, context, context.t("partyday.rule.ask_weekday"), views.weekday_question(context.t)
    )
    return RULE_WEEKDAY


async def _take_weekday(update: Update, context: XContext, weekday: int | None) -> object:
    if weekday is None or not 0 <= weekday <= 6:
        return await common.ask(
            update,
            context,
            RULE_WEEKDAY,
            "partyday.rule.bad_weekday",
            views.weekday_question(context.t),
        )
    flow_data(context, FLOW)["weekday"] = weekday
    return await _ask_time(update, context)


async def _ask_time(update: Update, context: XContext) -> object:
    await common.said_from_button(
        update, context, context.t("partyday.rule.ask_time"), views.time_question(context.t)
    )
    return RULE_TIME


async def _take_time(update: Update, context: XContext, start: time | None) -> object:
    if start is None:
        return await common.ask(
            update, context, RULE_TIME, "partyday.rule.bad_time", views.time_question(context.t)
        )
    flow_data(context, FLOW)["time"] = start.strftime("%H:%M")
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        rule = await partyday.current_rule(conn, secretary.branch_id)
    await common.said_from_button(
        update,
        context,
        context.t("partyday.rule.ask_place"),
        views.place_question(context.t, rule.place if rule else None),
    )
    return RULE_PLACE


async def _take_place(update: Update, context: XContext, place: str) -> object:
    try:
        clean = partyday.clean_line(place, partyday.PLACE_MAX)
    except ValueError:
        return await common.ask(update, context, RULE_PLACE, "partyday.rule.bad_place")
    data = flow_data(context, FLOW)
    data["place"] = clean
    rule = _drafted_rule(data)
    start = time.fromisoformat(data["time"])
    plans = next_plans(rule, context.today())
    text, keyboard = views.rule_confirm(context.t, rule, start, clean, plans)
    await common.said_from_button(update, context, text, keyboard)
    return RULE_CONFIRM


async def _save_rule(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    data = flow_data(context, FLOW)
    rule = _drafted_rule(data)
    now = context.now()
    today = context.today()
    async with context.db.transaction() as tx:
        before = await partyday.upcoming(tx, secretary.branch_id, today)
        await partyday.set_rule(
            tx,
            branch_id=secretary.branch_id,
            rule=rule,
            start_time=time.fromisoformat(data["time"]),
            place=data["place"],
            actor_id=secretary.id,
            now=now,
        )
        branch = await common.branch_named(tx, secretary.branch_id)
        coming = await partyday.upcoming(tx, branch.id, today)
        stored = await partyday.current_rule(tx, branch.id)
        # Members who answered a month not yet announced were answering its old date.
        answered = [
            (day, await partyday.reply_count(tx, day.month_id))
            for day in _changed(before, coming)
            if day.month_id is not None
        ]
    t = context.t
    saved = t("partyday.rule.saved")
    if any(day.announced for day in coming):
        saved += "\n" + t("partyday.rule.pinned_note")
    for day, count in answered:
        if count and day.date is not None:
            saved += "\n" + t(
                "partyday.rule.replied_note",
                month=views.month_name(t, day.year, day.month),
                count=count,
                date=views.long_date(t, day.date),
                time=views.clock_time(day.start_time),
                place=day.place,
            )
    await common.said_from_button(update, context, saved)
    text, keyboard = views.secretary_screen(t, branch, stored, coming)
    await say(update, context, text, keyboard)
    return END


def _changed(before: list[PartyDay], after: list[PartyDay]) -> list[PartyDay]:
    """The months (as they are now) whose date, time or place the new rule changed."""
    old = {(day.year, day.month): day for day in before}
    changed = []
    for day in after:
        was = old.get((day.year, day.month))
        if was is not None and (was.date, was.start_time, was.place) != (
            day.date,
            day.start_time,
            day.place,
        ):
            changed.append(day)
    return changed


def _drafted_rule(data: dict[str, object]) -> DayRule:
    return DayRule.model_validate({key: data.get(key) for key in ("kind", "day", "nth", "weekday")})


def _kind_question(context: XContext, kind: RuleKind) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    if kind is RuleKind.DAY:
        return t("partyday.rule.ask_day"), views.rule_day_question(t)
    if kind is RuleKind.NTH:
        return t("partyday.rule.ask_nth"), views.rule_nth_question(t)
    return t("partyday.rule.ask_weekday"), views.weekday_question(t)


# --------------------------------------------------------------------------- one month


async def month_start(update: Update, context: XContext) -> object:
    data = parse_callback(update, "pd")
    secretary = require_secretary(context)
    action = {"theme": "theme", "move": "move", "cxl": "cancel"}[data.action]
    async with context.db.read() as conn:
        coming = await partyday.upcoming(conn, secretary.branch_id, context.today())
    if not coming:
        raise Refusal("partyday.month.none")
    enter_flow(context, FLOW, mode=action)
    await say(
        update,
        context,
        context.t(f"partyday.month.ask_{action}"),
        views.month_question(context.t, coming),
    )
    return MONTH_PICK


async def month_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "pd")
    require_secretary(context)
    return await _take_month(update, context, common.month_from(data, 0))


async def month_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    typed = typed_text(update)
    chosen = parse.month(typed, context.today())
    if chosen is None and flow_data(context, FLOW).get("mode") == "theme":
        # The theme typed before the month: meant for the coming party day, as a
        # secretary would expect; the answer says which month it went to.
        async with context.db.read() as conn:
            coming = await partyday.upcoming(conn, secretary.branch_id, context.today())
        upcoming = next((day for day in coming if day.date is not None), None)
        if upcoming is not None:
            flow_data(context, FLOW)["month"] = month_key(upcoming.year, upcoming.month)
            return await _save_theme(update, context, guessed=True)
    return await _take_month(update, context, chosen)


async def _take_month(update: Update, context: XContext, chosen: tuple[int, int] | None) -> object:
    secretary = require_secretary(context)
    today = context.today()
    # This month to a year ahead, as far as the list of coming months reaches.
    if (
        chosen is None
        or chosen < (today.year, today.month)
        or chosen > (today.year + 1, today.month)
    ):
        return await common.ask(update, context, MONTH_PICK, "partyday.month.bad")
    year, month = chosen
    async with context.db.read() as conn:
        day = await partyday.party_day(conn, secretary.branch_id, year, month)
    if day is None:
        return await common.ask(update, context, MONTH_PICK, "partyday.month.none")
    data = flow_data(context, FLOW)
    t = context.t
    label = views.month_name(t, year, month)
    if data["mode"] in ("move", "cancel") and day.date is not None and day.date < today:
        # It was held: its replies and check-ins stand; moving or cancelling would hide them.
        return await common.ask(
            update,
            context,
            MONTH_PICK,
            "partyday.month.held",
            month=label,
            date=views.long_date(t, day.date),
        )
    if data["mode"] == "cancel" and day.cancelled:
        return await common.ask(
            update, context, MONTH_PICK, "partyday.month.already_cancelled", month=label
        )
    data["month"] = month_key(year, month)
    if data["mode"] == "theme":
        return await common.ask_typed(
            update, context, THEME_TEXT, "partyday.theme.ask", month=label
        )
    if data["mode"] == "move":
        current = views.long_date(t, day.date) if day.date else "—"
        example = _example_date(day)
        choices = _move_choices(day, today)
        await common.said_from_button(
            update,
            context,
            t("partyday.move.ask_date", month=label, date=current, example=example),
            views.move_date_question(t, choices),
        )
        return MOVE_DATE
    return await common.ask_typed(
        update, context, CANCEL_REASON, "partyday.cancel.ask_reason", month=label
    )


async def theme_typed(update: Update, context: XContext) -> object:
    return await _save_theme(update, context, guessed=False)


async def _save_theme(update: Update, context: XContext, *, guessed: bool) -> object:
    secretary = require_secretary(context)
    year, month = _chosen(context)
    try:
        theme = partyday.clean_line(typed_text(update), partyday.THEME_MAX)
    except ValueError:
        return await common.ask(update, context, THEME_TEXT, "partyday.theme.bad")
    async with context.db.transaction() as tx:
        row = await partyday.set_theme(
            tx,
            branch_id=secretary.branch_id,
            year=year,
            month=month,
            theme=theme,
            actor_id=secretary.id,
            now=context.now(),
        )
    label = views.month_name(context.t, year, month)
    text = context.t("partyday.theme.saved", month=label, theme=theme)
    if guessed:
        text += "\n" + context.t("partyday.theme.guessed_month", month=label)
    if row.announced_at is not None:
        text += "\n" + context.t("partyday.theme.after_announcement")
    await say(update, context, text)
    return END


async def move_date_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "pd")
    chosen = data.date_arg(0)
    return await _take_move_date(update, context, chosen)


async def move_date_typed(update: Update, context: XContext) -> object:
    year, month = _chosen(context)
    today = context.today()
    chosen = typed_date(typed_text(update), today, in_month(year, month))
    return await _take_move_date(update, context, chosen)


async def _take_move_date(update: Update, context: XContext, typed: date | None) -> object:
    require_secretary(context)
    year, month = _chosen(context)
    today = context.today()
    if typed is None or (typed.year, typed.month) != (year, month) or typed < today:
        return await _bad_move_date(update, context)
    flow_data(context, FLOW)["to"] = typed.isoformat()
    t = context.t
    text = t("partyday.move.ask_reason")
    if not is_working_day(typed):
        # The secretary's choice stands, but a holiday or weekend should be on purpose.
        text = (
            t(
                "partyday.move.off_day",
                date=views.long_date(t, typed),
                holiday=views.off_day_name(t, typed),
            )
            + "\n"
            + text
        )
    await say(update, context, text, cancel_only(t))
    return MOVE_REASON


async def move_date_other(update: Update, context: XContext) -> object:
    require_secretary(context)
    return await _bad_move_date(update, context)


async def move_reason_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    reason = _reason(update)
    if reason is None:
        return await common.ask(update, context, MOVE_REASON, "partyday.reason.bad")
    year, month = _chosen(context)
    to = date.fromisoformat(flow_data(context, FLOW)["to"])
    told = await _change_month(context, secretary, to, reason)
    t = context.t
    await say(
        update,
        context,
        t(
            "partyday.move.done",
            month=views.month_name(t, year, month),
            date=views.long_date(t, to),
            count=told,
        ),
    )
    return END


async def cancel_reason_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    reason = _reason(update)
    if reason is None:
        return await common.ask(update, context, CANCEL_REASON, "partyday.reason.bad")
    year, month = _chosen(context)
    async with context.db.read() as conn:
        day = await common.require_day(conn, secretary.branch_id, year, month)
    flow_data(context, FLOW)["reason"] = reason
    text, keyboard = views.cancel_confirm(context.t, day, reason)
    await say(update, context, text, keyboard)
    return CANCEL_CONFIRM


async def _cancel_month(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    year, month = _chosen(context)
    reason = str(flow_data(context, FLOW)["reason"])
    told = await _change_month(context, secretary, None, reason)
    t = context.t
    await common.said_from_button(
        update,
        context,
        t("partyday.cancel.done", month=views.month_name(t, year, month), count=told),
    )
    return END


# --------------------------------------------------------------------------- announcement


async def announce(update: Update, context: XContext) -> None:
    """Send the month's announcement to every participant now (once per date)."""
    press = common.month_pressed(update, context, require_secretary)
    secretary, branch_id = press.person, press.branch_id
    year, month = press.year, press.month
    now = context.now()
    release = delivery.release_time(context)
    async with context.db.transaction() as tx:
        day = await common.day_open_for_replies(tx, context, branch_id, year, month)
        # Pinned, so a later rule change cannot move a day members were told about.
        announced = await partyday.pin(tx, day, actor_id=secretary.id, now=now)
        people = await partyday.participants(tx, branch_id)
        added = await common.tell_of_day(
            tx, context, people, "announce", views.announcement, announced, not_before=release
        )
        if added == 0:
            # Nothing new went out: do not leave an "announced" audit entry behind.
            raise Refusal("partyday.announce.already")
    delivery.wake(context)
    t = context.t
    assert announced.date is not None
    done = t("partyday.announce.done", date=views.long_date(t, announced.date), count=added)
    if release > now:
        # At night the outbox holds it until the quiet hours end: say when, as /notify does.
        at = f"{release.astimezone(context.config.zone):%H:%M}"
        done += "\n" + t("partyday.announce.night", time=at)
    await say(update, context, done)


# --------------------------------------------------------------------------- helpers


def _again(state: str, key: str) -> Step:
    """A handler for input of the wrong type (a photo where text is asked): ask again."""

    async def again(update: Update, context: XContext) -> object:
        return await common.ask(update, context, state, key)

    return again


async def _bad_move_date(update: Update, context: XContext) -> object:
    year, month = _chosen(context)
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        day = await partyday.party_day(conn, secretary.branch_id, year, month)
    label = views.month_name(context.t, year, month)
    example = _example_date(day) if day else f"{year}-{month:02d}-20"
    return await common.ask(
        update, context, MOVE_DATE, "partyday.move.bad_date", month=label, example=example
    )


def _move_choices(day: PartyDay, today: date) -> list[date]:
    """Up to six working days of the month near the current date (today or later)."""
    base = day.date or day.nominal or max(today, date(day.year, day.month, 1))
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    start = max(today, date(day.year, day.month, 1))
    days = (start + timedelta(days=n) for n in range((last - start).days + 1))
    candidates = [d for d in days if is_working_day(d) and d != day.date]
    return sorted(sorted(candidates, key=lambda d: abs((d - base).days))[:6])


def _example_date(day: PartyDay) -> str:
    base = day.date or day.nominal
    if base is None:
        return f"{day.year}-{day.month:02d}-20"
    return base.isoformat()


def _chosen(context: XContext) -> tuple[int, int]:
    year, month = str(flow_data(context, FLOW)["month"]).split("-")
    return int(year), int(month)


def _reason(update: Update) -> str | None:
    try:
        return partyday.clean_line(typed_text(update), partyday.REASON_MAX)
    except ValueError:
        return None


async def _change_month(
    context: XContext, secretary: Secretary, to: date | None, reason: str
) -> int:
    """Move the chosen month's day to ``to`` (None: cancel it) and tell everyone taking
    part; how many were told."""
    year, month = _chosen(context)
    async with context.db.transaction() as tx:
        # A cancelled month's notice names the date it had.
        before = await common.require_day(tx, secretary.branch_id, year, month)
        day = await partyday.change_day(
            tx,
            branch_id=secretary.branch_id,
            year=year,
            month=month,
            to=to,
            reason=reason,
            actor_id=secretary.id,
            now=context.now(),
        )
        if to is None:
            told = await _tell_members(
                tx,
                context,
                secretary,
                "partyday.cancelled",
                lambda t, b: views.cancelled_notice(t, day, b, before.date),
            )
        else:
            told = await _tell_members(
                tx, context, secretary, "partyday.moved", lambda t, b: views.moved_notice(t, day, b)
            )
    delivery.wake(context)
    return told


async def _tell_members(
    tx: aiosqlite.Connection,
    context: XContext,
    secretary: Secretary,
    kind: str,
    render: Callable[[Translator, Branch], Rendered],
) -> int:
    """Everyone taking part in the branch's party days but the secretary who changed the
    day hears of it (at night, in the morning); returns how many."""
    branch = await common.branch_named(tx, secretary.branch_id)
    people = [p for p in await partyday.participants(tx, branch.id) if p.id != secretary.id]
    await delivery.tell(tx, context, people, kind, lambda t: render(t, branch))
    return len(people)
