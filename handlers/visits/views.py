"""Screens of the home-visit feature, for a Translator: ``(text, keyboard)``, or the text.

Nothing here reads the database; handlers fetch and pass what a screen shows. Callback
data: ``vf:...`` are steps of the /visit flow (only valid while it waits for them),
``vis:...`` act on stored visits and are authorized against the database when pressed.

The reminder engine renders with ``follow_up_reminder``, ``behind_target_reminder`` and
``branch_behind_digest``; their buttons are served by this feature's handlers.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import handlers.visits.texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Raw, Translator
from handlers.common.todo_link import todo_button
from handlers.common.views import cancel_only, clamp_page, page_count
from handlers.common.withdrawal import confirm_buttons
from storage.terms import Term, next_month
from storage.todo import Activity
from storage.visits import (
    BranchProgress,
    FollowUpDue,
    Form,
    HomeVisit,
    MemberProgress,
    Met,
    Topic,
    VisitVersion,
    suggest_alias,
)

Screen = tuple[str, InlineKeyboardMarkup | None]
Rows = list[list[InlineKeyboardButton]]

FLOW_PREFIX = "vf"
RECORD_PREFIX = "vis"
PAGE_SIZE = 5
# People of a branch, and branches of the bureau, shown per page: a line and a button
# each, well within Telegram's 4096 characters and 100 buttons a message.
LIST_PAGE = 20
# Open follow-ups listed under /visits, soonest first, two buttons each.
FOLLOW_UPS_SHOWN = 10
# Names of those without a visit this month, at most, before "and N more".
IDLE_NAMES = 30
FOLLOW_UP_MAX_DAYS = 120
# Telegram refuses a message over 4096 characters; keep a margin for the joiners.
MESSAGE_LIMIT = 4000


@dataclass(frozen=True)
class VisitPage:
    """One page of a person's visits this term, with their count against the target."""

    term: Term
    visits: Sequence[HomeVisit]
    page: int
    total: int
    count: int
    target: int | None


def step(action: str, *args: object) -> str:
    """Callback data for a button of the /visit flow."""
    return encode(FLOW_PREFIX, action, *args)


def act(action: str, *args: object) -> str:
    """Callback data for a button acting on stored visits."""
    return encode(RECORD_PREFIX, action, *args)


# --------------------------------------------------------------------------- the /visit flow


def ask_date(t: Translator, term: Term, today: date, problem: str | None = None) -> Screen:
    offered = [
        (t("visit.btn.today"), "today", today),
        (t("visit.btn.yesterday"), "yesterday", today - timedelta(days=1)),
    ]
    row = [
        InlineKeyboardButton(label, callback_data=step("date", key))
        for label, key, day in offered
        if term.contains(day)
    ]
    row.append(InlineKeyboardButton(t("visit.btn.pick"), callback_data=step("date", "pick")))
    text = t("visit.ask_date", start=_d(term.start), end=_d(term.end))
    return _with_problem(problem, text), InlineKeyboardMarkup([row, [cancel_button(t)]])


def date_calendar(t: Translator, month: date, lo: date, hi: date) -> Screen:
    """A month of days from ``lo`` to ``hi`` (the term up to today) to pick the visit day."""
    return t("visit.pick_date"), _calendar(t, month, lo, hi)


def follow_up_calendar(t: Translator, month: date, lo: date, hi: date) -> Screen:
    # [Back] leads to the summary: no [Cancel] here, which would drop the whole visit.
    screen = _calendar(t, month, lo, hi, cancel=False)
    return t("visit.pick_follow_up", days=FOLLOW_UP_MAX_DAYS), screen


def ask_alias(t: Translator, explain: bool, problem: str | None = None) -> Screen:
    text = t("visit.ask_alias")
    if explain:
        text = f"{text}\n\n{t('visit.alias_why')}"
    return _with_problem(problem, text), cancel_only(t)


