"""Answering the announcement: [参加], [请假] with a reason, the secretary's decision, and the
secretary's reminder to those who have not answered.

An answer may change until the day's start time; a changed leave request is decided again
(the buttons the secretary got for the older one no longer work).
"""

from __future__ import annotations

from typing import Any

import aiosqlite
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from handlers.common import delivery
from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, NotFound, Refusal, StaleButton
from handlers.common.flows import (
    END,
    enter_flow,
    flow_data,
    flow_step,
    step_handlers,
)
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_branch_person,
    require_secretary,
    require_secretary_or_admin,
)
from handlers.common.i18n import Raw, Translator
from handlers.common.reply import say
from handlers.common.typed import choose, labels, says, typed_text
from handlers.partyday import common, views
from handlers.partyday.common import FLOW
from storage import audit, members, partyday
from storage.members import Member
from storage.partyday import Answer, Approval, LeaveReason, PartyDay, Reply

LEAVE_REASON = "pd.leave.reason"
# Typed at the reason question, these mean "I will attend after all".
ATTEND_WORDS = {"参加", "我参加", "能参加", "可以参加", "不请假了", "attend", "i will attend"}
LEAVE_TEXT = "pd.leave.text"


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(leave_start, pattern=pattern("pd", "lv")),
        # [参加] acts at once, but belongs to the flow: pressed while the leave reason is
        # being asked, it ends that step (a word typed later is not taken as a reason).
        CallbackQueryHandler(attend, pattern=pattern("pd", "att")),
    ]


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {
        LEAVE_REASON: step_handlers("pd", reason_typed, reason_other_input, rs=reason_pressed),
        LEAVE_TEXT: step_handlers("pd", reason_text_typed, reason_text_other_input),
    }


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return presses("pd", ok=decide, no=decide, rem=remind)


# --------------------------------------------------------------------------- attend


async def attend(update: Update, context: XContext) -> object:
    """Record "attending"; a leave step left open ends, any other step carries on."""
    press = common.month_pressed(update, context, require_branch_person)
    await _record_attending(update, context, press.person, press.branch_id, press.year, press.month)
    if flow_step(context, FLOW) in (LEAVE_REASON, LEAVE_TEXT):
        return END
    return None  # stay where the person was (e.g. halfway through /service)


async def _record_attending(
    update: Update, context: XContext, person: Member, branch_id: int, year: int, month: int
) -> None:
    now = context.now()
    async with context.db.transaction() as tx:
        day = await common.require_day(tx, branch_id, year, month)
        common.refuse_if_closed(day, context)
        row = await partyday.ensure_month(tx, branch_id, year, month, now=now)
        await partyday.set_reply(
            tx, month_id=row.id, member_id=person.id, answer=Answer.ATTEND, now=now
        )
    assert day.date is not None
    t = context.t
    await say(update, context, t("partyday.attend.done", date=views.long_date(t, day.date)))


# --------------------------------------------------------------------------- leave


async def leave_start(update: Update, context: XContext) -> object:
    press = common.month_pressed(update, context, require_branch_person)
    async with context.db.read() as conn:
        day = await common.require_day(conn, press.branch_id, press.year, press.month)
    common.refuse_if_closed(day, context)
    enter_flow(context, FLOW, branch=press.branch_id, month=day.key)
    text, keyboard = views.leave_question(context.t, day)
    await say(update, context, text, keyboard)
    return LEAVE_REASON


async def reason_pressed(update: Update, context: XContext) -> object:
    data = parse_callback(update, "pd")
    require_branch_person(context)
    reason = data.enum_arg(LeaveReason)
    if reason is LeaveReason.OTHER:
        return await _ask_text(update, context)
    return await _save_leave(update, context, reason, None)


