"""A whole pioneers selection (评选先锋) through the real Application: two branches, the
admin, an inspector on the jury, secretaries and members. Opening with bad input at each
step; a self-nomination endorsed and one declined with a reason; the cap; nominating
outside the window and across branches refused; secret ballots, a second vote refused;
confirming before the tie is decided refused, naming the step; the tie decided with a
reason; 公示 in the notice chats; an objection answered; the final list in /me."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from handlers.common.i18n import Translator
from handlers.evaluation import pioneer_views
from handlers.reports.commands import wait_for_running
from handlers.reports.workbook import PioneerRow
from storage import branches, members, pioneers
from storage.members import Role
from storage.pioneer_rules import PioneerProblem, Windows, cut
from tests.conftest import (
    ADMIN,
    EN_MEMBER,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    ZONE,
    Harness,
)
from tests.fakebot import FakeUser

INSPECTOR = FakeUser(4011, "督查二组")
NOTICE_CHAT = {"id": -100556, "type": "supergroup", "title": "第一中学党员公告群"}
OTHER_NOTICE = {"id": -100557, "type": "supergroup", "title": "第二中学党员公告群"}
DEEDS = "扎根教学一线二十年，担任班主任十五年，带出多名优秀青年教师。"


async def _setup(h: Harness) -> None:
    await h.branch_with_people()
    await h.second_branch()
    async with h.db.transaction() as tx:
        await members.create(
            tx,
            telegram_id=INSPECTOR.id,
            name="督查二组",
            role=Role.INSPECTOR,
            branch_id=None,
            now=h.clock.now(),
        )
        await branches.set_notice_chat(tx, 1, NOTICE_CHAT["id"], actor_id=None, now=h.clock.now())
        await branches.set_notice_chat(tx, 2, OTHER_NOTICE["id"], actor_id=None, now=h.clock.now())
    for chat in (NOTICE_CHAT, OTHER_NOTICE):
        h.tg.chats[chat["id"]] = dict(chat)


async def _alert(h: Harness, user: FakeUser, label: str) -> str:
    before = len(h.answers())
    said = await h.press(user, label)
    return "\n".join([*said, *h.answers()[before:]])


async def _callback(h: Harness, user: FakeUser, data: str) -> str:
    before = len(h.answers())
    said = await h.callback(user, data)
    return "\n".join([*said, *h.answers()[before:]])


def _on(h: Harness, day: int, month: int = 12) -> None:
    h.clock.set(datetime(2026, month, day, 10, 0, tzinfo=ZONE))


async def _open(h: Harness) -> None:
    said = await h.send(ADMIN, "/pioneers")
    assert "还没有开启先锋评选" in said[-1]
    await h.press(ADMIN, "开启 2026 年度评选")
    said = await h.press(ADMIN, "用“2026年度育人成才先锋党员”")
    assert "名额和每个支部最多推荐的人数" in said[-1]
    said = await h.send(ADMIN, "十个")
    assert "请输入两个数字" in said[-1]
    said = await h.send(ADMIN, "0 2")
    assert "名额应在 1 到 100 之间" in said[-1]
    said = await h.send(ADMIN, "2 2")
    assert "推荐期从哪天到哪天" in said[-1]
    said = await h.send(ADMIN, "下周")
    assert "没看懂日期" in said[-1]
    said = await h.send(ADMIN, "12-10 至 12-1")
    assert "结束日期不能早于开始日期" in said[-1]
    said = await h.press(ADMIN, "2026-11-28 至 2026-12-11")
    assert "评审（评委投票）期从哪天到哪天" in said[-1]
    said = await h.send(ADMIN, "12-5 至 12-8")
    assert "评审期必须在推荐期结束之后开始" in said[-1]
    said = await h.send(ADMIN, "12-12 至 12-15")
    assert "已开启“2026年度育人成才先锋党员”" in said[0]
    assert "名额 2 人 · 每支部至多推荐 2 人" in said[-1]
    assert "推荐期 2026-11-28 至 2026-12-11 · 评审期 2026-12-12 至 2026-12-15" in said[-1]


async def _open_as_offered(h: Harness) -> None:
    """The admin opens the 2026 round taking every offered answer: 10 places, 3 a branch,
    nominations 11-28 to 12-11, the jury 12-12 to 12-18."""
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "开启 2026 年度评选")
    await h.press(ADMIN, "用“2026年度育人成才先锋党员”")
    await h.press(ADMIN, "名额 10 人 · 每支部 3 人")
    await h.press(ADMIN, "2026-11-28 至 2026-12-11")
    said = await h.press(ADMIN, "2026-12-12 至 2026-12-18")
    assert "已开启“2026年度育人成才先锋党员”" in said[0]


async def test_every_member_hears_the_round_opened_once_in_their_language(
    harness: Harness,
) -> None:
    """Opening a round tells each branch member (with the 自荐 button) and each secretary
    (their own message, not a second one), never the admins or inspectors; the button
    starts the self-nomination; a refused second opening queues nothing more."""
    h = harness
    await _setup(h)
    await h.send(EN_MEMBER, f"/start {h.invite_code(OTHER_SECRETARY)}")
    await h.send(EN_MEMBER, "Lin")
    await h.deliver()
    before = {u.id: len(h.tg.texts(u.id)) for u in (SECRETARY, OTHER_SECRETARY, ADMIN, INSPECTOR)}
    await _open_as_offered(h)
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT m.telegram_id, o.text FROM outbox o JOIN members m ON m.id = o.member_id"
            " WHERE o.kind = 'pioneers.open' ORDER BY m.telegram_id"
        )
    told = {int(r[0]): str(r[1]) for r in rows}
    assert len(rows) == len(told) == 6
    assert set(told) == {
        SECRETARY.id, OTHER_SECRETARY.id, MEMBER.id, MEMBER2.id, OTHER_MEMBER.id, EN_MEMBER.id
    }  # fmt: skip
    assert "党员自荐需您认可" in told[SECRETARY.id]
    assert "您可以由支部推荐，也可以自荐" in told[MEMBER.id]
    assert "2026-11-28 至 2026-12-11" in told[MEMBER.id]
    assert (
        "Nominations for “2026年度育人成才先锋党员” are open from 2026-11-28" in told[EN_MEMBER.id]
    )
    assert "nominate yourself" in told[EN_MEMBER.id]

    await h.deliver()
    for user in (SECRETARY, OTHER_SECRETARY):
        assert len(h.tg.texts(user.id)) == before[user.id] + 1
        assert "开始推荐" in h.last(user) and "也可以自荐" not in h.last(user)
    for user in (ADMIN, INSPECTOR):
        assert not any("开始推荐" in t for t in h.tg.texts(user.id)[before[user.id] :])
    assert h.buttons(MEMBER) == ["自荐"] and h.buttons(EN_MEMBER) == ["Nominate myself"]
    said = await h.press(MEMBER, "自荐")
    assert "请用几句话写下您的主要事迹" in said[-1]
    said = await h.press(EN_MEMBER, "Nominate myself")
    assert "Please write your deeds" in said[-1]

    # Opened once a year: a second opening is refused and tells nobody again.
    said = await _callback(h, ADMIN, "pn:open:2026")
    assert "这一年度的先锋评选已经开启" in said
    async with h.db.read() as conn:
        count = await conn.execute_fetchall(
            "SELECT count(*) FROM outbox WHERE kind LIKE 'pioneers.open%'"
        )
    assert count[0][0] == 6


async def test_an_admin_mends_a_round_until_the_jury_window(harness: Harness) -> None:
    """修改 asks the opening's questions again, each offering what the round has; the same
    checks refuse bad answers, and a cap below a branch's list names the branch; the
    change is audited and the secretaries hear of new dates, the members of a moved
    nomination window (with the 自荐 button), never of the jury's alone."""
    h = harness
    await _setup(h)
    await _open_as_offered(h)
    async with h.db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
        assert round_ is not None and secretary is not None
        for nominee in (3, 4):  # 王老师, 张老师
            await pioneers.nominate(
                tx, round_, actor=secretary, nominee_id=nominee, deeds=DEEDS,
                today=date(2026, 11, 28), now=h.clock.now(),
            )  # fmt: skip
    await h.deliver()
    told = {u.id: len(h.tg.texts(u.id)) for u in (SECRETARY, OTHER_SECRETARY, MEMBER, INSPECTOR)}

    await h.send(ADMIN, "/pioneers")
    said = await h.press(ADMIN, "修改")
    assert "修改“2026年度育人成才先锋党员”" in said[0]
    assert h.buttons(ADMIN) == ["用“2026年度育人成才先锋党员”", "取消"]
    # Each answer, what the bot says to it, and the button it offers next (if asked on).
    for answer, then, offered in (
        ("先", "评选名称请写 2–60 个字", None),
        ("2026年度教书育人先锋党员", "名额和每个支部最多推荐的人数", "名额 10 人 · 每支部 3 人"),
        ("5 1", "第一中学党支部的推荐名单已有 2 人，每支部推荐上限不能少于 2 人。", None),
        ("5 0", "每支部推荐上限应在 1 到 50 之间", None),
        ("5 2", "推荐期从哪天到哪天", "2026-11-28 至 2026-12-11"),
        ("12-10 至 12-1", "结束日期不能早于开始日期", None),
        # The round's jury window begins before these nominations end: the week after is.
        ("11-28 至 12-15", "评审（评委投票）期从哪天到哪天", "2026-12-16 至 2026-12-22"),
        ("12-14 至 12-20", "评审期必须在推荐期结束之后开始", None),
    ):
        said = await h.send(ADMIN, answer)
        assert then in said[-1], answer
        if offered is not None:
            assert h.buttons(ADMIN) == [offered, "取消"], answer
    said = await h.press(ADMIN, "2026-12-16 至 2026-12-22")
    assert "已修改“2026年度教书育人先锋党员”" in said[0]
    assert "名额 5 人 · 每支部至多推荐 2 人" in said[-1]
    assert "推荐期 2026-11-28 至 2026-12-15 · 评审期 2026-12-16 至 2026-12-22" in said[-1]
    async with h.db.read() as conn:
        changed = await conn.execute_fetchall(
            "SELECT detail FROM audit_log WHERE action = 'pioneers.changed'"
        )
    assert [json.loads(str(r[0])) for r in changed] == [
        {
            "title": ["2026年度育人成才先锋党员", "2026年度教书育人先锋党员"],
            "quota": [10, 5],
            "cap": [3, 2],
            "nominate": [["2026-11-28", "2026-12-11"], ["2026-11-28", "2026-12-15"]],
            "vote": [["2026-12-12", "2026-12-18"], ["2026-12-16", "2026-12-22"]],
        }
    ]
    await h.deliver()
    for user in (SECRETARY, OTHER_SECRETARY):
        (new,) = h.tg.texts(user.id)[told[user.id] :]
        assert "“2026年度教书育人先锋党员”已调整：推荐期 2026-11-28 至 2026-12-15，" in new
        assert "评审期 2026-12-16 至 2026-12-22，每个支部最多推荐 2 人" in new
    (new,) = h.tg.texts(MEMBER.id)[told[MEMBER.id] :]
    assert "“2026年度教书育人先锋党员”的推荐期调整为 2026-11-28 至 2026-12-15" in new
    assert h.buttons(MEMBER) == ["自荐"]
    assert len(h.tg.texts(INSPECTOR.id)) == told[INSPECTOR.id]  # not on the jury

    # Only the title changed: nobody is told again.
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "修改")
    await h.send(ADMIN, "2026年度育人成才先锋党员")
    await h.press(ADMIN, "名额 5 人 · 每支部 2 人")
    await h.press(ADMIN, "2026-11-28 至 2026-12-15")
    said = await h.press(ADMIN, "2026-12-16 至 2026-12-22")
    assert "已修改“2026年度育人成才先锋党员”" in said[0]
    await h.deliver()
    assert len(h.tg.texts(SECRETARY.id)) == told[SECRETARY.id] + 1

    # The jury's window moved two days later: the secretaries are told.
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "修改")
    await h.press(ADMIN, "用“2026年度育人成才先锋党员”")
    await h.press(ADMIN, "名额 5 人 · 每支部 2 人")
    await h.press(ADMIN, "2026-11-28 至 2026-12-15")
    said = await h.send(ADMIN, "12-18 至 12-24")
    assert "评审期 2026-12-18 至 2026-12-24" in said[-1]
    await h.deliver()
    assert len(h.tg.texts(SECRETARY.id)) == told[SECRETARY.id] + 2
    assert len(h.tg.texts(MEMBER.id)) == told[MEMBER.id] + 1  # the nominations' as they were

    # Between the windows the nominations' window, now over, may be kept (not another).
    _on(h, 17)
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "修改")
    await h.press(ADMIN, "用“2026年度育人成才先锋党员”")
    await h.press(ADMIN, "名额 5 人 · 每支部 2 人")
    said = await h.send(ADMIN, "2026-11-29 至 2026-12-15")
    assert "推荐期已经过去了" in said[-1]
    await h.press(ADMIN, "2026-11-28 至 2026-12-15")
    said = await h.send(ADMIN, "12-19 至 12-25")
    assert "推荐期 2026-11-28 至 2026-12-15 · 评审期 2026-12-19 至 2026-12-25" in said[-1]

    # Once the jury's window has begun, no more changes.
    _on(h, 19)
    await h.send(ADMIN, "/pioneers")
    assert "修改" not in h.buttons(ADMIN)
    said = await _callback(h, ADMIN, "pn:ed:1")
    assert "评审期已开始，这一轮评选不能再修改。" in said


