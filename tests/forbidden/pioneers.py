"""Failure modes of /pioneers: strangers, groups, the wrong role at each step, another
branch's nominations, forged buttons, and each step out of its order (the windows, whose
messages carry their dates, are in tests/test_pioneers.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage import members, pioneers
from storage.members import Role
from storage.pioneer_rules import Windows
from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, STRANGER, ZONE, Harness
from tests.fakebot import FakeUser
from tests.forbidden import Case

INSPECTOR = FakeUser(4012, "督查三组")
GROUP = {"id": -100780, "type": "supergroup", "title": "第一中学党员群"}
WINDOWS = Windows(date(2026, 11, 28), date(2026, 12, 5), date(2026, 12, 7), date(2026, 12, 11))
DEEDS = "扎根教学一线二十年，带出多名优秀青年教师。"


async def _round(h: Harness) -> None:
    async with h.db.transaction() as tx:
        await pioneers.open_round(
            tx,
            year=2026,
            title="2026年度育人成才先锋党员",
            quota=2,
            branch_cap=2,
            windows=WINDOWS,
            today=h.clock.now().date(),
            actor_id=1,
            now=h.clock.now(),
        )


async def _self_nominated(h: Harness) -> None:
    """A round with MEMBER's self-nomination (id 1) waiting for the first branch."""
    await _round(h)
    async with h.db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        member = await members.get_active_by_telegram(tx, MEMBER.id)
        assert round_ is not None and member is not None
        await pioneers.nominate(
            tx,
            round_,
            actor=member,
            nominee_id=member.id,
            deeds=DEEDS,
            today=h.clock.now().date(),
            now=h.clock.now(),
        )


async def _voting_with_own(h: Harness) -> None:
    """The jury's window with the admin on the jury and a nomination the admin made."""
    await _self_nominated(h)
    async with h.db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        assert round_ is not None
        await pioneers.toggle_juror(
            tx, round_, 1, today=h.clock.now().date(), actor_id=1, now=h.clock.now()
        )
        await tx.execute(
            "INSERT INTO pioneer_nominations (round_id, branch_id, member_id, nominated_by,"
            " deeds, status, created_at) VALUES (?, 1, 4, 1, ?, 'nominated', ?)",
            (round_.id, DEEDS, h.clock.now().isoformat()),
        )
    _on(h, 8)


async def _voting(h: Harness) -> None:
    await _self_nominated(h)
    _on(h, 8)


async def _inspector(h: Harness) -> None:
    await _round(h)
    async with h.db.transaction() as tx:
        await members.create(
            tx,
            telegram_id=INSPECTOR.id,
            name="督查三组",
            role=Role.INSPECTOR,
            branch_id=None,
            now=h.clock.now(),
        )


def _on(h: Harness, day: int) -> None:
    h.clock.set(datetime(2026, 12, day, 10, 0, tzinfo=ZONE))


async def _still_open(h: Harness) -> None:
    async with h.db.read() as conn:
        round_ = await pioneers.latest_round(conn)
        ballots = await pioneers.ballots_cast(conn, 1)
    assert round_ is not None and round_.status is pioneers.RoundStatus.OPEN
    assert ballots == 0


async def _unchanged(h: Harness) -> None:
    async with h.db.read() as conn:
        round_ = await pioneers.latest_round(conn)
    assert round_ is not None and round_.windows == WINDOWS and round_.branch_cap == 2


async def _secretary_self_nominated(h: Harness) -> None:
    """A round with SECRETARY's own self-nomination (id 1), pending."""
    await _round(h)
    async with h.db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
        assert round_ is not None and secretary is not None
        await pioneers.nominate(
            tx,
            round_,
            actor=secretary,
            nominee_id=secretary.id,
            deeds=DEEDS,
            today=h.clock.now().date(),
            now=h.clock.now(),
        )


async def _closed_without_ballots(h: Harness) -> None:
    """MEMBER's self-nomination endorsed, the jury's window over, and nobody voted."""
    await _self_nominated(h)
    async with h.db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        nomination = await pioneers.get_nomination(tx, 1)
        assert round_ is not None and nomination is not None
        await pioneers.endorse(
            tx, round_, nomination, actor_id=1, today=h.clock.now().date(), now=h.clock.now()
        )
    h.clock.set(datetime(2026, 12, 12, 10, 0, tzinfo=ZONE))


async def _still_pending(h: Harness) -> None:
    async with h.db.read() as conn:
        found = await pioneers.get_nomination(conn, 1)
    assert found is not None and found.status is pioneers.NominationStatus.PENDING


def _press(actor: FakeUser, data: str) -> Any:
    return lambda h: h.callback(actor, data)


async def _vote_own(h: Harness) -> list[str]:
    await h.callback(ADMIN, "pn:vote:1")
    return list(await h.callback(ADMIN, "pn:bt:2"))


