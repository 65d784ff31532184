"""What is due when: ``schedules.due`` as plain calls with a database and a moment.

One branch (a secretary, two members) created on 2026-11-01; its party day is the 10th at
14:30 (2026-12-10 is a Thursday, no holiday shift). Times are Asia/Shanghai unless a test
says otherwise.

Every test runs twice: reading everything at each call, and with reads kept between
calls as the engine keeps them (``schedules.kept``), which must answer the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.due import DuePlan, SkipReason, due, lost_to_quiet_hours, monthly_at
from schedules.kept import KeptReads
from schedules.kinds import Kind
from schedules.quiet import QuietHours, at_local
from storage import branches, members, outbox, partyday, pioneers, pledges, reminders
from storage.database import Database
from storage.members import Member, Role
from storage.partyday import Answer, LeaveReason
from storage.partyday_rules import DayRule, RuleKind
from storage.pioneer_rules import Windows
from storage.pledges import Category, Period
from storage.reminders import BranchRules

ZONE = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours()


@dataclass
class Keeping:
    on: bool = False
    reads: KeptReads | None = None

    def of(self, db: Database) -> KeptReads | None:
        if not self.on:
            return None
        if self.reads is None or self.reads.db is not db:
            self.reads = KeptReads(db)
        return self.reads


KEEPING = Keeping()


@pytest.fixture(autouse=True, params=["read each time", "reads kept"])
def keeping(request: pytest.FixtureRequest) -> Keeping:
    KEEPING.on, KEEPING.reads = request.param == "reads kept", None
    return KEEPING


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Branch:
    id: int
    secretary: Member
    member: Member
    member2: Member

    @property
    def people(self) -> list[Member]:
        return [self.secretary, self.member, self.member2]


@pytest.fixture
async def branch(db: Database) -> Branch:
    created = at(2026, 11, 1, 8)
    async with db.transaction() as tx:
        b = await branches.create(tx, "第一中学党支部", now=created)
        made = [
            await members.create(
                tx, telegram_id=tg, name=name, role=role, branch_id=b.id, now=created
            )
            for tg, name, role in (
                (2001, "李红梅", Role.SECRETARY),
                (3001, "王老师", Role.MEMBER),
                (3002, "张老师", Role.MEMBER),
            )
        ]
    return Branch(b.id, *made)


async def party_day_rule(
    db: Database, b: Branch, *, day: int = 10, when: datetime | None = None
) -> None:
    async with db.transaction() as tx:
        await partyday.set_rule(
            tx,
            branch_id=b.id,
            rule=DayRule(kind=RuleKind.DAY, day=day),
            start_time=time(14, 30),
            place="三楼会议室",
            actor_id=b.secretary.id,
            now=when or at(2026, 11, 2),
        )


async def ask(
    db: Database,
    now: datetime,
    since: datetime | None = None,
    *,
    zone: ZoneInfo = ZONE,
    quiet: QuietHours = QUIET,
) -> DuePlan:
    async with db.read() as conn:
        return await due(
            conn,
            now=now.astimezone(UTC),
            since=None if since is None else since.astimezone(UTC),
            zone=zone,
            quiet=quiet,
            kept=KEEPING.of(db),
        )


def of(plan: DuePlan, kind: Kind) -> list[tuple[int, str]]:
    return sorted((r.member_id, r.dedupe_key) for r in plan.reminders if r.kind is kind)


def skipped(plan: DuePlan, kind: Kind) -> list[tuple[int, str]]:
    return sorted((s.member_id, s.reason) for s in plan.skipped if s.kind is kind)


async def set_rule(db: Database, b: Branch, name: str, value: str) -> None:
    async with db.transaction() as tx:
        await reminders.set_rule(
            tx,
            branch_id=b.id,
            name=name,
            value=reminders.parse_rule(name, value),
            actor_id=b.secretary.id,
            now=at(2026, 11, 2),
        )


async def queue(db: Database, key: str) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(
            tx,
            chat_id=1,
            member_id=None,
            kind="test",
            text="x",
            buttons=None,
            dedupe_key=key,
            not_before=at(2026, 1, 1),
            now=at(2026, 1, 1),
        )


# --------------------------------------------------------------------------- monthly moments


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 11, date(2026, 11, 30)),  # the 31st in a 30-day month
        (2026, 12, date(2026, 12, 31)),
        (2027, 2, date(2027, 2, 28)),  # February
        (2028, 2, date(2028, 2, 29)),  # February in a leap year
    ],
)
def test_a_monthly_day_past_the_month_end_is_its_last_day(
    year: int, month: int, expected: date
) -> None:
    rules = BranchRules(monthly_day=31, monthly_time=time(10, 0))
    assert monthly_at(year, month, rules, ZONE) == at_local(expected, time(10, 0), ZONE)


# --------------------------------------------------------------------------- party day


async def test_announcement_goes_to_everyone_three_days_before_at_nine(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    assert of(await ask(db, at(2026, 12, 7, 8, 59)), Kind.PARTYDAY_ANNOUNCE) == []
    plan = await ask(db, at(2026, 12, 7, 9, 0))
    assert of(plan, Kind.PARTYDAY_ANNOUNCE) == [
        (p.id, f"partyday:{branch.id}:2026-12-10:announce:{p.id}") for p in branch.people
    ]
    first = next(r for r in plan.reminders if r.kind is Kind.PARTYDAY_ANNOUNCE)
    assert first.not_before == at(2026, 12, 7, 9, 0)
    assert first.expires_at == at(2026, 12, 10)
    assert first.payload["variant"] == "announcement"


async def test_a_branch_can_move_the_announcement(db: Database, branch: Branch) -> None:
    await party_day_rule(db, branch)
    await set_rule(db, branch, "announce_days", "5")
    await set_rule(db, branch, "announce_time", "16：30")  # a full-width colon, as phones type
    assert of(await ask(db, at(2026, 12, 5, 16, 29)), Kind.PARTYDAY_ANNOUNCE) == []
    assert len(of(await ask(db, at(2026, 12, 5, 16, 30)), Kind.PARTYDAY_ANNOUNCE)) == 3


async def test_a_party_day_set_after_its_announcement_time_is_announced_at_once(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch, when=at(2026, 12, 8, 15, 0))
    plan = await ask(db, at(2026, 12, 8, 15, 1), since=at(2026, 12, 8, 15, 0))
    assert len(of(plan, Kind.PARTYDAY_ANNOUNCE)) == 3


async def test_announced_by_hand_earlier_reminds_only_those_without_an_answer(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    async with db.transaction() as tx:
        day = await partyday.party_day(tx, branch.id, 2026, 12)
        assert day is not None
        pinned = await partyday.pin(tx, day, actor_id=branch.secretary.id, now=at(2026, 12, 1))
        assert pinned.month_id is not None
        await partyday.set_reply(
            tx,
            month_id=pinned.month_id,
            member_id=branch.member.id,
            answer=Answer.ATTEND,
            now=at(2026, 12, 2),
        )
    plan = await ask(db, at(2026, 12, 7, 9, 0))
    assert of(plan, Kind.PARTYDAY_ANNOUNCE) == [
        (p.id, f"partyday:{branch.id}:2026-12-10:before:{p.id}")
        for p in (branch.secretary, branch.member2)
    ]
    variants = {r.payload["variant"] for r in plan.reminders if r.kind is Kind.PARTYDAY_ANNOUNCE}
    assert variants == {"reminder"}


async def test_morning_reminder_skips_approved_leave(db: Database, branch: Branch) -> None:
    await party_day_rule(db, branch)
    async with db.transaction() as tx:
        month = await partyday.ensure_month(tx, branch.id, 2026, 12, now=at(2026, 12, 1))
        reply = await partyday.set_reply(
            tx,
            month_id=month.id,
            member_id=branch.member2.id,
            answer=Answer.LEAVE,
            reason_kind=LeaveReason.TEACHING,
            now=at(2026, 12, 8),
        )
        await partyday.decide_leave(
            tx, reply, approve=True, actor_id=branch.secretary.id, now=at(2026, 12, 8)
        )
    plan = await ask(db, at(2026, 12, 10, 8, 0))
    assert of(plan, Kind.PARTYDAY_MORNING) == [
        (p.id, f"partyday:{branch.id}:2026-12-10:morning:{p.id}")
        for p in (branch.secretary, branch.member)
    ]


async def test_a_morning_time_inside_quiet_hours_waits_for_their_end(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    await set_rule(db, branch, "morning_time", "07:30")
    plan = await ask(db, at(2026, 12, 10, 7, 30))
    reminder = next(r for r in plan.reminders if r.kind is Kind.PARTYDAY_MORNING)
    assert reminder.due_at == at(2026, 12, 10, 7, 30)
    assert reminder.not_before == at(2026, 12, 10, 8, 0)


async def test_a_cancelled_party_day_has_no_reminders(db: Database, branch: Branch) -> None:
    await party_day_rule(db, branch)
    async with db.transaction() as tx:
        await partyday.change_day(
            tx,
            branch_id=branch.id,
            year=2026,
            month=12,
            to=None,
            reason="上级检查",
            actor_id=branch.secretary.id,
            now=at(2026, 12, 1),
        )
    assert of(await ask(db, at(2026, 12, 7, 9)), Kind.PARTYDAY_ANNOUNCE) == []
    assert of(await ask(db, at(2026, 12, 10, 9)), Kind.PARTYDAY_MORNING) == []


# --------------------------------------------------------------------------- catch-up


async def test_after_downtime_the_announcement_is_replaced_by_the_morning_reminder(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    plan = await ask(db, at(2026, 12, 10, 9, 0), since=at(2026, 12, 6, 12, 0))
    assert len(of(plan, Kind.PARTYDAY_MORNING)) == 3
    assert of(plan, Kind.PARTYDAY_ANNOUNCE) == []
    assert skipped(plan, Kind.PARTYDAY_ANNOUNCE) == sorted(
        (p.id, SkipReason.REPLACED) for p in branch.people
    )


async def test_after_downtime_before_the_day_the_announcement_goes_late(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    plan = await ask(db, at(2026, 12, 9, 18, 0), since=at(2026, 12, 6, 12, 0))
    assert len(of(plan, Kind.PARTYDAY_ANNOUNCE)) == 3
    assert plan.skipped == []


async def test_the_morning_reminder_is_useful_until_the_day_ends(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    since = at(2026, 12, 9, 20, 0)
    late = await ask(db, at(2026, 12, 10, 20, 30), since=since)
    assert len(of(late, Kind.PARTYDAY_MORNING)) == 3
    # At 21:30 the quiet hours would hold it until tomorrow 08:00: past its day.
    night = await ask(db, at(2026, 12, 10, 21, 30), since=since)
    assert of(night, Kind.PARTYDAY_MORNING) == []
    assert skipped(night, Kind.PARTYDAY_MORNING) == sorted(
        (p.id, SkipReason.QUIET) for p in branch.people
    )
    next_day = await ask(db, at(2026, 12, 11, 9, 0), since=since)
    assert skipped(next_day, Kind.PARTYDAY_MORNING) == sorted(
        (p.id, SkipReason.EXPIRED) for p in branch.people
    )


async def test_a_skip_is_reported_only_for_the_window_it_fell_in(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    # The morning reminder was due at 08:00 on the 10th, before this window began.
    plan = await ask(db, at(2026, 12, 11, 9, 0), since=at(2026, 12, 10, 9, 0))
    assert plan.skipped == []
    # Without a previous run there is no window to report on.
    assert (await ask(db, at(2026, 12, 11, 9, 0))).skipped == []


async def test_something_already_queued_or_skipped_is_not_due_again(
    db: Database, branch: Branch
) -> None:
    await party_day_rule(db, branch)
    key = f"partyday:{branch.id}:2026-12-10:announce:{branch.member.id}"
    await queue(db, key)
    plan = await ask(db, at(2026, 12, 7, 9, 0))
    assert branch.member.id not in [m for m, _ in of(plan, Kind.PARTYDAY_ANNOUNCE)]
    async with db.transaction() as tx:
        await reminders.record_skip(
            tx,
            dedupe_key=f"partyday:{branch.id}:2026-12-10:morning:{branch.member.id}",
            kind=Kind.PARTYDAY_MORNING.value,
            member_id=branch.member.id,
            due_at=at(2026, 12, 10, 8),
            reason=SkipReason.EXPIRED,
            now=at(2026, 12, 11),
        )
    later = await ask(db, at(2026, 12, 11, 9, 0), since=at(2026, 12, 9))
    assert branch.member.id not in [m for m, _ in skipped(later, Kind.PARTYDAY_MORNING)]


async def test_many_skips_are_noted_once_each_in_chunks(db: Database, branch: Branch) -> None:
    """A tick after a long outage notes thousands of skips a few hundred per statement:
    each is noted once, a skip noted before keeps its first note, and the keys returned
    are only those noted now (each logged once)."""
    items = [
        reminders.NewSkip(
            dedupe_key=f"partyday:{branch.id}:2026-12-10:morning:{n}",
            kind=Kind.PARTYDAY_MORNING.value,
            member_id=branch.member.id,
            due_at=at(2026, 12, 10, 8),
            reason=SkipReason.EXPIRED,
        )
        for n in range(5)
    ]
    async with db.transaction() as tx:
        first = await reminders.record_skips(tx, items[:2], now=at(2026, 12, 10, 9), chunk=2)
    async with db.transaction() as tx:
        second = await reminders.record_skips(tx, items, now=at(2026, 12, 11, 9), chunk=2)
    assert first == {i.dedupe_key for i in items[:2]}
    assert second == {i.dedupe_key for i in items[2:]}
    async with db.read() as conn:
        noted = {s.dedupe_key: s.skipped_at for s in await reminders.skips(conn)}
    assert set(noted) == {i.dedupe_key for i in items}
    assert [noted[i.dedupe_key] for i in items] == [at(2026, 12, 10, 9)] * 2 + [
        at(2026, 12, 11, 9)
    ] * 3


# --------------------------------------------------------------------------- mutes


async def test_a_muted_kind_is_never_due_for_that_member(db: Database, branch: Branch) -> None:
    await party_day_rule(db, branch)
    async with db.transaction() as tx:
        await reminders.set_muted(
            tx,
            member_id=branch.member.id,
            kind=Kind.PARTYDAY_ANNOUNCE.value,
            muted=True,
            now=at(2026, 12, 1),
        )
    plan = await ask(db, at(2026, 12, 7, 9, 0))
    assert [m for m, _ in of(plan, Kind.PARTYDAY_ANNOUNCE)] == [
        branch.secretary.id,
        branch.member2.id,
    ]
    assert plan.muted == 1
    # Muting one kind leaves the others.
    assert branch.member.id in [
        m for m, _ in of(await ask(db, at(2026, 12, 10, 8)), Kind.PARTYDAY_MORNING)
    ]
    async with db.transaction() as tx:
        await reminders.set_muted(
            tx,
            member_id=branch.member.id,
            kind=Kind.PARTYDAY_ANNOUNCE.value,
            muted=False,
            now=at(2026, 12, 1),
        )
    assert len(of(await ask(db, at(2026, 12, 7, 9, 0)), Kind.PARTYDAY_ANNOUNCE)) == 3


# --------------------------------------------------------------------------- time zones


async def test_times_are_local_to_the_deployment_zone(db: Database, branch: Branch) -> None:
    new_york = ZoneInfo("America/New_York")
    await party_day_rule(db, branch)
    # 09:00 in New York on 2026-12-07 is 14:00 UTC (EST, UTC-5).
    before = datetime(2026, 12, 7, 13, 59, tzinfo=UTC)
    on_time = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert of(await ask(db, before, zone=new_york), Kind.PARTYDAY_ANNOUNCE) == []
    plan = await ask(db, on_time, zone=new_york)
    assert len(of(plan, Kind.PARTYDAY_ANNOUNCE)) == 3
    # The same moment is 22:00 in Shanghai: quiet there, so it waits for 08:00 Shanghai.
    shanghai = await ask(db, on_time + timedelta(days=1))
    assert {r.not_before for r in shanghai.reminders if r.kind is Kind.PARTYDAY_ANNOUNCE} == {
        at(2026, 12, 9, 8, 0)
    }


# --------------------------------------------------------------------------- digest


async def test_the_digest_goes_to_secretaries_on_the_first_at_nine(
    db: Database, branch: Branch
) -> None:
    assert of(await ask(db, at(2026, 12, 1, 8, 59)), Kind.DIGEST) == []
    plan = await ask(db, at(2026, 12, 1, 9, 0))
    assert of(plan, Kind.DIGEST) == [
        (branch.secretary.id, f"digest:{branch.id}:2026-11:{branch.secretary.id}")
    ]
    assert plan.reminders[0].payload == {"branch_id": branch.id, "month": "2026-11"}


async def test_the_digest_is_late_but_once_and_skipped_when_the_next_is_due(
    db: Database, branch: Branch
) -> None:
    key = f"digest:{branch.id}:2026-11:{branch.secretary.id}"
    late = await ask(db, at(2026, 12, 20, 15, 0), since=at(2026, 11, 30))
    assert of(late, Kind.DIGEST) == [(branch.secretary.id, key)]
    await queue(db, key)
    assert of(await ask(db, at(2026, 12, 20, 15, 1), since=at(2026, 11, 30)), Kind.DIGEST) == []

    async with db.transaction() as tx:
        await tx.execute("DELETE FROM outbox")
    # Nothing deletes outbox rows but this test: kept reads remember the handled keys (a
    # restart forgets them, as here).
    KEEPING.reads = None
    january = await ask(db, at(2027, 1, 1, 9, 0), since=at(2026, 11, 30))
    assert of(january, Kind.DIGEST) == [
        (branch.secretary.id, f"digest:{branch.id}:2026-12:{branch.secretary.id}")
    ]
    assert skipped(january, Kind.DIGEST) == [(branch.secretary.id, SkipReason.EXPIRED)]


async def test_no_digest_for_a_month_before_the_branch_existed(
    db: Database, branch: Branch
) -> None:
    # The branch was created on 2026-11-01: there is no October digest on 1 November.
    assert of(await ask(db, at(2026, 11, 1, 9, 0)), Kind.DIGEST) == []


async def test_a_digest_time_at_night_goes_out_in_the_morning(db: Database, branch: Branch) -> None:
    await set_rule(db, branch, "digest_time", "22:00")
    plan = await ask(db, at(2026, 12, 1, 22, 0))
    assert [r.not_before for r in plan.reminders] == [at(2026, 12, 2, 8, 0)]


# --------------------------------------------------------------------------- pledges


async def pledge(
    db: Database,
    owner: Member,
    *,
    submitted: datetime,
    approved: datetime | None = None,
    approver: Member | None = None,
) -> int:
    async with db.transaction() as tx:
        draft = await pledges.create_draft(
            tx,
            member=owner,
            period=Period.containing(submitted.date()),
            category=Category.TEACHING,
            text="本学期每周为学困生辅导两次，做好记录",
            now=submitted,
        )
        draft = await pledges.edit(
            tx, draft, actor_id=owner.id, now=submitted, target_date=date(submitted.year, 12, 31)
        )
        made = await pledges.submit(tx, draft, actor_id=owner.id, now=submitted)
        if approved is not None:
            assert approver is not None
            await pledges.approve(tx, made, actor_id=approver.id, now=approved)
    return made.id


async def test_pledges_waiting_three_days_remind_the_secretary_daily_then_weekly(
    db: Database, branch: Branch
) -> None:
    await pledge(db, branch.member, submitted=at(2026, 12, 1, 10, 0))
    # Three days after 10:00 on the 1st is after the 4th's 09:00: the 5th at 09:00.
    assert of(await ask(db, at(2026, 12, 5, 8, 59)), Kind.PLEDGE_REVIEW) == []
    plan = await ask(db, at(2026, 12, 5, 9, 0))
    assert of(plan, Kind.PLEDGE_REVIEW) == [
        (
            branch.secretary.id,
            f"pledge.waiting_review:{branch.id}:2026-12-05:{branch.secretary.id}",
        )
    ]
    assert of(await ask(db, at(2026, 12, 6, 9, 0)), Kind.PLEDGE_REVIEW) == []
    week = await ask(db, at(2026, 12, 12, 9, 0), since=at(2026, 12, 4))
    assert [k for _, k in of(week, Kind.PLEDGE_REVIEW)] == [
        f"pledge.waiting_review:{branch.id}:2026-12-12:{branch.secretary.id}"
    ]
    assert skipped(week, Kind.PLEDGE_REVIEW) == [(branch.secretary.id, SkipReason.EXPIRED)]


async def test_the_weekly_review_list_keeps_its_wall_clock_time_over_a_clock_change(
    db: Database, branch: Branch
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    await pledge(db, branch.member, submitted=datetime(2027, 3, 20, 10, 0, tzinfo=berlin))
    # First on 2027-03-24 at 09:00 CET; clocks go forward on the 28th; a week later is
    # 09:00 CEST on the 31st (not 10:00, which adding 7 × 24 hours would give).
    first = await ask(db, datetime(2027, 3, 24, 9, 0, tzinfo=berlin), zone=berlin)
    assert [r.due_at for r in first.reminders if r.kind is Kind.PLEDGE_REVIEW] == [
        datetime(2027, 3, 24, 9, 0, tzinfo=berlin)
    ]
    week = await ask(db, datetime(2027, 3, 31, 9, 0, tzinfo=berlin), zone=berlin)
    assert [r.due_at for r in week.reminders if r.kind is Kind.PLEDGE_REVIEW] == [
        datetime(2027, 3, 31, 9, 0, tzinfo=berlin)
    ]


async def test_no_progress_for_thirty_days_on_the_monthly_day(db: Database, branch: Branch) -> None:
    await set_rule(db, branch, "monthly_day", "31")
    await pledge(
        db,
        branch.member,
        submitted=at(2026, 9, 20),
        approved=at(2026, 10, 20),
        approver=branch.secretary,
    )
    # November has 30 days: the 31st means the 30th.
    assert of(await ask(db, at(2026, 11, 30, 9, 59)), Kind.PLEDGE_STALE) == []
    plan = await ask(db, at(2026, 11, 30, 10, 0))
    assert [m for m, _ in of(plan, Kind.PLEDGE_STALE)] == [branch.member.id]


async def test_a_pledge_that_goes_stale_during_the_week_is_reminded_then(
    db: Database, branch: Branch
) -> None:
    pledge_id = await pledge(
        db,
        branch.member,
        submitted=at(2026, 9, 20),
        approved=at(2026, 10, 1),
        approver=branch.secretary,
    )
    async with db.transaction() as tx:
        made = await pledges.get(tx, pledge_id)
        assert made is not None
        await pledges.add_update(
            tx, made, actor_id=branch.member.id, text="辅导了三次", photo_file_id=None,
            now=at(2026, 11, 3, 15, 0),
        )  # fmt: skip
    # At the monthly moment the last progress is 28 days old; the reminder stays useful
    # for a week, so the minute it turns 30 days old (no write in between) it is due.
    assert of(await ask(db, at(2026, 12, 1, 10, 0)), Kind.PLEDGE_STALE) == []
    assert of(await ask(db, at(2026, 12, 3, 14, 59)), Kind.PLEDGE_STALE) == []
    plan = await ask(db, at(2026, 12, 3, 15, 1))
    assert [m for m, _ in of(plan, Kind.PLEDGE_STALE)] == [branch.member.id]


async def test_a_pledge_with_recent_progress_is_not_stale(db: Database, branch: Branch) -> None:
    pledge_id = await pledge(
        db,
        branch.member,
        submitted=at(2026, 9, 20),
        approved=at(2026, 10, 1),
        approver=branch.secretary,
    )
    async with db.transaction() as tx:
        made = await pledges.get(tx, pledge_id)
        assert made is not None
        await pledges.add_update(
            tx, made, actor_id=branch.member.id, text="辅导了三次", photo_file_id=None,
            now=at(2026, 11, 20),
        )  # fmt: skip
    assert of(await ask(db, at(2026, 12, 1, 10, 0)), Kind.PLEDGE_STALE) == []


async def test_members_without_a_pledge_are_reminded_in_january(
    db: Database, branch: Branch
) -> None:
    await pledge(db, branch.member, submitted=at(2027, 1, 1, 8, 0))
    plan = await ask(db, at(2027, 1, 1, 10, 0))
    assert [m for m, _ in of(plan, Kind.PLEDGE_NO_PLEDGE)] == [
        branch.secretary.id,
        branch.member2.id,
    ]
    assert of(await ask(db, at(2027, 2, 1, 10, 0)), Kind.PLEDGE_NO_PLEDGE) == []


async def test_pledges_ready_for_evaluation_remind_the_secretary_monthly(
    db: Database, branch: Branch
) -> None:
    await pledge(
        db,
        branch.member,
        submitted=at(2026, 3, 1),
        approved=at(2026, 3, 2),
        approver=branch.secretary,
    )
    # Target date 2026-12-31: evaluable from then on.
    assert of(await ask(db, at(2026, 12, 1, 10, 0)), Kind.PLEDGE_EVALUATE) == []
    plan = await ask(db, at(2027, 1, 1, 10, 0))
    assert of(plan, Kind.PLEDGE_EVALUATE) == [
        (
            branch.secretary.id,
            f"pledge.evaluation_due:{branch.id}:2027-01:{branch.secretary.id}",
        )
    ]


# --------------------------------------------------------------------------- pioneers


async def self_nominated(db: Database, nominee: Member, *, when: datetime) -> int:
    """A round whose nominations run 12-01 to 12-07 (the jury 12-08 to 12-11), opened on
    11-30 if none is, and ``nominee``'s self-nomination made ``when``."""
    async with db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        if round_ is None:
            round_ = await pioneers.open_round(
                tx, year=2026, title="2026年度育人成才先锋党员", quota=3, branch_cap=2,
                windows=Windows(date(2026, 12, 1), date(2026, 12, 7), date(2026, 12, 8),
                                date(2026, 12, 11)),
                today=date(2026, 11, 30), actor_id=nominee.id, now=at(2026, 11, 30, 9),
            )  # fmt: skip
        made = await pioneers.nominate(
            tx, round_, actor=nominee, nominee_id=nominee.id,
            deeds="扎根教学一线二十年，带出多名优秀青年教师。", today=when.date(), now=when,
        )  # fmt: skip
    return made.id


