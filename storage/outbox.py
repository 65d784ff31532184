"""The outbox: messages the bot sends on its own, persisted before they are sent.

A reminder, digest or broadcast becomes one row per recipient with a unique dedupe key,
so enqueueing the same thing twice inserts nothing. The dispatcher (``schedules``) moves
a row through its states::

    pending --claim--> sending --> sent | failed | blocked
       ^  |               |
       |  +-- expire --> failed   (no longer useful: past ``expires_at``, never sent)
       +-- reschedule ----+   (timeouts, flood waits; and recover_in_flight after a crash)

Only a row whose request may be on its way to Telegram is ever 'sending', so a crash
leaves exactly those to repeat. Every transition records what happened (``attempts``,
``last_error``). Times are UTC ISO text, compared as strings.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import aiosqlite
from pydantic import BaseModel, TypeAdapter, model_validator

from storage.clock import to_iso
from storage.rows import JsonText, Table, fetch_all, fetch_one, insert_new

# What an erased message keeps as its text (past retention, see storage.retention).
ERASED_TEXT = "—"
_ERASED_SQL = "'" + ERASED_TEXT.replace("'", "''") + "'"

CALLBACK_DATA_MAX_BYTES = 64


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


class Button(BaseModel):
    """One inline button: either a callback (our own codec's string) or a link."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Button:
        if (self.callback_data is None) == (self.url is None):
            raise ValueError("a button needs exactly one of callback_data and url")
        # Telegram rejects longer callback data, but only when the message is sent: refuse
        # it at enqueue time so the mistake surfaces where it was made.
        if (
            self.callback_data is not None
            and len(self.callback_data.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES
        ):
            raise ValueError("callback_data is longer than 64 bytes")
        return self


Keyboard = list[list[Button]]
ButtonsInput = Sequence[Sequence[Button | Mapping[str, str]]]
_KEYBOARD = TypeAdapter(Keyboard)


class OutboxMessage(BaseModel):
    id: int
    chat_id: int
    member_id: int | None = None
    kind: str
    text: str
    buttons: Annotated[Keyboard | None, JsonText] = None
    photo: str | None = None
    dedupe_key: str
    not_before: datetime
    created_at: datetime
    status: OutboxStatus
    attempts: int = 0
    flood_waits: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    telegram_message_id: int | None = None
    expires_at: datetime | None = None
    """When it stops being worth sending (a reminder's "useful until"); None: never."""
    urgent: bool = False
    """Someone is waiting for it: the quiet hours do not hold it."""
    edit_of: int | None = None
    """An edit: the row whose message it changes (sent only once that one is sent)."""
    subject_id: int | None = None
    """What it is about, by the kind's own meaning (a notice post: the pledge)."""

    @property
    def is_group(self) -> bool:
        """Telegram gives groups and channels negative ids; people have positive ones."""
        return self.chat_id < 0


class OutboxStateError(RuntimeError):
    """An outcome was recorded for a row that is not in 'sending'."""


class OutboxCount(BaseModel):
    kind: str
    status: OutboxStatus
    count: int


async def enqueue(
    tx: aiosqlite.Connection,
    *,
    chat_id: int,
    member_id: int | None,
    kind: str,
    text: str,
    buttons: ButtonsInput | None,
    dedupe_key: str,
    not_before: datetime,
    now: datetime,
    photo: str | None = None,
    expires_at: datetime | None = None,
    urgent: bool = False,
    edit_of: int | None = None,
    subject_id: int | None = None,
) -> bool:
    """Add a message unless one with this dedupe key exists; True when a row was added.

    ``expires_at``: when the message stops being worth sending; a row still unsent then
    is given up (``expire``) rather than delivered late. ``urgent``: sent inside the
    quiet hours too. ``edit_of``: this row edits the message that row posts (its text
    and buttons replace the old ones); edits of it still waiting are superseded.
    """
    keyboard = None if buttons is None else encode_buttons(buttons)
    async with tx.execute(
        "INSERT OR IGNORE INTO outbox (chat_id, member_id, kind, text, buttons, photo,"
        " dedupe_key, not_before, created_at, expires_at, urgent, edit_of, subject_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            chat_id,
            member_id,
            kind,
            text,
            keyboard,
            photo,
            dedupe_key,
            to_iso(not_before),
            to_iso(now),
            None if expires_at is None else to_iso(expires_at),
            int(urgent),
            edit_of,
            subject_id,
        ),
    ) as cur:
        added = cur.rowcount == 1
        new_id = cur.lastrowid
    if added and edit_of is not None:
        # Only the newest edit matters: the older ones would show a state already past.
        await tx.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?"
            " WHERE edit_of = ? AND status = 'pending' AND id != ?",
            (SUPERSEDED, edit_of, new_id),
        )
    return added


