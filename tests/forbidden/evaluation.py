"""Failure modes of /points, /rubric and /rating: strangers and inspectors, a member or a
secretary pressing the bureau's buttons, another branch's ranking, forged terms, the rules
upload; in a rating round, an inspector outside their group's branches or at any step
but the 复核, and an admin reviewing a branch its inspection group reviews."""

from __future__ import annotations

from typing import Any

from storage import members, rating, rubric
from storage.ledger import Reading
from storage.members import Role
from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, STRANGER, ZONE, Harness
from tests.fakebot import FakeUser
from tests.forbidden import Case
from tests.forbidden.inspection import INSPECTOR as GROUP_INSPECTOR
from tests.forbidden.inspection import inspector_of_first_branch

INSPECTOR = FakeUser(4011, "督查二组")
GROUP = {"id": -100779, "type": "supergroup", "title": "第一中学党员群"}
TERM = "t2026-09-01.2027-01-31"


async def _inspector(h: Harness) -> None:
    async with h.db.transaction() as tx:
        await members.create(
            tx,
            telegram_id=INSPECTOR.id,
            name="督查二组",
            role=Role.INSPECTOR,
            branch_id=None,
            now=h.clock.now(),
        )


async def _rules_unchanged(h: Harness) -> None:
    async with h.db.read() as conn:
        assert not await conn.execute_fetchall("SELECT id FROM point_rules")
        assert not await conn.execute_fetchall("SELECT id FROM rubrics")


async def _round(h: Harness) -> None:
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert admin is not None
        text = rubric.DEFAULT_FILE.read_text(encoding="utf-8")
        await rating.open_round(tx, 2026, text, actor_id=admin.id, now=h.clock.now())


async def _submitted_with_inspector(h: Harness) -> None:
    """Both branches submitted their 自评; 第三督查组 inspects branch 1 (rating 1) only."""
    await _round(h)
    now = h.clock.now()
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        round_ = await rating.round_for(tx, 2026)
        assert admin is not None and round_ is not None
        for row in await rating.ratings(tx, round_.id):
            sheet = await rating.load_sheet(tx, round_, row, Reading(now.date(), ZONE))
            for line in sheet.unscored_manual():
                await rating.give_score(
                    tx, sheet, line.key, rating.SELF, line.points, actor_id=admin.id, now=now
                )
            sheet = await rating.load_sheet(tx, round_, row, Reading(now.date(), ZONE))
            await rating.submit(tx, sheet, actor_id=admin.id, now=now)
    await inspector_of_first_branch(h)


async def _nothing_reviewed(h: Harness) -> None:
    async with h.db.read() as conn:
        assert not await conn.execute_fetchall(
            "SELECT id FROM rating_scores WHERE stage = 'review'"
        )
        statuses = await conn.execute_fetchall("SELECT DISTINCT status FROM branch_ratings")
    assert [r[0] for r in statuses] == ["submitted"]


async def _nothing_scored(h: Harness) -> None:
    async with h.db.read() as conn:
        assert not await conn.execute_fetchall("SELECT id FROM rating_scores")
        statuses = await conn.execute_fetchall("SELECT DISTINCT status FROM branch_ratings")
    assert [r[0] for r in statuses] == ["filling"]


def _press(actor: FakeUser, data: str) -> Any:
    return lambda h: h.callback(actor, data)


