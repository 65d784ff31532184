"""督查点评 and 整改: an inspector's comment on a branch and its rectification items.

An item is ``open`` (to do, or reopened with a reason), ``done`` (the secretary answered
what was done and waits for the inspector) or ``accepted``. The moves and their rules are
here, checked before any SQL runs; every move is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import aiosqlite
from pydantic import BaseModel

from storage import audit
from storage.clock import to_iso
from storage.problems import InputProblem
from storage.rows import fetch_all, fetch_one, fetch_value, insert

COMMENT_MIN, COMMENT_MAX = 5, 1000
ITEM_MIN, ITEM_MAX = 4, 300
ANSWER_MIN, ANSWER_MAX = 4, 1000
REASON_MIN, REASON_MAX = 4, 300
MAX_ITEMS = 10
# Reminders: this many days before the deadline, and the day after it.
WARN_DAYS = 3


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    ACCEPTED = "accepted"


TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.OPEN: frozenset({ItemStatus.DONE}),
    ItemStatus.DONE: frozenset({ItemStatus.ACCEPTED, ItemStatus.OPEN}),
    ItemStatus.ACCEPTED: frozenset(),
}


class RectificationProblem(InputProblem):
    """A refused input or move; ``code`` names the message to show (``insp.problem.*``)."""


class Comment(BaseModel):
    id: int
    branch_id: int
    group_id: int
    author_id: int
    text: str
    created_at: datetime


class Item(BaseModel):
    id: int
    comment_id: int
    branch_id: int
    position: int
    text: str
    deadline: date
    status: ItemStatus
    answer: str | None = None
    answer_photo: str | None = None
    answered_by: int | None = None
    answered_at: datetime | None = None
    accepted_by: int | None = None
    accepted_at: datetime | None = None
    reopen_reason: str | None = None
    reopened_by: int | None = None
    reopened_at: datetime | None = None
    reopen_count: int = 0

    def check_move(self, target: ItemStatus) -> None:
        if target not in TRANSITIONS[self.status]:
            raise RectificationProblem(f"is_{self.status.value}")

    def overdue(self, today: date) -> bool:
        return self.status is ItemStatus.OPEN and self.deadline < today


class ItemRow(Item):
    """An item with what its screens show beside it: the comment, branch and group."""

    comment_text: str
    comment_at: datetime
    group_id: int
    group_name: str
    author_id: int
    author_name: str
    branch_name: str
    answered_by_name: str | None = None
    accepted_by_name: str | None = None


@dataclass(frozen=True)
class ItemDraft:
    """What an inspector typed for one item, checked."""

    text: str
    deadline: date


def clean_text(value: str, low: int, high: int, code: str) -> str:
    """Trimmed, one blank line at most between paragraphs, within ``low``–``high``."""
    lines = [line.strip() for line in value.strip().splitlines()]
    text = "\n".join(
        line for index, line in enumerate(lines) if line or (index and lines[index - 1])
    )
    if not low <= len(text) <= high:
        raise RectificationProblem(code)
    return text


def draft_item(text: str, deadline: date, *, today: date) -> ItemDraft:
    """An item to add: its text, and a deadline after today."""
    clean = clean_text(text, ITEM_MIN, ITEM_MAX, "item_length")
    if deadline <= today:
        raise RectificationProblem("deadline_past")
    return ItemDraft(clean, deadline)


# --------------------------------------------------------------------------- writes


async def add_comment(
    tx: aiosqlite.Connection,
    *,
    branch_id: int,
    group_id: int,
    author_id: int,
    text: str,
    items: list[ItemDraft],
    today: date,
    now: datetime,
) -> tuple[Comment, list[Item]]:
    """The comment and its items (each checked again: a deadline may have passed while
    the inspector typed)."""
    clean = clean_text(text, COMMENT_MIN, COMMENT_MAX, "comment_length")
    if len(items) > MAX_ITEMS:
        raise RectificationProblem("too_many_items")
    checked = [draft_item(item.text, item.deadline, today=today) for item in items]
    comment_id = await insert(
        tx,
        "INSERT INTO inspection_comments (branch_id, group_id, author_id, text, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (branch_id, group_id, author_id, clean, to_iso(now)),
    )
    comment = Comment(
        id=comment_id,
        branch_id=branch_id,
        group_id=group_id,
        author_id=author_id,
        text=clean,
        created_at=now,
    )
    made = []
    for position, item in enumerate(checked, start=1):
        item_id = await insert(
            tx,
            "INSERT INTO rectification_items (comment_id, branch_id, position, text, deadline)"
            " VALUES (?, ?, ?, ?, ?)",
            (comment_id, branch_id, position, item.text, item.deadline.isoformat()),
        )
        made.append(
            Item(
                id=item_id,
                comment_id=comment_id,
                branch_id=branch_id,
                position=position,
                text=item.text,
                deadline=item.deadline,
                status=ItemStatus.OPEN,
            )
        )
    await audit.record(
        tx, at=now, actor_id=author_id, action="inspection.comment", entity="inspection_comment",
        entity_id=comment_id, branch_id=branch_id, group_id=group_id,
        items=[{"id": i.id, "deadline": i.deadline.isoformat()} for i in made],
    )  # fmt: skip
    return comment, made


async def answer(
    tx: aiosqlite.Connection,
    item: Item,
    *,
    text: str,
    photo: str | None,
    actor_id: int,
    now: datetime,
) -> Item:
    """The secretary says what was done (and may show a photo): the item is done, waiting
    for the inspector to accept it."""
    item.check_move(ItemStatus.DONE)
    clean = clean_text(text, ANSWER_MIN, ANSWER_MAX, "answer_length")
    answered = {"answer": clean, "answer_photo": photo, "answered_by": actor_id, "answered_at": now}
    return await _move(
        tx, item, ItemStatus.DONE, answered, actor_id=actor_id, now=now,
        action="inspection.item_answered", photo=photo is not None,
    )  # fmt: skip


async def accept(tx: aiosqlite.Connection, item: Item, *, actor_id: int, now: datetime) -> Item:
    item.check_move(ItemStatus.ACCEPTED)
    accepted = {"accepted_by": actor_id, "accepted_at": now}
    return await _move(
        tx, item, ItemStatus.ACCEPTED, accepted, actor_id=actor_id, now=now,
        action="inspection.item_accepted",
    )  # fmt: skip


async def reopen(
    tx: aiosqlite.Connection, item: Item, *, reason: str, actor_id: int, now: datetime
) -> Item:
    """Not good enough: back to open, with the reason (the answer stays for the record)."""
    item.check_move(ItemStatus.OPEN)
    clean = clean_text(reason, REASON_MIN, REASON_MAX, "reason_length")
    count = item.reopen_count + 1
    reopened = {"reopen_reason": clean, "reopened_by": actor_id, "reopened_at": now,
                "reopen_count": count}  # fmt: skip
    return await _move(
        tx, item, ItemStatus.OPEN, reopened, actor_id=actor_id, now=now,
        action="inspection.item_reopened", reopen_count=count,
    )  # fmt: skip


async def _move(
    tx: aiosqlite.Connection,
    item: Item,
    target: ItemStatus,
    columns: dict[str, Any],
    *,
    actor_id: int,
    now: datetime,
    action: str,
    **detail: Any,
) -> Item:
    """Move the item to ``target`` with ``columns`` set, and audit it; only if nobody
    moved it meanwhile (a double tap, two inspectors). The item as it is now."""
    assignments = "".join(f", {name} = ?" for name in columns)
    values = (to_iso(value) if isinstance(value, datetime) else value for value in columns.values())
    await audit.changed(
        tx,
        f"UPDATE rectification_items SET status = ?{assignments} WHERE id = ? AND status = ?",
        (target.value, *values, item.id, item.status.value),
        missing=RectificationProblem("moved_meanwhile"),
        at=now, actor_id=actor_id, action=action, entity="rectification_item",
        entity_id=item.id, **detail,
    )  # fmt: skip
    return item.model_copy(update={"status": target, **columns})


# --------------------------------------------------------------------------- reads

_ROW = """
SELECT i.*, c.text AS comment_text, c.created_at AS comment_at, c.group_id,
       g.name AS group_name, c.author_id, au.name AS author_name, b.name AS branch_name,
       an.name AS answered_by_name, ac.name AS accepted_by_name
