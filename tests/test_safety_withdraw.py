"""Withdrawing a safety lesson or drill logged by mistake, through the real Application:
the term's records, the question, what the database, the audit log and the counts hold after."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from storage import safety, terms
from tests.conftest import MEMBER, MEMBER2, SECRETARY, Harness
from tests.fakebot import FakeTelegram


async def _log_lesson(h: Harness) -> None:
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "记录安全教育课")
    await h.send(MEMBER, "11-20")
    await h.send(MEMBER, "三（2）班")
    await h.press(MEMBER, "防溺水")
    await h.send(MEMBER, "45")
    await h.press(MEMBER, "跳过")


async def _log_drill(h: Harness) -> None:
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "记录参加的演练")
    await h.send(MEMBER, "11-09")
    await h.press(MEMBER, "消防疏散")
    await h.send(MEMBER, "疏散引导")


async def _log_school_drill(h: Harness) -> None:
    await h.send(SECRETARY, "/safety")
    await h.press(SECRETARY, "登记全校演练（书记）")
    await h.send(SECRETARY, "11-12")
    await h.press(SECRETARY, "防震")
    await h.press(SECRETARY, "⬜ 王老师")
    await h.press(SECRETARY, "⬜ 张老师")
    await h.press(SECRETARY, "完成")


async def _counted(h: Harness) -> dict[str, Any]:
    """What every read that counts safety records holds for branch 1 this term: the
    coverage, the 台账's 平安校园 sheet and summary, and the points (the pioneers'
    nomination carries ``member_year``)."""
    async with h.db.read() as conn:
        term = await terms.term_for(conn, date(2026, 11, 28))
        summary = await safety.summary(conn, 1, term)
    book = await h.school_year_ledger(2026, date(2026, 11, 28))
    member = await h.member_points(3, 2026)
    return {
        "lessons": summary.lessons,
        "drills": summary.drills,
        "done": summary.done,
        "sheet": sorted((e.what, e.member) for e in book.safety),
        "points": sorted(line.source for line in member.lines if line.source.startswith("safety")),
    }


async def test_a_member_withdraws_a_lesson_after_a_second_thought(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await _log_lesson(h)
    await _log_drill(h)
    menu = await h.send(MEMBER, "/safety")
    assert "安全教育课 1 节，安全演练 1 次" in menu[-1]
    assert await _counted(h) == {
        "lessons": 1, "drills": 1, "done": 1,
        "sheet": [("drill", "王老师"), ("lesson", "王老师")],
        "points": ["safety_drill", "safety_lesson"],
    }  # fmt: skip

    records = await h.press(MEMBER, "📋 本学期的记录（可撤回）")
    assert records == [
        "本学期（2026-09-01 – 2027-01-31）您的平安校园记录：\n"
        "📚 #1 2026-11-20 三(2)班 防溺水安全教育课，45 名学生\n"
        "🚨 #1 2026-11-09 消防疏散演练，职责：疏散引导\n"
        "记错了？点下面的按钮撤回自己登记的记录。书记登记的全校演练，请联系书记撤回。"
    ]
    assert h.buttons(MEMBER) == ["撤回安全教育课 #1", "撤回演练 #1"]
    asked = await h.press(MEMBER, "撤回安全教育课 #1")
    assert asked == [
        "确定撤回这条记录吗？撤回后不再计入平安校园，但记录会保留。\n"
        "📚 #1 2026-11-20 三(2)班 防溺水安全教育课，45 名学生"
    ]
    assert h.buttons(MEMBER) == ["确定撤回", "不撤回"]
    # Changing one's mind keeps the record and takes the buttons away.
    assert await h.press(MEMBER, "不撤回") == ["好的，这条记录保留，未撤回。"]
    assert "确定撤回" not in h.buttons(MEMBER)
    assert await h.rows("SELECT status FROM safety_lessons") == [("active",)]

    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "📋 本学期的记录（可撤回）")
    await h.press(MEMBER, "撤回安全教育课 #1")
    done = await h.press(MEMBER, "确定撤回")
    assert done == ["已撤回：📚 #1 2026-11-20 三(2)班 防溺水安全教育课，45 名学生"]
    assert await h.rows("SELECT id, status, withdrawn_at FROM safety_lessons") == [
        (1, "withdrawn", "2026-11-28T02:00:00+00:00")
    ]
    # The same confirmation pressed again (a stale button) changes nothing.
    await h.callback(MEMBER, "sf:wdok:lesson:1")
    assert h.answers()[-1] == "这条记录已经撤回了。"

    menu = await h.send(MEMBER, "/safety")
    assert "安全教育课 0 节，安全演练 1 次" in menu[-1]
    coverage = await h.send(SECRETARY, "/safety branch")
    assert "两项都完成：0/3 人" in coverage[-1]
    assert "📚 缺安全教育课：张老师、李红梅、王老师" in coverage[-1]
    assert await _counted(h) == {
        "lessons": 0, "drills": 1, "done": 0,
        "sheet": [("drill", "王老师")],
        "points": ["safety_drill"],
    }  # fmt: skip
    # Who withdrew what and when: ids and the time, nothing of the lesson's content.
    assert await h.audit("safety.lesson_withdrawn") == [
        ("2026-11-28T02:00:00+00:00", 3, "safety_lesson", "1", {"on_date": "2026-11-20"})
    ]

    # The drill goes the same way; then the list is empty and the menu has no list.
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "📋 本学期的记录（可撤回）")
    await h.press(MEMBER, "撤回演练 #1")
    assert await h.press(MEMBER, "确定撤回") == [
        "已撤回：🚨 #1 2026-11-09 消防疏散演练，职责：疏散引导"
    ]
    await h.send(MEMBER, "/safety")
    assert "📋 本学期的记录（可撤回）" not in h.buttons(MEMBER)
    assert await _counted(h) == {
        "lessons": 0, "drills": 0, "done": 0, "sheet": [], "points": [],
    }  # fmt: skip
    assert await h.rows("SELECT status FROM safety_drills") == [("withdrawn",)]


async def test_the_secretary_withdraws_a_school_drill_for_everyone(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await _log_school_drill(h)
    # A participant sees the drill but cannot withdraw it: the secretary logged it.
    await h.send(MEMBER, "/safety")
    records = await h.press(MEMBER, "📋 本学期的记录（可撤回）")
    assert "🏫 #1 2026-11-12 全校防震演练，2 名党员参加（书记登记）" in records[-1]
    assert FakeTelegram.buttons(h.tg.messages_in(MEMBER.id)[-1]) == []
    await h.callback(MEMBER, "sf:wd:drill:1")
    assert h.answers()[-1].startswith("只能撤回自己登记的记录。")
    assert await _counted(h) == {
        "lessons": 0, "drills": 1, "done": 0,
        "sheet": [("drill", "张老师"), ("drill", "王老师")],
        "points": ["safety_drill"],
    }  # fmt: skip

    # The secretary took no part, yet sees the drill they logged, and withdraws it.
    await h.send(SECRETARY, "/safety")
    records = await h.press(SECRETARY, "📋 本学期的记录（可撤回）")
    assert "🏫 #1 2026-11-12 全校防震演练，2 名党员参加" in records[-1]
    assert h.buttons(SECRETARY) == ["撤回演练 #1"]
    asked = await h.press(SECRETARY, "撤回演练 #1")
    assert asked[-1].startswith("确定撤回这次全校演练吗？撤回后对参加的 2 名党员都不再计入")
    await h.press(SECRETARY, "确定撤回")
    assert await h.rows("SELECT status FROM safety_drills") == [("withdrawn",)]
    assert await _counted(h) == {
        "lessons": 0, "drills": 0, "done": 0, "sheet": [], "points": [],
    }  # fmt: skip
    assert await h.audit("safety.drill_withdrawn") == [
        ("2026-11-28T02:00:00+00:00", 2, "safety_drill", "1", {"on_date": "2026-11-12"})
    ]


async def test_bad_and_stale_withdraw_buttons(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await _log_lesson(h)
    for data in ("sf:wd:visit:1", "sf:wd:lesson", "sf:wd:lesson:x", "sf:wdok:drill"):
        await h.callback(MEMBER, data)
        assert h.answers()[-1] == "无法识别此按钮。", data
    await h.callback(MEMBER, "sf:wdok:lesson:99")
    assert h.answers()[-1] == "没有找到这条记录，可能已被撤回或删除。"
    assert await h.rows("SELECT status FROM safety_lessons") == [("active",)]
    # A list with no records says so.
    assert (await h.callback(MEMBER2, "sf:mine")) == [
        "本学期（2026-09-01 – 2027-01-31）您还没有安全教育课或演练记录。"
    ]


PAST_TERM = "只能撤回本学期的记录；往期记录已计入台账，如需更正请联系支部书记。"


async def test_last_terms_records_cannot_be_withdrawn(harness: Harness) -> None:
    """A [撤回] or [确定撤回] button left on an old message does nothing to a past term:
    its 台账 was exported, its rating and points inspected."""
    h = harness
    await h.branch_with_people()
    await _log_lesson(h)
    await _log_drill(h)
    await _log_school_drill(h)
    before = await _counted(h)
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "📋 本学期的记录（可撤回）")
    await h.press(MEMBER, "撤回安全教育课 #1")
    assert h.buttons(MEMBER) == ["确定撤回", "不撤回"]

    # The spring term begins; the question asked in autumn is answered now.
    h.clock.set(datetime(2027, 3, 2, 2, 0, tzinfo=UTC))
    assert await h.press(MEMBER, "确定撤回") == []
    assert h.answers()[-1] == PAST_TERM
    # The autumn list's buttons, and the school drill's for its secretary.
    for user, data in (
        (MEMBER, "sf:wd:lesson:1"),
        (MEMBER, "sf:wd:drill:1"),
        (MEMBER, "sf:wdok:drill:1"),
        (SECRETARY, "sf:wd:drill:2"),
        (SECRETARY, "sf:wdok:drill:2"),
    ):
        assert await h.callback(user, data) == [], data
        assert h.answers()[-1] == PAST_TERM, data
    assert await h.rows("SELECT status FROM safety_lessons") == [("active",)]
    assert await h.rows("SELECT status FROM safety_drills") == [("active",), ("active",)]
    assert await _counted(h) == before
    assert await h.rows("SELECT action FROM audit_log WHERE action LIKE '%withdrawn'") == []
    # The spring's list has none of them to offer.
    await h.send(MEMBER, "/safety")
    assert "📋 本学期的记录（可撤回）" not in h.buttons(MEMBER)

    # This term's lesson is withdrawn as before.
    await h.press(MEMBER, "记录安全教育课")
    await h.send(MEMBER, "03-01")
    await h.send(MEMBER, "三（2）班")
    await h.press(MEMBER, "防溺水")
    await h.send(MEMBER, "40")
    await h.press(MEMBER, "跳过")
    await h.send(MEMBER, "/safety")
    await h.press(MEMBER, "📋 本学期的记录（可撤回）")
    assert h.buttons(MEMBER) == ["撤回安全教育课 #2"]
    await h.press(MEMBER, "撤回安全教育课 #2")
    assert await h.press(MEMBER, "确定撤回") == [
        "已撤回：📚 #2 2027-03-01 三(2)班 防溺水安全教育课，40 名学生"
    ]
    assert await h.rows("SELECT id, status FROM safety_lessons ORDER BY id") == [
        (1, "active"),
        (2, "withdrawn"),
    ]
    assert await _counted(h) == before
