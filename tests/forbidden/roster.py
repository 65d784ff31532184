"""Failure modes of roster import (/import), personal links and fresh links."""

from __future__ import annotations

from typing import Any

from storage import members, roster
from storage.members import Role
from storage.roster import RosterRow
from tests.conftest import (
    ADMIN,
    MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    STRANGER,
    Harness,
)
from tests.fakebot import FakeUser, group_chat
from tests.forbidden import Case

INSPECTOR = FakeUser(4002, "督查二组")
NEWCOMER = FakeUser(3601, "newcomer")


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


async def _imported(h: Harness) -> None:
    """第一中学's secretary imported 王芳 (not joined) through the storage layer."""
    async with h.db.transaction() as tx:
        secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
        assert secretary is not None and secretary.branch_id is not None
        await roster.import_members(
            tx,
            secretary.branch_id,
            [RosterRow(number=2, name="王芳", phone="13912345678")],
            actor_id=secretary.id,
            now=h.clock.now(),
        )


async def _expected_id(h: Harness) -> int:
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall("SELECT id FROM expected_people WHERE name = '王芳'")
    return int(next(iter(rows))[0])


async def _code(h: Harness) -> str:
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT code FROM invites WHERE expected_id IS NOT NULL AND revoked_at IS NULL"
        )
    return str(next(iter(rows))[0])


async def _one_open_link(h: Harness) -> None:
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT count(*) FROM invites WHERE expected_id IS NOT NULL AND revoked_at IS NULL"
            " AND uses = 0"
        )
    assert next(iter(rows))[0] == 1


async def _not_joined(h: Harness) -> None:
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT member_id FROM expected_people WHERE name = '王芳'"
        )
    assert [tuple(r) for r in rows] == [(None,)]
    await _one_open_link(h)


async def _fresh(h: Harness, actor: FakeUser, prefix: str) -> Any:
    return await h.callback(actor, f"{prefix}:fresh:{await _expected_id(h)}")


async def _withdraw(h: Harness, actor: FakeUser, step: str = "ok") -> Any:
    return await h.callback(actor, f"rsw:{step}:{await _expected_id(h)}")


async def _still_expected(h: Harness) -> None:
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT withdrawn_at, phone FROM expected_people WHERE name = '王芳'"
        )
    assert [tuple(r) for r in rows] == [(None, "13912345678")]
    await _one_open_link(h)


async def _open_link(h: Harness, actor: FakeUser) -> Any:
    return await h.send(actor, f"/start {await _code(h)}")


async def _joined_then_fresh(h: Harness) -> None:
    await _imported(h)
    await h.send(NEWCOMER, f"/start {await _code(h)}")
    await h.press(NEWCOMER, "是我")


CASES = [
    Case("stranger /import", STRANGER, lambda h: h.send(STRANGER, "/import"), "refuse.stranger"),
    Case("member /import", MEMBER, lambda h: h.send(MEMBER, "/import"), "refuse.role"),
    Case(
        "inspector /import",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/import"),
        "refuse.role",
        setup=_inspector,
    ),
    Case(
        "secretary /import in a group",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/import", chat=group_chat(-100777, "教师群")),
        "refuse.private_only",
    ),
    Case(
        "member presses the import confirmation",
        MEMBER,
        lambda h: h.callback(MEMBER, "rst:ok"),
        "refuse.stale_button",
    ),
    Case(
        "member makes a fresh link",
        MEMBER,
        lambda h: _fresh(h, MEMBER, "mem"),
        "refuse.role",
        setup=_imported,
        check=_one_open_link,
    ),
    Case(
        "other branch secretary makes a fresh link",
        OTHER_SECRETARY,
        lambda h: _fresh(h, OTHER_SECRETARY, "mem"),
        "refuse.other_branch",
        setup=_imported,
        check=_one_open_link,
    ),
    Case(
        "secretary uses the admin's fresh-link button",
        SECRETARY,
        lambda h: _fresh(h, SECRETARY, "adm"),
        "refuse.role",
        setup=_imported,
        check=_one_open_link,
    ),
    Case(
        "fresh link for someone who joined",
        SECRETARY,
        lambda h: _fresh(h, SECRETARY, "mem"),
        "refuse.stale_button",
        setup=_joined_then_fresh,
    ),
    Case(
        "forged fresh-link id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "mem:fresh:99999"),
        "refuse.not_found",
    ),
    Case(
        "admin fresh link, unknown person",
        ADMIN,
        lambda h: h.callback(ADMIN, "adm:fresh:99999"),
        "refuse.not_found",
    ),
    Case(
        "admin opens a personal link",
        ADMIN,
        lambda h: _open_link(h, ADMIN),
        "join.admin",
        setup=_imported,
        check=_not_joined,
    ),
    Case(
        "member withdraws an imported person",
        MEMBER,
        lambda h: _withdraw(h, MEMBER),
        "refuse.role",
        setup=_imported,
        check=_still_expected,
    ),
    Case(
        "inspector withdraws an imported person",
        INSPECTOR,
        lambda h: _withdraw(h, INSPECTOR, "ask"),
        "refuse.role",
        setup=lambda h: _both(h, _inspector, _imported),
        check=_still_expected,
    ),
    Case(
        "other branch secretary withdraws an imported person",
        OTHER_SECRETARY,
        lambda h: _withdraw(h, OTHER_SECRETARY),
        "refuse.other_branch",
        setup=_imported,
        check=_still_expected,
    ),
    Case(
        "withdrawing someone who joined",
        SECRETARY,
        lambda h: _withdraw(h, SECRETARY),
        "refuse.stale_button",
        setup=_joined_then_fresh,
    ),
    Case(
        "forged withdraw id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "rsw:ok:99999"),
        "refuse.not_found",
    ),
]


async def _both(h: Harness, *setups: Any) -> None:
    for setup in setups:
        await setup(h)
