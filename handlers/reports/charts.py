"""Charts as PNG pictures: party-day participation, visits, pledges, and branches compared.

Text is set in Noto Sans SC, installed from PyPI with the ``pylopdf-fonts-zh-cn`` package
(SIL Open Font License 1.1), so Chinese renders on a machine with no system fonts. Each
chart returns its PNG with every label it drew, so tests can check that the font has a
glyph for each character. Drawing uses matplotlib's object API with the Agg canvas (no
pyplot state), so it is safe to run in a worker thread.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pylopdf_fonts_zh_cn
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

import handlers.reports.texts  # noqa: F401  (registers the report.* messages)
from handlers.common.i18n import Translator
from storage.ledger import PARTICIPATION_TARGET, BranchLedger

SHORT = "#d9534f"
MET = "#4a7ab5"
TARGET = "#e0a030"
STATUS_ORDER = ["submitted", "returned", "published", "fulfilled", "evaluated", "withdrawn"]


@dataclass
class Chart:
    """A picture and the texts drawn on it."""

    name: str
    png: bytes
    labels: list[str] = field(default_factory=list)


def font_path() -> Path:
    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def _font() -> FontProperties:
    return FontProperties(fname=str(font_path()))


def branch_charts(ledger: BranchLedger, t: Translator) -> list[Chart]:
    """The three pictures for one branch."""
    return [participation(ledger, t), visits(ledger, t), pledges(ledger, t)]


def participation(ledger: BranchLedger, t: Translator) -> Chart:
    """Monthly party-day participation against the 85% line; short months in red."""
    labels: list[str] = []
    months = [m for m in ledger.months if m.past]
    ticks = [_month_label(t, m.year, m.month) for m in months]
    rates = [(m.party_day.rate or 0.0) * 100 for m in months]
    colours = [MET if m.party_day.meets_target else SHORT for m in months]
    title = t.plain("report.chart.participation", branch=ledger.branch.name)
    figure, axes = _figure(labels, title)
    axes.bar(range(len(months)), rates, color=colours)
    line = t.plain("report.chart.target_line", percent=int(PARTICIPATION_TARGET * 100))
    axes.axhline(PARTICIPATION_TARGET * 100, color=TARGET, linestyle="--", label=line)
    axes.set_ylim(0, 118)  # room above the bars for the legend
    _axis_labels(axes, labels, t.plain("report.chart.month"), t.plain("report.chart.rate_axis"))
    _ticks(axes, labels, ticks)
    _legend(axes, labels, [line])
    if not any(m.party_day.status == "held" for m in months):
        _note(axes, labels, t.plain("report.chart.no_data"))
    return Chart("participation", _png(figure), labels)


def visits(ledger: BranchLedger, t: Translator) -> Chart:
    """Visits per month against each term's target spread evenly over its months."""
    labels: list[str] = []
    months = [m for m in ledger.months if m.past]
    ticks = [_month_label(t, m.year, m.month) for m in months]
    title = t.plain("report.chart.visits", branch=ledger.branch.name)
    figure, axes = _figure(labels, title)
    axes.bar(range(len(months)), [m.visits for m in months], color=MET)
    targets = []
    for m in months:
        first = date(m.year, m.month, 1)
        term = next((tv for tv in ledger.terms if tv.term.contains(first)), None)
        if term is None or term.required is None:
            targets.append(float("nan"))  # no target: no line that month
            continue
        targets.append(term.required / _months_in(term.term.start, term.term.end))
    line = t.plain("report.chart.visit_target")
    axes.plot(range(len(months)), targets, color=TARGET, linestyle="--", marker="o", label=line)
    _axis_labels(axes, labels, t.plain("report.chart.month"), t.plain("report.chart.count"))
    _ticks(axes, labels, ticks)
    _legend(axes, labels, [line])
    if not any(m.visits for m in months):
        _note(axes, labels, t.plain("report.chart.no_data"))
    return Chart("visits", _png(figure), labels)


def pledges(ledger: BranchLedger, t: Translator) -> Chart:
    """How many pledges are at each stage."""
    labels: list[str] = []
    counts = Counter(p.status for p in ledger.pledges)
    statuses = [s for s in STATUS_ORDER if counts[s]] or STATUS_ORDER[:1]
    names = [t.plain(f"report.status.{s}") for s in statuses]
    title = t.plain("report.chart.pledges", branch=ledger.branch.name)
    figure, axes = _figure(labels, title)
    axes.barh(range(len(statuses)), [counts[s] for s in statuses], color=MET)
    axes.set_yticks(range(len(statuses)), names, fontproperties=_font())
    labels.extend(names)
    axes.invert_yaxis()
    _axis_labels(axes, labels, t.plain("report.chart.count"), None)
    if not ledger.pledges:
        _note(axes, labels, t.plain("report.chart.no_data"))
    return Chart("pledges", _png(figure), labels)


