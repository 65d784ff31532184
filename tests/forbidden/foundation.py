"""Failure modes of onboarding, admin and branch handlers."""

from __future__ import annotations

from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, STRANGER, Harness
from tests.fakebot import FakeUser
from tests.forbidden import Case


async def _member_id(h: Harness, name: str) -> int:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT id FROM members WHERE name = ?", (name,)) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _still_active(h: Harness, name: str) -> None:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT status FROM members WHERE name = ?", (name,)) as cur,
    ):
        assert [row[0] for row in await cur.fetchall()] == ["active"]


async def _press_remove(h: Harness, actor: FakeUser, name: str, action: str = "rm") -> object:
    member_id = await _member_id(h, name)
    return await h.callback(actor, f"mem:{action}:{member_id}")


CASES = [
    Case("stranger /me", STRANGER, lambda h: h.send(STRANGER, "/me"), "refuse.stranger"),
    Case("stranger /invite", STRANGER, lambda h: h.send(STRANGER, "/invite"), "refuse.stranger"),
    Case("member /invite", MEMBER, lambda h: h.send(MEMBER, "/invite"), "refuse.role"),
    Case("member /members", MEMBER, lambda h: h.send(MEMBER, "/members"), "refuse.role"),
    Case("admin /invite", ADMIN, lambda h: h.send(ADMIN, "/invite"), "refuse.role"),
    Case("member /newbranch", MEMBER, lambda h: h.send(MEMBER, "/newbranch 假支部"), "refuse.role"),
    Case(
        "secretary /newbranch",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/newbranch 假支部"),
        "refuse.role",
    ),
    Case("secretary /branches", SECRETARY, lambda h: h.send(SECRETARY, "/branches"), "refuse.role"),
    Case(
        "stranger /branches", STRANGER, lambda h: h.send(STRANGER, "/branches"), "refuse.stranger"
    ),
    Case(
        "member presses remove",
        MEMBER,
        lambda h: _press_remove(h, MEMBER, "张老师", "rmok"),
        "refuse.role",
        check=lambda h: _still_active(h, "张老师"),
    ),
    Case(
        "other branch secretary removes",
        OTHER_SECRETARY,
        lambda h: _press_remove(h, OTHER_SECRETARY, "张老师", "rmok"),
        "refuse.other_branch",
        check=lambda h: _still_active(h, "张老师"),
    ),
    Case(
        "secretary removes self",
        SECRETARY,
        lambda h: _press_remove(h, SECRETARY, "李红梅", "rmok"),
        "members.cannot_remove_self",
    ),
    Case(
        "forged remove id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "mem:rmok:99999"),
        "refuse.not_found",
    ),
    Case(
        "malformed remove id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "mem:rmok:abc"),
        "refuse.bad_button",
    ),
    Case(
        "garbage callback", MEMBER, lambda h: h.callback(MEMBER, "\u0000%%%"), "refuse.stale_button"
    ),
    Case("unknown prefix", MEMBER, lambda h: h.callback(MEMBER, "zzz:yy:1"), "refuse.stale_button"),
    Case(
        "member secretary-invite button",
        MEMBER,
        lambda h: h.callback(MEMBER, "adm:secinv:1"),
        "refuse.role",
    ),
    Case(
        "admin secretary-invite unknown branch",
        ADMIN,
        lambda h: h.callback(ADMIN, "adm:secinv:777"),
        "refuse.not_found",
    ),
    Case(
        "bad language button",
        MEMBER,
        lambda h: h.callback(MEMBER, "lang:set:fr"),
        "refuse.bad_button",
    ),
]
