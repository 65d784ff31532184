"""The branch's notice chat (公示): linking it with /setnotice, posting an approved pledge
there, and editing that post when the pledge's status changes.

Posts are in the deployment's default language: the chat's readers are many people.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

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
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.errors import Refusal
from handlers.common.flows import END, clear_flow
from handlers.common.guards import parse_callback, require_private, require_secretary
from handlers.common.i18n import Translator
from handlers.pledges import views
from handlers.pledges.access import (
    ASK_NOTICE,
    FLOW,
    Build,
    ack,
    begin,
    guarded,
    guarded_step,
    reviewable_pledge,
    say,
    secretaries,
    send_to,
)
from handlers.pledges.views import PREFIX
from storage import audit, branches
from storage import pledges as store
from storage.branches import Branch
from storage.members import Secretary
from storage.pledges import PledgeRow, PledgeStatus

logger = logging.getLogger(__name__)

Handlers = list[BaseHandler[Any, Any, Any]]
UNLINK_WORDS = ("off", "none", "取消", "关闭", "解除")
POSTABLE = frozenset({PledgeStatus.PUBLISHED, PledgeStatus.FULFILLED, PledgeStatus.EVALUATED})


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
        CallbackQueryHandler(post_pressed, pattern=pattern(PREFIX, "post")),
    ]


# ------------------------------------------------------------------ publishing


async def publish(context: XContext, row: PledgeRow) -> None:
    """Post a just-approved pledge; without a notice chat, tell the secretaries once."""
    async with context.db.read() as conn:
        branch = await branches.get(conn, row.branch_id)
        told = await store.no_notice_told(conn, row.branch_id)
    assert branch is not None
    if branch.notice_chat_id is None:
        if not told:
            async with context.db.transaction() as tx:
                await store.mark_no_notice_told(tx, branch.id, now=context.now())
            for person in await secretaries(context, branch.id):
                await send_to(context, person.telegram_id, _none_linked)
        return
    problem = await post(context, row, branch)
    if problem is not None:
        for person in await secretaries(context, branch.id):
            await send_to(context, person.telegram_id, _post_failed(problem, row))


def _none_linked(t: Translator) -> views.Screen:
    return t("pledge.notice.none_linked"), None


def _post_failed(problem: str, row: PledgeRow) -> Build:
    def build(t: Translator) -> views.Screen:
        text = t("pledge.notice.post_failed", name=row.owner_name, reason=t(problem))
        return text, views.open_button(t, row.id)

    return build


async def post(context: XContext, row: PledgeRow, branch: Branch) -> str | None:
    """Post the pledge to the branch's notice chat; None, or the key of what went wrong."""
    assert branch.notice_chat_id is not None
    t = Translator(context.config.default_language)
    text = views.notice_post(t, row, branch.name, context.config.zone)
    chat_id = branch.notice_chat_id
    try:
        try:
            message = await context.bot.send_message(chat_id, text)
        except ChatMigrated as exc:
            # A group that became a supergroup has a new id: follow it, once.
            chat_id = exc.new_chat_id
            await _relink(context, branch, chat_id)
            message = await context.bot.send_message(chat_id, text)
    except Forbidden:
        return "pledge.notice.reason.forbidden"
    except BadRequest as exc:
        logger.warning("notice post for pledge %s refused: %s", row.id, exc)
        return "pledge.notice.reason.refused"
    except TelegramError as exc:
        logger.warning("notice post for pledge %s failed: %s", row.id, exc)
        return "pledge.notice.reason.network"
    async with context.db.transaction() as tx:
        await store.set_notice_message(
            tx,
            row.id,
            chat_id=chat_id,
            message_id=message.message_id,
            actor_id=None,
            now=context.now(),
        )
    return None


async def refresh(context: XContext, row: PledgeRow) -> None:
    """Edit the pledge's notice post to show where it is now (progress, rating ...).

    ``row`` is the pledge as loaded after the change (the caller has it fresh already).
    """
    if row.notice_chat_id is None or row.notice_message_id is None:
        return
    async with context.db.read() as conn:
        branch = await branches.get(conn, row.branch_id)
    assert branch is not None
    t = Translator(context.config.default_language)
    text = views.notice_post(t, row, branch.name, context.config.zone)
    try:
        await context.bot.edit_message_text(
            text, chat_id=row.notice_chat_id, message_id=row.notice_message_id
        )
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" in reason:
            return  # it already shows this
        if "not found" in reason or "can't be edited" in reason:
            # Deleted by a chat admin: forget it, so a secretary can post it again.
            async with context.db.transaction() as tx:
                await store.set_notice_message(
                    tx, row.id, chat_id=None, message_id=None, actor_id=None, now=context.now()
                )
            return
        logger.warning("could not edit the notice post of pledge %s: %s", row.id, exc)
    except TelegramError as exc:
        # The record is right either way; the public post catches up on the next change.
        logger.warning("could not edit the notice post of pledge %s: %s", row.id, exc)