@dataclass(frozen=True)
class BranchFigures:
    """One branch's measures as shares (0–100), for the bureau's side-by-side chart."""

    name: str
    participation: float  # mean rate over the months held
    pledge_cover: float  # members with a pledge
    visit_cover: float  # members at their visit target, over the terms with one
    party_days: float  # months with a party day held, of those past

    @classmethod
    def of(cls, ledger: BranchLedger) -> BranchFigures:
        past = [m for m in ledger.months if m.past and m.party_day.status != "upcoming"]
        rates = [m.party_day.rate for m in past if m.party_day.rate is not None]
        people = len(ledger.participants)
        with_target = [term for term in ledger.terms if term.target is not None and term.people]
        return cls(
            name=ledger.branch.name,
            participation=100 * sum(rates) / len(rates) if rates else 0.0,
            pledge_cover=100 * ledger.pledgers / people if people else 0.0,
            visit_cover=100
            * sum(term.at_target for term in with_target)
            / sum(term.people for term in with_target)
            if with_target
            else 0.0,
            party_days=100 * sum(1 for m in past if m.party_day.status == "held") / len(past)
            if past
            else 0.0,
        )


def bureau(figures: Sequence[BranchFigures], t: Translator, period_label: str) -> Chart:
    """Every branch side by side on each measure, one horizontal group per branch."""
    labels: list[str] = []
    measures = [
        ("party_days", t.plain("report.chart.m_party_days")),
        ("participation", t.plain("report.chart.m_participation")),
        ("pledge_cover", t.plain("report.chart.m_pledges")),
        ("visit_cover", t.plain("report.chart.m_visits")),
    ]
    height = max(4.0, 0.9 + 0.55 * len(figures))
    title = t.plain("report.chart.bureau", period=period_label)
    figure, axes = _figure(labels, title, size=(10.0, height))
    bar = 0.8 / len(measures)
    colours = ["#4a7ab5", "#5cb85c", "#e0a030", "#9b59b6"]
    for index, (attr, name) in enumerate(measures):
        values = [getattr(f, attr) for f in figures]
        positions = [row + index * bar for row in range(len(figures))]
        axes.barh(positions, values, height=bar, label=name, color=colours[index])
    names = [f.name for f in figures]
    axes.set_yticks(
        [row + 0.4 - bar / 2 for row in range(len(figures))], names, fontproperties=_font()
    )
    labels.extend(names)
    axes.invert_yaxis()
    axes.axvline(PARTICIPATION_TARGET * 100, color=TARGET, linestyle="--")
    axes.set_xlim(0, 130)  # room right of the bars for the legend
    _axis_labels(axes, labels, t.plain("report.chart.share_axis"), None)
    _legend(axes, labels, [name for _, name in measures])
    if not figures:
        _note(axes, labels, t.plain("report.chart.no_data"))
    return Chart("bureau", _png(figure), labels)


def rating_scores(
    rows: Sequence[tuple[str, list[tuple[str, float, float]]]], t: Translator, year_label: str
) -> Chart:
    """Each branch's star-rating score, stacked by category (what it got of each)."""
    labels: list[str] = []
    height = max(4.0, 1.2 + 0.5 * len(rows))
    title = t.plain("report.chart.rating", year=year_label)
    figure, axes = _figure(labels, title, size=(10.0, height))
    colours = ["#4a7ab5", "#5cb85c", "#e0a030", "#9b59b6", "#d9534f", "#5bc0de", "#777777"]
    names = [name for name, _ in rows]
    categories = [category for category, _, _ in rows[0][1]] if rows else []
    left = [0.0] * len(rows)
    for index, category in enumerate(categories):
        values = [scores[index][2] if index < len(scores) else 0.0 for _, scores in rows]
        axes.barh(range(len(rows)), values, left=left, label=category, color=colours[index % 7])
        left = [a + b for a, b in zip(left, values, strict=True)]
    for row, total in enumerate(left):
        axes.text(total + 1, row, f"{total:g}", va="center", fontsize=9)
    axes.set_yticks(range(len(rows)), names, fontproperties=_font())
    labels.extend(names)
    axes.invert_yaxis()
    axes.set_xlim(0, max([100.0, *left]) * 1.35)  # room right of the bars for the legend
    _axis_labels(axes, labels, t.plain("report.chart.score_axis"), None)
    if categories:
        _legend(axes, labels, categories)
    else:
        _note(axes, labels, t.plain("report.chart.no_data"))
    return Chart("rating", _png(figure), labels)


# --------------------------------------------------------------------------- drawing


def _figure(
    labels: list[str], title: str, size: tuple[float, float] = (9.0, 4.8)
) -> tuple[Figure, Axes]:
    figure = Figure(figsize=size, dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, fontproperties=_font(), fontsize=13)
    labels.append(title)
    axes.grid(axis="y", alpha=0.3)
    return figure, axes


def _axis_labels(axes: Axes, labels: list[str], x: str | None, y: str | None) -> None:
    if x:
        axes.set_xlabel(x, fontproperties=_font())
        labels.append(x)
    if y:
        axes.set_ylabel(y, fontproperties=_font())
        labels.append(y)


def _ticks(axes: Axes, labels: list[str], ticks: list[str]) -> None:
    axes.set_xticks(range(len(ticks)), ticks, fontproperties=_font(), rotation=0)
    labels.extend(ticks)


def _legend(axes: Axes, labels: list[str], names: list[str]) -> None:
    axes.legend(prop=_font(), loc="upper right", fontsize=9)
    labels.extend(names)


def _note(axes: Axes, labels: list[str], text: str) -> None:
    axes.text(
        0.5,
        0.5,
        text,
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontproperties=_font(),
        fontsize=14,
        color="#888888",
    )
    labels.append(text)


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _month_label(t: Translator, year: int, month: int) -> str:
    return t.plain("report.chart.month_tick", year=year % 100, month=month)


def _months_in(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1
