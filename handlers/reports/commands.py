"""/export (台账 workbook) and /charts (pictures): who may ask for which branch, and the run.

A secretary gets their own branch; an admin picks a branch or the whole bureau; an
inspector picks one of the branches assigned to their inspection group, and gets its
workbook without students' aliases or notes. The branches come from the shared branch
picker (``storage.branches.visible_to``), and every button naming a branch is checked
against the same rule. The export is read from the database and written as a background
task, so the bot goes on answering everyone else while it runs; one message shows its
progress, edited in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Coroutine
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from handlers.common import branch_picker
from handlers.common.branch_picker import BranchScreen
from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, Refusal
from handlers.common.guards import parse_callback, require_found, require_member, require_private
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import (
    ack,
    edit_earlier,
    replace,
    reply,
    reply_document,
    reply_photo,
    reply_photos,
    reply_progress,
    say,
)
from handlers.reports import charts, views
from handlers.reports.export import ExportRequest, build_files
from storage import audit, branches, ledger, rating, terms
from storage.branches import Branch
from storage.ledger import BranchRef
from storage.ledger_period import LedgerPeriod
from storage.members import Member, Role
from storage.rating import Step

PREFIX = views.PREFIX
log = logging.getLogger(__name__)

# Running exports and chart jobs by Telegram id: one at a time per person.
_RUNNING: dict[int, asyncio.Task[None]] = {}


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("export", export_command))
    reg.add(CommandHandler("charts", charts_command))
    reg.add(*presses(PREFIX, xs=export_scope, x=export_run, c=charts_branch))
    for handler in [*EXPORT.handlers(), *CHARTS.handlers()]:
        reg.add(handler)


async def wait_for_running() -> None:
    """Until every export and chart job started so far has finished (for tests)."""
    while _RUNNING:
        await asyncio.gather(*_RUNNING.values(), return_exceptions=True)


# --------------------------------------------------------------------------- /export


async def export_command(update: Update, context: XContext) -> None:
    """/export: a secretary chooses the period; an admin or an inspector first chooses
    the branch (an admin also the whole bureau)."""
    require_private(update)
    actor = _reader(context)
    if actor.role is Role.SECRETARY:
        assert actor.branch_id is not None
        await reply(update, context, *await _period_question(context, str(actor.branch_id)))
        return
    await branch_picker.show(update, context, EXPORT)


async def _export_branch(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    """[A branch] in the picker (checked against ``visible_to``): now the period."""
    if extra:
        raise BadButton()
    text, markup = await _period_question(context, str(branch.id))
    await ack(update)
    await replace(update, context, text, markup)


def _export_title(t: Translator, extra: str) -> str:
    return t("report.export.pick_branch")


def _whole_bureau(t: Translator, person: Member, extra: str) -> list[InlineKeyboardButton]:
    """An admin may also take every branch in one file."""
    return [views.bureau_button(t)] if person.role is Role.ADMIN else []


EXPORT = BranchScreen("ex", _export_title, _export_branch, inspectors=True, lead=_whole_bureau)


async def export_scope(update: Update, context: XContext) -> None:
    """[全局] in the admin's picker (or a branch, from a picker sent before the shared
    one): now the period."""
    require_private(update)
    data = parse_callback(update, PREFIX)
    scope = _scope_arg(data.str_arg(0))
    actor = _reader(context)
    await _check_scope(context, actor, scope)
    text, markup = await _period_question(context, scope)
    await ack(update)
    await replace(update, context, text, markup)


async def export_run(update: Update, context: XContext) -> None:
    """[A period]: build the workbook(s) in the background and send them."""
    require_private(update)
    data = parse_callback(update, PREFIX)
    scope = _scope_arg(data.str_arg(0))
    try:
        period = LedgerPeriod.from_code(data.str_arg(1))
    except ValueError as exc:
        raise BadButton() from exc
    actor = _reader(context)
    name = await _check_scope(context, actor, scope)
    user = update.effective_user
    assert user is not None
    if user.id in _RUNNING:
        raise Refusal("report.busy")
    await ack(update)
    request = ExportRequest(
        branch_ids=None if scope == "all" else [int(scope)],
        period=period,
        private=actor.role in (Role.SECRETARY, Role.ADMIN),
        bureau=scope == "all",
        objection_texts=actor.role is Role.ADMIN,
        lang=context.t.lang,
        frequencies=context.config.meeting_frequencies,
        rhythms=context.config.link_rhythms,
    )
    async with context.db.transaction() as tx:
        await audit.record(
            tx,
            at=context.now(),
            actor_id=actor.id,
            action="report.export",
            entity="branch" if scope != "all" else "bureau",
            entity_id=None if scope == "all" else int(scope),
            period=period.code,
        )
    line = context.t("report.progress", percent=0, name=name, period=period.label)
    message_id = await reply_progress(update, context, line)
    _start(update, context, user.id, _export(update, context, message_id, request, name, period))


async def _export(
    update: Update,
    context: XContext,
    message_id: int | None,
    request: ExportRequest,
    name: str,
    period: LedgerPeriod,
) -> None:
    t = context.t
    shown = 0

    async def progress(percent: int) -> None:
        nonlocal shown
        # An edit per ten percent: enough to see it move, few enough for Telegram's limits.
        if percent - shown < 10 or message_id is None:
            return
        shown = percent
        line = t("report.progress", percent=percent, name=name, period=period.label)
        await _quiet_edit(update, context, message_id, line)

    with tempfile.TemporaryDirectory(prefix="xianfeng-export-") as folder:
        files = await build_files(
            context.db,
            request,
            Path(folder),
            today=context.today(),
            zone=context.config.zone,
            now=context.now(),
            progress=progress,
        )
        for index, path in enumerate(files, start=1):
            caption = t("report.caption", name=name, period=period.label)
            if len(files) > 1:
                caption = t(
                    "report.caption_part",
                    name=name,
                    period=period.label,
                    index=index,
                    total=len(files),
                )
            content = await asyncio.to_thread(path.read_bytes)
            await reply_document(update, context, content, path.name, caption)
    if message_id is not None:
        await _quiet_edit(update, context, message_id, t("report.done", count=len(files)))


# --------------------------------------------------------------------------- /charts


async def charts_command(update: Update, context: XContext) -> None:
    """/charts: a secretary's branch pictures; an admin's branches side by side, and a picker."""
    require_private(update)
    actor = _reader(context)
    user = update.effective_user
    assert user is not None
    if user.id in _RUNNING:
        raise Refusal("report.busy")
    period = LedgerPeriod.school_year_of(context.today())
    if actor.role is Role.INSPECTOR:
        # An inspector's branches one at a time: the picker first, no bureau picture.
        await branch_picker.show(update, context, CHARTS)
        return
    await reply(update, context, context.t("report.charts.working"))
    if actor.role is Role.ADMIN:
        _start(update, context, user.id, _bureau_charts(update, context, period))
    else:
        assert actor.branch_id is not None
        job = _branch_charts(update, context, actor.branch_id, period)
        _start(update, context, user.id, job)


async def _charts_of(update: Update, context: XContext, branch: Branch, extra: str) -> None:
    """[A branch] in the chart picker (checked against ``visible_to``): its pictures."""
    if extra:
        raise BadButton()
    user = update.effective_user
    assert user is not None
    if user.id in _RUNNING:
        raise Refusal("report.busy")
    period = LedgerPeriod.school_year_of(context.today())
    await say(update, context, context.t("report.charts.working"))
    _start(update, context, user.id, _branch_charts(update, context, branch.id, period))


def _charts_title(t: Translator, extra: str) -> str:
    return t("report.charts.pick_branch")


CHARTS = BranchScreen("ch", _charts_title, _charts_of, inspectors=True)


async def charts_branch(update: Update, context: XContext) -> None:
    """``rp:c:<branch>``, a branch in the chart picker sent before the shared one."""
    require_private(update)
    scope = _scope_arg(parse_callback(update, PREFIX).str_arg(0))
    if scope == "all":
        raise BadButton()
    actor = _reader(context)
    branch = await branch_picker.require_visible(context, actor, int(scope))
    await _charts_of(update, context, branch, "")


async def _branch_charts(
    update: Update, context: XContext, branch_id: int, period: LedgerPeriod
) -> None:
    async with context.db.read() as conn:
        [ref] = await ledger.branches(conn, [branch_id])
        branch = await _chart_ledger(context, conn, ref, period)
    drawn = await asyncio.to_thread(charts.branch_charts, branch, context.t)
    caption = context.t("report.charts.caption", name=ref.name, period=period.label)
    await reply_photos(update, context, [chart.png for chart in drawn], caption)


async def _bureau_charts(update: Update, context: XContext, period: LedgerPeriod) -> None:
    figures = []
    async with context.db.read() as conn:
        refs = await ledger.branches(conn)
    for ref in refs:
        async with context.db.read() as conn:
            branch = await _chart_ledger(context, conn, ref, period)
        figures.append(charts.BranchFigures.of(branch))
    chart = await asyncio.to_thread(charts.bureau, figures, context.t, period.label)
    caption = context.t("report.charts.bureau_caption", period=period.label)
    await reply_photo(update, context, chart.png, caption)
    await _rating_chart(update, context, period)
    await branch_picker.show(update, context, CHARTS)


async def _chart_ledger(
    context: XContext, conn: aiosqlite.Connection, ref: BranchRef, period: LedgerPeriod
) -> ledger.BranchLedger:
    """A branch's ledger for its pictures (no aliases), by the deployment's settings."""
    return await ledger.branch_ledger(conn, ref, period, context.reading(), private=False)


async def _rating_chart(update: Update, context: XContext, period: LedgerPeriod) -> None:
    """The school year's star rating by category, once a branch has been reviewed."""
    async with context.db.read() as conn:
        round_ = await rating.round_for(conn, period.start.year)
        if round_ is None:
            return
        sheets = await rating.load_sheets(conn, round_, context.reading())
    scored = [s for s in sheets if s.rating.status not in (Step.FILLING, Step.SUBMITTED)]
    if not scored:
        return
    rows = [(s.rating.branch_name, s.by_category()) for s in sorted(scored, key=lambda s: -s.total)]
    chart = await asyncio.to_thread(charts.rating_scores, rows, context.t, period.label)
    caption = context.t("report.charts.rating_caption", period=period.label)
    await reply_photo(update, context, chart.png, caption)


