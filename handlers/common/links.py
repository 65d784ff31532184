"""Invite deep links and how an invite is described to the person who shares it; a
personal link (roster import) as a message to forward to its one person."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from handlers.common.context import XContext
from handlers.common.i18n import Translator, texts
from handlers.common.reply import reply
from handlers.common.views import role_name
from storage.invites import Invite

texts(
    {
        "invite.link": (
            "「{branch}」{role}邀请链接：\n{link}\n\n有效期至 {expires}，最多可使用 {uses} 次。"
            "请通过私信发给对方，不要公开张贴。",
            "Invite link to {branch} ({role}):\n{link}\n\nValid until {expires}, "
            "uses allowed: {uses}. Send it privately; do not post it publicly.",
        ),
        "invite.personal": (
            "{name}，您好！请点击下面的链接加入「{branch}」（{role}）：\n{link}\n\n"
            "此链接仅供您本人使用一次，有效期至 {expires}。",
            "Hello {name}! Please open this link to join {branch} ({role}):\n{link}\n\n"
            "The link is for you alone, works once, and is valid until {expires}.",
        ),
    }
)


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
