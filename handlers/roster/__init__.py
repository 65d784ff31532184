"""Roster import (/import): a secretary's members, or an admin's branches and their
secretaries, from a spreadsheet, each with a personal one-use invite link."""

from __future__ import annotations

from handlers.common.registry import Registrar
from handlers.roster.flow import COMMANDS, register_flow
from handlers.roster.withdraw import register_withdraw

__all__ = ["COMMANDS", "register"]


def register(reg: Registrar) -> None:
    register_flow(reg)
    register_withdraw(reg)
