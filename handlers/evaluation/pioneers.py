"""/pioneers: choosing the year's pioneers (评选先锋). The admin opens a round and picks
the jury; secretaries nominate their members, members nominate themselves and their
secretary endorses or declines; jurors rank the nominees once, in secret, in the jury's
window; the bureau confirms the quota (a tie at the cut decided with a reason),
publishes it for a notice with objections, then makes it final: the honours record.

This module has the screens and the one-tap steps; what is typed is in
``pioneer_steps`` (one conversation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import aiosqlite
from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import delivery
from handlers.common.callback import encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import NotAllowed, NotFound, OtherBranch, Refusal, refused_as
from handlers.common.guards import (
    parse_callback,
    require_found,
    require_member,
    require_private,
)
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import ack, replace, reply, reply_photo, say
from handlers.evaluation import objections
from handlers.evaluation import pioneer_views as views
from handlers.evaluation.objections import Objections
from handlers.evaluation.pioneer_views import PREFIX, Row, Screen, button
from storage import branches, members
from storage import objections as objection_store
from storage import pioneers as store
from storage.members import Member, Role
from storage.pioneer_rules import Cut, Phase, PioneerProblem, deciders_of
from storage.pioneers import Nomination, NominationStatus, Round, RoundStatus

T = TypeVar("T")
OBJECTIONS = Objections(store.OBJECTIONS, "pioneers", PREFIX)
PROBLEM = "pioneers.problem"  # the prefix of a refused step's message
ListView = Callable[[Translator, Round, list[Nomination]], str]


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("pioneers", show))
    for action, handler in (
        ("ov", overview),
        ("jury", jury),
        ("jt", toggle_juror),
        ("nl", nomination_list),
        ("nm", nomination),
        ("ph", photos),
        ("en", endorse),
        ("res", results),
        ("cf", confirm),
        ("pub", publish),
        ("obs", list_objections),
        ("fin", finalize),
    ):
        reg.add(CallbackQueryHandler(handler, pattern=pattern(PREFIX, action)))


# --------------------------------------------------------------------------- /pioneers


async def show(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    async with context.db.read() as conn:
        latest = await store.latest_round(conn)
    if latest is None:
        if person.role is not Role.ADMIN:
            if person.role is Role.INSPECTOR or person.branch_id is not None:
                await reply(update, context, context.t("pioneers.none"))
                return
            raise NotAllowed()
        year = context.today().year
        rows = [[button(context.t, "pioneers.button.open", "open", year, year=year)]]
        await reply(update, context, context.t("pioneers.none_admin"), views.markup(rows))
        return
    await reply(update, context, *await home(context, person, latest))


async def overview(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    round_ = await find_round(context, int_arg(update, 0))
    await ack(update)
    await replace(update, context, *await home(context, person, round_))


async def home(context: XContext, person: Member, round_: Round) -> Screen:
    """The round as this person may see it, with the buttons of their next steps."""
    t = context.t
    today = context.today()
    phase = round_.phase(today)
    async with context.db.read() as conn:
        round_ = await store.get_round(conn, round_.id) or round_
        jury = await store.jurors(conn, round_.id)
        all_nominations = await store.nominations(conn, round_.id)
        cast = await store.ballots_cast(conn, round_.id)
        voted = await store.has_voted(conn, round_.id, person.id)
        found = await objection_store.of_round(conn, store.OBJECTIONS, round_.id)
        people = {m.id: m.name for m in await members.with_roles(conn, Role.ADMIN, Role.INSPECTOR)}
    lines = [views.head(t, round_, phase.value)]
    rows: list[Row] = []
    on_jury = person.id in jury
    live = [n for n in all_nominations if n.status is NominationStatus.NOMINATED]
    decided = round_.status is not RoundStatus.OPEN
    # The list is everyone's once published; before that only the bureau sees it.
    published = round_.status in (RoundStatus.PUBLISHED, RoundStatus.FINAL)
    if published or (decided and person.role is Role.ADMIN):
        chosen = [n for n in live if n.selected]
        key = "pioneers.list.final" if round_.status is RoundStatus.FINAL else "pioneers.list.title"
        lines.append(t(key, count=len(chosen)))
        lines.append(views.chosen_list(t, chosen))
        if round_.in_notice(today) and person.role in (Role.MEMBER, Role.SECRETARY):
            rows.append([button(t, "pioneers.button.object", "obj", round_.id)])
    if person.role is Role.ADMIN:
        names = t.plain("pioneers.list_sep").join(people.get(j, "?") for j in jury) or t(
            "pioneers.jury.none"
        )
        pending = sum(n.status is NominationStatus.PENDING for n in all_nominations)
        lines.append(t("pioneers.admin.counts", jury=names, live=len(live), pending=pending))
        lines.append(t("pioneers.admin.ballots", cast=cast, jurors=len(jury)))
        if found:
            waiting = sum(o.answer is None for o in found)
            lines.append(t("pioneers.admin.objections", count=len(found), open=waiting))
        rows += _admin_buttons(t, round_, phase, on_jury and not voted, bool(found))
        if round_.status is RoundStatus.FINAL and today.year > round_.year:
            rows.append([button(t, "pioneers.button.open", "open", today.year, year=today.year)])
    elif person.role is Role.INSPECTOR:
        if not on_jury:
            if not published:
                raise Refusal("pioneers.problem.not_on_jury")
        else:
            lines.append(t("pioneers.juror.voted" if voted else "pioneers.juror.hint"))
            rows.append([button(t, "pioneers.button.list", "nl", round_.id)])
            if phase is Phase.VOTING and not voted and not decided:
                rows.append([button(t, "pioneers.button.vote", "vote", round_.id)])
    elif not decided:
        rows += _branch_part(t, person, round_, phase, all_nominations, lines)
    return "\n\n".join(lines), views.markup(rows)


def _admin_buttons(
    t: Translator, round_: Round, phase: Phase, may_vote: bool, objections: bool
) -> list[Row]:
    rid = round_.id
    rows: list[Row] = [[button(t, "pioneers.button.list", "nl", rid)]]
    if round_.status is RoundStatus.OPEN:
        if phase not in (Phase.VOTING, Phase.CLOSED):
            rows.append(
                [
                    button(t, "pioneers.button.jury", "jury", rid),
                    button(t, "pioneers.button.edit", "ed", rid),
                ]
            )
        if may_vote and phase is Phase.VOTING:
            rows.append([button(t, "pioneers.button.vote", "vote", rid)])
        if phase is Phase.CLOSED:
            rows.append(
                [
                    button(t, "pioneers.button.results", "res", rid),
                    button(t, "pioneers.button.tie", "tie", rid),
                ]
            )
        rows.append(
            [
                button(t, "pioneers.button.confirm", "cf", rid),
                button(t, "pioneers.button.publish", "pub", rid),
            ]
        )
    else:
        rows.append([button(t, "pioneers.button.results", "res", rid)])
    if round_.status is RoundStatus.CONFIRMED:
        rows.append([button(t, "pioneers.button.publish", "pub", rid)])
    if round_.status is RoundStatus.PUBLISHED:
        rows.append([button(t, "pioneers.button.final", "fin", rid)])
    if objections:
        rows.append([button(t, "pioneers.button.objections", "obs", rid)])
    return rows


def _branch_part(
    t: Translator,
    person: Member,
    round_: Round,
    phase: Phase,
    all_nominations: list[Nomination],
    lines: list[str],
) -> list[Row]:
    """A secretary's branch list (and the self-nominations to answer), or a member's own."""
    rows: list[Row] = []
    nominating = phase is Phase.NOMINATING
    if person.role is Role.SECRETARY:
        mine = [n for n in all_nominations if n.branch_id == person.branch_id]
        live = sum(n.status is NominationStatus.NOMINATED for n in mine)
        lines.append(t("pioneers.branch.title", count=live, cap=round_.branch_cap))
        lines += [views.nomination_line(t, n, branch=False) for n in mine] or [
            t("pioneers.branch.empty")
        ]
        # Self-nominations waiting first: they are what the secretary must answer.
        waiting_first = sorted(mine, key=lambda n: n.status is not NominationStatus.PENDING)
        for n in waiting_first[: views.ROWS_MAX]:
            row = [InlineKeyboardButton(n.member_name, callback_data=_data("nm", n.id))]
            if n.status is NominationStatus.PENDING:
                row += [
                    button(t, "pioneers.button.endorse", "en", n.id),
                    button(t, "pioneers.button.decline", "de", n.id),
                ]
            rows.append(row)
        if nominating:
            rows.append([button(t, "pioneers.button.nominate", "nom", round_.id)])
        return rows
    own = [n for n in all_nominations if n.member_id == person.id]
    lines += [views.nomination_line(t, n, branch=False) for n in own]
    if own:
        rows.append(
            [InlineKeyboardButton(own[-1].member_name, callback_data=_data("nm", own[-1].id))]
        )
    if nominating and all(n.status is NominationStatus.DECLINED for n in own):
        lines.append(t("pioneers.member.hint"))
        rows.append([button(t, "pioneers.button.self", "self", round_.id)])
    return rows


# --------------------------------------------------------------------------- the jury


async def jury(update: Update, context: XContext) -> None:
    _, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    await ack(update)
    await replace(update, context, *await _jury_screen(context, round_))


async def toggle_juror(update: Update, context: XContext) -> None:
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    juror_id = int_arg(update, 1)
    async with context.db.transaction() as tx:
        on = await step(
            store.toggle_juror(
                tx, round_, juror_id, today=context.today(), actor_id=admin.id, now=context.now()
            )
        )
        juror = await members.get(tx, juror_id)
        if on and juror is not None and juror.id != admin.id:
            title = round_.title
            await delivery.tell(
                tx,
                context,
                [juror],
                "pioneers.juror",
                lambda t: (
                    t(
                        "pioneers.told_juror",
                        title=title,
                        start=round_.vote_from.isoformat(),
                        end=round_.vote_until.isoformat(),
                    ),
                    None,
                ),
                key=f"round{round_.id}",
            )
    delivery.wake(context)
    await ack(update)
    await replace(update, context, *await _jury_screen(context, round_))


async def _jury_screen(context: XContext, round_: Round) -> Screen:
    t = context.t
    async with context.db.read() as conn:
        jury = set(await store.jurors(conn, round_.id))
        people = await members.with_roles(conn, Role.ADMIN, Role.INSPECTOR)
    rows: list[Row] = [
        [
            InlineKeyboardButton(
                ("✅ " if p.id in jury else "") + p.name, callback_data=_data("jt", round_.id, p.id)
            )
        ]
        for p in people[: views.ROWS_MAX * 3]
    ]
    rows.append([button(t, "pioneers.button.back", "ov", round_.id)])
    return t("pioneers.jury.title", title=round_.title, count=len(jury)), views.markup(rows)


# --------------------------------------------------------------------------- nominations


async def nomination_list(update: Update, context: XContext) -> None:
    """Every nomination in the list, for the admins and the jury (a secretary: theirs);
    those waiting for this person's endorsement first, so their buttons (the 去处理 of the
    daily reminder opens this list) are never beyond the screen's last."""
    require_private(update)
    person = require_member(context)
    round_ = await find_round(context, int_arg(update, 0))
    async with context.db.read() as conn:
        jury = await store.jurors(conn, round_.id)
        found = await store.nominations(conn, round_.id)
        if person.role is not Role.ADMIN and person.id not in jury:
            if person.role is not Role.SECRETARY:
                raise NotAllowed()
            found = [n for n in found if n.branch_id == person.branch_id]
        waiting = await store.decided_by(conn, person.id, found)
    found.sort(key=lambda n: n.id not in waiting)
    t = context.t
    lines = [t("pioneers.list.nominations", title=round_.title, count=len(found))]
    lines += [f"{i}. {views.nomination_line(t, n)}" for i, n in enumerate(found, start=1)]
    picks = [
        InlineKeyboardButton(f"{i}. {n.member_name}", callback_data=_data("nm", n.id))
        for i, n in enumerate(found, start=1)
    ]
    rows: list[Row] = [picks[i : i + 3] for i in range(0, min(len(picks), views.ROWS_MAX * 3), 3)]
    rows.append([button(t, "pioneers.button.back", "ov", round_.id)])
    await say(update, context, "\n".join(lines), views.markup(rows))


