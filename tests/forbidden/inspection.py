"""Failure modes of inspection groups, and the inspector role across every write command.

The inspector here belongs to 第三督查组, which inspects 第一中学党支部 (branch 1): on
their own assigned branch they may read, and every write is refused all the same; on
第二中学党支部 (branch 2) they may not even read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from storage import inspection, members, rectification
from tests.conftest import ADMIN, MEMBER, OTHER_SECRETARY, SECRETARY, STRANGER, Harness
from tests.fakebot import FakeUser, group_chat
from tests.forbidden import Case
from tests.forbidden.pledges import SUBMITTED, _submitted, _unchanged
from tests.forbidden.pledges import _press as pledge_press

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


# Every command that writes something, as the inspector types it.
WRITE_COMMANDS = [
    "/newbranch 假支部",
    "/branches",
    "/invite",
    "/members",
    "/pledge",
    "/setnotice",
    "/meeting",
    "/safety",
    "/partyday",
    "/checkin",
    "/service",
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
    "mem:rmok:3",
    "mt:ok:1",
    "vis:wd:1",
    "pd:att:1",
    "rem:off:digest",
    "hol:ok:2027-10-01:holiday",
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
