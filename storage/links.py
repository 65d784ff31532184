"""Links (三联系, 双服务, 结对), the contacts logged against them, and their coverage.

A link has a kind, an owner (a member, or a branch for 结对), a target, a term or school
year, and a state: proposed (a member's own 三联系 waiting for the secretary), active,
declined, or ended with a reason. A link is *in force* while it runs and its period has
not ended (``Link.in_force``, ``IN_FORCE`` in SQL): a term's class link stops counting the
day after the term, with no job to end it and nothing rewritten; its last day
(``Link.last_on``, ``last_on`` in SQL) bounds its standing and the home visits it counts.
Who may set, confirm, end and log is decided on the model (``may_set``, ``Link.may_end``
…) and checked again here before anything is written. A student is recorded by alias only
(the home-visit rule); a home visit by the owner to the same alias counts as a contact of
a 学困生 link, read from ``home_visits`` and never copied. Audit entries carry ids and
kinds, never aliases or notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import aiosqlite
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from storage import audit, retention
from storage.clock import to_iso
from storage.link_rules import (
    Family,
    LinkPeriod,
    LinkRhythms,
    Span,
    Standing,
    nudge_day,
    standing,
    window_of,
)
from storage.members import Member, PersonName, Role, participating
from storage.problems import InputProblem, cause_of
from storage.rows import Table, fetch_all, fetch_value, required
from storage.terms import Term, next_month
from storage.visits import ERASED_ALIAS, VisitProblem, clean_alias

PLACE_MAX = 30
ROLE_MIN, ROLE_MAX = 2, 20
NOTE_MAX = 200
REASON_MIN, REASON_MAX = 2, 200


class LinkKind(StrEnum):
    CLASS = "class"  # 三联系-班级
    DORM = "dorm"  # 三联系-寝室
    STUDENT = "student"  # 三联系-学困生
    SERVE_BRANCH = "serve_branch"  # 双服务-学校
    SERVE_PERSON = "serve_person"  # 双服务-联系人
    PAIR = "pair"  # 结对

    @property
    def family(self) -> Family:
        if self in (LinkKind.CLASS, LinkKind.DORM, LinkKind.STUDENT):
            return Family.THREE
        if self is LinkKind.PAIR:
            return Family.PAIR
        return Family.SERVE


class LinkStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class ContactWay(StrEnum):
    TALK = "talk"  # 谈心
    VISIT = "visit"  # 上门
    PHONE = "phone"  # 电话
    ONLINE = "online"  # 线上
    ACTIVITY = "activity"  # 活动
    OTHER = "other"  # 其他


class LinkProblem(InputProblem):
    """Input a link or contact cannot hold; ``code`` names the message, ``params`` fill it."""


class LinkForbidden(PermissionError):
    """The person may not do this to this link (someone else's, another branch's)."""


class NotFound(LookupError):
    """No such link or contact."""


def problem(error: ValidationError) -> LinkProblem:
    """The ``LinkProblem`` behind a model's validation error (code ``invalid`` if none)."""
    return cause_of(error, LinkProblem) or LinkProblem("invalid")


# --------------------------------------------------------------------------- field rules


def clean_place(text: str) -> str:
    """A class or dorm as typed, one spelling for full- and half-width brackets."""
    place = " ".join(text.split()).replace("（", "(").replace("）", ")")
    if not 1 <= len(place) <= PLACE_MAX:
        raise LinkProblem("place_length", most=PLACE_MAX)
    return place


def clean_student(text: str) -> str:
    """A student's alias, by the home-visit rule (the full-name warning is the caller's)."""
    try:
        return clean_alias(text)
    except VisitProblem as error:
        raise LinkProblem(error.code) from None


def clean_person_role(text: str) -> str:
    role = " ".join(text.split())
    if not ROLE_MIN <= len(role) <= ROLE_MAX:
        raise LinkProblem("role_length", least=ROLE_MIN, most=ROLE_MAX)
    return role


def clean_note(text: str | None) -> str | None:
    """One line of what happened: line breaks folded, at most ``NOTE_MAX`` characters."""
    if text is None:
        return None
    note = " ".join(text.split())
    if len(note) > NOTE_MAX:
        raise LinkProblem("note_long", most=NOTE_MAX)
    return note or None


def clean_reason(text: str) -> str:
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise LinkProblem("reason_length", least=REASON_MIN, most=REASON_MAX)
    return reason


# --------------------------------------------------------------------------- models


_TARGETS = ("target_text", "student_alias", "target_member_id", "person_name", "target_branch_id")
_NEEDS: dict[LinkKind, tuple[str, ...]] = {
    LinkKind.CLASS: ("target_text",),
    LinkKind.DORM: ("target_text",),
    LinkKind.STUDENT: ("student_alias",),
    LinkKind.SERVE_BRANCH: ("target_branch_id",),
    LinkKind.SERVE_PERSON: ("target_member_id", "person_name"),  # one of the two
    LinkKind.PAIR: ("target_branch_id",),
}