def full_name_warning(t: Translator, alias: str) -> Screen:
    keyboard = [
        [InlineKeyboardButton(t("visit.btn.keep_alias"), callback_data=step("alias", "ok"))],
        [cancel_button(t)],
    ]
    text = t("visit.alias_full_name", alias=alias, suggest=suggest_alias(alias))
    return text, InlineKeyboardMarkup(keyboard)


# Grades a class can be picked from on a phone: primary 一–六年级, junior 初一–初三, senior
# 高一–高三. The code is what the button carries; the prefix is how the class is written.
GRADES: dict[str, str] = {
    **{str(n): name for n, name in enumerate("一二三四五六", start=1)},
    "j1": "初一", "j2": "初二", "j3": "初三",
    "s1": "高一", "s2": "高二", "s3": "高三",
}  # fmt: skip
CLASS_NUMBERS = 20  # accepted from a button
# Shown as buttons: 20 would be a wall of 22 buttons on a phone; a larger class number is
# quicker typed, and the classes used before come first.
CLASS_BUTTONS = 8


def class_name(grade: str, number: int) -> str:
    """How a picked class is written: 三(2)班, 初一(5)班."""
    return f"{GRADES[grade]}({number})班"


def ask_class(t: Translator, options: Sequence[str], problem: str | None = None) -> Screen:
    """The classes used before as buttons (or, the first time, the grades to pick from)."""
    if not options:
        return grade_picker(t, problem)
    buttons = [
        InlineKeyboardButton(name, callback_data=step("cls", index))
        for index, name in enumerate(options)
    ]
    rows = _rows(buttons, 3)
    rows.append(
        [
            InlineKeyboardButton(t("visit.btn.other_class"), callback_data=step("grade", "all")),
            cancel_button(t),
        ]
    )
    return _with_problem(problem, t("visit.ask_class_buttons")), InlineKeyboardMarkup(rows)


def grade_picker(t: Translator, problem: str | None = None) -> Screen:
    buttons = [
        InlineKeyboardButton(t(f"visit.grade.{code}"), callback_data=step("grade", code))
        for code in GRADES
    ]
    rows = _rows(buttons, 3)
    rows.append([cancel_button(t)])
    return _with_problem(problem, t("visit.ask_grade")), InlineKeyboardMarkup(rows)


def class_number_picker(t: Translator, grade: str, used: Sequence[str] = ()) -> Screen:
    """The classes of ``grade`` used before (``used`` is the flow's class options, whose
    index the button carries), then the first few class numbers; others are typed."""
    prefix = f"{GRADES[grade]}("
    mine = [
        InlineKeyboardButton(name, callback_data=step("cls", index))
        for index, name in enumerate(used)
        if name.startswith(prefix)
    ]
    taken = {button.text for button in mine}
    numbers = [
        InlineKeyboardButton(class_name(grade, n), callback_data=step("clsn", grade, n))
        for n in range(1, CLASS_BUTTONS + 1)
        if class_name(grade, n) not in taken
    ]
    rows = _rows(mine, 3) + _rows(numbers, 4)
    rows.append(
        [
            InlineKeyboardButton(t("visit.btn.grades"), callback_data=step("grade", "all")),
            cancel_button(t),
        ]
    )
    example = class_name(grade, CLASS_BUTTONS + 4)
    text = t("visit.ask_class_number", grade=t(f"visit.grade.{grade}"), example=example)
    return text, InlineKeyboardMarkup(rows)


def ask_form(t: Translator, problem: str | None = None) -> Screen:
    row = [
        InlineKeyboardButton(form_label(t, form), callback_data=step("form", form.value))
        for form in Form
    ]
    return _with_problem(problem, t("visit.ask_form")), InlineKeyboardMarkup(
        [row, [cancel_button(t)]]
    )


def ask_met(t: Translator, problem: str | None = None) -> Screen:
    row = [
        InlineKeyboardButton(met_label(t, met), callback_data=step("met", met.value)) for met in Met
    ]
    return _with_problem(problem, t("visit.ask_met")), InlineKeyboardMarkup(
        [row, [cancel_button(t)]]
    )


def ask_topics(t: Translator, selected: Sequence[str], problem: str | None = None) -> Screen:
    return _with_problem(problem, t("visit.ask_topics")), topics_keyboard(t, selected)


