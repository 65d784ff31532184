"""/links as one conversation: setting links (a member's own 三联系, the secretary's 双服务
for the branch's people, the bureau's cadres and 结对 pairs), ending one with a reason,
and logging a contact in a few taps (which link, how, one optional line or photo)."""

from __future__ import annotations

from datetime import date
from typing import Any

import aiosqlite
from pydantic import ValidationError
from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotAllowed, OtherBranch, Refusal, StaleButton
from handlers.common.flows import END, Handlers, enter_flow, flow_data, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_admin,
    require_branch_person,
    require_found,
    require_member,
    require_private,
    require_secretary,
)
from handlers.common.reply import ack, answering, remove_buttons, replace, reply, say
from handlers.common.typed import PAST, choose, is_skip, labels, typed_date, typed_text
from handlers.links import views
from handlers.links.names import names_for
from handlers.links.views import PREFIX
from storage import branches, links, members, terms
from storage.link_rules import LinkPeriod, Rhythm, period_span, window_of
from storage.links import (
    ContactFields,
    ContactWay,
    Link,
    LinkFields,
    LinkForbidden,
    LinkKind,
    LinkProblem,
    LinkStatus,
)
from storage.members import Member, Role
from storage.visits import looks_like_full_name, suggest_alias

FLOW = "links"

KIND, TARGET, REPLACE = "lk.kind", "lk.target", "lk.replace"
PICK, PERSON, SERVE_KIND = "lk.pick", "lk.person", "lk.serve_kind"
REASON, HOW, DATE, NOTE = "lk.reason", "lk.how", "lk.date", "lk.note"


def entry_points() -> Handlers:
    return [
        CommandHandler("links", links_command),
        *presses(
            PREFIX,
            new=new_pressed,
            serve=serve_pressed,
            cadre=cadre_pressed,
            pair=pair_pressed,
            log=log_pressed,
            end=end_pressed,
        ),
    ]


def states() -> dict[object, Handlers]:
    return {
        KIND: step_handlers(PREFIX, kind_answered, use_buttons, kind=kind_answered),
        TARGET: step_handlers(PREFIX, target_typed, text_expected, keep=keep_alias),
        REPLACE: step_handlers(PREFIX, use_buttons, use_buttons, repl=replace_pressed),
        PICK: step_handlers(PREFIX, use_buttons, use_buttons, pk=picked, page=page_pressed),
        PERSON: step_handlers(
            PREFIX, person_typed, text_expected, pk=person_picked, page=page_pressed
        ),
        SERVE_KIND: step_handlers(PREFIX, serve_kind_answered, use_buttons, sk=serve_kind_answered),
        REASON: step_handlers(PREFIX, reason_typed, text_expected),
        HOW: step_handlers(PREFIX, how_answered, use_buttons, how=how_answered, day=other_day),
        DATE: step_handlers(PREFIX, date_typed, text_expected),
        # A photo is the line's picture (its caption the line); anything else, text please.
        NOTE: [
            MessageHandler(filters.PHOTO, note_photo),
            *step_handlers(PREFIX, note_typed, text_expected, skip=note_skipped),
        ],
    }


# --------------------------------------------------------------------------- /links


async def links_command(update: Update, context: XContext) -> object:
    """/links: your links; /links branch (secretary); the bureau's view for an admin."""
    require_private(update)
    person = require_member(context)
    arg = (context.args or [""])[0].lower()
    if person.role is Role.ADMIN:
        return await show_bureau(update, context)
    if arg in ("branch", "支部"):
        return await show_branch(update, context)
    if person.role not in (Role.MEMBER, Role.SECRETARY):
        raise NotAllowed()
    return await show_mine(update, context)


