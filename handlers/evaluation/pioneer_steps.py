"""What is typed in /pioneers, one conversation: opening a round (title, numbers, the two
windows) and changing it (修改: the same questions, offering what it has), nominating
(whom, the deeds, photos), declining a self-nomination with a reason, a juror's ballot,
the bureau's decision on a tie at the cut, an objection and its answer. Each step takes
a typed answer or its buttons; /cancel leaves any of them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import TypedDict

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, NotFound, Refusal, told_or_refused
from handlers.common.flows import END, Handlers, cancel_button, enter_flow, flow_data, step_handlers
from handlers.common.guards import require_admin, require_member, require_private
from handlers.common.i18n import Translator
from handlers.common.reply import ack, answering, replace, reply, say
from handlers.common.typed import FUTURE, choose, labels, says, typed_date, typed_text
from handlers.evaluation import objections
from handlers.evaluation import pioneer_views as views
from handlers.evaluation.pioneer_views import PREFIX, Row, button
from handlers.evaluation.pioneers import (
    OBJECTIONS,
    PROBLEM,
    counted,
    find_round,
    home,
    int_arg,
    own_branch_nomination,
    step,
    tell_nominee,
)
from storage import members
from storage import pioneers as store
from storage.members import Member, Role
from storage.objections import Objection
from storage.pioneer_rules import (
    PHOTOS_MAX,
    Phase,
    PioneerProblem,
    Windows,
    check_deeds,
    check_nomination_window,
    check_numbers,
    check_title,
    deciders_of,
)
from storage.pioneers import NominationStatus, Round, RoundStatus

FLOW = "pioneers"
TITLE, NUMBERS, NOMINATE_WINDOW, VOTE_WINDOW = "title", "numbers", "nominate_window", "vote_window"
PICK, DEEDS, PHOTOS, REASON = "pick", "deeds", "photos", "reason"
BALLOT, TIE, OBJECTION, ANSWER = "ballot", "tie", "objection", "answer"
DEFAULT_QUOTA, DEFAULT_CAP = 10, 3
NOMINATION_DAYS, VOTE_DAYS = 14, 7
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|－－)\s*|\s+")
_NUMBERS = re.compile(r"^\s*([\d\s,，、]+?)\s*(?:[:：]\s*)?([^\d\s,，、:：].*)?$", re.S)


def entry_points() -> Handlers:
    return [
        CallbackQueryHandler(handler, pattern=pattern(PREFIX, action))
        for action, handler in (
            ("open", open_entry),
            ("ed", edit_entry),
            ("nom", nominate_entry),
            ("self", self_entry),
            ("de", decline_entry),
            ("vote", vote_entry),
            ("tie", tie_entry),
            ("obj", objection_entry),
            ("ans", answer_entry),
        )
    ]


def states() -> dict[object, Handlers]:
    photo_deeds = MessageHandler(filters.PHOTO, deeds_photo)
    return {
        TITLE: step_handlers(PREFIX, title_typed, text_expected, dt=title_default),
        NUMBERS: step_handlers(PREFIX, numbers_typed, text_expected, dn=numbers_default),
        NOMINATE_WINDOW: _window_step("dw", _nomination_default, _nominate),
        VOTE_WINDOW: _window_step("dv", _vote_default, _save),
        PICK: step_handlers(PREFIX, pick_typed, use_buttons, pk=pick_pressed),
        DEEDS: [photo_deeds, *step_handlers(PREFIX, deeds_typed, text_expected)],
        PHOTOS: [
            MessageHandler(filters.PHOTO, photo_added),
            *step_handlers(PREFIX, photos_typed, use_buttons, sv=save_pressed),
        ],
        REASON: step_handlers(PREFIX, reason_typed, text_expected),
        BALLOT: step_handlers(
            PREFIX, ballot_typed, use_buttons, bt=ballot_toggle, bc=ballot_clear, bs=ballot_send
        ),
        TIE: step_handlers(PREFIX, tie_typed, text_expected),
        OBJECTION: step_handlers(PREFIX, objection_typed, text_expected),
        ANSWER: step_handlers(PREFIX, answer_typed, text_expected),
    }


text_expected = answering("input.text_expected")
use_buttons = answering("input.use_buttons")


async def _ask(update: Update, context: XContext, text: str, *rows: Row) -> None:
    """A question with its buttons and [取消]."""
    keyboard = [list(r) for r in rows if r] + [[cancel_button(context.t)]]
    await say(update, context, text, InlineKeyboardMarkup(keyboard))


# --------------------------------------------------------------------------- opening


async def open_entry(update: Update, context: XContext) -> str:
    require_private(update)
    require_admin(context)
    year = int_arg(update, 0)
    today = context.today()
    if year not in (today.year, today.year + 1):
        raise BadButton()
    async with context.db.read() as conn:
        latest = await store.latest_round(conn)
    if latest is not None and latest.year >= year:
        raise Refusal("pioneers.problem.round_exists", year=latest.year)
    enter_flow(context, FLOW, year=year)
    return await _ask_title(update, context)


async def edit_entry(update: Update, context: XContext) -> str:
    """修改: the opening's four questions again, each offering what the round has now."""
    require_private(update)
    require_admin(context)
    round_ = await _editable_round(context, int_arg(update, 0))
    enter_flow(
        context,
        FLOW,
        year=round_.year,
        editing=round_.id,
        offer_title=round_.title,
        offer_numbers=[round_.quota, round_.branch_cap],
        offer_nominate=_iso(round_.nominate_from, round_.nominate_until),
        offer_vote=_iso(round_.vote_from, round_.vote_until),
    )
    await reply(update, context, context.t("pioneers.edit.intro", title=round_.title))
    return await _ask_title(update, context)