class LinkBase(BaseModel):
    """Who is linked to what, for which period: the rules every stored link keeps."""

    kind: LinkKind
    member_id: int | None = None
    branch_id: int
    target_text: str | None = None
    student_alias: str | None = None
    target_member_id: int | None = None
    person_name: str | None = None
    person_role: str | None = None
    target_branch_id: int | None = None
    period: LinkPeriod
    period_start: date
    period_end: date
    start_on: date

    @field_validator("target_text")
    @classmethod
    def _place(cls, value: str | None) -> str | None:
        return None if value is None else clean_place(value)

    @field_validator("student_alias")
    @classmethod
    def _student(cls, value: str | None) -> str | None:
        return None if value is None else clean_student(value)

    @field_validator("person_name")
    @classmethod
    def _person(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return PersonName(value=value).value
        except ValidationError:
            raise LinkProblem("person_name") from None

    @field_validator("person_role")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        return None if value is None else clean_person_role(value)

    @model_validator(mode="after")
    def _shape(self) -> LinkBase:
        if (self.kind is LinkKind.PAIR) != (self.member_id is None):
            raise LinkProblem("owner")
        needed = _NEEDS[self.kind]
        given = [name for name in _TARGETS if getattr(self, name) is not None]
        if len(given) != 1 or given[0] not in needed:
            raise LinkProblem("target")
        if self.person_name is not None and self.person_role is None:
            raise LinkProblem("role_length", least=ROLE_MIN, most=ROLE_MAX)
        if self.person_name is None and self.person_role is not None:
            raise LinkProblem("target")
        if self.target_branch_id is not None and self.target_branch_id == self.branch_id:
            raise LinkProblem("same_branch")
        if not self.period_start < self.period_end:
            raise LinkProblem("period")
        if not self.period_start <= self.start_on <= self.period_end:
            raise LinkProblem("start_outside_period", first=self.period_start, last=self.period_end)
        return self

    @property
    def family(self) -> Family:
        return self.kind.family

    @property
    def span(self) -> Span:
        return Span(self.period_start, self.period_end)


class LinkFields(LinkBase):
    """A link as someone sets it on ``today`` (the deployment's local date): it cannot
    begin in the future, except on the first day of a period still ahead (set in the
    summer gap for the coming term)."""

    today: date = Field(exclude=True)

    @model_validator(mode="after")
    def _not_future(self) -> LinkFields:
        if self.start_on > max(self.today, self.period_start):
            raise LinkProblem("start_future")
        return self


class Link(LinkBase):
    id: int
    status: LinkStatus
    replaces_id: int | None = None
    replaced_by: int | None = None
    created_by: int
    created_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    decline_note: str | None = None
    ended_by: int | None = None
    ended_at: datetime | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    erased_at: datetime | None = None

    @property
    def running(self) -> bool:
        """Proposed or active: not yet declined or ended."""
        return self.status in (LinkStatus.PROPOSED, LinkStatus.ACTIVE)

    def in_force(self, today: date) -> bool:
        """Running, and its period not over by ``today`` (one set ahead for the coming
        term is in force already): what /links lists, what may be logged on."""
        return self.running and today <= self.period_end

    @property
    def last_on(self) -> date:
        """The link's last day: the day it ended, or its period's end, whichever is first."""
        if self.ended_on is not None and self.ended_on < self.period_end:
            return self.ended_on
        return self.period_end

    def sides(self) -> set[int]:
        """The branches this link belongs to: both for a 结对, else the owner's."""
        if self.kind is LinkKind.PAIR and self.target_branch_id is not None:
            return {self.branch_id, self.target_branch_id}
        return {self.branch_id}

    def contact_range(self, today: date) -> Span:
        """The days a contact may be dated: from the link's start to today (or the period's end)."""
        return Span(self.start_on, min(today, self.period_end))

    def may_decide(self, person: Member) -> bool:
        """Confirm or decline a proposed link: the owner's secretary or an admin, not the owner."""
        if person.id == self.member_id:
            return False
        return person.role is Role.ADMIN or _secretary_of(person, self.branch_id)

    def may_end(self, person: Member) -> bool:
        """End a link: its owner, the owner's secretary, or an admin; a 结对 only an admin."""
        if person.role is Role.ADMIN:
            return True
        if self.kind is LinkKind.PAIR:
            return False
        return person.id == self.member_id or _secretary_of(person, self.branch_id)

    def may_log(self, person: Member) -> bool:
        """Log a contact: the owner; for a 结对 the secretary of either branch."""
        if self.kind is LinkKind.PAIR:
            return any(_secretary_of(person, branch) for branch in self.sides())
        return person.id == self.member_id

    def may_see_student(self, person: Member) -> bool:
        """A student's alias is seen by the teacher, their secretary and admins only."""
        if person.role is Role.ADMIN:
            return True
        return person.id == self.member_id or _secretary_of(person, self.branch_id)


def _secretary_of(person: Member, branch_id: int) -> bool:
    return person.role is Role.SECRETARY and person.active and person.branch_id == branch_id


def may_set(person: Member, kind: LinkKind, owner: Member | None) -> bool:
    """Who sets which link: a member their own 三联系; a secretary their own 三联系 and the
    双服务 contacts of their branch's people; an admin anything, 结对 and 双服务-学校 only them."""
    if person.role is Role.ADMIN:
        return True
    if owner is None or kind in (LinkKind.PAIR, LinkKind.SERVE_BRANCH):
        return False
    if kind.family is Family.THREE:
        return owner.id == person.id
    return _secretary_of(person, owner.branch_id) if owner.branch_id is not None else False


def needs_confirmation(person: Member, kind: LinkKind, owner: Member | None) -> bool:
    """A member's own 三联系 waits for the secretary; what a secretary or admin sets is active."""
    return (
        kind.family is Family.THREE
        and owner is not None
        and owner.id == person.id
        and person.role is Role.MEMBER
    )


class ContactFields(BaseModel):
    """One contact as logged on ``today``, dated inside the link's ``first``–``last``."""

    on_date: date
    how: ContactWay
    note: str | None = None
    photo_file_id: str | None = Field(default=None, max_length=200)
    first: date = Field(exclude=True)
    last: date = Field(exclude=True)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return clean_note(value)

    @model_validator(mode="after")
    def _dated(self) -> ContactFields:
        if not self.first <= self.on_date <= self.last:
            raise LinkProblem("date_range", first=self.first, last=self.last)
        return self

    @classmethod
    def for_link(cls, link: Link, today: date, **values: Any) -> ContactFields:
        allowed = link.contact_range(today)
        return cls.model_validate({**values, "first": allowed.start, "last": allowed.end})


class Contact(BaseModel):
    id: int
    link_id: int
    on_date: date
    how: ContactWay
    note: str | None = None
    photo_file_id: str | None = None
    logged_by: int
    side_branch_id: int
    created_at: datetime
    withdrawn_at: datetime | None = None


class ContactEntry(BaseModel):
    """A line of a link's log: a contact, or a home visit to a 学困生 link's student."""

    source: str  # 'contact' or 'home_visit'
    id: int
    on_date: date
    how: ContactWay | None = None  # None for a home visit
    note: str | None = None
    photo_file_id: str | None = None
    logged_by: int
    side_branch_id: int | None = None

    @property
    def home_visit(self) -> bool:
        return self.source == "home_visit"


class LinkCoverage(BaseModel):
    """One link in one window: its contacts there, the last one ever, and its standing."""

    link: Link
    owner_name: str
    owner_telegram_id: int | None = None
    branch_name: str
    target_member_name: str | None = None
    target_branch_name: str | None = None
    window_start: date
    window_end: date
    contacts: int
    last_contact: date | None = None
    standing: Standing


class FamilyCoverage(BaseModel):
    """A family's links in their window: how many were contacted, and how many are behind."""

    family: Family
    links: int = 0
    covered: int = 0
    behind: int = 0


# --------------------------------------------------------------------------- writes


async def set_link(
    tx: aiosqlite.Connection,
    fields: LinkFields,
    *,
    actor: Member,
    owner: Member | None,
    replace: bool = False,
    now: datetime,
) -> Link:
    """Store a link ``actor`` sets for ``owner`` (None for a 结对).

    A member's own 三联系 is proposed for the secretary; anything else is active at once.
    A second 三联系-班级 in the same period is refused (``class_taken``) unless
    ``replace``: then the first ends when the new one becomes active.
    """
    if not may_set(actor, fields.kind, owner):
        raise LinkForbidden(fields.kind)
    if owner is not None and (owner.id != fields.member_id or owner.branch_id != fields.branch_id):
        raise LinkProblem("owner")
    if fields.target_member_id is not None:
        await _check_person(tx, fields, actor=actor)
    if await _duplicate(tx, fields) is not None:
        raise LinkProblem("duplicate")
    replaces = await _class_in_period(tx, fields) if fields.kind is LinkKind.CLASS else None
    if replaces is not None and not replace:
        raise LinkProblem("class_taken", current=replaces.target_text, link_id=replaces.id)
    status = (
        LinkStatus.PROPOSED if needs_confirmation(actor, fields.kind, owner) else LinkStatus.ACTIVE
    )
    # A replacing link is stored as proposed until the one it replaces has ended, so there
    # is never a moment with two active classes.
    stored = LinkStatus.PROPOSED if replaces is not None else status
    values = fields.model_dump(mode="json")
    link_id = await audit.inserted(
        tx,
        "INSERT INTO links (kind, member_id, branch_id, target_text, student_alias,"
        " target_member_id, person_name, person_role, target_branch_id, period, period_start,"
        " period_end, start_on, status, replaces_id, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *(values[name] for name in _COLUMNS),
            stored.value,
            None if replaces is None else replaces.id,
            actor.id,
            to_iso(now),
        ),
        at=now,
        actor_id=actor.id,
        action="links.set",
        entity="link",
        kind=fields.kind.value,
        status=status.value,
        owner_id=fields.member_id,
        branch_id=fields.branch_id,
        replaces=None if replaces is None else replaces.id,
    )
    if replaces is not None and (
        status is LinkStatus.ACTIVE or replaces.status is LinkStatus.PROPOSED
    ):
        await _end_replaced(
            tx, replaces.id, by=link_id, actor_id=actor.id, today=fields.today, now=now
        )
    if stored is not status:
        await tx.execute("UPDATE links SET status = ? WHERE id = ?", (status.value, link_id))
    return await _get_required(tx, link_id)


