"""Writes to members and branches record their own audit entries, in their transaction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import audit, branches, members
from storage.database import Database
from storage.members import Role

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_member_and_branch_writes_are_audited(db: Database) -> None:
    async with db.transaction() as tx:
        admin = await members.create(
            tx, telegram_id=1, name="赵主任", role=Role.ADMIN, branch_id=None, now=NOW,
            action="admin.bootstrap",
        )  # fmt: skip
        branch = await branches.create(tx, " 第一中学党支部 ", now=NOW, actor_id=admin.id)
        joined = {"invite_id": 3, "role": "member", "branch_id": branch.id}
        person = await members.create(
            tx, telegram_id=7, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW,
            detail=joined,
        )  # fmt: skip
        await members.set_post(tx, person.id, "班主任", now=NOW)
        await members.set_role(tx, person.id, Role.SECRETARY, now=NOW, invite_id=4, to="secretary")
        assert await members.mark_left(
            tx, person.id, now=NOW, actor_id=admin.id, branch_id=branch.id
        )
        # Gone already: nothing changes and nothing more is recorded.
        assert not await members.mark_left(
            tx, person.id, now=NOW, actor_id=admin.id, branch_id=branch.id
        )
        await members.mark_left(
            tx, admin.id, now=NOW, action="inspection.inspector_removed",
            entity="inspection_group", entity_id=5, member_id=admin.id,
        )  # fmt: skip
    async with db.read() as conn:
        entries = [
            (e.actor_id, e.action, e.entity, e.entity_id, e.detail)
            for e in reversed(await audit.recent(conn))
        ]
        left = await members.get(conn, person.id)
    assert left is not None and (left.status, left.role, left.post) == (
        "left",
        Role.SECRETARY,
        "班主任",
    )
    member_id, admin_id, branch_id = str(person.id), str(admin.id), str(branch.id)
    assert entries == [
        (admin.id, "admin.bootstrap", "member", admin_id, {}),
        (admin.id, "branch.created", "branch", branch_id, {"name": "第一中学党支部"}),
        (person.id, "member.joined", "member", member_id, joined),
        (person.id, "member.post_set", "member", member_id, {"post": "班主任"}),
        (person.id, "member.promoted", "member", member_id, {"invite_id": 4, "to": "secretary"}),
        (admin.id, "member.removed", "member", member_id, {"branch_id": branch.id}),
        (None, "inspection.inspector_removed", "inspection_group", "5", {"member_id": admin.id}),
    ]


async def test_linking_and_unlinking_a_notice_chat_is_audited(db: Database) -> None:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=NOW)
        secretary = await members.create(
            tx, telegram_id=7, name="李红梅", role=Role.SECRETARY, branch_id=branch.id, now=NOW
        )
        await branches.set_notice_chat(tx, branch.id, -100, actor_id=secretary.id, now=NOW)
        await branches.set_notice_chat(tx, branch.id, None, actor_id=None, now=NOW, failed="403")
        linked = await branches.get(tx, branch.id)
    async with db.read() as conn:
        entries = [
            (e.actor_id, e.action, e.detail)
            for e in await audit.for_entity(conn, "branch", branch.id)
            if e.action != "branch.created"
        ]
    assert linked is not None and linked.notice_chat_id is None
    assert entries == [
        (secretary.id, "branch.notice_set", {"chat_id": -100}),
        (None, "branch.notice_unset", {"chat_id": None, "failed": "403"}),
    ]
