"""The one reader for typed answers: the text itself, dates, skip words, and options.

Every feature reads a typed answer through these, so the same words mean the same thing
everywhere: ``12月3号``, ``今天`` or ``２０２６－１２－０３`` name the same day in a pledge, a
visit and a party-day record; the same words skip an optional step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, TypeVar

from telegram import Update

from handlers.common.i18n import LANGUAGES, Translator

T = TypeVar("T")
Toward = Literal["past", "future", "near"]

# Typed instead of pressing [跳过] where an answer is optional: "nothing to give here".
SKIP_WORDS = ("跳过", "不用", "无", "没有", "不填", "不需要", "skip", "no", "none", "-")

_DAYS_FROM_TODAY = {
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "yesterday": -1,
    "今天": 0,
    "今日": 0,
    "today": 0,
    "明天": 1,
    "明日": 1,
    "tomorrow": 1,
    "后天": 2,
}
_SEP = r"[-/.年]"
_SEP_MONTH = r"[-/.月]"
_FULL = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP_MONTH}(\d{{1,2}})[日号]?")
_SHORT = re.compile(rf"(\d{{1,2}}){_SEP_MONTH}(\d{{1,2}})[日号]?")
_DAY = re.compile(r"(\d{1,2})[日号]")
_POSITION = re.compile(r"(\d{1,3})[.。、)）]?")


def typed_text(update: Update) -> str:
    """The text the person typed ("" when the message has none)."""
    message = update.effective_message
    return message.text if message is not None and message.text else ""


def labels(key: str) -> list[str]:
    """A button's label in every language: any of them may be typed instead of pressing it."""
    return [Translator(language)(key) for language in LANGUAGES]


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class Fill:
    """How a date typed without its year (``12-3``) or month (``3号``) is completed.

    With ``year`` the year is that one; with ``month`` too, a day alone is in that month.
    Otherwise the day is the nearest such day ``toward`` the past, the future or either
    side of ``around`` (today when not given); a day alone is not read.
    """

    toward: Toward = "near"
    around: date | None = None
    year: int | None = None
    month: int | None = None


PAST = Fill(toward="past")
FUTURE = Fill(toward="future")
NEAR = Fill(toward="near")


def in_year(year: int) -> Fill:
    return Fill(year=year)


def in_month(year: int, month: int) -> Fill:
    return Fill(year=year, month=month)


def after(day: date) -> Fill:
    """The first such day on or after ``day`` (a term's end after its start)."""
    return Fill(toward="future", around=day)


def typed_date(text: str, today: date, fill: Fill = PAST) -> date | None:
    """The date ``text`` names, or None if it names none (2月30日, 2-29 in a common year).

    Read: 今天/今日/昨天/昨日/前天/明天/明日/后天 (and today, yesterday, tomorrow) from
    ``today``; 2026-12-03, 2026/12/3, 2026.12.3, 2026年12月3日; 12-3, 12/3, 12.3, 12月3日,
    12月3号; 3号 or 3日 where ``fill`` gives the month. Full-width digits and punctuation
    (２０２６－１２－０３) and spaces are read like their plain forms.
    """
    value = "".join(normalize(text).split())
    if value in _DAYS_FROM_TODAY:
        return today + timedelta(days=_DAYS_FROM_TODAY[value])
    full = _FULL.fullmatch(value)
    if full:
        return _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
    short = _SHORT.fullmatch(value)
    if short:
        return _complete(int(short.group(1)), int(short.group(2)), today, fill)
    day = _DAY.fullmatch(value)
    if day and fill.year is not None and fill.month is not None:
        return _make(fill.year, fill.month, int(day.group(1)))
    return None


def _complete(month: int, day: int, today: date, fill: Fill) -> date | None:
    if fill.year is not None:
        return _make(fill.year, month, day)
    around = fill.around or today
    candidates = [
        found
        for found in (_make(around.year + shift, month, day) for shift in (-1, 0, 1))
        if found is not None
    ]
    if fill.toward == "past":
        return max((c for c in candidates if c <= around), default=None)
    if fill.toward == "future":
        return min((c for c in candidates if c >= around), default=None)
    return min(candidates, key=lambda c: abs((c - around).days), default=None)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- words, options


def normalize(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), lower case, inner spaces kept."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def is_skip(text: str) -> bool:
    """Whether a typed answer means [跳过]: one of the skip words."""
    return says(text, SKIP_WORDS)


def says(text: str, words: Iterable[str]) -> bool:
    """Whether a typed answer is one of ``words`` (case, spacing, punctuation and emoji
    aside: "✅ 保存" is typed as "保存")."""
    return _key(text) in {_key(word) for word in words}


def choose(
    text: str, options: Iterable[tuple[T, Iterable[str]]], *, by_number: bool = True
) -> T | None:
    """The option a typed answer names: one of its words or its value, else (``by_number``,
    for a question with one answer) its 1-based number in the list; None when it names
    none."""
    listed = list(options)
    answer = _key(text)
    for value, words in listed:
        if answer in {_key(word) for word in (str(value), *words)}:
            return value
    position = _POSITION.fullmatch(normalize(text).replace(" ", ""))
    if by_number and position and 1 <= int(position.group(1)) <= len(listed):
        return listed[int(position.group(1)) - 1][0]
    return None


def _key(text: str) -> str:
    """What is compared: letters and digits only, so punctuation and emoji never matter;
    an answer of punctuation alone ("-") is compared as typed."""
    plain = normalize(text)
    folded = "".join(ch for ch in plain.casefold() if ch.isalnum())
    return folded or plain.replace(" ", "")
