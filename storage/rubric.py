"""The star-rating rubric (星级创建评分细则) as data: categories of items, each auto (a
named rule over the records, ``storage.rating_rules``) or manual; bonus and deduction
items with caps; veto items; tiers and the five-star quota.

``parse_rubric`` checks a TOML file and names every problem with its line and field;
``save_rubric`` puts one in force for a school year (the newest upload wins, else the
shipped ``rubric.toml``).
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import aiosqlite
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from storage import audit
from storage.clock import from_iso, to_iso
from storage.rating_rules import RULE_NAMES
from storage.tomlcheck import FileProblems, Problem, RuleError, load, problem_at

DEFAULT_FILE = Path(__file__).with_name("rubric.toml")
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,29}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Points = Annotated[float, Field(gt=0, le=100)]


class ItemKind(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


class Tier(StrEnum):
    FIVE = "five"
    FOUR = "four"
    THREE = "three"
    TWO = "two"
    NONE = "none"  # below every threshold (未定星)


def _known_rule(name: str) -> str:
    if name not in RULE_NAMES:
        raise RuleError("unknown_rule", name=name, known=", ".join(RULE_NAMES))
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    key: Key
    text: Text
    points: Points
    kind: ItemKind
    rule: Annotated[str, AfterValidator(_known_rule)] | None = None
    evidence: str | None = Field(default=None, max_length=200)


class Category(_Strict):
    key: Key
    name: Text
    points: Points
    items: list[Item] = Field(min_length=1)


class Adjustment(_Strict):
    key: Key
    text: Text
    points: Points


class Adjustments(_Strict):
    cap: Points
    items: list[Adjustment] = Field(default_factory=list)


class Veto(_Strict):
    key: Key
    text: Text


class Tiers(_Strict):
    five: float = Field(ge=0, le=200)
    four: float = Field(ge=0, le=200)
    three: float = Field(ge=0, le=200)
    two: float | None = Field(default=None, ge=0, le=200)
    five_star_quota: float = Field(gt=0, le=1)

    def of(self, score: float) -> Tier:
        """The tier a score reaches, before vetoes and the quota."""
        for tier, floor in (
            (Tier.FIVE, self.five),
            (Tier.FOUR, self.four),
            (Tier.THREE, self.three),
            (Tier.TWO, self.two),
        ):
            if floor is not None and score >= floor:
                return tier
        return Tier.NONE


class Rubric(_Strict):
    version: Text
    total: float = Field(default=100, gt=0, le=1000)
    tiers: Tiers
    categories: list[Category] = Field(min_length=1)
    bonus: Adjustments | None = None
    deductions: Adjustments | None = None
    vetoes: list[Veto] = Field(default_factory=list)

    def items(self) -> list[tuple[Category, Item]]:
        return [(category, item) for category in self.categories for item in category.items]

    def item(self, key: str) -> tuple[Category, Item] | None:
        return next(((c, i) for c, i in self.items() if i.key == key), None)

    @property
    def bonus_items(self) -> list[Adjustment]:
        return list(self.bonus.items) if self.bonus else []

    @property
    def deduction_items(self) -> list[Adjustment]:
        return list(self.deductions.items) if self.deductions else []


@dataclass(frozen=True)
class RubricInForce:
    rubric: Rubric
    text: str
    school_year: int  # the first calendar year of the school year (2026 → 2026–2027)
    uploaded_at: datetime | None  # None: the shipped default
    uploaded_by: int | None


# --------------------------------------------------------------------------- reading


def parse_rubric(text: str) -> Rubric:
    """The rubric ``text`` describes, or ``FileProblems`` listing every problem found
    (points that do not add up are named even beside problems of single fields)."""
    try:
        rubric = load(Rubric, text)
    except FileProblems as exc:
        if any(problem.code == "syntax" for problem in exc.problems):
            raise
        raise FileProblems([*exc.problems, *_sums(tomllib.loads(text), text)]) from exc
    problems = [*_sums(rubric.model_dump(), text), *_checks(rubric, text)]
    if problems:
        raise FileProblems(problems)
    return rubric


def default_rubric(school_year: int) -> RubricInForce:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    return RubricInForce(parse_rubric(text), text, school_year, None, None)


async def rubric_for(conn: aiosqlite.Connection, school_year: int) -> RubricInForce:
    """The newest rubric uploaded for the school year, or the shipped default."""
    rows = await conn.execute_fetchall(
        "SELECT content, uploaded_at, uploaded_by FROM rubrics WHERE school_year = ?"
        " ORDER BY id DESC LIMIT 1",
        (school_year,),
    )
    row = next(iter(rows), None)
    if row is None:
        return default_rubric(school_year)
    text = str(row[0])
    return RubricInForce(parse_rubric(text), text, school_year, from_iso(row[1]), row[2])


async def save_rubric(
    tx: aiosqlite.Connection, text: str, school_year: int, *, actor_id: int, now: datetime
) -> Rubric:
    """Put the rubric in ``text`` in force for the school year (or ``FileProblems``)."""
    rubric = parse_rubric(text)
    await audit.inserted(
        tx,
        "INSERT INTO rubrics (school_year, version, content, uploaded_by, uploaded_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (school_year, rubric.version, text, actor_id, to_iso(now)),
        at=now,
        actor_id=actor_id,
        action="rubric.uploaded",
        entity="rubric",
        school_year=school_year,
        version=rubric.version,
    )
    return rubric


# --------------------------------------------------------------------------- checks


def _sums(data: Any, text: str) -> list[Problem]:
    """Category points against the total, items against their category, read from the
    file's values as far as they are numbers (so they are checked even when another
    field is wrong)."""
    problems: list[Problem] = []
    categories = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(categories, list):
        return problems
    total = _number(data.get("total", 100))
    numbers = [_number(c.get("points")) for c in categories if isinstance(c, dict)]
    found = sum(n for n in numbers if n is not None)
    if None not in numbers and total is not None and abs(found - total) > 1e-9:
        problems.append(
            problem_at(text, ("total",), "categories_sum", sum=_n(found), total=_n(total))
        )
    for index, category in enumerate(categories):
        if not isinstance(category, dict) or not isinstance(category.get("items"), list):
            continue
        points = [_number(i.get("points")) for i in category["items"] if isinstance(i, dict)]
        own = _number(category.get("points"))
        items_sum = sum(n for n in points if n is not None)
        if None not in points and own is not None and abs(items_sum - own) > 1e-9:
            problems.append(
                problem_at(
                    text,
                    ("categories", index, "points"),
                    "items_sum",
                    name=str(category.get("name", "")),
                    sum=_n(items_sum),
                    points=_n(own),
                )
            )
    return problems


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _checks(rubric: Rubric, text: str) -> list[Problem]:
    """What a model cannot say field by field: pairs, order, duplicates, caps."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for c_index, category in enumerate(rubric.categories):
        for i_index, item in enumerate(category.items):
            path: tuple[str | int, ...] = ("categories", c_index, "items", i_index)
            if item.kind is ItemKind.AUTO and item.rule is None:
                problems.append(problem_at(text, (*path, "kind"), "auto_needs_rule"))
            if item.kind is ItemKind.MANUAL and item.rule is not None:
                problems.append(problem_at(text, (*path, "rule"), "manual_has_rule"))
            if item.key in seen:
                problems.append(problem_at(text, (*path, "key"), "duplicate_key", key=item.key))
            seen.add(item.key)
    for part, adjustments in (("bonus", rubric.bonus), ("deductions", rubric.deductions)):
        if adjustments is None:
            continue
        for index, adjustment in enumerate(adjustments.items):
            path = (part, "items", index)
            if adjustment.points > adjustments.cap:
                problems.append(
                    problem_at(
                        text,
                        (*path, "points"),
                        "over_cap",
                        points=_n(adjustment.points),
                        cap=_n(adjustments.cap),
                    )
                )
            if adjustment.key in seen:
                problems.append(
                    problem_at(text, (*path, "key"), "duplicate_key", key=adjustment.key)
                )
            seen.add(adjustment.key)
    for index, veto in enumerate(rubric.vetoes):
        if veto.key in seen:
            problems.append(
                problem_at(text, ("vetoes", index, "key"), "duplicate_key", key=veto.key)
            )
        seen.add(veto.key)
    tiers = rubric.tiers
    floors = [("five", tiers.five), ("four", tiers.four), ("three", tiers.three)]
    if tiers.two is not None:
        floors.append(("two", tiers.two))
    for (higher, high), (lower, low) in itertools.pairwise(floors):
        if low >= high:
            problems.append(
                problem_at(text, ("tiers", lower), "tier_order", lower=lower, higher=higher)
            )
    if tiers.five > rubric.total + (rubric.bonus.cap if rubric.bonus else 0):
        problems.append(problem_at(text, ("tiers", "five"), "tier_unreachable"))
    return problems


def _n(value: float) -> str:
    return f"{value:g}"
