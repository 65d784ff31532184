"""Pledges (岗位承诺): the model with its lifecycle rules, and the repository over SQLite.

The allowed moves between statuses live on ``Pledge`` (``check_move``), so handlers, the
reminder engine and tests share one rule; every move is audited in its transaction.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import aiosqlite
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from storage import audit, lifecycle
from storage.clock import to_iso
from storage.members import Member, participating
from storage.rows import (
    JsonText,
    Table,
    changed_one,
    fetch_all,
    fetch_one,
    fetch_value,
    insert,
    required,
)

TEXT_MIN, TEXT_MAX = 10, 500
MEASURES_MAX = 5
MEASURE_MIN, MEASURE_MAX = 2, 200
NOTE_MIN, NOTE_MAX = 2, 300
PROGRESS_MIN, PROGRESS_MAX = 2, 500
SUMMARY_MIN, SUMMARY_MAX = 10, 500
# A short honest sentence (较好完成了承诺) is a self-assessment; the summary says the rest.
SELF_MIN, SELF_MAX = 2, 500
COMMENT_MAX = 300
POST_MIN, POST_MAX = 2, 30
DEFAULT_MAX_OPEN = 3


class PledgeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    FULFILLED = "fulfilled"
    EVALUATED = "evaluated"
    WITHDRAWN = "withdrawn"


class Category(StrEnum):
    TEACHING = "teaching"  # 教书育人
    INNOVATION = "innovation"  # 岗位创新
    CARING = "caring"  # 关爱学生
    SERVING = "serving"  # 服务群众
    OTHER = "other"  # 其他


class Rating(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    FAIR = "fair"  # 一般
    POOR = "poor"  # 差


S = PledgeStatus
# The lifecycle: draft → submitted → (returned → submitted)* → published → fulfilled →
# evaluated; withdrawn from any status before fulfilment. A published pledge whose target
# date has come may be evaluated without a fulfilment (see ``Pledge.check_move``), so a
# secretary can rate every pledge at the period's end.
TRANSITIONS = lifecycle.transitions(
    PledgeStatus,
    {
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.RETURNED, S.PUBLISHED, S.WITHDRAWN},
        S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
        S.PUBLISHED: {S.FULFILLED, S.EVALUATED, S.WITHDRAWN},
        S.FULFILLED: {S.EVALUATED},
    },
)
# What each move records (see ``lifecycle.Step``).
STEPS = {
    S.SUBMITTED: lifecycle.Step("pledge.submitted", ("submitted_at",)),
    S.PUBLISHED: lifecycle.Step("pledge.approved", ("reviewed_by", "reviewed_at", "published_at")),
    S.RETURNED: lifecycle.Step("pledge.returned", ("reviewed_by", "reviewed_at")),
    S.FULFILLED: lifecycle.Step("pledge.fulfilled", ("fulfilled_at",)),
    S.EVALUATED: lifecycle.Step("pledge.evaluated", ("evaluated_by", "evaluated_at")),
    S.WITHDRAWN: lifecycle.Step("pledge.withdrawn", ("withdrawn_at",)),
}
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# Counted against the per-period limit: everything not withdrawn and not yet evaluated.
OPEN = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.PUBLISHED, S.FULFILLED})
# A member "has made a pledge" for a period once one left the draft stage.
MADE = frozenset({S.SUBMITTED, S.RETURNED, S.PUBLISHED, S.FULFILLED, S.EVALUATED})


class IllegalTransition(lifecycle.IllegalTransition):
    """A move the lifecycle does not allow from the pledge's current status."""

    record = "pledge"


class PledgeChanged(Exception):
    """The pledge changed status since it was read (a double press, a second reviewer)."""


class PledgeLimitReached(Exception):
    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"{count} open pledges, limit {limit}")
        self.count = count
        self.limit = limit


class BadLength(ValueError):
    """Text shorter or longer than allowed; carries what was given and the limits."""

    def __init__(self, length: int, low: int, high: int) -> None:
        super().__init__(f"length {length} outside {low}-{high}")
        self.length = length
        self.low = low
        self.high = high


class TooManyMeasures(ValueError):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} measures, at most {MEASURES_MAX}")
        self.count = count


class OutsidePeriod(ValueError):
    """A target date before today or outside the pledge's period."""


