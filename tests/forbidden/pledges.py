"""Failure modes of the pledge handlers: wrong role, other branch, another member's pledge,
forged and malformed button data. Nothing may change when refused."""

from __future__ import annotations

from datetime import date
from typing import Any

from storage import members
from storage import pledges as store
from storage.pledges import Category, Period, PledgeStatus
from tests.conftest import (
    ADMIN,
    MEMBER,
    MEMBER2,
    OTHER_MEMBER,
    OTHER_SECRETARY,
    SECRETARY,
    STRANGER,
)
from tests.fakebot import group_chat
from tests.forbidden import Case

TEXT = "本学年每周为学困生义务辅导两次，帮助他们提高成绩。"


async def _submitted(h: Any) -> None:
    """王老师 (MEMBER) has a submitted pledge, made straight through storage."""
    now = h.clock.now()
    async with h.db.transaction() as tx:
        member = await members.get_active_by_telegram(tx, MEMBER.id)
        assert member is not None
        draft = await store.create_draft(
            tx,
            member=member,
            period=Period(code="2026"),
            category=Category.TEACHING,
            text=TEXT,
            now=now,
        )
        draft = await store.edit(
            tx, draft, actor_id=member.id, now=now, target_date=date(2026, 12, 31)
        )
        await store.submit(tx, draft, actor_id=member.id, now=now)


async def _published(h: Any) -> None:
    await _submitted(h)
    pledge = await _pledge(h)
    async with h.db.transaction() as tx:
        secretary = await members.get_active_by_telegram(tx, SECRETARY.id)
        assert secretary is not None
        await store.approve(tx, pledge, actor_id=secretary.id, now=h.clock.now())


async def _pledge(h: Any) -> store.Pledge:
    async with h.db.read() as conn:
        async with conn.execute("SELECT MAX(id) FROM pledges") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] is not None
        found = await store.get(conn, int(row[0]))
    assert found is not None
    return found


def _press(actor: Any, action: str, *extra: str) -> Any:
    async def act(h: Any) -> object:
        pledge = await _pledge(h)
        data = ":".join(["pl", action, str(pledge.id), *extra])
        return await h.callback(actor, data)

    return act


def _unchanged(status: PledgeStatus) -> Any:
    async def check(h: Any) -> None:
        pledge = await _pledge(h)
        assert pledge.status is status, pledge.status
        async with h.db.read() as conn:
            assert await store.updates(conn, pledge.id) == []

    return check


async def _terms_off(h: Any) -> None:
    async with h.db.read() as conn:
        async with conn.execute("SELECT id FROM branches") as cur:
            ids = [int(row[0]) for row in await cur.fetchall()]
        assert not [i for i in ids if await store.runs_terms(conn, i)]


SUBMITTED = PledgeStatus.SUBMITTED
PUBLISHED = PledgeStatus.PUBLISHED

