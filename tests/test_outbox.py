"""The outbox repository: dedupe, what is due, state transitions, recovery and counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from storage import outbox
from storage.clock import FixedClock
from storage.database import Database
from storage.outbox import Button, OutboxStatus

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "t.sqlite3")
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


async def add(
    db: Database,
    key: str,
    *,
    chat_id: int = 1001,
    not_before: datetime = T0,
    kind: str = "partyday.d3",
    buttons: outbox.ButtonsInput | None = None,
) -> bool:
    async with db.transaction() as tx:
        return await outbox.enqueue(
            tx,
            chat_id=chat_id,
            member_id=None,
            kind=kind,
            text=f"<b>{key}</b>",
            buttons=buttons,
            dedupe_key=key,
            not_before=not_before,
            now=T0,
        )


async def claim(db: Database, now: datetime, limit: int = 10) -> list[int]:
    async with db.transaction() as tx:
        return [m.id for m in await outbox.claim_due(tx, now, limit)]


async def test_enqueue_twice_inserts_once(db: Database) -> None:
    assert await add(db, "partyday:1:2026-03-04:D-3:7") is True
    assert await add(db, "partyday:1:2026-03-04:D-3:7") is False
    async with db.read() as conn:
        rows = await outbox.list_all(conn)
    assert len(rows) == 1
    assert rows[0].status is OutboxStatus.PENDING
    assert rows[0].attempts == 0


async def test_buttons_round_trip_as_rows_of_buttons(db: Database) -> None:
    keyboard: outbox.ButtonsInput = [
        [{"text": "Attend", "callback_data": "pd:att:1"}, Button(text="Leave", callback_data="x")],
        [{"text": "Site", "url": "https://example.org"}],
    ]
    await add(db, "k", buttons=keyboard)
    async with db.read() as conn:
        row = await outbox.get_by_dedupe_key(conn, "k")
        raw = await (await conn.execute("SELECT buttons FROM outbox")).fetchone()
    assert raw is not None
    assert row is not None and row.buttons is not None
    assert [[b.text for b in r] for r in row.buttons] == [["Attend", "Leave"], ["Site"]]
    assert row.buttons[1][0].url == "https://example.org"
    assert "null" not in raw[0]


def test_plain_buttons_are_stored_as_the_model_stores_them() -> None:
    # The tick encodes thousands of keyboards without a model per button: the same text.
    models = [[Button(text="参加", callback_data="pd:att:1"), Button(text="网站", url="https://x")]]
    plain = [[{"text": "参加", "callback_data": "pd:att:1"}, {"url": "https://x", "text": "网站"}]]
    expected = '[[{"text":"参加","callback_data":"pd:att:1"},{"text":"网站","url":"https://x"}]]'
    assert outbox.encode_buttons(models) == outbox.encode_buttons(plain) == expected
    # What is not plainly a button goes to the model, which drops what it does not know.
    extra = [[{"text": "参加", "callback_data": "pd:att:1", "style": "big"}]]
    assert outbox.encode_buttons(extra) == '[[{"text":"参加","callback_data":"pd:att:1"}]]'


@pytest.mark.parametrize(
    "button",
    [
        {"text": "neither"},
        {"text": "both", "callback_data": "a", "url": "https://x"},
        {"text": "long", "callback_data": "x" * 65},
        {"text": 7, "callback_data": "a"},
        {"text": "none", "callback_data": None, "url": None},
    ],
)
async def test_bad_buttons_are_refused_at_enqueue(db: Database, button: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        await add(db, "k", buttons=[[button]])
    async with db.read() as conn:
        assert await outbox.list_all(conn) == []


async def test_claim_takes_due_rows_oldest_first(db: Database) -> None:
    await add(db, "later", not_before=T0 + timedelta(minutes=5))
    await add(db, "b", not_before=T0)
    await add(db, "a", not_before=T0 - timedelta(hours=1))
    async with db.transaction() as tx:
        claimed = await outbox.claim_due(tx, T0, 10)
    assert [m.dedupe_key for m in claimed] == ["a", "b"]
    assert all(m.status is OutboxStatus.SENDING and m.attempts == 1 for m in claimed)
    assert await claim(db, T0) == []
    assert len(await claim(db, T0 + timedelta(minutes=5))) == 1


async def test_claim_respects_limit_and_skipped_chats(db: Database) -> None:
    for i in range(3):
        await add(db, f"busy{i}", chat_id=-100)
    await add(db, "free", chat_id=42)
    async with db.transaction() as tx:
        claimed = await outbox.claim_due(tx, T0, 1, skip_chats={-100})
    assert [m.dedupe_key for m in claimed] == ["free"]
    assert len(await claim(db, T0, 2)) == 2


async def test_outcomes_are_recorded(db: Database) -> None:
    for key in ("sent", "failed", "blocked", "retry", "flood"):
        await add(db, key)
    ids = dict(
        zip(("sent", "failed", "blocked", "retry", "flood"), await claim(db, T0), strict=True)
    )
    later = T0 + timedelta(seconds=30)
    async with db.transaction() as tx:
        await outbox.mark_sent(tx, ids["sent"], 555, T0)
        await outbox.mark_failed(tx, ids["failed"], "Chat not found")
        await outbox.mark_blocked(tx, ids["blocked"], "Forbidden: bot was blocked by the user")
        await outbox.reschedule(tx, ids["retry"], later, "Timed out")
        await outbox.defer_for_flood(tx, ids["flood"], later, "retry after 30")
    async with db.read() as conn:
        rows = {m.dedupe_key: m for m in await outbox.list_all(conn)}
    assert rows["sent"].status is OutboxStatus.SENT
    assert rows["sent"].telegram_message_id == 555 and rows["sent"].sent_at == T0
    assert rows["failed"].status is OutboxStatus.FAILED
    assert rows["failed"].last_error == "Chat not found"
    assert rows["blocked"].status is OutboxStatus.BLOCKED
    assert (rows["retry"].status, rows["retry"].attempts) == (OutboxStatus.PENDING, 1)
    assert rows["retry"].not_before == later
    # A flood wait is not a failed attempt, but it is counted.
    assert (rows["flood"].attempts, rows["flood"].flood_waits) == (0, 1)


async def test_outcome_for_a_row_not_being_sent_is_refused(db: Database) -> None:
    await add(db, "k")
    with pytest.raises(outbox.OutboxStateError):
        async with db.transaction() as tx:
            await outbox.mark_sent(tx, 1, 1, T0)


async def test_recover_in_flight_puts_sending_rows_back(db: Database) -> None:
    await add(db, "a")
    await add(db, "b")
    await claim(db, T0, 1)
    async with db.transaction() as tx:
        assert await outbox.recover_in_flight(tx) == 1
    async with db.read() as conn:
        rows = await outbox.list_all(conn)
    assert [m.status for m in rows] == [OutboxStatus.PENDING, OutboxStatus.PENDING]
    assert rows[0].attempts == 1 and rows[0].last_error is not None
    assert await claim(db, T0) == [rows[0].id, rows[1].id]


async def test_counts_next_due_and_oldest_pending(db: Database) -> None:
    async with db.read() as conn:
        assert await outbox.counts(conn) == []
        assert await outbox.oldest_pending(conn) is None
        assert await outbox.next_due_at(conn) is None
    await add(db, "b1", kind="broadcast", not_before=T0 + timedelta(hours=2))
    await add(db, "b2", kind="broadcast", not_before=T0 + timedelta(hours=1))
    await add(db, "p1", kind="partyday.d3")
    await claim(db, T0)
    async with db.read() as conn:
        counts = {(c.kind, c.status): c.count for c in await outbox.counts(conn)}
        oldest = await outbox.oldest_pending(conn)
        due = await outbox.next_due_at(conn)
    assert counts == {
        ("broadcast", OutboxStatus.PENDING): 2,
        ("partyday.d3", OutboxStatus.SENDING): 1,
    }
    assert oldest is not None and oldest.dedupe_key == "b2"
    assert due == T0 + timedelta(hours=1)
