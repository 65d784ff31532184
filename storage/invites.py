"""Invite codes behind deep links: which branch and role a code is for, and its limits."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

import aiosqlite
from pydantic import BaseModel

from storage import audit
from storage.clock import to_iso
from storage.members import Role
from storage.rows import Table, changed_one, fetch_value

# 16 random bytes -> 22 characters of A-Za-z0-9_- (what Telegram allows in a deep link).
CODE_BYTES = 16
MEMBER_INVITE_TTL = timedelta(days=7)
MEMBER_INVITE_USES = 100
SECRETARY_INVITE_TTL = timedelta(days=7)
SECRETARY_INVITE_USES = 1


class Link(BaseModel):
    """What every invite link has: a code, who made it, until when and how often it works.
    Branch invites and inspection-group invites are both checked by ``check_code``."""

    id: int
    code: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    max_uses: int
    uses: int = 0
    revoked_at: datetime | None = None


L = TypeVar("L", bound=Link)


class Invite(Link):
    branch_id: int
    role: Role
    expected_id: int | None = None  # a personal invite: the imported person it is for


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    WRONG_CASE = "wrong_case"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"
    ALREADY_USED = "already_used"
    LEFT = "left"


async def create(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    role: Role,
    created_by: int | None,
    now: datetime,
    ttl: timedelta | None = None,
    max_uses: int | None = None,
    expected_id: int | None = None,
) -> Invite:
    if role not in (Role.MEMBER, Role.SECRETARY):
        raise ValueError(f"invites are for members and secretaries, not {role}")
    secretary = role is Role.SECRETARY
    ttl = ttl or (SECRETARY_INVITE_TTL if secretary else MEMBER_INVITE_TTL)
    max_uses = max_uses or (SECRETARY_INVITE_USES if secretary else MEMBER_INVITE_USES)
    code = secrets.token_urlsafe(CODE_BYTES)
    expires = now + ttl
    invite_id = await audit.inserted(
        tx,
        "INSERT INTO invites (code, branch_id, role, created_by, created_at, expires_at,"
        " max_uses, expected_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            branch_id,
            role.value,
            created_by,
            to_iso(now),
            to_iso(expires),
            max_uses,
            expected_id,
        ),
        at=now,
        actor_id=created_by,
        action="invite.created",
        entity="invite",
        role=role.value,
        branch_id=branch_id,
        expected_id=expected_id,
    )
    return Invite(
        id=invite_id,
        code=code,
        branch_id=branch_id,
        role=role,
        created_by=created_by,
        created_at=now,
        expires_at=expires,
        max_uses=max_uses,
        expected_id=expected_id,
    )


async def revoke_personal(tx: aiosqlite.Connection, expected_id: int, *, now: datetime) -> None:
    """Withdraw every personal invite still open for this expected person."""
    await tx.execute(
        "UPDATE invites SET revoked_at = ? WHERE expected_id = ? AND revoked_at IS NULL",
        (to_iso(now), expected_id),
    )


async def check(
    conn: aiosqlite.Connection, code: str, *, telegram_id: int, now: datetime
) -> Invite | InviteProblem:
    """The invite a code opens for this person now, or why it does not."""
    return await check_code(
        conn, Table("invites", Invite), "invite_uses", code, telegram_id=telegram_id, now=now
    )


async def check_code(
    conn: aiosqlite.Connection,
    links: Table[L],
    uses_table: str,
    code: str,
    *,
    telegram_id: int,
    now: datetime,
) -> L | InviteProblem:
    """The link of ``links`` a code opens for this person now, or why it does not.
    ``uses_table`` records who joined through which link (``invite_id``, ``telegram_id``,
    ``member_id``). The table names are the callers' constants, never user input."""
    invite = await links.first(conn, "WHERE code = ?", (code,))
    if invite is None:
        # Codes are case-sensitive; a code retyped by hand often is not.
        near = await fetch_value(
            conn, f"SELECT 1 FROM {links.name} WHERE lower(code) = lower(?)", (code,)
        )
        return InviteProblem.WRONG_CASE if near else InviteProblem.UNKNOWN
    used_by_active = await fetch_value(
        conn,
        f"SELECT m.status = 'active' FROM {uses_table} u JOIN members m ON m.id = u.member_id"
        " WHERE u.invite_id = ? AND u.telegram_id = ?",
        (invite.id, telegram_id),
    )
    if used_by_active is not None:
        # Used before: still a member through it, or removed since (then a new link is
        # needed, so the secretary decides again).
        return InviteProblem.ALREADY_USED if used_by_active else InviteProblem.LEFT
    if invite.revoked_at is not None:
        return InviteProblem.REVOKED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    if invite.uses >= invite.max_uses:
        return InviteProblem.USED_UP
    return invite


async def redeem(
    tx: aiosqlite.Connection, invite: Invite, *, telegram_id: int, member_id: int, now: datetime
) -> bool:
    """Count one use; False if the invite was used up meanwhile (nothing is written then)."""
    if not await changed_one(
        tx,
        "UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses",
        (invite.id,),
    ):
        return False
    await tx.execute(
        "INSERT INTO invite_uses (invite_id, telegram_id, member_id, used_at) VALUES (?, ?, ?, ?)",
        (invite.id, telegram_id, member_id, to_iso(now)),
    )
    return True
