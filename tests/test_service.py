"""The service log through the bot: typed answers and wrong ones, hours in half hours, the
year by month, editing with history, withdrawing, make-up, restarts and /cancel."""

from __future__ import annotations

from datetime import date

from storage import members, service
from storage.service import ServiceEntry, ServiceKind
from tests.conftest import EN_MEMBER, MEMBER, MEMBER2, SECRETARY, Harness
from tests.test_partyday import at, audit_actions, join_in_english, rows, rule_in_place


async def _at_kind_step(h: Harness) -> None:
    await h.branch_with_people()
    h.clock.set(at(12, 8, 18))
    await rule_in_place(h)
    await h.send(MEMBER, "/service")


async def test_typed_answers_all_the_way(harness: Harness) -> None:
    h = harness
    await _at_kind_step(h)
    assert (await h.send(MEMBER, "政策宣讲"))[-1].startswith("哪一天？")
    assert (await h.send(MEMBER, "12-8"))[-1].startswith("服务了多长时间？")
    assert (await h.send(MEMBER, "两个半小时"))[-1].startswith("做了什么？")
    await h.send(MEMBER, "在社区宣讲义务教育招生政策")
    said = await h.send(MEMBER, "不用")
    assert said[0] == (
        "已记录 #1：\n政策宣讲 · 12月8日 · 2.5 小时 · 党日\n在社区宣讲义务教育招生政策\n\n"
        "7 天内可以修改或撤回：/service history"
    )


async def test_hours_out_of_range_or_not_in_half_hours_are_asked_again(harness: Harness) -> None:
    h = harness
    await _at_kind_step(h)
    await h.press(MEMBER, "结对帮扶")
    await h.press(MEMBER, "党日 12月8日")
    bad = "时长需为 0.5 到 12 小时，按半小时计（如 1、1.5、2）。请重新输入。"
    for typed in ("13", "0", "0.3", "1.3", "12.5", "很久"):
        assert await h.send(MEMBER, typed) == [bad], typed
    assert await h.press(MEMBER, "其他") == ["请输入小时数，例如 1.5。"]
    assert await h.photo(MEMBER) == [bad]
    assert (await h.send(MEMBER, "12"))[-1].startswith("做了什么？")
    assert await h.send(MEMBER, "帮" * 501) == [
        "内容需为 1–500 个字（您输入了 501 个字），请重新输入。"
    ]
    await h.send(MEMBER, "帮" * 500)
    await h.press(MEMBER, "跳过")
    assert await rows(h, "SELECT hours, length(description) FROM service_logs") == [(12.0, 500)]


async def test_dates_outside_this_month_or_in_the_future_are_asked_again(harness: Harness) -> None:
    h = harness
    await _at_kind_step(h)
    await h.press(MEMBER, "社区清洁")
    bad = "日期需在本月内且不晚于今天，格式如 12-08。请重新输入。"
    assert await h.send(MEMBER, "11-30") == [bad]
    assert await h.send(MEMBER, "12-9") == [bad]
    assert await h.send(MEMBER, "前几天") == [bad]
    await h.send(MEMBER, "12月3日")
    await h.press(MEMBER, "1 小时")
    # A photo with a caption answers "what" and "photo" at once.
    said = await h.photo(MEMBER, "CLEANUP_PHOTO", caption="清理小区楼道小广告")
    assert said[0].startswith("已记录 #1：\n社区清洁 · 12月3日 · 1 小时 · 📷\n清理小区楼道小广告")
    # Not on the party day: not linked to it.
    assert await rows(h, "SELECT on_date, party_month_id FROM service_logs") == [
        ("2026-12-03", None)
    ]


