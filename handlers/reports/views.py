"""The /export and /charts screens: the admin's branch picker and the period question."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.i18n import Translator
from storage.ledger import BranchRef
from storage.ledger_period import LedgerPeriod, PeriodKind

PREFIX = "rp"
PAGE_SIZE = 10


def branch_picker(
    t: Translator, what: str, refs: Sequence[BranchRef], page: int, *, bureau: bool = True
) -> tuple[str, InlineKeyboardMarkup]:
    """``what`` is "x" (export: the bureau is a choice too, for an admin: ``bureau``) or
    "c" (charts of one branch)."""
    pages = max(1, -(-len(refs) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    action = "xs" if what == "x" else "c"
    rows: list[list[InlineKeyboardButton]] = []
    if what == "x" and bureau:
        rows.append([_button(t.plain("report.btn.bureau"), action, "all")])
    for ref in refs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        rows.append([_button(ref.name, action, ref.id)])
    turn = []
    if page > 0:
        turn.append(_button(t.plain("report.btn.prev"), "pg", what, page - 1))
    if page < pages - 1:
        turn.append(_button(t.plain("report.btn.next"), "pg", what, page + 1))
    if turn:
        rows.append(turn)
    key = "report.export.pick_branch" if what == "x" else "report.charts.pick_branch"
    empty = "report.no_branches" if bureau else "report.no_assigned"
    text = t(key, page=page + 1, pages=pages) if refs else t(empty)
    return text, InlineKeyboardMarkup(rows)


def period_question(
    t: Translator, scope: str, name: str, periods: Sequence[LedgerPeriod]
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [_button(period_label(t, index, period), "x", scope, period.code)]
        for index, period in enumerate(periods)
    ]
    return t("report.export.pick_period", name=name), InlineKeyboardMarkup(rows)


def period_label(t: Translator, index: int, period: LedgerPeriod) -> str:
    """The choices in order: this and last school year, this and last term, two years."""
    if period.kind is PeriodKind.SCHOOL_YEAR:
        key = "report.period.this_school_year" if index == 0 else "report.period.last_school_year"
    elif period.kind is PeriodKind.TERM:
        key = "report.period.this_term" if index == 2 else "report.period.last_term"
    else:
        key = "report.period.year"
    return t.plain(key, label=period.label)


def _button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(PREFIX, action, *args))