async def confirm(
    tx: aiosqlite.Connection, link_id: int, *, actor: Member, today: date, now: datetime
) -> Link:
    """The secretary (or an admin) confirms a proposed link; one it replaces ends now."""
    link = await _acted_on(tx, link_id, actor, Link.may_decide, "not_proposed", today)
    if link.kind is LinkKind.CLASS:
        taken = await _class_in_period(tx, link, besides=link.id)
        if taken is not None and taken.id != link.replaces_id:
            raise LinkProblem("class_taken", current=taken.target_text, link_id=taken.id)
        if taken is not None:
            await _end_replaced(tx, taken.id, by=link.id, actor_id=actor.id, now=now, today=today)
    decided = _decided(actor.id, now)
    await _move(tx, link.id, LinkStatus.ACTIVE, decided, actor.id, now, "links.confirmed")
    return await _get_required(tx, link.id)


async def decline(
    tx: aiosqlite.Connection, link_id: int, *, actor: Member, note: str | None, now: datetime
) -> Link:
    """The secretary (or an admin) declines a proposed link, with an optional note."""
    link = await _acted_on(tx, link_id, actor, Link.may_decide, "not_proposed")
    decided = _decided(actor.id, now, decline_note=clean_note(note))
    await _move(tx, link.id, LinkStatus.DECLINED, decided, actor.id, now, "links.declined")
    return await _get_required(tx, link.id)


async def end(
    tx: aiosqlite.Connection,
    link_id: int,
    *,
    actor: Member,
    reason: str,
    today: date,
    now: datetime,
) -> Link:
    """End a running link, keeping it and its contacts; refused for someone else's link."""
    link = await _acted_on(tx, link_id, actor, Link.may_end, "not_running")
    ended = _ended(actor.id, today, now, end_reason=clean_reason(reason))
    await _move(tx, link.id, LinkStatus.ENDED, ended, actor.id, now, "links.ended")
    return await _get_required(tx, link.id)


