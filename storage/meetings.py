"""三会一课: branch meeting records with their lifecycle, attendance, quorum and compliance.

The rules live on the models: ``Meeting.check_move`` (draft → submitted → approved or
returned; an approved record is locked, a correction is a new version), ``MeetingFields``
(lengths, times, votes), ``Attendance`` (present + absent = expected, the quorum). The
repository functions below apply them before any SQL runs and audit every change.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, NotRequired, TypedDict, TypeVar, Unpack

import aiosqlite
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storage import audit, lifecycle, members
from storage.answers import Answer
from storage.choices import Choices
from storage.clock import to_iso
from storage.members import PersonName
from storage.problems import InputProblem, code_of
from storage.rows import (
    JsonText,
    Table,
    fetch_all,
    fetch_one,
    fetch_value,
    insert,
    paced,
    required,
)
from storage.terms import Span

TOPIC_MIN, TOPIC_MAX = 2, 100
PLACE_MAX = 60
KEY_POINTS_MAX = 2000
DECISIONS_MAX = 1000
REASON_MAX = 100
NOTE_MIN, NOTE_MAX = 2, 300
MAKEUP_MAX = 200
OBSERVERS_MAX = 20
PHOTOS_MAX = 10
VOTES_MAX = 1000


class MeetingKind(StrEnum):
    GENERAL = "general"  # 支部党员大会
    COMMITTEE = "committee"  # 支委会
    GROUP = "group"  # 党小组会
    LECTURE = "lecture"  # 党课


class MeetingStatus(StrEnum):
    ANNOUNCED = "announced"  # set ahead; members answer 参加/请假
    DRAFT = "draft"  # held; the record is being written
    SUBMITTED = "submitted"  # waiting for the bureau's review
    RETURNED = "returned"  # sent back with a comment
    APPROVED = "approved"  # locked
    SUPERSEDED = "superseded"  # an approved version a later approved correction replaced
    WITHDRAWN = "withdrawn"  # cancelled or discarded before approval


class Presence(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


S = MeetingStatus
TRANSITIONS = lifecycle.transitions(
    MeetingStatus,
    {
        S.ANNOUNCED: {S.DRAFT, S.WITHDRAWN},
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.APPROVED, S.RETURNED},
        S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
        S.APPROVED: {S.SUPERSEDED},
    },
)
# What each move records (see ``lifecycle.Step``).
STEPS = {
    S.DRAFT: lifecycle.Step("meeting.held"),
    S.SUBMITTED: lifecycle.Step("meeting.submitted", ("submitted_at",)),
    S.APPROVED: lifecycle.Step("meeting.approved", ("reviewed_by", "reviewed_at")),
    S.SUPERSEDED: lifecycle.Step("meeting.superseded"),
    S.RETURNED: lifecycle.Step("meeting.returned", ("reviewed_by", "reviewed_at")),
    S.WITHDRAWN: lifecycle.Step("meeting.withdrawn", ("withdrawn_at",)),
}
EDITABLE = frozenset({S.ANNOUNCED, S.DRAFT, S.RETURNED})
# A meeting that took place and whose record left the secretary's hands.
RECORDED = frozenset({S.SUBMITTED, S.RETURNED, S.APPROVED})


# --------------------------------------------------------------------------- problems


class MeetingProblem(InputProblem):
    """Input a meeting record cannot hold; ``code`` names the message to show."""


class IllegalTransition(lifecycle.IllegalTransition):
    record = "meeting"


class MeetingChanged(Exception):
    """The record changed since it was read (a double press, a second reviewer)."""


class SameMeeting(Exception):
    """A record of this type on this date exists: is the new one a correction?"""

    def __init__(self, existing: Meeting) -> None:
        super().__init__(f"meeting {existing.id} has the same type and date")
        self.existing = existing


class CorrectionOpen(Exception):
    """A correction of this approved record is already being written."""

    def __init__(self, existing: Meeting) -> None:
        super().__init__(f"correction {existing.id} is open")
        self.existing = existing


def problem_code(error: ValidationError) -> str:
    """The ``MeetingProblem`` code behind a pydantic error, or ``invalid``."""
    return code_of(error, MeetingProblem)


def clean_line(value: str, low: int, high: int, code: str) -> str:
    """One line of text, spaces collapsed, ``low``..``high`` characters."""
    text = " ".join(value.split())
    if not low <= len(text) <= high:
        raise MeetingProblem(code)
    return text


def clean_text(value: str | None, high: int, code: str) -> str | None:
    """Several lines kept as typed (trimmed); ``None`` when empty."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > high:
        raise MeetingProblem(code)
    return text or None


def clean_name(value: str) -> str:
    """A guest's name (chair, recorder, lecturer or 列席) as a real name is checked."""
    try:
        return PersonName(value=value).value
    except ValidationError as exc:
        raise MeetingProblem("name") from exc


# --------------------------------------------------------------------------- models


