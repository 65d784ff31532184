"""Who a meeting expects: the branch's party groups (党小组), whose members a 党小组会
expects, and per meeting the expected people and who of them has a vote (the quorum
counts those)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from handlers.common import delivery, reply
from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.errors import Refusal
from handlers.common.flows import END, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_found,
    require_secretary,
)
from handlers.common.reply import remove_buttons
from handlers.common.views import cancel_only
from handlers.meetings import views
from handlers.meetings.common import (
    finish,
    say,
    start,
    typed,
)
from handlers.meetings.record import (
    again,
    back_to_card,
    member_pressed,
    own_meeting,
    refusals,
    text_expected,
)
from storage import branches, meetings, party_groups
from storage.meetings import MeetingStatus
from storage.members import Secretary
from storage.party_groups import PartyGroup

GROUP_NAME = "mt.group_name"


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return presses(
        "mt",
        grp=groups_pressed,
        gnew=new_group_pressed,
        g=group_pressed,
        gt=group_member_pressed,
        gdel=remove_group_pressed,
        gdelok=remove_group_confirmed,
        exp=expected_pressed,
        ev=expected_toggled,
        evok=expected_done,
    )


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {GROUP_NAME: step_handlers("mt", group_name_typed, text_expected)}


# --------------------------------------------------------------------------- party groups


async def groups_pressed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    finish(context)
    await remove_buttons(update)
    await _show_groups(update, context, secretary)
    return END


async def new_group_pressed(update: Update, context: XContext) -> object:
    require_secretary(context)
    start(context, "group")
    await remove_buttons(update)
    await say(update, context, context.t("mt.ask.group_name"), cancel_only(context.t))
    return GROUP_NAME


async def group_name_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    try:
        with refusals():
            async with context.db.transaction() as tx:
                group = await party_groups.create(
                    tx, branch_id=secretary.branch_id, name=typed(update),
                    actor_id=secretary.id, now=context.now(),
                )  # fmt: skip
    except Refusal as refusal:
        return await again(update, context, refusal, GROUP_NAME)
    finish(context)
    await _show_group(update, context, group)
    return END


async def group_pressed(update: Update, context: XContext) -> object:
    _, group = await _own_group(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    await remove_buttons(update)
    await _show_group(update, context, group)
    return END


async def group_member_pressed(update: Update, context: XContext) -> object:
    """A tap puts the member in this group (out of any other), or takes them out of it."""
    secretary, group, member_id = await member_pressed(update, context, _own_group)
    with refusals():
        async with context.db.transaction() as tx:
            assigned = await party_groups.assignments(tx, group.branch_id)
            await party_groups.set_member(
                tx, group, member_id, assigned.get(member_id) != group.id,
                actor_id=secretary.id, now=context.now(),
            )  # fmt: skip
    text, markup = await _group_screen(context, group)
    await reply.ack(update)
    await reply.replace(update, context, text, markup)
    return None


async def remove_group_pressed(update: Update, context: XContext) -> object:
    """Removing a group is asked once more: its members would be in no group."""
    _, group = await _own_group(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    async with context.db.read() as conn:
        count = len(await party_groups.member_ids(conn, group.id))
    await remove_buttons(update)
    await say(update, context, *views.group_remove_confirm(context.t, group, count))
    return END


async def remove_group_confirmed(update: Update, context: XContext) -> object:
    secretary, group = await _own_group(context, parse_callback(update, "mt").int_arg(0))
    async with context.db.transaction() as tx:
        await party_groups.remove(tx, group, actor_id=secretary.id, now=context.now())
    finish(context)
    await remove_buttons(update)
    await say(update, context, context.t("mt.group.removed", name=group.name))
    await _show_groups(update, context, secretary)
    return END


async def _own_group(context: XContext, group_id: int) -> tuple[Secretary, PartyGroup]:
    secretary = require_secretary(context)
    group = await require_found(context, party_groups.get, group_id)
    require_branch_access(secretary, group.branch_id)
    return secretary, group


async def _show_groups(update: Update, context: XContext, secretary: Secretary) -> None:
    async with context.db.read() as conn:
        branch = await branches.get(conn, secretary.branch_id)
        groups = await party_groups.for_branch(conn, secretary.branch_id)
        roster = await meetings.branch_members(conn, secretary.branch_id)
        assigned = await party_groups.assignments(conn, secretary.branch_id)
    name = branch.name if branch else ""
    text, markup = views.groups(context.t, name, groups, roster, assigned)
    await say(update, context, text, markup)


async def _show_group(update: Update, context: XContext, group: PartyGroup) -> None:
    text, markup = await _group_screen(context, group)
    await say(update, context, text, markup)


async def _group_screen(context: XContext, group: PartyGroup) -> views.Screen:
    async with context.db.read() as conn:
        roster = await meetings.branch_members(conn, group.branch_id)
        assigned = await party_groups.assignments(conn, group.branch_id)
    return views.group(context.t, group, roster, assigned)


# --------------------------------------------------------------------------- expected, votes


async def expected_pressed(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    if not meeting.editable:
        raise Refusal("mt.locked")
    finish(context)
    await say(update, context, *await _expected_screen(context, meeting.id, meeting.branch_id))
    return END


async def expected_toggled(update: Update, context: XContext) -> object:
    """✅ expected with a vote → 🔸 expected without one → ⬜ not expected → ✅. Someone
    newly expected at an announced meeting is sent its notice."""
    secretary, meeting, member_id = await member_pressed(update, context, own_meeting)
    with refusals():
        async with context.db.transaction() as tx:
            expected = await meetings.attendees(tx, meeting.id)
            found = next((a for a in expected if a.member_id == member_id), None)
            now = context.now()
            if found is None:
                ids = [a.member_id for a in expected] + [member_id]
                await meetings.set_expected(tx, meeting, ids, actor_id=secretary.id, now=now)
                # The tap's order is ✅ first, whatever an earlier meeting recorded.
                await meetings.set_voting(
                    tx, meeting, member_id, True, actor_id=secretary.id, now=now
                )
                if meeting.status is MeetingStatus.ANNOUNCED and member_id != secretary.id:
                    await _announce_to(tx, context, meeting, member_id)
            elif found.voting:
                await meetings.set_voting(
                    tx, meeting, member_id, False, actor_id=secretary.id, now=now
                )
            else:
                ids = [a.member_id for a in expected if a.member_id != member_id]
                await meetings.set_expected(tx, meeting, ids, actor_id=secretary.id, now=now)
    delivery.wake(context)
    text, markup = await _expected_screen(context, meeting.id, meeting.branch_id)
    await reply.ack(update)
    await reply.replace(update, context, text, markup)
    return None


async def expected_done(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    return await back_to_card(update, context, meeting.id, pressed=True)


async def _expected_screen(context: XContext, meeting_id: int, branch_id: int) -> views.Screen:
    async with context.db.read() as conn:
        record = await meetings.get_record(conn, meeting_id)
        roster = await meetings.branch_members(conn, branch_id)
    assert record is not None
    return views.expected(context.t, record, roster)


async def _announce_to(
    tx: Any, context: XContext, meeting: meetings.Meeting, member_id: int
) -> None:
    person = next(
        (p for p in await meetings.branch_members(tx, meeting.branch_id) if p.id == member_id),
        None,
    )
    if person is None:
        return
    branch = await branches.get(tx, meeting.branch_id)
    name = branch.name if branch else ""
    await delivery.tell(
        tx, context, [person], "meeting.announce",
        lambda t: views.announcement(t, meeting, name), key=str(meeting.id),
    )  # fmt: skip
