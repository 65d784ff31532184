"""Who looks after a pledge and when: the rules the pledge handlers, the reminder engine
and the reminders' views share, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

import aiosqlite

from storage import members
from storage.members import Member, Role
from storage.pledges import Pledge

P = TypeVar("P", bound=Pledge)

REVIEW_AFTER = timedelta(days=3)
"""A submitted pledge waiting longer than this is overdue: its reviewers are reminded."""
REVIEW_REPEAT = timedelta(days=7)
"""While it still waits, the reminder comes again this often."""
STALE_AFTER = timedelta(days=30)
"""A published pledge without progress for this long: its owner is reminded."""


def may_review(person: Member, pledge: Pledge) -> bool:
    """Whether this person may review or evaluate the pledge: the bureau's admins, or its
    branch's secretary; never its own maker."""
    if pledge.member_id == person.id:
        return False
    if person.role is Role.ADMIN:
        return True
    return person.role is Role.SECRETARY and person.branch_id == pledge.branch_id


def looking_after(
    branch_id: int,
    secretaries: Sequence[Member],
    admins: Sequence[Member],
    *,
    besides: int | None = None,
) -> list[Member]:
    """Who looks after a branch's pledges: its secretaries (but ``besides``), or the
    bureau's admins when there is no one else."""
    found = [s for s in secretaries if s.branch_id == branch_id and s.id != besides]
    return found or list(admins)


def asked_to_review(
    pledge: Pledge, secretaries: Sequence[Member], admins: Sequence[Member]
) -> list[Member]:
    """Who is asked to review or evaluate the pledge (told when it comes, reminded while
    it waits): its branch's secretaries other than its maker, else the admins (a branch
    without a secretary, a lone secretary's own pledge)."""
    return looking_after(pledge.branch_id, secretaries, admins, besides=pledge.member_id)


async def reviewers(conn: aiosqlite.Connection, pledge: Pledge) -> list[Member]:
    """``asked_to_review`` for one pledge, read from the members table."""
    return await branch_overseers(conn, pledge.branch_id, besides=pledge.member_id)


async def branch_overseers(
    conn: aiosqlite.Connection, branch_id: int, *, besides: int | None = None
) -> list[Member]:
    """``looking_after`` the branch, read from the members table."""
    found = looking_after(
        branch_id, await members.secretaries(conn, branch_id), [], besides=besides
    )
    return found or await members.admins(conn)


async def asked_of(conn: aiosqlite.Connection, person_id: int, pledges: Sequence[P]) -> list[P]:
    """Those of these pledges that this person is asked to review or evaluate."""
    admins = await members.admins(conn)
    by_branch: dict[int, list[Member]] = {}
    found = []
    for pledge in pledges:
        if pledge.branch_id not in by_branch:
            by_branch[pledge.branch_id] = await members.secretaries(conn, pledge.branch_id)
        asked = asked_to_review(pledge, by_branch[pledge.branch_id], admins)
        if any(person.id == person_id for person in asked):
            found.append(pledge)
    return found
