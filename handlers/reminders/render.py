"""The composition of renderers: from the features' view functions to the engine's kinds.

Each feature registers its reminder views with the Registrar (``reg.renderer(name, fn)``,
e.g. ``"partyday.morning"``), in its own signature: ``(Translator, PartyDay, Branch)``,
``(Translator, FollowUpDue)`` ... ``engine_renderers`` wraps the ones it knows into the
engine's ``render(tx, reminder, language, now)``: load what the view needs (checking it is
still worth saying), call the view in the recipient's language, and turn its buttons into
the outbox's. A kind whose view is not registered is left out, and the engine says so.

So this package imports no other feature: the composition root hands the views over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup

from handlers.common.html import MESSAGE_LIMIT, telegram_length
from handlers.common.i18n import Translator
from handlers.common.services import BotConfig
from handlers.reminders import views
from schedules.due import REVIEW_AFTER
from schedules.kinds import Kind, Reminder, Rendered, Renderer
from schedules.quiet import local_date
from storage import branches, members, partyday, pledges, reminders, terms, visits
from storage.outbox import Button

View = Callable[..., Any]
Adapter = Callable[[aiosqlite.Connection, Reminder, Translator, datetime], Any]

# Which registered view each kind uses (see each feature's ``register``).
PARTYDAY_ANNOUNCE = "partyday.announce"
PARTYDAY_D3 = "partyday.d3"
PARTYDAY_MORNING = "partyday.morning"
PLEDGE_NO_PLEDGE = "pledge.no_pledge"
PLEDGE_STALE = "pledge.stale_progress"
PLEDGE_REVIEW = "pledge.waiting_review"
PLEDGE_EVALUATE = "pledge.evaluation_due"
VISIT_FOLLOW_UP = "visit_follow_up"
VISIT_BEHIND = "visit_behind_target"
VISIT_BRANCH_BEHIND = "visit_branch_behind"


def engine_renderers(registered: Mapping[str, View], config: BotConfig) -> dict[str, Renderer]:
    """The engine's renderer for every kind whose feature registered its views."""
    adapters = _Adapters(registered, config)
    wanted: dict[Kind, tuple[tuple[str, ...], Adapter]] = {
        Kind.PARTYDAY_ANNOUNCE: ((PARTYDAY_ANNOUNCE,), adapters.partyday_announce),
        Kind.PARTYDAY_MORNING: ((PARTYDAY_MORNING,), adapters.partyday_morning),
        Kind.PLEDGE_NO_PLEDGE: ((PLEDGE_NO_PLEDGE,), adapters.no_pledge),
        Kind.PLEDGE_STALE: ((PLEDGE_STALE,), adapters.stale_progress),
        Kind.PLEDGE_REVIEW: ((PLEDGE_REVIEW,), adapters.waiting_review),
        Kind.PLEDGE_EVALUATE: ((PLEDGE_EVALUATE,), adapters.evaluation_due),
        Kind.VISIT_FOLLOW_UP: ((VISIT_FOLLOW_UP,), adapters.follow_up),
        Kind.VISIT_BEHIND: ((VISIT_BEHIND,), adapters.behind_target),
        Kind.DIGEST: ((), adapters.digest),
    }
    return {
        kind.value: _renderer(adapter)
        for kind, (needs, adapter) in wanted.items()
        if all(name in registered for name in needs)
    }


def _renderer(adapter: Adapter) -> Renderer:
    async def render(
        tx: aiosqlite.Connection, reminder: Reminder, language: str, now: datetime
    ) -> Rendered | None:
        t = Translator(language)
        screen = await adapter(tx, reminder, t, now)
        if screen is None:
            return None
        rendered = to_rendered(screen)
        return replace(rendered, text=fit(t, rendered.text))

    return render


