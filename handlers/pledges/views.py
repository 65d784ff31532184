"""Every pledge screen: text and buttons in one language, built from models.

Also the reminders' screens (``render_*``), which ``reminders`` fills from what the tick
reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.html import esc
from handlers.common.i18n import Raw, Translator
from handlers.common.reminders import ButtonRows
from handlers.common.todo_link import todo_button
from handlers.common.views import cancel_only
from handlers.pledges import texts  # noqa: F401  (registers the feature's message catalog)
from storage.members import Member
from storage.pledges import (
    MEASURES_MAX,
    TEXT_MAX,
    TEXT_MIN,
    Category,
    Period,
    PledgeRow,
    PledgeStatus,
    PledgeUpdate,
    PublishedText,
    Rating,
)
from storage.todo import Activity

PREFIX = "pl"
Screen = tuple[str, InlineKeyboardMarkup | None]
S = PledgeStatus

ICONS = {
    S.DRAFT: "📝",
    S.SUBMITTED: "⏳",
    S.RETURNED: "↩️",
    S.PUBLISHED: "📢",
    S.FULFILLED: "✅",
    S.EVALUATED: "🏅",
    S.WITHDRAWN: "✖️",
}
# The secretary's board lists what needs them first.
BOARD_ORDER = (S.SUBMITTED, S.RETURNED, S.PUBLISHED, S.FULFILLED, S.EVALUATED, S.DRAFT)
MAX_BUTTONS = 90  # Telegram allows 100 per keyboard; leave room for the rest.


def status_name(t: Translator, status: PledgeStatus) -> str:
    return t(f"pledge.status.{status.value}")


def category_name(t: Translator, category: Category) -> str:
    return t(f"pledge.category.{category.value}")


def period_label(t: Translator, code: str) -> str:
    """2026 年度 / 2026 年秋季学期 (a term is named by the season and year it starts)."""
    period = Period(code=code)
    if not period.is_term:
        return t("pledge.period.year", year=code)
    season = "autumn" if period.start.month >= 8 else "spring"
    return t(f"pledge.period.{season}", year=period.start.year)


def rating_name(t: Translator, rating: Rating) -> str:
    return t(f"pledge.rating.{rating.value}")


def button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label[:60], callback_data=encode(PREFIX, action, *args))


def plain_button(label: str, action: str, *args: object) -> dict[str, str]:
    """``button`` as the outbox stores it, for a reminder said to many."""
    return {"text": label[:60], "callback_data": encode(PREFIX, action, *args)}


# ------------------------------------------------------------------ the pledge itself


def card(t: Translator, row: PledgeRow) -> str:
    """The pledge as everyone sees it: owner, post, category, text, measures, target date."""
    lines = [
        t("pledge.card.title", period=period_label(t, row.period)),
        t(
            "pledge.card.owner",
            name=row.owner_name,
            post=row.owner_post or t("pledge.card.no_post"),
        ),
        t("pledge.card.category", category=category_name(t, row.category)),
        t("pledge.card.text", text=row.text),
    ]
    if row.measures:
        lines.append(t("pledge.card.measures"))
        lines += [f"{index}. {esc(m)}" for index, m in enumerate(row.measures, start=1)]
    else:
        lines.append(t("pledge.card.no_measures"))
    target = row.target_date.isoformat() if row.target_date else t("pledge.card.no_target")
    lines.append(t("pledge.card.target", date=target))
    return "\n".join(lines)


def status_line(t: Translator, row: PledgeRow) -> str:
    return t("pledge.card.status", icon=ICONS[row.status], status=status_name(t, row.status))


def detail(
    t: Translator,
    row: PledgeRow,
    *,
    owner: bool,
    reviewer: bool,
    today: date,
    zone: ZoneInfo,
    progress: Sequence[PledgeUpdate],
    can_post_notice: bool,
) -> Screen:
    """One pledge with its history and what the viewer may do with it now."""
    lines = [card(t, row), status_line(t, row)]
    if row.status is S.RETURNED and row.return_note:
        lines.append(t("pledge.detail.return_note", note=row.return_note))
    lines += progress_lines(t, progress, zone)
    if row.fulfil_summary:
        lines.append(t("pledge.detail.summary", text=row.fulfil_summary))
    if row.self_assessment:
        lines.append(t("pledge.detail.self", text=row.self_assessment))
    if row.rating:
        lines.append(t("pledge.detail.rating", rating=rating_name(t, row.rating)))
        if row.evaluation_comment:
            lines.append(t("pledge.detail.comment", text=row.evaluation_comment))
    lines.append(t("pledge.detail.updated", at=_moment(row.last_activity, zone)))
    rows: list[list[InlineKeyboardButton]] = []
    if owner:
        rows += _owner_actions(t, row)
    if reviewer:
        rows += _reviewer_actions(t, row, today, can_post_notice)
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def progress_lines(t: Translator, progress: Sequence[PledgeUpdate], zone: ZoneInfo) -> list[str]:
    """How many progress updates, and the latest three of them."""
    if not progress:
        return []
    lines = [t("pledge.detail.progress_title", count=len(progress))]
    for update in progress[-3:]:
        photo = t("pledge.detail.with_photo") if update.photo_file_id else ""
        lines.append(
            t(
                "pledge.detail.progress_line",
                at=update.at.astimezone(zone).strftime("%m-%d"),
                text=update.text,
                photo=photo,
            )
        )
    return lines


def _owner_actions(t: Translator, row: PledgeRow) -> list[list[InlineKeyboardButton]]:
    pid = row.id
    if row.status is S.DRAFT:
        first = [button(t("pledge.button.continue"), "cont", pid)]
        if row.complete:
            first.append(button(t("pledge.button.submit"), "sub", pid))
        return [first, [button(t("pledge.button.withdraw_draft"), "wd", pid)]]
    if row.status is S.RETURNED:
        return [
            [
                button(t("pledge.button.edit"), "cont", pid),
                button(t("pledge.button.resubmit"), "sub", pid),
            ],
            [button(t("pledge.button.withdraw"), "wd", pid)],
        ]
    if row.status is S.SUBMITTED:
        return [[button(t("pledge.button.withdraw"), "wd", pid)]]
    if row.status is S.PUBLISHED:
        return [
            [
                button(t("pledge.button.progress"), "prog", pid),
                button(t("pledge.button.fulfil"), "ful", pid),
            ],
            [
                button(t("pledge.button.self"), "self", pid),
                button(t("pledge.button.withdraw"), "wd", pid),
            ],
        ]
    if row.status is S.FULFILLED:
        return [
            [
                button(t("pledge.button.progress"), "prog", pid),
                button(t("pledge.button.self"), "self", pid),
            ]
        ]
    return []


def _reviewer_actions(
    t: Translator, row: PledgeRow, today: date, can_post_notice: bool
) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    if row.status is S.SUBMITTED:
        rows.append(_review_buttons(t, row.id))
    if row.evaluable(today):
        rows.append([button(t("pledge.button.evaluate"), "ev", row.id)])
    if can_post_notice:
        rows.append([button(t("pledge.button.post_notice"), "post", row.id)])
    return rows


def _review_buttons(t: Translator, pledge_id: int) -> list[InlineKeyboardButton]:
    return [
        button(t("pledge.button.approve"), "ok", pledge_id),
        button(t("pledge.button.return"), "ret", pledge_id),
    ]


# ------------------------------------------------------------------ making a pledge


def draft_choice(t: Translator, drafts: Sequence[PledgeRow]) -> Screen:
    lines = [t("pledge.make.unfinished")]
    rows = []
    for index, row in enumerate(drafts, start=1):
        lines.append(
            t(
                "pledge.make.unfinished_line",
                index=index,
                status=status_name(t, row.status),
                period=period_label(t, row.period),
                text=_snippet(row.text),
            )
        )
        rows.append([button(t("pledge.button.continue_n", index=index), "cont", row.id)])
    lines.append(t("pledge.make.unfinished_hint"))
    rows.append([button(t("pledge.button.new"), "new"), cancel_button(t)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def period_choice_label(t: Translator, period: Period, current: Period) -> str:
    if period.is_term:
        return t("pledge.make.this_term", term=period_label(t, period.code))
    key = "pledge.make.this_year" if period == current else "pledge.make.next_year"
    return t(key, year=period.code)


def ask_period(t: Translator, periods: Sequence[Period], current: Period) -> Screen:
    """The year first (the default), the next year from October, this term if the branch
    runs terms."""
    years = [p for p in periods if not p.is_term]
    keyboard = [
        [button(period_choice_label(t, p, current), "per", p.code) for p in years],
        *[
            [button(period_choice_label(t, p, current), "per", p.code)]
            for p in periods
            if p.is_term
        ],
        [cancel_button(t)],
    ]
    key = "pledge.make.ask_period_term" if len(years) < len(periods) else "pledge.make.ask_period"
    return t(key), InlineKeyboardMarkup(keyboard)


def ask_category(t: Translator, period: str) -> Screen:
    names = [category_name(t, c) for c in Category]
    listing = "\n".join(f"{index}. {name}" for index, name in enumerate(names, start=1))
    buttons = [button(name, "cat", c.value) for name, c in zip(names, Category, strict=True)]
    keyboard = [buttons[0:2], buttons[2:4], [buttons[4], cancel_button(t)]]
    text = t("pledge.make.ask_category", period=period_label(t, period), options=listing)
    return text, InlineKeyboardMarkup(keyboard)


def ask_text(t: Translator, category: Category) -> Screen:
    text = t(
        "pledge.make.ask_text",
        category=category_name(t, category),
        low=TEXT_MIN,
        high=TEXT_MAX,
    )
    return text, cancel_only(t)


def ask_measures(t: Translator, *, just_saved: bool = False, editing: bool = False) -> Screen:
    keyboard = [[button(t("pledge.button.skip"), "skipm"), cancel_button(t)]]
    if editing:
        return t("pledge.make.edit_measures", high=MEASURES_MAX), InlineKeyboardMarkup(keyboard)
    text = t("pledge.make.ask_measures", high=MEASURES_MAX)
    if just_saved:
        text = f"{t('pledge.make.draft_saved')}\n{text}"
    return text, InlineKeyboardMarkup(keyboard)


def ask_date(t: Translator, period: Period, earliest: date, choices: Sequence[date]) -> Screen:
    text = t(
        "pledge.make.ask_date",
        start=earliest.isoformat(),
        end=period.end.isoformat(),
        example=period.end.isoformat(),
    )
    keyboard = [[button(d.isoformat(), "date", d.isoformat()) for d in choices], [cancel_button(t)]]
    return text, InlineKeyboardMarkup(keyboard)


def ask_post(t: Translator) -> Screen:
    return t("pledge.make.ask_post"), cancel_only(t)


def preview(t: Translator, row: PledgeRow) -> Screen:
    text = f"{t('pledge.make.preview')}\n\n{card(t, row)}"
    if row.status is S.RETURNED and row.return_note:
        text += "\n" + t("pledge.detail.return_note", note=row.return_note)
    keyboard = [
        [
            button(t("pledge.button.submit"), "sub", row.id),
            button(t("pledge.button.edit"), "edit", row.id),
        ],
        [cancel_button(t)],
    ]
    return text, InlineKeyboardMarkup(keyboard)


# What the edit menu offers; the post (岗位) is the member's, kept for later pledges too.
EDIT_FIELDS = ("category", "text", "measures", "date", "post")


def edit_menu(t: Translator) -> Screen:
    names = [t(f"pledge.field.{name}") for name in EDIT_FIELDS]
    listing = "\n".join(f"{index}. {name}" for index, name in enumerate(names, start=1))
    buttons = [button(n, "ef", f) for n, f in zip(names, EDIT_FIELDS, strict=True)]
    keyboard = [buttons[0:2], buttons[2:4], [buttons[4], button(t("pledge.button.back"), "back")]]
    return t("pledge.make.edit_which", options=listing), InlineKeyboardMarkup(keyboard)


# ------------------------------------------------------------------ review and the rest


def review_request(t: Translator, row: PledgeRow) -> Screen:
    resubmitted = t("pledge.review.resubmitted") if row.return_note else ""
    text = t(
        "pledge.review.request", name=row.owner_name, again=resubmitted, card=Raw(card(t, row))
    )
    return text, InlineKeyboardMarkup([_review_buttons(t, row.id)])


def reviewed(t: Translator, row: PledgeRow, *, by: str) -> str:
    """What the review request turns into once someone has reviewed it."""
    return t(
        "pledge.review.done",
        card=Raw(card(t, row)),
        status=status_name(t, row.status),
        by=by,
    )


def ask_note(t: Translator, row: PledgeRow) -> Screen:
    return t("pledge.review.ask_note", name=row.owner_name), InlineKeyboardMarkup(
        [[cancel_button(t)]]
    )


def ask_progress(t: Translator, row: PledgeRow) -> Screen:
    text = t("pledge.progress.ask", text=_snippet(row.text, 40))
    return text, cancel_only(t)


def ask_summary(t: Translator, row: PledgeRow) -> Screen:
    text = t("pledge.fulfil.ask", text=_snippet(row.text, 40))
    return text, cancel_only(t)


def ask_self(t: Translator, row: PledgeRow) -> Screen:
    text = t("pledge.self.ask", text=_snippet(row.text, 40))
    return text, cancel_only(t)


def ask_rating(
    t: Translator, row: PledgeRow, progress: Sequence[PledgeUpdate], zone: ZoneInfo
) -> Screen:
    """The pledge with what the member did (progress, summary, self-assessment), to rate."""
    lines = [t("pledge.evaluate.ask", name=row.owner_name), "", card(t, row), status_line(t, row)]
    lines += progress_lines(t, progress, zone)
    if row.fulfil_summary:
        lines.append(t("pledge.detail.summary", text=row.fulfil_summary))
    if row.self_assessment:
        lines.append(t("pledge.detail.self", text=row.self_assessment))
    names = [rating_name(t, r) for r in Rating]
    lines.append(t("pledge.evaluate.options", options=" / ".join(names)))
    keyboard = [
        [button(n, "rate", row.id, r.value) for n, r in zip(names, Rating, strict=True)],
        [cancel_button(t)],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def ask_comment(t: Translator, rating: Rating) -> Screen:
    keyboard = [[button(t("pledge.button.skip"), "skipc"), cancel_button(t)]]
    return t("pledge.evaluate.ask_comment", rating=rating_name(t, rating)), InlineKeyboardMarkup(
        keyboard
    )


def open_button(t: Translator, pledge_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("pledge.button.open"), "open", pledge_id)]])


# ------------------------------------------------------------------ lists


def my_list(t: Translator, rows: Sequence[PledgeRow], zone: ZoneInfo, *, secretary: bool) -> Screen:
    """A member's own pledges with status and last update, a button to open each."""
    if not rows:
        text = t("pledge.list.empty")
        if secretary:
            text += "\n\n" + t("pledge.list.board_hint")
        return text, None
    lines = [t("pledge.list.title")]
    keyboard = []
    for index, row in enumerate(rows, start=1):
        lines.append(
            t(
                "pledge.list.line",
                index=index,
                icon=ICONS[row.status],
                period=row.period if len(row.period) == 4 else period_label(t, row.period),
                category=category_name(t, row.category),
                status=status_name(t, row.status),
                updated=row.last_activity.astimezone(zone).strftime("%Y-%m-%d"),
                text=_snippet(row.text),
            )
        )
        if row.last_update_at and row.last_update_text:
            lines.append(
                t(
                    "pledge.list.last_progress",
                    at=row.last_update_at.astimezone(zone).strftime("%m-%d"),
                    text=_snippet(row.last_update_text),
                )
            )
        if index <= MAX_BUTTONS:
            label = f"{index}. {category_name(t, row.category)} · {status_name(t, row.status)}"
            keyboard.append([button(label, "open", row.id)])
    if secretary:
        lines += ["", t("pledge.list.board_hint")]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def board(
    t: Translator,
    branch_name: str,
    period: str,
    rows: Sequence[PledgeRow],
    without: Sequence[Member],
    *,
    runs_terms: bool | None = None,
    branch_id: int | None = None,
) -> Screen:
    """The secretary's board: counts by status, the pledges by status, who has none yet;
    with ``branch_id``, a button to /todo's list of them (before the term switch, which
    stays the last row)."""
    by_status = {status: [r for r in rows if r.status is status] for status in PledgeStatus}
    counts = " · ".join(f"{ICONS[s]} {status_name(t, s)} {len(by_status[s])}" for s in BOARD_ORDER)
    lines = [t("pledge.board.title", branch=branch_name, period=period), counts]
    withdrawn = len(by_status[S.WITHDRAWN])
    if withdrawn:
        lines.append(t("pledge.board.withdrawn", count=withdrawn))
    keyboard = []
    index = 0
    for status in BOARD_ORDER:
        if not by_status[status]:
            continue
        lines += ["", t("pledge.board.section", icon=ICONS[status], status=status_name(t, status))]
        for row in by_status[status]:
            index += 1
            lines.append(
                t(
                    "pledge.board.line",
                    index=index,
                    name=row.owner_name,
                    category=_category_and_term(t, row),
                    text=_snippet(row.text),
                )
            )
            if index <= MAX_BUTTONS:
                label = f"{index}. {row.owner_name} · {status_name(t, status)}"
                keyboard.append([button(label, "open", row.id)])
    if not index:
        lines += ["", t("pledge.board.none")]
    lines.append("")
    if without:
        names = "、".join(m.name for m in without)
        lines.append(t("pledge.board.without", count=len(without), names=names))
    else:
        lines.append(t("pledge.board.everyone"))
    if runs_terms:
        lines.append(t("pledge.board.terms"))
    if branch_id is not None and without:
        keyboard.append([todo_button(t, Activity.PLEDGE, branch_id)])
    if runs_terms is not None:
        keyboard.append(terms_switch(t, runs_terms))
    return "\n".join(lines), InlineKeyboardMarkup(keyboard) if keyboard else None


