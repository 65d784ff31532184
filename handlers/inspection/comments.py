"""An inspector's 督查点评 on an assigned branch, with its 整改 items: typed, previewed,
submitted; the branch's secretaries receive it through the outbox."""

from __future__ import annotations

from datetime import date

from telegram import Update

from handlers.common import delivery
from handlers.common.context import XContext
from handlers.common.errors import Refusal
from handlers.common.flows import END, enter_flow, flow_data
from handlers.common.guards import parse_callback, require_private
from handlers.common.i18n import Translator
from handlers.common.reply import answering, edit, remove_buttons, reply, say
from handlers.common.typed import NEAR, typed_date, typed_text
from handlers.common.views import cancel_only
from handlers.inspection import views
from handlers.inspection.items import typed_kept
from handlers.inspection.overview import require_inspected, require_inspector
from handlers.inspection.views import FLOW
from storage import inspection, members, rectification
from storage.rectification import ItemDraft, RectificationProblem

COMMENT = "inspect.comment"
PREVIEW = "inspect.preview"
ITEM_TEXT = "inspect.item_text"
ITEM_DEADLINE = "inspect.item_deadline"


async def start(update: Update, context: XContext) -> object:
    """[✍️ write a comment] under an assigned branch."""
    require_private(update)
    inspector = require_inspector(context)
    branch = await require_inspected(context, inspector, parse_callback(update).int_arg(0))
    enter_flow(context, FLOW, branch=branch.id, branch_name=branch.name, items=[])
    await say(
        update, context, context.t("insp.comment.ask", branch=branch.name), cancel_only(context.t)
    )
    return COMMENT


async def comment_typed(update: Update, context: XContext) -> object:
    if not await typed_kept(update, context, "comment", "text"):
        return COMMENT
    return await _preview(update, context)


async def add_item(update: Update, context: XContext) -> object:
    """[➕ add an item]: what must be fixed."""
    data = flow_data(context, FLOW)
    if len(data.get("items", [])) >= rectification.MAX_ITEMS:
        await say(update, context, context.t("insp.problem.too_many_items"))
        return PREVIEW
    await remove_buttons(update)
    n = len(data.get("items", [])) + 1
    await say(update, context, context.t("insp.item.ask_text", n=n), cancel_only(context.t))
    return ITEM_TEXT


async def item_text_typed(update: Update, context: XContext) -> object:
    if not await typed_kept(update, context, "item", "item_text"):
        return ITEM_TEXT
    await reply(update, context, context.t("insp.item.ask_deadline"), cancel_only(context.t))
    return ITEM_DEADLINE


async def deadline_typed(update: Update, context: XContext) -> object:
    today = context.today()
    # NEAR: a date typed without its year is the nearest one, so a day just gone is seen
    # as past (and refused) rather than silently moved to next year.
    day = typed_date(typed_text(update), today, NEAR)
    if day is None:
        await reply(update, context, context.t("insp.problem.bad_date"))
        return ITEM_DEADLINE
    data = flow_data(context, FLOW)
    try:
        item = rectification.draft_item(str(data.get("item_text", "")), day, today=today)
    except RectificationProblem as problem:
        await reply(
            update, context, context.t(f"insp.problem.{problem.code}", today=today.isoformat())
        )
        return ITEM_TEXT if problem.code == "item_length" else ITEM_DEADLINE
    data.setdefault("items", []).append({"text": item.text, "deadline": item.deadline.isoformat()})
    data.pop("item_text", None)
    return await _preview(update, context)


use_buttons = answering("insp.use_buttons", PREVIEW)


async def submit(update: Update, context: XContext) -> object:
    """[✅ submit]: saved, and the secretaries told; the preview loses its buttons."""
    require_private(update)
    inspector = require_inspector(context)
    data = flow_data(context, FLOW)
    branch = await require_inspected(context, inspector, int(data["branch"]))
    drafts = [
        ItemDraft(str(item["text"]), date.fromisoformat(str(item["deadline"])))
        for item in data.get("items", [])
    ]
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            group = await inspection.group_of(tx, inspector.id)
            if group is None:
                raise Refusal("insp.not_assigned")
            comment, made = await rectification.add_comment(
                tx,
                branch_id=branch.id,
                group_id=group.id,
                author_id=inspector.id,
                text=str(data["text"]),
                items=drafts,
                today=context.today(),
                now=now,
            )

            def told(t: Translator) -> views.Screen:
                return views.comment_told(
                    t, comment, made, branch=branch.name, group=group.name, author=inspector.name
                )

            secretaries = await members.secretaries(tx, branch.id)
            await delivery.tell(tx, context, secretaries, "inspection.comment", told)
    except RectificationProblem as problem:
        # A deadline passed while the comment was being written: say so, keep the draft.
        await say(update, context, context.t(f"insp.problem.{problem.code}",
                                             today=context.today().isoformat()))  # fmt: skip
        data["items"] = [
            i for i in data.get("items", []) if i["deadline"] > context.today().isoformat()
        ]
        return await _preview(update, context)
    delivery.wake(context)
    await remove_buttons(update)
    await say(update, context, context.t("insp.comment.saved", branch=branch.name, count=len(made)))
    return END


async def _preview(update: Update, context: XContext) -> object:
    data = flow_data(context, FLOW)
    text, markup = views.comment_preview(
        context.t,
        str(data.get("branch_name", "")),
        str(data.get("text", "")),
        data.get("items", []),
    )
    if update.callback_query is not None:
        await edit(update, text, markup)
    else:
        await reply(update, context, text, markup)
    return PREVIEW
