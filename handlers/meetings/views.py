"""Screens for 三会一课 and 平安校园: one function per screen, returning text (and buttons)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import handlers.meetings.texts  # noqa: F401  (registers the catalog)
from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Raw, Translator
from handlers.meetings.common import Rendered
from storage.answers import Answer
from storage.meetings import (
    Attendee,
    Meeting,
    MeetingKind,
    MeetingRecord,
    MeetingStatus,
    MemberMeeting,
    PeriodCompliance,
    PeriodState,
    Presence,
)
from storage.members import Member
from storage.party_groups import PartyGroup
from storage.safety import (
    Coverage,
    CoverageSummary,
    Drill,
    DrillKind,
    DrillScope,
    Lesson,
    SafetyTopic,
)
from storage.terms import Term

Markup = InlineKeyboardMarkup
Screen = tuple[str, InlineKeyboardMarkup]
MARK = {None: "⬜", Presence.PRESENT: "✅", Presence.ABSENT: "❌"}
STATE_MARK = {
    PeriodState.MET: "✅",
    PeriodState.UNSUBMITTED: "📝",
    PeriodState.PLANNED: "📅",
    PeriodState.OPEN: "⏳",
    PeriodState.SHORT: "❌",
    PeriodState.UPCOMING: "·",
}


def kind_name(t: Translator, kind: MeetingKind) -> str:
    return t(f"mt.kind.{kind.value}")


def status_name(t: Translator, status: MeetingStatus) -> str:
    return t(f"mt.status.{status.value}")


def button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(*[str(p) for p in parts]))


def in_rows(
    buttons: Sequence[InlineKeyboardButton], width: int
) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out ``width`` to a row (a list of names to tap)."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# --------------------------------------------------------------------------- /meeting


def start_screen(t: Translator, open_records: Sequence[Meeting]) -> tuple[str, Markup]:
    rows = [[button(kind_name(t, kind), "mt", "new", kind.value)] for kind in MeetingKind]
    rows.append([button(t("mt.button.groups"), "mt", "grp")])
    text = t("mt.start")
    if open_records:
        text += "\n\n" + t("mt.start.open")
        for meeting in open_records[:10]:
            rows.append([button(record_label(t, meeting), "mt", "open", meeting.id)])
    rows.append([cancel_button(t)])
    return text, InlineKeyboardMarkup(rows)


def record_label(t: Translator, meeting: Meeting) -> str:
    return (
        f"{meeting.on_date:%m-%d} {kind_name(t, meeting.kind)}（{status_name(t, meeting.status)}）"
    )


def record_line(t: Translator, meeting: Meeting) -> str:
    return t(
        "mt.record_line",
        date=meeting.on_date.isoformat(),
        kind=kind_name(t, meeting.kind),
        topic=meeting.topic,
        status=status_name(t, meeting.status),
    )


def person(t: Translator, name: str | None, member_id: int | None) -> str:
    if name is None:
        return t("mt.card.none")
    return name if member_id is not None else t("mt.card.guest", name=name)


def card_text(t: Translator, record: MeetingRecord) -> str:
    m = record.meeting
    kind = kind_name(t, m.kind)
    if record.group_name is not None:
        kind = t.plain("mt.kind_of_group", kind=kind, group=record.group_name)
    none = t("mt.card.none")
    present = [a for a in record.attendees if a.presence is Presence.PRESENT]
    absent = [a for a in record.attendees if a.presence is Presence.ABSENT]
    absences = ""
    if absent:
        listed = "、".join(
            f"{a.name}（{a.absence_reason}）" if a.absence_reason else a.name for a in absent
        )
        absences = t("mt.card.absences", list=listed)
    observers = t("mt.card.observers", list="、".join(m.observers)) if m.observers else ""
    votes = ""
    if m.has_votes:
        votes = t(
            "mt.card.votes",
            yes=m.votes_for or 0,
            no=m.votes_against or 0,
            abstain=m.votes_abstain or 0,
        )
    quorum = ""
    counts = record.attendance
    if record.quorum_required and counts is not None:
        key = "mt.card.quorum_ok" if counts.quorum_met else "mt.card.quorum_short"
        quorum = t(key, voting=counts.voting_expected, present=counts.voting_present)
    lecturer = ""
    if m.kind is MeetingKind.LECTURE:
        lecturer = t("mt.card.lecturer", name=person(t, m.lecturer_name, m.lecturer_id))
    times = ""
    if m.start_time:
        times = m.start_time.strftime("%H:%M")
        if m.end_time:
            times += "–" + m.end_time.strftime("%H:%M")
    note = ""
    if m.status is MeetingStatus.RETURNED and m.return_note:
        note = t("mt.card.return_note", note=m.return_note)
    return t(
        "mt.card",
        kind=kind,
        status=status_name(t, m.status),
        version=m.version,
        date=m.on_date.isoformat(),
        times=times,
        place=m.place or none,
        topic=m.topic,
        chair=person(t, m.chair_name, m.chair_id),
        recorder=person(t, m.recorder_name, m.recorder_id),
        lecturer=Raw(lecturer),
        expected=len(record.attendees),
        present=len(present),
        absent=len(absent),
        unmarked=len(record.unmarked),
        absences=Raw(absences),
        observers=Raw(observers),
        key_points=m.key_points or none,
        decisions=m.decisions or none,
        votes=Raw(votes),
        photos=len(m.photos),
        quorum=Raw(quorum),
        note=Raw(note),
    )


def card(t: Translator, record: MeetingRecord) -> tuple[str, Markup]:
    """The secretary's record: what it holds, and a button per thing still to fill in."""
    m = record.meeting
    rows: list[list[InlineKeyboardButton]] = []
    if m.status is MeetingStatus.ANNOUNCED:
        rows.append([button(t("mt.button.held"), "mt", "held", m.id)])
        rows.append([button(t("mt.button.expected"), "mt", "exp", m.id)])
        rows.append([button(t("mt.button.withdraw"), "mt", "wd", m.id)])
    elif m.status in (MeetingStatus.DRAFT, MeetingStatus.RETURNED):
        rows.append(
            [
                button(t("mt.button.attendance"), "mt", "att", m.id),
                button(t("mt.button.expected"), "mt", "exp", m.id),
            ]
        )
        people = [
            button(t("mt.button.chair"), "mt", "f", m.id, "chair"),
            button(t("mt.button.recorder"), "mt", "f", m.id, "recorder"),
        ]
        if m.kind is MeetingKind.LECTURE:
            people.append(button(t("mt.button.lecturer"), "mt", "f", m.id, "lecturer"))
        rows.append(people)
        rows.append(
            [
                button(t("mt.button.topic"), "mt", "f", m.id, "topic"),
                button(t("mt.button.time"), "mt", "f", m.id, "time"),
                button(t("mt.button.place"), "mt", "f", m.id, "place"),
            ]
        )
        rows.append(
            [
                button(t("mt.button.key_points"), "mt", "f", m.id, "key_points"),
                button(t("mt.button.decisions"), "mt", "f", m.id, "decisions"),
            ]
        )
        rows.append(
            [
                button(t("mt.button.observers"), "mt", "f", m.id, "observers"),
                button(t("mt.button.photos"), "mt", "ph", m.id),
            ]
        )
        rows.append(
            [
                button(t("mt.button.submit"), "mt", "sub", m.id),
                button(t("mt.button.withdraw"), "mt", "wd", m.id),
            ]
        )
    elif m.status is MeetingStatus.APPROVED:
        rows.append([button(t("mt.button.correction"), "mt", "fix", m.id)])
    return card_text(t, record), InlineKeyboardMarkup(rows)


