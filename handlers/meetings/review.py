"""Answering an announced meeting (参加/请假) and the bureau's review (approve or return
with a comment); everyone else concerned is told through the outbox."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from handlers.common import delivery
from handlers.common.callback import encode, presses
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, NotFound, Refusal
from handlers.common.flows import END, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_admin,
    require_branch_access,
    require_branch_person,
    require_found,
)
from handlers.common.views import cancel_only
from handlers.meetings import views
from handlers.meetings.common import (
    data,
    finish,
    say,
    say_from_button,
    start,
    typed,
)
from handlers.meetings.record import again, refusals, text_expected
from storage import branches, meetings, members
from storage.answers import Answer
from storage.meetings import Meeting

LEAVE, RETURN_NOTE = "mt.leave", "mt.return_note"


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return presses(
        "mt",
        yes=attend_pressed,
        no=leave_pressed,
        rv=review_pressed,
        ok=approve_pressed,
        ret=return_pressed,
    )


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {
        LEAVE: step_handlers("mt", leave_typed, text_expected),
        RETURN_NOTE: step_handlers("mt", note_typed, text_expected),
    }


# --------------------------------------------------------------------------- replies


async def _expected_meeting(context: XContext, meeting_id: int) -> tuple[int, Meeting]:
    """The member answering and the meeting, which must expect them."""
    person = require_branch_person(context)
    async with context.db.read() as conn:
        meeting = await meetings.get(conn, meeting_id)
        found = None if meeting is None else await meetings.attendee(conn, meeting.id, person.id)
    if meeting is None:
        raise NotFound()
    require_branch_access(person, meeting.branch_id)
    if found is None:
        raise NotAllowed()
    return person.id, meeting


def _open(context: XContext, meeting: Meeting) -> None:
    if meeting.status is not meetings.MeetingStatus.ANNOUNCED or meeting.on_date < context.today():
        raise Refusal("mt.reply.closed")


async def attend_pressed(update: Update, context: XContext) -> object:
    member_id, meeting = await _expected_meeting(context, parse_callback(update, "mt").int_arg(0))
    _open(context, meeting)
    finish(context)
    with refusals():
        async with context.db.transaction() as tx:
            await meetings.reply(tx, meeting, member_id, Answer.ATTEND, reason=None,
                                 today=context.today(), now=context.now())  # fmt: skip
    t = context.t
    await say(update, context, t("mt.reply.attend", date=meeting.on_date.isoformat(),
                                 kind=views.kind_name(t, meeting.kind)))  # fmt: skip
    return None


async def leave_pressed(update: Update, context: XContext) -> object:
    _, meeting = await _expected_meeting(context, parse_callback(update, "mt").int_arg(0))
    _open(context, meeting)
    start(context, "leave", meeting_id=meeting.id)
    await say(update, context, context.t("mt.ask.leave"), cancel_only(context.t))
    return LEAVE


async def leave_typed(update: Update, context: XContext) -> object:
    member_id, meeting = await _expected_meeting(context, int(data(context)["meeting_id"]))
    reason = typed(update)
    try:
        with refusals():
            _open(context, meeting)
            async with context.db.transaction() as tx:
                answer = await meetings.reply(
                    tx, meeting, member_id, Answer.LEAVE, reason=reason, today=context.today(),
                    now=context.now(),
                )  # fmt: skip
                secretaries = await members.secretaries(tx, meeting.branch_id)
                await delivery.tell(
                    tx, context, [s for s in secretaries if s.id != member_id], "meeting.leave",
                    lambda t: t("mt.leave.told", name=answer.name,
                                date=meeting.on_date.isoformat(),
                                kind=views.kind_name(t, meeting.kind), reason=answer.reply_reason),
                )  # fmt: skip
    except Refusal as refusal:
        return await again(update, context, refusal, LEAVE, ending={"mt.reply.closed"})
    delivery.wake(context)
    finish(context)
    await say(update, context, context.t("mt.reply.leave", reason=answer.reply_reason or ""))
    return END


# --------------------------------------------------------------------------- review


async def _submitted(context: XContext, meeting_id: int) -> Meeting:
    require_admin(context)
    meeting = await require_found(context, meetings.get, meeting_id)
    return meeting


async def review_pressed(update: Update, context: XContext) -> object:
    meeting = await _submitted(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    async with context.db.read() as conn:
        record = await meetings.get_record(conn, meeting.id)
        branch = await branches.get(conn, meeting.branch_id)
    assert record is not None
    text, markup = views.review_card(context.t, record, branch.name if branch else "")
    await say(update, context, text, markup)
    return END


async def approve_pressed(update: Update, context: XContext) -> object:
    meeting = await _submitted(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    admin = require_admin(context)
    with refusals():
        async with context.db.transaction() as tx:
            approved = await meetings.approve(tx, meeting, actor_id=admin.id, now=context.now())
            await _tell_branch(tx, context, approved, "mt.review.told_approved")
    delivery.wake(context)
    await say_from_button(update, context, context.t("mt.review.approved"))
    return END


async def return_pressed(update: Update, context: XContext) -> object:
    meeting = await _submitted(context, parse_callback(update, "mt").int_arg(0))
    if meeting.status is not meetings.MeetingStatus.SUBMITTED:
        raise Refusal("mt.changed")
    start(context, "return", meeting_id=meeting.id)
    await say(update, context, context.t("mt.review.ask_note"), cancel_only(context.t))
    return RETURN_NOTE


async def note_typed(update: Update, context: XContext) -> object:
    meeting = await _submitted(context, int(data(context)["meeting_id"]))
    admin = require_admin(context)
    try:
        with refusals():
            async with context.db.transaction() as tx:
                returned = await meetings.return_to_secretary(
                    tx, meeting, actor_id=admin.id, note=typed(update), now=context.now()
                )
                await _tell_branch(tx, context, returned, "mt.review.told_returned")
    except Refusal as refusal:
        return await again(
            update, context, refusal, RETURN_NOTE, ending={"mt.locked", "mt.changed"}
        )
    delivery.wake(context)
    finish(context)
    await say(update, context, context.t("mt.review.returned"))
    return END


async def _tell_branch(tx: Any, context: XContext, meeting: Meeting, key: str) -> None:
    secretaries = await members.secretaries(tx, meeting.branch_id)
    await delivery.tell(
        tx, context, secretaries, "meeting.reviewed",
        lambda t: (
            t(key, kind=views.kind_name(t, meeting.kind), date=meeting.on_date.isoformat(),
              note=meeting.return_note or ""),
            [[{"text": t("mt.button.view"),
               "callback_data": encode("mt", "open", meeting.id)}]],
        ),
        urgent=True,
    )  # fmt: skip
