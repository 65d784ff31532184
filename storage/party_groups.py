"""党小组: a branch's party groups and who is in which; a 党小组会 expects its group.

A member is in at most one group; putting them in another moves them. A group is removed,
never deleted (meetings it held keep pointing at it), and every change is audited.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel

from storage import audit, members
from storage.clock import to_iso
from storage.meetings import MeetingProblem, clean_line
from storage.rows import Table

NAME_MIN, NAME_MAX = 2, 20
GROUPS_MAX = 20


class PartyGroup(BaseModel):
    id: int
    branch_id: int
    name: str
    status: str
    created_at: datetime


async def create(
    tx: aiosqlite.Connection, *, branch_id: int, name: str, actor_id: int, now: datetime
) -> PartyGroup:
    """A new group of the branch; its name is unique among the branch's groups."""
    clean = clean_line(name, NAME_MIN, NAME_MAX, "group_name_length")
    existing = await for_branch(tx, branch_id)
    if any(group.name == clean for group in existing):
        raise MeetingProblem("group_name_taken")
    if len(existing) >= GROUPS_MAX:
        raise MeetingProblem("groups_many")
    group_id = await audit.inserted(
        tx,
        "INSERT INTO party_groups (branch_id, name, created_by, created_at) VALUES (?, ?, ?, ?)",
        (branch_id, clean, actor_id, to_iso(now)),
        at=now,
        actor_id=actor_id,
        action="party_group.created",
        entity="party_group",
        name=clean,
    )
    return PartyGroup(id=group_id, branch_id=branch_id, name=clean, status="active", created_at=now)


async def remove(
    tx: aiosqlite.Connection, group: PartyGroup, *, actor_id: int, now: datetime
) -> None:
    """The group is no more: its members are in no group; its meetings keep its name."""
    await tx.execute("DELETE FROM party_group_members WHERE group_id = ?", (group.id,))
    await tx.execute(
        "UPDATE party_groups SET status = 'removed', removed_at = ? WHERE id = ?",
        (to_iso(now), group.id),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="party_group.removed", entity="party_group",
        entity_id=group.id,
    )  # fmt: skip


async def set_member(
    tx: aiosqlite.Connection,
    group: PartyGroup,
    member_id: int,
    inside: bool,
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """Put an active member of the group's branch in the group (out of any other), or
    take them out of it."""
    if not await members.all_participate(tx, group.branch_id, [member_id]):
        raise MeetingProblem("group_member_not_in_branch")
    if inside:
        await tx.execute(
            "INSERT INTO party_group_members (member_id, group_id, added_by, added_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET"
            " group_id = excluded.group_id, added_by = excluded.added_by,"
            " added_at = excluded.added_at",
            (member_id, group.id, actor_id, to_iso(now)),
        )
    else:
        await tx.execute(
            "DELETE FROM party_group_members WHERE member_id = ? AND group_id = ?",
            (member_id, group.id),
        )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="party_group.member", entity="party_group",
        entity_id=group.id, member_id=member_id, inside=inside,
    )  # fmt: skip


_GROUPS = Table("party_groups", PartyGroup)


async def get(conn: aiosqlite.Connection, group_id: int) -> PartyGroup | None:
    """An active group, or None (removed or unknown)."""
    return await _GROUPS.first(conn, "WHERE id = ? AND status = 'active'", (group_id,))


async def for_branch(conn: aiosqlite.Connection, branch_id: int) -> list[PartyGroup]:
    return await _GROUPS.all(
        conn, "WHERE branch_id = ? AND status = 'active' ORDER BY name, id", (branch_id,)
    )


async def assignments(conn: aiosqlite.Connection, branch_id: int) -> dict[int, int]:
    """Which group each active member of the branch is in (member id → group id)."""
    rows = await conn.execute_fetchall(
        "SELECT g.member_id, g.group_id FROM party_group_members g"
        " JOIN party_groups p ON p.id = g.group_id JOIN members m ON m.id = g.member_id"
        " WHERE p.branch_id = ? AND p.status = 'active' AND m.status = 'active'",
        (branch_id,),
    )
    return {int(row[0]): int(row[1]) for row in rows}


async def member_ids(conn: aiosqlite.Connection, group_id: int) -> list[int]:
    """The group's active members: who a 党小组会 of this group expects."""
    rows = await conn.execute_fetchall(
        "SELECT g.member_id FROM party_group_members g JOIN members m ON m.id = g.member_id"
        " WHERE g.group_id = ? AND m.status = 'active' ORDER BY m.name, m.id",
        (group_id,),
    )
    return [int(row[0]) for row in rows]
