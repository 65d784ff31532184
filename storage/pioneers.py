"""Choosing the pioneers (评选先锋): a round, its jury, nominations, secret ballots, the
bureau's confirmation, 公示 with objections, and the honours record.

Every step checks the round's phase and refuses what is out of order with a
``PioneerProblem`` naming the missing step (rules in ``storage.pioneer_rules``). A
nominee's record for the year (``record``) is worked out from the records each time it
is shown, never copied. Ballots are cast once (triggers refuse a change) and their
counts are read only once the jury's window has closed (``results``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel

from storage import audit, members, points
from storage import objections as objection_store
from storage.clock import to_iso
from storage.links import last_on
from storage.members import Role
from storage.objections import ObjectionKind
from storage.pioneer_rules import (
    PHOTOS_MAX,
    Cut,
    Phase,
    PioneerProblem,
    Windows,
    check_ballot,
    check_deeds,
    check_numbers,
    check_reason,
    check_tie_decision,
    check_title,
    cut,
    deciders,
    tally,
)
from storage.rows import JsonText, fetch_all, fetch_one, fetch_value, insert, required


class RoundStatus(StrEnum):
    OPEN = "open"  # nominations, then the jury's vote
    CONFIRMED = "confirmed"  # the bureau confirmed the list
    PUBLISHED = "published"  # 公示: objections may be sent
    FINAL = "final"  # the honours record


class NominationStatus(StrEnum):
    PENDING = "pending"  # a self-nomination waiting for the secretary
    NOMINATED = "nominated"
    DECLINED = "declined"


class Round(objection_store.NoticeRound):
    year: int
    title: str
    quota: int
    branch_cap: int
    nominate_from: date
    nominate_until: date
    vote_from: date
    vote_until: date
    status: RoundStatus
    tie_reason: str | None = None
    opened_at: datetime
    confirmed_at: datetime | None = None

    @property
    def windows(self) -> Windows:
        return Windows(self.nominate_from, self.nominate_until, self.vote_from, self.vote_until)

    def phase(self, today: date) -> Phase:
        return self.windows.phase(today)


class Nomination(BaseModel):
    id: int
    round_id: int
    branch_id: int
    branch_name: str
    member_id: int
    member_name: str
    nominated_by: int
    self_nominated: bool
    deeds: str
    photos: Annotated[list[str], JsonText] = []
    status: NominationStatus
    decline_reason: str | None = None
    created_at: datetime
    tie_in: bool | None = None
    selected: bool | None = None


# 公示 objections are raised against the round's list (storage.objections).
OBJECTIONS = ObjectionKind(
    rounds="pioneer_rounds",
    table="pioneer_objections",
    subject="round_id",
    of_round="WHERE o.round_id = ?",
    action="pioneers",
    round_entity="pioneer_round",
    subject_entity="pioneer_round",
    entity="pioneer_objection",
    problem=PioneerProblem,
    length_code="text_length",
)


class Waiting(BaseModel):
    """A self-nomination waiting for endorsement in an open round, with the round's
    nomination window: what the daily reminder to its deciders is made of."""

    id: int
    round_id: int
    branch_id: int
    member_id: int
    created_at: datetime
    nominate_from: date
    nominate_until: date


class Honour(BaseModel):
    year: int
    title: str
    round_id: int
    branch_id: int
    member_id: int
    member_name: str


@dataclass
class PledgeLine:
    text: str
    status: str
    rating: str | None


@dataclass
class NomineeRecord:
    """What a nomination carries: the nominee's year, from the records as they stand."""

    points: float = 0.0
    by_source: dict[str, float] = field(default_factory=dict)
    pledges: list[PledgeLine] = field(default_factory=list)
    visits: int = 0
    service_hours: float = 0.0
    meetings: int = 0
    links: int = 0
    contacts: int = 0


# --------------------------------------------------------------------------- reads


async def latest_round(conn: aiosqlite.Connection) -> Round | None:
    return await fetch_one(conn, Round, f"{_ROUND} ORDER BY year DESC LIMIT 1")


