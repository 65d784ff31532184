"""/checkin on the party day, by location or photo; a secretary marks someone by hand.

Only on the day itself in the deployment zone, and once: any other day, or a second time,
gets a clear answer instead of the question. A location is recorded as sent (the bot knows
no school's coordinates, so it does not judge distance); a photo by its Telegram file id.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import NotFound, Refusal
from handlers.common.flows import END, Leaving, enter_flow, flow_data
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_branch_person,
    require_private,
    require_secretary,
)
from handlers.common.reply import edit_buttons, remove_buttons, reply, say
from handlers.partyday import common, views
from handlers.partyday.common import FLOW
from storage import members, partyday
from storage.partyday import CheckinMethod, PartyDay

CHECKIN = "pd.checkin"


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("checkin", checkin_command),
        CallbackQueryHandler(checkin_button, pattern=pattern("pd", "ci")),
    ]


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {
        CHECKIN: [
            MessageHandler(filters.LOCATION, got_location),
            MessageHandler(filters.PHOTO, got_photo),
            MessageHandler(~filters.COMMAND, not_location_or_photo),
        ]
    }


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return presses("pd", mk=mark_list, mkp=mark_page, mkm=mark_member)


async def checkin_command(update: Update, context: XContext) -> object:
    require_private(update)
    person = require_branch_person(context)
    today = context.today()
    return await _begin(update, context, person.branch_id, today.year, today.month)


async def checkin_button(update: Update, context: XContext) -> object:
    press = common.month_pressed(update, context, require_branch_person)
    return await _begin(update, context, press.branch_id, press.year, press.month)


async def got_location(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.location is not None
    return await _record(
        update,
        context,
        CheckinMethod.LOCATION,
        latitude=message.location.latitude,
        longitude=message.location.longitude,
    )


async def got_photo(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.photo
    return await _record(
        update, context, CheckinMethod.PHOTO, photo_file_id=message.photo[-1].file_id
    )


async def not_location_or_photo(update: Update, context: XContext) -> object:
    await say(update, context, context.t("partyday.checkin.bad"), _location_keyboard(context))
    return CHECKIN


async def left(update: Update, context: XContext, how: Leaving) -> None:
    """Leaving the check-in step, however it happens, takes its location keyboard away."""
    key = "partyday.checkin.timed_out" if how is Leaving.TIMED_OUT else "partyday.checkin.left"
    if update.effective_chat is not None:
        await reply(update, context, context.t(key), ReplyKeyboardRemove())


async def _begin(
    update: Update, context: XContext, branch_id: int, year: int, month: int
) -> object:
    person = require_branch_person(context)
    async with context.db.read() as conn:
        day = await common.require_day(conn, branch_id, year, month)
        existing = (
            await partyday.get_checkin(conn, day.month_id, person.id) if day.month_id else None
        )
    _refuse_unless_today(context, day)
    if existing is not None:
        raise Refusal(
            "partyday.checkin.twice", time=views.local_clock(existing.at, context.config.zone)
        )
    enter_flow(context, FLOW, branch=branch_id, month=day.key)
    await say(update, context, context.t("partyday.checkin.ask"), _location_keyboard(context))
    return CHECKIN


async def _record(
    update: Update,
    context: XContext,
    method: CheckinMethod,
    **detail: Any,
) -> object:
    data = flow_data(context, FLOW)
    year, month = partyday.parse_button_month(str(data["month"]))
    result = await _check_in(update, context, int(data["branch"]), year, month, method, **detail)
    return result


async def _check_in(
    update: Update,
    context: XContext,
    branch_id: int,
    year: int,
    month: int,
    method: CheckinMethod,
    **detail: Any,
) -> object:
    person = require_branch_person(context)
    now = context.now()
    # Checked again: the step may have been left open past midnight.
    async with context.db.transaction() as tx:
        day = await common.require_day(tx, branch_id, year, month)
        refusal = _not_today(context, day)
        checkin = None
        if refusal is None:
            row = await partyday.ensure_month(tx, branch_id, year, month, now=now)
            checkin = await partyday.check_in(
                tx, month_id=row.id, member_id=person.id, method=method, now=now, **detail
            )
            if checkin is None:
                existing = await partyday.get_checkin(tx, row.id, person.id)
                assert existing is not None
                refusal = Refusal(
                    "partyday.checkin.twice",
                    time=views.local_clock(existing.at, context.config.zone),
                )
    if refusal is not None:
        text = context.t(refusal.key, **refusal.kwargs)
    else:
        assert checkin is not None
        text = context.t(
            f"partyday.checkin.done.{method.value}",
            time=views.local_clock(checkin.at, context.config.zone),
        )
    await say(update, context, text, ReplyKeyboardRemove())
    return END


def _refuse_unless_today(context: XContext, day: PartyDay) -> None:
    refusal = _not_today(context, day)
    if refusal is not None:
        raise refusal


def _not_today(context: XContext, day: PartyDay) -> Refusal | None:
    if day.date is None:
        return Refusal("partyday.is_cancelled", reason=day.reason or "")
    today = context.today()
    if day.date == today:
        return None
    key = "partyday.checkin.before" if day.date > today else "partyday.checkin.after"
    return Refusal(key, date=views.long_date(context.t, day.date))


def _location_keyboard(context: XContext) -> ReplyKeyboardMarkup:
    button = KeyboardButton(context.t("partyday.checkin.share_location"), request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


# --------------------------------------------------------------------------- by hand


async def mark_list(update: Update, context: XContext) -> None:
    press = common.month_pressed(update, context, require_secretary)
    branch_id, year, month = press.branch_id, press.year, press.month
    async with context.db.read() as conn:
        day = await common.require_day(conn, branch_id, year, month)
        _refuse_before(context, day)
        lines = await partyday.roster(conn, day)
    keyboard = views.mark_question(context.t, day, lines)
    if keyboard is None:
        raise Refusal("partyday.mark.none")
    await say(update, context, context.t("partyday.mark.ask"), keyboard)


async def mark_page(update: Update, context: XContext) -> None:
    """Turn the mark list's page (the list message is edited in place)."""
    press = common.month_pressed(update, context, require_secretary)
    branch_id, year, month = press.branch_id, press.year, press.month
    data = press.data
    page = data.int_arg(2)
    async with context.db.read() as conn:
        day = await common.require_day(conn, branch_id, year, month)
        _refuse_before(context, day)
        lines = await partyday.roster(conn, day)
    await _show_marks(update, views.mark_question(context.t, day, lines, page))


