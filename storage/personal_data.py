"""Everything stored about one Telegram account, gathered for /mydata (the person's own copy).

Each aggregate's rows are read here by member id: memberships, language, home visits with
their earlier versions, targets and terms the person set, audit entries of their actions,
any unfinished step's answers, pledges, party-day replies and check-ins, service logs,
reminder mutes, what a roster import listed about them (subject, class, phone, notes),
meeting attendance and 党课 make-ups, party group, safety lessons and drills.
"""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from storage.rows import fetch_value
from storage.visits import VisitVersion


async def for_account(conn: aiosqlite.Connection, telegram_id: int) -> dict[str, Any]:
    records = await _account_records(conn, telegram_id)
    ids = [int(row["id"]) for row in records["memberships"]]
    marks = ",".join("?" * len(ids)) or "NULL"

    async def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(row) for row in await conn.execute_fetchall(sql.format(marks=marks), ids)]

    async def with_children(table: str, child_table: str, link: str, field: str) -> list[Any]:
        """The member's rows of ``table``, each with its ``child_table`` rows under ``field``."""
        parents = await rows(f"SELECT * FROM {table} WHERE member_id IN ({{marks}}) ORDER BY id")
        children = _by(
            link,
            await rows(
                f"SELECT * FROM {child_table} WHERE {link} IN"
                f" (SELECT id FROM {table} WHERE member_id IN ({{marks}})) ORDER BY id"
            ),
        )
        for parent in parents:
            parent[field] = children.get(parent["id"], [])
        return parents

    records.update(
        pledges=await with_children("pledges", "pledge_updates", "pledge_id", "updates"),
        party_day_replies=await rows(
            "SELECT * FROM party_day_replies WHERE member_id IN ({marks}) ORDER BY id"
        ),
        party_day_checkins=await rows(
            "SELECT * FROM party_day_checkins WHERE member_id IN ({marks}) ORDER BY id"
        ),
        service_logs=await with_children(
            "service_logs", "service_log_versions", "log_id", "earlier_versions"
        ),
        reminder_mutes=await rows(
            "SELECT * FROM reminder_mutes WHERE member_id IN ({marks}) ORDER BY kind"
        ),
        imported_details=await rows(
            "SELECT name, role, subject, class_name, phone, notes, created_at, joined_at"
            " FROM expected_people WHERE member_id IN ({marks}) ORDER BY id"
        ),
        meeting_attendance=await rows(
            "SELECT * FROM meeting_attendance WHERE member_id IN ({marks}) ORDER BY meeting_id"
        ),
        meeting_makeups=await rows(
            "SELECT * FROM meeting_makeups WHERE member_id IN ({marks}) ORDER BY id"
        ),
        party_group=await rows(
            "SELECT * FROM party_group_members WHERE member_id IN ({marks}) ORDER BY member_id"
        ),
        safety_lessons=await rows(
            "SELECT * FROM safety_lessons WHERE member_id IN ({marks}) ORDER BY id"
        ),
        safety_drills=await rows(
            "SELECT * FROM safety_drill_participants WHERE member_id IN ({marks}) ORDER BY drill_id"
        ),
    )
    return records


async def _account_records(conn: aiosqlite.Connection, telegram_id: int) -> dict[str, Any]:
    """Memberships, language, home visits with their earlier versions, targets and terms the
    person set, audit entries of their actions, and any unfinished step's answers."""
    memberships = await _dicts(
        conn, "SELECT * FROM members WHERE telegram_id = ? ORDER BY id", (telegram_id,)
    )
    ids = [int(row["id"]) for row in memberships]
    marks = ",".join("?" * len(ids)) or "NULL"
    home_visits = await _dicts(
        conn, f"SELECT * FROM home_visits WHERE member_id IN ({marks}) ORDER BY id", ids
    )
    replaced = _by(
        "visit_id",
        await _dicts(
            conn,
            "SELECT * FROM home_visit_versions WHERE visit_id IN"
            f" (SELECT id FROM home_visits WHERE member_id IN ({marks})) ORDER BY version",
            ids,
        ),
    )
    for visit in home_visits:
        visit["topics"] = json.loads(visit["topics"])
        visit["earlier_versions"] = [
            VisitVersion.model_validate(row).model_dump(mode="json", exclude={"visit_id"})
            for row in replaced.get(visit["id"], [])
        ]
    prefs = await _dicts(
        conn, "SELECT language, updated_at FROM user_prefs WHERE telegram_id = ?", (telegram_id,)
    )
    unfinished = await fetch_value(
        conn, "SELECT data FROM user_flow_data WHERE telegram_id = ?", (telegram_id,)
    )
    audit = await _dicts(
        conn, f"SELECT * FROM audit_log WHERE actor_id IN ({marks}) ORDER BY id", ids
    )
    for entry in audit:
        entry["detail"] = json.loads(entry["detail"])
    return {
        "telegram_id": telegram_id,
        "memberships": memberships,
        "language": prefs[0] if prefs else None,
        "home_visits": home_visits,
        "visit_targets_set": await _dicts(
            conn, f"SELECT * FROM visit_targets WHERE set_by IN ({marks}) ORDER BY id", ids
        ),
        "terms_set": await _dicts(
            conn, f"SELECT * FROM terms WHERE set_by IN ({marks}) ORDER BY id", ids
        ),
        "actions": audit,
        "unfinished_steps": json.loads(unfinished) if unfinished else None,
    }


async def _dicts(
    conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...] | list[Any]
) -> list[dict[str, Any]]:
    rows = await conn.execute_fetchall(sql, tuple(params))
    return [dict(row) for row in rows]


def _by(key: str, rows: list[dict[str, Any]]) -> dict[Any, list[dict[str, Any]]]:
    """Rows grouped by ``key`` (one query for all parents, rather than one per parent)."""
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped
