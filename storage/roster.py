"""Expected people: whom a roster import listed, to join through a personal one-use link.

A secretary imports the branch's members, an admin the branches with their secretaries.
``check_members`` / ``check_branches`` say what each row of a file would do (new, already
there, or a problem and why) by the same name rules as joining (``storage.names``);
``import_members`` / ``import_branches`` check again inside the transaction and create only
the new rows, so importing the same file twice changes nothing. A phone number is for
the person who imported it (the secretary; admins for secretaries): never shown to
anyone else, never written to the audit log.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage import audit, branches, invites, names
from storage.branches import BranchName
from storage.clock import to_iso
from storage.invites import Invite
from storage.members import Role
from storage.rows import Table, changed_one, fetch_all

# A personal link is handed out by hand (a message, a note, WeChat): it stays open longer
# than a branch's shared link, and opens once.
PERSONAL_INVITE_TTL = timedelta(days=30)
MAX_ROWS = 500
FIELD_MAX = 30  # subject, class
NOTES_MAX = 200
_PHONE = re.compile(r"^\+?\d{5,20}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


class RowProblem(StrEnum):
    NAME_BLANK = "name_blank"
    NAME_LENGTH = "name_length"
    NAME_CHARACTERS = "name_characters"
    NAME_INVISIBLE = "name_invisible"
    NAME_ROLE_WORD = "name_role_word"  # detail: the word
    NAME_ADMIN = "name_admin"  # looks like a bureau admin's name
    DUPLICATE = "duplicate"  # detail: the earlier row's number
    PHONE = "phone"
    FIELD = "field"  # detail: which column (subject, class_name, notes)
    BRANCH_BLANK = "branch_blank"
    BRANCH_NAME = "branch_name"
    BRANCH_HAS_SECRETARY = "branch_has_secretary"  # detail: that secretary's name


_NAME_PROBLEMS = {
    names.NameProblem.LENGTH: RowProblem.NAME_LENGTH,
    names.NameProblem.CHARACTERS: RowProblem.NAME_CHARACTERS,
    names.NameProblem.INVISIBLE: RowProblem.NAME_INVISIBLE,
    names.NameProblem.DECORATION: RowProblem.NAME_INVISIBLE,
    names.NameProblem.ROLE_WORD: RowProblem.NAME_ROLE_WORD,
}


class RosterRow(BaseModel):
    """One row of an imported sheet, as written (``number``: the row in the sheet)."""

    model_config = ConfigDict(frozen=True)

    number: int
    name: str = ""
    subject: str = ""
    class_name: str = ""
    phone: str = ""
    notes: str = ""
    branch: str = ""  # importing branches: the branch this row's secretary leads


class Planned(BaseModel):
    """A row that will create an expected person (values cleaned)."""

    number: int
    name: str
    subject: str | None = None
    class_name: str | None = None
    phone: str | None = None
    notes: str | None = None
    branch: str | None = None  # importing branches: its name
    branch_id: int | None = None  # ... when the branch exists already


class Present(BaseModel):
    """A row whose person is there already: joined, or imported and not yet joined."""

    number: int
    name: str
    joined: bool
    branch: str | None = None


class Problem(BaseModel):
    number: int
    problem: RowProblem
    name: str = ""
    detail: str = ""


class Plan(BaseModel):
    new: list[Planned] = []
    present: list[Present] = []
    problems: list[Problem] = []


class Expected(BaseModel):
    id: int
    branch_id: int
    name: str
    role: Role
    subject: str | None = None
    class_name: str | None = None
    phone: str | None = None
    notes: str | None = None
    created_by: int | None = None
    created_at: datetime
    member_id: int | None = None
    joined_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.member_id is None and self.withdrawn_at is None


class Pending(Expected):
    """Someone imported who has not joined, with their branch and open link's expiry."""

    branch_name: str
    link_expires_at: datetime | None = None


class Created(BaseModel):
    number: int
    person: Expected
    invite: Invite
    branch_name: str


class Imported(BaseModel):
    plan: Plan
    created: list[Created]
    branches_created: int = 0


