"""Building the 台账 file(s) for one export: read a branch, stream it out, report progress.

Reads go through ``db.read()`` one branch at a time, so the writer's lock is never held
and memory stays at about one branch; openpyxl's work runs in a worker thread so the
event loop keeps answering other people meanwhile. A bureau file larger than Telegram's
upload limit is built again as one file per branch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

from handlers.common.i18n import Translator
from handlers.reports.workbook import LedgerBook, PioneerRow
from storage import ledger, pioneers, rating
from storage.database import Database
from storage.files import private_output
from storage.ledger import BranchRef, Reading
from storage.ledger_period import LedgerPeriod, PeriodKind
from storage.link_rules import LinkRhythms
from storage.meetings import MeetingFrequencies

# Telegram's limit for a file a bot uploads is 50 MB; leave room for the request itself.
UPLOAD_LIMIT = 49 * 1024 * 1024

Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class ExportRequest:
    """Which branches (all of them when ``bureau``), which period, who reads it, and what
    is required: the deployment's meeting frequencies and link rhythms, the same values
    the reminders and the star rating use (``BotConfig``)."""

    branch_ids: Sequence[int] | None
    period: LedgerPeriod
    private: bool
    bureau: bool
    lang: str
    objection_texts: bool = False  # the 公示 objections' words: the admins' copy only
    frequencies: MeetingFrequencies = field(default_factory=MeetingFrequencies)
    rhythms: LinkRhythms = field(default_factory=LinkRhythms)


async def build_files(
    db: Database,
    request: ExportRequest,
    folder: Path,
    *,
    today: date,
    zone: ZoneInfo,
    now: datetime,
    progress: Progress | None = None,
    limit: int = UPLOAD_LIMIT,
) -> list[Path]:
    """The workbook(s) for ``request`` in ``folder``: one, or one per branch when too big."""
    async with db.read() as conn:
        refs = await ledger.branches(conn, request.branch_ids)
    t = Translator(request.lang)
    reading = Reading(today, zone, request.frequencies, request.rhythms)
    if not request.bureau or len(refs) <= 1:
        paths = [await _build(db, refs, request, folder, t, reading, now, progress)]
    else:
        whole = await _build(db, refs, request, folder, t, reading, now, progress)
        if whole.stat().st_size <= limit:
            return [whole]
        whole.unlink()
        paths = []
        for index, ref in enumerate(refs, start=1):
            part = (index, len(refs))
            paths.append(await _build(db, [ref], request, folder, t, reading, now, None, part))
    return paths


async def _build(
    db: Database,
    refs: list[BranchRef],
    request: ExportRequest,
    folder: Path,
    t: Translator,
    reading: Reading,
    now: datetime,
    progress: Progress | None,
    part: tuple[int, int] | None = None,
) -> Path:
    bureau = request.bureau and len(refs) > 1 and part is None
    title = refs[0].name if len(refs) == 1 else t.plain("report.cover.bureau")
    book = LedgerBook(
        t,
        title=title,
        period=request.period,
        generated_at=now.astimezone(reading.zone),
        private=request.private,
        bureau=bureau,
        part=part,
    )
    for index, ref in enumerate(refs, start=1):
        async with db.read() as conn:
            branch = await ledger.branch_ledger(
                conn,
                ref,
                request.period,
                reading,
                private=request.private,
                objection_texts=request.objection_texts,
            )
            sheet = await _rating_sheet(conn, ref, request.period, reading)
            chosen = await _pioneers(conn, ref, request.period)
        await asyncio.to_thread(book.add, branch, sheet, chosen)
        if progress is not None:
            await progress(index * 100 // (len(refs) + 1))
    path = folder / file_name(title, request.period, part)
    # A private ledger holds students' aliases: owner-only on disk, whatever the umask.
    await asyncio.to_thread(private_output, path)
    await asyncio.to_thread(book.save, path)
    return path


async def _rating_sheet(
    conn: aiosqlite.Connection, ref: BranchRef, period: LedgerPeriod, reading: Reading
) -> rating.Sheet | None:
    """The branch's star-rating sheet of the school year exported, once a round is open."""
    if period.kind is not PeriodKind.SCHOOL_YEAR:
        return None
    round_ = await rating.round_for(conn, period.start.year)
    found = await rating.rating_of(conn, round_.id, ref.id) if round_ is not None else None
    if round_ is None or found is None:
        return None
    return await rating.load_sheet(conn, round_, found, reading)


async def _pioneers(
    conn: aiosqlite.Connection, ref: BranchRef, period: LedgerPeriod
) -> list[PioneerRow]:
    """The branch's nominations in the pioneers rounds whose nominations opened in the
    period (a December round belongs to one school year, not two)."""
    found: list[PioneerRow] = []
    for round_ in await pioneers.rounds_between(conn, period.start.year, period.end.year):
        if not period.start <= round_.nominate_from <= period.end:
            continue
        for nomination in await pioneers.nominations(conn, round_.id, branch_id=ref.id):
            found.append(PioneerRow(round_, nomination))
    return found


def file_name(title: str, period: LedgerPeriod, part: tuple[int, int] | None = None) -> str:
    """``台账_第一中学_2025-2026.xlsx``: a name that sorts and says what is inside."""
    safe = "".join(ch for ch in title if ch.isalnum() or ch in "-_（）()")[:40] or "ledger"
    label = period.label.replace("–", "-")
    suffix = f"_{part[0]:03d}" if part is not None else ""
    return f"台账_{safe}_{label}{suffix}.xlsx"
