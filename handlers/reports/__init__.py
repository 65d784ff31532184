"""Records out: 台账 workbooks (/export) and charts (/charts) built from what branches logged.

Modules: ``commands`` (who may ask for what, and the background run), ``views`` (the
branch picker and the period question), ``export`` and ``workbook`` (the XLSX),
``charts`` (the PNGs), ``texts`` (every word they use).
"""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.common.services import CommandSpec
from handlers.reports import commands
from storage.members import Role

READERS = frozenset({Role.SECRETARY, Role.ADMIN, Role.INSPECTOR})

COMMANDS = [
    CommandSpec("export", "cmd.export", READERS),
    CommandSpec("charts", "cmd.charts", READERS),
]


def register(reg: Registrar) -> None:
    commands.register(reg)