async def test_a_waiting_self_nomination_reminds_its_secretary_daily_in_the_window(
    db: Database, branch: Branch
) -> None:
    nomination_id = await self_nominated(db, branch.member, when=at(2026, 12, 1, 10, 0))
    key = f"pioneers.waiting_endorsement:1:{branch.id}"
    # Made after the 1st's 09:00: the secretary was told just now; the 2nd's list has it.
    assert of(await ask(db, at(2026, 12, 1, 10, 30)), Kind.PIONEER_ENDORSEMENT) == []
    assert of(await ask(db, at(2026, 12, 2, 8, 59)), Kind.PIONEER_ENDORSEMENT) == []
    plan = await ask(db, at(2026, 12, 2, 9, 0))
    assert of(plan, Kind.PIONEER_ENDORSEMENT) == [
        (branch.secretary.id, f"{key}:2026-12-02:{branch.secretary.id}")
    ]
    (reminder,) = [r for r in plan.reminders if r.kind is Kind.PIONEER_ENDORSEMENT]
    assert reminder.expires_at == at(2026, 12, 3, 9, 0)  # the next day's list says it again
    assert dict(reminder.payload) == {"round_id": 1, "branch_id": branch.id, "day": "2026-12-02"}
    # The window's last day: useful until it ends, not until the next day's time.
    last = await ask(db, at(2026, 12, 7, 9, 0))
    (reminder,) = [r for r in last.reminders if r.kind is Kind.PIONEER_ENDORSEMENT]
    assert reminder.dedupe_key == f"{key}:2026-12-07:{branch.secretary.id}"
    assert reminder.expires_at == at(2026, 12, 8)
    # Outside the window nothing is due, though it still waits.
    assert of(await ask(db, at(2026, 12, 8, 9, 0)), Kind.PIONEER_ENDORSEMENT) == []
    assert of(await ask(db, at(2026, 11, 30, 9, 0)), Kind.PIONEER_ENDORSEMENT) == []
    # Decided: nothing more.
    async with db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        found = await pioneers.get_nomination(tx, nomination_id)
        assert round_ is not None and found is not None
        await pioneers.endorse(
            tx, round_, found, actor_id=branch.secretary.id, today=date(2026, 12, 3),
            now=at(2026, 12, 3, 8),
        )  # fmt: skip
    assert of(await ask(db, at(2026, 12, 3, 9, 0)), Kind.PIONEER_ENDORSEMENT) == []


