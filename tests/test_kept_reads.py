"""Reads kept between ticks (``schedules.kept``) and the tick that keeps them: a kept answer
is used only while nothing it read has changed, and people who join, unmute or change
their language meanwhile are reminded as before."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from schedules.engine import ReminderEngine
from schedules.kept import KeptReads
from schedules.kinds import Kind, Memo, Reminder, Rendered
from schedules.quiet import QuietHours
from storage import branches, calendar, members, outbox, partyday, prefs, reminders
from storage.calendar import DayKind, Override
from storage.clock import FixedClock
from storage.database import Database
from storage.members import Member, Role
from storage.partyday_rules import DayRule, RuleKind

ZONE = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 11, 1, 8, tzinfo=ZONE)
# The party day is on the 10th; its announcement is due three days before at 09:00.
ANNOUNCED = datetime(2026, 12, 7, 9, 0, tzinfo=ZONE)


async def count_members(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT COUNT(*) FROM members") as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def count_outbox(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT COUNT(*) FROM outbox") as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def join(db: Database, telegram_id: int, branch_id: int, role: Role = Role.MEMBER) -> Member:
    async with db.transaction() as tx:
        return await members.create(
            tx,
            telegram_id=telegram_id,
            name=f"老师{telegram_id}",
            role=role,
            branch_id=branch_id,
            now=CREATED,
        )


async def kept_count(db: Database, kept: KeptReads) -> int:
    kept.begin()
    async with db.read() as conn:
        value = await kept.get(conn, ("members",), lambda: count_members(conn))
    kept.end()
    return value


async def test_a_read_is_kept_until_a_table_it_read_is_written(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=CREATED)
    secretary = await join(db, 2001, branch.id, Role.SECRETARY)
    kept = KeptReads(db)
    assert await kept_count(db, kept) == 1
    assert await kept_count(db, kept) == 1
    assert kept.reads == 1
    # A write elsewhere (the branch's reminder times) keeps it ...
    async with db.transaction() as tx:
        await reminders.set_rule(
            tx, branch_id=branch.id, name="daily_time", value=time(8, 0),
            actor_id=secretary.id, now=CREATED,
        )  # fmt: skip
    assert await kept_count(db, kept) == 1
    assert kept.reads == 1
    # ... a member who joins does not.
    await join(db, 3001, branch.id)
    assert await kept_count(db, kept) == 2
    assert kept.reads == 2


async def test_a_rolled_back_write_reads_again_and_finds_nothing_new(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=CREATED)
    kept = KeptReads(db)
    assert await kept_count(db, kept) == 0
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await members.create(
                tx, telegram_id=1, name="王老师", role=Role.MEMBER, branch_id=branch.id,
                now=CREATED,
            )  # fmt: skip
            raise RuntimeError("changed my mind")
    assert await kept_count(db, kept) == 0
    assert kept.reads == 2


async def test_a_read_of_a_table_written_on_every_tap_is_never_kept(db: Database) -> None:
    kept = KeptReads(db)
    for _ in range(2):
        kept.begin()
        async with db.read() as conn:
            assert await kept.get(conn, ("outbox",), lambda: count_outbox(conn)) == 0
        kept.end()
    assert kept.reads == 2


async def test_holiday_overrides_are_part_of_every_kept_answer(db: Database) -> None:
    kept = KeptReads(db)
    await kept_count(db, kept)
    calendar.use_overrides([Override(date(2026, 12, 10), DayKind.HOLIDAY, "校庆")])
    try:
        await kept_count(db, kept)
    finally:
        calendar.use_overrides([])
    assert kept.reads == 2


async def test_a_write_by_another_process_is_seen_by_the_next_check(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=CREATED)
        await db.note_other_writers(tx)
    kept = KeptReads(db)
    assert await kept_count(db, kept) == 0
    other = Database(db.path)  # a command-line tool on the same file
    await other.open()
    try:
        await join(other, 3001, branch.id)
    finally:
        await other.close()
    async with db.transaction() as tx:
        await db.note_other_writers(tx)
    assert await kept_count(db, kept) == 1


async def test_a_write_by_another_process_before_the_first_check_is_seen(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=CREATED)
    kept = KeptReads(db)
    assert await kept_count(db, kept) == 0
    other = Database(db.path)  # e.g. an operator's edit right after the bot started
    await other.open()
    try:
        await join(other, 3001, branch.id)
    finally:
        await other.close()
    await db.check_other_writers()
    assert await kept_count(db, kept) == 1


async def test_reads_a_failed_evaluation_left_are_forgotten_at_the_next(db: Database) -> None:
    kept = KeptReads(db)
    kept.begin()
    async with db.read() as conn:
        await kept.get(conn, ("members", 1), lambda: count_members(conn))
    # The evaluation failed before ``end``; the next one uses none of those reads.
    kept.begin()
    kept.end()
    assert len(kept) == 0


# --------------------------------------------------------------------------- the tick


async def say_language(
    tx: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
) -> Rendered:
    return Rendered(f"{language}:{reminder.payload['date']}")


@pytest.fixture
async def party(db: Database) -> tuple[int, list[Member]]:
    """A branch (a secretary, two members) with its party day on the 10th."""
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=CREATED)
    people = [
        await join(db, 2001, branch.id, Role.SECRETARY),
        await join(db, 3001, branch.id),
        await join(db, 3002, branch.id),
    ]
    async with db.transaction() as tx:
        await partyday.set_rule(
            tx,
            branch_id=branch.id,
            rule=DayRule(kind=RuleKind.DAY, day=10),
            start_time=time(14, 30),
            place="三楼会议室",
            actor_id=people[0].id,
            now=CREATED,
        )
    return branch.id, people


def announcing(db: Database, clock: FixedClock) -> ReminderEngine:
    return ReminderEngine(
        db,
        clock,
        zone=ZONE,
        quiet=QuietHours(),
        renderers={Kind.PARTYDAY_ANNOUNCE.value: say_language},
    )


async def rows(db: Database) -> dict[int, str]:
    """Each announced person's chat, with what they were sent."""
    async with db.read() as conn:
        return {row.chat_id: row.text for row in await outbox.list_all(conn)}


