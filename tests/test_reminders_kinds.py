"""Every scheduled kind end to end: the tick queues it for the right person, ``deliver()``
sends it, and a button on it leads into the feature that owns it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import reminder_engine
from handlers.common.i18n import Translator
from handlers.common.reminders import fit
from handlers.reminders.views import kind_label
from schedules.kinds import MUTABLE, Kind
from storage import members, outbox, partyday, pioneers, pledges
from storage.partyday import Answer
from storage.pioneer_rules import Windows
from storage.pledges import Category, Period
from tests.conftest import ADMIN, MEMBER, MEMBER2, SECRETARY, Harness
from tests.fakebot import FakeUser
from tests.test_pledges import make_pledge
from tests.test_reminders import person, tick, with_party_day

ZONE = ZoneInfo("Asia/Shanghai")
TEXT = "本学年每周为学困生义务辅导两次，帮助他们提高成绩。"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


async def submitted_pledge(h: Harness, *, publish: bool) -> int:
    """王老师's pledge for 2026 (target 2026-12-31), submitted now; maybe also approved."""
    now = h.clock.now()
    owner = await person(h, MEMBER.id)
    secretary = await person(h, SECRETARY.id)
    async with h.db.transaction() as tx:
        draft = await pledges.create_draft(
            tx, member=owner, period=Period(code="2026"), category=Category.TEACHING,
            text=TEXT, now=now,
        )  # fmt: skip
        draft = await pledges.edit(
            tx, draft, actor_id=owner.id, now=now, target_date=date(2026, 12, 31)
        )
        made = await pledges.submit(tx, draft, actor_id=owner.id, now=now)
        if publish:
            await pledges.approve(tx, made, actor_id=secretary.id, now=now)
    return made.id


async def test_a_pledge_waiting_three_days_reaches_the_secretary(harness: Harness) -> None:
    await harness.branch_with_people()
    await tick(harness)
    await submitted_pledge(harness, publish=False)
    # Submitted 2026-11-28 10:00: waiting 3 days after 09:00 on 12-01, so 12-02 09:00.
    assert Kind.PLEDGE_REVIEW not in (await tick(harness, at(2026, 12, 1, 9, 0))).by_kind
    report = await tick(harness, at(2026, 12, 2, 9, 0))
    assert report.by_kind[Kind.PLEDGE_REVIEW] == 1
    await harness.deliver()
    assert "1 条承诺等待您审核" in harness.last(SECRETARY)
    opened = await harness.press(SECRETARY, "1. 王老师")
    assert any("学困生" in text for text in opened)


async def test_january_brings_no_pledge_stale_progress_and_evaluation(harness: Harness) -> None:
    await harness.branch_with_people()
    await tick(harness)
    await submitted_pledge(harness, publish=True)
    report = await tick(harness, at(2027, 1, 1, 10, 0))
    # 2027: nobody has a pledge yet. 王老师's 2026 pledge has had no progress since
    # 11-28 (34 days), and its target date has come, so it is ready for evaluation.
    assert report.by_kind[Kind.PLEDGE_NO_PLEDGE] == 3
    assert report.by_kind[Kind.PLEDGE_STALE] == 1
    assert report.by_kind[Kind.PLEDGE_EVALUATE] == 1
    # 元旦 is a public holiday: they wait for the next working day, Monday 01-04 at 08:00.
    await harness.deliver()
    assert not any("2027 年度的岗位承诺" in t for t in harness.tg.texts(MEMBER.id))
    harness.clock.set(at(2027, 1, 4, 8, 0))
    await harness.deliver()
    member_texts = harness.tg.texts(MEMBER.id)
    assert any("2027 年度的岗位承诺您还没有作出" in t for t in member_texts)
    assert any("34 天没有记录进展" in t for t in member_texts)
    assert any("可以评诺" in t for t in harness.tg.texts(SECRETARY.id))
    replies = await harness.press(MEMBER, "记录践诺")
    assert any("请记录践诺进展" in text for text in replies), "the button starts the progress step"