FROM rectification_items i
JOIN inspection_comments c ON c.id = i.comment_id
JOIN inspection_groups g ON g.id = c.group_id
JOIN members au ON au.id = c.author_id
JOIN branches b ON b.id = i.branch_id
LEFT JOIN members an ON an.id = i.answered_by
LEFT JOIN members ac ON ac.id = i.accepted_by
"""


async def get(conn: aiosqlite.Connection, item_id: int) -> ItemRow | None:
    return await fetch_one(conn, ItemRow, f"{_ROW} WHERE i.id = ?", (item_id,))


async def for_branches(
    conn: aiosqlite.Connection, branch_ids: list[int], *, unfinished_only: bool = True
) -> list[ItemRow]:
    """Items of these branches, oldest deadline first (the accepted ones too unless
    ``unfinished_only``)."""
    if not branch_ids:
        return []
    marks = ",".join("?" * len(branch_ids))
    status = "AND i.status != 'accepted'" if unfinished_only else ""
    return await fetch_all(
        conn,
        ItemRow,
        f"{_ROW} WHERE i.branch_id IN ({marks}) {status} ORDER BY i.deadline, i.id",
        branch_ids,
    )


async def for_ledger(
    conn: aiosqlite.Connection, branch_id: int, start: datetime, end: datetime
) -> list[ItemRow]:
    """The items a ledger for the moments ``start``–``end`` shows: those of comments made
    in it, and those made earlier that were still not accepted at its start."""
    since, until = to_iso(start), to_iso(end)
    return await fetch_all(
        conn,
        ItemRow,
        f"""{_ROW} WHERE i.branch_id = ? AND c.created_at < ?
        AND (c.created_at >= ? OR i.accepted_at IS NULL OR i.accepted_at >= ?)
        ORDER BY c.created_at, i.position""",
        (branch_id, until, since, since),
    )


async def open_count(conn: aiosqlite.Connection, branch_id: int) -> int:
    """Items of the branch not yet accepted."""
    value = await fetch_value(
        conn,
        "SELECT COUNT(*) FROM rectification_items WHERE branch_id = ? AND status != 'accepted'",
        (branch_id,),
    )
    return int(value or 0)


async def open_with_deadline_between(
    conn: aiosqlite.Connection, first: date, last: date
) -> list[ItemRow]:
    """Open items whose deadline falls in ``first``–``last`` (for the reminders)."""
    return await fetch_all(
        conn,
        ItemRow,
        f"{_ROW} WHERE i.status = 'open' AND i.deadline BETWEEN ? AND ? ORDER BY i.deadline, i.id",
        (first.isoformat(), last.isoformat()),
    )