SUPERSEDED = "superseded: a newer edit of the same message replaced it; not sent"


@dataclass(frozen=True)
class NewMessage:
    """A message to queue with ``enqueue_many``: what ``enqueue`` takes for a plain
    message (no edit, not urgent), its buttons already encoded (``encode_buttons``), so
    the checking happens before the writer lock is taken."""

    chat_id: int
    member_id: int | None
    kind: str
    text: str
    buttons: str | None
    dedupe_key: str
    not_before: datetime
    photo: str | None = None
    expires_at: datetime | None = None


async def enqueue_many(
    tx: aiosqlite.Connection, messages: Sequence[NewMessage], *, now: datetime
) -> set[str]:
    """Add each message unless one with its dedupe key exists, a few hundred rows per
    statement; the dedupe keys of the rows added. A row that breaks a constraint (other
    than its dedupe key) fails its whole statement: add such rows one at a time."""
    created = to_iso(now)
    # Most rows share their moments (a tick's release, an occurrence's end): formatted once.
    iso: dict[datetime | None, str | None] = {None: None}
    rows: list[tuple[object, ...]] = []
    for m in messages:
        for moment in (m.not_before, m.expires_at):
            if moment is not None and moment not in iso:
                iso[moment] = to_iso(moment)
        rows.append((m.chat_id, m.member_id, m.kind, m.text, m.buttons, m.photo, m.dedupe_key,
                     iso[m.not_before], created, iso[m.expires_at], 0))  # fmt: skip
    return await insert_new(tx, "outbox", _ENQUEUED, rows, key="dedupe_key")


_ENQUEUED = ("chat_id", "member_id", "kind", "text", "buttons", "photo", "dedupe_key",
             "not_before", "created_at", "expires_at", "urgent")  # fmt: skip


def encode_buttons(buttons: ButtonsInput) -> str:
    """Validate a keyboard and store it as compact JSON (absent actions left out)."""
    plain = _plain_keyboard(buttons)
    if plain is None:
        # Something is off: the model says what (a ValidationError), or makes it right.
        rows = [
            [Button.model_validate(b) if isinstance(b, Mapping) else b for b in row]
            for row in buttons
        ]
        plain = _KEYBOARD.dump_python(_KEYBOARD.validate_python(rows), exclude_none=True)
    return _COMPACT.encode(plain)


# One encoder for every keyboard: ``json.dumps`` with options builds a new one per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_FIELDS = frozenset(Button.model_fields)


def _plain_keyboard(buttons: ButtonsInput) -> list[list[dict[str, str]]] | None:
    """The keyboard as ``Button`` dumps it, checked by the model's own rule without
    building a model per button (the tick encodes thousands); None when any button is
    not plainly right, so that ``encode_buttons`` lets the model judge it."""
    rows: list[list[dict[str, str]]] = []
    for row in buttons:
        plain: list[dict[str, str]] = []
        for b in row:
            text: object
            if isinstance(b, Button):
                text, data, url = b.text, b.callback_data, b.url
            elif isinstance(b, Mapping) and _FIELDS.issuperset(b):
                text, data, url = b.get("text"), b.get("callback_data"), b.get("url")
            else:
                return None
            if type(text) is not str:
                return None
            if type(data) is str and url is None:
                if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
                    return None
                plain.append({"text": text, "callback_data": data})
            elif type(url) is str and data is None:
                plain.append({"text": text, "url": url})
            else:
                return None
        rows.append(plain)
    return rows