def attendance(t: Translator, record: MeetingRecord) -> tuple[str, Markup]:
    m = record.meeting
    rows = in_rows(
        [button(f"{MARK[a.presence]} {a.name}", "mt", "tog", m.id, a.member_id)
         for a in record.attendees],
        2,
    )  # fmt: skip
    rows.append(
        [
            button(t("mt.button.all_present"), "mt", "all", m.id),
            button(t("mt.button.done"), "mt", "attok", m.id),
        ]
    )
    present = sum(a.presence is Presence.PRESENT for a in record.attendees)
    absent = sum(a.presence is Presence.ABSENT for a in record.attendees)
    counts = t("mt.attendance.counts", expected=len(record.attendees), present=present,
               absent=absent)  # fmt: skip
    return t("mt.attendance", counts=counts), InlineKeyboardMarkup(rows)


VOTE_MARK = {None: "⬜", True: "✅", False: "🔸"}


def expected(t: Translator, record: MeetingRecord, roster: Sequence[Member]) -> tuple[str, Markup]:
    """The branch roster marked expected with a vote, without one, or not expected."""
    m = record.meeting
    voting = {a.member_id: a.voting for a in record.attendees}
    rows = in_rows(
        [button(f"{VOTE_MARK[voting.get(p.id)]} {p.name}", "mt", "ev", m.id, p.id)
         for p in roster],
        2,
    )  # fmt: skip
    rows.append([button(t("mt.button.done"), "mt", "evok", m.id)])
    text = t("mt.expected.title", expected=len(voting), voting=sum(voting.values()))
    return text, InlineKeyboardMarkup(rows)


