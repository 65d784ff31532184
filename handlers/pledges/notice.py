"""The branch's notice chat (公示): linking it with /setnotice, posting an approved pledge
there, and editing that post when the pledge's status changes.

Posts and their edits go through the outbox like every message to others; the receipts
below learn how they fared (the post's message id, a deleted post, a chat that refuses
the bot). Posts are in the deployment's default language: the chat's readers are many.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime

import aiosqlite
from telegram import (
    Chat,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberOwner,
    ChatMemberRestricted,
    MessageOriginChannel,
    MessageOriginChat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.errors import Refusal
from handlers.common.flows import END, Handlers, clear_flow, enter_flow
from handlers.common.guards import parse_callback, require_private, require_secretary
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import ack, answering, reply
from handlers.common.services import BotConfig
from handlers.pledges import views
from handlers.pledges.access import (
    ASK_NOTICE,
    FLOW,
    guarded,
    guarded_step,
    reviewable_pledge,
)
from handlers.pledges.views import PREFIX
from schedules.dispatcher import Outcome, Result
from storage import branches, outbox, pledge_rules
from storage import pledges as store
from storage.branches import Branch
from storage.members import Secretary
from storage.outbox import OutboxMessage, OutboxStatus
from storage.pledges import PledgeRow, PledgeStatus

logger = logging.getLogger(__name__)

UNLINK_WORDS = ("off", "none", "取消", "关闭", "解除")
POSTABLE = frozenset({PledgeStatus.PUBLISHED, PledgeStatus.FULFILLED, PledgeStatus.EVALUATED})
# The outbox kinds of the notice chat's messages: a pledge's post, its edits, and the
# first line posted when a chat is linked.
POST = "pledge.notice"
EDIT = "pledge.notice.edit"
LINKED = "pledge.notice.linked"


def entry_points() -> Handlers:
    return [
        CommandHandler("setnotice", guarded(setnotice_private), filters=filters.ChatType.PRIVATE)
    ]


def states() -> dict[object, Handlers]:
    return {
        ASK_NOTICE: [
            MessageHandler(filters.FORWARDED, guarded_step(receive_forward)),
            MessageHandler(~filters.COMMAND, guarded_step(forward_expected)),
        ]
    }


def plain_handlers() -> Handlers:
    return [
        CommandHandler("setnotice", setnotice_in_group, filters=filters.ChatType.GROUPS),
        MessageHandler(filters.StatusUpdate.MIGRATE, group_moved),
        CallbackQueryHandler(post_pressed, pattern=pattern(PREFIX, "post")),
    ]


# ------------------------------------------------------------------ publishing


async def publish(tx: aiosqlite.Connection, context: XContext, row: PledgeRow) -> None:
    """Queue the post of a just-approved pledge, in the transaction that approves it;
    without a notice chat, tell the secretaries once."""
    branch = await branches.get(tx, row.branch_id)
    assert branch is not None
    if branch.notice_chat_id is not None:
        await _post(tx, context, row, branch)
        return
    if await store.no_notice_told(tx, branch.id):
        return
    await store.mark_no_notice_told(tx, branch.id, now=context.now())
    await delivery.tell(
        tx,
        context,
        await pledge_rules.branch_overseers(tx, branch.id),
        "pledge.notice.none",
        lambda t: t("pledge.notice.none_linked"),
    )


async def _post(
    tx: aiosqlite.Connection, context: XContext, row: PledgeRow, branch: Branch
) -> None:
    """The post goes out through the outbox; its receipt (``posted``) remembers it."""
    assert branch.notice_chat_id is not None
    t = Translator(context.config.default_language)
    await delivery.post(
        tx,
        context,
        branch.notice_chat_id,
        POST,
        views.notice_post(t, row, branch.name, context.config.zone),
        subject_id=row.id,
    )


async def refresh(tx: aiosqlite.Connection, context: XContext, pledge_id: int) -> None:
    """Queue an edit of the pledge's notice post to show where it is now (progress,
    rating ...), in the transaction that changed it. A post deleted by a chat admin is
    forgotten (``edited``), and then not edited again."""
    posted = await outbox.latest_of(tx, POST, pledge_id)
    row = await store.get_row(tx, pledge_id)
    if posted is None or row is None:
        return
    if posted.status is OutboxStatus.SENT and row.notice_message_id is None:
        return
    branch = await branches.get(tx, row.branch_id)
    assert branch is not None
    t = Translator(context.config.default_language)
    text = views.notice_post(t, row, branch.name, context.config.zone)
    await delivery.edit(tx, context, posted, EDIT, text)


async def post_pressed(update: Update, context: XContext) -> None:
    """[Post to notice chat]: for a published pledge whose post is missing."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    _, row = await reviewable_pledge(context, pledge_id)
    async with context.db.transaction() as tx:
        branch = await branches.get(tx, row.branch_id)
        assert branch is not None
        posted = await outbox.latest_of(tx, POST, row.id)
        on_its_way = posted is not None and posted.status is not OutboxStatus.SENT
        if row.status not in POSTABLE or row.notice_message_id is not None or on_its_way:
            raise Refusal("pledge.notice.already_posted")
        if branch.notice_chat_id is None:
            raise Refusal("pledge.notice.none_linked")
        await _post(tx, context, row, branch)
    delivery.wake(context)
    release = delivery.release_time(context)
    if release > context.now():
        local = f"{release.astimezone(context.config.zone):%H:%M}"
        await ack(update, context.t("pledge.notice.posted_later", time=local))
    else:
        await ack(update, context.t("pledge.notice.posted"))