def terms_switch(t: Translator, runs_terms: bool) -> list[InlineKeyboardButton]:
    """The board's switch: may members also pledge for the current term?"""
    if runs_terms:
        return [button(t("pledge.button.terms_off"), "terms", 0)]
    return [button(t("pledge.button.terms_on"), "terms", 1)]


def _category_and_term(t: Translator, row: PledgeRow) -> str:
    name = category_name(t, row.category)
    return f"{name} · {period_label(t, row.period)}" if len(row.period) > 4 else name


# ------------------------------------------------------------------ the public notice


def notice_post(t: Translator, row: PledgeRow, branch_name: str, zone: ZoneInfo) -> str:
    """The post in the branch's notice chat (公示); edited as the pledge moves on."""
    lines = [t("pledge.notice.title", branch=branch_name), "", card(t, row)]
    if row.status is S.WITHDRAWN:
        lines.append(t("pledge.notice.withdrawn"))
        return "\n".join(lines)
    if row.published_at:
        lines.append(t("pledge.notice.published", at=_day(row.published_at, zone)))
    if row.update_count and row.last_update_at:
        lines.append(
            t(
                "pledge.notice.progress",
                count=row.update_count,
                at=_day(row.last_update_at, zone),
            )
        )
    if row.fulfilled_at:
        lines.append(t("pledge.notice.fulfilled", at=_day(row.fulfilled_at, zone)))
    if row.rating:
        lines.append(t("pledge.notice.rating", rating=rating_name(t, row.rating)))
    return "\n".join(lines)


