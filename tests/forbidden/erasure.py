"""Failure modes of /erasemember (a bureau admin erasing a departed member's data)."""

from __future__ import annotations

from tests.conftest import ADMIN, MEMBER, SECRETARY, STRANGER, Harness
from tests.forbidden import Case


async def _member2_id(h: Harness) -> int:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT id FROM members WHERE name = '张老师'") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _remove_member2(h: Harness) -> None:
    await h.callback(SECRETARY, f"mem:rmok:{await _member2_id(h)}")


async def _name_kept(h: Harness) -> None:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT count(*) FROM members WHERE name = '张老师'") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and row[0] == 1


async def _admin_id(h: Harness) -> int:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT id FROM members WHERE role = 'admin'") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


CASES = [
    Case("member /erasemember", MEMBER, lambda h: h.send(MEMBER, "/erasemember"), "refuse.role"),
    Case(
        "secretary /erasemember",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/erasemember"),
        "refuse.role",
    ),
    Case(
        "stranger /erasemember",
        STRANGER,
        lambda h: h.send(STRANGER, "/erasemember"),
        "refuse.stranger",
    ),
    Case(
        "secretary presses erase of a member who left",
        SECRETARY,
        lambda h: _press(h, SECRETARY, "ok"),
        "refuse.role",
        setup=_remove_member2,
        check=_name_kept,
    ),
    Case(
        "admin erases an active member",
        ADMIN,
        lambda h: _press(h, ADMIN, "ok"),
        "erase.still_active",
        check=_name_kept,
    ),
    Case(
        "admin erases an admin",
        ADMIN,
        lambda h: _admin_press(h),
        "refuse.not_found",
    ),
    Case(
        "forged erase of nobody",
        ADMIN,
        lambda h: h.callback(ADMIN, "era:ok:999999"),
        "refuse.not_found",
    ),
    Case(
        "malformed erase button",
        ADMIN,
        lambda h: h.callback(ADMIN, "era:ok:x"),
        "refuse.bad_button",
    ),
]


async def _press(h: Harness, actor: object, action: str) -> object:
    return await h.callback(actor, f"era:{action}:{await _member2_id(h)}")  # type: ignore[arg-type]


async def _admin_press(h: Harness) -> object:
    await h.send(ADMIN, "/me")
    return await h.callback(ADMIN, f"era:ask:{await _admin_id(h)}")