# ------------------------------------------------------------------ receipts


def register_receipts(reg: Registrar) -> None:
    """What the dispatcher's outcomes for the notice chat's messages mean for pledges."""
    for kind in (POST, EDIT, LINKED):
        reg.receipt(kind, functools.partial(receipt, config=reg.config))


async def receipt(
    tx: aiosqlite.Connection,
    message: OutboxMessage,
    result: Result,
    now: datetime,
    *,
    config: BotConfig,
) -> None:
    """How a message in the notice chat fared, by its kind (a group that became a
    supergroup: the dispatcher has moved the branch and the message to its new id)."""
    if result.kind is Outcome.MOVED:
        return
    if message.kind == POST:
        await _posted(tx, message, result, config, now)
    elif message.kind == EDIT:
        if result.kind is Outcome.FAILED:
            await _edit_failed(tx, message, result.error or "", now)
    elif result.kind is not Outcome.SENT:
        await _probe_failed(tx, message.chat_id, result, config, now, key=f"{message.id}")


async def _posted(
    tx: aiosqlite.Connection,
    message: OutboxMessage,
    result: Result,
    config: BotConfig,
    now: datetime,
) -> None:
    """A post went out (remember where, to edit it later), or did not (tell the branch's
    secretaries why: they can post it again from the pledge's screen)."""
    row = await store.get_row(tx, message.subject_id or 0)
    if row is None:
        return
    if result.kind is Outcome.SENT:
        await store.set_notice_message(
            tx,
            row.id,
            chat_id=message.chat_id,
            message_id=result.message_id,
            actor_id=None,
            now=now,
        )
        return
    reason = _reason(result)

    def failed(t: Translator) -> views.Screen:
        text = t("pledge.notice.post_failed", name=row.owner_name, reason=t(reason))
        return text, views.open_button(t, row.id)

    people = await pledge_rules.branch_overseers(tx, row.branch_id)
    await delivery.queue(
        tx, people, "pledge.notice.failed", failed, key=f"{message.id}", config=config, now=now
    )


async def _edit_failed(
    tx: aiosqlite.Connection, message: OutboxMessage, error: str, now: datetime
) -> None:
    """An edit found its post deleted by a chat admin: forget the post, so a secretary can
    post the pledge again. (Any other failure: the post catches up on the next change.)"""
    gone = "not found" in error.lower() or "can't be edited" in error.lower()
    if not gone or message.subject_id is None:
        return
    row = await store.get_row(tx, message.subject_id)
    if row is not None and row.notice_message_id == message.telegram_message_id:
        await store.set_notice_message(
            tx, row.id, chat_id=None, message_id=None, actor_id=None, now=now
        )


