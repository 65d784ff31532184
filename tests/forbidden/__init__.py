"""Rows for the one table-driven test of every guarded handler's failure modes.

Each feature keeps its rows in a module here (``CASES: list[Case]``); ``test_forbidden.py``
runs them all against a bot with two branches (see ``Harness.branch_with_people`` and
``Harness.second_branch``). A module may also list what a read-only role *is* shown
(``READS: list[Read]``): the same table's other half, so a role's refusals and its reads
sit side by side.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.fakebot import FakeUser

Action = Callable[[Any], Awaitable[object]]


@dataclass(frozen=True)
class Case:
    """``actor`` does ``action`` (after ``setup``) and must be told ``expect`` (a message key).

    ``action`` gets the Harness; e.g. ``lambda h: h.send(MEMBER, "/members")`` or
    ``lambda h: h.callback(MEMBER, "mem:rm:1")``. ``setup`` may create the records the
    action names and return nothing. ``check`` may assert that nothing changed.
    """

    name: str
    actor: FakeUser
    action: Action
    expect: str
    setup: Action | None = None
    check: Action | None = None


@dataclass(frozen=True)
class Read:
    """``actor`` does ``action`` (after ``setup``) and is shown a screen containing
    ``shows`` (as the person reads it), with no refusal; every button on what was sent
    has callback data starting with one of ``buttons`` (the ones that only read), and no
    message contains any of ``never`` (e.g. a student's alias, a visit note)."""

    name: str
    actor: FakeUser
    action: Action
    shows: str
    setup: Action | None = None
    buttons: tuple[str, ...] = ()
    never: tuple[str, ...] = ()


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for module in _modules():
        cases.extend(module.CASES)
    return cases


def all_reads() -> list[Read]:
    reads: list[Read] = []
    for module in _modules():
        reads.extend(getattr(module, "READS", []))
    return reads


def _modules() -> list[Any]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]