async def test_a_change_between_the_windows_keeps_the_jury_window_ahead(
    harness: Harness,
) -> None:
    """Between the windows, 修改 refuses a jury's window that has begun or is over (naming
    today) and asks again, so the round never ends up past its vote with no ballots and
    no 修改; a window after today is saved and the round still takes changes."""
    h = harness
    await _setup(h)
    await _open_as_offered(h)
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "修改")
    await h.press(ADMIN, "用“2026年度育人成才先锋党员”")
    await h.press(ADMIN, "名额 10 人 · 每支部 3 人")
    await h.press(ADMIN, "2026-11-28 至 2026-12-11")
    await h.send(ADMIN, "12-20 至 12-26")
    await h.deliver()

    _on(h, 15)
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "修改")
    await h.press(ADMIN, "用“2026年度育人成才先锋党员”")
    await h.press(ADMIN, "名额 10 人 · 每支部 3 人")
    said = await h.press(ADMIN, "2026-11-28 至 2026-12-11")
    assert h.buttons(ADMIN) == ["2026-12-20 至 2026-12-26", "取消"]
    for window in ("2026-12-12 至 2026-12-13", "2026-12-14 至 12-20", "2026-12-15 至 12-20"):
        said = await h.send(ADMIN, window)
        assert said[-1] == "评审期须在今天（2026-12-15）之后开始，请重新输入。", window
    async with h.db.read() as conn:
        round_ = await pioneers.latest_round(conn)
    assert round_ is not None and round_.vote_from == date(2026, 12, 20)
    said = await h.send(ADMIN, "12-16 至 12-20")
    assert "已修改“2026年度育人成才先锋党员”" in said[0]
    assert "评审期 2026-12-16 至 2026-12-20" in said[-1]
    assert "修改" in h.buttons(ADMIN)

    # The repository refuses it too, whoever calls it.
    async with h.db.transaction() as tx:
        round_ = await pioneers.latest_round(tx)
        assert round_ is not None
        with pytest.raises(PioneerProblem) as refused:
            await pioneers.change_round(
                tx, round_, title=round_.title, quota=10, branch_cap=3,
                windows=Windows(date(2026, 11, 28), date(2026, 12, 11),
                                date(2026, 12, 12), date(2026, 12, 13)),
                today=date(2026, 12, 15), actor_id=1, now=h.clock.now(),
            )  # fmt: skip
    assert refused.value.code == "vote_past"


