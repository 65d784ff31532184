"""What the meeting and safety steps share: the flow, answering in the chat, and reading
typed answers (dates, times, counts, votes, names)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from handlers.common import reply
from handlers.common import typed as typed_reader
from handlers.common.context import XContext
from handlers.common.flows import clear_flow, enter_flow, flow_data

# One conversation for the whole feature: a person is in at most one of its steps.
FLOW = "meetings"

ButtonRows = list[list[dict[str, str]]]
Rendered = tuple[str, ButtonRows]


def start(context: XContext, mode: str, **values: Any) -> dict[str, Any]:
    """Begin afresh (``enter_flow``): forget what an unfinished step had collected."""
    return enter_flow(context, FLOW, mode=mode, **values)


def data(context: XContext) -> dict[str, Any]:
    return flow_data(context, FLOW)


def finish(context: XContext) -> None:
    clear_flow(context, FLOW)


async def say(
    update: Update, context: XContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer in the chat the update came from; a pressed button is acknowledged first."""
    await reply.say(update, context, text, markup)


async def say_from_button(
    update: Update, context: XContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Like ``say``; the pressed message loses its buttons (they did their job)."""
    await reply.remove_buttons(update)
    await reply.say(update, context, text, markup)


def typed(update: Update) -> str:
    message = update.effective_message
    return message.text.strip() if message is not None and message.text else ""


async def typed_date(update: Update, context: XContext) -> date | None:
    """The date typed (``parse_date``); ``None`` once the person has been told it was unclear."""
    day = parse_date(typed(update), context.today())
    if day is None:
        await say(update, context, context.t("mt.bad.date"))
    return day


# --------------------------------------------------------------------------- typed answers


def normal(text: str) -> str:
    """Full-width digits and punctuation made plain, trimmed, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse_date(text: str, today: date) -> date | None:
    """The date typed (the one reader, ``handlers.common.typed``); without a year, the
    nearest such day, since a meeting may be ahead."""
    return typed_reader.typed_date(text, today, typed_reader.NEAR)


_TIME = re.compile(r"^(\d{1,2})\s*[:点时.]\s*(\d{2})?\s*分?$")


def parse_time(text: str) -> time | None:
    """``15:00``, ``15：00``, ``15点``, ``9.30``."""
    match = _TIME.match(normal(text).replace("半", ":30"))
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_times(text: str) -> tuple[time, time | None] | None:
    """A start, or a start and an end: ``15:00`` or ``15:00-16:30`` (至, 到, ~ also)."""
    parts = re.split(r"\s*(?:-|~|至|到|—)\s*", normal(text))
    if not 1 <= len(parts) <= 2:
        return None
    times = [parse_time(part) for part in parts]
    if any(t is None for t in times):
        return None
    start = times[0]
    assert start is not None
    return start, (times[1] if len(times) == 2 else None)


def parse_count(text: str) -> int | None:
    """A whole number, with or without 人/名: ``45``, ``45人``."""
    match = re.fullmatch(r"(\d{1,4})\s*(人|名|位)?", normal(text))
    return int(match[1]) if match else None


_VOTE_LABELS = (("赞成", "同意", "for", "yes"), ("反对", "against", "no"), ("弃权", "abstain"))


def parse_votes(text: str) -> tuple[int, int, int] | None:
    """``赞成 12 反对 0 弃权 1`` or three numbers in that order: ``12 0 1``, ``12/0/1``."""
    clean = normal(text)
    numbers = [int(n) for n in re.findall(r"\d+", clean)]
    if len(numbers) != 3:
        return None
    labelled = []
    for labels in _VOTE_LABELS:
        spots = [clean.find(label) for label in labels if label in clean]
        labelled.append(min(spots) if spots else -1)
    if all(spot >= 0 for spot in labelled):
        # Numbers follow their labels: order them by where each label stands.
        order = sorted(range(3), key=lambda i: labelled[i])
        values = [0, 0, 0]
        for position, index in enumerate(order):
            values[index] = numbers[position]
        return values[0], values[1], values[2]
    return numbers[0], numbers[1], numbers[2]


def parse_names(text: str) -> list[str]:
    """Names separated by 、，, ; or spaces (or one per line)."""
    parts = re.split(r"[、，,;；\n]+|\s{1,}", text.strip())
    return [part for part in (p.strip() for p in parts) if part]


GUEST_PREFIXES = ("嘉宾", "guest", "来宾")


def guest_name(text: str) -> str | None:
    """``嘉宾 陈校长`` → ``陈校长``; None when the text is not marked as a guest."""
    clean = text.strip()
    for prefix in GUEST_PREFIXES:
        if clean.lower().startswith(prefix):
            rest = clean[len(prefix) :].lstrip(" :：,，")
            return rest or None
    return None


def local_moment(context: XContext) -> datetime:
    return context.now().astimezone(context.config.zone)
