"""Party-day screens: one function per screen, returning text (and buttons).

The renderers the reminder engine calls for its timed messages are here too:
``announcement``, ``d3_reminder`` and ``morning_reminder`` take ``(Translator, PartyDay,
Branch)`` and return ``(text, buttons)`` with buttons in the outbox's format (rows of
``{"text", "callback_data"}``), ready for ``handlers.common.delivery``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import handlers.partyday.texts  # noqa: F401  (registers the catalog)
from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Raw, Translator
from handlers.common.todo_link import todo_button
from handlers.common.withdrawal import confirm_buttons
from storage.branches import Branch
from storage.partyday import Approval, Checkin, LeaveReason, PartyDay, Reply, RosterLine, Rule
from storage.partyday_rules import DayRule, Planned, RuleKind, holiday_name, is_holiday
from storage.service import PersonHours, ServiceKind, ServiceLog
from storage.todo import Activity

ButtonRows = list[list[dict[str, str]]]
Rendered = tuple[str, ButtonRows]

RULE_TIMES = (time(8, 30), time(14, 0), time(15, 30), time(16, 30))
# Telegram refuses a keyboard of more than 100 buttons (or about 10 kB): the roster shows
# approve/decline for the first few waiting requests, the mark list goes by pages.
ROSTER_APPROVAL_ROWS = 8
MARK_PAGE = 24
MARK_PER_ROW = 2
# In /service history each record shows this much of what was done (a week of 500-character
# records would not fit one message).
BRIEF_DESCRIPTION = 60
# ... and lists the newest of the week's records (two buttons each; Telegram allows 100).
RECENT_SHOWN = 20
RULE_DAYS = (1, 5, 10, 15, 20, 25, 28, 31)
HOUR_BUTTONS = (1, 2, 3, 4)


# --------------------------------------------------------------------------- renderers


def announcement(t: Translator, day: PartyDay, branch: Branch) -> Rendered:
    """The month's announcement with [参加] [请假]."""
    text = t("partyday.announce.text", branch=branch.name, block=Raw(day_block(t, day)))
    return text, reply_rows(t, day)


def d3_reminder(t: Translator, day: PartyDay, branch: Branch) -> Rendered:
    """Three days before: the day again, with the reply buttons for whoever has not answered."""
    text = t("partyday.d3.text", branch=branch.name, block=Raw(day_block(t, day)))
    return text, reply_rows(t, day)


def morning_reminder(t: Translator, day: PartyDay, branch: Branch) -> Rendered:
    """The morning of the day: where and when, with a [签到] button."""
    text = t("partyday.morning.text", branch=branch.name, block=Raw(day_block(t, day)))
    data = encode("pd", "ci", day.branch_id, day.key)
    return text, [[{"text": t("partyday.btn.checkin"), "callback_data": data}]]


def reply_reminder(t: Translator, day: PartyDay, branch: Branch) -> Rendered:
    """A secretary's "please answer" to those who have not."""
    text = t("partyday.remind.text", branch=branch.name, block=Raw(day_block(t, day)))
    return text, reply_rows(t, day)


def moved_notice(t: Translator, day: PartyDay, branch: Branch) -> Rendered:
    text = t(
        "partyday.notice.moved",
        branch=branch.name,
        month=month_name(t, day.year, day.month),
        block=Raw(day_block(t, day, with_note=False)),
        reason=day.reason or "",
    )
    return text, reply_rows(t, day)


def cancelled_notice(t: Translator, day: PartyDay, branch: Branch, was: date | None) -> Rendered:
    text = t(
        "partyday.notice.cancelled",
        branch=branch.name,
        month=month_name(t, day.year, day.month),
        date=long_date(t, was) if was else "—",
        reason=day.reason or "",
    )
    return text, []


def reply_rows(t: Translator, day: PartyDay) -> ButtonRows:
    return [
        [
            {
                "text": t("partyday.btn.attend"),
                "callback_data": encode("pd", "att", day.branch_id, day.key),
            },
            {
                "text": t("partyday.btn.leave"),
                "callback_data": encode("pd", "lv", day.branch_id, day.key),
            },
        ]
    ]


