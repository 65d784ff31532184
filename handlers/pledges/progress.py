"""The member's side after publication: progress updates (践诺) with an optional photo,
marking the pledge fulfilled with a summary, a self-assessment, and withdrawing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, BaseHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import presses
from handlers.common.context import XContext
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
from handlers.common.reply import ack, remove_buttons, replace, reply
from handlers.common.services import SERVICES_KEY, Services
from handlers.common.typed import typed_text
from handlers.pledges import notice, views
from handlers.pledges.access import (
    ASK_PROGRESS,
    ASK_PROGRESS_TEXT,
    ASK_SELF,
    ASK_SUMMARY,
    FLOW,
    Step,
    bad_length_text,
    guarded,
    guarded_step,
    load,
    not_now,
    own_pledge,
    pledge_id_in_flow,
)
from handlers.pledges.views import PREFIX
from storage import pledge_rules
from storage import pledges as store
from storage.pledges import BadLength, IllegalTransition, PledgeChanged, PledgeRow, PledgeStatus

PHOTO = filters.PHOTO
S = PledgeStatus
WITHDRAWABLE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.PUBLISHED})
RECENT = "pledge_recent_progress"  # user_data: the last progress step, words only
PHOTO_WINDOW = timedelta(minutes=10)


def entry_points() -> Handlers:
    return presses(
        PREFIX, prog=guarded(ask_progress), ful=guarded(ask_summary), self=guarded(ask_self)
    )


def states() -> dict[object, Handlers]:
    return {
        ASK_PROGRESS: _text_or_photo(ASK_PROGRESS, "pledge.progress.text_or_photo"),
        ASK_PROGRESS_TEXT: _text_or_photo(ASK_PROGRESS_TEXT, "input.text_expected"),
        ASK_SUMMARY: step_handlers(
            PREFIX, guarded_step(receive_summary), _again(ASK_SUMMARY, "input.text_expected")
        ),
        ASK_SELF: step_handlers(
            PREFIX, guarded_step(receive_self), _again(ASK_SELF, "input.text_expected")
        ),
    }


def _text_or_photo(state: str, other: str) -> Handlers:
    """A progress step: its text, or a photo."""
    return [
        MessageHandler(PHOTO, guarded_step(progress_photo)),
        *step_handlers(PREFIX, guarded_step(progress_text), _again(state, other)),
    ]


def photo_after_progress(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> BaseHandler[Any, Any, Any]:
    return _PhotoAfterProgress(app)


def plain_handlers() -> Handlers:
    return presses(PREFIX, wd=withdraw, wdok=withdraw_confirmed, keep=keep)


# ------------------------------------------------------------------ progress (践诺)


async def ask_progress(update: Update, context: XContext) -> object:
    return await _ask(
        update, context, lambda row: row.accepts_progress, views.ask_progress, ASK_PROGRESS
    )


async def _ask(
    update: Update,
    context: XContext,
    accepts: Callable[[PledgeRow], bool],
    view: Callable[[Translator, PledgeRow], views.Screen],
    state: str,
) -> object:
    """Open the step that asks about the member's own pledge (progress, the fulfilment
    summary, the self-assessment), if its status accepts that now."""
    _, row = await own_pledge(context, parse_callback(update, PREFIX).int_arg(0))
    if not accepts(row):
        raise not_now(context, row.status)
    await ack(update)
    enter_flow(context, FLOW, pid=row.id)
    await reply(update, context, *view(context.t, row))
    return state


async def progress_text(update: Update, context: XContext) -> object:
    photo = flow_data(context, FLOW).get("photo")
    return await _save_progress(update, context, typed_text(update), str(photo) if photo else None)


async def progress_photo(update: Update, context: XContext) -> object:
    """A photo as evidence: with a caption it is saved at once, else a few words are asked."""
    message = update.effective_message
    assert message is not None and message.photo
    file_id = message.photo[-1].file_id  # the largest size; Telegram keeps the file
    # Kept first: should the caption be refused, the words typed next go with this photo.
    flow_data(context, FLOW)["photo"] = file_id
    if message.caption:
        return await _save_progress(update, context, message.caption, file_id)
    await reply(update, context, context.t("pledge.progress.ask_caption"))
    return ASK_PROGRESS_TEXT


async def _save_progress(update: Update, context: XContext, text: str, photo: str | None) -> object:
    member, row = await own_pledge(context, pledge_id_in_flow(context))
    state = ASK_PROGRESS_TEXT if photo else ASK_PROGRESS
    try:
        async with context.db.transaction() as tx:
            saved = await store.add_update(
                tx, row, actor_id=member.id, text=text, photo_file_id=photo, now=context.now()
            )
            await notice.refresh(tx, context, row.id)
    except BadLength as exc:
        message = bad_length_text(context, exc)
        await reply(update, context, message)
        if photo:
            await reply(update, context, context.t("pledge.progress.ask_caption"))
        else:
            await reply(update, context, *views.ask_progress(context.t, row))
        return state
    except IllegalTransition as exc:
        raise not_now(context, row.status) from exc
    delivery.wake(context)
    clear_flow(context, FLOW)
    if photo is None and context.user_data is not None:
        # A photo sent in the next minutes belongs to these words (_PhotoAfterProgress).
        context.user_data[RECENT] = {
            "pid": row.id,
            "update": saved.id,
            "at": context.now().isoformat(),
        }
    row = await load(context, row.id)
    keyboard = [[views.button(context.t("pledge.button.progress_more"), "prog", row.id)]]
    if row.status is S.PUBLISHED:
        keyboard[0].append(views.button(context.t("pledge.button.fulfil"), "ful", row.id))
    await reply(
        update,
        context,
        context.t("pledge.progress.saved", count=row.update_count),
        InlineKeyboardMarkup(keyboard),
    )
    return END


# ------------------------------------------------------------------ a photo just after


class _PhotoAfterProgress(MessageHandler[Any, Any]):
    """A photo sent in private within minutes of a progress step (words only) is evidence
    for that pledge; any other photo is left to the catch-all."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        super().__init__(filters.PHOTO & filters.ChatType.PRIVATE, _photo_after_progress)
        self._app = app

    def check_update(self, update: object) -> Any:
        found = super().check_update(update)
        if not found or not isinstance(update, Update) or update.effective_user is None:
            return None
        recent = self._app.user_data.get(update.effective_user.id, {}).get(RECENT)
        if not isinstance(recent, dict):
            return None
        services: Services = self._app.bot_data[SERVICES_KEY]
        at = datetime.fromisoformat(str(recent.get("at")))
        return found if services.clock.now() - at <= PHOTO_WINDOW else None