async def log_contact(
    tx: aiosqlite.Connection,
    link_id: int,
    fields: ContactFields,
    *,
    actor: Member,
    now: datetime,
    today: date | None = None,
) -> Contact:
    """Log a contact on an active link by someone who may; for a 结对 it is the logger's
    side (branch) that is recorded, and both sides see it. Given ``today``, a link whose
    period is over by then is refused (a flow begun before its last midnight)."""
    link = await _acted_on(tx, link_id, actor, Link.may_log, "not_active", today)
    side = actor.branch_id if link.kind is LinkKind.PAIR else link.branch_id
    assert side is not None  # may_log: a pair's logger is a secretary of one side
    contact_id = await audit.inserted(
        tx,
        "INSERT INTO link_contacts (link_id, on_date, how, note, photo_file_id, logged_by,"
        " side_branch_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            link.id,
            fields.on_date.isoformat(),
            fields.how.value,
            fields.note,
            fields.photo_file_id,
            actor.id,
            side,
            to_iso(now),
        ),
        at=now,
        actor_id=actor.id,
        action="links.contact_logged",
        entity="link_contact",
        link_id=link.id,
        on_date=fields.on_date.isoformat(),
        how=fields.how.value,
    )
    return required(await get_contact(tx, contact_id))


async def erase_student_data(
    tx: aiosqlite.Connection, up_to: date, now: datetime, limit: int
) -> int:
    """Retention: up to ``limit`` 学困生 links that ended (or whose period ended) on or
    before ``up_to`` lose their alias, and their contacts their notes and photos; dates
    and counts stay."""
    where = "kind = 'student' AND COALESCE(ended_on, period_end) <= ?"
    erased = await retention.erase_rows(
        tx, "links", where, [up_to.isoformat()], limit, _erasing(now)
    )
    return erased.records


async def erase_for_members(
    tx: aiosqlite.Connection, member_ids: Sequence[int], now: datetime
) -> int:
    """A departed member's erasure: their 学困生 aliases, and the notes and photos of the
    contacts on all their links."""
    where, params = retention.of_members(member_ids)
    return (await retention.erase_rows(tx, "links", where, params, None, _erasing(now))).records


def _erasing(now: datetime) -> list[tuple[str, list[Any]]]:
    return [
        ("UPDATE links SET student_alias = CASE WHEN kind = 'student' THEN ? END,"
         " erased_at = ? WHERE id IN ({ids})",
         [ERASED_ALIAS, to_iso(now)]),
        ("UPDATE link_contacts SET note = NULL, photo_file_id = NULL WHERE link_id IN ({ids})",
         []),
    ]  # fmt: skip


async def withdraw_contact(
    tx: aiosqlite.Connection, contact_id: int, *, actor_id: int, now: datetime
) -> None:
    """The person who logged a contact takes it back (a mistake); it stays, marked. The
    audit entry names it by id, its link and its date, never its note."""
    contact = await get_contact(tx, contact_id)
    await audit.changed(
        tx,
        "UPDATE link_contacts SET withdrawn_at = ? WHERE id = ? AND logged_by = ?"
        " AND withdrawn_at IS NULL",
        (to_iso(now), contact_id, actor_id),
        missing=NotFound(contact_id),
        at=now, actor_id=actor_id, action="links.contact_withdrawn", entity="link_contact",
        entity_id=contact_id, link_id=contact.link_id if contact else None,
        on_date=contact.on_date.isoformat() if contact else None,
    )  # fmt: skip


_COLUMNS = (
    "kind", "member_id", "branch_id", "target_text", "student_alias", "target_member_id",
    "person_name", "person_role", "target_branch_id", "period", "period_start", "period_end",
    "start_on",
)  # fmt: skip


async def _check_person(tx: aiosqlite.Connection, fields: LinkFields, *, actor: Member) -> None:
    """A 双服务 contact who is a member: active, not the owner, and of the owner's branch
    unless an admin chose them."""
    # Not fetch_value: an admin's branch_id is NULL, which is not "no such person".
    rows = await tx.execute_fetchall(
        f"SELECT branch_id FROM members WHERE id = ? AND {participating()}",
        (fields.target_member_id,),
    )
    row = next(iter(rows), None)
    if row is None:
        raise LinkProblem("person_unknown")
    if fields.target_member_id == fields.member_id:
        raise LinkProblem("self")
    if row[0] != fields.branch_id and actor.role is not Role.ADMIN:
        raise LinkProblem("other_branch_person")


async def _duplicate(tx: aiosqlite.Connection, fields: LinkFields) -> int | None:
    """A running link of the same kind, owner and target whose period overlaps."""
    value = await fetch_value(
        tx,
        "SELECT id FROM links WHERE kind = ? AND status IN ('proposed', 'active')"
        " AND period_start <= ? AND period_end >= ?"
        " AND ((member_id IS NULL AND ? IS NULL AND ((branch_id = ? AND target_branch_id = ?)"
        "       OR (branch_id = ? AND target_branch_id = ?)))"
        "   OR (member_id = ? AND (target_text = ? OR student_alias = ?"
        "       OR target_member_id = ? OR person_name = ? OR target_branch_id = ?)))"
        " LIMIT 1",
        (
            fields.kind.value,
            fields.period_end.isoformat(),
            fields.period_start.isoformat(),
            fields.member_id,
            fields.branch_id,
            fields.target_branch_id,
            fields.target_branch_id,
            fields.branch_id,
            fields.member_id,
            fields.target_text,
            fields.student_alias,
            fields.target_member_id,
            fields.person_name,
            fields.target_branch_id,
        ),
    )
    return None if value is None else int(value)


_LINKS = Table("links", Link)
_CONTACTS = Table("link_contacts", Contact)


async def _class_in_period(
    tx: aiosqlite.Connection, fields: LinkBase, *, besides: int | None = None
) -> Link | None:
    """The owner's running class link whose period overlaps (active first)."""
    return await _LINKS.first(
        tx,
        "WHERE kind = 'class' AND member_id = ? AND id IS NOT ?"
        " AND status IN ('proposed', 'active') AND period_start <= ? AND period_end >= ?"
        " ORDER BY CASE status WHEN 'active' THEN 0 ELSE 1 END, id DESC LIMIT 1",
        (fields.member_id, besides, fields.period_end.isoformat(), fields.period_start.isoformat()),
    )


async def _end_replaced(
    tx: aiosqlite.Connection, link_id: int, *, by: int, actor_id: int, today: date, now: datetime
) -> None:
    ended = _ended(actor_id, today, now, replaced_by=by)
    await _move(
        tx, link_id, LinkStatus.ENDED, ended, actor_id, now, "links.replaced", replaced_by=by
    )