async def get_round(conn: aiosqlite.Connection, round_id: int) -> Round | None:
    return await fetch_one(conn, Round, f"{_ROUND} WHERE id = ?", (round_id,))


async def rounds_between(conn: aiosqlite.Connection, first: int, last: int) -> list[Round]:
    return await fetch_all(
        conn, Round, f"{_ROUND} WHERE year BETWEEN ? AND ? ORDER BY year", (first, last)
    )


async def jurors(conn: aiosqlite.Connection, round_id: int) -> list[int]:
    rows = await conn.execute_fetchall(
        "SELECT member_id FROM pioneer_jurors WHERE round_id = ? ORDER BY member_id", (round_id,)
    )
    return [int(r[0]) for r in rows]


async def nominations(
    conn: aiosqlite.Connection,
    round_id: int,
    *,
    branch_id: int | None = None,
    live: bool = False,
) -> list[Nomination]:
    """The round's nominations (of one branch), in the order they were made; ``live``:
    only those in the list (not pending, not declined)."""
    sql = f"{_NOMINATION} WHERE n.round_id = ?"
    params: list[Any] = [round_id]
    if branch_id is not None:
        sql += " AND n.branch_id = ?"
        params.append(branch_id)
    if live:
        sql += " AND n.status = 'nominated'"
    return await fetch_all(conn, Nomination, sql + " ORDER BY n.id", params)


async def decided_by(
    conn: aiosqlite.Connection, person_id: int, found: Sequence[Nomination]
) -> set[int]:
    """Those of ``found`` waiting for this person's endorsement (``deciders``), from one
    read of the secretaries and one of the admins."""
    pending = [n for n in found if n.status is NominationStatus.PENDING]
    if not pending:
        return set()
    secretaries = await members.with_roles(conn, Role.SECRETARY)
    admins = await members.admins(conn)
    return {
        n.id
        for n in pending
        if any(d.id == person_id for d in deciders(n.branch_id, n.member_id, secretaries, admins))
    }


async def get_nomination(conn: aiosqlite.Connection, nomination_id: int) -> Nomination | None:
    return await fetch_one(conn, Nomination, f"{_NOMINATION} WHERE n.id = ?", (nomination_id,))


async def waiting_endorsement(conn: aiosqlite.Connection) -> list[Waiting]:
    """Every self-nomination waiting for endorsement in an open round (a round a year:
    a handful of rows: the rounds first, then their nominations by the round's index)."""
    return await fetch_all(
        conn,
        Waiting,
        "SELECT n.id, n.round_id, n.branch_id, n.member_id, n.created_at, r.nominate_from,"
        " r.nominate_until FROM pioneer_rounds r CROSS JOIN pioneer_nominations n"
        " ON n.round_id = r.id AND n.status = 'pending' WHERE r.status = 'open'"
        " ORDER BY r.id, n.id",
    )


async def ballots_cast(conn: aiosqlite.Connection, round_id: int) -> int:
    """How many jurors voted: a count, never what they chose."""
    found = await fetch_value(
        conn, "SELECT count(*) FROM pioneer_ballots WHERE round_id = ?", (round_id,)
    )
    return int(found or 0)


async def has_voted(conn: aiosqlite.Connection, round_id: int, juror_id: int) -> bool:
    found = await fetch_value(
        conn,
        "SELECT 1 FROM pioneer_ballots WHERE round_id = ? AND juror_id = ?",
        (round_id, juror_id),
    )
    return found is not None


async def results(conn: aiosqlite.Connection, round_: Round, *, today: date) -> Cut:
    """The ballots counted and cut at the quota: refused while the jury's window runs, so
    no tally is seen before it closes."""
    if round_.status is RoundStatus.OPEN and round_.phase(today) is not Phase.CLOSED:
        raise PioneerProblem("votes_secret", until=round_.vote_until.isoformat())
    rows = await conn.execute_fetchall(
        "SELECT ranking FROM pioneer_ballots WHERE round_id = ? ORDER BY id", (round_.id,)
    )
    ballots = [[int(n) for n in json.loads(r[0])] for r in rows]
    live = [n.id for n in await nominations(conn, round_.id, live=True)]
    return cut(live, tally(ballots, round_.quota), round_.quota)


