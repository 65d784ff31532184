"""School terms (学期): the span a visit date must fall in and a target counts over.

An admin sets a term's start and end (``set_term``). Where no set term covers a date the
default split applies: the autumn term 1 Sep–31 Jan and the spring term 1 Feb–31 Jul,
left out wherever it would overlap a set term. August belongs to no default term; on
such a day the "current" term is the latest one that had started, so /visits still
shows the term just ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import aiosqlite
from pydantic import BaseModel, model_validator

from storage.clock import to_iso
from storage.problems import InputProblem
from storage.rows import fetch_all, insert

# A term shorter than a month or longer than a school year is a typing mistake.
MIN_DAYS = 28
MAX_DAYS = 250


@dataclass(frozen=True)
class Span:
    """A run of days, both ends included."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Span) -> bool:
        return self.start <= other.end and other.start <= self.end


class Term(BaseModel):
    start: date
    end: date
    # None for a default term; the row id for one an admin set.
    id: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Term:
        if self.end <= self.start:
            raise ValueError("a term ends after it starts")
        return self

    @property
    def is_default(self) -> bool:
        return self.id is None

    @property
    def bounds(self) -> tuple[str, str]:
        """The first and last day as ISO text: the parameters of a ``BETWEEN ? AND ?``."""
        return self.start.isoformat(), self.end.isoformat()

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Term) -> bool:
        return self.start <= other.end and other.start <= self.end


class TermProblem(InputProblem):
    """Why a term an admin typed cannot be used: ``code`` names the message."""


def check_span(start: date, end: date) -> None:
    """Raise ``TermProblem`` unless ``start``–``end`` is a plausible term."""
    if end <= start:
        raise TermProblem("order")
    days = (end - start).days + 1
    if days < MIN_DAYS or days > MAX_DAYS:
        raise TermProblem("length")


def default_terms_around(day: date) -> list[Term]:
    """The default terms from the autumn before ``day``'s year to the autumn after."""
    year = day.year
    return [
        Term(start=date(year - 1, 9, 1), end=date(year, 1, 31)),
        Term(start=date(year, 2, 1), end=date(year, 7, 31)),
        Term(start=date(year, 9, 1), end=date(year + 1, 1, 31)),
    ]


async def set_terms(conn: aiosqlite.Connection) -> list[Term]:
    """Terms admins set that have not been replaced, earliest first."""
    rows = await fetch_all(
        conn,
        _TermRow,
        "SELECT id, start_date, end_date FROM terms WHERE superseded_at IS NULL"
        " ORDER BY start_date",
    )
    return [Term(id=row.id, start=row.start_date, end=row.end_date) for row in rows]


async def term_for(conn: aiosqlite.Connection, day: date) -> Term:
    """The term ``day`` falls in, or (in a gap such as August) the latest one begun by then."""
    stored = await set_terms(conn)
    return pick_term(day, stored)


async def target_term_for(conn: aiosqlite.Connection, day: date) -> Term:
    """The term a visit target set on ``day`` is for (see ``pick_target_term``)."""
    return pick_target_term(day, await set_terms(conn))


def pick_target_term(day: date, stored: list[Term]) -> Term:
    """The term under way on ``day``; in a gap between terms (August), the next one.

    A secretary setting a target in late August means the coming term, not the one that
    ended in July; and a target must be dated inside its term to be found again.
    """
    candidates = _candidates(day, stored)
    if any(term.contains(day) for term in candidates):
        return pick_term(day, stored)
    ahead = [term for term in candidates if term.start > day]
    return min(ahead, key=lambda term: term.start) if ahead else pick_term(day, stored)


def _candidates(day: date, stored: list[Term]) -> list[Term]:
    """Set terms, then the default terms around ``day`` that overlap none of them."""
    return [*stored] + [
        default
        for default in default_terms_around(day)
        if not any(default.overlaps(term) for term in stored)
    ]


def pick_term(day: date, stored: list[Term]) -> Term:
    """``term_for`` without the database: set terms first, then the default split."""
    candidates = _candidates(day, stored)
    for term in candidates:
        if term.contains(day):
            return term
    begun = [term for term in candidates if term.start <= day]
    if begun:
        return max(begun, key=lambda term: term.start)
    # Only reachable when set terms crowd out every default before ``day``; the spring
    # default keeps the answer defined.
    return Term(start=date(day.year, 2, 1), end=date(day.year, 7, 31))


async def set_term(
    tx: aiosqlite.Connection, *, start: date, end: date, set_by: int, now: datetime
) -> tuple[Term, list[Term]]:
    """Store a term; set terms it overlaps are marked replaced. Returns (new, replaced)."""
    check_span(start, end)
    new = Term(start=start, end=end)
    replaced = [term for term in await set_terms(tx) if term.overlaps(new)]
    for term in replaced:
        await tx.execute("UPDATE terms SET superseded_at = ? WHERE id = ?", (to_iso(now), term.id))
    term_id = await insert(
        tx,
        "INSERT INTO terms (start_date, end_date, set_by, created_at) VALUES (?, ?, ?, ?)",
        (start.isoformat(), end.isoformat(), set_by, to_iso(now)),
    )
    return Term(id=term_id, start=start, end=end), replaced


class _TermRow(BaseModel):
    id: int
    start_date: date
    end_date: date


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
