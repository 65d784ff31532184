"""How a feature shows its reminders: one typed view per ``Kind``, registered with the
Registrar, and the wrapping that turns those views into the engine's renderers.

A feature's ``reminders`` module has, for each kind it owns, ``async def view(due:
DueReminder) -> Screen | None``: it re-reads its record when the tick renders it
(``due.conn``, the reader: rendering holds no lock), returns None when there is nothing to
say any more, else the screen in the recipient's language (``due.t``); what must be
written with the message it asks for with ``due.write_with``. The composition root hands
the registered views to the engine through ``engine_renderers``; ``docs/REMINDERS.md``
says how to add a kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import aiosqlite
from telegram import InlineKeyboardMarkup

from handlers.common import texts  # noqa: F401  (fills the catalog)
from handlers.common.html import MESSAGE_LIMIT, telegram_length
from handlers.common.i18n import LANGUAGES, Translator
from schedules.kinds import Kind, Memo, Reminder, Rendered, Renderer, Write
from schedules.quiet import local_date
from storage import terms
from storage.outbox import Button
from storage.reminders import Digest
from storage.terms import Term

ButtonRows = list[list[dict[str, str]]]
"""Buttons as the outbox stores them: rows of ``{"text", "callback_data" | "url"}``."""
Screen = str | tuple[str, InlineKeyboardMarkup | ButtonRows | None]


@dataclass(frozen=True)
class DueReminder:
    """What a view is given: the reminder, a connection to read with, the recipient's
    translator and the moment of the tick."""

    reminder: Reminder
    conn: aiosqlite.Connection
    t: Translator
    now: datetime
    zone: ZoneInfo
    memo: Memo = field(default_factory=Memo)
    """Reads shared by the reminders rendered in the same slice (see ``once``)."""
    writes: list[tuple[Hashable, Write]] = field(default_factory=list)
    """What ``write_with`` asked for."""

    @property
    def today(self) -> date:
        """The tick's calendar date in the deployment's zone."""
        return local_date(self.now, self.zone)

    @property
    def term(self) -> Term:
        """The term a term-wide reminder speaks of (``term_start`` and ``term_end`` in
        its payload)."""
        payload = self.reminder.payload
        return Term(
            start=date.fromisoformat(str(payload["term_start"])),
            end=date.fromisoformat(str(payload["term_end"])),
        )

    async def once(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        """``read()``, done once per slice of the tick for the same ``key``.

        A thousand announcements of one branch's party day need the day and the branch
        once, not a thousand times. A slice renders for at most half a second, so what it
        shares is as fresh as a read at its start.
        """
        if key not in self.memo:
            self.memo[key] = await read()
        found: T = self.memo[key]
        return found

    async def for_all(self, key: Hashable, read: BranchesRead[T]) -> T | None:
        """This reminder's branch's part of ``read(conn, branch_ids)``, made once for the
        branches of every reminder of this kind still to render in the tick.

        A hundred digests of the 1st each read the same tables for their own branch: a
        query a branch is a hundred, one ``GROUP BY branch_id`` is one. The read runs on
        the reader's own thread (a read for a hundred branches would hold the event loop
        if run inline) and is kept for the rest of the tick: those reminders are rendered
        within a second or two of it. ``read`` answers by branch id; a branch it leaves
        out has nothing (None).
        """
        branch_id = self.reminder.branch_id
        if branch_id is None:
            raise ValueError(f"{self.reminder.dedupe_key} belongs to no branch")
        kept = self.memo.tick.get(("for_all", key))
        if kept is None or branch_id not in kept[0]:
            kind = self.reminder.kind
            asked = {branch_id} | {
                r.branch_id
                for r in self.memo.upcoming
                if r.kind is kind and r.branch_id is not None
            }
            found = await read(self.memo.reader or self.conn, sorted(asked))
            kept = self.memo.tick[("for_all", key)] = (asked, found)
        part: T | None = kept[1].get(branch_id)
        return part

    async def set_terms(self) -> list[Term]:
        """The terms set (``terms.set_terms``), read once per slice: every digest asks."""
        return await self.once(("terms.set",), lambda: terms.set_terms(self.conn))

    def write_with(self, key: Hashable, write: Write) -> None:
        """Write this with the message, in the transaction that queues it (once per ``key``
        in a tick, however many messages ask): ``write(tx)`` returns False when the record
        changed since it was read, and then the message is not queued (the next tick
        renders it again). See ``Rendered.writes``."""
        self.writes.append((key, write))


T = TypeVar("T")
BranchesRead = Callable[[aiosqlite.Connection, list[int]], Awaitable[Mapping[int, T]]]
"""``read(conn, branch_ids)``: something for each of these branches, by branch id."""
# A translator holds only its language: one each, not one per message.
_TRANSLATORS = {language: Translator(language) for language in LANGUAGES}
ReminderView = Callable[[DueReminder], Awaitable[Screen | None]]
DigestSection = Callable[[DueReminder, Digest], Awaitable[Screen | None]]
"""A feature's lines in the monthly digest (``Digest`` holds the month's counts)."""


def engine_renderers(views: Mapping[Kind, ReminderView], zone: ZoneInfo) -> dict[str, Renderer]:
    """The engine's renderer for every kind a feature registered a view for."""
    return {kind.value: _renderer(view, zone) for kind, view in views.items()}


def _renderer(view: ReminderView, zone: ZoneInfo) -> Renderer:
    async def render(
        conn: aiosqlite.Connection,
        reminder: Reminder,
        language: str,
        now: datetime,
        memo: Memo,
    ) -> Rendered | None:
        t = _TRANSLATORS.get(language) or Translator(language)
        due = DueReminder(reminder, conn, t, now, zone, memo)
        screen = await view(due)
        if screen is None:
            return None
        # A view telling many people the same (an announcement) returns the same screen
        # object (``DueReminder.once``): converted once a slice, not once a person.
        key = ("reminders.converted", id(screen))
        converted = memo.get(key)
        if converted is None or converted[0] is not screen:
            plain = to_rendered(screen)
            converted = (screen, Rendered(fit(t, plain.text), plain.buttons, plain.photo))
            memo[key] = converted
        rendered: Rendered = converted[1]
        if not due.writes:
            return rendered
        return Rendered(rendered.text, rendered.buttons, rendered.photo, tuple(due.writes))

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


def to_rendered(screen: Screen) -> Rendered:
    """A view's screen as the outbox row's text and buttons (plain rows as they are: the
    engine checks them when it encodes them)."""
    if isinstance(screen, str):
        return Rendered(screen)
    text, keyboard = screen
    if keyboard is None or isinstance(keyboard, InlineKeyboardMarkup):
        return Rendered(text, buttons=to_buttons(keyboard))
    return Rendered(text, buttons=[row for row in keyboard if row] or None)


def to_buttons(keyboard: InlineKeyboardMarkup | ButtonRows | None) -> list[list[Button]] | None:
    if keyboard is None:
        return None
    if isinstance(keyboard, InlineKeyboardMarkup):
        rows = [
            [Button(text=b.text, callback_data=b.callback_data, url=b.url) for b in row]
            for row in keyboard.inline_keyboard
        ]
    else:
        rows = [[Button.model_validate(b) for b in row] for row in keyboard]
    return [row for row in rows if row] or None