async def honours(conn: aiosqlite.Connection, member_id: int) -> list[Honour]:
    """The final lists this person is on, newest first."""
    return await fetch_all(
        conn, Honour, f"{_HONOUR} AND n.member_id = ? ORDER BY r.year DESC", (member_id,)
    )


async def record(
    conn: aiosqlite.Connection, member_id: int, branch_id: int, year: int, *, zone: ZoneInfo
) -> NomineeRecord:
    """The nominee's calendar year from the records as they stand now: points (rules in
    force), pledges and their evaluations, visits, service hours, meetings, links."""
    found = NomineeRecord()
    earned = await points.member_year(conn, member_id, year, zone=zone)
    if earned is not None:
        found.points = earned.total
        found.by_source = earned.by_source()
    span = points.Span(branch_id, date(year, 1, 1), date(year, 12, 31), zone, member_id)
    for name, source in points.SOURCES.items():
        if name not in ("home_visit", "service_hours", "meeting", "link_contact"):
            continue
        mine = [raw for raw in await source.gather(conn, span) if raw.member_id == member_id]
        if name == "home_visit":
            found.visits = len(mine)
        elif name == "service_hours":
            found.service_hours = round(sum(raw.units for raw in mine), 1)
        elif name == "meeting":
            found.meetings = len(mine)
        else:
            found.contacts = len(mine)
    rows = await conn.execute_fetchall(
        "SELECT text, status, rating FROM pledges WHERE member_id = ? AND period LIKE ?"
        " AND status NOT IN ('draft', 'withdrawn') ORDER BY id",
        (member_id, f"{year}%"),
    )
    found.pledges = [PledgeLine(str(r[0]), str(r[1]), r[2]) for r in rows]
    found.links = int(
        await fetch_value(
            conn,
            "SELECT count(*) FROM links WHERE member_id = ?"
            " AND kind IN ('class', 'dorm', 'student') AND status IN ('active', 'ended')"
            f" AND start_on <= ? AND {last_on('links')} >= ?",
            (member_id, f"{year}-12-31", f"{year}-01-01"),
        )
        or 0
    )
    return found


_ROUND = (
    "SELECT id, year, title, quota, branch_cap, nominate_from, nominate_until, vote_from,"
    " vote_until, status, tie_reason, opened_at, confirmed_at, published_at, notice_ends_on,"
    " finalized_at FROM pioneer_rounds"
)
_NOMINATION = (
    "SELECT n.*, b.name AS branch_name, m.name AS member_name FROM pioneer_nominations n"
    " JOIN branches b ON b.id = n.branch_id JOIN members m ON m.id = n.member_id"
)
_HONOUR = (
    "SELECT r.year, r.title, r.id AS round_id, n.branch_id, n.member_id, m.name AS member_name"
    " FROM pioneer_nominations n JOIN pioneer_rounds r ON r.id = n.round_id"
    " JOIN members m ON m.id = n.member_id WHERE r.status = 'final' AND n.selected = 1"
)


# --------------------------------------------------------------------------- steps


async def open_round(
    tx: aiosqlite.Connection,
    *,
    year: int,
    title: str,
    quota: int,
    branch_cap: int,
    windows: Windows,
    today: date,
    actor_id: int,
    now: datetime,
) -> Round:
    """One round a calendar year, its windows in order and not already over."""
    columns = _checked(title, quota, branch_cap, windows, today)
    if await fetch_value(tx, "SELECT id FROM pioneer_rounds WHERE year = ?", (year,)):
        raise PioneerProblem("round_exists", year=year)
    round_id = await insert(
        tx,
        "INSERT INTO pioneer_rounds (year, title, quota, branch_cap, nominate_from,"
        " nominate_until, vote_from, vote_until, opened_by, opened_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (year, *columns, actor_id, to_iso(now)),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="pioneers.opened", entity="pioneer_round",
        entity_id=round_id, year=year, **_settings(columns[0], quota, branch_cap, windows),
    )  # fmt: skip
    return required(await get_round(tx, round_id))


