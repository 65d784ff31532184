"""Children's data kept only as long as needed, and a departed member's data erased."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from typing import Any

import pytest

from bot.app import erase_expired
from storage import audit, members, outbox, retention, visits
from storage.retention import cutoff
from tests.conftest import ADMIN, MEMBER, MEMBER2, SECRETARY, ZONE, Harness
from tests.test_visits import log_visit, visit_rows


def test_cutoff_is_the_school_year_end_more_than_the_years_ago() -> None:
    # A visit of 2026-11-28 belongs to the school year ending 2027-08-31: kept 5 years.
    assert cutoff(date(2032, 8, 31), 5) == date(2026, 8, 31)
    assert cutoff(date(2032, 9, 1), 5) == date(2027, 8, 31)
    assert cutoff(date(2033, 1, 15), 5) == date(2027, 8, 31)
    assert cutoff(date(2028, 9, 1), 1) == date(2027, 8, 31)


async def _visit_with_everything(h: Harness) -> dict[str, Any]:
    await h.send(MEMBER, "/visit")
    await h.press(MEMBER, "今天")
    await h.send(MEMBER, "小明同学")
    await h.send(MEMBER, "三(2)班")
    await h.press(MEMBER, "上门")
    await h.press(MEMBER, "父母")
    await h.press(MEMBER, "学习")
    await h.press(MEMBER, "📝 备注")
    await h.send(MEMBER, "爷爷奶奶带，父母在外地打工。")
    await h.press(MEMBER, "📷 照片")
    await h.photo(MEMBER, "AgPHOTO77")
    await h.press(MEMBER, "🔔 回访")
    await h.press(MEMBER, "1 周后")
    await h.press(MEMBER, "✅ 保存")
    row = (await visit_rows(h))[-1]
    # An earlier version, as an edit within the week leaves one.
    async with h.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO home_visit_versions (visit_id, version, content, replaced_at)"
            " VALUES (?, 1, ?, '2026-11-28T03:00:00+00:00')",
            (row["id"], json.dumps({"student_alias": "小明", "note": "旧备注"})),
        )
    return row


async def _count_visits(h: Harness) -> int:
    async with h.db.read() as conn, conn.execute("SELECT count(*) FROM home_visits") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_visits_past_retention_lose_alias_note_and_photo_only(harness: Harness) -> None:
    await harness.branch_with_people()
    old = await _visit_with_everything(harness)
    # The follow-up reminder names the student; it is sent, then erased with the visit.
    harness.clock.set(datetime(2026, 12, 5, 9, 0, tzinfo=ZONE))
    await harness.app.bot_data["services"].reminders.tick()
    await harness.deliver()
    assert any("小明同学" in t for t in harness.tg.texts(MEMBER.id)[-3:])
    harness.clock.set(datetime(2027, 9, 10, 10, 0, tzinfo=ZONE))
    recent = await log_visit(harness, alias="李同学")

    harness.clock.set(datetime(2032, 8, 31, 23, 0, tzinfo=ZONE))
    assert not any((await erase_expired(harness.app)).values())
    assert (await visit_rows(harness))[0]["student_alias"] == "小明同学"

    harness.clock.set(datetime(2032, 9, 1, 3, 0, tzinfo=ZONE))
    erased = await erase_expired(harness.app)
    assert erased["home_visits"] == 1 and erased["outbox"] >= 1
    rows = {r["id"]: r for r in await visit_rows(harness)}
    gone = rows[old["id"]]
    assert (gone["student_alias"], gone["note"], gone["photo_file_id"]) == ("—", None, None)
    # What totals and ledgers need stays.
    kept = ("visit_date", "member_id", "branch_id", "form", "met", "topics", "class_name")
    assert all(gone[k] == old[k] for k in kept)
    assert gone["erased_at"] is not None and await _count_visits(harness) == 2
    assert rows[recent["id"]]["student_alias"] == "李同学"  # its school year is not past
    async with harness.db.read() as conn:
        async with conn.execute("SELECT content FROM home_visit_versions") as cur:
            assert [json.loads(r[0]) for r in await cur.fetchall()] == [{"erased": True}]
        async with conn.execute("SELECT text FROM outbox WHERE chat_id = ?", (MEMBER.id,)) as cur:
            texts = [r[0] for r in await cur.fetchall()]
        log = await audit.for_entity(conn, "retention", "2027-08-31")
    assert not any("小明同学" in t for t in texts) and outbox.ERASED_TEXT in texts
    assert [e.action for e in log] == ["retention.erased"]
    # Running again erases nothing more; earlier versions stay append-only otherwise.
    assert not any((await erase_expired(harness.app)).values())
    async with harness.db.transaction() as tx:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await tx.execute("UPDATE home_visit_versions SET content = '{}'")


async def test_an_open_follow_up_is_closed_with_its_visit(harness: Harness) -> None:
    # Erased, its follow-up would stay on the teacher's list for ever, naming "—", and
    # [推迟一周] there would bring its reminders back.
    await harness.branch_with_people()
    old = await log_visit(harness, alias="小明同学", follow_up="1 周后")
    done = await log_visit(harness, alias="小红同学", follow_up="1 周后")
    async with harness.db.transaction() as tx:
        await visits.complete_follow_up(tx, done["id"], note=None, now=harness.clock.now())
    harness.clock.set(datetime(2036, 11, 28, 10, 0, tzinfo=ZONE))  # ten years on
    recent = await log_visit(harness, alias="李同学", follow_up="1 周后")
    listed = await harness.send(MEMBER, "/visits")
    assert "待回访（2）" in listed[-1] and "小明同学" in listed[-1]

    erased = await erase_expired(harness.app)
    assert (erased["home_visits"], erased["follow_ups_closed"]) == (2, 1)
    rows = {r["id"]: r for r in await visit_rows(harness)}
    assert (rows[old["id"]]["follow_up_on"], rows[old["id"]]["follow_up_done_at"]) == (None, None)
    # A follow-up that was done keeps its record; the recent one is untouched.
    assert rows[done["id"]]["follow_up_on"] == done["follow_up_on"]
    assert rows[done["id"]]["follow_up_done_at"] is not None
    assert rows[recent["id"]] == recent
    listed = await harness.send(MEMBER, "/visits")
    assert "待回访（1）" in listed[-1] and "李同学" in listed[-1] and "—" not in listed[-1]
    await harness.callback(MEMBER, f"vis:fpost:{old['id']}:20261205")
    assert "这条回访已不在待办中" in harness.answers()[-1]
    async with harness.db.read() as conn:
        log = await audit.for_entity(conn, "retention", "2031-08-31")
    assert [(e.detail["home_visits"], e.detail["follow_ups_closed"]) for e in log] == [(2, 1)]


async def test_departed_member_data_is_erased_after_a_confirming_press(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness, MEMBER2, alias="赵同学", follow_up="1 周后")
    async with harness.db.read() as conn:
        leaving = await members.get_active_by_telegram(conn, MEMBER2.id)
    assert leaving is not None
    # Still a member: not listed, and a forged press is refused.
    assert "没有可删除数据的离开成员" in (await harness.send(ADMIN, "/erasemember"))[0]
    await harness.callback(ADMIN, f"era:ok:{leaving.id}")
    assert "此人仍是支部成员" in harness.answers()[-1]

    await harness.callback(SECRETARY, f"mem:rmok:{leaving.id}")
    listed = await harness.send(ADMIN, "/erasemember")
    assert "请选择要删除个人数据的离开成员" in listed[0]
    confirm = await harness.press(ADMIN, f"张老师（{harness.clock.now():%Y-%m-%d}）")
    assert "确认删除 张老师 的个人数据？" in confirm[0] and "此操作无法撤销" in confirm[0]
    await harness.press(ADMIN, "确认删除")
    placeholder = f"已删除成员#{leaving.id}"
    assert f"现显示为“{placeholder}”" in harness.last(ADMIN)

    async with harness.db.read() as conn:
        after = await members.get(conn, leaving.id)
        log = await audit.for_entity(conn, "member", str(leaving.id))
    assert after is not None and after.name == placeholder
    visit = (await visit_rows(harness))[0]
    assert (visit["student_alias"], visit["note"], visit["member_id"]) == ("—", None, leaving.id)
    assert visit["follow_up_on"] is None  # their open follow-up closed with it
    # The audit log keeps its entries by id, and records the erasure.
    assert [e.action for e in log][-1] == "member.erased"
    assert (log[-1].detail["visits"], log[-1].detail["follow_ups_closed"]) == (1, 1)
    assert "member.left" in [e.action for e in log] or len(log) >= 2
    # Nobody left to erase now; a second press on the old button changes nothing.
    assert "没有可删除数据的离开成员" in (await harness.send(ADMIN, "/erasemember"))[0]
    await harness.callback(ADMIN, f"era:ok:{leaving.id}")
    assert "此人的个人数据已删除" in harness.answers()[-1]


async def test_cancel_erases_nothing(harness: Harness) -> None:
    await harness.branch_with_people()
    async with harness.db.read() as conn:
        leaving = await members.get_active_by_telegram(conn, MEMBER2.id)
    assert leaving is not None
    await harness.callback(SECRETARY, f"mem:rmok:{leaving.id}")
    await harness.send(ADMIN, "/erasemember")
    await harness.press(ADMIN, f"张老师（{harness.clock.now():%Y-%m-%d}）")
    await harness.press(ADMIN, "取消")
    assert harness.last(ADMIN) == "已取消，没有删除任何数据。"
    async with harness.db.read() as conn:
        assert (await members.get(conn, leaving.id)).name == "张老师"  # type: ignore[union-attr]


async def test_mydata_says_what_is_kept_and_for_how_long(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/mydata")
    sent = harness.tg.last_sent(MEMBER.id)
    assert "家访记录在所属学年结束（8 月 31 日）后完整保存 5 年" in sent["caption"]
    assert "督查需要查阅五年内的台账" in sent["caption"]
    data = json.loads(sent["document"].content)
    assert "只保留日期、形式和数量" in data["how_long_it_is_kept"]


async def test_a_school_year_falling_due_at_once_is_erased_batch_by_batch(
    harness: Harness,
) -> None:
    # On 1 September a whole school year passes retention at once (100,000 visits in a
    # bureau: more than SQLite binds in one statement); the run goes a batch at a time
    # until nothing is left, and is audited once with its totals.
    await harness.branch_with_people()
    for alias in ("甲同学", "乙同学", "丙同学", "丁同学", "戊同学"):
        await log_visit(harness, alias=alias)
    services = harness.app.bot_data["services"]
    now = datetime(2032, 9, 1, 3, 0, tzinfo=ZONE)
    erased = await retention.erase_expired(
        harness.db, services.erasers, today=now.date(), years=5, now=now, batch=2
    )
    assert erased["home_visits"] == 5
    assert {r["student_alias"] for r in await visit_rows(harness)} == {"—"}
    async with harness.db.read() as conn:
        log = await audit.for_entity(conn, "retention", "2027-08-31")
    assert [(e.action, e.detail["home_visits"]) for e in log] == [("retention.erased", 5)]
    again = await retention.erase_expired(
        harness.db, services.erasers, today=now.date(), years=5, now=now, batch=2
    )
    assert not any(again.values())


async def test_a_run_that_fails_halfway_still_audits_what_it_erased(harness: Harness) -> None:
    await harness.branch_with_people()
    for alias in ("甲同学", "乙同学", "丙同学"):
        await log_visit(harness, alias=alias)
    services = harness.app.bot_data["services"]

    async def broken(*_: object) -> int:
        raise RuntimeError("disk full")

    erasers = {"home_visits": services.erasers["home_visits"], "z_broken": broken}
    now = datetime(2032, 9, 1, 3, 0, tzinfo=ZONE)
    with pytest.raises(RuntimeError):
        await retention.erase_expired(
            harness.db, erasers, today=now.date(), years=5, now=now, batch=2
        )
    assert {r["student_alias"] for r in await visit_rows(harness)} == {"—"}
    async with harness.db.read() as conn:
        log = await audit.for_entity(conn, "retention", "2027-08-31")
    assert [(e.detail["home_visits"], e.detail["complete"]) for e in log] == [(3, False)]