def groups(
    t: Translator,
    branch_name: str,
    party_groups: Sequence[PartyGroup],
    roster: Sequence[Member],
    assigned: dict[int, int],
) -> tuple[str, Markup]:
    """The branch's party groups with their members, and who is in none."""

    def names(people: Sequence[Member]) -> str:
        return "、".join(p.name for p in people) or t.plain("mt.groups.nobody")

    parts = [t("mt.groups.title", branch=branch_name)]
    if not party_groups:
        parts.append(t("mt.groups.none"))
    for group in party_groups:
        inside = [p for p in roster if assigned.get(p.id) == group.id]
        parts.append(t("mt.groups.line", name=group.name, count=len(inside), names=names(inside)))
    parts.append(
        t("mt.groups.unassigned", names=names([p for p in roster if p.id not in assigned]))
    )
    rows = in_rows([button(g.name, "mt", "g", g.id) for g in party_groups], 2)
    rows.append([button(t("mt.button.group_new"), "mt", "gnew")])
    rows.append([cancel_button(t)])
    return "\n".join(parts), InlineKeyboardMarkup(rows)


def group(
    t: Translator, party_group: PartyGroup, roster: Sequence[Member], assigned: dict[int, int]
) -> tuple[str, Markup]:
    """One group: tap names to put them in or take them out."""

    def mark(member_id: int) -> str:
        where = assigned.get(member_id)
        return "⬜" if where is None else "✅" if where == party_group.id else "↪"

    count = sum(where == party_group.id for where in assigned.values())
    rows = in_rows(
        [button(f"{mark(p.id)} {p.name}", "mt", "gt", party_group.id, p.id) for p in roster], 2
    )
    rows.append(
        [
            button(t("mt.button.group_remove"), "mt", "gdel", party_group.id),
            button(t("mt.button.done"), "mt", "grp"),
        ]
    )
    text = t("mt.group.title", name=party_group.name, count=count)
    return text, InlineKeyboardMarkup(rows)


def group_remove_confirm(t: Translator, party_group: PartyGroup, count: int) -> Screen:
    rows = [
        [
            button(t("mt.button.group_remove_yes"), "mt", "gdelok", party_group.id),
            button(t("mt.button.group_keep"), "mt", "g", party_group.id),
        ]
    ]
    return t("mt.group.remove_confirm", name=party_group.name, count=count), Markup(rows)


