"""Screens of /import: the preview of a file, what was done, and the sheet of links."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import handlers.roster.texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Translator
from handlers.common.links import deep_link, expiry
from handlers.roster.sheet import Scope, SheetProblem, SheetRefused, Table
from storage.roster import MAX_ROWS, PERSONAL_INVITE_TTL, Created, Imported, Plan, Planned, Problem

CONFIRM = encode("rst", "ok")
# A preview lists every problem (they are what to correct) up to this many, and a sample
# of the rest.
SHOWN_PROBLEMS = 100
SHOWN_NEW = 30
SHOWN_PRESENT = 10


def sheet_refused(t: Translator, refused: SheetRefused, scope: Scope) -> str:
    problem = refused.problem
    if problem is SheetProblem.MISSING_COLUMN:
        column = (
            "secretary" if scope is Scope.BRANCHES and refused.detail == "name" else refused.detail
        )
        return t("roster.sheet.missing_column", column=t(f"roster.column.{column}"))
    if problem is SheetProblem.TOO_MANY_ROWS:
        return t("roster.sheet.too_many_rows", max=MAX_ROWS)
    return t(f"roster.sheet.{problem.value}")


def preview(
    t: Translator, scope: Scope, file_name: str, table: Table, plan: Plan
) -> tuple[str, InlineKeyboardMarkup]:
    """The counts, what will be imported, what is skipped and why; the buttons to go on."""
    new_branches = len({p.branch for p in plan.new if p.branch_id is None and p.branch})
    lines = [
        t(
            f"roster.preview.{scope.value}",
            file=file_name,
            new=len(plan.new),
            present=len(plan.present),
            problems=len(plan.problems),
            branches=new_branches,
        )
    ]
    if table.unknown_columns:
        lines.append(t("roster.preview.unknown_columns", columns="、".join(table.unknown_columns)))
    if table.example_skipped:
        lines.append(t("roster.preview.example_skipped"))
    if plan.new:
        lines += ["", t("roster.preview.new_title")]
        lines += [_new_line(t, p) for p in plan.new[:SHOWN_NEW]]
        lines += _more(t, len(plan.new) - SHOWN_NEW)
    if plan.present:
        lines += ["", t("roster.preview.present_title")]
        for p in plan.present[:SHOWN_PRESENT]:
            state = t("roster.preview.joined" if p.joined else "roster.preview.pending")
            name = f"{p.branch} · {p.name}" if p.branch else p.name
            lines.append(t("roster.preview.row", row=p.number, name=name, extra=state))
        lines += _more(t, len(plan.present) - SHOWN_PRESENT)
    if plan.problems:
        lines += ["", t("roster.preview.problems_title")]
        lines += [_problem_line(t, p) for p in plan.problems[:SHOWN_PROBLEMS]]
        lines += _more(t, len(plan.problems) - SHOWN_PROBLEMS)
    buttons = [cancel_button(t)]
    if plan.new:
        lines += ["", t("roster.preview.confirm_hint", days=PERSONAL_INVITE_TTL.days)]
        buttons.insert(0, InlineKeyboardButton(t("roster.button.confirm"), callback_data=CONFIRM))
    elif plan.problems:
        lines += ["", t("roster.preview.fix_and_resend")]
    return "\n".join(lines), InlineKeyboardMarkup([buttons])


def done(t: Translator, scope: Scope, imported: Imported) -> str:
    return t(
        f"roster.done.{scope.value}",
        count=len(imported.created),
        days=PERSONAL_INVITE_TTL.days,
        branches=imported.branches_created,
    )


def links_rows(
    t: Translator, scope: Scope, created: list[Created], bot_username: str, zone: ZoneInfo
) -> tuple[list[str], list[list[str | int]]]:
    """The link sheet's headers and rows: the person's details, then their link."""
    columns: tuple[str, ...]
    if scope is Scope.MEMBERS:
        columns = ("row", "name", "subject", "class_name", "phone", "notes", "link", "expires")
    else:
        columns = ("row", "branch", "secretary", "phone", "link", "expires")
    headers = [t.plain(f"roster.column.{c}") for c in columns]
    rows: list[list[str | int]] = []
    for c in sorted(created, key=lambda c: c.number):
        person = c.person
        values: dict[str, str | int] = {
            "row": c.number,
            "name": person.name,
            "secretary": person.name,
            "branch": c.branch_name,
            "subject": person.subject or "",
            "class_name": person.class_name or "",
            "phone": person.phone or "",
            "notes": person.notes or "",
            "link": deep_link(bot_username, c.invite.code),
            "expires": expiry(c.invite, zone),
        }
        rows.append([values[column] for column in columns])
    return headers, rows


def _new_line(t: Translator, planned: Planned) -> str:
    details = [d for d in (planned.subject, planned.class_name) if d]
    extra = f"（{' · '.join(details)}）" if details else ""
    name = planned.name
    if planned.branch:
        name = f"{planned.branch} · {planned.name}"
        if planned.branch_id is None:
            extra += t("roster.preview.new_branch")
    return t("roster.preview.row", row=planned.number, name=name, extra=extra)


def _problem_line(t: Translator, problem: Problem) -> str:
    detail = problem.detail
    if problem.problem.value == "field":
        detail = t.plain(f"roster.column.{detail}")
    reason = t(f"roster.problem.{problem.problem.value}", detail=detail)
    name = f"（{problem.name}）" if problem.name else ""
    return t("roster.preview.problem", row=problem.number, name=name, reason=reason)


def _more(t: Translator, count: int) -> list[str]:
    return [t("roster.preview.more", count=count)] if count > 0 else []
