"""The star-rating rubric as data: the shipped default, every problem of a bad file named
with its line and field, and /rubric in the chat (summary, file, upload per school year)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from storage import branches, ledger, members, rating_rules, rubric
from storage.database import Database
from storage.ledger_period import LedgerPeriod
from storage.members import Role
from storage.rubric import ItemKind, Tier
from storage.tomlcheck import FileProblems
from tests.conftest import ADMIN, Harness
from tests.ledger_seed import ZONE, SeedSize, seed

DEFAULT = rubric.DEFAULT_FILE.read_text(encoding="utf-8")


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(FileProblems) as caught:
        rubric.parse_rubric(text)
    return [(p.line, p.field, p.code) for p in caught.value.problems]


def _line(text: str, fragment: str, after: int = 0) -> int:
    """1-based number of the first line containing ``fragment`` after line ``after``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after and fragment in line:
            return number
    raise AssertionError(fragment)


def test_the_default_is_the_five_goods_at_twenty() -> None:
    found = rubric.default_rubric(2026).rubric
    assert [c.name for c in found.categories] == [
        "领导班子好",
        "干部队伍好",
        "工作机制好",
        "工作业绩好",
        "群众反映好",
    ]
    assert {c.points for c in found.categories} == {20}
    assert {item.rule for _, item in found.items() if item.kind is ItemKind.AUTO} == {
        "party_day_monthly",
        "participation_85",
        "meetings_frequency",
        "visits_target",
        "safety_coverage",
        "pledges_evaluated",
        "links_coverage",
    }
    assert found.tiers.of(90) is Tier.FIVE
    assert found.tiers.of(89.9) is Tier.FOUR
    assert found.tiers.of(65) is Tier.NONE  # no 二星 unless the file sets one
    assert found.bonus is not None and found.bonus.cap == 10
    assert len(found.vetoes) == 4


def test_points_that_do_not_add_up_and_an_unknown_rule_are_listed_together() -> None:
    text = DEFAULT.replace('rule = "visits_target"', 'rule = "visit_target"').replace(
        "points = 12\n", "points = 11\n"
    )
    found = _problems(text)
    assert (
        _line(text, 'rule = "visit_target"'),
        "categories[4].items[1].rule",
        "unknown_rule",
    ) in found
    reputation = _line(text, 'key = "reputation"')
    assert (_line(text, "points = 20", reputation), "categories[5].points", "items_sum") in found


def test_categories_that_miss_the_total() -> None:
    text = DEFAULT.replace("total = 100", "total = 110")
    assert _problems(text) == [(_line(text, "total = 110"), "total", "categories_sum")]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (('rule = "pledges_evaluated"', ""), "categories[2].items[1].kind", "auto_needs_rule"),
        (
            ('evidence = "党费收缴台账"', 'rule = "safety_coverage"'),
            "categories[2].items[4].rule",
            "manual_has_rule",
        ),
        (('key = "dues"', 'key = "pledges"'), "categories[2].items[4].key", "duplicate_key"),
        (("four = 80", "four = 95"), "tiers.four", "tier_order"),
        (
            ('text = "党建创新项目"\npoints = 5', 'text = "党建创新项目"\npoints = 15'),
            "bonus.items[1].points",
            "over_cap",
        ),
        (("five_star_quota = 0.30", "five_star_quota = 1.5"), "tiers.five_star_quota", "too_large"),
        (('\nkind = "manual"', '\nkind = "manaul"'), "categories[1].items[1].kind", "not_allowed"),
        (("[[vetoes]]", "[[veto]]"), "veto", "unknown_field"),
    ],
)
def test_each_bad_field_is_named(change: tuple[str, str], field: str, code: str) -> None:
    text = DEFAULT.replace(*change, 1)
    found = _problems(text)
    assert any(f == field and c == code and line is not None for line, f, c in found), found


def test_a_broken_file_names_its_line() -> None:
    text = DEFAULT.replace("[tiers]", "[tiers")
    assert _problems(text) == [(_line(text, "[tiers"), "", "syntax")]