async def test_a_member_who_joins_while_the_announcement_is_useful_gets_it(
    db: Database, party: tuple[int, list[Member]]
) -> None:
    branch_id, _ = party
    clock = FixedClock(ANNOUNCED)
    engine = announcing(db, clock)
    assert (await engine.tick()).queued == 3
    clock.set(ANNOUNCED.replace(minute=1))
    assert (await engine.tick()).queued == 0
    await join(db, 3003, branch_id)
    clock.set(ANNOUNCED.replace(minute=2))
    report = await engine.tick()
    assert report.queued == 1
    assert sorted(await rows(db)) == [2001, 3001, 3002, 3003]


async def test_a_member_who_unmutes_in_another_language_gets_it_in_that_language(
    db: Database, party: tuple[int, list[Member]]
) -> None:
    _, (_, muted, _) = party
    async with db.transaction() as tx:
        await reminders.set_muted(
            tx, member_id=muted.id, kind=Kind.PARTYDAY_ANNOUNCE.value, muted=True, now=CREATED
        )
    clock = FixedClock(ANNOUNCED)
    engine = announcing(db, clock)
    first = await engine.tick()
    assert (first.queued, first.muted) == (2, 1)
    clock.set(ANNOUNCED.replace(minute=1))
    assert (await engine.tick()).queued == 0
    async with db.transaction() as tx:
        await prefs.set_language(tx, muted.telegram_id, "en", now=clock.now())
        await reminders.set_muted(
            tx, member_id=muted.id, kind=Kind.PARTYDAY_ANNOUNCE.value, muted=False,
            now=clock.now(),
        )  # fmt: skip
    clock.set(ANNOUNCED.replace(minute=2))
    assert (await engine.tick()).queued == 1
    assert (await rows(db))[muted.telegram_id] == "en:2026-12-10"


async def test_a_member_who_joins_from_another_process_gets_it_a_tick_later(
    db: Database, party: tuple[int, list[Member]]
) -> None:
    branch_id, _ = party
    clock = FixedClock(ANNOUNCED)
    engine = announcing(db, clock)
    assert (await engine.tick()).queued == 3
    other = Database(db.path)
    await other.open()
    try:
        await join(other, 3003, branch_id)
    finally:
        await other.close()
    # The next tick notices another process wrote before it reads.
    clock.set(ANNOUNCED.replace(minute=1))
    assert (await engine.tick()).queued == 1
    assert 3003 in await rows(db)


async def test_an_ordinary_minute_reads_nothing_again(
    db: Database, party: tuple[int, list[Member]]
) -> None:
    clock = FixedClock(ANNOUNCED)
    engine = announcing(db, clock)
    await engine.tick()
    clock.set(ANNOUNCED.replace(minute=1))
    await engine.tick()  # the announcement's tick wrote the month's row: read again
    reads = engine.kept.reads
    clock.set(ANNOUNCED.replace(minute=2))
    assert (await engine.tick()).queued == 0
    assert engine.kept.reads == reads
    branch_id, people = party
    keys = {f"partyday:{branch_id}:2026-12-10:announce:{p.id}" for p in people}
    assert engine.kept.handled >= keys
