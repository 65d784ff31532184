"""Rating rounds of the branch star rating (星级创建): 自评 → 复核 → 定星 → 公示 → final.

A round copies the rubric in force when it opens, so a later upload changes nothing
under way. Each branch's ``Sheet`` is worked out from the rubric, the auto items' results
and the newest score of each item and stage (scores are never changed in place; every
one given is a row, audited). The steps refuse what is out of order with a
``RatingProblem`` naming the missing step.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import aiosqlite
from pydantic import BaseModel

from storage import audit, members, rating_rules
from storage import objections as objection_store
from storage.clock import to_iso
from storage.ledger import BranchRef, Reading
from storage.members import Member
from storage.objections import ObjectionKind
from storage.problems import InputProblem
from storage.rating_rules import AutoResult
from storage.rows import JsonText, fetch_all, fetch_one, insert, required
from storage.rubric import ItemKind, Rubric, Tier, parse_rubric


class RoundStatus(StrEnum):
    OPEN = "open"
    PUBLISHED = "published"
    FINAL = "final"


class Step(StrEnum):
    """Where one branch's rating stands."""

    FILLING = "filling"  # the secretary fills in the manual items
    SUBMITTED = "submitted"  # 自评 submitted: the inspection group (or the bureau) reviews
    REVIEWED = "reviewed"  # 复核 done: the bureau sets the tier
    DECIDED = "decided"  # 定星 done


class LineKind(StrEnum):
    ITEM = "item"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"


SELF, REVIEW = "self", "review"
TIER_ORDER = [Tier.NONE, Tier.TWO, Tier.THREE, Tier.FOUR, Tier.FIVE]
NOTE_MAX = 500


class RatingProblem(InputProblem):
    """A step refused: ``code`` names the message (``rating.problem.<code>``)."""


class Round(objection_store.NoticeRound):
    school_year: int
    rubric_text: str
    version: str
    status: RoundStatus
    opened_at: datetime

    @property
    def rubric(self) -> Rubric:
        return parse_rubric(self.rubric_text)


class BranchRating(BaseModel):
    id: int
    round_id: int
    branch_id: int
    branch_name: str
    status: Step
    total: float | None = None
    proposed_tier: Tier | None = None
    tier: Tier | None = None
    tier_reason: str | None = None


class Score(BaseModel):
    id: int
    rating_id: int
    item_key: str
    stage: str
    score: float
    note: str | None = None
    photos: Annotated[list[str], JsonText] = []
    reason: str | None = None
    actor_id: int | None = None
    at: datetime


class Inspector(Member):
    group_name: str


@dataclass(frozen=True)
class Reviewers:
    """Who does a branch's 复核: the inspectors of the inspection groups it is assigned
    to; while it has none (or their groups have no inspector left), the admins."""

    people: list[Member]
    groups: list[str]  # the reviewing groups' names; empty when the admins review

    @property
    def by_group(self) -> bool:
        return bool(self.groups)

    def includes(self, person: Member) -> bool:
        return any(p.id == person.id for p in self.people)


# 公示 objections are raised against a branch's rating (storage.objections).
OBJECTIONS = ObjectionKind(
    rounds="rating_rounds",
    table="rating_objections",
    subject="rating_id",
    of_round="JOIN branch_ratings r ON r.id = o.rating_id WHERE r.round_id = ?",
    action="rating",
    round_entity="rating_round",
    subject_entity="branch_rating",
    entity="rating_objection",
    problem=RatingProblem,
    length_code="objection_length",
)


# --------------------------------------------------------------------------- the sheet