async def change_round(
    tx: aiosqlite.Connection,
    round_: Round,
    *,
    title: str,
    quota: int,
    branch_cap: int,
    windows: Windows,
    today: date,
    actor_id: int,
    now: datetime,
) -> Round:
    """The admin mends a round until the jury's window begins: the opening's checks, and
    a cap no smaller than a branch's list already is. Audited with what changed."""
    if round_.status is not RoundStatus.OPEN or round_.phase(today) in (Phase.VOTING, Phase.CLOSED):
        raise PioneerProblem("not_editable")
    columns = _checked(
        title, quota, branch_cap, windows, today, kept=(round_.nominate_from, round_.nominate_until)
    )
    await check_cap_fits(tx, round_.id, branch_cap)
    was = _settings(round_.title, round_.quota, round_.branch_cap, round_.windows)
    now_is = _settings(columns[0], quota, branch_cap, windows)
    await tx.execute(
        "UPDATE pioneer_rounds SET title = ?, quota = ?, branch_cap = ?, nominate_from = ?,"
        " nominate_until = ?, vote_from = ?, vote_until = ? WHERE id = ? AND status = 'open'",
        (*columns, round_.id),
    )
    changed = {name: [was[name], value] for name, value in now_is.items() if was[name] != value}
    if changed:
        await audit.record(
            tx, at=now, actor_id=actor_id, action="pioneers.changed", entity="pioneer_round",
            entity_id=round_.id, **changed,
        )  # fmt: skip
    return required(await get_round(tx, round_.id))


async def check_cap_fits(conn: aiosqlite.Connection, round_id: int, cap: int) -> None:
    """Refused, naming the branch, when a branch's list already holds more than ``cap``."""
    rows = list(
        await conn.execute_fetchall(
            "SELECT b.name, count(*) FROM pioneer_nominations n"
            " JOIN branches b ON b.id = n.branch_id WHERE n.round_id = ?"
            " AND n.status = 'nominated' GROUP BY n.branch_id, b.name"
            " HAVING count(*) > ? ORDER BY count(*) DESC, b.name LIMIT 1",
            (round_id, cap),
        )
    )
    if rows:
        raise PioneerProblem("cap_below_list", branch=str(rows[0][0]), count=int(rows[0][1]))


async def toggle_juror(
    tx: aiosqlite.Connection,
    round_: Round,
    juror_id: int,
    *,
    today: date,
    actor_id: int,
    now: datetime,
) -> bool:
    """Add or remove a juror (an admin or an inspector) until the vote begins; whether
    they are on the jury now."""
    if round_.status is not RoundStatus.OPEN or round_.phase(today) in (Phase.VOTING, Phase.CLOSED):
        raise PioneerProblem("jury_fixed")
    role = await fetch_value(
        tx, "SELECT role FROM members WHERE id = ? AND status = 'active'", (juror_id,)
    )
    if role not in ("admin", "inspector"):
        raise PioneerProblem("not_a_juror")
    if juror_id in await jurors(tx, round_.id):
        await tx.execute(
            "DELETE FROM pioneer_jurors WHERE round_id = ? AND member_id = ?", (round_.id, juror_id)
        )
        on = False
    else:
        await tx.execute(
            "INSERT INTO pioneer_jurors (round_id, member_id, added_by, added_at)"
            " VALUES (?, ?, ?, ?)",
            (round_.id, juror_id, actor_id, to_iso(now)),
        )
        on = True
    await audit.record(
        tx, at=now, actor_id=actor_id, action="pioneers.juror", entity="pioneer_round",
        entity_id=round_.id, juror=juror_id, on=on,
    )  # fmt: skip
    return on