async def check_members(conn: aiosqlite.Connection, branch_id: int, rows: list[RosterRow]) -> Plan:
    """What importing ``rows`` as members of the branch would do, row by row."""
    there = await _people_in(conn, branch_id)
    admins = await _admin_keys(conn)
    plan = Plan()
    seen: dict[str, int] = {}
    for row in rows:
        name = _clean_name(row, plan)
        if name is None:
            continue
        key = names.look_alike_key(name)
        if _repeated(seen, key, row, plan):
            continue
        if key in there:
            plan.present.append(Present(number=row.number, name=name, joined=there[key]))
        elif key in admins:
            plan.problems.append(_problem(row, RowProblem.NAME_ADMIN))
        elif (planned := _clean_fields(row, name, plan)) is not None:
            plan.new.append(planned)
    return plan


async def check_branches(conn: aiosqlite.Connection, rows: list[RosterRow]) -> Plan:
    """What importing ``rows`` (a branch and its secretary each) would do, row by row."""
    known = {names.look_alike_key(b.name): b for b in await branches.list_with_counts(conn)}
    leaders = await _secretaries_by_branch(conn)
    admins = await _admin_keys(conn)
    plan = Plan()
    seen: dict[str, int] = {}
    for row in rows:
        branch_name = _clean_branch(row, plan)
        if branch_name is None:
            continue
        name = _clean_name(row, plan)
        if name is None:
            continue
        branch_key = names.look_alike_key(branch_name)
        if _repeated(seen, branch_key, row, plan):
            continue
        branch = known.get(branch_key)
        current = leaders.get(branch.id, []) if branch is not None else []
        same = [s for s in current if names.same_name(s[0], name)]
        if same:
            plan.present.append(
                Present(number=row.number, name=name, joined=same[0][1], branch=branch_name)
            )
        elif current:
            plan.problems.append(_problem(row, RowProblem.BRANCH_HAS_SECRETARY, current[0][0]))
        elif names.look_alike_key(name) in admins:
            plan.problems.append(_problem(row, RowProblem.NAME_ADMIN))
        elif (planned := _clean_fields(row, name, plan)) is not None:
            planned.branch = branch.name if branch is not None else branch_name
            planned.branch_id = branch.id if branch is not None else None
            plan.new.append(planned)
    return plan


async def import_members(
    tx: aiosqlite.Connection,
    branch_id: int,
    rows: list[RosterRow],
    *,
    actor_id: int,
    now: datetime,
) -> Imported:
    """Create the new rows' expected members, each with a personal link (checked again
    here: someone may have joined since the preview)."""
    plan = await check_members(tx, branch_id, rows)
    branch = await branches.get(tx, branch_id)
    if branch is None:
        raise ValueError(f"no branch {branch_id}")
    created = [
        await _expect(tx, planned, branch.id, branch.name, Role.MEMBER, actor_id, now)
        for planned in plan.new
    ]
    await _record_import(tx, "branch", branch_id, plan, actor_id, now)
    return Imported(plan=plan, created=created)


async def import_branches(
    tx: aiosqlite.Connection, rows: list[RosterRow], *, actor_id: int, now: datetime
) -> Imported:
    """Create the new rows' branches (where new) and expected secretaries, each with a
    personal link."""
    plan = await check_branches(tx, rows)
    created = []
    branches_created = 0
    for planned in plan.new:
        if planned.branch_id is None:
            branches_created += 1
            assert planned.branch is not None
            branch = await branches.create(
                tx, planned.branch, now=now, actor_id=actor_id, imported=True
            )
            planned.branch_id, planned.branch = branch.id, branch.name
        assert planned.branch is not None
        created.append(
            await _expect(
                tx, planned, planned.branch_id, planned.branch, Role.SECRETARY, actor_id, now
            )
        )
    await _record_import(tx, "bureau", None, plan, actor_id, now)
    return Imported(plan=plan, created=created, branches_created=branches_created)


_EXPECTED = Table("expected_people", Expected)


async def get(conn: aiosqlite.Connection, expected_id: int) -> Expected | None:
    return await _EXPECTED.get(conn, expected_id)


async def pending(conn: aiosqlite.Connection, branch_id: int) -> list[Pending]:
    """The branch's imported people who have not joined, in the order imported."""
    return await fetch_all(
        conn, Pending, _PENDING + " AND e.branch_id = ? ORDER BY e.id", (branch_id,)
    )