@dataclass
class Line:
    """One row of a branch's rating sheet."""

    key: str
    kind: LineKind
    text: str
    points: float  # the most it can give (or take, for a deduction); 1 for a veto
    category: str | None = None
    rule: str | None = None
    evidence_asked: str | None = None
    auto: AutoResult | None = None
    self_score: Score | None = None
    review: Score | None = None

    @property
    def manual(self) -> bool:
        return self.kind is LineKind.ITEM and self.rule is None

    @property
    def auto_score(self) -> float | None:
        return None if self.auto is None else self.auto.score(self.points)

    @property
    def claimed(self) -> float | None:
        """The 自评 score: the secretary's, or the records' for an auto item."""
        if self.self_score is not None:
            return self.self_score.score
        return self.auto_score

    @property
    def final(self) -> float:
        """The review's score, else the self-score; 0 for what nobody scored."""
        if self.review is not None:
            return self.review.score
        if self.kind in (LineKind.DEDUCTION, LineKind.VETO):
            return 0.0
        return self.claimed or 0.0


@dataclass
class Sheet:
    rating: BranchRating
    rubric: Rubric
    lines: list[Line] = field(default_factory=list)

    def of(self, kind: LineKind) -> list[Line]:
        return [line for line in self.lines if line.kind is kind]

    def line(self, key: str) -> Line | None:
        return next((line for line in self.lines if line.key == key), None)

    @property
    def base(self) -> float:
        return round(sum(line.final for line in self.of(LineKind.ITEM)), 1)

    @property
    def bonus(self) -> float:
        cap = self.rubric.bonus.cap if self.rubric.bonus else 0.0
        return round(min(sum(line.final for line in self.of(LineKind.BONUS)), cap), 1)

    @property
    def deduction(self) -> float:
        cap = self.rubric.deductions.cap if self.rubric.deductions else 0.0
        return round(min(sum(line.final for line in self.of(LineKind.DEDUCTION)), cap), 1)

    @property
    def total(self) -> float:
        return round(max(self.base + self.bonus - self.deduction, 0.0), 1)

    @property
    def self_total(self) -> float:
        items = sum(line.claimed or 0.0 for line in self.of(LineKind.ITEM))
        bonus = sum(line.claimed or 0.0 for line in self.of(LineKind.BONUS))
        cap = self.rubric.bonus.cap if self.rubric.bonus else 0.0
        return round(items + min(bonus, cap), 1)

    @property
    def vetoed(self) -> list[Line]:
        return [line for line in self.of(LineKind.VETO) if line.final > 0]

    def by_category(self) -> list[tuple[str, float, float]]:
        """(category name, its points, what the branch got) in the rubric's order."""
        got: dict[str, float] = {}
        for line in self.of(LineKind.ITEM):
            got[line.category or ""] = got.get(line.category or "", 0.0) + line.final
        return [(c.name, c.points, round(got.get(c.name, 0.0), 1)) for c in self.rubric.categories]

    def unscored_manual(self) -> list[Line]:
        return [line for line in self.of(LineKind.ITEM) if line.manual and line.self_score is None]

    def unreviewed(self) -> list[Line]:
        return [
            line
            for line in self.lines
            if line.kind in (LineKind.ITEM, LineKind.BONUS)
            and line.review is None
            and (line.kind is LineKind.ITEM or line.self_score is not None)
        ]


def build_sheet(
    rating: BranchRating, rubric: Rubric, auto: dict[str, AutoResult], scores: list[Score]
) -> Sheet:
    newest: dict[tuple[str, str], Score] = {}
    for score in sorted(scores, key=lambda s: s.id):
        newest[(score.item_key, score.stage)] = score
    sheet = Sheet(rating, rubric)
    for category, item in rubric.items():
        sheet.lines.append(
            Line(
                item.key,
                LineKind.ITEM,
                item.text,
                item.points,
                category=category.name,
                rule=item.rule if item.kind is ItemKind.AUTO else None,
                evidence_asked=item.evidence,
                auto=auto.get(item.rule) if item.rule else None,
            )
        )
    for adjustment in rubric.bonus_items:
        sheet.lines.append(Line(adjustment.key, LineKind.BONUS, adjustment.text, adjustment.points))
    for adjustment in rubric.deduction_items:
        sheet.lines.append(
            Line(adjustment.key, LineKind.DEDUCTION, adjustment.text, adjustment.points)
        )
    for veto in rubric.vetoes:
        sheet.lines.append(Line(veto.key, LineKind.VETO, veto.text, 1.0))
    for line in sheet.lines:
        line.self_score = newest.get((line.key, SELF))
        line.review = newest.get((line.key, REVIEW))
    return sheet