def topics_keyboard(t: Translator, selected: Sequence[str]) -> InlineKeyboardMarkup:
    rows = _rows(_topic_buttons(t, selected), 3)
    rows.append(
        [
            InlineKeyboardButton(t("visit.btn.done"), callback_data=step("topdone")),
            cancel_button(t),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _topic_buttons(t: Translator, selected: Sequence[str]) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            ("✅ " if topic.value in selected else "") + topic_label(t, topic),
            callback_data=step("top", topic.value),
        )
        for topic in Topic
    ]


def summary(t: Translator, draft: dict[str, Any], problem: str | None = None) -> Screen:
    """Everything entered, the topics to tick (multi-select), the optional parts, [Save]."""
    none = t("visit.none")
    chosen = draft.get("topics") or []
    text = t(
        "visit.summary",
        date=draft.get("date") or none,
        alias=draft.get("alias") or none,
        class_name=draft.get("class") or none,
        form=form_label(t, Form(draft["form"])) if draft.get("form") else none,
        met=met_label(t, Met(draft["met"])) if draft.get("met") else none,
        topics=topics_text(t, chosen) or t("visit.topics_to_pick"),
        note=draft.get("note") or none,
        follow_up=draft.get("follow_up") or none,
        photo=t("visit.photo_attached") if draft.get("photo") else none,
    )
    if draft.get("edit_id"):
        text = f"{t('visit.summary_edit_title', id=draft['edit_id'])}\n\n{text}"
    keyboard = _rows(_topic_buttons(t, chosen), 3)
    keyboard += [
        [
            InlineKeyboardButton(t("visit.btn.note"), callback_data=step("note")),
            InlineKeyboardButton(t("visit.btn.follow_up"), callback_data=step("fu")),
            InlineKeyboardButton(t("visit.btn.photo"), callback_data=step("photo")),
        ],
        [
            InlineKeyboardButton(t("visit.btn.save"), callback_data=step("save")),
            InlineKeyboardButton(t("visit.btn.edit"), callback_data=step("edit")),
            cancel_button(t),
        ],
    ]
    return _with_problem(problem, text), InlineKeyboardMarkup(keyboard)


# Topics are ticked on the summary itself.
EDITABLE_FIELDS = ("date", "alias", "class", "form", "met")


def edit_menu(t: Translator) -> Screen:
    buttons = [
        InlineKeyboardButton(t(f"visit.field.{name}"), callback_data=step("field", name))
        for name in EDITABLE_FIELDS
    ]
    rows = _rows(buttons, 3)
    rows.append([InlineKeyboardButton(t("button.back"), callback_data=step("back"))])
    return t("visit.edit_which"), InlineKeyboardMarkup(rows)


def ask_note(t: Translator, has_note: bool, problem: str | None = None) -> Screen:
    text = t("visit.ask_note")
    row = [InlineKeyboardButton(t("button.back"), callback_data=step("back"))]
    if has_note:
        text = f"{text}\n{t('visit.ask_note_replace')}"
        row.insert(
            0, InlineKeyboardButton(t("visit.btn.remove_note"), callback_data=step("rmnote"))
        )
    return _with_problem(problem, text), InlineKeyboardMarkup([row])


def ask_follow_up(t: Translator, problem: str | None = None) -> Screen:
    keyboard = [
        [
            InlineKeyboardButton(t("visit.btn.week1"), callback_data=step("fuset", 7)),
            InlineKeyboardButton(t("visit.btn.week2"), callback_data=step("fuset", 14)),
            InlineKeyboardButton(
                t("visit.btn.pick_follow_up"), callback_data=step("fuset", "pick")
            ),
        ],
        [
            InlineKeyboardButton(t("visit.btn.no_follow_up"), callback_data=step("fuset", "none")),
            InlineKeyboardButton(t("button.back"), callback_data=step("back")),
        ],
    ]
    return _with_problem(problem, t("visit.ask_follow_up")), InlineKeyboardMarkup(keyboard)