async def nomination(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    n, round_ = await visible_nomination(context, person, int_arg(update, 0))
    async with context.db.read() as conn:
        record = await store.record(
            conn, n.member_id, n.branch_id, round_.year, zone=context.config.zone
        )
        # The bureau decides where the branch has no one else (a lone secretary's own).
        decides = person.role is Role.SECRETARY or (
            person.role is Role.ADMIN
            and person.id in {d.id for d in await deciders_of(conn, n.branch_id, n.member_id)}
        )
    t = context.t
    rows: list[Row] = []
    if n.photos:
        rows.append([button(t, "pioneers.button.photos", "ph", n.id)])
    if decides and n.status is NominationStatus.PENDING and round_.status is RoundStatus.OPEN:
        rows.append(
            [
                button(t, "pioneers.button.endorse", "en", n.id),
                button(t, "pioneers.button.decline", "de", n.id),
            ]
        )
    rows.append([button(t, "pioneers.button.back", "ov", round_.id)])
    await say(update, context, *views.nomination(t, round_.year, n, record, rows))


async def photos(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    n, _ = await visible_nomination(context, person, int_arg(update, 0))
    await ack(update)
    for index, photo in enumerate(n.photos, start=1):
        caption = context.t("pioneers.photo_caption", name=n.member_name, n=index)
        await reply_photo(update, context, photo, caption)


async def endorse(update: Update, context: XContext) -> None:
    require_private(update)
    secretary = require_member(context)
    n, round_ = await own_branch_nomination(context, secretary, int_arg(update, 0))
    async with context.db.transaction() as tx:
        await step(
            store.endorse(
                tx, round_, n, actor_id=secretary.id, today=context.today(), now=context.now()
            )
        )
        await tell_nominee(tx, context, n, "endorsed", urgent=True, title=round_.title)
    delivery.wake(context)
    await say(update, context, context.t("pioneers.endorsed", name=n.member_name))


async def visible_nomination(
    context: XContext, person: Member, nomination_id: int
) -> tuple[Nomination, Round]:
    """A nomination this person may read: admins and the jury all; a secretary their
    branch's; a member their own."""
    async with context.db.read() as conn:
        n = await store.get_nomination(conn, nomination_id)
        round_ = await store.get_round(conn, n.round_id) if n else None
        jury = await store.jurors(conn, n.round_id) if n else []
    if n is None or round_ is None:
        raise NotFound()
    if person.role is Role.ADMIN or person.id in jury:
        return n, round_
    if person.role is Role.SECRETARY:
        if person.branch_id != n.branch_id:
            raise OtherBranch()
        return n, round_
    if person.role is Role.MEMBER and person.id == n.member_id:
        return n, round_
    if person.role is Role.MEMBER and person.branch_id != n.branch_id:
        raise OtherBranch()
    raise NotAllowed()


async def own_branch_nomination(
    context: XContext, person: Member, nomination_id: int
) -> tuple[Nomination, Round]:
    """A self-nomination to endorse or decline: the branch's secretary's, or any branch's
    for the bureau (a secretary's own goes to the bureau); never one's own."""
    if person.role not in (Role.SECRETARY, Role.ADMIN):
        raise NotAllowed()
    async with context.db.read() as conn:
        n = await store.get_nomination(conn, nomination_id)
        round_ = await store.get_round(conn, n.round_id) if n else None
    if n is None or round_ is None:
        raise NotFound()
    if person.role is Role.SECRETARY and n.branch_id != person.branch_id:
        raise OtherBranch()
    if n.member_id == person.id:
        raise Refusal("pioneers.problem.own_endorsement")
    return n, round_


# --------------------------------------------------------------------------- the bureau


async def results(update: Update, context: XContext) -> None:
    _, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    the_cut, by_id = await counted(context, round_)
    lines = views.results(context.t, round_, the_cut, by_id)
    rows = [[button(context.t, "pioneers.button.back", "ov", round_.id)]]
    await say(update, context, "\n".join(lines), views.markup(rows))


async def confirm(update: Update, context: XContext) -> None:
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    async with context.db.transaction() as tx:
        chosen = await step(
            store.confirm(tx, round_, today=context.today(), actor_id=admin.id, now=context.now())
        )
    await say(update, context, context.t("pioneers.confirmed", count=len(chosen)))
    await reply(update, context, *await home(context, admin, round_))


async def publish(update: Update, context: XContext) -> None:
    """公示: the list is posted in every branch's notice chat; the admins are told."""
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)

    async def write(tx: aiosqlite.Connection, until: date) -> delivery.Render:
        await step(store.publish(tx, round_, ends_on=until, actor_id=admin.id, now=context.now()))
        published, chosen = await _post_everywhere(
            tx, context, admin, round_, "pioneers.notice", views.notice_post
        )
        return lambda t: views.notice_post(t, published, chosen)

    await objections.publish(update, context, OBJECTIONS, round_.id, write)


async def list_objections(update: Update, context: XContext) -> None:
    _, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    await objections.show(update, context, OBJECTIONS, round_)


async def finalize(update: Update, context: XContext) -> None:
    """The final list: announced in the notice chats, the honoured and their
    secretaries told; kept as the honours record."""
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    async with context.db.transaction() as tx:
        await step(
            store.finalize(tx, round_, today=context.today(), actor_id=admin.id, now=context.now())
        )
        round_, chosen = await _post_everywhere(
            tx, context, admin, round_, "pioneers.final", views.final_post
        )
        honoured = [m for n in chosen if (m := await members.get(tx, n.member_id)) is not None]
        title = round_.title
        await delivery.tell(
            tx,
            context,
            honoured,
            "pioneers.honoured",
            lambda t: (t("pioneers.told_honoured", title=title), None),
            key=f"round{round_.id}",
        )
        branch_ids = sorted({n.branch_id for n in chosen})
        secretaries = [s for b in branch_ids for s in await members.secretaries(tx, b)]
        final = round_
        await delivery.tell(
            tx,
            context,
            [s for s in secretaries if s.id not in {m.id for m in honoured}],
            "pioneers.final_list",
            lambda t: (views.final_post(t, final, chosen), None),
            key=f"round{round_.id}",
        )
    delivery.wake(context)
    await say(update, context, context.t("pioneers.finalized", title=round_.title))


async def _post_everywhere(
    tx: Any, context: XContext, admin: Member, round_: Round, kind: str, view: ListView
) -> tuple[Round, list[Nomination]]:
    """The round just moved on, as it now stands, and its chosen nominations: their list
    (``view``) posted the same in every branch's notice chat (set with /setnotice)."""
    round_ = await store.get_round(tx, round_.id) or round_
    chosen = [n for n in await store.nominations(tx, round_.id, live=True) if n.selected]
    text = view(Translator(context.config.default_language), round_, chosen)
    every = await branches.visible_to(tx, admin)
    chats = sorted({b.notice_chat_id for b in every if b.notice_chat_id is not None})
    for chat in chats:
        await delivery.post(tx, context, chat, kind, text, key=f"round{round_.id}:{chat}")
    return round_, chosen


# --------------------------------------------------------------------------- helpers


def _data(action: str, *args: object) -> str:
    return encode(PREFIX, action, *args)


async def find_round(context: XContext, round_id: int) -> Round:
    return await require_found(context, store.get_round, round_id)


async def tell_nominee(
    tx: aiosqlite.Connection,
    context: XContext,
    n: Nomination,
    what: str,
    *,
    urgent: bool,
    **values: object,
) -> None:
    """The nominee hears what became of their nomination (``pioneers.told_<what>``)."""
    nominee = await members.get(tx, n.member_id)
    await delivery.tell(
        tx,
        context,
        [nominee] if nominee else [],
        f"pioneers.{what}",
        lambda t: (t(f"pioneers.told_{what}", **values), None),
        urgent=urgent,
        key=f"nomination{n.id}",
    )


async def counted(context: XContext, round_: Round) -> tuple[Cut, dict[int, Nomination]]:
    """The ballots counted and cut at the quota (refused while the jury's window runs),
    and the round's nominations by id to name them."""
    async with context.db.read() as conn:
        the_cut = await step(store.results(conn, round_, today=context.today()))
        by_id = {n.id: n for n in await store.nominations(conn, round_.id)}
    return the_cut, by_id


async def step(awaitable: Awaitable[T]) -> T:
    """Await a storage step; its refusal is told as the problem it names."""
    return await refused_as(PROBLEM, PioneerProblem, awaitable)


def int_arg(update: Update, index: int) -> int:
    # Malformed data raises BadCallbackData, which the error handler answers as a bad button.
    return parse_callback(update, PREFIX).int_arg(index)
