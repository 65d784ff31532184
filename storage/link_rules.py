"""When a link (三联系, 双服务, 结对) owes a contact: the rhythms, the periods a link is set for
and the windows a contact is counted in, shared by the views, the ledger and reminders."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from storage.choices import Choices
from storage.terms import Span, Term, next_month, pick_target_term, pick_term


class Family(StrEnum):
    THREE = "three"  # 三联系: class, dorm, struggling student
    SERVE = "serve"  # 双服务: a school branch, members and non-members
    PAIR = "pair"  # 结对: two branches


class Rhythm(StrEnum):
    MONTHLY = "monthly"
    TERM = "term"


class LinkRhythms(Choices[Family, Rhythm]):
    """How often each family of links must be contacted (a deployment setting). Defaults
    from the campaign: 三联系 every month, 双服务 each person once a term, 结对 one joint
    activity a term."""

    names, values, labels = Family, Rhythm, ("link family", "rhythm")

    three: Rhythm = Rhythm.MONTHLY
    serve: Rhythm = Rhythm.TERM
    pair: Rhythm = Rhythm.TERM


# ``"three=monthly,serve=term"`` → settings; families not named keep their defaults.
parse_rhythms = LinkRhythms.parse


# A window's last days, in which a link still without a contact counts as behind and its
# owner is reminded: late enough not to nag, early enough to act on.
LEAD = {Rhythm.MONTHLY: timedelta(days=7), Rhythm.TERM: timedelta(days=21)}


def window_of(rhythm: Rhythm, day: date, terms: list[Term]) -> Span:
    """The window ``day`` falls in: its calendar month, or its term (``terms`` are the set
    terms, see ``storage.terms``)."""
    if rhythm is Rhythm.MONTHLY:
        first = day.replace(day=1)
        return Span(first, next_month(day) - timedelta(days=1))
    term = pick_term(day, terms)
    return Span(term.start, term.end)


def nudge_day(rhythm: Rhythm, window: Span) -> date:
    """From this day on, a link owing a contact in ``window`` and still without one is behind."""
    return window.end - LEAD[rhythm] + timedelta(days=1)


class Standing(StrEnum):
    COVERED = "covered"  # at least one contact in the window
    OPEN = "open"  # none yet, and there is still time
    BEHIND = "behind"  # none, and the window is in its last days or over
    NOT_DUE = "not_due"  # began (or ended) too close to the window's end to owe one


def standing(
    rhythm: Rhythm,
    window: Span,
    *,
    contacts: int,
    began: date,
    ended: date | None,
    today: date,
) -> Standing:
    """Where a link stands in ``window`` as of ``today``.

    A link owes a contact in a window when it was running on the window's nudge day; one
    set in the last week of a month is not behind for that month.
    """
    if contacts > 0:
        return Standing.COVERED
    nudge = nudge_day(rhythm, window)
    if began >= nudge or (ended is not None and ended < nudge):
        return Standing.NOT_DUE
    return Standing.BEHIND if today >= nudge else Standing.OPEN


class LinkPeriod(StrEnum):
    TERM = "term"
    YEAR = "year"  # a school year, 1 September to 31 August (as the 台账's)


def period_span(period: LinkPeriod, day: date, terms: list[Term]) -> Span:
    """The term or school year a link set on ``day`` is for.

    The school year runs 1 September to 31 August, as the 台账's. A link set in August
    (the summer gap) is for the coming term or school year.
    """
    if period is LinkPeriod.TERM:
        term = pick_target_term(day, terms)
        return Span(term.start, term.end)
    first_year = day.year if day.month >= 8 else day.year - 1
    return Span(date(first_year, 9, 1), date(first_year + 1, 8, 31))