async def _probe_failed(
    tx: aiosqlite.Connection,
    chat_id: int,
    result: Result,
    config: BotConfig,
    now: datetime,
    key: str,
) -> None:
    """The first line posted when a chat was linked did not go out: the bot cannot post
    there after all, so the link is undone and the branch's secretaries are told."""
    reason = _reason(result)
    for branch in await branches.with_notice_chat(tx, chat_id):
        await branches.set_notice_chat(
            tx, branch.id, None, actor_id=None, now=now, failed=result.error
        )
        await store.clear_no_notice_told(tx, branch.id)
        await delivery.queue(
            tx,
            await pledge_rules.branch_overseers(tx, branch.id),
            "pledge.notice.failed",
            lambda t: t("pledge.notice.link_lost", reason=t(reason)),
            key=key,
            config=config,
            now=now,
        )


def _reason(result: Result) -> str:
    if result.kind is Outcome.BLOCKED:
        return "pledge.notice.reason.forbidden"
    if (result.error or "").startswith("BadRequest"):
        return "pledge.notice.reason.refused"
    return "pledge.notice.reason.network"


async def group_moved(update: Update, context: XContext) -> None:
    """Telegram's service line when a group becomes a supergroup (in the old group, and
    again in the new one): a branch's notice chat follows it at once, and what is still
    queued for the old id goes to the new one, before any post there has to fail first."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id is not None:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    async with context.db.transaction() as tx:
        await branches.follow_chat(tx, old, new, context.now())
        await outbox.retarget_chat(tx, old, new)


# ------------------------------------------------------------------ /setnotice


async def setnotice_in_group(update: Update, context: XContext) -> None:
    """/setnotice sent inside a group: link that group. The outcome goes to the secretary
    privately (through the outbox), since the bot may be unable to speak in the group."""
    secretary = require_secretary(context)
    chat = update.effective_chat
    assert chat is not None
    args = [arg.lower() for arg in context.args or []]
    if args and args[0] in UNLINK_WORDS:  # "/setnotice off" here unlinks, never links
        async with context.db.transaction() as tx:
            await _unlink(tx, context, secretary)
            await _tell_secretary(tx, context, secretary, lambda t: t("pledge.notice.unlinked"))
        delivery.wake(context)
        return
    await _link(update, context, secretary, chat.id, chat.type, chat.title or str(chat.id))


async def setnotice_private(update: Update, context: XContext) -> object:
    """/setnotice in private: ask for a message forwarded from the channel; "off" unlinks."""
    require_private(update)
    secretary = require_secretary(context)
    args = [arg.lower() for arg in context.args or []]
    if args and args[0] in UNLINK_WORDS:
        async with context.db.transaction() as tx:
            await _unlink(tx, context, secretary)
        await reply(update, context, context.t("pledge.notice.unlinked"))
        return END
    async with context.db.read() as conn:
        branch = await branches.get(conn, secretary.branch_id)
    assert branch is not None
    enter_flow(context, FLOW)
    current = (
        context.t("pledge.notice.current", chat=await _chat_title(context, branch.notice_chat_id))
        if branch.notice_chat_id
        else context.t("pledge.notice.current_none")
    )
    await reply(update, context, f"{current}\n\n{context.t('pledge.notice.how')}")
    return ASK_NOTICE


async def _chat_title(context: XContext, chat_id: int) -> str:
    """The linked chat's name as people know it; its id if Telegram will not say."""
    try:
        chat = await context.bot.get_chat(chat_id)
    except TelegramError as exc:
        logger.info("cannot read notice chat %s: %s", chat_id, exc)
        return str(chat_id)
    return chat.title or str(chat_id)


