"""What the reviewed records' lifecycles share (pledges, meetings): the table of allowed
status moves, the exception a move it does not allow raises, what each move records, and
the guarded, audited update that makes a move (``Lifecycle.move`` checks it first)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import aiosqlite

from storage import audit
from storage.clock import to_iso
from storage.rows import required

Status = TypeVar("Status", bound=StrEnum)


def transitions(
    statuses: type[Status], moves: Mapping[Status, Iterable[Status]]
) -> dict[Status, frozenset[Status]]:
    """Each status with the statuses it may move to; one not listed moves nowhere (final)."""
    return {status: frozenset(moves.get(status, ())) for status in statuses}


class Step(NamedTuple):
    """What moving a record into a status records: the audit action, and the columns it
    stamps, ``…_by`` with who moved it and the others (``…_at``) with when."""

    action: str
    stamps: tuple[str, ...] = ()


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


class Record(Protocol):
    """What a move needs of a record: its id, its status, and its model's check."""

    @property
    def id(self) -> int: ...

    @property
    def status(self) -> StrEnum: ...

    def check_move(self, target: Any, *, today: date | None = None) -> None: ...


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Lifecycle(Generic[R]):
    """One kind of record's lifecycle: its audit entity (its table is ``<entity>s``), what
    each move records, what a move that lost the race raises, and how a record is read."""

    entity: str
    steps: Mapping[Any, Step]
    changed: Callable[[int], Exception]
    get: Callable[[aiosqlite.Connection, int], Awaitable[R | None]]

    async def move(
        self,
        tx: aiosqlite.Connection,
        record: R,
        target: StrEnum,
        *,
        actor_id: int,
        now: datetime,
        columns: Mapping[str, Any] | None = None,
        today: date | None = None,
        **detail: Any,
    ) -> R:
        """The one way a status changes: checked by the model, guarded by the old status in
        SQL (so a second press finds nothing to change), and audited (``steps``); the
        record as it now is."""
        record.check_move(target, today=today)
        moved = await move(
            tx, self.entity, record.id, record.status, target, step=self.steps[target],
            actor_id=actor_id, now=now, columns=columns, **detail,
        )  # fmt: skip
        if not moved:
            raise self.changed(record.id)
        return required(await self.get(tx, record.id))


async def move(
    tx: aiosqlite.Connection,
    entity: str,
    record_id: int,
    current: StrEnum,
    target: StrEnum,
    *,
    step: Step,
    actor_id: int,
    now: datetime,
    columns: Mapping[str, Any] | None = None,
    **detail: Any,
) -> bool:
    """Move the ``entity`` row (table ``<entity>s``) from ``current`` to ``target``, with
    ``columns`` and the ``step``'s stamps set too, and audit it as the step's action;
    False, with nothing changed, when the row is no longer in ``current`` (a second press,
    a second reviewer). The model checks the move is allowed before this runs."""
    stamped = {name: actor_id if name.endswith("_by") else to_iso(now) for name in step.stamps}
    extra = {**(columns or {}), **stamped}
    assignments = "".join(f", {name} = ?" for name in extra)
    moved: dict[str, Any] = {"from": current.value, "to": target.value}
    return await audit.changed(
        tx,
        f"UPDATE {entity}s SET status = ?, updated_at = ?{assignments} WHERE id = ? AND status = ?",
        (target.value, to_iso(now), *extra.values(), record_id, current.value),
        at=now, actor_id=actor_id, action=step.action, entity=entity, entity_id=record_id,
        **moved, **detail,
    )  # fmt: skip