def checked_text(value: str, low: int, high: int) -> str:
    """Trimmed text whose length (in characters) is within ``low``..``high``."""
    text = value.strip()
    if not low <= len(text) <= high:
        raise BadLength(len(text), low, high)
    return text


def checked_post(value: str) -> str:
    """A post (岗位) as typed, on one line: 初二数学教师, 教务处主任 ..."""
    return checked_text(" ".join(value.split()), POST_MIN, POST_MAX)


# Leading list markers people type before each measure: "1." "2、" "(3)" "（4）" "-" "•".
_MARKER = re.compile(r"^\s*(?:[-*•·]\s*|[（(]\d{1,2}[)）]\s*|\d{1,2}[.、．)）](?!\d)\s*)")


def parse_measures(value: str) -> list[str]:
    """One measure per line, list markers dropped; 1 to 5 of them, each 2–200 characters."""
    lines = [_MARKER.sub("", line).strip() for line in value.splitlines()]
    measures = [line for line in lines if line]
    if not measures:
        raise BadLength(0, MEASURE_MIN, MEASURE_MAX)
    if len(measures) > MEASURES_MAX:
        raise TooManyMeasures(len(measures))
    return [checked_text(m, MEASURE_MIN, MEASURE_MAX) for m in measures]


class Period(BaseModel):
    """What a pledge is for: a calendar year ("2026"), or a school term its branch runs,
    written as its first and last day ("2026-09-01..2027-01-31")."""

    model_config = ConfigDict(frozen=True)

    code: str

    @field_validator("code")
    @classmethod
    def _check(cls, value: str) -> str:
        if re.fullmatch(r"20\d\d", value):
            return value
        match = _TERM_CODE.fullmatch(value)
        if match is None:
            raise ValueError("a period is a year such as 2026, or a term 2026-09-01..2027-01-31")
        try:
            start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as exc:
            raise ValueError(f"not a term: {value}") from exc
        if end <= start:
            raise ValueError(f"a term ends after it starts: {value}")
        return value

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(code=str(year))

    @classmethod
    def of_term(cls, start: date, end: date) -> Period:
        return cls(code=f"{start.isoformat()}..{end.isoformat()}")

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls.of_year(day.year)

    @property
    def is_term(self) -> bool:
        return len(self.code) > 4

    @property
    def start(self) -> date:
        if self.is_term:
            return date.fromisoformat(self.code[:10])
        return date(int(self.code), 1, 1)

    @property
    def end(self) -> date:
        if self.is_term:
            return date.fromisoformat(self.code[12:])
        return date(int(self.code), 12, 31)

    @property
    def year(self) -> int:
        """The year whose board lists it: a term counts in the year it starts."""
        return self.start.year

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Period:
        return Period.of_year(self.year + 1)


_TERM_CODE = re.compile(r"(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)")


def check_target_date(day: date, period: Period, today: date) -> date:
    if not period.contains(day) or day < today:
        raise OutsidePeriod(f"{day} is not between {max(today, period.start)} and {period.end}")
    return day