async def _ask_title(update: Update, context: XContext) -> str:
    title = _offered_title(context)
    await _ask(
        update,
        context,
        context.t("pioneers.ask.title", title=title),
        [button(context.t, "pioneers.button.default_title", "dt", title=title)],
    )
    return TITLE


async def title_default(update: Update, context: XContext) -> str | None:
    return await _title(update, context, _offered_title(context))


def _offered_title(context: XContext) -> str:
    """Each question offers as its button what the round has (when changing it), or the
    usual answer."""
    data = flow_data(context, FLOW)
    offered = data.get("offer_title")
    return str(offered or context.t.plain("pioneers.default_title", year=data["year"]))


async def title_typed(update: Update, context: XContext) -> str | None:
    return await _title(update, context, typed_text(update))


async def _title(update: Update, context: XContext, text: str) -> str | None:
    try:
        title = check_title(text)
    except PioneerProblem as problem:
        await reply(update, context, _problem(context, problem))
        return None
    data = flow_data(context, FLOW)
    data["title"] = title
    quota, cap = data.get("offer_numbers", (DEFAULT_QUOTA, DEFAULT_CAP))
    await _ask(
        update,
        context,
        context.t("pioneers.ask.numbers"),
        [button(context.t, "pioneers.button.default_numbers", "dn", quota=quota, cap=cap)],
    )
    return NUMBERS


async def numbers_default(update: Update, context: XContext) -> str | None:
    quota, cap = flow_data(context, FLOW).get("offer_numbers", (DEFAULT_QUOTA, DEFAULT_CAP))
    return await _numbers(update, context, int(quota), int(cap))