async def post_pressed(update: Update, context: XContext) -> None:
    """[Post to notice chat]: for a published pledge whose post is missing."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    _, row = await reviewable_pledge(context, pledge_id)
    async with context.db.read() as conn:
        branch = await branches.get(conn, row.branch_id)
    assert branch is not None
    if row.status not in POSTABLE or row.notice_message_id is not None:
        raise Refusal("pledge.notice.already_posted")
    if branch.notice_chat_id is None:
        raise Refusal("pledge.notice.none_linked")
    problem = await post(context, row, branch)
    if problem is not None:
        raise Refusal("pledge.notice.post_failed_short", reason=context.t(problem))
    await ack(update, context.t("pledge.notice.posted"))


# ------------------------------------------------------------------ /setnotice


async def setnotice_in_group(update: Update, context: XContext) -> None:
    """/setnotice sent inside a group: link that group. The outcome goes to the secretary
    privately too, since the bot may be unable to speak in the group."""
    secretary = require_secretary(context)
    chat = update.effective_chat
    assert chat is not None
    args = [arg.lower() for arg in context.args or []]
    if args and args[0] in UNLINK_WORDS:  # "/setnotice off" here unlinks, never links
        await _unlink(context, secretary)
        await send_to(context, secretary.telegram_id, lambda t: (t("pledge.notice.unlinked"), None))
        return
    await _link(context, secretary, chat.id, chat.type, chat.title or str(chat.id))


async def setnotice_private(update: Update, context: XContext) -> object:
    """/setnotice in private: ask for a message forwarded from the channel; "off" unlinks."""
    require_private(update)
    secretary = require_secretary(context)
    args = [arg.lower() for arg in context.args or []]
    if args and args[0] in UNLINK_WORDS:
        await _unlink(context, secretary)
        await say(update, context, context.t("pledge.notice.unlinked"))
        return END
    async with context.db.read() as conn:
        branch = await branches.get(conn, secretary.branch_id)
    assert branch is not None
    begin(context, "notice")
    current = (
        context.t("pledge.notice.current", chat=await _chat_title(context, branch.notice_chat_id))
        if branch.notice_chat_id
        else context.t("pledge.notice.current_none")
    )
    await say(update, context, f"{current}\n\n{context.t('pledge.notice.how')}")
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
        await say(update, context, context.t("pledge.notice.not_a_chat"))
        return ASK_NOTICE
    title = chat.title or str(chat.id)
    if not await _link(context, secretary, chat.id, chat.type, title, forwarded=True):
        # Fixed in the chat's settings, one more forward links it: no need to start over.
        return ASK_NOTICE
    clear_flow(context, FLOW)
    return END


async def forward_expected(update: Update, context: XContext) -> object:
    await say(update, context, context.t("pledge.notice.how"))
    return ASK_NOTICE


async def _link(
    context: XContext,
    secretary: Secretary,
    chat_id: int,
    chat_type: str,
    title: str,
    *,
    forwarded: bool = False,
) -> bool:
    """Check the bot can post there, post a first line to prove it, then store the link."""
    async with context.db.read() as conn:
        branch = await branches.get(conn, secretary.branch_id)
    assert branch is not None
    missing = await missing_right(context, chat_id, chat_type)
    if missing is None:
        t = Translator(context.config.default_language)
        try:
            await context.bot.send_message(chat_id, views.notice_linked(t, branch.name))
        except TelegramError as exc:
            logger.info("first post to notice chat %s failed: %s", chat_id, exc)
            missing = "pledge.notice.missing.cannot_send"
    if missing is not None:

        def failed(t: Translator) -> views.Screen:
            text = t("pledge.notice.link_failed", chat=title, reason=t(missing))
            if forwarded:
                text += "\n" + t("pledge.notice.forward_again")
            return text, None

        await send_to(context, secretary.telegram_id, failed)
        return False
    now = context.now()
    async with context.db.transaction() as tx:
        await branches.set_notice_chat(tx, branch.id, chat_id)
        await store.clear_no_notice_told(tx, branch.id)
        await _audit_link(tx, secretary.id, branch.id, chat_id, now)
        unposted = await store.published_without_notice(tx, branch.id)

    def done(t: Translator) -> views.Screen:
        text = t("pledge.notice.linked", chat=title, branch=branch.name)
        if unposted:
            text += "\n\n" + t("pledge.notice.unposted", count=len(unposted))
        return text, None

    await send_to(context, secretary.telegram_id, done)
    return True


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


async def _unlink(context: XContext, secretary: Secretary) -> None:
    async with context.db.transaction() as tx:
        await branches.set_notice_chat(tx, secretary.branch_id, None)
        await store.clear_no_notice_told(tx, secretary.branch_id)
        await _audit_link(tx, secretary.id, secretary.branch_id, None, context.now())


async def _relink(context: XContext, branch: Branch, chat_id: int) -> None:
    async with context.db.transaction() as tx:
        await branches.set_notice_chat(tx, branch.id, chat_id)
        await _audit_link(tx, None, branch.id, chat_id, context.now(), migrated=True)


async def _audit_link(
    tx: aiosqlite.Connection,
    actor_id: int | None,
    branch_id: int,
    chat_id: int | None,
    now: datetime,
    **detail: object,
) -> None:
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="branch.notice_set" if chat_id is not None else "branch.notice_unset",
        entity="branch",
        entity_id=branch_id,
        chat_id=chat_id,
        **detail,
    )
