"""Failure modes of /todo and the bureau's branch picker: members, inspectors (/todo is
not open to them, even on an assigned branch: it reminds people; the read-only screens
behind the picker show them nothing without a branch assigned), another branch's
secretary, forged or stale buttons, a branch that does not exist, group chats. Branch 1
is 第一中学党支部 (SECRETARY), branch 2 第二中学党支部 (OTHER_SECRETARY)."""

from __future__ import annotations

from typing import Any

from storage import members, outbox
from storage.members import Role
from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, STRANGER, Harness
from tests.fakebot import FakeUser
from tests.forbidden import Case
from tests.forbidden.inspection import INSPECTOR as ASSIGNED
from tests.forbidden.inspection import inspector_of_first_branch

INSPECTOR = FakeUser(4002, "督查二组")
GROUP = {"id": -100779, "type": "supergroup", "title": "第一中学党员群"}


async def _inspector(h: Harness) -> None:
    async with h.db.transaction() as tx:
        await members.create(
            tx, telegram_id=INSPECTOR.id, name="督查二组", role=Role.INSPECTOR, branch_id=None,
            now=h.clock.now(),
        )  # fmt: skip


async def _nothing_queued(h: Harness) -> None:
    async with h.db.read() as conn:
        rows = await outbox.list_all(conn)
    nudges = {"pledge.no_pledge", "visit.behind_target", "service.missing", "partyday.announce"}
    assert not [row for row in rows if row.kind in nudges]


def _send(actor: FakeUser, text: str) -> Any:
    return lambda h: h.send(actor, text)


def _press(actor: FakeUser, data: str) -> Any:
    return lambda h: h.callback(actor, data)


CASES = [
    # /todo by role
    Case("stranger /todo", STRANGER, _send(STRANGER, "/todo"), "refuse.stranger"),
    Case("member /todo", MEMBER, _send(MEMBER, "/todo"), "refuse.role"),
    Case("inspector /todo", INSPECTOR, _send(INSPECTOR, "/todo"), "refuse.role", _inspector),
    Case(
        "/todo in a group",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/todo", chat=GROUP),
        "refuse.private_only",
    ),
    # the lists and the nudge
    Case(
        "member nudges the branch",
        MEMBER,
        _press(MEMBER, "td:n:service:1"),
        "refuse.role",
        check=_nothing_queued,
    ),
    Case(
        "inspector nudges a branch",
        INSPECTOR,
        _press(INSPECTOR, "td:n:pledge:1"),
        "refuse.role",
        _inspector,
        _nothing_queued,
    ),
    Case(
        "secretary nudges another branch",
        SECRETARY,
        _press(SECRETARY, "td:n:visit:2"),
        "refuse.other_branch",
        check=_nothing_queued,
    ),
    Case(
        "secretary opens another branch's list",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "td:ls:pledge:1"),
        "refuse.other_branch",
    ),
    Case(
        "nudge for a branch that does not exist",
        ADMIN,
        _press(ADMIN, "td:n:service:999"),
        "refuse.not_found",
        check=_nothing_queued,
    ),
    Case("forged activity", SECRETARY, _press(SECRETARY, "td:n:bogus:1"), "refuse.bad_button"),
    Case("forged branch id", SECRETARY, _press(SECRETARY, "td:ls:visit:x"), "refuse.bad_button"),
    # the picker, by role and branch
    Case("member /members", MEMBER, _send(MEMBER, "/members"), "refuse.role"),
    # An inspector whose group has no branch: the read-only screens have nothing to show.
    *[
        Case(
            f"unassigned inspector {command}",
            INSPECTOR,
            _send(INSPECTOR, command),
            "picker.none_assigned",
            _inspector,
        )
        for command in ("/roster", "/members", "/partyday", "/service", "/pledges", "/meetings")
    ],
    Case(
        "unassigned inspector presses a branch in the picker",
        INSPECTOR,
        _press(INSPECTOR, "bp:go:ro:1"),
        "refuse.other_branch",
        _inspector,
    ),
    Case("member presses a branch", MEMBER, _press(MEMBER, "bp:go:mb:1"), "refuse.role"),
    Case("member turns a picker page", MEMBER, _press(MEMBER, "bp:pg:sv:1"), "refuse.role"),
    Case(
        "secretary opens another branch's roster",
        SECRETARY,
        _press(SECRETARY, "bp:go:ro:2"),
        "refuse.other_branch",
    ),
    Case(
        "secretary opens another branch's members",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "bp:go:mb:1"),
        "refuse.other_branch",
    ),
    Case(
        "secretary opens another branch's service",
        SECRETARY,
        _press(SECRETARY, "bp:go:sv:2"),
        "refuse.other_branch",
    ),
    Case("branch that does not exist", ADMIN, _press(ADMIN, "bp:go:mb:999"), "refuse.not_found"),
    Case("forged picker page", ADMIN, _press(ADMIN, "bp:pg:mb:x"), "refuse.bad_button"),
    Case("forged roster month", ADMIN, _press(ADMIN, "bp:go:ro:1:202613"), "refuse.bad_button"),
    Case("forged pledge year", ADMIN, _press(ADMIN, "bp:go:pl:1:20x6"), "refuse.bad_button"),
    Case("forged service year", ADMIN, _press(ADMIN, "bp:go:sv:1:abc"), "refuse.bad_button"),
    Case(
        "extra on a screen without one", ADMIN, _press(ADMIN, "bp:go:mb:1:7"), "refuse.bad_button"
    ),
    Case("unknown screen", ADMIN, _press(ADMIN, "bp:go:zz:1"), "refuse.stale_button"),
    Case(
        "/service branch with a bad year",
        SECRETARY,
        _send(SECRETARY, "/service branch 1999"),
        "service.branch.bad_year",
    ),
    Case("member /service branch", MEMBER, _send(MEMBER, "/service branch"), "refuse.role"),
    # An inspector whose group is assigned branch 1: visible_to gives it, and its boards
    # are open to them read-only (tests/forbidden/inspection.py READS), but /todo is not:
    # an inspector writes nothing (no reminders).
    *[
        Case(
            f"assigned inspector {what}",
            ASSIGNED,
            action,
            "refuse.role",
            inspector_of_first_branch,
            _nothing_queued,
        )
        for what, action in [
            ("/todo", _send(ASSIGNED, "/todo")),
            ("opens /todo by the picker", _press(ASSIGNED, "bp:go:td:1")),
            ("opens the /todo lists", _press(ASSIGNED, "td:ls:pledge:1")),
            ("nudges", _press(ASSIGNED, "td:n:service:1")),
        ]
    ],
]