def notice_linked(t: Translator, branch_name: str) -> str:
    return t("pledge.notice.linked_post", branch=branch_name)


# ------------------------------------------------------------------ reminder renderers


def render_no_pledge_nudge(t: Translator, *, name: str, period: str) -> Screen:
    """For a member with no pledge submitted for the period (start-of-period nudge)."""
    text = t("pledge.remind.no_pledge", name=name, period=period)
    return text, InlineKeyboardMarkup([[button(t("pledge.button.make"), "start")]])


def render_stale_progress(
    t: Translator, pledge: PledgeRow | PublishedText, *, days: int
) -> tuple[str, ButtonRows]:
    """For the owner of a published pledge with no progress for ``days`` days. Plain
    button rows: the monthly moment says this to thousands at once."""
    text = t("pledge.remind.stale", days=days, text=_snippet(pledge.text, 40))
    keyboard = [
        [
            plain_button(t("pledge.button.progress"), "prog", pledge.id),
            plain_button(t("pledge.button.open"), "open", pledge.id),
        ]
    ]
    return text, keyboard


def render_waiting_review(t: Translator, pledges: Sequence[PledgeRow], *, zone: ZoneInfo) -> Screen:
    """For a secretary: pledges of their branch waiting for review (oldest first)."""
    lines = [t("pledge.remind.review", count=len(pledges))]
    keyboard = []
    for index, row in enumerate(pledges, start=1):
        submitted = _day(row.submitted_at, zone) if row.submitted_at else "?"
        lines.append(
            t(
                "pledge.remind.review_line",
                index=index,
                name=row.owner_name,
                since=submitted,
                text=_snippet(row.text),
            )
        )
        if index <= MAX_BUTTONS:
            keyboard.append([button(f"{index}. {row.owner_name}", "open", row.id)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def render_evaluation_due(t: Translator, pledges: Sequence[PledgeRow]) -> Screen:
    """For a secretary: pledges of their branch that can be evaluated now."""
    lines = [t("pledge.remind.evaluate", count=len(pledges))]
    keyboard = []
    for index, row in enumerate(pledges, start=1):
        lines.append(
            t(
                "pledge.remind.evaluate_line",
                index=index,
                name=row.owner_name,
                status=status_name(t, row.status),
                text=_snippet(row.text),
            )
        )
        if index <= MAX_BUTTONS:
            keyboard.append([button(f"{index}. {row.owner_name}", "ev", row.id)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def _snippet(text: str, limit: int = 24) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d")


def _moment(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
