"""/todo: who in the branch has not yet, per activity, and the one nudge per list a day.

The harness's day is Saturday 2026-11-28 10:00 in Shanghai; 第一中学党支部 has 李红梅
(secretary), 王老师 and 张老师.
"""

from __future__ import annotations

from datetime import date, datetime, time

from storage import audit, members, outbox, partyday, reminders, service, terms, visits
from storage.members import Member
from storage.partyday import Answer, DayRule, RuleKind
from storage.service import ServiceEntry, ServiceKind
from storage.visits import VisitContent
from tests.conftest import ADMIN, MEMBER, MEMBER2, SECRETARY, ZONE, Harness
from tests.test_pledges import make_pledge


async def person(h: Harness, telegram_id: int) -> Member:
    async with h.db.read() as conn:
        found = await members.get_active_by_telegram(conn, telegram_id)
    assert found is not None
    return found


async def party_day_on(h: Harness, day: int) -> None:
    """The branch's party day: the ``day``th of each month, 14:30."""
    secretary = await person(h, SECRETARY.id)
    async with h.db.transaction() as tx:
        await partyday.set_rule(
            tx, branch_id=1, rule=DayRule(kind=RuleKind.DAY, day=day), start_time=time(14, 30),
            place="三楼会议室", actor_id=secretary.id, now=h.clock.now(),
        )  # fmt: skip


async def answer_party_day(h: Harness, user_id: int) -> None:
    who = await person(h, user_id)
    now = h.clock.now()
    async with h.db.transaction() as tx:
        month = await partyday.ensure_month(tx, 1, now.year, now.month, now=now)
        await partyday.set_reply(tx, month_id=month.id, member_id=who.id, answer=Answer.ATTEND,
                                 now=now)  # fmt: skip


async def log_visit(h: Harness, user_id: int, on: date) -> None:
    who = await person(h, user_id)
    async with h.db.transaction() as tx:
        term = await terms.term_for(tx, on)
        content = VisitContent(
            visit_date=on, student_alias="小明", class_name="三(2)班", form="phone",
            met="parents", topics=["study"], today=h.clock.now().date(),
        )  # fmt: skip
        await visits.create(tx, member_id=who.id, branch_id=1, content=content, term=term,
                            now=h.clock.now())  # fmt: skip


async def log_service(h: Harness, user_id: int, on: date) -> None:
    who = await person(h, user_id)
    entry = ServiceEntry(kind=ServiceKind.VOLUNTEER, on_date=on, hours=2.0,
                         description="社区扫雪", logged_on=on)  # fmt: skip
    async with h.db.transaction() as tx:
        await service.log(tx, member_id=who.id, branch_id=1, entry=entry, party_month_id=None,
                          makeup_month_id=None, now=h.clock.now())  # fmt: skip


async def nudges(h: Harness, kind: str) -> list[outbox.OutboxMessage]:
    async with h.db.read() as conn:
        return [m for m in await outbox.list_all(conn) if m.kind == kind]


def block(screen: str, icon: str) -> str:
    """The paragraph of one activity on the /todo screen."""
    return next(part for part in screen.split("\n\n") if part.startswith(icon))


# --------------------------------------------------------------------------- the lists


