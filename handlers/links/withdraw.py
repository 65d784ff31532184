"""Withdrawing a contact logged by mistake: whoever logged it, while its link is in force
(as long as a contact may be logged on it), from the link's screen."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.common.callback import Callback
from handlers.common.context import XContext
from handlers.common.errors import OtherBranch, Refusal
from handlers.common.guards import require_found, require_member
from handlers.common.i18n import Raw
from handlers.common.withdrawal import Withdrawal
from handlers.links import flow, views
from handlers.links.names import names_for
from handlers.links.views import PREFIX
from storage import links, terms
from storage.link_rules import window_of
from storage.links import Contact, Link
from storage.members import Role


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return WITHDRAWAL.handlers()


async def _own_contact(context: XContext, callback: Callback) -> tuple[Contact, Link]:
    """The contact a [撤回] button names, if this person logged it, it still counts and its
    link is in force (the rule of ``links.withdraw_contact``, and of logging one)."""
    actor = require_member(context)
    contact = await require_found(context, links.get_contact, callback.int_arg(0))
    link = await require_found(context, links.get, contact.link_id)
    if contact.logged_by != actor.id:
        if actor.role is not Role.ADMIN and actor.branch_id not in link.sides():
            raise OtherBranch()
        raise Refusal("lk.withdraw.not_yours")
    if contact.withdrawn_at is not None:
        raise Refusal("lk.withdraw.already")
    if not link.in_force(context.today()):
        raise Refusal("lk.withdraw.closed")
    return contact, link


async def _line(context: XContext, contact: Contact, link: Link) -> str:
    async with context.db.read() as conn:
        names = await names_for(conn, [link])
    return context.t(
        "lk.withdraw.line", date=contact.on_date.isoformat(),
        how=views.way_name(context.t, contact.how),
        target=views.target(link, names, side=flow.side_of(context, link)),
    )  # fmt: skip


async def _question(context: XContext, record: tuple[Contact, Link]) -> str:
    return context.t("lk.withdraw.confirm", line=Raw(await _line(context, *record)))


async def _withdraw(context: XContext, record: tuple[Contact, Link]) -> str:
    contact, link = record
    actor = require_member(context)
    line = Raw(await _line(context, contact, link))
    rhythm = context.config.link_rhythms.of(link.family)
    try:
        async with context.db.transaction() as tx:
            await links.withdraw_contact(tx, contact.id, actor_id=actor.id, now=context.now())
            window = window_of(rhythm, contact.on_date, await terms.set_terms(tx))
            count = await links.contacts_in(tx, link, window)
    except links.NotFound as exc:  # withdrawn meanwhile (a second press, another chat)
        raise Refusal("lk.withdraw.already") from exc
    return context.t(
        "lk.withdraw.done", line=line, window=flow.window_name(context, link), count=count
    )


def _kept(context: XContext, record: tuple[Contact, Link]) -> str:
    return context.t("lk.withdraw.kept")


WITHDRAWAL = Withdrawal(PREFIX, _own_contact, _question, _withdraw, _kept)
