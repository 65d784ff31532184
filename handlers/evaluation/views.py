"""The screens of /points: a member's own lines, a branch ranking, the bureau's branches,
and the rules in force."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.i18n import Translator
from handlers.evaluation import texts  # noqa: F401  (fills the catalog)
from storage.points import SOURCES, MemberPoints, PointLine, PointRules, RulesInForce
from storage.tomlcheck import Problem

PREFIX = "pts"
Screen = tuple[str, InlineKeyboardMarkup | None]


def number(value: float) -> str:
    """2, 1.5, 0.25: points as a person writes them."""
    return f"{value:g}"


def mine(
    t: Translator,
    points: MemberPoints,
    period: str,
    version: str,
    nav: list[InlineKeyboardButton],
    more: list[InlineKeyboardButton],
) -> Screen:
    head = t("points.mine.title", name=points.name, period=period, total=number(points.total))
    parts = [head]
    months = points.by_month()
    if not months:
        parts.append(t("points.mine.empty"))
    for (year, month), lines in sorted(months.items()):
        total = number(round(sum(line.points for line in lines), 2))
        block = [t("points.month", year=year, month=f"{month:02d}", total=total)]
        block += [_line(t, line) for line in lines]
        parts.append("\n".join(block))
    parts.append(t("points.rules_version", version=version))
    return "\n\n".join(parts), _markup(nav, more)


def ranking(
    t: Translator,
    branch: str,
    people: list[MemberPoints],
    period: str,
    nav: list[InlineKeyboardButton],
    more: list[InlineKeyboardButton],
) -> Screen:
    lines = [t("points.ranking.title", branch=branch, period=period)]
    if not people:
        lines.append(t("points.ranking.empty"))
    rank, previous = 0, None
    for index, person in enumerate(people, start=1):
        if person.total != previous:  # equal totals share a rank
            rank, previous = index, person.total
        line = t("points.ranking.line", rank=rank, name=person.name, total=number(person.total))
        lines.append(line + ("" if person.active else t("points.ranking.left")))
    return "\n".join(lines), _markup(nav, more)


def bureau(
    t: Translator,
    rows: list[tuple[int, str, list[MemberPoints]]],
    period: str,
    code: str,
    nav: list[InlineKeyboardButton],
) -> Screen:
    lines = [t("points.bureau.title", period=period)]
    if not rows:
        lines.append(t("points.bureau.empty"))
    buttons = []
    for branch_id, name, people in rows:
        total = round(sum(p.total for p in people), 2)
        count = sum(1 for p in people if p.active)
        average = number(round(total / count, 1)) if count else "0"
        lines.append(
            t(
                "points.bureau.line",
                name=name,
                total=number(total),
                people=count,
                average=average,
            )
        )
        buttons.append(
            InlineKeyboardButton(name, callback_data=encode(PREFIX, "br", branch_id, code))
        )
    if rows:
        lines.append(t("points.bureau.pick"))
    rules = InlineKeyboardButton(
        t.plain("points.button.rules"), callback_data=encode(PREFIX, "rules")
    )
    keyboard = [[b] for b in buttons] + ([nav] if nav else []) + [[rules]]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def rules(t: Translator, in_force: RulesInForce, uploader: str | None, at: str | None) -> Screen:
    lines = [t("points.rules.title", version=in_force.rules.version)]
    if in_force.uploaded_at is None:
        lines.append(t("points.rules.default"))
    else:
        lines.append(t("points.rules.uploaded", by=uploader or "—", at=at or ""))
    lines.extend(rule_lines(t, in_force.rules))
    lines.append(t("points.rules.how"))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.plain("points.button.file"), callback_data=encode(PREFIX, "file")
                )
            ],
            [
                InlineKeyboardButton(
                    t.plain("points.button.upload"), callback_data=encode("evu", "up", "points")
                )
            ],
        ]
    )
    return "\n".join(lines), markup


def rule_lines(t: Translator, rules: PointRules) -> list[str]:
    lines = []
    for name, source in SOURCES.items():
        rule = rules.rules.get(name)
        if rule is None:
            continue
        key = "points.rules.per_hour" if source.unit == "hour" else "points.rules.per_record"
        line = t(key, source=t(f"points.source.{name}"), points=number(rule.points))
        if rule.monthly_cap is not None:
            line += t("points.rules.cap", cap=number(rule.monthly_cap))
        lines.append(line)
    left_out = [t(f"points.source.{name}") for name in SOURCES if name not in rules.rules]
    if left_out:
        lines.append(t("points.rules.not_counted", sources="、".join(left_out)))
    return lines


def problems(t: Translator, found: list[Problem], limit: int = 20) -> str:
    """Each problem of an uploaded file on a line: where, then what."""
    lines = []
    for problem in found[:limit]:
        where = (
            t("file.problem.where", line=problem.line, field=problem.field or "—")
            if problem.line is not None
            else t("file.problem.where_field", field=problem.field or "—")
        )
        lines.append(f"· {where}{_what(t, problem)}")
    if len(found) > limit:
        lines.append("…")
    return "\n".join(lines)


def _what(t: Translator, problem: Problem) -> str:
    key = f"file.problem.{problem.code}"
    try:
        return t(key, **problem.values, detail=problem.detail)
    except KeyError:
        return t("file.problem.invalid", detail=problem.detail or problem.code)


def _line(t: Translator, line: PointLine) -> str:
    source = t(f"points.source.{line.source}")
    note = f"「{line.note}」" if line.note else ""
    day = line.on_date.strftime("%m-%d")
    capped = t("points.line.capped") if line.capped else ""
    if SOURCES[line.source].unit == "hour":
        text = t(
            "points.line.hours",
            day=day,
            source=source,
            hours=number(line.units),
            note=note,
            points=number(line.points),
        )
    else:
        text = t("points.line", day=day, source=source, note=note, points=number(line.points))
    return text + capped


def _markup(
    nav: list[InlineKeyboardButton], more: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup | None:
    rows = [row for row in (nav, more) if row]
    return InlineKeyboardMarkup(rows) if rows else None
