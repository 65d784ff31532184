"""Failure modes of /points: strangers and inspectors, a member or a secretary pressing
the bureau's buttons, another branch's ranking, forged terms, the rules upload."""

from __future__ import annotations

from typing import Any

from storage import members
from storage.members import Role
from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, STRANGER, Harness
from tests.fakebot import FakeUser
from tests.forbidden import Case

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
]