# The statuses a link may move to each status from; a second press finds it moved already
# and changes nothing.
_MOVES_FROM = {
    LinkStatus.ACTIVE: (LinkStatus.PROPOSED,),
    LinkStatus.DECLINED: (LinkStatus.PROPOSED,),
    LinkStatus.ENDED: (LinkStatus.PROPOSED, LinkStatus.ACTIVE),
}


async def _move(
    tx: aiosqlite.Connection,
    link_id: int,
    target: LinkStatus,
    columns: dict[str, Any],
    actor_id: int,
    now: datetime,
    action: str,
    **detail: Any,
) -> None:
    """Move the link to ``target`` with ``columns`` set, and audit it."""
    was = _MOVES_FROM[target]
    assignments = "".join(f", {name} = ?" for name in columns)
    await tx.execute(
        f"UPDATE links SET status = ?{assignments}"
        f" WHERE id = ? AND status IN ({', '.join('?' * len(was))})",
        (target.value, *columns.values(), link_id, *(status.value for status in was)),
    )
    await audit.record(
        tx, at=now, actor_id=actor_id, action=action, entity="link", entity_id=link_id, **detail
    )


def _decided(actor_id: int, now: datetime, **more: Any) -> dict[str, Any]:
    return {"decided_by": actor_id, "decided_at": to_iso(now), **more}


def _ended(actor_id: int, today: date, now: datetime, **more: Any) -> dict[str, Any]:
    return {"ended_by": actor_id, "ended_at": to_iso(now), "ended_on": today.isoformat(), **more}


# What each act on a link needs it to be in: the problem named otherwise, and the
# statuses that allow it.
_READY = {
    "not_proposed": (LinkStatus.PROPOSED,),
    "not_running": (LinkStatus.PROPOSED, LinkStatus.ACTIVE),
    "not_active": (LinkStatus.ACTIVE,),
}


async def _acted_on(
    tx: aiosqlite.Connection,
    link_id: int,
    actor: Member,
    may: Callable[[Link, Member], bool],
    unless: str,
    today: date | None = None,
) -> Link:
    """The link ``actor`` acts on: NotFound when there is none, LinkForbidden when ``may``
    refuses them, and the problem ``unless`` names when its status does not allow the act
    (or, given ``today``, when it is no longer in force: a button on an old message)."""
    link = await get(tx, link_id)
    if link is None:
        raise NotFound(link_id)
    if not may(link, actor):
        raise LinkForbidden(link_id)
    if link.status not in _READY[unless] or (today is not None and not link.in_force(today)):
        raise LinkProblem(unless)
    return link


async def _get_required(conn: aiosqlite.Connection, link_id: int) -> Link:
    return required(await get(conn, link_id))


# --------------------------------------------------------------------------- reads


async def get(conn: aiosqlite.Connection, link_id: int) -> Link | None:
    return await _LINKS.get(conn, link_id)


async def get_contact(conn: aiosqlite.Connection, contact_id: int) -> Contact | None:
    return await _CONTACTS.get(conn, contact_id)


async def names_of(conn: aiosqlite.Connection, member_ids: Sequence[int]) -> dict[int, str]:
    """The names of these members (left ones too), in one read, for the link screens."""
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = await conn.execute_fetchall(
        f"SELECT id, name FROM members WHERE id IN ({marks})", wanted
    )
    return {int(row[0]): str(row[1]) for row in rows}


# ``Link.in_force`` for a WHERE clause over ``links`` (one parameter: today).
IN_FORCE = "status IN ('proposed', 'active') AND period_end >= ?"


def last_on(alias: str) -> str:
    """``Link.last_on`` in SQL, for the links row ``alias``."""
    return (
        f"CASE WHEN {alias}.ended_on < {alias}.period_end THEN {alias}.ended_on"
        f" ELSE {alias}.period_end END"
    )


async def owned_by(conn: aiosqlite.Connection, member_id: int, *, today: date) -> list[Link]:
    """A member's links in force on ``today``, by kind then newest first."""
    # Found by the member's index, the period checked here: a member has a few running
    # links a year, while a bound on the period's end would send SQLite to the index of
    # every link in force in the bureau.
    running = await _LINKS.all(
        conn,
        f"WHERE member_id = ? AND status IN ('proposed', 'active') ORDER BY {_KIND_ORDER}, id DESC",
        (member_id,),
    )
    return [link for link in running if link.in_force(today)]


async def past_of(conn: aiosqlite.Connection, member_id: int, *, today: date) -> list[Link]:
    """A member's links no longer in force (ended, or their period over), newest first;
    declined proposals are not among them."""
    return await _LINKS.all(
        conn, f"WHERE {_PAST} ORDER BY period_end DESC, id DESC", (member_id, today.isoformat())
    )


async def count_past(conn: aiosqlite.Connection, member_id: int, *, today: date) -> int:
    """How many links ``past_of`` lists."""
    value = await fetch_value(
        conn, f"SELECT COUNT(*) FROM links WHERE {_PAST}", (member_id, today.isoformat())
    )
    return int(value or 0)


_PAST = f"member_id = ? AND status <> 'declined' AND NOT ({IN_FORCE})"


async def of_branch(conn: aiosqlite.Connection, branch_id: int, *, today: date) -> list[Link]:
    """The links in force of a branch's people, and the 结对 it is on either side of."""
    return await _LINKS.all(
        conn,
        "WHERE (branch_id = ? OR (kind = 'pair' AND target_branch_id = ?))"
        f" AND {IN_FORCE} ORDER BY {_KIND_ORDER}, id DESC",
        (branch_id, branch_id, today.isoformat()),
    )


async def proposed_in_branch(
    conn: aiosqlite.Connection, branch_id: int, *, today: date
) -> list[Link]:
    """Links waiting for this branch's secretary whose period is not over, oldest first."""
    return await _LINKS.all(
        conn,
        "WHERE branch_id = ? AND status = 'proposed' AND period_end >= ? ORDER BY id",
        (branch_id, today.isoformat()),
    )


