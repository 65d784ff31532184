"""三会一课 records without Telegram: model rules, lifecycle, locking, quorum, compliance."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import SettingsError, load_settings
from storage import Database, audit, meetings, members, party_groups
from storage.answers import Answer
from storage.meetings import (
    Attendance,
    Frequency,
    IllegalTransition,
    MeetingFields,
    MeetingFrequencies,
    MeetingKind,
    MeetingProblem,
    MeetingStatus,
    PeriodState,
    Presence,
    parse_frequencies,
    problem_code,
)
from storage.members import Role

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def fields(**changes: Any) -> MeetingFields:
    base: dict[str, Any] = {
        "kind": MeetingKind.COMMITTEE,
        "on_date": date(2026, 11, 20),
        "start_time": time(15, 0),
        "end_time": time(16, 30),
        "place": "党员活动室",
        "topic": "学习党的二十届三中全会精神",
        "chair_name": "李红梅",
        "recorder_name": "王老师",
        "key_points": "传达学习，交流发言",
    }
    return MeetingFields.model_validate({**base, **changes})


# --------------------------------------------------------------------------- the model


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"topic": "学"}, "topic_length"),
        ({"topic": "学" * 101}, "topic_length"),
        ({"place": " "}, "place_length"),
        ({"start_time": time(16, 0), "end_time": time(15, 0)}, "time_order"),
        ({"lecturer_name": "张老师"}, "lecturer_not_lecture"),
        ({"votes_for": 3}, "votes_without_decision"),
        ({"chair_name": "Li3"}, "name"),
        ({"observers": ["张三", "1"]}, "name"),
        ({"observers": [f"列席人{chr(0x4E00 + i)}" for i in range(21)]}, "observers_many"),
        ({"photos": ["f"] * 11}, "photos_many"),
        ({"key_points": "x" * 2001}, "key_points_length"),
    ],
)
def test_field_rules(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationError) as error:
        fields(**changes)
    assert problem_code(error.value) == code


def test_fields_clean_what_is_typed() -> None:
    typed = fields(topic="  学习   交流 ", observers=["张三", "张三", "李四"], votes_for=5,
                   decisions="通过")  # fmt: skip
    assert typed.topic == "学习 交流"
    assert typed.observers == ["张三", "李四"]
    assert typed.votes_cast == 5


def test_attendance_adds_up_and_quorum() -> None:
    with pytest.raises(ValidationError) as error:
        Attendance(expected=5, present=3, absent=1, voting_expected=5, voting_present=3)
    assert problem_code(error.value) == "counts_mismatch"
    half = Attendance(expected=4, present=2, absent=2, voting_expected=4, voting_present=2)
    assert not half.quorum_met  # exactly half is not more than half
    more = Attendance(expected=5, present=3, absent=2, voting_expected=5, voting_present=3)
    assert more.quorum_met


def test_frequencies() -> None:
    assert MeetingFrequencies().of(MeetingKind.COMMITTEE) is Frequency.MONTHLY
    assert MeetingFrequencies().of(MeetingKind.LECTURE) is Frequency.QUARTERLY
    parsed = parse_frequencies("general=half-yearly; lecture = yearly")
    assert parsed.general is Frequency.HALF_YEARLY and parsed.lecture is Frequency.YEARLY
    assert parsed.committee is Frequency.MONTHLY
    with pytest.raises(ValueError, match="unknown meeting type"):
        parse_frequencies("party=monthly")
    with pytest.raises(ValueError, match="unknown frequency"):
        parse_frequencies("committee=weekly")
    with pytest.raises(SettingsError, match="XIANFENG_MEETING_FREQUENCY"):
        load_settings(meeting_frequency="committee=sometimes")
    quarters = meetings.periods(Frequency.QUARTERLY, 2026)
    assert (quarters[0].start, quarters[0].end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert meetings.period_of(Frequency.MONTHLY, date(2026, 2, 10)).end == date(2026, 2, 28)


# --------------------------------------------------------------------------- the repository


async def _branch(db: Database) -> dict[str, int]:
    """一中 with a secretary and three members; 二中 with one member."""
    async with db.transaction() as tx:
        for name in ("一中", "二中"):
            await tx.execute(
                "INSERT INTO branches (name, created_at) VALUES (?, '2026-09-01T00:00:00+00:00')",
                (name,),
            )
        people = {}
        for tid, name, role, branch in [
            (1, "李红梅", Role.SECRETARY, 1),
            (2, "王老师", Role.MEMBER, 1),
            (3, "张老师", Role.MEMBER, 1),
            (4, "赵老师", Role.MEMBER, 1),
            (5, "外校人", Role.MEMBER, 2),
        ]:
            member = await members.create(
                tx, telegram_id=tid, name=name, role=role, branch_id=branch, now=NOW
            )
            people[name] = member.id
    return people


async def _recorded(db: Database, people: dict[str, int], **changes: Any) -> meetings.Meeting:
    roster = [people[n] for n in ("李红梅", "王老师", "张老师", "赵老师")]
    async with db.transaction() as tx:
        return await meetings.record(
            tx, branch_id=1, fields=fields(chair_id=people["李红梅"], **changes),
            attendee_ids=roster, actor_id=people["李红梅"], today=TODAY, now=NOW,
        )  # fmt: skip


async def _mark_all(db: Database, meeting: meetings.Meeting, absent: set[int]) -> None:
    async with db.transaction() as tx:
        for a in await meetings.attendees(tx, meeting.id):
            presence = Presence.ABSENT if a.member_id in absent else Presence.PRESENT
            reason = "外出培训" if presence is Presence.ABSENT else None
            await meetings.set_presence(
                tx, meeting, a.member_id, presence, reason=reason, actor_id=1, now=NOW
            )


async def test_a_future_meeting_can_only_be_announced(db: Database) -> None:
    people = await _branch(db)
    with pytest.raises(MeetingProblem, match="future"):
        await _recorded(db, people, on_date=date(2026, 12, 3))
    with pytest.raises(MeetingProblem, match="announce_past"):
        async with db.transaction() as tx:
            await meetings.announce(
                tx, branch_id=1, fields=fields(on_date=date(2026, 11, 1)), attendee_ids=[],
                actor_id=1, today=TODAY, now=NOW,
            )  # fmt: skip
    async with db.transaction() as tx:
        ahead = await meetings.announce(
            tx, branch_id=1, fields=fields(on_date=date(2026, 12, 3)),
            attendee_ids=[people["王老师"], people["张老师"]], actor_id=1, today=TODAY, now=NOW,
        )  # fmt: skip
        await meetings.reply(
            tx, ahead, people["王老师"], Answer.LEAVE, reason="带学生参赛", today=TODAY, now=NOW
        )
        await meetings.reply(tx, ahead, people["张老师"], Answer.ATTEND, reason=None, today=TODAY,
                             now=NOW)  # fmt: skip
        with pytest.raises(MeetingProblem, match="reason_length"):
            await meetings.reply(
                tx, ahead, people["张老师"], Answer.LEAVE, reason=None, today=TODAY, now=NOW
            )
        with pytest.raises(MeetingProblem, match="not_expected"):
            await meetings.reply(
                tx, ahead, people["赵老师"], Answer.ATTEND, reason=None, today=TODAY, now=NOW
            )
    assert ahead.status is MeetingStatus.ANNOUNCED and ahead.lineage_id == ahead.id
    # It cannot be marked held before its day ...
    with pytest.raises(IllegalTransition):
        async with db.transaction() as tx:
            await meetings.mark_held(tx, ahead, actor_id=1, today=TODAY, now=NOW)
    # ... and on its day, the one on leave is absent with their reason; the other waits.
    async with db.transaction() as tx:
        held = await meetings.mark_held(tx, ahead, actor_id=1, today=date(2026, 12, 3), now=NOW)
        rows = {a.name: a for a in await meetings.attendees(tx, held.id)}
    assert held.status is MeetingStatus.DRAFT
    assert rows["王老师"].presence is Presence.ABSENT
    assert rows["王老师"].absence_reason == "带学生参赛"
    assert rows["张老师"].presence is None
    with pytest.raises(IllegalTransition):
        async with db.transaction() as tx:
            await meetings.reply(
                tx, held, people["张老师"], Answer.ATTEND, reason=None, today=TODAY, now=NOW
            )


async def test_the_same_meeting_twice_asks_first(db: Database) -> None:
    people = await _branch(db)
    first = await _recorded(db, people)
    with pytest.raises(meetings.SameMeeting) as same:
        await _recorded(db, people)
    assert same.value.existing.id == first.id
    # Another type on that day, or the secretary saying it is another meeting, is fine.
    await _recorded(db, people, kind=MeetingKind.GROUP)
    async with db.transaction() as tx:
        again = await meetings.record(
            tx, branch_id=1, fields=fields(), attendee_ids=[], actor_id=1, today=TODAY,
            now=NOW, allow_same=True,
        )  # fmt: skip
    assert again.id != first.id


async def test_people_outside_the_branch_are_refused_unless_guests(db: Database) -> None:
    people = await _branch(db)
    with pytest.raises(MeetingProblem, match="person_not_in_branch"):
        await _recorded(db, people, recorder_id=people["外校人"], recorder_name="外校人")
    with pytest.raises(MeetingProblem, match="not_in_branch"):
        async with db.transaction() as tx:
            await meetings.record(
                tx, branch_id=1, fields=fields(), attendee_ids=[people["外校人"]], actor_id=1,
                today=TODAY, now=NOW,
            )  # fmt: skip
    # A guest is typed by name, without an id: the record keeps the name.
    guest = await _recorded(db, people, recorder_id=None, recorder_name="陈校长")
    assert guest.recorder_name == "陈校长" and guest.recorder_id is None


async def test_submit_review_and_lock(db: Database) -> None:
    people = await _branch(db)
    meeting = await _recorded(db, people, key_points=None)
    async with db.read() as conn:
        record = await meetings.get_record(conn, meeting.id)
    assert record is not None
    assert record.submit_problems() == ["attendance_unmarked", "key_points_missing"]
    with pytest.raises(MeetingProblem, match="attendance_unmarked"):
        async with db.transaction() as tx:
            await meetings.submit(tx, meeting, actor_id=1, now=NOW)
    await _mark_all(db, meeting, absent={people["赵老师"]})
    async with db.transaction() as tx:
        meeting = await meetings.edit(tx, meeting, actor_id=1, today=TODAY, now=NOW,
                                      key_points="传达学习精神，三位老师交流发言")  # fmt: skip
        submitted = await meetings.submit(tx, meeting, actor_id=1, now=NOW)
    assert submitted.status is MeetingStatus.SUBMITTED
    async with db.read() as conn:
        record = await meetings.get_record(conn, meeting.id)
    assert record is not None and record.attendance == Attendance(
        expected=4, present=3, absent=1, voting_expected=4, voting_present=3
    )
    # Submitted: the record and its attendance wait for review unchanged.
    with pytest.raises(IllegalTransition):
        async with db.transaction() as tx:
            await meetings.edit(tx, submitted, actor_id=1, today=TODAY, now=NOW, topic="改题目")
    with pytest.raises(sqlite3.IntegrityError, match="locked"):
        async with db.transaction() as tx:
            await tx.execute("UPDATE meeting_attendance SET presence = 'present'")
    # Returned with a comment, corrected, submitted again, approved.
    async with db.transaction() as tx:
        with pytest.raises(MeetingProblem, match="note_length"):
            await meetings.return_to_secretary(tx, submitted, actor_id=9, note="x", now=NOW)
        returned = await meetings.return_to_secretary(
            tx, submitted, actor_id=1, note="请补充缺席原因", now=NOW
        )
        assert returned.return_note == "请补充缺席原因"
        await meetings.set_presence(
            tx, returned, people["赵老师"], Presence.ABSENT, reason="病假", actor_id=1, now=NOW
        )
        again = await meetings.submit(tx, returned, actor_id=1, now=NOW)
        approved = await meetings.approve(tx, again, actor_id=1, now=NOW)
    assert approved.status is MeetingStatus.APPROVED and approved.locked
    with pytest.raises(meetings.MeetingChanged):  # a second press finds nothing to do
        async with db.transaction() as tx:
            await meetings.approve(tx, again, actor_id=1, now=NOW)
    with pytest.raises(IllegalTransition):
        async with db.transaction() as tx:
            await meetings.edit(tx, approved, actor_id=1, today=TODAY, now=NOW, topic="改题目")
    with pytest.raises(sqlite3.IntegrityError, match="locked"):
        async with db.transaction() as tx:
            await tx.execute("UPDATE meetings SET topic = '改题目'")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM meetings")
    async with db.read() as conn:
        actions = [e.action for e in await audit.for_entity(conn, "meeting", meeting.id)]
    assert actions[0] == "meeting.recorded" and actions[-1] == "meeting.approved"
    assert actions.count("meeting.submitted") == 2 and "meeting.returned" in actions


async def test_a_correction_is_a_new_version_and_the_old_is_kept(db: Database) -> None:
    people = await _branch(db)
    meeting = await _recorded(db, people)
    await _mark_all(db, meeting, absent=set())
    async with db.transaction() as tx:
        approved = await meetings.approve(
            tx, await meetings.submit(tx, meeting, actor_id=1, now=NOW), actor_id=1, now=NOW
        )
        correction = await meetings.start_correction(tx, approved, actor_id=1, now=NOW)
        with pytest.raises(meetings.CorrectionOpen):
            await meetings.start_correction(tx, approved, actor_id=1, now=NOW)
    assert (correction.version, correction.replaces_id) == (2, approved.id)
    assert correction.lineage_id == approved.lineage_id and correction.topic == approved.topic
    async with db.read() as conn:
        copied = await meetings.attendees(conn, correction.id)
        # Until the correction is approved, the approved version is the one that counts.
        listed = await meetings.for_branch(conn, 1, date(2026, 11, 1), date(2026, 11, 30))
    assert [a.presence for a in copied] == [Presence.PRESENT] * 4
    assert [m.id for m in listed] == [approved.id]
    async with db.transaction() as tx:
        fixed = await meetings.edit(tx, correction, actor_id=1, today=TODAY, now=NOW,
                                    topic="学习党的二十届三中全会精神（更正）")  # fmt: skip
        await meetings.approve(
            tx, await meetings.submit(tx, fixed, actor_id=1, now=NOW), actor_id=1, now=NOW
        )
    async with db.read() as conn:
        kept = await meetings.versions(conn, approved.lineage_id)
        listed = await meetings.for_branch(conn, 1, date(2026, 11, 1), date(2026, 11, 30))
    assert [(m.version, m.status) for m in kept] == [
        (1, MeetingStatus.SUPERSEDED),
        (2, MeetingStatus.APPROVED),
    ]
    assert kept[0].topic == "学习党的二十届三中全会精神"
    assert [m.topic for m in listed] == ["学习党的二十届三中全会精神（更正）"]


async def test_quorum_and_votes(db: Database) -> None:
    people = await _branch(db)
    general = await _recorded(
        db, people, kind=MeetingKind.GENERAL, decisions="同意接收赵老师为预备党员",
        votes_for=2, votes_against=0, votes_abstain=0,
    )  # fmt: skip
    await _mark_all(db, general, absent={people["张老师"], people["赵老师"]})
    async with db.read() as conn:
        record = await meetings.get_record(conn, general.id)
    assert record is not None
    # Two of four with a vote is not more than half: the record says so, and may be filed.
    assert record.quorum_required and record.quorum_met is False
    assert record.submit_problems() == []
    # A probationary member has no vote: two of three is a quorum.
    async with db.transaction() as tx:
        await meetings.set_voting(tx, general, people["赵老师"], False, actor_id=1, now=NOW)
        record = await meetings.get_record(tx, general.id)
    assert record is not None and record.quorum_met is True
    # More votes than voters present is refused.
    async with db.transaction() as tx:
        edited = await meetings.edit(tx, general, actor_id=1, today=TODAY, now=NOW, votes_for=3)
        record = await meetings.get_record(tx, edited.id)
    assert record is not None and record.submit_problems() == ["votes_exceed"]
    # Without decisions no quorum is needed.
    plain = await _recorded(db, people, kind=MeetingKind.GENERAL, on_date=date(2026, 11, 2))
    async with db.read() as conn:
        record = await meetings.get_record(conn, plain.id)
    assert record is not None and not record.quorum_required and record.quorum_met is None


async def test_a_lecture_needs_its_lecturer_and_allows_make_ups(db: Database) -> None:
    people = await _branch(db)
    lecture = await _recorded(db, people, kind=MeetingKind.LECTURE)
    await _mark_all(db, lecture, absent={people["王老师"]})
    async with db.read() as conn:
        record = await meetings.get_record(conn, lecture.id)
    assert record is not None and record.submit_problems() == ["lecturer_missing"]
    async with db.transaction() as tx:
        lecture = await meetings.edit(
            tx, lecture, actor_id=1, today=TODAY, now=NOW, lecturer_id=people["李红梅"],
            lecturer_name="李红梅",
        )  # fmt: skip
        lecture = await meetings.submit(tx, lecture, actor_id=1, now=NOW)
    wang, zhang = people["王老师"], people["张老师"]
    async with db.transaction() as tx:
        for member_id, on, code in [
            (zhang, TODAY, "makeup_not_absent"),
            (wang, date(2026, 11, 19), "makeup_date"),
            (wang, date(2026, 11, 29), "makeup_date"),
        ]:
            with pytest.raises(MeetingProblem, match=code):
                await meetings.record_makeup(
                    tx, lecture, member_id, on_date=on, note="观看党课视频", today=TODAY, now=NOW
                )
        await meetings.record_makeup(
            tx, lecture, wang, on_date=TODAY, note="观看党课视频并写心得", today=TODAY, now=NOW
        )
        with pytest.raises(MeetingProblem, match="makeup_done"):
            await meetings.record_makeup(
                tx, lecture, wang, on_date=TODAY, note="再补一次", today=TODAY, now=NOW
            )
    async with db.read() as conn:
        mine = await meetings.for_member(conn, wang, 2026)
        theirs = await meetings.for_member(conn, zhang, 2026)
    assert [(m.kind, m.presence, m.makeup_on) for m in mine] == [
        (MeetingKind.LECTURE, Presence.ABSENT, TODAY)
    ]
    assert not mine[0].makeup_possible
    assert theirs[0].presence is Presence.PRESENT


async def test_withdrawn_records_and_expected_changes(db: Database) -> None:
    people = await _branch(db)
    meeting = await _recorded(db, people)
    async with db.transaction() as tx:
        await meetings.set_expected(
            tx, meeting, [people["李红梅"], people["王老师"]], actor_id=1, now=NOW
        )
        assert [a.name for a in await meetings.attendees(tx, meeting.id)] == ["李红梅", "王老师"]
        gone = await meetings.withdraw(tx, meeting, actor_id=1, now=NOW)
    assert gone.status is MeetingStatus.WITHDRAWN
    async with db.read() as conn:
        assert await meetings.for_branch(conn, 1, date(2026, 1, 1), date(2026, 12, 31)) == []
        assert await meetings.same_meeting(conn, 1, MeetingKind.COMMITTEE, meeting.on_date) == []


async def test_compliance_per_period(db: Database) -> None:
    people = await _branch(db)
    # 支委会: October recorded and approved, November only a draft; 党课 none this year.
    october = await _recorded(db, people, on_date=date(2026, 10, 15))
    await _mark_all(db, october, absent=set())
    async with db.transaction() as tx:
        await meetings.approve(
            tx, await meetings.submit(tx, october, actor_id=1, now=NOW), actor_id=1, now=NOW
        )
    await _recorded(db, people, on_date=date(2026, 11, 5))
    async with db.transaction() as tx:
        await meetings.announce(
            tx, branch_id=1, fields=fields(kind=MeetingKind.GROUP, on_date=date(2026, 11, 30)),
            attendee_ids=[], actor_id=1, today=TODAY, now=NOW,
        )  # fmt: skip
    async with db.read() as conn:
        board = await meetings.compliance(
            conn, 1, 2026, today=TODAY, frequencies=MeetingFrequencies()
        )
    state = {(p.kind, p.start.month): p.state for p in board}
    assert state[(MeetingKind.COMMITTEE, 10)] is PeriodState.MET
    assert state[(MeetingKind.COMMITTEE, 11)] is PeriodState.UNSUBMITTED
    assert state[(MeetingKind.COMMITTEE, 9)] is PeriodState.SHORT
    assert state[(MeetingKind.COMMITTEE, 12)] is PeriodState.UPCOMING
    assert state[(MeetingKind.GROUP, 11)] is PeriodState.PLANNED
    assert state[(MeetingKind.LECTURE, 10)] is PeriodState.OPEN  # Q4 is under way
    assert state[(MeetingKind.LECTURE, 1)] is PeriodState.SHORT
    assert len([p for p in board if p.kind is MeetingKind.GENERAL]) == 4
    october_line = next(p for p in board if p.kind is MeetingKind.COMMITTEE and p.start.month == 10)
    assert (october_line.recorded, october_line.approved) == (1, 1)

    # Reminders: three days before 30 November, the group meeting is announced and the
    # committee has its draft; the quarter's general meeting and lecture are missing.
    async with db.read() as conn:
        gaps = await meetings.periods_ending_without(
            conn, today=date(2026, 11, 27), within_days=3, frequencies=MeetingFrequencies(),
            branch_ids=[1],
        )  # fmt: skip
        later = await meetings.periods_ending_without(
            conn, today=date(2026, 12, 20), within_days=14, frequencies=MeetingFrequencies()
        )
    assert gaps == []  # November's month ends; the quarter does not end within 3 days
    assert {(g.branch_id, g.kind) for g in later} == {
        (1, MeetingKind.COMMITTEE),
        (1, MeetingKind.GROUP),
        (1, MeetingKind.GENERAL),
        (1, MeetingKind.LECTURE),
        (2, MeetingKind.COMMITTEE),
        (2, MeetingKind.GROUP),
        (2, MeetingKind.GENERAL),
        (2, MeetingKind.LECTURE),
    }
    async with db.read() as conn:
        month_end = await meetings.periods_ending_without(
            conn, today=date(2026, 11, 28), within_days=3, frequencies=MeetingFrequencies(),
            branch_ids=[2],
        )  # fmt: skip
    assert {g.kind for g in month_end} == {MeetingKind.COMMITTEE, MeetingKind.GROUP}


async def test_party_groups_hold_their_own_meetings(db: Database) -> None:
    people = await _branch(db)
    secretary = people["李红梅"]
    async with db.transaction() as tx:
        first = await party_groups.create(
            tx, branch_id=1, name=" 第一 党小组 ", actor_id=secretary, now=NOW
        )
        second = await party_groups.create(tx, branch_id=1, name="第二党小组", actor_id=1, now=NOW)
        other = await party_groups.create(tx, branch_id=2, name="第一党小组", actor_id=5, now=NOW)
        for name in ("王老师", "张老师"):
            await party_groups.set_member(tx, first, people[name], True, actor_id=1, now=NOW)
        # A member is in one group at most: joining the second moves 张老师.
        await party_groups.set_member(tx, second, people["张老师"], True, actor_id=1, now=NOW)
        with pytest.raises(MeetingProblem, match="group_member_not_in_branch"):
            await party_groups.set_member(tx, first, people["外校人"], True, actor_id=1, now=NOW)
        with pytest.raises(MeetingProblem, match="group_name_taken"):
            await party_groups.create(tx, branch_id=1, name="第二党小组", actor_id=1, now=NOW)
    assert first.name == "第一 党小组"
    async with db.read() as conn:
        assert await party_groups.member_ids(conn, first.id) == [people["王老师"]]
        assert await party_groups.assignments(conn, 1) == {
            people["王老师"]: first.id,
            people["张老师"]: second.id,
        }

    # Only a 党小组会 is held by a group, and only by one of its own branch.
    group_meeting = fields(kind=MeetingKind.GROUP)
    async with db.transaction() as tx:
        for kind_fields, group_id in ((fields(), first.id), (group_meeting, other.id)):
            with pytest.raises(MeetingProblem, match="group_unknown"):
                await meetings.record(
                    tx, branch_id=1, fields=kind_fields, attendee_ids=[people["王老师"]],
                    actor_id=secretary, today=TODAY, now=NOW, group_id=group_id,
                )  # fmt: skip
        held = await meetings.record(
            tx, branch_id=1, fields=group_meeting, attendee_ids=[people["王老师"]],
            actor_id=secretary, today=TODAY, now=NOW, group_id=first.id,
        )  # fmt: skip
        # Another group the same day is another meeting; the same group asks first.
        await meetings.record(
            tx, branch_id=1, fields=group_meeting, attendee_ids=[people["张老师"]],
            actor_id=secretary, today=TODAY, now=NOW, group_id=second.id,
        )  # fmt: skip
        with pytest.raises(meetings.SameMeeting):
            await meetings.record(
                tx, branch_id=1, fields=group_meeting, attendee_ids=[people["王老师"]],
                actor_id=secretary, today=TODAY, now=NOW, group_id=first.id,
            )  # fmt: skip
        await party_groups.remove(tx, first, actor_id=1, now=NOW)
    async with db.read() as conn:
        record = await meetings.get_record(conn, held.id)
        assert await party_groups.get(conn, first.id) is None
        assert await party_groups.assignments(conn, 1) == {people["张老师"]: second.id}
    # The removed group's meeting keeps its name.
    assert record is not None and record.group_name == "第一 党小组"


async def test_no_vote_carries_over_to_the_next_meeting(db: Database) -> None:
    people = await _branch(db)
    meeting = await _recorded(db, people)
    async with db.transaction() as tx:
        await meetings.set_voting(tx, meeting, people["赵老师"], False, actor_id=1, now=NOW)
    later = await _recorded(db, people, on_date=date(2026, 11, 25))
    async with db.read() as conn:
        voting = {a.name: a.voting for a in await meetings.attendees(conn, later.id)}
    assert voting == {"李红梅": True, "王老师": True, "张老师": True, "赵老师": False}