def five_star_places(rubric: Rubric, branches: int) -> int:
    """How many branches may be rated 五星: the quota's share, rounded down."""
    return math.floor(rubric.tiers.five_star_quota * branches + 1e-9)


def propose_tiers(sheets: list[Sheet]) -> dict[int, Tier]:
    """Each branch's tier by its total, vetoes and the five-star quota (by rating id).

    A veto bars 三星 and above (二星 at most, if the rubric has it). Beyond the quota the
    lowest 五星 become 四星; branches tied at the cut all drop, so the quota is never
    exceeded (the bureau may raise one with a reason)."""
    if not sheets:
        return {}
    rubric = sheets[0].rubric
    tiers: dict[int, Tier] = {}
    for sheet in sheets:
        tier = rubric.tiers.of(sheet.total)
        if sheet.vetoed and TIER_ORDER.index(tier) >= TIER_ORDER.index(Tier.THREE):
            two = rubric.tiers.two
            tier = Tier.TWO if two is not None and sheet.total >= two else Tier.NONE
        tiers[sheet.rating.id] = tier
    five = sorted((s for s in sheets if tiers[s.rating.id] is Tier.FIVE), key=lambda s: -s.total)
    places = five_star_places(rubric, len(sheets))
    if len(five) > places:
        cut = five[places].total
        for sheet in five:
            if sheet.total <= cut:
                tiers[sheet.rating.id] = Tier.FOUR
    return tiers


# --------------------------------------------------------------------------- reads


async def round_for(conn: aiosqlite.Connection, school_year: int) -> Round | None:
    return await fetch_one(conn, Round, f"{_ROUND} WHERE school_year = ?", (school_year,))


async def get_round(conn: aiosqlite.Connection, round_id: int) -> Round | None:
    return await fetch_one(conn, Round, f"{_ROUND} WHERE id = ?", (round_id,))


async def latest_round(conn: aiosqlite.Connection) -> Round | None:
    return await fetch_one(conn, Round, f"{_ROUND} ORDER BY school_year DESC LIMIT 1")


async def ratings(conn: aiosqlite.Connection, round_id: int) -> list[BranchRating]:
    return await fetch_all(
        conn, BranchRating, f"{_RATING} WHERE r.round_id = ? ORDER BY b.name, r.id", (round_id,)
    )


async def get_rating(conn: aiosqlite.Connection, rating_id: int) -> BranchRating | None:
    return await fetch_one(conn, BranchRating, f"{_RATING} WHERE r.id = ?", (rating_id,))


async def rating_of(
    conn: aiosqlite.Connection, round_id: int, branch_id: int
) -> BranchRating | None:
    return await fetch_one(
        conn,
        BranchRating,
        f"{_RATING} WHERE r.round_id = ? AND r.branch_id = ?",
        (round_id, branch_id),
    )


async def scores(conn: aiosqlite.Connection, rating_id: int) -> list[Score]:
    return await fetch_all(
        conn,
        Score,
        "SELECT * FROM rating_scores WHERE rating_id = ? ORDER BY item_key, stage, id",
        (rating_id,),
    )


async def reviewers(conn: aiosqlite.Connection, branch_id: int) -> Reviewers:
    """Who may review the branch's rating now (assignments are read at each step, so a
    branch assigned or taken back mid-review goes to its new reviewers)."""
    found = await fetch_all(
        conn,
        Inspector,
        "SELECT m.*, g.name AS group_name FROM inspection_assignments a"
        " JOIN inspection_groups g ON g.id = a.group_id"
        " JOIN inspection_group_members gm ON gm.group_id = a.group_id AND gm.removed_at IS NULL"
        " JOIN members m ON m.id = gm.member_id AND m.status = 'active'"
        " WHERE a.branch_id = ? AND a.removed_at IS NULL ORDER BY g.name, m.name, m.id",
        (branch_id,),
    )
    if not found:
        return Reviewers(await members.admins(conn), [])
    groups = list(dict.fromkeys(person.group_name for person in found))
    return Reviewers(list(found), groups)


