"""The /export and /charts screens: the whole bureau's button (for an admin, above the
shared branch picker) and the period question."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.i18n import Translator
from storage.ledger_period import LedgerPeriod, PeriodKind

PREFIX = "rp"


def bureau_button(t: Translator) -> InlineKeyboardButton:
    """全局（各支部）above the branches in an admin's /export picker."""
    return _button(t.plain("report.btn.bureau"), "xs", "all")


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