async def test_members_behind_the_visit_target_get_a_nudge(harness: Harness) -> None:
    await harness.branch_with_people()
    await tick(harness)
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO visit_targets (branch_id, target, set_on, set_by, set_at)"
            " VALUES (?, 2, '2026-11-28', ?, '2026-11-28T02:00:00+00:00')",
            (secretary.branch_id, secretary.id),
        )
    report = await tick(harness, at(2026, 12, 1, 10, 0))
    assert report.by_kind[Kind.VISIT_BEHIND] == 3
    await harness.deliver()
    assert "本学期家访进度：0/2" in harness.last(MEMBER2)
    started = await harness.press(MEMBER2, "记录家访")
    assert any("家访是哪一天" in text for text in started), "the button starts logging a visit"


async def test_after_a_hand_sent_announcement_only_the_silent_are_reminded(
    harness: Harness,
) -> None:
    await with_party_day(harness)
    member = await person(harness, MEMBER.id)
    secretary = await person(harness, SECRETARY.id)
    async with harness.db.transaction() as tx:
        day = await partyday.party_day(tx, secretary.branch_id or 0, 2026, 12)
        assert day is not None
        pinned = await partyday.pin(tx, day, actor_id=secretary.id, now=harness.clock.now())
        assert pinned.month_id is not None
        await partyday.set_reply(
            tx,
            month_id=pinned.month_id,
            member_id=member.id,
            answer=Answer.ATTEND,
            now=harness.clock.now(),
        )
    report = await tick(harness, at(2026, 12, 7, 9, 0))
    assert report.by_kind[Kind.PARTYDAY_ANNOUNCE] == 2
    await harness.deliver()
    assert "3 天后是党日" in harness.last(MEMBER2)
    assert harness.buttons(MEMBER2) == ["参加", "请假"]
    assert not any("3 天后是党日" in t for t in harness.tg.texts(MEMBER.id))


async def test_a_member_who_left_gets_nothing(harness: Harness) -> None:
    await with_party_day(harness)
    member2 = await person(harness, MEMBER2.id)
    async with harness.db.transaction() as tx:
        await members.mark_left(tx, member2.id, now=harness.clock.now())
    report = await tick(harness, at(2026, 12, 7, 9, 0))
    assert report.by_kind[Kind.PARTYDAY_ANNOUNCE] == 2
    await harness.deliver()
    assert not any("党日通知" in t for t in harness.tg.texts(MEMBER2.id))


async def test_a_long_review_list_for_a_large_branch_still_fits_one_message(
    harness: Harness,
) -> None:
    """120 pledges waiting make a list of ~7,000 characters, which Telegram would refuse
    (the row would fail and the reminder be lost): it is cut to whole lines instead."""
    await harness.branch_with_people()
    await tick(harness)
    secretary = await person(harness, SECRETARY.id)
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        for i in range(120):
            teacher = await members.create(
                tx,
                telegram_id=500_000 + i,
                name=f"欧阳老师{i:03d}",
                role=members.Role.MEMBER,
                branch_id=secretary.branch_id,
                now=now,
            )
            draft = await pledges.create_draft(
                tx, member=teacher, period=Period(code="2026"), category=Category.TEACHING,
                text=TEXT, now=now,
            )  # fmt: skip
            draft = await pledges.edit(
                tx, draft, actor_id=teacher.id, now=now, target_date=date(2026, 12, 31)
            )
            await pledges.submit(tx, draft, actor_id=teacher.id, now=now)
    for language in ("zh", "en"):
        if language == "en":
            await harness.send(SECRETARY, "/language")
            await harness.press(SECRETARY, "English")
        report = await tick(harness, at(2026, 12, 2 if language == "zh" else 9, 9, 0))
        assert report.by_kind[Kind.PLEDGE_REVIEW] == 1
        await harness.deliver()
        heads = ("有 120 条承诺等待您审核：", "Pledges waiting for your review: 120")
        (text,) = [t for t in harness.tg.texts(SECRETARY.id)[-2:] if t.startswith(heads)]
        assert len(text) <= 4096
        last = text.split("\n")[-1]
        assert "欧阳老师000" in text
        assert last.startswith("……（还有 ") or last.startswith("… (")
    async with harness.db.read() as conn:
        statuses = {m.status for m in await outbox.list_all(conn) if m.kind == Kind.PLEDGE_REVIEW}
    assert statuses == {outbox.OutboxStatus.SENT}


