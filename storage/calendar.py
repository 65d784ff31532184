"""The China working calendar: public holidays and make-up working days (调休).

Sources, first that knows the date wins: the bureau's overrides (``calendar_overrides``,
edited with /holidays), then ``chinesecalendar`` for the years it has (the State Council's
published arrangement, holidays and 调休上班 days), then the ``holidays`` package (statutory
days for any year, the arrangement only for published years; otherwise its estimate).

The overrides are read from the database at start-up and after every change
(``load_overrides``); the lookups below are plain functions, so the party-day rules stay
free of the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import aiosqlite
import chinese_calendar
import holidays
from chinese_calendar import constants as chinese_constants

from storage.clock import to_iso
from storage.rows import changed_one

# Library language codes for the names shown next to a moved date.
_HOLIDAY_LANGUAGES = {"zh": "zh_CN", "en": "en_US"}
# chinesecalendar names its holidays in English only; the Chinese used on notices.
_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
# The first and last year chinesecalendar has data for.
LIBRARY_YEARS = (
    min(chinese_constants.holidays).year,
    max(chinese_constants.holidays).year,
)


class DayKind(StrEnum):
    HOLIDAY = "holiday"
    WORKDAY = "workday"


class Source(StrEnum):
    """Where a year's arrangement comes from (what ``year_source`` answers)."""

    LIBRARY = "chinesecalendar"
    HOLIDAYS = "holidays"
    OVERRIDES = "overrides"
    ESTIMATE = "estimate"


@dataclass(frozen=True)
class Override:
    day: date
    kind: DayKind
    note: str = ""


_overrides: dict[date, Override] = {}


# --------------------------------------------------------------------------- lookups


def is_holiday(day: date) -> bool:
    """A public holiday or a day off of its arrangement (not a plain weekend)."""
    override = _overrides.get(day)
    if override is not None:
        return override.kind is DayKind.HOLIDAY
    if _in_library(day.year):
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return bool(on_holiday and name is not None)
    return day in _fallback(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday unless a holiday, and the make-up Saturdays and Sundays (调休)."""
    override = _overrides.get(day)
    if override is not None:
        return override.kind is DayKind.WORKDAY
    if _in_library(day.year):
        return bool(chinese_calendar.is_workday(day))
    return bool(_fallback(day.year).is_working_day(day))


def holiday_name(day: date, lang: str) -> str | None:
    """The holiday's name on ``day`` in ``lang`` (zh or en), or None on other days."""
    if not is_holiday(day):
        return None
    override = _overrides.get(day)
    if override is not None and override.note:
        return override.note
    name = _named_fallback(day.year, _HOLIDAY_LANGUAGES.get(lang, "zh_CN")).get(day)
    if name is not None:
        return str(name)
    if _in_library(day.year):
        english = chinese_calendar.get_holiday_detail(day)[1]
        if english is not None:
            return str(english) if lang == "en" else _CHINESE_NAMES.get(str(english), english)
    return None


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted), so
    a 5-working-day public notice posted on ``start`` ends on ``add_working_days(start, 5)``."""
    if count < 0:
        raise ValueError("count working days forward only")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def year_source(year: int) -> Source:
    """Who knows this year's arrangement; ``ESTIMATE`` means nobody has published it here."""
    if _in_library(year):
        return Source.LIBRARY
    if any(day.year == year for day in _overrides):
        return Source.OVERRIDES
    if any(day.year == year for day in _fallback(year).weekend_workdays):
        return Source.HOLIDAYS
    return Source.ESTIMATE


def knows_year(year: int) -> bool:
    return year_source(year) is not Source.ESTIMATE


# --------------------------------------------------------------------------- overrides


async def load_overrides(conn: aiosqlite.Connection) -> list[Override]:
    """Read the bureau's overrides and use them from now on (at start-up, which also makes
    the ``holidays`` package ready: see ``warm``)."""
    rows = await conn.execute_fetchall(
        "SELECT day, kind, note FROM calendar_overrides ORDER BY day"
    )
    found = [Override(date.fromisoformat(day), DayKind(kind), note) for day, kind, note in rows]
    use_overrides(found)
    warm()
    return found


def warm() -> None:
    """Make the ``holidays`` package's first lookup now: it imports its two hundred
    countries' modules then (0.3–0.8 s), which, left to the first holiday name or year
    past ``LIBRARY_YEARS`` someone's update asks for, stalls every other update meanwhile
    (``bench.storm`` caught it). Cached: later calls cost nothing."""
    _fallback(LIBRARY_YEARS[1] + 1)
    for language in _HOLIDAY_LANGUAGES.values():
        _named_fallback(LIBRARY_YEARS[1] + 1, language)


def use_overrides(overrides: Iterable[Override]) -> None:
    _overrides.clear()
    _overrides.update({o.day: o for o in overrides})


def overrides() -> list[Override]:
    return sorted(_overrides.values(), key=lambda o: o.day)


async def set_override(
    tx: aiosqlite.Connection, override: Override, *, set_by: int, now: datetime
) -> None:
    """Add or replace the override for its date (call ``load_overrides`` after commit)."""
    await tx.execute(
        "INSERT INTO calendar_overrides (day, kind, note, set_by, set_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note,"
        " set_by = excluded.set_by, set_at = excluded.set_at",
        (override.day.isoformat(), override.kind.value, override.note, set_by, to_iso(now)),
    )


async def remove_override(tx: aiosqlite.Connection, day: date) -> bool:
    return await changed_one(tx, "DELETE FROM calendar_overrides WHERE day = ?", (day.isoformat(),))


# --------------------------------------------------------------------------- helpers


def _in_library(year: int) -> bool:
    return LIBRARY_YEARS[0] <= year <= LIBRARY_YEARS[1]


@lru_cache(maxsize=32)
def _fallback(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


@lru_cache(maxsize=32)
def _named_fallback(year: int, language: str) -> holidays.HolidayBase:
    return holidays.China(years=year, language=language)
