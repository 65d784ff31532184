"""Invite deep links and how an invite is described to the person who shares it; a
personal link (roster import) as a message to forward to its one person, made afresh."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.context import XContext
from handlers.common.errors import StaleButton
from handlers.common.i18n import Translator
from handlers.common.reply import reply, say
from handlers.common.views import role_name
from storage import branches, roster
from storage.invites import Invite
from storage.members import Member


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def describe_invite(
    t: Translator, invite: Invite, bot_username: str, branch_name: str, zone: ZoneInfo
) -> str:
    return t(
        "invite.link",
        role=role_name(t, invite.role),
        branch=branch_name,
        link=deep_link(bot_username, invite.code),
        expires=invite.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        uses=invite.max_uses,
    )


def personal_invite(
    t: Translator, name: str, invite: Invite, bot_username: str, branch_name: str, zone: ZoneInfo
) -> str:
    """The message a secretary forwards to the one person a personal link is for."""
    return t(
        "invite.personal",
        name=name,
        role=role_name(t, invite.role),
        branch=branch_name,
        link=deep_link(bot_username, invite.code),
        expires=expiry(invite, zone),
    )


def expiry(invite: Invite, zone: ZoneInfo) -> str:
    return invite.expires_at.astimezone(zone).strftime("%Y-%m-%d")


async def reply_invite(update: Update, context: XContext, invite: Invite, branch_name: str) -> None:
    """Give the person who made an invite its link to share (no preview under it)."""
    text = describe_invite(
        context.t, invite, context.bot.username, branch_name, context.config.zone
    )
    await reply(update, context, text, link_preview=False)


async def reply_fresh_link(
    update: Update, context: XContext, person: roster.Expected, actor: Member, done_key: str
) -> None:
    """A new personal link for someone imported who has not joined (the old one stops
    working): ``done_key`` says so, and the message to forward follows."""
    if not person.pending:
        raise StaleButton()
    async with context.db.transaction() as tx:
        invite = await roster.fresh_link(tx, person, actor_id=actor.id, now=context.now())
        branch = await branches.get(tx, person.branch_id)
    assert branch is not None
    await say(update, context, context.t(done_key, name=person.name))
    text = personal_invite(
        context.t, person.name, invite, context.bot.username, branch.name, context.config.zone
    )
    await reply(update, context, text, link_preview=False)
