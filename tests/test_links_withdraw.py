"""Withdrawing a contact logged by mistake, through the real Application: from the link's
screen, the question, what the database, the audit log and the counts hold after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage import links
from tests.conftest import MEMBER, SECRETARY, ZONE, Harness


async def _class_with_contacts(h: Harness) -> None:
    """王老师's class link, confirmed on 11-10; two contacts logged on 11-28."""
    await h.branch_with_people()
    h.clock.set(datetime(2026, 11, 10, 10, 0, tzinfo=ZONE))
    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "➕ 设置三联系")
    await h.press(MEMBER, "三联系·班级")
    await h.send(MEMBER, "三(2)班")
    await h.deliver()
    await h.press(SECRETARY, "✅ 确认")
    await h.deliver()
    h.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=ZONE))
    for day, how, note in (("今天", "谈心", "班会上谈学习习惯"), ("11-20", "电话", "家长电话")):
        await h.send(MEMBER, "/links")
        await h.press(MEMBER, "📝 三(2)班")
        if day != "今天":
            await h.send(MEMBER, day)
        await h.press(MEMBER, how)
        await h.send(MEMBER, note)


async def _counted(h: Harness) -> dict[str, Any]:
    """What the reads that count contacts hold for branch 1: the link's log and its month,
    the 台账's contacts sheet, the points (the pioneers' nomination carries ``member_year``)."""
    async with h.db.read() as conn:
        link = await links.get(conn, 1)
        assert link is not None
        log = await links.contacts(conn, link)
    book = await h.school_year_ledger(2026, date(2026, 11, 28))
    member = await h.member_points(3, 2026)
    return {
        "log": [entry.on_date.isoformat() for entry in log],
        "sheet": sorted(str(c.on_date) for c in book.link_contacts),
        "points": [line.source for line in member.lines if line.source == "link_contact"],
    }


async def test_a_member_withdraws_a_contact_from_the_links_screen(harness: Harness) -> None:
    h = harness
    await _class_with_contacts(h)
    assert "本月已联系 2 次" in (await h.send(MEMBER, "/links"))[-1]
    assert await _counted(h) == {
        "log": ["2026-11-28", "2026-11-20"],
        "sheet": ["2026-11-20", "2026-11-28"],
        "points": ["link_contact", "link_contact"],
    }
    await h.press(MEMBER, "查看 / 结束联系")
    screen = await h.press(MEMBER, "三联系·班级 · 三(2)班")
    assert "2026-11-20 电话 家长电话" in screen[-1]
    assert h.buttons(MEMBER)[-2:] == ["撤回 2026-11-28 的联系", "撤回 2026-11-20 的联系"]
    asked = await h.press(MEMBER, "撤回 2026-11-20 的联系")
    assert asked == [
        "确定撤回这次联系吗？撤回后不再计入联系次数和台账，但记录会保留。\n"
        "2026-11-20 电话 · 三(2)班"
    ]
    assert h.buttons(MEMBER) == ["确定撤回", "不撤回"]
    assert await h.press(MEMBER, "不撤回") == ["好的，这次联系保留，未撤回。"]
    assert await h.rows("SELECT withdrawn_at FROM link_contacts WHERE id = 2") == [(None,)]

    await h.send(MEMBER, "/links")
    await h.press(MEMBER, "查看 / 结束联系")
    await h.press(MEMBER, "三联系·班级 · 三(2)班")
    await h.press(MEMBER, "撤回 2026-11-20 的联系")
    done = await h.press(MEMBER, "确定撤回")
    assert done == ["已撤回：2026-11-20 电话 · 三(2)班。本月已联系 1 次。"]
    assert await h.rows("SELECT id, withdrawn_at FROM link_contacts ORDER BY id") == [
        (1, None),
        (2, "2026-11-28T02:00:00+00:00"),
    ]
    # A stale confirmation changes nothing.
    await h.callback(MEMBER, "lk:wdok:2")
    assert h.answers()[-1] == "这次联系已经撤回了。"

    assert "本月已联系 1 次" in (await h.send(MEMBER, "/links"))[-1]
    await h.press(MEMBER, "查看 / 结束联系")
    screen = await h.press(MEMBER, "三联系·班级 · 三(2)班")
    assert "家长电话" not in screen[-1]
    assert "撤回 2026-11-20 的联系" not in h.buttons(MEMBER)
    assert await _counted(h) == {
        "log": ["2026-11-28"],
        "sheet": ["2026-11-28"],
        "points": ["link_contact"],
    }
    branch = await h.send(SECRETARY, "/links branch")
    assert "三联系 1/1 已联系，0 项落后\n· 王老师：1/1 已联系" in branch[-1]
    # The month's last contact withdrawn: the link is behind again.
    await h.callback(MEMBER, "lk:wd:1")
    await h.press(MEMBER, "确定撤回")
    branch = await h.send(SECRETARY, "/links branch")
    assert "三联系 0/1 已联系，1 项落后" in branch[-1]
    assert "⚠️ 本月尚未联系" in (await h.send(MEMBER, "/links"))[-1]
    # Who withdrew which contact and when: ids and the time, no note.
    at = "2026-11-28T02:00:00+00:00"
    assert await h.audit("links.contact_withdrawn") == [
        (at, 3, "link_contact", "2", {"link_id": 1, "on_date": "2026-11-20"}),
        (at, 3, "link_contact", "1", {"link_id": 1, "on_date": "2026-11-28"}),
    ]


async def test_bad_withdraw_buttons(harness: Harness) -> None:
    h = harness
    await _class_with_contacts(h)
    for data in ("lk:wd", "lk:wdok:x", "lk:wdno:-1"):
        await h.callback(MEMBER, data)
        assert h.answers()[-1] == "无法识别此按钮。", data
    await h.callback(MEMBER, "lk:wdok:99")
    assert h.answers()[-1] == "没有找到这条记录，可能已被撤回或删除。"
    # Once the school year is over the link is past, and its contacts stay as they are.
    h.clock.set(datetime(2027, 9, 2, 10, 0, tzinfo=ZONE))
    await h.callback(MEMBER, "lk:wdok:1")
    assert h.answers()[-1] == "这项联系的期限已满或已结束，联系记录不能再撤回。"
    assert await h.rows("SELECT COUNT(*) FROM link_contacts WHERE withdrawn_at IS NULL") == [(2,)]