def ask_photo(t: Translator, has_photo: bool, problem: str | None = None) -> Screen:
    row = [InlineKeyboardButton(t("button.back"), callback_data=step("back"))]
    if has_photo:
        row.insert(
            0, InlineKeyboardButton(t("visit.btn.remove_photo"), callback_data=step("rmphoto"))
        )
    return _with_problem(problem, t("visit.ask_photo")), InlineKeyboardMarkup([row])


def saved(
    t: Translator, visit: HomeVisit, count: int, target: int | None, *, edited_version: int | None
) -> str:
    if edited_version is not None:
        lines = [t("visit.updated", version=edited_version)]
    else:
        lines = [t("visit.saved", date=_d(visit.visit_date), alias=visit.student_alias)]
    if visit.follow_up_open and visit.follow_up_on is not None:
        lines.append(t("visit.saved_follow_up", date=_d(visit.follow_up_on)))
    lines.append(progress(t, count, target))
    return "\n".join(lines)


# --------------------------------------------------------------------------- /visits


def progress(t: Translator, count: int, target: int | None) -> str:
    if target is None:
        return t("visit.progress_no_target", count=count)
    return t("visit.progress", count=count, target=target)


def my_visits(t: Translator, listed: VisitPage, *, now: datetime, secretary: bool) -> Screen:
    """One page of the member's own visits this term, each with its buttons."""
    head = _page_head(t, "visit.list_title", listed)
    if not listed.visits:
        lines = [head, t("visit.list_empty")]
        if secretary:
            lines.append(t("visit.list_hint_secretary"))
        return "\n\n".join(lines), None
    lines = [head, ""]
    rows: Rows = []
    for index, visit in _numbered(listed):
        lines.append(_list_line(t, index, visit, now))
        row = [
            InlineKeyboardButton(
                t("visit.btn.show_n", index=index), callback_data=act("show", visit.id)
            )
        ]
        if visit.editable(now):
            row.append(
                InlineKeyboardButton(
                    t("visit.btn.edit_n", index=index), callback_data=act("edit", visit.id)
                )
            )
            row.append(
                InlineKeyboardButton(
                    t("visit.btn.withdraw_n", index=index), callback_data=act("wd", visit.id)
                )
            )
        rows.append(row)
    rows += _pager(t, listed.page, listed.total, lambda p: act("page", p))
    if secretary:
        lines += ["", t("visit.list_hint_secretary")]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def follow_ups(t: Translator, visits: Sequence[HomeVisit], today: date) -> Screen:
    """The member's open follow-ups, due ones marked, each with [Done] [Postpone a week].

    The soonest ``FOLLOW_UPS_SHOWN`` only, so that the message and its buttons stay within
    Telegram's limits; the rest move up as these are done or postponed.
    """
    lines = [t("visit.follow_ups_title", count=len(visits))]
    rows: Rows = []
    for index, visit in enumerate(visits[:FOLLOW_UPS_SHOWN], start=1):
        assert visit.follow_up_on is not None
        lines.append(
            t(
                "visit.follow_up_line",
                index=index,
                due=_d(visit.follow_up_on),
                alias=visit.student_alias,
                class_name=visit.class_name,
                date=_d(visit.visit_date),
                overdue=t("visit.due_mark") if visit.follow_up_on <= today else "",
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    t("visit.btn.fdone_n", index=index), callback_data=act("fdone", visit.id)
                ),
                InlineKeyboardButton(
                    t("visit.btn.fpost_n", index=index), callback_data=_postpone(visit)
                ),
            ]
        )
    if len(visits) > FOLLOW_UPS_SHOWN:
        lines.append(t("visit.follow_ups_more", count=len(visits) - FOLLOW_UPS_SHOWN))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def visit_detail(
    t: Translator,
    visit: HomeVisit,
    *,
    teacher: str,
    zone: ZoneInfo,
    now: datetime,
    owner: bool,
    has_history: bool,
) -> Screen:
    extra = ""
    if visit.version > 1:
        extra += t(
            "visit.detail_version", version=visit.version, updated=_at(visit.updated_at, zone)
        )
    if visit.withdrawn_at is not None:
        extra += t("visit.detail_withdrawn", at=_at(visit.withdrawn_at, zone))
    elif visit.locked(now):
        extra += t("visit.detail_locked")
    none = t("visit.none")
    text = t(
        "visit.detail",
        id=visit.id,
        date=_d(visit.visit_date),
        alias=visit.student_alias,
        class_name=visit.class_name,
        form=form_label(t, visit.form),
        met=met_label(t, visit.met),
        topics=topics_text(t, visit.topics),
        note=visit.note or none,
        photo=t("visit.photo_attached") if visit.photo_file_id else none,
        follow_up=Raw(_follow_up_state(t, visit, zone)),
        teacher=teacher,
        created=_at(visit.created_at, zone),
        extra=Raw(extra),
    )
    rows: Rows = []
    if owner and visit.editable(now):
        rows.append(
            [
                InlineKeyboardButton(t("visit.btn.edit_one"), callback_data=act("edit", visit.id)),
                InlineKeyboardButton(
                    t("visit.btn.withdraw_one"), callback_data=act("wd", visit.id)
                ),
            ]
        )
    if owner and visit.follow_up_open:
        rows.append(
            [
                InlineKeyboardButton(t("visit.btn.fdone"), callback_data=act("fdone", visit.id)),
                InlineKeyboardButton(t("visit.btn.fpost"), callback_data=_postpone(visit)),
            ]
        )
    extras = []
    if has_history:
        extras.append(
            InlineKeyboardButton(t("visit.btn.history"), callback_data=act("hist", visit.id))
        )
    if visit.photo_file_id:
        extras.append(
            InlineKeyboardButton(t("visit.btn.show_photo"), callback_data=act("photo", visit.id))
        )
    if extras:
        rows.append(extras)
    return text, InlineKeyboardMarkup(rows) if rows else None