async def test_the_list_puts_the_viewers_waiting_self_nominations_first(
    harness: Harness,
) -> None:
    """The list 去处理 opens shows at most 90 buttons: the self-nominations waiting for the
    viewer's endorsement come first, so they are always there to tap (the bureau's: a
    lone secretary's own; a secretary's: their members'), the others in their order."""
    h = harness
    await _setup(h)
    today = h.clock.now().date()
    async with h.db.transaction() as tx:
        round_ = await pioneers.open_round(
            tx, year=2026, title="2026年度育人成才先锋党员", quota=10, branch_cap=50,
            windows=Windows(today, date(2026, 12, 11), date(2026, 12, 12), date(2026, 12, 18)),
            today=today, actor_id=1, now=h.clock.now(),
        )  # fmt: skip
        people = {}
        for user in (SECRETARY, OTHER_SECRETARY, MEMBER):
            person = await members.get_active_by_telegram(tx, user.id)
            assert person is not None
            people[user.id] = person
        # MEMBER's self-nomination waits for their secretary, not for the bureau.
        await pioneers.nominate(
            tx, round_, actor=people[MEMBER.id], nominee_id=people[MEMBER.id].id, deeds=DEEDS,
            today=today, now=h.clock.now(),
        )  # fmt: skip
        for branch, secretary, count in ((1, SECRETARY, 50), (2, OTHER_SECRETARY, 45)):
            for i in range(count):
                nominee = await members.create(
                    tx, telegram_id=900000 + branch * 1000 + i, name=f"老师{branch}-{i:02d}",
                    role=Role.MEMBER, branch_id=branch, now=h.clock.now(),
                )  # fmt: skip
                await pioneers.nominate(
                    tx, round_, actor=people[secretary.id], nominee_id=nominee.id, deeds=DEEDS,
                    today=today, now=h.clock.now(),
                )  # fmt: skip
        # The second branch's lone secretary nominates themself: the bureau decides.
        lone = people[OTHER_SECRETARY.id]
        await pioneers.nominate(
            tx, round_, actor=lone, nominee_id=lone.id, deeds=DEEDS, today=today,
            now=h.clock.now(),
        )  # fmt: skip

    await _callback(h, ADMIN, f"pn:nl:{round_.id}")
    shown = h.buttons(ADMIN)
    assert len(shown) == 91  # 90 and 返回
    assert shown[0] == f"1. {lone.name}"
    assert shown[1:3] == [f"2. {people[MEMBER.id].name}", "3. 老师1-00"]
    assert "1. " + lone.name in h.last(ADMIN)

    await _callback(h, SECRETARY, f"pn:nl:{round_.id}")
    assert h.buttons(SECRETARY)[:2] == [f"1. {people[MEMBER.id].name}", "2. 老师1-00"]
    assert len(h.buttons(SECRETARY)) == 52  # the branch's 51 and 返回