# --------------------------------------------------------------------------- the period


async def _period_question(context: XContext, scope: str) -> tuple[str, InlineKeyboardMarkup]:
    today = context.today()
    async with context.db.read() as conn:
        name = await _scope_name(context, scope)
        current = await terms.term_for(conn, today)
        previous = await terms.term_for(conn, current.start - timedelta(days=1))
    periods = _period_choices(today, current, previous)
    return views.period_question(context.t, scope, name, periods)


def _period_choices(today: date, current: terms.Term, previous: terms.Term) -> list[LedgerPeriod]:
    this_year = LedgerPeriod.school_year_of(today)
    return [
        this_year,
        LedgerPeriod.school_year(this_year.start.year - 1),
        LedgerPeriod.of_term(current),
        LedgerPeriod.of_term(previous),
        LedgerPeriod.calendar_year(today.year),
        LedgerPeriod.calendar_year(today.year - 1),
    ]


# --------------------------------------------------------------------------- access


def _reader(context: XContext) -> Member:
    """Who may take records out: a branch's secretary, an admin, or an inspector."""
    actor = require_member(context)
    if actor.role in (Role.ADMIN, Role.INSPECTOR):
        return actor
    if actor.role is Role.SECRETARY and actor.branch_id is not None:
        return actor
    raise NotAllowed()