async def claim_due(
    tx: aiosqlite.Connection,
    now: datetime,
    limit: int,
    *,
    skip_chats: Collection[int] = (),
    urgent_only: bool = False,
) -> list[OutboxMessage]:
    """Mark up to ``limit`` due pending rows 'sending' (one more attempt) and return them.

    Oldest first. ``skip_chats`` leaves alone chats the caller may not send to yet, so a
    busy group does not hold back everyone queued behind it. A row past its
    ``expires_at`` is never claimed (``expire`` gives it up), nor an edit whose message
    is not sent yet. ``urgent_only``: inside the quiet hours.
    """
    moment = to_iso(now)
    # One trip to the database thread, like _finish: the dispatcher does both for every
    # message, inside the writer lock everyone's taps wait for.
    rows = await tx.execute_fetchall(
        f"""
        UPDATE outbox SET status = 'sending', attempts = attempts + 1
        WHERE id IN (
            SELECT id FROM outbox AS o
            WHERE status = 'pending' AND not_before <= ?
              AND (expires_at IS NULL OR expires_at > ?)
              AND chat_id NOT IN (SELECT value FROM json_each(?))
              AND {_EDITABLE}
              {"AND urgent = 1" if urgent_only else ""}
            ORDER BY not_before, id
            LIMIT ?
        )
        RETURNING *
        """,
        (moment, moment, json.dumps(list(skip_chats)), limit),
    )
    claimed = [OutboxMessage.model_validate(dict(row)) for row in rows]
    # RETURNING comes back in no promised order.
    return sorted(claimed, key=lambda m: (m.not_before, m.id))


# An edit can go once the message it changes is out.
_EDITABLE = (
    "(o.edit_of IS NULL OR EXISTS (SELECT 1 FROM outbox AS t"
    " WHERE t.id = o.edit_of AND t.status = 'sent'))"
)


async def edit_target(conn: aiosqlite.Connection, edit: OutboxMessage) -> int | None:
    """The Telegram id of the message an edit row changes (None: not an edit, or unsent)."""
    if edit.edit_of is None:
        return None
    target = await get(conn, edit.edit_of)
    return target.telegram_message_id if target is not None else None


async def mark_sent(
    tx: aiosqlite.Connection, message_id: int, telegram_message_id: int, now: datetime
) -> None:
    await _finish(
        tx,
        "status = 'sent', sent_at = ?, telegram_message_id = ?",
        (to_iso(now), telegram_message_id),
        message_id,
    )


async def reschedule(
    tx: aiosqlite.Connection, message_id: int, not_before: datetime, error: str
) -> None:
    """Back to pending after a transient failure; the attempt stays counted."""
    await _finish(
        tx,
        "status = 'pending', not_before = ?, last_error = ?",
        (to_iso(not_before), error),
        message_id,
    )


async def defer_for_flood(
    tx: aiosqlite.Connection, message_id: int, not_before: datetime, error: str
) -> None:
    """Back to pending after a 429: Telegram asked us to wait, the message did not fail.

    The attempt is given back and counted as a flood wait instead, which the dispatcher
    caps separately so a row cannot bounce forever.
    """
    await _finish(
        tx,
        "status = 'pending', not_before = ?, last_error = ?,"
        " attempts = MAX(attempts - 1, 0), flood_waits = flood_waits + 1",
        (to_iso(not_before), error),
        message_id,
    )


async def defer_for_outage(
    tx: aiosqlite.Connection, message_id: int, not_before: datetime, error: str
) -> None:
    """Back to pending while Telegram cannot be reached at all: the message is not at fault,
    so the attempt is given back (the dispatcher decides what an outage is)."""
    await _finish(
        tx,
        "status = 'pending', not_before = ?, last_error = ?, attempts = MAX(attempts - 1, 0)",
        (to_iso(not_before), error),
        message_id,
    )


