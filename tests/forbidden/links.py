"""Failure modes of /links: strangers, wrong roles, the other branch, forged buttons naming
someone else's link (confirming, ending, logging, opening one that names a student),
group chats. Links are made straight through storage (the flows are in tests/test_links.py);
``check`` asserts nothing changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from storage import links, members
from storage.link_rules import LinkPeriod
from storage.links import ContactFields, ContactWay, LinkFields, LinkKind, LinkStatus
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    STRANGER,
    Harness,
)
from tests.forbidden import Case
from tests.forbidden.inspection import INSPECTOR, inspector_of_first_branch

GROUP = {"id": -100778, "type": "supergroup", "title": "第一中学党员群"}
TODAY = date(2026, 11, 28)
# Link 1: 王老师's student, waiting for the secretary; link 2: 王老师's class, set by the
# bureau (active).
STUDENT, CLASS = 1, 2


async def _links(h: Harness) -> None:
    async with h.db.transaction() as tx:
        owner = await members.get_active_by_telegram(tx, MEMBER.id)
        admin = await members.get_active_by_telegram(tx, ADMIN.id)
        assert owner is not None and admin is not None
        base: dict[str, Any] = {
            "member_id": owner.id, "branch_id": owner.branch_id, "period": LinkPeriod.YEAR,
            "period_start": date(2026, 9, 1), "period_end": date(2027, 8, 31),
            "start_on": date(2026, 11, 1), "today": TODAY,
        }  # fmt: skip
        await links.set_link(
            tx, LinkFields(kind=LinkKind.STUDENT, student_alias="豆豆", **base),
            actor=owner, owner=owner, now=h.clock.now(),
        )  # fmt: skip
        await links.set_link(
            tx, LinkFields(kind=LinkKind.CLASS, target_text="三(2)班", **base),
            actor=admin, owner=owner, now=h.clock.now(),
        )  # fmt: skip


async def _unchanged(h: Harness) -> None:
    async with h.db.read() as conn:
        student = await links.get(conn, STUDENT)
        klass = await links.get(conn, CLASS)
        contacts = await conn.execute_fetchall("SELECT COUNT(*) FROM link_contacts")
    assert student is not None and student.status is LinkStatus.PROPOSED
    assert klass is not None and klass.status is LinkStatus.ACTIVE
    assert next(iter(contacts))[0] == 0


async def _links_and_inspector(h: Harness) -> None:
    await _links(h)
    await inspector_of_first_branch(h)


async def _contact(h: Harness) -> None:
    """The links, and contact 1 王老师 logged on his class."""
    await _links(h)
    async with h.db.transaction() as tx:
        owner = await members.get_active_by_telegram(tx, MEMBER.id)
        klass = await links.get(tx, CLASS)
        assert owner is not None and klass is not None
        fields = ContactFields.for_link(klass, TODAY, on_date=TODAY, how=ContactWay.TALK)
        await links.log_contact(tx, CLASS, fields, actor=owner, now=h.clock.now())


async def _contact_kept(h: Harness) -> None:
    async with h.db.read() as conn:
        contact = await links.get_contact(conn, 1)
    assert contact is not None and contact.withdrawn_at is None


def _withdraw_case(name: str, actor: Any, data: str, expect: str) -> Case:
    return Case(
        name, actor, lambda h: h.callback(actor, data), expect, setup=_contact,
        check=_contact_kept,
    )  # fmt: skip


def _case(name: str, actor: Any, data: str, expect: str) -> Case:
    return Case(
        name,
        actor,
        lambda h: h.callback(actor, data),
        expect,
        setup=_links,
        check=_unchanged,
    )


CASES = [
    Case(
        "stranger opens /links", STRANGER, lambda h: h.send(STRANGER, "/links"), "refuse.stranger"
    ),
    Case(
        "/links in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/links", chat=GROUP),
        "refuse.private_only",
    ),
    Case(
        "member asks for the branch view",
        MEMBER,
        lambda h: h.send(MEMBER, "/links branch"),
        "refuse.role",
    ),
    _case("member confirms a link", MEMBER2, f"lk:ok:{STUDENT}", "refuse.role"),
    _case("owner confirms their own link", MEMBER, f"lk:ok:{STUDENT}", "refuse.role"),
    _case(
        "other branch's secretary confirms",
        OTHER_SECRETARY,
        f"lk:ok:{STUDENT}",
        "refuse.other_branch",
    ),
    _case(
        "other branch's secretary declines",
        OTHER_SECRETARY,
        f"lk:no:{STUDENT}",
        "refuse.other_branch",
    ),
    _case("member ends someone else's link", MEMBER2, f"lk:end:{CLASS}", "refuse.role"),
    _case(
        "other branch's secretary ends a link",
        OTHER_SECRETARY,
        f"lk:end:{CLASS}",
        "refuse.other_branch",
    ),
    _case("member logs on someone else's link", MEMBER2, f"lk:log:{CLASS}", "refuse.role"),
    _case("secretary logs on a member's link", SECRETARY, f"lk:log:{CLASS}", "refuse.role"),
    _case("member opens someone else's student link", MEMBER2, f"lk:show:{STUDENT}", "refuse.role"),
    _case(
        "other branch's secretary opens a student link",
        OTHER_SECRETARY,
        f"lk:show:{STUDENT}",
        "refuse.other_branch",
    ),
    _case("other branch's member opens a link", OTHER_MEMBER, f"lk:show:{CLASS}", "refuse.role"),
    _case(
        "logging on a link not yet confirmed", MEMBER, f"lk:log:{STUDENT}", "lk.problem.not_active"
    ),
    _case("member sets a 双服务", MEMBER, "lk:serve", "refuse.role"),
    _case("secretary sets a 结对", SECRETARY, "lk:pair", "refuse.role"),
    _case("secretary sets a cadre's links", SECRETARY, "lk:cadre", "refuse.role"),
    _case("member opens the waiting list", MEMBER, "lk:wait", "refuse.role"),
    _case(
        "other branch's secretary lists a branch",
        OTHER_SECRETARY,
        "lk:blist:1",
        "refuse.other_branch",
    ),
    _case("admin picks the branch list", SECRETARY, "lk:bpick", "refuse.role"),
    # The bureau's pages and its drill-down into a branch's links behind: admins only
    # (the drill-down names students by alias); a forged branch or number is refused.
    _case("secretary turns the bureau's page", SECRETARY, "lk:bur:1", "refuse.role"),
    _case("secretary opens a branch's links behind", SECRETARY, "lk:late:1:0", "refuse.role"),
    _case("member opens a branch's links behind", MEMBER, "lk:late:1:0", "refuse.role"),
    _case("stranger opens a branch's links behind", STRANGER, "lk:late:1:0", "refuse.stranger"),
    Case(
        "inspector opens a branch's links behind",
        INSPECTOR,
        lambda h: h.callback(INSPECTOR, "lk:late:1:0"),
        "refuse.role",
        setup=_links_and_inspector,
        check=_unchanged,
    ),
    Case(
        "inspector opens /links",
        INSPECTOR,
        lambda h: h.send(INSPECTOR, "/links"),
        "refuse.role",
        setup=_links_and_inspector,
        check=_unchanged,
    ),
    *(
        Case(
            f"{data} pressed in a group",
            user,
            lambda h, user=user, data=data: h.process(
                user, h.updates.callback(user, data, chat=GROUP)
            ),
            "refuse.private_only",
            setup=_links,
            check=_unchanged,
        )
        for user, data in [
            (ADMIN, "lk:late:1:0"),
            (ADMIN, "lk:bur:0"),
            (SECRETARY, "lk:blist:1"),
            (SECRETARY, f"lk:ok:{STUDENT}"),
            (MEMBER, f"lk:show:{STUDENT}"),
            (MEMBER, "lk:past:0"),
            (MEMBER, "lk:mine"),
        ]
    ),
    # Withdrawing 王老师's contact: only he may, and not in a group.
    _withdraw_case(
        "member withdraws someone else's contact", MEMBER2, "lk:wdok:1", "lk.withdraw.not_yours"
    ),
    _withdraw_case(
        "secretary withdraws a member's contact", SECRETARY, "lk:wdok:1", "lk.withdraw.not_yours"
    ),
    _withdraw_case(
        "member asks to withdraw someone else's contact",
        MEMBER2,
        "lk:wd:1",
        "lk.withdraw.not_yours",
    ),
    _withdraw_case(
        "other branch's member withdraws a contact",
        OTHER_MEMBER,
        "lk:wdok:1",
        "refuse.other_branch",
    ),
    _withdraw_case(
        "other branch's secretary withdraws a contact",
        OTHER_SECRETARY,
        "lk:wdok:1",
        "refuse.other_branch",
    ),
    _withdraw_case("stranger withdraws a contact", STRANGER, "lk:wdok:1", "refuse.stranger"),
    Case(
        "withdrawing a contact in a group",
        MEMBER,
        lambda h: h.process(MEMBER, h.updates.callback(MEMBER, "lk:wdok:1", chat=GROUP)),
        "refuse.private_only",
        setup=_contact,
        check=_contact_kept,
    ),
    _case("links behind in a branch not there", ADMIN, "lk:late:99:0", "refuse.not_found"),
    _case("forged branch of links behind", ADMIN, "lk:late:x:0", "refuse.bad_button"),
    _case("forged page of links behind", ADMIN, "lk:late:1:x", "refuse.bad_button"),
    _case("forged page of the bureau", ADMIN, "lk:bur:x", "refuse.bad_button"),
    _case("admin opens past links (they own none)", ADMIN, "lk:past:0", "refuse.role"),
    _case("stranger opens past links", STRANGER, "lk:past:0", "refuse.stranger"),
    _case("forged page of past links", MEMBER, "lk:past:x", "refuse.bad_button"),
    _case("forged link id", MEMBER, "lk:log:x", "refuse.bad_button"),
    _case("a link that is not there", MEMBER, "lk:log:999", "refuse.not_found"),
    _case("a pick outside any step", SECRETARY, "lk:pk:3", "refuse.stale_button"),
    Case(
        "admin logs on a member's link",
        ADMIN,
        lambda h: h.callback(ADMIN, f"lk:log:{CLASS}"),
        "refuse.role",
        setup=_links,
        check=_unchanged,
    ),
]
