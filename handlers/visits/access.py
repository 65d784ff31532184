"""Who may see or change a home visit, decided from the database on every request.

A visit's details are for the teacher who logged it, their branch secretary and the
bureau's admins. Inspectors see counts only. Only the teacher changes a visit, and only
within the edit window.
"""

from __future__ import annotations

from datetime import datetime

from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, Refusal
from handlers.common.guards import require_branch_access, require_found
from storage import terms, visits
from storage.members import Member, Role
from storage.terms import Term
from storage.visits import HomeVisit


class CountsOnly(Refusal):
    key = "visit.counts_only"


async def current_term(context: XContext) -> Term:
    async with context.db.read() as conn:
        return await terms.term_for(conn, context.today())


async def target_term(context: XContext) -> Term:
    """The term /visittarget sets: the current one, or in a gap (August) the next."""
    async with context.db.read() as conn:
        return await terms.target_term_for(conn, context.today())


async def load(context: XContext, visit_id: int) -> HomeVisit:
    return await require_found(context, visits.get, visit_id)


def require_viewer(actor: Member, visit: HomeVisit) -> None:
    """The teacher, a secretary of the visit's branch, or an admin."""
    if actor.role is Role.INSPECTOR:
        raise CountsOnly()
    require_branch_access(actor, visit.branch_id)
    if actor.role in (Role.SECRETARY, Role.ADMIN):
        return
    if actor.id != visit.member_id:
        raise NotAllowed("visit.not_yours_to_view")


def require_owner(actor: Member, visit: HomeVisit) -> None:
    """Only the teacher who logged a visit changes it (or its follow-up)."""
    if actor.role is Role.INSPECTOR:
        raise CountsOnly()
    require_branch_access(actor, visit.branch_id)
    if actor.id != visit.member_id:
        raise NotAllowed("visit.not_yours")


def require_editable(visit: HomeVisit, now: datetime) -> None:
    if visit.withdrawn:
        raise Refusal("visit.is_withdrawn")
    if visit.locked(now):
        raise Refusal("visit.locked")