_ROUND = (
    "SELECT id, school_year, rubric AS rubric_text, version, status, opened_at, published_at,"
    " notice_ends_on, finalized_at FROM rating_rounds"
)
_RATING = (
    "SELECT r.*, b.name AS branch_name FROM branch_ratings r JOIN branches b ON b.id = r.branch_id"
)


# --------------------------------------------------------------------------- steps


async def open_round(
    tx: aiosqlite.Connection, school_year: int, rubric_text: str, *, actor_id: int, now: datetime
) -> Round:
    """A round for every branch, with a copy of the rubric; one per school year."""
    if await round_for(tx, school_year) is not None:
        raise RatingProblem("round_exists", year=school_year)
    rubric = parse_rubric(rubric_text)
    round_id = await insert(
        tx,
        "INSERT INTO rating_rounds (school_year, rubric, version, opened_by, opened_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (school_year, rubric_text, rubric.version, actor_id, to_iso(now)),
    )
    await tx.execute(
        "INSERT INTO branch_ratings (round_id, branch_id) SELECT ?, id FROM branches",
        (round_id,),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="rating.opened", entity="rating_round",
        entity_id=round_id, year=school_year,
    )  # fmt: skip
    return required(await get_round(tx, round_id))


async def give_score(
    tx: aiosqlite.Connection,
    sheet: Sheet,
    key: str,
    stage: str,
    score: float,
    *,
    note: str | None = None,
    photos: list[str] | None = None,
    reason: str | None = None,
    actor_id: int,
    now: datetime,
    group: str | None = None,
) -> None:
    """A score for one line at one stage, checked against the step and the line;
    ``group`` names the inspection group a reviewer scored for (kept in the audit)."""
    line = sheet.line(key)
    if line is None:
        raise RatingProblem("unknown_item")
    step = sheet.rating.status
    if stage == SELF:
        if step is not Step.FILLING:
            raise RatingProblem("self_closed")
        if line.kind not in (LineKind.ITEM, LineKind.BONUS) or not (
            line.manual or line.kind is LineKind.BONUS
        ):
            raise RatingProblem("not_self_scored")
    else:
        if step is not Step.SUBMITTED:
            raise RatingProblem("review_closed")
        before = line.claimed if line.kind in (LineKind.ITEM, LineKind.BONUS) else 0.0
        if (before is None or abs(score - before) > 1e-9) and not (reason and reason.strip()):
            raise RatingProblem("reason_needed")
    if not 0 <= score <= line.points or (score * 10) % 1 > 1e-6:
        raise RatingProblem("score_range", most=f"{line.points:g}")
    note = note.strip()[:NOTE_MAX] if note and note.strip() else None
    reason = reason.strip()[:NOTE_MAX] if reason and reason.strip() else None
    await insert(
        tx,
        "INSERT INTO rating_scores (rating_id, item_key, stage, score, note, photos, reason,"
        " actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sheet.rating.id,
            key,
            stage,
            score,
            note,
            json.dumps(photos or []),
            reason,
            actor_id,
            to_iso(now),
        ),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action=f"rating.score.{stage}", entity="branch_rating",
        entity_id=sheet.rating.id, item=key, score=score,
        before=None if stage == SELF or line.claimed is None else line.claimed, reason=reason,
        **{"group": group} if group else {},
    )  # fmt: skip