async def test_a_whole_selection_round(harness: Harness) -> None:
    h = harness
    await _setup(h)
    await _open(h)
    await h.deliver()
    assert any("开始推荐：2026-11-28 至 2026-12-11" in t for t in h.tg.texts(SECRETARY.id))
    assert any("开始推荐" in t for t in h.tg.texts(OTHER_SECRETARY.id))

    # The jury: the admin and an inspector; the inspector is told.
    await h.press(ADMIN, "评委")
    await h.press(ADMIN, "局办")
    said = await h.press(ADMIN, "督查二组")
    assert "已选 2 人" in h.tg.texts(ADMIN.id)[-1]
    await h.deliver()
    assert "您被选为“2026年度育人成才先锋党员”评委" in h.last(INSPECTOR)

    # Publishing or confirming now is refused, naming the missing step.
    await h.send(ADMIN, "/pioneers")
    assert "尚未完成“确认名单”这一步" in await _alert(h, ADMIN, "公示")
    assert "尚未完成“评委投票”这一步" in await _alert(h, ADMIN, "确认名单")

    # A member nominates themself, with a photo; the secretary is asked and endorses.
    said = await h.send(MEMBER, "/pioneers")
    assert "可以自荐" in said[-1]
    await h.press(MEMBER, "自荐")
    said = await h.send(MEMBER, "很好")
    assert "事迹请写 10–1000 个字（现在 2 个字）" in said[-1]
    said = await h.send(MEMBER, DEEDS)
    assert "还可以再发照片" in said[-1]
    said = await h.photo(MEMBER, "DEED_PHOTO")
    assert "已收到照片（1/3）" in said[-1]
    said = await h.press(MEMBER, "提交")
    assert "已提交自荐，等待支部书记认可" in said[0]
    await h.deliver()
    assert f"王老师 自荐参加“2026年度育人成才先锋党员”评选。事迹：{DEEDS}" in h.last(SECRETARY)
    said = await h.press(SECRETARY, "认可")
    assert "已认可 王老师 的自荐" in said[-1]
    await h.deliver()
    assert "支部书记已认可您" in h.last(MEMBER)

    # Another self-nomination is declined with a reason; the member is told.
    await h.send(MEMBER2, "/pioneers")
    await h.press(MEMBER2, "自荐")
    await h.send(MEMBER2, "坚持家访，服务群众，做了很多实事。")
    await h.press(MEMBER2, "提交")
    await h.deliver()
    await h.press(SECRETARY, "不认可")
    said = await h.send(SECRETARY, "   ")
    assert "请写明理由" in said[-1]
    said = await h.send(SECRETARY, "请补充具体事迹后由支部推荐")
    assert "已告知 张老师" in said[-1]
    await h.deliver()
    assert "理由：请补充具体事迹后由支部推荐" in h.last(MEMBER2)

    # The secretary nominates her (the cap is 2: then the list is full).
    await h.send(SECRETARY, "/pioneers")
    await h.press(SECRETARY, "推荐党员")
    said = await _callback(h, SECRETARY, "pn:pk:6")  # someone of the other branch
    assert "只能推荐本支部的党员，不能推荐其他支部的人" in said
    said = await h.send(SECRETARY, "张老师")
    assert "写下主要事迹" in said[-1]
    await h.send(SECRETARY, "扎实开展家访，联系困难学生家庭，组织志愿服务。")
    said = await h.press(SECRETARY, "提交")
    assert "已推荐 张老师" in said[0]
    assert "本支部推荐 2/2 人" in said[-1]
    said = await _alert(h, SECRETARY, "推荐党员")
    assert "本支部推荐名单已满（每支部最多 2 人）" in said
    await h.deliver()
    assert "您已被支部推荐参加" in h.last(MEMBER2)

    # The other branch nominates its member.
    await h.send(OTHER_SECRETARY, "/pioneers")
    await h.press(OTHER_SECRETARY, "推荐党员")
    await h.press(OTHER_SECRETARY, "1. 钱老师")
    await h.send(OTHER_SECRETARY, "多年坚持志愿服务，累计服务两百小时。")
    await h.press(OTHER_SECRETARY, "提交")

    # A nomination carries the nominee's record for the year (points and the rest).
    await h.send(ADMIN, "/pioneers")
    said = await h.press(ADMIN, "推荐名单")
    assert "推荐名单，共 4 条" in said[-1]
    said = await h.press(ADMIN, "1. 王老师")
    assert "2026 年度记录" in said[-1] and "党员积分 0 分" in said[-1]
    assert "照片 1 张" in said[-1]

    # After the window: nominating is refused with the window's dates.
    _on(h, 12)
    said = await _callback(h, OTHER_SECRETARY, "pn:nom:1")
    assert "现在不在推荐期内（推荐期 2026-11-28 至 2026-12-11）" in said

    # Secret ballots: the admin and the inspector vote once each.
    await h.send(ADMIN, "/pioneers")
    assert "投票保密" in await _callback(h, ADMIN, "pn:res:1")
    await h.press(ADMIN, "投票")
    await h.press(ADMIN, "钱老师")
    said = await h.press(ADMIN, "王老师")
    assert "您的排序：1. 钱老师；2. 王老师" in h.tg.texts(ADMIN.id)[-1]
    said = await h.press(ADMIN, "提交选票")
    assert "您的选票已提交（2 人）" in said[-1]
    said = await _callback(h, ADMIN, "pn:vote:1")
    assert "您已经投过票了" in said
    said = await h.send(ADMIN, "/pioneers")
    assert "已投票评委 1/2" in said[-1]
    assert "分" not in said[-1].split("已投票评委")[1].split("\n")[0].replace("评审期", "")
    await h.send(INSPECTOR, "/pioneers")
    await h.press(INSPECTOR, "投票")
    said = await h.send(INSPECTOR, "9")
    assert "请输入 1 到 3 之间的序号" in said[-1]
    await h.send(INSPECTOR, "3 2")  # 钱老师, then 张老师
    said = await h.press(INSPECTOR, "提交选票")
    assert "您的选票已提交" in said[-1]

    # The window over: 钱老师 4 points, 王老师 and 张老师 1 each, tied for the last place.
    _on(h, 16)
    await h.send(ADMIN, "/pioneers")
    said = await _alert(h, ADMIN, "确认名单")
    assert "2 人并列争 1 个名额，请先完成“裁定并列”这一步" in said
    said = await h.press(ADMIN, "计票结果")
    assert "✅ 1. 钱老师（第二中学党支部）4 分" in said[-1]
    assert "⚖️ 名额线上并列：1. 王老师、2. 张老师" in said[-1]
    await h.send(ADMIN, "/pioneers")
    await h.press(ADMIN, "裁定并列")
    said = await h.send(ADMIN, "1 2")
    assert "请选出正好 1 人" in said[-1]
    said = await h.send(ADMIN, "2")
    assert "请写明理由" in said[-1]
    said = await h.send(ADMIN, "2 家访次数更多，服务时长更长")
    assert "并列已裁定" in said[0]
    said = await _alert(h, ADMIN, "确认名单")
    assert "名单已确认（2 人）" in said
    said = await h.send(MEMBER2, "/pioneers")
    assert "名单已确认，待公示" in said[-1] and "钱老师" not in said[-1]  # not before 公示
    await h.send(ADMIN, "/pioneers")

    # 公示 in both branches' notice chats.
    said = await _alert(h, ADMIN, "公示")
    assert "公示期 5 个工作日，至 2026-12-23" in said
    await h.deliver()
    for chat in (NOTICE_CHAT, OTHER_NOTICE):
        post = h.tg.texts(chat["id"])[-1]
        assert "拟定名单公示" in post and "1. 张老师（第一中学党支部）" in post
        assert "2. 钱老师（第二中学党支部）" in post and "王老师" not in post

    # An objection, answered; final refused before the notice ends and while it waits.
    said = await h.send(MEMBER, "/pioneers")
    assert "公示中，至 2026-12-23" in said[-1]
    await h.press(MEMBER, "提出异议")
    said = await h.send(MEMBER, "希望公布计票依据")
    assert "异议已提交" in said[-1]
    await h.deliver()
    assert "王老师 对“2026年度育人成才先锋党员”名单提出异议" in h.last(ADMIN)
    await h.send(ADMIN, "/pioneers")
    assert "公示期到 2026-12-23 才结束" in await _alert(h, ADMIN, "定稿")
    _on(h, 24)
    await h.send(ADMIN, "/pioneers")
    assert "还有 1 条异议未答复" in await _alert(h, ADMIN, "定稿")
    await h.press(ADMIN, "异议")
    await h.press(ADMIN, "答复 #1")
    said = await h.send(ADMIN, "计票结果已存档，可向局办查阅")
    assert "已答复" in said[-1]
    await h.deliver()
    assert "已答复：计票结果已存档" in h.last(MEMBER)

    # Final: announced, the honoured told, kept in /me.
    await h.send(ADMIN, "/pioneers")
    said = await _alert(h, ADMIN, "定稿")
    assert "已定稿" in said
    await h.deliver()
    assert "最终名单" in h.tg.texts(NOTICE_CHAT["id"])[-1]
    assert "祝贺您被评为“2026年度育人成才先锋党员”" in h.last(MEMBER2)
    said = await h.send(MEMBER2, "/me")
    assert "2026年度育人成才先锋党员" in said[-1]
    said = await h.send(MEMBER, "/me")
    assert "先锋" not in said[-1]
    h.clock.set(datetime(2027, 11, 20, 10, 0, tzinfo=ZONE))
    await h.send(ADMIN, "/pioneers")
    assert "开启 2027 年度评选" in h.buttons(ADMIN)
    h.clock.set(datetime(2026, 12, 24, 10, 0, tzinfo=ZONE))

    # The 台账: a 先锋评选 sheet with every nomination and a summary line per branch.
    await h.send(ADMIN, "/export")
    await h.press(ADMIN, "全局（各支部）")
    await h.press(ADMIN, "本学年 2026–2027")
    await wait_for_running()
    sent = [
        c.params for c in h.tg.calls_to("sendDocument") if c.ok and c.params["chat_id"] == ADMIN.id
    ]
    book = load_workbook(io.BytesIO(sent[-1]["document"].content))
    rows = [tuple(r) for r in book["先锋评选"].iter_rows(values_only=True)]
    assert rows[0] == (
        "支部",
        "评选",
        "党员",
        "推荐方式",
        "推荐状态",
        "未认可理由",
        "主要事迹",
        "结果",
    )
    outcomes = {(r[0], r[2], r[4]): (r[5], r[7]) for r in rows[1:]}
    assert outcomes == {
        ("第一中学党支部", "王老师", "列入推荐名单"): (None, "未入选"),
        ("第一中学党支部", "张老师", "支部未认可"): ("请补充具体事迹后由支部推荐", None),
        ("第一中学党支部", "张老师", "列入推荐名单"): (None, "入选（最终名单）"),
        ("第二中学党支部", "钱老师", "列入推荐名单"): (None, "入选（最终名单）"),
    }
    summary = [tuple(r) for r in book["封面汇总"].iter_rows(values_only=True)]
    assert ("第一中学党支部", "先锋党员（最终名单）", None, 1) in [r[:4] for r in summary]

    # Every step audited; the ballots say who voted, never for whom.
    async with h.db.read() as conn:
        actions = [
            str(r[0])
            for r in await conn.execute_fetchall(
                "SELECT action FROM audit_log WHERE action LIKE 'pioneers.%' ORDER BY id"
            )
        ]
        voted = await conn.execute_fetchall(
            "SELECT detail FROM audit_log WHERE action = 'pioneers.voted'"
        )
        honours = await pioneers.honours(conn, 3)
    for action in (
        "pioneers.opened",
        "pioneers.juror",
        "pioneers.self_nominated",
        "pioneers.endorsed",
        "pioneers.declined",
        "pioneers.nominated",
        "pioneers.voted",
        "pioneers.tie_decided",
        "pioneers.confirmed",
        "pioneers.published",
        "pioneers.objection",
        "pioneers.objection_answered",
        "pioneers.final",
    ):
        assert action in actions, action
    # Each juror's vote is logged as a bare fact: no nomination, order or points in it.
    assert voted and all(str(r[0]) == "{}" for r in voted), voted
    assert honours == []