async def pending_secretaries(conn: aiosqlite.Connection) -> list[Pending]:
    """Imported secretaries of every branch who have not joined yet."""
    return await fetch_all(
        conn, Pending, _PENDING + " AND e.role = 'secretary' ORDER BY b.name, e.id"
    )


async def fresh_link(
    tx: aiosqlite.Connection, person: Expected, *, actor_id: int, now: datetime
) -> Invite:
    """A new personal link for someone who has not joined; their earlier ones stop working."""
    await invites.revoke_personal(tx, person.id, now=now)
    invite = await invites.create(
        tx,
        branch_id=person.branch_id,
        role=person.role,
        created_by=actor_id,
        now=now,
        ttl=PERSONAL_INVITE_TTL,
        max_uses=1,
        expected_id=person.id,
    )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="roster.fresh_link",
        entity="expected",
        entity_id=person.id,
        invite_id=invite.id,
    )
    return invite


async def withdraw(
    tx: aiosqlite.Connection, person: Expected, *, actor_id: int, now: datetime
) -> bool:
    """Take back an import for someone who never joined: their personal links stop
    working and what the import kept about them goes (phone, subject, class, notes); the
    name stays, so the audit log still says who was expected. False if they joined or
    were withdrawn meanwhile."""
    if not await changed_one(
        tx,
        "UPDATE expected_people SET withdrawn_at = ?, phone = NULL, subject = NULL,"
        " class_name = NULL, notes = NULL"
        " WHERE id = ? AND member_id IS NULL AND withdrawn_at IS NULL",
        (to_iso(now), person.id),
    ):
        return False
    await invites.revoke_personal(tx, person.id, now=now)
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="roster.withdraw",
        entity="expected",
        entity_id=person.id,
    )
    return True


async def mark_joined(
    tx: aiosqlite.Connection, expected_id: int, member_id: int, *, now: datetime
) -> None:
    await tx.execute(
        "UPDATE expected_people SET member_id = ?, joined_at = ?"
        " WHERE id = ? AND member_id IS NULL",
        (member_id, to_iso(now), expected_id),
    )


async def erase_for_members(
    tx: aiosqlite.Connection, member_ids: list[int], placeholder: str
) -> None:
    """/erasemember: what an import kept about these memberships goes, phone included."""
    marks = ",".join("?" * len(member_ids))
    await tx.execute(
        "UPDATE expected_people SET name = ?, subject = NULL, class_name = NULL, phone = NULL,"
        f" notes = NULL WHERE member_id IN ({marks})",
        [placeholder, *member_ids],
    )


_PENDING = (
    "SELECT e.*, b.name AS branch_name, (SELECT max(i.expires_at) FROM invites i"
    " WHERE i.expected_id = e.id AND i.revoked_at IS NULL AND i.uses < i.max_uses)"
    " AS link_expires_at FROM expected_people e JOIN branches b ON b.id = e.branch_id"
    " WHERE e.member_id IS NULL AND e.withdrawn_at IS NULL"
)


async def _expect(
    tx: aiosqlite.Connection,
    planned: Planned,
    branch_id: int,
    branch_name: str,
    role: Role,
    actor_id: int,
    now: datetime,
) -> Created:
    expected_id = await audit.inserted(
        tx,
        "INSERT INTO expected_people (branch_id, name, role, subject, class_name, phone, notes,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            branch_id,
            planned.name,
            role.value,
            planned.subject,
            planned.class_name,
            planned.phone,
            planned.notes,
            actor_id,
            to_iso(now),
        ),
        # The phone number stays out of the audit log: only that one was given.
        at=now,
        actor_id=actor_id,
        action="roster.expected",
        entity="expected",
        branch_id=branch_id,
        role=role.value,
        row=planned.number,
        phone_given=planned.phone is not None,
    )
    person = Expected(
        id=expected_id,
        branch_id=branch_id,
        name=planned.name,
        role=role,
        subject=planned.subject,
        class_name=planned.class_name,
        phone=planned.phone,
        notes=planned.notes,
        created_by=actor_id,
        created_at=now,
    )
    invite = await fresh_link(tx, person, actor_id=actor_id, now=now)
    return Created(number=planned.number, person=person, invite=invite, branch_name=branch_name)