async def contacts(
    conn: aiosqlite.Connection, link: Link, *, limit: int = 20, offset: int = 0
) -> list[ContactEntry]:
    """A link's log, newest first: its contacts, and for a 学困生 link the owner's home
    visits to the same alias from the day the link began (until it ended)."""
    rows = await fetch_all(
        conn,
        ContactEntry,
        "SELECT 'contact' AS source, id, on_date, how, note, photo_file_id, logged_by,"
        " side_branch_id FROM link_contacts WHERE link_id = ? AND withdrawn_at IS NULL"
        f" UNION ALL {_VISITS_AS_CONTACTS} ORDER BY on_date DESC, id DESC LIMIT ? OFFSET ?",
        (link.id, *_visit_params(link), limit, offset),
    )
    return rows


async def contacts_in(conn: aiosqlite.Connection, link: Link, span: Span) -> int:
    """How many contacts a link has dated in ``span`` (home visits counted for a 学困生)."""
    value = await fetch_value(
        conn,
        "SELECT COUNT(*) FROM (SELECT 'contact' AS source, id, on_date, how, note,"
        " photo_file_id, logged_by, side_branch_id FROM link_contacts WHERE link_id = ?"
        f" AND withdrawn_at IS NULL UNION ALL {_VISITS_AS_CONTACTS}) AS entries"
        " WHERE on_date BETWEEN ? AND ?",
        (link.id, *_visit_params(link), span.start.isoformat(), span.end.isoformat()),
    )
    return int(value or 0)


_VISITS_AS_CONTACTS = (
    "SELECT 'home_visit' AS source, id, visit_date AS on_date, NULL AS how, NULL AS note,"
    " NULL AS photo_file_id, member_id AS logged_by, NULL AS side_branch_id FROM home_visits"
    " WHERE ? = 'student' AND member_id = ? AND student_alias = ? AND withdrawn_at IS NULL"
    " AND visit_date BETWEEN ? AND ?"
)


def _visit_params(link: Link) -> tuple[Any, ...]:
    return (link.kind.value, link.member_id, link.student_alias, link.start_on.isoformat(),
            link.last_on.isoformat())  # fmt: skip


_KIND_ORDER = (
    "CASE kind WHEN 'class' THEN 0 WHEN 'dorm' THEN 1 WHEN 'student' THEN 2"
    " WHEN 'serve_branch' THEN 3 WHEN 'serve_person' THEN 4 ELSE 5 END"
)


# --------------------------------------------------------------------------- coverage


async def coverage(
    conn: aiosqlite.Connection,
    *,
    on: date,
    today: date,
    rhythms: LinkRhythms,
    terms: list[Term],
    branch_id: int | None = None,
    behind_only: bool = False,
) -> list[LinkCoverage]:
    """Every link that ran in the window holding ``on`` (per family: its month or term),
    with its contacts there and where it stands as of ``today``.

    ``branch_id`` limits it to that branch's people and the 结对 it is on either side
    of; None is every branch (the bureau's view, reminders). ``terms`` are the set terms.
    ``behind_only`` keeps the links standing behind, picked out by the database.
    """
    windows, params = _windows(on, rhythms, terms)
    if branch_id is not None:
        params += [branch_id, branch_id]
    params.append(today.isoformat())
    behind_filter = ""
    if behind_only:
        behind_filter = f"WHERE NOT {_CONTACTED} AND {_OWES} AND s.nudge_day <= ?"
        params.append(today.isoformat())
    # One trip (the digest asks for each of a hundred branches in one tick).
    sql = _SCOPED.format(branch_filter=_branch_filter(branch_id)) + _COVERAGE_SQL.format(
        behind_filter=behind_filter
    )
    rows = [dict(row) for row in await conn.execute_fetchall(sql, params)]
    found = []
    for row in rows:
        link = Link.model_validate(row)
        window = windows[link.family]
        count = int(row["logged"]) + int(row["visited"])
        lasts = [day for day in (row["last_logged"], row["last_visited"]) if day is not None]
        found.append(
            LinkCoverage(
                link=link,
                owner_name=row["owner_name"] or row["branch_name"],
                owner_telegram_id=row["owner_telegram_id"],
                branch_name=row["branch_name"],
                target_member_name=row["target_member_name"],
                target_branch_name=row["target_branch_name"],
                window_start=window.start,
                window_end=window.end,
                contacts=count,
                last_contact=max(lasts) if lasts else None,
                standing=standing(
                    rhythms.of(link.family),
                    window,
                    contacts=count,
                    began=link.start_on,
                    ended=link.last_on,
                    today=today,
                ),
            )
        )
    return found


async def branch_totals(
    conn: aiosqlite.Connection, *, on: date, today: date, rhythms: LinkRhythms, terms: list[Term]
) -> dict[int, dict[Family, FamilyCoverage]]:
    """``by_branch(coverage(...))`` counted by the database: every branch's figures for
    the window holding ``on`` without reading a link (the bureau's screen)."""
    _, params = _windows(on, rhythms, terms)
    params.append(today.isoformat())
    rows = await conn.execute_fetchall(_SCOPED.format(branch_filter="") + _TOTALS_SQL, params)
    out: dict[int, dict[Family, FamilyCoverage]] = {}
    for owner_branch, other_side, family, owed, covered, late in rows:
        for side in (owner_branch, other_side):
            if side is None:
                continue
            line = out.setdefault(int(side), {f: FamilyCoverage(family=f) for f in Family})[
                Family(family)
            ]
            line.links += owed
            line.covered += covered
            line.behind += late
    return out


def summarize(rows: list[LinkCoverage]) -> dict[Family, FamilyCoverage]:
    """Counts per family; links that owe no contact in the window are left out."""
    out = {family: FamilyCoverage(family=family) for family in Family}
    for row in rows:
        if row.standing is Standing.NOT_DUE:
            continue
        line = out[row.link.family]
        line.links += 1
        line.covered += row.standing is Standing.COVERED
        line.behind += row.standing is Standing.BEHIND
    return out