CASES = [
    Case("stranger /points", STRANGER, lambda h: h.send(STRANGER, "/points"), "refuse.stranger"),
    Case(
        "inspector /points",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/points"),
        "refuse.role",
        _inspector,
    ),
    Case(
        "/points in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/points", chat=GROUP),
        "refuse.private_only",
    ),
    Case("member opens all branches", MEMBER, _press(MEMBER, f"pts:all:{TERM}"), "refuse.role"),
    Case(
        "secretary opens all branches",
        SECRETARY,
        _press(SECRETARY, f"pts:all:{TERM}"),
        "refuse.role",
    ),
    Case(
        "secretary opens another branch's ranking",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, f"pts:br:1:{TERM}"),
        "refuse.other_branch",
    ),
    Case(
        "member opens the ranking while it is closed to members",
        MEMBER,
        _press(MEMBER, f"pts:br:1:{TERM}"),
        "points.ranking_hidden",
    ),
    Case("admin presses 'my points'", ADMIN, _press(ADMIN, f"pts:me:{TERM}"), "refuse.role"),
    Case(
        "forged term", MEMBER, _press(MEMBER, "pts:me:t2026-13-01.2027-01-31"), "refuse.bad_button"
    ),
    Case("a year, not a term", MEMBER, _press(MEMBER, "pts:me:sy2026"), "refuse.bad_button"),
    Case("forged branch", ADMIN, _press(ADMIN, f"pts:br:x:{TERM}"), "refuse.bad_button"),
    Case("unknown branch", ADMIN, _press(ADMIN, f"pts:br:999:{TERM}"), "refuse.not_found"),
    Case("secretary sees the rules", SECRETARY, _press(SECRETARY, "pts:rules"), "refuse.role"),
    Case("member downloads the rules", MEMBER, _press(MEMBER, "pts:file"), "refuse.role"),
    Case(
        "secretary starts a rules upload",
        SECRETARY,
        _press(SECRETARY, "evu:up:points"),
        "refuse.role",
        check=_rules_unchanged,
    ),
    Case("secretary /rubric", SECRETARY, lambda h: h.send(SECRETARY, "/rubric"), "refuse.role"),
    Case("member /rubric", MEMBER, lambda h: h.send(MEMBER, "/rubric"), "refuse.role"),
    Case(
        "secretary uploads a rubric",
        SECRETARY,
        _press(SECRETARY, "evu:up:rubric:2026"),
        "refuse.role",
        check=_rules_unchanged,
    ),
    Case(
        "secretary downloads the rubric",
        SECRETARY,
        _press(SECRETARY, "rub:file:2026"),
        "refuse.role",
    ),
    Case("forged school year", ADMIN, _press(ADMIN, "rub:y:99999"), "refuse.bad_button"),
    Case("forged upload kind", ADMIN, _press(ADMIN, "evu:up:ledger"), "refuse.bad_button"),
    Case("rubric upload for no year", ADMIN, _press(ADMIN, "evu:up:rubric:1"), "refuse.bad_button"),
    Case("stranger /rating", STRANGER, lambda h: h.send(STRANGER, "/rating"), "refuse.stranger"),
    Case(
        "inspector of no group /rating",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/rating"),
        "rating.none",
        _inspector,
    ),
    *[
        Case(
            f"inspector {what} of a branch their group does not inspect",
            GROUP_INSPECTOR,
            _press(GROUP_INSPECTOR, data),
            "refuse.other_branch",
            _submitted_with_inspector,
            _nothing_reviewed,
        )
        for what, data in (
            ("opens the sheet", "rt:sh:2"),
            ("scores an item", "rt:ed:2:2"),
            ("agrees the rest", "rt:agr:2"),
            ("completes the review", "rt:rev:2"),
        )
    ],
    *[
        Case(
            f"inspector {what}",
            GROUP_INSPECTOR,
            _press(GROUP_INSPECTOR, data),
            "refuse.role",
            _submitted_with_inspector,
            _nothing_reviewed,
        )
        for what, data in (
            ("opens a round", "rt:open:2027"),
            ("submits the self-score", "rt:sub:1"),
            ("sets the tiers", "rt:dec:1"),
            ("publishes", "rt:pub:1"),
            ("changes a tier", "rt:adj:1"),
            ("lists the objections", "rt:obs:1"),
            ("answers an objection", "rt:ans:1"),
            ("objects", "rt:obj:1"),
            ("makes the round final", "rt:fin:1"),
        )
    ],
    Case(
        "admin reviews a branch its inspection group reviews",
        ADMIN,
        _press(ADMIN, "rt:ed:1:2"),
        "rating.problem.group_reviews",
        _submitted_with_inspector,
        _nothing_reviewed,
    ),
    Case(
        "admin agrees the rest for a branch its inspection group reviews",
        ADMIN,
        _press(ADMIN, "rt:agr:1"),
        "rating.problem.group_reviews",
        _submitted_with_inspector,
        _nothing_reviewed,
    ),
    Case(
        "admin completes the review of a branch its inspection group reviews",
        ADMIN,
        _press(ADMIN, "rt:rev:1"),
        "rating.problem.group_reviews",
        _submitted_with_inspector,
        _nothing_reviewed,
    ),
    Case(
        "secretary reviews their own branch",
        SECRETARY,
        _press(SECRETARY, "rt:agr:1"),
        "refuse.role",
        _submitted_with_inspector,
        _nothing_reviewed,
    ),
    Case(
        "/rating in a group",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/rating", chat=GROUP),
        "refuse.private_only",
    ),
    Case("member opens a round", MEMBER, _press(MEMBER, "rt:open:2026"), "refuse.role"),
    Case("round for a year not offered", ADMIN, _press(ADMIN, "rt:open:1999"), "refuse.bad_button"),
    Case(
        "secretary sets the tiers",
        SECRETARY,
        _press(SECRETARY, "rt:dec:1"),
        "refuse.role",
        _round,
        _nothing_scored,
    ),
    Case(
        "secretary opens another branch's sheet",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "rt:sh:1"),
        "refuse.other_branch",
        _round,
    ),
    Case(
        "secretary submits another branch's self-score",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "rt:sub:1"),
        "refuse.other_branch",
        _round,
        _nothing_scored,
    ),
    Case(
        "member submits the self-score",
        MEMBER,
        _press(MEMBER, "rt:sub:1"),
        "refuse.role",
        _round,
        _nothing_scored,
    ),
    Case(
        "admin submits a branch's self-score",
        ADMIN,
        _press(ADMIN, "rt:sub:1"),
        "refuse.role",
        _round,
        _nothing_scored,
    ),
    Case("member scores an item", MEMBER, _press(MEMBER, "rt:ed:1:2"), "refuse.role", _round),
    Case(
        "admin scores before the self-score",
        ADMIN,
        _press(ADMIN, "rt:ed:1:2"),
        "rating.problem.not_submitted",
        _round,
    ),
    Case(
        "forged item number",
        SECRETARY,
        _press(SECRETARY, "rt:ed:1:99"),
        "refuse.bad_button",
        _round,
    ),
    Case("unknown rating", ADMIN, _press(ADMIN, "rt:sh:999"), "refuse.not_found", _round),
    Case("forged rating", ADMIN, _press(ADMIN, "rt:sh:x"), "refuse.bad_button", _round),
    Case(
        "review agreed before the self-score",
        ADMIN,
        _press(ADMIN, "rt:agr:1"),
        "rating.problem.review_closed",
        _round,
        _nothing_scored,
    ),
    Case(
        "secretary agrees a review", SECRETARY, _press(SECRETARY, "rt:agr:1"), "refuse.role", _round
    ),
    Case(
        "final before the notice",
        ADMIN,
        _press(ADMIN, "rt:fin:1"),
        "rating.problem.not_published",
        _round,
    ),
    Case(
        "objection outside the notice",
        MEMBER,
        _press(MEMBER, "rt:obj:1"),
        "rating.problem.not_in_notice",
        _round,
    ),
    Case(
        "secretary changes a tier", SECRETARY, _press(SECRETARY, "rt:adj:1"), "refuse.role", _round
    ),
    Case("member answers an objection", MEMBER, _press(MEMBER, "rt:ans:1"), "refuse.role", _round),
    Case("member makes a round final", MEMBER, _press(MEMBER, "rt:fin:1"), "refuse.role", _round),
]
