"""Party branches (党支部): the unit that members, secretaries and records belong to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiosqlite
from pydantic import BaseModel, field_validator

from storage import audit, names
from storage.clock import to_iso
from storage.members import Member, Role
from storage.rows import Table, fetch_all, fetch_value

NAME_MAX = 40


class Branch(BaseModel):
    id: int
    name: str
    notice_chat_id: int | None = None
    created_at: datetime


class BranchSummary(Branch):
    member_count: int


class BranchName(BaseModel):
    """A branch name as typed by an admin: normalized like a person's name (NFKC, one
    line, single spaces), 2 to 40 characters, none of them invisible."""

    value: str

    @field_validator("value")
    @classmethod
    def _check(cls, value: str) -> str:
        value = names.normalize(value)
        if not 2 <= len(value) <= NAME_MAX or names.invisible_in(value):
            raise ValueError("length or characters")
        return value


class DuplicateBranch(Exception):
    """A branch with that name (ignoring case) already exists."""


async def create(
    tx: aiosqlite.Connection,
    name: str,
    *,
    now: datetime,
    actor_id: int | None = None,
    **detail: Any,
) -> Branch:
    """A new branch, recorded in the audit log as created by ``actor_id`` (with
    ``detail``: how, when not by hand)."""
    clean = await free_name(tx, "branches", name, DuplicateBranch)
    branch_id = await audit.inserted(
        tx,
        "INSERT INTO branches (name, created_at) VALUES (?, ?)",
        (clean, to_iso(now)),
        at=now,
        actor_id=actor_id,
        action="branch.created",
        entity="branch",
        name=clean,
        **detail,
    )
    return Branch(id=branch_id, name=clean, created_at=now)


async def free_name(
    conn: aiosqlite.Connection, table: str, name: str, taken: Callable[[str], Exception]
) -> str:
    """``name`` cleaned by the rules of a branch name (``BranchName``'s ValueError when it
    breaks them), or ``taken`` raised when a row of ``table`` has it already, ignoring
    case: branches and inspection groups are named alike."""
    clean = BranchName(value=name).value
    if await fetch_value(conn, f"SELECT 1 FROM {table} WHERE name = ? COLLATE NOCASE", (clean,)):
        raise taken(clean)
    return clean


_BRANCHES = Table("branches", Branch)


async def get(conn: aiosqlite.Connection, branch_id: int) -> Branch | None:
    return await _BRANCHES.get(conn, branch_id)


async def list_with_counts(conn: aiosqlite.Connection) -> list[BranchSummary]:
    return await fetch_all(
        conn,
        BranchSummary,
        """
        SELECT b.*, COUNT(m.id) AS member_count
        FROM branches b
        LEFT JOIN members m ON m.branch_id = b.id AND m.status = 'active'
        GROUP BY b.id ORDER BY b.name
        """,
    )


async def set_notice_chat(
    tx: aiosqlite.Connection,
    branch_id: int,
    chat_id: int | None,
    *,
    actor_id: int | None,
    now: datetime,
    **detail: Any,
) -> None:
    """Link the branch's notice chat (or unlink it, with ``None``), audited as done by
    ``actor_id`` (None: the bot itself, e.g. when a post failed), with ``detail``."""
    await tx.execute("UPDATE branches SET notice_chat_id = ? WHERE id = ?", (chat_id, branch_id))
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


async def follow_chat(
    tx: aiosqlite.Connection, old_chat_id: int, new_chat_id: int, now: datetime
) -> list[int]:
    """A group that became a supergroup has a new id: every branch whose notice chat it
    was follows it there (audited as a new link without an actor). Returns their ids."""
    followed = await with_notice_chat(tx, old_chat_id)
    for branch in followed:
        await set_notice_chat(tx, branch.id, new_chat_id, actor_id=None, now=now, migrated=True)
    return [branch.id for branch in followed]


async def with_notice_chat(conn: aiosqlite.Connection, chat_id: int) -> list[Branch]:
    """The branches whose notice chat this is (one, normally)."""
    return await _BRANCHES.all(conn, "WHERE notice_chat_id = ? ORDER BY id", (chat_id,))


async def visible_to(conn: aiosqlite.Connection, person: Member) -> list[Branch]:
    """The branches whose records ``person`` may read, by name: every one for an admin,
    their own for a secretary, the ones assigned to their group for an inspector, none
    for a member (they read only their own records)."""
    if person.role is Role.ADMIN:
        return await _BRANCHES.all(conn, "ORDER BY name, id")
    if person.role is Role.SECRETARY and person.branch_id is not None:
        own = await get(conn, person.branch_id)
        return [own] if own is not None else []
    if person.role is Role.INSPECTOR and person.active:
        return await fetch_all(
            conn,
            Branch,
            "SELECT b.* FROM inspection_group_members gm"
            " JOIN inspection_assignments a ON a.group_id = gm.group_id AND a.removed_at IS NULL"
            " JOIN branches b ON b.id = a.branch_id"
            " WHERE gm.member_id = ? AND gm.removed_at IS NULL ORDER BY b.name, b.id",
            (person.id,),
        )
    return []
