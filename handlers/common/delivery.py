"""Telling anyone other than the person acting: always a row in the outbox, never a send.

The outbox gives every such message the quiet hours, Telegram's pace, unreachable
marking and a dedupe key. A handler adds the rows inside the transaction that makes the
change they tell about (both commit, or neither), then calls ``wake(context)`` after the
commit so the dispatcher sends them now::

    async with context.db.transaction() as tx:
        await store.approve(tx, ...)
        await delivery.tell(tx, context, [owner], "pledge.approved", render, key=f"{id}")
    delivery.wake(context)

``urgent=True`` is for kinds a person is waiting for (a review decision, a leave answer):
the quiet hours do not hold them, but they still go through the outbox. Where there is
no update (a dispatcher receipt), ``queue`` and ``queue_post`` add the same rows as
``tell`` and ``post``: no feature calls ``storage.outbox.enqueue`` itself. Answering the
person acting in the chat they wrote from is ``handlers.common.reply``'s job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.context import XContext
from handlers.common.i18n import Translator
from handlers.common.services import BotConfig
from schedules.quiet import QuietHours
from storage import outbox, prefs
from storage.members import Member
from storage.outbox import Button, ButtonsInput, OutboxMessage

Markup = InlineKeyboardMarkup | ButtonsInput | None
Screen = tuple[str, Markup]
Render = Callable[[Translator], Screen | str]
"""A message in one reader's language: its text, or its text and buttons."""


async def tell(
    tx: aiosqlite.Connection,
    context: XContext,
    people: Iterable[Member],
    kind: str,
    render: Render,
    *,
    key: str | Callable[[Member], str] | None = None,
    urgent: bool = False,
    subject_id: int | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
) -> int:
    """Queue one message per person, in their own language; returns how many were new.

    ``key`` names the event (with the kind and the person's id it is the row's dedupe
    key: the same event told twice is queued once), or gives each person's dedupe key
    whole; by default the event is the update being handled (``event``). ``not_before``
    defaults to now, or at night the end of the quiet hours; a message still waiting at
    ``expires_at`` is given up rather than sent late.
    """
    return await queue(
        tx,
        people,
        kind,
        render,
        key=event(context) if key is None else key,
        config=context.config,
        now=context.now(),
        not_before=not_before,
        urgent=urgent,
        subject_id=subject_id,
        expires_at=expires_at,
    )


async def queue(
    tx: aiosqlite.Connection,
    people: Iterable[Member],
    kind: str,
    render: Render,
    *,
    key: str | Callable[[Member], str],
    config: BotConfig,
    now: datetime,
    not_before: datetime | None = None,
    urgent: bool = False,
    subject_id: int | None = None,
    expires_at: datetime | None = None,
) -> int:
    """``tell`` where there is no update (a dispatcher receipt): the same rows.

    The message is rendered once per language, and rows that are neither urgent nor
    about a subject go in a few hundred per statement (``outbox.enqueue_many``): a round
    opened for a bureau's 5,000 members is a dozen statements, not 5,000."""
    people = list(people)
    later = not_before or release(config, now)
    chosen = await prefs.languages(tx, (person.telegram_id for person in people))
    screens: dict[str, tuple[str, list[list[Button]] | None]] = {}
    rows: list[tuple[Member, str, list[list[Button]] | None, str]] = []
    for person in people:
        language = chosen.get(person.telegram_id, config.default_language)
        if language not in screens:
            text, markup = _screen(render(Translator(language)))
            screens[language] = (text, buttons(markup))
        dedupe_key = key(person) if callable(key) else f"{kind}:{key}:{person.id}"
        rows.append((person, *screens[language], dedupe_key))
    if not urgent and subject_id is None:
        encoded = {id(b): outbox.encode_buttons(b) for _, b in screens.values() if b is not None}
        messages = [
            outbox.NewMessage(
                chat_id=person.telegram_id,
                member_id=person.id,
                kind=kind,
                text=text,
                buttons=None if keyboard is None else encoded[id(keyboard)],
                dedupe_key=dedupe_key,
                not_before=later,
                expires_at=expires_at,
            )
            for person, text, keyboard, dedupe_key in rows
        ]
        return len(await outbox.enqueue_many(tx, messages, now=now))
    added = 0
    for person, text, keyboard, dedupe_key in rows:
        if await outbox.enqueue(
            tx,
            chat_id=person.telegram_id,
            member_id=person.id,
            kind=kind,
            text=text,
            buttons=keyboard,
            dedupe_key=dedupe_key,
            not_before=now if urgent else later,
            now=now,
            urgent=urgent,
            subject_id=subject_id,
            expires_at=expires_at,
        ):
            added += 1
    return added


