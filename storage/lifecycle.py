"""What the reviewed records' lifecycles share (pledges, meetings): the table of allowed
status moves, and the exception a move it does not allow raises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

Status = TypeVar("Status", bound=StrEnum)


def transitions(
    statuses: type[Status], moves: Mapping[Status, Iterable[Status]]
) -> dict[Status, frozenset[Status]]:
    """Each status with the statuses it may move to; one not listed moves nowhere (final)."""
    return {status: frozenset(moves.get(status, ())) for status in statuses}


class IllegalTransition(ValueError):
    """A move the lifecycle does not allow from the record's current status."""

    record = "record"  # what the message names; each lifecycle's subclass says

    def __init__(self, current: StrEnum, target: StrEnum, reason: str = "") -> None:
        super().__init__(f"{self.record} cannot move from {current} to {target} {reason}".strip())
        self.current = current
        self.target = target

    @classmethod
    def check(
        cls, table: Mapping[Status, frozenset[Status]], current: Status, target: Status
    ) -> None:
        """Raise unless ``table`` allows the move from ``current`` to ``target``."""
        if target not in table[current]:
            raise cls(current, target)