async def retarget(tx: aiosqlite.Connection, message_id: int, chat_id: int, error: str) -> None:
    """A group became a supergroup under a new id: send there, without losing an attempt."""
    await _finish(
        tx,
        "status = 'pending', chat_id = ?, last_error = ?, attempts = MAX(attempts - 1, 0)",
        (chat_id, error),
        message_id,
    )


async def retarget_chat(tx: aiosqlite.Connection, old_chat_id: int, new_chat_id: int) -> int:
    """Rows still waiting for a group that became a supergroup go to its new id."""
    cur = await tx.execute(
        "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
        (new_chat_id, old_chat_id),
    )
    return cur.rowcount


async def mark_failed(tx: aiosqlite.Connection, message_id: int, error: str) -> None:
    await _finish(tx, "status = 'failed', last_error = ?", (error,), message_id)


async def mark_blocked(tx: aiosqlite.Connection, message_id: int, error: str) -> None:
    """The recipient blocked the bot (or removed it from the group): final for this row."""
    await _finish(tx, "status = 'blocked', last_error = ?", (error,), message_id)


async def _finish(
    tx: aiosqlite.Connection, assignments: str, params: tuple[Any, ...], message_id: int
) -> None:
    # Only a row that is being sent can have an outcome; anything else is a caller's bug.
    cur = await tx.execute(
        f"UPDATE outbox SET {assignments} WHERE id = ? AND status = 'sending'",
        (*params, message_id),
    )
    if cur.rowcount != 1:
        raise OutboxStateError(f"outbox row {message_id} is not being sent")


EXPIRED = "expired: no longer useful by the time it could be sent; not sent"


async def expire(tx: aiosqlite.Connection, now: datetime) -> list[OutboxMessage]:
    """Give up the pending rows whose ``expires_at`` has come ('failed', saying so) and
    return them: the bot was down, the quiet hours held them, or retries took too long."""
    async with tx.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?"
        " WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?"
        " RETURNING *",
        (EXPIRED, to_iso(now)),
    ) as cur:
        rows = await cur.fetchall()
    return sorted((OutboxMessage.model_validate(dict(row)) for row in rows), key=lambda m: m.id)


ORPHANED = "its message was never sent, so there is nothing to edit; not sent"


async def drop_orphaned_edits(tx: aiosqlite.Connection) -> list[OutboxMessage]:
    """Give up the pending edits whose message failed or was blocked: it never arrived."""
    async with tx.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?"
        # Row by row from the pending ones (a few), not through every message that ever
        # failed (they are kept for years): the dispatcher asks on every pass.
        " WHERE status = 'pending' AND edit_of IS NOT NULL AND EXISTS (SELECT 1 FROM"
        " outbox AS sent WHERE sent.id = outbox.edit_of AND sent.status IN ('failed', 'blocked'))"
        " RETURNING *",
        (ORPHANED,),
    ) as cur:
        rows = await cur.fetchall()
    return sorted((OutboxMessage.model_validate(dict(row)) for row in rows), key=lambda m: m.id)


MUTED = "muted: the recipient turned this kind off before it was sent; not sent"


async def withdraw_muted(tx: aiosqlite.Connection, member_id: int, kind: str) -> int:
    """The person muted ``kind``: its reminders still waiting for them (held by the quiet
    hours, or behind a backlog) are not sent after all ('failed', saying so). Only the
    reminder engine's rows, which carry ``expires_at``: what a secretary sent by hand
    cannot be muted, even where it shares the kind. Returns how many were withdrawn."""
    async with tx.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?"
        " WHERE member_id = ? AND kind = ? AND status = 'pending' AND expires_at IS NOT NULL",
        (MUTED, member_id, kind),
    ) as cur:
        return cur.rowcount