def history(
    t: Translator, visit_id: int, versions: Sequence[VisitVersion], zone: ZoneInfo
) -> list[str]:
    """Earlier versions, as few messages as fit Telegram's limit (each note may be 1000)."""
    if not versions:
        return [t("visit.history_none")]
    none = t("visit.none")
    lines = [t("visit.history_title", id=visit_id)]
    for version in versions:
        c = version.content
        lines.append(
            t(
                "visit.history_line",
                version=version.version,
                at=_at(version.replaced_at, zone),
                date=c.get("visit_date", ""),
                alias=c.get("student_alias", ""),
                class_name=c.get("class_name", ""),
                form=form_label(t, Form(c["form"])) if c.get("form") else none,
                met=met_label(t, Met(c["met"])) if c.get("met") else none,
                topics=topics_text(t, c.get("topics") or []),
                note=c.get("note") or none,
                follow_up=c.get("follow_up_on") or none,
            )
        )
    return pack(lines, "\n\n")


def pack(lines: Sequence[str], joiner: str = "\n", limit: int = MESSAGE_LIMIT) -> list[str]:
    """``lines`` joined into as few messages as keep each within ``limit`` characters.

    Lengths are counted on the HTML text, which is never shorter than what Telegram
    counts after parsing it, so a message that fits here fits there.
    """
    messages: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + len(joiner) + len(line) > limit:
            messages.append(current)
            current = line
        else:
            current = f"{current}{joiner}{line}" if current else line
    if current:
        messages.append(current)
    return messages


def confirm_withdraw(t: Translator, visit: HomeVisit) -> Screen:
    text = t("visit.confirm_withdraw", date=_d(visit.visit_date), alias=visit.student_alias)
    return text, confirm_buttons(t, RECORD_PREFIX, visit.id)


def done_ask(t: Translator, alias: str, problem: str | None = None) -> Screen:
    keyboard = [
        [
            InlineKeyboardButton(t("visit.btn.done_now"), callback_data=encode("vd", "now")),
            cancel_button(t),
        ]
    ]
    return _with_problem(problem, t("visit.done_ask", alias=alias)), InlineKeyboardMarkup(keyboard)


# --------------------------------------------------------------------------- branch, bureau


