"""Failure modes of /meeting, /meetings and /safety: strangers, wrong roles, the other
branch, forged buttons naming someone else's record, group chats, locked records.

Records are made straight through storage (the flows are tested in tests/test_meetings.py);
``check`` asserts the record was left as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from storage import meetings, members, party_groups, safety
from storage.meetings import MeetingFields, MeetingKind, MeetingStatus
from storage.safety import DrillFields, DrillKind, LessonFields, SafetyTopic
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
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


async def _group(h: Harness) -> None:
    """Branch 1's party group 第一党小组, with its secretary in it."""
    secretary, _ = await _branch_one(h)
    async with h.db.transaction() as tx:
        group = await party_groups.create(
            tx, branch_id=1, name="第一党小组", actor_id=secretary, now=h.clock.now()
        )
        await party_groups.set_member(
            tx, group, secretary, True, actor_id=secretary, now=h.clock.now()
        )


async def _newest(h: Harness, table: str) -> int:
    async with h.db.read() as conn, conn.execute(f"SELECT MAX(id) FROM {table}") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] is not None
    return int(row[0])


async def _meeting_id(h: Harness) -> int:
    return await _newest(h, "meetings")


async def _other_member_id(h: Harness) -> int:
    async with (
        h.db.read() as conn,
        conn.execute("SELECT id FROM members WHERE telegram_id = ?", (OTHER_MEMBER.id,)) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


OTHER = object()  # in a button: the other branch's member's id


def _press(actor: FakeUser, action: str, *extra: object, of: str = "meetings") -> Any:
    """``actor`` presses ``mt:<action>:<newest meeting (or group)>[:extra]``."""

    async def press(h: Harness) -> object:
        parts = [await _newest(h, of)]
        parts += [await _other_member_id(h) if part is OTHER else part for part in extra]
        return await h.callback(actor, ":".join(["mt", action, *map(str, parts)]))

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


async def _group_kept(h: Harness) -> None:
    async with h.db.read() as conn:
        group = await party_groups.get(conn, await _newest(h, "party_groups"))
        assert group is not None
        assert len(await party_groups.member_ids(conn, group.id)) == 1


async def _still_expected(h: Harness) -> None:
    await _status(MeetingStatus.DRAFT)(h)
    async with h.db.read() as conn:
        expected = await meetings.attendees(conn, await _meeting_id(h))
    assert len(expected) == 3 and all(a.voting for a in expected)


async def _no_drills(h: Harness) -> None:
    async with h.db.read() as conn, conn.execute("SELECT COUNT(*) FROM safety_drills") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0


# Commands: (name, actor, what they type, chat, the refusal).
_COMMANDS: list[tuple[str, FakeUser, str, dict[str, Any] | None, str]] = [
    ("stranger /meeting", STRANGER, "/meeting", None, "refuse.stranger"),
    ("member /meeting", MEMBER, "/meeting", None, "refuse.role"),
    ("admin /meeting", ADMIN, "/meeting", None, "refuse.role"),
    ("/meeting in a group", SECRETARY, "/meeting", GROUP, "refuse.private_only"),
    ("stranger /meetings", STRANGER, "/meetings", None, "refuse.stranger"),
    ("stranger /safety", STRANGER, "/safety", None, "refuse.stranger"),
    ("admin /safety", ADMIN, "/safety", None, "refuse.role"),
    ("member /safety branch", MEMBER, "/safety branch", None, "refuse.role"),
    ("/safety in a group", MEMBER, "/safety", GROUP, "refuse.private_only"),
]

# Buttons with fixed data: (name, actor, callback data, the refusal, check).
_BUTTONS: list[tuple[str, FakeUser, str, str, Any]] = [
    ("member presses a new-meeting button", MEMBER, "mt:new:committee", "refuse.role", None),
    ("forged meeting type", SECRETARY, "mt:new:party", "refuse.bad_button", None),
    ("member opens the party groups", MEMBER, "mt:grp", "refuse.role", None),
    ("member logs a school drill", MEMBER, "sf:school", "refuse.role", _no_drills),
]

# Buttons naming the newest record: (name, actor, action and extra parts, the refusal,
# setup, check). ``_press`` puts the record's id first.
D, SUB, A = MeetingStatus.DRAFT, MeetingStatus.SUBMITTED, MeetingStatus.APPROVED
_RECORDS: list[tuple[str, FakeUser, tuple[object, ...], str, Any, Any]] = [
    # The other branch's secretary and members.
    ("other secretary opens a record", OTHER_SECRETARY, ("open",), "refuse.other_branch",
     _draft, _status(D)),
    ("other secretary submits a record", OTHER_SECRETARY, ("sub",), "refuse.other_branch",
     _draft, _status(D)),
    ("other secretary withdraws a record", OTHER_SECRETARY, ("wd",), "refuse.other_branch",
     _draft, _status(D)),
    ("member taps attendance", MEMBER, ("tog", 1), "refuse.role", _draft, _status(D)),
    ("other branch's member answers an announcement", OTHER_MEMBER, ("yes",),
     "refuse.other_branch", _announced, _no_replies),
    ("secretary marks someone of another branch", SECRETARY, ("tog", OTHER),
     "mt.problem.not_expected", _draft, _status(D)),
    ("secretary picks a chair from another branch", SECRETARY, ("pick", "chair", OTHER),
     "mt.problem.person_not_in_branch", _draft, _status(D)),
    # Who is expected, and who has a vote.
    ("other secretary changes who is expected", OTHER_SECRETARY, ("ev", 1),
     "refuse.other_branch", _draft, _still_expected),
    ("member changes who has a vote", MEMBER, ("ev", 1), "refuse.role", _draft,
     _still_expected),
    ("secretary expects someone of another branch", SECRETARY, ("ev", OTHER),
     "mt.problem.not_in_branch", _draft, _still_expected),
    ("changing who is expected once approved", SECRETARY, ("exp",), "mt.locked", _approved,
     _status(A)),
    # Review is the bureau's.
    ("secretary approves their own record", SECRETARY, ("ok",), "refuse.role", _submitted,
     _status(SUB)),
    ("member returns a record", MEMBER, ("ret",), "refuse.role", _submitted, _status(SUB)),
    ("approving twice", ADMIN, ("ok",), "mt.locked", _approved, _status(A)),
    # Locked and not-yet records.
    ("editing an approved record", SECRETARY, ("f", "topic"), "mt.locked", _approved,
     _status(A)),
    ("forged field name", SECRETARY, ("f", "status"), "refuse.bad_button", _draft, _status(D)),
    ("recording an announced meeting before its day", SECRETARY, ("held",), "mt.locked",
     _announced, _status(MeetingStatus.ANNOUNCED)),
    ("make-up for a meeting that is no lecture", MEMBER, ("mk",),
     "mt.problem.makeup_not_lecture", _approved, None),
]  # fmt: skip

# Buttons naming branch 1's party group: (name, actor, action and extra parts, refusal).
_GROUPS: list[tuple[str, FakeUser, tuple[object, ...], str]] = [
    ("other secretary opens a party group", OTHER_SECRETARY, ("g",), "refuse.other_branch"),
    ("other secretary puts someone in a party group", OTHER_SECRETARY, ("gt", 2),
     "refuse.other_branch"),
    ("other secretary asks to remove a party group", OTHER_SECRETARY, ("gdel",),
     "refuse.other_branch"),
    ("other secretary removes a party group", OTHER_SECRETARY, ("gdelok",),
     "refuse.other_branch"),
    ("member removes a party group", MEMBER, ("gdelok",), "refuse.role"),
    ("member puts themself in a party group", MEMBER, ("gt", 2), "refuse.role"),
    ("secretary puts someone of another branch in a party group", SECRETARY, ("gt", OTHER),
     "mt.problem.group_member_not_in_branch"),
]  # fmt: skip


async def _lesson(h: Harness) -> None:
    """王老师's lesson #1 and the school drill #1 the secretary logged with him."""
    async with h.db.transaction() as tx:
        member = await members.get_active_by_telegram(tx, MEMBER.id)
        secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
        assert member is not None and member.branch_id is not None and secretary is not None
        await safety.log_lesson(
            tx, member_id=member.id, branch_id=member.branch_id, now=h.clock.now(),
            fields=LessonFields(on_date=date(2026, 11, 20), class_name="三(2)班",
                                topic=SafetyTopic.FIRE, students=40, today=TODAY),
        )  # fmt: skip
        await safety.log_school_drill(
            tx, branch_id=member.branch_id, participant_ids=[member.id], actor_id=secretary.id,
            fields=DrillFields(on_date=date(2026, 11, 12), kind=DrillKind.EARTHQUAKE, today=TODAY),
            now=h.clock.now(),
        )  # fmt: skip


async def _withdrawn_lesson(h: Harness) -> None:
    await _lesson(h)
    async with h.db.transaction() as tx:
        lesson = await safety.get_lesson(tx, 1)
        assert lesson is not None
        await safety.withdraw_lesson(
            tx, 1, member_id=lesson.member_id, now=h.clock.now(), today=TODAY
        )


async def _last_term_lesson(h: Harness) -> None:
    """王老师's lesson and the school drill of the autumn term, with the clock in spring."""
    await _lesson(h)
    h.clock.set(datetime(2027, 3, 2, 2, 0, tzinfo=UTC))


async def _safety_kept(h: Harness) -> None:
    async with h.db.read() as conn:
        lesson, drill = await safety.get_lesson(conn, 1), await safety.get_drill(conn, 1)
    assert lesson is not None and lesson.status == "active"
    assert drill is not None and drill.status == "active"


# Withdrawing a safety record (王老师's lesson #1, the secretary's school drill #1):
# (name, actor, callback data, the refusal, setup, check).
_SAFETY: list[tuple[str, FakeUser, str, str, Any, Any]] = [
    ("another member withdraws a lesson", MEMBER2, "sf:wdok:lesson:1", "sf.withdraw.not_yours",
     _lesson, _safety_kept),
    ("the secretary withdraws a member's lesson", SECRETARY, "sf:wdok:lesson:1",
     "sf.withdraw.not_yours", _lesson, _safety_kept),
    ("a participant withdraws the school drill", MEMBER, "sf:wdok:drill:1",
     "sf.withdraw.not_yours", _lesson, _safety_kept),
    ("a participant asks to withdraw the school drill", MEMBER, "sf:wd:drill:1",
     "sf.withdraw.not_yours", _lesson, _safety_kept),
    ("other branch's member withdraws a lesson", OTHER_MEMBER, "sf:wdok:lesson:1",
     "refuse.other_branch", _lesson, _safety_kept),
    ("other secretary withdraws a school drill", OTHER_SECRETARY, "sf:wdok:drill:1",
     "refuse.other_branch", _lesson, _safety_kept),
    ("admin withdraws a lesson", ADMIN, "sf:wdok:lesson:1", "refuse.role", _lesson,
     _safety_kept),
    ("stranger withdraws a lesson", STRANGER, "sf:wdok:lesson:1", "refuse.stranger", _lesson,
     _safety_kept),
    ("withdrawing a lesson twice", MEMBER, "sf:wdok:lesson:1", "sf.withdraw.already",
     _withdrawn_lesson, None),
    ("keeping a withdrawn lesson", MEMBER, "sf:wdno:lesson:1", "sf.withdraw.already",
     _withdrawn_lesson, None),
    ("forged record kind", MEMBER, "sf:wdok:meeting:1", "refuse.bad_button", _lesson,
     _safety_kept),
    ("asking to withdraw last term's lesson", MEMBER, "sf:wd:lesson:1", "sf.withdraw.past_term",
     _last_term_lesson, _safety_kept),
    ("withdrawing last term's lesson", MEMBER, "sf:wdok:lesson:1", "sf.withdraw.past_term",
     _last_term_lesson, _safety_kept),
    ("keeping last term's lesson", MEMBER, "sf:wdno:lesson:1", "sf.withdraw.past_term",
     _last_term_lesson, _safety_kept),
    ("withdrawing last term's school drill", SECRETARY, "sf:wdok:drill:1",
     "sf.withdraw.past_term", _last_term_lesson, _safety_kept),
]  # fmt: skip


def _group_press(actor: FakeUser, data: str) -> Any:
    return lambda h: h.process(actor, h.updates.callback(actor, data, chat=GROUP))


CASES = (
    [
        Case(name, actor, lambda h, a=actor, text=text, chat=chat: h.send(a, text, chat=chat),
             expect)
        for name, actor, text, chat, expect in _COMMANDS
    ]
    + [
        Case(name, actor, lambda h, a=actor, d=data: h.callback(a, d), expect, check=check)
        for name, actor, data, expect, check in _BUTTONS
    ]
    + [
        Case(name, actor, _press(actor, *parts), expect, setup=setup, check=check)
        for name, actor, parts, expect, setup, check in _RECORDS
    ]
    + [
        Case(name, actor, _press(actor, *parts, of="party_groups"), expect, setup=_group,
             check=_group_kept)
        for name, actor, parts, expect in _GROUPS
    ]
    + [
        Case(name, actor, lambda h, a=actor, d=data: h.callback(a, d), expect, setup=setup,
             check=check)
        for name, actor, data, expect, setup, check in _SAFETY
    ]
    + [
        Case("withdrawing a lesson in a group", MEMBER, _group_press(MEMBER, "sf:wdok:lesson:1"),
             "refuse.private_only", setup=_lesson, check=_safety_kept),
        Case("the term's records in a group", MEMBER, _group_press(MEMBER, "sf:mine"),
             "refuse.private_only"),
    ]
)  # fmt: skip
