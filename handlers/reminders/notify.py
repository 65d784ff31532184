"""/notify: a secretary's own message to the whole branch, with a preview and a confirmation.

The text is asked, shown as members will read it with [发送] [取消], and on [发送] becomes
one outbox row per active member and secretary of the branch (the sender excepted), keyed
``broadcast:{id}:{member}`` so a repeated press cannot send twice. It is not mutable. Like
every message the bot sends on its own it respects the quiet hours: sent at night, it
goes out when they end, and the secretary is told so at the preview and after sending.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from handlers.common import delivery
from handlers.common.context import XContext
from handlers.common.errors import StaleButton
from handlers.common.flows import END, clear_flow, enter_flow, flow_data, step_handlers
from handlers.common.guards import require_private, require_secretary
from handlers.common.registry import Registrar
from handlers.common.reply import ack, answering, remove_buttons, reply
from handlers.common.views import cancel_only
from handlers.reminders import views
from schedules.kinds import Kind
from storage import branches, reminders
from storage.members import Member, Secretary
from storage.reminders import BROADCAST_MAX

FLOW = "notify"
ASK_TEXT = "notify.text"
CONFIRM = "notify.confirm"
# Typed instead of pressing [发送] (any case, either language).
CONFIRM_WORDS = frozenset({"发送", "确定", "确认", "是", "send", "yes", "ok", "confirm"})


async def start(update: Update, context: XContext) -> str:
    require_private(update)
    require_secretary(context)
    enter_flow(context, FLOW)
    await reply(
        update,
        context,
        context.t("reminders.notify.ask", max=BROADCAST_MAX),
        cancel_only(context.t),
    )
    return ASK_TEXT


async def got_text(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not text:
        await reply(update, context, context.t("input.text_expected"))
        return ASK_TEXT
    if len(text) > BROADCAST_MAX:
        await reply(
            update,
            context,
            context.t("reminders.notify.too_long", count=len(text), max=BROADCAST_MAX),
        )
        return ASK_TEXT
    recipients = await _recipients(context, secretary)
    if not recipients:
        await reply(update, context, context.t("reminders.notify.nobody"))
        return END
    flow_data(context, FLOW)["text"] = text
    branch_name = await _branch_name(context, secretary)
    preview = views.notify_message(context.t, branch_name, secretary.name, text)
    # Someone who blocked the bot (or deleted their account) will not get it: counted
    # out, and named, so the secretary can tell them another way.
    unreachable = [p.name for p in recipients if p.unreachable_at is not None]
    screen, keyboard = views.notify_preview(
        context.t,
        preview,
        len(recipients) - len(unreachable),
        _night_until(context, delivery.release_time(context)),
        unreachable,
    )
    await reply(update, context, screen, keyboard)
    return CONFIRM


async def typed_at_confirm(update: Update, context: XContext) -> object:
    """A typed "发送" sends; any other text replaces the notice and is previewed again."""
    message = update.effective_message
    assert message is not None
    if (message.text or "").strip().lower() in CONFIRM_WORDS:
        return await send(update, context)
    return await got_text(update, context)


not_text = answering("input.text_expected")


async def send(update: Update, context: XContext) -> int:
    secretary = require_secretary(context)
    text = flow_data(context, FLOW).get("text")
    if not isinstance(text, str) or not text:
        clear_flow(context, FLOW)
        raise StaleButton()
    not_before = delivery.release_time(context)
    now = context.now()
    async with context.db.transaction() as tx:
        branch = await branches.get(tx, secretary.branch_id)
        assert branch is not None
        people = [p for p in await reminders.branch_people(tx, branch.id) if p.id != secretary.id]
        broadcast = await reminders.create_broadcast(
            tx,
            branch_id=branch.id,
            sender_id=secretary.id,
            text=text,
            recipients=len(people),
            not_before=not_before,
            now=now,
        )
        branch_name = branch.name
        await delivery.tell(
            tx,
            context,
            people,
            Kind.BROADCAST.value,
            lambda t: views.notify_message(t, branch_name, secretary.name, text),
            key=lambda person: f"broadcast:{broadcast.id}:{person.id}",
            not_before=not_before,
        )
    delivery.wake(context)
    await ack(update)
    await remove_buttons(update)
    later = _night_until(context, not_before, now)
    # As the preview counted: queued for everyone, but only these can receive it now.
    reachable = sum(1 for person in people if person.unreachable_at is None)
    answer = (
        context.t("reminders.notify.queued_later", count=reachable, time=later)
        if later
        else context.t("reminders.notify.queued", count=reachable)
    )
    chat = update.effective_chat
    assert chat is not None
    await reply(update, context, answer)
    return END


def _night_until(context: XContext, release: datetime, now: datetime | None = None) -> str | None:
    """The local time the quiet hours end, if a message released at ``release`` (from
    ``delivery.release_time``, read before ``now``) waits for them."""
    if release <= (now or context.now()):
        return None
    return f"{release.astimezone(context.config.zone):%H:%M}"


async def _recipients(context: XContext, secretary: Secretary) -> list[Member]:
    async with context.db.read() as conn:
        people = await reminders.branch_people(conn, secretary.branch_id)
    return [p for p in people if p.id != secretary.id]


async def _branch_name(context: XContext, secretary: Member) -> str:
    async with context.db.read() as conn:
        branch = await branches.get(conn, secretary.branch_id or 0)
    return branch.name if branch else ""


def register_flow(reg: Registrar) -> None:
    states: dict[object, list[BaseHandler[Any, Any, Any]]] = {
        ASK_TEXT: step_handlers(views.NOTIFY_PREFIX, got_text, not_text),
        CONFIRM: step_handlers(views.NOTIFY_PREFIX, typed_at_confirm, not_text, send=send),
    }
    reg.conversation(
        FLOW,
        entry_points=[CommandHandler("notify", start)],
        states=states,
    )
