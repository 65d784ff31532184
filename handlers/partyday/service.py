"""/service: log what was done (kind → date → hours → what → photo), a make-up (补课) for a
month one was excused from, the year's hours by month, and editing or withdrawing a record
in its first 7 days.

Editing reuses the logging steps: the flow's ``mode`` is "edit" and the one changed field
is saved as soon as it is answered.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from handlers.common import branch_picker
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, OtherBranch, Refusal
from handlers.common.flows import (
    END,
    OTHER,
    TEXT,
    Leaving,
    enter_flow,
    flow_data,
    step_handlers,
)
from handlers.common.guards import (
    parse_callback,
    require_branch_person,
    require_found,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.i18n import Raw, Translator
from handlers.common.reply import answering, reply, say
from handlers.common.todo_link import leads_to_todo
from handlers.common.typed import (
    choose,
    in_month,
    is_skip,
    labels,
    normalize,
    says,
    typed_date,
    typed_text,
)
from handlers.common.views import cancel_only
from handlers.partyday import common, parse, views
from handlers.partyday.common import FLOW
from storage import partyday, service
from storage.branches import Branch
from storage.members import BranchMember, Member, Role
from storage.service import EDIT_WINDOW, ServiceEntry, ServiceKind, ServiceLog

KIND = "svc.kind"
DATE = "svc.date"
HOURS = "svc.hours"
DESCRIPTION = "svc.description"
PHOTO = "svc.photo"
FIELD = "svc.field"

HISTORY_WORDS = {"history", "记录", "历史", "时长", "hours"}
BRANCH_WORDS = {"branch", "支部", "全支部"}
MAKEUP_WORDS = {"makeup", "make-up", "补课"}
# How far back an excused month may still be made up.
MAKEUP_WINDOW = timedelta(days=92)
REMOVE_WORDS = {"删除", "删除照片", "删掉", "去掉", "remove", "delete", "remove the photo"}
FIELDS = ("kind", "on_date", "hours", "description", "photo_file_id")


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("service", service_command),
        *presses("svc", mu=makeup_pressed, ed=edit_start),
    ]


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {
        KIND: step_handlers(
            "svc", kind_typed, answering("service.bad_kind"), k=kind_pressed, hist=history_pressed
        ),
        DATE: step_handlers("svc", date_typed, date_other_input, d=date_pressed),
        HOURS: step_handlers("svc", hours_typed, answering("service.bad_hours"), h=hours_pressed),
        DESCRIPTION: [
            MessageHandler(TEXT, description_typed),
            MessageHandler(filters.PHOTO, description_photo),
            MessageHandler(OTHER, answering("input.text_expected")),
        ],
        PHOTO: [
            MessageHandler(filters.PHOTO, photo_sent),
            *step_handlers("svc", photo_typed, answering("service.bad_photo"), skip=photo_skipped),
        ],
        FIELD: step_handlers("svc", field_typed, answering("input.use_buttons"), ef=field_pressed),
    }


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        *presses(
            "svc",
            hist=history_pressed,
            wd=withdraw_ask,
            wdok=withdraw_confirmed,
            wdno=withdraw_kept,
        ),
        *SCREEN.handlers(),
    ]


# --------------------------------------------------------------------------- start


async def service_command(update: Update, context: XContext) -> object:
    require_private(update)
    word = normalize(" ".join(context.args or []))
    asked = word.split(" ")
    viewer = require_member(context)
    if asked[0] in BRANCH_WORDS or viewer.role not in (Role.MEMBER, Role.SECRETARY):
        await _branch_service(
            update, context, viewer, asked[1:] if asked[0] in BRANCH_WORDS else []
        )
        return END
    person = require_branch_person(context)
    if word in HISTORY_WORDS:
        await _show_history(update, context, person)
        return END
    if len(asked) == 2 and asked[0] in HISTORY_WORDS:
        # "/service history 2025": another year's hours (in January, last year's total).
        year = int(asked[1]) if asked[1].isdigit() else 0
        if not 2000 <= year <= context.today().year:
            raise Refusal("service.history.bad_year")
        await _show_history(update, context, person, year)
        return END
    makeup = await _makeup_months(context, person)
    if word in MAKEUP_WORDS:
        if not makeup:
            raise Refusal("service.makeup.none")
        if len(makeup) == 1:
            return await _begin_makeup(update, context, makeup[0][0], makeup[0][1])
    enter_flow(context, FLOW, mode="log")
    t = context.t
    await say(
        update,
        context,
        t("service.ask_kind"),
        views.kind_question(t, makeup, show_history=True),
    )
    return KIND


async def makeup_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "svc")
    person = require_branch_person(context)
    month_id = data.int_arg(0)
    for candidate, label in await _makeup_months(context, person):
        if candidate == month_id:
            return await _begin_makeup(update, context, month_id, label)
    row = await require_found(context, partyday.get_month_by_id, month_id)
    if row.branch_id != person.branch_id:
        raise OtherBranch()
    raise Refusal("service.makeup.none")


async def _begin_makeup(update: Update, context: XContext, month_id: int, label: str) -> object:
    enter_flow(context, FLOW, mode="makeup", makeup_month_id=month_id)
    t = context.t
    await common.said_from_button(
        update,
        context,
        t("service.ask_kind_makeup", month=label),
        views.kind_question(t, [], show_history=False),
    )
    return KIND


async def history_pressed(update: Update, context: XContext) -> object:
    parse_callback(update, "svc")
    person = require_branch_person(context)
    await common.said_from_button(update, context, *await _history(context, person))
    return END


# --------------------------------------------------------------------------- steps


async def kind_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "svc")
    require_branch_person(context)
    kind = data.enum_arg(ServiceKind)
    return await _take_kind(update, context, kind)


async def kind_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    options = [(kind.value, labels(f"service.kind.{kind.value}")) for kind in ServiceKind]
    matched = choose(typed_text(update), options)
    if matched is None:
        return await common.ask(update, context, KIND, "service.bad_kind")
    return await _take_kind(update, context, ServiceKind(matched))


async def _take_kind(update: Update, context: XContext, kind: ServiceKind) -> object:
    data = flow_data(context, FLOW)
    if data.get("mode") == "edit":
        return await _apply_edit(update, context, {"kind": kind})
    data["kind"] = kind.value
    return await _ask_date(update, context)


def _latest_date(context: XContext) -> date:
    """The latest date the step takes: today, or the day an edited record was logged
    (a record keeps to the month it was logged in, even when edited in the next one)."""
    data = flow_data(context, FLOW)
    if data.get("mode") == "edit":
        return date.fromisoformat(data["logged_on"])
    return context.today()


async def _ask_date(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    today = context.today()
    latest = _latest_date(context)
    party_date = None
    mode = flow_data(context, FLOW).get("mode")
    if mode != "makeup":
        async with context.db.read() as conn:
            day = await partyday.party_day(conn, person.branch_id, latest.year, latest.month)
            if day is not None and day.date is not None and day.date <= latest:
                party_date = day.date
            elif mode == "log":
                party_date = await _last_months_party_day(conn, person.branch_id, today)
    t = context.t
    if latest == today:
        text = t("service.ask_date", example=today.strftime("%m-%d"))
        keyboard = views.date_question(t, today, party_date, yesterday_ok=today.day > 1)
    else:
        text = t(
            "service.ask_date_in",
            month=views.month_name(t, latest.year, latest.month),
            latest=views.short_date(t, latest),
            example=latest.strftime("%m-%d"),
        )
        keyboard = views.date_question(t, latest, party_date, yesterday_ok=False, offer_today=False)
    await common.said_from_button(update, context, text, keyboard)
    return DATE


async def date_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "svc")
    require_branch_person(context)
    chosen = data.date_arg(0)
    return await _take_date(update, context, chosen)


async def date_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    latest = _latest_date(context)
    chosen = typed_date(typed_text(update), context.today(), in_month(latest.year, latest.month))
    return await _take_date(update, context, chosen)


async def date_other_input(update: Update, context: XContext) -> object:
    return await _take_date(update, context, None)


async def _take_date(update: Update, context: XContext, chosen: date | None) -> object:
    data = flow_data(context, FLOW)
    today = context.today()
    latest = _latest_date(context)
    late_party_day = None
    if data.get("mode") == "log" and chosen is not None and chosen.month != today.month:
        person = require_branch_person(context)
        async with context.db.read() as conn:
            late_party_day = await _last_months_party_day(conn, person.branch_id, today)
    try:
        if chosen is None:
            raise ValueError("no date")
        service.check_date(chosen, latest, party_day=late_party_day)
    except ValueError:
        if latest == today:
            example = today.strftime("%m-%d")
            return await common.ask(update, context, DATE, "service.bad_date", example=example)
        t = context.t
        return await common.ask(
            update,
            context,
            DATE,
            "service.bad_date_in",
            month=views.month_name(t, latest.year, latest.month),
            latest=views.short_date(t, latest),
            example=latest.strftime("%m-%d"),
        )
    if data.get("mode") == "edit":
        return await _apply_edit(update, context, {"on_date": chosen})
    data["on_date"] = chosen.isoformat()
    data["dated_on"] = today.isoformat()
    data["party_day"] = late_party_day.isoformat() if late_party_day else None
    t = context.t
    await common.said_from_button(update, context, t("service.ask_hours"), views.hours_question(t))
    return HOURS


async def hours_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "svc")
    require_branch_person(context)
    if data.str_arg(0) == "other":
        return await common.ask_typed(update, context, HOURS, "service.ask_hours_typed")
    return await _take_hours(update, context, data.int_arg(0) / 2)


async def hours_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    return await _take_hours(update, context, parse.hours(typed_text(update)))


async def _take_hours(update: Update, context: XContext, hours: float | None) -> object:
    try:
        if hours is None:
            raise ValueError("no number")
        service.check_hours(hours)
    except ValueError:
        return await common.ask(update, context, HOURS, "service.bad_hours")
    data = flow_data(context, FLOW)
    if data.get("mode") == "edit":
        return await _apply_edit(update, context, {"hours": hours})
    data["hours"] = hours
    return await common.ask_typed(update, context, DESCRIPTION, "service.ask_description")


async def description_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    return await _take_description(update, context, typed_text(update))


async def description_photo(update: Update, context: XContext) -> object:
    """A photo with a caption answers two steps at once; without one, the text is asked again."""
    require_branch_person(context)
    message = update.effective_message
    assert message is not None and message.photo
    data = flow_data(context, FLOW)
    if not message.caption or data.get("mode") == "edit":
        return await common.ask(update, context, DESCRIPTION, "input.text_expected")
    data["photo"] = message.photo[-1].file_id
    return await _take_description(update, context, message.caption, then_save=True)


async def _take_description(
    update: Update, context: XContext, text: str, *, then_save: bool = False
) -> object:
    try:
        description = service.check_description(text)
    except ValueError:
        return await common.ask(
            update, context, DESCRIPTION, "service.bad_description", count=len(text.strip())
        )
    data = flow_data(context, FLOW)
    if data.get("mode") == "edit":
        return await _apply_edit(update, context, {"description": description})
    data["description"] = description
    if then_save:
        return await _save(update, context)
    t = context.t
    await say(update, context, t("service.ask_photo"), views.photo_question(t))
    return PHOTO


async def photo_sent(update: Update, context: XContext) -> object:
    require_branch_person(context)
    message = update.effective_message
    assert message is not None and message.photo
    return await _take_photo(update, context, message.photo[-1].file_id)


async def photo_skipped(update: Update, context: XContext) -> object:
    parse_callback(update, "svc")
    require_branch_person(context)
    return await _take_photo(update, context, None)


async def photo_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    if flow_data(context, FLOW).get("mode") == "edit":
        if not says(typed_text(update), REMOVE_WORDS):
            return await common.ask(update, context, PHOTO, "service.edit.bad_photo")
        return await _take_photo(update, context, None)
    if not is_skip(typed_text(update)):
        return await common.ask(update, context, PHOTO, "service.bad_photo")
    return await _take_photo(update, context, None)


async def _take_photo(update: Update, context: XContext, file_id: str | None) -> object:
    data = flow_data(context, FLOW)
    if data.get("mode") == "edit":
        return await _apply_edit(update, context, {"photo_file_id": file_id})
    data["photo"] = file_id
    return await _save(update, context)


async def _save(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    try:
        stored, summary = await _store(context, person)
    except Refusal as refusal:
        return await common.refused(update, context, refusal)
    await common.said_from_button(
        update, context, context.t("service.saved", id=stored.id, summary=Raw(summary))
    )
    return END


async def left_at_photo(update: Update, context: XContext, how: Leaving) -> None:
    """The photo step timed out (the photo is optional): a new record is kept, unphotographed.

    Only a new record's description is in the flow data; an edit saves each answer at once.
    """
    data = flow_data(context, FLOW)
    chat = update.effective_chat
    if how is not Leaving.TIMED_OUT or "description" not in data or chat is None:
        return
    try:
        person = require_branch_person(context)
        stored, summary = await _store(context, person)
    except Refusal:
        return
    await reply(
        update, context, context.t("service.saved_on_timeout", id=stored.id, summary=Raw(summary))
    )


async def _store(context: XContext, person: BranchMember) -> tuple[ServiceLog, str]:
    """Log what the flow collected; a Refusal when it can no longer be logged."""
    data = flow_data(context, FLOW)
    now = context.now()
    # The day the date was accepted: begun before midnight on a month's last day, the
    # record still belongs to that month when the last step is answered after it.
    logged_on = date.fromisoformat(data["dated_on"]) if data.get("dated_on") else context.today()
    makeup_month_id = data.get("makeup_month_id")
    try:
        entry = ServiceEntry(
            kind=ServiceKind(data["kind"]),
            on_date=date.fromisoformat(data["on_date"]),
            hours=float(data["hours"]),
            description=str(data["description"]),
            photo_file_id=data.get("photo"),
            logged_on=logged_on,
            party_day=date.fromisoformat(data["party_day"]) if data.get("party_day") else None,
        )
    except ValueError as exc:
        raise Refusal("service.cannot_log") from exc
    if makeup_month_id is not None and not any(
        month_id == makeup_month_id for month_id, _ in await _makeup_months(context, person)
    ):
        # Made up meanwhile (another chat, a second flow): once per month.
        raise Refusal("service.makeup.none")
    async with context.db.transaction() as tx:
        link = (
            None if makeup_month_id else await _party_link(tx, person.branch_id, entry.on_date, now)
        )
        stored = await service.log(
            tx,
            member_id=person.id,
            branch_id=person.branch_id,
            entry=entry,
            party_month_id=link,
            makeup_month_id=makeup_month_id,
            now=now,
        )
        summary = await _summary(tx, context.t, stored)
    return stored, summary


# --------------------------------------------------------------------------- edit, withdraw


async def edit_start(update: Update, context: XContext) -> object:
    data = parse_callback(update, "svc")
    record = await _own_changeable(context, data.int_arg(0))
    enter_flow(context, FLOW, mode="edit", log_id=record.id, logged_on=record.logged_on.isoformat())
    async with context.db.read() as conn:
        summary = await _summary(conn, context.t, record)
    text, keyboard = views.edit_question(context.t, summary)
    await common.said_from_button(update, context, text, keyboard)
    return FIELD


async def field_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "svc")
    require_branch_person(context)
    field = data.str_arg(0)
    if field not in FIELDS:
        raise BadButton()
    return await _ask_field(update, context, field)


async def field_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    matched = choose(
        typed_text(update), [(name, labels(f"service.field.{name}")) for name in FIELDS]
    )
    if matched is None:
        return await common.ask(update, context, FIELD, "input.use_buttons")
    return await _ask_field(update, context, matched)


async def _ask_field(update: Update, context: XContext, field: str) -> object:
    flow_data(context, FLOW)["field"] = field
    t = context.t
    if field == "kind":
        await common.said_from_button(
            update, context, t("service.bad_kind"), views.kind_question(t, [], show_history=False)
        )
        return KIND
    if field == "on_date":
        return await _ask_date(update, context)
    if field == "hours":
        await common.said_from_button(
            update, context, t("service.ask_hours"), views.hours_question(t)
        )
        return HOURS
    if field == "description":
        return await common.ask_typed(update, context, DESCRIPTION, "service.ask_description")
    # Editing the photo: a new one replaces it; [删除照片] (or "删除") takes it off.
    record = await _own_changeable(context, int(flow_data(context, FLOW)["log_id"]))
    if record.photo_file_id:
        text, keyboard = t("service.edit.ask_photo"), views.photo_question(t, remove=True)
    else:
        text, keyboard = t("service.edit.ask_new_photo"), cancel_only(t)
    await common.said_from_button(update, context, text, keyboard)
    return PHOTO


async def _apply_edit(update: Update, context: XContext, change: dict[str, Any]) -> object:
    data = flow_data(context, FLOW)
    try:
        # The week may have run out while the new value was being typed.
        record = await _own_changeable(context, int(data["log_id"]))
    except Refusal as refusal:
        return await common.refused(update, context, refusal)
    if all(getattr(record, field) == value for field, value in change.items()):
        # The same value again: nothing to keep a version of.
        await common.said_from_button(
            update, context, context.t("service.edit.unchanged", id=record.id)
        )
        return END
    now = context.now()
    async with context.db.transaction() as tx:
        new_date = change.get("on_date", record.on_date)
        link = (
            None
            if record.makeup_month_id
            else await _party_link(tx, record.branch_id, new_date, now)
        )
        try:
            edited = await service.edit(
                tx, record, changes=change, party_month_id=link, actor_id=record.member_id, now=now
            )
        except service.NotEditable as exc:
            raise Refusal("service.not_editable") from exc
        summary = await _summary(tx, context.t, edited)
    await common.said_from_button(
        update, context, context.t("service.edit.done", id=edited.id, summary=Raw(summary))
    )
    return END


async def withdraw_ask(update: Update, context: XContext) -> None:
    data = parse_callback(update, "svc")
    record = await _own_changeable(context, data.int_arg(0))
    async with context.db.read() as conn:
        summary = await _summary(conn, context.t, record)
    text, keyboard = views.withdraw_question(context.t, record, summary)
    await say(update, context, text, keyboard)


async def withdraw_confirmed(update: Update, context: XContext) -> None:
    data = parse_callback(update, "svc")
    record = await _own_changeable(context, data.int_arg(0))
    async with context.db.transaction() as tx:
        try:
            await service.withdraw(tx, record, actor_id=record.member_id, now=context.now())
        except service.NotEditable as exc:
            raise Refusal("service.not_editable") from exc
    await common.said_from_button(update, context, context.t("service.withdraw.done", id=record.id))


async def withdraw_kept(update: Update, context: XContext) -> None:
    data = parse_callback(update, "svc")
    person = require_branch_person(context)
    log_id = data.int_arg(0)
    record = await require_found(context, service.get, log_id)
    if record.member_id != person.id:
        raise OtherBranch() if record.branch_id != person.branch_id else NotAllowed()
    await common.said_from_button(update, context, context.t("service.withdraw.kept", id=log_id))


# --------------------------------------------------------------------------- history


async def _show_history(
    update: Update, context: XContext, person: Member, year: int | None = None
) -> None:
    await say(update, context, *await _history(context, person, year))


async def _history(
    context: XContext, person: Member, year: int | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    today = context.today()
    year = year or today.year
    now = context.now()
    async with context.db.read() as conn:
        by_month = await service.hours_by_month(conn, person.id, year)
        recent = await service.recent(conn, person.id, now - EDIT_WINDOW)
        summaries = [
            (record, await _summary(conn, context.t, record, brief=True)) for record in recent
        ]
    editable = {record.id for record in recent if record.editable(now)}
    return views.history_screen(context.t, year, by_month, summaries, editable)


# --------------------------------------------------------------------------- the branch


async def _branch_service(
    update: Update, context: XContext, viewer: Member, args: list[str]
) -> None:
    """/service branch [year]: the secretary's branch; the bureau picks a branch first."""
    year = _asked_year(context, args)
    if viewer.role is not Role.SECRETARY:
        await branch_picker.show(update, context, SCREEN, str(year) if args else "")
        return
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        branch = await common.branch_named(conn, secretary.branch_id)
    await _show_branch(update, context, branch, year)


