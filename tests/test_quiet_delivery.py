"""Messages a person sends out at night wait for the quiet hours to end; a member who
writes again is no longer flagged unreachable."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import members, outbox
from tests.conftest import MEMBER, SECRETARY, ZONE, Harness
from tests.test_partyday import rule_in_place


async def test_announcement_sent_at_night_goes_out_at_eight(harness: Harness) -> None:
    await harness.branch_with_people()
    await rule_in_place(harness)
    harness.clock.set(datetime(2026, 11, 28, 22, 30, tzinfo=ZONE))
    await harness.send(SECRETARY, "/partyday")
    await harness.press(SECRETARY, "立即发送通知")
    async with harness.db.read() as conn:
        rows = [row for row in await outbox.list_all(conn) if row.kind == "partyday.announce"]
    morning = datetime(2026, 11, 29, 8, 0, tzinfo=ZONE)
    assert rows and all(row.not_before == morning for row in rows)
    assert await harness.deliver() == 0
    harness.clock.set(morning + timedelta(minutes=1))
    assert await harness.deliver() == len(rows)
    assert harness.last(MEMBER).startswith("【党日通知】")


async def test_unreachable_flag_clears_when_the_member_writes_again(harness: Harness) -> None:
    await harness.branch_with_people()
    async with harness.db.transaction() as tx:
        await members.set_unreachable(tx, MEMBER.id, harness.clock.now())
    listing = await harness.send(SECRETARY, "/members")
    assert "王老师（党员） ⚠️" in listing[0]
    await harness.send(MEMBER, "/me")
    async with harness.db.read() as conn:
        person = await members.get_active_by_telegram(conn, MEMBER.id)
    assert person is not None and person.unreachable_at is None
    assert "⚠️" not in (await harness.send(SECRETARY, "/members"))[0]


async def test_a_move_decided_at_night_is_told_in_the_morning(harness: Harness) -> None:
    await harness.branch_with_people()
    await rule_in_place(harness)
    harness.clock.set(datetime(2026, 12, 1, 23, 10, tzinfo=ZONE))
    await harness.send(SECRETARY, "/partyday")
    await harness.press(SECRETARY, "调整某月日期")
    await harness.press(SECRETARY, "2026年12月（12月8日）")
    await harness.send(SECRETARY, "12-10")
    await harness.send(SECRETARY, "区里统一安排听课")
    async with harness.db.read() as conn:
        rows = [row for row in await outbox.list_all(conn) if row.kind == "partyday.moved"]
    morning = datetime(2026, 12, 2, 8, 0, tzinfo=ZONE)
    assert len(rows) == 2 and all(row.not_before == morning for row in rows)
    assert await harness.deliver() == 0
    harness.clock.set(morning)
    assert await harness.deliver() == 2
    assert harness.last(MEMBER).startswith("【党日调整】")