class MeetingFields(BaseModel):
    """What a secretary enters about one meeting, with the rules every version keeps."""

    kind: MeetingKind
    on_date: date
    start_time: time | None = None
    end_time: time | None = None
    place: str | None = None
    topic: str
    chair_id: int | None = None
    chair_name: str | None = None
    recorder_id: int | None = None
    recorder_name: str | None = None
    lecturer_id: int | None = None
    lecturer_name: str | None = None
    observers: Annotated[list[str], JsonText] = []
    key_points: str | None = None
    decisions: str | None = None
    votes_for: int | None = Field(default=None, ge=0, le=VOTES_MAX)
    votes_against: int | None = Field(default=None, ge=0, le=VOTES_MAX)
    votes_abstain: int | None = Field(default=None, ge=0, le=VOTES_MAX)
    photos: Annotated[list[str], JsonText] = []

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        return clean_line(value, TOPIC_MIN, TOPIC_MAX, "topic_length")

    @field_validator("place")
    @classmethod
    def _place(cls, value: str | None) -> str | None:
        return None if value is None else clean_line(value, 1, PLACE_MAX, "place_length")

    @field_validator("chair_name", "recorder_name", "lecturer_name")
    @classmethod
    def _person(cls, value: str | None) -> str | None:
        return None if value is None else clean_name(value)

    @field_validator("observers")
    @classmethod
    def _observers(cls, value: list[str]) -> list[str]:
        if len(value) > OBSERVERS_MAX:
            raise MeetingProblem("observers_many")
        names = [clean_name(name) for name in value]
        return list(dict.fromkeys(names))  # one each, in the order typed

    @field_validator("key_points")
    @classmethod
    def _key_points(cls, value: str | None) -> str | None:
        return clean_text(value, KEY_POINTS_MAX, "key_points_length")

    @field_validator("decisions")
    @classmethod
    def _decisions(cls, value: str | None) -> str | None:
        return clean_text(value, DECISIONS_MAX, "decisions_length")

    @field_validator("photos")
    @classmethod
    def _photos(cls, value: list[str]) -> list[str]:
        if len(value) > PHOTOS_MAX:
            raise MeetingProblem("photos_many")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MeetingFields:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise MeetingProblem("time_order")
        if self.chair_id is not None and self.chair_name is None:
            raise MeetingProblem("name")
        if self.recorder_id is not None and self.recorder_name is None:
            raise MeetingProblem("name")
        if self.kind is not MeetingKind.LECTURE and self.lecturer_name is not None:
            raise MeetingProblem("lecturer_not_lecture")
        if self.has_votes and self.decisions is None:
            raise MeetingProblem("votes_without_decision")
        return self

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))

    @property
    def votes_cast(self) -> int:
        return (self.votes_for or 0) + (self.votes_against or 0) + (self.votes_abstain or 0)

    def content(self) -> dict[str, Any]:
        return self.model_dump(include=set(MeetingFields.model_fields))


class Meeting(MeetingFields):
    id: int
    lineage_id: int
    version: int
    replaces_id: int | None = None
    branch_id: int
    group_id: int | None = None  # the party group a 党小组会 expected (None: the branch)
    status: MeetingStatus
    announced_at: datetime | None = None
    submitted_at: datetime | None = None
    return_note: str | None = None
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    created_by: int
    created_at: datetime
    updated_at: datetime

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def locked(self) -> bool:
        return self.status in (S.APPROVED, S.SUPERSEDED)

    @property
    def is_correction(self) -> bool:
        return self.replaces_id is not None

    def check_move(self, target: MeetingStatus, *, today: date | None = None) -> None:
        """Raise ``IllegalTransition`` unless the lifecycle allows this move now."""
        IllegalTransition.check(TRANSITIONS, self.status, target)
        if target is S.DRAFT and (today is None or self.on_date > today):
            # An announced meeting is recorded as held only once its day has come.
            raise IllegalTransition(self.status, target, "(the meeting is still ahead)")

    def edited(self, today: date, **changes: Any) -> Meeting:
        """A copy with new content, validated; refused once submitted."""
        if not self.editable:
            raise IllegalTransition(self.status, self.status, "(the record is fixed)")
        unknown = set(changes) - set(MeetingFields.model_fields)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        new = Meeting.model_validate({**self.model_dump(), **changes})
        check_date(new.on_date, today, announced=new.status is S.ANNOUNCED)
        return new


def check_date(on_date: date, today: date, *, announced: bool) -> None:
    """A held meeting is not in the future; an announced one is not in the past."""
    if announced and on_date < today:
        raise MeetingProblem("announce_past")
    if not announced and on_date > today:
        raise MeetingProblem("future")


class Attendee(BaseModel):
    """One person expected at one version of a meeting."""

    meeting_id: int
    member_id: int
    name: str
    telegram_id: int
    voting: bool = True
    reply: Answer | None = None
    reply_reason: str | None = None
    replied_at: datetime | None = None
    presence: Presence | None = None
    absence_reason: str | None = None
    marked_by: int | None = None
    marked_at: datetime | None = None


class Attendance(BaseModel):
    """The counts a record states: 应到, 实到, 缺席, and those with a vote."""

    model_config = ConfigDict(frozen=True)

    expected: int = Field(ge=0)
    present: int = Field(ge=0)
    absent: int = Field(ge=0)
    voting_expected: int = Field(ge=0)
    voting_present: int = Field(ge=0)

    @model_validator(mode="after")
    def _adds_up(self) -> Attendance:
        if self.present + self.absent != self.expected:
            raise MeetingProblem("counts_mismatch")
        if self.voting_present > self.voting_expected or self.voting_present > self.present:
            raise MeetingProblem("counts_mismatch")
        return self

    @property
    def quorum_met(self) -> bool:
        """More than half of those with a vote are present."""
        return self.voting_present * 2 > self.voting_expected

    @classmethod
    def of(cls, attendees: list[Attendee]) -> Attendance:
        """Counts from marked attendees; ``attendance_unmarked`` while someone is not."""
        if any(a.presence is None for a in attendees):
            raise MeetingProblem("attendance_unmarked")
        present = [a for a in attendees if a.presence is Presence.PRESENT]
        return cls(
            expected=len(attendees),
            present=len(present),
            absent=len(attendees) - len(present),
            voting_expected=sum(a.voting for a in attendees),
            voting_present=sum(a.voting for a in present),
        )


