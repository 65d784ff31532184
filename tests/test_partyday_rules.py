"""The party-day calendar: rules, short months, holidays and make-up working days; typed
answers; and the storage queries the reminder engine uses."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from handlers.partyday import parse
from storage import Database, branches, members, partyday, service
from storage.members import Role
from storage.partyday import Answer, LeaveReason
from storage.partyday_rules import (
    DayRule,
    RuleKind,
    dates_for,
    holiday_name,
    is_holiday,
    is_working_day,
    next_dates,
    nominal_date,
    plan,
)
from storage.service import ServiceEntry, ServiceKind

DAY_15 = DayRule(kind=RuleKind.DAY, day=15)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)

rules = st.one_of(
    st.builds(DayRule, kind=st.just(RuleKind.DAY), day=st.integers(1, 31)),
    st.builds(
        DayRule, kind=st.just(RuleKind.NTH), nth=st.integers(1, 4), weekday=st.integers(0, 6)
    ),
    st.builds(DayRule, kind=st.just(RuleKind.LAST), weekday=st.integers(0, 6)),
)
months = st.tuples(st.integers(2020, 2030), st.integers(1, 12))


# --------------------------------------------------------------------------- rules


def test_the_31st_is_the_last_day_of_a_30_day_month() -> None:
    rule = DayRule(kind=RuleKind.DAY, day=31)
    assert nominal_date(rule, 2026, 11) == date(2026, 11, 30)
    assert dates_for(rule, 2026, 11) == date(2026, 11, 30)  # a Monday: no shift


def test_february_takes_its_last_day_and_knows_make_up_working_days() -> None:
    rule = DayRule(kind=RuleKind.DAY, day=30)
    # 2026-02-28 is a Saturday, but an official make-up working day (调休上班): kept.
    assert dates_for(rule, 2026, 2) == date(2026, 2, 28)
    assert is_working_day(date(2026, 2, 28))
    # 2027-02-28 is a Sunday: the next working day is in March, so the Friday before.
    assert nominal_date(rule, 2027, 2) == date(2027, 2, 28)
    assert dates_for(rule, 2027, 2) == date(2027, 2, 26)
    # A leap year has a 29th.
    assert dates_for(DayRule(kind=RuleKind.DAY, day=29), 2028, 2) == date(2028, 2, 29)


def test_public_holidays_move_to_the_next_working_day() -> None:
    first = DayRule(kind=RuleKind.DAY, day=1)
    national_day = plan(first, 2026, 10)
    assert national_day.nominal == date(2026, 10, 1)
    assert national_day.date == date(2026, 10, 8)  # the Golden Week runs to 10-07
    assert holiday_name(date(2026, 10, 1), "zh") == "国庆节"
    assert holiday_name(date(2026, 10, 1), "en") == "National Day"
    new_year = plan(first, 2027, 1)
    assert (new_year.nominal, new_year.date) == (date(2027, 1, 1), date(2027, 1, 4))


def test_a_weekday_rule_moves_off_a_holiday_but_keeps_a_chosen_weekend() -> None:
    # The last Friday of September 2026 is the Mid-Autumn Festival.
    last_friday = DayRule(kind=RuleKind.LAST, weekday=4)
    assert plan(last_friday, 2026, 9).nominal == date(2026, 9, 25)
    assert dates_for(last_friday, 2026, 9) == date(2026, 9, 28)
    # A rule that asks for Saturdays keeps them.
    first_saturday = DayRule(kind=RuleKind.NTH, nth=1, weekday=5)
    assert dates_for(first_saturday, 2026, 11) == date(2026, 11, 7)


def test_a_day_rule_on_a_weekend_moves_to_monday() -> None:
    assert dates_for(DAY_15, 2026, 11) == date(2026, 11, 16)  # the 15th is a Sunday


def test_a_day_at_the_end_of_the_month_stays_in_the_month() -> None:
    # 2027-01-31 is a Sunday and Monday is in February: the Friday before instead.
    assert dates_for(DayRule(kind=RuleKind.DAY, day=31), 2027, 1) == date(2027, 1, 29)
    # 2020-01-31, the last Friday, was a Spring Festival holiday running into February.
    assert dates_for(DayRule(kind=RuleKind.LAST, weekday=4), 2020, 1) == date(2020, 1, 23)


def test_next_three_dates() -> None:
    assert next_dates(DAY_15, date(2026, 11, 28)) == [
        date(2026, 12, 15),
        date(2027, 1, 15),
        date(2027, 2, 15),
    ]
    second_tuesday = DayRule(kind=RuleKind.NTH, nth=2, weekday=1)
    assert next_dates(second_tuesday, date(2026, 12, 8), n=1) == [date(2026, 12, 8)]


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "day"},
        {"kind": "day", "day": 0},
        {"kind": "day", "day": 32},
        {"kind": "day", "day": 5, "weekday": 1},
        {"kind": "nth", "nth": 5, "weekday": 1},
        {"kind": "nth", "weekday": 1},
        {"kind": "last", "weekday": 7},
        {"kind": "last", "nth": 1, "weekday": 1},
    ],
)
def test_inconsistent_rules_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DayRule.model_validate(fields)


@settings(max_examples=300, deadline=None)
@given(rule=rules, month=months)
def test_every_rule_gives_one_day_in_its_month(rule: DayRule, month: tuple[int, int]) -> None:
    year, number = month
    planned = plan(rule, year, number)
    assert (planned.date.year, planned.date.month) == (year, number)
    nominal = planned.nominal
    last = calendar.monthrange(year, number)[1]
    if rule.kind is RuleKind.DAY:
        assert nominal.day == min(rule.day or 0, last)
        assert is_working_day(planned.date)
    else:
        assert nominal.weekday() == rule.weekday
        if rule.kind is RuleKind.NTH:
            assert (nominal.day - 1) // 7 == (rule.nth or 0) - 1
        else:
            assert (nominal + timedelta(days=7)).month != number
        assert not is_holiday(planned.date)
    if not planned.shifted:
        assert not is_holiday(nominal)


@settings(max_examples=100, deadline=None)
@given(rule=rules, start=st.dates(date(2020, 1, 1), date(2030, 6, 30)))
def test_next_dates_are_increasing_and_not_before_start(rule: DayRule, start: date) -> None:
    dates = next_dates(rule, start, n=3)
    assert len(dates) == 3
    assert start <= dates[0] < dates[1] < dates[2]
    assert len({(d.year, d.month) for d in dates}) == 3


# --------------------------------------------------------------------------- typed input


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15", DayRule(kind=RuleKind.DAY, day=15)),
        ("每月15日", DayRule(kind=RuleKind.DAY, day=15)),
        ("３１号", DayRule(kind=RuleKind.DAY, day=31)),
        ("第2个星期二", DayRule(kind=RuleKind.NTH, nth=2, weekday=1)),
        ("第二个周二", DayRule(kind=RuleKind.NTH, nth=2, weekday=1)),
        ("最后一个星期五", DayRule(kind=RuleKind.LAST, weekday=4)),
        ("2nd Tuesday", DayRule(kind=RuleKind.NTH, nth=2, weekday=1)),
        ("last fri", DayRule(kind=RuleKind.LAST, weekday=4)),
        ("32", None),
        ("第5个周二", None),
        ("随便", None),
    ],
)
def test_typed_rules(typed: str, expected: DayRule | None) -> None:
    assert parse.rule(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", time(14, 30)),
        ("14：30", time(14, 30)),
        ("1430", time(14, 30)),
        ("14点半", time(14, 30)),
        ("下午2点半", time(14, 30)),
        ("2:30 pm", time(14, 30)),
        ("25:00", None),
        ("午饭后", None),
    ],
)
def test_typed_times(typed: str, expected: time | None) -> None:
    assert parse.start_time(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.5", 1.5),
        ("1,5", 1.5),
        ("2h", 2.0),
        ("半小时", 0.5),
        ("1个半小时", 1.5),
        ("两小时", 2.0),
        ("三个小时", 3.0),
        ("两个半小时", 2.5),
        ("一个半钟头", 1.5),
        ("十二小时", 12.0),
        ("十三小时", None),
        ("两天", None),
        ("two", None),
    ],
)
def test_typed_hours(typed: str, expected: float | None) -> None:
    assert parse.hours(typed) == expected


# --------------------------------------------------------------------------- service model


@pytest.mark.parametrize("hours", [0, 0.25, 1.3, 12.5, 13, -1])
def test_hours_outside_half_hours_from_half_to_twelve_are_refused(hours: float) -> None:
    with pytest.raises(ValidationError):
        _entry(hours=hours)


@pytest.mark.parametrize("hours", [0.5, 1, 1.5, 11.5, 12])
def test_hours_in_half_hours_are_accepted(hours: float) -> None:
    assert _entry(hours=hours).hours == hours


def test_service_date_and_description_invariants() -> None:
    with pytest.raises(ValidationError):
        _entry(on_date=date(2026, 12, 9))  # after the day it was logged
    with pytest.raises(ValidationError):
        _entry(on_date=date(2026, 11, 30))  # another month
    with pytest.raises(ValidationError):
        _entry(description="字" * 501)
    with pytest.raises(ValidationError):
        _entry(description="   ")
    assert _entry(description="字" * 500).description == "字" * 500


def test_last_months_party_day_may_be_logged_for_a_week() -> None:
    nov_30 = date(2026, 11, 30)
    next_morning = date(2026, 12, 1)
    assert _entry(on_date=nov_30, party_day=nov_30, logged_on=next_morning).on_date == nov_30
    assert _entry(on_date=nov_30, party_day=nov_30, logged_on=date(2026, 12, 7))
    with pytest.raises(ValidationError):
        _entry(on_date=nov_30, party_day=nov_30, logged_on=date(2026, 12, 8))
    with pytest.raises(ValidationError):
        _entry(on_date=date(2026, 11, 29), party_day=nov_30, logged_on=next_morning)


def _entry(**changes: object) -> ServiceEntry:
    fields: dict[str, object] = {
        "kind": ServiceKind.VOLUNTEER,
        "on_date": date(2026, 12, 8),
        "hours": 2,
        "description": "社区义务辅导",
        "logged_on": date(2026, 12, 8),
    }
    return ServiceEntry.model_validate({**fields, **changes})


# --------------------------------------------------------------------------- queries


async def _branch_with_rule(db: Database, rule: DayRule) -> tuple[int, int, int]:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=NOW)
        secretary = await members.create(
            tx, telegram_id=1, name="李红梅", role=Role.SECRETARY, branch_id=branch.id, now=NOW
        )
        member = await members.create(
            tx, telegram_id=2, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
        await partyday.set_rule(
            tx,
            branch_id=branch.id,
            rule=rule,
            start_time=time(14, 30),
            place="会议室",
            actor_id=secretary.id,
            now=NOW,
        )
    return branch.id, secretary.id, member.id


async def test_party_days_between_combines_rule_move_and_cancellation(db: Database) -> None:
    branch_id, secretary_id, _ = await _branch_with_rule(db, DAY_15)
    async with db.transaction() as tx:
        await partyday.change_day(
            tx,
            branch_id=branch_id,
            year=2027,
            month=1,
            to=date(2027, 1, 20),
            reason="期末考试",
            actor_id=secretary_id,
            now=NOW,
        )
        await partyday.change_day(
            tx,
            branch_id=branch_id,
            year=2027,
            month=2,
            to=None,
            reason="寒假",
            actor_id=secretary_id,
            now=NOW,
        )
    async with db.read() as conn:
        days = await partyday.party_days_between(conn, date(2026, 12, 1), date(2027, 3, 31))
        one = await partyday.party_days_between(conn, date(2026, 12, 15), date(2026, 12, 15))
        none = await partyday.party_days_between(conn, date(2026, 12, 16), date(2026, 12, 31))
    assert [d.date for d in days] == [date(2026, 12, 15), date(2027, 1, 20), date(2027, 3, 15)]
    assert days[1].reason == "期末考试" and days[1].status.value == "moved"
    assert [d.branch_id for d in one] == [branch_id] and none == []


async def test_members_without_reply(db: Database) -> None:
    branch_id, secretary_id, member_id = await _branch_with_rule(db, DAY_15)
    async with db.transaction() as tx:
        row = await partyday.ensure_month(tx, branch_id, 2026, 12, now=NOW)
        await partyday.set_reply(
            tx,
            month_id=row.id,
            member_id=member_id,
            answer=Answer.LEAVE,
            reason_kind=LeaveReason.ILLNESS,
            now=NOW,
        )
    async with db.read() as conn:
        silent = await partyday.members_without_reply(conn, branch_id, date(2026, 12, 15))
        silent_january = await partyday.members_without_reply(conn, branch_id, date(2027, 1, 15))
    assert [m.id for m in silent] == [secretary_id]
    assert {m.id for m in silent_january} == {secretary_id, member_id}


async def test_service_records_are_never_deleted(db: Database) -> None:
    branch_id, _, member_id = await _branch_with_rule(db, DAY_15)
    async with db.transaction() as tx:
        record = await service.log(
            tx,
            member_id=member_id,
            branch_id=branch_id,
            entry=_entry(),
            party_month_id=None,
            makeup_month_id=None,
            now=NOW,
        )
    with pytest.raises(Exception, match="never deleted"):
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM service_logs WHERE id = ?", (record.id,))