class Pledge(BaseModel):
    id: int
    member_id: int
    branch_id: int
    period: str
    category: Category
    text: str
    measures: Annotated[list[str], JsonText] = []
    target_date: date | None = None
    status: PledgeStatus = PledgeStatus.DRAFT
    submitted_at: datetime | None = None
    return_note: str | None = None
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
    published_at: datetime | None = None
    notice_chat_id: int | None = None
    notice_message_id: int | None = None
    fulfilled_at: datetime | None = None
    fulfil_summary: str | None = None
    self_assessment: str | None = None
    rating: Rating | None = None
    evaluation_comment: str | None = None
    evaluated_by: int | None = None
    evaluated_at: datetime | None = None
    withdrawn_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @field_validator("text")
    @classmethod
    def _check_text(cls, value: str) -> str:
        return checked_text(value, TEXT_MIN, TEXT_MAX)

    @field_validator("measures")
    @classmethod
    def _check_measures(cls, value: list[str]) -> list[str]:
        if len(value) > MEASURES_MAX:
            raise TooManyMeasures(len(value))
        return [checked_text(m, MEASURE_MIN, MEASURE_MAX) for m in value]

    @model_validator(mode="after")
    def _date_in_period(self) -> Pledge:
        if self.target_date is not None and not Period(code=self.period).contains(self.target_date):
            raise OutsidePeriod(f"{self.target_date} is outside {self.period}")
        return self

    @property
    def editable(self) -> bool:
        """Only the member's own unfinished text may change; approved text is fixed."""
        return self.status in EDITABLE

    @property
    def complete(self) -> bool:
        return self.target_date is not None

    @property
    def accepts_progress(self) -> bool:
        return self.status in (S.PUBLISHED, S.FULFILLED)

    @property
    def accepts_self_assessment(self) -> bool:
        return self.status in (S.PUBLISHED, S.FULFILLED)

    def evaluable(self, today: date) -> bool:
        """Fulfilled, or published and its target date has come."""
        if self.status is S.FULFILLED:
            return True
        return (
            self.status is S.PUBLISHED
            and self.target_date is not None
            and today >= self.target_date
        )

    def check_move(self, target: PledgeStatus, *, today: date | None = None) -> None:
        """Raise ``IllegalTransition`` unless the lifecycle allows this move now."""
        IllegalTransition.check(TRANSITIONS, self.status, target)
        if target is S.SUBMITTED and not self.complete:
            raise IllegalTransition(self.status, target, "(no target date yet)")
        if target is S.EVALUATED and (today is None or not self.evaluable(today)):
            raise IllegalTransition(self.status, target, "(target date not reached)")

    def edited(self, **changes: Any) -> Pledge:
        """A copy with new content, validated; refused once the pledge was submitted."""
        if not self.editable:
            raise IllegalTransition(self.status, self.status, "(text is fixed)")
        unknown = set(changes) - {"category", "text", "measures", "target_date"}
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        return Pledge.model_validate({**self.model_dump(), **changes})


class PledgeRow(Pledge):
    """A pledge as lists show it: with its owner and its progress so far."""

    owner_name: str
    owner_post: str | None = None
    owner_telegram_id: int
    update_count: int = 0
    last_update_at: datetime | None = None
    last_update_text: str | None = None

    @property
    def last_activity(self) -> datetime:
        """When anything last happened to it: an edit, a review, progress, an evaluation."""
        return max(self.updated_at, self.last_update_at or self.updated_at)


class PledgeUpdate(BaseModel):
    id: int
    pledge_id: int
    member_id: int
    at: datetime
    text: str
    photo_file_id: str | None = None


# --------------------------------------------------------------------------- writes


async def create_draft(
    tx: aiosqlite.Connection,
    *,
    member: Member,
    period: Period,
    category: Category,
    text: str,
    now: datetime,
    max_open: int = DEFAULT_MAX_OPEN,
) -> Pledge:
    """Save a new draft as soon as its text is known, so nothing typed is lost."""
    if member.branch_id is None:
        raise ValueError("only a branch's member or secretary makes pledges")
    count = await open_count(tx, member.id, period.code)
    if count >= max_open:
        raise PledgeLimitReached(count, max_open)
    clean = checked_text(text, TEXT_MIN, TEXT_MAX)
    pledge_id = await audit.inserted(
        tx,
        "INSERT INTO pledges (member_id, branch_id, period, category, text, status,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?)",
        (member.id, member.branch_id, period.code, category.value, clean, to_iso(now), to_iso(now)),
        at=now,
        actor_id=member.id,
        action="pledge.drafted",
        entity="pledge",
        **{"from": None, "to": S.DRAFT.value},
        period=period.code,
    )
    return required(await get(tx, pledge_id))


async def edit(
    tx: aiosqlite.Connection, pledge: Pledge, *, actor_id: int, now: datetime, **changes: Any
) -> Pledge:
    """Change a draft's or returned pledge's content (category, text, measures, date)."""
    new = pledge.edited(**changes)
    await audit.changed(
        tx,
        "UPDATE pledges SET category = ?, text = ?, measures = ?, target_date = ?, updated_at = ?"
        " WHERE id = ? AND status = ?",
        (
            new.category.value,
            new.text,
            json.dumps(new.measures, ensure_ascii=False),
            new.target_date.isoformat() if new.target_date else None,
            to_iso(now),
            pledge.id,
            pledge.status.value,
        ),
        missing=PledgeChanged(pledge.id),
        at=now,
        actor_id=actor_id,
        action="pledge.edited",
        entity="pledge",
        entity_id=pledge.id,
        fields=sorted(changes),
        status=pledge.status.value,
    )
    return new.model_copy(update={"updated_at": now})


