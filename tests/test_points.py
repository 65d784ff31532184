"""/points through the real Application: a member's lines by month, the secretary's
ranking, the bureau's branches, the rules file replaced in the chat (and refused with its
problems), and points that follow a withdrawn record."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from pathlib import Path

from handlers.common.services import BotConfig
from storage import members, service
from storage.service import ServiceEntry, ServiceKind
from tests.conftest import ADMIN, MEMBER, MEMBER2, SECRETARY, ZONE, FixedClock, Harness

RULES = b"""version = "2026.2"

[rules.service_hours]
points = 2
monthly_cap = 6
"""


async def _member_id(h: Harness, telegram_id: int) -> tuple[int, int]:
    async with h.db.read() as conn:
        person = await members.get_active_by_telegram(conn, telegram_id)
    assert person is not None and person.branch_id is not None
    return person.id, person.branch_id


async def _service(h: Harness, telegram_id: int, day: int, hours: float) -> service.ServiceLog:
    member_id, branch_id = await _member_id(h, telegram_id)
    on = date(2026, 11, day)
    entry = ServiceEntry(
        kind=ServiceKind.VOLUNTEER,
        on_date=on,
        hours=hours,
        description="社区义务辅导",
        logged_on=on,
    )
    async with h.db.transaction() as tx:
        return await service.log(
            tx,
            member_id=member_id,
            branch_id=branch_id,
            entry=entry,
            party_month_id=None,
            makeup_month_id=None,
            now=datetime.combine(on, time(18), tzinfo=ZONE),
        )


async def test_member_sees_own_lines_and_a_withdrawn_record_stops_counting(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    await _service(h, MEMBER.id, 3, 2.0)
    log = await _service(h, MEMBER.id, 27, 1.5)

    said = await h.send(MEMBER, "/points")
    assert "<b>王老师</b> 的积分" in said[-1]
    assert "共 <b>3.5</b> 分" in said[-1]
    assert "2026年11月：3.5 分" in said[-1]
    assert "11-03 志愿服务 2 小时「社区义务辅导」 +2" in said[-1]
    assert "支部排行" not in h.buttons(MEMBER)  # the setting is off by default

    async with h.db.transaction() as tx:
        await service.withdraw(tx, log, actor_id=log.member_id, now=h.clock.now())
    said = await h.send(MEMBER, "/points")
    assert "共 <b>2</b> 分" in said[-1]
    assert "11-27" not in said[-1]


async def test_secretary_ranks_the_branch_and_members_may_not(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await _service(h, MEMBER.id, 3, 2.0)
    await _service(h, MEMBER2.id, 4, 5.0)

    said = await h.send(SECRETARY, "/points")
    text = said[-1]
    assert "<b>第一中学党支部</b> 积分排行" in text
    assert text.index("张老师：5 分") < text.index("王老师：2 分") < text.index("李红梅：0 分")

    await h.send(MEMBER, "/points")
    branch_id = (await _member_id(h, MEMBER.id))[1]
    said = await h.callback(MEMBER, f"pts:br:{branch_id}:t2026-09-01.2027-01-31")
    assert any("不对党员开放" in text for text in [*said, *h.answers()])


async def test_members_see_the_ranking_when_the_setting_opens_it(
    tmp_path: Path, config: BotConfig, clock: FixedClock
) -> None:
    h = Harness(
        tmp_path / "open.sqlite3", dataclasses.replace(config, members_see_ranking=True), clock
    )
    await h.start()
    try:
        await h.branch_with_people()
        await _service(h, MEMBER2.id, 4, 5.0)
        await h.send(MEMBER, "/points")
        assert "支部排行" in h.buttons(MEMBER)
        said = await h.press(MEMBER, "支部排行")
        assert "张老师：5 分" in said[-1] or "张老师：5 分" in h.tg.texts(MEMBER.id)[-1]
    finally:
        await h.stop()


async def test_admin_sees_branches_then_replaces_the_rules(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await h.second_branch()
    await _service(h, MEMBER.id, 3, 4.0)
    await _service(h, MEMBER.id, 5, 4.0)

    said = await h.send(ADMIN, "/points")
    assert "第一中学党支部：合计 8 分，3 人，人均 2.7 分" in said[-1]
    assert "第二中学党支部：合计 0 分" in said[-1]
    said = await h.press(ADMIN, "第一中学党支部")
    assert "王老师：8 分" in h.tg.texts(ADMIN.id)[-1]

    await h.send(ADMIN, "/points")
    await h.press(ADMIN, "积分规则")
    assert "版本 2026.1" in h.tg.texts(ADMIN.id)[-1]
    assert "系统默认规则" in h.tg.texts(ADMIN.id)[-1]
    await h.press(ADMIN, "下载规则文件")
    sent = [c for c in h.tg.calls_to("sendDocument") if c.ok]
    assert sent and sent[-1].params["chat_id"] == ADMIN.id

    await h.press(ADMIN, "上传新规则")
    said = await h.send(ADMIN, "这是规则")
    assert "作为文件" in said[-1]
    bad = b'version = "x"\n[rules.service_hour]\npoints = 2\n[rules.meeting]\npoints = -1\n'
    said = await h.process(ADMIN, h.updates.document(ADMIN, "points.toml", content=bad))
    assert "文件有 2 处问题" in said[-1]
    assert "第 2 行 rules.service_hour：不认识积分来源“service_hour”" in said[-1]
    assert "第 5 行 rules.meeting.points：数值太小" in said[-1]
    said = await h.process(ADMIN, h.updates.document(ADMIN, "points.toml", content=RULES))
    assert "新积分规则已启用（版本 2026.2）" in said[-1]
    assert "志愿服务：每小时 2 分，每月最多 6 分" in said[-1]

    said = await h.send(MEMBER, "/points")
    assert "共 <b>6</b> 分" in said[-1]  # 8 hours at 2 points, capped at 6 for November
    assert "（本月已达上限）" in said[-1]
    assert "积分规则版本：2026.2" in said[-1]
    async with h.db.read() as conn:
        rows = await conn.execute_fetchall("SELECT version FROM point_rules")
    assert [r[0] for r in rows] == ["2026.2"]