async def reason_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    answer = typed_text(update)
    options = [(reason.value, labels(f"partyday.reason.{reason.value}")) for reason in LeaveReason]
    if says(answer, ATTEND_WORDS):
        # Changed their mind at the reason question: "参加" is an answer, not a reason.
        person = require_branch_person(context)
        data = flow_data(context, FLOW)
        year, month = partyday.parse_button_month(str(data["month"]))
        try:
            await _record_attending(update, context, person, int(data["branch"]), year, month)
        except Refusal as refusal:
            return await common.refused(update, context, refusal)
        return END
    matched = choose(answer, options)
    if matched == LeaveReason.OTHER.value:
        return await _ask_text(update, context)
    if matched is not None:
        return await _save_leave(update, context, LeaveReason(matched), None)
    # Anything else typed here is the reason in the member's own words.
    return await _take_text(update, context, answer, LEAVE_REASON)


async def reason_other_input(update: Update, context: XContext) -> object:
    require_branch_person(context)
    await say(update, context, context.t("input.use_buttons"))
    return LEAVE_REASON


async def reason_text_typed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    return await _take_text(update, context, typed_text(update), LEAVE_TEXT)


async def reason_text_other_input(update: Update, context: XContext) -> object:
    require_branch_person(context)
    await say(update, context, context.t("partyday.leave.bad_text"))
    return LEAVE_TEXT


async def _ask_text(update: Update, context: XContext) -> object:
    return await common.ask_typed(update, context, LEAVE_TEXT, "partyday.leave.ask_text")


async def _take_text(update: Update, context: XContext, typed: str, state: str) -> object:
    try:
        text = partyday.clean_line(typed, partyday.LEAVE_TEXT_MAX)
    except ValueError:
        await say(update, context, context.t("partyday.leave.bad_text"))
        return state
    return await _save_leave(update, context, LeaveReason.OTHER, text)


async def _save_leave(
    update: Update, context: XContext, reason: LeaveReason, text: str | None
) -> object:
    person = require_branch_person(context)
    data = flow_data(context, FLOW)
    branch_id = int(data["branch"])
    require_branch_access(person, branch_id)
    year, month = partyday.parse_button_month(str(data["month"]))
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            day = await common.require_day(tx, branch_id, year, month)
            common.refuse_if_closed(day, context)
            row = await partyday.ensure_month(tx, branch_id, year, month, now=now)
            reply = await partyday.set_reply(
                tx,
                month_id=row.id,
                member_id=person.id,
                answer=Answer.LEAVE,
                reason_kind=reason,
                reason_text=text,
                now=now,
            )
            deciders, to_bureau = await _deciders(tx, branch_id, person)
            branch = await common.branch_named(tx, branch_id)
            await _ask_deciders(tx, context, deciders, to_bureau, person, branch.name, day, reply)
    except Refusal as refusal:
        # The reason took a while and the day started (or was cancelled) meanwhile.
        return await common.refused(update, context, refusal)
    t = context.t
    done = "partyday.leave.done_bureau" if to_bureau else "partyday.leave.done"
    await common.said_from_button(
        update, context, t(done, reason=Raw(views.leave_reason(t, reply)))
    )
    delivery.wake(context)
    return END


async def _deciders(
    conn: aiosqlite.Connection, branch_id: int, person: Member
) -> tuple[list[Member], bool]:
    """Who decides ``person``'s leave: the branch's secretaries but not the one asking; a
    branch's only secretary asks the bureau (as a secretary's own pledge goes to it).
    The flag says it went to the bureau."""
    secretaries = [s for s in await members.secretaries(conn, branch_id) if s.id != person.id]
    if secretaries or not person.is_secretary:
        return secretaries, False
    return await members.admins(conn), True