class MeetingRecord(BaseModel):
    """A version with its attendees: what the review and the ledger show."""

    meeting: Meeting
    attendees: list[Attendee]
    group_name: str | None = None

    @property
    def unmarked(self) -> list[Attendee]:
        return [a for a in self.attendees if a.presence is None]

    @property
    def attendance(self) -> Attendance | None:
        try:
            return Attendance.of(self.attendees)
        except MeetingProblem:
            return None

    @property
    def quorum_required(self) -> bool:
        """A general meeting that decided something needs its quorum."""
        return self.meeting.kind is MeetingKind.GENERAL and self.meeting.decisions is not None

    @property
    def quorum_met(self) -> bool | None:
        """None when no quorum is needed or attendance is not complete yet."""
        counts = self.attendance
        if not self.quorum_required or counts is None:
            return None
        return counts.quorum_met

    def submit_problems(self) -> list[str]:
        """What stops this record from being submitted, as message codes; [] when ready."""
        m = self.meeting
        problems: list[str] = []
        if not self.attendees:
            problems.append("no_attendees")
        elif self.unmarked:
            problems.append("attendance_unmarked")
        if m.chair_name is None:
            problems.append("chair_missing")
        if m.recorder_name is None:
            problems.append("recorder_missing")
        if m.kind is MeetingKind.LECTURE and m.lecturer_name is None:
            problems.append("lecturer_missing")
        if m.key_points is None:
            problems.append("key_points_missing")
        counts = self.attendance
        if counts is not None and m.has_votes and m.votes_cast > counts.voting_present:
            problems.append("votes_exceed")
        return problems


class MemberMeeting(BaseModel):
    """A meeting a member was expected at, as their own list shows it."""

    lineage_id: int
    meeting_id: int
    kind: MeetingKind
    on_date: date
    topic: str
    status: MeetingStatus
    reply: Answer | None = None
    presence: Presence | None = None
    absence_reason: str | None = None
    makeup_on: date | None = None
    makeup_note: str | None = None

    @property
    def makeup_possible(self) -> bool:
        return (
            self.kind is MeetingKind.LECTURE
            and self.presence is Presence.ABSENT
            and self.makeup_on is None
            and self.status in RECORDED
        )


class Makeup(BaseModel):
    id: int
    lineage_id: int
    member_id: int
    on_date: date
    note: str
    created_at: datetime


# --------------------------------------------------------------------------- frequency


class MeetingFrequencies(Choices[MeetingKind, Frequency]):
    """How often each kind of meeting is required (a deployment setting; defaults from
    common practice, to be confirmed with the bureau's own rules)."""

    names, values, labels = MeetingKind, Frequency, ("meeting type", "frequency")

    general: Frequency = Frequency.QUARTERLY
    committee: Frequency = Frequency.MONTHLY
    group: Frequency = Frequency.MONTHLY
    lecture: Frequency = Frequency.QUARTERLY


# ``"committee=monthly,general=quarterly"`` → settings; kinds not named keep defaults.
parse_frequencies = MeetingFrequencies.parse


_MONTHS_PER = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


@functools.cache
def periods(frequency: Frequency, year: int) -> tuple[Span, ...]:
    """The year cut into the frequency's periods (months, quarters, halves or the year);
    worked out once (the digests of the 1st ask for every branch and kind)."""
    step = _MONTHS_PER[frequency]
    spans = []
    for first in range(1, 13, step):
        start = date(year, first, 1)
        last_month = first + step - 1
        end = _month_end(year, last_month)
        spans.append(Span(start, end))
    return tuple(spans)


def period_of(frequency: Frequency, day: date) -> Span:
    return next(span for span in periods(frequency, day.year) if span.contains(day))


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


class PeriodState(StrEnum):
    MET = "met"  # a record submitted or approved
    UNSUBMITTED = "unsubmitted"  # held, but its record is still a draft
    PLANNED = "planned"  # announced for a day still ahead in the period
    OPEN = "open"  # under way, nothing yet
    SHORT = "short"  # over without its meeting
    UPCOMING = "upcoming"  # not begun


class PeriodCompliance(BaseModel):
    kind: MeetingKind
    group: str | None = None  # the party group a 党小组会 line is about (None: the branch)
    frequency: Frequency
    start: date
    end: date
    recorded: int
    approved: int
    state: PeriodState


# --------------------------------------------------------------------------- writes


class NewMeeting(TypedDict):
    """What ``announce`` and ``record`` are given about a meeting."""

    branch_id: int
    fields: MeetingFields
    attendee_ids: list[int]
    actor_id: int
    today: date
    now: datetime
    group_id: NotRequired[int | None]


async def announce(tx: aiosqlite.Connection, **new: Unpack[NewMeeting]) -> Meeting:
    """Set a meeting ahead; members expected answer 参加/请假."""
    return await _create(tx, new, status=S.ANNOUNCED, allow_same=True)


async def record(
    tx: aiosqlite.Connection, *, allow_same: bool = False, **new: Unpack[NewMeeting]
) -> Meeting:
    """Start the record of a meeting that was held. ``SameMeeting`` when one of the same
    type and date (and party group) exists, unless the secretary said it is another
    meeting."""
    return await _create(tx, new, status=S.DRAFT, allow_same=allow_same)


