"""Failure modes of inspection groups, and the inspector role across every write command.

The inspector here belongs to 第三督查组, which inspects 第一中学党支部 (branch 1): on
their own assigned branch they may read (``READS``: the boards, rosters and lists, with no
button that writes and never a student's alias or a note), and every write is refused all
the same; on 第二中学党支部 (branch 2) they may not even read.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from storage import inspection, members, partyday, rectification
from storage import pledges as pledge_store
from storage.partyday import Answer, LeaveReason
from storage.pledges import Category, Period
from tests.conftest import (
    ADMIN,
    MEMBER,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    STRANGER,
    Harness,
)
from tests.fakebot import FakeUser, group_chat
from tests.forbidden import Case, Read
from tests.forbidden.meetings import _approved as _meeting_approved
from tests.forbidden.partyday import (
    DECEMBER,
    _decide,
    _id_of,
    _nothing_withdrawn,
    _rule_and_record,
)
from tests.forbidden.pledges import SUBMITTED, _submitted, _unchanged
from tests.forbidden.pledges import _press as pledge_press
from tests.test_reports import log_visit

INSPECTOR = FakeUser(4011, "孙督查")


async def inspector_of_first_branch(h: Harness) -> None:
    """第三督查组 (group 1) inspects branch 1; 孙建 joined it by a one-use link."""
    now = h.clock.now()
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert admin is not None
        group = await inspection.create_group(tx, "第三督查组", created_by=admin.id, now=now)
        invite = await inspection.create_invite(
            tx, group.id, shared=False, created_by=admin.id, now=now
        )
        await inspection.join(tx, invite, telegram_id=INSPECTOR.id, name="孙建", now=now)
        await inspection.assign(tx, group.id, 1, actor_id=admin.id, now=now)


async def _submitted_and_inspector(h: Harness) -> None:
    await _submitted(h)
    await inspector_of_first_branch(h)


async def _only_branch_one(h: Harness) -> None:
    async with h.db.read() as conn:
        held = [b.id for b in await inspection.assigned(conn, 1)]
    assert held == [1]


async def _inspector_still_in(h: Harness) -> None:
    async with h.db.read() as conn:
        assert [p.name for p in await inspection.inspectors(conn, 1)] == ["孙建"]


def _says(actor: FakeUser, text: str) -> Any:
    return lambda h: h.send(actor, text)


def _presses(actor: FakeUser, data: str) -> Any:
    return lambda h: h.callback(actor, data)


# Every command that writes something, as the inspector types it (/members, /partyday,
# /service, /roster, /pledges and /meetings read: READS below).
WRITE_COMMANDS = [
    "/newbranch 假支部",
    "/branches",
    "/invite",
    "/pledge",
    "/setnotice",
    "/meeting",
    "/safety",
    "/checkin",
    "/notify 大家好",
    "/settings",
    "/visit",
    "/visittarget 3",
    "/term",
    "/erasemember",
    "/holidays add 2027-10-01 放假",
]
# Buttons that write, pressed by the inspector on records of their assigned branch.
WRITE_BUTTONS = [
    "adm:secinv:1",
    "mem:rm:3",
    "mem:rmok:3",
    "mem:fresh:1",
    "mt:ok:1",
    "vis:wd:1",
    "pd:att:1",
    f"pd:rem:1:{DECEMBER}",
    f"pd:mk:1:{DECEMBER}",
    "pd:rule:1",
    "pl:terms:1",
    "svc:wd:1",
    "rem:off:digest",
    "hol:ok:2027-10-01:holiday",
]


async def _records_and_inspector(h: Harness) -> None:
    """Branch 1 with something on every board, and an inspector of it: 王老师's submitted
    pledge (#1), the party day on the 15th with a leave in the member's own words, an
    hour of service, an approved 支委会 record, and a home visit (alias 小明同学, note
    家长很配合), none of whose words an inspector may read."""
    await _submitted(h)
    await _rule_and_record(h)
    await _meeting_approved(h)
    await log_visit(h, alias="小明同学")
    member = await _id_of(h, "张老师")
    async with h.db.transaction() as tx:
        month = await partyday.ensure_month(tx, 1, 2026, 12, now=h.clock.now())
        await partyday.set_reply(
            tx, month_id=month.id, member_id=member, answer=Answer.LEAVE,
            reason_kind=LeaveReason.OTHER, reason_text="陪小明同学看病", now=h.clock.now(),
        )  # fmt: skip
    await inspector_of_first_branch(h)


async def _other_branch_pledge(h: Harness) -> None:
    """钱老师 (branch 2) has a submitted pledge (#1); the inspector inspects branch 1."""
    now = h.clock.now()
    async with h.db.transaction() as tx:
        member = await members.get_active_by_telegram(tx, OTHER_MEMBER.id)
        assert member is not None
        draft = await pledge_store.create_draft(
            tx, member=member, period=Period(code="2026"), category=Category.TEACHING,
            text="每周为学困生义务辅导两次，帮助他们提高成绩。", now=now,
        )  # fmt: skip
        draft = await pledge_store.edit(
            tx, draft, actor_id=member.id, now=now, target_date=date(2026, 12, 31)
        )
        await pledge_store.submit(tx, draft, actor_id=member.id, now=now)
    await inspector_of_first_branch(h)


async def _leaves_pending(h: Harness) -> None:
    async with h.db.read() as conn, conn.execute("SELECT approval FROM party_day_replies") as cur:
        assert {row[0] for row in await cur.fetchall()} == {"pending"}


SECRETS = ("小明同学", "家长很配合", "陪小明同学看病")


def _reads(what: str, action: Any, shows: str, *buttons: str) -> Read:
    return Read(
        f"inspector reads {what} (assigned branch)",
        INSPECTOR,
        action,
        shows,
        setup=_records_and_inspector,
        buttons=buttons,
        never=SECRETS,
    )


READS = [
    _reads("/pledges", _says(INSPECTOR, "/pledges"), "年度岗位承诺", "bp:go:pl:1:"),
    _reads("/pledges branch", _says(INSPECTOR, "/pledges branch 2026"), "2026", "bp:go:pl:1:"),
    # The board has no button into /todo (it reminds) and no term switch.
    _reads("the pledge board", _presses(INSPECTOR, "bp:go:pl:1:2026"), "王老师", "pl:open:"),
    _reads("a pledge", _presses(INSPECTOR, "pl:open:1"), "学困生义务辅导"),
    _reads("the old board button", _presses(INSPECTOR, "pl:bb:1:2026"), "王老师", "pl:open:"),
    _reads("/partyday", _says(INSPECTOR, "/partyday"), "党日安排", "bp:go:pd:1"),
    _reads("the party day", _presses(INSPECTOR, "bp:go:pd:1"), "会议室", "bp:go:ro:1"),
    _reads("/roster", _says(INSPECTOR, "/roster"), "党日名单", "bp:go:ro:1"),
    # The leave shows its kind (其他), not the member's words; no remind, mark, decide.
    _reads("the roster", _presses(INSPECTOR, f"bp:go:ro:1:{DECEMBER}"), "张老师"),
    _reads("this month's roster", _presses(INSPECTOR, "bp:go:ro:1"), "党日名单"),
    _reads("/service", _says(INSPECTOR, "/service"), "志愿服务", "bp:go:sv:1"),
    _reads("the branch's service", _presses(INSPECTOR, "bp:go:sv:1"), "王老师"),
    _reads("/members", _says(INSPECTOR, "/members"), "成员", "bp:go:mb:1"),
    _reads("the members", _presses(INSPECTOR, "bp:go:mb:1"), "李红梅"),
    _reads("/meetings", _says(INSPECTOR, "/meetings"), "三会一课", "bp:go:mt:1"),
    _reads("the meetings board", _presses(INSPECTOR, "bp:go:mt:1"), "学习交流"),
    # /export and /charts: the assigned branch only, never the whole bureau.
    _reads("/export", _says(INSPECTOR, "/export"), "导出台账", "bp:go:ex:1"),
    _reads("the export periods", _presses(INSPECTOR, "bp:go:ex:1"), "第一中学党支部", "rp:x:1:"),
    _reads("/charts", _says(INSPECTOR, "/charts"), "图表", "bp:go:ch:1"),
]

CASES = [
    *[
        Case(
            f"inspector {command.split()[0]} (assigned branch)",
            INSPECTOR,
            _says(INSPECTOR, command),
            "refuse.role",
            setup=inspector_of_first_branch,
        )
        for command in WRITE_COMMANDS
    ],
    *[
        Case(
            f"inspector presses {data}",
            INSPECTOR,
            _presses(INSPECTOR, data),
            "refuse.role",
            setup=inspector_of_first_branch,
        )
        for data in WRITE_BUTTONS
    ],
    Case(
        "inspector approves a leave on the assigned branch",
        INSPECTOR,
        lambda h: _decide(h, INSPECTOR),
        "refuse.role",
        setup=_records_and_inspector,
        check=_leaves_pending,
    ),
    Case(
        "inspector withdraws a service record of the assigned branch",
        INSPECTOR,
        _presses(INSPECTOR, "svc:wdok:1"),
        "refuse.role",
        setup=_records_and_inspector,
        check=_nothing_withdrawn,
    ),
    Case(
        "inspector opens a meeting record of the assigned branch for editing",
        INSPECTOR,
        _presses(INSPECTOR, "mt:open:1"),
        "refuse.role",
        setup=_records_and_inspector,
    ),
    # Branch 2 is not assigned to the inspector's group: no screen of it opens.
    *[
        Case(
            f"inspector opens an unassigned branch's {what}",
            INSPECTOR,
            _presses(INSPECTOR, data),
            "refuse.other_branch",
            setup=inspector_of_first_branch,
        )
        for what, data in [
            ("pledge board", "bp:go:pl:2:2026"),
            ("pledge board (old button)", "pl:bb:2:2026"),
            ("party day", "bp:go:pd:2"),
            ("roster", "bp:go:ro:2"),
            ("service", "bp:go:sv:2"),
            ("members", "bp:go:mb:2"),
            ("meetings board", "bp:go:mt:2"),
        ]
    ],
    Case(
        "inspector opens a pledge of an unassigned branch",
        INSPECTOR,
        _presses(INSPECTOR, "pl:open:1"),
        "refuse.other_branch",
        setup=_other_branch_pledge,
    ),
    Case(
        "inspector approves a pledge of the assigned branch",
        INSPECTOR,
        pledge_press(INSPECTOR, "ok"),
        "refuse.role",
        setup=_submitted_and_inspector,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "inspector returns a pledge of the assigned branch",
        INSPECTOR,
        pledge_press(INSPECTOR, "ret"),
        "refuse.role",
        setup=_submitted_and_inspector,
        check=_unchanged(SUBMITTED),
    ),
    # /inspect and its buttons
    Case("stranger /inspect", STRANGER, _says(STRANGER, "/inspect"), "refuse.stranger"),
    Case("member /inspect", MEMBER, _says(MEMBER, "/inspect"), "refuse.role"),
    Case(
        "secretary /inspect new",
        SECRETARY,
        _says(SECRETARY, "/inspect new 假督查组"),
        "refuse.role",
    ),
    Case(
        "/inspect in a group",
        ADMIN,
        lambda h: h.send(ADMIN, "/inspect", chat=group_chat(-100555)),
        "refuse.private_only",
    ),
    Case(
        "inspector opens the admin's group screen",
        INSPECTOR,
        _presses(INSPECTOR, "ins:g:1"),
        "refuse.role",
        setup=inspector_of_first_branch,
    ),
    Case(
        "inspector assigns themselves a branch",
        INSPECTOR,
        _presses(INSPECTOR, "ins:ab:1:2:0"),
        "refuse.role",
        setup=inspector_of_first_branch,
        check=_only_branch_one,
    ),
    Case(
        "inspector makes an invite link",
        INSPECTOR,
        _presses(INSPECTOR, "ins:inv:1:0"),
        "refuse.role",
        setup=inspector_of_first_branch,
    ),
    Case(
        "secretary removes an inspector",
        SECRETARY,
        _presses(SECRETARY, "ins:rmok:1:6"),
        "refuse.role",
        setup=inspector_of_first_branch,
        check=_inspector_still_in,
    ),
    Case(
        "secretary opens a branch as an inspector",
        SECRETARY,
        _presses(SECRETARY, "ins:b:1"),
        "refuse.role",
    ),
    Case(
        "inspector opens an unassigned branch",
        INSPECTOR,
        _presses(INSPECTOR, "ins:b:2"),
        "insp.not_assigned",
        setup=inspector_of_first_branch,
    ),
    Case(
        "inspector opens another branch's visits",
        INSPECTOR,
        _presses(INSPECTOR, "vis:br:2"),
        "refuse.other_branch",
        setup=inspector_of_first_branch,
    ),
    Case("admin opens an unknown group", ADMIN, _presses(ADMIN, "ins:g:999"), "refuse.not_found"),
    Case(
        "admin assigns an unknown branch",
        ADMIN,
        _presses(ADMIN, "ins:ab:1:999:0"),
        "refuse.not_found",
        setup=inspector_of_first_branch,
    ),
    Case(
        "admin removes someone not in the group",
        ADMIN,
        _presses(ADMIN, "ins:rm:1:2"),
        "refuse.stale_button",
        setup=inspector_of_first_branch,
    ),
    Case("forged group id", ADMIN, _presses(ADMIN, "ins:g:first"), "refuse.bad_button"),
]


# --------------------------------------------------------------------------- comments, items

INSPECTOR2 = FakeUser(4012, "周督查")


async def _item(h: Harness, *, answered: bool = False) -> None:
    """The inspector's comment on branch 1 with one item (item 1), answered if asked."""
    await inspector_of_first_branch(h)
    now = h.clock.now()
    today = now.astimezone(h.config.zone).date()
    async with h.db.transaction() as tx:
        inspector = await members.get_active_by_telegram(tx, INSPECTOR.id)
        assert inspector is not None
        _, [item] = await rectification.add_comment(
            tx,
            branch_id=1,
            group_id=1,
            author_id=inspector.id,
            text="党员名册需要更新。",
            items=[rectification.ItemDraft("更新党员名册", today + timedelta(days=10))],
            today=today,
            now=now,
        )
        if answered:
            secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
            assert secretary is not None
            await rectification.answer(
                tx, item, text="已更新名册。", photo=None, actor_id=secretary.id, now=now
            )


async def _answered(h: Harness) -> None:
    await _item(h, answered=True)


async def _answered_and_second_group(h: Harness) -> None:
    """Item 1 answered; 周敏 of 第四督查组, which also inspects branch 1."""
    await _answered(h)
    now = h.clock.now()
    async with h.db.transaction() as tx:
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert admin is not None
        group = await inspection.create_group(tx, "第四督查组", created_by=admin.id, now=now)
        invite = await inspection.create_invite(
            tx, group.id, shared=False, created_by=admin.id, now=now
        )
        await inspection.join(tx, invite, telegram_id=INSPECTOR2.id, name="周敏", now=now)
        await inspection.assign(tx, group.id, 1, actor_id=admin.id, now=now)


async def _answered_then_unassigned(h: Harness) -> None:
    await _answered(h)
    async with h.db.transaction() as tx:
        await inspection.unassign(tx, 1, 1, actor_id=1, now=h.clock.now())


def _item_is(status: str) -> Any:
    async def check(h: Harness) -> None:
        async with h.db.read() as conn:
            item = await rectification.get(conn, 1)
        assert item is not None and item.status.value == status, item

    return check


CASES += [
    Case("stranger /rectify", STRANGER, _says(STRANGER, "/rectify"), "refuse.stranger"),
    Case("member /rectify", MEMBER, _says(MEMBER, "/rectify"), "refuse.role"),
    Case(
        "inspector comments on an unassigned branch",
        INSPECTOR,
        _presses(INSPECTOR, "ins:c:2"),
        "insp.not_assigned",
        setup=inspector_of_first_branch,
    ),
    Case("secretary writes a comment", SECRETARY, _presses(SECRETARY, "ins:c:1"), "refuse.role"),
    Case("admin writes a comment", ADMIN, _presses(ADMIN, "ins:c:1"), "refuse.role"),
    Case(
        "other branch's secretary answers an item",
        OTHER_SECRETARY,
        _presses(OTHER_SECRETARY, "ins:ans:1"),
        "refuse.other_branch",
        setup=_item,
        check=_item_is("open"),
    ),
    Case(
        "member answers an item",
        MEMBER,
        _presses(MEMBER, "ins:ans:1"),
        "refuse.role",
        setup=_item,
        check=_item_is("open"),
    ),
    Case(
        "inspector answers an item",
        INSPECTOR,
        _presses(INSPECTOR, "ins:ans:1"),
        "refuse.role",
        setup=_item,
        check=_item_is("open"),
    ),
    Case(
        "secretary accepts their own answer",
        SECRETARY,
        _presses(SECRETARY, "ins:ok:1"),
        "refuse.role",
        setup=_answered,
        check=_item_is("done"),
    ),
    Case(
        "admin accepts an item",
        ADMIN,
        _presses(ADMIN, "ins:ok:1"),
        "refuse.role",
        setup=_answered,
        check=_item_is("done"),
    ),
    Case(
        "another group's inspector accepts",
        INSPECTOR2,
        _presses(INSPECTOR2, "ins:ok:1"),
        "insp.problem.not_your_group",
        setup=_answered_and_second_group,
        check=_item_is("done"),
    ),
    Case(
        "another group's inspector reopens",
        INSPECTOR2,
        _presses(INSPECTOR2, "ins:re:1"),
        "insp.problem.not_your_group",
        setup=_answered_and_second_group,
        check=_item_is("done"),
    ),
    Case(
        "inspector accepts after the branch was taken back",
        INSPECTOR,
        _presses(INSPECTOR, "ins:ok:1"),
        "insp.not_assigned",
        setup=_answered_then_unassigned,
        check=_item_is("done"),
    ),
    Case(
        "other branch's secretary opens an item",
        OTHER_SECRETARY,
        _presses(OTHER_SECRETARY, "ins:it:1"),
        "refuse.other_branch",
        setup=_item,
    ),
    Case("forged item id", ADMIN, _presses(ADMIN, "ins:it:999"), "refuse.not_found"),
    Case("malformed item id", SECRETARY, _presses(SECRETARY, "ins:ans:abc"), "refuse.bad_button"),
]
