"""The reminder kinds, what a due reminder is, and how a renderer turns one into a message.

A kind is the unit a member mutes in /settings and the ``kind`` of its outbox rows. The
rules for when each kind is due (and until when it is still worth sending) are in
``schedules.due``; they are written out for people in ``docs/REMINDERS.md``.

``schedules`` knows no screens: the composition root hands the engine one ``Renderer``
per kind, made from the view the kind's feature registered (its ``reminders`` module,
see ``handlers.common.reminders``). A kind without one is not computed at all, and the
engine says so once at start-up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from storage.members import Role
from storage.outbox import ButtonsInput


class Kind(StrEnum):
    PARTYDAY_ANNOUNCE = "partyday.announce"
    """D-3 (by default) announcement with [Attend] [Ask for leave], to every participant;
    if the secretary announced the month by hand earlier, a reminder to those who have
    not answered instead."""
    PARTYDAY_MORNING = "partyday.morning"
    """On the morning of the day, to every participant not on approved leave."""
    PLEDGE_NO_PLEDGE = "pledge.no_pledge"
    """In January, to members with no pledge for the year."""
    PLEDGE_STALE = "pledge.stale_progress"
    """Monthly, to owners of a published pledge without progress for 30 days."""
    PLEDGE_REVIEW = "pledge.waiting_review"
    """To the branch's secretaries: pledges waiting more than 3 days for review."""
    PLEDGE_EVALUATE = "pledge.evaluation_due"
    """Monthly, to secretaries while pledges are ready for evaluation (every pledge of a
    year is by its end: evaluation time)."""
    VISIT_FOLLOW_UP = "visit.follow_up"
    """A home visit's follow-up on its due date, with [Done] [Postpone a week]."""
    VISIT_BEHIND = "visit.behind_target"
    """Monthly, to members behind the term's visit target."""
    MEETING_PERIOD_END = "meeting.period_end"
    """To the branch's secretaries: a required 三会一课 meeting's period ends within 7 days
    and the branch has no meeting of that type in it (not even one announced)."""
    SAFETY_MISSING = "safety.missing"
    """In the term's last month, to members without a safety lesson or drill this term."""
    RECTIFICATION_DEADLINE = "inspection.deadline"
    """An inspection group's rectification item still open: to the branch's secretaries
    3 days before its deadline, and the day after it to them and the group's inspectors."""
    SERVICE_MISSING = "service.missing"
    """By hand from /todo: to members with no service logged this month (the other
    /todo nudges go as the kind of their activity: no pledge, behind on visits, the
    party day's announcement)."""
    LINK_BEHIND = "links.behind"
    """To a member whose 三联系/双服务 link (to both sides' secretaries for a 结对) has no
    contact late in its window (month or term, by the link rhythms)."""
    PIONEER_ENDORSEMENT = "pioneers.waiting_endorsement"
    """Daily while a pioneers round's nomination window is open, to those who decide
    them: self-nominations waiting for 认可 / 不认可 (the last day says so)."""
    DIGEST = "digest"
    """The secretary's monthly digest, on the 1st."""
    BROADCAST = "broadcast"
    """A secretary's own message to the branch (/notify): sent by hand, not mutable."""


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    mutable: bool
    """Shown in /settings with an on/off switch."""
    roles: frozenset[Role] | None = None
    """Who may get it (so who sees its switch); None: every branch's members and
    secretaries."""
    scheduled: bool = True
    """Worked out by the engine from the tables (not sent by hand)."""


SECRETARIES = frozenset({Role.SECRETARY})
DECIDERS = frozenset({Role.SECRETARY, Role.ADMIN})
"""A secretary's pledge or self-nomination where no other secretary can decide goes to
the bureau (``pledge_rules``, ``pioneer_rules``): its admins get these reminders too."""