async def test_admin_reads_and_replaces_a_school_years_rubric(harness: Harness) -> None:
    h = harness
    said = await h.send(ADMIN, "/rubric")
    text = said[-1]
    assert "2026–2027 学年" in text
    assert "系统默认细则" in text
    assert "· 每月开展主题党日活动：6 分（自动：每月开展主题党日）" in text
    assert "五星 ≥ 90 分，四星 ≥ 80 分，三星 ≥ 70 分；五星不超过参评支部的 30%" in text

    await h.press(ADMIN, "下载细则文件")
    sent = [c for c in h.tg.calls_to("sendDocument") if c.ok]
    assert sent and sent[-1].params["chat_id"] == ADMIN.id

    await h.press(ADMIN, "上传新细则")
    assert "2026–2027 学年的新评分细则" in h.tg.texts(ADMIN.id)[-1]
    bad = DEFAULT.replace('rule = "visits_target"', 'rule = "visit_target"').replace(
        "points = 12\n", "points = 11\n"
    )
    said = await h.process(ADMIN, h.updates.document(ADMIN, "r.toml", content=bad.encode()))
    assert "文件有 2 处问题" in said[-1]
    assert (
        f"第 {_line(bad, 'visit_target')} 行 categories[4].items[1].rule："
        "不认识自动规则“visit_target”" in said[-1]
    )
    assert "“群众反映好”各项合计 19 分，与该类别的 20 分不符" in said[-1]

    good = DEFAULT.replace('version = "2026.1"', 'version = "临海2026"').replace(
        "# two = 60", "two = 60"
    )
    said = await h.process(ADMIN, h.updates.document(ADMIN, "r.toml", content=good.encode()))
    assert "新评分细则已启用，适用于 2026–2027 学年" in said[-1]
    assert "，二星 ≥ 60 分" in said[-1]

    async with h.db.read() as conn:
        rows = await conn.execute_fetchall("SELECT school_year, version FROM rubrics")
        assert [tuple(r) for r in rows] == [(2026, "临海2026")]
        assert (await rubric.rubric_for(conn, 2025)).uploaded_at is None  # other years keep theirs
    said = await h.send(ADMIN, "/rubric")
    assert "版本 临海2026" in said[-1]
    await h.press(ADMIN, "◀ 2025–2026")
    assert "系统默认细则" in h.tg.texts(ADMIN.id)[-1]


async def test_auto_items_read_the_school_years_records(tmp_path: Path) -> None:
    """Every auto rule on a seeded history (a cancelled month, a make-up, terms with
    targets): what it counts matches the branch's 台账 for the same school year."""
    path = tmp_path / "seed.sqlite3"
    await seed(path, SeedSize())
    async with Database(path) as db, db.read() as conn:
        branch = (await ledger.branches(conn))[0]
        today = date(2026, 6, 30)
        found = await rating_rules.auto_results(conn, branch, 2025, ledger.Reading(today, ZONE))
        book = await ledger.branch_ledger(
            conn, branch, LedgerPeriod.school_year(2025), ledger.Reading(today, ZONE), private=False
        )
    assert set(found) == set(rating_rules.RULE_NAMES)
    monthly = found["party_day_monthly"]
    held = [d for d in book.party_days if d.status == "held"]
    assert monthly.done == len(held) and monthly.required >= monthly.done
    assert any(e.code == "month_cancelled" for e in monthly.evidence)
    assert found["participation_85"].required == len(held)
    assert found["participation_85"].done == sum(d.meets_target for d in held)
    pledges = found["pledges_evaluated"]
    assert pledges.done == sum(p.status == "evaluated" for p in book.pledges)
    for result in found.values():
        assert 0 <= result.score(6) <= 6
        assert result.evidence


async def test_links_coverage_counts_each_month_a_link_owed_a_contact(db: Database) -> None:
    """A class link from September, contacted in September and November but not October:
    2 of 3 monthly windows by 28 November; a withdrawn contact does not count."""
    now = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=now)
        member = await members.create(
            tx, telegram_id=5, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=now
        )
        link = await tx.execute_insert(
            "INSERT INTO links (kind, member_id, branch_id, target_text, period, period_start,"
            " period_end, start_on, status, created_by, created_at)"
            " VALUES ('class', ?, ?, '三(2)班', 'term', '2026-09-01', '2027-01-31',"
            " '2026-09-01', 'active', ?, ?)",
            (member.id, branch.id, member.id, now.isoformat()),
        )
        assert link is not None
        stamp = now.isoformat()
        for day, withdrawn in (("2026-09-10", None), ("2026-10-12", stamp), ("2026-11-05", None)):
            await tx.execute(
                "INSERT INTO link_contacts (link_id, on_date, how, logged_by, side_branch_id,"
                " created_at, withdrawn_at) VALUES (?, ?, 'talk', ?, ?, ?, ?)",
                (
                    link[0],
                    day,
                    member.id,
                    branch.id,
                    now.isoformat(),
                    withdrawn and now.isoformat(),
                ),
            )
    async with db.read() as conn:
        found = await rating_rules.auto_results(
            conn, ledger.BranchRef(branch.id, branch.name), 2026, ledger.Reading(now.date(), ZONE)
        )
    result = found["links_coverage"]
    assert (result.done, result.required) == (2, 3)
    assert [e.values["covered"] for e in result.evidence] == [1, 0, 1]
    assert result.score(4) == 2.7