# --------------------------------------------------------------------------- /partyday


def member_screen(
    t: Translator,
    branch: Branch,
    day: PartyDay,
    reply: Reply | None,
    checkin: Checkin | None,
    *,
    today: date,
    open_for_replies: bool,
) -> tuple[str, InlineKeyboardMarkup | None]:
    extra = ""
    if not open_for_replies:
        extra += t("partyday.extra.closed")
    if checkin is not None:
        extra += t("partyday.extra.checked_in")
    elif day.date == today:
        extra += t("partyday.extra.today")
    text = t(
        "partyday.member_screen",
        branch=branch.name,
        block=Raw(day_block(t, day)),
        reply=Raw(reply_text(t, reply)),
        extra=Raw(extra),
    )
    return text, markup(reply_rows(t, day)) if open_for_replies else None


def secretary_screen(
    t: Translator, branch: Branch, rule: Rule | None, coming: Sequence[PartyDay]
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(t("partyday.btn.rule"), "pd", "rule")]]
    if rule is None:
        return t("partyday.secretary_no_rule", branch=branch.name), InlineKeyboardMarkup(rows)
    text = t(
        "partyday.secretary_screen",
        branch=branch.name,
        rule=rule_text(t, rule.day_rule),
        time=clock_time(rule.start_time),
        place=rule.place,
        lines=Raw(coming_lines(t, coming)),
    )
    rows += [
        [
            _button(t("partyday.btn.theme"), "pd", "theme"),
            _button(t("partyday.btn.move"), "pd", "move"),
        ],
        [_button(t("partyday.btn.cancel"), "pd", "cxl")],
    ]
    live = next((day for day in coming if not day.cancelled), None)
    if live is not None:
        rows.append([_button(t("partyday.btn.announce"), "pd", "ann", live.branch_id, live.key)])
    return text, InlineKeyboardMarkup(rows)


def coming_lines(t: Translator, coming: Sequence[PartyDay]) -> str:
    lines = []
    for index, day in enumerate(coming, start=1):
        if day.date is None:
            lines.append(
                t(
                    "partyday.next_cancelled",
                    index=index,
                    month=month_name(t, day.year, day.month),
                    reason=day.reason or "",
                )
            )
            continue
        if day.holiday_shifted and day.nominal is not None:
            note = t(
                "partyday.next_shifted",
                nominal=short_date(t, day.nominal),
                holiday=off_day_name(t, day.nominal),
            )
        elif day.reason:
            note = t("partyday.next_moved", reason=day.reason)
        else:
            note = ""
        lines.append(
            t(
                "partyday.next_line",
                index=index,
                date=long_date(t, day.date),
                time=clock_time(day.start_time),
                note=Raw(note),
            )
        )
    return "\n".join(lines)


def rule_confirm(
    t: Translator, rule: DayRule, start: time, place: str, plans: Sequence[Planned]
) -> tuple[str, InlineKeyboardMarkup]:
    lines = []
    for index, planned in enumerate(plans, start=1):
        note = (
            t(
                "partyday.next_shifted",
                nominal=short_date(t, planned.nominal),
                holiday=off_day_name(t, planned.nominal),
            )
            if planned.shifted
            else ""
        )
        lines.append(
            t(
                "partyday.next_line",
                index=index,
                date=long_date(t, planned.date),
                time=clock_time(start),
                note=Raw(note),
            )
        )
    text = t(
        "partyday.rule.confirm",
        rule=rule_text(t, rule),
        time=clock_time(start),
        place=place,
        lines=Raw("\n".join(lines)),
    )
    keyboard = [[_button(t("partyday.btn.save"), "pd", "rsave"), cancel_button(t)]]
    return text, InlineKeyboardMarkup(keyboard)


def rule_kind_question(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t(f"partyday.kind.{kind.value}"), "pd", "rk", kind.value)] for kind in RuleKind]
        + [[cancel_button(t)]]
    )


def rule_day_question(t: Translator) -> InlineKeyboardMarkup:
    row = [_button(str(day), "pd", "rd", day) for day in RULE_DAYS]
    return InlineKeyboardMarkup([row[:4], row[4:], [cancel_button(t)]])


