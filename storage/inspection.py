"""Inspection groups (督查组): their inspectors, assigned branches and invite links.

An admin creates a group, invites inspectors into it by deep link and assigns it
branches; an inspector reads only those branches (``storage.branches.visible_to``).
Comments and rectification items are in ``storage.rectification``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import aiosqlite
from pydantic import BaseModel

from storage import audit, members
from storage.branches import Branch, BranchName, free_name
from storage.clock import to_iso
from storage.invites import CODE_BYTES, InviteProblem, Link, check_code
from storage.members import Member, Role
from storage.rows import Table, changed_one, fetch_all, fetch_one, fetch_value, insert

# A one-use link is for one named person; a shared link for the whole group at a meeting.
SINGLE_INVITE_TTL = timedelta(days=7)
SHARED_INVITE_TTL = timedelta(days=3)
SHARED_INVITE_USES = 20


class Group(BaseModel):
    id: int
    name: str
    created_by: int | None
    created_at: datetime


class GroupSummary(Group):
    inspectors: int
    branches: int


class GroupName(BranchName):
    """A group name as an admin types it, by the rules of a branch name."""


class DuplicateGroup(Exception):
    """A group with that name (ignoring case) already exists."""


class InspectionInvite(Link):
    group_id: int


# --------------------------------------------------------------------------- groups


async def create_group(
    tx: aiosqlite.Connection, name: str, *, created_by: int, now: datetime
) -> Group:
    clean = await free_name(tx, "inspection_groups", name, DuplicateGroup)
    group_id = await audit.inserted(
        tx,
        "INSERT INTO inspection_groups (name, created_by, created_at) VALUES (?, ?, ?)",
        (clean, created_by, to_iso(now)),
        at=now,
        actor_id=created_by,
        action="inspection.group_created",
        entity="inspection_group",
        name=clean,
    )
    return Group(id=group_id, name=clean, created_by=created_by, created_at=now)


_GROUPS = Table("inspection_groups", Group)


async def get_group(conn: aiosqlite.Connection, group_id: int) -> Group | None:
    return await _GROUPS.get(conn, group_id)


async def list_groups(conn: aiosqlite.Connection) -> list[GroupSummary]:
    return await fetch_all(
        conn,
        GroupSummary,
        """
        SELECT g.*,
               (SELECT COUNT(*) FROM inspection_group_members gm JOIN members m
                  ON m.id = gm.member_id
                WHERE gm.group_id = g.id AND gm.removed_at IS NULL AND m.status = 'active')
                   AS inspectors,
               (SELECT COUNT(*) FROM inspection_assignments a
                WHERE a.group_id = g.id AND a.removed_at IS NULL) AS branches
        FROM inspection_groups g ORDER BY g.name
        """,
    )


async def inspectors(conn: aiosqlite.Connection, group_id: int) -> list[Member]:
    """The group's active inspectors, by name."""
    return await fetch_all(
        conn,
        Member,
        "SELECT m.* FROM inspection_group_members gm JOIN members m ON m.id = gm.member_id"
        " WHERE gm.group_id = ? AND gm.removed_at IS NULL AND m.status = 'active'"
        " ORDER BY m.name, m.id",
        (group_id,),
    )


async def group_of(conn: aiosqlite.Connection, member_id: int) -> Group | None:
    """The group an inspector belongs to (None once removed)."""
    return await fetch_one(
        conn,
        Group,
        "SELECT g.* FROM inspection_group_members gm JOIN inspection_groups g"
        " ON g.id = gm.group_id WHERE gm.member_id = ? AND gm.removed_at IS NULL",
        (member_id,),
    )


async def remove_inspector(
    tx: aiosqlite.Connection, group_id: int, member_id: int, *, actor_id: int, now: datetime
) -> bool:
    """End an inspector's membership of the group (and so their access); False if they
    were not in it any more."""
    if not await changed_one(
        tx,
        "UPDATE inspection_group_members SET removed_at = ?"
        " WHERE member_id = ? AND group_id = ? AND removed_at IS NULL",
        (to_iso(now), member_id, group_id),
    ):
        return False
    await members.mark_left(
        tx, member_id, now=now, actor_id=actor_id, action="inspection.inspector_removed",
        entity="inspection_group", entity_id=group_id, member_id=member_id,
    )  # fmt: skip
    return True


# --------------------------------------------------------------------------- branches


async def assigned(conn: aiosqlite.Connection, group_id: int) -> list[Branch]:
    """The branches the group inspects now, by name."""
    return await fetch_all(
        conn,
        Branch,
        "SELECT b.* FROM inspection_assignments a JOIN branches b ON b.id = a.branch_id"
        " WHERE a.group_id = ? AND a.removed_at IS NULL ORDER BY b.name, b.id",
        (group_id,),
    )