async def nominate(
    tx: aiosqlite.Connection,
    round_: Round,
    *,
    actor: Any,
    nominee_id: int,
    deeds: str,
    photos: list[str] | None = None,
    today: date,
    now: datetime,
) -> Nomination:
    """A secretary nominates a member of their branch, or a member themself (pending
    until the secretary endorses it). ``actor`` is the ``Member`` acting."""
    _nominating(round_, today)
    deeds = check_deeds(deeds)
    nominee = await fetch_one(
        tx,
        _Person,
        "SELECT id, branch_id, role, status FROM members WHERE id = ?",
        (nominee_id,),
    )
    if nominee is None or nominee.status != "active" or nominee.role not in ("member", "secretary"):
        raise PioneerProblem("not_a_member")
    own = nominee.id == actor.id
    if nominee.branch_id != actor.branch_id or actor.branch_id is None:
        raise PioneerProblem("other_branch")
    if not own and actor.role != "secretary":
        raise PioneerProblem("secretary_only")
    if await _live(tx, round_.id, nominee.id):
        raise PioneerProblem("already_nominated")
    # A secretary's nomination of another member is in the list at once; every
    # self-nomination (a secretary's too) waits for someone else to endorse it.
    secretary = actor.role == "secretary" and not own
    if secretary:
        await _check_cap(tx, round_, actor.branch_id)
    nomination_id = await insert(
        tx,
        "INSERT INTO pioneer_nominations (round_id, branch_id, member_id, nominated_by,"
        " self_nominated, deeds, photos, status, created_at, decided_by, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            round_.id,
            actor.branch_id,
            nominee.id,
            actor.id,
            int(own),
            deeds,
            json.dumps((photos or [])[:PHOTOS_MAX]),
            "nominated" if secretary else "pending",
            to_iso(now),
            actor.id if secretary else None,
            to_iso(now) if secretary else None,
        ),
    )
    await audit.record(
        tx, at=now, actor_id=actor.id,
        action="pioneers.nominated" if secretary else "pioneers.self_nominated",
        entity="pioneer_nomination", entity_id=nomination_id, nominee=nominee.id,
        photos=len(photos or []),
    )  # fmt: skip
    return required(await get_nomination(tx, nomination_id))


async def endorse(
    tx: aiosqlite.Connection,
    round_: Round,
    nomination: Nomination,
    *,
    actor_id: int,
    today: date,
    now: datetime,
) -> None:
    """The secretary (or the bureau, for a secretary's own) puts a self-nomination in the
    branch's list (within the cap)."""
    _nominating(round_, today)
    _pending(nomination)
    _not_own(nomination, actor_id)
    await _check_cap(tx, round_, nomination.branch_id)
    await _decide(tx, nomination, None, actor_id=actor_id, now=now)