def rule_nth_question(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t(f"partyday.nth.{n}"), "pd", "rn", n) for n in range(1, 5)], [cancel_button(t)]]
    )


def weekday_question(t: Translator) -> InlineKeyboardMarkup:
    buttons = [_button(weekday_name(t, day), "pd", "rw", day) for day in range(7)]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:], [cancel_button(t)]])


def time_question(t: Translator) -> InlineKeyboardMarkup:
    row = [_button(clock_time(value), "pd", "rt", value.strftime("%H%M")) for value in RULE_TIMES]
    return InlineKeyboardMarkup([row, [cancel_button(t)]])


def place_question(t: Translator, current: str | None) -> InlineKeyboardMarkup:
    rows = []
    if current:
        # A button label is plain text: the translator's HTML escaping would show as "&amp;".
        label = html.unescape(t("partyday.rule.keep_place", place=current))[:60]
        rows.append([_button(label, "pd", "rp")])
    return InlineKeyboardMarkup([*rows, [cancel_button(t)]])


def month_question(t: Translator, coming: Sequence[PartyDay]) -> InlineKeyboardMarkup:
    rows = []
    for day in coming:
        month = month_name(t, day.year, day.month)
        label = (
            t("partyday.month.button_cancelled", month=month)
            if day.date is None
            else t("partyday.month.button", month=month, date=short_date(t, day.date))
        )
        rows.append([_button(label, "pd", "mo", day.key)])
    return InlineKeyboardMarkup([*rows, [cancel_button(t)]])


def move_date_question(t: Translator, choices: Sequence[date]) -> InlineKeyboardMarkup:
    """A few working days to move to, three to a row; any other date is typed."""
    buttons = [
        _button(
            t("partyday.move.choice", date=short_date(t, d), weekday=weekday_name(t, d.weekday())),
            "pd",
            "md",
            d.strftime("%Y%m%d"),
        )
        for d in choices
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return InlineKeyboardMarkup([*rows, [cancel_button(t)]])


def cancel_confirm(t: Translator, day: PartyDay, reason: str) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        "partyday.cancel.confirm",
        month=month_name(t, day.year, day.month),
        date=long_date(t, day.date) if day.date else "—",
        reason=reason,
    )
    keyboard = [[_button(t("partyday.btn.confirm_cancel"), "pd", "cxlok"), cancel_button(t)]]
    return text, InlineKeyboardMarkup(keyboard)


def leave_question(t: Translator, day: PartyDay) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        _button(t(f"partyday.reason.{reason.value}"), "pd", "rs", reason.value)
        for reason in LeaveReason
    ]
    text = t("partyday.leave.ask", date=long_date(t, day.date) if day.date else "—")
    return text, InlineKeyboardMarkup([buttons[:3], buttons[3:], [cancel_button(t)]])


def approval_buttons(t: Translator, reply: Reply) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(t("partyday.btn.approve"), "pd", "ok", reply.id, reply.rev),
                _button(t("partyday.btn.decline"), "pd", "no", reply.id, reply.rev),
            ]
        ]
    )


def reply_text(t: Translator, reply: Reply | None) -> str:
    if reply is None:
        return t("partyday.reply.none")
    if reply.reason_kind is None:
        return t("partyday.reply.attend")
    return t(
        "partyday.reply.leave",
        reason=Raw(leave_reason(t, reply)),
        approval=t(f"partyday.approval.{reply.approval.value if reply.approval else 'pending'}"),
    )


def leave_kind(t: Translator, reply: Reply) -> str:
    """The kind of leave alone (事假, 病假, 其他 …), without anything the member wrote."""
    assert reply.reason_kind is not None
    return t(f"partyday.reason.{reply.reason_kind.value}")


def leave_reason(t: Translator, reply: Reply) -> str:
    """The reason as HTML: the member's own words for "other", else the kind (and words)."""
    kind = leave_kind(t, reply)
    if not reply.reason_text:
        return kind
    if reply.reason_kind is LeaveReason.OTHER:
        return t("partyday.reason_own_words", text=reply.reason_text)
    return t("partyday.reason_with_text", kind=kind, text=reply.reason_text)


