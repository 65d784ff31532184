"""People and their roles: members, branch secretaries, bureau admins and inspectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

import aiosqlite
from pydantic import BaseModel, field_validator

from storage import audit, names
from storage.clock import to_iso
from storage.database import Database
from storage.rows import Table, changed_one, fetch_value, insert


class Role(StrEnum):
    MEMBER = "member"
    SECRETARY = "secretary"
    ADMIN = "admin"
    INSPECTOR = "inspector"


class Member(BaseModel):
    id: int
    telegram_id: int
    name: str
    role: Role
    branch_id: int | None
    post: str | None = None
    status: str = "active"
    unreachable_at: datetime | None = None
    joined_at: datetime
    left_at: datetime | None = None

    @property
    def is_secretary(self) -> bool:
        return self.role is Role.SECRETARY

    @property
    def active(self) -> bool:
        return self.status == "active"


class BranchMember(Member):
    """Someone of a branch (a member or its secretary), so ``branch_id`` is known: what
    the guards hand to handlers, which then need not check it again."""

    branch_id: int

    @classmethod
    def of(cls, member: Member) -> Self | None:
        """The same person as this type, or None when they belong to no branch."""
        if member.branch_id is None:
            return None
        return cls.model_validate(member.model_dump())


class Secretary(BranchMember):
    """A branch's secretary (``require_secretary`` checked the role)."""


class PersonName(BaseModel):
    """A real name as written: 2–20 letters (any script), spaces or the middle dot, and
    nothing invisible or decorative (see ``storage.names``; a member's own name, taken
    when joining, is also refused with a role word in it: ``names.person_name``)."""

    value: str

    @field_validator("value")
    @classmethod
    def _check(cls, value: str) -> str:
        return names.written_name(value)


MEMBERS = Table("members", Member)


async def get(conn: aiosqlite.Connection, member_id: int) -> Member | None:
    return await MEMBERS.get(conn, member_id)


async def get_active_by_telegram(conn: aiosqlite.Connection, telegram_id: int) -> Member | None:
    return await MEMBERS.first(conn, "WHERE telegram_id = ? AND status = 'active'", (telegram_id,))


async def identity(
    conn: aiosqlite.Connection, telegram_id: int
) -> tuple[Member | None, str | None]:
    """The person's active membership and chosen language, in one query: every update
    asks for both."""
    rows = await conn.execute_fetchall(
        "SELECT p.language AS chosen_language, m.* FROM (SELECT ? AS telegram_id) AS asked"
        " LEFT JOIN members m ON m.telegram_id = asked.telegram_id AND m.status = 'active'"
        " LEFT JOIN user_prefs p ON p.telegram_id = asked.telegram_id",
        (telegram_id,),
    )
    row = next(iter(rows))  # the one-row subquery always gives a row
    values = dict(zip(row.keys()[1:], tuple(row)[1:], strict=True))
    language = None if row[0] is None else str(row[0])
    return (Member.model_validate(values) if values["id"] is not None else None), language


