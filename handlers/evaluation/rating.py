"""/rating: a round of the branch star rating. The admin opens it for a school year; each
secretary scores the manual items with evidence beside the auto items and submits the
self-score (自评); the review (复核) scores each item — the inspectors of the group the
branch is assigned to, or the admins for a branch no group inspects; the bureau sets the
tiers (定星) within the vetoes and the quota, changes one only with a reason (a change
during the notice edits the notice post), and publishes (公示) for a number of working
days, during which members object and the bureau answers; then the round is final."""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import delivery
from handlers.common.callback import encode, pattern
from handlers.common.context import XContext
from handlers.common.errors import (
    BadButton,
    NotAllowed,
    NotFound,
    OtherBranch,
    Refusal,
    refused_as,
    told_or_refused,
)
from handlers.common.flows import END, enter_flow, flow_data
from handlers.common.guards import (
    parse_callback,
    require_admin,
    require_found,
    require_member,
    require_private,
    require_role,
)
from handlers.common.i18n import Raw, Translator
from handlers.common.registry import Registrar
from handlers.common.reply import ack, answering, replace, reply, say
from handlers.common.services import BotConfig
from handlers.common.typed import typed_text
from handlers.common.views import cancel_only, clamp_page, page_count
from handlers.evaluation import objections
from handlers.evaluation.objections import Objections
from handlers.evaluation.rubric import school_year_label
from handlers.evaluation.views import number
from schedules.dispatcher import Outcome, Result
from storage import branches, members, outbox
from storage import objections as objection_store
from storage import rating as store
from storage import rubric as rubric_store
from storage.ledger_period import LedgerPeriod
from storage.members import Member, Role
from storage.objections import Objection
from storage.rating import (
    BranchRating,
    LineKind,
    RatingProblem,
    Reviewers,
    Round,
    RoundStatus,
    Sheet,
    Step,
)
from storage.rubric import Tier

PREFIX = "rt"
FLOW = "rating_input"
PROBLEM = "rating.problem"  # the prefix of a refused step's message
T = TypeVar("T")
OBJECTIONS = Objections(store.OBJECTIONS, "rating", PREFIX)
# The outbox kinds of the notice chat's messages: the result's post, the edit of it when
# a tier changes during the notice, and a correction posted where the post never went out.
NOTICE = "rating.notice"
NOTICE_EDIT = "rating.notice.edit"
NOTICE_CORRECTION = "rating.notice.correction"
NOTICE_KINDS = (NOTICE, NOTICE_CORRECTION)
PAGE = 40
INPUT = "input"
TIER_WORDS = {
    "五星": Tier.FIVE,
    "five": Tier.FIVE,
    "四星": Tier.FOUR,
    "four": Tier.FOUR,
    "三星": Tier.THREE,
    "three": Tier.THREE,
    "二星": Tier.TWO,
    "two": Tier.TWO,
    "未定星": Tier.NONE,
    "none": Tier.NONE,
}
_SCORE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*分?\s*(.*)$", re.S)


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("rating", show))
    for action, handler in (
        ("open", open_round),
        ("ov", overview),
        ("sh", sheet),
        ("sub", submit),
        ("agr", agree_rest),
        ("rev", review_done),
        ("dec", decide),
        ("pub", publish),
        ("obs", list_objections),
        ("fin", finalize),
    ):
        reg.add(CallbackQueryHandler(handler, pattern=pattern(PREFIX, action)))
    _register_input_flow(reg)
    reg.receipt(NOTICE_EDIT, functools.partial(notice_edited, config=reg.config))


def _register_input_flow(reg: Registrar) -> None:
    reg.conversation(
        FLOW,
        entry_points=[
            CallbackQueryHandler(ask_score, pattern=pattern(PREFIX, "ed")),
            CallbackQueryHandler(ask_tier, pattern=pattern(PREFIX, "adj")),
            CallbackQueryHandler(ask_objection, pattern=pattern(PREFIX, "obj")),
            CallbackQueryHandler(ask_answer, pattern=pattern(PREFIX, "ans")),
        ],
        states={
            INPUT: [
                MessageHandler(filters.PHOTO, received),
                MessageHandler(filters.TEXT & ~filters.COMMAND, received),
                MessageHandler(
                    filters.ALL & ~filters.COMMAND, answering("rating.text_expected", INPUT)
                ),
            ]
        },
    )


# --------------------------------------------------------------------------- /rating


