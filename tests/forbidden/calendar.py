"""Failure modes of /holidays: only admins see or change the calendar."""

from __future__ import annotations

from tests.conftest import MEMBER, SECRETARY, STRANGER, Harness
from tests.forbidden import Case


async def _unchanged(h: Harness) -> None:
    async with h.db.read() as conn, conn.execute("SELECT count(*) FROM calendar_overrides") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0


CASES = [
    Case("member /holidays", MEMBER, lambda h: h.send(MEMBER, "/holidays"), "refuse.role"),
    Case(
        "secretary /holidays add",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/holidays add 2030-09-29 上班"),
        "refuse.role",
        check=_unchanged,
    ),
    Case(
        "secretary presses confirm",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "hol:ok:20300929:workday"),
        "refuse.role",
        check=_unchanged,
    ),
    Case(
        "stranger /holidays", STRANGER, lambda h: h.send(STRANGER, "/holidays"), "refuse.stranger"
    ),
]