async def test_the_year_by_month_edit_with_history_and_withdraw(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(11, 16, 18))
    await rule_in_place(h, "15")
    for when, hours in ((at(11, 16, 18), "2 小时"), (at(12, 8, 18), "3 小时")):
        h.clock.set(when)
        await h.send(MEMBER, "/service")
        await h.press(MEMBER, "学习")
        await h.send(MEMBER, "今天")
        await h.press(MEMBER, hours)
        await h.send(MEMBER, "学习党章")
        await h.press(MEMBER, "跳过")
    screen = (await h.send(MEMBER, "/service history"))[-1]
    assert screen.startswith("2026年服务时长：共 5 小时\n11月：2 小时\n12月：3 小时\n\n")
    assert "#2 学习 · 12月8日 · 3 小时\n学习党章" in screen
    assert h.buttons(MEMBER) == ["修改 #2", "撤回 #2"]  # #1 is older than 7 days

    await h.press(MEMBER, "修改 #2")
    await h.press(MEMBER, "时长")
    said = await h.send(MEMBER, "2.5")
    assert said == ["已修改 #2：\n学习 · 12月8日 · 2.5 小时 · 已修改 1 次\n学习党章"]
    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "修改 #2")
    await h.send(MEMBER, "内容")
    await h.send(MEMBER, "学习党章第一章")
    assert await rows(
        h, "SELECT hours, description FROM service_log_versions WHERE log_id = 2 ORDER BY id"
    ) == [(3.0, "学习党章"), (2.5, "学习党章")]

    # Changing one's mind at the question keeps the record and takes the buttons away.
    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "撤回 #2")
    assert h.buttons(MEMBER) == ["确定撤回", "不撤回"]
    assert await h.press(MEMBER, "不撤回") == ["好的，记录 #2 保留，未撤回。"]
    assert "确定撤回" not in h.buttons(MEMBER)
    assert await rows(h, "SELECT status FROM service_logs WHERE id = 2") == [("active",)]
    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "撤回 #2")
    assert await h.press(MEMBER, "确定撤回") == ["已撤回记录 #2。"]
    screen = (await h.send(MEMBER, "/service history"))[-1]
    assert screen.startswith("2026年服务时长：共 2 小时\n11月：2 小时\n\n")
    # Another year (in January, last year's total).
    assert (await h.send(MEMBER, "/service 记录 2025"))[-1].startswith("2025年还没有服务记录。")
    assert (await h.send(MEMBER, "/service history 2026"))[-1].startswith("2026年服务时长：共 2")
    assert await h.send(MEMBER, "/service history 2099") == [
        "年份格式如 /service history 2025（不晚于今年）。"
    ]
    assert "· 已撤回" in screen
    assert await rows(h, "SELECT id, status FROM service_logs ORDER BY id") == [
        (1, "active"),
        (2, "withdrawn"),
    ]
    # A week on, the record cannot be changed any more, even with an old button.
    h.clock.set(at(12, 16, 18))
    await h.callback(MEMBER, "svc:ed:1")
    assert h.answers()[-1] == "只能修改或撤回 7 天内记录、且未撤回的记录。"
    assert {"service.logged", "service.edited", "service.withdrawn"} <= await audit_actions(h)


async def test_make_up_only_for_approved_leave_once(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 1))
    await rule_in_place(h)
    assert await h.send(MEMBER2, "/service makeup") == [
        "没有可以补课的月份：只有请假获批的党日才能补课（每月一次）。"
    ]
    await h.press(SECRETARY, "立即发送通知")
    await h.deliver()
    await h.press(MEMBER2, "请假")
    await h.press(MEMBER2, "公务")
    await h.deliver()
    await h.press(SECRETARY, "批准")
    # Before the day there is nothing to make up yet.
    assert "补课：2026年12月" not in [*h.buttons(MEMBER2)]
    h.clock.set(at(12, 10, 18))
    said = await h.send(MEMBER2, "/service 补课")
    assert said == ["为2026年12月党日补课。请选择活动类型："]
    await h.send(MEMBER2, "学习")
    await h.send(MEMBER2, "昨天")
    await h.send(MEMBER2, "2")
    await h.send(MEMBER2, "观看党日活动录像并交流")
    await h.send(MEMBER2, "skip")
    assert await rows(
        h, "SELECT makeup_month_id IS NOT NULL, party_month_id FROM service_logs"
    ) == [(1, None)]
    assert await h.send(MEMBER2, "/service makeup") == [
        "没有可以补课的月份：只有请假获批的党日才能补课（每月一次）。"
    ]


async def test_a_restart_mid_log_and_cancel(harness: Harness) -> None:
    h = harness
    await _at_kind_step(h)
    await h.press(MEMBER, "志愿服务")
    await h.press(MEMBER, "党日 12月8日")
    await h.restart()
    await h.press(MEMBER, "4 小时")
    await h.restart()
    await h.send(MEMBER, "给留守儿童辅导功课")
    await h.send(MEMBER, "跳过")
    assert await rows(h, "SELECT kind, hours, party_month_id IS NOT NULL FROM service_logs") == [
        ("volunteer", 4.0, 1)
    ]
    await h.send(MEMBER, "/service")
    await h.press(MEMBER, "其他")
    assert await h.send(MEMBER, "/cancel") == ["已取消。"]
    assert await rows(h, "SELECT COUNT(*) FROM service_logs") == [(1,)]