def branch_view(
    t: Translator,
    *,
    branch_id: int,
    branch_name: str,
    term: Term,
    people: Sequence[MemberProgress],
    today: date,
    member_buttons: bool,
    page: int = 0,
) -> Screen:
    """Each person's count against the target, and who has no visit this month; paged."""
    target = people[0].target if people else None
    head = t(
        "visit.branch_title",
        branch=branch_name,
        start=_d(term.start),
        end=_d(term.end),
        target=t("visit.target_each", target=target)
        if target is not None
        else t("visit.target_unset"),
    )
    if not people:
        return f"{head}\n\n{t('visit.nobody')}", None
    page = clamp_page(page, len(people), LIST_PAGE)
    first = page * LIST_PAGE
    shown = people[first : first + LIST_PAGE]
    lines = [head, ""]
    for index, person in enumerate(shown, start=first + 1):
        count = f"{person.term_count}/{target}" if target is not None else str(person.term_count)
        reached = target is not None and person.term_count >= target
        lines.append(
            t(
                "visit.branch_line",
                index=index,
                name=person.name,
                count=count,
                flag=t("visit.reached") if reached else "",
            )
        )
    month = today.strftime("%Y-%m")
    idle = [person.name for person in people if person.month_count == 0]
    lines.append("")
    if idle:
        lines.append(t("visit.none_this_month", month=month, names=_names(t, idle)))
    else:
        lines.append(t("visit.all_this_month", month=month))
    rows: Rows = []
    if member_buttons:
        buttons = [
            InlineKeyboardButton(
                t("visit.btn.member", name=person.name)[:60],
                callback_data=act("mem", person.member_id, 0),
            )
            for person in shown
        ]
        rows = _rows(buttons, 2)
        if idle:
            rows.append([todo_button(t, Activity.VISIT, branch_id)])
    else:
        lines += ["", t("visit.counts_note")]
    rows += _pager(t, page, len(people), lambda p: act("brp", branch_id, p), LIST_PAGE)
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def totals_view(
    t: Translator, term: Term, totals: Sequence[BranchProgress], *, inspector: bool, page: int = 0
) -> Screen:
    """Every branch's counts, for the bureau and inspectors; a button opens a branch."""
    head = t("visit.totals_title", start=_d(term.start), end=_d(term.end))
    if not totals:
        return f"{head}\n\n{t('visit.totals_empty')}", None
    page = clamp_page(page, len(totals), LIST_PAGE)
    shown = totals[page * LIST_PAGE : (page + 1) * LIST_PAGE]
    lines = [head, ""]
    for row in shown:
        target = (
            t("visit.totals_target", at=row.at_target, people=row.people, target=row.target)
            if row.target is not None
            else ""
        )
        lines.append(
            t(
                "visit.totals_line",
                name=row.name,
                visits=row.visits,
                people=row.people,
                target=Raw(target),
                none=row.none_this_month,
            )
        )
    if inspector:
        lines += ["", t("visit.counts_note")]
    buttons = [
        InlineKeyboardButton(row.name[:60], callback_data=act("br", row.branch_id)) for row in shown
    ]
    rows = _rows(buttons, 2)
    rows += _pager(t, page, len(totals), lambda p: act("tot", p), LIST_PAGE)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def member_visits(
    t: Translator, listed: VisitPage, *, name: str, member_id: int, now: datetime
) -> Screen:
    """A secretary's or admin's read-only page of one member's visits."""
    head = _page_head(t, "visit.member_title", listed, name=name)
    if not listed.visits:
        return f"{head}\n\n{t('visit.member_empty')}", None
    lines = [head, ""]
    buttons = []
    for index, visit in _numbered(listed):
        lines.append(_list_line(t, index, visit, now))
        buttons.append(
            InlineKeyboardButton(
                t("visit.btn.show_n", index=index), callback_data=act("show", visit.id)
            )
        )
    rows = _rows(buttons, 5)
    rows += _pager(t, listed.page, listed.total, lambda p: act("memp", member_id, p))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _page_head(t: Translator, key: str, listed: VisitPage, **values: Any) -> str:
    """A page's title: the term, and the count against the target."""
    term = listed.term
    return t(
        key,
        **values,
        start=_d(term.start),
        end=_d(term.end),
        progress=Raw(progress(t, listed.count, listed.target)),
    )


