"""Invite deep links and how an invite is described to the person who shares it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.common.i18n import Translator, texts
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