async def post(
    tx: aiosqlite.Connection,
    context: XContext,
    chat_id: int,
    kind: str,
    text: str,
    markup: Markup = None,
    *,
    key: str | None = None,
    subject_id: int | None = None,
) -> bool:
    """Queue a message to a group or channel (its many readers: the caller renders it in
    the deployment's language). Held by the quiet hours: it rings every member's phone."""
    return await queue_post(
        tx,
        chat_id,
        kind,
        text,
        markup,
        key=event(context) if key is None else key,
        config=context.config,
        now=context.now(),
        subject_id=subject_id,
    )


async def queue_post(
    tx: aiosqlite.Connection,
    chat_id: int,
    kind: str,
    text: str,
    markup: Markup = None,
    *,
    key: str,
    config: BotConfig,
    now: datetime,
    subject_id: int | None = None,
) -> bool:
    """``post`` where there is no update (a dispatcher receipt): the same row, whose
    dedupe key is the kind and ``key``."""
    return await outbox.enqueue(
        tx,
        chat_id=chat_id,
        member_id=None,
        kind=kind,
        text=text,
        buttons=buttons(markup),
        dedupe_key=f"{kind}:{key}",
        not_before=release(config, now),
        now=now,
        subject_id=subject_id,
    )


async def edit(
    tx: aiosqlite.Connection,
    context: XContext,
    posted: OutboxMessage,
    kind: str,
    text: str,
    markup: Markup = None,
) -> bool:
    """Queue an edit of the message the ``posted`` row sends (or sent): it goes once that
    one is out, replaces edits of it still waiting, and is urgent (an edit rings no
    phone, and a post that shows an old state misleads)."""
    now = context.now()
    return await outbox.enqueue(
        tx,
        chat_id=posted.chat_id,
        member_id=None,
        kind=kind,
        text=text,
        buttons=buttons(markup),
        dedupe_key=f"{kind}:{posted.id}:{event(context)}",
        not_before=now,
        now=now,
        urgent=True,
        edit_of=posted.id,
        subject_id=posted.subject_id,
    )


def event(context: XContext) -> str:
    """What caused the messages, for their dedupe keys: the update being handled. Telegram
    never reuses an update id, and sends an update again only when its handling was not
    confirmed (a crash): then its messages must not be queued twice. Outside an update
    (a job), every call is an event of its own."""
    if context.update_id is None:
        return f"x{uuid.uuid4().hex}"
    return f"u{context.update_id}"


def release_time(context: XContext) -> datetime:
    """When a message a person sends out now may be delivered: now, or at night the end of
    the deployment's quiet hours (nobody's phone should buzz at 23:00 for a notice)."""
    return release(context.config, context.now())


def release(config: BotConfig, now: datetime) -> datetime:
    return QuietHours(config.quiet_start, config.quiet_end).release(now, config.zone)


def wake(context: XContext) -> None:
    """Tell the dispatcher new rows are waiting (no-op where none runs, e.g. in migrate)."""
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        dispatcher.wake()


def buttons(markup: Markup) -> list[list[Button]] | None:
    """A keyboard in the outbox's form, from an ``InlineKeyboardMarkup`` or rows of
    buttons or ``{"text", "callback_data" | "url"}`` dicts; None for no buttons."""
    if markup is None:
        return None
    rows: Sequence[Sequence[object]] = (
        markup.inline_keyboard if isinstance(markup, InlineKeyboardMarkup) else markup
    )
    result = [[_button(b) for b in row] for row in rows]
    return [row for row in result if row] or None


def _button(button: object) -> Button:
    if isinstance(button, InlineKeyboardButton):
        data = button.callback_data
        return Button(
            text=button.text, callback_data=None if data is None else str(data), url=button.url
        )
    if isinstance(button, Mapping):
        return Button.model_validate(button)
    assert isinstance(button, Button)
    return button


def _screen(rendered: Screen | str) -> Screen:
    return (rendered, None) if isinstance(rendered, str) else rendered