async def _open_for_bureau(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    if extra and not extra.isdigit():
        raise BadButton()
    year = int(extra) if extra else context.today().year
    await _show_branch(update, context, branch, year)


async def _show_branch(update: Update, context: XContext, branch: Branch, year: int) -> None:
    today = context.today()
    current = year == today.year
    async with context.db.read() as conn:
        people = await service.branch_hours(conn, branch.id, year, today.replace(day=1))
    text, markup = views.branch_service_screen(
        context.t,
        branch,
        year,
        people,
        month=today.month if current else None,
        todo=current and leads_to_todo(require_member(context)),
    )
    await say(update, context, text, markup)


def _asked_year(context: XContext, args: list[str]) -> int:
    if not args:
        return context.today().year
    year = int(args[0]) if len(args) == 1 and args[0].isdigit() else 0
    if not 2000 <= year <= context.today().year:
        raise Refusal("service.branch.bad_year")
    return year


def _picker_title(t: Translator, extra: str) -> str:
    return t("service.branch.pick_branch")


SCREEN = BranchScreen("sv", _picker_title, _open_for_bureau, inspectors=True)


# --------------------------------------------------------------------------- helpers


async def _makeup_months(context: XContext, person: Member) -> list[tuple[int, str]]:
    """(month id, label) of past months this person was excused from and has not made up."""
    today = context.today()
    found: list[tuple[int, str]] = []
    async with context.db.read() as conn:
        for _, row in await partyday.approved_leaves(conn, person.id, today - MAKEUP_WINDOW, today):
            year, month = (int(part) for part in row.month.split("-"))
            day = await partyday.party_day(conn, row.branch_id, year, month)
            if day is None or day.date is None or day.date > today:
                continue
            if await service.has_makeup(conn, person.id, row.id):
                continue
            found.append((row.id, views.month_name(context.t, year, month)))
    return found


async def _last_months_party_day(
    conn: aiosqlite.Connection, branch_id: int, today: date
) -> date | None:
    """Last month's party day while its service may still be logged (the first days of
    this month), else None."""
    previous = today.replace(day=1) - timedelta(days=1)
    day = await partyday.party_day(conn, branch_id, previous.year, previous.month)
    if day is None or day.date is None or today - day.date > service.PARTY_DAY_GRACE:
        return None
    return day.date


async def _party_link(
    tx: aiosqlite.Connection, branch_id: int, on: date, now: datetime
) -> int | None:
    """The month row of the party day, when the service was done on that day."""
    day = await partyday.party_day(tx, branch_id, on.year, on.month)
    if day is None or day.date != on:
        return None
    row = await partyday.ensure_month(tx, branch_id, on.year, on.month, now=now)
    return row.id


async def _summary(
    conn: aiosqlite.Connection, t: Translator, record: ServiceLog, *, brief: bool = False
) -> str:
    makeup = None
    if record.makeup_month_id is not None:
        row = await partyday.get_month_by_id(conn, record.makeup_month_id)
        if row is not None:
            year, month = (int(part) for part in row.month.split("-"))
            makeup = views.month_name(t, year, month)
    edits = len(await service.versions(conn, record.id))
    return views.service_summary(t, record, makeup_month=makeup, edits=edits, brief=brief)


async def _own_changeable(context: XContext, log_id: int) -> ServiceLog:
    person = require_branch_person(context)
    record = await require_found(context, service.get, log_id)
    if record.member_id != person.id:
        if record.branch_id != person.branch_id:
            raise OtherBranch()
        raise Refusal("service.not_yours")
    if not record.editable(context.now()):
        raise Refusal("service.not_editable")
    return record