def _numbered(listed: VisitPage) -> Iterator[tuple[int, HomeVisit]]:
    """The page's visits, numbered on from the pages before it."""
    return enumerate(listed.visits, start=listed.page * PAGE_SIZE + 1)


def term_view(t: Translator, term: Term) -> Screen:
    source = t("term.source_default") if term.is_default else t("term.source_set")
    text = t("term.view", start=_d(term.start), end=_d(term.end), source=source)
    keyboard = [[InlineKeyboardButton(t("term.btn.set"), callback_data=encode("vterm", "set"))]]
    return text, InlineKeyboardMarkup(keyboard)


# --------------------------------------------------------------------------- for reminders


def follow_up_reminder(t: Translator, due: FollowUpDue) -> Screen:
    """The due-date reminder a member gets, with [Done] [Postpone a week]."""
    text = t(
        "visit.reminder_follow_up",
        alias=due.student_alias,
        class_name=due.class_name,
        date=_d(due.visit_date),
        due=_d(due.due_on),
    )
    keyboard = [
        [
            InlineKeyboardButton(t("visit.btn.fdone"), callback_data=act("fdone", due.visit_id)),
            InlineKeyboardButton(
                t("visit.btn.fpost"),
                callback_data=act("fpost", due.visit_id, due.due_on.strftime("%Y%m%d")),
            ),
        ]
    ]
    return text, InlineKeyboardMarkup(keyboard)


def behind_target_reminder(t: Translator, person: MemberProgress, term: Term) -> Screen:
    """A nudge to a member below the term's target, with a button that starts /visit."""
    text = t(
        "visit.reminder_behind",
        count=person.term_count,
        target=person.target if person.target is not None else 0,
        end=_d(term.end),
    )
    keyboard = [[InlineKeyboardButton(t("visit.btn.log_visit"), callback_data=act("new"))]]
    return text, InlineKeyboardMarkup(keyboard)


def branch_behind_digest(
    t: Translator, branch_id: int, branch_name: str, behind: Sequence[MemberProgress]
) -> Screen:
    """For the secretary: who is below target (names and counts only, no student data)."""
    target = behind[0].target if behind else 0
    lines = "\n".join(f"{person.name}：{person.term_count}/{target}" for person in behind)
    text = t(
        "visit.reminder_branch_behind",
        branch=branch_name,
        target=target if target is not None else 0,
        count=len(behind),
        lines=lines,
    )
    keyboard = [[InlineKeyboardButton(t("visit.btn.branch"), callback_data=act("br", branch_id))]]
    return text, InlineKeyboardMarkup(keyboard)


# --------------------------------------------------------------------------- labels


def form_label(t: Translator, form: Form) -> str:
    return t(f"visit.form.{form.value}")


def met_label(t: Translator, met: Met) -> str:
    return t(f"visit.met.{met.value}")


def topic_label(t: Translator, topic: Topic) -> str:
    return t(f"visit.topic.{topic.value}")


def topics_text(t: Translator, topics: Sequence[str]) -> str:
    joiner = "、" if t.lang == "zh" else ", "
    return joiner.join(topic_label(t, Topic(topic)) for topic in topics)


def choice_options(t: Translator, labels: Sequence[str]) -> str:
    return ("、" if t.lang == "zh" else ", ").join(labels)


# --------------------------------------------------------------------------- helpers


def _d(day: date) -> str:
    return day.isoformat()