CASES = [
    # strangers and wrong roles
    Case("stranger /pledge", STRANGER, lambda h: h.send(STRANGER, "/pledge"), "refuse.stranger"),
    Case("stranger /pledges", STRANGER, lambda h: h.send(STRANGER, "/pledges"), "refuse.stranger"),
    Case("admin /pledge", ADMIN, lambda h: h.send(ADMIN, "/pledge"), "refuse.role"),
    Case("member /setnotice", MEMBER, lambda h: h.send(MEMBER, "/setnotice"), "refuse.role"),
    Case(
        "member /setnotice in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/setnotice", chat=group_chat(-100999)),
        "refuse.role",
    ),
    Case(
        "member /pledges branch", MEMBER, lambda h: h.send(MEMBER, "/pledges branch"), "refuse.role"
    ),
    Case(
        "/pledge in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/pledge", chat=group_chat(-100999)),
        "refuse.private_only",
    ),
    Case(
        "/pledges in a group",
        MEMBER,
        lambda h: h.send(MEMBER, "/pledges", chat=group_chat(-100999)),
        "refuse.private_only",
    ),
    # a member trying to review
    Case(
        "member approves",
        MEMBER2,
        _press(MEMBER2, "ok"),
        "refuse.role",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "owner approves own pledge",
        MEMBER,
        _press(MEMBER, "ok"),
        "refuse.role",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "member returns",
        MEMBER2,
        _press(MEMBER2, "ret"),
        "refuse.role",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "member evaluates",
        MEMBER,
        _press(MEMBER, "ev"),
        "refuse.role",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "member posts to notice chat",
        MEMBER,
        _press(MEMBER, "post"),
        "refuse.role",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    # a secretary of another branch
    Case(
        "other branch secretary approves",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "ok"),
        "refuse.other_branch",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "other branch secretary returns",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "ret"),
        "refuse.other_branch",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "other branch secretary evaluates",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "ev"),
        "refuse.other_branch",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "other branch secretary rates",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "rate", "excellent"),
        "refuse.other_branch",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "other branch secretary opens",
        OTHER_SECRETARY,
        _press(OTHER_SECRETARY, "open"),
        "refuse.other_branch",
        setup=_submitted,
    ),
    # forged data naming another member's pledge
    Case(
        "member opens another's pledge",
        MEMBER2,
        _press(MEMBER2, "open"),
        "refuse.role",
        setup=_submitted,
    ),
    Case(
        "member withdraws another's pledge",
        MEMBER2,
        _press(MEMBER2, "wdok"),
        "refuse.role",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "member asks to withdraw another's pledge",
        MEMBER2,
        _press(MEMBER2, "wd"),
        "refuse.role",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "member adds progress to another's pledge",
        MEMBER2,
        _press(MEMBER2, "prog"),
        "refuse.role",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "member fulfils another's pledge",
        MEMBER2,
        _press(MEMBER2, "ful"),
        "refuse.role",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "member self-assesses another's pledge",
        MEMBER2,
        _press(MEMBER2, "self"),
        "refuse.role",
        setup=_published,
    ),
    Case(
        "secretary adds progress to a member's pledge",
        SECRETARY,
        _press(SECRETARY, "prog"),
        "refuse.role",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "member edits another's pledge",
        MEMBER2,
        _press(MEMBER2, "cont"),
        "refuse.role",
        setup=_submitted,
    ),
    Case(
        "member submits another's pledge",
        MEMBER2,
        _press(MEMBER2, "sub"),
        "refuse.role",
        setup=_submitted,
        check=_unchanged(SUBMITTED),
    ),
    Case(
        "other branch member adds progress",
        OTHER_MEMBER,
        _press(OTHER_MEMBER, "prog"),
        "refuse.other_branch",
        setup=_published,
        check=_unchanged(PUBLISHED),
    ),
    Case(
        "member switches term pledges on",
        MEMBER,
        lambda h: h.callback(MEMBER, "pl:terms:1"),
        "refuse.role",
        check=_terms_off,
    ),
    # forged and malformed data
    Case(
        "forged pledge id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "pl:ok:99999"),
        "refuse.not_found",
    ),
    Case(
        "forged pledge id for progress",
        MEMBER,
        lambda h: h.callback(MEMBER, "pl:prog:99999"),
        "refuse.not_found",
    ),
    Case(
        "malformed pledge id",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "pl:ok:abc"),
        "refuse.bad_button",
    ),
    Case("missing pledge id", MEMBER, lambda h: h.callback(MEMBER, "pl:open"), "refuse.bad_button"),
    Case(
        "category button outside its step",
        MEMBER,
        lambda h: h.callback(MEMBER, "pl:cat:teaching"),
        "refuse.stale_button",
    ),
]


CASES += [
    Case(
        "secretary opens the bureau's branch board",
        SECRETARY,
        lambda h: h.callback(SECRETARY, "pl:bb:2:2026"),
        "refuse.other_branch",
    ),
    Case(
        "member opens the bureau's branch board",
        MEMBER,
        lambda h: h.callback(MEMBER, "pl:bb:1:2026"),
        "refuse.role",
    ),
    Case(
        "bureau board of no branch",
        ADMIN,
        lambda h: h.callback(ADMIN, "pl:bb:999:2026"),
        "refuse.not_found",
    ),
    Case(
        "bureau board forged year",
        ADMIN,
        lambda h: h.callback(ADMIN, "pl:bb:1:20x6"),
        "refuse.bad_button",
    ),
]
