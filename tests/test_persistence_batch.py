"""What PTB hands the persistence after an update is written in one go, and kept if the
database fails, not lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.common.persistence import SqlitePersistence
from storage import flowstate
from storage.clock import FixedClock
from storage.database import Database, DatabaseError

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def stored(db: Database) -> tuple[list[tuple[str, object]], dict[int, dict[str, object]]]:
    async with db.read() as conn:
        states = [(key, state) for key, state, _ in await flowstate.load_states(conn, "visit")]
        return states, await flowstate.load_user_data(conn)


async def test_a_steps_state_and_answers_are_written_together(db: Database) -> None:
    persistence = SqlitePersistence(db, FixedClock(NOW), conversation_timeout=timedelta(hours=1))
    await persistence.update_conversation("visit", (7, 7), 2)
    await persistence.update_user_data(7, {"visit": {"alias": "小明"}})
    assert await stored(db) == ([], {})  # handed over, not yet written
    await persistence.write_pending()
    assert await stored(db) == ([("[7, 7]", 2)], {7: {"visit": {"alias": "小明"}}})
    # The flow ends: both go.
    await persistence.update_conversation("visit", (7, 7), None)
    await persistence.drop_user_data(7)
    await persistence.write_pending()
    assert await stored(db) == ([], {})


async def test_a_failed_write_is_kept_for_the_next_update(db: Database) -> None:
    persistence = SqlitePersistence(db, FixedClock(NOW), conversation_timeout=timedelta(hours=1))
    await persistence.update_conversation("visit", (7, 7), 3)
    await db.close()
    with pytest.raises(DatabaseError):
        await persistence.write_pending()
    await db.open()
    await persistence.update_user_data(8, {"visit": {"alias": "乐乐"}})
    await persistence.write_pending()
    assert await stored(db) == ([("[7, 7]", 3)], {8: {"visit": {"alias": "乐乐"}}})


async def test_empty_entries_are_not_written(db: Database) -> None:
    """Looking at a flow's dates leaves empty entries behind: they read the same as no
    data, so an update that only left those writes nothing (and empties a stored row)."""
    persistence = SqlitePersistence(db, FixedClock(NOW), conversation_timeout=timedelta(hours=1))
    await persistence.update_user_data(7, {"_flow_seen": {}, "_flow_step": {}})
    await persistence.write_pending()
    assert await stored(db) == ([], {})
    await persistence.update_user_data(7, {"visit": {"alias": "小明"}, "_flow_seen": {}})
    await persistence.write_pending()
    assert await stored(db) == ([], {7: {"visit": {"alias": "小明"}}})
    await persistence.update_user_data(7, {"visit": {}, "_flow_seen": {}})
    await persistence.write_pending()
    assert await stored(db) == ([], {})


async def test_one_persons_unstorable_data_does_not_hold_back_the_others(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A value JSON cannot hold (a programming error in one flow) loses that person's
    step, logged without the data; everyone else's steps are written, now and after."""
    persistence = SqlitePersistence(db, FixedClock(NOW), conversation_timeout=timedelta(hours=1))
    await persistence.update_conversation("visit", (7, 7), 2)
    await persistence.update_user_data(7, {"visit": {"alias": "小明"}})
    # Person 8's step goes with their data: a later step over older data would not fit.
    await persistence.update_conversation("visit", (8, 8), 3)
    await persistence.update_user_data(8, {"visit": {"alias": "乐乐", "bad": {1, 2}}})
    # Text SQLite refuses (a lone surrogate) though json.dumps takes it.
    await persistence.update_user_data(10, {"visit": {"alias": "\ud800"}})
    await persistence.write_pending()
    assert await stored(db) == ([("[7, 7]", 2)], {7: {"visit": {"alias": "小明"}}})
    assert "user 8" in caplog.text and "user 10" in caplog.text and "乐乐" not in caplog.text
    # Not kept pending either: the next update's write goes through on its own.
    await persistence.update_user_data(9, {"visit": {"alias": "豆豆"}})
    await persistence.write_pending()
    assert (await stored(db))[1] == {
        7: {"visit": {"alias": "小明"}},
        9: {"visit": {"alias": "豆豆"}},
    }