def by_branch(rows: list[LinkCoverage]) -> dict[int, dict[Family, FamilyCoverage]]:
    """``summarize`` per branch; a 结对 counts on both sides."""
    grouped: dict[int, list[LinkCoverage]] = defaultdict(list)
    for row in rows:
        for branch in row.link.sides():
            grouped[branch].append(row)
    return {branch: summarize(lines) for branch, lines in grouped.items()}


async def behind(
    conn: aiosqlite.Connection, *, today: date, rhythms: LinkRhythms, terms: list[Term]
) -> list[LinkCoverage]:
    """Active links, in every branch, still without a contact late in today's window:
    what the reminders nudge. A member's links only while the member is active."""
    windows, _ = _windows(today, rhythms, terms)
    if all(today < nudge_day(rhythms.of(f), window) for f, window in windows.items()):
        # No window is in its last days: nobody can be behind, so nothing is read. The
        # tick asks every minute, and at a bureau's size the full coverage costs ~0.5 s.
        return []
    rows = await coverage(
        conn, on=today, today=today, rhythms=rhythms, terms=terms, behind_only=True
    )
    return [
        row
        for row in rows
        if row.link.status is LinkStatus.ACTIVE
        and (row.link.member_id is None or row.owner_telegram_id is not None)
    ]


def _windows(
    on: date, rhythms: LinkRhythms, terms: list[Term]
) -> tuple[dict[Family, Span], list[Any]]:
    """Each family's window holding ``on``, and what ``_SCOPED`` binds: per family its
    first day, last day, and the nudge day from which a link owing a contact is behind;
    then the earliest first day."""
    windows = {family: window_of(rhythms.of(family), on, terms) for family in Family}
    params: list[Any] = []
    for family, window in windows.items():
        nudge = nudge_day(rhythms.of(family), window)
        params += [
            family.value,
            window.start.isoformat(),
            window.end.isoformat(),
            nudge.isoformat(),
        ]
    params.append(min(window.start for window in windows.values()).isoformat())
    return windows, params


def _branch_filter(branch_id: int | None) -> str:
    if branch_id is None:
        return ""
    return "AND (l.branch_id = ? OR (l.kind = 'pair' AND l.target_branch_id = ?))"


# The links that ran in their family's window (``scoped``, one row per link): links
# first (CROSS JOIN keeps that order), found by the index on their period's end from the
# earliest window's first day, so past terms' links are never read. The two
# conditions below are ``link_rules.standing`` for the database: ``contacted`` (at least one
# contact in the window) and ``owes`` (running on the nudge day); tests hold them equal.
_SCOPED = f"""
WITH windows (family, first_day, last_day, nudge_day) AS (
    VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?)),
scoped AS (
    SELECT l.*, {last_on("l")} AS last_on, w.family, w.first_day, w.last_day, w.nudge_day
    FROM links l CROSS JOIN windows w
    WHERE l.status IN ('active', 'ended') AND l.period_end >= ?
      AND w.family = CASE WHEN l.kind IN ('class', 'dorm', 'student') THEN 'three'
        WHEN l.kind = 'pair' THEN 'pair' ELSE 'serve' END
      AND l.start_on <= w.last_day AND {last_on("l")} >= w.first_day
      {{branch_filter}}
)
"""
_CONTACTED = """(EXISTS (SELECT 1 FROM link_contacts c WHERE c.link_id = s.id
        AND c.withdrawn_at IS NULL AND c.on_date BETWEEN s.first_day AND s.last_day)
    OR CASE WHEN s.kind = 'student' THEN EXISTS (SELECT 1 FROM home_visits v
        WHERE v.member_id = s.member_id AND v.student_alias = s.student_alias
        AND v.withdrawn_at IS NULL AND v.visit_date BETWEEN s.first_day AND s.last_day
        AND v.visit_date BETWEEN s.start_on AND s.last_on)
        ELSE 0 END)"""
_OWES = "(s.start_on < s.nudge_day AND s.last_on >= s.nudge_day)"

_COVERAGE_SQL = """
SELECT s.*,
    (SELECT COUNT(*) FROM link_contacts c WHERE c.link_id = s.id AND c.withdrawn_at IS NULL
        AND c.on_date BETWEEN s.first_day AND s.last_day) AS logged,
    (SELECT COUNT(*) FROM home_visits v WHERE s.kind = 'student' AND v.member_id = s.member_id
        AND v.student_alias = s.student_alias AND v.withdrawn_at IS NULL
        AND v.visit_date BETWEEN s.first_day AND s.last_day AND v.visit_date >= s.start_on
        AND v.visit_date <= s.last_on) AS visited,
    (SELECT MAX(c.on_date) FROM link_contacts c WHERE c.link_id = s.id
        AND c.withdrawn_at IS NULL AND c.on_date <= ?) AS last_logged,
    (SELECT MAX(v.visit_date) FROM home_visits v WHERE s.kind = 'student'
        AND v.member_id = s.member_id AND v.student_alias = s.student_alias
        AND v.withdrawn_at IS NULL AND v.visit_date >= s.start_on
        AND v.visit_date <= s.last_on) AS last_visited,
    CASE WHEN om.status = 'active' THEN om.telegram_id END AS owner_telegram_id,
    om.name AS owner_name, ob.name AS branch_name,
    tm.name AS target_member_name, tb.name AS target_branch_name
FROM scoped s
JOIN branches ob ON ob.id = s.branch_id
LEFT JOIN members om ON om.id = s.member_id
LEFT JOIN members tm ON tm.id = s.target_member_id
LEFT JOIN branches tb ON tb.id = s.target_branch_id
{behind_filter}
ORDER BY ob.name, om.name, CASE s.kind WHEN 'class' THEN 0 WHEN 'dorm' THEN 1
    WHEN 'student' THEN 2 WHEN 'serve_branch' THEN 3 WHEN 'serve_person' THEN 4 ELSE 5 END,
    s.id
"""

