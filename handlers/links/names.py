"""The names the link screens show for the ids a link holds: members and branches."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from handlers.links.views import Names
from storage import branches
from storage import links as store
from storage.links import Link


async def names_for(conn: aiosqlite.Connection, links: Iterable[Link]) -> Names:
    """Every branch's name, and the names of the members ``links`` own or serve."""
    wanted: set[int] = set()
    for link in links:
        wanted.update(i for i in (link.member_id, link.target_member_id) if i is not None)
    found = await store.names_of(conn, sorted(wanted))
    branch_names = {b.id: b.name for b in await branches.list_with_counts(conn)}
    return Names(members=found, branches=branch_names)
