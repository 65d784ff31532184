"""The tick (``schedules.engine``) with stand-in renderers: rows, dedupe, last run, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from schedules.engine import ReminderEngine
from schedules.kinds import Kind, Memo, Reminder, Rendered, Renderer
from schedules.quiet import QuietHours
from storage import branches, members, outbox, prefs, reminders
from storage.clock import FixedClock
from storage.database import Database
from storage.members import Role
from storage.outbox import Button

ZONE = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 11, 1, 8, tzinfo=ZONE)
DIGEST_DUE = datetime(2026, 12, 1, 9, tzinfo=ZONE)


@pytest.fixture
async def secretaries(db: Database) -> list[int]:
    """Two branches, each with a secretary; the second reads English."""
    ids = []
    async with db.transaction() as tx:
        for n, lang in ((1, "zh"), (2, "en")):
            branch = await branches.create(tx, f"第{n}中学党支部", now=CREATED)
            person = await members.create(
                tx,
                telegram_id=2000 + n,
                name=f"书记{n}",
                role=Role.SECRETARY,
                branch_id=branch.id,
                now=CREATED,
            )
            await prefs.set_language(tx, person.telegram_id, lang, now=CREATED)
            ids.append(person.id)
    return ids


async def say_hello(
    tx: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
) -> Rendered:
    return Rendered(
        f"{language}:{reminder.payload['month']}",
        buttons=[[Button(text="ok", callback_data="x:y")]],
    )


def engine(
    db: Database,
    clock: FixedClock,
    render: Renderer = say_hello,
    wake: Callable[[], None] | None = None,
) -> ReminderEngine:
    return ReminderEngine(
        db, clock, zone=ZONE, quiet=QuietHours(), renderers={Kind.DIGEST.value: render}, wake=wake
    )


async def all_rows(db: Database) -> list[outbox.OutboxMessage]:
    async with db.read() as conn:
        return await outbox.list_all(conn)


async def test_due_reminders_become_rows_in_the_recipients_language(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One slice however slow the machine is, so the dispatcher is woken exactly once.
    monkeypatch.setattr("schedules.engine.SLICE", 60.0)
    clock = FixedClock(DIGEST_DUE)
    woken: list[bool] = []
    report = await engine(db, clock, wake=lambda: woken.append(True)).tick()
    assert report.queued == 2 and woken == [True]
    rows = await all_rows(db)
    assert sorted(m.text for m in rows) == ["en:2026-11", "zh:2026-11"]
    assert {m.kind for m in rows} == {"digest"}
    assert rows[0].buttons == [[Button(text="ok", callback_data="x:y")]]
    assert {m.not_before for m in rows} == {DIGEST_DUE}
    async with db.read() as conn:
        assert await reminders.last_run(conn) == DIGEST_DUE


async def test_a_second_tick_queues_nothing_twice(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("schedules.engine.SLICE", 60.0)  # one slice: one wake
    clock = FixedClock(DIGEST_DUE)
    woken: list[bool] = []
    tick = engine(db, clock, wake=lambda: woken.append(True))
    await tick.tick()
    clock.advance(timedelta(minutes=1))
    again = await tick.tick()
    assert again.queued == 0 and len(await all_rows(db)) == 2
    assert woken == [True]  # nothing new, nobody woken


async def test_a_failing_renderer_costs_only_its_reminder(
    db: Database, secretaries: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    async def fussy(
        conn: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        if language == "en":
            raise RuntimeError("broken view")
        return await say_hello(conn, reminder, language, now, memo)

    clock = FixedClock(DIGEST_DUE)
    report = await engine(db, clock, fussy).tick()
    assert (report.queued, report.failed) == (1, 1)
    assert "broken view" in caplog.text
    assert [m.text for m in await all_rows(db)] == ["zh:2026-11"]
    # The next tick tries the failed one again (still useful), with a fixed renderer.
    clock.advance(timedelta(minutes=1))
    assert (await engine(db, clock).tick()).queued == 1


async def test_renderers_only_read(
    db: Database, secretaries: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    # Rendering holds no lock: a write there would bypass it, so the connection refuses.
    async def writing(
        conn: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        await conn.execute("INSERT INTO reminder_state VALUES ('scratch', 'x', 'now')")
        return await say_hello(conn, reminder, language, now, memo)

    report = await engine(db, FixedClock(DIGEST_DUE), writing).tick()
    assert (report.queued, report.failed) == (0, 2)
    assert "readonly" in caplog.text
    async with (
        db.read() as conn,
        conn.execute("SELECT COUNT(*) FROM reminder_state WHERE name = 'scratch'") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and row[0] == 0


async def test_nothing_to_say_is_noted_and_not_rendered_again(
    db: Database, secretaries: list[int]
) -> None:
    calls: list[str] = []

    async def silent(
        tx: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered | None:
        calls.append(reminder.dedupe_key)
        return None

    clock = FixedClock(DIGEST_DUE)
    report = await engine(db, clock, silent).tick()
    assert (report.queued, report.empty) == (0, 2)
    clock.advance(timedelta(minutes=1))
    await engine(db, clock, silent).tick()
    assert len(calls) == 2
    async with db.read() as conn:
        assert {s.reason for s in await reminders.skips(conn)} == {"nothing_to_say"}


async def test_kinds_without_a_renderer_are_not_computed(
    db: Database, secretaries: list[int]
) -> None:
    tick = engine(db, FixedClock(DIGEST_DUE))
    assert tick.kinds == frozenset({Kind.DIGEST.value})
    assert Kind.PARTYDAY_ANNOUNCE.value in tick.missing
    assert Kind.BROADCAST.value not in tick.missing  # sent by hand, never scheduled


async def test_a_long_downtime_is_logged(
    db: Database, secretaries: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    async with db.transaction() as tx:
        await reminders.set_last_run(tx, DIGEST_DUE - timedelta(days=90), now=DIGEST_DUE)
    await engine(db, FixedClock(DIGEST_DUE)).tick()
    assert "past use and were not examined" in caplog.text


async def test_a_members_write_is_not_kept_waiting_by_rendering(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rendering holds no lock: a member who writes meanwhile goes in at once, before the
    # tick writes its rows; nothing is lost or doubled.
    monkeypatch.setattr("schedules.engine.SLICE", 60.0)
    seen_by_member: list[int] = []
    writes: list[asyncio.Task[None]] = []

    async def render_and_tap(
        conn: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        if not writes:
            writes.append(asyncio.create_task(members_write(db, seen_by_member)))
        await asyncio.sleep(0.01)  # a slow render: the member's write is done meanwhile
        return await say_hello(conn, reminder, language, now, memo)

    report = await engine(db, FixedClock(DIGEST_DUE), render_and_tap).tick()
    assert writes[0].done() and seen_by_member == [0]
    assert report.queued == 2 and len(await all_rows(db)) == 2


async def members_write(db: Database, seen: list[int]) -> None:
    async with db.transaction() as tx:
        seen.append(len(await outbox.list_all(tx)))
        await prefs.set_language(tx, 2001, "en", now=DIGEST_DUE)


async def test_a_long_tick_lets_a_members_write_in_between(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every slice is one reminder long: a member's write waiting for the writer lock goes
    # in after the first digest is written, not after the whole tick.
    monkeypatch.setattr("schedules.engine.SLICE", 0.0)
    seen_by_member: list[int] = []
    writes: list[asyncio.Task[None]] = []

    async def tap_meanwhile(tx: aiosqlite.Connection) -> bool:
        # Runs inside the first slice's transaction: the member now waits for the lock.
        writes.append(asyncio.create_task(members_write(db, seen_by_member)))
        await asyncio.sleep(0)
        return True

    async def render_with_write(
        conn: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        hello = await say_hello(conn, reminder, language, now, memo)
        return Rendered(hello.text, hello.buttons, writes=(("tap", tap_meanwhile),))

    clock = FixedClock(DIGEST_DUE)
    report = await engine(db, clock, render_with_write).tick()
    await writes[0]
    assert report.queued == 2
    assert seen_by_member == [1]  # between the two digests
    assert len(await all_rows(db)) == 2
    async with db.read() as conn:
        assert await reminders.last_run(conn) == DIGEST_DUE
    assert (await engine(db, clock).tick()).queued == 0


async def test_a_write_is_made_once_per_tick_with_the_first_row_that_asks(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("schedules.engine.SLICE", 0.0)  # the two digests in two slices
    made: list[int] = []

    async def note(tx: aiosqlite.Connection) -> bool:
        made.append(len(await outbox.list_all(tx)))
        await tx.execute("INSERT INTO reminder_state VALUES ('noted', 'x', 'now')")
        return True

    async def render(
        conn: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        hello = await say_hello(conn, reminder, language, now, memo)
        return Rendered(hello.text, hello.buttons, writes=(("note", note),))

    report = await engine(db, FixedClock(DIGEST_DUE), render).tick()
    assert report.queued == 2 and made == [0]  # once, before the first row
    async with db.read() as conn:
        rows = await conn.execute_fetchall("SELECT name FROM reminder_state WHERE name = 'noted'")
    assert len(list(rows)) == 1


@pytest.mark.parametrize("outcome", ["changed", "raises"])
async def test_a_row_whose_write_cannot_be_made_is_not_queued_and_tried_again(
    db: Database, secretaries: list[int], outcome: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def refuse(tx: aiosqlite.Connection) -> bool:
        # What a write that cannot be made wrote is undone.
        await tx.execute("INSERT INTO reminder_state VALUES ('half', 'x', 'now')")
        if outcome == "raises":
            raise RuntimeError("broken write")
        return False

    async def render(
        conn: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        hello = await say_hello(conn, reminder, language, now, memo)
        if language == "en":
            return Rendered(hello.text, hello.buttons, writes=(("refuse", refuse),))
        return hello

    clock = FixedClock(DIGEST_DUE)
    report = await engine(db, clock, render).tick()
    assert report.queued == 1
    assert (report.changed, report.failed) == ((1, 0) if outcome == "changed" else (1, 1))
    assert [m.text for m in await all_rows(db)] == ["zh:2026-11"]
    async with db.read() as conn:
        half = await conn.execute_fetchall("SELECT name FROM reminder_state WHERE name = 'half'")
    assert list(half) == []
    # Not noted as handled: the next tick renders it again, and now it goes.
    clock.advance(timedelta(minutes=1))
    again = await engine(db, clock).tick()
    assert again.queued == 1
    assert sorted(m.text for m in await all_rows(db)) == ["en:2026-11", "zh:2026-11"]


async def test_the_dispatcher_is_woken_after_each_slice_not_only_at_the_end(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 5,000 announcements take seconds to queue: the first ones go out meanwhile.
    monkeypatch.setattr("schedules.engine.SLICE", 0.0)
    queued_when_woken: list[int] = []

    def wake() -> None:
        queued_when_woken.append(-1)

    async def render_and_count(
        tx: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        if queued_when_woken:
            # Woken after the first slice committed: its row is there for the dispatcher.
            async with db.read() as conn:
                queued_when_woken[-1] = len(await outbox.list_all(conn))
        return await say_hello(tx, reminder, language, now, memo)

    await engine(db, FixedClock(DIGEST_DUE), render_and_count, wake=wake).tick()
    assert queued_when_woken[0] == 1  # the first digest was queued and committed


async def test_reminders_in_one_slice_share_their_reads(
    db: Database, secretaries: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both digests are rendered in one transaction: a read keyed alike is done once.
    monkeypatch.setattr("schedules.engine.SLICE", 60.0)
    reads: list[str] = []

    async def shared(
        tx: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime, memo: Memo
    ) -> Rendered:
        if "branch" not in memo:
            reads.append(str(reminder.payload["month"]))
            memo["branch"] = "read"
        return await say_hello(tx, reminder, language, now, memo)

    report = await engine(db, FixedClock(DIGEST_DUE), shared).tick()
    assert report.queued == 2
    assert len(reads) == 1