def group_choices(
    t: Translator, kind: MeetingKind, party_groups: Sequence[PartyGroup]
) -> tuple[str, Markup]:
    rows = in_rows([button(g.name, "mt", "ng", g.id) for g in party_groups], 2)
    rows.append([cancel_button(t)])
    return t("mt.ask.group", kind=kind_name(t, kind)), InlineKeyboardMarkup(rows)


def people_picker(
    t: Translator, meeting_id: int, field: str, roster: Sequence[Member]
) -> tuple[str, Markup]:
    role = t(f"mt.button.{field}")
    rows = in_rows([button(m.name, "mt", "pick", meeting_id, field, m.id) for m in roster], 3)
    rows.append([cancel_button(t)])
    return t("mt.ask.person", role=role), InlineKeyboardMarkup(rows)


def announcement(t: Translator, meeting: Meeting, branch_name: str) -> Rendered:
    when = meeting.on_date.isoformat()
    if meeting.start_time:
        when += " " + meeting.start_time.strftime("%H:%M")
    text = t(
        "mt.announce.text",
        branch=branch_name,
        kind=kind_name(t, meeting.kind),
        topic=meeting.topic,
        when=when,
        place=meeting.place or t("mt.card.none"),
    )
    return text, [
        [
            {"text": t("mt.button.attend"), "callback_data": encode("mt", "yes", meeting.id)},
            {"text": t("mt.button.leave"), "callback_data": encode("mt", "no", meeting.id)},
        ]
    ]


def review_notice(t: Translator, meeting: Meeting, branch_name: str) -> Rendered:
    text = t(
        "mt.review.new",
        branch=branch_name,
        kind=kind_name(t, meeting.kind),
        date=meeting.on_date.isoformat(),
        topic=meeting.topic,
    )
    return text, [[{"text": t("mt.button.view"), "callback_data": encode("mt", "rv", meeting.id)}]]


def review_card(t: Translator, record: MeetingRecord, branch_name: str) -> tuple[str, Markup]:
    m = record.meeting
    text = f"<b>{html.escape(branch_name)}</b>\n" + card_text(t, record)
    rows = []
    if m.status is MeetingStatus.SUBMITTED:
        rows.append(
            [
                button(t("mt.button.approve"), "mt", "ok", m.id),
                button(t("mt.button.return"), "mt", "ret", m.id),
            ]
        )
    return text, InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------- /meetings


def board(
    t: Translator,
    branch_name: str,
    year: int,
    lines: Sequence[PeriodCompliance],
    records: Sequence[Meeting],
) -> tuple[str, Markup]:
    parts = [t("mt.board.title", branch=branch_name, year=year)]
    # One line per kind, and per party group for the 党小组会 of a branch that has them.
    for kind, group in dict.fromkeys((p.kind, p.group) for p in lines):
        of_line = [p for p in lines if (p.kind, p.group) == (kind, group)]
        cells = " ".join(STATE_MARK[p.state] for p in of_line)
        freq = t(f"mt.freq.{of_line[0].frequency.value}")
        name = kind_name(t, kind)
        if group is not None:
            name = t.plain("mt.kind_of_group", kind=name, group=group)
        parts.append(t("mt.board.line", kind=name, freq=freq, cells=cells))
    parts.append(t("mt.board.legend"))
    short = sum(p.state is PeriodState.SHORT for p in lines)
    parts.append(t("mt.board.short", count=short))
    rows = []
    if records:
        parts.append("\n" + t("mt.board.records"))
        parts.extend(record_line(t, m) for m in records)
        for meeting in list(records)[-8:]:
            rows.append([button(record_label(t, meeting), "mt", "open", meeting.id)])
    else:
        parts.append("\n" + t("mt.board.no_records"))
    return "\n".join(parts), InlineKeyboardMarkup(rows)


