"""Flow tests: branches, invite links, joining, roles, /me /help /language /cancel."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.common.i18n import Translator
from handlers.common.services import BotConfig
from storage import audit, branches, members
from storage.clock import FixedClock
from storage.members import Role
from tests.conftest import (
    ADMIN,
    EN_MEMBER,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    SECRETARY,
    STRANGER,
    Harness,
)
from tests.fakebot import FakeUser

ZH = Translator("zh")
EN = Translator("en")
NEWCOMER = FakeUser(4001, "新人")


async def active(h: Harness, user: FakeUser) -> members.Member | None:
    async with h.db.read() as conn:
        return await members.get_active_by_telegram(conn, user.id)


async def test_admin_creates_branch_and_secretary_joins_by_link(harness: Harness) -> None:
    out = await harness.send(ADMIN, "/newbranch 第一中学党支部")
    assert out[0].startswith("已创建党支部：第一中学党支部")
    assert "https://t.me/xianfeng_test_bot?start=" in out[1]
    assert "有效期至 2026-12-05 10:00，最多可使用 1 次" in out[1]
    code = harness.invite_code(ADMIN)
    assert len(code) >= 20 and all(c.isalnum() or c in "-_" for c in code)

    offer = await harness.send(SECRETARY, f"/start {code}")
    assert offer == [ZH("join.offer", branch="第一中学党支部", role="支部书记")]
    done = await harness.send(SECRETARY, "李红梅")
    assert done[0] == "李红梅，欢迎加入第一中学党支部！您的身份是支部书记。"
    secretary = await active(harness, SECRETARY)
    assert secretary is not None and secretary.role is Role.SECRETARY
    async with harness.db.read() as conn:
        log = await audit.for_entity(conn, "member", secretary.id)
    assert [e.action for e in log] == ["member.joined"]


async def test_newbranch_asks_for_a_name_and_refuses_duplicates(harness: Harness) -> None:
    assert await harness.send(ADMIN, "/newbranch") == [ZH("newbranch.ask")]
    assert await harness.send(ADMIN, "一") == [ZH("newbranch.bad_name")]
    out = await harness.send(ADMIN, "第一中学党支部")
    assert out[0].startswith("已创建党支部")
    again = await harness.send(ADMIN, "/newbranch 第一中学党支部")
    assert again == [ZH("newbranch.duplicate", name="第一中学党支部")]
    # The flow waits for another name; /cancel leaves it.
    assert await harness.send(ADMIN, "/cancel") == [ZH("flow.cancelled")]
    assert await harness.send(ADMIN, "第二中学") == [ZH("fallback.text")]


async def test_branch_names_are_escaped_in_html(harness: Harness) -> None:
    await harness.send(ADMIN, "/newbranch <b>一中</b> & 二中")
    assert harness.tg.sent_messages(ADMIN.id)[-2]["text"].startswith(
        "已创建党支部：&lt;b&gt;一中&lt;/b&gt; &amp; 二中"
    )


async def test_members_join_by_secretary_link_and_secretary_is_told(harness: Harness) -> None:
    await harness.branch_with_people()
    for user in (MEMBER, MEMBER2):
        person = await active(harness, user)
        assert person is not None and person.role is Role.MEMBER
    assert "王老师已通过邀请链接加入本支部（党员）。" in harness.tg.texts(SECRETARY.id)
    listing = await harness.send(SECRETARY, "/members")
    assert listing[0].splitlines() == [
        "第一中学党支部（3 人）：",
        "1. 李红梅（支部书记）",
        "2. 张老师（党员）",
        "3. 王老师（党员）",
    ]
    assert harness.buttons(SECRETARY) == ["移除 张老师", "移除 王老师"]


async def test_member_joins_in_english(harness: Harness) -> None:
    info = await harness.branch_with_people()
    offer = await harness.send(EN_MEMBER, f"/start {info['member_code']}")
    assert offer == [EN("join.offer", branch="第一中学党支部", role="member")]
    done = await harness.send(EN_MEMBER, "Lin Wei")
    assert done[0] == "Welcome to 第一中学党支部, Lin Wei! Your role: member."
    assert "/me — my details" in done[1]


async def test_name_is_asked_again_until_valid(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    assert await harness.send(NEWCOMER, "王") == [ZH("join.bad_name")]
    assert await harness.send(NEWCOMER, "王老师2") == [ZH("join.bad_name")]
    assert await harness.photo(NEWCOMER) == [f"{ZH('input.text_expected')}\n{ZH('join.ask_name')}"]
    assert await active(harness, NEWCOMER) is None
    done = await harness.send(NEWCOMER, "阿依古丽·买买提")
    assert done[0].startswith("阿依古丽·买买提，欢迎加入第一中学党支部！")


@pytest.mark.parametrize(
    ("mangle", "problem"),
    [
        (lambda code: "nonsense-code-1234567890", "join.problem.unknown"),
        (lambda code: code.swapcase(), "join.problem.wrong_case"),
    ],
)
async def test_bad_codes_get_a_clear_answer(harness: Harness, mangle, problem) -> None:  # type: ignore[no-untyped-def]
    info = await harness.branch_with_people()
    out = await harness.send(NEWCOMER, f"/start {mangle(info['member_code'])}")
    assert out == [ZH(problem)]
    assert await active(harness, NEWCOMER) is None


async def test_code_typed_by_hand_with_spaces_still_works(harness: Harness) -> None:
    info = await harness.branch_with_people()
    code = info["member_code"]
    typed = f"/start {code[:6]} {code[6:12]} {code[12:]}"
    assert await harness.send(NEWCOMER, typed) == [
        ZH("join.offer", branch="第一中学党支部", role="党员")
    ]


async def test_expired_code(harness: Harness) -> None:
    info = await harness.branch_with_people()
    harness.clock.advance(timedelta(days=7, minutes=1))
    assert await harness.send(NEWCOMER, f"/start {info['member_code']}") == [
        ZH("join.problem.expired")
    ]


async def test_secretary_link_is_used_up_after_one_use(harness: Harness) -> None:
    await harness.send(ADMIN, "/newbranch 一中")
    code = harness.invite_code(ADMIN)
    await harness.send(SECRETARY, f"/start {code}")
    await harness.send(SECRETARY, "李红梅")
    assert await harness.send(NEWCOMER, f"/start {code}") == [ZH("join.problem.used_up")]


async def test_used_up_while_typing_the_name(harness: Harness) -> None:
    """Two people open a one-use link; the second to answer is told, not joined."""
    await harness.send(ADMIN, "/newbranch 一中")
    code = harness.invite_code(ADMIN)
    await harness.send(SECRETARY, f"/start {code}")
    await harness.send(NEWCOMER, f"/start {code}")
    await harness.send(SECRETARY, "李红梅")
    assert await harness.send(NEWCOMER, "新人甲") == [ZH("join.problem.used_up")]
    assert await active(harness, NEWCOMER) is None


async def test_already_used_and_already_member(harness: Harness) -> None:
    info = await harness.branch_with_people()
    assert await harness.send(MEMBER, f"/start {info['member_code']}") == [
        ZH("join.problem.already_used")
    ]
    await harness.send(SECRETARY, "/invite")
    fresh = harness.invite_code(SECRETARY)
    assert await harness.send(MEMBER, f"/start {fresh}") == [
        ZH("join.same_branch", branch="第一中学党支部")
    ]


async def test_person_in_another_branch_cannot_join(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.second_branch()
    assert await harness.send(OTHER_MEMBER, f"/start {info['member_code']}") == [
        ZH("join.other_branch", branch="第二中学党支部")
    ]
    person = await active(harness, OTHER_MEMBER)
    assert person is not None and person.name == "钱老师"


async def test_admin_does_not_join_a_branch(harness: Harness) -> None:
    info = await harness.branch_with_people()
    assert await harness.send(ADMIN, f"/start {info['member_code']}") == [ZH("join.admin")]


async def test_member_promoted_by_a_secretary_link(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.callback(ADMIN, "adm:secinv:1")
    code = harness.invite_code(ADMIN)
    assert await harness.send(MEMBER, f"/start {code}") == [
        ZH("join.promoted", branch="第一中学党支部")
    ]
    person = await active(harness, MEMBER)
    assert person is not None and person.role is Role.SECRETARY


async def test_start_without_code(harness: Harness) -> None:
    assert await harness.send(STRANGER, "/start") == [EN("start.stranger")]
    await harness.branch_with_people()
    home = await harness.send(MEMBER, "/start")
    assert home[0].startswith("您好，王老师！\n党支部：第一中学党支部\n身份：党员")
    assert "/invite" not in home[0]
    sec_home = await harness.send(SECRETARY, "/start")
    assert "/invite — 生成党员邀请链接" in sec_home[0]


async def test_me_help_by_role(harness: Harness) -> None:
    await harness.branch_with_people()
    me = await harness.send(MEMBER, "/me")
    assert me == ["姓名：王老师\n党支部：第一中学党支部\n身份：党员\n加入时间：2026-11-28"]
    member_help = (await harness.send(MEMBER, "/help"))[0]
    secretary_help = (await harness.send(SECRETARY, "/help"))[0]
    admin_help = (await harness.send(ADMIN, "/help"))[0]
    stranger_help = (await harness.send(STRANGER, "/help"))[0]
    assert "/members" not in member_help and "/members" in secretary_help
    assert "/newbranch" in admin_help and "/invite" not in admin_help
    assert "/members" in admin_help  # the bureau picks a branch to see its members
    assert "/me" not in stranger_help and "/language" in stranger_help
    assert stranger_help.startswith("Commands you can use:")


async def test_language_switch_is_kept(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(MEMBER, "/language")
    assert harness.buttons(MEMBER) == ["简体中文", "English"]
    out = await harness.press(MEMBER, "English")
    assert out == ["Language set to English."]
    assert (await harness.send(MEMBER, "/me"))[0].startswith("Name: 王老师")
    await harness.restart()
    assert (await harness.send(MEMBER, "/me"))[0].startswith("Name: 王老师")


async def test_cancel_in_the_join_flow_and_outside_any_flow(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    assert await harness.send(NEWCOMER, "/cancel") == [ZH("flow.cancelled")]
    assert await harness.send(NEWCOMER, "新人甲") == [ZH("start.stranger")]
    assert await active(harness, NEWCOMER) is None
    assert await harness.send(NEWCOMER, "/cancel") == [ZH("flow.nothing_to_cancel")]


async def test_cancel_button_during_and_after_the_flow(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    assert await harness.press(NEWCOMER, "取消") == [ZH("flow.cancelled")]
    await harness.callback(NEWCOMER, "flow:cancel")
    assert harness.answers()[-1] == ZH("flow.nothing_to_cancel")


async def test_another_command_leaves_the_flow_and_runs(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    out = await harness.send(NEWCOMER, "/help")
    assert out[0] == ZH("flow.left")
    assert out[1].startswith("可用命令")


async def test_restart_mid_flow_keeps_the_step(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    await harness.restart()
    done = await harness.send(NEWCOMER, "新人甲")
    assert done[0].startswith("新人甲，欢迎加入第一中学党支部！")


async def test_flow_older_than_the_timeout_is_dropped_on_restart(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    harness.clock.advance(timedelta(minutes=31))
    await harness.restart()
    assert await harness.send(NEWCOMER, "新人甲") == [ZH("start.stranger")]


async def test_abandoned_flow_times_out_politely(tmp_path: Path, clock: FixedClock) -> None:
    config = BotConfig(admin_ids=frozenset({ADMIN.id}), conversation_timeout=timedelta(seconds=0.2))
    h = Harness(tmp_path / "t.sqlite3", config, clock)
    await h.start()
    try:
        await h.send(ADMIN, "/newbranch")
        import asyncio

        for _ in range(50):
            await asyncio.sleep(0.05)
            if ZH("flow.timed_out", minutes=1) in h.tg.texts(ADMIN.id):
                break
        assert h.tg.texts(ADMIN.id)[-1] == ZH("flow.timed_out", minutes=1)
        assert await h.send(ADMIN, "一中") == [ZH("fallback.text")]
    finally:
        await h.stop()


async def test_secretary_removes_a_member_who_is_kept_as_left(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/members")
    await harness.press(SECRETARY, "移除 王老师")
    assert harness.last(SECRETARY) == ZH("members.confirm_remove", name="王老师")
    out = await harness.press(SECRETARY, "确定移除")
    assert out == [ZH("members.removed", name="王老师")]
    await harness.deliver()
    assert harness.tg.texts(MEMBER.id)[-1] == ZH("members.removed_notice", branch="第一中学党支部")
    assert await active(harness, MEMBER) is None
    async with harness.db.read() as conn:
        rows = await members.list_branch(conn, 1, include_left=True)
    gone = next(m for m in rows if m.name == "王老师")
    assert gone.status == "left" and gone.left_at is not None
    assert (await harness.send(MEMBER, "/me")) == [ZH("refuse.stranger")]
    # Pressing the confirmation again says they were removed already, and writes nothing:
    # one removal in the audit log, one notice to them.
    await harness.callback(SECRETARY, f"mem:rmok:{gone.id}")
    assert harness.answers()[-1] == ZH("members.already_left", name="王老师")
    assert await _removals(harness, gone.id) == (1, 1)


async def _removals(h: Harness, member_id: int) -> tuple[int, int]:
    """How many ``member.removed`` audit entries name the member, and notices they got."""
    await h.deliver()
    async with h.db.read() as conn:
        audited = [e for e in await audit.for_entity(conn, "member", member_id)]
    told = [text for text in h.tg.texts(MEMBER.id) if text == ZH("members.removed_notice",
            branch="第一中学党支部")]  # fmt: skip
    return sum(1 for e in audited if e.action == "member.removed"), len(told)


async def test_two_secretaries_removing_a_member_at_once_remove_them_once(
    harness: Harness,
) -> None:
    """Both presses pass the checks before either writes: the second finds them gone in
    its transaction, says so, and writes nothing."""
    h = harness
    await h.branch_with_people()
    second = await active(h, MEMBER2)
    gone = await active(h, MEMBER)
    assert second is not None and gone is not None
    async with h.db.transaction() as tx:
        await members.set_role(tx, second.id, Role.SECRETARY, now=h.clock.now())
    said = await asyncio.gather(
        h.callback(SECRETARY, f"mem:rmok:{gone.id}"), h.callback(MEMBER2, f"mem:rmok:{gone.id}")
    )
    removed = ZH("members.removed", name="王老师")
    assert sorted([said[0], said[1]]) == [[], [removed]]
    assert ZH("members.already_left", name="王老师") in h.answers()
    assert await _removals(h, gone.id) == (1, 1)


async def test_keep_button_changes_nothing(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.send(SECRETARY, "/members")
    await harness.press(SECRETARY, "移除 王老师")
    out = await harness.press(SECRETARY, "不移除")
    assert out == [ZH("members.kept", name="王老师")]  # the question is replaced, not left
    assert await active(harness, MEMBER) is not None


async def test_unknown_command_and_text(harness: Harness) -> None:
    await harness.branch_with_people()
    assert await harness.send(MEMBER, "/nonsense") == [ZH("fallback.unknown_command")]
    assert await harness.send(MEMBER, "你好") == [ZH("fallback.text")]


async def test_group_commands_are_refused_for_private_ones(harness: Harness) -> None:
    await harness.branch_with_people()
    out = await harness.send(
        SECRETARY, "/invite", chat={"id": -100123, "type": "supergroup", "title": "群"}
    )
    assert out == [ZH("refuse.private_only")]


async def test_internal_errors_get_a_polite_answer(harness: Harness) -> None:
    await harness.branch_with_people()
    await harness.db.close()  # the database going away mid-run is a real failure mode
    out = await harness.send(MEMBER, "/help")
    assert out == [ZH("error.internal")]
    await harness.db.open()


async def test_command_menus_are_registered_in_both_languages(harness: Harness) -> None:
    calls = harness.tg.calls_to("setMyCommands")
    languages = {c.params.get("language_code") for c in calls}
    assert {None, "en"} <= languages
    zh_menu = next(c for c in calls if c.params.get("language_code") is None)
    names = [cmd["command"] for cmd in zh_menu.params["commands"]]
    assert "me" in names and "members" not in names and "start" not in names


async def test_admin_removed_from_settings_loses_admin_rights(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "t.sqlite3"
    first = Harness(path, BotConfig(admin_ids=frozenset({ADMIN.id})), clock)
    await first.start()
    await first.send(ADMIN, "/branches")
    await first.stop()
    second = Harness(path, BotConfig(admin_ids=frozenset()), clock)
    await second.start()
    try:
        # At start-up, not at their next message: meanwhile nobody asks them anything.
        async with second.db.read() as conn:
            assert await members.admins(conn) == []
        assert await second.send(ADMIN, "/branches") == [ZH("refuse.stranger")]
    finally:
        await second.stop()


async def test_what_others_cause_reaches_a_member_in_their_client_language(
    harness: Harness,
) -> None:
    """EN_MEMBER never used /language: a removal notice still comes in English."""
    info = await harness.branch_with_people()
    await harness.send(EN_MEMBER, f"/start {info['member_code']}")
    await harness.send(EN_MEMBER, "Lin Wei")
    await harness.send(SECRETARY, "/members")
    await harness.press(SECRETARY, "移除 Lin Wei")
    await harness.press(SECRETARY, "确定移除")
    await harness.deliver()
    assert harness.last(EN_MEMBER) == EN("members.removed_notice", branch="第一中学党支部")


async def test_a_flow_restored_after_a_restart_still_times_out(harness: Harness) -> None:
    """The restart keeps the step; coming back hours later ends it instead of joining."""
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    await harness.restart()
    harness.clock.advance(timedelta(hours=5))
    out = await harness.send(NEWCOMER, "好的")
    assert out == [ZH("flow.timed_out", minutes=30)]
    assert await active(harness, NEWCOMER) is None
    # A flow that is still fresh after a restart goes on as before.
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    await harness.restart()
    harness.clock.advance(timedelta(minutes=10))
    assert "欢迎加入" in (await harness.send(NEWCOMER, "新人甲"))[0]


async def test_edited_messages_are_not_taken_as_new_input(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(NEWCOMER, f"/start {info['member_code']}")
    typed = harness.updates.text(NEWCOMER, "好")
    assert await harness.process(NEWCOMER, typed) == [ZH("join.bad_name")]  # one character
    message = typed.to_dict()["message"]
    edited = harness.updates.update(edited_message={**message, "text": "好的啊", "edit_date": 1})
    assert await harness.process(NEWCOMER, edited) == []
    assert await active(harness, NEWCOMER) is None
    await harness.send(ADMIN, "/newbranch 一中党支部")
    edit = harness.updates.update(
        edited_message={
            **harness.updates.text(ADMIN, "/newbranch 二中党支部").to_dict()["message"],
            "edit_date": 1,
        }
    )
    await harness.process(ADMIN, edit)
    async with harness.db.read() as conn:
        names = [b.name for b in await branches.list_with_counts(conn)]
    assert "二中党支部" not in names


async def test_removed_member_needs_a_new_link_and_can_rejoin_with_it(harness: Harness) -> None:
    info = await harness.branch_with_people()
    await harness.send(SECRETARY, "/members")
    await harness.press(SECRETARY, "移除 王老师")
    await harness.press(SECRETARY, "确定移除")
    assert any(c.params.get("scope", {}).get("chat_id") == MEMBER.id
               for c in harness.tg.calls_to("deleteMyCommands"))  # fmt: skip
    assert await harness.send(MEMBER, f"/start {info['member_code']}") == [ZH("join.problem.left")]
    await harness.send(SECRETARY, "/invite")
    await harness.send(MEMBER, f"/start {harness.invite_code(SECRETARY)}")
    assert "欢迎加入" in (await harness.send(MEMBER, "王老师"))[0]
    person = await active(harness, MEMBER)
    assert person is not None and person.role is Role.MEMBER


async def test_branch_list_and_secretary_links_stay_out_of_groups(harness: Harness) -> None:
    await harness.branch_with_people()
    group = {"id": -100777, "type": "supergroup", "title": "教育局工作群"}
    assert await harness.send(ADMIN, "/branches", chat=group) == [ZH("refuse.private_only")]
    before = len(harness.tg.texts(-100777))
    update = harness.updates.callback(ADMIN, "adm:secinv:1", chat=group)
    await harness.process(ADMIN, update)
    assert harness.answers()[-1] == ZH("refuse.private_only")
    assert not any("?start=" in text for text in harness.tg.texts(-100777)[before:])


async def test_button_labels_show_names_as_typed(harness: Harness) -> None:
    await harness.send(ADMIN, "/newbranch 一中&二中 <联合>")
    await harness.send(ADMIN, "/branches")
    assert harness.buttons(ADMIN) == ["书记邀请：一中&二中 <联合>"]


async def test_admin_and_secretary_work_in_english(harness: Harness) -> None:
    admin_en = FakeUser(ADMIN.id, "Bureau", language_code="en")
    out = await harness.send(admin_en, "/newbranch No.1 Middle School Branch")
    assert out[0].startswith("Branch created: No.1 Middle School Branch")
    assert "uses allowed: 1" in out[1]
    secretary_en = FakeUser(SECRETARY.id, "Li", language_code="en-US")
    await harness.send(secretary_en, f"/start {harness.invite_code(ADMIN)}")
    done = await harness.send(secretary_en, "Li Ming")
    assert done[0] == "Welcome to No.1 Middle School Branch, Li Ming! Your role: branch secretary."
    invite = (await harness.send(secretary_en, "/invite"))[0]
    assert invite.startswith("Invite link to No.1 Middle School Branch (member):")
    assert "uses allowed: 100" in invite
    listing = (await harness.send(secretary_en, "/members"))[0]
    assert listing.splitlines() == [
        "No.1 Middle School Branch (members: 1):",
        "1. Li Ming (branch secretary)",
    ]
    branches_list = (await harness.send(admin_en, "/branches"))[0]
    assert branches_list.splitlines()[1] == "No.1 Middle School Branch — members: 1"


async def test_role_menus_for_secretary_and_new_admin(harness: Harness) -> None:
    await harness.branch_with_people()
    scoped = {
        c.params["scope"]["chat_id"]: [cmd["command"] for cmd in c.params["commands"]]
        for c in harness.tg.calls_to("setMyCommands")
        if c.params.get("scope", {}).get("type") == "chat"
    }
    assert "members" in scoped[SECRETARY.id] and "invite" in scoped[SECRETARY.id]
    assert "newbranch" in scoped[ADMIN.id] and "invite" not in scoped[ADMIN.id]


@pytest.mark.parametrize("typed", ["取消", "Cancel", " 退出 "])
async def test_typed_cancel_leaves_a_flow(harness: Harness, typed: str) -> None:
    await harness.send(ADMIN, "/newbranch")
    assert await harness.send(ADMIN, typed) == [ZH("flow.cancelled")]
    async with harness.db.read() as conn:
        assert await branches.list_with_counts(conn) == []
