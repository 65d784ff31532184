"""What is due: from the tables and a moment, the reminders to queue now and those to skip.

``due(conn, now=..., since=..., zone=..., quiet=...)`` is the whole question; it reads
and never writes, so "what is due at 2026-12-12 09:00?" is one call in a test.

How it decides, for every kind (the rules are spelled out in ``docs/REMINDERS.md``):

1. Each kind lists its *occurrences* whose time came in the last ``HORIZON`` (35 days):
   an occurrence has a moment it is due (from the branch's rules, in the deployment's
   zone), a moment it stops being useful, a dedupe key, and recipients, who are read
   from the tables *now* (so a member who answered, logged or left meanwhile is not
   reminded, and one who joined is).
2. Per recipient: a muted kind is dropped. The reminder may go at the end of the quiet
   hours if now is inside them. If it can no longer go before it stops being useful, it
   is *skipped*; otherwise it is *due*.
3. A due reminder whose dedupe key is already in the outbox (or was skipped before) is
   left out: the outbox's unique key makes queueing idempotent, this only saves renders.
4. A skipped reminder is reported only if its due moment lies in the window
   ``(since, now]`` the engine examines for the first time, so each one is logged once;
   ``since`` is the end of the previous window (None on the very first run).

The engine passes ``kept`` (``schedules.kept``): the reads behind step 1 are then kept
between minutes while no committed write touched the tables they read, and what is built
from them (a week's 5,000 "no progress" nudges) is kept while those reads and the moment's
facts (which pledges are stale by now, which monthly moments matter) are the same. Every
decision that depends on the time is still made every minute; only reading and building
are saved. Without ``kept`` (tests, the CLI) everything is read at each call.

Because a reminder is due while it is useful (not only at its exact moment), catch-up
after downtime is the same code path, and a record made after its reminder's moment (a
party day set two days ahead, a member who joins after the announcement) still gets its
reminder while it is useful.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import (
    Awaitable,
    Callable,
    Collection,
    Hashable,
    Iterable,
)
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiosqlite

from schedules.kept import KeptReads
from schedules.kinds import SCHEDULED, Kind, Reminder
from schedules.quiet import QuietHours, at_local, local_date
from storage import (
    inspection,
    link_rules,
    links,
    meetings,
    partyday,
    pioneer_rules,
    pioneers,
    pledge_rules,
    pledges,
    rectification,
    reminders,
    safety,
    terms,
    visits,
)
from storage.link_rules import LinkRhythms, Span
from storage.meetings import MeetingFrequencies
from storage.members import Member, Role
from storage.pledge_rules import REVIEW_AFTER, REVIEW_REPEAT, STALE_AFTER
from storage.reminders import BranchRules

HORIZON = timedelta(days=35)
"""How far back occurrences are looked for; every kind stops being useful sooner."""
MAX_ANNOUNCE_DAYS = 14
NUDGE_USEFUL = timedelta(days=7)
FOLLOW_UP_USEFUL = timedelta(days=7)
MEETING_WARN_DAYS = 7
"""The secretary hears of a period still without its meeting this many days before its end."""
TERM_SETTLING = timedelta(days=28)
"""No "behind the visit target" nudge in a term's first four weeks: everyone is behind."""

MIDNIGHT = time(0, 0)
DEFAULT_RULES = BranchRules()
NOBODY: frozenset[int] = frozenset()
NO_ONE: list[Member] = []
NO_ONE_BEHIND: list[visits.MemberProgress] = []
"""A branch nobody of which is behind (one object, so what is built from it is kept)."""

T = TypeVar("T")


class SkipReason:
    EXPIRED = "expired"
    """Its moment passed while nothing could be sent, and it is no longer useful."""
    QUIET = "quiet_hours"
    """It fell in the quiet hours and stops being useful before they end."""
    REPLACED = "replaced"
    """A later reminder of the same thing takes its place (the morning-of reminder for
    the D-3 announcement; next week's for a pledge review)."""


@dataclass(frozen=True)
class Skipped:
    kind: Kind
    member_id: int
    dedupe_key: str
    due_at: datetime
    reason: str


@dataclass
class DuePlan:
    now: datetime
    since: datetime | None
    reminders: list[Reminder] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    muted: int = 0


@dataclass(frozen=True)
class _Occurrence:
    kind: Kind
    key: str
    branch_id: int | None
    due_at: datetime
    expires_at: datetime
    recipients: list[Member]
    payload: dict[str, Any]
    late_reason: str = SkipReason.EXPIRED

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Each recipient's dedupe key (worked out once: kept occurrences are reused)."""
        return tuple(f"{self.key}:{person.id}" for person in self.recipients)