async def test_an_english_speaking_member_logs_service(harness: Harness) -> None:
    h = harness
    codes = await h.branch_with_people()
    await join_in_english(h, codes["member_code"])
    h.clock.set(at(12, 8, 18))
    await rule_in_place(h)
    said = await h.send(EN_MEMBER, "/service")
    assert said == ["Log service. What kind?\n(Your hours this year: /service history)"]
    await h.send(EN_MEMBER, "pairing help")
    await h.press(EN_MEMBER, "Party day 8 Dec")
    await h.send(EN_MEMBER, "2 hours")
    await h.send(EN_MEMBER, "Tutored a struggling student")
    said = await h.press(EN_MEMBER, "Skip")
    assert said[0].startswith("Logged #1:\npairing help · 8 Dec · 2 h · party day")
    screen = (await h.send(EN_MEMBER, "/service history"))[-1]
    assert screen.startswith("Service hours in 2026: 2 h in all\nDec: 2 h")
    roster = (await h.send(SECRETARY, "/roster"))[-1]
    assert "⏱ 服务时长：共 2 小时（Lin Wei 2）" in roster


async def test_editing_next_month_the_photo_and_the_date(harness: Harness) -> None:
    """A record logged on 28 Nov, edited on 2 Dec: dates are asked in November; the photo
    is replaced or removed on purpose, never by a [跳过] meant for logging."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(11, 28, 18))
    await rule_in_place(h)
    await h.send(MEMBER, "/service")
    await h.press(MEMBER, "学习")
    await h.send(MEMBER, "今天")
    await h.send(MEMBER, "2")
    await h.send(MEMBER, "学习党章")
    await h.photo(MEMBER, "OLD_PHOTO")
    h.clock.set(at(12, 2, 9))

    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "修改 #1")
    said = await h.press(MEMBER, "日期")
    assert said == ["哪一天？这条记录属于2026年11月：请输入该月、不晚于11月28日的日期，如 11-28。"]
    assert h.buttons(MEMBER) == ["党日 11月10日", "取消"]
    assert await h.send(MEMBER, "12-1") == [
        "日期需在2026年11月内且不晚于11月28日，格式如 11-28。请重新输入。"
    ]
    said = await h.send(MEMBER, "27号")
    assert said[0].startswith("已修改 #1：\n学习 · 11月27日 · 2 小时 · 📷 · 已修改 1 次")

    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "修改 #1")
    await h.press(MEMBER, "照片")
    assert h.buttons(MEMBER) == ["删除照片", "取消"]
    assert await h.send(MEMBER, "跳过") == ["请发送一张照片；要去掉原照片，请点击“删除照片”。"]
    await h.photo(MEMBER, "NEW_PHOTO")
    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "修改 #1")
    await h.press(MEMBER, "照片")
    said = await h.press(MEMBER, "删除照片")
    assert said == ["已修改 #1：\n学习 · 11月27日 · 2 小时 · 已修改 3 次\n学习党章"]
    # The same value again keeps no version.
    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "修改 #1")
    await h.press(MEMBER, "时长")
    assert await h.press(MEMBER, "2 小时") == ["与原来相同，记录 #1 没有改动。"]
    assert await rows(h, "SELECT on_date, photo_file_id FROM service_log_versions ORDER BY id") == [
        ("2026-11-28", "OLD_PHOTO"),
        ("2026-11-27", "OLD_PHOTO"),
        ("2026-11-27", "NEW_PHOTO"),
    ]


async def test_a_month_end_party_day_is_logged_the_next_morning(harness: Harness) -> None:
    """The 31st rule puts November's day on the 30th: its service may still be logged in
    the first week of December, linked to that day and counted in November."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(11, 20))
    await rule_in_place(h, "31号")
    h.clock.set(at(12, 1, 8))
    await h.send(MEMBER, "/service")
    await h.press(MEMBER, "志愿服务")
    assert h.buttons(MEMBER) == ["党日 11月30日", "今天 12月1日", "取消"]
    await h.press(MEMBER, "党日 11月30日")
    await h.press(MEMBER, "3 小时")
    await h.send(MEMBER, "社区义务家教")
    said = await h.send(MEMBER, "跳过")
    assert said[0].startswith("已记录 #1：\n志愿服务 · 11月30日 · 3 小时 · 党日")
    roster = (await h.send(SECRETARY, "/roster 2026-11"))[-1]
    assert "⏱ 服务时长：共 3 小时（王老师 3）" in roster
    # It stays editable like any record.
    await h.send(MEMBER, "/service history")
    await h.press(MEMBER, "修改 #1")
    await h.press(MEMBER, "时长")
    assert (await h.send(MEMBER, "2.5"))[0].startswith("已修改 #1：\n志愿服务 · 11月30日 · 2.5")
    # A week on, and for any other day of November, it is too late.
    h.clock.set(at(12, 8, 8))
    await h.send(MEMBER2, "/service")
    await h.press(MEMBER2, "志愿服务")
    assert "党日 11月30日" not in h.buttons(MEMBER2)
    bad = "日期需在本月内且不晚于今天，格式如 12-08。请重新输入。"
    assert await h.send(MEMBER2, "11-30") == [bad]
    h.clock.set(at(12, 2, 8))
    await h.send(MEMBER2, "/service")
    await h.press(MEMBER2, "志愿服务")
    assert await h.send(MEMBER2, "11-29") == [bad.replace("12-08", "12-02")]
    assert await h.send(MEMBER2, "11-30") == ["服务了多长时间？（0.5–12 小时，按半小时计）"]
    assert await rows(h, "SELECT on_date, party_month_id IS NOT NULL FROM service_logs") == [
        ("2026-11-30", 1)
    ]