def _at(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _with_problem(problem: str | None, text: str) -> str:
    return f"{problem}\n\n{text}" if problem else text


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> Rows:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _names(t: Translator, names: Sequence[str]) -> str:
    """Names joined, the list cut after ``IDLE_NAMES`` with how many more there are."""
    joiner = "、" if t.lang == "zh" else ", "
    text = joiner.join(names[:IDLE_NAMES])
    if len(names) > IDLE_NAMES:
        text += t("visit.and_more", count=len(names) - IDLE_NAMES)
    return text


def _pager(
    t: Translator, page: int, total: int, data: Callable[[int], str], size: int = PAGE_SIZE
) -> Rows:
    pages = page_count(total, size)
    if pages == 1:
        return []
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(t("visit.btn.prev"), callback_data=data(page - 1)))
    row.append(
        InlineKeyboardButton(t("visit.page", page=page + 1, pages=pages), callback_data=act("noop"))
    )
    if page + 1 < pages:
        row.append(InlineKeyboardButton(t("visit.btn.next"), callback_data=data(page + 1)))
    return [row]


def _list_line(t: Translator, index: int, visit: HomeVisit, now: datetime) -> str:
    marks = ""
    if visit.withdrawn:
        marks += t("visit.mark_withdrawn")
    elif visit.locked(now):
        marks += t("visit.mark_locked")
    if visit.follow_up_on is not None and not visit.withdrawn:
        if visit.follow_up_done_at is not None:
            marks += t("visit.mark_follow_up_done")
        else:
            marks += t("visit.mark_follow_up", date=visit.follow_up_on.strftime("%m-%d"))
    return t(
        "visit.list_line",
        index=index,
        date=visit.visit_date.strftime("%m-%d"),
        alias=visit.student_alias,
        class_name=visit.class_name,
        form=form_label(t, visit.form),
        topics=topics_text(t, visit.topics),
        marks=Raw(marks),
    )


def _postpone(visit: HomeVisit) -> str:
    """[Postpone a week] names the date it postpones, so a second tap does not move it again."""
    assert visit.follow_up_on is not None
    return act("fpost", visit.id, visit.follow_up_on.strftime("%Y%m%d"))


def _follow_up_state(t: Translator, visit: HomeVisit, zone: ZoneInfo) -> str:
    if visit.follow_up_on is None:
        return t("visit.none")
    if visit.follow_up_done_at is not None:
        note = (
            t("visit.follow_up_done_note", note=visit.follow_up_note)
            if visit.follow_up_note
            else ""
        )
        return f"{_d(visit.follow_up_on)} · " + t(
            "visit.follow_up_done", at=_at(visit.follow_up_done_at, zone), note=Raw(note)
        )
    return t("visit.follow_up_open", date=_d(visit.follow_up_on))


def _calendar(
    t: Translator, month: date, lo: date, hi: date, *, cancel: bool = True
) -> InlineKeyboardMarkup:
    """Days between ``lo`` and ``hi`` as buttons; others are blank; arrows where allowed."""
    first = month.replace(day=1)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    following = next_month(first)
    title = first.strftime("%Y年%m月") if t.lang == "zh" else first.strftime("%b %Y")
    nav = [
        InlineKeyboardButton("‹", callback_data=step("cal", prev_month.strftime("%Y-%m")))
        if first > lo
        else _blank(),
        InlineKeyboardButton(title, callback_data=step("noop")),
        InlineKeyboardButton("›", callback_data=step("cal", following.strftime("%Y-%m")))
        if following <= hi
        else _blank(),
    ]
    names = "一二三四五六日" if t.lang == "zh" else ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
    rows: Rows = [nav, [InlineKeyboardButton(name, callback_data=step("noop")) for name in names]]
    for week in calendar.monthcalendar(first.year, first.month):
        days = [first.replace(day=n) if n else None for n in week]
        if not any(day is not None and lo <= day <= hi for day in days):
            continue  # a week with nothing to pick would only be a row of blanks
        rows.append(
            [
                InlineKeyboardButton(str(day.day), callback_data=step("day", day.isoformat()))
                if day is not None and lo <= day <= hi
                else _blank()
                for day in days
            ]
        )
    last = [InlineKeyboardButton(t("button.back"), callback_data=step("back"))]
    if cancel:
        last.append(cancel_button(t))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def _blank() -> InlineKeyboardButton:
    return InlineKeyboardButton("·", callback_data=step("noop"))
