"""The working calendar with 调休: published years from the library, the bureau's
overrides through /holidays, working-day counts, reminders held on holidays, the weekly
notice when next year is unknown, and the doctor's calendar line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.calendar_watch import MISSING_KIND, warn_missing_year
from bot.doctor import Checkup, Status, check_calendar
from bot.settings import Settings
from handlers.common.services import SERVICES_KEY
from schedules.quiet import QuietHours
from storage import Database, calendar
from storage.calendar import DayKind, Override, Source
from storage.partyday_rules import DayRule, RuleKind, dates_for
from tests.conftest import ADMIN, SECRETARY, ZONE, Harness

# 2025 as the State Council published it: the 2025-09-28 (Sunday) and 2025-10-11
# (Saturday) make-up working days around the National Day and Mid-Autumn break.
MAKE_UP_2025 = [date(2025, 1, 26), date(2025, 2, 8), date(2025, 9, 28), date(2025, 10, 11)]
GOLDEN_WEEK_2025 = [date(2025, 10, 1) + timedelta(days=n) for n in range(8)]


# --------------------------------------------------------------------------- lookups


def test_a_published_year_knows_its_make_up_working_days() -> None:
    assert calendar.year_source(2025) is Source.LIBRARY
    for day in MAKE_UP_2025:
        assert day.weekday() >= 5 and calendar.is_working_day(day), day
        assert not calendar.is_holiday(day)
    for day in GOLDEN_WEEK_2025:
        assert calendar.is_holiday(day) and not calendar.is_working_day(day), day
    assert not calendar.is_working_day(date(2025, 10, 12))  # a plain Sunday
    assert not calendar.is_holiday(date(2025, 10, 12))  # ... but no public holiday
    assert calendar.holiday_name(date(2025, 10, 8), "zh") is not None
    assert calendar.holiday_name(date(2025, 10, 1), "en") == "National Day"


def test_working_day_counts_skip_holidays_and_count_make_up_days() -> None:
    # A 5-working-day notice posted on Friday 2025-09-26: Sunday the 28th counts, the
    # Golden Week does not: 28, 29, 30, then 9 and 10 October.
    assert calendar.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    # An ordinary week: Friday + 5 is the next Friday.
    assert calendar.add_working_days(date(2025, 11, 14), 5) == date(2025, 11, 21)
    assert calendar.add_working_days(date(2025, 11, 14), 0) == date(2025, 11, 14)
    assert calendar.next_working_day(date(2025, 10, 1)) == date(2025, 10, 9)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2025, 11, 14), -1)


def test_party_days_follow_the_make_up_days() -> None:
    # The 28th of September 2025 is a Sunday but a working day: the party day stays.
    assert dates_for(DayRule(kind=RuleKind.DAY, day=28), 2025, 9) == date(2025, 9, 28)
    # The 1st of October moves past the whole Golden Week.
    assert dates_for(DayRule(kind=RuleKind.DAY, day=1), 2025, 10) == date(2025, 10, 9)


def test_overrides_win_over_the_libraries_and_make_a_year_known() -> None:
    assert calendar.year_source(2030) is Source.ESTIMATE
    assert not calendar.is_working_day(date(2030, 9, 29))  # a Sunday
    calendar.use_overrides(
        [
            Override(date(2030, 9, 29), DayKind.WORKDAY),
            Override(date(2030, 9, 30), DayKind.HOLIDAY, "国庆调休"),
        ]
    )
    assert calendar.year_source(2030) is Source.OVERRIDES
    assert calendar.is_working_day(date(2030, 9, 29))
    assert calendar.is_holiday(date(2030, 9, 30))
    assert calendar.holiday_name(date(2030, 9, 30), "zh") == "国庆调休"
    assert dates_for(DayRule(kind=RuleKind.DAY, day=29), 2030, 9) == date(2030, 9, 29)


# --------------------------------------------------------------------------- reminders


def test_reminders_wait_out_a_public_holiday_for_the_next_working_day() -> None:
    held = QuietHours(time(21), time(8), hold_on_holidays=True)
    on_holiday = datetime(2025, 10, 2, 10, 0, tzinfo=ZONE)
    assert held.release(on_holiday, ZONE) == datetime(2025, 10, 9, 8, 0, tzinfo=ZONE)
    # The evening before the break: the quiet hours end on a holiday, so it waits too.
    eve = datetime(2025, 9, 30, 22, 0, tzinfo=ZONE)
    assert held.release(eve, ZONE) == datetime(2025, 10, 9, 8, 0, tzinfo=ZONE)
    # A plain Saturday and a working day are not held; nor anything with the setting off.
    saturday = datetime(2025, 11, 15, 10, 0, tzinfo=ZONE)
    assert held.release(saturday, ZONE) == saturday
    assert QuietHours(time(21), time(8)).release(on_holiday, ZONE) == on_holiday


async def test_the_reminder_engine_holds_on_holidays_by_default(harness: Harness) -> None:
    services = harness.app.bot_data[SERVICES_KEY]
    assert services.config.hold_on_holidays
    assert services.reminders.quiet.hold_on_holidays
    assert Settings(
        bot_token="1:x"
    ).hold_on_holidays  # XIANFENG_HOLD_ON_HOLIDAYS=false turns it off


# --------------------------------------------------------------------------- /holidays


async def test_an_admin_adds_and_removes_a_make_up_working_day(harness: Harness) -> None:
    await harness.branch_with_people()
    shown = await harness.send(ADMIN, "/holidays 2030")
    assert "2030" in shown[-1] and "尚未发布" in shown[-1]

    asked = await harness.send(ADMIN, "/holidays add 2030-09-29 上班")
    assert "2030-09-29（星期日）设为上班" in asked[-1]
    assert harness.buttons(ADMIN) == ["确认", "取消"]
    assert not calendar.is_working_day(date(2030, 9, 29))  # nothing before confirming
    done = await harness.callback(ADMIN, "hol:ok:20300929:workday")
    assert "已录入：2030-09-29 上班" in done[-1]
    async with (
        harness.db.read() as conn,
        conn.execute("SELECT day, kind, set_by FROM calendar_overrides") as cur,
    ):
        rows = [tuple(r) for r in await cur.fetchall()]
    assert len(rows) == 1 and rows[0][:2] == ("2030-09-29", "workday")
    assert calendar.is_working_day(date(2030, 9, 29))
    assert "局里录入" in (await harness.send(ADMIN, "/holidays 2030"))[-1]

    # A restart reads the overrides back from the database.
    calendar.use_overrides([])
    await harness.stop()
    await harness.start()
    assert calendar.is_working_day(date(2030, 9, 29))

    asked = await harness.send(ADMIN, "/holidays remove 2030-09-29")
    assert "确认删除 2030-09-29" in asked[-1]
    await harness.callback(ADMIN, "hol:ok:20300929:remove")
    assert not calendar.is_working_day(date(2030, 9, 29))
    async with (
        harness.db.read() as conn,
        conn.execute("SELECT count(*) FROM calendar_overrides") as cur,
    ):
        assert (await cur.fetchone())[0] == 0


async def test_cancel_and_bad_input_change_nothing(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(ADMIN, "/holidays add 2030-10-08 放假")
    cancelled = await harness.callback(ADMIN, "hol:no:20301008")
    assert "已取消" in cancelled[-1]
    assert not calendar.is_holiday(date(2030, 10, 8))
    for bad in (
        "/holidays add 2030-02-30 放假",
        "/holidays add 2030-10-08 maybe",
        "/holidays add tomorrow 放假",
        "/holidays frobnicate",
    ):
        answer = await harness.send(ADMIN, bad)
        assert "没看懂" in answer[-1] and "/holidays add" in answer[-1], bad
    nothing = await harness.send(ADMIN, "/holidays remove 2030-10-08")
    assert "没有局里录入的更正" in nothing[-1]
    assert harness.buttons(ADMIN) == []  # no confirmation was offered
    async with (
        harness.db.read() as conn,
        conn.execute("SELECT count(*) FROM calendar_overrides") as cur,
    ):
        assert (await cur.fetchone())[0] == 0


# --------------------------------------------------------------------------- weekly notice


async def _notices(harness: Harness) -> list[tuple[int, str]]:
    async with (
        harness.db.read() as conn,
        conn.execute(
            "SELECT chat_id, text FROM outbox WHERE kind = ? ORDER BY id", (MISSING_KIND,)
        ) as cur,
    ):
        return [(int(r[0]), str(r[1])) for r in await cur.fetchall()]


async def test_admins_are_told_weekly_from_november_when_next_year_is_unknown(
    harness: Harness,
) -> None:
    await harness.branch_with_people()
    services = harness.app.bot_data[SERVICES_KEY]
    harness.clock.set(datetime(2030, 10, 20, 10, 0, tzinfo=ZONE))
    assert await warn_missing_year(services) is None  # October: not yet
    harness.clock.set(datetime(2030, 11, 4, 10, 0, tzinfo=ZONE))  # a Monday
    assert await warn_missing_year(services) == 2031
    notices = await _notices(harness)
    assert [chat for chat, _ in notices] == [ADMIN.id]
    assert "2031" in notices[0][1] and "/holidays" in notices[0][1]
    harness.clock.set(datetime(2030, 11, 8, 10, 0, tzinfo=ZONE))  # same week: once
    await warn_missing_year(services)
    assert len(await _notices(harness)) == 1
    harness.clock.set(datetime(2030, 11, 11, 10, 0, tzinfo=ZONE))  # the next week: again
    await warn_missing_year(services)
    assert len(await _notices(harness)) == 2
    await harness.deliver()
    assert any("2031" in text for text in harness.tg.texts(ADMIN.id))
    assert not any("2031" in text for text in harness.tg.texts(SECRETARY.id))
    # Once the bureau has entered 2031, the notices stop.
    calendar.use_overrides([Override(date(2031, 1, 1), DayKind.HOLIDAY)])
    harness.clock.set(datetime(2030, 11, 18, 10, 0, tzinfo=ZONE))
    assert await warn_missing_year(services) is None
    assert len(await _notices(harness)) == 2


# --------------------------------------------------------------------------- doctor


def _settings(path: Path) -> Settings:
    return Settings(bot_token="1:x", database=path)


async def test_doctor_names_a_missing_next_year_from_november(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    db = Database(path)
    await db.open()
    await db.close()
    november = Checkup(_settings(path), now=lambda: datetime(2030, 11, 2, 2, 0, tzinfo=UTC))
    found = await check_calendar(november)
    assert [f.status for f in found] == [Status.PROBLEM, Status.PROBLEM]
    assert "2031" in found[1].detail and "/holidays" in found[1].fix

    june = Checkup(_settings(path), now=lambda: datetime(2026, 6, 2, 2, 0, tzinfo=UTC))
    found = await check_calendar(june)
    assert [f.status for f in found] == [Status.OK, Status.OK]
    assert "chinesecalendar" in found[0].detail and "November" in found[1].detail

    db = Database(path)
    await db.open()
    async with db.transaction() as tx:
        for year in (2030, 2031):
            override = Override(date(year, 1, 1), DayKind.HOLIDAY)
            await calendar.set_override(tx, override, set_by=1, now=datetime.now(UTC))
    await db.close()
    calendar.use_overrides([])
    found = await check_calendar(november)
    assert [f.status for f in found] == [Status.OK, Status.OK]
    assert "overrides" in found[1].detail
