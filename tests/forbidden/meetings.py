"""Failure modes of /meeting, /meetings and /safety: strangers, wrong roles, the other
branch, forged buttons naming someone else's record, group chats, locked records.

Records are made straight through storage (the flows are tested in tests/test_meetings.py);
``check`` asserts the record was left as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from storage import meetings
from storage.meetings import MeetingFields, MeetingKind, MeetingStatus
from tests.conftest import (
    ADMIN,
    MEMBER,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    STRANGER,
    Harness,
)
from tests.fakebot import FakeUser
from tests.forbidden import Case

GROUP = {"id": -100778, "type": "supergroup", "title": "第一中学党员群"}
TODAY = date(2026, 11, 28)


async def _branch_one(h: Harness) -> tuple[int, list[int]]:
    async with (
        h.db.read() as conn,
        conn.execute(
            "SELECT id, branch_id FROM members WHERE telegram_id = ? AND status = 'active'",
            (SECRETARY.id,),
        ) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    async with h.db.read() as conn:
        roster = await meetings.branch_members(conn, int(row[1]))
    return int(row[0]), [m.id for m in roster]


async def _draft(h: Harness, on: date = date(2026, 11, 20)) -> None:
    """A 支委会 record of branch 1, everyone marked present and its fields filled."""
    secretary, roster = await _branch_one(h)
    fields = MeetingFields(
        kind=MeetingKind.COMMITTEE, on_date=on, topic="学习交流", chair_name="李红梅",
        recorder_name="王老师", key_points="要点",
    )  # fmt: skip
    async with h.db.transaction() as tx:
        meeting = await meetings.record(
            tx, branch_id=1, fields=fields, attendee_ids=roster, actor_id=secretary,
            today=TODAY, now=h.clock.now(),
        )  # fmt: skip
        for member_id in roster:
            await meetings.set_presence(
                tx, meeting, member_id, meetings.Presence.PRESENT, actor_id=secretary,
                now=h.clock.now(),
            )  # fmt: skip


async def _submitted(h: Harness) -> None:
    await _draft(h)
    async with h.db.transaction() as tx:
        meeting = await meetings.get(tx, await _meeting_id(h))
        assert meeting is not None
        await meetings.submit(tx, meeting, actor_id=meeting.created_by, now=h.clock.now())


async def _approved(h: Harness) -> None:
    await _submitted(h)
    async with h.db.transaction() as tx:
        meeting = await meetings.get(tx, await _meeting_id(h))
        assert meeting is not None
        await meetings.approve(tx, meeting, actor_id=meeting.created_by, now=h.clock.now())


async def _announced(h: Harness) -> None:
    secretary, roster = await _branch_one(h)
    fields = MeetingFields(kind=MeetingKind.GENERAL, on_date=date(2026, 12, 5), topic="讨论")
    async with h.db.transaction() as tx:
        await meetings.announce(
            tx, branch_id=1, fields=fields, attendee_ids=roster, actor_id=secretary,
            today=TODAY, now=h.clock.now(),
        )  # fmt: skip


async def _meeting_id(h: Harness) -> int:
    async with h.db.read() as conn, conn.execute("SELECT MAX(id) FROM meetings") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] is not None
    return int(row[0])


def _press(actor: FakeUser, action: str, *extra: object) -> Any:
    """``actor`` presses ``mt:<action>:<newest meeting>[:extra]``."""

    async def press(h: Harness) -> object:
        parts = [str(await _meeting_id(h)), *map(str, extra)]
        return await h.callback(actor, ":".join(["mt", action, *parts]))

    return press


def _status(expected: MeetingStatus) -> Any:
    async def check(h: Harness) -> None:
        async with h.db.read() as conn:
            meeting = await meetings.get(conn, await _meeting_id(h))
        assert meeting is not None and meeting.status is expected
        assert meeting.topic == "学习交流" or meeting.status is MeetingStatus.ANNOUNCED

    return check


async def _no_replies(h: Harness) -> None:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT COUNT(*) FROM meeting_attendance WHERE reply IS NOT NULL") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and row[0] == 0


async def _no_drills(h: Harness) -> None:
    async with h.db.read() as conn, conn.execute("SELECT COUNT(*) FROM safety_drills") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0


CASES = [
    # Who may start what.
    Case("stranger /meeting", STRANGER, lambda h: h.send(STRANGER, "/meeting"), "refuse.stranger"),
    Case("member /meeting", MEMBER, lambda h: h.send(MEMBER, "/meeting"), "refuse.role"),
    Case("admin /meeting", ADMIN, lambda h: h.send(ADMIN, "/meeting"), "refuse.role"),
    Case(
        "/meeting in a group",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/meeting", chat=GROUP),
        "refuse.private_only",
    ),
    Case(
        "member presses a new-meeting button",
        MEMBER,
        lambda h: h.callback(MEMBER, "mt:new:committee"),
        "refuse.role",
    ),
    Case(
        "forged meeting type",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "mt:new:party"),
        "refuse.bad_button",
    ),
    Case(
        "stranger /meetings", STRANGER, lambda h: h.send(STRANGER, "/meetings"), "refuse.stranger"
    ),
    # The other branch's secretary and members.
    Case(
        "other secretary opens a record",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "open"),
        "refuse.other_branch",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    Case(
        "other secretary submits a record",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "sub"),
        "refuse.other_branch",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    Case(
        "other secretary withdraws a record",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "wd"),
        "refuse.other_branch",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    Case(
        "member taps attendance",
        MEMBER,
        _press(MEMBER, "tog", 1),
        "refuse.role",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    Case(
        "other branch's member answers an announcement",
        OTHER_MEMBER,
        _press(OTHER_MEMBER, "yes"),
        "refuse.other_branch",
        setup=_announced,
        check=_no_replies,
    ),
    Case(
        "secretary marks someone of another branch",
        SECRETARY,
        _press(SECRETARY, "tog", 99),
        "mt.problem.not_expected",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    Case(
        "secretary picks a chair from another branch",
        SECRETARY,
        _press(SECRETARY, "pick", "chair", 5),
        "mt.problem.person_not_in_branch",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    # Review is the bureau's.
    Case(
        "secretary approves their own record",
        SECRETARY,
        _press(SECRETARY, "ok"),
        "refuse.role",
        setup=_submitted,
        check=_status(MeetingStatus.SUBMITTED),
    ),
    Case(
        "member returns a record",
        MEMBER,
        _press(MEMBER, "ret"),
        "refuse.role",
        setup=_submitted,
        check=_status(MeetingStatus.SUBMITTED),
    ),
    Case(
        "approving twice",
        ADMIN,
        _press(ADMIN, "ok"),
        "mt.locked",
        setup=_approved,
        check=_status(MeetingStatus.APPROVED),
    ),
    # Locked and not-yet records.
    Case(
        "editing an approved record",
        SECRETARY,
        _press(SECRETARY, "f", "topic"),
        "mt.locked",
        setup=_approved,
        check=_status(MeetingStatus.APPROVED),
    ),
    Case(
        "forged field name",
        SECRETARY,
        _press(SECRETARY, "f", "status"),
        "refuse.bad_button",
        setup=_draft,
        check=_status(MeetingStatus.DRAFT),
    ),
    Case(
        "recording an announced meeting before its day",
        SECRETARY,
        _press(SECRETARY, "held"),
        "mt.locked",
        setup=_announced,
        check=_status(MeetingStatus.ANNOUNCED),
    ),
    Case(
        "make-up for a meeting that is no lecture",
        MEMBER,
        _press(MEMBER, "mk"),
        "mt.problem.makeup_not_lecture",
        setup=_approved,
    ),
    # /safety
    Case("stranger /safety", STRANGER, lambda h: h.send(STRANGER, "/safety"), "refuse.stranger"),
    Case("admin /safety", ADMIN, lambda h: h.send(ADMIN, "/safety"), "refuse.role"),
    Case(
        "member /safety branch",
        MEMBER,
        lambda h: h.send(MEMBER, "/safety branch"),
        "refuse.role",
    ),
    Case(
        "member logs a school drill",
        MEMBER,
        lambda h: h.callback(MEMBER, "sf:school"),
        "refuse.role",
        check=_no_drills,
    ),
    Case(
        "/safety in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/safety", chat=GROUP),
        "refuse.private_only",
    ),
]