async def submit(
    tx: aiosqlite.Connection,
    pledge: Pledge,
    *,
    actor_id: int,
    now: datetime,
    max_open: int = DEFAULT_MAX_OPEN,
) -> Pledge:
    # A draft already counts against the limit; the check matters when the limit was
    # lowered, or drafts were kept past it.
    count = await open_count(tx, pledge.member_id, pledge.period, exclude=pledge.id)
    if count >= max_open:
        raise PledgeLimitReached(count, max_open)
    return await _LIFECYCLE.move(tx, pledge, S.SUBMITTED, actor_id=actor_id, now=now)


async def approve(
    tx: aiosqlite.Connection, pledge: Pledge, *, actor_id: int, now: datetime
) -> Pledge:
    """The secretary approves: the pledge is published (公示) at once."""
    return await _LIFECYCLE.move(tx, pledge, S.PUBLISHED, actor_id=actor_id, now=now)


async def return_to_member(
    tx: aiosqlite.Connection, pledge: Pledge, *, actor_id: int, note: str, now: datetime
) -> Pledge:
    clean = checked_text(note, NOTE_MIN, NOTE_MAX)
    columns = {"return_note": clean}
    return await _LIFECYCLE.move(
        tx, pledge, S.RETURNED, actor_id=actor_id, now=now, columns=columns, note=clean
    )


async def fulfil(
    tx: aiosqlite.Connection, pledge: Pledge, *, actor_id: int, summary: str, now: datetime
) -> Pledge:
    clean = checked_text(summary, SUMMARY_MIN, SUMMARY_MAX)
    columns = {"fulfil_summary": clean}
    return await _LIFECYCLE.move(
        tx, pledge, S.FULFILLED, actor_id=actor_id, now=now, columns=columns
    )


async def evaluate(
    tx: aiosqlite.Connection,
    pledge: Pledge,
    *,
    actor_id: int,
    rating: Rating,
    comment: str | None,
    today: date,
    now: datetime,
) -> Pledge:
    clean = checked_text(comment, 1, COMMENT_MAX) if comment else None
    columns = {"rating": rating.value, "evaluation_comment": clean}
    return await _LIFECYCLE.move(
        tx,
        pledge,
        S.EVALUATED,
        actor_id=actor_id,
        now=now,
        today=today,
        columns=columns,
        rating=rating.value,
    )


async def withdraw(
    tx: aiosqlite.Connection, pledge: Pledge, *, actor_id: int, now: datetime
) -> Pledge:
    return await _LIFECYCLE.move(tx, pledge, S.WITHDRAWN, actor_id=actor_id, now=now)


async def add_update(
    tx: aiosqlite.Connection,
    pledge: Pledge,
    *,
    actor_id: int,
    text: str,
    photo_file_id: str | None,
    now: datetime,
) -> PledgeUpdate:
    """Record progress (践诺) on a published or fulfilled pledge."""
    if not pledge.accepts_progress:
        raise IllegalTransition(pledge.status, pledge.status, "(no progress in this status)")
    clean = checked_text(text, PROGRESS_MIN, PROGRESS_MAX)
    update_id = await insert(
        tx,
        "INSERT INTO pledge_updates (pledge_id, member_id, at, text, photo_file_id)"
        " VALUES (?, ?, ?, ?, ?)",
        (pledge.id, actor_id, to_iso(now), clean, photo_file_id),
    )
    photo = photo_file_id is not None
    await _progressed(tx, pledge, update_id, actor_id, now, "pledge.progress", photo=photo)
    return PledgeUpdate(
        id=update_id,
        pledge_id=pledge.id,
        member_id=actor_id,
        at=now,
        text=clean,
        photo_file_id=photo_file_id,
    )