async def _photo_after_progress(update: Update, context: XContext) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    assert context.user_data is not None  # check_update found it there
    recent = context.user_data[RECENT]
    member, row = await own_pledge(context, int(recent["pid"]))
    photo = message.photo[-1].file_id
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            if message.caption:
                await store.add_update(
                    tx, row, actor_id=member.id, text=message.caption, photo_file_id=photo, now=now
                )
                attached = True
            else:
                attached = await store.attach_photo(
                    tx, row, int(recent["update"]), actor_id=member.id, photo_file_id=photo, now=now
                )
            if attached:
                await notice.refresh(tx, context, row.id)
    except BadLength as exc:
        await reply(update, context, bad_length_text(context, exc))
        return
    except IllegalTransition as exc:
        raise not_now(context, row.status) from exc
    row = await load(context, row.id)
    more = InlineKeyboardMarkup(
        [[views.button(context.t("pledge.button.progress_more"), "prog", row.id)]]
    )
    if not attached:
        await reply(update, context, context.t("pledge.progress.photo_has_one"), more)
        return
    key = "pledge.progress.saved" if message.caption else "pledge.progress.photo_added"
    await reply(update, context, context.t(key, count=row.update_count), more)
    delivery.wake(context)


# ------------------------------------------------------------------ fulfil


async def ask_summary(update: Update, context: XContext) -> object:
    return await _ask(
        update, context, lambda row: row.status is S.PUBLISHED, views.ask_summary, ASK_SUMMARY
    )


async def receive_summary(update: Update, context: XContext) -> object:
    async def save(tx: aiosqlite.Connection, row: PledgeRow, actor_id: int, text: str) -> None:
        await store.fulfil(tx, row, actor_id=actor_id, summary=text, now=context.now())
        await notice.refresh(tx, context, row.id)
        await _tell_reviewers_fulfilled(tx, context, row)

    row = await _save_text(update, context, save, views.ask_summary)
    if row is None:
        return ASK_SUMMARY
    keyboard = InlineKeyboardMarkup(
        [[views.button(context.t("pledge.button.self"), "self", row.id)]]
    )
    await reply(update, context, context.t("pledge.fulfil.done"), keyboard)
    return END