def test_fit_keeps_whole_lines_and_counts_an_emoji_as_telegram_does() -> None:
    # 300 lines of 10 emoji: 3,299 characters, but 6,299 UTF-16 units, which Telegram counts.
    text = "\n".join(["📊" * 10] * 300)
    cut = fit(Translator("en"), text)
    assert len(cut.encode("utf-16-le")) // 2 <= 4096
    *kept, more = cut.split("\n")
    assert set(kept) == {"📊" * 10}
    assert more == f"… ({300 - len(kept)} more not shown)"
    assert fit(Translator("zh"), "短") == "短"


async def test_a_lone_secretarys_own_pledge_waiting_reaches_the_bureau(harness: Harness) -> None:
    """Nobody in the branch may review it, so the admins are reminded, not its maker."""
    await harness.branch_with_people()
    await harness.send(ADMIN, "/me")  # the admin's row exists from their first message
    await tick(harness)
    secretary = await person(harness, SECRETARY.id)
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        draft = await pledges.create_draft(
            tx, member=secretary, period=Period(code="2026"), category=Category.SERVING,
            text=TEXT, now=now,
        )  # fmt: skip
        draft = await pledges.edit(
            tx, draft, actor_id=secretary.id, now=now, target_date=date(2026, 12, 31)
        )
        await pledges.submit(tx, draft, actor_id=secretary.id, now=now)
    before = len(harness.tg.texts(SECRETARY.id))
    await tick(harness, at(2026, 12, 2, 9, 0))
    await harness.deliver()
    assert harness.tg.texts(ADMIN.id)[-1].startswith("有 1 条承诺等待您审核：")
    assert "李红梅" in harness.tg.texts(ADMIN.id)[-1]
    assert not any("等待您审核" in t for t in harness.tg.texts(SECRETARY.id)[before:])


def test_every_kind_has_its_settings_label_in_both_languages() -> None:
    """Each feature names its kinds' /settings switches in its own texts."""
    import bot.app  # noqa: F401  (imports every feature, so every catalog is filled)

    for kind in MUTABLE:
        for lang in ("zh", "en"):
            label = kind_label(Translator(lang), kind.value)
            assert label and not label.startswith("reminders.kind."), (kind, lang)


async def test_the_review_reminder_goes_to_whoever_the_pledge_asked_to_review(
    harness: Harness,
) -> None:
    """The secretary's own pledge asks the bureau, a member's asks the secretary; three
    days later each is reminded of the pledges they were asked about, and only those."""
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/me")
    await tick(h)
    await make_pledge(h, SECRETARY)
    await make_pledge(h, MEMBER)
    asked = {
        user.id: [t.split(" ")[0] for t in h.tg.texts(user.id) if "提交了岗位承诺" in t]
        for user in (ADMIN, SECRETARY, MEMBER2)
    }
    assert asked == {ADMIN.id: ["李红梅"], SECRETARY.id: ["王老师"], MEMBER2.id: []}
    before = {user.id: len(h.tg.texts(user.id)) for user in (ADMIN, SECRETARY, MEMBER2)}
    report = await tick(h, at(2026, 12, 2, 9, 0))
    assert report.by_kind[Kind.PLEDGE_REVIEW] == 2
    await h.deliver()
    reminded = {
        user.id: [t for t in h.tg.texts(user.id)[before[user.id] :] if "等待您审核" in t]
        for user in (ADMIN, SECRETARY, MEMBER2)
    }
    (to_admin,) = reminded[ADMIN.id]
    (to_secretary,) = reminded[SECRETARY.id]
    assert to_admin.startswith("有 1 条承诺等待您审核") and "李红梅" in to_admin
    assert "王老师" not in to_admin
    assert to_secretary.startswith("有 1 条承诺等待您审核") and "王老师" in to_secretary
    assert reminded[MEMBER2.id] == []


