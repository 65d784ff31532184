"""When a branch's party day (党日) falls: the monthly rule and the holiday calendar.

Pure functions, no database: ``dates_for(rule, year, month)`` is the month's day and
``next_dates(rule, start, n)`` the next few, so a secretary can check a rule before saving.

A rule is one of:

* ``day`` N — the N-th of the month; N beyond the month's length (the 31st in a 30-day
  month, the 29th-31st in February) means the month's last day;
* ``nth`` weekday — e.g. the 2nd Tuesday (1st to 4th: every month has four of each weekday,
  not always a fifth; "last" covers the end of the month);
* ``last`` weekday — e.g. the last Friday.

Holiday shift. A date the working calendar (``storage.calendar``: the bureau's overrides,
``chinesecalendar``, the ``holidays`` package) lists as a public holiday or a day off of
the official arrangement (调休) moves to the next working day. A working day is one that is
neither such a holiday nor a Saturday or Sunday, unless it is a make-up working day
(调休上班). A ``day`` rule also moves off a weekend (a school is closed); a weekday rule
that asks for a Saturday or Sunday keeps it, since that was chosen on purpose. The day stays
in its month: when the next working day is in the next month, the last working day before
the rule's date is used instead.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from storage.calendar import holiday_name, is_holiday, is_working_day

__all__ = [
    "DayRule",
    "Planned",
    "RuleKind",
    "dates_for",
    "holiday_name",
    "is_holiday",
    "is_working_day",
    "next_dates",
    "next_month",
    "next_plans",
    "nominal_date",
    "plan",
]

MAX_NTH = 4


class RuleKind(StrEnum):
    DAY = "day"
    NTH = "nth"
    LAST = "last"


class DayRule(BaseModel):
    """Which day of each month; ``weekday`` is 0 for Monday to 6 for Sunday."""

    model_config = ConfigDict(frozen=True)

    kind: RuleKind
    day: int | None = None
    nth: int | None = None
    weekday: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DayRule:
        if self.kind is RuleKind.DAY:
            if self.day is None or not 1 <= self.day <= 31:
                raise ValueError("a day-of-month rule needs a day from 1 to 31")
            if self.nth is not None or self.weekday is not None:
                raise ValueError("a day-of-month rule has no weekday")
            return self
        if self.weekday is None or not 0 <= self.weekday <= 6:
            raise ValueError("a weekday rule needs a weekday from 0 to 6")
        if self.day is not None:
            raise ValueError("a weekday rule has no day of month")
        if self.kind is RuleKind.NTH:
            if self.nth is None or not 1 <= self.nth <= MAX_NTH:
                raise ValueError(f"an nth-weekday rule needs n from 1 to {MAX_NTH}")
        elif self.nth is not None:
            raise ValueError("a last-weekday rule has no n")
        return self


@dataclass(frozen=True)
class Planned:
    """A month's day under a rule: what the rule says, and where the calendar put it."""

    nominal: date
    date: date

    @property
    def shifted(self) -> bool:
        return self.nominal != self.date


def nominal_date(rule: DayRule, year: int, month: int) -> date:
    """The rule's date before any holiday shift."""
    last_day = calendar.monthrange(year, month)[1]
    if rule.kind is RuleKind.DAY:
        assert rule.day is not None
        return date(year, month, min(rule.day, last_day))
    assert rule.weekday is not None
    if rule.kind is RuleKind.NTH:
        assert rule.nth is not None
        first = date(year, month, 1)
        offset = (rule.weekday - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (rule.nth - 1))
    last = date(year, month, last_day)
    return last - timedelta(days=(last.weekday() - rule.weekday) % 7)


def plan(rule: DayRule, year: int, month: int) -> Planned:
    nominal = nominal_date(rule, year, month)
    if not _needs_shift(rule, nominal):
        return Planned(nominal, nominal)
    return Planned(nominal, _nearest_working_day_in_month(nominal))


def dates_for(rule: DayRule, year: int, month: int) -> date:
    """The month's party day under ``rule``, after the holiday shift."""
    return plan(rule, year, month).date


def next_dates(rule: DayRule, start: date, n: int = 3) -> list[date]:
    """The first ``n`` party days on or after ``start``."""
    return [p.date for p in next_plans(rule, start, n)]


def next_plans(rule: DayRule, start: date, n: int = 3) -> list[Planned]:
    plans: list[Planned] = []
    year, month = start.year, start.month
    while len(plans) < n:
        planned = plan(rule, year, month)
        if planned.date >= start:
            plans.append(planned)
        year, month = next_month(year, month)
    return plans


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _needs_shift(rule: DayRule, day: date) -> bool:
    if is_holiday(day):
        return True
    return rule.kind is RuleKind.DAY and not is_working_day(day)


def _nearest_working_day_in_month(day: date) -> date:
    later = day + timedelta(days=1)
    while later.month == day.month:
        if is_working_day(later):
            return later
        later += timedelta(days=1)
    earlier = day - timedelta(days=1)
    while earlier.month == day.month:
        if is_working_day(earlier):
            return earlier
        earlier -= timedelta(days=1)
    # A month without one working day does not occur; keep the rule's date if it did.
    return day
