"""The service log (服务记录): what a member did on party day, or as a make-up (补课).

A record's invariants live on ``ServiceEntry``: hours from 0.5 to 12 in half hours, at
most 500 characters of what was done, and a date in the month it was logged and not after
the day it was logged. A record can be edited for ``EDIT_WINDOW`` after it was logged:
each edit keeps the previous version in ``service_log_versions``. It can be withdrawn,
which marks it; nothing is deleted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import aiosqlite
from pydantic import BaseModel, field_validator, model_validator

from storage import audit
from storage.clock import to_iso
from storage.members import participating
from storage.rows import Table, fetch_all, fetch_value, required

HOURS_MIN = 0.5
HOURS_MAX = 12.0
DESCRIPTION_MAX = 500
EDIT_WINDOW = timedelta(days=7)
# How long after a party day its service may still be logged once the month has turned.
PARTY_DAY_GRACE = timedelta(days=7)
# What an edit may change; the rest (who, which branch, make-up month) stays.
EDITABLE = ("kind", "on_date", "hours", "description", "photo_file_id")


class ServiceKind(StrEnum):
    VOLUNTEER = "volunteer"
    PAIRING = "pairing"
    OUTREACH = "outreach"
    CLEANUP = "cleanup"
    STUDY = "study"
    OTHER = "other"


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ServiceEntry(BaseModel):
    """What a member logs. ``logged_on`` is the local date it was first logged.

    ``party_day`` (not stored; the record's party-day link says it) is the branch's party
    day the service was done on: a party day at the end of a month may still be logged in
    the first days of the next (see ``check_date``).
    """

    kind: ServiceKind
    on_date: date
    hours: float
    description: str
    photo_file_id: str | None = None
    logged_on: date
    party_day: date | None = None

    @field_validator("hours")
    @classmethod
    def _half_hours(cls, value: float) -> float:
        return check_hours(value)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return check_description(value)

    @model_validator(mode="after")
    def _date_in_logged_month(self) -> ServiceEntry:
        check_date(self.on_date, self.logged_on, party_day=self.party_day)
        return self


def check_hours(value: float) -> float:
    """0.5 to 12, in half hours; ValueError otherwise."""
    if not HOURS_MIN <= value <= HOURS_MAX:
        raise ValueError(f"hours must be from {HOURS_MIN} to {HOURS_MAX}")
    if not (value * 2).is_integer():
        raise ValueError("hours are counted in half hours")
    return value


def check_description(value: str) -> str:
    """What was done, trimmed: 1 to 500 characters; ValueError otherwise."""
    value = value.strip()
    if not 1 <= len(value) <= DESCRIPTION_MAX:
        raise ValueError(f"what was done takes 1 to {DESCRIPTION_MAX} characters")
    return value


def check_date(on_date: date, logged_on: date, *, party_day: date | None = None) -> date:
    """In the month it was logged, and not after the day it was logged; or the party day
    it was done on, logged within ``PARTY_DAY_GRACE`` (the 30th's service, next morning)."""
    if on_date > logged_on:
        raise ValueError("service cannot be logged for a future date")
    if on_date == party_day and logged_on - on_date <= PARTY_DAY_GRACE:
        return on_date
    if (on_date.year, on_date.month) != (logged_on.year, logged_on.month):
        raise ValueError("service is logged in the month it was done")
    return on_date


class _ServiceContent(BaseModel):
    """What a service record says, current or as it was before an edit."""

    kind: ServiceKind
    on_date: date
    hours: float
    description: str
    photo_file_id: str | None = None
    party_month_id: int | None = None


class ServiceLog(_ServiceContent):
    id: int
    member_id: int
    branch_id: int
    makeup_month_id: int | None = None
    logged_on: date
    status: ServiceStatus
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is ServiceStatus.ACTIVE

    def editable(self, now: datetime) -> bool:
        return self.active and now - self.created_at <= EDIT_WINDOW

    def entry(self) -> ServiceEntry:
        return ServiceEntry(
            kind=self.kind,
            on_date=self.on_date,
            hours=self.hours,
            description=self.description,
            photo_file_id=self.photo_file_id,
            logged_on=self.logged_on,
            party_day=self.on_date if self.party_month_id is not None else None,
        )


class ServiceVersion(_ServiceContent):
    """A record as it was before one edit."""

    id: int
    log_id: int
    replaced_by: int | None = None
    replaced_at: datetime


class NotEditable(Exception):
    """Withdrawn, or logged more than ``EDIT_WINDOW`` ago."""


async def log(
    tx: aiosqlite.Connection,
    *,
    member_id: int,
    branch_id: int,
    entry: ServiceEntry,
    party_month_id: int | None,
    makeup_month_id: int | None,
    now: datetime,
) -> ServiceLog:
    log_id = await audit.inserted(
        tx,
        "INSERT INTO service_logs (member_id, branch_id, kind, on_date, hours, description,"
        " photo_file_id, party_month_id, makeup_month_id, logged_on, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            member_id,
            branch_id,
            *_content(entry),
            party_month_id,
            makeup_month_id,
            entry.logged_on.isoformat(),
            to_iso(now),
            to_iso(now),
        ),
        at=now,
        actor_id=member_id,
        action="service.logged",
        entity="service_log",
        branch_id=branch_id,
        kind=entry.kind.value,
        on_date=entry.on_date.isoformat(),
        hours=entry.hours,
        party_month_id=party_month_id,
        makeup_month_id=makeup_month_id,
        photo=entry.photo_file_id is not None,
    )
    return required(await get(tx, log_id))


_LOGS = Table("service_logs", ServiceLog)


async def get(conn: aiosqlite.Connection, log_id: int) -> ServiceLog | None:
    return await _LOGS.get(conn, log_id)


async def edit(
    tx: aiosqlite.Connection,
    current: ServiceLog,
    *,
    changes: dict[str, Any],
    party_month_id: int | None,
    actor_id: int,
    now: datetime,
) -> ServiceLog:
    """Apply ``changes`` (fields of ``EDITABLE``), keeping the previous version.

    ``party_month_id`` is the link the new date gives (the caller knows the party day).
    Raises ``NotEditable``, or ``ValueError`` when the changed record breaks an invariant.
    """
    if not current.editable(now):
        raise NotEditable()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    entry = ServiceEntry.model_validate({**current.entry().model_dump(), **changes})
    await tx.execute(
        "INSERT INTO service_log_versions (log_id, kind, on_date, hours, description,"
        " photo_file_id, party_month_id, replaced_by, replaced_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            current.id,
            *_content(current),
            current.party_month_id,
            actor_id,
            to_iso(now),
        ),
    )
    await tx.execute(
        "UPDATE service_logs SET kind = ?, on_date = ?, hours = ?, description = ?,"
        " photo_file_id = ?, party_month_id = ?, updated_at = ? WHERE id = ?",
        (
            *_content(entry),
            party_month_id,
            to_iso(now),
            current.id,
        ),
    )
    before = current.entry().model_dump(mode="json")
    after = entry.model_dump(mode="json")
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="service.edited",
        entity="service_log",
        entity_id=current.id,
        changed={k: {"old": before[k], "new": after[k]} for k in EDITABLE if before[k] != after[k]},
    )
    return required(await get(tx, current.id))