async def _create(
    tx: aiosqlite.Connection, new: NewMeeting, *, status: MeetingStatus, allow_same: bool
) -> Meeting:
    branch_id, fields, attendee_ids = new["branch_id"], new["fields"], new["attendee_ids"]
    group_id, actor_id, now = new.get("group_id"), new["actor_id"], new["now"]
    check_date(fields.on_date, new["today"], announced=status is S.ANNOUNCED)
    if not allow_same:
        same = await same_meeting(tx, branch_id, fields.kind, fields.on_date, group_id)
        if same:
            raise SameMeeting(same[0])
    if group_id is not None:
        await _check_group(tx, branch_id, fields.kind, group_id)
    await _check_people(tx, branch_id, fields)
    await _check_branch_members(tx, branch_id, attendee_ids)
    stamp = to_iso(now)
    meeting_id = await insert(
        tx,
        f"INSERT INTO meetings ({_CONTENT_COLUMNS}, branch_id, group_id, status, announced_at,"
        f" created_by, created_at, updated_at) VALUES ({_CONTENT_MARKS}, ?, ?, ?, ?, ?, ?, ?)",
        (
            *_content_values(fields),
            branch_id,
            group_id,
            status.value,
            stamp if status is S.ANNOUNCED else None,
            actor_id,
            stamp,
            stamp,
        ),
    )
    await tx.execute("UPDATE meetings SET lineage_id = id WHERE id = ?", (meeting_id,))
    await _add_attendees(tx, meeting_id, attendee_ids)
    action = "meeting.announced" if status is S.ANNOUNCED else "meeting.recorded"
    await audit.record(
        tx, at=now, actor_id=actor_id, action=action, entity="meeting", entity_id=meeting_id,
        kind=fields.kind.value, on_date=fields.on_date.isoformat(), expected=len(attendee_ids),
    )  # fmt: skip
    return await _get_or_fail(tx, meeting_id)


async def edit(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    *,
    actor_id: int,
    today: date,
    now: datetime,
    **changes: Any,
) -> Meeting:
    """Change the content of an announced, draft or returned record."""
    new = meeting.edited(today, **changes)
    await _check_people(tx, meeting.branch_id, new)
    assignments = ", ".join(f"{name} = ?" for name in MeetingFields.model_fields)
    await audit.changed(
        tx,
        f"UPDATE meetings SET {assignments}, updated_at = ? WHERE id = ? AND status = ?"
        " AND updated_at = ?",
        (
            *_content_values(new),
            to_iso(now),
            meeting.id,
            meeting.status.value,
            to_iso(meeting.updated_at),
        ),
        missing=MeetingChanged(meeting.id),
        at=now, actor_id=actor_id, action="meeting.edited", entity="meeting",
        entity_id=meeting.id, fields=sorted(changes),
    )  # fmt: skip
    return await _get_or_fail(tx, meeting.id)


