"""The secretary's side of a pledge: approve (which publishes it), return with a note, and
evaluate (评诺) once it is fulfilled or its target date has come.

Only the secretary of the pledge's branch, or an admin, may do these; a second press on a
pledge already reviewed says so and changes nothing.
"""

from __future__ import annotations

import aiosqlite
from telegram import InlineKeyboardMarkup, Update

from handlers.common import delivery
from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.delivery import Render
from handlers.common.errors import Refusal, StaleButton
from handlers.common.flows import (
    END,
    Handlers,
    clear_flow,
    enter_flow,
    flow_data,
    step_handlers,
)
from handlers.common.guards import parse_callback
from handlers.common.i18n import Translator
from handlers.common.reply import ack, edit, edit_earlier, remove_buttons, reply
from handlers.common.typed import choose, is_skip, typed_text
from handlers.pledges import notice, views
from handlers.pledges.access import (
    ASK_COMMENT,
    ASK_NOTE,
    CHOOSE_RATING,
    FLOW,
    Step,
    already_reviewed,
    bad_length_text,
    guarded,
    guarded_step,
    load,
    not_now,
    pledge_id_in_flow,
    reviewable_pledge,
)
from handlers.pledges.views import PREFIX
from storage import members, pledge_rules
from storage import pledges as store
from storage.pledges import (
    BadLength,
    IllegalTransition,
    PledgeChanged,
    PledgeRow,
    PledgeStatus,
    Rating,
)


def entry_points() -> Handlers:
    return presses(PREFIX, ret=guarded(ask_return_note), ev=guarded(ask_rating))


def states() -> dict[object, Handlers]:
    return {
        ASK_NOTE: step_handlers(
            PREFIX, guarded_step(receive_note), _again(ASK_NOTE, "input.text_expected")
        ),
        CHOOSE_RATING: step_handlers(
            PREFIX,
            guarded_step(rating_typed),
            _again(CHOOSE_RATING, "input.use_buttons"),
            rate=guarded_step(rating_pressed),
        ),
        ASK_COMMENT: step_handlers(
            PREFIX,
            guarded_step(receive_comment),
            _again(ASK_COMMENT, "input.text_expected"),
            skipc=guarded_step(skip_comment),
        ),
    }


def plain_handlers() -> Handlers:
    return presses(PREFIX, ok=approve, rate=rate_outside_flow)


async def ask_reviewers(tx: aiosqlite.Connection, context: XContext, pledge_id: int) -> None:
    """A pledge is being submitted (in ``tx``): its reviewers get it with [Approve] [Return]."""
    row = await store.get_row(tx, pledge_id)
    assert row is not None
    await delivery.tell(
        tx,
        context,
        await pledge_rules.reviewers(tx, row),
        "pledge.review",
        lambda t: views.review_request(t, row),
    )


async def _tell_owner(
    tx: aiosqlite.Connection, context: XContext, row: PledgeRow, kind: str, render: Render
) -> None:
    """The pledge's maker hears the decision at once (urgent): they are waiting for it."""
    owner = await members.get(tx, row.member_id)
    if owner is None or not owner.active:
        return
    await delivery.tell(tx, context, [owner], kind, render, urgent=True)


# ------------------------------------------------------------------ approve


