"""Failure modes of the party-day feature: wrong role, other branch, stranger, forged,
malformed and stale buttons, and someone else's service record.

Branch 1 is 第一中学党支部 (SECRETARY, MEMBER, MEMBER2), branch 2 the other one; the clock
stands at 2026-11-28, so branch 1's rule (the 15th) gives 2026-12-15 as the coming day.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from storage import partyday, service
from storage.partyday import Answer, LeaveReason
from storage.partyday_rules import DayRule, RuleKind
from storage.service import ServiceEntry, ServiceKind
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    STRANGER,
    ZONE,
)
from tests.forbidden import Case

DECEMBER = "202612"


async def _id_of(h: Any, name: str) -> int:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT id FROM members WHERE name = ? AND status = 'active'", (name,)) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _rule(h: Any) -> None:
    """Branch 1 meets on the 15th; 王老师 has asked for leave in December."""
    now = h.clock.now()
    secretary = await _id_of(h, "李红梅")
    member = await _id_of(h, "王老师")
    async with h.db.transaction() as tx:
        await partyday.set_rule(
            tx,
            branch_id=1,
            rule=DayRule(kind=RuleKind.DAY, day=15),
            start_time=time(14, 30),
            place="会议室",
            actor_id=secretary,
            now=now,
        )
        row = await partyday.ensure_month(tx, 1, 2026, 12, now=now)
        await partyday.set_reply(
            tx,
            month_id=row.id,
            member_id=member,
            answer=Answer.LEAVE,
            reason_kind=LeaveReason.ILLNESS,
            now=now,
        )


async def _rule_and_record(h: Any) -> None:
    """As ``_rule``, and 王老师 logged an hour of service today (record #1)."""
    await _rule(h)
    member = await _id_of(h, "王老师")
    today = date(2026, 11, 28)
    async with h.db.transaction() as tx:
        await service.log(
            tx,
            member_id=member,
            branch_id=1,
            entry=ServiceEntry(
                kind=ServiceKind.STUDY,
                on_date=today,
                hours=1,
                description="学习党章",
                logged_on=today,
            ),
            party_month_id=None,
            makeup_month_id=None,
            now=h.clock.now(),
        )


async def _decide(h: Any, actor: Any, action: str = "ok", rev: int = 1) -> object:
    async with h.db.read() as conn, conn.execute("SELECT id FROM party_day_replies") as cur:
        row = await cur.fetchone()
    assert row is not None
    return await h.callback(actor, f"pd:{action}:{row[0]}:{rev}")


async def _mark(h: Any, actor: Any, name: str) -> object:
    return await h.callback(actor, f"pd:mkm:{DECEMBER}:{await _id_of(h, name)}")


async def _nothing_decided(h: Any) -> None:
    async with h.db.read() as conn, conn.execute("SELECT approval FROM party_day_replies") as cur:
        assert [tuple(row) for row in await cur.fetchall()] == [("pending",)]


async def _nothing_withdrawn(h: Any) -> None:
    async with h.db.read() as conn, conn.execute("SELECT status FROM service_logs") as cur:
        assert [tuple(row) for row in await cur.fetchall()] == [("active",)]


async def _no_checkin(h: Any) -> None:
    async with h.db.read() as conn, conn.execute("SELECT COUNT(*) FROM party_day_checkins") as cur:
        assert tuple(await cur.fetchone() or ()) == (0,)


def _at(moment: datetime) -> Any:
    async def move(h: Any) -> None:
        await _rule(h)
        h.clock.set(moment)

    return move


async def _secretary_on_leave(h: Any) -> None:
    """A branch whose only secretary asked for leave: only the bureau may decide it."""
    secretary = await _id_of(h, "李红梅")
    now = h.clock.now()
    async with h.db.transaction() as tx:
        await partyday.set_rule(
            tx,
            branch_id=1,
            rule=DayRule(kind=RuleKind.DAY, day=15),
            start_time=time(14, 30),
            place="会议室",
            actor_id=secretary,
            now=now,
        )
        row = await partyday.ensure_month(tx, 1, 2026, 12, now=now)
        await partyday.set_reply(
            tx,
            month_id=row.id,
            member_id=secretary,
            answer=Answer.LEAVE,
            reason_kind=LeaveReason.OFFICIAL,
            now=now,
        )


CASES = [
    # commands by role
    Case("member /roster", MEMBER, lambda h: h.send(MEMBER, "/roster"), "refuse.role"),
    Case(
        "stranger /partyday", STRANGER, lambda h: h.send(STRANGER, "/partyday"), "refuse.stranger"
    ),
    Case("stranger /checkin", STRANGER, lambda h: h.send(STRANGER, "/checkin"), "refuse.stranger"),
    Case("stranger /service", STRANGER, lambda h: h.send(STRANGER, "/service"), "refuse.stranger"),
    Case("admin /checkin", ADMIN, lambda h: h.send(ADMIN, "/checkin"), "refuse.role"),
    Case(
        "/roster with a bad month",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/roster 十二月"),
        "partyday.roster.bad_month",
    ),
    Case(
        "/roster before any rule",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/roster"),
        "partyday.not_set",
    ),
    # the secretary's buttons, pressed by a member
    Case("member sets the rule", MEMBER, lambda h: h.callback(MEMBER, "pd:rule"), "refuse.role"),
    Case("member moves a month", MEMBER, lambda h: h.callback(MEMBER, "pd:move"), "refuse.role"),
    Case(
        "member announces",
        MEMBER,
        lambda h: h.callback(MEMBER, f"pd:ann:1:{DECEMBER}"),
        "refuse.role",
        setup=_rule,
    ),
    Case(
        "member approves leave",
        MEMBER2,
        lambda h: _decide(h, MEMBER2),
        "refuse.role",
        setup=_rule,
        check=_nothing_decided,
    ),
    Case(
        "member reminds",
        MEMBER,
        lambda h: h.callback(MEMBER, f"pd:rem:1:{DECEMBER}"),
        "refuse.role",
        setup=_rule,
    ),
    # another branch
    Case(
        "other secretary approves leave",
        OTHER_SECRETARY,
        lambda h: _decide(h, OTHER_SECRETARY),
        "refuse.other_branch",
        setup=_rule,
        check=_nothing_decided,
    ),
    Case(
        "other secretary announces",
        OTHER_SECRETARY,
        lambda h: h.callback(OTHER_SECRETARY, f"pd:ann:1:{DECEMBER}"),
        "refuse.other_branch",
        setup=_rule,
    ),
    Case(
        "other secretary sees the mark list",
        OTHER_SECRETARY,
        lambda h: h.callback(OTHER_SECRETARY, f"pd:mk:1:{DECEMBER}"),
        "refuse.other_branch",
        setup=_rule,
    ),
    Case(
        "other secretary marks a member present",
        OTHER_SECRETARY,
        lambda h: _mark(h, OTHER_SECRETARY, "张老师"),
        "refuse.other_branch",
        setup=_at(datetime(2026, 12, 15, 15, 0, tzinfo=ZONE)),
        check=_no_checkin,
    ),
    Case(
        "other member attends",
        OTHER_MEMBER,
        lambda h: h.callback(OTHER_MEMBER, f"pd:att:1:{DECEMBER}"),
        "refuse.other_branch",
        setup=_rule,
    ),
    Case(
        "other member asks for leave",
        OTHER_MEMBER,
        lambda h: h.callback(OTHER_MEMBER, f"pd:lv:1:{DECEMBER}"),
        "refuse.other_branch",
        setup=_rule,
    ),
    Case(
        "other member edits a record",
        OTHER_MEMBER,
        lambda h: h.callback(OTHER_MEMBER, "svc:ed:1"),
        "refuse.other_branch",
        setup=_rule_and_record,
        check=_nothing_withdrawn,
    ),
    # same branch, not one's own
    Case(
        "member edits another's record",
        MEMBER2,
        lambda h: h.callback(MEMBER2, "svc:wdok:1"),
        "service.not_yours",
        setup=_rule_and_record,
        check=_nothing_withdrawn,
    ),
    Case(
        "member keeps another's record",
        MEMBER2,
        lambda h: h.callback(MEMBER2, "svc:wdno:1"),
        "refuse.role",
        setup=_rule_and_record,
    ),
    Case(
        "other member keeps a record",
        OTHER_MEMBER,
        lambda h: h.callback(OTHER_MEMBER, "svc:wdno:1"),
        "refuse.other_branch",
        setup=_rule_and_record,
    ),
    Case(
        "member turns the mark list's page",
        MEMBER,
        lambda h: h.callback(MEMBER, f"pd:mkp:1:{DECEMBER}:1"),
        "refuse.role",
        setup=_rule,
    ),
    Case(
        "other secretary turns the mark list's page",
        OTHER_SECRETARY,
        lambda h: h.callback(OTHER_SECRETARY, f"pd:mkp:1:{DECEMBER}:1"),
        "refuse.other_branch",
        setup=_rule,
    ),
    Case(
        "secretary approves own leave",
        SECRETARY,
        lambda h: _decide(h, SECRETARY),
        "refuse.role",
        setup=_secretary_on_leave,
        check=_nothing_decided,
    ),
    Case(
        "admin decides a member's leave",
        ADMIN,
        lambda h: _decide(h, ADMIN),
        "refuse.role",
        setup=_rule,
        check=_nothing_decided,
    ),
    # forged, malformed, stale
    Case(
        "forged approval id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "pd:ok:99999:1"),
        "refuse.not_found",
    ),
    Case(
        "malformed approval",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "pd:no:abc:1"),
        "refuse.bad_button",
    ),
    Case(
        "stale approval",
        SECRETARY,
        lambda h: _decide(h, SECRETARY, rev=7),
        "refuse.stale_button",
        setup=_rule,
        check=_nothing_decided,
    ),
    Case(
        "malformed month",
        MEMBER,
        lambda h: h.callback(MEMBER, "pd:att:1:2026-12"),
        "refuse.bad_button",
        setup=_rule,
    ),
    Case(
        "month out of range",
        MEMBER,
        lambda h: h.callback(MEMBER, "pd:att:1:202613"),
        "refuse.bad_button",
        setup=_rule,
    ),
    Case(
        "forged branch",
        MEMBER,
        lambda h: h.callback(MEMBER, f"pd:att:77:{DECEMBER}"),
        "refuse.other_branch",
        setup=_rule,
    ),
    Case(
        "attend with no rule",
        MEMBER,
        lambda h: h.callback(MEMBER, f"pd:att:1:{DECEMBER}"),
        "partyday.not_set",
    ),
    Case(
        "forged service record",
        MEMBER,
        lambda h: h.callback(MEMBER, "svc:ed:99999"),
        "refuse.not_found",
    ),
    Case(
        "forged make-up month",
        MEMBER,
        lambda h: h.callback(MEMBER, "svc:mu:99999"),
        "refuse.not_found",
    ),
    Case(
        "make-up without approved leave",
        MEMBER,
        lambda h: h.callback(MEMBER, "svc:mu:1"),
        "service.makeup.none",
        setup=_rule,
    ),
    Case(
        "leave reason outside the flow",
        MEMBER,
        lambda h: h.callback(MEMBER, "pd:rs:illness"),
        "refuse.stale_button",
    ),
]
