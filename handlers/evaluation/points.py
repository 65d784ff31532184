"""/points: a member's own points by month and term with the records behind them, the
branch ranking (secretaries; members when the setting opens it), every branch (admins),
and the rules in force, which an admin replaces by sending a file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.callback import BadCallbackData, encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, NotFound, OtherBranch, Refusal
from handlers.common.guards import (
    parse_callback,
    require_admin,
    require_member,
    require_private,
)
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import ack, replace, reply, reply_document, say
from handlers.evaluation import uploads, views
from handlers.evaluation.views import PREFIX
from storage import branches, ledger, members
from storage import points as store
from storage import terms as term_store
from storage.ledger_period import LedgerPeriod
from storage.members import Member, Role
from storage.terms import Term


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("points", show))
    reg.add(CallbackQueryHandler(show_mine, pattern=pattern(PREFIX, "me")))
    reg.add(CallbackQueryHandler(show_branch, pattern=pattern(PREFIX, "br")))
    reg.add(CallbackQueryHandler(show_bureau, pattern=pattern(PREFIX, "all")))
    reg.add(CallbackQueryHandler(show_rules, pattern=pattern(PREFIX, "rules")))
    reg.add(CallbackQueryHandler(send_rules_file, pattern=pattern(PREFIX, "file")))


# --------------------------------------------------------------------------- showing


async def show(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    async with context.db.read() as conn:
        term = await term_store.term_for(conn, context.today())
    if person.role is Role.ADMIN:
        text, markup = await _bureau(context, term)
    elif person.role is Role.SECRETARY and person.branch_id is not None:
        text, markup = await _ranking(context, person, person.branch_id, term)
    elif person.role is Role.MEMBER and person.branch_id is not None:
        text, markup = await _mine(context, person, term)
    else:
        raise NotAllowed()
    await reply(update, context, text, markup)


async def show_mine(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    if person.role not in (Role.MEMBER, Role.SECRETARY) or person.branch_id is None:
        raise NotAllowed()
    term = _term_arg(update, 0)
    await _answer(update, context, await _mine(context, person, term))


async def show_branch(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    callback = parse_callback(update, PREFIX)
    try:
        branch_id = callback.int_arg(0)
    except BadCallbackData as exc:
        raise BadButton() from exc
    term = _term_arg(update, 1)
    if person.role is not Role.ADMIN:
        if person.role not in (Role.MEMBER, Role.SECRETARY):
            raise NotAllowed()
        if person.branch_id != branch_id:
            raise OtherBranch()
        if person.role is Role.MEMBER and not context.config.members_see_ranking:
            raise Refusal("points.ranking_hidden")
    await _answer(update, context, await _ranking(context, person, branch_id, term))


async def show_bureau(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    await _answer(update, context, await _bureau(context, _term_arg(update, 0)))


async def show_rules(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    async with context.db.read() as conn:
        in_force = await store.rules_in_force(conn)
        uploader = await members.get(conn, in_force.uploaded_by) if in_force.uploaded_by else None
    at = (
        in_force.uploaded_at.astimezone(context.config.zone).strftime("%Y-%m-%d %H:%M")
        if in_force.uploaded_at
        else None
    )
    text, markup = views.rules(context.t, in_force, uploader.name if uploader else None, at)
    await say(update, context, text, markup)


async def send_rules_file(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    async with context.db.read() as conn:
        in_force = await store.rules_in_force(conn)
    await ack(update)
    caption = context.t.plain("points.rules.file_caption", version=in_force.rules.version)
    await reply_document(update, context, in_force.text.encode(), "points.toml", caption)


# --------------------------------------------------------------------------- uploading


async def _save_rules(
    tx: aiosqlite.Connection, text: str, _arg: int, actor_id: int, now: datetime, t: Translator
) -> str:
    rules = await store.save_rules(tx, text, actor_id=actor_id, now=now)
    return "\n".join([t("points.upload.saved", version=rules.version), *views.rule_lines(t, rules)])


uploads.upload_kind("points", uploads.Upload(lambda t, _arg: t("points.upload.ask"), _save_rules))


# --------------------------------------------------------------------------- screens


async def _mine(context: XContext, person: Member, term: Term) -> views.Screen:
    async with context.db.read() as conn:
        in_force = await store.rules_in_force(conn)
        found = await store.member_points(
            conn, person.id, term.start, term.end, in_force.rules, zone=context.config.zone
        )
        nav = await _nav(conn, context, term, "me")
    if found is None:
        raise NotFound()
    more = []
    if person.branch_id is not None and (
        person.role is Role.SECRETARY or context.config.members_see_ranking
    ):
        more.append(_button(context.t, "points.button.ranking", "br", person.branch_id, term))
    return views.mine(context.t, found, _label(term), in_force.rules.version, nav, more)


async def _ranking(context: XContext, person: Member, branch_id: int, term: Term) -> views.Screen:
    async with context.db.read() as conn:
        branch = await branches.get(conn, branch_id)
        if branch is None:
            raise NotFound()
        in_force = await store.rules_in_force(conn)
        people = await store.branch_points(
            conn, branch_id, term.start, term.end, in_force.rules, zone=context.config.zone
        )
        nav = await _nav(conn, context, term, "br", branch_id)
    more = []
    if person.role is Role.ADMIN:
        more.append(_button(context.t, "points.button.bureau", "all", None, term))
    else:
        more.append(_button(context.t, "points.button.mine", "me", None, term))
    return views.ranking(context.t, branch.name, people, _label(term), nav, more)


async def _bureau(context: XContext, term: Term) -> views.Screen:
    rows = []
    async with context.db.read() as conn:
        in_force = await store.rules_in_force(conn)
        for branch in await ledger.branches(conn):
            people = await store.branch_points(
                conn, branch.id, term.start, term.end, in_force.rules, zone=context.config.zone
            )
            rows.append((branch.id, branch.name, people))
        nav = await _nav(conn, context, term, "all")
    return views.bureau(context.t, rows, _label(term), _code(term), nav)


async def _nav(
    conn: Any, context: XContext, term: Term, action: str, branch_id: int | None = None
) -> list[InlineKeyboardButton]:
    """The previous term, and the next one unless it has not begun."""
    before = await term_store.term_for(conn, term.start - timedelta(days=1))
    buttons = [_button(context.t, "points.button.previous", action, branch_id, before)]
    if term.end < context.today():
        after = await term_store.term_for(conn, term.end + timedelta(days=1))
        if after.start > term.start:
            buttons.append(_button(context.t, "points.button.next", action, branch_id, after))
    return buttons


def _button(
    t: Translator, key: str, action: str, branch_id: int | None, term: Term
) -> InlineKeyboardButton:
    args = [branch_id, _code(term)] if branch_id is not None else [_code(term)]
    return InlineKeyboardButton(t.plain(key), callback_data=encode(PREFIX, action, *args))


def _code(term: Term) -> str:
    return LedgerPeriod.of_term(term).code


def _label(term: Term) -> str:
    return f"{term.start:%Y-%m-%d}–{term.end:%Y-%m-%d}"


def _term_arg(update: Update, index: int) -> Term:
    """The term a button names (a period code), refused when forged."""
    try:
        period = LedgerPeriod.from_code(parse_callback(update, PREFIX).str_arg(index))
        term = Term(start=period.start, end=period.end)
    except (BadCallbackData, ValueError) as exc:
        raise BadButton() from exc
    if period.kind.value != "term" or term.start > date(2100, 1, 1):
        raise BadButton()
    return term


async def _answer(update: Update, context: XContext, screen: views.Screen) -> None:
    await ack(update)
    await replace(update, context, *screen)