async def set_self_assessment(
    tx: aiosqlite.Connection, pledge: Pledge, *, actor_id: int, text: str, now: datetime
) -> Pledge:
    if not pledge.accepts_self_assessment:
        raise IllegalTransition(pledge.status, pledge.status, "(no self-assessment now)")
    clean = checked_text(text, SELF_MIN, SELF_MAX)
    await audit.changed(
        tx,
        "UPDATE pledges SET self_assessment = ?, updated_at = ? WHERE id = ? AND status = ?",
        (clean, to_iso(now), pledge.id, pledge.status.value),
        missing=PledgeChanged(pledge.id),
        at=now,
        actor_id=actor_id,
        action="pledge.self_assessed",
        entity="pledge",
        entity_id=pledge.id,
    )
    return pledge.model_copy(update={"self_assessment": clean, "updated_at": now})


async def set_notice_message(
    tx: aiosqlite.Connection,
    pledge_id: int,
    *,
    chat_id: int | None,
    message_id: int | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Where the pledge's public notice is (or ``None`` when that post is gone)."""
    await tx.execute(
        "UPDATE pledges SET notice_chat_id = ?, notice_message_id = ? WHERE id = ?",
        (chat_id, message_id, pledge_id),
    )
    action = "pledge.noticed" if message_id is not None else "pledge.notice_lost"
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action=action,
        entity="pledge",
        entity_id=pledge_id,
        chat_id=chat_id,
        message_id=message_id,
    )


async def no_notice_told(conn: aiosqlite.Connection, branch_id: int) -> bool:
    """Whether the branch's secretary was already told that no notice chat is linked."""
    value = await fetch_value(
        conn, "SELECT no_notice_told_at FROM pledge_branch_state WHERE branch_id = ?", (branch_id,)
    )
    return value is not None


async def mark_no_notice_told(tx: aiosqlite.Connection, branch_id: int, *, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO pledge_branch_state (branch_id, no_notice_told_at) VALUES (?, ?)"
        " ON CONFLICT (branch_id) DO UPDATE SET no_notice_told_at = excluded.no_notice_told_at",
        (branch_id, to_iso(now)),
    )


async def clear_no_notice_told(tx: aiosqlite.Connection, branch_id: int) -> None:
    """A notice chat was linked: should it go away later, the secretary is told again."""
    await tx.execute(
        "UPDATE pledge_branch_state SET no_notice_told_at = NULL WHERE branch_id = ?", (branch_id,)
    )


async def runs_terms(conn: aiosqlite.Connection, branch_id: int) -> bool:
    """Whether the branch's members may also pledge for the current school term."""
    value = await fetch_value(
        conn, "SELECT runs_terms FROM pledge_branch_state WHERE branch_id = ?", (branch_id,)
    )
    return bool(value)


async def set_runs_terms(
    tx: aiosqlite.Connection, branch_id: int, on: bool, *, actor_id: int, now: datetime
) -> None:
    before = await runs_terms(tx, branch_id)
    await tx.execute(
        "INSERT INTO pledge_branch_state (branch_id, runs_terms) VALUES (?, ?)"
        " ON CONFLICT (branch_id) DO UPDATE SET runs_terms = excluded.runs_terms",
        (branch_id, int(on)),
    )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="branch.pledge_terms_set",
        entity="branch",
        entity_id=branch_id,
        **{"from": before, "to": on},
    )


async def attach_photo(
    tx: aiosqlite.Connection,
    pledge: Pledge,
    update_id: int,
    *,
    actor_id: int,
    photo_file_id: str,
    now: datetime,
) -> bool:
    """Add a photo to a progress update of the actor's that has none (a photo sent just
    after the words); False if it has one already or is not theirs."""
    if not pledge.accepts_progress:
        raise IllegalTransition(pledge.status, pledge.status, "(no progress in this status)")
    if not await changed_one(
        tx,
        "UPDATE pledge_updates SET photo_file_id = ?"
        " WHERE id = ? AND pledge_id = ? AND member_id = ? AND photo_file_id IS NULL",
        (photo_file_id, update_id, pledge.id, actor_id),
    ):
        return False
    await _progressed(tx, pledge, update_id, actor_id, now, "pledge.progress_photo")
    return True


async def _progressed(
    tx: aiosqlite.Connection,
    pledge: Pledge,
    update_id: int,
    actor_id: int,
    now: datetime,
    action: str,
    **detail: Any,
) -> None:
    """A progress update was added or completed: the pledge counts as changed now, and
    the change is audited."""
    await tx.execute("UPDATE pledges SET updated_at = ? WHERE id = ?", (to_iso(now), pledge.id))
    await audit.record(
        tx, at=now, actor_id=actor_id, action=action, entity="pledge", entity_id=pledge.id,
        update_id=update_id, **detail,
    )  # fmt: skip


