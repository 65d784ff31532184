"""Who is writing, and in which language: one query for both (``members.identity``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

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


async def test_kept_identities_follow_every_committed_change(db: Database) -> None:
    """``Identities`` answers from memory, but a committed change to a membership or a
    language choice is seen by the very next update."""
    identities = members.Identities(db)
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=NOW)
        person = await members.create(
            tx, telegram_id=7, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
    assert await identities.get(7) == (person, None)
    assert await identities.get(8) == (None, None)
    async with db.transaction() as tx:
        await members.set_role(tx, person.id, Role.SECRETARY, now=NOW)
    secretary = person.model_copy(update={"role": Role.SECRETARY})
    assert await identities.get(7) == (secretary, None)
    async with db.transaction() as tx:
        await prefs.set_language(tx, 7, "en", now=NOW)
        await prefs.set_language(tx, 8, "en", now=NOW)
    assert await identities.get(7) == (secretary, "en")
    assert await identities.get(8) == (None, "en")
    async with db.transaction() as tx:
        await members.mark_left(tx, person.id, now=NOW)
    assert await identities.get(7) == (None, "en")


async def test_a_change_committed_while_reading_is_not_kept(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone's identity read just before a commit (and another person's read after it)
    is answered, but not kept as if it were current."""
    identities = members.Identities(db)
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=NOW)
        person = await members.create(
            tx, telegram_id=7, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
    read = members.identity

    async def read_then_commit(
        conn: aiosqlite.Connection, telegram_id: int
    ) -> tuple[members.Member | None, str | None]:
        found = await read(conn, telegram_id)
        if telegram_id == 7:
            async with db.transaction() as tx:
                await members.set_role(tx, person.id, Role.SECRETARY, now=NOW)
            assert await identities.get(8) == (None, None)
        return found

    monkeypatch.setattr(members, "identity", read_then_commit)
    assert await identities.get(7) == (person, None)
    monkeypatch.setattr(members, "identity", read)
    assert await identities.get(7) == (person.model_copy(update={"role": Role.SECRETARY}), None)
