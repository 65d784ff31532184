"""An admin naming something new (a branch, an inspection group): the name checked, the
thing created, a bad or taken name told so the step asks again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiosqlite
from telegram import Update

from handlers.common.context import XContext
from handlers.common.reply import reply
from storage.branches import BranchName

T = TypeVar("T")


@dataclass(frozen=True)
class Naming:
    """What is named: the prefix of its messages (``<prefix>.bad_name``,
    ``<prefix>.duplicate``), the rules a name follows, what storage raises for a taken one."""

    prefix: str
    rules: type[BranchName]
    taken: type[Exception]

    async def create(
        self,
        update: Update,
        context: XContext,
        name: str,
        create: Callable[[aiosqlite.Connection, str], Awaitable[T]],
    ) -> T | None:
        """``create`` (in one transaction) what ``name``, tidied by the rules, names; None
        once the person has been told the name is bad or taken."""
        try:
            clean = self.rules(value=name).value
        except ValueError:
            await reply(update, context, context.t(f"{self.prefix}.bad_name"))
            return None
        try:
            async with context.db.transaction() as tx:
                return await create(tx, clean)
        except self.taken:
            await reply(update, context, context.t(f"{self.prefix}.duplicate", name=clean))
            return None