async def test_a_secretarys_own_self_nomination_reminds_whoever_else_decides(
    db: Database, branch: Branch
) -> None:
    """The same people who decide it are reminded: the branch's other secretaries, or the
    bureau where there is none; never the nominee."""
    async with db.transaction() as tx:
        admin = await members.create(
            tx, telegram_id=1001, name="局办", role=Role.ADMIN, branch_id=None,
            now=at(2026, 11, 1),
        )  # fmt: skip
    await self_nominated(db, branch.secretary, when=at(2026, 12, 1, 8, 0))
    await self_nominated(db, branch.member, when=at(2026, 12, 1, 8, 30))
    key = f"pioneers.waiting_endorsement:1:{branch.id}:2026-12-01"
    assert of(await ask(db, at(2026, 12, 1, 9, 0)), Kind.PIONEER_ENDORSEMENT) == sorted(
        [(admin.id, f"{key}:{admin.id}"), (branch.secretary.id, f"{key}:{branch.secretary.id}")]
    )
    async with db.transaction() as tx:
        second = await members.create(
            tx, telegram_id=2009, name="周副书记", role=Role.SECRETARY, branch_id=branch.id,
            now=at(2026, 12, 1, 9, 30),
        )  # fmt: skip
    # With another secretary in the branch, the bureau is no longer asked.
    assert of(await ask(db, at(2026, 12, 2, 9, 0)), Kind.PIONEER_ENDORSEMENT) == sorted(
        [
            (branch.secretary.id, f"{key[:-2]}02:{branch.secretary.id}"),
            (second.id, f"{key[:-2]}02:{second.id}"),
        ]
    )