async def mark_member(update: Update, context: XContext) -> None:
    data = parse_callback(update, "pd")
    secretary = require_secretary(context)
    year, month = common.month_from(data, 0)
    member_id = data.int_arg(1)
    page = data.int_arg(2) if len(data.args) > 2 else 0
    now = context.now()
    async with context.db.transaction() as tx:
        target = await members.get(tx, member_id)
        if target is None or not target.active:
            raise NotFound()
        require_branch_access(secretary, target.branch_id)
        day = await common.require_day(tx, secretary.branch_id, year, month)
        _refuse_before(context, day)
        row = await partyday.ensure_month(tx, secretary.branch_id, year, month, now=now)
        checkin = await partyday.check_in(
            tx,
            month_id=row.id,
            member_id=target.id,
            method=CheckinMethod.MANUAL,
            now=now,
            marked_by=secretary.id,
        )
        day = await common.require_day(tx, secretary.branch_id, year, month)
        lines = await partyday.roster(tx, day)
        date = day.date
        assert date is not None
        if checkin is not None:
            await delivery.tell(
                tx,
                context,
                [target],
                "partyday.marked",
                lambda t: t("partyday.mark.told", date=views.long_date(t, date)),
            )
    delivery.wake(context)
    if checkin is None:
        raise Refusal("partyday.mark.already", name=target.name)
    # The list stays, without the one just marked, so several can be marked in a row.
    await _show_marks(update, views.mark_question(context.t, day, lines, page))
    await say(update, context, context.t("partyday.mark.done", name=target.name))


async def _show_marks(update: Update, keyboard: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    assert query is not None
    if keyboard is None:
        await remove_buttons(update)
        return
    await edit_buttons(update, keyboard)


def _refuse_before(context: XContext, day: PartyDay) -> None:
    if day.date is None:
        raise Refusal("partyday.is_cancelled", reason=day.reason or "")
    if day.date > context.today():
        raise Refusal("partyday.mark.too_early", date=views.long_date(context.t, day.date))
