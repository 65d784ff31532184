"""The 公示 and its objections, as both /rating and /pioneers use them: the round an
admin's button names, publishing it for the notice period, the admins' list of
objections with its [答复 #n] buttons, the objection an answer is for, and saving a
typed objection or answer (telling the admins, or the objector)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.common import delivery
from handlers.common.callback import encode
from handlers.common.context import XContext
from handlers.common.errors import NotFound, Refusal, told_or_refused
from handlers.common.guards import parse_callback, require_admin, require_found, require_private
from handlers.common.i18n import Translator
from handlers.common.reply import reply, say
from storage import calendar, members
from storage import objections as store
from storage.members import Member
from storage.objections import NoticeRound, Objection, ObjectionKind

R = TypeVar("R")


@dataclass(frozen=True)
class Objections:
    """One evaluation's objections: where they are kept, its message keys' prefix
    (``<keys>.objections.line``, ``<keys>.button.answer``, ``<keys>.problem.…``) and
    its buttons' prefix."""

    kind: ObjectionKind
    keys: str
    buttons: str


async def bureau_round(
    update: Update,
    context: XContext,
    spec: Objections,
    get_round: Callable[[aiosqlite.Connection, int], Awaitable[R | None]],
) -> tuple[Member, R]:
    """An admin, in a private chat, and the round their button
    (``<buttons>:<action>:<round id>``) names."""
    require_private(update)
    admin = require_admin(context)
    round_id = parse_callback(update, spec.buttons).int_arg(0)
    return admin, await require_found(context, get_round, round_id)


async def publish(
    update: Update,
    context: XContext,
    spec: Objections,
    round_id: int,
    write: Callable[[aiosqlite.Connection, date], Awaitable[delivery.Render]],
) -> None:
    """The 公示 from today: ``write`` (in one transaction, given the notice's last day)
    publishes the round, posts its notices and returns what the admins are told
    (``<keys>.published``); the admin pressing hears until when objections may come."""
    days = context.config.rating_notice_days
    until = calendar.add_working_days(context.today(), days)
    async with context.db.transaction() as tx:
        bureau = await write(tx, until)
        kind = f"{spec.keys}.published"
        admins = await members.admins(tx)
        await delivery.tell(tx, context, admins, kind, bureau, key=f"round{round_id}")
    delivery.wake(context)
    text = context.t(f"{spec.keys}.published", until=until.isoformat(), days=days)
    await say(update, context, text)


async def show(
    update: Update,
    context: XContext,
    spec: Objections,
    round_: NoticeRound,
    *,
    values: Callable[[Objection], dict[str, object]] = lambda _: {},
) -> None:
    """The admins' list of a round's objections (``values`` adds to each line)."""
    async with context.db.read() as conn:
        found = await store.of_round(conn, spec.kind, round_.id)
    answering = round_.status == "published"
    await say(update, context, *listing(context.t, spec, found, answering=answering, values=values))


def listing(
    t: Translator,
    spec: Objections,
    found: list[Objection],
    *,
    answering: bool,
    values: Callable[[Objection], dict[str, object]] = lambda _: {},
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The round's objections with their answers; an [答复 #n] button under each one
    still waiting while ``answering`` (the notice is on)."""
    if not found:
        return t(f"{spec.keys}.objections.none"), None
    lines = [t(f"{spec.keys}.objections.title", count=len(found))]
    rows = []
    for o in found:
        answer = o.answer or t(f"{spec.keys}.objections.waiting")
        lines.append(
            t(
                f"{spec.keys}.objections.line",
                id=o.id,
                name=o.member_name,
                text=o.text,
                answer=answer,
                **values(o),
            )
        )
        if o.answer is None and answering:
            label = t.plain(f"{spec.keys}.button.answer", id=o.id)
            rows.append(
                [InlineKeyboardButton(label, callback_data=encode(spec.buttons, "ans", o.id))]
            )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def to_answer(context: XContext, spec: Objections, objection_id: int) -> Objection:
    """The objection an admin starts answering: refused when gone or answered."""
    async with context.db.read() as conn:
        objection = await store.get(conn, spec.kind, objection_id)
    if objection is None:
        raise NotFound()
    if objection.answer is not None:
        raise Refusal(f"{spec.keys}.problem.already_answered")
    return objection


async def raise_typed(
    update: Update,
    context: XContext,
    spec: Objections,
    round_: NoticeRound,
    subject_id: int,
    text: str,
    person: Member,
    told: Callable[[Translator], str],
) -> bool:
    """A typed objection is kept and the admins told (``<keys>.objection``); the person
    hears ``<keys>.objected``. False when the text's length is refused (the step asks
    again)."""

    async def write(tx: aiosqlite.Connection) -> None:
        await store.raise_objection(
            tx,
            spec.kind,
            round_,
            subject_id,
            text,
            member_id=person.id,
            today=context.today(),
            now=context.now(),
        )
        kind = f"{spec.keys}.objection"
        admins = await members.admins(tx)
        await delivery.tell(tx, context, admins, kind, lambda t: (told(t), None))

    return await _save_typed(update, context, spec, write, "objected")


async def answer_typed(
    update: Update,
    context: XContext,
    spec: Objections,
    objection_id: int,
    text: str,
    admin: Member,
    told: Callable[[Translator, Objection], str],
) -> bool:
    """A typed answer is kept and the objector told at once (``<keys>.answer``: they wait
    for it); the admin hears ``<keys>.answered``. False when the text's length is refused
    (the step asks again)."""
    objection, objector = await _with_objector(context, spec, objection_id)

    async def write(tx: aiosqlite.Connection) -> None:
        await store.answer(tx, spec.kind, objection, text, actor_id=admin.id, now=context.now())
        kind = f"{spec.keys}.answer"
        await delivery.tell(
            tx, context, [objector], kind, lambda t: (told(t, objection), None), urgent=True
        )

    return await _save_typed(update, context, spec, write, "answered")


async def _save_typed(
    update: Update,
    context: XContext,
    spec: Objections,
    write: Callable[[aiosqlite.Connection], Awaitable[None]],
    done: str,
) -> bool:
    """``write`` in one transaction, then the messages sent and ``<keys>.<done>`` said; a
    text of the wrong length is told and False returned, any other refusal refused."""
    try:
        async with context.db.transaction() as tx:
            await write(tx)
    except spec.kind.problem as problem:
        again = (spec.kind.length_code,)
        await told_or_refused(update, context, f"{spec.keys}.problem", problem, again=again)
        return False
    delivery.wake(context)
    await reply(update, context, context.t(f"{spec.keys}.{done}"))
    return True


async def _with_objector(
    context: XContext, spec: Objections, objection_id: int
) -> tuple[Objection, Member]:
    """The objection being answered and who raised it (to tell them the answer)."""
    async with context.db.read() as conn:
        objection = await store.get(conn, spec.kind, objection_id)
        objector = await members.get(conn, objection.member_id) if objection else None
    if objection is None or objector is None:
        raise NotFound()
    return objection, objector