async def _record_import(
    tx: aiosqlite.Connection,
    entity: str,
    entity_id: int | None,
    plan: Plan,
    actor_id: int,
    now: datetime,
) -> None:
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="roster.imported",
        entity=entity,
        entity_id=entity_id,
        created=len(plan.new),
        present=len(plan.present),
        problems=len(plan.problems),
    )


async def _people_in(conn: aiosqlite.Connection, branch_id: int) -> dict[str, bool]:
    """Names already in the branch (by look-alike key): True for active members, False
    for imported people who have not joined."""
    rows = await conn.execute_fetchall(
        "SELECT name, 1 FROM members WHERE branch_id = ? AND status = 'active'"
        " UNION ALL SELECT name, 0 FROM expected_people WHERE branch_id = ?"
        " AND member_id IS NULL AND withdrawn_at IS NULL",
        (branch_id, branch_id),
    )
    found: dict[str, bool] = {}
    for row in rows:
        key = names.look_alike_key(str(row[0]))
        found[key] = found.get(key, False) or bool(row[1])
    return found


async def _secretaries_by_branch(
    conn: aiosqlite.Connection,
) -> dict[int, list[tuple[str, bool]]]:
    """Each branch's secretaries: active ones (True) and imported ones not joined (False)."""
    rows = await conn.execute_fetchall(
        "SELECT branch_id, name, 1 FROM members WHERE role = 'secretary' AND status = 'active'"
        " UNION ALL SELECT branch_id, name, 0 FROM expected_people WHERE role = 'secretary'"
        " AND member_id IS NULL AND withdrawn_at IS NULL"
    )
    found: dict[int, list[tuple[str, bool]]] = {}
    for row in rows:
        found.setdefault(int(row[0]), []).append((str(row[1]), bool(row[2])))
    return found


async def _admin_keys(conn: aiosqlite.Connection) -> set[str]:
    rows = await conn.execute_fetchall(
        "SELECT name FROM members WHERE role = 'admin' AND status = 'active'"
    )
    return {names.look_alike_key(str(row[0])) for row in rows}


def _problem(row: RosterRow, problem: RowProblem, detail: str = "") -> Problem:
    return Problem(number=row.number, problem=problem, name=row.name.strip(), detail=detail)


def _repeated(seen: dict[str, int], key: str, row: RosterRow, plan: Plan) -> bool:
    """Whether an earlier row had ``key`` (this row is then a problem naming it); if not,
    the row is remembered under it."""
    if key in seen:
        plan.problems.append(_problem(row, RowProblem.DUPLICATE, str(seen[key])))
        return True
    seen[key] = row.number
    return False


def _clean_name(row: RosterRow, plan: Plan) -> str | None:
    """The row's name by the joining rules, or None with the problem added to the plan."""
    if not row.name.strip():
        plan.problems.append(_problem(row, RowProblem.NAME_BLANK))
        return None
    try:
        return names.person_name(row.name)
    except names.NameRefused as refused:
        plan.problems.append(_problem(row, _NAME_PROBLEMS[refused.problem], refused.detail))
        return None


def _clean_branch(row: RosterRow, plan: Plan) -> str | None:
    if not row.branch.strip():
        plan.problems.append(_problem(row, RowProblem.BRANCH_BLANK))
        return None
    try:
        return BranchName(value=row.branch).value
    except ValueError:
        plan.problems.append(_problem(row, RowProblem.BRANCH_NAME))
        return None


def _clean_fields(row: RosterRow, name: str, plan: Plan) -> Planned | None:
    """The row's optional columns, cleaned; None with the problem added to the plan."""
    phone = _PHONE_SEPARATORS.sub("", names.normalize(row.phone))
    if phone and not _PHONE.match(phone):
        plan.problems.append(_problem(row, RowProblem.PHONE))
        return None
    cleaned: dict[str, str | None] = {}
    for field, limit in (("subject", FIELD_MAX), ("class_name", FIELD_MAX), ("notes", NOTES_MAX)):
        value = names.normalize(getattr(row, field))
        if len(value) > limit or names.invisible_in(value):
            plan.problems.append(_problem(row, RowProblem.FIELD, field))
            return None
        cleaned[field] = value or None
    return Planned(number=row.number, name=name, phone=phone or None, **cleaned)