def admin_board(
    t: Translator,
    year: int,
    branch_lines: Sequence[tuple[str, int, int]],
    queue: Sequence[tuple[Meeting, str]],
) -> tuple[str, Markup]:
    parts = [t("mt.admin.title", year=year)]
    parts.extend(
        t("mt.admin.branch_line", branch=name, short=short, waiting=waiting)
        for name, short, waiting in branch_lines
    )
    rows = []
    if queue:
        parts.append("\n" + t("mt.admin.queue", count=len(queue)))
        for meeting, branch_name in queue[:20]:
            label = f"{branch_name} {record_label(t, meeting)}"
            rows.append([button(label[:60], "mt", "rv", meeting.id)])
    else:
        parts.append("\n" + t("mt.admin.queue_empty"))
    return "\n".join(parts), InlineKeyboardMarkup(rows)


def mine(t: Translator, year: int, lines: Sequence[MemberMeeting]) -> tuple[str, Markup]:
    parts = [t("mt.mine.title", year=year)]
    rows = []
    if not lines:
        parts.append(t("mt.mine.none"))
    for line in lines:
        if line.presence is not None:
            presence = t(f"mt.presence.{line.presence.value}")
        elif line.reply is Answer.LEAVE:
            presence = t("mt.presence.leave")
        elif line.reply is Answer.ATTEND:
            presence = t("mt.presence.attend")
        else:
            presence = t("mt.presence.unmarked")
        text = t(
            "mt.mine.line",
            date=line.on_date.isoformat(),
            kind=kind_name(t, line.kind),
            topic=line.topic,
            presence=presence,
        )
        if line.makeup_on is not None:
            text += t("mt.mine.makeup", date=line.makeup_on.isoformat())
        parts.append(text)
        if line.makeup_possible:
            rows.append(
                [button(t("mt.button.makeup", date=f"{line.on_date:%m-%d}"), "mt", "mk",
                        line.meeting_id)]
            )  # fmt: skip
    return "\n".join(parts), InlineKeyboardMarkup(rows)


def absent_without_reason(record: MeetingRecord) -> list[Attendee]:
    return [a for a in record.attendees if a.presence is Presence.ABSENT and not a.absence_reason]


# --------------------------------------------------------------------------- /safety


def topic_name(t: Translator, topic: SafetyTopic) -> str:
    return t(f"sf.topic.{topic.value}")


def drill_name(t: Translator, kind: DrillKind) -> str:
    return t(f"sf.kind.{kind.value}")


def term_text(term: Term) -> str:
    return f"{term.start.isoformat()} – {term.end.isoformat()}"


def safety_menu(
    t: Translator, term: Term, lessons: int, drills: int, secretary: bool, *, records: bool
) -> tuple[str, Markup]:
    """``records``: the person has lessons or drills this term to look at (or withdraw)."""
    rows = [
        [button(t("sf.button.lesson"), "sf", "lesson")],
        [button(t("sf.button.drill"), "sf", "drill")],
    ]
    if records:
        rows.append([button(t("sf.button.records"), "sf", "mine")])
    if secretary:
        rows.append([button(t("sf.button.school"), "sf", "school")])
        rows.append([button(t("sf.button.branch"), "sf", "branch")])
    text = t("sf.menu", term=term_text(term), lessons=lessons, drills=drills)
    return text, InlineKeyboardMarkup(rows)


