"""Messages to people other than the one acting arrive through the outbox: held by the
quiet hours unless someone is waiting for them, paced, and a blocked recipient marked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import branches, members, outbox
from storage.outbox import OutboxStatus
from tests.conftest import MEMBER, MEMBER2, SECRETARY, ZONE, Harness
from tests.fakebot import error_response, group_chat
from tests.test_partyday import DECEMBER_8, rule_in_place
from tests.test_pledges import GROUP, link_group, make_pledge, only_pledge

NIGHT = datetime(2026, 11, 28, 22, 30, tzinfo=ZONE)
MORNING = datetime(2026, 11, 29, 8, 0, tzinfo=ZONE)


async def kinds(h: Harness, status: OutboxStatus) -> list[str]:
    async with h.db.read() as conn:
        return [row.kind for row in await outbox.list_all(conn) if row.status is status]


async def test_at_night_a_review_request_waits_and_the_decision_does_not(
    harness: Harness,
) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(NIGHT)
    pledge = await make_pledge(h)  # submitted at 22:30; make_pledge delivers
    assert "王老师 提交了岗位承诺" not in h.last(SECRETARY)
    assert await kinds(h, OutboxStatus.PENDING) == ["pledge.review"]
    # The secretary approves anyway (from /pledges branch): the member is waiting for that.
    await h.callback(SECRETARY, f"pl:ok:{pledge.id}")
    assert await h.deliver() == 1
    assert "已通过审核并公示" in h.last(MEMBER)
    # The request and the "no notice chat" note wait for the morning.
    assert sorted(await kinds(h, OutboxStatus.PENDING)) == ["pledge.notice.none", "pledge.review"]
    h.clock.set(MORNING)
    assert await h.deliver() == 2
    assert "还没有设置公示群" in h.last(SECRETARY)


async def test_a_recipient_who_blocked_the_bot_is_marked_unreachable(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await make_pledge(h)
    h.tg.fail_next("sendMessage", error_code=403, chat_id=MEMBER.id)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    async with h.db.read() as conn:
        member = await members.get_active_by_telegram(conn, MEMBER.id)
        told = [r for r in await outbox.list_all(conn) if r.kind == "pledge.approved"]
    assert member is not None and member.unreachable_at is not None
    assert [r.status for r in told] == [OutboxStatus.BLOCKED]
    listing = await h.send(SECRETARY, "/members")
    assert "王老师（党员） ⚠️" in listing[0]


async def test_at_night_a_leave_request_waits_and_its_answer_does_not(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    h.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=ZONE))
    await rule_in_place(h)
    await h.press(SECRETARY, "立即发送通知")
    await h.deliver()
    h.clock.set(datetime(2026, 12, 1, 22, 0, tzinfo=ZONE))
    await h.press(MEMBER2, "请假")
    await h.press(MEMBER2, "家事")
    assert await h.deliver() == 0  # the request to the secretary waits for 08:00
    async with h.db.read() as conn:
        [request] = [r for r in await outbox.list_all(conn) if r.kind == "partyday.leave"]
    assert request.not_before == datetime(2026, 12, 2, 8, 0, tzinfo=ZONE)
    # Decided from the roster at night all the same: the member hears at once.
    await h.send(SECRETARY, "/roster")
    await h.press(SECRETARY, "批准 张老师")
    assert await h.deliver() == 1
    assert h.last(MEMBER2).startswith(f"您 {DECEMBER_8} 党日的请假已批准")


async def test_a_notice_post_at_night_waits_and_then_is_remembered(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    await make_pledge(h)
    h.clock.set(NIGHT)
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    assert "已通过审核并公示" in h.last(MEMBER)
    assert (await only_pledge(h, MEMBER.id)).notice_message_id is None
    posts_before = len(h.tg.texts(GROUP))
    h.clock.set(MORNING)
    await h.deliver()
    assert len(h.tg.texts(GROUP)) == posts_before + 1
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.notice_chat_id == GROUP and pledge.notice_message_id is not None


async def test_a_notice_group_that_became_a_supergroup_is_followed(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    await make_pledge(h)
    new_id = -1009876

    def migrated(method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if method != "sendMessage" or int(params.get("chat_id", 0)) != GROUP:
            return None
        body = error_response(400, "Bad Request: group chat was upgraded to a supergroup chat")
        return body | {"parameters": {"migrate_to_chat_id": new_id}}

    h.tg.set_failure_rule(migrated)
    h.tg.register_chat(new_id, "supergroup", title="第一中学党员群")
    await h.press(SECRETARY, "✅ 通过")
    await h.deliver()
    async with h.db.read() as conn:
        branch = await branches.get(conn, 1)
    assert branch is not None and branch.notice_chat_id == new_id
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.notice_chat_id == new_id and pledge.notice_message_id is not None


async def test_a_notice_group_upgraded_to_a_supergroup_is_followed_before_a_post_fails(
    harness: Harness,
) -> None:
    """Telegram's service lines about the upgrade move the branch's notice chat, and the
    post still queued for the old id goes straight to the new one."""
    h = harness
    await h.branch_with_people()
    await link_group(h)
    await make_pledge(h)
    await h.press(SECRETARY, "✅ 通过")  # queues the post for the old group
    new_id = -1009876
    h.tg.register_chat(new_id, "supergroup", title="第一中学党员群")
    for update in h.updates.group_upgraded(SECRETARY, GROUP, new_id):
        assert await h.process(SECRETARY, update) == []  # nothing said in the groups
    async with h.db.read() as conn:
        branch = await branches.get(conn, 1)
    assert branch is not None and branch.notice_chat_id == new_id
    failures_before = len(h.tg.calls_to("sendMessage"))
    await h.deliver()
    posts = [c for c in h.tg.calls_to("sendMessage")[failures_before:]]
    assert [int(c.params["chat_id"]) for c in posts if int(c.params["chat_id"]) < 0] == [new_id]
    pledge = await only_pledge(h, MEMBER.id)
    assert pledge.notice_chat_id == new_id and pledge.notice_message_id is not None


async def test_an_upgraded_group_no_branch_uses_changes_nothing(harness: Harness) -> None:
    h = harness
    await h.branch_with_people()
    await link_group(h)
    for update in h.updates.group_upgraded(MEMBER, -555, -1000555):
        assert await h.process(MEMBER, update) == []
    async with h.db.read() as conn:
        branch = await branches.get(conn, 1)
    assert branch is not None and branch.notice_chat_id == GROUP


async def test_a_notice_chat_that_refuses_the_first_post_is_unlinked(harness: Harness) -> None:
    """The bot's rights looked right, but Telegram refused its first line there."""
    h = harness
    await h.branch_with_people()
    h.tg.fail_next("sendMessage", error_code=403, chat_id=GROUP)
    await h.send(SECRETARY, "/setnotice", chat=group_chat(GROUP, "第一中学党员群"))
    await h.deliver()
    async with h.db.read() as conn:
        branch = await branches.get(conn, 1)
    assert branch is not None and branch.notice_chat_id is None
    assert "已取消本支部的公示群" in h.last(SECRETARY) and "/setnotice" in h.last(SECRETARY)
