"""Failure modes of /settings, the branch reminder times and /notify: wrong role, forged or
stale buttons, kinds that cannot be muted. Nothing may change when refused."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN, MEMBER, SECRETARY, STRANGER
from tests.forbidden import Case


async def _nothing_muted(h: Any) -> None:
    async with h.db.read() as conn, conn.execute("SELECT COUNT(*) FROM reminder_mutes") as cur:
        row = await cur.fetchone()
    assert row[0] == 0


async def _no_rules_changed(h: Any) -> None:
    async with h.db.read() as conn, conn.execute("SELECT COUNT(*) FROM reminder_rules") as cur:
        row = await cur.fetchone()
    assert row[0] == 0


async def _nothing_broadcast(h: Any) -> None:
    async with h.db.read() as conn, conn.execute("SELECT COUNT(*) FROM broadcasts") as cur:
        row = await cur.fetchone()
    assert row[0] == 0
    async with (
        h.db.read() as conn,
        conn.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'broadcast'") as cur,
    ):
        row = await cur.fetchone()
    assert row[0] == 0


async def _cancelled_notice(h: Any) -> None:
    await h.send(SECRETARY, "/notify")
    await h.send(SECRETARY, "周五学习")
    await h.press(SECRETARY, "取消")


CASES = [
    Case(
        "stranger opens /settings",
        STRANGER,
        lambda h: h.send(STRANGER, "/settings"),
        "refuse.stranger",
    ),
    Case(
        "admin mutes a kind that never reaches admins",
        ADMIN,
        lambda h: h.callback(ADMIN, "rem:off:digest"),
        "refuse.role",
        check=_nothing_muted,
    ),
    Case(
        "member mutes a secretary-only kind",
        MEMBER,
        lambda h: h.callback(MEMBER, "rem:off:digest"),
        "refuse.role",
        check=_nothing_muted,
    ),
    Case(
        "member mutes the secretary's notices",
        MEMBER,
        lambda h: h.callback(MEMBER, "rem:off:broadcast"),
        "reminders.not_mutable",
        check=_nothing_muted,
    ),
    Case(
        "forged kind in a mute button",
        MEMBER,
        lambda h: h.callback(MEMBER, "rem:off:bogus.kind"),
        "refuse.bad_button",
        check=_nothing_muted,
    ),
    Case(
        "stranger presses a mute button",
        STRANGER,
        lambda h: h.callback(STRANGER, "rem:off:visit.follow_up"),
        "refuse.stranger",
        check=_nothing_muted,
    ),
    Case(
        "member opens the branch reminder times",
        MEMBER,
        lambda h: h.callback(MEMBER, "rem:rules"),
        "refuse.role",
    ),
    Case(
        "member changes a branch reminder time",
        MEMBER,
        lambda h: h.callback(MEMBER, "rem:rule:announce_time"),
        "refuse.role",
        check=_no_rules_changed,
    ),
    Case(
        "forged rule name",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "rem:rule:drop_table"),
        "refuse.bad_button",
        check=_no_rules_changed,
    ),
    Case(
        "a quick answer pressed outside its question",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "rem:val:0900"),
        "refuse.stale_button",
        check=_no_rules_changed,
    ),
    Case(
        "member tries /notify",
        MEMBER,
        lambda h: h.send(MEMBER, "/notify"),
        "refuse.role",
        check=_nothing_broadcast,
    ),
    Case(
        "admin tries /notify",
        ADMIN,
        lambda h: h.send(ADMIN, "/notify"),
        "refuse.role",
        check=_nothing_broadcast,
    ),
    Case(
        "member presses a forged send button",
        MEMBER,
        lambda h: h.callback(MEMBER, "ntf:send"),
        "refuse.stale_button",
        check=_nothing_broadcast,
    ),
    Case(
        "send pressed after cancelling at the preview",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "ntf:send"),
        "refuse.stale_button",
        setup=_cancelled_notice,
        check=_nothing_broadcast,
    ),
]
