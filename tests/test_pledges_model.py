"""Pledge model rules, repository queries (including those for the reminder engine), the
renderers, typed-answer parsing and the message catalog."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from handlers.common.callback import decode
from handlers.common.i18n import Translator, catalog, placeholders
from handlers.common.reminders import to_buttons
from handlers.pledges import reminders, views
from handlers.pledges.making import date_choices, offered_periods
from schedules.kinds import Kind
from storage import Database, audit, branches, members
from storage import pledges as store
from storage.members import Member, Role
from storage.pledges import (
    TRANSITIONS,
    BadLength,
    Category,
    IllegalTransition,
    OutsidePeriod,
    Period,
    Pledge,
    PledgeChanged,
    PledgeLimitReached,
    PledgeStatus,
    Rating,
    TooManyMeasures,
)

S = PledgeStatus
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)
ZONE = ZoneInfo("Asia/Shanghai")
TEXT = "本学年每周为学困生义务辅导两次，帮助他们提高成绩。"


def pledge(status: PledgeStatus, **fields: object) -> Pledge:
    values: dict[str, object] = {
        "id": 1,
        "member_id": 1,
        "branch_id": 1,
        "period": "2026",
        "category": "teaching",
        "text": TEXT,
        "target_date": date(2026, 12, 31),
        "status": status,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Pledge.model_validate(values)


# ------------------------------------------------------------------ the lifecycle


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_every_move_follows_the_table(current: PledgeStatus, target: PledgeStatus) -> None:
    late = date(2027, 1, 1)  # after the target date, so evaluation is open
    subject = pledge(current)
    if target in TRANSITIONS[current]:
        subject.check_move(target, today=late)
    else:
        with pytest.raises(IllegalTransition):
            subject.check_move(target, today=late)


def test_the_lifecycle_as_specified() -> None:
    assert TRANSITIONS[S.DRAFT] == {S.SUBMITTED, S.WITHDRAWN}
    assert TRANSITIONS[S.SUBMITTED] == {S.RETURNED, S.PUBLISHED, S.WITHDRAWN}
    assert TRANSITIONS[S.RETURNED] == {S.SUBMITTED, S.WITHDRAWN}
    assert TRANSITIONS[S.PUBLISHED] == {S.FULFILLED, S.EVALUATED, S.WITHDRAWN}
    assert TRANSITIONS[S.FULFILLED] == {S.EVALUATED}
    assert TRANSITIONS[S.EVALUATED] == TRANSITIONS[S.WITHDRAWN] == frozenset()


def test_published_is_evaluated_only_once_its_target_date_has_come() -> None:
    published = pledge(S.PUBLISHED)
    with pytest.raises(IllegalTransition):
        published.check_move(S.EVALUATED, today=date(2026, 12, 30))
    with pytest.raises(IllegalTransition):
        published.check_move(S.EVALUATED)
    published.check_move(S.EVALUATED, today=date(2026, 12, 31))
    pledge(S.FULFILLED).check_move(S.EVALUATED, today=TODAY)


def test_a_draft_without_a_target_date_cannot_be_submitted() -> None:
    with pytest.raises(IllegalTransition):
        pledge(S.DRAFT, target_date=None).check_move(S.SUBMITTED)


def test_text_is_editable_only_before_submission() -> None:
    assert pledge(S.DRAFT).edited(text="改过的承诺内容，更具体一些。").text.startswith("改过")
    assert pledge(S.RETURNED).edited(measures=["每周两次"]).measures == ["每周两次"]
    for status in (S.SUBMITTED, S.PUBLISHED, S.FULFILLED, S.EVALUATED, S.WITHDRAWN):
        with pytest.raises(IllegalTransition):
            pledge(status).edited(text="改过的承诺内容，更具体一些。")
    with pytest.raises(ValueError):
        pledge(S.DRAFT).edited(status=S.PUBLISHED)


def test_model_invariants() -> None:
    with pytest.raises(ValueError):
        pledge(S.DRAFT, text="太短")
    with pytest.raises(ValueError):
        pledge(S.DRAFT, text="长" * 501)
    with pytest.raises(ValueError):
        pledge(S.DRAFT, measures=["一条措施"] * 6)
    with pytest.raises(ValueError):
        pledge(S.DRAFT, target_date=date(2027, 1, 1))  # outside the period


def test_text_checks() -> None:
    assert store.checked_text("  十个字以上的承诺内容  ", 10, 500) == "十个字以上的承诺内容"
    with pytest.raises(BadLength) as caught:
        store.checked_text(" ", 10, 500)
    assert (caught.value.length, caught.value.low, caught.value.high) == (0, 10, 500)
    assert store.checked_post("  初二  数学教师 ") == "初二 数学教师"
    with pytest.raises(BadLength):
        store.checked_post("师")


def test_measures_parsing() -> None:
    assert store.parse_measures("1. 每周辅导\n2、家访\n（3）家长会\n- 总结\n\n") == [
        "每周辅导",
        "家访",
        "家长会",
        "总结",
    ]
    assert store.parse_measures("10 次家访") == ["10 次家访"]
    assert store.parse_measures("1.5 小时辅导") == ["1.5 小时辅导"]
    with pytest.raises(TooManyMeasures):
        store.parse_measures("\n".join(f"措施{i}" for i in range(6)))
    with pytest.raises(BadLength):
        store.parse_measures("好")
    with pytest.raises(BadLength):
        store.parse_measures("\n \n")


def test_period() -> None:
    year = Period(code="2026")
    assert (year.start, year.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert year.contains(date(2026, 6, 1)) and not year.contains(date(2027, 1, 1))
    assert year.next() == Period(code="2027") and Period.containing(TODAY) == year
    for bad in ("26", "2026-T1", "x"):
        with pytest.raises(ValueError):
            Period(code=bad)
    store.check_target_date(date(2026, 12, 1), year, TODAY)
    with pytest.raises(OutsidePeriod):
        store.check_target_date(date(2026, 11, 27), year, TODAY)
    with pytest.raises(OutsidePeriod):
        store.check_target_date(date(2027, 1, 1), year, TODAY)


def test_offered_periods_and_quick_dates() -> None:
    assert offered_periods(date(2026, 3, 1)) == [Period(code="2026")]
    assert offered_periods(TODAY) == [Period(code="2026"), Period(code="2027")]
    assert date_choices(TODAY, Period(code="2026")) == [date(2026, 11, 30), date(2026, 12, 31)]
    assert date_choices(date(2027, 1, 1), Period(code="2027")) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 12, 31),
    ]


def test_every_pledge_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, (zh, en) in catalog().items():
        if key.startswith(("pledge.", "cmd.pledge", "cmd.setnotice")):
            assert zh and en, key
            assert placeholders(zh) == placeholders(en), key


# ------------------------------------------------------------------ the repository


async def people(db: Database) -> tuple[Member, Member, Member]:
    async with db.transaction() as tx:
        branch = await branches.create(tx, "第一中学党支部", now=NOW)
        secretary = await members.create(
            tx, telegram_id=1, name="李红梅", role=Role.SECRETARY, branch_id=branch.id, now=NOW
        )
        first = await members.create(
            tx, telegram_id=2, name="王老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
        second = await members.create(
            tx, telegram_id=3, name="张老师", role=Role.MEMBER, branch_id=branch.id, now=NOW
        )
    return secretary, first, second


async def submitted(db: Database, member: Member, *, at: datetime = NOW) -> Pledge:
    async with db.transaction() as tx:
        draft = await store.create_draft(
            tx,
            member=member,
            period=Period(code="2026"),
            category=Category.CARING,
            text=TEXT,
            now=at,
        )
        end = date(2026, 12, 31)
        draft = await store.edit(tx, draft, actor_id=member.id, now=at, target_date=end)
        return await store.submit(tx, draft, actor_id=member.id, now=at)


async def test_transitions_are_audited_and_guarded_by_the_old_status(db: Database) -> None:
    secretary, member, _ = await people(db)
    pledge_ = await submitted(db, member)
    async with db.transaction() as tx:
        published = await store.approve(tx, pledge_, actor_id=secretary.id, now=NOW)
    assert published.status is S.PUBLISHED and published.reviewed_by == secretary.id
    with pytest.raises(PledgeChanged):  # the stale copy still says "submitted"
        async with db.transaction() as tx:
            await store.return_to_member(tx, pledge_, actor_id=secretary.id, note="再改改", now=NOW)
    async with db.read() as conn:
        log = await audit.for_entity(conn, "pledge", pledge_.id)
    assert [(e.action, e.detail.get("from"), e.detail.get("to")) for e in log] == [
        ("pledge.drafted", None, "draft"),
        ("pledge.edited", None, None),
        ("pledge.submitted", "draft", "submitted"),
        ("pledge.approved", "submitted", "published"),
    ]
    assert log[-1].actor_id == secretary.id


async def test_the_database_refuses_changing_approved_text_or_deleting(db: Database) -> None:
    secretary, member, _ = await people(db)
    pledge_ = await submitted(db, member)
    async with db.transaction() as tx:
        await store.approve(tx, pledge_, actor_id=secretary.id, now=NOW)
    for sql in (
        "UPDATE pledges SET text = 'changed behind the model''s back' WHERE id = ?",
        "UPDATE pledges SET target_date = '2026-12-01' WHERE id = ?",
        "DELETE FROM pledges WHERE id = ?",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute(sql, (pledge_.id,))
    async with db.read() as conn:
        kept = await store.get(conn, pledge_.id)
    assert kept is not None and kept.text == TEXT


async def test_the_open_limit_counts_drafts_but_not_withdrawn_or_evaluated(db: Database) -> None:
    _, member, _ = await people(db)
    async with db.transaction() as tx:
        drafts = [
            await store.create_draft(
                tx,
                member=member,
                period=Period(code="2026"),
                category=Category.OTHER,
                text=TEXT,
                now=NOW,
                max_open=2,
            )
            for _ in range(2)
        ]
        with pytest.raises(PledgeLimitReached):
            await store.create_draft(
                tx,
                member=member,
                period=Period(code="2026"),
                category=Category.OTHER,
                text=TEXT,
                now=NOW,
                max_open=2,
            )
        await store.withdraw(tx, drafts[0], actor_id=member.id, now=NOW)
        assert await store.open_count(tx, member.id, "2026") == 1
        assert await store.open_count(tx, member.id, "2027") == 0


async def test_progress_only_on_published_or_fulfilled(db: Database) -> None:
    secretary, member, _ = await people(db)
    pledge_ = await submitted(db, member)
    with pytest.raises(IllegalTransition):
        async with db.transaction() as tx:
            await store.add_update(
                tx, pledge_, actor_id=member.id, text="进展", photo_file_id=None, now=NOW
            )
    async with db.transaction() as tx:
        published = await store.approve(tx, pledge_, actor_id=secretary.id, now=NOW)
        update = await store.add_update(
            tx, published, actor_id=member.id, text="辅导两次", photo_file_id="F1", now=NOW
        )
        fulfilled = await store.fulfil(
            tx, published, actor_id=member.id, summary="一学期辅导三十六次。", now=NOW
        )
        await store.add_update(
            tx, fulfilled, actor_id=member.id, text="期末回访", photo_file_id=None, now=NOW
        )
        evaluated = await store.evaluate(
            tx,
            fulfilled,
            actor_id=secretary.id,
            rating=Rating.GOOD,
            comment=None,
            today=TODAY,
            now=NOW,
        )
    assert update.photo_file_id == "F1" and evaluated.rating is Rating.GOOD
    with pytest.raises(IllegalTransition):
        async with db.transaction() as tx:
            await store.set_self_assessment(
                tx, evaluated, actor_id=member.id, text="评诺之后不能再自评了。", now=NOW
            )


async def test_queries_for_the_reminder_engine(db: Database) -> None:
    secretary, first, second = await people(db)
    branch_id = first.branch_id
    assert branch_id is not None
    old = NOW - timedelta(days=40)
    waiting = await submitted(db, first, at=old)
    async with db.transaction() as tx:
        draft = await store.create_draft(
            tx,
            member=second,
            period=Period(code="2026"),
            category=Category.OTHER,
            text=TEXT,
            now=NOW,
        )
    async with db.read() as conn:
        without = await store.members_without_pledge(conn, branch_id, "2026")
        assert [m.name for m in without] == ["张老师", "李红梅"]  # a draft is not a pledge
        assert [p.id for p in await store.waiting_review(conn, NOW - timedelta(days=3))] == [
            waiting.id
        ]
        assert await store.waiting_review(conn, old) == []

    async with db.transaction() as tx:
        published = await store.approve(tx, waiting, actor_id=secretary.id, now=old)
    async with db.read() as conn:
        stale = await store.stale_published(conn, NOW - timedelta(days=30))
        assert [p.id for p in stale] == [published.id] and stale[0].owner_name == "王老师"
        assert await store.due_for_evaluation(conn, TODAY) == []
        due = await store.due_for_evaluation(conn, date(2026, 12, 31), branch_id=branch_id)
        assert [p.id for p in due] == [published.id]
    async with db.transaction() as tx:
        await store.add_update(
            tx, published, actor_id=first.id, text="辅导两次", photo_file_id=None, now=NOW
        )
    async with db.read() as conn:
        assert await store.stale_published(conn, NOW - timedelta(days=30)) == []
        unfinished = await store.unfinished(conn, second.id)
    assert [p.id for p in unfinished] == [draft.id]


async def test_notice_told_once_flag(db: Database) -> None:
    _, member, _ = await people(db)
    assert member.branch_id is not None
    async with db.transaction() as tx:
        assert not await store.no_notice_told(tx, member.branch_id)
        await store.mark_no_notice_told(tx, member.branch_id, now=NOW)
        assert await store.no_notice_told(tx, member.branch_id)
        await store.clear_no_notice_told(tx, member.branch_id)
        assert not await store.no_notice_told(tx, member.branch_id)


# ------------------------------------------------------------------ renderers


async def test_renderers_for_reminders_in_both_languages(db: Database) -> None:
    secretary, member, _ = await people(db)
    waiting = await submitted(db, member)
    async with db.read() as conn:
        rows = await store.waiting_review(conn, NOW + timedelta(seconds=1))
    async with db.transaction() as tx:
        await store.approve(tx, waiting, actor_id=secretary.id, now=NOW)
    async with db.read() as conn:
        due = await store.due_for_evaluation(conn, date(2027, 1, 1))
    for lang in ("zh", "en"):
        t = Translator(lang)
        screens = [
            views.render_no_pledge_nudge(t, name="王老师", period="2026"),
            views.render_stale_progress(t, due[0], days=30),
            views.render_waiting_review(t, rows, zone=ZONE),
            views.render_evaluation_due(t, due),
        ]
        for text, markup in screens:
            # As the outbox will store them (the monthly nudge builds plain rows).
            keyboard = to_buttons(markup)
            assert text and keyboard
            for row in keyboard:
                for button in row:
                    assert decode(button.callback_data).prefix == "pl"
        assert "王老师" in screens[2][0] and "2026-11-28" in screens[2][0]
    assert set(reminders.VIEWS) == {
        Kind.PLEDGE_NO_PLEDGE,
        Kind.PLEDGE_STALE,
        Kind.PLEDGE_REVIEW,
        Kind.PLEDGE_EVALUATE,
    }


def test_user_text_is_escaped_in_the_card() -> None:
    row = store.PledgeRow.model_validate(
        {
            **pledge(S.PUBLISHED, text="<b>不是标签</b> & 更多内容在这里").model_dump(),
            "owner_name": "王<老师>",
            "owner_telegram_id": 2,
            "measures": ["<i>措施</i>"],
        }
    )
    text = views.card(Translator("zh"), row)
    assert "&lt;b&gt;不是标签&lt;/b&gt; &amp;" in text and "王&lt;老师&gt;" in text
    assert "&lt;i&gt;措施&lt;/i&gt;" in text


def test_term_period() -> None:
    term = Period.of_term(date(2026, 9, 1), date(2027, 1, 31))
    assert term.code == "2026-09-01..2027-01-31" and term.is_term and term.year == 2026
    assert (term.start, term.end) == (date(2026, 9, 1), date(2027, 1, 31))
    assert term.contains(date(2027, 1, 31)) and not term.contains(date(2027, 2, 1))
    assert Period(code=term.code) == term and not Period(code="2026").is_term
    for bad in ("2026-09-01..2026-08-01", "2026-09-01..2027-02-30", "2026-09-01/2027-01-31"):
        with pytest.raises(ValueError):
            Period(code=bad)
    store.check_target_date(date(2027, 1, 15), term, TODAY)
    with pytest.raises(OutsidePeriod):
        store.check_target_date(date(2027, 2, 10), term, TODAY)
    assert offered_periods(TODAY, term) == [Period(code="2026"), Period(code="2027"), term]