async def due(
    conn: aiosqlite.Connection,
    *,
    now: datetime,
    since: datetime | None,
    zone: ZoneInfo,
    quiet: QuietHours,
    kinds: Collection[str] = SCHEDULED,
    frequencies: MeetingFrequencies | None = None,
    rhythms: LinkRhythms | None = None,
    kept: KeptReads | None = None,
) -> DuePlan:
    """The reminders to queue at ``now`` and those to report as skipped (see module doc).

    With ``kept`` (the engine's, across ticks), the reads are answered from memory while
    the tables they read are unchanged, and dedupe keys known to be handled are not asked
    about again: the same answer, without reading thousands of rows every minute.
    """
    scan = _Scan(
        conn, now, since, zone, frozenset(kinds), frequencies or MeetingFrequencies(),
        rhythms or LinkRhythms(), kept,
    )  # fmt: skip
    if kept is not None:
        kept.begin()
    await scan.load()
    occurrences = [
        *await scan.party_days(),
        *await scan.pledge_nudges(),
        *await scan.pledge_reviews(),
        *await scan.visit_follow_ups(),
        *await scan.visits_behind(),
        *await scan.meeting_gaps(),
        *await scan.safety_missing(),
        *await scan.rectification_deadlines(),
        *await scan.links_behind(),
        *await scan.pioneer_endorsements(),
        *await scan.digests(),
    ]
    plan = DuePlan(now=now, since=since)
    muted: dict[str, set[int]] = {}
    for member_id, kind in await reminders.all_mutes(conn):
        muted.setdefault(kind, set()).add(member_id)
    release = quiet.release(now, zone)
    candidates: list[Reminder] = []
    late: list[Skipped] = []
    known = kept.handled if kept is not None else set()
    still: set[str] = set()  # of the known ones, those still asked about: kept known
    for occ in occurrences:
        if occ.kind not in scan.kinds or occ.due_at > now:
            continue
        useful = release < occ.expires_at
        if not useful and (since is None or occ.due_at <= since):
            continue  # past use, and reported as skipped before if it was: nothing to do
        silenced = muted.get(occ.kind, NOBODY)  # a StrEnum: its value's hash
        keys = occ.keys
        if known.issuperset(keys):
            # Every one queued or skipped before: the usual minute, in one step.
            still.update(keys)
            if useful and silenced:
                plan.muted += sum(1 for person in occ.recipients if person.id in silenced)
            continue
        for person, key in zip(occ.recipients, keys, strict=True):
            if person.id in silenced:
                plan.muted += useful
                continue
            if key in known:
                still.add(key)
                continue
            if useful:
                candidates.append(
                    Reminder(
                        kind=occ.kind,
                        member_id=person.id,
                        telegram_id=person.telegram_id,
                        branch_id=occ.branch_id,
                        dedupe_key=key,
                        due_at=occ.due_at,
                        not_before=release,
                        expires_at=occ.expires_at,
                        payload=occ.payload,
                    )
                )
            elif since is not None and occ.due_at > since:
                reason = occ.late_reason if now >= occ.expires_at else SkipReason.QUIET
                late.append(Skipped(occ.kind, person.id, key, occ.due_at, reason))
    asked = [r.dedupe_key for r in candidates] + [s.dedupe_key for s in late]
    handled = await reminders.handled_keys(conn, asked)
    plan.reminders = _unique(r for r in candidates if r.dedupe_key not in handled)
    plan.skipped = [s for s in late if s.dedupe_key not in handled]
    if kept is not None:
        kept.handled = still | handled
        kept.end()
    return plan


async def _people(
    conn: aiosqlite.Connection,
) -> tuple[dict[int, Member], dict[int, list[Member]]]:
    """Every active membership by id, and each branch's members and secretaries."""
    people = await reminders.active_people(conn)
    by_branch: dict[int, list[Member]] = {}
    for person in sorted(people.values(), key=lambda p: p.id):
        if person.branch_id is not None and person.role in (Role.MEMBER, Role.SECRETARY):
            by_branch.setdefault(person.branch_id, []).append(person)
    return people, by_branch


def _term_key(term: terms.Term) -> tuple[Any, ...]:
    """A term as part of a kept read's key (the model itself is not hashable)."""
    return (term.id, term.start, term.end)


def _day_key(day: partyday.PartyDay) -> str:
    """The start of a party-day reminder's dedupe key."""
    assert day.date is not None
    return f"partyday:{day.branch_id}:{day.date.isoformat()}"


def _day_payload(day: partyday.PartyDay) -> dict[str, Any]:
    assert day.date is not None
    return {
        "branch_id": day.branch_id,
        "year": day.year,
        "month": day.month,
        "date": day.date.isoformat(),
    }


def _unique(items: Iterable[Reminder]) -> list[Reminder]:
    seen: set[str] = set()
    result = []
    for item in items:
        if item.dedupe_key not in seen:
            seen.add(item.dedupe_key)
            result.append(item)
    return result


def monthly_at(year: int, month: int, rules: BranchRules, zone: ZoneInfo) -> datetime:
    """The branch's monthly moment in that month (a day past its end means its last day)."""
    last = calendar.monthrange(year, month)[1]
    return at_local(date(year, month, min(rules.monthly_day, last)), rules.monthly_time, zone)