async def submit(tx: aiosqlite.Connection, sheet: Sheet, *, actor_id: int, now: datetime) -> None:
    """自评 submitted: every manual item scored; the auto items' scores are kept as they
    stand now, so the review sees what the secretary saw."""
    if sheet.rating.status is not Step.FILLING:
        raise RatingProblem("already_submitted")
    missing = sheet.unscored_manual()
    if missing:
        raise RatingProblem("manual_missing", items="；".join(line.text for line in missing))
    for line in sheet.of(LineKind.ITEM):
        if line.auto is not None:
            await insert(
                tx,
                "INSERT INTO rating_scores (rating_id, item_key, stage, score, note, actor_id, at)"
                " VALUES (?, ?, 'self', ?, 'auto', ?, ?)",
                (sheet.rating.id, line.key, line.auto_score, actor_id, to_iso(now)),
            )
    await _advance(tx, sheet, Step.SUBMITTED, sheet.self_total, actor_id=actor_id, now=now)


async def agree_rest(
    tx: aiosqlite.Connection,
    sheet: Sheet,
    *,
    actor_id: int,
    now: datetime,
    group: str | None = None,
) -> int:
    """The review agrees with every self-score it has not scored yet; how many."""
    if sheet.rating.status is not Step.SUBMITTED:
        raise RatingProblem("review_closed")
    rest = sheet.unreviewed()
    for line in rest:
        await give_score(
            tx,
            sheet,
            line.key,
            REVIEW,
            line.claimed or 0.0,
            actor_id=actor_id,
            now=now,
            group=group,
        )
    return len(rest)


async def complete_review(
    tx: aiosqlite.Connection,
    sheet: Sheet,
    *,
    actor_id: int,
    now: datetime,
    group: str | None = None,
) -> None:
    if sheet.rating.status is not Step.SUBMITTED:
        raise RatingProblem(
            "not_submitted" if sheet.rating.status is Step.FILLING else "review_closed"
        )
    missing = sheet.unreviewed()
    if missing:
        raise RatingProblem("review_missing", items="；".join(line.text for line in missing))
    detail = {"group": group} if group else {}
    await _advance(tx, sheet, Step.REVIEWED, sheet.total, actor_id=actor_id, now=now, **detail)


async def decide(
    tx: aiosqlite.Connection, round_: Round, sheets: list[Sheet], *, actor_id: int, now: datetime
) -> dict[int, Tier]:
    """定星 for every branch of the round, once every one was reviewed."""
    if round_.status is not RoundStatus.OPEN:
        raise RatingProblem("round_not_open")
    for sheet in sheets:
        if sheet.rating.status in (Step.FILLING, Step.SUBMITTED):
            raise RatingProblem(_missing_step(sheet.rating.status), branch=sheet.rating.branch_name)
    tiers = propose_tiers(sheets)
    for sheet in sheets:
        tier = tiers[sheet.rating.id]
        await tx.execute(
            "UPDATE branch_ratings SET status = 'decided', total = ?, proposed_tier = ?,"
            " tier = ?, tier_reason = NULL, decided_by = ?, decided_at = ? WHERE id = ?",
            (sheet.total, tier.value, tier.value, actor_id, to_iso(now), sheet.rating.id),
        )
        await audit.record(
            tx, at=now, actor_id=actor_id, action="rating.tier", entity="branch_rating",
            entity_id=sheet.rating.id, total=sheet.total, tier=tier.value,
            vetoes=[line.key for line in sheet.vetoed],
        )  # fmt: skip
    return tiers


