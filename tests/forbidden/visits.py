"""Failure modes of the home-visit handlers: wrong role, other branch, inspectors, forged
or stale callback data naming someone else's visit, group chats, locked records.

Visits are created straight through storage (the flow itself is tested in
``tests/test_visits.py``); ``check`` asserts the visit was left as it was.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from storage import members, terms, visits
from storage.members import Role
from storage.visits import Form, Met, Topic, VisitContent
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
from tests.fakebot import FakeUser
from tests.forbidden import Case

INSPECTOR = FakeUser(4001, "督查一组")
GROUP = {"id": -100777, "type": "supergroup", "title": "第一中学党员群"}


async def _member_id(h: Harness, user: FakeUser) -> int:
    async with (
        h.db.read() as conn,
        conn.execute(
            "SELECT id FROM members WHERE telegram_id = ? AND status = 'active'", (user.id,)
        ) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _visit(h: Harness, follow_up: bool = True) -> None:
    """MEMBER's visit today, with a follow-up in a week unless told otherwise."""
    today = h.clock.now().astimezone(h.config.zone).date()
    content = VisitContent(
        visit_date=today,
        student_alias="王同学",
        class_name="三(2)班",
        form=Form.IN_PERSON,
        met=Met.PARENTS,
        topics=[Topic.STUDY],
        follow_up_on=today + timedelta(days=7) if follow_up else None,
        today=today,
    )
    owner = await _member_id(h, MEMBER)
    async with h.db.transaction() as tx:
        term = await terms.term_for(tx, today)
        await visits.create(
            tx, member_id=owner, branch_id=1, content=content, term=term, now=h.clock.now()
        )


async def _plain_visit(h: Harness) -> None:
    await _visit(h, follow_up=False)


async def _inspector_and_visit(h: Harness) -> None:
    async with h.db.transaction() as tx:
        await members.create(
            tx, telegram_id=INSPECTOR.id, name="督查一组", role=Role.INSPECTOR, branch_id=None,
            now=h.clock.now(),
        )  # fmt: skip
    await _visit(h)


async def _locked_visit(h: Harness) -> None:
    await _visit(h)
    h.clock.advance(timedelta(days=8))


async def _at_the_class_step(h: Harness) -> None:
    """MEMBER's first /visit, waiting for the class (the grade picker is shown)."""
    await h.send(MEMBER, "/visit")
    await h.press(MEMBER, "今天")
    await h.send(MEMBER, "王同学")


async def _no_class_taken(h: Harness) -> None:
    draft = h.app.user_data[MEMBER.id]["visit"]
    assert "class" not in draft and draft["alias"] == "王同学"


async def _visit_id(h: Harness) -> int:
    async with h.db.read() as conn, conn.execute("SELECT MAX(id) FROM home_visits") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] is not None
    return int(row[0])


def _press(actor: FakeUser, action: str, *extra: object) -> Any:
    """``actor`` presses ``vis:<action>:<MEMBER's newest visit>[:extra]``."""

    async def press(h: Harness) -> object:
        parts = [str(await _visit_id(h)), *map(str, extra)]
        return await h.callback(actor, ":".join(["vis", action, *parts]))

    return press


def _press_in_group(actor: FakeUser, action: str) -> Any:
    """A button press forged on a message in a group chat (a modified client can)."""

    async def press(h: Harness) -> object:
        data = f"vis:{action}:{await _visit_id(h)}"
        return await h.process(actor, h.updates.callback(actor, data, chat=GROUP))

    return press


def _press_member(actor: FakeUser, action: str, whose: FakeUser) -> Any:
    async def press(h: Harness) -> object:
        return await h.callback(actor, f"vis:{action}:{await _member_id(h, whose)}:0")

    return press


async def _unchanged(h: Harness) -> None:
    async with h.db.read() as conn:
        visit = await visits.get(conn, await _visit_id(h))
    assert visit is not None
    assert visit.version == 1 and visit.withdrawn_at is None
    assert visit.follow_up_done_at is None
    assert visit.follow_up_on in (None, date(2026, 12, 5))


