"""The home-visit data layer without Telegram: typed dates, terms, model invariants, queries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from storage import Database, members, terms, visits
from storage.members import Role
from storage.terms import Term, TermProblem, pick_target_term, pick_term
from storage.visits import Form, Met, Topic, VisitContent, VisitLocked, problem_code

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- terms


def test_default_terms() -> None:
    autumn = Term(start=date(2026, 9, 1), end=date(2027, 1, 31))
    assert pick_term(date(2026, 11, 28), []) == autumn
    assert pick_term(date(2027, 1, 31), []) == autumn
    assert pick_term(date(2027, 2, 1), []) == Term(start=date(2027, 2, 1), end=date(2027, 7, 31))
    # August belongs to no term: the spring term just ended is the current one.
    assert pick_term(date(2027, 8, 15), []) == Term(start=date(2027, 2, 1), end=date(2027, 7, 31))


def test_a_set_term_replaces_the_defaults_it_overlaps() -> None:
    set_autumn = Term(id=1, start=date(2026, 8, 25), end=date(2027, 1, 20))
    assert pick_term(date(2026, 8, 28), [set_autumn]) == set_autumn
    # After it ends, the default autumn term (which overlaps it) does not come back.
    assert pick_term(date(2027, 1, 25), [set_autumn]) == set_autumn
    assert pick_term(date(2027, 2, 3), [set_autumn]).start == date(2027, 2, 1)


def test_a_target_between_terms_is_for_the_next_one() -> None:
    autumn = Term(start=date(2027, 9, 1), end=date(2028, 1, 31))
    assert pick_target_term(date(2027, 8, 20), []) == autumn
    assert pick_target_term(date(2027, 9, 1), []) == autumn
    assert pick_target_term(date(2027, 7, 31), []).end == date(2027, 7, 31)
    # A set autumn term ending early: the gap before February looks ahead too.
    short = Term(id=1, start=date(2026, 9, 1), end=date(2027, 1, 20))
    assert pick_target_term(date(2027, 1, 25), [short]).start == date(2027, 2, 1)


def test_term_span_checks() -> None:
    with pytest.raises(TermProblem) as order:
        terms.check_span(date(2027, 1, 1), date(2026, 9, 1))
    assert order.value.code == "order"
    with pytest.raises(TermProblem) as length:
        terms.check_span(date(2026, 9, 1), date(2027, 9, 1))
    assert length.value.code == "length"


# --------------------------------------------------------------------------- the model


def content(**changes: object) -> VisitContent:
    fields: dict[str, object] = {
        "visit_date": TODAY,
        "student_alias": "王同学",
        "class_name": "三（2）班",
        "form": Form.IN_PERSON,
        "met": Met.PARENTS,
        "topics": [Topic.SAFETY, Topic.STUDY, Topic.SAFETY],
        "today": TODAY,
    }
    fields.update(changes)
    return VisitContent.model_validate(fields)


def test_model_cleans_what_it_keeps() -> None:
    visit = content(note="  看望了奶奶  ")
    assert visit.class_name == "三(2)班"  # one spelling of the brackets
    assert visit.topics == [Topic.STUDY, Topic.SAFETY]  # once each, in menu order
    assert visit.note == "看望了奶奶"
    assert "today" not in visit.content()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"visit_date": TODAY + timedelta(days=1)}, "date_future"),
        ({"student_alias": "x" * 21}, "alias_long"),
        ({"student_alias": "   "}, "alias_empty"),
        ({"class_name": "班" * 21}, "class_long"),
        ({"note": "字" * 1001}, "note_long"),
        ({"topics": []}, "topics_empty"),
        ({"follow_up_on": TODAY}, "follow_up_early"),
    ],
)
def test_model_invariants(changes: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as error:
        content(**changes)
    assert problem_code(error.value) == code


@pytest.mark.parametrize(
    ("alias", "looks_real"),
    [
        ("王小明", True),
        ("王伟", True),
        ("欧阳娜娜", True),
        ("王同学", False),
        ("小王", False),
        ("李某", False),
        ("WXM", False),
        ("王X明", False),
        ("三(2)班王", False),
    ],
)
def test_full_name_heuristic(alias: str, looks_real: bool) -> None:
    assert visits.looks_like_full_name(alias) is looks_real


# --------------------------------------------------------------------------- the repository


async def _member(db: Database) -> tuple[int, int]:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO branches (name, created_at) VALUES ('一中', '2026-09-01T00:00:00+00:00')"
        )
        member = await members.create(
            tx, telegram_id=1, name="王老师", role=Role.MEMBER, branch_id=1, now=NOW
        )
    return member.id, 1


async def test_the_ticks_read_of_who_is_behind_goes_by_each_branchs_own_target(
    db: Database,
) -> None:
    member_id, branch_id = await _member(db)
    term = Term(start=date(2026, 9, 1), end=date(2027, 1, 31))
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO branches (name, created_at) VALUES ('二中', '2026-09-01T00:00:00+00:00')"
        )
        other = await members.create(
            tx, telegram_id=2, name="李老师", role=Role.MEMBER, branch_id=2, now=NOW
        )
        for person, branch in ((member_id, branch_id), (other.id, 2)):
            await visits.create(
                tx, member_id=person, branch_id=branch, content=content(), term=term, now=NOW
            )
        # 一中 wants 2 (its later target replaces 5), 二中 wants 1: only 王老师 is behind.
        for branch, target in ((branch_id, 5), (branch_id, 2), (2, 1)):
            await visits.set_target(
                tx, branch_id=branch, target=target, set_by=member_id, today=TODAY, now=NOW
            )
    async with db.read() as conn:
        found = await visits.behind_target_by_branch(conn, term, TODAY)
        assert {b: [(p.name, p.term_count, p.target) for p in people]
                for b, people in found.items()} == {branch_id: [("王老师", 1, 2)]}  # fmt: skip
        for branch in (branch_id, 2):
            alone = await visits.members_behind_target(conn, branch, term, TODAY)
            assert found.get(branch, []) == alone


async def test_visits_are_never_deleted_and_versions_never_change(db: Database) -> None:
    member_id, branch_id = await _member(db)
    term = Term(start=date(2026, 9, 1), end=date(2027, 1, 31))
    async with db.transaction() as tx:
        visit = await visits.create(
            tx, member_id=member_id, branch_id=branch_id, content=content(), term=term, now=NOW
        )
        edited, changed = await visits.update(
            tx, visit, content(note="补充"), term=term, actor_id=member_id, now=NOW
        )
    assert changed == ["note"] and edited.version == 2
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM home_visits")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        async with db.transaction() as tx:
            await tx.execute("UPDATE home_visit_versions SET content = '{}'")
    # Editing from the old version again is refused: someone saved in between.
    with pytest.raises(visits.VisitChanged):
        async with db.transaction() as tx:
            await visits.update(tx, visit, content(), term=term, actor_id=member_id, now=NOW)
    # After the edit window, edits and withdrawal are refused.
    later = NOW + visits.EDIT_WINDOW
    with pytest.raises(VisitLocked):
        async with db.transaction() as tx:
            await visits.update(tx, edited, content(), term=term, actor_id=member_id, now=later)
    with pytest.raises(VisitLocked):
        async with db.transaction() as tx:
            await visits.withdraw(tx, visit.id, actor_id=member_id, now=later)


async def test_a_visit_outside_its_term_is_refused(db: Database) -> None:
    member_id, branch_id = await _member(db)
    spring = Term(start=date(2027, 2, 1), end=date(2027, 7, 31))
    with pytest.raises(visits.VisitProblem, match="date_outside_term"):
        async with db.transaction() as tx:
            await visits.create(
                tx, member_id=member_id, branch_id=branch_id, content=content(), term=spring,
                now=NOW,
            )  # fmt: skip


async def test_queries_for_the_reminder_engine(db: Database) -> None:
    member_id, branch_id = await _member(db)
    term = Term(start=date(2026, 9, 1), end=date(2027, 1, 31))
    async with db.transaction() as tx:
        due = await visits.create(
            tx, member_id=member_id, branch_id=branch_id, term=term, now=NOW,
            content=content(follow_up_on=date(2026, 12, 1)),
        )  # fmt: skip
        await visits.create(
            tx, member_id=member_id, branch_id=branch_id, term=term, now=NOW,
            content=content(follow_up_on=date(2026, 12, 9)),
        )  # fmt: skip
        await visits.set_target(
            tx, branch_id=branch_id, target=3, set_by=member_id, today=TODAY, now=NOW
        )
    async with db.read() as conn:
        assert [d.visit_id for d in await visits.follow_ups_due(conn, date(2026, 12, 1))] == [
            due.id
        ]
        # Overdue follow-ups are still found (a missed day is not lost).
        assert len(await visits.follow_ups_due(conn, date(2026, 12, 10))) == 2
        behind = await visits.members_behind_target(conn, branch_id, term, TODAY)
        assert [(p.name, p.term_count, p.target) for p in behind] == [("王老师", 2, 3)]
        # The tick's one read for every branch says the same.
        assert await visits.behind_target_by_branch(conn, term, TODAY) == {branch_id: behind}
        spring = Term(start=date(2027, 2, 1), end=date(2027, 7, 31))
        # No target set in that term: nobody is behind it.
        assert await visits.members_behind_target(conn, branch_id, spring, date(2027, 3, 1)) == []
        assert await visits.behind_target_by_branch(conn, spring, date(2027, 3, 1)) == {}
    async with db.transaction() as tx:
        assert await visits.complete_follow_up(tx, due.id, note=None, now=NOW)
        assert not await visits.complete_follow_up(tx, due.id, note=None, now=NOW)
    async with db.read() as conn:
        assert len(await visits.follow_ups_due(conn, date(2026, 12, 10))) == 1
