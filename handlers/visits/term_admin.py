"""/term for admins: see the current school term and set its first and last day.

``/term`` shows the term (and whether it is the default split) with a button to set it;
``/term 2026-09-01 2027-01-20`` sets it at once; the button asks the two dates in turn.
A set term replaces the set terms it overlaps (they are kept, marked), all audited.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.flows import END, enter_flow, flow_data, step_handlers
from handlers.common.guards import parse_callback, require_admin, require_private
from handlers.common.registry import Registrar
from handlers.common.reply import reply
from handlers.common.typed import NEAR, after, typed_date, typed_text
from handlers.common.views import cancel_only
from handlers.visits import access, views
from storage import audit, terms
from storage.terms import TermProblem

FLOW = "term"
ASK_START = "term.start"
ASK_END = "term.end"
PREFIX = "vterm"


def register_flow(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[
            CommandHandler("term", term_command),
            CallbackQueryHandler(ask_start, pattern=pattern(PREFIX, "set")),
        ],
        states={
            ASK_START: step_handlers(PREFIX, start_typed, _again(ASK_START)),
            ASK_END: step_handlers(PREFIX, end_typed, _again(ASK_END)),
        },
    )


async def term_command(update: Update, context: XContext) -> object:
    require_private(update)
    require_admin(context)
    args = context.args or []
    if len(args) >= 2:
        today = context.today()
        start = typed_date(args[0], today, NEAR)
        end = typed_date(args[1], today, after(start)) if start else None
        if start is None or end is None:
            await reply(update, context, context.t("term.bad_date"))
            return END
        return await _save(update, context, start, end)
    term = await access.current_term(context)
    await reply(update, context, *views.term_view(context.t, term))
    return END


async def ask_start(update: Update, context: XContext) -> object:
    require_private(update)
    parse_callback(update, PREFIX)
    require_admin(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    enter_flow(context, FLOW)
    await _ask(update, context, context.t("term.ask_start"))
    return ASK_START


async def start_typed(update: Update, context: XContext) -> object:
    require_admin(context)
    start = typed_date(typed_text(update), context.today(), NEAR)
    if start is None:
        await _ask(
            update, context, f"{context.t('term.bad_date')}\n\n{context.t('term.ask_start')}"
        )
        return ASK_START
    flow_data(context, FLOW)["start"] = start.isoformat()
    await _ask(update, context, context.t("term.ask_end", start=start.isoformat()))
    return ASK_END


async def end_typed(update: Update, context: XContext) -> object:
    require_admin(context)
    start = date.fromisoformat(flow_data(context, FLOW)["start"])
    end = typed_date(typed_text(update), context.today(), after(start))
    if end is None:
        again = context.t("term.ask_end", start=start.isoformat())
        await _ask(update, context, f"{context.t('term.bad_date')}\n\n{again}")
        return ASK_END
    return await _save(update, context, start, end)


async def _save(update: Update, context: XContext, start: date, end: date) -> object:
    admin = require_admin(context)
    now = context.now()
    try:
        async with context.db.transaction() as tx:
            term, replaced = await terms.set_term(
                tx, start=start, end=end, set_by=admin.id, now=now
            )
            await audit.record(
                tx, at=now, actor_id=admin.id, action="term.set", entity="term",
                entity_id=term.id, start=start.isoformat(), end=end.isoformat(),
                replaced=[old.id for old in replaced],
            )  # fmt: skip
    except TermProblem as problem:
        again = context.t("term.ask_end", start=start.isoformat())
        flow_data(context, FLOW)["start"] = start.isoformat()
        await _ask(update, context, f"{context.t(f'term.problem.{problem.code}')}\n\n{again}")
        return ASK_END
    text = context.t("term.set", start=start.isoformat(), end=end.isoformat())
    if replaced:
        text += context.t("term.replaced", count=len(replaced))
    await reply(update, context, text)
    return END


def _again(state: str) -> Callable[[Update, XContext], Coroutine[Any, Any, object]]:
    async def again(update: Update, context: XContext) -> object:
        if state == ASK_START:
            question = context.t("term.ask_start")
        else:
            question = context.t("term.ask_end", start=flow_data(context, FLOW).get("start", ""))
        await _ask(update, context, f"{context.t('input.text_expected')}\n\n{question}")
        return state

    return again


async def _ask(update: Update, context: XContext, text: str) -> None:
    await reply(update, context, text, cancel_only(context.t))