# --------------------------------------------------------------------------- home visits


async def visit(
    db: Database, owner: Member, on: date, follow_up: date | None = None, alias: str = "小明"
) -> int:
    async with (
        db.transaction() as tx,
        tx.execute(
            "INSERT INTO home_visits (member_id, branch_id, visit_date, student_alias, class_name,"
            " form, met, topics, follow_up_on, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, '初二(3)班', 'in_person', 'parents', '[\"study\"]', ?, ?, ?)",
            (
                owner.id,
                owner.branch_id,
                on.isoformat(),
                alias,
                None if follow_up is None else follow_up.isoformat(),
                "2026-11-01T00:00:00+00:00",
                "2026-11-01T00:00:00+00:00",
            ),
        ) as cur,
    ):
        assert cur.lastrowid is not None
        return cur.lastrowid


async def test_a_follow_up_is_due_on_its_day_and_useful_for_a_week(
    db: Database, branch: Branch
) -> None:
    visit_id = await visit(db, branch.member, date(2026, 11, 20), follow_up=date(2026, 12, 1))
    key = f"visit.follow_up:{visit_id}:2026-12-01:{branch.member.id}"
    assert of(await ask(db, at(2026, 12, 1, 8, 59)), Kind.VISIT_FOLLOW_UP) == []
    assert of(await ask(db, at(2026, 12, 1, 9, 0)), Kind.VISIT_FOLLOW_UP) == [
        (branch.member.id, key)
    ]
    since = at(2026, 11, 30)
    assert of(await ask(db, at(2026, 12, 5, 9), since=since), Kind.VISIT_FOLLOW_UP) == [
        (branch.member.id, key)
    ]
    gone = await ask(db, at(2026, 12, 8, 9, 1), since=since)
    assert of(gone, Kind.VISIT_FOLLOW_UP) == []
    assert skipped(gone, Kind.VISIT_FOLLOW_UP) == [(branch.member.id, SkipReason.EXPIRED)]


