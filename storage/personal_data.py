"""Everything stored about one Telegram account, gathered for /mydata (the person's own copy).

Each aggregate's rows are read here by member id; the visits module contributes the
memberships, home visits and audit entries it already gathers.
"""

from __future__ import annotations

from typing import Any

import aiosqlite

from storage import visits


async def for_account(conn: aiosqlite.Connection, telegram_id: int) -> dict[str, Any]:
    records = await visits.personal_records(conn, telegram_id)
    ids = [int(row["id"]) for row in records["memberships"]]
    marks = ",".join("?" * len(ids)) or "NULL"

    async def rows(sql: str) -> list[dict[str, Any]]:
        async with conn.execute(sql.format(marks=marks), ids) as cur:
            return [dict(row) for row in await cur.fetchall()]

    pledges = await rows("SELECT * FROM pledges WHERE member_id IN ({marks}) ORDER BY id")
    for pledge in pledges:
        async with conn.execute(
            "SELECT * FROM pledge_updates WHERE pledge_id = ? ORDER BY id", (pledge["id"],)
        ) as cur:
            pledge["updates"] = [dict(row) for row in await cur.fetchall()]
    services = await rows("SELECT * FROM service_logs WHERE member_id IN ({marks}) ORDER BY id")
    for service in services:
        async with conn.execute(
            "SELECT * FROM service_log_versions WHERE log_id = ? ORDER BY id", (service["id"],)
        ) as cur:
            service["earlier_versions"] = [dict(row) for row in await cur.fetchall()]
    records.update(
        pledges=pledges,
        party_day_replies=await rows(
            "SELECT * FROM party_day_replies WHERE member_id IN ({marks}) ORDER BY id"
        ),
        party_day_checkins=await rows(
            "SELECT * FROM party_day_checkins WHERE member_id IN ({marks}) ORDER BY id"
        ),
        service_logs=services,
        reminder_mutes=await rows(
            "SELECT * FROM reminder_mutes WHERE member_id IN ({marks}) ORDER BY kind"
        ),
    )
    return records
