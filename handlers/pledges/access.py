"""What the pledge handlers share: the flow's states, loading a pledge with its guards,
and answering inside a flow.

Authorization comes from the database: a button names a pledge, never who may touch it.
"""

from __future__ import annotations

import functools

from telegram import Update

from handlers.common import branch_picker
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, NotFound, Refusal, answer_refusal
from handlers.common.flows import END, Step, flow_active, flow_data
from handlers.common.guards import (
    require_branch_access,
    require_branch_person,
    require_found,
    require_member,
    require_secretary_or_admin,
)
from handlers.pledges import views
from storage import pledge_rules
from storage import pledges as store
from storage.members import Member, Role
from storage.pledges import BadLength, PledgeRow, PledgeStatus

FLOW = "pledge"
# Conversation states (JSON strings: they are persisted).
CHOOSE_DRAFT = "pledge.choose"
ASK_PERIOD = "pledge.period"
ASK_CATEGORY = "pledge.category"
ASK_TEXT = "pledge.text"
ASK_MEASURES = "pledge.measures"
ASK_DATE = "pledge.date"
ASK_POST = "pledge.post"
PREVIEW = "pledge.preview"
EDIT_MENU = "pledge.edit"
ASK_NOTE = "pledge.note"
ASK_PROGRESS = "pledge.progress"
ASK_PROGRESS_TEXT = "pledge.progress_text"
ASK_SUMMARY = "pledge.summary"
ASK_SELF = "pledge.self"
CHOOSE_RATING = "pledge.rating"
ASK_COMMENT = "pledge.comment"
ASK_NOTICE = "pledge.notice"


def pledge_id_in_flow(context: XContext) -> int:
    value = flow_data(context, FLOW).get("pid")
    if not isinstance(value, int):
        raise NotFound()
    return value


def max_open(context: XContext) -> int:
    return context.config.max_open_pledges


# ------------------------------------------------------------------ loading with guards


async def load(context: XContext, pledge_id: int) -> PledgeRow:
    return await require_found(context, store.get_row, pledge_id)


async def own_pledge(context: XContext, pledge_id: int) -> tuple[Member, PledgeRow]:
    """A pledge the acting member made: only its owner adds to it or withdraws it."""
    actor = require_branch_person(context)
    row = await load(context, pledge_id)
    require_branch_access(actor, row.branch_id)
    if row.member_id != actor.id:
        raise NotAllowed()
    return actor, row


async def reviewable_pledge(context: XContext, pledge_id: int) -> tuple[Member, PledgeRow]:
    """A pledge the actor may review or evaluate: their branch's secretary, or an admin,
    but never the pledge's own maker (a secretary's pledge goes to another reviewer)."""
    actor = require_secretary_or_admin(context)
    row = await load(context, pledge_id)
    require_branch_access(actor, row.branch_id)
    if not pledge_rules.may_review(actor, row):
        raise NotAllowed()
    return actor, row


async def viewable_pledge(context: XContext, pledge_id: int) -> tuple[Member, PledgeRow]:
    """A pledge the actor may read: a member their own; anyone else (a secretary, an
    admin, an inspector) one of the branches ``visible_to`` gives them."""
    actor = require_member(context)
    row = await load(context, pledge_id)
    if actor.role is Role.MEMBER:
        require_branch_access(actor, row.branch_id)
        if row.member_id != actor.id:
            raise NotAllowed()
    else:
        await branch_picker.require_visible(context, actor, row.branch_id)
    return actor, row


def not_now(context: XContext, status: PledgeStatus) -> Refusal:
    """This action does not fit the pledge's status (it moved on since the button was sent)."""
    return Refusal("pledge.not_now", status=views.status_name(context.t, status))


def already_reviewed(context: XContext, status: PledgeStatus) -> Refusal:
    return Refusal("pledge.already_reviewed", status=views.status_name(context.t, status))


def bad_length_text(context: XContext, exc: BadLength) -> str:
    """What to say about a text too short or too long for its field."""
    return context.t("pledge.bad_length", length=exc.length, low=exc.low, high=exc.high)


# ------------------------------------------------------------------ answering


def guarded(step: Step) -> Step:
    """A flow entry whose refusals are answered here, not by the error handler.

    Answered here, the update stops with the conversation and its state stays right: a
    refused entry leaves an active flow where it was (None keeps its state) and starts
    none (END, so PTB schedules no timeout for a conversation that does not exist).
    """
    return _answering_refusals(step, entry=True)


def guarded_step(step: Step) -> Step:
    """A step inside the flow: a refusal there means the flow cannot go on, so it ends."""
    return _answering_refusals(step, entry=False)


def _answering_refusals(step: Step, *, entry: bool) -> Step:
    @functools.wraps(step)
    async def run(update: Update, context: XContext) -> object:
        try:
            return await step(update, context)
        except Refusal as refusal:
            await answer_refusal(update, context, refusal)
            return None if entry and flow_active(context, FLOW) else END

    return run