async def override_tier(
    tx: aiosqlite.Connection,
    round_: Round,
    sheets: list[Sheet],
    rating_id: int,
    tier: Tier,
    reason: str,
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """The bureau sets a tier other than proposed: with a reason, within the vetoes and
    the five-star quota, until the round is final."""
    sheet = next((s for s in sheets if s.rating.id == rating_id), None)
    if sheet is None:
        raise RatingProblem("unknown_item")
    if round_.status is RoundStatus.FINAL:
        raise RatingProblem("round_final")
    if sheet.rating.status is not Step.DECIDED:
        raise RatingProblem("not_decided", branch=sheet.rating.branch_name)
    if not reason.strip():
        raise RatingProblem("reason_needed")
    if sheet.vetoed and TIER_ORDER.index(tier) >= TIER_ORDER.index(Tier.THREE):
        raise RatingProblem("vetoed", veto=sheet.vetoed[0].text)
    if tier is Tier.FIVE:
        others = sum(1 for s in sheets if s.rating.id != rating_id and s.rating.tier is Tier.FIVE)
        places = five_star_places(sheet.rubric, len(sheets))
        if others >= places:
            raise RatingProblem("quota_full", places=places)
    await tx.execute(
        "UPDATE branch_ratings SET tier = ?, tier_reason = ?, decided_by = ?, decided_at = ?"
        " WHERE id = ?",
        (tier.value, reason.strip()[:NOTE_MAX], actor_id, to_iso(now), rating_id),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="rating.tier_override", entity="branch_rating",
        entity_id=rating_id, before=sheet.rating.tier.value if sheet.rating.tier else None,
        tier=tier.value, reason=reason.strip(),
    )  # fmt: skip


async def publish(
    tx: aiosqlite.Connection,
    round_: Round,
    ratings_: list[BranchRating],
    *,
    ends_on: date,
    actor_id: int,
    now: datetime,
) -> None:
    """公示: refused, naming the step, while any branch is not decided."""
    if round_.status is not RoundStatus.OPEN:
        raise RatingProblem("already_published")
    for rating in ratings_:
        if rating.status is not Step.DECIDED:
            raise RatingProblem(_missing_step(rating.status), branch=rating.branch_name)
    await objection_store.publish(
        tx, OBJECTIONS, round_.id, from_status="open", ends_on=ends_on, actor_id=actor_id, now=now
    )


async def finalize(
    tx: aiosqlite.Connection, round_: Round, *, today: date, actor_id: int, now: datetime
) -> None:
    if round_.status is RoundStatus.OPEN:
        raise RatingProblem("not_published")
    await objection_store.finalize(tx, OBJECTIONS, round_, today=today, actor_id=actor_id, now=now)


async def _advance(
    tx: aiosqlite.Connection,
    sheet: Sheet,
    to: Step,
    total: float,
    *,
    actor_id: int,
    now: datetime,
    **detail: Any,
) -> None:
    """自评 submitted or 复核 done: the step, the total, who and when, audited."""
    before = {Step.SUBMITTED: Step.FILLING, Step.REVIEWED: Step.SUBMITTED}[to]
    await tx.execute(
        f"UPDATE branch_ratings SET status = ?, total = ?, {to.value}_by = ?, {to.value}_at = ?"
        " WHERE id = ? AND status = ?",
        (to.value, total, actor_id, to_iso(now), sheet.rating.id, before.value),
    )
    action = f"rating.{to.value}"
    await audit.record(
        tx, at=now, actor_id=actor_id, action=action, entity="branch_rating",
        entity_id=sheet.rating.id, total=total, **detail,
    )  # fmt: skip


def _missing_step(step: Step) -> str:
    return {
        Step.FILLING: "missing_self",
        Step.SUBMITTED: "missing_review",
        Step.REVIEWED: "missing_tier",
    }.get(step, "missing_tier")


async def load_sheet(
    conn: aiosqlite.Connection, round_: Round, rating: BranchRating, reading: Reading
) -> Sheet:
    """The branch's sheet: the round's rubric, the auto items as the records stand on
    ``reading.today`` (kept as they were once 自评 was submitted), and the newest scores."""
    branch = BranchRef(rating.branch_id, rating.branch_name)
    auto = await rating_rules.auto_results(conn, branch, round_.school_year, reading)
    return build_sheet(rating, round_.rubric, auto, await scores(conn, rating.id))


async def load_sheets(conn: aiosqlite.Connection, round_: Round, reading: Reading) -> list[Sheet]:
    return [
        await load_sheet(conn, round_, rating, reading) for rating in await ratings(conn, round_.id)
    ]
