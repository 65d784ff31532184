"""The rules of a pioneers round (评选先锋) that the screens and the steps both apply:
where a round stands on a day, what a ballot may hold, how ballots are counted and
where the quota cuts the ranking (with the nominees tied at the cut), and who decides a
self-nomination."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import aiosqlite

from storage.members import Member
from storage.pledge_rules import branch_overseers, looking_after
from storage.problems import InputProblem

TITLE_MIN, TITLE_MAX = 2, 60
DEEDS_MIN, DEEDS_MAX = 10, 1000
REASON_MAX = 500
PHOTOS_MAX = 3


class PioneerProblem(InputProblem):
    """A step refused: ``code`` names the message (``pioneers.problem.<code>``)."""


class Phase(StrEnum):
    """Where an open round stands on a given day."""

    BEFORE = "before"  # the nomination window has not begun
    NOMINATING = "nominating"
    WAITING = "waiting"  # between the windows: the list is fixed, voting not begun
    VOTING = "voting"
    CLOSED = "closed"  # the jury's window is over: the results may be seen


@dataclass(frozen=True)
class Windows:
    nominate_from: date
    nominate_until: date
    vote_from: date
    vote_until: date

    def phase(self, today: date) -> Phase:
        if today < self.nominate_from:
            return Phase.BEFORE
        if today <= self.nominate_until:
            return Phase.NOMINATING
        if today < self.vote_from:
            return Phase.WAITING
        if today <= self.vote_until:
            return Phase.VOTING
        return Phase.CLOSED

    def check(self, today: date, *, kept: tuple[date, date] | None = None) -> None:
        """Windows in order (nomination, then the vote), and not over before they begin
        (but for the nomination window ``kept`` as it was: a round changed once its
        nominations closed)."""
        check_nomination_window(self.nominate_from, self.nominate_until, today, kept=kept)
        check_vote_window(self.vote_from, self.vote_until, self.nominate_until, today)


def check_vote_window(start: date, end: date, nominations_end: date, today: date) -> None:
    """In order, after the nominations close and after today: a round may be changed only
    before its jury's window begins, so a window begun already (a kept nomination window
    lets it reach back) would leave the round past voting with no ballots and no 修改."""
    if end < start:
        raise PioneerProblem("window_order")
    if start <= nominations_end:
        raise PioneerProblem("vote_after_nomination")
    if start <= today:
        raise PioneerProblem("vote_past", today=today.isoformat())


def check_nomination_window(
    start: date, end: date, today: date, *, kept: tuple[date, date] | None = None
) -> None:
    """In order, and not already over unless it is the window ``kept`` as it was."""
    if end < start:
        raise PioneerProblem("window_order")
    if end < today and (start, end) != kept:
        raise PioneerProblem("window_past")


def deciders(
    branch_id: int, nominee_id: int, secretaries: Sequence[Member], admins: Sequence[Member]
) -> list[Member]:
    """Who endorses or declines a self-nomination (asked when it comes, reminded while it
    waits): the branch's secretaries other than the nominee, else the bureau's admins (a
    lone secretary's own). The rule that says who looks after a branch's pledges."""
    return looking_after(branch_id, secretaries, admins, besides=nominee_id)


async def deciders_of(conn: aiosqlite.Connection, branch_id: int, nominee_id: int) -> list[Member]:
    """``deciders``, read from the members table."""
    return await branch_overseers(conn, branch_id, besides=nominee_id)


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise PioneerProblem("title_length", low=TITLE_MIN, high=TITLE_MAX)
    return title


def check_numbers(quota: int, cap: int) -> None:
    if not 1 <= quota <= 100:
        raise PioneerProblem("quota_range")
    if not 1 <= cap <= 50:
        raise PioneerProblem("cap_range")


def check_deeds(text: str) -> str:
    text = text.strip()
    if not DEEDS_MIN <= len(text) <= DEEDS_MAX:
        raise PioneerProblem("deeds_length", low=DEEDS_MIN, high=DEEDS_MAX, length=len(text))
    return text


def check_reason(text: str) -> str:
    text = text.strip()
    if not text:
        raise PioneerProblem("reason_needed")
    return text[:REASON_MAX]


def check_ballot(
    ranking: Sequence[int], eligible: Iterable[int], own: Iterable[int], quota: int
) -> None:
    """A ballot ranks 1 to ``quota`` different nominees of the round, none the juror's own."""
    if not ranking:
        raise PioneerProblem("ballot_empty")
    if len(ranking) > quota:
        raise PioneerProblem("ballot_too_long", quota=quota)
    if len(set(ranking)) != len(ranking):
        raise PioneerProblem("ballot_twice")
    own_set = set(own)
    if own_set & set(ranking):
        raise PioneerProblem("own_nomination")
    if not set(ranking) <= set(eligible):
        raise PioneerProblem("not_a_nominee")


def tally(ballots: Iterable[Sequence[int]], quota: int) -> dict[int, int]:
    """Points per nomination: on each ballot the first earns ``quota`` points, the next
    one less, and so on (a ranking of at most ``quota``)."""
    points: dict[int, int] = {}
    for ranking in ballots:
        for place, nomination_id in enumerate(ranking):
            points[nomination_id] = points.get(nomination_id, 0) + max(quota - place, 1)
    return points


@dataclass
class Cut:
    """Where the quota cuts the ranking: ``chosen`` are in on points alone; ``tied`` share
    the points at the cut and ``places`` of them go in (a decision with a reason)."""

    ranked: list[tuple[int, int]] = field(default_factory=list)  # (nomination, points)
    chosen: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    places: int = 0

    @property
    def has_tie(self) -> bool:
        return bool(self.tied)

    def selection(self, tie_in: Iterable[int] = ()) -> list[int]:
        """The chosen, with those of the tied the decision put in."""
        decided = set(tie_in)
        return [*self.chosen, *(n for n in self.tied if n in decided)]


def cut(nominations: Iterable[int], points: dict[int, int], quota: int) -> Cut:
    """Rank the nominations by points (highest first) and cut at the quota. When the
    points at the cut are shared across it, every nominee with those points is tied."""
    ranked = sorted(((n, points.get(n, 0)) for n in nominations), key=lambda p: (-p[1], p[0]))
    result = Cut(ranked=ranked)
    if len(ranked) <= quota:
        result.chosen = [n for n, _ in ranked]
        return result
    at_cut = ranked[quota - 1][1]
    if ranked[quota][1] != at_cut:
        result.chosen = [n for n, _ in ranked[:quota]]
        return result
    result.chosen = [n for n, p in ranked if p > at_cut]
    result.tied = [n for n, p in ranked if p == at_cut]
    result.places = quota - len(result.chosen)
    return result


def check_tie_decision(the_cut: Cut, tie_in: Sequence[int]) -> None:
    if not the_cut.has_tie:
        raise PioneerProblem("no_tie")
    if len(set(tie_in)) != the_cut.places or not set(tie_in) <= set(the_cut.tied):
        raise PioneerProblem("tie_count", places=the_cut.places, tied=len(the_cut.tied))