async def approve(update: Update, context: XContext) -> None:
    """[Approve]: the pledge is published, posted to the notice chat, the member told."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    actor, row = await reviewable_pledge(context, pledge_id)
    if row.status is not PledgeStatus.SUBMITTED:
        raise already_reviewed(context, row.status)

    def told(t: Translator) -> views.Screen:
        return t("pledge.review.approved_member", text=row.text), views.open_button(t, row.id)

    try:
        async with context.db.transaction() as tx:
            await store.approve(tx, row, actor_id=actor.id, now=context.now())
            approved = await store.get_row(tx, pledge_id)
            assert approved is not None
            await notice.publish(tx, context, approved)
            await _tell_owner(tx, context, approved, "pledge.approved", told)
    except (PledgeChanged, IllegalTransition) as exc:
        current = await load(context, pledge_id)
        raise already_reviewed(context, current.status) from exc
    delivery.wake(context)
    await ack(update, context.t("pledge.review.approved_ack"))
    await _show_reviewed(update, context, approved, actor.name)


async def _show_reviewed(update: Update, context: XContext, row: PledgeRow, by: str) -> None:
    """Turn the pressed review request into a record of the decision, without buttons."""
    if not await edit(update, views.reviewed(context.t, row, by=by)):
        await remove_buttons(update)  # e.g. a photo message: at least stop a second press


async def _record_on_request(
    update: Update, context: XContext, message_id: int, row: PledgeRow, by: str
) -> None:
    """The review request pressed earlier (by its id) becomes the record of the decision."""
    await edit_earlier(update, context, message_id, views.reviewed(context.t, row, by=by))


# ------------------------------------------------------------------ return with a note


async def ask_return_note(update: Update, context: XContext) -> object:
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    _, row = await reviewable_pledge(context, pledge_id)
    if row.status is not PledgeStatus.SUBMITTED:
        raise already_reviewed(context, row.status)
    await ack(update)
    query = update.callback_query
    pressed = query.message.message_id if query is not None and query.message else None
    # The pressed request is turned into a record of the decision once the note is in.
    enter_flow(context, FLOW, pid=row.id, request=pressed)
    await reply(update, context, *views.ask_note(context.t, row))
    return ASK_NOTE


async def receive_note(update: Update, context: XContext) -> object:
    actor, row = await reviewable_pledge(context, pledge_id_in_flow(context))
    try:
        note = store.checked_text(typed_text(update), store.NOTE_MIN, store.NOTE_MAX)
    except BadLength as exc:
        text = bad_length_text(context, exc)
        await reply(update, context, text)
        await reply(update, context, *views.ask_note(context.t, row))
        return ASK_NOTE

    def told(t: Translator) -> views.Screen:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    views.button(t("pledge.button.edit"), "cont", row.id),
                    views.button(t("pledge.button.withdraw"), "wd", row.id),
                ]
            ]
        )
        return t("pledge.review.returned_member", note=note, text=row.text), keyboard

    try:
        async with context.db.transaction() as tx:
            await store.return_to_member(tx, row, actor_id=actor.id, note=note, now=context.now())
            await _tell_owner(tx, context, row, "pledge.returned", told)
    except (PledgeChanged, IllegalTransition) as exc:
        current = await load(context, row.id)
        raise already_reviewed(context, current.status) from exc
    delivery.wake(context)
    request = flow_data(context, FLOW).get("request")
    clear_flow(context, FLOW)
    if isinstance(request, int):
        await _record_on_request(update, context, request, await load(context, row.id), actor.name)
    await reply(update, context, context.t("pledge.review.returned", name=row.owner_name))
    return END


# ------------------------------------------------------------------ evaluate


async def ask_rating(update: Update, context: XContext) -> object:
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    _, row = await reviewable_pledge(context, pledge_id)
    if row.status is PledgeStatus.EVALUATED:
        raise already_reviewed(context, row.status)
    if not row.evaluable(context.today()):
        if row.status is PledgeStatus.PUBLISHED and row.target_date is not None:
            raise _too_early(row)
        raise not_now(context, row.status)
    await ack(update)
    enter_flow(context, FLOW, pid=row.id)
    await reply(update, context, *await _rating_screen(context, row))
    return CHOOSE_RATING


async def rating_pressed(update: Update, context: XContext) -> object:
    callback = parse_callback(update, PREFIX)
    pledge_id = callback.int_arg(0)
    rating = callback.enum_arg(Rating, 1)
    await reviewable_pledge(context, pledge_id)
    await ack(update)
    await remove_buttons(update)
    flow_data(context, FLOW)["pid"] = pledge_id
    return await _rated(update, context, rating)


async def rating_typed(update: Update, context: XContext) -> object:
    zh, en = Translator("zh"), Translator("en")
    options = [
        (r.value, (zh(f"pledge.rating.{r.value}"), en(f"pledge.rating.{r.value}"))) for r in Rating
    ]
    chosen = choose(typed_text(update), options)
    if chosen is None:
        await reply(update, context, context.t("input.use_buttons"))
        row = await load(context, pledge_id_in_flow(context))
        await reply(update, context, *await _rating_screen(context, row))
        return CHOOSE_RATING
    return await _rated(update, context, Rating(chosen))


async def _rated(update: Update, context: XContext, rating: Rating) -> object:
    flow_data(context, FLOW)["rating"] = rating.value
    await reply(update, context, *views.ask_comment(context.t, rating))
    return ASK_COMMENT


async def receive_comment(update: Update, context: XContext) -> object:
    text = typed_text(update).strip()
    if is_skip(text):  # typed instead of [Skip]
        return await _evaluate(update, context, None)
    if len(text) > store.COMMENT_MAX:
        message = context.t("pledge.bad_length", length=len(text), low=1, high=store.COMMENT_MAX)
        await reply(update, context, message)
        await reply(update, context, *views.ask_comment(context.t, _rating_in_flow(context)))
        return ASK_COMMENT
    return await _evaluate(update, context, text)


async def skip_comment(update: Update, context: XContext) -> object:
    await ack(update)
    await remove_buttons(update)
    return await _evaluate(update, context, None)


async def _evaluate(update: Update, context: XContext, comment: str | None) -> object:
    actor, row = await reviewable_pledge(context, pledge_id_in_flow(context))
    rating = _rating_in_flow(context)

    def told(t: Translator) -> views.Screen:
        text = t("pledge.evaluate.member", rating=views.rating_name(t, rating), text=row.text)
        if comment:
            text += "\n" + t("pledge.detail.comment", text=comment)
        return text, views.open_button(t, row.id)

    try:
        async with context.db.transaction() as tx:
            await store.evaluate(
                tx,
                row,
                actor_id=actor.id,
                rating=rating,
                comment=comment,
                today=context.today(),
                now=context.now(),
            )
            await notice.refresh(tx, context, row.id)
            await _tell_owner(tx, context, row, "pledge.evaluated", told)
    except (PledgeChanged, IllegalTransition) as exc:
        current = await load(context, row.id)
        raise already_reviewed(context, current.status) from exc
    delivery.wake(context)
    clear_flow(context, FLOW)
    t = context.t
    await reply(
        update,
        context,
        t("pledge.evaluate.done", name=row.owner_name, rating=views.rating_name(t, rating)),
    )
    return END


async def rate_outside_flow(update: Update, context: XContext) -> None:
    """A rating button pressed after its evaluation ended (a double press, or a restart)."""
    callback = parse_callback(update, PREFIX)
    _, row = await reviewable_pledge(context, callback.int_arg(0))
    if row.status is PledgeStatus.EVALUATED:
        raise already_reviewed(context, row.status)
    raise StaleButton()


async def _rating_screen(context: XContext, row: PledgeRow) -> views.Screen:
    async with context.db.read() as conn:
        progress = await store.updates(conn, row.id)
    return views.ask_rating(context.t, row, progress, context.config.zone)


def _too_early(row: PledgeRow) -> Refusal:
    assert row.target_date is not None
    return Refusal("pledge.evaluate.too_early", date=row.target_date.isoformat())


def _rating_in_flow(context: XContext) -> Rating:
    try:
        return Rating(str(flow_data(context, FLOW).get("rating")))
    except ValueError as exc:
        raise StaleButton() from exc


def _again(state: str, key: str) -> Step:
    """Wrong kind of answer (a photo where text is asked ...): say so and ask again."""

    async def wrong(update: Update, context: XContext) -> object:
        await reply(update, context, context.t(key))
        row = await load(context, pledge_id_in_flow(context))
        if state == ASK_NOTE:
            await reply(update, context, *views.ask_note(context.t, row))
        elif state == CHOOSE_RATING:
            await reply(update, context, *await _rating_screen(context, row))
        else:
            await reply(update, context, *views.ask_comment(context.t, _rating_in_flow(context)))
        return state

    return guarded_step(wrong)