async def decline(
    tx: aiosqlite.Connection,
    round_: Round,
    nomination: Nomination,
    reason: str,
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """The secretary declines a self-nomination, with a reason the member is told."""
    if round_.status is not RoundStatus.OPEN:
        raise PioneerProblem("not_nominating")
    _pending(nomination)
    _not_own(nomination, actor_id)
    await _decide(tx, nomination, check_reason(reason), actor_id=actor_id, now=now)


async def cast_ballot(
    tx: aiosqlite.Connection,
    round_: Round,
    ranking: list[int],
    *,
    juror: Any,
    today: date,
    now: datetime,
) -> None:
    """A juror's one ballot, in the jury's window, never on a nomination of their own."""
    if round_.status is not RoundStatus.OPEN or round_.phase(today) is not Phase.VOTING:
        raise PioneerProblem(
            "not_voting", start=round_.vote_from.isoformat(), end=round_.vote_until.isoformat()
        )
    if juror.id not in await jurors(tx, round_.id):
        raise PioneerProblem("not_on_jury")
    if await has_voted(tx, round_.id, juror.id):
        raise PioneerProblem("voted_twice")
    live = await nominations(tx, round_.id, live=True)
    check_ballot(ranking, [n.id for n in live], own_nominations(live, juror), round_.quota)
    await insert(
        tx,
        "INSERT INTO pioneer_ballots (round_id, juror_id, ranking, cast_at) VALUES (?, ?, ?, ?)",
        (round_.id, juror.id, json.dumps(ranking), to_iso(now)),
    )
    # The audit says who voted and when, never for whom: the vote stays secret.
    await audit.record(
        tx, at=now, actor_id=juror.id, action="pioneers.voted", entity="pioneer_round",
        entity_id=round_.id,
    )  # fmt: skip


def own_nominations(live: list[Nomination], juror: Any) -> list[int]:
    """Nominations a juror may not vote on: their own, or ones they made."""
    return [n.id for n in live if n.member_id == juror.id or n.nominated_by == juror.id]


async def decide_tie(
    tx: aiosqlite.Connection,
    round_: Round,
    tie_in: list[int],
    reason: str,
    *,
    today: date,
    actor_id: int,
    now: datetime,
) -> None:
    """The bureau decides which of the nominees tied at the cut go in, with a reason."""
    if round_.status is not RoundStatus.OPEN:
        raise PioneerProblem("already_confirmed")
    the_cut = await results(tx, round_, today=today)
    check_tie_decision(the_cut, tie_in)
    reason = check_reason(reason)
    for nomination_id in the_cut.tied:
        await tx.execute(
            "UPDATE pioneer_nominations SET tie_in = ? WHERE id = ?",
            (int(nomination_id in tie_in), nomination_id),
        )
    await tx.execute(
        "UPDATE pioneer_rounds SET tie_reason = ?, tie_decided_by = ?, tie_decided_at = ?"
        " WHERE id = ?",
        (reason, actor_id, to_iso(now), round_.id),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="pioneers.tie_decided", entity="pioneer_round",
        entity_id=round_.id, tied=the_cut.tied, chosen=sorted(tie_in), reason=reason,
    )  # fmt: skip


async def confirm(
    tx: aiosqlite.Connection, round_: Round, *, today: date, actor_id: int, now: datetime
) -> list[int]:
    """The bureau confirms the list: after the jury's window, a tie at the cut decided."""
    if round_.status is not RoundStatus.OPEN:
        raise PioneerProblem("already_confirmed")
    if round_.phase(today) is not Phase.CLOSED:
        raise PioneerProblem("missing_vote", until=round_.vote_until.isoformat())
    the_cut = await results(tx, round_, today=today)
    if not the_cut.ranked:
        raise PioneerProblem("missing_nominations")
    if not await ballots_cast(tx, round_.id):
        # Without a single ballot every nominee would tie at nothing (or all be chosen).
        raise PioneerProblem("missing_ballots")
    live = await nominations(tx, round_.id, live=True)
    decided = [n.id for n in live if n.tie_in]
    if the_cut.has_tie and (
        round_.tie_reason is None
        or {n.id for n in live if n.tie_in is not None} != set(the_cut.tied)
    ):
        raise PioneerProblem("missing_tie", places=the_cut.places, tied=len(the_cut.tied))
    chosen = the_cut.selection(decided)
    for nomination in live:
        await tx.execute(
            "UPDATE pioneer_nominations SET selected = ? WHERE id = ?",
            (int(nomination.id in chosen), nomination.id),
        )
    await tx.execute(
        "UPDATE pioneer_rounds SET status = 'confirmed', confirmed_by = ?, confirmed_at = ?"
        " WHERE id = ? AND status = 'open'",
        (actor_id, to_iso(now), round_.id),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="pioneers.confirmed", entity="pioneer_round",
        entity_id=round_.id, chosen=chosen, points=dict(the_cut.ranked),
    )  # fmt: skip
    return chosen


async def publish(
    tx: aiosqlite.Connection, round_: Round, *, ends_on: date, actor_id: int, now: datetime
) -> None:
    """公示: refused, naming the step, until the bureau confirmed the list."""
    if round_.status is RoundStatus.OPEN:
        raise PioneerProblem("missing_confirm")
    if round_.status is not RoundStatus.CONFIRMED:
        raise PioneerProblem("already_published")
    await objection_store.publish(
        tx,
        OBJECTIONS,
        round_.id,
        from_status="confirmed",
        ends_on=ends_on,
        actor_id=actor_id,
        now=now,
    )


async def finalize(
    tx: aiosqlite.Connection, round_: Round, *, today: date, actor_id: int, now: datetime
) -> None:
    """The list is final (the honours record): after the notice, every objection answered."""
    if round_.status is RoundStatus.OPEN:
        raise PioneerProblem("missing_confirm")
    if round_.status is RoundStatus.CONFIRMED:
        raise PioneerProblem("missing_publish")
    await objection_store.finalize(tx, OBJECTIONS, round_, today=today, actor_id=actor_id, now=now)


# --------------------------------------------------------------------------- helpers


def _checked(
    title: str,
    quota: int,
    cap: int,
    windows: Windows,
    today: date,
    *,
    kept: tuple[date, date] | None = None,
) -> tuple[str, int, int, str, str, str, str]:
    """The opening's checks (the title, the numbers, the windows in order and not over,
    but for a nomination window ``kept``);
    what an admin sets, as the round's columns store it: the title, quota, branch_cap,
    nominate_from, nominate_until, vote_from and vote_until."""
    title = check_title(title)
    check_numbers(quota, cap)
    windows.check(today, kept=kept)
    w = windows
    return (
        title,
        quota,
        cap,
        w.nominate_from.isoformat(),
        w.nominate_until.isoformat(),
        w.vote_from.isoformat(),
        w.vote_until.isoformat(),
    )


def _settings(title: str, quota: int, cap: int, windows: Windows) -> dict[str, Any]:
    """What an admin sets on a round, as the audit log records it."""
    return {
        "title": title,
        "quota": quota,
        "cap": cap,
        "nominate": [windows.nominate_from.isoformat(), windows.nominate_until.isoformat()],
        "vote": [windows.vote_from.isoformat(), windows.vote_until.isoformat()],
    }


class _Person(BaseModel):
    id: int
    branch_id: int | None
    role: str
    status: str


def _nominating(round_: Round, today: date) -> None:
    if round_.status is not RoundStatus.OPEN or round_.phase(today) is not Phase.NOMINATING:
        raise PioneerProblem(
            "not_nominating",
            start=round_.nominate_from.isoformat(),
            end=round_.nominate_until.isoformat(),
        )


async def _decide(
    tx: aiosqlite.Connection,
    nomination: Nomination,
    declined_for: str | None,
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """A pending self-nomination put in the branch's list, or declined for a reason;
    audited."""
    status = NominationStatus.NOMINATED if declined_for is None else NominationStatus.DECLINED
    await tx.execute(
        "UPDATE pioneer_nominations SET status = ?, decline_reason = ?, decided_by = ?,"
        " decided_at = ? WHERE id = ? AND status = 'pending'",
        (status.value, declined_for, actor_id, to_iso(now), nomination.id),
    )
    reason = {} if declined_for is None else {"reason": declined_for}
    await audit.record(
        tx, at=now, actor_id=actor_id, entity="pioneer_nomination", entity_id=nomination.id,
        action="pioneers.endorsed" if declined_for is None else "pioneers.declined", **reason,
    )  # fmt: skip


def _pending(nomination: Nomination) -> None:
    if nomination.status is not NominationStatus.PENDING:
        raise PioneerProblem("already_decided")


def _not_own(nomination: Nomination, actor_id: int) -> None:
    if nomination.member_id == actor_id:
        raise PioneerProblem("own_endorsement")


async def _live(tx: aiosqlite.Connection, round_id: int, member_id: int) -> bool:
    found = await fetch_value(
        tx,
        "SELECT 1 FROM pioneer_nominations WHERE round_id = ? AND member_id = ?"
        " AND status <> 'declined'",
        (round_id, member_id),
    )
    return found is not None


async def _check_cap(tx: aiosqlite.Connection, round_: Round, branch_id: int) -> None:
    count = await fetch_value(
        tx,
        "SELECT count(*) FROM pioneer_nominations WHERE round_id = ? AND branch_id = ?"
        " AND status = 'nominated'",
        (round_.id, branch_id),
    )
    if int(count or 0) >= round_.branch_cap:
        raise PioneerProblem("over_cap", cap=round_.branch_cap)
