"""公示 and its objections, shared by the star rating and the pioneers round: opening the
notice, raising and answering an objection, closing the notice (the round is final).

Each evaluation names its tables, audit actions and problem type once in an
``ObjectionKind``; the rules (the notice's days, 1–1000 characters, answered once, final
only after the notice with every objection answered) are written here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel

from storage import audit
from storage.clock import to_iso
from storage.problems import InputProblem
from storage.rows import fetch_all, fetch_one, insert

TEXT_MAX = 1000


@dataclass(frozen=True)
class ObjectionKind:
    """Where one evaluation keeps its notice and objections, and how it names them."""

    rounds: str  # the rounds' table: its status, published_at, notice_ends_on, finalized_at
    table: str  # the objections' table
    subject: str  # the objections' column naming what is objected to
    of_round: str  # SQL after the select: the objections of the round in ``?``
    action: str  # the audit actions' prefix
    round_entity: str  # the audit entity of a round
    subject_entity: str  # the audit entity an objection is recorded against
    entity: str  # the audit entity of an objection (its answer)
    problem: type[InputProblem]  # the evaluation's refusal, built from a code
    length_code: str  # the refusal of an empty or too long text


class Objection(BaseModel):
    """An objection; ``subject_id`` is the branch rating (star rating) or the round
    (pioneers) it was raised against."""

    id: int
    subject_id: int
    member_id: int
    member_name: str
    text: str
    at: datetime
    answer: str | None = None
    answered_by: int | None = None
    answered_at: datetime | None = None


class LedgerObjection(BaseModel):
    """An objection as the branch's 台账 shows it: never who raised it (the bot tells
    only the admins), the rest as it stands."""

    at: datetime
    about: str  # 'rating' (the branch's tier) or 'pioneers' (a round's list)
    year: int  # the rating's school year, or the pioneers round's year
    title: str | None  # the pioneers round's title
    tier: str | None  # the branch's tier in the rating, as it stands
    text: str | None  # None: withheld (only the bureau's copy has the words)
    answered_by: str | None
    answer: str | None
    answered_at: datetime | None


class NoticeRound(BaseModel):
    """A round that goes through 公示 (both evaluations' rounds are one): what the notice
    needs of it and stamps on it. Each evaluation's round gives its own statuses."""

    id: int
    status: str
    published_at: datetime | None = None
    notice_ends_on: date | None = None
    finalized_at: datetime | None = None

    def in_notice(self, today: date) -> bool:
        """Published, and the notice's last day not past."""
        ends = self.notice_ends_on
        return self.status == "published" and (ends is None or today <= ends)


# --------------------------------------------------------------------------- reads


async def of_round(
    conn: aiosqlite.Connection, kind: ObjectionKind, round_id: int
) -> list[Objection]:
    return await fetch_all(
        conn, Objection, f"{_select(kind)} {kind.of_round} ORDER BY o.id", (round_id,)
    )


async def get(
    conn: aiosqlite.Connection, kind: ObjectionKind, objection_id: int
) -> Objection | None:
    return await fetch_one(conn, Objection, f"{_select(kind)} WHERE o.id = ?", (objection_id,))


async def for_ledger(
    conn: aiosqlite.Connection,
    branch_id: int,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    *,
    texts: bool,
) -> list[LedgerObjection]:
    """The objections raised from ``start`` until before ``end`` that belong to the
    branch's records: those against its star rating, and, with ``texts`` (the bureau's
    copy), those its own members raised against a pioneers list.

    Without ``texts`` (a secretary's or an inspector's copy) the words of an objection
    and of its answer are withheld, and the pioneers ones left out: in a branch of a few
    people the words, or the mere fact that someone there objected to the bureau's list,
    would name the objector, whom the bot tells only the admins."""
    since, until = to_iso(start), to_iso(end)
    found = await fetch_all(
        conn,
        LedgerObjection,
        """
        SELECT o.at, 'rating' AS about, rr.school_year AS year, NULL AS title, br.tier,
               o.text, a.name AS answered_by, o.answer, o.answered_at
        FROM branch_ratings br
        JOIN rating_rounds rr ON rr.id = br.round_id
        JOIN rating_objections o ON o.rating_id = br.id
        LEFT JOIN members a ON a.id = o.answered_by
        WHERE br.branch_id = ? AND o.at >= ? AND o.at < ?
        UNION ALL
        SELECT o.at, 'pioneers', pr.year, pr.title, NULL,
               o.text, a.name, o.answer, o.answered_at
        FROM pioneer_objections o
        JOIN members m ON m.id = o.member_id
        JOIN pioneer_rounds pr ON pr.id = o.round_id
        LEFT JOIN members a ON a.id = o.answered_by
        WHERE m.branch_id = ? AND o.at >= ? AND o.at < ?
        ORDER BY 1
        """,
        (branch_id, since, until, branch_id, since, until),
    )
    for row in found:  # the 台账 shows local wall time
        row.at = row.at.astimezone(zone)
        row.answered_at = row.answered_at.astimezone(zone) if row.answered_at else None
        if not texts:
            row.text = row.answered_by = row.answer = None
    return found if texts else [row for row in found if row.about == "rating"]


def _select(kind: ObjectionKind) -> str:
    return (
        f"SELECT o.id, o.{kind.subject} AS subject_id, o.member_id, m.name AS member_name,"
        " o.text, o.at, o.answer, o.answered_by, o.answered_at"
        f" FROM {kind.table} o JOIN members m ON m.id = o.member_id"
    )


# --------------------------------------------------------------------------- steps


async def publish(
    tx: aiosqlite.Connection,
    kind: ObjectionKind,
    round_id: int,
    *,
    from_status: str,
    ends_on: date,
    actor_id: int,
    now: datetime,
) -> None:
    """公示 opens until ``ends_on`` (the caller checked the round may be published)."""
    await tx.execute(
        f"UPDATE {kind.rounds} SET status = 'published', published_at = ?, notice_ends_on = ?"
        " WHERE id = ? AND status = ?",
        (to_iso(now), ends_on.isoformat(), round_id, from_status),
    )
    await _audit(
        tx, kind, "published", kind.round_entity, round_id, actor_id, now, until=ends_on.isoformat()
    )


async def raise_objection(
    tx: aiosqlite.Connection,
    kind: ObjectionKind,
    round_: NoticeRound,
    subject_id: int,
    text: str,
    *,
    member_id: int,
    today: date,
    now: datetime,
) -> int:
    """An objection against ``subject_id``, during the notice only; its id."""
    if not round_.in_notice(today):
        raise kind.problem("not_in_notice")
    text = _checked(kind, text)
    objection_id = await insert(
        tx,
        f"INSERT INTO {kind.table} ({kind.subject}, member_id, text, at) VALUES (?, ?, ?, ?)",
        (subject_id, member_id, text, to_iso(now)),
    )
    await _audit(
        tx,
        kind,
        "objection",
        kind.subject_entity,
        subject_id,
        member_id,
        now,
        objection=objection_id,
    )
    return objection_id


async def answer(
    tx: aiosqlite.Connection,
    kind: ObjectionKind,
    objection: Objection,
    text: str,
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """The bureau's answer, given once."""
    if objection.answer is not None:
        raise kind.problem("already_answered")
    text = _checked(kind, text)
    await tx.execute(
        f"UPDATE {kind.table} SET answer = ?, answered_by = ?, answered_at = ?"
        " WHERE id = ? AND answer IS NULL",
        (text, actor_id, to_iso(now), objection.id),
    )
    await _audit(tx, kind, "objection_answered", kind.entity, objection.id, actor_id, now)


async def finalize(
    tx: aiosqlite.Connection,
    kind: ObjectionKind,
    round_: NoticeRound,
    *,
    today: date,
    actor_id: int,
    now: datetime,
) -> None:
    """The round is final: refused while the notice runs or an objection is unanswered
    (the caller refused a round that was never published)."""
    if round_.status == "final":
        raise kind.problem("round_final")
    if round_.notice_ends_on is not None and today <= round_.notice_ends_on:
        raise kind.problem("notice_running", until=round_.notice_ends_on.isoformat())
    waiting = [o for o in await of_round(tx, kind, round_.id) if o.answer is None]
    if waiting:
        raise kind.problem("objections_open", count=len(waiting))
    await tx.execute(
        f"UPDATE {kind.rounds} SET status = 'final', finalized_at = ? WHERE id = ?",
        (to_iso(now), round_.id),
    )
    await _audit(tx, kind, "final", kind.round_entity, round_.id, actor_id, now)


def _checked(kind: ObjectionKind, text: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= TEXT_MAX:
        raise kind.problem(kind.length_code)
    return text


async def _audit(
    tx: aiosqlite.Connection,
    kind: ObjectionKind,
    step: str,
    entity: str,
    entity_id: int,
    actor_id: int,
    now: datetime,
    **detail: Any,
) -> None:
    """``<kind.action>.<step>``, e.g. ``rating.objection``: the actions both evaluations
    have always recorded."""
    action = f"{kind.action}.{step}"
    await audit.record(
        tx, at=now, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id, **detail
    )