async def test_each_list_names_who_has_not_done_it(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await party_day_on(h, 30)
    await make_pledge(h, MEMBER)  # 王老师 pledged for 2026
    await log_visit(h, MEMBER2.id, date(2026, 11, 3))  # 张老师 visited this month
    await log_visit(h, MEMBER.id, date(2026, 10, 20))  # last month's does not count
    await log_service(h, MEMBER.id, date(2026, 11, 20))  # 王老师 served this month
    await answer_party_day(h, MEMBER2.id)  # 张老师 answered the party day

    screen = (await h.send(SECRETARY, "/todo"))[-1]
    assert "第一中学党支部 · 谁还没有" in screen
    assert block(screen, "📝") == "📝 2026 年度岗位承诺：2 人还没有作出\n张老师、李红梅"
    assert block(screen, "🏠") == "🏠 本月（2026-11）家访：2 人还没有记录\n李红梅、王老师"
    assert (
        block(screen, "🚩") == "🚩 2026-11-30 主题党日：2 人还没有回复，也没有签到\n李红梅、王老师"
    )
    assert block(screen, "🤝") == "🤝 本月（2026-11）志愿服务：2 人还没有记录\n李红梅、张老师"
    # The secretary is on the lists, but their own press never nudges them.
    assert h.buttons(SECRETARY) == [
        "🔔 提醒未作承诺的 1 人",
        "🔔 提醒本月未家访的 1 人",
        "🔔 提醒未回复党日的 1 人",
        "🔔 提醒本月未记录服务的 1 人",
    ]


async def test_done_lists_say_so_and_a_held_party_day_is_not_nudged(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await party_day_on(h, 10)  # already held this month
    for user in (SECRETARY, MEMBER, MEMBER2):
        await log_service(h, user.id, date(2026, 11, 2))
    screen = (await h.send(SECRETARY, "/todo"))[-1]
    assert block(screen, "🤝") == "🤝 本月（2026-11）志愿服务：人人都已记录 ✅"
    assert "（党日已经举行，不再提醒回复。）" in block(screen, "🚩")
    assert "🔔 提醒未回复党日的 2 人" not in h.buttons(SECRETARY)
    assert "🔔 提醒本月未记录服务的 0 人" not in h.buttons(SECRETARY)
    # A forged or stale press on the held day's list sends nothing.
    await h.callback(SECRETARY, "td:n:partyday:1")
    assert h.answers()[-1] == "本月党日已经举行（或没有党日），不再提醒回复。"
    assert await nudges(h, "partyday.announce") == []


async def test_no_party_day_this_month(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    screen = (await h.send(SECRETARY, "/todo"))[-1]
    assert block(screen, "🚩") == "🚩 本月没有主题党日（尚未设定，或已取消）。"


# --------------------------------------------------------------------------- the nudge


async def test_a_nudge_goes_to_exactly_those_people_once_a_day(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await log_service(h, MEMBER.id, date(2026, 11, 20))
    await h.send(SECRETARY, "/todo")
    said = await h.press(SECRETARY, "🔔 提醒本月未记录服务的 1 人")
    assert said[-1] == "✅ 已提醒 1 人：张老师。"
    await h.deliver()
    assert h.tg.texts(MEMBER2.id)[-1] == (
        "🤝 第一中学党支部提醒：您本月还没有记录志愿服务。发送 /service 记录。"
    )
    assert not any("志愿服务" in text for text in h.tg.texts(MEMBER.id))
    assert not any("提醒：" in text for text in h.tg.texts(SECRETARY.id)[:-1])
    rows = await nudges(h, "service.missing")
    assert [(row.chat_id, row.status) for row in rows] == [(MEMBER2.id, "sent")]

    # A second press the same day (the secretary's or an admin's) sends nothing again.
    said = await h.press(SECRETARY, "🔔 提醒本月未记录服务的 1 人")
    assert said[-1] == "今天已经提醒过他们了，不再重复发送：张老师。"
    await h.send(ADMIN, "/todo")
    await h.press(ADMIN, "第一中学党支部")
    said = await h.press(ADMIN, "🔔 提醒本月未记录服务的 2 人")
    assert said[-1].startswith("✅ 已提醒 1 人：李红梅。")
    assert "另有 1 人今天已经提醒过" in said[-1]
    assert len(await nudges(h, "service.missing")) == 2

    # The next day it may go again.
    h.clock.set(datetime(2026, 11, 29, 10, 0, tzinfo=ZONE))
    await h.callback(SECRETARY, "td:n:service:1")
    assert len(await nudges(h, "service.missing")) == 3
    async with h.db.read() as conn:
        logged = [e for e in await audit.recent(conn, 20) if e.action == "todo.nudge"]
    assert len(logged) == 3


async def test_someone_who_muted_the_kind_is_left_out(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/settings")
    await h.press(MEMBER, "✅ 年初未作承诺提醒")
    await h.send(SECRETARY, "/todo")
    said = await h.press(SECRETARY, "🔔 提醒未作承诺的 2 人")
    assert said[-1] == "✅ 已提醒 1 人：张老师。\n🔕 1 人关闭了这类提醒，未发送：王老师。"
    rows = await nudges(h, "pledge.no_pledge")
    assert [row.chat_id for row in rows] == [MEMBER2.id]
    await h.deliver()
    assert "您还没有作出 2026 年度岗位承诺" in h.tg.texts(MEMBER2.id)[-1]


async def test_at_night_the_nudge_waits_for_the_morning(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await party_day_on(h, 30)
    h.clock.set(datetime(2026, 11, 28, 22, 30, tzinfo=ZONE))
    await h.send(SECRETARY, "/todo")
    said = await h.press(SECRETARY, "🔔 提醒未回复党日的 2 人")
    assert (
        said[-1]
        == "✅ 已提醒 2 人：张老师、王老师。\n现在是免打扰时段，提醒将于 11-29 08:00 发出。"
    )
    await h.deliver()
    assert not any("主题党日" in text for text in h.tg.texts(MEMBER.id)[-1:])
    h.clock.set(datetime(2026, 11, 29, 8, 1, tzinfo=ZONE))
    await h.deliver()
    assert h.tg.texts(MEMBER.id)[-1] == (
        "🚩 第一中学党支部提醒：2026-11-30 的主题党日，您还没有回复是否参加。发送 /partyday 回复。"
    )


async def test_someone_who_did_it_since_the_list_was_shown_is_not_nudged(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(SECRETARY, "/todo")
    await log_visit(h, MEMBER.id, date(2026, 11, 27))
    said = await h.press(SECRETARY, "🔔 提醒本月未家访的 2 人")
    assert said[-1] == "✅ 已提醒 1 人：张老师。"
    assert [r.chat_id for r in await nudges(h, "visit.behind_target")] == [MEMBER2.id]
    await log_visit(h, MEMBER2.id, date(2026, 11, 27))
    said = await h.callback(SECRETARY, "td:n:visit:1")
    assert said[-1] == "现在名单上没有需要提醒的人了。"


# --------------------------------------------------------------------------- the boards


async def test_each_board_has_its_list_button(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await party_day_on(h, 30)
    await h.send(SECRETARY, "/pledges branch")
    said = await h.press(SECRETARY, "🕓 谁还没作出承诺")
    assert "第一中学党支部 · 谁还没有" in said[-1]
    assert "📝 2026 年度岗位承诺：3 人还没有作出" in said[-1] and "🏠" not in said[-1]
    assert h.buttons(SECRETARY) == ["🔔 提醒未作承诺的 2 人"]

    await h.send(SECRETARY, "/visits branch")
    said = await h.press(SECRETARY, "🕓 谁本月还没家访")
    assert "🏠 本月（2026-11）家访：3 人还没有记录" in said[-1]

    await h.send(SECRETARY, "/roster")
    said = await h.press(SECRETARY, "🕓 谁还没回复党日")
    assert "🚩 2026-11-30 主题党日：3 人还没有回复" in said[-1]

    await h.send(SECRETARY, "/service branch")
    said = await h.press(SECRETARY, "🕓 谁本月还没记录服务")
    assert "🤝 本月（2026-11）志愿服务：3 人还没有记录" in said[-1]


async def test_the_bureau_picks_a_branch_for_todo(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    said = await h.send(ADMIN, "/todo")
    assert said[-1] == "请选择支部，查看谁还没有完成本期事项："
    assert h.buttons(ADMIN) == ["第一中学党支部", "第二中学党支部"]
    said = await h.press(ADMIN, "第二中学党支部")
    assert "第二中学党支部 · 谁还没有" in said[-1]
    assert "赵建国、钱老师" in said[-1] and "王老师" not in said[-1]


async def test_the_service_nudge_can_be_muted_in_settings(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.send(MEMBER, "/settings")
    await h.press(MEMBER, "✅ 本月未记录服务的提醒（支部书记发起）")
    async with h.db.read() as conn:
        muted = await reminders.muted_kinds(conn, (await person(h, MEMBER.id)).id)
    assert muted == {"service.missing"}
    await h.send(SECRETARY, "/todo")
    said = await h.press(SECRETARY, "🔔 提醒本月未记录服务的 2 人")
    assert "王老师" not in said[-1].split("\n")[0]
    assert [r.chat_id for r in await nudges(h, "service.missing")] == [MEMBER2.id]