async def numbers_typed(update: Update, context: XContext) -> str | None:
    found = [int(n) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", typed_text(update)))]
    if len(found) != 2:
        await reply(update, context, context.t("pioneers.bad_numbers"))
        return None
    return await _numbers(update, context, found[0], found[1])


async def _numbers(update: Update, context: XContext, quota: int, cap: int) -> str | None:
    data = flow_data(context, FLOW)
    try:
        check_numbers(quota, cap)
        if "editing" in data:
            # Checked again when saved; asked here, where a smaller cap is mended.
            async with context.db.read() as conn:
                await store.check_cap_fits(conn, int(data["editing"]), cap)
    except PioneerProblem as problem:
        await reply(update, context, _problem(context, problem))
        return None
    data.update(quota=quota, cap=cap)
    await _ask(
        update,
        context,
        context.t("pioneers.ask.nominate_window"),
        [_window_button(context, "dw", *_nomination_default(context))],
    )
    return NOMINATE_WINDOW


async def _nominate(update: Update, context: XContext, start: date, end: date) -> str | None:
    data = flow_data(context, FLOW)
    # A round changed after its nominations closed may keep their window.
    kept = _nomination_default(context) if "editing" in data else None
    try:
        check_nomination_window(start, end, context.today(), kept=kept)
    except PioneerProblem as problem:
        await reply(update, context, _problem(context, problem))
        return None
    data.update(nominate_from=start.isoformat(), nominate_until=end.isoformat())
    await _ask(
        update,
        context,
        context.t("pioneers.ask.vote_window", after=end.isoformat()),
        [_window_button(context, "dv", *_vote_default(context))],
    )
    return VOTE_WINDOW


async def _save(update: Update, context: XContext, start: date, end: date) -> int | None:
    """The last answer: the round opened (everyone in a branch told), or changed."""
    admin = require_admin(context)
    data = flow_data(context, FLOW)
    windows = Windows(
        date.fromisoformat(data["nominate_from"]),
        date.fromisoformat(data["nominate_until"]),
        start,
        end,
    )
    values: _Settings = {
        "title": str(data["title"]),
        "quota": int(data["quota"]),
        "branch_cap": int(data["cap"]),
        "windows": windows,
        "today": context.today(),
        "actor_id": admin.id,
        "now": context.now(),
    }
    try:
        async with context.db.transaction() as tx:
            if "editing" in data:
                before = await _editable_round(context, int(data["editing"]))
                round_ = await store.change_round(tx, before, **values)
                await _tell_changed(tx, context, before, round_, admin)
            else:
                round_ = await store.open_round(tx, year=int(data["year"]), **values)
                await _tell_opened(tx, context, round_)
    except PioneerProblem as problem:
        await told_or_refused(
            update,
            context,
            PROBLEM,
            problem,
            again=("window_order", "vote_after_nomination", "window_past", "vote_past"),
        )
        return None
    delivery.wake(context)
    done = "pioneers.changed" if "editing" in data else "pioneers.opened"
    await reply(update, context, context.t(done, title=round_.title))
    await reply(update, context, *await home(context, admin, round_))
    return END


class _Settings(TypedDict):
    """What opening a round and changing one both take."""

    title: str
    quota: int
    branch_cap: int
    windows: Windows
    today: date
    actor_id: int
    now: datetime


async def _editable_round(context: XContext, round_id: int) -> Round:
    """A round an admin may still change: open, and its jury's window not begun."""
    round_ = await find_round(context, round_id)
    if round_.status is not RoundStatus.OPEN or round_.phase(context.today()) in (
        Phase.VOTING,
        Phase.CLOSED,
    ):
        raise Refusal("pioneers.problem.not_editable")
    return round_


async def _tell_changed(
    tx: aiosqlite.Connection, context: XContext, before: Round, after: Round, admin: Member
) -> None:
    """A change of the dates or the cap: the secretaries are told the round as it now
    stands, the jury too when its dates moved, and every member of a branch when the
    nominations' window moved (they were told it at the opening, with the 自荐 button)."""
    if before.windows == after.windows and before.branch_cap == after.branch_cap:
        return
    people = {p.id: p for p in await members.with_roles(tx, Role.SECRETARY)}
    if before.windows != after.windows:
        for juror_id in await store.jurors(tx, after.id):
            if (juror := await members.get(tx, juror_id)) is not None:
                people[juror.id] = juror
    people.pop(admin.id, None)
    values = _told_values(after)
    await delivery.tell(
        tx,
        context,
        people.values(),
        "pioneers.changed",
        lambda t: (t("pioneers.told_changed", **values), None),
    )
    nominations = (after.nominate_from, after.nominate_until)
    if nominations != (before.nominate_from, before.nominate_until):
        # A moved window is never over (check_nomination_window): the 自荐 button stays.
        await _tell_members(tx, context, after, "pioneers.changed", "pioneers.told_changed_member")


async def _tell_opened(tx: aiosqlite.Connection, context: XContext, round_: Round) -> None:
    """Everyone in a branch hears the round opened, once each: the secretaries what they
    are to do, the members that they may nominate themselves, with the 自荐 button."""
    secretaries = await members.with_roles(tx, Role.SECRETARY)
    key = f"round{round_.id}"
    values = _told_values(round_)
    await delivery.tell(
        tx,
        context,
        [p for p in secretaries if p.branch_id is not None],
        "pioneers.open",
        lambda t: (t("pioneers.told_open", **values), None),
        key=key,
    )
    await _tell_members(tx, context, round_, "pioneers.open", "pioneers.told_open_member", key=key)


async def _tell_members(
    tx: aiosqlite.Connection,
    context: XContext,
    round_: Round,
    kind: str,
    text: str,
    *,
    key: str | None = None,
) -> None:
    """Every member of a branch hears the nominations' window, with the 自荐 button. A
    school's thousands of rows: inserted on the writer's thread, so the loop keeps
    answering taps meanwhile."""
    values = _told_values(round_)
    async with context.db.on_thread(tx):
        people = await members.with_roles(tx, Role.MEMBER)
        await delivery.tell(
            tx,
            context,
            [p for p in people if p.branch_id is not None],
            kind,
            lambda t: (
                t(text, **values),
                InlineKeyboardMarkup([[button(t, "pioneers.button.self", "self", round_.id)]]),
            ),
            key=key,
        )


def _told_values(round_: Round) -> dict[str, object]:
    """What the notices of a round's opening or change say."""
    return {
        "title": round_.title,
        "cap": round_.branch_cap,
        "start": round_.nominate_from.isoformat(),
        "end": round_.nominate_until.isoformat(),
        "vote_start": round_.vote_from.isoformat(),
        "vote_end": round_.vote_until.isoformat(),
    }


def _nomination_default(context: XContext) -> tuple[date, date]:
    """The nominations' window offered: the round's (when changing it), or from today,
    two weeks."""
    offered = flow_data(context, FLOW).get("offer_nominate")
    if offered is None:
        today = context.today()
        return today, today + timedelta(days=NOMINATION_DAYS - 1)
    return date.fromisoformat(offered[0]), date.fromisoformat(offered[1])


def _vote_default(context: XContext) -> tuple[date, date]:
    """The jury's window offered: the round's while it still follows the nominations,
    else the week after they close."""
    data = flow_data(context, FLOW)
    end = date.fromisoformat(data["nominate_until"])
    if "offer_vote" in data:
        start, until = (date.fromisoformat(d) for d in data["offer_vote"])
        if start > end:
            return start, until
    return end + timedelta(days=1), end + timedelta(days=VOTE_DAYS)


def _iso(start: date, end: date) -> list[str]:
    return [start.isoformat(), end.isoformat()]


WindowThen = Callable[[Update, XContext, date, date], Awaitable[object]]


def _window_step(
    action: str, offered: Callable[[XContext], tuple[date, date]], then: WindowThen
) -> Handlers:
    """A window step (the nominations' or the jury's): the offered window's button
    (``action``), or two dates typed; ``then`` goes on with the window."""

    async def pressed(update: Update, context: XContext) -> object:
        return await then(update, context, *offered(context))

    async def typed(update: Update, context: XContext) -> object:
        window = _window(typed_text(update), context.today())
        if window is None:
            await reply(update, context, context.t("pioneers.bad_window"))
            return None
        return await then(update, context, *window)

    pressed.__qualname__ = f"window_pressed.{action}"
    typed.__qualname__ = f"window_typed.{action}"
    return step_handlers(PREFIX, typed, text_expected, **{action: pressed})


def _window(text: str, today: date) -> tuple[date, date] | None:
    parts = [p for p in _RANGE.split(unicodedata.normalize("NFKC", text).strip()) if p]
    if len(parts) != 2:
        return None
    start = typed_date(parts[0], today, FUTURE)
    end = typed_date(parts[1], today, FUTURE)
    return None if start is None or end is None else (start, end)


def _window_button(context: XContext, action: str, start: date, end: date) -> InlineKeyboardButton:
    return button(
        context.t, "pioneers.button.window", action, start=start.isoformat(), end=end.isoformat()
    )


# --------------------------------------------------------------------------- nominating


async def nominate_entry(update: Update, context: XContext) -> str:
    require_private(update)
    person = require_member(context)
    if person.role is not Role.SECRETARY or person.branch_id is None:
        raise NotAllowed()
    round_ = await _nominating_round(context, int_arg(update, 0))
    async with context.db.read() as conn:
        people = await members.list_branch(conn, person.branch_id)
        mine = await store.nominations(conn, round_.id, branch_id=person.branch_id)
    taken = {n.member_id for n in mine if n.status is not NominationStatus.DECLINED}
    live = [n for n in mine if n.status is NominationStatus.NOMINATED]
    if len(live) >= round_.branch_cap:
        raise Refusal("pioneers.problem.over_cap", cap=round_.branch_cap)
    # The secretary themself goes through 自荐, endorsed by someone else.
    free = [
        m
        for m in people
        if m.role in (Role.MEMBER, Role.SECRETARY) and m.id not in taken and m.id != person.id
    ]
    if not free:
        raise Refusal("pioneers.problem.nobody_left")
    enter_flow(context, FLOW, round=round_.id, choices=[m.id for m in free])
    picks = [
        InlineKeyboardButton(f"{i}. {m.name}", callback_data=encode(PREFIX, "pk", m.id))
        for i, m in enumerate(free, start=1)
    ]
    rows = [picks[i : i + 3] for i in range(0, min(len(picks), views.ROWS_MAX * 3), 3)]
    await _ask(update, context, context.t("pioneers.ask.pick"), *rows)
    return PICK


async def pick_pressed(update: Update, context: XContext) -> str | None:
    return await _picked(update, context, int_arg(update, 0))


async def pick_typed(update: Update, context: XContext) -> str | None:
    data = flow_data(context, FLOW)
    async with context.db.read() as conn:
        people = [await members.get(conn, i) for i in data.get("choices", [])]
    options = [(m.id, [m.name]) for m in people if m is not None]
    chosen = choose(typed_text(update), options)
    if chosen is None:
        await reply(update, context, context.t("pioneers.bad_pick"))
        return None
    return await _picked(update, context, chosen)


async def _picked(update: Update, context: XContext, member_id: int) -> str | None:
    data = flow_data(context, FLOW)
    if member_id not in data.get("choices", []):
        async with context.db.read() as conn:
            found = await members.get(conn, member_id)
        if found is not None and found.branch_id != require_member(context).branch_id:
            raise Refusal("pioneers.problem.other_branch")
        raise NotFound()
    data["nominee"] = member_id
    await ack(update)
    await _ask(update, context, context.t("pioneers.ask.deeds"))
    return DEEDS


async def self_entry(update: Update, context: XContext) -> str:
    require_private(update)
    person = require_member(context)
    if person.role not in (Role.MEMBER, Role.SECRETARY) or person.branch_id is None:
        raise NotAllowed()
    round_ = await _nominating_round(context, int_arg(update, 0))
    enter_flow(context, FLOW, round=round_.id, nominee=person.id, choices=[person.id])
    await _ask(update, context, context.t("pioneers.ask.deeds_self"))
    return DEEDS


async def deeds_typed(update: Update, context: XContext) -> str | None:
    return await _deeds(update, context, typed_text(update), [])


async def deeds_photo(update: Update, context: XContext) -> str | None:
    message = update.effective_message
    assert message is not None and message.photo
    if not message.caption:
        await reply(update, context, context.t("pioneers.deeds_first"))
        return None
    return await _deeds(update, context, message.caption, [message.photo[-1].file_id])


async def _deeds(update: Update, context: XContext, text: str, photos: list[str]) -> str | None:
    try:
        deeds = check_deeds(text)
    except PioneerProblem as problem:
        await reply(update, context, _problem(context, problem))
        return None
    flow_data(context, FLOW).update(deeds=deeds, photos=photos)
    await _ask(
        update,
        context,
        context.t("pioneers.ask.photos", most=PHOTOS_MAX, count=len(photos)),
        [button(context.t, "pioneers.button.save", "sv")],
    )
    return PHOTOS


async def photo_added(update: Update, context: XContext) -> str | None:
    message = update.effective_message
    assert message is not None and message.photo
    data = flow_data(context, FLOW)
    photos = list(data.get("photos", []))
    if len(photos) >= PHOTOS_MAX:
        await reply(update, context, context.t("pioneers.photos_full", most=PHOTOS_MAX))
        return None
    photos.append(message.photo[-1].file_id)
    data["photos"] = photos
    await _ask(
        update,
        context,
        context.t("pioneers.photo_added", count=len(photos), most=PHOTOS_MAX),
        [button(context.t, "pioneers.button.save", "sv")],
    )
    return None


async def photos_typed(update: Update, context: XContext) -> int | None:
    if says(typed_text(update), [*labels("pioneers.button.save"), "完成", "done", "好"]):
        return await save_pressed(update, context)
    await reply(update, context, context.t("pioneers.photos_hint"))
    return None


async def save_pressed(update: Update, context: XContext) -> int:
    person = require_member(context)
    data = flow_data(context, FLOW)
    round_ = await _nominating_round(context, int(data["round"]))
    async with context.db.transaction() as tx:
        n = await step(
            store.nominate(
                tx,
                round_,
                actor=person,
                nominee_id=int(data["nominee"]),
                deeds=str(data["deeds"]),
                photos=list(data.get("photos", [])),
                today=context.today(),
                now=context.now(),
            )
        )
        title = round_.title
        if n.status is NominationStatus.PENDING:
            # A secretary does not endorse their own: the branch's other secretaries do,
            # or the bureau where there is none.
            await delivery.tell(
                tx,
                context,
                await deciders_of(tx, n.branch_id, n.member_id),
                "pioneers.self_nominated",
                lambda t: (
                    t("pioneers.told_self", name=n.member_name, title=title, deeds=n.deeds),
                    InlineKeyboardMarkup(
                        [
                            [
                                button(t, "pioneers.button.endorse", "en", n.id),
                                button(t, "pioneers.button.decline", "de", n.id),
                            ]
                        ]
                    ),
                ),
                key=f"nomination{n.id}",
            )
        elif n.member_id != person.id:
            await tell_nominee(tx, context, n, "nominated", urgent=False, title=title)
    delivery.wake(context)
    key = "pioneers.saved_self" if n.status is NominationStatus.PENDING else "pioneers.saved"
    await say(update, context, context.t(key, name=n.member_name))
    await reply(update, context, *await home(context, person, round_))
    return END


async def _nominating_round(context: XContext, round_id: int) -> Round:
    round_ = await find_round(context, round_id)
    if (
        round_.status is not RoundStatus.OPEN
        or round_.phase(context.today()) is not Phase.NOMINATING
    ):
        raise Refusal(
            "pioneers.problem.not_nominating",
            start=round_.nominate_from.isoformat(),
            end=round_.nominate_until.isoformat(),
        )
    return round_


# --------------------------------------------------------------------------- declining


async def decline_entry(update: Update, context: XContext) -> str:
    require_private(update)
    person = require_member(context)
    n, round_ = await own_branch_nomination(context, person, int_arg(update, 0))
    if n.status is not NominationStatus.PENDING or round_.status is not RoundStatus.OPEN:
        raise Refusal("pioneers.problem.already_decided")
    enter_flow(context, FLOW, nomination=n.id)
    await _ask(update, context, context.t("pioneers.ask.reason", name=n.member_name))
    return REASON


async def reason_typed(update: Update, context: XContext) -> int | None:
    person = require_member(context)
    data = flow_data(context, FLOW)
    n, round_ = await own_branch_nomination(context, person, int(data["nomination"]))
    reason = typed_text(update).strip()
    try:
        async with context.db.transaction() as tx:
            await store.decline(tx, round_, n, reason, actor_id=person.id, now=context.now())
            await tell_nominee(
                tx, context, n, "declined", urgent=True, title=round_.title, reason=reason
            )
    except PioneerProblem as problem:
        await told_or_refused(update, context, PROBLEM, problem, again=("reason_needed",))
        return None
    delivery.wake(context)
    await reply(update, context, context.t("pioneers.declined", name=n.member_name))
    return END


# --------------------------------------------------------------------------- the ballot


async def vote_entry(update: Update, context: XContext) -> str:
    require_private(update)
    juror = require_member(context)
    round_, nominees = await _ballot_round(context, juror, int_arg(update, 0))
    enter_flow(context, FLOW, round=round_.id, ranking=[])
    await say(update, context, *views.ballot(context.t, round_, nominees, []))
    return BALLOT


async def _ballot_round(
    context: XContext, juror: Member, round_id: int
) -> tuple[Round, list[store.Nomination]]:
    """The round a juror may vote in now, and the nominees they may rank (not their own)."""
    async with context.db.read() as conn:
        round_ = await store.get_round(conn, round_id)
        if round_ is None:
            raise NotFound()
        jury = await store.jurors(conn, round_.id)
        voted = await store.has_voted(conn, round_.id, juror.id)
        live = await store.nominations(conn, round_.id, live=True)
    if juror.role not in (Role.ADMIN, Role.INSPECTOR):
        raise NotAllowed()
    if round_.status is not RoundStatus.OPEN or round_.phase(context.today()) is not Phase.VOTING:
        raise Refusal(
            "pioneers.problem.not_voting",
            start=round_.vote_from.isoformat(),
            end=round_.vote_until.isoformat(),
        )
    if juror.id not in jury:
        raise Refusal("pioneers.problem.not_on_jury")
    if voted:
        raise Refusal("pioneers.problem.voted_twice")
    own = set(store.own_nominations(live, juror))
    return round_, [n for n in live if n.id not in own]


async def ballot_toggle(update: Update, context: XContext) -> None:
    juror = require_member(context)
    data = flow_data(context, FLOW)
    round_, nominees = await _ballot_round(context, juror, int(data["round"]))
    nomination_id = int_arg(update, 0)
    if nomination_id not in {n.id for n in nominees}:
        async with context.db.read() as conn:
            live = await store.nominations(conn, round_.id, live=True)
        if nomination_id in store.own_nominations(live, juror):
            raise Refusal("pioneers.problem.own_nomination")
        raise NotFound()
    ranking = [int(i) for i in data.get("ranking", [])]
    if nomination_id in ranking:
        ranking.remove(nomination_id)
    elif len(ranking) >= round_.quota:
        await ack(
            update, context.t("pioneers.problem.ballot_too_long", quota=round_.quota), alert=True
        )
        return
    else:
        ranking.append(nomination_id)
    data["ranking"] = ranking
    await ack(update)
    await _edit_ballot(update, context, round_, nominees, ranking)


async def ballot_clear(update: Update, context: XContext) -> None:
    juror = require_member(context)
    data = flow_data(context, FLOW)
    round_, nominees = await _ballot_round(context, juror, int(data["round"]))
    data["ranking"] = []
    await ack(update)
    await _edit_ballot(update, context, round_, nominees, [])


async def ballot_typed(update: Update, context: XContext) -> None:
    """The ranking typed as the nominees' numbers, first to last: ``3 1 2``."""
    juror = require_member(context)
    data = flow_data(context, FLOW)
    round_, nominees = await _ballot_round(context, juror, int(data["round"]))
    text = unicodedata.normalize("NFKC", typed_text(update))
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if (
        not numbers
        or re.search(r"[^\d\s,，、.]", text)
        or any(not 1 <= n <= len(nominees) for n in numbers)
    ):
        await reply(update, context, context.t("pioneers.bad_ballot", count=len(nominees)))
        return
    ranking = list(dict.fromkeys(nominees[n - 1].id for n in numbers))
    if len(ranking) > round_.quota:
        await reply(
            update, context, context.t("pioneers.problem.ballot_too_long", quota=round_.quota)
        )
        return
    data["ranking"] = ranking
    await reply(update, context, *views.ballot(context.t, round_, nominees, ranking))


async def ballot_send(update: Update, context: XContext) -> int | None:
    juror = require_member(context)
    data = flow_data(context, FLOW)
    round_, _ = await _ballot_round(context, juror, int(data["round"]))
    ranking = [int(i) for i in data.get("ranking", [])]
    if not ranking:
        await ack(update, context.t("pioneers.problem.ballot_empty"), alert=True)
        return None
    async with context.db.transaction() as tx:
        await step(
            store.cast_ballot(
                tx, round_, ranking, juror=juror, today=context.today(), now=context.now()
            )
        )
    await say(
        update,
        context,
        context.t("pioneers.voted", count=len(ranking), until=round_.vote_until.isoformat()),
    )
    return END


async def _edit_ballot(
    update: Update,
    context: XContext,
    round_: Round,
    nominees: list[store.Nomination],
    ranking: list[int],
) -> None:
    await replace(update, context, *views.ballot(context.t, round_, nominees, ranking))


# --------------------------------------------------------------------------- the tie


async def tie_entry(update: Update, context: XContext) -> str:
    require_private(update)
    require_admin(context)
    round_ = await _open_round(context, int_arg(update, 0))
    the_cut, by_id = await counted(context, round_)
    if not the_cut.has_tie:
        raise Refusal("pioneers.problem.no_tie")
    enter_flow(context, FLOW, round=round_.id, tied=the_cut.tied)
    names = "\n".join(
        context.t.plain(
            "pioneers.ballot.nominee", n=i, name=by_id[n].member_name, branch=by_id[n].branch_name
        )
        for i, n in enumerate(the_cut.tied, start=1)
    )
    await _ask(
        update,
        context,
        context.t("pioneers.ask.tie", places=the_cut.places, count=len(the_cut.tied), names=names),
    )
    return TIE


async def tie_typed(update: Update, context: XContext) -> int | None:
    admin = require_admin(context)
    data = flow_data(context, FLOW)
    round_ = await _open_round(context, int(data["round"]))
    tied = [int(n) for n in data.get("tied", [])]
    found = _NUMBERS.match(unicodedata.normalize("NFKC", typed_text(update)))
    numbers = [int(n) for n in re.findall(r"\d+", found.group(1))] if found else []
    if not numbers or any(not 1 <= n <= len(tied) for n in numbers):
        await reply(update, context, context.t("pioneers.bad_tie", count=len(tied)))
        return None
    reason = (found.group(2) or "").strip() if found else ""
    try:
        async with context.db.transaction() as tx:
            await store.decide_tie(
                tx,
                round_,
                [tied[n - 1] for n in numbers],
                reason,
                today=context.today(),
                actor_id=admin.id,
                now=context.now(),
            )
    except PioneerProblem as problem:
        await told_or_refused(
            update, context, PROBLEM, problem, again=("tie_count", "reason_needed")
        )
        return None
    await reply(update, context, context.t("pioneers.tie_decided"))
    await reply(update, context, *await home(context, admin, round_))
    return END


async def _open_round(context: XContext, round_id: int) -> Round:
    round_ = await find_round(context, round_id)
    if round_.status is not RoundStatus.OPEN:
        raise Refusal("pioneers.problem.already_confirmed")
    return round_


# --------------------------------------------------------------------------- objections


async def objection_entry(update: Update, context: XContext) -> str:
    require_private(update)
    person = require_member(context)
    if person.role not in (Role.MEMBER, Role.SECRETARY):
        raise NotAllowed()
    round_ = await find_round(context, int_arg(update, 0))
    if not round_.in_notice(context.today()):
        raise Refusal("pioneers.problem.not_in_notice")
    enter_flow(context, FLOW, round=round_.id)
    await _ask(update, context, context.t("pioneers.ask.objection", title=round_.title))
    return OBJECTION


async def objection_typed(update: Update, context: XContext) -> int | None:
    person = require_member(context)
    data = flow_data(context, FLOW)
    round_ = await find_round(context, int(data["round"]))
    text = typed_text(update).strip()
    title = round_.title

    def told(t: Translator) -> str:
        return t("pioneers.told_objection", name=person.name, title=title, text=text)

    saved = await objections.raise_typed(
        update, context, OBJECTIONS, round_, round_.id, text, person, told
    )
    return END if saved else None


async def answer_entry(update: Update, context: XContext) -> str:
    require_private(update)
    require_admin(context)
    objection = await objections.to_answer(context, OBJECTIONS, int_arg(update, 0))
    enter_flow(context, FLOW, objection=objection.id)
    await _ask(update, context, context.t("pioneers.ask.answer", text=objection.text))
    return ANSWER


async def answer_typed(update: Update, context: XContext) -> int | None:
    admin = require_admin(context)
    data = flow_data(context, FLOW)
    text = typed_text(update).strip()

    def told(t: Translator, objection: Objection) -> str:
        return t("pioneers.told_answer", text=objection.text, answer=text)

    saved = await objections.answer_typed(
        update, context, OBJECTIONS, int(data["objection"]), text, admin, told
    )
    return END if saved else None


def _problem(context: XContext, problem: PioneerProblem) -> str:
    return context.t(f"{PROBLEM}.{problem.code}", **problem.params)
