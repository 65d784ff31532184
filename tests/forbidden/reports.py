"""Failure modes of /export and /charts: wrong role, another branch, the bureau for a
secretary or an inspector, forged or unknown scopes and periods, group chats, inspectors
with no branch assigned or pressing one not assigned to them."""

from __future__ import annotations

from typing import Any

from storage import members
from storage.members import Role
from tests.conftest import ADMIN, MEMBER, SECRETARY, STRANGER, Harness
from tests.fakebot import FakeUser
from tests.forbidden import Case

INSPECTOR = FakeUser(4001, "督查一组")
GROUP = {"id": -100778, "type": "supergroup", "title": "第一中学党员群"}


async def _inspector(h: Harness) -> None:
    async with h.db.transaction() as tx:
        await members.create(
            tx,
            telegram_id=INSPECTOR.id,
            name="督查一组",
            role=Role.INSPECTOR,
            branch_id=None,
            now=h.clock.now(),
        )


async def _no_file(h: Harness) -> None:
    assert not [c for c in h.tg.calls_to("sendDocument") if c.ok]


def _press(actor: FakeUser, data: str) -> Any:
    return lambda h: h.callback(actor, data)


CASES = [
    Case("stranger /export", STRANGER, lambda h: h.send(STRANGER, "/export"), "refuse.stranger"),
    Case("member /export", MEMBER, lambda h: h.send(MEMBER, "/export"), "refuse.role"),
    Case("member /charts", MEMBER, lambda h: h.send(MEMBER, "/charts"), "refuse.role"),
    Case(
        "inspector with no branch /export",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/export"),
        "picker.none_assigned",
        _inspector,
    ),
    Case(
        "inspector with no branch /charts",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/charts"),
        "picker.none_assigned",
        _inspector,
    ),
    Case(
        "inspector exports an unassigned branch",
        INSPECTOR,
        _press(INSPECTOR, "rp:x:2:sy2026"),
        "refuse.other_branch",
        _inspector,
        check=_no_file,
    ),
    Case(
        "inspector exports the bureau",
        INSPECTOR,
        _press(INSPECTOR, "rp:x:all:sy2026"),
        "refuse.role",
        _inspector,
        check=_no_file,
    ),
    Case(
        "inspector charts an unassigned branch",
        INSPECTOR,
        _press(INSPECTOR, "rp:c:2"),
        "refuse.other_branch",
        _inspector,
    ),
    Case(
        "/export in a group",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/export", chat=GROUP),
        "refuse.private_only",
    ),
    Case(
        "secretary exports another branch",
        SECRETARY,
        _press(SECRETARY, "rp:x:2:sy2026"),
        "refuse.other_branch",
        check=_no_file,
    ),
    Case(
        "secretary opens another branch's periods",
        SECRETARY,
        _press(SECRETARY, "rp:xs:2"),
        "refuse.other_branch",
    ),
    Case(
        "secretary exports the bureau",
        SECRETARY,
        _press(SECRETARY, "rp:x:all:sy2026"),
        "refuse.role",
        check=_no_file,
    ),
    Case("member turns the export picker", MEMBER, _press(MEMBER, "bp:pg:ex:0"), "refuse.role"),
    Case("member picks a branch to chart", MEMBER, _press(MEMBER, "bp:go:ch:1"), "refuse.role"),
    Case(
        "secretary picks another branch to export",
        SECRETARY,
        _press(SECRETARY, "bp:go:ex:2"),
        "refuse.other_branch",
    ),
    Case(
        "inspector picks an unassigned branch to export",
        INSPECTOR,
        _press(INSPECTOR, "bp:go:ex:2"),
        "refuse.other_branch",
        _inspector,
    ),
    Case(
        "inspector picks an unassigned branch to chart",
        INSPECTOR,
        _press(INSPECTOR, "bp:go:ch:2"),
        "refuse.other_branch",
        _inspector,
    ),
    Case(
        "inspector opens the bureau's periods",
        INSPECTOR,
        _press(INSPECTOR, "rp:xs:all"),
        "refuse.role",
        _inspector,
    ),
    Case("export picker: unknown branch", ADMIN, _press(ADMIN, "bp:go:ex:999"), "refuse.not_found"),
    Case("export picker: forged extra", ADMIN, _press(ADMIN, "bp:go:ex:1:7"), "refuse.bad_button"),
    Case("chart picker: forged extra", ADMIN, _press(ADMIN, "bp:go:ch:1:7"), "refuse.bad_button"),
    Case(
        "member presses an export button",
        MEMBER,
        _press(MEMBER, "rp:x:1:sy2026"),
        "refuse.role",
        check=_no_file,
    ),
    Case("forged period", SECRETARY, _press(SECRETARY, "rp:x:1:sy20x6"), "refuse.bad_button"),
    Case("forged scope", ADMIN, _press(ADMIN, "rp:xs:first"), "refuse.bad_button"),
    Case("unknown branch", ADMIN, _press(ADMIN, "rp:xs:999"), "refuse.not_found"),
    Case(
        "secretary charts another branch",
        SECRETARY,
        _press(SECRETARY, "rp:c:2"),
        "refuse.other_branch",
    ),
    Case("charts of the bureau by button", ADMIN, _press(ADMIN, "rp:c:all"), "refuse.bad_button"),
    Case("forged picker page", ADMIN, _press(ADMIN, "bp:pg:ex:z"), "refuse.bad_button"),
]