async def test_the_evaluation_reminder_goes_to_whoever_may_evaluate(harness: Harness) -> None:
    """A lone secretary cannot evaluate their own pledge: the bureau is reminded of it."""
    h = harness
    await h.branch_with_people()
    await h.send(ADMIN, "/me")
    await tick(h)
    await submitted_pledge(h, publish=True)
    secretary, admin = await person(h, SECRETARY.id), await person(h, ADMIN.id)
    now = h.clock.now()
    async with h.db.transaction() as tx:
        draft = await pledges.create_draft(
            tx, member=secretary, period=Period(code="2026"), category=Category.SERVING,
            text=TEXT, now=now,
        )  # fmt: skip
        draft = await pledges.edit(
            tx, draft, actor_id=secretary.id, now=now, target_date=date(2026, 12, 31)
        )
        made = await pledges.submit(tx, draft, actor_id=secretary.id, now=now)
        await pledges.approve(tx, made, actor_id=admin.id, now=now)
    report = await tick(h, at(2027, 1, 1, 10, 0))
    assert report.by_kind[Kind.PLEDGE_EVALUATE] == 2
    h.clock.set(at(2027, 1, 4, 8, 0))  # held over 元旦 for the next working day
    await h.deliver()
    (to_admin,) = [t for t in h.tg.texts(ADMIN.id) if "可以评诺" in t]
    (to_secretary,) = [t for t in h.tg.texts(SECRETARY.id) if "可以评诺" in t]
    assert "李红梅" in to_admin and "王老师" not in to_admin
    assert "王老师" in to_secretary and "李红梅" not in to_secretary


async def test_a_pledge_fulfilled_while_the_nudges_render_gets_no_stale_nudge(
    harness: Harness,
) -> None:
    # The nudges read the branch's published pledges once a slice, outside any lock: one
    # fulfilled after "what is due" was worked out, before its nudge is rendered, has
    # nothing to say (noted, not sent, not rendered again).
    await harness.branch_with_people()
    await tick(harness)
    pledge_id = await submitted_pledge(harness, publish=True)
    owner = await person(harness, MEMBER.id)
    engine = reminder_engine(harness.app)
    render = engine.renderers[Kind.PLEDGE_STALE.value]

    async def fulfil_then_render(*args: Any) -> Any:
        async with harness.db.transaction() as tx:
            found = await pledges.get(tx, pledge_id)
            assert found is not None
            await pledges.fulfil(
                tx, found, actor_id=owner.id, summary=TEXT, now=harness.clock.now()
            )
        return await render(*args)

    engine.renderers[Kind.PLEDGE_STALE.value] = fulfil_then_render
    try:
        report = await tick(harness, at(2027, 1, 1, 10, 0))
    finally:
        engine.renderers[Kind.PLEDGE_STALE.value] = render
    assert Kind.PLEDGE_STALE not in report.by_kind and report.empty == 1
    async with harness.db.read() as conn:
        rows = [m for m in await outbox.list_all(conn) if m.kind == Kind.PLEDGE_STALE.value]
    assert rows == []
    assert Kind.PLEDGE_STALE not in (await tick(harness, at(2027, 1, 1, 10, 1))).by_kind


