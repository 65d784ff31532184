"""Links (三联系, 双服务, 结对) without Telegram: the model's rules, who may set, confirm, end
and log, the contact log with home visits counted, and coverage against the rhythms."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import SettingsError, load_settings
from storage import Database, audit, links, members, visits
from storage.link_rules import (
    Family,
    LinkPeriod,
    LinkRhythms,
    Rhythm,
    Span,
    Standing,
    parse_rhythms,
    period_span,
    standing,
    window_of,
)
from storage.links import (
    ContactFields,
    ContactWay,
    FamilyCoverage,
    LinkFields,
    LinkForbidden,
    LinkKind,
    LinkProblem,
    LinkStatus,
)
from storage.members import Member, Role
from storage.rows import fetch_value
from storage.terms import Term
from storage.visits import Form, Met, Topic, VisitContent

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
YEAR = Span(date(2026, 9, 1), date(2027, 8, 31))
NOVEMBER = Span(date(2026, 11, 1), date(2026, 11, 30))
AUTUMN = Span(date(2026, 9, 1), date(2027, 1, 31))
RHYTHMS = LinkRhythms()


def fields(kind: LinkKind, **changes: Any) -> LinkFields:
    base: dict[str, Any] = {
        "kind": kind,
        "member_id": 2,
        "branch_id": 1,
        "period": LinkPeriod.YEAR,
        "period_start": YEAR.start,
        "period_end": YEAR.end,
        "start_on": date(2026, 9, 1),
        "today": TODAY,
    }
    target = {
        LinkKind.CLASS: {"target_text": "三（2）班"},
        LinkKind.DORM: {"target_text": "男生宿舍 3号楼204"},
        LinkKind.STUDENT: {"student_alias": "小林同学"},
        LinkKind.SERVE_BRANCH: {"target_branch_id": 2},
        LinkKind.SERVE_PERSON: {"person_name": "陈大伯", "person_role": "退休教师"},
        LinkKind.PAIR: {"target_branch_id": 2, "member_id": None},
    }[kind]
    return LinkFields.model_validate({**base, **target, **changes})


def refused(code: str, build: Any, **changes: Any) -> LinkProblem:
    with pytest.raises(ValidationError) as error:
        build(**changes)
    found = links.problem(error.value)
    assert found.code == code
    return found


# --------------------------------------------------------------------------- model rules


def test_a_link_holds_its_kind_of_target() -> None:
    assert fields(LinkKind.CLASS).target_text == "三(2)班"
    assert fields(LinkKind.DORM).target_text == "男生宿舍 3号楼204"
    assert fields(LinkKind.STUDENT).student_alias == "小林同学"
    assert fields(LinkKind.PAIR).family is Family.PAIR
    person = fields(LinkKind.SERVE_PERSON, person_name="阿依古丽•买买提")
    assert person.person_name == "阿依古丽·买买提"
    member_target = fields(
        LinkKind.SERVE_PERSON, person_name=None, person_role=None, target_member_id=3
    )
    assert member_target.family is Family.SERVE
    # The excluded date is not stored.
    assert "today" not in fields(LinkKind.CLASS).model_dump()


@pytest.mark.parametrize(
    ("kind", "changes", "code"),
    [
        (LinkKind.CLASS, {"target_text": None, "student_alias": "小林"}, "target"),
        (LinkKind.CLASS, {"target_branch_id": 2}, "target"),
        (LinkKind.CLASS, {"member_id": None}, "owner"),
        (LinkKind.PAIR, {"member_id": 2}, "owner"),
        (LinkKind.CLASS, {"target_text": "   "}, "place_length"),
        (LinkKind.DORM, {"target_text": "楼" * 31}, "place_length"),
        (LinkKind.STUDENT, {"student_alias": "同" * 21}, "alias_long"),
        (LinkKind.STUDENT, {"student_alias": "  "}, "alias_empty"),
        (LinkKind.SERVE_PERSON, {"person_name": "陈"}, "person_name"),
        (LinkKind.SERVE_PERSON, {"person_name": "陈123"}, "person_name"),
        (LinkKind.SERVE_PERSON, {"person_role": "x"}, "role_length"),
        (LinkKind.SERVE_PERSON, {"person_role": None}, "role_length"),
        (LinkKind.SERVE_PERSON, {"target_member_id": 3}, "target"),
        (LinkKind.SERVE_BRANCH, {"target_branch_id": 1}, "same_branch"),
        (LinkKind.PAIR, {"target_branch_id": 1}, "same_branch"),
        (LinkKind.CLASS, {"start_on": date(2026, 11, 29)}, "start_future"),
        (LinkKind.CLASS, {"start_on": date(2026, 8, 31)}, "start_outside_period"),
    ],
)
def test_a_link_refuses_what_it_cannot_hold(
    kind: LinkKind, changes: dict[str, Any], code: str
) -> None:
    refused(code, lambda **c: fields(kind, **c), **changes)


def test_a_term_link_set_in_the_summer_begins_with_the_coming_term() -> None:
    august = date(2026, 8, 20)
    span = period_span(LinkPeriod.TERM, august, [])
    assert span == Span(date(2026, 9, 1), date(2027, 1, 31))
    ahead = fields(
        LinkKind.CLASS, period=LinkPeriod.TERM, period_start=span.start, period_end=span.end,
        start_on=span.start, today=august,
    )  # fmt: skip
    assert ahead.start_on == date(2026, 9, 1)
    assert period_span(LinkPeriod.YEAR, august, []) == YEAR
    assert period_span(LinkPeriod.YEAR, date(2027, 3, 1), []) == YEAR
    assert period_span(LinkPeriod.TERM, TODAY, []) == AUTUMN


def link(**changes: Any) -> links.Link:
    row: dict[str, Any] = {
        **fields(LinkKind.CLASS).model_dump(),
        "id": 7,
        "status": LinkStatus.ACTIVE,
        "created_by": 2,
        "created_at": NOW,
    }
    return links.Link.model_validate({**row, **changes})


def test_a_contact_is_dated_between_the_links_start_and_today() -> None:
    started = link(start_on=date(2026, 11, 3))

    def contact(**changes: Any) -> ContactFields:
        values = {"on_date": date(2026, 11, 20), "how": ContactWay.TALK, **changes}
        return ContactFields.for_link(started, TODAY, **values)

    assert contact(note=" 谈了\n期中考试 ").note == "谈了 期中考试"
    assert contact(note="  ").note is None
    assert contact(on_date=date(2026, 11, 3)).on_date == date(2026, 11, 3)
    assert contact(on_date=TODAY).on_date == TODAY
    future = refused("date_range", contact, on_date=date(2026, 11, 29))
    early = refused("date_range", contact, on_date=date(2026, 11, 2))
    assert future.params == early.params == {"first": date(2026, 11, 3), "last": TODAY}
    refused("note_long", contact, note="很" * 201)
    with pytest.raises(ValidationError):
        contact(how="letter")


def test_rhythms_are_settings_with_defaults() -> None:
    assert parse_rhythms("") == LinkRhythms(
        three=Rhythm.MONTHLY, serve=Rhythm.TERM, pair=Rhythm.TERM
    )
    assert parse_rhythms("serve=monthly; pair = Term").of(Family.SERVE) is Rhythm.MONTHLY
    assert parse_rhythms("serve=monthly; pair = Term").of(Family.THREE) is Rhythm.MONTHLY
    with pytest.raises(ValueError, match="unknown link family"):
        parse_rhythms("triple=monthly")
    with pytest.raises(ValueError, match="unknown rhythm"):
        parse_rhythms("three=weekly")
    with pytest.raises(SettingsError, match="XIANFENG_LINK_RHYTHM"):
        load_settings(link_rhythm="three=sometimes")


@pytest.mark.parametrize(
    ("rhythm", "contacts", "began", "ended", "today", "expected"),
    [
        (Rhythm.MONTHLY, 1, date(2026, 9, 1), None, TODAY, Standing.COVERED),
        (Rhythm.MONTHLY, 0, date(2026, 9, 1), None, date(2026, 11, 23), Standing.OPEN),
        (Rhythm.MONTHLY, 0, date(2026, 9, 1), None, date(2026, 11, 24), Standing.BEHIND),
        (Rhythm.MONTHLY, 0, date(2026, 9, 1), None, date(2026, 12, 5), Standing.BEHIND),
        # Set in the month's last week, or ended before it: owes nothing this month.
        (Rhythm.MONTHLY, 0, date(2026, 11, 24), None, TODAY, Standing.NOT_DUE),
        (Rhythm.MONTHLY, 0, date(2026, 9, 1), date(2026, 11, 23), TODAY, Standing.NOT_DUE),
        (Rhythm.MONTHLY, 0, date(2026, 11, 23), None, TODAY, Standing.BEHIND),
    ],
)
def test_standing_in_a_window(
    rhythm: Rhythm,
    contacts: int,
    began: date,
    ended: date | None,
    today: date,
    expected: Standing,
) -> None:
    found = standing(rhythm, NOVEMBER, contacts=contacts, began=began, ended=ended, today=today)
    assert found is expected


def test_windows_follow_the_month_or_the_term() -> None:
    assert window_of(Rhythm.MONTHLY, TODAY, []) == NOVEMBER
    assert window_of(Rhythm.MONTHLY, date(2026, 12, 31), []) == Span(
        date(2026, 12, 1), date(2026, 12, 31)
    )
    assert window_of(Rhythm.TERM, TODAY, []) == AUTUMN
    set_term = Term(id=1, start=date(2026, 8, 30), end=date(2027, 1, 20))
    assert window_of(Rhythm.TERM, TODAY, [set_term]) == Span(set_term.start, set_term.end)
    # A term link owes its contact by the term's last three weeks.
    assert standing(Rhythm.TERM, AUTUMN, contacts=0, began=date(2026, 9, 1), ended=None,
                    today=TODAY) is Standing.OPEN  # fmt: skip
    assert standing(Rhythm.TERM, AUTUMN, contacts=0, began=date(2026, 9, 1), ended=None,
                    today=date(2027, 1, 11)) is Standing.BEHIND  # fmt: skip


# --------------------------------------------------------------------------- with the database


async def _people(db: Database) -> dict[str, Member]:
    async with db.transaction() as tx:
        for name in ("一中", "二中", "三中", "局机关"):
            await tx.execute(
                "INSERT INTO branches (name, created_at) VALUES (?, '2026-09-01T00:00:00+00:00')",
                (name,),
            )
        people = {}
        for tid, name, role, branch in [
            (1, "李书记", Role.SECRETARY, 1),
            (2, "王老师", Role.MEMBER, 1),
            (3, "张老师", Role.MEMBER, 1),
            (4, "赵书记", Role.SECRETARY, 2),
            (5, "外校人", Role.MEMBER, 2),
            (6, "孙书记", Role.SECRETARY, 3),
            (7, "局长", Role.ADMIN, None),
            (8, "钱科长", Role.MEMBER, 4),
        ]:
            people[name] = await members.create(
                tx, telegram_id=tid, name=name, role=role, branch_id=branch, now=NOW
            )
    return people


def owned(kind: LinkKind, owner: Member, **changes: Any) -> LinkFields:
    assert owner.branch_id is not None
    return fields(kind, member_id=owner.id, branch_id=owner.branch_id, **changes)


async def test_a_members_own_links_wait_for_the_secretary(db: Database) -> None:
    p = await _people(db)
    wang = p["王老师"]
    async with db.transaction() as tx:
        made = await links.set_link(
            tx, owned(LinkKind.CLASS, wang), actor=wang, owner=wang, now=NOW
        )
        assert made.status is LinkStatus.PROPOSED
        with pytest.raises(LinkForbidden):  # not her own to confirm
            await links.confirm(tx, made.id, actor=wang, today=TODAY, now=NOW)
        with pytest.raises(LinkForbidden):  # another branch's secretary
            await links.confirm(tx, made.id, actor=p["赵书记"], today=TODAY, now=NOW)
        with pytest.raises(LinkForbidden):  # nor someone else's 三联系
            await links.set_link(
                tx, owned(LinkKind.DORM, wang), actor=p["张老师"], owner=wang, now=NOW
            )
        confirmed = await links.confirm(tx, made.id, actor=p["李书记"], today=TODAY, now=NOW)
        with pytest.raises(LinkProblem, match="not_proposed"):
            await links.confirm(tx, made.id, actor=p["李书记"], today=TODAY, now=NOW)
        dorm = await links.set_link(tx, owned(LinkKind.DORM, wang), actor=wang, owner=wang, now=NOW)
        declined = await links.decline(tx, dorm.id, actor=p["李书记"], note="写明楼号", now=NOW)
        # A secretary's own 三联系 needs no one's confirmation.
        li = p["李书记"]
        own = await links.set_link(tx, owned(LinkKind.STUDENT, li), actor=li, owner=li, now=NOW)
    assert (confirmed.status, confirmed.decided_by) == (LinkStatus.ACTIVE, p["李书记"].id)
    assert (declined.status, declined.decline_note) == (LinkStatus.DECLINED, "写明楼号")
    assert own.status is LinkStatus.ACTIVE
    async with db.read() as conn:
        history = await audit.for_entity(conn, "link", made.id)
        waiting = await links.proposed_in_branch(conn, 1, today=TODAY)
        mine = await links.owned_by(conn, wang.id, today=TODAY)
    assert [e.action for e in history] == ["links.set", "links.confirmed"]
    assert history[0].detail["status"] == "proposed"
    assert waiting == []
    assert [m.kind for m in mine] == [LinkKind.CLASS]
    # The audit log never holds a student's alias.
    async with db.read() as conn:
        student_audit = await audit.for_entity(conn, "link", own.id)
    assert "小林" not in json.dumps([e.detail for e in student_audit], ensure_ascii=False)


async def test_a_second_class_replaces_the_first_only_when_confirmed(db: Database) -> None:
    p = await _people(db)
    wang, li = p["王老师"], p["李书记"]
    async with db.transaction() as tx:
        first = await links.set_link(
            tx, owned(LinkKind.CLASS, wang), actor=wang, owner=wang, now=NOW
        )
        await links.confirm(tx, first.id, actor=li, today=TODAY, now=NOW)
        second = owned(LinkKind.CLASS, wang, target_text="五(1)班")
        with pytest.raises(LinkProblem) as taken:
            await links.set_link(tx, second, actor=wang, owner=wang, now=NOW)
        assert taken.value.code == "class_taken"
        assert taken.value.params == {"current": "三(2)班", "link_id": first.id}
        new = await links.set_link(tx, second, actor=wang, owner=wang, replace=True, now=NOW)
        # Until the secretary confirms, the first class is still the one.
        assert new.status is LinkStatus.PROPOSED and new.replaces_id == first.id
        still = await links.get(tx, first.id)
        assert still is not None and still.status is LinkStatus.ACTIVE
        await links.confirm(tx, new.id, actor=li, today=TODAY, now=NOW)
        old = await links.get(tx, first.id)
        current = await links.get(tx, new.id)
    assert old is not None and current is not None
    assert (old.status, old.replaced_by, old.ended_on) == (LinkStatus.ENDED, new.id, TODAY)
    assert current.status is LinkStatus.ACTIVE
    # An admin setting a cadre's class replaces at once, never two active at a time.
    qian = p["钱科长"]
    async with db.transaction() as tx:
        a = await links.set_link(
            tx, owned(LinkKind.CLASS, qian), actor=p["局长"], owner=qian, now=NOW
        )
        b = await links.set_link(
            tx, owned(LinkKind.CLASS, qian, target_text="初二(3)班"), actor=p["局长"],
            owner=qian, replace=True, now=NOW,
        )  # fmt: skip
    async with db.read() as conn:
        in_force = await links.owned_by(conn, qian.id, today=TODAY)
        past = await links.past_of(conn, qian.id, today=TODAY)
        statuses = [(x.id, x.status) for x in [*in_force, *past]]
    assert sorted(statuses) == [(a.id, LinkStatus.ENDED), (b.id, LinkStatus.ACTIVE)]
    # The database itself holds the rule.
    async with db.transaction() as tx:
        with pytest.raises(sqlite3.IntegrityError):
            await tx.execute("UPDATE links SET status = 'active' WHERE id = ?", (a.id,))


async def test_who_sets_serve_and_pair_links(db: Database) -> None:
    p = await _people(db)
    li, wang, admin = p["李书记"], p["王老师"], p["局长"]
    outsider = p["外校人"]
    async with db.transaction() as tx:
        named = await links.set_link(
            tx, owned(LinkKind.SERVE_PERSON, wang), actor=li, owner=wang, now=NOW
        )
        colleague = owned(
            LinkKind.SERVE_PERSON, wang, person_name=None, person_role=None,
            target_member_id=p["张老师"].id,
        )  # fmt: skip
        await links.set_link(tx, colleague, actor=li, owner=wang, now=NOW)
        with pytest.raises(LinkProblem, match="duplicate"):
            await links.set_link(tx, colleague, actor=li, owner=wang, now=NOW)
        elsewhere = colleague.model_copy(update={"target_member_id": outsider.id})
        with pytest.raises(LinkProblem, match="other_branch_person"):
            await links.set_link(tx, elsewhere, actor=li, owner=wang, now=NOW)
        by_admin = await links.set_link(tx, elsewhere, actor=admin, owner=wang, now=NOW)
        with pytest.raises(LinkProblem, match="self"):
            await links.set_link(
                tx, colleague.model_copy(update={"target_member_id": wang.id}), actor=li,
                owner=wang, now=NOW,
            )  # fmt: skip
        with pytest.raises(LinkForbidden):  # a member does not set 双服务
            await links.set_link(
                tx, owned(LinkKind.SERVE_PERSON, wang), actor=wang, owner=wang, now=NOW
            )
        with pytest.raises(LinkForbidden):  # another branch's people
            await links.set_link(
                tx, owned(LinkKind.SERVE_PERSON, outsider), actor=li, owner=outsider, now=NOW
            )
        school = owned(LinkKind.SERVE_BRANCH, p["钱科长"], target_branch_id=3)
        with pytest.raises(LinkForbidden):  # 双服务-学校 and 结对 are the bureau's
            await links.set_link(tx, school, actor=li, owner=p["钱科长"], now=NOW)
        pair = fields(LinkKind.PAIR, branch_id=1, target_branch_id=3)
        with pytest.raises(LinkForbidden):
            await links.set_link(tx, pair, actor=li, owner=None, now=NOW)
        cadre = await links.set_link(tx, school, actor=admin, owner=p["钱科长"], now=NOW)
        paired = await links.set_link(tx, pair, actor=admin, owner=None, now=NOW)
        with pytest.raises(LinkProblem, match="duplicate"):  # the same pair the other way
            await links.set_link(
                tx, fields(LinkKind.PAIR, branch_id=3, target_branch_id=1), actor=admin,
                owner=None, now=NOW,
            )  # fmt: skip
    assert {named.status, by_admin.status, cadre.status, paired.status} == {LinkStatus.ACTIVE}
    async with db.read() as conn:
        first = {x.id for x in await links.of_branch(conn, 1, today=TODAY)}
        third = {x.id for x in await links.of_branch(conn, 3, today=TODAY)}
        second = {x.id for x in await links.of_branch(conn, 2, today=TODAY)}
    assert paired.id in first and paired.id in third and paired.id not in second


async def test_ending_keeps_history_and_is_the_owners(db: Database) -> None:
    p = await _people(db)
    wang, li, zhang = p["王老师"], p["李书记"], p["张老师"]
    async with db.transaction() as tx:
        made = await links.set_link(tx, owned(LinkKind.DORM, li), actor=li, owner=li, now=NOW)
        fields_ = ContactFields.for_link(made, TODAY, on_date=date(2026, 11, 2), how="talk")
        contact = await links.log_contact(tx, made.id, fields_, actor=li, now=NOW)
        with pytest.raises(LinkForbidden):  # someone else's contact log
            await links.log_contact(tx, made.id, fields_, actor=wang, now=NOW)
        with pytest.raises(LinkForbidden):  # someone else's link
            await links.end(tx, made.id, actor=wang, reason="不带了", today=TODAY, now=NOW)
        with pytest.raises(LinkProblem, match="reason_length"):
            await links.end(tx, made.id, actor=li, reason=" ", today=TODAY, now=NOW)
        ended = await links.end(tx, made.id, actor=li, reason="宿舍楼调整", today=TODAY, now=NOW)
        with pytest.raises(LinkProblem, match="not_running"):
            await links.end(tx, made.id, actor=li, reason="再次结束", today=TODAY, now=NOW)
        with pytest.raises(LinkProblem, match="not_active"):
            await links.log_contact(tx, made.id, fields_, actor=li, now=NOW)
        # The secretary may end a member's link; a member not their secretary's.
        his = await links.set_link(
            tx, owned(LinkKind.STUDENT, zhang), actor=zhang, owner=zhang, now=NOW
        )
        await links.end(tx, his.id, actor=li, reason="学生转学", today=TODAY, now=NOW)
        pair = await links.set_link(
            tx, fields(LinkKind.PAIR, branch_id=1, target_branch_id=2), actor=p["局长"],
            owner=None, now=NOW,
        )  # fmt: skip
        with pytest.raises(LinkForbidden):  # a pair is ended by the bureau only
            await links.end(tx, pair.id, actor=li, reason="不再结对", today=TODAY, now=NOW)
    assert (ended.status, ended.end_reason, ended.ended_by) == (
        LinkStatus.ENDED,
        "宿舍楼调整",
        li.id,
    )
    async with db.read() as conn:
        log = await links.contacts(conn, ended)
        gone = await links.owned_by(conn, li.id, today=TODAY)
        kept = await links.past_of(conn, li.id, today=TODAY)
    assert [(e.id, e.how) for e in log] == [(contact.id, ContactWay.TALK)]
    assert gone == [] and [k.id for k in kept] == [made.id]
    async with db.transaction() as tx:
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            await tx.execute("DELETE FROM links WHERE id = ?", (made.id,))
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            await tx.execute("DELETE FROM link_contacts")


async def test_pair_contacts_are_logged_by_either_side_and_shown_on_both(db: Database) -> None:
    p = await _people(db)
    async with db.transaction() as tx:
        pair = await links.set_link(
            tx, fields(LinkKind.PAIR, branch_id=1, target_branch_id=2), actor=p["局长"],
            owner=None, now=NOW,
        )  # fmt: skip
        joint = ContactFields.for_link(
            pair, TODAY, on_date=date(2026, 11, 10), how=ContactWay.ACTIVITY, note="联合教研"
        )
        ours = await links.log_contact(tx, pair.id, joint, actor=p["李书记"], now=NOW)
        theirs = await links.log_contact(tx, pair.id, joint, actor=p["赵书记"], now=NOW)
        for stranger in (p["孙书记"], p["王老师"], p["局长"]):
            with pytest.raises(LinkForbidden):
                await links.log_contact(tx, pair.id, joint, actor=stranger, now=NOW)
    assert (ours.side_branch_id, theirs.side_branch_id) == (1, 2)
    async with db.read() as conn:
        rows = await links.coverage(conn, on=TODAY, today=TODAY, rhythms=RHYTHMS, terms=[])
        second = await links.coverage(
            conn, on=TODAY, today=TODAY, rhythms=RHYTHMS, terms=[], branch_id=2
        )
    assert [(r.link.id, r.contacts, r.standing) for r in second] == [(pair.id, 2, Standing.COVERED)]
    totals = links.by_branch(rows)
    assert totals[1][Family.PAIR].covered == totals[2][Family.PAIR].covered == 1
    assert 3 not in totals


async def _visit(db: Database, member: Member, alias: str, on: date) -> visits.HomeVisit:
    content = VisitContent(
        visit_date=on, student_alias=alias, class_name="三(2)班", form=Form.IN_PERSON,
        met=Met.PARENTS, topics=[Topic.STUDY], today=TODAY,
    )  # fmt: skip
    assert member.branch_id is not None
    async with db.transaction() as tx:
        return await visits.create(
            tx, member_id=member.id, branch_id=member.branch_id, content=content,
            term=Term(start=AUTUMN.start, end=AUTUMN.end), now=NOW,
        )  # fmt: skip


async def test_a_home_visit_to_the_student_counts_as_a_contact(db: Database) -> None:
    p = await _people(db)
    li, wang = p["李书记"], p["王老师"]
    async with db.transaction() as tx:
        student = await links.set_link(
            tx, owned(LinkKind.STUDENT, li, start_on=date(2026, 10, 1)), actor=li, owner=li,
            now=NOW,
        )  # fmt: skip
    await _visit(db, li, "小林同学", date(2026, 11, 5))
    await _visit(db, li, "小林同学", date(2026, 9, 20))  # before the link began
    await _visit(db, li, "小陈同学", date(2026, 11, 6))  # another student
    await _visit(db, wang, "小林同学", date(2026, 11, 7))  # another teacher's pupil
    withdrawn = await _visit(db, li, "小林同学", date(2026, 11, 8))
    async with db.transaction() as tx:
        await visits.withdraw(tx, withdrawn.id, actor_id=li.id, now=NOW)
    async with db.read() as conn:
        log = await links.contacts(conn, student)
        rows = await links.coverage(conn, on=TODAY, today=TODAY, rhythms=RHYTHMS, terms=[])
        logged = await fetch_value(conn, "SELECT COUNT(*) FROM link_contacts")
    assert [(e.source, e.on_date, e.home_visit) for e in log] == [
        ("home_visit", date(2026, 11, 5), True)
    ]
    assert logged == 0  # counted, never copied
    (row,) = [r for r in rows if r.link.id == student.id]
    assert (row.contacts, row.last_contact, row.standing) == (
        1,
        date(2026, 11, 5),
        Standing.COVERED,
    )
    # A month without a visit or a contact is behind.
    async with db.read() as conn:
        december = await links.coverage(
            conn, on=date(2026, 12, 28), today=date(2026, 12, 28), rhythms=RHYTHMS, terms=[]
        )
    (later,) = [r for r in december if r.link.id == student.id]
    assert (later.contacts, later.last_contact, later.standing) == (
        0, date(2026, 11, 5), Standing.BEHIND,
    )  # fmt: skip


async def test_coverage_and_who_is_behind(db: Database) -> None:
    p = await _people(db)
    li, wang, zhang, admin = p["李书记"], p["王老师"], p["张老师"], p["局长"]
    async with db.transaction() as tx:
        wang_class = await links.set_link(
            tx, owned(LinkKind.CLASS, wang), actor=admin, owner=wang, now=NOW
        )
        zhang_class = await links.set_link(
            tx, owned(LinkKind.CLASS, zhang), actor=admin, owner=zhang, now=NOW
        )
        fresh = await links.set_link(
            tx, owned(LinkKind.DORM, zhang, start_on=date(2026, 11, 26)), actor=admin,
            owner=zhang, now=NOW,
        )  # fmt: skip
        serve = await links.set_link(
            tx, owned(LinkKind.SERVE_PERSON, wang), actor=li, owner=wang, now=NOW
        )
        waiting = await links.set_link(
            tx, owned(LinkKind.DORM, wang), actor=wang, owner=wang, now=NOW
        )
        talk = ContactFields.for_link(wang_class, TODAY, on_date=date(2026, 11, 12), how="talk")
        await links.log_contact(tx, wang_class.id, talk, actor=wang, now=NOW)
        october = ContactFields.for_link(
            zhang_class, TODAY, on_date=date(2026, 10, 12), how="phone"
        )
        await links.log_contact(tx, zhang_class.id, october, actor=zhang, now=NOW)
        slip = await links.log_contact(
            tx, zhang_class.id, talk.model_copy(update={"on_date": date(2026, 11, 3)}),
            actor=zhang, now=NOW,
        )  # fmt: skip
        await links.withdraw_contact(tx, slip.id, actor_id=zhang.id, now=NOW)
        with pytest.raises(links.NotFound):  # once, and only one's own
            await links.withdraw_contact(tx, slip.id, actor_id=zhang.id, now=NOW)
    async with db.read() as conn:
        rows = await links.coverage(
            conn, on=TODAY, today=TODAY, rhythms=RHYTHMS, terms=[], branch_id=1
        )
        late = await links.behind(conn, today=TODAY, rhythms=RHYTHMS, terms=[])
        early = await links.behind(conn, today=date(2026, 11, 20), rhythms=RHYTHMS, terms=[])
    by_id = {r.link.id: r for r in rows}
    assert waiting.id not in by_id  # a proposal owes nothing yet
    assert (by_id[wang_class.id].standing, by_id[wang_class.id].window_start) == (
        Standing.COVERED, date(2026, 11, 1),
    )  # fmt: skip
    assert by_id[zhang_class.id].standing is Standing.BEHIND
    assert by_id[zhang_class.id].last_contact == date(2026, 10, 12)
    assert by_id[fresh.id].standing is Standing.NOT_DUE
    assert (by_id[serve.id].standing, by_id[serve.id].window_end) == (
        Standing.OPEN, date(2027, 1, 31),
    )  # fmt: skip
    assert by_id[zhang_class.id].owner_name == "张老师"
    summary = links.summarize(rows)
    assert (summary[Family.THREE].links, summary[Family.THREE].covered) == (2, 1)
    assert summary[Family.THREE].behind == 1
    assert (summary[Family.SERVE].links, summary[Family.SERVE].behind) == (1, 0)
    assert [(r.link.id, r.owner_telegram_id) for r in late] == [(zhang_class.id, 3)]
    assert early == []
    # Monthly 双服务 as a setting: the serve link is behind too.
    monthly = parse_rhythms("serve=monthly")
    async with db.read() as conn:
        stricter = await links.behind(conn, today=TODAY, rhythms=monthly, terms=[])
    assert {r.link.id for r in stricter} == {zhang_class.id, serve.id}
    # Someone who left is not reminded.
    async with db.transaction() as tx:
        await members.mark_left(tx, zhang.id, now=NOW)
    async with db.read() as conn:
        assert await links.behind(conn, today=TODAY, rhythms=RHYTHMS, terms=[]) == []


async def test_retention_erases_a_students_alias_and_contact_notes(db: Database) -> None:
    p = await _people(db)
    li = p["李书记"]
    async with db.transaction() as tx:
        student = await links.set_link(tx, owned(LinkKind.STUDENT, li), actor=li, owner=li, now=NOW)
        klass = await links.set_link(tx, owned(LinkKind.CLASS, li), actor=li, owner=li, now=NOW)
        await links.log_contact(
            tx, student.id, ContactFields(on_date=TODAY, how=ContactWay.TALK, note="数学补差",
                                          photo_file_id="P1", first=YEAR.start, last=TODAY),
            actor=li, now=NOW,
        )  # fmt: skip
        # Not yet: the school year has not ended by the cut-off.
        assert await links.erase_student_data(tx, date(2027, 8, 30), NOW, 10) == 0
        assert await links.erase_student_data(tx, date(2027, 8, 31), NOW, 10) == 1
        erased = await links.get(tx, student.id)
        kept = await links.get(tx, klass.id)
        row = await fetch_value(
            tx, "SELECT note IS NULL AND photo_file_id IS NULL FROM link_contacts"
        )
    assert erased is not None and erased.student_alias == "—" and erased.erased_at is not None
    assert kept is not None and kept.target_text == "三(2)班" and kept.erased_at is None
    assert row == 1


async def test_the_bureaus_figures_counted_by_the_database_match_each_link(
    db: Database,
) -> None:
    """``branch_totals`` (the bureau's screen) and ``behind_only`` agree with the figures
    worked out link by link, on the days that decide a standing."""
    p = await _people(db)
    li, wang, zhang, sun, admin = p["李书记"], p["王老师"], p["张老师"], p["孙书记"], p["局长"]
    visit_day = date(2026, 11, 5)
    async with db.transaction() as tx:
        contacted = await links.set_link(
            tx, owned(LinkKind.CLASS, wang), actor=admin, owner=wang, now=NOW
        )
        await links.set_link(tx, owned(LinkKind.CLASS, zhang), actor=admin, owner=zhang, now=NOW)
        await links.set_link(  # set on the nudge day: owes nothing this month
            tx, owned(LinkKind.DORM, zhang, start_on=date(2026, 11, 24)), actor=admin,
            owner=zhang, now=NOW,
        )  # fmt: skip
        await links.set_link(tx, owned(LinkKind.SERVE_PERSON, wang), actor=li, owner=wang, now=NOW)
        await links.set_link(tx, owned(LinkKind.STUDENT, li), actor=li, owner=li, now=NOW)
        early_end = await links.set_link(
            tx, owned(LinkKind.DORM, wang), actor=admin, owner=wang, now=NOW
        )
        late_end = await links.set_link(
            tx, owned(LinkKind.DORM, li), actor=admin, owner=li, now=NOW
        )
        pair = await links.set_link(
            tx, fields(LinkKind.PAIR, branch_id=1, target_branch_id=2), actor=admin,
            owner=None, now=NOW,
        )  # fmt: skip
        # 三中's link is on its period's last day; an older one's period is over.
        await links.set_link(
            tx, owned(LinkKind.CLASS, sun, period=LinkPeriod.TERM, period_end=TODAY),
            actor=admin, owner=sun, now=NOW,
        )  # fmt: skip
        await links.set_link(
            tx, owned(LinkKind.DORM, sun, period=LinkPeriod.TERM, period_end=date(2026, 10, 31)),
            actor=admin, owner=sun, now=NOW,
        )  # fmt: skip
        # One whose period ends before the month's nudge day owes nothing for the month.
        await links.set_link(
            tx, owned(LinkKind.DORM, sun, target_text="女生1号楼", period=LinkPeriod.TERM,
                      period_end=date(2026, 11, 20)),
            actor=admin, owner=sun, now=NOW,
        )  # fmt: skip
        # Waiting for the secretary: owes nothing yet.
        await links.set_link(tx, owned(LinkKind.STUDENT, wang), actor=wang, owner=wang, now=NOW)
        talk = ContactFields.for_link(contacted, TODAY, on_date=date(2026, 11, 12), how="talk")
        await links.log_contact(tx, contacted.id, talk, actor=wang, now=NOW)
        joint = ContactFields.for_link(pair, TODAY, on_date=date(2026, 10, 9), how="activity")
        await links.log_contact(tx, pair.id, joint, actor=p["赵书记"], now=NOW)
        for link, day in ((early_end, date(2026, 11, 10)), (late_end, date(2026, 11, 26))):
            await links.end(tx, link.id, actor=admin, reason="宿舍调整", today=day, now=NOW)
    await _visit(db, li, "小林同学", visit_day)
    days = [date(2026, 11, 20), TODAY, date(2026, 12, 28), date(2027, 1, 25)]
    async with db.read() as conn:
        for day in days:
            read = {"on": day, "today": day, "rhythms": RHYTHMS, "terms": []}
            every = await links.coverage(conn, **read)  # type: ignore[arg-type]
            totals = await links.branch_totals(conn, **read)  # type: ignore[arg-type]
            late = await links.coverage(conn, **read, behind_only=True)  # type: ignore[arg-type]
            assert totals == links.by_branch(every), day
            assert late == [row for row in every if row.standing is Standing.BEHIND], day
            # The bureau's drill-down reads one branch's links behind: exactly those its
            # count on the bureau's screen stands for (a 结对 on both sides).
            for branch_id, counts in totals.items():
                mine = await links.coverage(
                    conn, **read, branch_id=branch_id, behind_only=True,  # type: ignore[arg-type]
                )  # fmt: skip
                assert mine == [row for row in late if branch_id in row.link.sides()], day
                assert len(mine) == sum(line.behind for line in counts.values()), day
            if day == TODAY:
                november = totals
                behind_today = late
    assert set(november) == {1, 2, 3}  # 局机关 has no links
    assert november[1][Family.THREE] == FamilyCoverage(
        family=Family.THREE, links=4, covered=2, behind=2
    )
    assert november[2][Family.PAIR] == FamilyCoverage(family=Family.PAIR, links=1, covered=1)
    assert november[3][Family.THREE] == FamilyCoverage(family=Family.THREE, links=1, behind=1)
    assert {(row.owner_name, row.link.kind) for row in behind_today} == {
        ("张老师", LinkKind.CLASS), ("李书记", LinkKind.DORM), ("孙书记", LinkKind.CLASS),
    }  # fmt: skip


async def test_a_link_is_in_force_until_its_periods_last_day(db: Database) -> None:
    """Nothing ends a link when its term is over: from the next day it is no longer listed
    in force (nor waiting for the secretary), and is found among the owner's past links."""
    p = await _people(db)
    wang, li, admin = p["王老师"], p["李书记"], p["局长"]
    term = {"period": LinkPeriod.TERM, "period_start": AUTUMN.start, "period_end": AUTUMN.end}
    async with db.transaction() as tx:
        klass = await links.set_link(
            tx, owned(LinkKind.CLASS, wang, **term), actor=admin, owner=wang, now=NOW
        )
        waiting = await links.set_link(
            tx, owned(LinkKind.DORM, wang, **term), actor=wang, owner=wang, now=NOW
        )
        refused = await links.set_link(
            tx, owned(LinkKind.STUDENT, wang, **term), actor=wang, owner=wang, now=NOW
        )
        await links.decline(tx, refused.id, actor=li, note=None, now=NOW)
        ended = await links.set_link(
            tx, owned(LinkKind.SERVE_PERSON, wang), actor=li, owner=wang, now=NOW
        )
        await links.end(tx, ended.id, actor=li, reason="人员调整", today=TODAY, now=NOW)
        year = await links.set_link(  # the school year's: in force after the term
            tx, owned(LinkKind.SERVE_PERSON, wang, person_name="陈大妈"), actor=li, owner=wang,
            now=NOW,
        )  # fmt: skip
    every = {link.id: link for link in [klass, waiting, year]}
    last_day, next_day = AUTUMN.end, date(2027, 2, 1)
    async with db.read() as conn:
        on_last = await links.owned_by(conn, wang.id, today=last_day)
        on_next = await links.owned_by(conn, wang.id, today=next_day)
        past = await links.past_of(conn, wang.id, today=next_day)
        counted = await links.count_past(conn, wang.id, today=next_day)
        branch_last = await links.of_branch(conn, 1, today=last_day)
        branch_next = await links.of_branch(conn, 1, today=next_day)
        asked_last = await links.proposed_in_branch(conn, 1, today=last_day)
        asked_next = await links.proposed_in_branch(conn, 1, today=next_day)
        stored = await links.get(conn, klass.id)
        stopped = await links.get(conn, ended.id)
    assert {x.id for x in on_last} == {klass.id, waiting.id, year.id}
    assert [x.id for x in on_next] == [year.id]
    assert [x.id for x in past] == [ended.id, waiting.id, klass.id]  # not the declined one
    assert counted == 3
    assert [x.id for x in branch_last] == [x.id for x in on_last]
    assert [x.id for x in branch_next] == [year.id]
    assert ([x.id for x in asked_last], asked_next) == ([waiting.id], [])
    for day, listed in ((last_day, on_last), (next_day, on_next)):
        assert {i for i, link in every.items() if link.in_force(day)} == {x.id for x in listed}
    assert stored is not None and stored.status is LinkStatus.ACTIVE  # nothing rewritten
    assert stopped is not None and (stored.last_on, stopped.last_on) == (AUTUMN.end, TODAY)


async def test_a_link_whose_period_is_over_is_not_confirmed_or_logged_on(db: Database) -> None:
    # A [确认] on an old message, or a contact flow begun on the period's last day and
    # saved after midnight: the link is no longer in force, so both are refused.
    p = await _people(db)
    wang, li = p["王老师"], p["李书记"]
    async with db.transaction() as tx:
        made = await links.set_link(
            tx, owned(LinkKind.CLASS, wang), actor=wang, owner=wang, now=NOW
        )
        dorm = await links.set_link(tx, owned(LinkKind.DORM, li), actor=li, owner=li, now=NOW)
    after = made.period_end + timedelta(days=1)
    async with db.transaction() as tx:
        with pytest.raises(LinkProblem, match="not_proposed"):
            await links.confirm(tx, made.id, actor=li, today=after, now=NOW)
        talk = ContactFields.for_link(dorm, TODAY, on_date=TODAY, how="talk")
        with pytest.raises(LinkProblem, match="not_active"):
            await links.log_contact(tx, dorm.id, talk, actor=li, now=NOW, today=after)
        # On the period's last day both still go.
        assert (
            await links.confirm(tx, made.id, actor=li, today=made.period_end, now=NOW)
        ).status is LinkStatus.ACTIVE
        await links.log_contact(tx, dorm.id, talk, actor=li, now=NOW, today=dorm.period_end)