async def recover_in_flight(tx: aiosqlite.Connection) -> int:
    """Put rows a crash left in 'sending' back to pending; return how many.

    Their request may or may not have reached Telegram, so sending them again can repeat
    them: this is the one place a message is ever delivered twice.
    """
    async with tx.execute(
        "UPDATE outbox SET status = 'pending',"
        " last_error = 'interrupted while sending; sent again after restart'"
        " WHERE status = 'sending'"
    ) as cur:
        return cur.rowcount


_MESSAGES = Table("outbox", OutboxMessage)


async def get(conn: aiosqlite.Connection, message_id: int) -> OutboxMessage | None:
    return await _MESSAGES.get(conn, message_id)


async def get_by_dedupe_key(conn: aiosqlite.Connection, dedupe_key: str) -> OutboxMessage | None:
    return await _MESSAGES.first(conn, "WHERE dedupe_key = ?", (dedupe_key,))


async def list_all(conn: aiosqlite.Connection) -> list[OutboxMessage]:
    return await _MESSAGES.all(conn, "ORDER BY id")


async def next_due_at(conn: aiosqlite.Connection, *, urgent_only: bool = False) -> datetime | None:
    """When the earliest pending row (urgent row, with ``urgent_only``) becomes due
    (possibly already past). An edit waiting for its message counts as not due."""
    row = await fetch_one(
        conn,
        _Moment,
        "SELECT not_before AS at FROM outbox AS o WHERE status = 'pending'"
        f" AND {_EDITABLE} {'AND urgent = 1' if urgent_only else ''}"
        " ORDER BY not_before LIMIT 1",
    )
    return row.at if row else None


async def latest_of(conn: aiosqlite.Connection, kind: str, subject_id: int) -> OutboxMessage | None:
    """The newest row of ``kind`` about ``subject_id`` that was sent or may still be."""
    return await _MESSAGES.first(
        conn,
        "WHERE kind = ? AND subject_id = ?"
        " AND status IN ('pending', 'sending', 'sent') ORDER BY id DESC LIMIT 1",
        (kind, subject_id),
    )


class _Moment(BaseModel):
    at: datetime


async def counts(conn: aiosqlite.Connection) -> list[OutboxCount]:
    """How many rows of each kind are in each status."""
    return await fetch_all(
        conn,
        OutboxCount,
        "SELECT kind, status, COUNT(*) AS count FROM outbox"
        " GROUP BY kind, status ORDER BY kind, status",
    )


async def oldest_pending(conn: aiosqlite.Connection) -> OutboxMessage | None:
    """The pending row first in line (earliest not-before)."""
    return await _MESSAGES.first(conn, "WHERE status = 'pending' ORDER BY not_before, id LIMIT 1")


class PendingSummary(BaseModel):
    count: int
    oldest_created_at: datetime | None


async def pending_summary(conn: aiosqlite.Connection) -> PendingSummary:
    """How many rows wait to be sent, and when the oldest of them was enqueued."""
    summary = await fetch_one(
        conn,
        PendingSummary,
        "SELECT COUNT(*) AS count, MIN(created_at) AS oldest_created_at FROM outbox"
        " WHERE status = 'pending'",
    )
    assert summary is not None  # an aggregate always has a row
    return summary


async def erase_sent_before(
    tx: aiosqlite.Connection, up_to: date, now: datetime, limit: int
) -> int:
    """Retention: the text of up to ``limit`` messages that went out (or gave up) on or
    before ``up_to`` is erased; a follow-up reminder, for one, names a student. Counts
    stay."""
    # The erased text is written into the statement, not bound, so that SQLite sees the
    # condition of the partial index outbox_unerased and reads only unerased rows; "not
    # pending or sending" (sent, failed or blocked) keeps it off outbox_due's status.
    async with tx.execute(
        "UPDATE outbox SET text = ?, buttons = NULL, photo = NULL WHERE id IN"
        f" (SELECT id FROM outbox WHERE text <> {_ERASED_SQL} AND created_at < ?"
        " AND status NOT IN ('pending', 'sending') LIMIT ?)"
        " RETURNING id",
        (ERASED_TEXT, to_iso(_day_after(up_to)), limit),
    ) as cur:
        return len(list(await cur.fetchall()))


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
