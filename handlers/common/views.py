"""Screens every feature shares: the home menu and the command help, by role and language,
and the keyboard of a question that can only be cancelled."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.flows import cancel_button
from handlers.common.i18n import Raw, Translator
from handlers.common.services import CommandSpec
from storage.branches import Branch
from storage.members import Member, Role


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` ``total`` items fill (one, even when there are none)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int) -> int:
    """``page`` moved onto a page that exists: the first for a negative one, the last for
    one past the end (the list shrank since the button was made, or it was forged)."""
    return min(max(page, 0), page_count(total, size) - 1)


def page_turn(
    t: Translator, page: int, total: int, size: int, data: Callable[[int], str]
) -> list[list[InlineKeyboardButton]]:
    """The row under a page of a list: [◀ 上一页] and [下一页 ▶] where there is such a page
    (``data(n)`` is the callback data that shows page ``n``), or no row for one page."""
    turn = []
    if page > 0:
        turn.append(InlineKeyboardButton(t.plain("page.prev"), callback_data=data(page - 1)))
    if page < page_count(total, size) - 1:
        turn.append(InlineKeyboardButton(t.plain("page.next"), callback_data=data(page + 1)))
    return [turn] if turn else []


def role_name(t: Translator, role: Role) -> str:
    return t(f"role.{role.value}")


def commands_for(specs: Sequence[CommandSpec], member: Member | None) -> list[CommandSpec]:
    """The commands this person may use; an empty role set means everyone, strangers too."""
    return [
        spec
        for spec in specs
        if not spec.roles or (member is not None and member.role in spec.roles)
    ]


def command_lines(t: Translator, specs: Sequence[CommandSpec]) -> str:
    return "\n".join(f"/{spec.name} — {t(spec.description_key)}" for spec in specs)


def home(t: Translator, member: Member, branch: Branch | None, specs: Sequence[CommandSpec]) -> str:
    place = t("home.branch_line", branch=branch.name) if branch else ""
    return t(
        "home.greeting",
        name=member.name,
        place=Raw(place),
        role=role_name(t, member.role),
        commands=Raw(command_lines(t, commands_for(specs, member))),
    )


def help_text(t: Translator, member: Member | None, specs: Sequence[CommandSpec]) -> str:
    lines = command_lines(t, commands_for(specs, member))
    return f"{t('help.title')}\n{lines}\n\n{t('help.cancel_note')}"


def cancel_only(t: Translator) -> InlineKeyboardMarkup:
    """The keyboard under a question answered by typing: just [取消]."""
    return InlineKeyboardMarkup([[cancel_button(t)]])