async def _tell_reviewers_fulfilled(
    tx: aiosqlite.Connection, context: XContext, row: PledgeRow
) -> None:
    def build(t: Translator) -> views.Screen:
        text = t("pledge.fulfil.reviewer", name=row.owner_name, text=row.text)
        keyboard = InlineKeyboardMarkup([[views.button(t("pledge.button.evaluate"), "ev", row.id)]])
        return text, keyboard

    people = await pledge_rules.reviewers(tx, row)
    await delivery.tell(tx, context, people, "pledge.fulfilled", build)


# ------------------------------------------------------------------ self-assessment


async def ask_self(update: Update, context: XContext) -> object:
    return await _ask(
        update, context, lambda row: row.accepts_self_assessment, views.ask_self, ASK_SELF
    )


async def receive_self(update: Update, context: XContext) -> object:
    async def save(tx: aiosqlite.Connection, row: PledgeRow, actor_id: int, text: str) -> None:
        await store.set_self_assessment(tx, row, actor_id=actor_id, text=text, now=context.now())

    row = await _save_text(update, context, save, views.ask_self)
    if row is None:
        return ASK_SELF
    await reply(
        update, context, context.t("pledge.self.saved"), views.open_button(context.t, row.id)
    )
    return END


async def _save_text(
    update: Update,
    context: XContext,
    save: Callable[[aiosqlite.Connection, PledgeRow, int, str], Awaitable[None]],
    screen: Callable[[Translator, PledgeRow], views.Screen],
) -> PledgeRow | None:
    """Save the typed text on the flow's pledge and end the flow; None when its length is
    off (said, and the question asked again, so the flow stays where it is)."""
    member, row = await own_pledge(context, pledge_id_in_flow(context))
    try:
        async with context.db.transaction() as tx:
            await save(tx, row, member.id, typed_text(update))
    except BadLength as exc:
        message = bad_length_text(context, exc)
        await reply(update, context, message)
        await reply(update, context, *screen(context.t, row))
        return None
    except (IllegalTransition, PledgeChanged) as exc:
        current = await load(context, row.id)
        raise not_now(context, current.status) from exc
    delivery.wake(context)
    clear_flow(context, FLOW)
    return row


# ------------------------------------------------------------------ withdraw


async def withdraw(update: Update, context: XContext) -> None:
    """[Withdraw]: asks first; the pledge stays on record, marked withdrawn."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    _, row = await own_pledge(context, pledge_id)
    if row.status not in WITHDRAWABLE:
        raise not_now(context, row.status)
    await ack(update)
    keyboard = InlineKeyboardMarkup(
        [
            [
                views.button(context.t("pledge.button.withdraw_yes"), "wdok", row.id),
                views.button(context.t("pledge.button.keep"), "keep", row.id),
            ]
        ]
    )
    await reply(update, context, context.t("pledge.withdraw.confirm", text=row.text), keyboard)


async def withdraw_confirmed(update: Update, context: XContext) -> None:
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    member, row = await own_pledge(context, pledge_id)
    try:
        async with context.db.transaction() as tx:
            await store.withdraw(tx, row, actor_id=member.id, now=context.now())
            await notice.refresh(tx, context, row.id)
    except (IllegalTransition, PledgeChanged) as exc:
        current = await load(context, pledge_id)
        raise not_now(context, current.status) from exc
    delivery.wake(context)
    await ack(update)
    await replace(update, context, context.t("pledge.withdraw.done"))


async def keep(update: Update, context: XContext) -> None:
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    await own_pledge(context, pledge_id)
    await ack(update, context.t("pledge.withdraw.kept"))
    await remove_buttons(update)


def _again(state: str, key: str) -> Step:
    """Wrong kind of answer (a sticker, a voice note ...): say what is expected, ask again."""

    async def wrong(update: Update, context: XContext) -> object:
        await reply(update, context, context.t(key))
        if state in (ASK_SUMMARY, ASK_SELF):
            row = await load(context, pledge_id_in_flow(context))
            screen = views.ask_summary if state == ASK_SUMMARY else views.ask_self
            await reply(update, context, *screen(context.t, row))
        return state

    return guarded_step(wrong)