async def test_steps_outside_their_window_name_the_dates(harness: Harness) -> None:
    h = harness
    await _setup(h)
    await _open(h)
    await h.press(ADMIN, "评委")
    await h.press(ADMIN, "督查二组")
    said = await _callback(h, INSPECTOR, "pn:vote:1")
    assert "现在不在评审期内（评审期 2026-12-12 至 2026-12-15）" in said
    # /cancel (or 取消 typed) leaves a step; nothing is kept.
    await _callback(h, SECRETARY, "pn:nom:1")
    await h.send(SECRETARY, "王老师")
    said = await h.send(SECRETARY, "/cancel")
    assert "已取消" in said[-1]
    await _callback(h, MEMBER, "pn:self:1")
    await h.send(MEMBER, DEEDS)
    said = await h.send(MEMBER, "取消")
    assert "已取消" in said[-1]
    _on(h, 12)
    said = await _callback(h, MEMBER, "pn:self:1")
    assert "现在不在推荐期内（推荐期 2026-11-28 至 2026-12-11）" in said
    said = await _callback(h, ADMIN, "pn:jt:1:1")
    assert "评审期已开始，评委不能再更改" in said
    # Nobody was nominated: the vote has no one to rank, and confirming names the step.
    said = await h.send(INSPECTOR, "/pioneers")
    assert "您是本轮评委" in said[-1]
    _on(h, 16)
    said = await _callback(h, ADMIN, "pn:cf:1")
    assert "缺少“推荐”这一步" in said