class Identities:
    """``identity`` for every update, answered from memory while no committed write has
    touched members or user_prefs since it was read (any such write forgets them all:
    they are rare next to the updates that ask)."""

    TABLES = ("members", "user_prefs")
    LIMIT = 10_000
    """At most this many people kept; past it all are forgotten (memory stays flat)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._versions: tuple[int, ...] | None = None
        self._kept: dict[int, tuple[Member | None, str | None]] = {}

    async def get(self, telegram_id: int) -> tuple[Member | None, str | None]:
        versions = self._db.versions(self.TABLES)
        if versions != self._versions:
            self._kept.clear()
            self._versions = versions
        found = self._kept.get(telegram_id)
        if found is not None:
            return found
        async with self._db.read() as conn:
            found = await identity(conn, telegram_id)
        # Kept only if nothing was committed to those tables meanwhile (the versions are
        # counted after each commit, so a read that saw an older row never stays).
        if versions is not None and self._db.versions(self.TABLES) == versions:
            if len(self._kept) >= self.LIMIT:
                self._kept.clear()
            self._kept[telegram_id] = found
        return found


async def create(
    tx: aiosqlite.Connection,
    *,
    telegram_id: int,
    name: str,
    role: Role,
    branch_id: int | None,
    now: datetime,
    action: str = "member.joined",
    detail: Mapping[str, Any] | None = None,
) -> Member:
    """A new member, recorded in the audit log as ``action`` by the person themselves
    (``detail``: what let them in)."""
    member_id = await insert(
        tx,
        "INSERT INTO members (telegram_id, name, role, branch_id, joined_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (telegram_id, name, role.value, branch_id, to_iso(now)),
    )
    await _record(tx, member_id, now=now, actor_id=member_id, action=action, **(detail or {}))
    return Member(
        id=member_id,
        telegram_id=telegram_id,
        name=name,
        role=role,
        branch_id=branch_id,
        joined_at=now,
    )


async def list_branch(
    conn: aiosqlite.Connection, branch_id: int, *, include_left: bool = False
) -> list[Member]:
    status = "" if include_left else "AND status = 'active'"
    return await MEMBERS.all(
        conn,
        f"WHERE branch_id = ? {status}"
        " ORDER BY status, CASE role WHEN 'secretary' THEN 0 ELSE 1 END, name",
        (branch_id,),
    )


def participating(alias: str = "") -> str:
    """The SQL condition "takes part in their branch" (its meetings, party days, reminders
    and the secretary's counts): an active member or secretary, not an admin or inspector.
    ``alias``: the members table's alias in the query, if it has one."""
    column = f"{alias}." if alias else ""
    return f"{column}status = 'active' AND {column}role IN ('member', 'secretary')"


async def participants(conn: aiosqlite.Connection, branch_id: int) -> list[Member]:
    """Who takes part in a branch's meetings and party days: its active members and
    secretaries, secretaries first."""
    return await MEMBERS.all(
        conn,
        f"WHERE branch_id = ? AND {participating()}"
        " ORDER BY CASE role WHEN 'secretary' THEN 0 ELSE 1 END, name, id",
        (branch_id,),
    )


async def all_participate(conn: aiosqlite.Connection, branch_id: int, ids: Iterable[int]) -> bool:
    """Whether every one of ``ids`` takes part in the branch (see ``participants``)."""
    wanted = set(ids)
    if not wanted:
        return True
    marks = ",".join("?" * len(wanted))
    count = await fetch_value(
        conn,
        f"SELECT COUNT(*) FROM members WHERE id IN ({marks}) AND branch_id = ?"
        f" AND {participating()}",
        (*wanted, branch_id),
    )
    return int(count or 0) == len(wanted)


async def secretaries(conn: aiosqlite.Connection, branch_id: int) -> list[Member]:
    return await MEMBERS.all(
        conn,
        "WHERE branch_id = ? AND role = 'secretary' AND status = 'active' ORDER BY id",
        (branch_id,),
    )


async def name_clash(conn: aiosqlite.Connection, name: str, branch_id: int | None) -> str | None:
    """The name already in use that ``name`` would look like: someone active in the same
    branch, or a bureau admin (who writes to every branch). None if it is free."""
    rows = await conn.execute_fetchall(
        "SELECT name FROM members WHERE status = 'active' AND (branch_id = ? OR role = 'admin')",
        (branch_id,),
    )
    return next((str(row[0]) for row in rows if names.same_name(str(row[0]), name)), None)


async def admins(conn: aiosqlite.Connection) -> list[Member]:
    return await with_roles(conn, Role.ADMIN)


async def with_roles(conn: aiosqlite.Connection, *roles: Role) -> list[Member]:
    """Every active person holding one of ``roles``, across all branches."""
    marks = ",".join("?" * len(roles))
    return await MEMBERS.all(
        conn,
        f"WHERE role IN ({marks}) AND status = 'active' ORDER BY id",
        [role.value for role in roles],
    )


async def mark_left(
    tx: aiosqlite.Connection,
    member_id: int,
    /,
    *,
    now: datetime,
    actor_id: int | None = None,
    action: str = "member.removed",
    entity: str = "member",
    entity_id: int | None = None,
    **detail: Any,
) -> bool:
    """The member leaves (the row stays, marked left), recorded in the audit log as
    ``action`` by ``actor_id`` (None: the bot itself) on the member, or on the record a
    caller names when that says more (the inspection group an inspector leaves).

    False, with nothing written, when they were no longer active: a second press of a
    removal, or two people removing them at once, records one removal."""
    if not await changed_one(
        tx,
        "UPDATE members SET status = 'left', left_at = ? WHERE id = ? AND status = 'active'",
        (to_iso(now), member_id),
    ):
        return False
    where = member_id if entity_id is None else entity_id
    await _record(tx, where, now=now, actor_id=actor_id, action=action, entity=entity, **detail)
    return True


async def set_unreachable(tx: aiosqlite.Connection, telegram_id: int, at: datetime | None) -> None:
    """Mark (or clear, with ``None``) that Telegram refuses messages to this person."""
    await tx.execute(
        "UPDATE members SET unreachable_at = ? WHERE telegram_id = ? AND status = 'active'",
        (None if at is None else to_iso(at), telegram_id),
    )


async def set_post(
    tx: aiosqlite.Connection, member_id: int, post: str | None, *, now: datetime
) -> None:
    """The member's post (职务), as they set it themselves (audited)."""
    await tx.execute("UPDATE members SET post = ? WHERE id = ?", (post, member_id))
    await _record(tx, member_id, now=now, actor_id=member_id, action="member.post_set", post=post)


async def set_role(
    tx: aiosqlite.Connection, member_id: int, role: Role, /, *, now: datetime, **detail: Any
) -> None:
    """The member takes a new role through an invite they redeemed themselves (audited as
    their promotion, with ``detail``)."""
    await tx.execute("UPDATE members SET role = ? WHERE id = ?", (role.value, member_id))
    await _record(tx, member_id, now=now, actor_id=member_id, action="member.promoted", **detail)


async def _record(
    tx: aiosqlite.Connection,
    entity_id: int,
    /,
    *,
    now: datetime,
    actor_id: int | None,
    action: str,
    entity: str = "member",
    **detail: Any,
) -> None:
    await audit.record(
        tx, at=now, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id, **detail
    )
