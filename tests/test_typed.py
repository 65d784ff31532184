"""The one reader for typed answers: the same text means the same thing in every feature.

Dates are one table: each typed text is read in every year-filling mode a feature uses,
with the date expected (or None: refused, the step asks again).
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.common.typed import (
    FUTURE,
    NEAR,
    PAST,
    Fill,
    after,
    choose,
    in_month,
    in_year,
    is_skip,
    says,
    typed_date,
)

TODAY = date(2026, 11, 28)

# The modes, and who reads dates with them.
MODES: dict[str, Fill] = {
    "in_year": in_year(2027),  # a pledge's target date, in its period's year
    "past": PAST,  # a home visit's date
    "future": FUTURE,  # a visit's follow-up
    "near": NEAR,  # a term's first day
    "after": after(date(2026, 9, 1)),  # a term's last day, after its first
    "in_month": in_month(2027, 1),  # a service record, a party day moved (its month)
}

# 12-3 typed without a year, in each mode
DEC_3 = ("2027-12-03", "2025-12-03", "2026-12-03", "2026-12-03", "2026-12-03", "2027-12-03")
# text: one date (ISO) for every mode, or one per mode in MODES' order; None: refused.
TABLE: list[tuple[str, str | tuple[str | None, ...] | None]] = [
    ("2026-12-03", "2026-12-03"),
    ("2026-12-3", "2026-12-03"),
    ("2026/12/3", "2026-12-03"),
    ("2026.12.3", "2026-12-03"),
    ("2026年12月3日", "2026-12-03"),
    ("2026年12月3号", "2026-12-03"),
    ("２０２６－１２－０３", "2026-12-03"),
    ("２０２６／１２／３", "2026-12-03"),
    (" 2026 - 12 - 03 ", "2026-12-03"),
    ("今天", "2026-11-28"),
    ("今日", "2026-11-28"),
    ("Today", "2026-11-28"),
    ("昨天", "2026-11-27"),
    ("昨日", "2026-11-27"),
    ("yesterday", "2026-11-27"),
    ("前天", "2026-11-26"),
    ("明天", "2026-11-29"),
    ("明日", "2026-11-29"),
    ("tomorrow", "2026-11-29"),
    ("后天", "2026-11-30"),
    # month and day: the year comes from the mode
    ("12月3号", DEC_3),
    ("12月3日", DEC_3),
    ("12-3", DEC_3),
    ("12/3", DEC_3),
    ("12.3", DEC_3),
    ("１２月３日", DEC_3),
    ("1-15", ("2027-01-15", "2026-01-15", "2027-01-15", "2027-01-15", "2027-01-15", "2027-01-15")),
    ("11-28", ("2027-11-28", "2026-11-28", "2026-11-28", "2026-11-28", "2026-11-28", "2027-11-28")),
    ("9-01", ("2027-09-01", "2026-09-01", "2027-09-01", "2026-09-01", "2026-09-01", "2027-09-01")),
    # a day alone: only where the mode gives the month
    ("20号", (None, None, None, None, None, "2027-01-20")),
    ("3日", (None, None, None, None, None, "2027-01-03")),
    # no such day, or no date at all
    ("2月30日", None),
    ("2026-02-30", None),
    ("2-29", (None, None, None, None, None, None)),
    ("13-01", None),
    ("32号", None),
    ("next tuesday", None),
    ("12", None),
    ("", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[text or "empty" for text, _ in TABLE])
def test_typed_dates_read_the_same_in_every_mode(
    text: str, expected: str | tuple[str | None, ...] | None
) -> None:
    wanted = expected if isinstance(expected, tuple) else (expected,) * len(MODES)
    read = [typed_date(text, TODAY, fill) for fill in MODES.values()]
    assert dict(zip(MODES, [day and day.isoformat() for day in read], strict=True)) == dict(
        zip(MODES, wanted, strict=True)
    )


def test_a_leap_day_without_a_year_is_the_nearest_real_one() -> None:
    assert typed_date("2-29", date(2028, 3, 1), PAST) == date(2028, 2, 29)
    assert typed_date("2-29", date(2027, 3, 1), FUTURE) == date(2028, 2, 29)
    assert typed_date("2-29", date(2027, 3, 1), in_year(2027)) is None


@pytest.mark.parametrize(
    ("text", "skip"),
    [
        ("跳过", True),
        ("Skip", True),
        ("skip。", True),
        ("无", True),
        ("没有", True),
        ("不填", True),
        ("不用", True),
        ("不需要", True),
        ("none", True),
        ("No", True),
        ("-", True),
        ("－", True),
        ("...", False),
        ("跳", False),
        ("学习全会精神", False),
    ],
)
def test_one_list_of_skip_words(text: str, skip: bool) -> None:
    assert is_skip(text) is skip


OPTIONS = [("2026", ["今年", "this year"]), ("2027", ["明年", "next"]), ("sick", ["🤒 生病"])]


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("2027", "2027"),  # the value itself
        (" 今年。", "2026"),  # a word, spacing and a full stop aside
        ("This Year", "2026"),
        ("thisyear", "2026"),
        ("生病", "sick"),  # the label without its emoji
        ("SICK", "sick"),
        ("2", "2027"),  # the number in the list
        ("２", "2027"),
        ("3.", "sick"),
        ("4", None),
        ("0", None),
        ("后年", None),
        ("", None),
    ],
)
def test_one_option_matcher(text: str, chosen: str | None) -> None:
    assert choose(text, OPTIONS) == chosen


def test_a_typed_word_is_a_buttons_label_whatever_the_case_or_emoji() -> None:
    assert says("✅ 保存", ["保存"]) and says("保存", ["✅ 保存"]) and says("SAVE!", ["save"])
    assert not says("保存吧", ["保存"])


def test_a_list_of_many_answers_is_not_read_by_number() -> None:
    assert choose("2", OPTIONS, by_number=False) is None
    assert choose("明年", OPTIONS, by_number=False) == "2027"