async def set_expected(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    member_ids: list[int],
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """Who is expected (应到): added people get a row, removed ones lose theirs."""
    _require_editable(meeting)
    await _check_branch_members(tx, meeting.branch_id, member_ids)
    wanted = set(member_ids)
    current = {a.member_id for a in await attendees(tx, meeting.id)}
    for member_id in current - wanted:
        await tx.execute(
            "DELETE FROM meeting_attendance WHERE meeting_id = ? AND member_id = ?",
            (meeting.id, member_id),
        )
    await _add_attendees(tx, meeting.id, [m for m in member_ids if m not in current])
    await audit.record(
        tx, at=now, actor_id=actor_id, action="meeting.expected_set", entity="meeting",
        entity_id=meeting.id, added=sorted(wanted - current), removed=sorted(current - wanted),
    )  # fmt: skip


async def set_presence(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    member_id: int,
    presence: Presence | None,
    *,
    reason: str | None = None,
    actor_id: int,
    now: datetime,
) -> None:
    """Mark one expected person present or absent (with a reason), or unmark them."""
    if meeting.status not in (S.DRAFT, S.RETURNED):
        raise IllegalTransition(meeting.status, meeting.status, "(attendance is not open)")
    clean = None
    if presence is Presence.ABSENT and reason is not None:
        clean = clean_line(reason, 1, REASON_MAX, "reason_length")
    value = None if presence is None else presence.value
    marked = {
        "presence": value,
        "absence_reason": clean,
        "marked_by": actor_id,
        "marked_at": to_iso(now),
    }
    await _set_attendance(
        tx, meeting, member_id, marked, actor_id=actor_id, now=now, action="meeting.presence",
        member_id=member_id, presence=value,
    )  # fmt: skip


async def set_voting(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    member_id: int,
    voting: bool,
    *,
    actor_id: int,
    now: datetime,
) -> None:
    """Whether an expected person has a vote (a probationary member has none)."""
    _require_editable(meeting)
    await _set_attendance(
        tx, meeting, member_id, {"voting": int(voting)}, actor_id=actor_id, now=now,
        action="meeting.voting", member_id=member_id, voting=voting,
    )  # fmt: skip


async def reply(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    member_id: int,
    answer: Answer,
    *,
    reason: str | None,
    today: date,
    now: datetime,
) -> Attendee:
    """A member's 参加/请假 to an announced meeting still ahead (a leave needs a reason)."""
    if meeting.status is not S.ANNOUNCED or meeting.on_date < today:
        raise IllegalTransition(meeting.status, meeting.status, "(no longer taking replies)")
    clean = None
    if answer is Answer.LEAVE:
        if reason is None:
            raise MeetingProblem("reason_length")
        clean = clean_line(reason, 1, REASON_MAX, "reason_length")
    replied = {"reply": answer.value, "reply_reason": clean, "replied_at": to_iso(now)}
    await _set_attendance(
        tx, meeting, member_id, replied, actor_id=member_id, now=now, action="meeting.reply",
        answer=answer.value,
    )  # fmt: skip
    return required(await attendee(tx, meeting.id, member_id))


async def _set_attendance(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    member_id: int,
    columns: dict[str, Any],
    /,
    *,
    actor_id: int,
    now: datetime,
    action: str,
    **detail: Any,
) -> None:
    """Change an expected person's attendance row, audited on the meeting (refused with
    ``not_expected`` when they have none)."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    await audit.changed(
        tx,
        f"UPDATE meeting_attendance SET {assignments} WHERE meeting_id = ? AND member_id = ?",
        (*columns.values(), meeting.id, member_id),
        missing=MeetingProblem("not_expected"),
        at=now, actor_id=actor_id, action=action, entity="meeting", entity_id=meeting.id,
        **detail,
    )  # fmt: skip


async def mark_held(
    tx: aiosqlite.Connection, meeting: Meeting, *, actor_id: int, today: date, now: datetime
) -> Meeting:
    """An announced meeting took place: its record becomes a draft. Those on leave are
    marked absent with their reason; everyone else is marked by tapping names."""
    held = await _LIFECYCLE.move(tx, meeting, S.DRAFT, actor_id=actor_id, now=now, today=today)
    await tx.execute(
        "UPDATE meeting_attendance SET presence = 'absent', absence_reason = reply_reason,"
        " marked_by = ?, marked_at = ? WHERE meeting_id = ? AND reply = 'leave'",
        (actor_id, to_iso(now), meeting.id),
    )
    return held


async def submit(
    tx: aiosqlite.Connection, meeting: Meeting, *, actor_id: int, now: datetime
) -> Meeting:
    """Send the record for review; refused (``MeetingProblem``) while it is incomplete."""
    full = required(await get_record(tx, meeting.id))
    problems = full.submit_problems()
    if problems:
        raise MeetingProblem(problems[0])
    return await _LIFECYCLE.move(tx, meeting, S.SUBMITTED, actor_id=actor_id, now=now)


async def approve(
    tx: aiosqlite.Connection, meeting: Meeting, *, actor_id: int, now: datetime
) -> Meeting:
    """The bureau approves: the record is locked; a corrected version replaces the old."""
    approved = await _LIFECYCLE.move(tx, meeting, S.APPROVED, actor_id=actor_id, now=now)
    if meeting.replaces_id is not None:
        old = await get(tx, meeting.replaces_id)
        if old is not None and old.status is S.APPROVED:
            await _LIFECYCLE.move(tx, old, S.SUPERSEDED, actor_id=actor_id, now=now, by=meeting.id)
    return approved


async def return_to_secretary(
    tx: aiosqlite.Connection, meeting: Meeting, *, actor_id: int, note: str, now: datetime
) -> Meeting:
    clean = clean_line(note, NOTE_MIN, NOTE_MAX, "note_length")
    columns = {"return_note": clean}
    return await _LIFECYCLE.move(
        tx, meeting, S.RETURNED, actor_id=actor_id, now=now, columns=columns, note=clean
    )


async def withdraw(
    tx: aiosqlite.Connection, meeting: Meeting, *, actor_id: int, now: datetime
) -> Meeting:
    """Cancel an announced meeting or discard a record not yet approved."""
    return await _LIFECYCLE.move(tx, meeting, S.WITHDRAWN, actor_id=actor_id, now=now)


_MEETINGS = Table("meetings", Meeting)
_LIFECYCLE = lifecycle.Lifecycle("meeting", STEPS, MeetingChanged, _MEETINGS.get)


async def start_correction(
    tx: aiosqlite.Connection, meeting: Meeting, *, actor_id: int, now: datetime
) -> Meeting:
    """A new draft version of an approved record, with its content and attendance; the
    approved one stays (and counts) until the correction is approved."""
    if meeting.status is not S.APPROVED:
        raise IllegalTransition(meeting.status, S.DRAFT, "(only an approved record is corrected)")
    latest = await _MEETINGS.first(
        tx,
        "WHERE lineage_id = ? AND status IN ('draft', 'submitted',"
        " 'returned') ORDER BY version DESC LIMIT 1",
        (meeting.lineage_id,),
    )
    if latest is not None:
        raise CorrectionOpen(latest)
    version = await fetch_value(
        tx, "SELECT MAX(version) FROM meetings WHERE lineage_id = ?", (meeting.lineage_id,)
    )
    stamp = to_iso(now)
    new_id = await insert(
        tx,
        f"INSERT INTO meetings ({_CONTENT_COLUMNS}, lineage_id, version, replaces_id, branch_id,"
        f" group_id, status, created_by, created_at, updated_at)"
        f" VALUES ({_CONTENT_MARKS}, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
        (
            *_content_values(meeting),
            meeting.lineage_id,
            int(version) + 1,
            meeting.id,
            meeting.branch_id,
            meeting.group_id,
            actor_id,
            stamp,
            stamp,
        ),
    )
    await tx.execute(
        "INSERT INTO meeting_attendance (meeting_id, member_id, voting, reply, reply_reason,"
        " replied_at, presence, absence_reason, marked_by, marked_at)"
        " SELECT ?, member_id, voting, reply, reply_reason, replied_at, presence,"
        " absence_reason, marked_by, marked_at FROM meeting_attendance WHERE meeting_id = ?",
        (new_id, meeting.id),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action="meeting.correction_started", entity="meeting",
        entity_id=new_id, replaces=meeting.id, version=int(version) + 1,
    )  # fmt: skip
    return await _get_or_fail(tx, new_id)


async def record_makeup(
    tx: aiosqlite.Connection,
    meeting: Meeting,
    member_id: int,
    *,
    on_date: date,
    note: str,
    today: date,
    now: datetime,
) -> Makeup:
    """A member absent from a 党课 records how they made it up (补课)."""
    if meeting.kind is not MeetingKind.LECTURE or meeting.status not in RECORDED:
        raise MeetingProblem("makeup_not_lecture")
    found = await attendee(tx, meeting.id, member_id)
    if found is None or found.presence is not Presence.ABSENT:
        raise MeetingProblem("makeup_not_absent")
    if on_date > today or on_date < meeting.on_date:
        raise MeetingProblem("makeup_date")
    clean = clean_line(note, NOTE_MIN, MAKEUP_MAX, "makeup_length")
    existing = await fetch_value(
        tx,
        "SELECT id FROM meeting_makeups WHERE lineage_id = ? AND member_id = ?",
        (meeting.lineage_id, member_id),
    )
    if existing is not None:
        raise MeetingProblem("makeup_done")
    makeup_id = await insert(
        tx,
        "INSERT INTO meeting_makeups (lineage_id, member_id, on_date, note, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (meeting.lineage_id, member_id, on_date.isoformat(), clean, to_iso(now)),
    )
    await audit.record(
        tx, at=now, actor_id=member_id, action="meeting.makeup", entity="meeting",
        entity_id=meeting.id, on_date=on_date.isoformat(),
    )  # fmt: skip
    return Makeup(
        id=makeup_id, lineage_id=meeting.lineage_id, member_id=member_id, on_date=on_date,
        note=clean, created_at=now,
    )  # fmt: skip


def _require_editable(meeting: Meeting) -> None:
    if not meeting.editable:
        raise IllegalTransition(meeting.status, meeting.status, "(the record is fixed)")


async def _check_people(tx: aiosqlite.Connection, branch_id: int, fields: MeetingFields) -> None:
    """A chair, recorder or lecturer given by id must be an active member of the branch;
    anyone else is entered as a guest, by name only."""
    ids = [i for i in (fields.chair_id, fields.recorder_id, fields.lecturer_id) if i is not None]
    await _check_branch_members(tx, branch_id, ids, code="person_not_in_branch")


async def _check_branch_members(
    tx: aiosqlite.Connection, branch_id: int, member_ids: list[int], code: str = "not_in_branch"
) -> None:
    if not await members.all_participate(tx, branch_id, member_ids):
        raise MeetingProblem(code)


async def _check_group(
    tx: aiosqlite.Connection, branch_id: int, kind: MeetingKind, group_id: int
) -> None:
    """Only a 党小组会 is held by a party group, and by one of its own branch."""
    found = await fetch_value(
        tx,
        "SELECT COUNT(*) FROM party_groups WHERE id = ? AND branch_id = ? AND status = 'active'",
        (group_id, branch_id),
    )
    if kind is not MeetingKind.GROUP or not found:
        raise MeetingProblem("group_unknown")


async def _add_attendees(tx: aiosqlite.Connection, meeting_id: int, member_ids: list[int]) -> None:
    """Expect these people; each keeps the vote (or none) their last meeting recorded, so
    a probationary member marked once stays without a vote until the secretary changes it."""
    await tx.executemany(
        "INSERT INTO meeting_attendance (meeting_id, member_id, voting) VALUES (?, ?,"
        " COALESCE((SELECT a.voting FROM meeting_attendance a JOIN meetings m"
        " ON m.id = a.meeting_id WHERE a.member_id = ? AND a.meeting_id <> ?"
        " ORDER BY m.on_date DESC, m.id DESC LIMIT 1), 1))"
        " ON CONFLICT (meeting_id, member_id) DO NOTHING",
        [(meeting_id, member_id, member_id, meeting_id) for member_id in dict.fromkeys(member_ids)],
    )


_CONTENT = tuple(MeetingFields.model_fields)
_CONTENT_COLUMNS = ", ".join(_CONTENT)
_CONTENT_MARKS = ", ".join("?" for _ in _CONTENT)


def _content_values(fields: MeetingFields) -> tuple[Any, ...]:
    values = fields.model_dump(mode="json", include=set(_CONTENT))
    for name in ("observers", "photos"):
        values[name] = json.dumps(values[name], ensure_ascii=False)
    for name in ("start_time", "end_time"):
        if values[name] is not None:
            values[name] = values[name][:5]
    return tuple(values[name] for name in _CONTENT)


# --------------------------------------------------------------------------- reads


async def get(conn: aiosqlite.Connection, meeting_id: int) -> Meeting | None:
    return await _MEETINGS.get(conn, meeting_id)


async def _get_or_fail(conn: aiosqlite.Connection, meeting_id: int) -> Meeting:
    return required(await get(conn, meeting_id))


_ATTENDEE_SQL = """
SELECT a.*, m.name, m.telegram_id FROM meeting_attendance a JOIN members m ON m.id = a.member_id
"""


async def attendees(conn: aiosqlite.Connection, meeting_id: int) -> list[Attendee]:
    return await fetch_all(
        conn,
        Attendee,
        f"{_ATTENDEE_SQL} WHERE a.meeting_id = ?"
        " ORDER BY CASE m.role WHEN 'secretary' THEN 0 ELSE 1 END, m.name, m.id",
        (meeting_id,),
    )


async def attendee(conn: aiosqlite.Connection, meeting_id: int, member_id: int) -> Attendee | None:
    return await fetch_one(
        conn,
        Attendee,
        f"{_ATTENDEE_SQL} WHERE a.meeting_id = ? AND a.member_id = ?",
        (meeting_id, member_id),
    )


async def get_record(conn: aiosqlite.Connection, meeting_id: int) -> MeetingRecord | None:
    meeting = await get(conn, meeting_id)
    if meeting is None:
        return None
    group_name = None
    if meeting.group_id is not None:
        group_name = await fetch_value(
            conn, "SELECT name FROM party_groups WHERE id = ?", (meeting.group_id,)
        )
    return MeetingRecord(
        meeting=meeting, attendees=await attendees(conn, meeting_id), group_name=group_name
    )


async def versions(conn: aiosqlite.Connection, lineage_id: int) -> list[Meeting]:
    return await _MEETINGS.all(conn, "WHERE lineage_id = ? ORDER BY version", (lineage_id,))


async def same_meeting(
    conn: aiosqlite.Connection,
    branch_id: int,
    kind: MeetingKind,
    on_date: date,
    group_id: int | None = None,
) -> list[Meeting]:
    """Current records of this type on this date (not withdrawn or superseded), of the
    same party group: two groups meeting on one day are two meetings."""
    found = await _MEETINGS.all(
        conn,
        "WHERE branch_id = ? AND kind = ? AND on_date = ?"
        " AND status NOT IN ('withdrawn', 'superseded') ORDER BY id",
        (branch_id, kind.value, on_date.isoformat()),
    )
    return [m for m in found if m.group_id == group_id]


async def for_branch(
    conn: aiosqlite.Connection, branch_id: int, start: date, end: date
) -> list[Meeting]:
    """The branch's meetings dated ``start``..``end``, one per meeting: the approved
    version where there is one, else the latest not withdrawn."""
    return (await for_branches(conn, [branch_id], start, end))[branch_id]


async def for_branches(
    conn: aiosqlite.Connection, branch_ids: Iterable[int], start: date, end: date
) -> dict[int, list[Meeting]]:
    """``for_branch`` of each of these branches, in one query (the digests of the 1st
    ask for every branch)."""
    return await _by_branch(conn, _MEETINGS, branch_ids, start, end)


async def held_counts(
    conn: aiosqlite.Connection, branch_ids: Iterable[int], start: date, end: date
) -> dict[int, int]:
    """How many meetings ``for_branch`` lists for each of these branches, reading only
    what says which version counts (the digests of the 1st count every branch's)."""
    found = await _by_branch(conn, _DATED, branch_ids, start, end)
    return {branch_id: len(held) for branch_id, held in found.items()}


class _Dated(BaseModel):
    """What the compliance rules read of a meeting version (reading whole records checks
    every name in them again: a year of a hundred branches' meetings is thousands)."""

    id: int
    lineage_id: int
    version: int
    branch_id: int
    group_id: int | None = None
    kind: MeetingKind
    on_date: date
    start_time: time | None = None
    status: MeetingStatus


_DATED = Table("meetings", _Dated)
_Version = TypeVar("_Version", Meeting, _Dated)
_COLUMNS: dict[type[BaseModel], str] = {_Dated: ", ".join(_Dated.model_fields)}
"""The columns a narrower model reads (a whole record's notes and names are not needed)."""


async def _by_branch(
    conn: aiosqlite.Connection,
    table: Table[_Version],
    branch_ids: Iterable[int],
    start: date,
    end: date,
) -> dict[int, list[_Version]]:
    wanted = sorted(set(branch_ids))
    branches = json.dumps(wanted)
    rows = await fetch_all(
        conn,
        table.model,
        f"SELECT {_COLUMNS.get(table.model, '*')} FROM meetings"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND lineage_id IN"
        " (SELECT lineage_id FROM meetings WHERE branch_id IN (SELECT value FROM json_each(?))"
        " AND on_date BETWEEN ? AND ?) ORDER BY lineage_id, version",
        (branches, branches, start.isoformat(), end.isoformat()),
    )
    by_branch: dict[int, list[_Version]] = {branch_id: [] for branch_id in wanted}
    for row in rows:
        by_branch[row.branch_id].append(row)
    found = {}
    async for branch_id, versions_ in paced(by_branch.items()):
        chosen = [m for m in _effective(versions_) if start <= m.on_date <= end]
        found[branch_id] = sorted(chosen, key=lambda m: (m.on_date, m.start_time or time(0), m.id))
    return found


def _effective(rows: list[_Version]) -> list[_Version]:
    by_lineage: dict[int, list[_Version]] = {}
    for row in rows:
        by_lineage.setdefault(row.lineage_id, []).append(row)
    chosen = []
    for versions_ in by_lineage.values():
        approved = [m for m in versions_ if m.status is S.APPROVED]
        alive = [m for m in versions_ if m.status not in (S.WITHDRAWN, S.SUPERSEDED)]
        if approved:
            chosen.append(approved[-1])
        elif alive:
            chosen.append(alive[-1])
    return chosen


async def open_records(conn: aiosqlite.Connection, branch_id: int) -> list[Meeting]:
    """What the secretary still has to finish: announcements, drafts, returned records."""
    return await _MEETINGS.all(
        conn,
        "WHERE branch_id = ? AND status IN ('announced', 'draft', 'returned') ORDER BY on_date, id",
        (branch_id,),
    )


async def waiting_review(conn: aiosqlite.Connection) -> list[Meeting]:
    """Submitted records across branches, oldest first: the admin's review queue."""
    return await _MEETINGS.all(conn, "WHERE status = 'submitted' ORDER BY submitted_at, id")


_MAKEUPS = Table("meeting_makeups", Makeup)


async def for_member(conn: aiosqlite.Connection, member_id: int, year: int) -> list[MemberMeeting]:
    """Meetings of ``year`` the member was expected at, with their answer, whether they
    were marked present and any 党课 make-up; one line per meeting (its current version)."""
    rows = await _MEETINGS.all(
        conn,
        "WHERE lineage_id IN (SELECT mt.lineage_id FROM meetings mt"
        " JOIN meeting_attendance a ON a.meeting_id = mt.id WHERE a.member_id = ?"
        " AND mt.on_date BETWEEN ? AND ?) ORDER BY lineage_id, version",
        (member_id, f"{year}-01-01", f"{year}-12-31"),
    )
    lines = []
    for meeting in _effective(rows):
        found = await attendee(conn, meeting.id, member_id)
        if found is None or meeting.on_date.year != year:
            continue
        makeup = await _MAKEUPS.first(
            conn, "WHERE lineage_id = ? AND member_id = ?", (meeting.lineage_id, member_id)
        )
        lines.append(
            MemberMeeting(
                lineage_id=meeting.lineage_id,
                meeting_id=meeting.id,
                kind=meeting.kind,
                on_date=meeting.on_date,
                topic=meeting.topic,
                status=meeting.status,
                reply=found.reply,
                presence=found.presence,
                absence_reason=found.absence_reason,
                makeup_on=None if makeup is None else makeup.on_date,
                makeup_note=None if makeup is None else makeup.note,
            )
        )
    return sorted(lines, key=lambda line: (line.on_date, line.meeting_id), reverse=True)


async def makeups(conn: aiosqlite.Connection, lineage_id: int) -> list[Makeup]:
    return await _MAKEUPS.all(conn, "WHERE lineage_id = ? ORDER BY on_date, id", (lineage_id,))


# --------------------------------------------------------------------------- compliance


async def compliance(
    conn: aiosqlite.Connection,
    branch_id: int,
    year: int,
    *,
    today: date,
    frequencies: MeetingFrequencies,
) -> list[PeriodCompliance]:
    """Each kind's required periods in ``year``, met or short, as of ``today``. Where the
    branch has party groups, each group is held to the 党小组会's periods on its own."""
    found = await compliance_by_branch(
        conn, [branch_id], year, today=today, frequencies=frequencies
    )
    return found[branch_id]


async def compliance_by_branch(
    conn: aiosqlite.Connection,
    branch_ids: Iterable[int],
    year: int,
    *,
    today: date,
    frequencies: MeetingFrequencies,
) -> dict[int, list[PeriodCompliance]]:
    """``compliance`` of each of these branches, in two queries for them all."""
    held = await _by_branch(conn, _DATED, branch_ids, date(year, 1, 1), date(year, 12, 31))
    groups = await _groups(conn, held)
    found = {}
    async for branch_id, meetings_ in paced(held.items()):
        result = []
        for kind in MeetingKind:
            frequency = frequencies.of(kind)
            of_kind = [m for m in meetings_ if m.kind is kind]
            holders: list[_Group | None] = [None]
            if kind is MeetingKind.GROUP and groups.get(branch_id):
                holders = list(groups[branch_id])
            for holder in holders:
                result += _periods(kind, holder, of_kind, frequency, year, today)
        found[branch_id] = result
    return found


class _Group(BaseModel):
    id: int
    name: str
    branch_id: int


async def _groups(conn: aiosqlite.Connection, branch_ids: Iterable[int]) -> dict[int, list[_Group]]:
    """The branches' active party groups, by branch (storage.party_groups owns them;
    read here so the compliance rules need no import of it)."""
    found: dict[int, list[_Group]] = {}
    for group in await fetch_all(
        conn,
        _Group,
        "SELECT id, name, branch_id FROM party_groups"
        " WHERE branch_id IN (SELECT value FROM json_each(?)) AND status = 'active'"
        " ORDER BY name, id",
        (json.dumps(sorted(branch_ids)),),
    ):
        found.setdefault(group.branch_id, []).append(group)
    return found


def _periods(
    kind: MeetingKind,
    holder: _Group | None,
    of_kind: list[_Dated],
    frequency: Frequency,
    year: int,
    today: date,
) -> list[PeriodCompliance]:
    if holder is not None:
        of_kind = [m for m in of_kind if m.group_id == holder.id]
    result = []
    for span in periods(frequency, year):
        inside = [m for m in of_kind if span.contains(m.on_date)]
        result.append(
            PeriodCompliance(
                kind=kind,
                group=None if holder is None else holder.name,
                frequency=frequency,
                start=span.start,
                end=span.end,
                recorded=sum(m.status in RECORDED for m in inside),
                approved=sum(m.status is S.APPROVED for m in inside),
                state=_state(inside, span, today),
            )
        )
    return result


def _state(inside: list[_Dated], span: Span, today: date) -> PeriodState:
    if any(m.status in RECORDED for m in inside):
        return PeriodState.MET
    if any(m.status is S.DRAFT for m in inside) or any(
        m.status is S.ANNOUNCED and m.on_date <= today for m in inside
    ):
        return PeriodState.UNSUBMITTED
    if span.start > today:
        return PeriodState.UPCOMING
    if any(m.status is S.ANNOUNCED for m in inside):
        return PeriodState.PLANNED
    return PeriodState.OPEN if span.end >= today else PeriodState.SHORT


class PeriodGap(BaseModel):
    """A branch (or one of its party groups, for the 党小组会) whose current period for a
    kind ends soon with no meeting of that kind."""

    branch_id: int
    kind: MeetingKind
    start: date
    end: date
    group_id: int | None = None


async def periods_ending_without(
    conn: aiosqlite.Connection,
    *,
    today: date,
    within_days: int,
    frequencies: MeetingFrequencies,
    branch_ids: list[int] | None = None,
) -> list[PeriodGap]:
    """For the secretary's reminder: periods that end within ``within_days`` days of
    ``today`` (inclusive) in which the branch has no meeting of the kind at all (not even
    one announced ahead)."""
    if branch_ids is None:
        rows = await conn.execute_fetchall("SELECT id FROM branches ORDER BY id")
        branch_ids = [int(row[0]) for row in rows]
    gaps = []
    for kind in MeetingKind:
        span = period_of(frequencies.of(kind), today)
        if (span.end - today).days > within_days:
            continue
        for branch_id in branch_ids:
            held = await fetch_all(
                conn,
                _Held,
                "SELECT group_id FROM meetings WHERE branch_id = ? AND kind = ?"
                " AND on_date BETWEEN ? AND ? AND status NOT IN ('withdrawn', 'superseded')",
                (branch_id, kind.value, span.start.isoformat(), span.end.isoformat()),
            )
            # With party groups, each group owes its own 党小组会.
            holders: list[int | None] = [None]
            if kind is MeetingKind.GROUP:
                groups = (await _groups(conn, [branch_id])).get(branch_id, [])
                holders = [g.id for g in groups] or [None]
            for group_id in holders:
                if not any(group_id is None or h.group_id == group_id for h in held):
                    gaps.append(
                        PeriodGap(
                            branch_id=branch_id, kind=kind, start=span.start, end=span.end,
                            group_id=group_id,
                        )
                    )  # fmt: skip
    return gaps


class _Held(BaseModel):
    group_id: int | None = None


# The branch roster a meeting expects by default (the same people as a party day's).
branch_members = members.participants