CASES = [
    # Roles and strangers.
    Case("stranger /visit", STRANGER, lambda h: h.send(STRANGER, "/visit"), "refuse.stranger"),
    Case("stranger /visits", STRANGER, lambda h: h.send(STRANGER, "/visits"), "refuse.stranger"),
    Case("stranger /mydata", STRANGER, lambda h: h.send(STRANGER, "/mydata"), "refuse.stranger"),
    Case("admin /visit", ADMIN, lambda h: h.send(ADMIN, "/visit"), "refuse.role"),
    Case("member /visittarget", MEMBER, lambda h: h.send(MEMBER, "/visittarget 3"), "refuse.role"),
    Case("admin /visittarget", ADMIN, lambda h: h.send(ADMIN, "/visittarget 3"), "refuse.role"),
    Case(
        "member /visits branch", MEMBER, lambda h: h.send(MEMBER, "/visits branch"), "refuse.role"
    ),
    Case("member /term", MEMBER, lambda h: h.send(MEMBER, "/term"), "refuse.role"),
    Case(
        "secretary /term",
        SECRETARY,
        lambda h: h.send(SECRETARY, "/term 09-01 01-31"),
        "refuse.role",
    ),
    Case(
        "secretary term button",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "vterm:set"),
        "refuse.role",
    ),
    Case("member branch button", MEMBER, lambda h: h.callback(MEMBER, "vis:br:1"), "refuse.role"),
    Case(
        "member opens another member's list",
        MEMBER,
        _press_member(MEMBER, "mem", MEMBER2),
        "refuse.role",
    ),
    # Group chats: nothing about students there.
    Case(
        "/visit in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/visit", chat=GROUP),
        "refuse.private_only",
    ),
    Case(
        "/visits in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/visits", chat=GROUP),
        "refuse.private_only",
    ),
    Case(
        "/mydata in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/mydata", chat=GROUP),
        "refuse.private_only",
    ),
    Case(
        "withdraw button forged in a group",
        MEMBER,
        _press_in_group(MEMBER, "wd"),
        "refuse.private_only",
        _visit,
        _unchanged,
    ),
    Case(
        "postpone button forged in a group",
        MEMBER,
        _press_in_group(MEMBER, "fpost"),
        "refuse.private_only",
        _visit,
        _unchanged,
    ),
    Case(
        "details button forged in a group",
        MEMBER,
        _press_in_group(MEMBER, "show"),
        "refuse.private_only",
        _visit,
    ),
    Case(
        "page button forged in a group",
        MEMBER,
        lambda h: h.process(MEMBER, h.updates.callback(MEMBER, "vis:page:0", chat=GROUP)),
        "refuse.private_only",
    ),
    # Forged callback data naming another member's visit.
    Case(
        "edit another's visit",
        MEMBER2,
        _press(MEMBER2, "edit"),
        "visit.not_yours",
        _visit,
        _unchanged,
    ),
    Case(
        "withdraw another's visit",
        MEMBER2,
        _press(MEMBER2, "wdok"),
        "visit.not_yours",
        _visit,
        _unchanged,
    ),
    Case(
        "ask to withdraw another's",
        MEMBER2,
        _press(MEMBER2, "wd"),
        "visit.not_yours",
        _visit,
        _unchanged,
    ),
    Case(
        "read another's visit", MEMBER2, _press(MEMBER2, "show"), "visit.not_yours_to_view", _visit
    ),
    Case("another's history", MEMBER2, _press(MEMBER2, "hist"), "visit.not_yours_to_view", _visit),
    Case("another's photo", MEMBER2, _press(MEMBER2, "photo"), "visit.not_yours_to_view", _visit),
    Case(
        "finish another's follow-up",
        MEMBER2,
        _press(MEMBER2, "fdone"),
        "visit.not_yours",
        _visit,
        _unchanged,
    ),
    Case(
        "postpone another's follow-up",
        MEMBER2,
        _press(MEMBER2, "fpost"),
        "visit.not_yours",
        _visit,
        _unchanged,
    ),
    Case(
        "secretary edits a member's visit",
        SECRETARY,
        _press(SECRETARY, "edit"),
        "visit.not_yours",
        _visit,
        _unchanged,
    ),
    Case(
        "admin withdraws a visit", ADMIN, _press(ADMIN, "wdok"), "refuse.role", _visit, _unchanged
    ),
    # Another branch.
    Case(
        "other secretary reads a visit",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "show"),
        "refuse.other_branch",
        _visit,
    ),
    Case(
        "other secretary opens the branch",
        OTHER_SECRETARY,
        lambda h: h.callback(OTHER_SECRETARY, "vis:br:1"),
        "refuse.other_branch",
    ),
    Case(
        "other secretary turns the branch's page",
        OTHER_SECRETARY,
        lambda h: h.callback(OTHER_SECRETARY, "vis:brp:1:0"),
        "refuse.other_branch",
    ),
    Case(
        "secretary turns the bureau's totals",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "vis:tot:1"),
        "refuse.role",
    ),
    Case(
        "member turns the branch's page",
        MEMBER,
        lambda h: h.callback(MEMBER, "vis:brp:1:1"),
        "refuse.role",
    ),
    Case(
        "other secretary opens a member",
        OTHER_SECRETARY,
        _press_member(OTHER_SECRETARY, "mem", MEMBER),
        "refuse.other_branch",
    ),
    Case(
        "other member edits a visit",
        OTHER_MEMBER,
        _press(OTHER_MEMBER, "edit"),
        "refuse.other_branch",
        _visit,
        _unchanged,
    ),
    # Inspectors see counts only.
    Case(
        "inspector reads a visit",
        INSPECTOR,
        _press(INSPECTOR, "show"),
        "visit.counts_only",
        _inspector_and_visit,
    ),
    Case(
        "inspector opens a member",
        INSPECTOR,
        _press_member(INSPECTOR, "mem", MEMBER),
        "visit.counts_only",
        _inspector_and_visit,
    ),
    Case(
        "inspector opens the photo",
        INSPECTOR,
        _press(INSPECTOR, "photo"),
        "visit.counts_only",
        _inspector_and_visit,
    ),
    # Locked, missing, malformed, stale.
    Case(
        "edit after the lock",
        MEMBER,
        _press(MEMBER, "edit"),
        "visit.locked",
        _locked_visit,
        _unchanged,
    ),
    Case(
        "withdraw after the lock",
        MEMBER,
        _press(MEMBER, "wdok"),
        "visit.locked",
        _locked_visit,
        _unchanged,
    ),
    Case(
        "done with no follow-up",
        MEMBER,
        _press(MEMBER, "fdone"),
        "visit.no_open_follow_up",
        _plain_visit,
    ),
    Case(
        "postpone with no follow-up",
        MEMBER,
        _press(MEMBER, "fpost"),
        "visit.no_open_follow_up",
        _plain_visit,
    ),
    Case(
        "postpone with a malformed date",
        MEMBER,
        _press(MEMBER, "fpost", "20261399"),
        "refuse.bad_button",
        _visit,
        _unchanged,
    ),
    Case(
        "forged visit id",
        MEMBER,
        lambda h: h.callback(MEMBER, "vis:show:99999"),
        "refuse.not_found",
    ),
    Case(
        "forged edit id", MEMBER, lambda h: h.callback(MEMBER, "vis:edit:99999"), "refuse.not_found"
    ),
    Case(
        "malformed visit id",
        MEMBER,
        lambda h: h.callback(MEMBER, "vis:wdok:abc"),
        "refuse.bad_button",
    ),
    Case("forged branch id", ADMIN, lambda h: h.callback(ADMIN, "vis:br:777"), "refuse.not_found"),
    Case(
        "forged member id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "vis:mem:999:0"),
        "refuse.not_found",
    ),
    Case(
        "flow button outside the flow",
        MEMBER,
        lambda h: h.callback(MEMBER, "vf:save"),
        "refuse.stale_button",
    ),
    Case(
        "forged grade",
        MEMBER,
        lambda h: h.callback(MEMBER, "vf:grade:g13"),
        "refuse.bad_button",
        _at_the_class_step,
        _no_class_taken,
    ),
    Case(
        "forged class number",
        MEMBER,
        lambda h: h.callback(MEMBER, "vf:clsn:3:99"),
        "refuse.bad_button",
        _at_the_class_step,
        _no_class_taken,
    ),
    Case(
        "forged class grade",
        MEMBER,
        lambda h: h.callback(MEMBER, "vf:clsn:x:2"),
        "refuse.bad_button",
        _at_the_class_step,
        _no_class_taken,
    ),
    Case(
        "done-note button outside its flow",
        MEMBER,
        lambda h: h.callback(MEMBER, "vd:now"),
        "refuse.stale_button",
    ),
]