def fit(t: Translator, text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The text cut to whole lines so that it fits one message, saying how many were left out.

    A list (pledges waiting for review in a 120-member branch) can outgrow Telegram's 4096
    characters, which Telegram refuses outright: the row would fail and the reminder be
    lost. Lines are kept whole (no tag spans a line in these views). What is measured is
    the HTML in UTF-16 units (an emoji counts two), never less than what Telegram counts.
    """
    if telegram_length(text) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        more = t("reminders.more_lines", count=len(lines) - index)
        if used + telegram_length(line) + 1 + telegram_length(more) > limit:
            return "\n".join([*kept, more])
        kept.append(line)
        used += telegram_length(line) + 1
    return "\n".join(kept)  # not reached: the whole text was longer than the limit


def to_rendered(screen: Any) -> Rendered:
    """A view's result: a text, or (text, keyboard) with an ``InlineKeyboardMarkup`` or
    rows of ``{"text", "callback_data" | "url"}`` dicts."""
    if isinstance(screen, str):
        return Rendered(screen)
    text, keyboard = screen
    return Rendered(text, buttons=to_buttons(keyboard))


def to_buttons(keyboard: Any) -> list[list[Button]] | None:
    if keyboard is None:
        return None
    rows: Sequence[Sequence[Any]] = (
        keyboard.inline_keyboard if isinstance(keyboard, InlineKeyboardMarkup) else keyboard
    )
    result = [
        [
            Button.model_validate(button)
            if isinstance(button, Mapping)
            else Button(text=button.text, callback_data=button.callback_data, url=button.url)
            for button in row
        ]
        for row in rows
    ]
    result = [row for row in result if row]
    return result or None


class _Adapters:
    """One method per kind: load, re-check, call the feature's view."""

    def __init__(self, registered: Mapping[str, View], config: BotConfig) -> None:
        self.views = registered
        self.config = config

    def today(self, now: datetime) -> date:
        return local_date(now, self.config.zone)

    # ----------------------------------------------------------------- party day

    async def _party_day(
        self, tx: aiosqlite.Connection, reminder: Reminder
    ) -> partyday.PartyDay | None:
        """The day as it stands now, if it is still the one the reminder was about."""
        p = reminder.payload
        day = await partyday.party_day(tx, int(p["branch_id"]), int(p["year"]), int(p["month"]))
        if day is None or day.date is None or day.date.isoformat() != p["date"]:
            return None  # cancelled or moved: the feature told people; new keys follow
        return day

    async def partyday_announce(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        day = await self._party_day(tx, reminder)
        if day is None:
            return None
        branch = await branches.get(tx, day.branch_id)
        if branch is None:
            return None
        if reminder.payload.get("variant") == "reminder":
            # Announced by hand earlier: remind whoever has still not answered.
            if day.month_id is not None and await partyday.get_reply(
                tx, day.month_id, reminder.member_id
            ):
                return None
            rules = await reminders.rules_for(tx, day.branch_id)
            # The D-3 view says "in 3 days"; with another offset the announcement (which
            # names the date and has the same buttons) says it without a wrong number.
            name = PARTYDAY_D3 if rules.announce_days == 3 else PARTYDAY_ANNOUNCE
            return self.views.get(name, self.views[PARTYDAY_ANNOUNCE])(t, day, branch)
        if not day.announced:
            # Pinned, so a later rule change cannot move a day members were told about.
            # The engine is nobody: the audit entry has no actor.
            day = await partyday.pin(tx, day, actor_id=None, now=now)
        return self.views[PARTYDAY_ANNOUNCE](t, day, branch)

    async def partyday_morning(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        day = await self._party_day(tx, reminder)
        branch = None if day is None else await branches.get(tx, day.branch_id)
        if day is None or branch is None:
            return None
        return self.views[PARTYDAY_MORNING](t, day, branch)

    # ----------------------------------------------------------------- pledges

    async def no_pledge(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        person = await members.get(tx, reminder.member_id)
        if person is None:
            return None
        period = str(reminder.payload["period"])
        return self.views[PLEDGE_NO_PLEDGE](t, name=person.name, period=period)

    async def stale_progress(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        row = await pledges.get_row(tx, int(reminder.payload["pledge_id"]))
        if row is None or row.status is not pledges.PledgeStatus.PUBLISHED:
            return None
        since = row.last_update_at or row.published_at or row.updated_at
        return self.views[PLEDGE_STALE](t, row, days=(now - since).days)

    async def waiting_review(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        branch_id = int(reminder.payload["branch_id"])
        rows = [
            row
            for row in await pledges.waiting_review(tx, now - REVIEW_AFTER)
            if row.branch_id == branch_id and row.member_id != reminder.member_id
        ]
        if not rows:
            return None
        return self.views[PLEDGE_REVIEW](t, rows, zone=self.config.zone)

    async def evaluation_due(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        branch_id = int(reminder.payload["branch_id"])
        rows = await pledges.due_for_evaluation(tx, self.today(now), branch_id)
        rows = [row for row in rows if row.member_id != reminder.member_id]
        if not rows:
            return None
        return self.views[PLEDGE_EVALUATE](t, rows)

    # ----------------------------------------------------------------- home visits

    async def follow_up(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        visit_id = int(reminder.payload["visit_id"])
        due_on = str(reminder.payload["due_on"])
        for item in await visits.follow_ups_due(tx, self.today(now)):
            # Done, postponed (a new date, a new reminder) or withdrawn: nothing to say.
            if item.visit_id == visit_id and item.due_on.isoformat() == due_on:
                return self.views[VISIT_FOLLOW_UP](t, item)
        return None

    async def behind_target(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        term = terms.Term(
            start=date.fromisoformat(str(reminder.payload["term_start"])),
            end=date.fromisoformat(str(reminder.payload["term_end"])),
        )
        behind = await visits.members_behind_target(
            tx, int(reminder.payload["branch_id"]), term, self.today(now)
        )
        for progress in behind:
            if progress.member_id == reminder.member_id:
                return self.views[VISIT_BEHIND](t, progress, term)
        return None  # caught up since the reminder fell due

    # ----------------------------------------------------------------- digest

    async def digest(
        self, tx: aiosqlite.Connection, reminder: Reminder, t: Translator, now: datetime
    ) -> Any:
        month = date.fromisoformat(f"{reminder.payload['month']}-01")
        branch_id = int(reminder.payload["branch_id"])
        data = await reminders.digest(tx, branch_id, month, self.config.zone)
        if data is None:
            return None
        text = views.digest(t, data)
        behind_view = self.views.get(VISIT_BRANCH_BEHIND)
        if behind_view is None or data.visits is None or data.visits.target is None:
            return text
        # Who is below the visit target, by name, in the visits feature's own words.
        term = terms.Term(start=data.visits.term_start, end=data.visits.term_end)
        behind = await visits.members_behind_target(tx, branch_id, term, self.today(now))
        if not behind:
            return text
        more, keyboard = behind_view(t, branch_id, data.branch_name, behind)
        if len(text) + len(more) > MESSAGE_LIMIT - 2:
            return text  # a very large branch: the counts above say it, the list would not fit
        return f"{text}\n\n{more}", keyboard