# --------------------------------------------------------------------------- roster


def roster_screen(
    t: Translator,
    branch: Branch,
    day: PartyDay,
    lines: Sequence[RosterLine],
    *,
    can_remind: bool,
    viewer_id: int | None = None,
    held: bool = False,
    read_only: bool = False,
    todo: bool = False,
    reasons: bool = True,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The month's roster. The text may be longer than one message (split it to send);
    ``viewer_id`` gets no approve/decline buttons for their own leave request; once the
    day has started (``held``) it also lists who has not checked in without excused leave.
    ``read_only`` (the bureau's copy) has no buttons that remind, mark or decide; ``todo``
    (this month's) leads to /todo's list of who has not answered; without ``reasons``
    (an inspector's copy) a leave shows its kind, never the member's words."""
    month = month_name(t, day.year, day.month)
    if day.date is None:
        return (
            t(
                "partyday.roster.cancelled",
                branch=branch.name,
                month=month,
                reason=day.reason or "",
            ),
            None,
        )
    sep = t("partyday.list_sep")
    # Checking in says "I am here" more plainly than [参加] would have.
    attending = [
        line
        for line in lines
        if (line.reply and line.reply.reason_kind is None)
        or (line.reply is None and line.checkin is not None)
    ]
    on_leave = [line for line in lines if line.reply and line.reply.reason_kind is not None]
    silent = [line for line in lines if line.reply is None and line.checkin is None]
    checked = [line for line in lines if line.checkin is not None]
    worked = [line for line in lines if line.hours > 0]
    parts = [
        t("partyday.roster.title", branch=branch.name, month=month, block=Raw(day_block(t, day)))
    ]
    parts.append(t("partyday.roster.attend", count=len(attending), names=_names(t, attending, sep)))
    leave_lines = "".join(
        t(
            "partyday.roster.leave_line",
            name=line.member.name,
            reason=Raw(leave_reason(t, line.reply) if reasons else leave_kind(t, line.reply)),
            approval=t(f"partyday.approval.{line.reply.approval.value}"),
            makeup=Raw(
                t("partyday.roster.makeup", hours=fmt_hours(line.makeup_hours))
                if line.makeup_hours
                else ""
            ),
        )
        for line in on_leave
        if line.reply is not None and line.reply.approval is not None
    )
    parts.append(
        t(
            "partyday.roster.leave",
            count=len(on_leave),
            names=Raw(leave_lines or t("partyday.none_word")),
        )
    )
    parts.append(t("partyday.roster.none", count=len(silent), names=_names(t, silent, sep)))
    checked_names = sep.join(
        t(
            "partyday.roster.checked_name",
            name=line.member.name,
            method=t(f"partyday.method.{line.checkin.method.value}"),
        )
        for line in checked
        if line.checkin is not None
    )
    parts.append(
        t(
            "partyday.roster.checked",
            count=len(checked),
            names=Raw(checked_names or t("partyday.none_word")),
        )
    )
    if held:
        missing = [
            line
            for line in lines
            if line.checkin is None
            and not (line.reply is not None and line.reply.approval is Approval.APPROVED)
        ]
        parts.append(
            t("partyday.roster.missing", count=len(missing), names=_names(t, missing, sep))
        )
    total = sum(line.hours for line in lines)
    detail = (
        t(
            "partyday.roster.hours_detail",
            items=Raw(
                sep.join(
                    t(
                        "partyday.roster.hours_item",
                        name=line.member.name,
                        hours=fmt_hours(line.hours),
                    )
                    for line in worked
                )
            ),
        )
        if worked
        else ""
    )
    parts.append(t("partyday.roster.hours", total=fmt_hours(total), detail=Raw(detail)))
    rows: list[list[InlineKeyboardButton]] = []
    last = (
        [[todo_button(t, Activity.PARTY_DAY, day.branch_id)]]
        if todo and silent and not held
        else []
    )
    if read_only:
        return "\n".join(parts), InlineKeyboardMarkup(last) if last else None
    if silent and can_remind:
        rows.append(
            [
                _button(
                    t("partyday.btn.remind", count=len(silent)), "pd", "rem", day.branch_id, day.key
                )
            ]
        )
    rows.append([_button(t("partyday.btn.mark"), "pd", "mk", day.branch_id, day.key)])
    waiting = [
        line
        for line in on_leave
        if line.reply is not None
        and line.reply.approval is Approval.PENDING
        and line.member.id != viewer_id
    ]
    if len(waiting) > ROSTER_APPROVAL_ROWS:
        parts.append(t("partyday.roster.more_waiting", count=len(waiting) - ROSTER_APPROVAL_ROWS))
    for line in waiting[:ROSTER_APPROVAL_ROWS]:
        reply = line.reply
        if reply is not None:
            rows.append(
                [
                    _button(
                        t("partyday.btn.approve_name", name=line.member.name)[:40],
                        "pd",
                        "ok",
                        reply.id,
                        reply.rev,
                    ),
                    _button(
                        t("partyday.btn.decline_name", name=line.member.name)[:40],
                        "pd",
                        "no",
                        reply.id,
                        reply.rev,
                    ),
                ]
            )
    return "\n".join(parts), InlineKeyboardMarkup(rows + last)


def mark_question(
    t: Translator, day: PartyDay, lines: Sequence[RosterLine], page: int = 0
) -> InlineKeyboardMarkup | None:
    """Those not checked in, a page at a time, two to a row; None when nobody is left."""
    left = [line for line in lines if line.checkin is None]
    if not left:
        return None
    pages = (len(left) + MARK_PAGE - 1) // MARK_PAGE
    page = min(max(page, 0), pages - 1)
    shown = left[page * MARK_PAGE : (page + 1) * MARK_PAGE]
    buttons = [
        _button(line.member.name, "pd", "mkm", day.key, line.member.id, page) for line in shown
    ]
    rows = [buttons[i : i + MARK_PER_ROW] for i in range(0, len(buttons), MARK_PER_ROW)]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(
                _button(t("partyday.btn.prev"), "pd", "mkp", day.branch_id, day.key, page - 1)
            )
        nav.append(
            _button(
                t("partyday.mark.page", page=page + 1, pages=pages),
                "pd",
                "mkp",
                day.branch_id,
                day.key,
                page,
            )
        )
        if page < pages - 1:
            nav.append(
                _button(t("partyday.btn.next"), "pd", "mkp", day.branch_id, day.key, page + 1)
            )
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------- service


def kind_question(
    t: Translator, makeup: Sequence[tuple[int, str]], *, show_history: bool
) -> InlineKeyboardMarkup:
    """Service kinds, then a [补课] button per month that may be made up, then [本年记录]."""
    kinds = [
        _button(t(f"service.kind.{kind.value}"), "svc", "k", kind.value) for kind in ServiceKind
    ]
    rows = [kinds[:3], kinds[3:]]
    rows += [
        [_button(t("service.btn.makeup", month=label), "svc", "mu", month_id)]
        for month_id, label in makeup
    ]
    if show_history:
        rows.append([_button(t("service.btn.history"), "svc", "hist")])
    rows.append([cancel_button(t)])
    return InlineKeyboardMarkup(rows)


def date_question(
    t: Translator,
    today: date,
    party_date: date | None,
    yesterday_ok: bool,
    *,
    offer_today: bool = True,
) -> InlineKeyboardMarkup:
    row = []
    if party_date is not None:
        row.append(
            _button(
                t("service.btn.party_day", date=short_date(t, party_date)),
                "svc",
                "d",
                party_date.strftime("%Y%m%d"),
            )
        )
    if offer_today and party_date != today:
        row.append(
            _button(
                t("service.btn.today", date=short_date(t, today)),
                "svc",
                "d",
                today.strftime("%Y%m%d"),
            )
        )
    rows = [row] if row else []
    if yesterday_ok:
        yesterday = today - timedelta(days=1)
        if yesterday != party_date:
            rows.append(
                [
                    _button(
                        t("service.btn.yesterday", date=short_date(t, yesterday)),
                        "svc",
                        "d",
                        yesterday.strftime("%Y%m%d"),
                    )
                ]
            )
    return InlineKeyboardMarkup([*rows, [cancel_button(t)]])


def hours_question(t: Translator) -> InlineKeyboardMarkup:
    row = [_button(t("service.btn.hours", hours=h), "svc", "h", h * 2) for h in HOUR_BUTTONS]
    row.append(_button(t("service.btn.other_hours"), "svc", "h", "other"))
    return InlineKeyboardMarkup([row, [cancel_button(t)]])


def photo_question(t: Translator, *, remove: bool = False) -> InlineKeyboardMarkup:
    """[跳过] when logging; [删除照片] when editing a record that has one (same button)."""
    label = t("service.btn.remove_photo") if remove else t("service.btn.skip")
    return InlineKeyboardMarkup([[_button(label, "svc", "skip"), cancel_button(t)]])


def service_summary(
    t: Translator,
    log: ServiceLog,
    *,
    makeup_month: str | None = None,
    edits: int = 0,
    brief: bool = False,
) -> str:
    """One record as HTML; ``brief`` cuts what was done to its first words (for lists)."""
    description = log.description
    if brief and len(description) > BRIEF_DESCRIPTION:
        description = description[: BRIEF_DESCRIPTION - 1] + "…"
    tags = ""
    if log.party_month_id is not None:
        tags += t("service.tag.party_day")
    if makeup_month is not None:
        tags += t("service.tag.makeup", month=makeup_month)
    if log.photo_file_id:
        tags += t("service.tag.photo")
    if edits:
        tags += t("service.tag.edited", count=edits)
    if not log.active:
        tags += t("service.tag.withdrawn")
    return t(
        "service.summary",
        kind=t(f"service.kind.{log.kind.value}"),
        date=short_date(t, log.on_date),
        hours=fmt_hours(log.hours),
        tags=Raw(tags),
        description=description,
    )


def history_screen(
    t: Translator,
    year: int,
    by_month: dict[int, float],
    recent: Sequence[tuple[ServiceLog, str]],
    editable_ids: set[int],
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The year's hours by month, then the last week's records with their buttons.

    ``recent`` pairs each record with its summary (already HTML).
    """
    if by_month:
        lines = [t("service.history.title", year=year, total=fmt_hours(sum(by_month.values())))]
        lines += [
            t("service.history.month", month=t(f"partyday.mon.{month}"), hours=fmt_hours(hours))
            for month, hours in sorted(by_month.items())
        ]
    else:
        lines = [t("service.history.none", year=year)]
    rows: list[list[InlineKeyboardButton]] = []
    if recent:
        lines.append("")
        lines.append(t("service.history.recent"))
        for log, summary in recent[:RECENT_SHOWN]:
            lines.append(t("service.history.line", id=log.id, summary=Raw(summary)))
            if log.id in editable_ids:
                rows.append(
                    [
                        _button(t("service.btn.edit", id=log.id), "svc", "ed", log.id),
                        _button(t("service.btn.withdraw", id=log.id), "svc", "wd", log.id),
                    ]
                )
        if len(recent) > RECENT_SHOWN:
            lines.append(t("service.history.more", count=len(recent) - RECENT_SHOWN))
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def branch_service_screen(
    t: Translator,
    branch: Branch,
    year: int,
    people: Sequence[PersonHours],
    *,
    month: int | None,
    todo: bool,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The branch's service in a year, each person's hours (and this month's, when
    ``month`` is given: the current year); ``todo`` leads to /todo's list of who has none
    this month."""
    if not people:
        return t("service.branch.nobody"), None
    total = sum(p.year_hours for p in people)
    lines = [
        t(
            "service.branch.title",
            branch=branch.name,
            year=year,
            total=fmt_hours(total),
            people=sum(1 for p in people if p.records),
        )
    ]
    if month is not None:
        lines.append(
            t(
                "service.branch.month",
                month=month,
                hours=fmt_hours(sum(p.month_hours for p in people)),
            )
        )
    lines.append("")
    for index, person in enumerate(people, start=1):
        month_part = (
            t("service.branch.month_part", hours=fmt_hours(person.month_hours))
            if month is not None
            else ""
        )
        lines.append(
            t(
                "service.branch.line",
                index=index,
                name=person.name,
                year_hours=fmt_hours(person.year_hours),
                records=person.records,
                month_part=Raw(month_part),
            )
        )
    idle = [p.name for p in people if p.month_hours == 0]
    if month is not None and idle:
        lines += ["", t("service.branch.idle", names=t.plain("partyday.list_sep").join(idle))]
    rows = [[todo_button(t, Activity.SERVICE, branch.id)]] if todo and month and idle else []
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def edit_question(t: Translator, summary: str) -> tuple[str, InlineKeyboardMarkup]:
    fields = ("kind", "on_date", "hours", "description", "photo_file_id")
    buttons = [_button(t(f"service.field.{name}"), "svc", "ef", name) for name in fields]
    text = t("service.edit.ask_field", summary=Raw(summary))
    return text, InlineKeyboardMarkup([buttons[:3], buttons[3:], [cancel_button(t)]])


def withdraw_question(
    t: Translator, log: ServiceLog, summary: str
) -> tuple[str, InlineKeyboardMarkup]:
    text = t("service.withdraw.confirm", summary=Raw(summary))
    return text, confirm_buttons(t, "svc", log.id)


# --------------------------------------------------------------------------- pieces


def day_block(t: Translator, day: PartyDay, *, with_note: bool = True) -> str:
    """Date, time, place, theme, and why the date is not the rule's (HTML)."""
    note = ""
    if with_note and day.holiday_shifted and day.nominal is not None:
        note = t(
            "partyday.shifted_note",
            nominal=short_date(t, day.nominal),
            holiday=off_day_name(t, day.nominal),
        )
    elif with_note and day.reason and day.date is not None:
        note = t("partyday.moved_note", reason=day.reason)
    return t(
        "partyday.block",
        date=long_date(t, day.date) if day.date else "—",
        time=clock_time(day.start_time),
        place=day.place,
        theme=Raw(t("partyday.theme_line", theme=day.theme) if day.theme else ""),
        note=Raw(note),
    )


def rule_text(t: Translator, rule: DayRule) -> str:
    if rule.kind is RuleKind.DAY:
        assert rule.day is not None
        text = t("partyday.rule.day", day=rule.day)
        if rule.day > 28:
            text += t("partyday.rule.day_short_month", day=rule.day)
        return text
    assert rule.weekday is not None
    if rule.kind is RuleKind.NTH:
        return t(
            "partyday.rule.nth",
            nth=t(f"partyday.nth.{rule.nth}"),
            weekday=weekday_name(t, rule.weekday),
        )
    return t("partyday.rule.last", weekday=weekday_name(t, rule.weekday))


def long_date(t: Translator, value: date) -> str:
    return t(
        "partyday.date",
        year=value.year,
        month=t(f"partyday.mon.{value.month}"),
        day=value.day,
        weekday=weekday_name(t, value.weekday()),
    )


def short_date(t: Translator, value: date) -> str:
    return t("partyday.short_date", month=t(f"partyday.mon.{value.month}"), day=value.day)


def month_name(t: Translator, year: int, month: int) -> str:
    return t("partyday.month", year=year, month=t(f"partyday.mon.{month}"))


def weekday_name(t: Translator, weekday: int) -> str:
    return t(f"partyday.weekday.{weekday}")


def off_day_name(t: Translator, value: date) -> str:
    """Why a date is not a working day: the holiday's name, or "a weekend"."""
    if is_holiday(value):
        return holiday_name(value, t.lang) or t("partyday.weekend")
    return t("partyday.weekend")


def clock_time(value: time) -> str:
    return value.strftime("%H:%M")


def local_clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def fmt_hours(hours: float) -> str:
    """1.0 as "1", 1.5 as "1.5"."""
    return f"{hours:g}"


def markup(rows: ButtonRows) -> InlineKeyboardMarkup | None:
    """Outbox-style button rows as a keyboard for a direct reply."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in rows
        ]
    )


def _button(label: str, prefix: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(prefix, action, *args))


def _names(t: Translator, lines: Sequence[RosterLine], sep: str) -> str:
    return sep.join(line.member.name for line in lines) or t("partyday.none_word")