async def _check_scope(context: XContext, actor: Member, scope: str) -> str:
    """The scope's display name, if ``actor`` may read it: the whole bureau for an admin
    only, a branch by the picker's one rule (``visible_to``, read from the database)."""
    if scope == "all":
        if actor.role is not Role.ADMIN:
            raise NotAllowed()
        return await _scope_name(context, scope)
    branch = await branch_picker.require_visible(context, actor, int(scope))
    return branch.name


async def _scope_name(context: XContext, scope: str) -> str:
    if scope == "all":
        return context.t.plain("report.cover.bureau")
    branch = await require_found(context, branches.get, int(scope))
    return branch.name


def _scope_arg(value: str) -> str:
    if value == "all" or value.isdigit():
        return value
    raise BadButton()


# --------------------------------------------------------------------------- running


def _start(
    update: Update, context: XContext, telegram_id: int, job: Coroutine[Any, Any, None]
) -> None:
    """Run ``job`` beside the update loop; a failure is logged and the person told."""

    async def guarded() -> None:
        try:
            await job
        except Exception:
            log.exception("a report for %s failed", telegram_id)
            with contextlib.suppress(TelegramError):
                await reply(update, context, context.t("report.failed"))
        finally:
            _RUNNING.pop(telegram_id, None)

    _RUNNING[telegram_id] = asyncio.get_running_loop().create_task(guarded())


async def _quiet_edit(update: Update, context: XContext, message_id: int, text: str) -> None:
    """Progress is a courtesy: a refused edit must not stop the export."""
    with contextlib.suppress(TelegramError):
        await edit_earlier(update, context, message_id, text)
