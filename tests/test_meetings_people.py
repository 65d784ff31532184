"""Who a meeting expects, through the real Application: the branch's party groups (党小组)
and a 党小组会 expecting its group, and the screen where the secretary trims the expected
people and marks who has no vote, so the quorum counts the right people."""

from __future__ import annotations

from datetime import datetime

from bot.app import reminder_engine
from storage import meetings, party_groups
from tests.conftest import MEMBER, MEMBER2, SECRETARY, ZONE, Harness


async def _record(h: Harness) -> meetings.MeetingRecord:
    rows = await h.rows("SELECT id FROM meetings ORDER BY id DESC LIMIT 1")
    async with h.db.read() as conn:
        found = await meetings.get_record(conn, int(rows[0][0]))
    assert found is not None
    return found


async def _group_of(h: Harness, name: str) -> tuple[int, list[int]]:
    rows = await h.rows("SELECT id FROM party_groups WHERE name = ? AND status = 'active'", (name,))
    async with h.db.read() as conn:
        return int(rows[0][0]), await party_groups.member_ids(conn, int(rows[0][0]))


async def _member_id(h: Harness, telegram_id: int) -> int:
    rows = await h.rows(
        "SELECT id FROM members WHERE telegram_id = ? AND status = 'active'", (telegram_id,)
    )
    return int(rows[0][0])


async def _new_group(h: Harness, name: str, *people: str) -> list[str]:
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党小组")
    await h.press(SECRETARY, "➕ 新建党小组")
    said = await h.send(SECRETARY, name)
    for person in people:
        said = await h.press(SECRETARY, f"⬜ {person}")
    return said


async def _hold(h: Harness, group: str | None, day: str, kind: str = "党小组会") -> list[str]:
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, kind)
    if group is not None:
        await h.press(SECRETARY, group)
    await h.send(SECRETARY, day)
    await h.send(SECRETARY, "15:00")
    await h.send(SECRETARY, "学习党章")
    return await h.send(SECRETARY, "党员活动室")


