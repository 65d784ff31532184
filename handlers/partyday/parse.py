"""Party day's own typed answers (a rule, a start time, a month, hours), read the way
people type them on a phone; dates, skip words and options are read by handlers.common.typed.

Each function returns None for text it cannot read; the step then asks again. Ranges
(1-31, 0.5-12 hours) are the models' business, not the parser's.
"""

from __future__ import annotations

import re
from datetime import date, time

from handlers.common.typed import normalize
from storage.partyday_rules import DayRule, RuleKind

_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN_NTH = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4}
_YES = {"保存", "确定", "确认", "是", "好", "好的", "yes", "y", "ok", "save", "confirm"}


def is_yes(text: str) -> bool:
    return normalize(text) in _YES


def weekday(text: str) -> int | None:
    """0 (Monday) to 6 (Sunday) from 星期二 / 周二 / 礼拜二 / 二 / Tue / Tuesday / 2."""
    value = normalize(text)
    value = re.sub(r"^(星期|周|礼拜)", "", value)
    if value in _ZH_DIGITS and value != "两":
        return _ZH_DIGITS[value] - 1
    if value.isdigit() and 1 <= int(value) <= 7:
        return int(value) - 1
    value = value.rstrip(".")
    for index, name in enumerate(_EN_WEEKDAYS):
        # "tue", "tues" and "tuesday" all read; two letters are too ambiguous (t, s).
        if len(value) >= 3 and name.startswith(value):
            return index
    return None


def nth(text: str) -> int | None:
    """1 to 4 from 2 / 第二 / 第2个 / 2nd / second."""
    value = normalize(text)
    value = re.sub(r"^第", "", value).removesuffix("个")
    if value in _EN_NTH:
        return _EN_NTH[value]
    if value.isdigit():
        return int(value)
    if value in _ZH_DIGITS and _ZH_DIGITS[value] <= 4:
        return _ZH_DIGITS[value]
    return None


def day_of_month(text: str) -> int | None:
    """The number in 15 / 15号 / 15日 / 每月15日 / 15th."""
    match = re.fullmatch(r"(?:每月)?\s*(\d{1,2})\s*(?:号|日|st|nd|rd|th)?", normalize(text))
    return int(match.group(1)) if match else None


def rule(text: str) -> DayRule | None:
    """A whole rule: 15号, 第2个星期二, 最后一个周五, 2nd Tuesday, last Friday."""
    value = normalize(text)
    try:
        day = day_of_month(value)
        if day is not None:
            return DayRule(kind=RuleKind.DAY, day=day)
        zh_last = re.fullmatch(r"(?:每月)?(?:最后一个|最后|末)\s*((?:星期|周|礼拜).)", value)
        if zh_last:
            return _weekday_rule(RuleKind.LAST, None, zh_last.group(1))
        zh_nth = re.fullmatch(r"(?:每月)?第\s*(.)\s*个?\s*((?:星期|周|礼拜).)", value)
        if zh_nth:
            return _weekday_rule(RuleKind.NTH, nth(zh_nth.group(1)), zh_nth.group(2))
        en = re.fullmatch(r"(?:the\s+)?(\w+)\s+(\w+)(?:\s+of\s+(?:each|every|the)\s+month)?", value)
        if en:
            if en.group(1) == "last":
                return _weekday_rule(RuleKind.LAST, None, en.group(2))
            if en.group(1) in _EN_NTH:
                return _weekday_rule(RuleKind.NTH, _EN_NTH[en.group(1)], en.group(2))
    except ValueError:
        return None
    return None


def start_time(text: str) -> time | None:
    """14:30 / 14：30 / 14.30 / 1430 / 14点 / 14点30 / 14点半 / 下午2点半 / 2:30 pm."""
    value = normalize(text).replace(" ", "")
    afternoon = value.startswith(("下午", "晚上")) or value.endswith("pm")
    value = re.sub(r"^(上午|早上|下午|晚上)", "", value).removesuffix("am").removesuffix("pm")
    match = (
        re.fullmatch(r"(\d{1,2})[:.](\d{2})", value)
        or re.fullmatch(r"(\d{2})(\d{2})", value)
        or re.fullmatch(r"(\d{1,2})点(?:(\d{1,2})分?|(半))?", value)
        or re.fullmatch(r"(\d{1,2})()", value)
    )
    if not match:
        return None
    hour = int(match.group(1))
    groups = match.groups()
    minute = 30 if len(groups) > 2 and groups[2] == "半" else int(groups[1] or 0)
    if afternoon and hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def month(text: str, today: date) -> tuple[int, int] | None:
    """2026-12 / 2026年12月 / 12月 / 12 (a month alone means the next one with that number)."""
    explicit = year_month(text)
    if explicit is not None:
        return explicit
    short = re.fullmatch(r"(\d{1,2})月?", normalize(text).replace(" ", ""))
    if not short or not 1 <= int(short.group(1)) <= 12:
        return None
    number = int(short.group(1))
    return (today.year if number >= today.month else today.year + 1), number


def year_month(text: str) -> tuple[int, int] | None:
    """A month with its year: 2026-12 / 2026/12 / 2026年12月."""
    full = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", normalize(text).replace(" ", ""))
    if not full or not 1 <= int(full.group(2)) <= 12:
        return None
    return int(full.group(1)), int(full.group(2))


_ZH_HOURS = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
    "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12,
}  # fmt: skip


def hours(text: str) -> float | None:
    """1.5 / 1,5 / 1.5小时 / 2h / 2 hours / 半小时 / 1个半小时 / 两小时 / 两个半钟头."""
    value = normalize(text).replace(" ", "")
    spelled = re.match(r"(十[一二]?|[一二两三四五六七八九])(?=个|半|小时|钟头|$)", value)
    if spelled:
        value = str(_ZH_HOURS[spelled.group(1)]) + value[spelled.end() :]
    if value in {"半小时", "半个小时", "0.5小时"}:
        return 0.5
    half = re.fullmatch(r"(\d{1,2})个?半(?:小时|钟头)?", value)
    if half:
        return int(half.group(1)) + 0.5
    match = re.fullmatch(r"(\d{1,2}(?:[.,]\d+)?)(?:小时|个小时|钟头|h|hr|hrs|hour|hours)?", value)
    if not match:
        return None
    return float(match.group(1).replace(",", "."))


def _weekday_rule(kind: RuleKind, n: int | None, text: str) -> DayRule | None:
    day = weekday(text)
    if day is None or (kind is RuleKind.NTH and n is None):
        return None
    return DayRule(kind=kind, nth=n, weekday=day)
