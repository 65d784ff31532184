"""Who hasn't yet (/todo): for a branch, who has no pledge for the year, no home visit or
service this month, or has not answered this month's party day; a button nudges exactly
those people through the outbox, once a day per list.

Modules: ``commands`` (who may ask, the lists, the nudge), ``views`` (the screens and
the nudges' words), ``texts`` (the catalog). The rule for who is missing is
``storage.todo``; the boards' buttons into a list are ``handlers.common.todo_link``.
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.todo import commands
from storage.members import Role

COMMANDS = [CommandSpec("todo", "cmd.todo", frozenset({Role.SECRETARY, Role.ADMIN}))]


def register(reg: Registrar) -> None:
    commands.register(reg)
