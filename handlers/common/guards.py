"""Guards turn a raw update into what a handler needs, or raise a `Refusal`.

Handlers call these instead of checking roles by hand; the role always comes from the
database (loaded by ``identify``), never from the button that was pressed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiosqlite
from telegram import Chat, Update

from handlers.common.callback import BadCallbackData, Callback, decode
from handlers.common.context import XContext
from handlers.common.errors import (
    BadButton,
    NotAllowed,
    NotFound,
    NotRegistered,
    OtherBranch,
    PrivateOnly,
)
from storage.members import BranchMember, Member, Role, Secretary

Row = TypeVar("Row")


def require_member(context: XContext) -> Member:
    """Anyone the bot knows (member, secretary, admin or inspector)."""
    if context.member is None:
        raise NotRegistered()
    return context.member


def require_role(context: XContext, *roles: Role) -> Member:
    member = require_member(context)
    if member.role not in roles:
        raise NotAllowed()
    return member


def require_branch_person(context: XContext) -> BranchMember:
    """A member or secretary of a branch: someone who logs their own records."""
    person = BranchMember.of(require_role(context, Role.MEMBER, Role.SECRETARY))
    if person is None:
        raise NotAllowed()
    return person


def require_secretary(context: XContext) -> Secretary:
    """A branch's secretary, with their branch."""
    secretary = Secretary.of(require_role(context, Role.SECRETARY))
    if secretary is None:
        raise NotAllowed()
    return secretary


def require_admin(context: XContext) -> Member:
    return require_role(context, Role.ADMIN)


def require_secretary_or_admin(context: XContext) -> Member:
    return require_role(context, Role.SECRETARY, Role.ADMIN)


def require_branch_access(actor: Member, branch_id: int | None) -> None:
    """Admins see every branch; everyone else only their own."""
    if actor.role is Role.ADMIN:
        return
    if actor.branch_id is None or actor.branch_id != branch_id:
        raise OtherBranch()


async def require_found(
    context: XContext, read: Callable[[aiosqlite.Connection, int], Awaitable[Row | None]], key: int
) -> Row:
    """What ``read`` finds by ``key`` (a pledge, a visit, a meeting); ``NotFound`` when the
    button or command points at something that is gone."""
    async with context.db.read() as conn:
        found = await read(conn, key)
    if found is None:
        raise NotFound()
    return found


def require_private(update: Update) -> None:
    if update.effective_chat is None or update.effective_chat.type != Chat.PRIVATE:
        raise PrivateOnly()


def parse_callback(update: Update, prefix: str | None = None) -> Callback:
    """The pressed button's data, decoded; forged or malformed data is refused politely."""
    query = update.callback_query
    if query is None:
        raise BadButton()
    try:
        data = decode(query.data)
    except BadCallbackData as exc:
        raise BadButton() from exc
    if prefix is not None and data.prefix != prefix:
        raise BadButton()
    return data