async def _ask_deciders(
    tx: aiosqlite.Connection,
    context: XContext,
    deciders: list[Member],
    to_bureau: bool,
    person: Member,
    branch_name: str,
    day: PartyDay,
    reply: Reply,
) -> None:
    """Each one who decides gets the request with [批准] [不批准]."""
    date = day.date
    assert date is not None
    key = "partyday.leave.to_bureau" if to_bureau else "partyday.leave.to_secretary"

    def request(t: Translator) -> delivery.Screen:
        text = t(
            key,
            branch=branch_name,
            name=person.name,
            date=views.long_date(t, date),
            reason=Raw(views.leave_reason(t, reply)),
        )
        return text, views.approval_buttons(t, reply)

    await delivery.tell(tx, context, deciders, "partyday.leave", request)


# --------------------------------------------------------------------------- decision


async def decide(update: Update, context: XContext) -> None:
    """A secretary decides a leave request of their branch; the bureau, a secretary's own
    when the branch has no other secretary. Nobody decides their own."""
    data = parse_callback(update, "pd")
    secretary = require_secretary_or_admin(context)
    approve = data.action == "ok"
    reply_id, rev = data.int_arg(0), data.int_arg(1)
    now = context.now()
    async with context.db.transaction() as tx:
        reply = await partyday.get_reply_by_id(tx, reply_id)
        row = await partyday.get_month_by_id(tx, reply.month_id) if reply else None
        if reply is None or row is None:
            raise NotFound()
        require_branch_access(secretary, row.branch_id)
        if reply.member_id == secretary.id:
            raise NotAllowed()
        if not secretary.is_secretary:
            # The bureau decides only for a secretary nobody in the branch can decide for.
            asker = await members.get(tx, reply.member_id)
            if asker is None or not asker.is_secretary:
                raise NotAllowed()
            _, to_bureau = await _deciders(tx, row.branch_id, asker)
            if not to_bureau:
                raise NotAllowed()
        if reply.rev != rev or reply.approval is not Approval.PENDING:
            raise StaleButton()
        decided = await partyday.decide_leave(
            tx, reply, approve=approve, actor_id=secretary.id, now=now
        )
        member = await members.get(tx, decided.member_id)
        year, month = (int(part) for part in row.month.split("-"))
        # The month's row is in hand (a decision does not change it): only the rule is read.
        rule = await partyday.current_rule(tx, row.branch_id)
        day = partyday.effective_day(rule, row, row.branch_id, year, month)
        if day is None:
            raise Refusal("partyday.not_set")
        assert member is not None
        date = day.date
        notice = "partyday.leave.approved_notice" if approve else "partyday.leave.declined_notice"

        def answer(t: Translator) -> str:
            return t(notice, date=views.long_date(t, date) if date else "—")

        # The member is waiting for this answer: not held by the quiet hours.
        await delivery.tell(tx, context, [member], "partyday.leave_answer", answer, urgent=True)
    delivery.wake(context)
    t = context.t
    key = "partyday.leave.approved_done" if approve else "partyday.leave.declined_done"
    await common.said_from_button(update, context, t(key, name=member.name))


# --------------------------------------------------------------------------- reminder


async def remind(update: Update, context: XContext) -> None:
    """Enqueue a "please answer" for everyone without an answer (once a day each)."""
    press = common.month_pressed(update, context, require_secretary)
    secretary, branch_id = press.person, press.branch_id
    year, month = press.year, press.month
    now = context.now()
    today = context.today()
    async with context.db.transaction() as tx:
        day = await common.day_open_for_replies(tx, context, branch_id, year, month)
        assert day.date is not None
        silent = await partyday.members_without_reply(tx, branch_id, day.date)
        if not silent:
            raise Refusal("partyday.remind.none")
        added = await common.tell_of_day(
            tx, context, silent, "remind", views.reply_reminder, day, once=f":{today}"
        )
        if added:
            await audit.record(
                tx,
                at=now,
                actor_id=secretary.id,
                action="partyday.reminded",
                entity="party_day_month",
                entity_id=day.month_id,
                branch_id=branch_id,
                month=day.month_text,
                people=[person.id for person in silent],
            )
    if not added:
        raise Refusal("partyday.remind.already")
    delivery.wake(context)
    await say(update, context, context.t("partyday.remind.done", count=added))
