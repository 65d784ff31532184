"""Evaluation, where the campaign ends: member points (/points) worked out from the
records by rules kept as data.

Modules: ``points`` (who sees what, the rules upload), ``views`` (the screens),
``texts`` (every word they use).
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.evaluation import points
from storage.members import Role

COMMANDS = [
    CommandSpec("points", "cmd.points", frozenset({Role.MEMBER, Role.SECRETARY, Role.ADMIN})),
]


def register(reg: Registrar) -> None:
    reg.command_specs(COMMANDS)
    points.register(reg)
