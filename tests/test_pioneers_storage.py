"""Choosing the pioneers, the storage and its rules: windows, the per-branch cap, another
branch, self-nominations endorsed or declined, one secret ballot per juror, the count and
the cut at the quota with a tie, confirmation and 公示 refused before their step, the
honours record; and a nominee's record recomputed after a record is corrected or
withdrawn (property test)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Database, branches, links, members, objections, pioneers, service, visits
from storage.link_rules import LinkPeriod
from storage.links import LinkFields, LinkKind
from storage.members import Member, Role
from storage.pioneer_rules import PioneerProblem, Windows, check_ballot, cut, tally
from storage.service import ServiceEntry, ServiceKind
from storage.terms import Term
from storage.visits import VisitContent

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()
WINDOWS = Windows(date(2026, 11, 28), date(2026, 12, 5), date(2026, 12, 7), date(2026, 12, 11))


def test_windows_say_where_a_round_stands() -> None:
    assert WINDOWS.phase(date(2026, 11, 27)).value == "before"
    assert WINDOWS.phase(date(2026, 12, 5)).value == "nominating"
    assert WINDOWS.phase(date(2026, 12, 6)).value == "waiting"
    assert WINDOWS.phase(date(2026, 12, 11)).value == "voting"
    assert WINDOWS.phase(date(2026, 12, 12)).value == "closed"
    with pytest.raises(PioneerProblem) as caught:
        Windows(date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 8), date(2026, 12, 9)).check(
            TODAY
        )
    assert caught.value.code == "vote_after_nomination"
    with pytest.raises(PioneerProblem) as caught:
        WINDOWS.check(date(2026, 12, 6))
    assert caught.value.code == "window_past"


def test_ranked_ballots_are_counted_and_cut_at_the_quota() -> None:
    # Quota 2: first place earns 2 points, second 1.
    points = tally([[1, 2], [2, 3], [3, 1]], quota=2)
    assert points == {1: 3, 2: 3, 3: 3}
    the_cut = cut([1, 2, 3, 4], points, quota=2)
    assert the_cut.chosen == [] and the_cut.tied == [1, 2, 3] and the_cut.places == 2
    clear = cut([1, 2, 3], {1: 5, 2: 4, 3: 1}, quota=2)
    assert clear.chosen == [1, 2] and not clear.has_tie
    partly = cut([1, 2, 3, 4], {1: 9, 2: 4, 3: 4, 4: 1}, quota=2)
    assert partly.chosen == [1] and partly.tied == [2, 3] and partly.places == 1
    assert partly.selection([3]) == [1, 3]
    few = cut([1, 2], {}, quota=10)
    assert few.chosen == [1, 2] and not few.has_tie


@pytest.mark.parametrize(
    ("ranking", "code"),
    [
        ([], "ballot_empty"),
        ([1, 2, 3], "ballot_too_long"),
        ([1, 1], "ballot_twice"),
        ([5], "own_nomination"),
        ([9], "not_a_nominee"),
    ],
)
def test_a_bad_ballot_is_refused(ranking: list[int], code: str) -> None:
    with pytest.raises(PioneerProblem) as caught:
        check_ballot(ranking, [1, 2, 3, 5], own=[5], quota=2)
    assert caught.value.code == code


async def _people(db: Database) -> dict[str, Member]:
    async with db.transaction() as tx:
        one = await branches.create(tx, "第一中学党支部", now=NOW)
        two = await branches.create(tx, "第二中学党支部", now=NOW)
        made: dict[str, Member] = {}
        for key, tid, role, branch in (
            ("admin", 1, Role.ADMIN, None),
            ("inspector", 2, Role.INSPECTOR, None),
            ("sec", 3, Role.SECRETARY, one.id),
            ("a", 4, Role.MEMBER, one.id),
            ("b", 5, Role.MEMBER, one.id),
            ("c", 6, Role.MEMBER, one.id),
            ("other", 7, Role.MEMBER, two.id),
        ):
            made[key] = await members.create(
                tx,
                telegram_id=tid,
                name=f"成员{tid}号",
                role=role,
                branch_id=branch,
                now=NOW,
            )
    return made


async def _open(tx: Any, people: dict[str, Member], cap: int = 2) -> pioneers.Round:
    return await pioneers.open_round(
        tx,
        year=2026,
        title="2026年度育人成才先锋党员",
        quota=2,
        branch_cap=cap,
        windows=WINDOWS,
        today=TODAY,
        actor_id=people["admin"].id,
        now=NOW,
    )


async def _refused(db: Database, code: str, step: Any) -> None:
    with pytest.raises(PioneerProblem) as caught:
        async with db.transaction() as tx:
            await step(tx)
    assert caught.value.code == code


DEEDS = "扎根教学一线二十年，带出多名优秀青年教师。"


async def test_a_round_from_nominations_to_the_honours_record(db: Database) -> None:
    p = await _people(db)
    async with db.transaction() as tx:
        round_ = await _open(tx, p)
        assert await pioneers.toggle_juror(
            tx, round_, p["inspector"].id, today=TODAY, actor_id=p["admin"].id, now=NOW
        )
        await pioneers.toggle_juror(
            tx, round_, p["admin"].id, today=TODAY, actor_id=p["admin"].id, now=NOW
        )
        a = await pioneers.nominate(
            tx, round_, actor=p["sec"], nominee_id=p["a"].id, deeds=DEEDS, today=TODAY, now=NOW
        )
        own = await pioneers.nominate(
            tx, round_, actor=p["b"], nominee_id=p["b"].id, deeds=DEEDS, today=TODAY, now=NOW
        )
        c_self = await pioneers.nominate(
            tx, round_, actor=p["c"], nominee_id=p["c"].id, deeds=DEEDS, today=TODAY, now=NOW
        )
    assert a.status.value == "nominated" and own.status.value == "pending"

    # Refused: a member nominating someone else, another branch, twice, short deeds,
    # a member who is no juror.
    await _refused(
        db,
        "secretary_only",
        lambda tx: pioneers.nominate(
            tx, round_, actor=p["a"], nominee_id=p["c"].id, deeds=DEEDS, today=TODAY, now=NOW
        ),
    )
    await _refused(
        db,
        "other_branch",
        lambda tx: pioneers.nominate(
            tx, round_, actor=p["sec"], nominee_id=p["other"].id, deeds=DEEDS, today=TODAY, now=NOW
        ),
    )
    await _refused(
        db,
        "already_nominated",
        lambda tx: pioneers.nominate(
            tx, round_, actor=p["sec"], nominee_id=p["a"].id, deeds=DEEDS, today=TODAY, now=NOW
        ),
    )
    await _refused(
        db,
        "deeds_length",
        lambda tx: pioneers.nominate(
            tx, round_, actor=p["sec"], nominee_id=p["c"].id, deeds="很好", today=TODAY, now=NOW
        ),
    )
    await _refused(
        db,
        "not_a_juror",
        lambda tx: pioneers.toggle_juror(
            tx, round_, p["a"].id, today=TODAY, actor_id=p["admin"].id, now=NOW
        ),
    )

    async with db.transaction() as tx:
        await pioneers.endorse(tx, round_, own, actor_id=p["sec"].id, today=TODAY, now=NOW)
    # The cap (2) is reached: endorsing the third is refused; declining needs a reason.
    await _refused(
        db,
        "over_cap",
        lambda tx: pioneers.endorse(tx, round_, c_self, actor_id=p["sec"].id, today=TODAY, now=NOW),
    )
    await _refused(
        db,
        "reason_needed",
        lambda tx: pioneers.decline(tx, round_, c_self, " ", actor_id=p["sec"].id, now=NOW),
    )
    async with db.transaction() as tx:
        await pioneers.decline(tx, round_, c_self, "名额已满", actor_id=p["sec"].id, now=NOW)

    # Outside the nomination window; a vote before the jury's window.
    later = date(2026, 12, 8)
    await _refused(
        db,
        "not_nominating",
        lambda tx: pioneers.nominate(
            tx, round_, actor=p["sec"], nominee_id=p["c"].id, deeds=DEEDS, today=later, now=NOW
        ),
    )
    await _refused(
        db,
        "not_voting",
        lambda tx: pioneers.cast_ballot(tx, round_, [a.id], juror=p["admin"], today=TODAY, now=NOW),
    )
    # Confirming or publishing before the vote is over names the missing step.
    await _refused(
        db,
        "missing_vote",
        lambda tx: pioneers.confirm(tx, round_, today=later, actor_id=1, now=NOW),
    )
    await _refused(
        db,
        "missing_confirm",
        lambda tx: pioneers.publish(tx, round_, ends_on=later, actor_id=1, now=NOW),
    )

    # Two ballots: a tie (3 points each) for two places is no tie when both go in;
    # quota 2 -> a and own both chosen.
    async with db.transaction() as tx:
        await pioneers.cast_ballot(
            tx, round_, [a.id, own.id], juror=p["admin"], today=later, now=NOW
        )
    async with db.read() as conn:
        with pytest.raises(PioneerProblem) as caught:
            await pioneers.results(conn, round_, today=later)
        assert caught.value.code == "votes_secret"
    await _refused(
        db,
        "voted_twice",
        lambda tx: pioneers.cast_ballot(tx, round_, [a.id], juror=p["admin"], today=later, now=NOW),
    )
    async with db.transaction() as tx:
        await pioneers.cast_ballot(tx, round_, [own.id], juror=p["inspector"], today=later, now=NOW)
    closed = date(2026, 12, 12)
    async with db.transaction() as tx:
        chosen = await pioneers.confirm(tx, round_, today=closed, actor_id=1, now=NOW)
        round_ = await pioneers.get_round(tx, round_.id) or round_
        await pioneers.publish(tx, round_, ends_on=date(2026, 12, 18), actor_id=1, now=NOW)
        round_ = await pioneers.get_round(tx, round_.id) or round_
        objection = await objections.raise_objection(
            tx,
            pioneers.OBJECTIONS,
            round_,
            round_.id,
            "请核实事迹",
            member_id=p["c"].id,
            today=closed,
            now=NOW,
        )
    assert set(chosen) == {a.id, own.id}
    await _refused(
        db,
        "notice_running",
        lambda tx: pioneers.finalize(tx, round_, today=closed, actor_id=1, now=NOW),
    )
    await _refused(
        db,
        "objections_open",
        lambda tx: pioneers.finalize(tx, round_, today=date(2026, 12, 19), actor_id=1, now=NOW),
    )
    async with db.transaction() as tx:
        found = await objections.get(tx, pioneers.OBJECTIONS, objection)
        assert found is not None
        await objections.answer(tx, pioneers.OBJECTIONS, found, "已核实", actor_id=1, now=NOW)
        await pioneers.finalize(tx, round_, today=date(2026, 12, 19), actor_id=1, now=NOW)
    async with db.read() as conn:
        mine = await pioneers.honours(conn, p["b"].id)
        none = await pioneers.honours(conn, p["c"].id)
        ballots = await conn.execute_fetchall("SELECT count(*) FROM pioneer_ballots")
    assert [(h.year, h.title) for h in mine] == [(2026, "2026年度育人成才先锋党员")]
    assert none == []
    assert next(iter(ballots))[0] == 2
    with pytest.raises(Exception, match="never changed"):
        async with db.transaction() as tx:
            await tx.execute("UPDATE pioneer_ballots SET ranking = '[]'")


async def test_a_secretary_s_self_nomination_waits_for_someone_else(db: Database) -> None:
    p = await _people(db)
    async with db.transaction() as tx:
        round_ = await _open(tx, p)
        own = await pioneers.nominate(
            tx, round_, actor=p["sec"], nominee_id=p["sec"].id, deeds=DEEDS, today=TODAY, now=NOW
        )
    assert own.status is pioneers.NominationStatus.PENDING
    await _refused(
        db,
        "own_endorsement",
        lambda tx: pioneers.endorse(tx, round_, own, actor_id=p["sec"].id, today=TODAY, now=NOW),
    )
    await _refused(
        db,
        "own_endorsement",
        lambda tx: pioneers.decline(tx, round_, own, "不合适", actor_id=p["sec"].id, now=NOW),
    )
    async with db.transaction() as tx:
        await pioneers.endorse(tx, round_, own, actor_id=p["admin"].id, today=TODAY, now=NOW)
        after = await pioneers.get_nomination(tx, own.id)
    assert after is not None and after.status is pioneers.NominationStatus.NOMINATED


async def test_a_list_nobody_voted_on_cannot_be_confirmed(db: Database) -> None:
    p = await _people(db)
    async with db.transaction() as tx:
        round_ = await _open(tx, p, cap=3)
        for key in ("a", "b"):
            await pioneers.nominate(
                tx, round_, actor=p["sec"], nominee_id=p[key].id, deeds=DEEDS, today=TODAY, now=NOW
            )
    # Two nominees for more places than that, the jury's window over, not one ballot.
    await _refused(
        db,
        "missing_ballots",
        lambda tx: pioneers.confirm(tx, round_, today=date(2026, 12, 12), actor_id=1, now=NOW),
    )
    async with db.read() as conn:
        stored = await pioneers.get_round(conn, round_.id)
    assert stored is not None and stored.status is pioneers.RoundStatus.OPEN


async def test_a_tie_at_the_cut_needs_a_decision_with_a_reason(db: Database) -> None:
    p = await _people(db)
    async with db.transaction() as tx:
        round_ = await _open(tx, p, cap=3)
        await pioneers.toggle_juror(
            tx, round_, p["admin"].id, today=TODAY, actor_id=p["admin"].id, now=NOW
        )
        ids = [
            (
                await pioneers.nominate(
                    tx,
                    round_,
                    actor=p["sec"],
                    nominee_id=p[key].id,
                    deeds=DEEDS,
                    today=TODAY,
                    now=NOW,
                )
            ).id
            for key in ("a", "b", "c")
        ]
    voting, closed = date(2026, 12, 8), date(2026, 12, 12)
    async with db.transaction() as tx:
        # 2 points for the first, 1 for the second: a 2, b 1, c 0 -> no tie; make one:
        await pioneers.cast_ballot(tx, round_, [ids[0]], juror=p["admin"], today=voting, now=NOW)
    # a 2, b 0, c 0: b and c tied at the cut for the one place left.
    await _refused(
        db,
        "missing_tie",
        lambda tx: pioneers.confirm(tx, round_, today=closed, actor_id=1, now=NOW),
    )
    await _refused(
        db,
        "tie_count",
        lambda tx: pioneers.decide_tie(
            tx, round_, [ids[1], ids[2]], "都好", today=closed, actor_id=1, now=NOW
        ),
    )
    await _refused(
        db,
        "reason_needed",
        lambda tx: pioneers.decide_tie(tx, round_, [ids[2]], "", today=closed, actor_id=1, now=NOW),
    )
    async with db.transaction() as tx:
        await pioneers.decide_tie(
            tx, round_, [ids[2]], "服务时长更多", today=closed, actor_id=1, now=NOW
        )
        round_ = await pioneers.get_round(tx, round_.id) or round_
        chosen = await pioneers.confirm(tx, round_, today=closed, actor_id=1, now=NOW)
        audit = await tx.execute_fetchall(
            "SELECT detail FROM audit_log WHERE action = 'pioneers.tie_decided'"
        )
    assert chosen == [ids[0], ids[2]]
    assert "服务时长更多" in next(iter(audit))[0]


# --------------------------------------------------------------------------- the record


_op = st.tuples(
    st.integers(1, 28), st.integers(1, 16), st.sampled_from(["keep", "edit", "withdraw"])
)


async def test_a_link_counts_in_a_year_only_up_to_its_last_day(db: Database) -> None:
    """A nominee's 三联系 links for a calendar year are those in force on a day of it: a
    dorm link of the 2025–26 school year ended on 20 December 2025 counts for 2025, not
    for 2026, though its period runs to 31 August 2026; the class link beside it counts
    for both."""
    p = await _people(db)
    owner = p["a"]
    base: dict[str, Any] = {
        "member_id": owner.id, "branch_id": owner.branch_id, "period": LinkPeriod.YEAR,
        "period_start": date(2025, 9, 1), "period_end": date(2026, 8, 31),
        "start_on": date(2025, 9, 1), "today": date(2025, 9, 1),
    }  # fmt: skip
    async with db.transaction() as tx:
        dorm = await links.set_link(
            tx, LinkFields(kind=LinkKind.DORM, target_text="男生3号楼201", **base),
            actor=p["admin"], owner=owner, now=NOW,
        )  # fmt: skip
        await links.set_link(
            tx, LinkFields(kind=LinkKind.CLASS, target_text="三(2)班", **base),
            actor=p["admin"], owner=owner, now=NOW,
        )  # fmt: skip
        await links.end(
            tx, dorm.id, actor=p["admin"], reason="宿舍调整", today=date(2025, 12, 20), now=NOW
        )
    async with db.read() as conn:
        counted = {
            year: (
                await pioneers.record(conn, owner.id, owner.branch_id or 0, year, zone=ZONE)
            ).links
            for year in (2025, 2026, 2027)
        }
    assert counted == {2025: 2, 2026: 1, 2027: 0}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_op, min_size=1, max_size=6), st.lists(st.booleans(), max_size=4))
def test_the_record_follows_corrected_and_withdrawn_records(
    scratch: Path, logs: list[tuple[int, int, str]], visit_kept: list[bool]
) -> None:
    """Whatever is corrected or withdrawn, a nomination's record shows what the records
    hold now: the service hours still active and the visits not withdrawn."""
    asyncio.run(_check_record(scratch, logs, visit_kept))


async def _check_record(
    path: Path, logs: list[tuple[int, int, str]], visit_kept: list[bool]
) -> None:
    async with Database(path) as db:
        n = next(_COUNTER)
        async with db.transaction() as tx:
            branch = await branches.create(tx, f"第{n}支部", now=NOW)
            member = await members.create(
                tx,
                telegram_id=10**6 + n,
                name="王老师",
                role=Role.MEMBER,
                branch_id=branch.id,
                now=NOW,
            )
            hours = 0.0
            for day, half_hours, op in logs:
                on = date(2026, 10, day)
                entry = ServiceEntry(
                    kind=ServiceKind.VOLUNTEER,
                    on_date=on,
                    hours=half_hours / 2,
                    description="社区服务",
                    logged_on=on,
                )
                at = datetime.combine(on, time(20), tzinfo=ZONE)
                log = await service.log(
                    tx,
                    member_id=member.id,
                    branch_id=branch.id,
                    entry=entry,
                    party_month_id=None,
                    makeup_month_id=None,
                    now=at,
                )
                if op == "edit":
                    await service.edit(
                        tx,
                        log,
                        changes={"hours": 1.0},
                        party_month_id=None,
                        actor_id=member.id,
                        now=at,
                    )
                    hours += 1.0
                elif op == "withdraw":
                    await service.withdraw(tx, log, actor_id=member.id, now=at)
                else:
                    hours += half_hours / 2
            kept = 0
            for index, keep in enumerate(visit_kept):
                content = VisitContent(
                    visit_date=date(2026, 11, index + 1),
                    student_alias="小明",
                    class_name="三(2)班",
                    form="in_person",
                    met="parents",
                    topics=["study"],
                    today=TODAY,
                )
                visit = await visits.create(
                    tx,
                    member_id=member.id,
                    branch_id=branch.id,
                    content=content,
                    term=Term(start=date(2026, 9, 1), end=date(2027, 1, 31)),
                    now=NOW,
                )
                if keep:
                    kept += 1
                else:
                    await visits.withdraw(tx, visit.id, actor_id=member.id, now=NOW)
        async with db.read() as conn:
            found = await pioneers.record(conn, member.id, branch.id, 2026, zone=ZONE)
        assert found.service_hours == round(hours, 1)
        assert found.visits == kept
        assert found.points == sum(found.by_source.values())


_COUNTER = iter(range(1, 10**6))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pioneers") / "pioneers.sqlite3"