def test_a_long_ballot_is_typed_not_tapped() -> None:
    """Telegram takes at most 100 buttons: with more nominees than fit, the ballot lists
    them all by number to be typed, and keeps only its own buttons."""
    moment = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
    round_ = pioneers.Round(
        id=1,
        year=2026,
        title="2026年度育人成才先锋党员",
        quota=10,
        branch_cap=3,
        nominate_from=moment.date(),
        nominate_until=moment.date(),
        vote_from=moment.date(),
        vote_until=moment.date(),
        status=pioneers.RoundStatus.OPEN,
        opened_at=moment,
    )
    nominees = [
        pioneers.Nomination(
            id=i,
            round_id=1,
            branch_id=1,
            branch_name="第一中学党支部",
            member_id=i,
            member_name=f"老师{i}",
            nominated_by=i,
            self_nominated=False,
            deeds=DEEDS,
            status=pioneers.NominationStatus.NOMINATED,
            created_at=moment,
        )
        for i in range(1, 101)
    ]
    t = Translator("zh")
    text, markup = pioneer_views.ballot(t, round_, nominees, [3])
    assert "100. 老师100（第一中学党支部）" in text and "您的排序：1. 老师3" in text
    assert markup is not None
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels == ["清空", "提交选票", "取消"]
    text, markup = pioneer_views.ballot(t, round_, nominees[:4], [3])
    assert markup is not None
    assert [b.text for b in markup.inline_keyboard[0]] == ["老师1", "老师2"]
    assert "✅ 老师3" in [b.text for b in markup.inline_keyboard[1]]


