"""Charts: each is a real PNG, and the shipped font has a glyph for every label drawn."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from handlers.common.i18n import Translator
from handlers.reports import charts
from storage import ledger
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from tests.ledger_seed import ZONE, SeedSize, seed

TODAY = date(2026, 11, 28)


async def ledgers(tmp_path: Path, period: LedgerPeriod) -> list[ledger.BranchLedger]:
    path = tmp_path / "charts.sqlite3"
    if not path.exists():
        await seed(path, SeedSize())
    async with Database(path) as db, db.read() as conn:
        return [
            await ledger.branch_ledger(
                conn, ref, period, ledger.Reading(TODAY, ZONE), private=False
            )
            for ref in await ledger.branches(conn)
        ]


def assert_png(chart: charts.Chart) -> None:
    image = Image.open(io.BytesIO(chart.png))
    assert image.format == "PNG"
    assert image.width >= 600 and image.height >= 300
    # Not a blank canvas: bars and text make many colours.
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 20


def missing_glyphs(labels: list[str]) -> set[str]:
    cmap = TTFont(charts.font_path(), lazy=True).getBestCmap()
    return {ch for label in labels for ch in label if not ch.isspace() and ord(ch) not in cmap}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_branch_charts_are_pngs_whose_labels_the_font_covers(
    tmp_path: Path, lang: str
) -> None:
    [first, _] = await ledgers(tmp_path, LedgerPeriod.school_year(2025))
    drawn = charts.branch_charts(first, Translator(lang))
    assert [chart.name for chart in drawn] == ["participation", "visits", "pledges"]
    for chart in drawn:
        assert_png(chart)
        assert chart.labels
        assert missing_glyphs(chart.labels) == set()
    if lang == "zh":
        labels = " ".join(drawn[0].labels)
        assert "第1中学 主题党日参与率" in labels
        assert "目标 85%" in labels
        assert "25年9月" in labels


async def test_the_bureau_chart_puts_branches_side_by_side(tmp_path: Path) -> None:
    branches = await ledgers(tmp_path, LedgerPeriod.school_year(2025))
    figures = [charts.BranchFigures.of(branch) for branch in branches]
    # One month cancelled of twelve; four months at 5/6 and seven at 6/6.
    assert figures[0].party_days == pytest.approx(100 * 11 / 12)
    assert figures[0].participation == pytest.approx(100 * (4 * 5 / 6 + 7) / 11)
    chart = charts.bureau(figures, Translator("zh"), "2025–2026")
    assert_png(chart)
    assert {"第1中学", "第2中学", "各支部对比（2025–2026）"} <= set(chart.labels)
    assert missing_glyphs(chart.labels) == set()


async def test_a_period_without_records_draws_a_note(tmp_path: Path) -> None:
    [first, _] = await ledgers(tmp_path, LedgerPeriod.calendar_year(2024))
    for chart in charts.branch_charts(first, Translator("zh")):
        assert_png(chart)
        assert "本期暂无记录" in chart.labels


def test_the_font_is_the_open_licensed_noto_sans_sc() -> None:
    font = TTFont(charts.font_path(), lazy=True)
    names = {record.toUnicode() for record in font["name"].names}
    assert "Noto Sans SC" in names
    assert any("Open Font License" in name for name in names)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_star_rating_chart_stacks_categories_in_a_covered_font(lang: str) -> None:
    rows = [
        ("第一中学党支部", [("领导班子好", 20.0, 18.0), ("干部队伍好", 20.0, 17.5)]),
        ("第二中学党支部", [("领导班子好", 20.0, 15.0), ("干部队伍好", 20.0, 19.0)]),
    ]
    chart = charts.rating_scores(rows, Translator(lang), "2026–2027")
    assert_png(chart)
    assert missing_glyphs(chart.labels) == set()
    assert {"第一中学党支部", "领导班子好", "干部队伍好"} <= set(chart.labels)
    empty = charts.rating_scores([], Translator(lang), "2026–2027")
    assert Translator(lang).plain("report.chart.no_data") in empty.labels