async def test_a_busy_week_of_long_records_fits_one_history_message(harness: Harness) -> None:
    """25 records of 500 characters in a week: each is listed by its first words, the 20
    newest with buttons; the message stays under Telegram's 4096 characters."""
    h = harness
    await h.branch_with_people()
    h.clock.set(at(12, 8, 18))
    await rule_in_place(h)
    async with h.db.read() as conn:
        member = await members.get_active_by_telegram(conn, MEMBER.id)
    assert member is not None
    async with h.db.transaction() as tx:
        for n in range(25):
            await service.log(
                tx,
                member_id=member.id,
                branch_id=1,
                entry=ServiceEntry(
                    kind=ServiceKind.STUDY,
                    on_date=date(2026, 12, 8),
                    hours=0.5,
                    description=f"第{n:02d}次" + "读" * 496,
                    logged_on=date(2026, 12, 8),
                ),
                party_month_id=None,
                makeup_month_id=None,
                now=h.clock.now(),
            )
    said = await h.send(MEMBER, "/service history")
    assert len(said) == 1 and len(said[0]) < 4096
    assert "#25 学习 · 12月8日 · 0.5 小时\n第24次" + "读" * 55 + "…" in said[0]
    assert said[0].endswith("……另有 5 条较早的记录未列出。")
    assert len(h.buttons(MEMBER)) == 40


async def test_a_record_begun_before_midnight_on_the_months_last_day_is_kept(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(at(11, 30, 23, 50))
    await h.send(MEMBER, "/service")
    await h.press(MEMBER, "志愿服务")
    await h.press(MEMBER, "今天 11月30日")
    await h.press(MEMBER, "2 小时")
    await h.send(MEMBER, "整理社区图书角")
    h.clock.set(at(12, 1, 0, 5))
    said = await h.press(MEMBER, "跳过")
    assert said[0].startswith("已记录 #1：\n志愿服务 · 11月30日 · 2 小时")
    assert await rows(h, "SELECT on_date, logged_on FROM service_logs") == [
        ("2026-11-30", "2026-11-30")
    ]


async def test_service_reads_dates_and_skip_words_as_every_feature_does(harness: Harness) -> None:
    """Unified with pledges and visits (issue 9): 前天 is a date here too, and 不填 skips
    the photo like the other skip words."""
    h = harness
    await _at_kind_step(h)
    await h.send(MEMBER, "社区清洁")
    assert (await h.send(MEMBER, "前天"))[-1].startswith("服务了多长时间？")
    await h.send(MEMBER, "1")
    await h.send(MEMBER, "清理小区楼道小广告")
    said = await h.send(MEMBER, "不填")
    assert said[0].startswith("已记录 #1：\n社区清洁 · 12月6日 · 1 小时")
    assert await rows(h, "SELECT on_date, photo_file_id FROM service_logs") == [
        ("2026-12-06", None)
    ]
