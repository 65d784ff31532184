"""/settings: each reminder kind with an on/off switch, and (for secretaries) the branch's
reminder times, changed one at a time by a button or a typed answer."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from handlers.common.callback import pattern
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, Refusal, StaleButton
from handlers.common.flows import END, clear_flow, enter_flow, flow_data, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_private,
    require_role,
    require_secretary,
)
from handlers.common.registry import Registrar
from handlers.common.reply import edit_buttons, remove_buttons, reply
from handlers.reminders import views
from schedules.due import lost_to_quiet_hours
from schedules.kinds import SPECS, Kind
from schedules.quiet import QuietHours
from storage import branches, reminders
from storage.members import Member, Role
from storage.reminders import RULE_NAMES, BadRule

RULE_FLOW = "reminder_rule"
# The rules that decide whether a party-day reminder can go out before its day is over.
PARTY_DAY_TIMES = frozenset({"announce_days", "announce_time", "morning_time"})
ASK_RULE = "reminder_rule.value"


def quiet_of(context: XContext) -> QuietHours:
    return QuietHours(context.config.quiet_start, context.config.quiet_end)


# --------------------------------------------------------------------------- switches


async def settings_command(update: Update, context: XContext) -> None:
    require_private(update)
    person = _switcher(context)
    async with context.db.read() as conn:
        muted = await reminders.muted_kinds(conn, person.id)
    text, keyboard = views.settings_screen(context.t, person.role, muted, quiet_of(context))
    await reply(update, context, text, keyboard)


async def switch(update: Update, context: XContext) -> None:
    """``rem:off:<kind>`` mutes, ``rem:on:<kind>`` unmutes: pressing twice is harmless."""
    data = parse_callback(update, views.PREFIX)
    person = _switcher(context)
    kind = data.enum_arg(Kind)
    if not SPECS[kind].mutable:
        raise Refusal("reminders.not_mutable")
    if kind not in views.kinds_for(person.role):
        raise NotAllowed()
    muted = data.action == "off"
    async with context.db.transaction() as tx:
        await reminders.set_muted(
            tx, member_id=person.id, kind=kind.value, muted=muted, now=context.now()
        )
        now_muted = await reminders.muted_kinds(tx, person.id)
    t = context.t
    query = update.callback_query
    assert query is not None
    key = "reminders.muted" if muted else "reminders.unmuted"
    await query.answer(t(key, label=views.kind_label(t, kind.value)))
    _, keyboard = views.settings_screen(t, person.role, now_muted, quiet_of(context))
    await edit_buttons(update, keyboard)


def _switcher(context: XContext) -> Member:
    """Someone who gets reminders: a branch's member or secretary, or an admin (inspectors
    get none)."""
    return require_role(context, Role.MEMBER, Role.SECRETARY, Role.ADMIN)


# --------------------------------------------------------------------------- branch times


async def show_rules(update: Update, context: XContext) -> None:
    parse_callback(update, views.PREFIX)
    secretary = require_secretary(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _send_rules(update, context, secretary.branch_id)


async def ask_rule(update: Update, context: XContext) -> str:
    data = parse_callback(update, views.PREFIX)
    secretary = require_secretary(context)
    name = data.str_arg(0)
    if name not in RULE_NAMES:
        raise BadButton()
    async with context.db.read() as conn:
        rules = await reminders.rules_for(conn, secretary.branch_id)
    enter_flow(context, RULE_FLOW, rule=name)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _ask(update, context, name, getattr(rules, name))
    return ASK_RULE


async def rule_button(update: Update, context: XContext) -> object:
    data = parse_callback(update, views.PREFIX)
    raw = data.str_arg(0)
    # Times travel as HHMM: the callback codec has no colon.
    value = f"{raw[:2]}:{raw[2:]}" if len(raw) == 4 and raw.isdigit() else raw
    query = update.callback_query
    assert query is not None
    await query.answer()
    await remove_buttons(update)
    return await _save(update, context, value)


async def rule_typed(update: Update, context: XContext) -> object:
    assert update.effective_message is not None
    return await _save(update, context, update.effective_message.text or "")


async def rule_not_text(update: Update, context: XContext) -> str:
    await reply(update, context, context.t("input.text_expected"))
    return ASK_RULE


async def _save(update: Update, context: XContext, value: str) -> object:
    secretary = require_secretary(context)
    name = flow_data(context, RULE_FLOW).get("rule")
    if name not in RULE_NAMES:
        clear_flow(context, RULE_FLOW)
        raise StaleButton()
    chat = update.effective_chat
    assert chat is not None
    t = context.t
    try:
        parsed = reminders.parse_rule(name, value)
    except BadRule:
        if name in ("announce_days", "monthly_day"):
            high = 14 if name == "announce_days" else 31
            problem = t("reminders.rule.bad_number", low=1, high=high)
        else:
            problem = t("reminders.rule.bad_time")
        await reply(update, context, problem)
        async with context.db.read() as conn:
            rules = await reminders.rules_for(conn, secretary.branch_id)
        await _ask(update, context, name, getattr(rules, name))
        return ASK_RULE
    async with context.db.read() as conn:
        before = await reminders.rules_for(conn, secretary.branch_id)
    quiet, zone = quiet_of(context), context.config.zone
    lost = [
        kind
        for kind in lost_to_quiet_hours(before.model_copy(update={name: parsed}), quiet, zone)
        if kind not in lost_to_quiet_hours(before, quiet, zone)
    ]
    if lost and name in PARTY_DAY_TIMES:
        # Saved, it would silently cost every party day this reminder: refuse and ask again.
        await reply(
            update,
            context,
            t(
                "reminders.rule.lost",
                label=views.kind_label(t, lost[0].value),
                quiet=views.quiet_text(quiet),
                end=f"{quiet.end:%H:%M}",
            ),
        )
        await _ask(update, context, name, getattr(before, name))
        return ASK_RULE
    async with context.db.transaction() as tx:
        await reminders.set_rule(
            tx,
            branch_id=secretary.branch_id,
            name=name,
            value=parsed,
            actor_id=secretary.id,
            now=context.now(),
        )
    quiet_end = None
    if name.endswith("_time") and quiet.covers(parsed):
        quiet_end = f"{quiet.end:%H:%M}"
    await reply(update, context, views.rule_saved(t, name, parsed, quiet, quiet_end))
    await _send_rules(update, context, secretary.branch_id)
    return END


async def _ask(update: Update, context: XContext, name: str, current: object) -> None:
    chat = update.effective_chat
    assert chat is not None
    text, keyboard = views.rule_question(context.t, name, current)
    await reply(update, context, text, keyboard)


async def _send_rules(update: Update, context: XContext, branch_id: int) -> None:
    async with context.db.read() as conn:
        branch = await branches.get(conn, branch_id)
        rules = await reminders.rules_for(conn, branch_id)
    assert branch is not None
    chat = update.effective_chat
    assert chat is not None
    text, keyboard = views.rules_screen(context.t, branch.name, rules, quiet_of(context))
    await reply(update, context, text, keyboard)


def register_rule_flow(reg: Registrar) -> None:
    states: dict[object, list[BaseHandler[Any, Any, Any]]] = {
        ASK_RULE: step_handlers(views.PREFIX, rule_typed, rule_not_text, val=rule_button)
    }
    reg.conversation(
        RULE_FLOW,
        entry_points=[CallbackQueryHandler(ask_rule, pattern=pattern(views.PREFIX, "rule"))],
        states=states,
    )