async def test_a_done_follow_up_is_not_due(db: Database, branch: Branch) -> None:
    visit_id = await visit(db, branch.member, date(2026, 11, 20), follow_up=date(2026, 12, 1))
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE home_visits SET follow_up_done_at = ? WHERE id = ?",
            ("2026-11-30T00:00:00+00:00", visit_id),
        )
    assert of(await ask(db, at(2026, 12, 1, 9, 0)), Kind.VISIT_FOLLOW_UP) == []


async def test_members_behind_the_visit_target_monthly(db: Database, branch: Branch) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO visit_targets (branch_id, target, set_on, set_by, set_at)"
            " VALUES (?, 2, '2026-09-05', ?, '2026-09-05T00:00:00+00:00')",
            (branch.id, branch.secretary.id),
        )
    await visit(db, branch.member, date(2026, 10, 10), alias="小明")
    await visit(db, branch.member, date(2026, 11, 10), alias="小红")
    await visit(db, branch.member2, date(2026, 11, 12))
    plan = await ask(db, at(2026, 12, 1, 10, 0))
    behind = of(plan, Kind.VISIT_BEHIND)
    assert [m for m, _ in behind] == [branch.secretary.id, branch.member2.id]
    member2 = next(r for r in plan.reminders if r.member_id == branch.member2.id)
    assert (member2.payload["count"], member2.payload["target"]) == (1, 2)
    # Not in a term's first four weeks: everyone is behind then.
    assert of(await ask(db, at(2026, 9, 1, 10, 0)), Kind.VISIT_BEHIND) == []


