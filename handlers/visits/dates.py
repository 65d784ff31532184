"""Reading dates the way teachers type them: 2026-11-03, 11-03, 11月3日, 今天, yesterday.

A date typed without a year means the nearest such day in the direction asked for: a
visit is in the past (12-30 typed on 5 January is last year's), a follow-up is ahead,
and a term's first day is whichever is nearest.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Literal

Direction = Literal["past", "future", "near"]

_SEP = r"\s*[-/.年]\s*"
_SEP_MONTH = r"\s*[-/.月]\s*"
_FULL = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP_MONTH}(\d{{1,2}})\s*[日号]?$")
_SHORT = re.compile(rf"^(\d{{1,2}}){_SEP_MONTH}(\d{{1,2}})\s*[日号]?$")
_DAYS_AGO = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}


def parse_date(text: str, today: date, direction: Direction = "past") -> date | None:
    """The date ``text`` names, or None if it names none (2月30日, or 2-29 in a common year)."""
    # NFKC turns full-width digits and dashes (２０２６－１１－０３) into ASCII.
    clean = unicodedata.normalize("NFKC", text).strip().lower()
    if clean in _DAYS_AGO:
        return today - timedelta(days=_DAYS_AGO[clean])
    full = _FULL.match(clean)
    if full:
        return _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
    short = _SHORT.match(clean)
    if short is None:
        return None
    month, day = int(short.group(1)), int(short.group(2))
    found = _make(today.year, month, day)
    if found is None:
        return None
    if direction == "near":
        candidates = [_make(today.year + shift, month, day) for shift in (-1, 0, 1)]
        return min((c for c in candidates if c), key=lambda c: abs((c - today).days))
    if direction == "past" and found > today:
        return _make(today.year - 1, month, day)
    if direction == "future" and found < today:
        return _make(today.year + 1, month, day)
    return found


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
