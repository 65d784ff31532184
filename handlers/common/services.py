"""What the composition root hands to handlers: storage, the clock and settings as values."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot

from schedules.budget import SendBudget
from schedules.dispatcher import Dispatcher, Receipt
from schedules.engine import ReminderEngine
from storage import Database
from storage.clock import Clock
from storage.link_rules import LinkRhythms
from storage.meetings import MeetingFrequencies
from storage.members import Identities, Role
from storage.retention import Eraser


@dataclass(frozen=True)
class CommandSpec:
    """A command a feature offers: who may use it, and its menu description key."""

    name: str
    description_key: str
    roles: frozenset[Role]
    in_menu: bool = True


@dataclass(frozen=True)
class BotConfig:
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    admin_ids: frozenset[int] = frozenset()
    default_language: str = "zh"
    conversation_timeout: timedelta = timedelta(minutes=30)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    # Reminders wait out public holidays (storage.calendar) for the next working day.
    hold_on_holidays: bool = True
    # Pledges a member may have open (not withdrawn, not yet evaluated) in one period.
    max_open_pledges: int = 3
    send_rate: float = 25.0
    send_concurrency: int = 4
    meeting_frequencies: MeetingFrequencies = field(default_factory=MeetingFrequencies)
    visit_retention_years: int = 5
    link_rhythms: LinkRhythms = field(default_factory=LinkRhythms)
    # Whether members (not only secretaries) see their branch's points ranking.
    members_see_ranking: bool = False
    # Working days (调休 known) a star rating stays in public notice (公示) for objections.
    rating_notice_days: int = 5


@dataclass(frozen=True)
class Running:
    """A background task and the event that asks it to stop."""

    stop: asyncio.Event
    task: asyncio.Task[None]


@dataclass
class Services:
    db: Database
    clock: Clock
    config: BotConfig
    commands: Sequence[CommandSpec] = ()
    dispatcher: Dispatcher | None = None
    """The outbox's sender, made at start-up."""
    dispatching: Running | None = None
    """The dispatcher's loop, when start-up runs it (tests drain the outbox by hand)."""
    reminders: ReminderEngine | None = None
    """The reminder engine, made with the Application."""
    receipts: Mapping[str, Receipt] = field(default_factory=dict)
    """What the features record of their outbox rows' outcomes, by kind (for the
    dispatcher)."""
    budget: SendBudget | None = None
    """Telegram's overall sending limit, shared by answers and the fan-out."""
    fanout_bot: Bot | None = None
    """The dispatcher's own Bot: same connection pool, without the Application's rate
    limiter (it paces itself and takes its turns from ``budget``)."""
    erasers: dict[str, Eraser] = field(default_factory=dict)
    """What the daily retention job erases (storage.retention), by record kind."""
    identities: Identities = field(init=False)
    """Who each person is and their language, kept between updates (``identify``)."""

    def __post_init__(self) -> None:
        self.identities = Identities(self.db)


SERVICES_KEY = "services"
