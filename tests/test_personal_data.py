"""/mydata gathers a member's rows from every feature, and only that member's."""

from __future__ import annotations

import json
from datetime import date

from handlers.common.i18n import Translator
from storage import members, pledges, service
from storage.pledges import Category, Period
from storage.service import ServiceEntry, ServiceKind
from tests.conftest import MEMBER, MEMBER2, SECRETARY, STRANGER, Harness
from tests.fakebot import Upload
from tests.test_meetings import _start_record
from tests.test_visits import log_visit


async def test_mydata_includes_pledges_and_service_and_nobody_elses(harness: Harness) -> None:
    await harness.branch_with_people()
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        me = await members.get_active_by_telegram(tx, MEMBER.id)
        other = await members.get_active_by_telegram(tx, MEMBER2.id)
        assert me is not None and other is not None and me.branch_id is not None
        for person, text in ((me, "每周为后进生义务辅导两次"), (other, "别人的承诺内容不应出现")):
            await pledges.create_draft(
                tx,
                member=person,
                period=Period(code="2026"),
                category=Category.CARING,
                text=text,
                now=now,
            )
        await service.log(
            tx, member_id=me.id, branch_id=me.branch_id,
            entry=ServiceEntry(
                kind=ServiceKind("volunteer"), on_date=date(2026, 11, 27), hours=1.5,
                description="社区义诊协助", logged_on=date(2026, 11, 28),
            ),
            party_month_id=None, makeup_month_id=None, now=now,
        )  # fmt: skip
    await harness.send(MEMBER, "/mydata")
    document = harness.tg.last_sent(MEMBER.id)["document"]
    assert isinstance(document, Upload)
    data = json.loads(document.content)
    assert [p["text"] for p in data["pledges"]] == ["每周为后进生义务辅导两次"]
    assert [(s["description"], s["hours"]) for s in data["service_logs"]] == [("社区义诊协助", 1.5)]
    assert data["party_day_replies"] == [] and data["reminder_mutes"] == []
    assert "别人的承诺" not in document.content.decode()


async def test_a_member_who_left_still_gets_their_records(harness: Harness) -> None:
    await harness.branch_with_people()
    await log_visit(harness)
    async with harness.db.transaction() as tx:
        me = await members.get_active_by_telegram(tx, MEMBER.id)
        assert me is not None
        await members.mark_left(tx, me.id, now=harness.clock.now())
    await harness.send(MEMBER, "/mydata")
    document = harness.tg.last_sent(MEMBER.id)["document"]
    assert isinstance(document, Upload)
    data = json.loads(document.content)
    assert [v["student_alias"] for v in data["home_visits"]] == ["王同学"]
    assert data["memberships"][0]["status"] == "left"
    # Someone the bot never knew is still refused.
    refused = await harness.send(STRANGER, "/mydata")
    assert refused == [Translator("en")("refuse.stranger")]
    assert harness.tg.calls_to("sendDocument")[-1].params["chat_id"] == MEMBER.id


async def test_mydata_includes_meetings_safety_and_party_group(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    for user, class_name in ((MEMBER, "三（2）班"), (MEMBER2, "别人的班级")):
        await h.send(user, "/safety")
        await h.press(user, "记录安全教育课")
        await h.send(user, "11-20")
        await h.send(user, class_name)
        await h.press(user, "防溺水")
        await h.send(user, "45")
        await h.press(user, "跳过")
    await _start_record(h)  # a 支委会 expecting the whole branch
    await h.send(SECRETARY, "/meeting")
    await h.press(SECRETARY, "党小组")
    await h.press(SECRETARY, "➕ 新建党小组")
    await h.send(SECRETARY, "第一党小组")
    await h.press(SECRETARY, "⬜ 王老师")

    await h.send(MEMBER, "/mydata")
    document = h.tg.last_sent(MEMBER.id)["document"]
    assert isinstance(document, Upload)
    data = json.loads(document.content)
    assert [x["class_name"] for x in data["safety_lessons"]] == ["三(2)班"]
    assert len(data["meeting_attendance"]) == 1 and data["meeting_attendance"][0]["voting"] == 1
    assert len(data["party_group"]) == 1
    assert data["safety_drills"] == [] and data["meeting_makeups"] == []
    assert "别人的班级" not in document.content.decode()
