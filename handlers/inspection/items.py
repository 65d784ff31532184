"""Rectification items after the comment: the secretary answers each (text, optional
photo), the inspection group accepts or reopens it with a reason; /rectify lists them.

Who may do what is decided here from the database: the branch's secretary answers, an
inspector of the group that raised the item (still assigned the branch) judges it,
admins and the branch's inspectors read it.
"""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import InlineKeyboardMarkup, Update

from handlers.common import delivery
from handlers.common.context import XContext
from handlers.common.errors import (
    NotAllowed,
    NotFound,
    OtherBranch,
    Refusal,
    answer_refusal,
    refused_as,
)
from handlers.common.flows import END, cancel_button, enter_flow, flow_data
from handlers.common.guards import (
    parse_callback,
    require_found,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.i18n import Translator
from handlers.common.reply import ack, answering, remove_buttons, reply, reply_photo, say
from handlers.common.typed import typed_text
from handlers.common.views import cancel_only
from handlers.inspection import views
from handlers.inspection.overview import NotAssigned, require_inspected, require_inspector
from handlers.inspection.views import FLOW
from storage import branches, inspection, members, rectification
from storage.members import Member, Role
from storage.rectification import ItemRow, ItemStatus, RectificationProblem

ANSWER = "inspect.answer"
PHOTO = "inspect.photo"
REASON = "inspect.reason"
# The bounds of each typed text, by what it is; one outside them is told as
# ``insp.problem.<what>_length``.
LENGTHS = {
    "comment": (rectification.COMMENT_MIN, rectification.COMMENT_MAX),
    "item": (rectification.ITEM_MIN, rectification.ITEM_MAX),
    "answer": (rectification.ANSWER_MIN, rectification.ANSWER_MAX),
    "reason": (rectification.REASON_MIN, rectification.REASON_MAX),
}


# --------------------------------------------------------------------------- lists


async def rectify_command(update: Update, context: XContext) -> None:
    """/rectify: the items not yet accepted that this person may see."""
    require_private(update)
    person = require_member(context)
    if person.role is Role.MEMBER:
        raise NotAllowed()
    async with context.db.read() as conn:
        seen = [b.id for b in await branches.visible_to(conn, person)]
        rows = await rectification.for_branches(conn, seen)
    await reply(update, context, *views.item_list(context.t, rows, context.today()))


async def branch_items(update: Update, context: XContext) -> None:
    """[📋 items] under an assigned branch: all its items, accepted ones too."""
    require_private(update)
    inspector = require_inspector(context)
    branch = await require_inspected(context, inspector, parse_callback(update).int_arg(0))
    async with context.db.read() as conn:
        rows = await rectification.for_branches(conn, [branch.id], unfinished_only=False)
    await say(
        update, context, *views.item_list(context.t, rows, context.today(), branch=branch.name)
    )


async def open_item(update: Update, context: XContext) -> None:
    """[An item]: its state and history, its photo, and what this person may do now."""
    require_private(update)
    person = require_member(context)
    row = await require_found(context, rectification.get, parse_callback(update).int_arg(0))
    await _require_reader(context, person, row)
    can_judge = await _may_judge(context, person, row)
    await ack(update)
    if row.answer_photo:
        caption = context.t("insp.item.photo_caption", text=row.text[:200])
        await reply_photo(update, context, row.answer_photo, caption)
    screen = views.item_screen(
        context.t,
        row,
        context.config.zone,
        context.today(),
        can_answer=_may_answer(person, row),
        can_judge=can_judge,
    )
    await reply(update, context, *screen)


# --------------------------------------------------------------------------- answering


async def answer_start(update: Update, context: XContext) -> object:
    """[✍️ answer]: the secretary says what was done."""
    require_private(update)
    secretary = require_secretary(context)
    row = await require_found(context, rectification.get, parse_callback(update).int_arg(0))
    if row.branch_id != secretary.branch_id:
        raise OtherBranch()
    _check(row, ItemStatus.DONE)
    enter_flow(context, FLOW, item=row.id)
    text = context.t("insp.answer.ask", text=row.text, deadline=row.deadline.isoformat())
    await say(update, context, text, cancel_only(context.t))
    return ANSWER


async def answer_typed(update: Update, context: XContext) -> object:
    if not await typed_kept(update, context, "answer", "answer"):
        return ANSWER
    markup = InlineKeyboardMarkup(
        [[views.button(context.t.plain("insp.btn.no_photo"), "np")], [cancel_button(context.t)]]
    )
    await reply(update, context, context.t("insp.answer.ask_photo"), markup)
    return PHOTO


photo_expected = answering("insp.answer.photo_expected", PHOTO)


async def save_answer(update: Update, context: XContext, photo: str | None) -> object:
    """The answer with its photo (None: [Submit without a photo], or a typed skip word)."""
    try:
        return await _answer_item(update, context, photo)
    except Refusal as refusal:
        # The item moved on (or went) while the answer was typed: say so, and end.
        await answer_refusal(update, context, refusal)
        return END


async def _answer_item(update: Update, context: XContext, photo: str | None) -> object:
    secretary = require_secretary(context)
    data = flow_data(context, FLOW)
    now = context.now()
    async with context.db.transaction() as tx:
        row = await rectification.get(tx, int(data["item"]))
        if row is None:
            raise NotFound()
        if row.branch_id != secretary.branch_id:
            raise OtherBranch()
        await _moved(
            rectification.answer(
                tx, row, text=str(data["answer"]), photo=photo, actor_id=secretary.id, now=now
            )
        )

        def told(t: Translator) -> views.Screen:
            text = t(
                "insp.answer.told",
                branch=row.branch_name,
                text=row.text,
                answer=str(data["answer"]),
                photo=t("insp.answer.with_photo") if photo else "",
            )
            open_button = views.button(t.plain("insp.btn.open_item"), "it", row.id)
            return text, InlineKeyboardMarkup([[open_button]])

        # The group that raised the item judges it.
        judges = await inspection.inspectors(tx, row.group_id)
        await delivery.tell(tx, context, judges, "inspection.answered", told, urgent=True)
    delivery.wake(context)
    await reply(update, context, context.t("insp.answer.saved"))
    return END


# --------------------------------------------------------------------------- judging


async def accept(update: Update, context: XContext) -> None:
    """[✅ accept]: done; the secretaries hear it."""
    inspector, row = await _judged(update, context, ItemStatus.ACCEPTED)
    async with context.db.transaction() as tx:
        await _moved(rectification.accept(tx, row, actor_id=inspector.id, now=context.now()))

        def told(t: Translator) -> str:
            return t("insp.accept.told", text=row.text)

        secretaries = await members.secretaries(tx, row.branch_id)
        await delivery.tell(tx, context, secretaries, "inspection.accepted", told, urgent=True)
    delivery.wake(context)
    await ack(update)
    await remove_buttons(update)
    await reply(update, context, context.t("insp.accept.done", text=row.text))


async def reopen_start(update: Update, context: XContext) -> object:
    """[↩️ reopen]: why?"""
    _, row = await _judged(update, context, ItemStatus.OPEN)
    enter_flow(context, FLOW, item=row.id)
    await say(update, context, context.t("insp.reopen.ask"), cancel_only(context.t))
    return REASON


async def reason_typed(update: Update, context: XContext) -> object:
    inspector = require_inspector(context)
    reason = await typed_within(update, context, "reason")
    if reason is None:
        return REASON
    try:
        return await _reopen(update, context, inspector, reason)
    except Refusal as refusal:
        await answer_refusal(update, context, refusal)
        return END


async def _reopen(update: Update, context: XContext, inspector: Member, reason: str) -> object:
    row = await require_found(context, rectification.get, int(flow_data(context, FLOW)["item"]))
    await _require_judge(context, inspector, row)
    async with context.db.transaction() as tx:
        await _moved(
            rectification.reopen(tx, row, reason=reason, actor_id=inspector.id, now=context.now())
        )

        def told(t: Translator) -> views.Screen:
            text = t(
                "insp.reopen.told",
                text=row.text,
                reason=reason,
                deadline=row.deadline.isoformat(),
            )
            again = views.button(t.plain("insp.btn.answer_again"), "ans", row.id)
            return text, InlineKeyboardMarkup([[again]])

        secretaries = await members.secretaries(tx, row.branch_id)
        await delivery.tell(tx, context, secretaries, "inspection.reopened", told, urgent=True)
    delivery.wake(context)
    await reply(update, context, context.t("insp.reopen.done", text=row.text))
    return END


# --------------------------------------------------------------------------- access


async def _moved(move: Awaitable[object]) -> None:
    """A storage move of an item; its refusal is told as ``insp.problem.<code>``."""
    await refused_as("insp.problem", RectificationProblem, move)


def _check(row: ItemRow, target: ItemStatus) -> None:
    """The item can still make this move (a button may be older than the item's state)."""
    try:
        row.check_move(target)
    except RectificationProblem as problem:
        raise Refusal(f"insp.problem.{problem.code}") from problem


def _may_answer(person: Member, row: ItemRow) -> bool:
    return person.role is Role.SECRETARY and person.branch_id == row.branch_id


async def _require_reader(context: XContext, person: Member, row: ItemRow) -> None:
    """Admins, the branch's secretary, and inspectors the branch is assigned to."""
    if person.role is Role.ADMIN or _may_answer(person, row):
        return
    if person.role is Role.INSPECTOR:
        await require_inspected(context, person, row.branch_id)
        return
    if person.role is Role.SECRETARY:
        raise OtherBranch()
    raise NotAllowed()


async def _may_judge(context: XContext, person: Member, row: ItemRow) -> bool:
    if person.role is not Role.INSPECTOR:
        return False
    try:
        await _require_judge(context, person, row)
    except Refusal:
        return False
    return True


async def _judged(update: Update, context: XContext, target: ItemStatus) -> tuple[Member, ItemRow]:
    """The pressed item, for an inspector of the group that raised it, while it can still
    move to ``target``."""
    require_private(update)
    inspector = require_inspector(context)
    row = await require_found(context, rectification.get, parse_callback(update).int_arg(0))
    await _require_judge(context, inspector, row)
    _check(row, target)
    return inspector, row


async def _require_judge(context: XContext, inspector: Member, row: ItemRow) -> None:
    """An inspector of the group that raised the item, still assigned its branch."""
    async with context.db.read() as conn:
        group = await inspection.group_of(conn, inspector.id)
        assigned = await inspection.inspects(conn, inspector.id, row.branch_id)
    if not assigned:
        raise NotAssigned()
    if group is None or group.id != row.group_id:
        raise Refusal("insp.problem.not_your_group")


async def typed_within(update: Update, context: XContext, what: str) -> str | None:
    """The typed text, tidied and within the bounds of ``what`` (``LENGTHS``); None once
    the person has been told what is wrong (they type again at the same step)."""
    low, high = LENGTHS[what]
    try:
        return rectification.clean_text(typed_text(update), low, high, f"{what}_length")
    except RectificationProblem as problem:
        await reply(update, context, context.t(f"insp.problem.{problem.code}"))
        return None


async def typed_kept(update: Update, context: XContext, what: str, key: str) -> bool:
    """The typed text, as ``typed_within``, kept in the flow's data under ``key``; False
    once the person has been told what is wrong."""
    text = await typed_within(update, context, what)
    if text is None:
        return False
    flow_data(context, FLOW)[key] = text
    return True