async def test_party_groups_and_a_group_meeting_expecting_its_members(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/meeting")
    listed = await h.press(SECRETARY, "党小组")
    assert "还没有党小组" in listed[-1] and "未编入小组：李红梅、张老师、王老师" in listed[-1]

    # Naming a group: too short, then fine; tapping names puts people in it.
    await h.press(SECRETARY, "➕ 新建党小组")
    bad = await h.send(SECRETARY, "一")
    assert "2–20" in bad[-1]
    screen = await h.send(SECRETARY, "第一党小组")
    assert "第一党小组" in screen[-1] and "（0 人）" in screen[-1]
    await h.press(SECRETARY, "⬜ 李红梅")
    screen = await h.press(SECRETARY, "⬜ 王老师")
    assert "（2 人）" in screen[-1]
    listed = await h.press(SECRETARY, "完成")
    assert "第一党小组（2 人）：李红梅、王老师" in listed[-1]
    assert "未编入小组：张老师" in listed[-1]

    # A second group of the same name is refused; a member tapped in another group moves.
    await h.press(SECRETARY, "➕ 新建党小组")
    taken = await h.send(SECRETARY, "第一党小组")
    assert "同名" in taken[-1]
    await h.send(SECRETARY, "第二党小组")
    await h.press(SECRETARY, "⬜ 张老师")
    screen = await h.press(SECRETARY, "↪ 王老师")
    assert "✅ 王老师" in h.buttons(SECRETARY)
    assert (await _group_of(h, "第二党小组"))[1] == [
        await _member_id(h, MEMBER2.id),
        await _member_id(h, MEMBER.id),
    ]
    # ... and back, with a tap in the first group.
    await h.press(SECRETARY, "完成")
    await h.press(SECRETARY, "第一党小组")
    await h.press(SECRETARY, "↪ 王老师")
    assert len((await _group_of(h, "第一党小组"))[1]) == 2

    # A 党小组会 is one group's: the group is asked first (typed or pressed) and its
    # members are the ones expected.
    await h.send(SECRETARY, "/meeting")
    asked = await h.press(SECRETARY, "党小组会")
    assert "是哪个党小组的党小组会" in asked[-1]
    wrong = await h.send(SECRETARY, "第九组")
    assert "请使用按钮" in wrong[-1] or "按钮" in wrong[-1]
    await h.send(SECRETARY, "第一党小组")
    await h.send(SECRETARY, "11-20")
    await h.send(SECRETARY, "跳过")
    await h.send(SECRETARY, "学习党章")
    card = await h.send(SECRETARY, "跳过")
    assert "党小组会·第一党小组" in card[-1] and "应到 2 人" in card[-1]
    record = await _record(h)
    assert {a.name for a in record.attendees} == {"李红梅", "王老师"}
    assert record.meeting.group_id == (await _group_of(h, "第一党小组"))[0]

    # The other group meeting the same day is another meeting, not a correction ...
    card = await _hold(h, "第二党小组", "11-20")
    assert "党小组会·第二党小组" in card[-1] and "应到 1 人" in card[-1]
    # ... while the same group on the same day asks whether it corrects the first.
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党小组会")
    await h.press(SECRETARY, "第一党小组")
    asked = await h.send(SECRETARY, "11-20")
    assert "是对原记录的更正" in asked[-1]
    await h.send(SECRETARY, "/cancel")

    # Announced ahead, only the group is told; someone added later gets the notice too.
    said = await _hold(h, "第二党小组", "12-05")
    assert "共通知 1 人" in said[0]
    await h.deliver()
    assert "会议通知" in h.last(MEMBER2)
    assert not any("会议通知" in text for text in h.tg.texts(MEMBER.id))
    screen = await h.press(SECRETARY, "应到与表决权")
    assert "应到 1 人" in screen[-1]
    await h.press(SECRETARY, "⬜ 王老师")
    await h.deliver()
    assert "会议通知" in h.last(MEMBER)

    # A group without members cannot hold a meeting; a removed group is offered no more.
    await _new_group(h, "第三党小组")
    refused = await _hold(h, "第三党小组", "11-21")
    assert "还没有成员" in refused[-1]
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党小组")
    await h.press(SECRETARY, "第三党小组")
    asked = await h.press(SECRETARY, "删除本小组")
    assert "确认删除党小组“第三党小组”吗？其 0 名成员" in asked[-1]
    kept = await h.press(SECRETARY, "保留")
    assert "第三党小组" in kept[-1] and "删除本小组" in h.buttons(SECRETARY)
    await h.press(SECRETARY, "删除本小组")
    said = await h.press(SECRETARY, "确认删除")
    assert "已删除" in said[0] and "第三党小组" not in said[-1]
    await h.send(SECRETARY, "/meeting")
    asked = await h.press(SECRETARY, "党小组会")
    labels = " ".join(h.buttons(SECRETARY))
    assert "第一党小组" in labels and "第三党小组" not in labels
    del asked
    await h.send(SECRETARY, "/cancel")

    # The board holds each group to the 党小组会's months: both met in November with a
    # record still a draft (📝), and neither in the months before.
    board = await h.send(SECRETARY, "/meetings")
    assert "党小组会·第一党小组（每月）：❌ ❌ ❌ ❌ ❌ ❌ ❌ ❌ ❌ ❌ 📝 ·" in board[0]
    assert "党小组会·第二党小组（每月）：❌ ❌ ❌ ❌ ❌ ❌ ❌ ❌ ❌ ❌ 📝" in board[0]
    assert "第三党小组" not in board[0]


async def test_expected_people_and_votes_decide_the_quorum(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    card = await _hold(h, None, "11-20", kind="支部党员大会")
    assert "应到 3 人" in card[-1]
    screen = await h.press(SECRETARY, "应到与表决权")
    assert "应到 3 人，其中有表决权 3 人" in screen[-1]
    # 王老师 is a probationary member: expected, without a vote.
    screen = await h.press(SECRETARY, "✅ 王老师")
    assert "应到 3 人，其中有表决权 2 人" in screen[-1]
    card = await h.press(SECRETARY, "完成")
    assert "应到 3 人" in card[-1]

    await h.press(SECRETARY, "出席情况")
    await h.press(SECRETARY, "⬜ 李红梅")
    await h.press(SECRETARY, "⬜ 王老师")
    await h.press(SECRETARY, "⬜ 张老师")
    await h.press(SECRETARY, "✅ 张老师")
    await h.press(SECRETARY, "完成")
    await h.send(SECRETARY, "外出培训")
    await h.press(SECRETARY, "决定与表决")
    await h.send(SECRETARY, "同意接收王老师为正式党员")
    card = await h.send(SECRETARY, "1 0 0")
    # Two present of three, but only one of the two with a vote: no quorum.
    assert "有表决权的 2 人中仅 1 人到会" in card[-1]
    record = await _record(h)
    assert record.attendance is not None and not record.attendance.quorum_met
    assert (record.attendance.voting_expected, record.attendance.voting_present) == (2, 1)

    # The next meeting remembers who has no vote; a second tap trims someone from 应到.
    card = await _hold(h, None, "11-25", kind="支委会")
    screen = await h.press(SECRETARY, "应到与表决权")
    assert "🔸 王老师" in h.buttons(SECRETARY)
    assert "其中有表决权 2 人" in screen[-1]
    screen = await h.press(SECRETARY, "🔸 王老师")
    assert "应到 2 人，其中有表决权 2 人" in screen[-1]
    card = await h.press(SECRETARY, "完成")
    assert "应到 2 人" in card[-1]
    record = await _record(h)
    assert {a.name for a in record.attendees} == {"李红梅", "张老师"}
    # Tapped again, they are expected (with a vote) once more.
    await h.press(SECRETARY, "应到与表决权")
    screen = await h.press(SECRETARY, "⬜ 王老师")
    assert "应到 3 人，其中有表决权 3 人" in screen[-1]


async def test_each_party_group_is_reminded_of_its_own_meeting(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE branches SET created_at = '2026-01-01T00:00:00+00:00'")
    await _new_group(h, "第一党小组", "李红梅", "王老师")
    await _new_group(h, "第二党小组", "张老师")
    # Only the first group met in November.
    await _hold(h, "第一党小组", "11-20")
    engine = reminder_engine(h.app)
    h.clock.set(datetime(2026, 11, 20, 8, 0, tzinfo=ZONE))
    await engine.tick()  # the first run notes the time
    h.clock.set(datetime(2026, 11, 24, 9, 5, tzinfo=ZONE))
    report = await engine.tick()
    await h.deliver()
    # The 支委会 (the branch's) and the second group's 党小组会; not the first group's.
    assert dict(report.by_kind) == {"meeting.period_end": 2}
    sent = [text for text in h.tg.texts(SECRETARY.id) if "还没有召开" in text]
    assert any("党小组会·第二党小组" in text for text in sent)
    assert any("支委会" in text for text in sent)
    assert not any("第一党小组" in text for text in sent)