async def _self_nominates(h: Harness, user: FakeUser, *, until: date) -> None:
    """The branch, a pioneers round open from today (2026-11-28) to ``until`` (the jury
    after it), and ``user``'s self-nomination through the bot, its deciders told."""
    await h.branch_with_people()
    await h.send(ADMIN, "/me")
    await tick(h)
    admin = await person(h, ADMIN.id)
    async with h.db.transaction() as tx:
        await pioneers.open_round(
            tx, year=2026, title="2026年度育人成才先锋党员", quota=3, branch_cap=2,
            windows=Windows(date(2026, 11, 28), until, until + timedelta(days=1),
                            until + timedelta(days=5)),
            today=date(2026, 11, 28), actor_id=admin.id, now=h.clock.now(),
        )  # fmt: skip
    await h.callback(user, "pn:self:1")
    await h.send(user, "扎根教学一线二十年，带出多名优秀青年教师。")
    await h.press(user, "提交")
    await h.deliver()


async def test_a_self_nomination_waiting_reminds_the_secretary_daily_with_the_list(
    harness: Harness,
) -> None:
    """The secretary who has not decided hears of it the next morning, with a button to
    the branch's list where 认可 is; the window's last day says so; decided, no more."""
    h = harness
    await _self_nominates(h, MEMBER, until=date(2026, 12, 1))
    assert "王老师 自荐参加" in h.last(SECRETARY)  # told when it came
    assert Kind.PIONEER_ENDORSEMENT not in (await tick(h, at(2026, 11, 28, 20, 0))).by_kind
    report = await tick(h, at(2026, 11, 29, 9, 0))
    assert report.by_kind[Kind.PIONEER_ENDORSEMENT] == 1
    await h.deliver()
    said = h.last(SECRETARY)
    assert said.startswith("⏳ “2026年度育人成才先锋党员”有 1 份自荐等待您认可或不认可")
    assert "· 王老师，2026-11-28 自荐" in said and "最后一天" not in said
    assert not any("等待您认可" in t for t in h.tg.texts(ADMIN.id) + h.tg.texts(MEMBER2.id))
    opened = await h.press(SECRETARY, "去处理")
    assert "王老师" in opened[-1] and {"认可", "不认可"} <= set(h.buttons(SECRETARY))
    # The window's last day, still waiting: it says so (beside the month's digest).
    before = len(h.tg.texts(SECRETARY.id))
    await tick(h, at(2026, 12, 1, 9, 0))
    await h.deliver()
    (last,) = [t for t in h.tg.texts(SECRETARY.id)[before:] if "等待您认可" in t]
    assert "今天是推荐期最后一天，明天起就不能再认可了。" in last
    # After the window nothing, though it still waits.
    assert Kind.PIONEER_ENDORSEMENT not in (await tick(h, at(2026, 12, 2, 9, 0))).by_kind


async def test_a_decided_self_nomination_is_not_reminded(harness: Harness) -> None:
    h = harness
    await _self_nominates(h, MEMBER, until=date(2026, 12, 5))
    said = await h.press(SECRETARY, "认可")
    assert "已认可 王老师 的自荐" in said[-1]
    assert Kind.PIONEER_ENDORSEMENT not in (await tick(h, at(2026, 11, 29, 9, 0))).by_kind


async def test_a_lone_secretarys_own_self_nomination_reminds_the_bureau(harness: Harness) -> None:
    """Nobody in the branch may endorse it: the admins are reminded, with the round's list,
    where the nomination's screen has 认可 for them; the nominee is not reminded."""
    h = harness
    await _self_nominates(h, SECRETARY, until=date(2026, 12, 5))
    before = len(h.tg.texts(SECRETARY.id))
    report = await tick(h, at(2026, 11, 29, 9, 0))
    assert report.by_kind[Kind.PIONEER_ENDORSEMENT] == 1
    await h.deliver()
    assert "· 李红梅（第一中学党支部），2026-11-28 自荐" in h.last(ADMIN)
    assert not any("等待您认可" in t for t in h.tg.texts(SECRETARY.id)[before:])
    await h.press(ADMIN, "去处理")
    await h.press(ADMIN, "1. 李红梅")
    said = await h.press(ADMIN, "认可")
    assert "已认可 李红梅 的自荐" in said[-1]