# --------------------------------------------------------------------------- reads

_ROW_SQL = """
SELECT p.*, m.name AS owner_name, m.post AS owner_post, m.telegram_id AS owner_telegram_id,
       (SELECT COUNT(*) FROM pledge_updates u WHERE u.pledge_id = p.id) AS update_count,
       (SELECT MAX(u.at) FROM pledge_updates u WHERE u.pledge_id = p.id) AS last_update_at,
       (SELECT u.text FROM pledge_updates u WHERE u.pledge_id = p.id
        ORDER BY u.at DESC, u.id DESC LIMIT 1) AS last_update_text
FROM pledges p JOIN members m ON m.id = p.member_id
"""


_PLEDGES = Table("pledges", Pledge)
_LIFECYCLE = lifecycle.Lifecycle("pledge", STEPS, PledgeChanged, _PLEDGES.get)


async def get(conn: aiosqlite.Connection, pledge_id: int) -> Pledge | None:
    return await _PLEDGES.get(conn, pledge_id)


async def get_row(conn: aiosqlite.Connection, pledge_id: int) -> PledgeRow | None:
    return await fetch_one(conn, PledgeRow, f"{_ROW_SQL} WHERE p.id = ?", (pledge_id,))


async def _rows(conn: aiosqlite.Connection, where: str, params: tuple[Any, ...]) -> list[PledgeRow]:
    """Pledges with their owner and progress (``_ROW_SQL``) that meet ``where``, which
    may end with an ORDER BY."""
    return await fetch_all(conn, PledgeRow, f"{_ROW_SQL} WHERE {where}", params)


async def for_member(
    conn: aiosqlite.Connection, member_id: int, *, include_withdrawn: bool = False
) -> list[PledgeRow]:
    hide = "" if include_withdrawn else "AND p.status != 'withdrawn'"
    return await _rows(
        conn,
        f"p.member_id = ? {hide} ORDER BY p.period DESC, p.id DESC",
        (member_id,),
    )


async def unfinished(conn: aiosqlite.Connection, member_id: int) -> list[PledgeRow]:
    """The member's drafts and returned pledges: what /pledge offers to continue."""
    return await _rows(
        conn,
        "p.member_id = ? AND p.status IN ('draft', 'returned')"
        " ORDER BY p.updated_at DESC, p.id DESC",
        (member_id,),
    )


# A year's pledges: those for the year itself and for the terms that start in it.
_IN_YEAR = "(p.period = ? OR p.period LIKE ? || '-%')"


async def for_branch(conn: aiosqlite.Connection, branch_id: int, period: str) -> list[PledgeRow]:
    """The branch's pledges for a year (``period`` is "2026"), its terms' included."""
    return await _rows(
        conn,
        f"p.branch_id = ? AND {_IN_YEAR} ORDER BY m.name, p.id",
        (branch_id, period, period),
    )


async def open_count(
    conn: aiosqlite.Connection, member_id: int, period: str, *, exclude: int | None = None
) -> int:
    marks = ", ".join("?" for _ in OPEN)
    value = await fetch_value(
        conn,
        f"SELECT COUNT(*) FROM pledges WHERE member_id = ? AND period = ? AND id != ?"
        f" AND status IN ({marks})",
        (member_id, period, exclude or 0, *sorted(OPEN)),
    )
    return int(value or 0)


_UPDATES = Table("pledge_updates", PledgeUpdate)


async def updates(conn: aiosqlite.Connection, pledge_id: int) -> list[PledgeUpdate]:
    return await _UPDATES.all(conn, "WHERE pledge_id = ? ORDER BY at, id", (pledge_id,))


async def published_without_notice(conn: aiosqlite.Connection, branch_id: int) -> list[PledgeRow]:
    """Published pledges that have no post in a notice chat (none was linked, or it failed)."""
    return await _rows(
        conn,
        "p.branch_id = ? AND p.status IN ('published', 'fulfilled')"
        " AND p.notice_message_id IS NULL ORDER BY p.id",
        (branch_id,),
    )


