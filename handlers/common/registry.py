"""How features add their handlers to the Application, in the groups the flows rely on.

Each conversation gets a group of its own (0, 1, ...) so one flow's fallbacks never hide
another flow's entry point, and the configured timeout. Plain commands and buttons share
``COMMON_GROUP``; the catch-alls are added last to that group, so they answer only what
nothing else took.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from telegram.ext import Application, BaseHandler

from handlers.common import flows
from handlers.common.flows import FlowPart, Handlers, LeaveHook
from handlers.common.reminders import DigestSection, ReminderView
from handlers.common.services import BotConfig, CommandSpec
from schedules.dispatcher import Receipt
from schedules.kinds import Kind
from storage.retention import Eraser

COMMON_GROUP = 100
# Which handler is running, for the error handler's log line; set anew for each update.
current_handler: ContextVar[str | None] = ContextVar("current_handler", default=None)


class Registrar:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], config: BotConfig) -> None:
        self.app = app
        self.config = config
        self._next_flow_group = 0
        self.commands: list[CommandSpec] = []
        self.reminders: dict[Kind, ReminderView] = {}
        self.digest_sections: list[DigestSection] = []
        self.receipts: dict[str, Receipt] = {}
        self.erasers: dict[str, Eraser] = {}

    def conversation(
        self,
        name: str,
        *,
        entry_points: Handlers,
        states: dict[object, Handlers],
        on_leave: Mapping[object, LeaveHook] | None = None,
    ) -> None:
        """A feature's conversation (``flows.conversation``) with the configured timeout,
        in the next handler group."""
        if self._next_flow_group >= COMMON_GROUP:
            raise RuntimeError("too many conversations")
        handler = flows.conversation(
            name,
            entry_points=entry_points,
            states=states,
            timeout=self.config.conversation_timeout,
            on_leave=on_leave,
        )
        for step in [*handler.entry_points, *handler.fallbacks]:
            _trace(step)
        for steps in handler.states.values():
            for step in steps:
                _trace(step)
        self.app.add_handler(handler, group=self._next_flow_group)
        self._next_flow_group += 1

    def conversation_of(
        self,
        name: str,
        parts: Iterable[FlowPart],
        *,
        on_leave: Mapping[object, LeaveHook] | None = None,
    ) -> None:
        """One ``conversation`` from the entry points and steps of several modules."""
        entry_points: Handlers = []
        states: dict[object, Handlers] = {}
        for part in parts:
            entry_points += part.entry_points()
            states.update(part.states())
        self.conversation(name, entry_points=entry_points, states=states, on_leave=on_leave)

    def add(self, *handlers: BaseHandler[Any, Any, Any]) -> None:
        for handler in handlers:
            _trace(handler)
            self.app.add_handler(handler, group=COMMON_GROUP)

    def command_specs(self, specs: Sequence[CommandSpec]) -> None:
        known = {spec.name for spec in self.commands}
        for spec in specs:
            if spec.name in known:
                raise ValueError(f"command /{spec.name} offered twice")
            self.commands.append(spec)

    def reminder(self, kind: Kind, view: ReminderView) -> None:
        """How a reminder kind looks; handed to the reminder engine by the composition root."""
        if kind in self.reminders:
            raise ValueError(f"reminder view for {kind} given twice")
        self.reminders[kind] = view

    def retention(self, name: str, eraser: Eraser) -> None:
        """A record that names a student: erased by the daily retention job (see
        storage.retention) like home visits, with the same cut-off."""
        if name in self.erasers:
            raise ValueError(f"eraser for {name} given twice")
        self.erasers[name] = eraser

    def digest_section(self, section: DigestSection) -> None:
        """A feature's part of the secretary's monthly digest, after the counts."""
        self.digest_sections.append(section)

    def receipt(self, kind: str, receipt: Receipt) -> None:
        """What to record when an outbox row of this kind is sent, fails or moves (a notice
        post's message id); handed to the dispatcher by the composition root."""
        if kind in self.receipts:
            raise ValueError(f"receipt for {kind} given twice")
        self.receipts[kind] = receipt


def _trace(handler: BaseHandler[Any, Any, Any]) -> None:
    """Make the handler say its name in ``current_handler`` while it runs."""
    callback = handler.callback
    if getattr(callback, "_traced", False):
        return
    name = f"{callback.__module__}.{getattr(callback, '__qualname__', callback)}"

    @functools.wraps(callback)
    async def traced(update: object, context: Any) -> Any:
        current_handler.set(name)
        return await callback(update, context)

    traced._traced = True  # type: ignore[attr-defined]
    handler.callback = traced