# --------------------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("local", "released"),
    [
        ((2026, 12, 1, 20, 59), (2026, 12, 1, 20, 59)),  # before: as is
        ((2026, 12, 1, 21, 0), (2026, 12, 2, 8, 0)),  # start: next morning
        ((2026, 12, 31, 23, 30), (2027, 1, 1, 8, 0)),  # across midnight and the year
        ((2026, 12, 2, 3, 0), (2026, 12, 2, 8, 0)),  # after midnight: this morning
        ((2026, 12, 2, 8, 0), (2026, 12, 2, 8, 0)),  # end: as is
    ],
)
def test_quiet_hours_across_midnight(
    local: tuple[int, int, int, int, int], released: tuple[int, int, int, int, int]
) -> None:
    moment = at(*local).astimezone(UTC)
    assert QUIET.release(moment, ZONE) == at(*released)


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    early = QuietHours(time(0, 0), time(6, 30))
    assert early.release(at(2026, 12, 1, 23, 0), ZONE) == at(2026, 12, 1, 23, 0)
    assert early.release(at(2026, 12, 2, 5, 0), ZONE) == at(2026, 12, 2, 6, 30)
    never = QuietHours(time(8, 0), time(8, 0))
    assert never.release(at(2026, 12, 2, 3, 0), ZONE) == at(2026, 12, 2, 3, 0)