# ------------------------------------------------- queries for the reminder engine


async def members_without_pledge(
    conn: aiosqlite.Connection, branch_id: int, period: str
) -> list[Member]:
    """Active members and secretaries of a branch with no pledge submitted for the year
    ``period`` or a term starting in it (drafts do not count): for the start-of-year nudge
    and the secretary's board."""
    marks = ", ".join("?" for _ in MADE)
    return await fetch_all(
        conn,
        Member,
        f"""
        SELECT * FROM members m
        WHERE m.branch_id = ? AND {participating("m")}
          AND NOT EXISTS (SELECT 1 FROM pledges p WHERE p.member_id = m.id AND {_IN_YEAR}
                          AND p.status IN ({marks}))
        ORDER BY m.name
        """,
        (branch_id, period, period, *sorted(MADE)),
    )


async def stale_published(conn: aiosqlite.Connection, before: datetime) -> list[PledgeRow]:
    """Published pledges with no progress since ``before`` (counted from publication when
    there is none yet): for the "30 days without progress" reminder."""
    return await fetch_all(
        conn,
        PledgeRow,
        f"SELECT * FROM ({_ROW_SQL} WHERE p.status = 'published')"
        " WHERE COALESCE(last_update_at, published_at) < ? ORDER BY branch_id, id",
        (to_iso(before),),
    )


class PublishedText(BaseModel):
    """A published pledge as its no-progress reminder names it, and since when its owner
    has shown no progress (their last progress, else its publication)."""

    id: int
    text: str
    since: datetime


async def published_texts(conn: aiosqlite.Connection, branch_id: int) -> list[PublishedText]:
    """A branch's published pledges (every period's): only what the monthly reminder says,
    as it reads them for most of the branch's members at once."""
    # ``status || ''`` keeps SQLite on the branch's index: by the status index it would
    # read every published pledge of the bureau for each branch (2.5 vs 29 ms a branch).
    return await fetch_all(
        conn,
        PublishedText,
        "SELECT p.id, p.text,"
        " COALESCE((SELECT MAX(u.at) FROM pledge_updates u WHERE u.pledge_id = p.id),"
        " p.published_at, p.updated_at) AS since"
        " FROM pledges p WHERE p.branch_id = ? AND p.status || '' = 'published' ORDER BY p.id",
        (branch_id,),
    )


class Activity(BaseModel):
    """A published pledge and when its owner last showed progress (its publication, when
    there is none yet)."""

    id: int
    member_id: int
    branch_id: int
    last_activity: datetime | None


async def published_activity(conn: aiosqlite.Connection) -> list[Activity]:
    """Every published pledge's last activity, by branch: the reminder tick keeps this
    between minutes and picks the stale ones itself (the same rule as ``stale_published``)."""
    return await fetch_all(
        conn,
        Activity,
        "SELECT p.id, p.member_id, p.branch_id,"
        " COALESCE((SELECT MAX(u.at) FROM pledge_updates u WHERE u.pledge_id = p.id),"
        " p.published_at) AS last_activity"
        " FROM pledges p WHERE p.status = 'published' ORDER BY p.branch_id, p.id",
    )


async def waiting_review(conn: aiosqlite.Connection, submitted_before: datetime) -> list[PledgeRow]:
    """Submitted pledges nobody has reviewed since before ``submitted_before``."""
    return await _rows(
        conn,
        "p.status = 'submitted' AND p.submitted_at < ? ORDER BY p.branch_id, p.submitted_at",
        (to_iso(submitted_before),),
    )


async def due_for_evaluation(
    conn: aiosqlite.Connection, today: date, branch_id: int | None = None
) -> list[PledgeRow]:
    """Pledges a secretary may evaluate today: fulfilled ones, and published ones whose
    target date has come (the same rule as ``Pledge.evaluable``)."""
    where = "" if branch_id is None else "AND p.branch_id = ?"
    params: tuple[Any, ...] = (
        (today.isoformat(),) if branch_id is None else (today.isoformat(), branch_id)
    )
    return await _rows(
        conn,
        f"(p.status = 'fulfilled' OR (p.status = 'published'"
        f" AND p.target_date <= ?)) {where} ORDER BY p.branch_id, m.name, p.id",
        params,
    )