async def withdraw(
    tx: aiosqlite.Connection, current: ServiceLog, *, actor_id: int, now: datetime
) -> ServiceLog:
    if not current.editable(now):
        raise NotEditable()
    await tx.execute(
        "UPDATE service_logs SET status = 'withdrawn', withdrawn_at = ?, updated_at = ?"
        " WHERE id = ? AND status = 'active'",
        (to_iso(now), to_iso(now), current.id),
    )
    await audit.record(
        tx,
        at=now,
        actor_id=actor_id,
        action="service.withdrawn",
        entity="service_log",
        entity_id=current.id,
        hours=current.hours,
        on_date=current.on_date.isoformat(),
    )
    return required(await get(tx, current.id))


_VERSIONS = Table("service_log_versions", ServiceVersion)


async def versions(conn: aiosqlite.Connection, log_id: int) -> list[ServiceVersion]:
    return await _VERSIONS.all(conn, "WHERE log_id = ? ORDER BY id", (log_id,))


async def recent(conn: aiosqlite.Connection, member_id: int, since: datetime) -> list[ServiceLog]:
    """A member's records logged since ``since`` (withdrawn ones too), newest first."""
    return await _LOGS.all(
        conn,
        "WHERE member_id = ? AND created_at >= ? ORDER BY created_at DESC, id DESC",
        (member_id, to_iso(since)),
    )


async def hours_by_month(conn: aiosqlite.Connection, member_id: int, year: int) -> dict[int, float]:
    """A member's active hours in ``year``, by month (1-12; months without any left out)."""
    rows = await conn.execute_fetchall(
        "SELECT CAST(substr(on_date, 6, 2) AS INTEGER), SUM(hours) FROM service_logs"
        " WHERE member_id = ? AND status = 'active' AND on_date LIKE ? GROUP BY 1 ORDER BY 1",
        (member_id, f"{year:04d}-%"),
    )
    return {int(row[0]): float(row[1]) for row in rows}


class PersonHours(BaseModel):
    """One branch person's active service hours in a year, and in one month of it."""

    member_id: int
    name: str
    year_hours: float
    month_hours: float
    records: int


async def branch_hours(
    conn: aiosqlite.Connection, branch_id: int, year: int, month: date
) -> list[PersonHours]:
    """Every active member and secretary of the branch with their hours in ``year`` and in
    the month starting ``month``, most hours first: the branch's service board."""
    return await fetch_all(
        conn,
        PersonHours,
        f"""
        SELECT m.id AS member_id, m.name,
               COALESCE(SUM(s.hours), 0) AS year_hours,
               COALESCE(SUM(CASE WHEN s.on_date BETWEEN ? AND ? THEN s.hours END), 0)
                   AS month_hours,
               COUNT(s.id) AS records
        FROM members m
        LEFT JOIN service_logs s
               ON s.member_id = m.id AND s.status = 'active' AND s.on_date BETWEEN ? AND ?
        WHERE m.branch_id = ? AND {participating("m")}
        GROUP BY m.id ORDER BY year_hours DESC, m.name, m.id
        """,
        (
            month.isoformat(),
            (
                (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            ).isoformat(),
            f"{year:04d}-01-01",
            f"{year:04d}-12-31",
            branch_id,
        ),
    )


async def has_makeup(conn: aiosqlite.Connection, member_id: int, month_id: int) -> bool:
    found = await fetch_value(
        conn,
        "SELECT 1 FROM service_logs WHERE member_id = ? AND makeup_month_id = ?"
        " AND status = 'active' LIMIT 1",
        (member_id, month_id),
    )
    return found is not None


def _content(record: ServiceEntry | _ServiceContent) -> tuple[str, str, float, str, str | None]:
    """Kind, date, hours, description and photo: the columns a log and its versions share."""
    return (
        record.kind.value,
        record.on_date.isoformat(),
        record.hours,
        record.description,
        record.photo_file_id,
    )
