"""The rough edges issue 10 found by trying the flows as teachers would, one test each."""

from __future__ import annotations

from datetime import date

from storage import members, partyday
from tests.conftest import MEMBER, MEMBER2, SECRETARY, Harness
from tests.test_partyday import at, rule_in_place
from tests.test_visits import log_visit


async def test_a_check_in_counts_as_attending(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    await h.press(SECRETARY, "立即发送通知")
    await h.deliver()
    await h.press(MEMBER, "参加")
    # 张老师 never pressed [参加] but came and checked in.
    h.clock.set(at(12, 8, 13, 50))
    await h.send(MEMBER2, "/checkin")
    assert await h.location(MEMBER2) == ["签到成功（位置），13:50。"]
    roster = (await h.send(SECRETARY, "/roster"))[-1]
    attend = next(line for line in roster.splitlines() if line.startswith("✅ 参加"))
    assert attend.startswith("✅ 参加（2）") and "张老师" in attend and "王老师" in attend
    assert "⚪ 未回复（1）：李红梅" in roster
    async with h.db.read() as conn:
        silent = await partyday.members_without_reply(conn, 1, date(2026, 12, 8))
    assert [m.name for m in silent] == ["李红梅"]


async def test_notify_preview_counts_only_who_can_receive_it(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        await members.set_unreachable(tx, MEMBER2.id, h.clock.now())
    await h.send(SECRETARY, "/notify")
    preview = (await h.send(SECRETARY, "明天停电，请注意"))[0]
    assert "（将发给 1 人）" in preview
    assert (
        "另有 1 人目前收不到机器人的消息（可能已屏蔽或停用）：张老师。请另行通知他们。" in preview
    )
    done = await h.press(SECRETARY, "发送")
    assert done == ["已安排发送给 1 人。"]


async def test_send_now_at_night_says_when_it_will_go_out(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1, 22, 30))
    await rule_in_place(h)
    said = await h.press(SECRETARY, "立即发送通知")
    assert said[-1].startswith("已安排发送 2026年12月8日（星期二） 的党日通知：3 人。")
    assert said[-1].endswith("现在是免打扰时段，通知将于 08:00 发出。")


async def test_viewing_another_teachers_visit_says_it_cannot_be_viewed(harness: Harness) -> None:
    await harness.branch_with_people()
    visit = await log_visit(harness, MEMBER)
    await harness.callback(MEMBER2, f"vis:show:{visit['id']}")
    assert harness.answers()[-1] == "这条家访记录不是您记录的，您无法查看。"