async def assign(
    tx: aiosqlite.Connection, group_id: int, branch_id: int, *, actor_id: int, now: datetime
) -> bool:
    """Give the group the branch; False if it had it already."""
    return await audit.changed(
        tx,
        "INSERT INTO inspection_assignments (group_id, branch_id, assigned_by, assigned_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, branch_id) WHERE removed_at IS NULL"
        " DO NOTHING",
        (group_id, branch_id, actor_id, to_iso(now)),
        at=now, actor_id=actor_id, action="inspection.branch_assigned",
        entity="inspection_group", entity_id=group_id, branch_id=branch_id,
    )  # fmt: skip


async def unassign(
    tx: aiosqlite.Connection, group_id: int, branch_id: int, *, actor_id: int, now: datetime
) -> bool:
    """Take the branch back from the group; False if it did not have it."""
    return await audit.changed(
        tx,
        "UPDATE inspection_assignments SET removed_at = ?, removed_by = ?"
        " WHERE group_id = ? AND branch_id = ? AND removed_at IS NULL",
        (to_iso(now), actor_id, group_id, branch_id),
        at=now, actor_id=actor_id, action="inspection.branch_unassigned",
        entity="inspection_group", entity_id=group_id, branch_id=branch_id,
    )  # fmt: skip


async def inspects(conn: aiosqlite.Connection, member_id: int, branch_id: int) -> bool:
    """Whether this inspector's group has the branch assigned now."""
    return bool(
        await fetch_value(
            conn,
            "SELECT 1 FROM inspection_group_members gm JOIN inspection_assignments a"
            " ON a.group_id = gm.group_id AND a.removed_at IS NULL"
            " WHERE gm.member_id = ? AND gm.removed_at IS NULL AND a.branch_id = ?",
            (member_id, branch_id),
        )
    )


# --------------------------------------------------------------------------- invites


async def create_invite(
    tx: aiosqlite.Connection, group_id: int, *, shared: bool, created_by: int, now: datetime
) -> InspectionInvite:
    """A one-use link (7 days) or a shared one (20 uses, 3 days) into the group."""
    ttl = SHARED_INVITE_TTL if shared else SINGLE_INVITE_TTL
    max_uses = SHARED_INVITE_USES if shared else 1
    code = secrets.token_urlsafe(CODE_BYTES)
    expires = now + ttl
    invite_id = await insert(
        tx,
        "INSERT INTO inspection_invites (code, group_id, created_by, created_at, expires_at,"
        " max_uses) VALUES (?, ?, ?, ?, ?, ?)",
        (code, group_id, created_by, to_iso(now), to_iso(expires), max_uses),
    )
    await audit.record(
        tx, at=now, actor_id=created_by, action="inspection.invite_created",
        entity="inspection_group", entity_id=group_id, invite_id=invite_id, max_uses=max_uses,
    )  # fmt: skip
    return InspectionInvite(
        id=invite_id,
        code=code,
        group_id=group_id,
        created_by=created_by,
        created_at=now,
        expires_at=expires,
        max_uses=max_uses,
    )


async def check_invite(
    conn: aiosqlite.Connection, code: str, *, telegram_id: int, now: datetime
) -> InspectionInvite | InviteProblem:
    """The group invite a code opens for this person now, or why it does not (the same
    problems as a branch invite's)."""
    return await check_code(
        conn,
        Table("inspection_invites", InspectionInvite),
        "inspection_invite_uses",
        code,
        telegram_id=telegram_id,
        now=now,
    )


async def join(
    tx: aiosqlite.Connection,
    invite: InspectionInvite,
    *,
    telegram_id: int,
    name: str,
    now: datetime,
) -> Member | None:
    """The person joins the invite's group as an inspector; None if the invite was used up
    meanwhile (nothing is written then)."""
    if not await changed_one(
        tx,
        "UPDATE inspection_invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses",
        (invite.id,),
    ):
        return None
    member = await members.create(
        tx,
        telegram_id=telegram_id,
        name=name,
        role=Role.INSPECTOR,
        branch_id=None,
        now=now,
        detail={
            "invite_id": invite.id,
            "role": Role.INSPECTOR.value,
            "inspection_group_id": invite.group_id,
        },
    )
    await tx.execute(
        "INSERT INTO inspection_invite_uses (invite_id, telegram_id, member_id, used_at)"
        " VALUES (?, ?, ?, ?)",
        (invite.id, telegram_id, member.id, to_iso(now)),
    )
    await tx.execute(
        "INSERT INTO inspection_group_members (member_id, group_id, added_at) VALUES (?, ?, ?)",
        (member.id, invite.group_id, to_iso(now)),
    )
    return member