async def show(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    async with context.db.read() as conn:
        latest = await store.latest_round(conn)
    if person.role is Role.ADMIN:
        if latest is None:
            await reply(
                update, context, context.t("rating.none_admin"), _open_buttons(context, None)
            )
            return
        await reply(update, context, *await _overview(context, latest))
        return
    if person.role is Role.INSPECTOR:
        if latest is None:
            await reply(update, context, context.t("rating.none"))
            return
        await reply(update, context, *await _inspector_overview(context, person, latest))
        return
    if person.role not in (Role.MEMBER, Role.SECRETARY) or person.branch_id is None:
        raise NotAllowed()
    if latest is None:
        await reply(update, context, context.t("rating.none"))
        return
    async with context.db.read() as conn:
        rating = await store.rating_of(conn, latest.id, person.branch_id)
    if rating is None:
        await reply(update, context, context.t("rating.none"))
        return
    await reply(update, context, *await _branch_screen(context, person, latest, rating))


async def open_round(update: Update, context: XContext) -> None:
    require_private(update)
    admin = require_admin(context)
    year = _int_arg(update, 0)
    if year not in _openable_years(context):
        raise BadButton()
    async with context.db.read() as conn:
        in_force = await rubric_store.rubric_for(conn, year)
    async with context.db.transaction() as tx:
        round_ = await _step(
            store.open_round(tx, year, in_force.text, actor_id=admin.id, now=context.now())
        )
        count = len(await store.ratings(tx, round_.id))
        secretaries = await members.with_roles(tx, Role.SECRETARY)
        await delivery.tell(
            tx,
            context,
            secretaries,
            "rating.open",
            lambda t: (t("rating.told_open", year=school_year_label(year)), None),
            key=f"round{round_.id}",
        )
    delivery.wake(context)
    await ack(update)
    await reply(
        update,
        context,
        context.t(
            "rating.opened",
            year=school_year_label(year),
            version=round_.version,
            count=count,
        ),
    )
    await reply(update, context, *await _overview(context, round_))


async def overview(update: Update, context: XContext) -> None:
    """The round's branches: every one for the bureau, an inspector's own for them."""
    require_private(update)
    person = require_role(context, Role.ADMIN, Role.INSPECTOR)
    round_ = await _round(context, _int_arg(update, 0))
    callback = parse_callback(update, PREFIX)
    page = _int_arg(update, 1) if len(callback.args) > 1 else 0
    await ack(update)
    if person.role is Role.INSPECTOR:
        await replace(update, context, *await _inspector_overview(context, person, round_, page))
        return
    await replace(update, context, *await _overview(context, round_, page))


async def sheet(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    round_, rating = await _rating(context, _int_arg(update, 0), person)
    await ack(update)
    await replace(update, context, *await _branch_screen(context, person, round_, rating))


async def submit(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    round_, rating = await _rating(context, _int_arg(update, 0), person, secretary=True)
    sheet_ = await _sheet(context, round_, rating)
    async with context.db.transaction() as tx:
        await _step(store.submit(tx, sheet_, actor_id=person.id, now=context.now()))
        total = number(sheet_.self_total)
        year = school_year_label(round_.school_year)
        reviewers = await store.reviewers(tx, rating.branch_id)
        group = "、".join(reviewers.groups)
        told = "rating.told_submitted_group" if reviewers.by_group else "rating.told_submitted"
        values = {"branch": rating.branch_name, "year": year, "total": total, "group": group}
        admins = await members.admins(tx)
        await _tell(tx, context, admins, "rating.submitted", rating, told, **values)
        if reviewers.by_group:
            told = "rating.told_to_review"
            await _tell(tx, context, reviewers.people, "rating.to_review", rating, told, **values)
    delivery.wake(context)
    await say(update, context, context.t("rating.submitted", total=total))


async def agree_rest(update: Update, context: XContext) -> None:
    require_private(update)
    person = require_member(context)
    round_, rating = await _rating(context, _int_arg(update, 0), person)
    reviewers = await _require_reviewer(context, person, rating)
    sheet_ = await _sheet(context, round_, rating)
    async with context.db.transaction() as tx:
        count = await _step(
            store.agree_rest(
                tx, sheet_, actor_id=person.id, now=context.now(), group=_group_of(reviewers)
            )
        )
    await ack(update, context.t("rating.agreed", count=count))
    await replace(update, context, *await _branch_screen(context, person, round_, rating))


async def review_done(update: Update, context: XContext) -> None:
    """复核 done: the secretaries are told the result, and when a group reviewed, the
    bureau too (it sets the tiers once every branch is reviewed)."""
    require_private(update)
    person = require_member(context)
    round_, rating = await _rating(context, _int_arg(update, 0), person)
    reviewers = await _require_reviewer(context, person, rating)
    group = _group_of(reviewers)
    sheet_ = await _sheet(context, round_, rating)
    async with context.db.transaction() as tx:
        await _step(
            store.complete_review(tx, sheet_, actor_id=person.id, now=context.now(), group=group)
        )
        year = school_year_label(round_.school_year)
        total, own = number(sheet_.total), number(sheet_.self_total)
        values = {"year": year, "total": total, "own": own}
        secretaries = await members.secretaries(tx, rating.branch_id)
        told = "rating.told_reviewed"
        await _tell(tx, context, secretaries, "rating.reviewed", rating, told, **values)
        if group is not None:
            values |= {"group": group, "name": person.name, "branch": rating.branch_name}
            admins, told = await members.admins(tx), "rating.told_group_reviewed"
            await _tell(tx, context, admins, "rating.group_reviewed", rating, told, **values)
    delivery.wake(context)
    await say(update, context, context.t("rating.reviewed", branch=rating.branch_name, total=total))


async def decide(update: Update, context: XContext) -> None:
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    async with context.db.read() as conn:
        sheets = await _sheets(context, conn, round_)
    async with context.db.transaction() as tx:
        await _step(store.decide(tx, round_, sheets, actor_id=admin.id, now=context.now()))
    await ack(update, context.t("rating.decided"))
    await replace(update, context, *await _overview(context, round_))


async def publish(update: Update, context: XContext) -> None:
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    async with context.db.read() as conn:
        sheets = await _sheets(context, conn, round_)
        chats = {}
        for item in sheets:
            branch = await branches.get(conn, item.rating.branch_id)
            chats[item.rating.branch_id] = branch.notice_chat_id if branch else None

    async def write(tx: aiosqlite.Connection, until: date) -> delivery.Render:
        await _step(
            store.publish(
                tx,
                round_,
                [s.rating for s in sheets],
                ends_on=until,
                actor_id=admin.id,
                now=context.now(),
            )
        )
        t = Translator(context.config.default_language)
        year = school_year_label(round_.school_year)
        for item in sheets:
            chat = chats.get(item.rating.branch_id)
            if chat is not None:
                await delivery.post(
                    tx,
                    context,
                    chat,
                    NOTICE,
                    _notice_post(t, year, item, until.isoformat()),
                    key=_notice_key(round_, item.rating),
                    subject_id=item.rating.id,
                )
        return lambda tt: _bureau_post(tt, year, sheets, until.isoformat())

    await objections.publish(update, context, OBJECTIONS, round_.id, write)


async def list_objections(update: Update, context: XContext) -> None:
    _, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    async with context.db.read() as conn:
        names = {r.id: r.branch_name for r in await store.ratings(conn, round_.id)}
    await objections.show(
        update,
        context,
        OBJECTIONS,
        round_,
        values=lambda o: {"branch": names.get(o.subject_id, "")},
    )


async def finalize(update: Update, context: XContext) -> None:
    admin, round_ = await objections.bureau_round(update, context, OBJECTIONS, store.get_round)
    async with context.db.transaction() as tx:
        await _step(
            store.finalize(tx, round_, today=context.today(), actor_id=admin.id, now=context.now())
        )
        year = school_year_label(round_.school_year)
        for rating in await store.ratings(tx, round_.id):
            await delivery.tell(
                tx,
                context,
                await members.secretaries(tx, rating.branch_id),
                "rating.final",
                _final_message(year, rating),
                key=f"round{round_.id}",
            )
    delivery.wake(context)
    await say(update, context, context.t("rating.finalized", year=year))


def _final_message(
    year: str, rating: BranchRating
) -> Callable[[Translator], tuple[str, InlineKeyboardMarkup | None]]:
    tier, total = rating.tier or Tier.NONE, number(rating.total or 0)

    def render(t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        label = t(f"rating.tier.{tier.value}")
        return t("rating.told_final", year=year, tier=label, total=total), None

    return render


# --------------------------------------------------------------------------- typed input


async def ask_score(update: Update, context: XContext) -> str:
    require_private(update)
    person = require_member(context)
    rating_id, n = _int_arg(update, 0), _int_arg(update, 1)
    round_, rating = await _rating(context, rating_id, person)
    sheet_ = await _sheet(context, round_, rating)
    if not 1 <= n <= len(sheet_.lines):
        raise BadButton()
    line = sheet_.lines[n - 1]
    t = context.t
    if rating.status is Step.FILLING:
        if person.role in (Role.ADMIN, Role.INSPECTOR):
            raise Refusal("rating.problem.not_submitted")
        if person.role is not Role.SECRETARY:
            raise NotAllowed()
        stage = store.SELF
        question = t("rating.ask.self", text=line.text, points=number(line.points))
    elif rating.status is Step.SUBMITTED:
        await _require_reviewer(context, person, rating)
        stage = store.REVIEW
        key = {LineKind.DEDUCTION: "rating.ask.deduction", LineKind.VETO: "rating.ask.veto"}.get(
            line.kind, "rating.ask.review"
        )
        claimed = line.claimed
        question = t(
            key,
            text=line.text,
            points=number(line.points),
            claimed=t("rating.sheet.none") if claimed is None else number(claimed),
        )
    else:
        raise Refusal("rating.problem.review_closed")
    enter_flow(context, FLOW, what="score", rating=rating_id, key=line.key, stage=stage)
    await say(update, context, question, cancel_only(t))
    return INPUT


async def ask_tier(update: Update, context: XContext) -> str:
    require_private(update)
    admin = require_admin(context)
    round_, rating = await _rating(context, _int_arg(update, 0), admin)
    if rating.status is not Step.DECIDED or round_.status is RoundStatus.FINAL:
        raise Refusal("rating.problem.not_decided", branch=rating.branch_name)
    enter_flow(context, FLOW, what="tier", rating=rating.id)
    text = context.t(
        "rating.ask.tier",
        branch=rating.branch_name,
        tier=context.t(f"rating.tier.{(rating.tier or Tier.NONE).value}"),
        total=number(rating.total or 0),
    )
    await say(update, context, text, cancel_only(context.t))
    return INPUT


async def ask_objection(update: Update, context: XContext) -> str:
    require_private(update)
    person = require_role(context, Role.MEMBER, Role.SECRETARY, Role.ADMIN)
    round_, rating = await _rating(context, _int_arg(update, 0), person)
    if person.role is Role.ADMIN or not round_.in_notice(context.today()):
        raise Refusal("rating.problem.not_in_notice")
    enter_flow(context, FLOW, what="objection", rating=rating.id)
    text = context.t("rating.ask.objection", branch=rating.branch_name)
    await say(update, context, text, cancel_only(context.t))
    return INPUT


async def ask_answer(update: Update, context: XContext) -> str:
    require_private(update)
    require_admin(context)
    objection = await objections.to_answer(context, OBJECTIONS, _int_arg(update, 0))
    enter_flow(context, FLOW, what="answer", objection=objection.id)
    text = context.t("rating.ask.answer", text=objection.text)
    await say(update, context, text, cancel_only(context.t))
    return INPUT


async def received(update: Update, context: XContext) -> str | int:
    person = require_member(context)
    data = flow_data(context, FLOW)
    message = update.effective_message
    photos = [message.photo[-1].file_id] if message is not None and message.photo else []
    text = typed_text(update) or (
        message.caption if message is not None and message.caption else ""
    )
    what = data.get("what")
    if what == "score":
        return await _save_score(update, context, person, data, text, photos)
    if photos or not text.strip():
        await reply(update, context, context.t("rating.text_expected"))
        return INPUT
    if what == "tier":
        return await _save_tier(update, context, person, data, text)
    if what == "objection":
        return await _save_objection(update, context, person, data, text)
    if what == "answer":
        return await _save_answer(update, context, person, data, text)
    return END


async def _save_score(
    update: Update,
    context: XContext,
    person: Member,
    data: dict[str, Any],
    text: str,
    photos: list[str],
) -> str | int:
    found = _SCORE.match(unicodedata.normalize("NFKC", text))
    if found is None:
        await reply(update, context, context.t("rating.bad_score"))
        return INPUT
    score, note = float(found.group(1)), found.group(2).strip()
    round_, rating = await _rating(context, int(data["rating"]), person)
    sheet_ = await _sheet(context, round_, rating)
    stage = str(data["stage"])
    if (stage == store.SELF) != (person.role is Role.SECRETARY):
        raise NotAllowed()
    group = None
    if stage == store.REVIEW:  # asked again: the branch may have changed hands meanwhile
        group = _group_of(await _require_reviewer(context, person, rating))
    try:
        async with context.db.transaction() as tx:
            await store.give_score(
                tx,
                sheet_,
                str(data["key"]),
                stage,
                score,
                note=note if stage == store.SELF else None,
                reason=note if stage == store.REVIEW else None,
                photos=photos,
                actor_id=person.id,
                now=context.now(),
                group=group,
            )
    except RatingProblem as problem:
        await told_or_refused(
            update, context, PROBLEM, problem, again=("score_range", "reason_needed")
        )
        return INPUT
    await reply(update, context, context.t("rating.saved"))
    await reply(update, context, *await _branch_screen(context, person, round_, rating))
    return END


async def _save_tier(
    update: Update, context: XContext, person: Member, data: dict[str, Any], text: str
) -> str | int:
    admin = require_admin(context)
    words = unicodedata.normalize("NFKC", text).strip().split(maxsplit=1)
    tier = TIER_WORDS.get(words[0].lower()) if words else None
    if tier is None or len(words) < 2:
        await reply(update, context, context.t("rating.bad_tier"))
        return INPUT
    round_, rating = await _rating(context, int(data["rating"]), admin)
    async with context.db.read() as conn:
        sheets = await _sheets(context, conn, round_)
    async with context.db.transaction() as tx:
        await _step(
            store.override_tier(
                tx,
                round_,
                sheets,
                rating.id,
                tier,
                words[1],
                actor_id=admin.id,
                now=context.now(),
            )
        )
        if round_.status is RoundStatus.PUBLISHED:
            sheet_ = next(s for s in sheets if s.rating.id == rating.id)
            await _correct_notice(tx, context, round_, sheet_, tier, words[1].strip())
    delivery.wake(context)
    label = context.t(f"rating.tier.{tier.value}")
    await reply(
        update, context, context.t("rating.adjusted", branch=rating.branch_name, tier=label)
    )
    await reply(update, context, *await _overview(context, round_))
    return END


async def _save_objection(
    update: Update, context: XContext, person: Member, data: dict[str, Any], text: str
) -> str | int:
    round_, rating = await _rating(context, int(data["rating"]), person)

    def told(t: Translator) -> str:
        return t("rating.told_objection", name=person.name, branch=rating.branch_name, text=text)

    saved = await objections.raise_typed(
        update, context, OBJECTIONS, round_, rating.id, text, person, told
    )
    return END if saved else INPUT


async def _save_answer(
    update: Update, context: XContext, person: Member, data: dict[str, Any], text: str
) -> str | int:
    admin = require_admin(context)

    def told(t: Translator, _: Objection) -> str:
        return t("rating.told_answer", answer=text.strip())

    saved = await objections.answer_typed(
        update, context, OBJECTIONS, int(data["objection"]), text, admin, told
    )
    return END if saved else INPUT


# --------------------------------------------------------------------------- screens


async def _overview(
    context: XContext, round_: Round, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    async with context.db.read() as conn:
        round_ = await store.get_round(conn, round_.id) or round_
        ratings = await store.ratings(conn, round_.id)
        found = await objection_store.of_round(conn, store.OBJECTIONS, round_.id)
    t = context.t
    year = school_year_label(round_.school_year)
    rubric = round_.rubric
    lines = [t("rating.overview.title", year=year, status=_round_status(t, round_))]
    lines += [_overview_line(t, rating) for rating in ratings]
    lines.append(
        t(
            "rating.overview.places",
            places=store.five_star_places(rubric, len(ratings)),
            count=len(ratings),
            quota=number(round(rubric.tiers.five_star_quota * 100, 1)),
        )
    )
    if found:
        waiting = sum(o.answer is None for o in found)
        lines.append(t("rating.overview.objections", count=len(found), open=waiting))
    keyboard = _branch_buttons(t, round_, ratings, page)
    steps = []
    if round_.status is RoundStatus.OPEN:
        steps.append(("rating.button.decide", "dec"))
        steps.append(("rating.button.publish", "pub"))
    if round_.status is RoundStatus.PUBLISHED:
        steps.append(("rating.button.final", "fin"))
    if found:
        steps.append(("rating.button.objections", "obs"))
    if steps:
        keyboard.append(
            [
                InlineKeyboardButton(t.plain(key), callback_data=encode(PREFIX, a, round_.id))
                for key, a in steps
            ]
        )
    openable = _open_buttons(context, round_)
    if openable is not None:
        keyboard += [list(row) for row in openable.inline_keyboard]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def _inspector_overview(
    context: XContext, inspector: Member, round_: Round, page: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The round as an inspector sees it: the branches assigned to their group, each with
    its step; the branches' buttons open the sheets they review."""
    async with context.db.read() as conn:
        round_ = await store.get_round(conn, round_.id) or round_
        visible = {branch.id for branch in await branches.visible_to(conn, inspector)}
        ratings = [r for r in await store.ratings(conn, round_.id) if r.branch_id in visible]
    t = context.t
    year = school_year_label(round_.school_year)
    lines = [t("rating.overview.title", year=year, status=_round_status(t, round_))]
    if not ratings:
        lines.append(t("rating.inspector.none"))
        return "\n".join(lines), None
    lines.append(t("rating.inspector.branches"))
    lines += [_overview_line(t, rating) for rating in ratings]
    return "\n".join(lines), InlineKeyboardMarkup(_branch_buttons(t, round_, ratings, page))


def _round_status(t: Translator, round_: Round) -> str:
    if round_.status is RoundStatus.PUBLISHED:
        return t("rating.round.published", until=str(round_.notice_ends_on))
    return t(f"rating.round.{round_.status.value}")


def _overview_line(t: Translator, rating: BranchRating) -> str:
    score = (
        t("rating.overview.score", score=number(rating.total)) if rating.total is not None else ""
    )
    tier = ""
    if rating.tier is not None:
        override = (
            t("rating.overview.override", reason=rating.tier_reason) if rating.tier_reason else ""
        )
        tier = t(
            "rating.overview.tier",
            tier=t(f"rating.tier.{rating.tier.value}"),
            override=Raw(override),
        )
    return t(
        "rating.overview.line",
        name=rating.branch_name,
        step=t(f"rating.step.{rating.status.value}"),
        score=Raw(score),
        tier=Raw(tier),
    )


def _branch_buttons(
    t: Translator, round_: Round, ratings: list[BranchRating], page: int
) -> list[list[InlineKeyboardButton]]:
    """The branches' buttons, two a row and PAGE a page (Telegram shows at most 100)."""
    pages = page_count(len(ratings), PAGE)
    page = clamp_page(page, len(ratings), PAGE)
    shown = [
        InlineKeyboardButton(r.branch_name, callback_data=encode(PREFIX, "sh", r.id))
        for r in ratings[page * PAGE : (page + 1) * PAGE]
    ]
    keyboard = [shown[i : i + 2] for i in range(0, len(shown), 2)]
    if pages > 1:
        turn = [
            InlineKeyboardButton(
                f"{label} {to + 1}/{pages}", callback_data=encode(PREFIX, "ov", round_.id, to)
            )
            for label, to in (("◀", page - 1), ("▶", page + 1))
            if 0 <= to < pages
        ]
        keyboard.append(turn)
    return keyboard


async def _branch_screen(
    context: XContext, person: Member, round_: Round, rating: BranchRating
) -> tuple[str, InlineKeyboardMarkup | None]:
    t = context.t
    year = school_year_label(round_.school_year)
    published = round_.status is not RoundStatus.OPEN
    if person.role is Role.MEMBER:
        if not published:
            return t("rating.not_published"), None
        return _result(context, round_, rating)
    sheet_ = await _sheet(context, round_, rating)
    lines = [
        t(
            "rating.sheet.title",
            branch=rating.branch_name,
            year=year,
            step=t(f"rating.step.{rating.status.value}"),
        )
    ]
    lines += _sheet_lines(t, sheet_)
    keyboard: list[list[InlineKeyboardButton]] = []
    editable: list[int] = []
    if person.role is Role.SECRETARY and rating.status is Step.FILLING:
        editable = [
            n
            for n, line in enumerate(sheet_.lines, start=1)
            if line.manual or line.kind is LineKind.BONUS
        ]
        lines.append(t("rating.sheet.how_self"))
        keyboard.append(
            [
                InlineKeyboardButton(
                    t.plain("rating.button.submit"), callback_data=encode(PREFIX, "sub", rating.id)
                )
            ]
        )
    elif rating.status is Step.SUBMITTED and person.role in (Role.ADMIN, Role.INSPECTOR):
        async with context.db.read() as conn:
            reviewers = await store.reviewers(conn, rating.branch_id)
        if reviewers.by_group:
            lines.append(t("rating.sheet.group_reviews", group="、".join(reviewers.groups)))
        if reviewers.includes(person):
            editable = list(range(1, len(sheet_.lines) + 1))
            lines.append(t("rating.sheet.how_review"))
            keyboard.append(
                [
                    InlineKeyboardButton(
                        t.plain("rating.button.agree_rest"),
                        callback_data=encode(PREFIX, "agr", rating.id),
                    ),
                    InlineKeyboardButton(
                        t.plain("rating.button.review_done"),
                        callback_data=encode(PREFIX, "rev", rating.id),
                    ),
                ]
            )
    pencils = [
        InlineKeyboardButton(f"✏️ {n}", callback_data=encode(PREFIX, "ed", rating.id, n))
        for n in editable
    ]
    keyboard = [pencils[i : i + 5] for i in range(0, len(pencils), 5)] + keyboard
    if rating.tier is not None and (published or person.role is Role.ADMIN):
        lines.append(_tier_line(t, rating))
    if published and person.role is Role.SECRETARY and round_.in_notice(context.today()):
        keyboard.append(
            [
                InlineKeyboardButton(
                    t.plain("rating.button.object"), callback_data=encode(PREFIX, "obj", rating.id)
                )
            ]
        )
    if person.role in (Role.ADMIN, Role.INSPECTOR):
        if (
            person.role is Role.ADMIN
            and rating.status is Step.DECIDED
            and round_.status is not RoundStatus.FINAL
        ):
            keyboard.append(
                [
                    InlineKeyboardButton(
                        t.plain("rating.button.adjust"),
                        callback_data=encode(PREFIX, "adj", rating.id),
                    )
                ]
            )
        keyboard.append(
            [
                InlineKeyboardButton(
                    t.plain("rating.button.back"), callback_data=encode(PREFIX, "ov", round_.id)
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(keyboard) if keyboard else None


def _result(
    context: XContext, round_: Round, rating: BranchRating
) -> tuple[str, InlineKeyboardMarkup | None]:
    t = context.t
    status = (
        t("rating.round.published", until=str(round_.notice_ends_on))
        if round_.status is RoundStatus.PUBLISHED
        else t("rating.round.final")
    )
    text = t(
        "rating.result",
        branch=rating.branch_name,
        year=school_year_label(round_.school_year),
        tier=t(f"rating.tier.{(rating.tier or Tier.NONE).value}"),
        total=number(rating.total or 0),
        status=status,
    )
    markup = None
    if round_.in_notice(context.today()):
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.plain("rating.button.object"),
                        callback_data=encode(PREFIX, "obj", rating.id),
                    )
                ]
            ]
        )
    return text, markup


def _sheet_lines(t: Translator, sheet_: Sheet) -> list[str]:
    lines: list[str] = []
    category = None
    headers = {
        LineKind.BONUS: (
            "rating.sheet.bonus",
            sheet_.rubric.bonus.cap if sheet_.rubric.bonus else 0,
        ),
        LineKind.DEDUCTION: (
            "rating.sheet.deductions",
            sheet_.rubric.deductions.cap if sheet_.rubric.deductions else 0,
        ),
    }
    seen_kinds: set[LineKind] = set()
    for n, line in enumerate(sheet_.lines, start=1):
        if line.kind is LineKind.ITEM and line.category != category:
            category = line.category
            points = next(c.points for c in sheet_.rubric.categories if c.name == category)
            lines.append(t("rating.sheet.category", name=category, points=number(points)))
        elif line.kind is not LineKind.ITEM and line.kind not in seen_kinds:
            seen_kinds.add(line.kind)
            if line.kind is LineKind.VETO:
                lines.append(t("rating.sheet.vetoes"))
            else:
                key, cap = headers[line.kind]
                lines.append(t(key, cap=number(cap)))
        lines.append(
            t(
                "rating.sheet.item",
                n=n,
                text=line.text,
                points=number(line.points),
                scores=Raw(_scores(t, line)),
            )
        )
        if line.auto is not None:
            lines += [
                t(f"rating.ev.{e.code}", **_evidence_values(t, e.values))
                for e in line.auto.evidence
            ]
    lines.append(
        t(
            "rating.sheet.totals",
            own=number(sheet_.self_total),
            base=number(sheet_.base),
            bonus=number(sheet_.bonus),
            deduction=number(sheet_.deduction),
            total=number(sheet_.total),
        )
    )
    return lines


def _scores(t: Translator, line: store.Line) -> str:
    parts = []
    if line.kind is LineKind.VETO:
        parts.append(t("rating.sheet.veto_on") if line.final > 0 else t("rating.sheet.veto_off"))
    elif line.auto is not None and line.self_score is None:
        parts.append(
            t(
                "rating.sheet.auto",
                score=number(line.auto_score or 0),
                done=line.auto.done,
                required=line.auto.required,
            )
        )
    elif line.self_score is not None:
        text = t("rating.sheet.self", score=number(line.self_score.score))
        if line.self_score.note and line.self_score.note != "auto":
            text += t("rating.sheet.note", note=line.self_score.note)
        if line.self_score.photos:
            text += t("rating.sheet.photos", count=len(line.self_score.photos))
        parts.append(text)
    elif line.kind is LineKind.ITEM:
        parts.append(t("rating.sheet.self_missing"))
    else:
        parts.append(t("rating.sheet.none"))
    if line.review is not None and line.kind is not LineKind.VETO:
        review = t("rating.sheet.review", score=number(line.review.score))
        if line.review.reason:
            review += t("rating.sheet.reason", reason=line.review.reason)
        parts.append(review)
    elif line.review is not None and line.review.reason:
        parts.append(t("rating.sheet.reason", reason=line.review.reason))
    return "；".join(parts)


def _evidence_values(t: Translator, values: dict[str, Any]) -> dict[str, Any]:
    if "kind" in values:
        return {**values, "kind": t(f"rating.kind.{values['kind']}")}
    return values


def _tier_line(t: Translator, rating: BranchRating) -> str:
    override = (
        t("rating.overview.override", reason=rating.tier_reason) if rating.tier_reason else ""
    )
    return t(
        "rating.sheet.tier",
        tier=t(f"rating.tier.{(rating.tier or Tier.NONE).value}"),
        override=Raw(override),
    )


def _notice_post(t: Translator, year: str, sheet_: Sheet, until: str) -> str:
    categories = "；".join(
        t("rating.notice_category", name=name, got=number(got), points=number(points))
        for name, points, got in sheet_.by_category()
    )
    tier = sheet_.rating.tier or Tier.NONE
    return t(
        "rating.notice_post",
        year=year,
        branch=sheet_.rating.branch_name,
        tier=t(f"rating.tier.{tier.value}"),
        total=number(sheet_.total),
        categories=categories,
        until=until,
    )


async def _correct_notice(
    tx: Any, context: XContext, round_: Round, sheet_: Sheet, tier: Tier, reason: str
) -> None:
    """A tier changed during the public notice: the branch's notice post is edited to show
    the new tier with a line saying what changed (where it never went out, the corrected
    notice is posted instead), and the branch's secretaries are told."""
    before = sheet_.rating.tier or Tier.NONE
    changed = dataclasses.replace(
        sheet_, rating=sheet_.rating.model_copy(update={"tier": tier, "tier_reason": reason})
    )
    t = Translator(context.config.default_language)
    year = school_year_label(round_.school_year)
    until = str(round_.notice_ends_on)
    text = "\n".join(
        (
            _notice_post(t, year, changed, until),
            t(
                "rating.notice_corrected",
                date=context.today().isoformat(),
                before=t(f"rating.tier.{before.value}"),
                tier=t(f"rating.tier.{tier.value}"),
                reason=reason,
            ),
        )
    )
    posted = await _notice_in_chat(tx, sheet_.rating.id)
    branch = await branches.get(tx, sheet_.rating.branch_id)
    if posted is not None:
        await delivery.edit(tx, context, posted, NOTICE_EDIT, text)
    elif branch is not None and branch.notice_chat_id is not None:
        await delivery.post(
            tx,
            context,
            branch.notice_chat_id,
            NOTICE_CORRECTION,
            text,
            subject_id=sheet_.rating.id,
        )

    def told(tt: Translator) -> tuple[str, None]:
        return tt(
            "rating.told_tier_changed",
            year=year,
            before=tt(f"rating.tier.{before.value}"),
            tier=tt(f"rating.tier.{tier.value}"),
            reason=reason,
        ), None

    await delivery.tell(
        tx,
        context,
        await members.secretaries(tx, sheet_.rating.branch_id),
        "rating.tier_changed",
        told,
    )


async def _notice_in_chat(tx: Any, rating_id: int) -> outbox.OutboxMessage | None:
    """The message showing the branch's result in its notice chat: the newest of its post
    and the corrections posted since (a correction replaces a post that was deleted)."""
    found = [
        message
        for message in [await outbox.latest_of(tx, kind, rating_id) for kind in NOTICE_KINDS]
        if message is not None
    ]
    return max(found, key=lambda message: message.id) if found else None


async def notice_edited(
    tx: Any, message: outbox.OutboxMessage, result: Result, now: datetime, *, config: BotConfig
) -> None:
    """An edit of a notice post a chat admin deleted: the corrected notice is posted anew
    (the next change edits that one)."""
    error = (result.error or "").lower()
    if result.kind is not Outcome.FAILED or not ("not found" in error or "can't be" in error):
        return
    await delivery.queue_post(
        tx,
        message.chat_id,
        NOTICE_CORRECTION,
        message.text,
        key=f"edit{message.id}",
        config=config,
        now=now,
        subject_id=message.subject_id,
    )


def _notice_key(round_: Round, rating: BranchRating) -> str:
    """The event part of a branch's notice post's dedupe key: one post per round and branch."""
    return f"round{round_.id}:{rating.id}"


def _bureau_post(t: Translator, year: str, sheets: list[Sheet], until: str) -> str:
    lines = "\n".join(
        t(
            "rating.bureau_line",
            name=s.rating.branch_name,
            tier=t(f"rating.tier.{(s.rating.tier or Tier.NONE).value}"),
            total=number(s.total),
        )
        for s in sorted(sheets, key=lambda s: -s.total)
    )
    return t("rating.bureau_post", year=year, until=until, lines=lines)


# --------------------------------------------------------------------------- helpers


def _openable_years(context: XContext) -> list[int]:
    this = LedgerPeriod.school_year_of(context.today()).start.year
    return [this - 1, this]


def _open_buttons(context: XContext, latest: Round | None) -> InlineKeyboardMarkup | None:
    years = [y for y in _openable_years(context) if latest is None or y > latest.school_year]
    if not years:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t.plain("rating.button.open", year=school_year_label(y)),
                    callback_data=encode(PREFIX, "open", y),
                )
            ]
            for y in years
        ]
    )


async def _round(context: XContext, round_id: int) -> Round:
    return await require_found(context, store.get_round, round_id)


async def _rating(
    context: XContext, rating_id: int, person: Member, *, secretary: bool = False
) -> tuple[Round, BranchRating]:
    """The rating and its round, if ``person`` may see it: admins every branch, an
    inspector the branches assigned to their group, a secretary or member only their own
    (a secretary's step: secretaries only)."""
    async with context.db.read() as conn:
        rating = await store.get_rating(conn, rating_id)
        round_ = await store.get_round(conn, rating.round_id) if rating else None
        visible = (
            {branch.id for branch in await branches.visible_to(conn, person)}
            if person.role is Role.INSPECTOR
            else set()
        )
    if rating is None or round_ is None:
        raise NotFound()
    if person.role is Role.ADMIN and not secretary:
        return round_, rating
    if person.role is Role.INSPECTOR and not secretary:
        if rating.branch_id not in visible:
            raise OtherBranch()
        return round_, rating
    if person.role not in (Role.MEMBER, Role.SECRETARY) or (
        secretary and person.role is not Role.SECRETARY
    ):
        raise NotAllowed()
    if person.branch_id != rating.branch_id:
        raise OtherBranch()
    return round_, rating


async def _require_reviewer(context: XContext, person: Member, rating: BranchRating) -> Reviewers:
    """Who reviews the branch now, if ``person`` is one of them: the inspectors of its
    group, or the admins for a branch no group inspects."""
    async with context.db.read() as conn:
        reviewers = await store.reviewers(conn, rating.branch_id)
    if reviewers.includes(person):
        return reviewers
    if person.role is Role.ADMIN:
        raise Refusal("rating.problem.group_reviews")
    raise NotAllowed()


def _group_of(reviewers: Reviewers) -> str | None:
    """The reviewing group's name for the audit, when a group (not the bureau) reviews."""
    return "、".join(reviewers.groups) if reviewers.by_group else None


async def _sheet(context: XContext, round_: Round, rating: BranchRating) -> Sheet:
    async with context.db.read() as conn:
        return await store.load_sheet(conn, round_, rating, context.reading())


async def _sheets(context: XContext, conn: Any, round_: Round) -> list[Sheet]:
    return await store.load_sheets(conn, round_, context.reading())


async def _tell(
    tx: aiosqlite.Connection,
    context: XContext,
    people: Sequence[Member],
    kind: str,
    rating: BranchRating,
    message: str,
    **values: object,
) -> None:
    """``message`` (with ``values``) to each of ``people``, once per branch's rating."""
    await delivery.tell(
        tx, context, people, kind, lambda t: t(message, **values), key=f"rating{rating.id}"
    )


async def _step(step: Awaitable[T]) -> T:
    """Await a storage step; its refusal is told as the problem it names."""
    return await refused_as(PROBLEM, RatingProblem, step)


def _int_arg(update: Update, index: int) -> int:
    # Malformed data raises BadCallbackData, which the error handler answers as a bad button.
    return parse_callback(update, PREFIX).int_arg(index)