async def receive_forward(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    message = update.effective_message
    assert message is not None
    origin = message.forward_origin
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
    elif isinstance(origin, MessageOriginChat):
        chat = origin.sender_chat
    else:
        # Forwarded from a person: that does not say which chat it came from.
        await reply(update, context, context.t("pledge.notice.not_a_chat"))
        return ASK_NOTICE
    title = chat.title or str(chat.id)
    if not await _link(update, context, secretary, chat.id, chat.type, title, forwarded=True):
        # Fixed in the chat's settings, one more forward links it: no need to start over.
        return ASK_NOTICE
    clear_flow(context, FLOW)
    return END


forward_expected = answering("pledge.notice.how", ASK_NOTICE)


async def _link(
    update: Update,
    context: XContext,
    secretary: Secretary,
    chat_id: int,
    chat_type: str,
    title: str,
    *,
    forwarded: bool = False,
) -> bool:
    """Check the bot may post there, store the link and queue a first line there (should
    it fail all the same, its receipt ``probed`` undoes the link)."""
    in_private = update.effective_chat is not None and update.effective_chat.type == Chat.PRIVATE
    missing = await missing_right(context, chat_id, chat_type)
    if missing is not None:

        def failed(t: Translator) -> str:
            text = t("pledge.notice.link_failed", chat=title, reason=t(missing))
            return text + ("\n" + t("pledge.notice.forward_again") if forwarded else "")

        if in_private:
            await reply(update, context, failed(context.t))
        else:
            async with context.db.transaction() as tx:
                await _tell_secretary(tx, context, secretary, failed)
            delivery.wake(context)
        return False
    now = context.now()
    async with context.db.transaction() as tx:
        branch = await branches.get(tx, secretary.branch_id)
        assert branch is not None
        await branches.set_notice_chat(tx, branch.id, chat_id, actor_id=secretary.id, now=now)
        await store.clear_no_notice_told(tx, branch.id)
        unposted = await store.published_without_notice(tx, branch.id)
        t = Translator(context.config.default_language)
        await delivery.post(
            tx,
            context,
            chat_id,
            LINKED,
            views.notice_linked(t, branch.name),
            subject_id=branch.id,
        )

        def done(t: Translator) -> str:
            text = t("pledge.notice.linked", chat=title, branch=branch.name)
            if unposted:
                text += "\n\n" + t("pledge.notice.unposted", count=len(unposted))
            return text

        if not in_private:
            await _tell_secretary(tx, context, secretary, done)
    delivery.wake(context)
    if in_private:
        await reply(update, context, done(context.t))
    return True


async def _tell_secretary(
    tx: aiosqlite.Connection, context: XContext, secretary: Secretary, render: delivery.Render
) -> None:
    """The outcome of /setnotice sent in a group, told privately (urgent: they wait for it)."""
    await delivery.tell(tx, context, [secretary], "pledge.notice.setup", render, urgent=True)


async def missing_right(context: XContext, chat_id: int, chat_type: str) -> str | None:
    """What the bot lacks to post in that chat (a message key), or None if nothing."""
    try:
        me = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError as exc:
        logger.info("cannot read my membership in %s: %s", chat_id, exc)
        return "pledge.notice.missing.not_in_chat"
    if me.status in (ChatMember.LEFT, ChatMember.BANNED):
        return "pledge.notice.missing.not_in_chat"
    if isinstance(me, ChatMemberOwner):
        return None
    if chat_type == Chat.CHANNEL:
        if isinstance(me, ChatMemberAdministrator) and me.can_post_messages:
            return None
        return "pledge.notice.missing.channel_post"
    if isinstance(me, ChatMemberRestricted) and not (me.is_member and me.can_send_messages):
        return "pledge.notice.missing.restricted"
    return None


async def _unlink(tx: aiosqlite.Connection, context: XContext, secretary: Secretary) -> None:
    await branches.set_notice_chat(
        tx, secretary.branch_id, None, actor_id=secretary.id, now=context.now()
    )
    await store.clear_no_notice_told(tx, secretary.branch_id)
