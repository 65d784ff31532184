"""Erasing a departed member's personal data, at their request, by a bureau admin.

Their name becomes a placeholder in every record (memberships, and the texts of messages
the outbox keeps), their home visits lose the student aliases, notes and photos, their
leave reasons and unfinished answers go, and the messages the bot kept for them lose
their text; what a roster import kept (phone, subject, class, notes) goes too. What the
branch's records need stays: dates, counts, pledges and service entries under the
placeholder, and the audit log by record id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage import audit, links, roster, visits
from storage.members import MEMBERS, Member
from storage.outbox import ERASED_TEXT
from storage.rows import fetch_all

ERASED_NAME_PREFIX = "已删除成员#"


class StillActive(Exception):
    """The person still belongs to a branch: only someone who left can be erased."""


@dataclass(frozen=True)
class Erased:
    placeholder: str
    visits: int
    messages: int


def erased_name(member_id: int) -> str:
    return f"{ERASED_NAME_PREFIX}{member_id}"


def is_erased(member: Member) -> bool:
    return member.name.startswith(ERASED_NAME_PREFIX)


async def departed(conn: aiosqlite.Connection) -> list[Member]:
    """People who left and have no active membership, newest membership each, not erased."""
    return await fetch_all(
        conn,
        Member,
        "SELECT * FROM members m WHERE status = 'left' AND role <> 'admin'"
        " AND name NOT LIKE ? || '%'"
        " AND id = (SELECT max(id) FROM members o WHERE o.telegram_id = m.telegram_id)"
        " ORDER BY left_at DESC, id DESC",
        (ERASED_NAME_PREFIX,),
    )


async def erase_person(
    tx: aiosqlite.Connection, member: Member, *, actor_id: int, now: datetime
) -> Erased:
    """Erase everything personal of ``member``'s account (all its memberships)."""
    rows = await MEMBERS.all(tx, "WHERE telegram_id = ?", (member.telegram_id,))
    if any(row.active for row in rows):
        raise StillActive()
    ids = [row.id for row in rows]
    marks = ",".join("?" * len(ids))
    placeholder = erased_name(member.id)
    old_names = {row.name for row in rows if not is_erased(row)}
    await tx.execute(
        f"UPDATE members SET name = ?, post = NULL WHERE id IN ({marks})", [placeholder, *ids]
    )
    erased_visits = await visits.erase_for_members(tx, ids, now)
    await roster.erase_for_members(tx, ids, placeholder)
    await links.erase_for_members(tx, ids, now)
    await tx.execute(
        f"UPDATE party_day_replies SET reason_text = NULL WHERE member_id IN ({marks})", ids
    )
    for table in ("rating_objections", "pioneer_objections"):  # their words to a 公示
        await tx.execute(
            f"UPDATE {table} SET text = ? WHERE member_id IN ({marks})", [ERASED_TEXT, *ids]
        )
    await tx.execute("DELETE FROM user_flow_data WHERE telegram_id = ?", (member.telegram_id,))
    # Messages to them: not sent any more, and their text gone.
    async with tx.execute(
        "UPDATE outbox SET text = ?, buttons = NULL, photo = NULL,"
        " status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' ELSE status END,"
        " last_error = CASE WHEN status IN ('pending', 'sending') THEN 'erased'"
        " ELSE last_error END"
        " WHERE chat_id = ? RETURNING id",
        (ERASED_TEXT, member.telegram_id),
    ) as cur:
        messages = len(list(await cur.fetchall()))
    # Messages about them to others (a join notice, a roster): the name replaced.
    for old in sorted(old_names, key=len, reverse=True):
        await tx.execute(
            "UPDATE outbox SET text = replace(text, ?, ?) WHERE instr(text, ?) > 0",
            (old, placeholder, old),
        )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="member.erased",
        entity="member",
        entity_id=member.id,
        memberships=ids,
        visits=erased_visits.records,
        **erased_visits.with_them,
        messages=messages,
    )
    return Erased(placeholder, erased_visits.records, messages)