CASES = [
    Case(
        "stranger /pioneers", STRANGER, lambda h: h.send(STRANGER, "/pioneers"), "refuse.stranger"
    ),
    Case(
        "/pioneers in a group",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/pioneers", chat=GROUP),
        "refuse.private_only",
    ),
    Case("member opens a round", MEMBER, _press(MEMBER, "pn:open:2026"), "refuse.role"),
    Case("round for a year not offered", ADMIN, _press(ADMIN, "pn:open:1999"), "refuse.bad_button"),
    Case(
        "a second round for the year",
        ADMIN,
        _press(ADMIN, "pn:open:2026"),
        "pioneers.problem.round_exists",
        _round,
    ),
    Case("forged round", ADMIN, _press(ADMIN, "pn:ov:x"), "refuse.bad_button", _round),
    Case("unknown round", ADMIN, _press(ADMIN, "pn:ov:999"), "refuse.not_found", _round),
    Case(
        "secretary picks the jury", SECRETARY, _press(SECRETARY, "pn:jt:1:1"), "refuse.role", _round
    ),
    Case(
        "a member on the jury",
        ADMIN,
        _press(ADMIN, "pn:jt:1:3"),
        "pioneers.problem.not_a_juror",
        _round,
    ),
    Case("member changes a round", MEMBER, _press(MEMBER, "pn:ed:1"), "refuse.role", _round),
    Case(
        "secretary changes a round", SECRETARY, _press(SECRETARY, "pn:ed:1"), "refuse.role", _round
    ),
    Case("change a forged round", ADMIN, _press(ADMIN, "pn:ed:x"), "refuse.bad_button", _round),
    Case("change an unknown round", ADMIN, _press(ADMIN, "pn:ed:9"), "refuse.not_found", _round),
    Case(
        "change a round in the jury's window",
        ADMIN,
        _press(ADMIN, "pn:ed:1"),
        "pioneers.problem.not_editable",
        _voting,
        _unchanged,
    ),
    Case("member nominates others", MEMBER, _press(MEMBER, "pn:nom:1"), "refuse.role", _round),
    # The 自荐 button every member gets when a round opens.
    Case(
        "inspector nominates themself",
        INSPECTOR,
        _press(INSPECTOR, "pn:self:1"),
        "refuse.role",
        _inspector,
    ),
    Case("admin nominates themself", ADMIN, _press(ADMIN, "pn:self:1"), "refuse.role", _round),
    Case(
        "self-nomination, unknown round",
        MEMBER,
        _press(MEMBER, "pn:self:9"),
        "refuse.not_found",
        _round,
    ),
    Case(
        "self-nomination, forged round",
        MEMBER,
        _press(MEMBER, "pn:self:x"),
        "refuse.bad_button",
        _round,
    ),
    Case(
        "endorsing another branch's self-nomination",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "pn:en:1"),
        "refuse.other_branch",
        _self_nominated,
        _still_pending,
    ),
    Case(
        "member endorses a self-nomination",
        MEMBER,
        _press(MEMBER, "pn:en:1"),
        "refuse.role",
        _self_nominated,
        _still_pending,
    ),
    Case(
        "declining another branch's self-nomination",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "pn:de:1"),
        "refuse.other_branch",
        _self_nominated,
        _still_pending,
    ),
    Case(
        "another branch's nomination",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "pn:nm:1"),
        "refuse.other_branch",
        _self_nominated,
    ),
    Case(
        "inspector off the jury",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/pioneers"),
        "pioneers.problem.not_on_jury",
        _inspector,
    ),
    Case("member votes", MEMBER, _press(MEMBER, "pn:vote:1"), "refuse.role", _voting, _still_open),
    Case(
        "admin off the jury votes",
        ADMIN,
        _press(ADMIN, "pn:vote:1"),
        "pioneers.problem.not_on_jury",
        _voting,
        _still_open,
    ),
    Case(
        "juror votes on their own nomination",
        ADMIN,
        _vote_own,
        "pioneers.problem.own_nomination",
        _voting_with_own,
        _still_open,
    ),
    Case(
        "secretary sees the count", SECRETARY, _press(SECRETARY, "pn:res:1"), "refuse.role", _round
    ),
    Case(
        "publishing before the list is confirmed",
        ADMIN,
        _press(ADMIN, "pn:pub:1"),
        "pioneers.problem.missing_confirm",
        _round,
        _still_open,
    ),
    Case(
        "final before the notice",
        ADMIN,
        _press(ADMIN, "pn:fin:1"),
        "pioneers.problem.missing_confirm",
        _round,
        _still_open,
    ),
    Case(
        "secretary confirms the list",
        SECRETARY,
        _press(SECRETARY, "pn:cf:1"),
        "refuse.role",
        _round,
    ),
    Case(
        "objection outside the notice",
        MEMBER,
        _press(MEMBER, "pn:obj:1"),
        "pioneers.problem.not_in_notice",
        _round,
    ),
    Case(
        "a secretary endorses their own self-nomination",
        SECRETARY,
        _press(SECRETARY, "pn:en:1"),
        "pioneers.problem.own_endorsement",
        _secretary_self_nominated,
        _still_pending,
    ),
    Case(
        "a secretary declines their own self-nomination",
        SECRETARY,
        _press(SECRETARY, "pn:de:1"),
        "pioneers.problem.own_endorsement",
        _secretary_self_nominated,
        _still_pending,
    ),
    Case(
        "confirming a list no juror voted on",
        ADMIN,
        _press(ADMIN, "pn:cf:1"),
        "pioneers.problem.missing_ballots",
        _closed_without_ballots,
        _still_open,
    ),
    Case("member answers an objection", MEMBER, _press(MEMBER, "pn:ans:1"), "refuse.role", _round),
    Case("member decides a tie", MEMBER, _press(MEMBER, "pn:tie:1"), "refuse.role", _round),
]