def test_english_lists_use_english_punctuation() -> None:
    """The lists /pioneers joins (a ranking, a tie, the jury, a nominee's branch) read in
    each language's punctuation: never 、；（） in English."""
    moment = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
    round_ = pioneers.Round(
        id=1,
        year=2026,
        title="Pioneers 2026",
        quota=1,
        branch_cap=3,
        nominate_from=moment.date(),
        nominate_until=moment.date(),
        vote_from=moment.date(),
        vote_until=moment.date(),
        status=pioneers.RoundStatus.OPEN,
        opened_at=moment,
    )
    nominees = [
        pioneers.Nomination(
            id=i,
            round_id=1,
            branch_id=1,
            branch_name="No. 1 School",
            member_id=i,
            member_name=name,
            nominated_by=i,
            self_nominated=False,
            deeds=DEEDS,
            status=pioneers.NominationStatus.NOMINATED,
            created_at=moment,
        )
        for i, name in ((1, "Wang"), (2, "Zhang"))
    ]
    tie = cut([1, 2], {1: 1, 2: 1}, quota=1)
    for lang, ranking, tied, line in (
        ("en", "1. Zhang; 2. Wang", "1. Wang, 2. Zhang", "Wang (No. 1 School)"),
        ("zh", "1. Zhang；2. Wang", "1. Wang、2. Zhang", "Wang（No. 1 School）"),
    ):
        t = Translator(lang)
        text, _ = pioneer_views.ballot(t, round_, nominees, [2, 1])
        assert ranking in text
        by_id = {n.id: n for n in nominees}
        assert any(tied in said for said in pioneer_views.results(t, round_, tie, by_id))
        assert pioneer_views.nomination_line(t, nominees[0]).startswith(line)