def test_quiet_hours_in_another_zone_and_over_a_clock_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    quiet = QuietHours(time(22, 0), time(7, 0))
    # 23:00 in Berlin on the night the clocks go forward (2027-03-28, 02:00 → 03:00):
    # released at 07:00 CEST, which is 05:00 UTC.
    night = datetime(2027, 3, 27, 23, 0, tzinfo=berlin)
    assert quiet.release(night, berlin) == datetime(2027, 3, 28, 5, 0, tzinfo=UTC)
    # The same moment is 06:00 in Shanghai: inside Shanghai's default quiet hours.
    assert QUIET.release(night, ZONE) == at(2027, 3, 28, 8, 0)


@pytest.mark.parametrize(
    ("changes", "lost"),
    [
        ({}, []),
        ({"morning_time": time(7, 30)}, []),  # held until 08:00 the same day
        ({"morning_time": time(21, 30)}, [Kind.PARTYDAY_MORNING]),  # until the next day
        ({"announce_time": time(22, 0)}, []),  # three days ahead: goes the next morning
        ({"announce_time": time(22, 0), "announce_days": 1}, [Kind.PARTYDAY_ANNOUNCE]),
    ],
)
def test_party_day_times_the_quiet_hours_would_swallow(
    changes: dict[str, object], lost: list[Kind]
) -> None:
    rules = BranchRules().model_copy(update=changes)
    assert lost_to_quiet_hours(rules, QUIET, ZONE) == lost
    assert lost_to_quiet_hours(rules, QuietHours(time(0, 0), time(0, 0)), ZONE) == []