def lost_to_quiet_hours(rules: BranchRules, quiet: QuietHours, zone: ZoneInfo) -> list[Kind]:
    """The party-day reminders these branch times could never send: the quiet hours would
    hold them past the moment they stop being useful (a morning reminder at 21:30 would
    wait for 08:00 the next day; an announcement one day before at 22:00, for the day
    itself). Checked on a sample day; the answer does not depend on the date."""
    day = date(2026, 6, 15)
    lost = []
    announce_at = at_local(day - timedelta(days=rules.announce_days), rules.announce_time, zone)
    if quiet.release(announce_at, zone) >= at_local(day, MIDNIGHT, zone):
        lost.append(Kind.PARTYDAY_ANNOUNCE)
    morning_at = at_local(day, rules.morning_time, zone)
    if quiet.release(morning_at, zone) >= at_local(day + timedelta(days=1), MIDNIGHT, zone):
        lost.append(Kind.PARTYDAY_MORNING)
    return lost


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def following_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


class _Scan:
    """One evaluation: the moment, the window start, and what every kind shares."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        now: datetime,
        since: datetime | None,
        zone: ZoneInfo,
        kinds: frozenset[str],
        frequencies: MeetingFrequencies,
        rhythms: LinkRhythms,
        kept: KeptReads | None = None,
    ) -> None:
        self.conn = conn
        self.kept = kept
        self.rhythms = rhythms
        self.now = now
        self.since = since
        self.zone = zone
        self.kinds = kinds
        self.frequencies = frequencies
        self.earliest = now - HORIZON
        self.today = local_date(now, zone)
        self.rules: dict[int, BranchRules] = {}
        self.people: dict[int, Member] = {}
        self.created: dict[int, datetime] = {}
        self.by_branch: dict[int, list[Member]] = {}
        self._nudges: list[tuple[int, int, int, datetime]] | None = None
        self._secretaries: dict[int, list[Member]] | None = None

    async def load(self) -> None:
        self.rules = await self.read(("rules",), reminders.all_rules)
        self.people, self.by_branch = await self.read(("people",), _people)
        self.created = await self.read(("created",), reminders.branches_created)

    def derived(
        self, key: Hashable, same: tuple[object, ...], equal: Hashable, build: Callable[[], T]
    ) -> T:
        """``build()``, or with kept reads what it built last time from the same
        (identical) reads and equal values (``KeptReads.derived``)."""
        if self.kept is None:
            return build()
        return self.kept.derived(key, same, equal, build)

    async def read(
        self, key: Hashable, read: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
    ) -> T:
        """``read(conn, *args, **kwargs)``, or its answer kept from an earlier tick while
        the tables it read are unchanged (``schedules.kept``). ``key`` names the read and
        every argument it is given (the dates, the term): the same key must mean the same
        question."""
        if self.kept is None:
            return await read(self.conn, *args, **kwargs)
        return await self.kept.get(self.conn, key, lambda: read(self.conn, *args, **kwargs))

    def wants(self, *kinds: Kind) -> bool:
        return any(kind.value in self.kinds for kind in kinds)

    def in_range(self, moment: datetime) -> bool:
        return self.earliest <= moment <= self.now

    def needed(self, due_at: datetime, expires_at: datetime) -> bool:
        """Worth reading its recipients: still useful, or due in this window (so a skip is
        reported). Saves the queries for occurrences long past."""
        if not self.in_range(due_at):
            return False
        return expires_at > self.now or (self.since is not None and due_at > self.since)

    def rules_of(self, branch_id: int) -> BranchRules:
        return self.rules.get(branch_id, DEFAULT_RULES)

    def branch_people(self, branch_id: int) -> list[Member]:
        return self.by_branch.get(branch_id, [])

    def secretaries(self, branch_id: int) -> list[Member]:
        """The branch's secretaries (one list for everyone asking: not to be changed)."""
        if self._secretaries is None:
            self._secretaries = self.derived(
                "secretaries",
                (self.by_branch,),
                (),
                lambda: {
                    branch: [p for p in people if p.role is Role.SECRETARY]
                    for branch, people in self.by_branch.items()
                },
            )
        return self._secretaries.get(branch_id, NO_ONE)

    def admins(self) -> list[Member]:
        return sorted((p for p in self.people.values() if p.role is Role.ADMIN), key=lambda p: p.id)

    def monthly_nudges(self) -> list[tuple[int, int, int, datetime]]:
        """(year, month, branch, moment) of each branch's monthly moment in ``months``
        that a nudge useful for ``NUDGE_USEFUL`` still needs (``needed``); worked out
        once per evaluation, as several kinds ask."""
        if self._nudges is None:
            self._nudges = [
                (year, month, branch_id, due_at)
                for year, month in self.months()
                for branch_id, rules in self.rules.items()
                for due_at in [monthly_at(year, month, rules, self.zone)]
                if self.needed(due_at, due_at + NUDGE_USEFUL)
            ]
        return self._nudges

    def months(self) -> list[tuple[int, int]]:
        """This month and the one before: every monthly moment within the horizon."""
        return [
            previous_month(self.today.year, self.today.month),
            (self.today.year, self.today.month),
        ]

    # ----------------------------------------------------------------- party day

    async def party_days(self) -> list[_Occurrence]:
        if not self.wants(Kind.PARTYDAY_ANNOUNCE, Kind.PARTYDAY_MORNING):
            return []
        first = local_date(self.earliest, self.zone)
        last = self.today + timedelta(days=MAX_ANNOUNCE_DAYS)
        found: list[_Occurrence] = []
        days = await self.read(("party_days", first, last), reminders.party_days, first, last)
        for day, month in days:
            if day.date is None or day.cancelled:
                continue
            rules = self.rules_of(day.branch_id)
            people = self.branch_people(day.branch_id)
            announce_at = at_local(
                day.date - timedelta(days=rules.announce_days), rules.announce_time, self.zone
            )
            if self.needed(announce_at, at_local(day.date, MIDNIGHT, self.zone)):
                found.append(await self._announcement(day, month, announce_at, people))
            morning_at = at_local(day.date, rules.morning_time, self.zone)
            day_over = at_local(day.date + timedelta(days=1), MIDNIGHT, self.zone)
            if self.needed(morning_at, day_over):
                month_of = month_text(day.year, day.month)
                away = await self.read(
                    ("on_approved_leave", day.branch_id, month_of),
                    reminders.on_approved_leave, day.branch_id, month_of,
                )  # fmt: skip
                # The same occurrence every minute while its reads are (its keys once).
                found.append(
                    self.derived(
                        ("partyday.morning", day.branch_id, day.date),
                        (day, people, away),
                        (morning_at,),
                        lambda: _Occurrence(
                            Kind.PARTYDAY_MORNING,
                            f"{_day_key(day)}:morning",  # noqa: B023
                            day.branch_id,  # noqa: B023
                            morning_at,  # noqa: B023
                            day_over,  # noqa: B023
                            [p for p in people if p.id not in away],  # noqa: B023
                            _day_payload(day),  # noqa: B023
                        ),
                    )
                )
        return found

    async def _announcement(
        self,
        day: partyday.PartyDay,
        month: partyday.PartyMonth | None,
        announce_at: datetime,
        people: list[Member],
    ) -> _Occurrence:
        """The announcement; or, when the secretary announced the month by hand before
        this moment, a reminder to those who have not answered (the announcement's dedupe
        key is shared with the by-hand one, so nobody gets the announcement twice). The
        same occurrence every minute while its reads are the same."""
        assert day.date is not None
        # Once the day has come, the morning-of reminder says it instead.
        expires = at_local(day.date, MIDNIGHT, self.zone)
        if (
            month is not None
            and month.announced_at is not None
            and month.announced_at < announce_at
        ):
            without_reply = await self.read(
                ("members_without_reply", day.branch_id, day.date),
                partyday.members_without_reply, day.branch_id, day.date,
            )  # fmt: skip
            return self.derived(
                ("partyday.before", day.branch_id, day.date),
                (day, month, people, without_reply),
                (announce_at,),
                lambda: self._reminding(day, announce_at, expires, people, without_reply),
            )
        return self.derived(
            ("partyday.announce", day.branch_id, day.date),
            (day, month, people),
            (announce_at,),
            lambda: _Occurrence(
                Kind.PARTYDAY_ANNOUNCE,
                f"{_day_key(day)}:announce",
                day.branch_id,
                announce_at,
                expires,
                people,
                {**_day_payload(day), "variant": "announcement"},
                late_reason=SkipReason.REPLACED,
            ),
        )

    def _reminding(
        self,
        day: partyday.PartyDay,
        announce_at: datetime,
        expires: datetime,
        people: list[Member],
        without_reply: list[Member],
    ) -> _Occurrence:
        silent = {m.id for m in without_reply}
        return _Occurrence(
            Kind.PARTYDAY_ANNOUNCE,
            f"{_day_key(day)}:before",
            day.branch_id,
            announce_at,
            expires,
            [p for p in people if p.id in silent],
            {**_day_payload(day), "variant": "reminder"},
            late_reason=SkipReason.REPLACED,
        )

    # ----------------------------------------------------------------- pledges

    async def pledge_nudges(self) -> list[_Occurrence]:
        """Start of period (January), no progress (monthly), ready for evaluation (monthly)."""
        found: list[_Occurrence] = []
        if self.wants(Kind.PLEDGE_NO_PLEDGE):
            found += await self._no_pledge()
        if self.wants(Kind.PLEDGE_STALE):
            found += await self._stale_progress()
        if self.wants(Kind.PLEDGE_EVALUATE):
            found += await self._evaluation_due()
        return found

    async def _no_pledge(self) -> list[_Occurrence]:
        year = self.today.year
        period = str(year)
        found = []
        for branch_id, rules in self.rules.items():
            due_at = monthly_at(year, 1, rules, self.zone)
            # Useful through January: after that the secretary's board shows it.
            expires = at_local(date(year, 2, 1), MIDNIGHT, self.zone)
            if not self.needed(due_at, expires):
                continue
            without = await self.read(
                ("members_without_pledge", branch_id, period),
                pledges.members_without_pledge, branch_id, period,
            )  # fmt: skip
            ids = {m.id for m in without}
            found.append(
                _Occurrence(
                    Kind.PLEDGE_NO_PLEDGE,
                    f"pledge.no_pledge:{period}",
                    branch_id,
                    due_at,
                    expires,
                    [p for p in self.branch_people(branch_id) if p.id in ids],
                    {"branch_id": branch_id, "period": period},
                )
            )
        return found

    def monthly_needed(self) -> bool:
        """Whether any branch's monthly moment (this month or last) still matters: useful,
        or due in this window. Most minutes of a month none does, and then the monthly
        kinds need not read thousands of rows only to find nothing due."""
        return any(
            self.needed(due_at, due_at + NUDGE_USEFUL)
            for year, month in self.months()
            for rules in [*self.rules.values(), DEFAULT_RULES]
            for due_at in [monthly_at(year, month, rules, self.zone)]
        )

    async def _stale_progress(self) -> list[_Occurrence]:
        if not self.monthly_needed():
            return []
        # Every published pledge's last activity, kept while no pledge or progress changes;
        # which of them are stale now is decided here, every tick.
        published = await self.read(("published_activity",), pledges.published_activity)
        # Oldest activity first (kept with the read), so the stale ones are a prefix: the
        # minute that prefix grows, the occurrences are built again.
        ordered = self.derived(
            "published_by_activity",
            (published,),
            (),
            lambda: sorted(
                ((p.last_activity, p) for p in published if p.last_activity is not None),
                key=lambda pair: pair[0],
            ),
        )
        count = bisect_left(ordered, self.now - STALE_AFTER, key=lambda pair: pair[0])
        # Each branch's monthly moment, where it still matters (``monthly_nudges``).
        moments: dict[tuple[int, int], dict[int, datetime]] = {}
        for year, month, branch_id, due_at in self.monthly_nudges():
            moments.setdefault((year, month), {})[branch_id] = due_at
        # The same occurrences as last minute while nothing they come from changed (so
        # their recipients' keys are not worked out again either).
        return self.derived(
            "stale_occurrences",
            (ordered, self.people),
            (count, tuple((m, tuple(b.items())) for m, b in moments.items())),
            lambda: self._stale_occurrences(
                sorted((p for _, p in ordered[:count]), key=lambda p: (p.branch_id, p.id)), moments
            ),
        )

    def _stale_occurrences(
        self,
        stale: list[pledges.Activity],
        moments: dict[tuple[int, int], dict[int, datetime]],
    ) -> list[_Occurrence]:
        found = []
        for (year, month), by_branch in moments.items():
            text = month_text(year, month)
            for pledge in stale:
                owner = self.people.get(pledge.member_id)
                due_at = by_branch.get(pledge.branch_id)
                if owner is None or owner.branch_id != pledge.branch_id or due_at is None:
                    continue
                found.append(
                    _Occurrence(
                        Kind.PLEDGE_STALE,
                        f"pledge.stale_progress:{pledge.id}:{text}",
                        pledge.branch_id,
                        due_at,
                        due_at + NUDGE_USEFUL,
                        [owner],
                        {"pledge_id": pledge.id},
                    )
                )
        return found

    async def _evaluation_due(self) -> list[_Occurrence]:
        if not self.monthly_needed():
            return []
        evaluable = await self.read(
            ("due_for_evaluation", self.today), pledges.due_for_evaluation, self.today
        )
        asked = self.asked_to_review(evaluable)
        found = []
        for year, month in self.months():
            for branch_id in sorted(asked):
                due_at = monthly_at(year, month, self.rules_of(branch_id), self.zone)
                if not self.in_range(due_at):
                    continue
                found.append(
                    _Occurrence(
                        Kind.PLEDGE_EVALUATE,
                        f"pledge.evaluation_due:{branch_id}:{month_text(year, month)}",
                        branch_id,
                        due_at,
                        due_at + NUDGE_USEFUL,
                        asked[branch_id],
                        {"branch_id": branch_id},
                    )
                )
        return found

    def asked_to_review(self, waiting: Iterable[pledges.Pledge]) -> dict[int, list[Member]]:
        """By branch, everyone asked to review (or evaluate) one of these pledges: the
        same people the pledge handlers ask (``storage.pledge_rules``)."""
        asked: dict[int, dict[int, Member]] = {}
        for pledge in waiting:
            people = pledge_rules.asked_to_review(
                pledge, self.secretaries(pledge.branch_id), self.admins()
            )
            asked.setdefault(pledge.branch_id, {}).update((p.id, p) for p in people)
        return {branch_id: list(people.values()) for branch_id, people in asked.items()}

    async def pledge_reviews(self) -> list[_Occurrence]:
        """Pledges waiting more than 3 days: one message a day to those asked to review
        them, on the day a pledge crosses 3 days and every 7 days after while it waits."""
        if not self.wants(Kind.PLEDGE_REVIEW):
            return []
        days: dict[tuple[int, date], datetime] = {}
        waiting = await pledges.waiting_review(self.conn, self.now - REVIEW_AFTER)
        asked = self.asked_to_review(waiting)
        for pledge in waiting:
            if pledge.submitted_at is None:
                continue
            rules = self.rules_of(pledge.branch_id)
            ready = pledge.submitted_at + REVIEW_AFTER
            first_day = local_date(ready, self.zone)
            if at_local(first_day, rules.daily_time, self.zone) < ready:
                first_day += timedelta(days=1)
            round_no = 0
            # Every 7 days at the daily time on the wall clock (across a clock change too).
            while (
                due_at := at_local(
                    first_day + REVIEW_REPEAT * round_no, rules.daily_time, self.zone
                )
            ) <= self.now:
                if self.in_range(due_at):
                    days[(pledge.branch_id, local_date(due_at, self.zone))] = due_at
                round_no += 1
        found = []
        for (branch_id, day), due_at in sorted(days.items()):
            rules = self.rules_of(branch_id)
            found.append(
                _Occurrence(
                    Kind.PLEDGE_REVIEW,
                    f"pledge.waiting_review:{branch_id}:{day.isoformat()}",
                    branch_id,
                    due_at,
                    # The next day's list (if any) says it again, up to date.
                    at_local(day + timedelta(days=1), rules.daily_time, self.zone),
                    asked[branch_id],
                    {"branch_id": branch_id},
                )
            )
        return found

    # ----------------------------------------------------------------- home visits

    async def visit_follow_ups(self) -> list[_Occurrence]:
        if not self.wants(Kind.VISIT_FOLLOW_UP):
            return []
        found = []
        # Those due before the horizon's first day are out of range (below): not read.
        first = local_date(self.earliest, self.zone)
        due_today = await self.read(
            ("follow_ups_due", self.today, first), visits.follow_ups_due, self.today, first
        )
        for item in due_today:
            owner = self.people.get(item.member_id)
            if owner is None or owner.branch_id is None:
                continue
            due_at = at_local(item.due_on, self.rules_of(owner.branch_id).daily_time, self.zone)
            if not self.in_range(due_at):
                continue
            found.append(
                _Occurrence(
                    Kind.VISIT_FOLLOW_UP,
                    f"visit.follow_up:{item.visit_id}:{item.due_on.isoformat()}",
                    owner.branch_id,
                    due_at,
                    due_at + FOLLOW_UP_USEFUL,
                    [owner],
                    {"visit_id": item.visit_id, "due_on": item.due_on.isoformat()},
                )
            )
        return found

    async def visits_behind(self) -> list[_Occurrence]:
        if not self.wants(Kind.VISIT_BEHIND):
            return []
        found = []
        stored: list[terms.Term] | None = None  # the set terms, read once for all branches
        for year, month, branch_id, due_at in self.monthly_nudges():
            on = local_date(due_at, self.zone)
            if stored is None:
                stored = await self.read(("set_terms",), terms.set_terms)
            term = terms.pick_term(on, stored)
            if not term.contains(on) or on < term.start + TERM_SETTLING:
                continue
            # Every branch's in one read (kept while no visit, member or target changes).
            by_branch = await self.read(
                ("behind_target_by_branch", _term_key(term), self.today),
                visits.behind_target_by_branch, term, self.today,
            )  # fmt: skip
            behind = by_branch.get(branch_id, NO_ONE_BEHIND)
            found += self.derived(
                ("visits_behind", year, month, branch_id),
                (behind, self.people),
                (due_at, _term_key(term)),
                lambda: self._behind(behind, year, month, branch_id, due_at, term),  # noqa: B023
            )
        return found

    def _behind(
        self,
        behind: list[visits.MemberProgress],
        year: int,
        month: int,
        branch_id: int,
        due_at: datetime,
        term: terms.Term,
    ) -> list[_Occurrence]:
        found = []
        for progress in behind:
            person = self.people.get(progress.member_id)
            if person is None:
                continue
            found.append(
                _Occurrence(
                    Kind.VISIT_BEHIND,
                    f"visit.behind_target:{month_text(year, month)}",
                    branch_id,
                    due_at,
                    due_at + NUDGE_USEFUL,
                    [person],
                    {
                        "branch_id": branch_id,
                        "count": progress.term_count,
                        "target": progress.target,
                        "term_start": term.start.isoformat(),
                        "term_end": term.end.isoformat(),
                    },
                )
            )
        return found

    # ----------------------------------------------------------------- 三会一课, 平安校园

    async def meeting_gaps(self) -> list[_Occurrence]:
        """A week before a required meeting's period ends, its branch's secretaries, while
        the branch (which existed when the period began) has no meeting of that type in
        it; useful until the period is over."""
        if not self.wants(Kind.MEETING_PERIOD_END):
            return []
        found = []
        warn = timedelta(days=MEETING_WARN_DAYS)
        for kind in meetings.MeetingKind:
            frequency = self.frequencies.of(kind)
            # The period under way, and the one before (its warning may still be useful
            # on its last day, or late after downtime).
            spans = {meetings.period_of(frequency, self.today)}
            spans.add(meetings.period_of(frequency, self.today - warn))
            for span in sorted(spans, key=lambda s: s.start):
                warn_on = max(span.start, span.end - warn + timedelta(days=1))
                ends = at_local(span.end + timedelta(days=1), MIDNIGHT, self.zone)
                begun = at_local(span.start, MIDNIGHT, self.zone)
                for branch_id, rules in self.rules.items():
                    due_at = at_local(warn_on, rules.daily_time, self.zone)
                    created = self.created.get(branch_id)
                    # A branch set up during the period is not held to that period.
                    if not self.needed(due_at, ends) or created is None or created >= begun:
                        continue
                    gaps = await self.read(
                        ("periods_ending_without", warn_on, branch_id),
                        meetings.periods_ending_without, today=warn_on,
                        within_days=MEETING_WARN_DAYS, frequencies=self.frequencies,
                        branch_ids=[branch_id],
                    )  # fmt: skip
                    for gap in gaps:
                        if gap.kind is not kind or gap.end != span.end:
                            continue
                        key = f"meeting.period_end:{branch_id}:{kind.value}:{span.start}"
                        payload: dict[str, Any] = {
                            "branch_id": branch_id,
                            "kind": kind.value,
                            "start": span.start.isoformat(),
                            "end": span.end.isoformat(),
                        }
                        if gap.group_id is not None:  # one party group's 党小组会
                            key += f":{gap.group_id}"
                            payload["group_id"] = gap.group_id
                        found.append(
                            _Occurrence(
                                Kind.MEETING_PERIOD_END, key, branch_id, due_at, ends,
                                self.secretaries(branch_id), payload,
                            )
                        )  # fmt: skip
        return found

    async def safety_missing(self) -> list[_Occurrence]:
        """On the monthly moment of a term's last month, each member still without a
        safety lesson or a drill that term (in branches that existed when the term began);
        useful for 7 days."""
        if not self.wants(Kind.SAFETY_MISSING):
            return []
        found = []
        stored = await self.read(("set_terms",), terms.set_terms)
        for year, month, branch_id, due_at in self.monthly_nudges():
            on = local_date(due_at, self.zone)
            term = terms.pick_term(on, stored)
            if not term.contains(on) or (term.end.year, term.end.month) != (year, month):
                continue
            created = self.created.get(branch_id)
            if created is None or created >= at_local(term.start, MIDNIGHT, self.zone):
                continue  # a branch set up during the term is not held to it
            lines = await self.read(
                ("safety_coverage", branch_id, _term_key(term)), safety.coverage, branch_id, term
            )
            found += self.derived(
                ("safety_missing", branch_id),
                (lines, self.people),
                (due_at, _term_key(term)),
                lambda: self._without_safety(lines, branch_id, due_at, term),  # noqa: B023
            )
        return found

    def _without_safety(
        self, lines: list[safety.Coverage], branch_id: int, due_at: datetime, term: terms.Term
    ) -> list[_Occurrence]:
        found = []
        for line in lines:
            person = self.people.get(line.member_id)
            if person is None or line.done:
                continue
            found.append(
                _Occurrence(
                    Kind.SAFETY_MISSING,
                    f"safety.missing:{term.start}",
                    branch_id,
                    due_at,
                    due_at + NUDGE_USEFUL,
                    [person],
                    {
                        "branch_id": branch_id,
                        "term_start": term.start.isoformat(),
                        "term_end": term.end.isoformat(),
                    },
                )
            )
        return found

    # ----------------------------------------------------------------- 督查整改

    async def rectification_deadlines(self) -> list[_Occurrence]:
        """An open rectification item: its branch's secretaries WARN_DAYS before the
        deadline (unless the item was raised after that moment), useful until the
        deadline is over; the day after the deadline, they and the raising group's
        inspectors, useful for 7 days. An item answered meanwhile is not reminded."""
        if not self.wants(Kind.RECTIFICATION_DEADLINE):
            return []
        warn = timedelta(days=rectification.WARN_DAYS)
        first = local_date(self.earliest, self.zone) - timedelta(days=1)
        rows = await rectification.open_with_deadline_between(self.conn, first, self.today + warn)
        found = []
        for item in rows:
            rules = self.rules_of(item.branch_id)
            secretaries = self.secretaries(item.branch_id)
            payload = {"item_id": item.id, "deadline": item.deadline.isoformat()}
            base = f"inspection.deadline:{item.id}:{item.deadline.isoformat()}"
            before_at = at_local(item.deadline - warn, rules.daily_time, self.zone)
            over = at_local(item.deadline + timedelta(days=1), MIDNIGHT, self.zone)
            if before_at >= item.comment_at and self.needed(before_at, over):
                found.append(
                    _Occurrence(
                        Kind.RECTIFICATION_DEADLINE,
                        f"{base}:before",
                        item.branch_id,
                        before_at,
                        over,
                        secretaries,
                        {**payload, "when": "before"},
                    )
                )
            after_at = at_local(item.deadline + timedelta(days=1), rules.daily_time, self.zone)
            if self.needed(after_at, after_at + NUDGE_USEFUL):
                raisers = await inspection.inspectors(self.conn, item.group_id)
                found.append(
                    _Occurrence(
                        Kind.RECTIFICATION_DEADLINE,
                        f"{base}:after",
                        item.branch_id,
                        after_at,
                        after_at + NUDGE_USEFUL,
                        [*secretaries, *raisers],
                        {**payload, "when": "after"},
                    )
                )
        return found

    # ----------------------------------------------------------------- links

    async def links_behind(self) -> list[_Occurrence]:
        """From a window's nudge day (the last week of a month, the last three weeks of a
        term), the links still without a contact in it: one message per person and day
        listing theirs (a member's own links; a 结对's to both sides' secretaries); useful
        until the window ends."""
        if not self.wants(Kind.LINK_BEHIND):
            return []
        stored = await self.read(("set_terms",), terms.set_terms)
        lines = await self.read(
            ("links_behind", self.today, tuple(_term_key(t) for t in stored)),
            links.behind, today=self.today, rhythms=self.rhythms, terms=stored,
        )  # fmt: skip
        grouped: dict[tuple[date, int], list[dict[str, Any]]] = {}
        ends: dict[tuple[date, int], date] = {}
        for line in lines:
            link = line.link
            window = Span(line.window_start, line.window_end)
            nudge = link_rules.nudge_day(self.rhythms.of(link.family), window)
            if link.member_id is not None:
                recipients = [self.people[link.member_id]] if link.member_id in self.people else []
            else:
                recipients = [
                    *self.secretaries(link.branch_id),
                    *self.secretaries(link.target_branch_id or 0),
                ]
            for person in recipients:
                group = (nudge, person.id)
                grouped.setdefault(group, []).append(
                    {"id": link.id, "start": str(window.start), "end": str(window.end)}
                )
                ends[group] = max(ends.get(group, window.end), window.end)
        found = []
        for (nudge, person_id), listed in grouped.items():
            person = self.people[person_id]
            branch_id = person.branch_id
            if branch_id is None:
                continue
            due_at = at_local(nudge, self.rules_of(branch_id).daily_time, self.zone)
            expires_at = at_local(ends[(nudge, person_id)] + timedelta(days=1), MIDNIGHT, self.zone)
            if not self.needed(due_at, expires_at):
                continue
            found.append(
                _Occurrence(
                    Kind.LINK_BEHIND,
                    f"links.behind:{nudge.isoformat()}",
                    branch_id,
                    due_at,
                    expires_at,
                    [person],
                    {"links": listed},
                )
            )
        return found

    # ----------------------------------------------------------------- pioneers

    async def pioneer_endorsements(self) -> list[_Occurrence]:
        """Each day of an open round's nomination window, at the daily time, the
        self-nominations of a branch still waiting for endorsement: one message to each
        of those who decide them (``pioneer_rules.deciders``, as when one comes), useful
        until the next day's (or the window's end). One made after the day's moment
        waits for the next day: its deciders were told of it just now."""
        if not self.wants(Kind.PIONEER_ENDORSEMENT):
            return []
        waiting = await self.read(("pioneers_waiting",), pioneers.waiting_endorsement)
        days: dict[tuple[int, int, date], tuple[datetime, datetime, dict[int, Member]]] = {}
        first_day = local_date(self.earliest, self.zone)
        for n in waiting:
            time_of_day = self.rules_of(n.branch_id).daily_time
            closes = at_local(n.nominate_until + timedelta(days=1), MIDNIGHT, self.zone)
            day = max(n.nominate_from, first_day)
            while day <= min(n.nominate_until, self.today):
                due_at = at_local(day, time_of_day, self.zone)
                expires_at = min(at_local(day + timedelta(days=1), time_of_day, self.zone), closes)
                if due_at > n.created_at and self.needed(due_at, expires_at):
                    deciders = pioneer_rules.deciders(
                        n.branch_id, n.member_id, self.secretaries(n.branch_id), self.admins()
                    )
                    found = days.setdefault(
                        (n.round_id, n.branch_id, day), (due_at, expires_at, {})
                    )
                    found[2].update((p.id, p) for p in deciders)
                day += timedelta(days=1)
        return [
            _Occurrence(
                Kind.PIONEER_ENDORSEMENT,
                f"pioneers.waiting_endorsement:{round_id}:{branch_id}:{day.isoformat()}",
                branch_id,
                due_at,
                expires_at,
                list(deciders.values()),
                {"round_id": round_id, "branch_id": branch_id, "day": day.isoformat()},
            )
            for (round_id, branch_id, day), (due_at, expires_at, deciders) in sorted(
                days.items(), key=lambda item: item[0]
            )
        ]

    # ----------------------------------------------------------------- digest

    async def digests(self) -> list[_Occurrence]:
        """On the 1st, last month's digest for each secretary; late but once, until the
        month is over (then next month's digest is the one to read)."""
        if not self.wants(Kind.DIGEST):
            return []
        # The same occurrences all month while the branches and their people are unchanged
        # (their recipients' keys worked out once); whether each is in range, every minute.
        months = tuple(self.months())
        every = self.derived(
            "digests",
            (self.rules, self.created, self.by_branch),
            months,
            lambda: self._digests(months),
        )
        return [occ for occ in every if self.in_range(occ.due_at)]

    def _digests(self, months: tuple[tuple[int, int], ...]) -> list[_Occurrence]:
        found = []
        for year, month in months:
            reported = previous_month(year, month)
            for branch_id, rules in self.rules.items():
                due_at = at_local(date(year, month, 1), rules.digest_time, self.zone)
                begun = at_local(date(year, month, 1), MIDNIGHT, self.zone)
                created = self.created.get(branch_id)
                if created is None or created >= begun:
                    continue
                after = following_month(year, month)
                found.append(
                    _Occurrence(
                        Kind.DIGEST,
                        f"digest:{branch_id}:{month_text(*reported)}",
                        branch_id,
                        due_at,
                        at_local(date(*after, 1), MIDNIGHT, self.zone),
                        self.secretaries(branch_id),
                        {"branch_id": branch_id, "month": month_text(*reported)},
                    )
                )
        return found
