"""The branch picker in front of a branch's screen for someone who may browse several
branches (the bureau): a button per branch, 10 a page, the same for every screen.

A screen is named by a short code. Its buttons are ``bp:go:<code>:<branch>[:<extra>]``
and its pages ``bp:pg:<code>:<page>[:<extra>]``, where ``extra`` carries what the
screen was asked for (a year, a month). Which branches a person may see is decided in
one place, ``storage.branches.visible_to``; the picker lists those and checks every press
against them again, so a stale or forged button opens nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import BadCallbackData, Callback, encode
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, NotFound, OtherBranch, Refusal
from handlers.common.guards import parse_callback, require_member, require_private
from handlers.common.i18n import Translator
from handlers.common.reply import ack, replace, reply
from handlers.common.views import clamp_page, page_count, page_turn
from storage import branches
from storage.branches import Branch
from storage.members import Member, Role

PREFIX = "bp"
PAGE_SIZE = 10

Opener = Callable[[Update, XContext, Branch, str], Awaitable[None]]
"""Shows the screen of one branch (the picker has checked it may be seen) with ``say``,
which answers the press; ``extra`` is what the screen's command was asked for ("" when
nothing): one it cannot read is a ``BadButton``."""
Title = Callable[[Translator, str], str]
"""The picker's question, e.g. 请选择支部，查看其党日名单："""
Lead = Callable[[Translator, Member, str], list[InlineKeyboardButton]]
"""Buttons above the branches on every page, for this person (e.g. the whole bureau in
/export for an admin); they are the screen's own buttons, checked by its own handlers."""


@dataclass(frozen=True)
class BranchScreen:
    code: str
    title: Title
    open: Opener
    inspectors: bool = False
    """Whether inspectors may browse it (their assigned branches): only a read-only screen,
    whose opener shows an inspector no button that writes and no student's alias or note."""
    lead: Lead | None = None

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """The picker's buttons for this screen, for the feature's ``register``."""

        async def go(update: Update, context: XContext) -> None:
            await _go(update, context, self)

        async def page(update: Update, context: XContext) -> None:
            await _turn(update, context, self)

        go.__qualname__ = f"picker_go.{self.code}"
        page.__qualname__ = f"picker_page.{self.code}"
        code = re.escape(self.code)
        return [
            CallbackQueryHandler(go, pattern=rf"^{PREFIX}:go:{code}(:|$)"),
            CallbackQueryHandler(page, pattern=rf"^{PREFIX}:pg:{code}(:|$)"),
        ]


async def show(update: Update, context: XContext, screen: BranchScreen, extra: str = "") -> None:
    """The picker's first page, as the answer to a command."""
    require_private(update)
    person = browser(context, screen)
    text, markup = await _page(context, person, screen, 0, extra)
    await reply(update, context, text, markup)


def browser(context: XContext, screen: BranchScreen) -> Member:
    """Someone who may browse branches on this screen (which ones: ``visible_to``)."""
    person = require_member(context)
    if person.role is Role.MEMBER or (person.role is Role.INSPECTOR and not screen.inspectors):
        raise NotAllowed()
    return person


async def require_visible(context: XContext, person: Member, branch_id: int) -> Branch:
    """The branch, if ``person`` may see it: NotFound when it is gone, OtherBranch when it
    exists but is not among theirs."""
    async with context.db.read() as conn:
        visible = await branches.visible_to(conn, person)
        found = next((branch for branch in visible if branch.id == branch_id), None)
        if found is None:
            if await branches.get(conn, branch_id) is None:
                raise NotFound()
            raise OtherBranch()
    return found


def button(label: str, screen: str, branch_id: int, extra: str = "") -> InlineKeyboardButton:
    """A button straight to one branch's screen (e.g. from another screen of it)."""
    return InlineKeyboardButton(label[:60], callback_data=_data("go", screen, branch_id, extra))


# --------------------------------------------------------------------------- presses


async def _go(update: Update, context: XContext, screen: BranchScreen) -> None:
    require_private(update)
    data = _parse(update, screen)
    person = browser(context, screen)
    branch = await require_visible(context, person, _int(data, 1))
    # The screen answers the press (``say``): a refusal of its own is still an alert.
    await screen.open(update, context, branch, _extra(data))


async def _turn(update: Update, context: XContext, screen: BranchScreen) -> None:
    require_private(update)
    data = _parse(update, screen)
    person = browser(context, screen)
    text, markup = await _page(context, person, screen, _int(data, 1), _extra(data))
    await ack(update)
    await replace(update, context, text, markup)


async def _page(
    context: XContext, person: Member, screen: BranchScreen, page: int, extra: str
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    async with context.db.read() as conn:
        visible = await branches.visible_to(conn, person)
    if not visible:
        raise Refusal("picker.none_assigned" if person.role is Role.INSPECTOR else "picker.none")
    pages = page_count(len(visible), PAGE_SIZE)
    page = clamp_page(page, len(visible), PAGE_SIZE)
    rows = [[lead] for lead in (screen.lead(t, person, extra) if screen.lead else [])]
    rows += [
        [button(branch.name, screen.code, branch.id, extra)]
        for branch in visible[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    rows += page_turn(
        t, page, len(visible), PAGE_SIZE, lambda n: _data("pg", screen.code, n, extra)
    )
    text = screen.title(t, extra)
    if pages > 1:
        text += "\n" + t("picker.page", page=page + 1, pages=pages, count=len(visible))
    return text, InlineKeyboardMarkup(rows)


def _data(action: str, screen: str, number: int, extra: str) -> str:
    return encode(PREFIX, action, screen, number, *([extra] if extra else []))


def _parse(update: Update, screen: BranchScreen) -> Callback:
    data = parse_callback(update, PREFIX)
    if not data.args or data.args[0] != screen.code or len(data.args) > 3:
        raise BadButton()
    return data


def _int(data: Callback, index: int) -> int:
    try:
        return data.int_arg(index)
    except BadCallbackData as exc:
        raise BadButton() from exc


def _extra(data: Callback) -> str:
    return data.args[2] if len(data.args) > 2 else ""