def safety_records(
    t: Translator,
    term: Term,
    lessons: Sequence[Lesson],
    drills: Sequence[tuple[Drill, str | None, int]],
    me: int,
) -> tuple[str, Markup | None]:
    """The person's lessons and drills of the term, each with [撤回] when they logged it;
    ``drills`` pairs each with the person's role in it (None: a school drill) and how
    many took part."""
    if not lessons and not drills:
        return t("sf.records.none", term=term_text(term)), None
    lines = [t("sf.records.title", term=term_text(term))]
    rows = []
    for lesson in lessons:
        lines.append(lesson_line(t, lesson))
        label = t.plain("sf.button.withdraw_lesson", id=lesson.id)
        rows.append([button(label, "sf", "wd", "lesson", lesson.id)])
    for drill, role, people in drills:
        line = drill_line(t, drill, role, people)
        if drill.logged_by == me:
            label = t.plain("sf.button.withdraw_drill", id=drill.id)
            rows.append([button(label, "sf", "wd", "drill", drill.id)])
        else:
            line += t("sf.records.by_secretary")
        lines.append(line)
    lines.append(t("sf.records.hint"))
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def lesson_line(t: Translator, lesson: Lesson) -> str:
    return t(
        "sf.records.lesson",
        id=lesson.id,
        date=lesson.on_date.isoformat(),
        class_name=lesson.class_name,
        topic=Raw(topic_name(t, lesson.topic)),
        students=lesson.students,
    )


def drill_line(t: Translator, drill: Drill, role: str | None, people: int) -> str:
    kind = Raw(drill_name(t, drill.kind))
    if drill.scope is DrillScope.SCHOOL:
        return t("sf.records.school", id=drill.id, date=drill.on_date.isoformat(), kind=kind,
                 count=people)  # fmt: skip
    return t("sf.records.drill", id=drill.id, date=drill.on_date.isoformat(), kind=kind,
             role=role or "")  # fmt: skip


def class_choices(t: Translator, classes: Sequence[str]) -> tuple[str, Markup]:
    rows = [[button(name, "sf", "cls", index)] for index, name in enumerate(classes)]
    rows.append([cancel_button(t)])
    return t("sf.ask.class"), InlineKeyboardMarkup(rows)


def topic_choices(t: Translator) -> tuple[str, Markup]:
    topics = list(SafetyTopic)
    rows = [
        [button(topic_name(t, topic), "sf", "tp", topic.value) for topic in topics[i : i + 4]]
        for i in range(0, len(topics), 4)
    ]
    rows.append([cancel_button(t)])
    return t("sf.ask.topic"), InlineKeyboardMarkup(rows)


def drill_choices(t: Translator) -> tuple[str, Markup]:
    rows = [[button(drill_name(t, kind), "sf", "kd", kind.value) for kind in DrillKind]]
    rows.append([cancel_button(t)])
    return t("sf.ask.kind"), InlineKeyboardMarkup(rows)


def skip_markup(t: Translator) -> Markup:
    return InlineKeyboardMarkup([[button(t("sf.button.skip"), "sf", "skip"), cancel_button(t)]])


def people_choices(t: Translator, roster: Sequence[Member], chosen: set[int]) -> tuple[str, Markup]:
    rows = in_rows(
        [button(f"{'✅' if m.id in chosen else '⬜'} {m.name}", "sf", "who", m.id) for m in roster],
        2,
    )
    rows.append([button(t("mt.button.done"), "sf", "whook"), cancel_button(t)])
    return t("sf.ask.people", count=len(chosen)), InlineKeyboardMarkup(rows)


def coverage(
    t: Translator,
    branch_name: str,
    term: Term,
    lines: Sequence[Coverage],
    summary: CoverageSummary,
) -> str:
    def names(people: Sequence[Coverage]) -> str:
        return "、".join(p.name for p in people) or t("sf.none")

    parts = [
        t("sf.coverage.title", branch=branch_name, term=term_text(term), done=summary.done,
          members=summary.members),
        t("sf.coverage.done", names=names([c for c in lines if c.done])),
        t("sf.coverage.no_lesson", names=names([c for c in lines if c.missing_lesson])),
        t("sf.coverage.no_drill", names=names([c for c in lines if c.missing_drill])),
        t("sf.coverage.counts", lessons=summary.lessons, students=summary.students,
          drills=summary.drills),
    ]  # fmt: skip
    return "\n".join(parts)