async def show_mine(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    today = context.today()
    async with context.db.read() as conn:
        mine = await links.owned_by(conn, person.id, today=today)
        side = None
        if person.is_secretary:
            side = person.branch_id
            mine += [
                link for link in await links.of_branch(conn, person.branch_id, today=today)
                if link.kind is LinkKind.PAIR
            ]  # fmt: skip
        rows = await links.coverage(
            conn, on=today, today=today, rhythms=context.config.link_rhythms,
            terms=await terms.set_terms(conn), branch_id=person.branch_id,
        )  # fmt: skip
        waiting = await links.proposed_in_branch(conn, person.branch_id, today=today)
        past = await links.count_past(conn, person.id, today=today)
        names = await names_for(conn, mine)
    loggable = [
        link.id for link in mine if link.status is LinkStatus.ACTIVE and link.may_log(person)
    ]
    text, markup = views.my_links(
        context.t, mine, {row.link.id: row for row in rows}, names, side=side,
        loggable=loggable, secretary=person.is_secretary,
        waiting=len(waiting) if person.is_secretary else 0, past=past,
    )  # fmt: skip
    await say(update, context, text, markup)
    return END


async def show_branch(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    today = context.today()
    async with context.db.read() as conn:
        rows = await links.coverage(
            conn, on=today, today=today, rhythms=context.config.link_rhythms,
            terms=await terms.set_terms(conn), branch_id=secretary.branch_id,
        )  # fmt: skip
        names = await names_for(conn, [row.link for row in rows])
    totals = links.summarize(rows)
    name = names.branches.get(secretary.branch_id, "")
    text, markup = views.branch_coverage(context.t, name, rows, totals, secretary.branch_id, names)
    await say(update, context, text, markup)
    return END


async def show_bureau(update: Update, context: XContext) -> object:
    require_admin(context)
    await say(update, context, *await bureau_screen(context, 0))
    return END


async def bureau_screen(context: XContext, page: int) -> views.Screen:
    """The bureau's figures per branch, a page of branches. Counted by the database: no
    link is read, however many are behind; those are read a branch at a time, when the
    branch's button is pressed (``manage.behind_pressed``)."""
    today = context.today()
    async with context.db.read() as conn:
        totals = await links.branch_totals(
            conn, on=today, today=today, rhythms=context.config.link_rhythms,
            terms=await terms.set_terms(conn),
        )  # fmt: skip
        names = await names_for(conn, [])
    return views.bureau(context.t, totals, names, page)


# --------------------------------------------------------------------------- a member's 三联系


async def new_pressed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    enter_flow(context, FLOW)
    await remove_buttons(update)
    await say(update, context, *views.three_kinds(context.t))
    return KIND


async def kind_answered(update: Update, context: XContext) -> object:
    require_branch_person(context)
    options = [(kind, labels(f"lk.kind.{kind.value}")) for kind in views.THREE_KINDS]
    if update.callback_query is not None:
        chosen = choose(parse_callback(update, PREFIX).str_arg(0), options, by_number=False)
        if chosen is None:
            raise BadButton()
        await remove_buttons(update)
    else:
        chosen = choose(typed_text(update), options)
        if chosen is None:
            return await use_buttons(update, context)
    flow_data(context, FLOW)["kind"] = chosen.value
    await say(update, context, *views.ask_target(context.t, chosen))
    return TARGET


async def target_typed(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    data = flow_data(context, FLOW)
    kind = LinkKind(data["kind"])
    raw = typed_text(update)
    if kind is LinkKind.STUDENT:
        try:
            alias = links.clean_student(raw)
        except LinkProblem as problem:
            return await _problem(update, context, problem, TARGET)
        if looks_like_full_name(alias) and alias != data.get("alias_pending"):
            # Warned, not refused: the button (or typing it again) keeps it.
            data["alias_pending"] = alias
            await reply(
                update, context, *views.full_name_warning(context.t, alias, suggest_alias(alias))
            )
            return TARGET
        return await _save_three(update, context, person, kind, alias)
    return await _save_three(update, context, person, kind, raw)


async def keep_alias(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    pending = flow_data(context, FLOW).get("alias_pending")
    if not pending:
        raise StaleButton()
    await remove_buttons(update)
    return await _save_three(update, context, person, LinkKind.STUDENT, str(pending))


async def replace_pressed(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    data = flow_data(context, FLOW)
    if "pending_class" not in data:
        raise StaleButton()
    await remove_buttons(update)
    return await _save_three(
        update, context, person, LinkKind.CLASS, str(data["pending_class"]), replace_ok=True
    )


async def _save_three(
    update: Update,
    context: XContext,
    person: Member,
    kind: LinkKind,
    value: str,
    *,
    replace_ok: bool = False,
) -> object:
    field = "student_alias" if kind is LinkKind.STUDENT else "target_text"
    assert person.branch_id is not None
    try:
        async with context.db.transaction() as tx:
            fields = await _fields(tx, context, kind, person, {field: value})
            link = await links.set_link(
                tx, fields, actor=person, owner=person, replace=replace_ok, now=context.now()
            )
            if link.status is LinkStatus.PROPOSED:
                secretaries = await members.secretaries(tx, person.branch_id)
                names = await names_for(tx, [link])
                await delivery.tell(
                    tx, context, secretaries, "links.request",
                    lambda t: views.confirm_request(t, link, names), subject_id=link.id,
                )  # fmt: skip
    except LinkProblem as problem:
        if problem.code == "class_taken":
            flow_data(context, FLOW)["pending_class"] = value
            current = str(problem.params.get("current") or "")
            await say(update, context, *views.replace_class(context.t, current, value))
            return REPLACE
        return await _problem(update, context, problem, TARGET)
    delivery.wake(context)
    key = "lk.saved.proposed" if link.status is LinkStatus.PROPOSED else "lk.saved.active"
    target = link.student_alias or link.target_text or ""
    await say(update, context, context.t(key, kind=views.kind_name(context.t, kind), target=target))
    return END


async def _fields(
    conn: aiosqlite.Connection,
    context: XContext,
    kind: LinkKind,
    owner: Member | None,
    target: dict[str, Any],
    *,
    branch_id: int | None = None,
) -> LinkFields:
    """A link for the school year under way (the coming one in the summer gap), from today."""
    today = context.today()
    span = period_span(LinkPeriod.YEAR, today, await terms.set_terms(conn))
    try:
        return LinkFields(
            kind=kind,
            member_id=None if owner is None else owner.id,
            branch_id=branch_id if owner is None else owner.branch_id,
            period=LinkPeriod.YEAR,
            period_start=span.start,
            period_end=span.end,
            start_on=max(today, span.start),
            today=today,
            **target,
        )
    except ValidationError as error:
        raise links.problem(error) from None


# --------------------------------------------------------------------------- 双服务, 结对


async def serve_pressed(update: Update, context: XContext) -> object:
    """The secretary sets a 双服务 link for one of the branch's people."""
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        people = await members.list_branch(conn, secretary.branch_id)
    enter_flow(context, FLOW, mode="serve", step="owner", owner_branch=secretary.branch_id)
    return await _ask_pick(update, context, "lk.ask.owner", [(p.id, p.name) for p in people])


async def cadre_pressed(update: Update, context: XContext) -> object:
    """An admin sets a bureau cadre's 双服务: the cadre's branch, the cadre, then what."""
    require_admin(context)
    enter_flow(context, FLOW, mode="cadre", step="owner_branch")
    return await _ask_branches(update, context, "lk.ask.cadre_branch")


async def pair_pressed(update: Update, context: XContext) -> object:
    require_admin(context)
    enter_flow(context, FLOW, mode="pair", step="pair_first")
    return await _ask_branches(update, context, "lk.ask.pair_first")


async def _ask_branches(
    update: Update, context: XContext, question: str, *, besides: int | None = None
) -> object:
    async with context.db.read() as conn:
        found = await branches.list_with_counts(conn)
    choices = [(b.id, b.name) for b in found if b.id != besides]
    return await _ask_pick(update, context, question, choices)


async def _ask_pick(
    update: Update, context: XContext, question: str, choices: list[tuple[int, str]]
) -> object:
    data = flow_data(context, FLOW)
    data["choices"] = [list(choice) for choice in choices]
    data["question"] = question
    await remove_buttons(update)
    text = context.t(question, **data.get("question_args", {}))
    await say(update, context, *views.pick(context.t, text, choices, "pk", 0))
    return PERSON if data.get("step") == "person" else PICK


async def page_pressed(update: Update, context: XContext) -> object:
    page = parse_callback(update, PREFIX).int_arg(0)
    data = flow_data(context, FLOW)
    choices = data.get("choices") or []
    if page * views.PAGE >= len(choices):
        raise StaleButton()
    text = context.t(str(data.get("question")), **data.get("question_args", {}))
    await ack(update)
    await replace(update, context, *views.pick(context.t, text, choices, "pk", page))
    return None


def _chosen(update: Update, context: XContext) -> int:
    """The id a pick button names; only one of the choices offered."""
    chosen = parse_callback(update, PREFIX).int_arg(0)
    offered = {int(choice[0]) for choice in flow_data(context, FLOW).get("choices") or []}
    if chosen not in offered:
        raise BadButton()
    return chosen


async def picked(update: Update, context: XContext) -> object:
    data = flow_data(context, FLOW)
    step = data.get("step")
    if data.get("mode") == "serve":
        require_secretary(context)
    else:
        require_admin(context)
    chosen = _chosen(update, context)
    if step == "owner":
        data["owner"] = chosen
        owner = await _owner(context)
        if data["mode"] == "serve":
            return await _ask_people(update, context, owner.branch_id or 0, owner)
        await remove_buttons(update)
        await say(update, context, *views.serve_kinds(context.t, owner.name))
        return SERVE_KIND
    if step == "owner_branch":
        async with context.db.read() as conn:
            people = await members.list_branch(conn, chosen)
        data["step"] = "owner"
        return await _ask_pick(update, context, "lk.ask.cadre", [(p.id, p.name) for p in people])
    if step == "target_branch":
        if data.get("kind") == LinkKind.SERVE_BRANCH.value:
            owner = await _owner(context)
            return await _save_other(
                update, context, LinkKind.SERVE_BRANCH, owner, {"target_branch_id": chosen}
            )
        return await _ask_people(update, context, chosen, await _owner(context))
    if step == "pair_first":
        data["first"] = chosen
        data["step"] = "pair_second"
        return await _ask_branches(update, context, "lk.ask.pair_second", besides=chosen)
    if step == "pair_second":
        return await _save_other(
            update, context, LinkKind.PAIR, None, {"target_branch_id": chosen},
            branch_id=int(data["first"]),
        )  # fmt: skip
    raise StaleButton()


async def serve_kind_answered(update: Update, context: XContext) -> object:
    require_admin(context)
    options = [
        (kind, labels(f"lk.kind.{kind.value}"))
        for kind in (LinkKind.SERVE_BRANCH, LinkKind.SERVE_PERSON)
    ]
    if update.callback_query is not None:
        chosen = choose(parse_callback(update, PREFIX).str_arg(0), options, by_number=False)
        if chosen is None:
            raise BadButton()
    else:
        chosen = choose(typed_text(update), options)
        if chosen is None:
            return await use_buttons(update, context)
    data = flow_data(context, FLOW)
    data["kind"] = chosen.value
    data["step"] = "target_branch"
    key = "lk.ask.serve_branch" if chosen is LinkKind.SERVE_BRANCH else "lk.ask.person_branch"
    owner = await _owner(context)
    besides = owner.branch_id if chosen is LinkKind.SERVE_BRANCH else None
    return await _ask_branches(update, context, key, besides=besides)


async def _ask_people(update: Update, context: XContext, branch_id: int, owner: Member) -> object:
    async with context.db.read() as conn:
        people = await members.list_branch(conn, branch_id)
    data = flow_data(context, FLOW)
    data["step"] = "person"
    data["kind"] = LinkKind.SERVE_PERSON.value
    data["question_args"] = {"owner": owner.name}
    choices = [(p.id, p.name) for p in people if p.id != owner.id]
    return await _ask_pick(update, context, "lk.ask.person", choices)


async def person_picked(update: Update, context: XContext) -> object:
    _serve_actor(context)
    chosen = _chosen(update, context)
    owner = await _owner(context)
    return await _save_other(
        update, context, LinkKind.SERVE_PERSON, owner, {"target_member_id": chosen}
    )


async def person_typed(update: Update, context: XContext) -> object:
    """A non-member served: their name, then their role (``陈明 家长``)."""
    _serve_actor(context)
    parts = typed_text(update).split(maxsplit=1)
    if len(parts) != 2:
        await say(update, context, context.t("lk.problem.person_format"))
        return PERSON
    owner = await _owner(context)
    return await _save_other(
        update,
        context,
        LinkKind.SERVE_PERSON,
        owner,
        {"person_name": parts[0], "person_role": parts[1]},
    )


def _serve_actor(context: XContext) -> Member:
    if flow_data(context, FLOW).get("mode") == "serve":
        return require_secretary(context)
    return require_admin(context)


async def _owner(context: XContext) -> Member:
    owner_id = flow_data(context, FLOW).get("owner")
    if owner_id is None:
        raise StaleButton()
    async with context.db.read() as conn:
        owner = await members.get(conn, int(owner_id))
    if owner is None or not owner.active or owner.branch_id is None:
        raise StaleButton()
    return owner


async def _save_other(
    update: Update,
    context: XContext,
    kind: LinkKind,
    owner: Member | None,
    target: dict[str, Any],
    *,
    branch_id: int | None = None,
) -> object:
    """Store a 双服务 or 结对 link (active at once) and tell whom it concerns."""
    actor = require_member(context)
    try:
        async with context.db.transaction() as tx:
            fields = await _fields(tx, context, kind, owner, target, branch_id=branch_id)
            link = await links.set_link(tx, fields, actor=actor, owner=owner, now=context.now())
            names = await names_for(tx, [link])
            if owner is not None and owner.id != actor.id:
                await delivery.tell(
                    tx, context, [owner], "links.set",
                    lambda t: t("lk.told.set", kind=views.kind_name(t, link.kind),
                                target=views.target(link, names)),
                    subject_id=link.id,
                )  # fmt: skip
            if kind is LinkKind.PAIR:
                for side in sorted(link.sides()):
                    other = views.target(link, names, side=side)
                    await delivery.tell(
                        tx, context, await members.secretaries(tx, side), "links.set",
                        _paired(other), subject_id=link.id,
                    )  # fmt: skip
    except LinkForbidden:
        raise NotAllowed() from None
    except LinkProblem as problem:
        state = PERSON if kind is LinkKind.SERVE_PERSON else PICK
        return await _problem(update, context, problem, state)
    delivery.wake(context)
    await remove_buttons(update)
    await say(update, context, context.t(
        "lk.saved.other", kind=views.kind_name(context.t, kind), owner=views.owner(link, names),
        target=views.target(link, names)))  # fmt: skip
    return END


def _paired(other: str) -> delivery.Render:
    return lambda t: t("lk.told.pair", other=other)


# --------------------------------------------------------------------------- ending


async def end_pressed(update: Update, context: XContext) -> object:
    actor = require_member(context)
    link = await require_found(context, links.get, parse_callback(update, PREFIX).int_arg(0))
    _may(actor, link, link.may_end(actor))
    if not link.running:
        raise Refusal("lk.problem.not_running")
    enter_flow(context, FLOW, link_id=link.id)
    await remove_buttons(update)
    await say(update, context, context.t("lk.ask.reason"))
    return REASON


async def reason_typed(update: Update, context: XContext) -> object:
    actor = require_member(context)
    link_id = int(flow_data(context, FLOW)["link_id"])
    try:
        async with context.db.transaction() as tx:
            link = await links.end(
                tx, link_id, actor=actor, reason=typed_text(update), today=context.today(),
                now=context.now(),
            )  # fmt: skip
            names = await names_for(tx, [link])
            told = await _concerned(tx, link, actor)
            await delivery.tell(
                tx, context, told, "links.ended",
                lambda t: t("lk.told.ended", kind=views.kind_name(t, link.kind),
                            target=views.target(link, names), by=actor.name,
                            reason=link.end_reason or ""),
                subject_id=link.id,
            )  # fmt: skip
    except LinkForbidden:
        raise NotAllowed() from None
    except LinkProblem as problem:
        return await _problem(update, context, problem, REASON)
    delivery.wake(context)
    kind = views.kind_name(context.t, link.kind)
    await say(update, context, context.t("lk.ended", kind=kind, target=views.target(link, names)))
    return END


async def _concerned(tx: aiosqlite.Connection, link: Link, actor: Member) -> list[Member]:
    """Who hears of a change someone else made: the owner, or a 结对's secretaries."""
    if link.member_id is None:
        found = []
        for side in sorted(link.sides()):
            found += await members.secretaries(tx, side)
        return [p for p in found if p.id != actor.id]
    owner = await members.get(tx, link.member_id)
    return [owner] if owner is not None and owner.active and owner.id != actor.id else []


def _may(actor: Member, link: Link, allowed: bool) -> None:
    """Refuse politely: another branch's link, or one this person may not touch."""
    if allowed:
        return
    if actor.role is Role.SECRETARY and actor.branch_id not in link.sides():
        raise OtherBranch()
    raise NotAllowed()


# --------------------------------------------------------------------------- logging


async def log_pressed(update: Update, context: XContext) -> object:
    """Log a contact: the link is the button; today unless changed; then how, then a line."""
    actor = require_member(context)
    link = await require_found(context, links.get, parse_callback(update, PREFIX).int_arg(0))
    _may(actor, link, link.may_log(actor))
    today = context.today()
    if link.status is not LinkStatus.ACTIVE or not link.in_force(today):
        raise Refusal("lk.problem.not_active")
    enter_flow(context, FLOW, link_id=link.id, day=today.isoformat())
    await ack(update)
    return await _ask_how(update, context, link, today)


async def _ask_how(update: Update, context: XContext, link: Link, day: date) -> object:
    async with context.db.read() as conn:
        names = await names_for(conn, [link])
    side = side_of(context, link)
    await reply(update, context, *views.ways(context.t, link, names, day, context.today(), side))
    return HOW


def side_of(context: XContext, link: Link) -> int | None:
    actor = context.member
    return actor.branch_id if actor is not None and link.kind is LinkKind.PAIR else None


async def _flow_link(context: XContext) -> Link:
    link_id = flow_data(context, FLOW).get("link_id")
    if link_id is None:
        raise StaleButton()
    return await require_found(context, links.get, int(link_id))


async def how_answered(update: Update, context: XContext) -> object:
    require_member(context)
    data = flow_data(context, FLOW)
    options = [(way, labels(f"lk.way.{way.value}")) for way in ContactWay]
    if update.callback_query is not None:
        way = choose(parse_callback(update, PREFIX).str_arg(0), options, by_number=False)
        if way is None:
            raise BadButton()
        await remove_buttons(update)
    else:
        text = typed_text(update)
        way = choose(text, options)
        if way is None:
            day = typed_date(text, context.today(), PAST)
            if day is None:
                return await use_buttons(update, context)
            return await _take_date(update, context, day)
    data["how"] = way.value
    await say(update, context, *views.ask_note(context.t))
    return NOTE


async def other_day(update: Update, context: XContext) -> object:
    link = await _flow_link(context)
    allowed = link.contact_range(context.today())
    await remove_buttons(update)
    await say(update, context, context.t(
        "lk.ask.date", first=allowed.start.isoformat(), last=allowed.end.isoformat()))  # fmt: skip
    return DATE


async def date_typed(update: Update, context: XContext) -> object:
    day = typed_date(typed_text(update), context.today(), PAST)
    if day is None:
        await say(update, context, context.t("lk.problem.bad_date"))
        return DATE
    return await _take_date(update, context, day)


async def _take_date(update: Update, context: XContext, day: date) -> object:
    link = await _flow_link(context)
    allowed = link.contact_range(context.today())
    if not allowed.contains(day):
        await say(update, context, context.t(
            "lk.problem.date_range", first=allowed.start.isoformat(),
            last=allowed.end.isoformat()))  # fmt: skip
        return DATE
    flow_data(context, FLOW)["day"] = day.isoformat()
    return await _ask_how(update, context, link, day)


async def note_typed(update: Update, context: XContext) -> object:
    text = typed_text(update)
    return await _save_contact(update, context, None if is_skip(text) else text, None)


async def note_skipped(update: Update, context: XContext) -> object:
    await remove_buttons(update)
    return await _save_contact(update, context, None, None)


async def note_photo(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.photo
    return await _save_contact(update, context, message.caption, message.photo[-1].file_id)


async def _save_contact(
    update: Update, context: XContext, note: str | None, photo: str | None
) -> object:
    actor = require_member(context)
    data = flow_data(context, FLOW)
    if "how" not in data:
        raise StaleButton()
    today = context.today()
    try:
        async with context.db.transaction() as tx:
            link = await links.get(tx, int(data["link_id"]))
            if link is None:
                raise StaleButton()
            fields = ContactFields.for_link(
                link, today, on_date=data["day"], how=data["how"], note=note, photo_file_id=photo
            )
            contact = await links.log_contact(
                tx, link.id, fields, actor=actor, now=context.now(), today=today
            )
            names = await names_for(tx, [link])
            if link.kind is LinkKind.PAIR:
                other = (link.sides() - {contact.side_branch_id}).pop()
                await delivery.tell(
                    tx, context, await members.secretaries(tx, other), "links.pair_contact",
                    lambda t: t("lk.told.pair_contact", branch=names.branches.get(
                        contact.side_branch_id, ""), date=contact.on_date.isoformat(),
                        how=views.way_name(t, contact.how), note=contact.note or ""),
                    subject_id=link.id,
                )  # fmt: skip
            rhythm = context.config.link_rhythms.of(link.family)
            window = window_of(rhythm, contact.on_date, await terms.set_terms(tx))
            count = await links.contacts_in(tx, link, window)
    except ValidationError as error:
        return await _problem(update, context, links.problem(error), NOTE)
    except LinkForbidden:
        raise NotAllowed() from None
    except LinkProblem as problem:
        return await _problem(update, context, problem, NOTE)
    delivery.wake(context)
    await say(update, context, context.t(
        "lk.logged", date=contact.on_date.isoformat(), how=views.way_name(context.t, contact.how),
        target=views.target(link, names, side=side_of(context, link)), count=count,
        window=window_name(context, link)))  # fmt: skip
    return END


def window_name(context: XContext, link: Link) -> str:
    rhythm = context.config.link_rhythms.of(link.family)
    return context.t.plain("lk.window.month" if rhythm is Rhythm.MONTHLY else "lk.window.term")


# --------------------------------------------------------------------------- answers


async def _problem(update: Update, context: XContext, problem: LinkProblem, state: str) -> str:
    params = {key: str(value) for key, value in problem.params.items()}
    await say(update, context, context.t(f"lk.problem.{problem.code}", **params))
    return state


# Anything but a button or its name: say so, and stay at the step.
use_buttons = answering("input.use_buttons")


text_expected = answering("input.text_expected")
