"""Reminders end to end: the tick on the harness's clock queues messages, ``deliver()`` sends
them through the fake Bot API, and the buttons on them work.

The branch (李红梅, 王老师, 张老师) is made at 2026-11-28 10:00; its party day is the 10th
at 14:30, so December's announcement is due on 2026-12-07 at 09:00 and the morning
reminder on 2026-12-10 at 08:00.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import REMINDERS, TICK_SECONDS, build_application, reminder_engine, startup
from handlers.common.services import SERVICES_KEY, BotConfig
from schedules.engine import TickReport
from schedules.kinds import Kind
from storage import Database, audit, members, outbox, partyday, reminders
from storage.clock import FixedClock
from storage.members import Member
from storage.partyday_rules import DayRule, RuleKind
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    Harness,
)
from tests.fakebot import FakeTelegram

ZONE = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


async def tick(h: Harness, when: datetime | None = None) -> TickReport:
    if when is not None:
        h.clock.set(when)
    return await reminder_engine(h.app).tick()


async def person(h: Harness, telegram_id: int) -> Member:
    async with h.db.read() as conn:
        found = await members.get_active_by_telegram(conn, telegram_id)
    assert found is not None
    return found


async def with_party_day(h: Harness) -> None:
    await h.branch_with_people()
    secretary = await person(h, SECRETARY.id)
    assert secretary.branch_id is not None
    async with h.db.transaction() as tx:
        await partyday.set_rule(
            tx,
            branch_id=secretary.branch_id,
            rule=DayRule(kind=RuleKind.DAY, day=10),
            start_time=time(14, 30),
            place="三楼会议室",
            actor_id=secretary.id,
            now=h.clock.now(),
        )
    # The first run only notes the time: nothing was due yet.
    assert (await tick(h)).queued == 0


async def rows(h: Harness, kind: Kind) -> list[outbox.OutboxMessage]:
    async with h.db.read() as conn:
        return [m for m in await outbox.list_all(conn) if m.kind == kind.value]


# --------------------------------------------------------------------------- party day


async def test_the_announcement_reaches_every_member_and_its_buttons_work(
    harness: Harness,
) -> None:
    await with_party_day(harness)
    assert Kind.PARTYDAY_ANNOUNCE not in (await tick(harness, at(12, 7, 8, 59))).by_kind
    report = await tick(harness, at(12, 7, 9, 0))
    assert report.by_kind[Kind.PARTYDAY_ANNOUNCE] == 3
    await harness.deliver()
    for user in (SECRETARY, MEMBER, MEMBER2):
        assert "三楼会议室" in harness.last(user)
        assert harness.buttons(user) == ["参加", "请假"]
    answer = await harness.press(MEMBER, "参加")
    assert any("已登记" in text for text in answer)
    # Sending pinned the day: a later rule change does not move it.
    async with harness.db.read() as conn:
        secretary = await person(harness, SECRETARY.id)
        day = await partyday.party_day(conn, secretary.branch_id or 0, 2026, 12)
    assert day is not None and day.announced
    # A second tick the same minute queues nothing more.
    assert (await tick(harness)).queued == 0


async def announced_entries(h: Harness) -> list[tuple[object, ...]]:
    async with h.db.read() as conn:
        found = await conn.execute_fetchall(
            "SELECT actor_id, entity_id FROM audit_log WHERE action = 'partyday.announced'"
        )
    return [tuple(row) for row in found]


async def test_the_day_is_pinned_once_whatever_the_slices(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One announcement per slice: the first slice's transaction pins the day (nobody
    # acting), the others find it pinned.
    monkeypatch.setattr("schedules.engine.SLICE", 0.0)
    await with_party_day(harness)
    report = await tick(harness, at(12, 7, 9, 0))
    assert report.by_kind[Kind.PARTYDAY_ANNOUNCE] == 3
    assert [actor for actor, _ in await announced_entries(harness)] == [None]


async def test_a_day_changed_while_its_announcements_render_is_announced_as_it_now_is(
    harness: Harness,
) -> None:
    # Rendering holds no lock, so the secretary can change the place in between: the
    # announcements that name the old place are not queued, nor is the day pinned; the
    # next minute announces the day as it is.
    await with_party_day(harness)
    secretary = await person(harness, SECRETARY.id)
    assert secretary.branch_id is not None
    engine = reminder_engine(harness.app)
    render = engine.renderers[Kind.PARTYDAY_ANNOUNCE.value]
    changed: list[bool] = []

    async def render_then_change(*args: object) -> object:
        rendered = await render(*args)  # type: ignore[arg-type]
        if not changed:
            changed.append(True)
            async with harness.db.transaction() as tx:
                await partyday.set_rule(
                    tx, branch_id=secretary.branch_id or 0, rule=DayRule(kind=RuleKind.DAY, day=10),
                    start_time=time(14, 30), place="礼堂", actor_id=secretary.id,
                    now=harness.clock.now(),
                )  # fmt: skip
        return rendered

    engine.renderers[Kind.PARTYDAY_ANNOUNCE.value] = render_then_change  # type: ignore[assignment]
    try:
        report = await tick(harness, at(12, 7, 9, 0))
    finally:
        engine.renderers[Kind.PARTYDAY_ANNOUNCE.value] = render
    assert Kind.PARTYDAY_ANNOUNCE not in report.by_kind, report.by_kind
    assert report.changed == 3
    assert await rows(harness, Kind.PARTYDAY_ANNOUNCE) == []
    assert await announced_entries(harness) == []
    report = await tick(harness, at(12, 7, 9, 1))
    assert report.by_kind[Kind.PARTYDAY_ANNOUNCE] == 3
    await harness.deliver()
    assert "礼堂" in harness.last(MEMBER) and "三楼会议室" not in harness.last(MEMBER)
    assert len(await announced_entries(harness)) == 1


async def test_the_morning_reminder_has_a_check_in_button(harness: Harness) -> None:
    await with_party_day(harness)
    await tick(harness, at(12, 10, 8, 0))
    await harness.deliver()
    assert "今天是党日" in harness.last(MEMBER)
    assert harness.buttons(MEMBER) == ["签到"]


async def test_after_downtime_the_announcement_is_skipped_and_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await with_party_day(harness)
    await tick(harness, at(12, 6, 12, 0))
    await harness.restart()
    caplog.set_level(logging.INFO, logger="schedules.engine")
    report = await tick(harness, at(12, 10, 9, 0))
    # (The November digest went out on the 6th, when it was late but useful.)
    assert report.by_kind == {Kind.PARTYDAY_MORNING: 3}
    assert report.skipped == 3
    assert "replaced" in caplog.text
    async with harness.db.read() as conn:
        skips = await reminders.skips(conn)
    assert {s.kind for s in skips} == {Kind.PARTYDAY_ANNOUNCE}
    await harness.deliver()
    assert "今天是党日" in harness.last(MEMBER)


async def test_a_muted_kind_does_not_arrive(harness: Harness) -> None:
    await with_party_day(harness)
    replies = await harness.send(MEMBER, "/settings")
    assert "提醒设置" in replies[-1]
    await harness.press(MEMBER, "✅ 党日通知（提前几天）")
    assert "🔕 党日通知（提前几天）（已关闭）" in harness.buttons(MEMBER)
    assert any("已关闭" in a for a in harness.answers())
    member = await person(harness, MEMBER.id)
    async with harness.db.read() as conn:
        assert await reminders.muted_kinds(conn, member.id) == {Kind.PARTYDAY_ANNOUNCE.value}
        trail = await audit.for_entity(conn, "member", member.id)
    assert trail[-1].action == "reminders.muted"
    await tick(harness, at(12, 7, 9, 0))
    await harness.deliver()
    assert "三楼会议室" not in harness.last(MEMBER)
    assert "三楼会议室" in harness.last(MEMBER2)
    # The morning reminder is another kind: still on.
    await tick(harness, at(12, 10, 8, 0))
    await harness.deliver()
    assert "今天是党日" in harness.last(MEMBER)


async def test_muting_and_unmuting_twice_is_harmless(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/settings")
    label = "✅ 家访回访到期"
    await harness.press(MEMBER, label)
    await harness.callback(MEMBER, "rem:off:visit.follow_up")
    await harness.press(MEMBER, "🔕 家访回访到期（已关闭）")
    member = await person(harness, MEMBER.id)
    async with harness.db.read() as conn:
        assert await reminders.muted_kinds(conn, member.id) == set()


async def test_members_see_no_switch_for_secretary_only_kinds(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/settings")
    member_buttons = harness.buttons(MEMBER)
    await harness.send(SECRETARY, "/settings")
    secretary_buttons = harness.buttons(SECRETARY)
    assert "✅ 月度汇总（每月 1 日）" not in member_buttons
    assert "✅ 月度汇总（每月 1 日）" in secretary_buttons
    assert "⏰ 本支部提醒时间" in secretary_buttons
    assert "⏰ 本支部提醒时间" not in member_buttons


# --------------------------------------------------------------------------- home visits


async def test_a_follow_up_reminder_can_be_postponed_from_its_button(harness: Harness) -> None:
    await harness.branch_with_people()
    await tick(harness)
    member = await person(harness, MEMBER.id)
    async with (
        harness.db.transaction() as tx,
        tx.execute(
            "INSERT INTO home_visits (member_id, branch_id, visit_date, student_alias, class_name,"
            " form, met, topics, follow_up_on, created_at, updated_at)"
            " VALUES (?, ?, '2026-11-27', '小明', '初二(3)班', 'in_person', 'parents',"
            " '[\"study\"]', '2026-12-01', ?, ?)",
            (member.id, member.branch_id, "2026-11-28T02:00:00+00:00", "2026-11-28T02:00:00+00:00"),
        ) as cur,
    ):
        visit_id = cur.lastrowid
    await tick(harness, at(12, 1, 9, 0))
    await harness.deliver()
    assert "小明" in harness.last(MEMBER)
    assert harness.buttons(MEMBER) == ["✅ 完成", "⏭ 推迟一周"]
    replies = await harness.press(MEMBER, "⏭ 推迟一周")
    assert any("已推迟" in text for text in replies)
    async with (
        harness.db.read() as conn,
        conn.execute("SELECT follow_up_on FROM home_visits WHERE id = ?", (visit_id,)) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and row[0] == "2026-12-08"
    # A new date is a new reminder, a week later.
    assert (await tick(harness, at(12, 8, 9, 0))).by_kind.get(Kind.VISIT_FOLLOW_UP) == 1


# --------------------------------------------------------------------------- digest


async def test_the_secretary_gets_the_monthly_digest(harness: Harness) -> None:
    await with_party_day(harness)
    member2 = await person(harness, MEMBER2.id)
    async with harness.db.transaction() as tx:
        await members.set_unreachable(tx, MEMBER2.id, harness.clock.now())
    report = await tick(harness, at(12, 1, 9, 0))
    assert report.by_kind == {Kind.DIGEST: 1}
    await harness.deliver()
    text = harness.last(SECRETARY)
    assert text.startswith("📊 <b>第一中学党支部 2026年11月工作汇总</b>")
    assert "本月没有任何记录" in text and "王老师" in text
    assert "消息发送不到" in text and member2.name in text
    assert "家访" in text and "承诺" in text and "服务" in text
    assert [m.chat_id for m in await rows(harness, Kind.DIGEST)] == [SECRETARY.id]


async def test_the_digest_names_who_is_behind_the_visit_target(harness: Harness) -> None:
    await harness.branch_with_people()
    await tick(harness)
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO visit_targets (branch_id, target, set_on, set_by, set_at)"
            " VALUES (?, 2, '2026-11-28', ?, '2026-11-28T02:00:00+00:00')",
            (secretary.branch_id, secretary.id),
        )
    await tick(harness, at(12, 1, 9, 0))
    await harness.deliver()
    text = harness.last(SECRETARY)
    assert "每人目标 2 次，已达标 0/3 人" in text
    assert "王老师：0/2" in text
    assert harness.buttons(SECRETARY) == ["查看全支部"]
    board = await harness.press(SECRETARY, "查看全支部")
    assert any("本学期家访" in text and "王老师：0/2" in text for text in board)


async def test_each_branch_gets_its_own_digest_from_one_tick(harness: Harness) -> None:
    # The digests of every due branch are read together (``DueReminder.for_all``); each
    # still tells only its own branch's month.
    await harness.branch_with_people()
    await harness.second_branch()
    await tick(harness)
    other = await person(harness, OTHER_MEMBER.id)
    async with harness.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO home_visits (member_id, branch_id, visit_date, student_alias, class_name,"
            " form, met, topics, created_at, updated_at) VALUES (?, ?, '2026-11-29', '小明',"
            " '初二(3)班', 'in_person', 'parents', '[\"study\"]', ?, ?)",
            (other.id, other.branch_id, "2026-11-29T02:00:00+00:00", "2026-11-29T02:00:00+00:00"),
        )
    report = await tick(harness, at(12, 1, 9, 0))
    assert report.by_kind == {Kind.DIGEST: 2}
    await harness.deliver()
    ours, theirs = harness.last(SECRETARY), harness.last(OTHER_SECRETARY)
    assert ours.startswith("📊 <b>第一中学党支部 2026年11月工作汇总</b>\n党员 3 人")
    assert "家访：本月 0 次" in ours and "王老师" in ours and "钱老师" not in ours
    assert theirs.startswith("📊 <b>第二中学党支部 2026年11月工作汇总</b>\n党员 2 人")
    assert "家访：本月 1 次" in theirs and "王老师" not in theirs
    # 钱老师 logged a visit: only the secretary had nothing on record.
    assert "本月没有任何记录：赵建国" in theirs and "钱老师" not in theirs


# --------------------------------------------------------------------------- branch times


async def test_a_secretary_changes_the_announcement_time(harness: Harness) -> None:
    await with_party_day(harness)
    await harness.send(SECRETARY, "/settings")
    await harness.press(SECRETARY, "⏰ 本支部提醒时间")
    assert "党日通知时间：09:00" in harness.last(SECRETARY)
    await harness.press(SECRETARY, "党日通知时间")
    wrong = await harness.send(SECRETARY, "25:99")
    assert any("没有看懂这个时间" in text for text in wrong)
    saved = await harness.send(SECRETARY, "16:30")
    assert any("已保存：党日通知时间 → 16:30" in text for text in saved)
    assert "党日通知时间：16:30" in saved[-1]
    assert (await tick(harness, at(12, 7, 9, 0))).by_kind.get(Kind.PARTYDAY_ANNOUNCE) is None
    assert (await tick(harness, at(12, 7, 16, 30))).by_kind[Kind.PARTYDAY_ANNOUNCE] == 3


async def test_a_time_inside_quiet_hours_is_accepted_with_a_note(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/settings")
    await harness.press(SECRETARY, "⏰ 本支部提醒时间")
    await harness.press(SECRETARY, "党日当天提醒时间")
    replies = await harness.press(SECRETARY, "07:30")
    assert any("免打扰时段 21:00–08:00 内" in text and "08:00" in text for text in replies)
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.read() as conn:
        rules = await reminders.rules_for(conn, secretary.branch_id or 0)
    assert rules.morning_time == time(7, 30)


async def test_the_days_before_are_a_number(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/settings")
    await harness.press(SECRETARY, "⏰ 本支部提醒时间")
    await harness.press(SECRETARY, "党日通知提前天数")
    assert any("1–14" in text for text in await harness.send(SECRETARY, "20"))
    await harness.send(SECRETARY, "5")
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.read() as conn:
        assert (await reminders.rules_for(conn, secretary.branch_id or 0)).announce_days == 5
        trail = await audit.for_entity(conn, "branch", secretary.branch_id or 0)
    assert trail[-1].action == "reminders.rule_set"
    assert trail[-1].detail == {"rule": "announce_days", "before": "3", "after": "5"}


# --------------------------------------------------------------------------- wiring


async def test_startup_schedules_the_tick_on_purpose(tmp_path: Path) -> None:
    db = Database(tmp_path / "wiring.sqlite3")
    await db.open()
    config = BotConfig(zone=ZoneInfo("Europe/Berlin"))
    app = build_application(
        token="999000:TEST",
        db=db,
        config=config,
        clock=FixedClock(at(11, 28, 10)),
        request=FakeTelegram(),
    )
    try:
        await app.initialize()
        await startup(app, run_dispatcher=False, run_reminders=True)
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name(REMINDERS)
        scheduled = job.job
        assert scheduled.trigger.interval.total_seconds() == TICK_SECONDS
        assert str(scheduled.trigger.timezone) == "Europe/Berlin"
        assert (scheduled.misfire_grace_time, scheduled.coalesce, scheduled.max_instances) == (
            30,
            True,
            1,
        )
        assert reminder_engine(app).missing == []
    finally:
        await app.shutdown()
        await db.close()


async def test_tests_and_scripts_get_no_background_tick(harness: Harness) -> None:
    assert harness.app.job_queue.get_jobs_by_name(REMINDERS) == ()


# --------------------------------------------------------------------------- late delivery


async def test_queued_reminders_wait_out_the_night_and_expire_unsent(harness: Harness) -> None:
    """The tick queued them, then the bot was down before they went out. Back at night,
    the running dispatcher (as start-up builds it) holds them until 08:00; back after the
    day, the morning reminder is given up instead of saying "today" on the wrong day."""
    await with_party_day(harness)
    assert (await tick(harness, at(12, 7, 9, 0))).by_kind[Kind.PARTYDAY_ANNOUNCE] == 3
    await harness.restart()
    dispatcher = harness.app.bot_data[SERVICES_KEY].dispatcher
    harness.clock.set(at(12, 7, 22, 30))
    assert await dispatcher.run_once() == 0
    harness.clock.set(at(12, 8, 8, 0))
    assert await dispatcher.run_once() == 3
    assert "三楼会议室" in harness.last(MEMBER)

    assert (await tick(harness, at(12, 10, 8, 0))).by_kind[Kind.PARTYDAY_MORNING] == 3
    await harness.restart()
    harness.clock.set(at(12, 11, 9, 0))
    await tick(harness)
    await harness.deliver()
    assert not any("今天是党日" in text for text in harness.tg.texts(MEMBER.id))
    morning = await rows(harness, Kind.PARTYDAY_MORNING)
    assert [m.status for m in morning] == [outbox.OutboxStatus.FAILED] * 3
    assert all(m.expires_at == at(12, 11) for m in morning)


async def test_muting_withdraws_what_is_already_queued_for_the_morning(harness: Harness) -> None:
    """Queued at 22:00, held by the quiet hours until 08:00: muted at 23:00, it is not sent."""
    await with_party_day(harness)
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.transaction() as tx:
        await reminders.set_rule(
            tx,
            branch_id=secretary.branch_id or 0,
            name="announce_time",
            value=time(22, 0),
            actor_id=secretary.id,
            now=harness.clock.now(),
        )
    assert (await tick(harness, at(12, 7, 22, 0))).by_kind[Kind.PARTYDAY_ANNOUNCE] == 3
    harness.clock.set(at(12, 7, 23, 0))
    await harness.send(MEMBER, "/settings")
    await harness.press(MEMBER, "✅ 党日通知（提前几天）")
    await tick(harness, at(12, 8, 8, 0))
    await harness.deliver()
    assert "三楼会议室" in harness.last(MEMBER2)
    assert not any("三楼会议室" in text for text in harness.tg.texts(MEMBER.id))
    member = await person(harness, MEMBER.id)
    (withdrawn,) = [
        m for m in await rows(harness, Kind.PARTYDAY_ANNOUNCE) if m.member_id == member.id
    ]
    assert withdrawn.status is outbox.OutboxStatus.FAILED
    assert withdrawn.last_error is not None and withdrawn.last_error.startswith("muted")


async def test_a_time_that_would_never_let_a_party_day_reminder_out_is_refused(
    harness: Harness,
) -> None:
    """A morning reminder at 21:30 would wait for 08:00 the next day, after its party day:
    it would never be sent, so the time is refused and asked again."""
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/settings")
    await harness.press(SECRETARY, "⏰ 本支部提醒时间")
    await harness.press(SECRETARY, "党日当天提醒时间")
    replies = await harness.send(SECRETARY, "21:30")
    assert any("发不出去" in text and "党日当天提醒" in text for text in replies)
    assert "请输入新的「党日当天提醒时间」（现为 08:00）" in replies[-1]
    # An evening announcement is fine three days ahead (it goes the next morning) ...
    await harness.send(SECRETARY, "/settings")
    await harness.press(SECRETARY, "⏰ 本支部提醒时间")
    await harness.press(SECRETARY, "党日通知时间")
    saved = await harness.send(SECRETARY, "22:00")
    assert any("已保存：党日通知时间 → 22:00" in text for text in saved)
    # ... but not one day ahead: it would reach members on the day itself.
    await harness.press(SECRETARY, "党日通知提前天数")
    refused = await harness.send(SECRETARY, "1")
    assert any("发不出去" in text for text in refused)
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.read() as conn:
        rules = await reminders.rules_for(conn, secretary.branch_id or 0)
    assert (rules.morning_time, rules.announce_time, rules.announce_days) == (
        time(8, 0),
        time(22, 0),
        3,
    )


async def test_admins_can_turn_off_the_reminders_that_reach_them(harness: Harness) -> None:
    """A lone secretary's own pledge or self-nomination is decided by the bureau, whose
    admins get its reminders: they see those switches (and not the digest's)."""
    await harness.branch_with_people()
    await harness.send(ADMIN, "/settings")
    shown = harness.buttons(ADMIN)
    for label in ("✅ 承诺待审核", "✅ 承诺待评议", "✅ 先锋评选：自荐待认可"):
        assert any(b.startswith(label) for b in shown), (label, shown)
    assert not any(b.startswith("✅ 月度汇总") for b in shown)
    review = next(b for b in shown if b.startswith("✅ 承诺待审核"))
    await harness.press(ADMIN, review)
    admin = await person(harness, ADMIN.id)
    async with harness.db.read() as conn:
        assert await reminders.muted_kinds(conn, admin.id) == {Kind.PLEDGE_REVIEW.value}