@pytest.mark.parametrize(
    ("status", "selected", "shown"),
    [
        (pioneers.RoundStatus.OPEN, None, None),
        # Confirmed by the bureau but not yet in 公示: the 台账 does not tell it early.
        (pioneers.RoundStatus.CONFIRMED, True, None),
        (pioneers.RoundStatus.CONFIRMED, False, None),
        (pioneers.RoundStatus.PUBLISHED, True, "proposed"),
        (pioneers.RoundStatus.PUBLISHED, False, "not_chosen"),
        (pioneers.RoundStatus.FINAL, True, "honoured"),
    ],
)
def test_the_ledger_shows_an_outcome_only_once_published(
    status: pioneers.RoundStatus, selected: bool | None, shown: str | None
) -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)
    round_ = pioneers.Round(
        id=1, year=2026, title="2026年度育人成才先锋党员", quota=10, branch_cap=3,
        nominate_from=date(2026, 12, 1), nominate_until=date(2026, 12, 7),
        vote_from=date(2026, 12, 8), vote_until=date(2026, 12, 11), status=status,
        opened_at=at,
    )  # fmt: skip
    nomination = pioneers.Nomination(
        id=1, round_id=1, branch_id=1, branch_name="第一中学党支部", member_id=3,
        member_name="张老师", nominated_by=2, self_nominated=False, deeds="连续三年家访全覆盖",
        status=pioneers.NominationStatus.NOMINATED, created_at=at, selected=selected,
    )  # fmt: skip
    assert PioneerRow(round_, nomination).result == shown