SPECS: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(Kind.PARTYDAY_ANNOUNCE, mutable=True),
        KindSpec(Kind.PARTYDAY_MORNING, mutable=True),
        KindSpec(Kind.PLEDGE_NO_PLEDGE, mutable=True),
        KindSpec(Kind.PLEDGE_STALE, mutable=True),
        KindSpec(Kind.PLEDGE_REVIEW, mutable=True, roles=DECIDERS),
        KindSpec(Kind.PLEDGE_EVALUATE, mutable=True, roles=DECIDERS),
        KindSpec(Kind.VISIT_FOLLOW_UP, mutable=True),
        KindSpec(Kind.VISIT_BEHIND, mutable=True),
        KindSpec(Kind.MEETING_PERIOD_END, mutable=True, roles=SECRETARIES),
        KindSpec(Kind.SAFETY_MISSING, mutable=True),
        KindSpec(Kind.RECTIFICATION_DEADLINE, mutable=True, roles=SECRETARIES),
        KindSpec(Kind.SERVICE_MISSING, mutable=True, scheduled=False),
        KindSpec(Kind.LINK_BEHIND, mutable=True),
        KindSpec(Kind.PIONEER_ENDORSEMENT, mutable=True, roles=DECIDERS),
        KindSpec(Kind.DIGEST, mutable=True, roles=SECRETARIES),
        KindSpec(Kind.BROADCAST, mutable=False, scheduled=False),
    )
}
MUTABLE: tuple[Kind, ...] = tuple(k for k, spec in SPECS.items() if spec.mutable)
SCHEDULED: frozenset[Kind] = frozenset(k for k, spec in SPECS.items() if spec.scheduled)


@dataclass(frozen=True)
class Reminder:
    """One message due to one person.

    ``dedupe_key`` names the occurrence and the recipient, so queueing it twice inserts
    nothing; ``not_before`` is when it may go (after quiet hours); ``expires_at`` is when
    it stops being worth sending. ``payload`` holds ids the renderer needs (JSON values).
    """

    kind: Kind
    member_id: int
    telegram_id: int
    branch_id: int | None
    dedupe_key: str
    due_at: datetime
    not_before: datetime
    expires_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


Write = Callable[[aiosqlite.Connection], Awaitable[bool]]
"""A write to make with a message, in the transaction that queues it: True when done (or
not needed any more), False when its record changed since the message was rendered."""


@dataclass(frozen=True)
class Rendered:
    """A reminder as the recipient will read it: HTML text, inline buttons, maybe a photo."""

    text: str
    buttons: ButtonsInput | None = None
    """Rows of ``Button`` or of plain ``{"text", "callback_data" | "url"}`` dicts: the
    engine checks and encodes them (``outbox.encode_buttons``) before the writer lock."""
    photo: str | None = None
    writes: tuple[tuple[Hashable, Write], ...] = ()
    """``(key, write)``: what must be written with the message (the announcement pins its
    party day). The engine makes each key's write once per tick, in the transaction that
    queues the first message asking for it; when it says False (or fails), no message
    that asked for it is queued, and the next tick renders them again."""


class Memo(dict[Hashable, Any]):
    """Reads shared by the reminders rendered in one slice of a tick, and what the slice
    knows beyond them, for reads made once for many reminders (``DueReminder.for_all``).
    """

    def __init__(
        self,
        upcoming: Sequence[Reminder] = (),
        reader: aiosqlite.Connection | None = None,
        tick: dict[Hashable, Any] | None = None,
    ) -> None:
        super().__init__()
        self.upcoming = upcoming
        """The reminders still to render this tick, from the slice's first."""
        self.reader = reader
        """A reader whose statements run on its own thread (``Database.read``): a read
        for many reminders at once made on it lets the event loop run meanwhile."""
        self.tick: dict[Hashable, Any] = {} if tick is None else tick
        """Reads made for many reminders at once, kept for the rest of the tick (one dict
        for all its slices)."""


Renderer = Callable[
    [aiosqlite.Connection, Reminder, str, datetime, Memo],
    Awaitable[Rendered | None],
]
"""``render(conn, reminder, language, now, memo)``: the message, or None when there is
nothing to say any more (the record changed since it was due). Runs on the inline reader
(``Database.read_inline``: its statements hold the event loop while they run, so a
renderer reads a branch's records, never the bureau's history), outside any
transaction, so members' taps are not kept waiting while
thousands of messages are rendered: it only reads (what it must write goes in
``Rendered.writes``). ``memo`` is one dict per slice of the tick, for reads the
reminders rendered in it share (``DueReminder.once``), and knows the reminders still to
render, for a read made once for them all (``DueReminder.for_all``)."""