# Per owner branch (and a 结对's other side) and family: the links owing a contact or
# contacted, those contacted, and those behind as of today (the last parameter). Each
# link's conditions are worked out once (MATERIALIZED), not once per sum.
_TOTALS_SQL = f""",
flagged AS MATERIALIZED (
    SELECT s.branch_id, CASE WHEN s.kind = 'pair' THEN s.target_branch_id END AS other,
        s.family, s.nudge_day, {_CONTACTED} AS contacted, {_OWES} AS owes
    FROM scoped s
)
SELECT branch_id, other, family, SUM(contacted OR owes), SUM(contacted),
    SUM(NOT contacted AND owes AND nudge_day <= ?)
FROM flagged GROUP BY branch_id, other, family
"""


# --------------------------------------------------------------------------- for the 台账


@dataclass(frozen=True, slots=True)
class LedgerContact:
    """One line of the 三联系/双服务/结对 sheet: a contact, or a home visit counted as one.

    ``target`` is None for a student in a ledger read without ``private``, and so is a
    student link's ``note``: inspectors see that a contact happened and when, not whom.
    """

    on_date: date
    kind: LinkKind
    owner: str
    target: str | None
    how: str  # a ContactWay value, or "home_visit"
    note: str | None
    side: str | None  # a 结对's contact: the branch that logged it


async def ledger_contacts(
    conn: aiosqlite.Connection, branch_id: int, start: date, end: date, *, private: bool
) -> list[LedgerContact]:
    """The branch's contacts dated ``start``–``end`` (its people's, and both sides of its
    结对), with home visits to its 学困生 links' students, by date."""
    span = (start.isoformat(), end.isoformat())
    rows = await conn.execute_fetchall(
        f"""
        SELECT c.on_date, c.how, c.note, sb.name AS side, {_LEDGER_LINK}
        FROM link_contacts c JOIN links l ON l.id = c.link_id
        JOIN branches sb ON sb.id = c.side_branch_id {_LEDGER_JOINS}
        WHERE c.withdrawn_at IS NULL AND c.on_date BETWEEN ? AND ?
          AND (l.branch_id = ? OR (l.kind = 'pair' AND l.target_branch_id = ?))
        UNION ALL
        SELECT v.visit_date, 'home_visit', NULL, NULL, {_LEDGER_LINK}
        FROM home_visits v JOIN links l ON l.kind = 'student' AND l.member_id = v.member_id
             AND l.student_alias = v.student_alias AND l.status IN ('active', 'ended')
             AND v.visit_date BETWEEN l.start_on AND {last_on("l")}
        {_LEDGER_JOINS}
        WHERE v.withdrawn_at IS NULL AND v.visit_date BETWEEN ? AND ? AND l.branch_id = ?
        ORDER BY 1, 5
        """,
        (*span, branch_id, branch_id, *span, branch_id),
    )
    return [_ledger_line(row, branch_id, private=private) for row in rows]


_LEDGER_LINK = (
    "l.id AS link_id, l.kind, l.branch_id, l.target_text, l.student_alias, l.person_name,"
    " l.person_role, om.name AS owner, ob.name AS owner_branch, tm.name AS target_member,"
    " tb.name AS target_branch"
)
_LEDGER_JOINS = (
    "JOIN branches ob ON ob.id = l.branch_id LEFT JOIN members om ON om.id = l.member_id"
    " LEFT JOIN members tm ON tm.id = l.target_member_id"
    " LEFT JOIN branches tb ON tb.id = l.target_branch_id"
)


def _ledger_line(row: Any, branch_id: int, *, private: bool) -> LedgerContact:
    kind = LinkKind(row["kind"])
    if kind is LinkKind.STUDENT:
        target = row["student_alias"] if private else None
    elif kind is LinkKind.PAIR:
        # Each side's book names the other branch.
        target = row["target_branch"] if row["branch_id"] == branch_id else row["owner_branch"]
    elif kind is LinkKind.SERVE_BRANCH:
        target = row["target_branch"]
    elif kind is LinkKind.SERVE_PERSON:
        target = row["target_member"] or f"{row['person_name']}（{row['person_role']}）"
    else:
        target = row["target_text"]
    owner = row["owner"] or row["owner_branch"]
    if kind is LinkKind.PAIR:
        owner = row["owner_branch"] if row["branch_id"] == branch_id else row["target_branch"]
    note = row["note"] if private or kind is not LinkKind.STUDENT else None
    return LedgerContact(
        on_date=date.fromisoformat(row["on_date"]),
        kind=kind,
        owner=owner,
        target=target,
        how=row["how"],
        note=note,
        side=row["side"] if kind is LinkKind.PAIR else None,
    )


async def period_coverage(
    conn: aiosqlite.Connection,
    *,
    branch_id: int,
    start: date,
    end: date,
    today: date,
    rhythms: LinkRhythms,
    terms: list[Term],
) -> dict[Family, FamilyCoverage]:
    """Coverage over a span: for each family, every window of its rhythm that began in
    ``start``–``end`` by ``today``, each link counted once per window it owed a contact."""
    totals = {family: FamilyCoverage(family=family) for family in Family}
    last = min(end, today)
    anchors: dict[Family, list[date]] = {family: [] for family in Family}
    day = start.replace(day=1)
    while day <= last:
        for family in Family:
            window = window_of(rhythms.of(family), max(day, start), terms)
            if window.start <= last and max(window.start, start) not in anchors[family]:
                anchors[family].append(max(window.start, start))
        day = next_month(day)
    read: dict[date, dict[Family, FamilyCoverage]] = {}
    for family, days in anchors.items():
        for anchor in days:
            if anchor not in read:
                rows = await coverage(
                    conn, on=anchor, today=today, rhythms=rhythms, terms=terms,
                    branch_id=branch_id,
                )  # fmt: skip
                read[anchor] = summarize(rows)
            line = read[anchor][family]
            totals[family].links += line.links
            totals[family].covered += line.covered
            totals[family].behind += line.behind
    return totals
