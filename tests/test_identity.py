"""Who is writing, and in which language: one query for both (``members.identity``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import branches, members, prefs
from storage.database import Database
from storage.members import Role

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_identity_reads_the_active_membership_and_the_chosen_language(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=NOW)
        old = await members.create(
            tx, telegram_id=7, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
        await members.mark_left(tx, old.id, now=NOW)
        again = await members.create(
            tx, telegram_id=7, name="王老师", role=Role.SECRETARY, branch_id=branch.id, now=NOW
        )
        await prefs.set_language(tx, 7, "en", now=NOW)
        await prefs.set_language(tx, 8, "zh", now=NOW)
        await members.create(
            tx, telegram_id=9, name="张老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
    async with db.read() as conn:
        assert await members.identity(conn, 7) == (again, "en")  # not the row they left
        assert await members.identity(conn, 8) == (None, "zh")  # chose a language, no member
        person, language = await members.identity(conn, 9)
        assert person is not None and person.name == "张老师" and language is None
        assert await members.identity(conn, 10) == (None, None)  # a stranger
