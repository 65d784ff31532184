"""Making and editing a pledge (/pledge): period, category, text, measures, target date,
the member's post once, a preview, then submit for review.

The draft is a pledge row in status draft, saved as soon as its text is typed and updated
at every step, so a timeout or a restart loses nothing that was entered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.common import delivery
from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, Refusal
from handlers.common.flows import (
    END,
    Handlers,
    Leaving,
    clear_flow,
    enter_flow,
    flow_data,
    step_handlers,
)
from handlers.common.guards import parse_callback, require_branch_person, require_private
from handlers.common.i18n import Translator
from handlers.common.reply import ack, remove_buttons, reply
from handlers.common.typed import choose, in_year, is_skip, labels, says, typed_date, typed_text
from handlers.pledges import review, views
from handlers.pledges.access import (
    ASK_CATEGORY,
    ASK_DATE,
    ASK_MEASURES,
    ASK_PERIOD,
    ASK_POST,
    ASK_TEXT,
    CHOOSE_DRAFT,
    EDIT_MENU,
    FLOW,
    PREVIEW,
    Step,
    bad_length_text,
    guarded,
    guarded_step,
    load,
    max_open,
    not_now,
    own_pledge,
    pledge_id_in_flow,
)
from handlers.pledges.views import PREFIX
from storage import members, terms
from storage import pledges as store
from storage.members import BranchMember, Member
from storage.pledges import (
    BadLength,
    Category,
    IllegalTransition,
    OutsidePeriod,
    Period,
    PledgeChanged,
    PledgeLimitReached,
    PledgeRow,
    PledgeStatus,
    TooManyMeasures,
)

# From October on, a member may already pledge for the coming year.
NEXT_YEAR_FROM_MONTH = 10


def entry_points() -> Handlers:
    return [
        CommandHandler("pledge", guarded(start), filters=filters.ChatType.PRIVATE),
        *presses(
            PREFIX, start=guarded(start), cont=guarded(continue_pledge), edit=guarded(edit_pressed)
        ),
    ]


def states() -> dict[object, Handlers]:
    return {
        CHOOSE_DRAFT: _step(CHOOSE_DRAFT, draft_typed, use_buttons, new=new_pressed),
        ASK_PERIOD: _step(ASK_PERIOD, period_typed, use_buttons, per=period_pressed),
        ASK_CATEGORY: _step(ASK_CATEGORY, category_typed, use_buttons, cat=category_pressed),
        ASK_TEXT: _step(ASK_TEXT, receive_text, text_expected),
        ASK_MEASURES: _step(ASK_MEASURES, receive_measures, text_expected, skipm=skip_measures),
        ASK_DATE: _step(ASK_DATE, date_typed, text_expected, date=date_pressed),
        ASK_POST: _step(ASK_POST, receive_post, text_expected),
        PREVIEW: _step(PREVIEW, preview_typed, use_buttons, sub=submit_in_flow),
        EDIT_MENU: _step(EDIT_MENU, field_typed, use_buttons, ef=field_pressed, back=back_pressed),
    }


def _step(state: str, typed: Step, other: Callable[[str], Step], **buttons: Step) -> Handlers:
    """One step of the flow, each handler answering its own refusals (``guarded_step``)."""
    guarded = {action: guarded_step(handler) for action, handler in buttons.items()}
    return step_handlers(PREFIX, guarded_step(typed), other(state), **guarded)


def plain_handlers() -> Handlers:
    return [
        CallbackQueryHandler(submit, pattern=pattern(PREFIX, "sub")),
        # The flow starts only in private; in a group, say where to go instead of nothing.
        CommandHandler("pledge", private_only, filters=filters.ChatType.GROUPS),
    ]


# ------------------------------------------------------------------ starting


async def private_only(update: Update, context: XContext) -> None:
    require_private(update)


async def start(update: Update, context: XContext) -> object:
    """/pledge: continue an unfinished pledge, or begin a new one."""
    require_private(update)
    member = require_branch_person(context)
    await ack(update)
    async with context.db.read() as conn:
        drafts = await store.unfinished(conn, member.id)
    if drafts:
        enter_flow(context, FLOW, choices=[row.id for row in drafts])
        await reply(update, context, *views.draft_choice(context.t, drafts))
        return CHOOSE_DRAFT
    return await _begin_new(update, context, member)


async def continue_pledge(update: Update, context: XContext) -> object:
    """[Continue] / [Edit] on a draft or a returned pledge."""
    member, row = await _editable_pressed(update, context)
    enter_flow(context, FLOW, pid=row.id)
    # [修改] on a returned pledge means "change something": straight to choosing what,
    # not to a preview with a second [修改] on it.
    return await _resume(update, context, row, member, edit=row.status is PledgeStatus.RETURNED)


async def edit_pressed(update: Update, context: XContext) -> object:
    _, row = await _editable_pressed(update, context)
    if flow_data(context, FLOW).get("pid") != row.id:
        enter_flow(context, FLOW, pid=row.id)
    await _ask(update, context, EDIT_MENU)
    return EDIT_MENU


async def new_pressed(update: Update, context: XContext) -> object:
    member = require_branch_person(context)
    await ack(update)
    await remove_buttons(update)
    return await _begin_new(update, context, member)


async def draft_typed(update: Update, context: XContext) -> object:
    member = require_branch_person(context)
    choices = [int(str(pid)) for pid in _list(flow_data(context, FLOW).get("choices"))]
    # Values that cannot be mistaken for a typed list number.
    options: list[tuple[str, tuple[str, ...]]] = [(f"d{pid}", ()) for pid in choices]
    options.append(("new", ("新建", "新的", "重新开始", "new", "start")))
    chosen = choose(typed_text(update), options)
    if chosen is None:
        return await _wrong(update, context, CHOOSE_DRAFT, "input.use_buttons")
    if chosen == "new":
        return await _begin_new(update, context, member)
    _, row = await _own_editable(context, int(chosen[1:]))
    enter_flow(context, FLOW, pid=row.id)
    return await _resume(update, context, row, member)


async def _editable_pressed(update: Update, context: XContext) -> tuple[Member, PledgeRow]:
    """The person's own pledge a button names, if it can still be changed; the press is
    answered and its buttons taken away."""
    found = await _own_editable(context, parse_callback(update, PREFIX).int_arg(0))
    await ack(update)
    await remove_buttons(update)
    return found


async def _own_editable(context: XContext, pledge_id: int) -> tuple[Member, PledgeRow]:
    """The person's own pledge, if it can still be changed (a draft, or returned)."""
    member, row = await own_pledge(context, pledge_id)
    if not row.editable:
        raise not_now(context, row.status)
    return member, row


async def _begin_new(update: Update, context: XContext, member: BranchMember) -> object:
    enter_flow(context, FLOW)
    day = context.today()
    term = None
    async with context.db.read() as conn:
        if await store.runs_terms(conn, member.branch_id):
            current = await terms.term_for(conn, day)
            if current.contains(day):  # not in a gap between terms (August)
                term = Period.of_term(current.start, current.end)
    periods = offered_periods(day, term)
    if len(periods) == 1:
        return await _period_chosen(update, context, member, periods[0])
    flow_data(context, FLOW)["periods"] = [p.code for p in periods]
    await _ask(update, context, ASK_PERIOD)
    return ASK_PERIOD


def offered_periods(day: date, term: Period | None = None) -> list[Period]:
    """This year; from October on, the coming year too; and the current term, where the
    branch runs terms."""
    current = Period.containing(day)
    found = [current]
    if day.month >= NEXT_YEAR_FROM_MONTH:
        found.append(current.next())
    if term is not None:
        found.append(term)
    return found


# ------------------------------------------------------------------ period and category


async def period_pressed(update: Update, context: XContext) -> object:
    member = require_branch_person(context)
    code = parse_callback(update, PREFIX).str_arg(0)
    if code not in _list(flow_data(context, FLOW).get("periods")):
        raise BadButton()
    await ack(update)
    await remove_buttons(update)
    return await _period_chosen(update, context, member, Period(code=code))


async def period_typed(update: Update, context: XContext) -> object:
    member = require_branch_person(context)
    periods = [Period(code=str(code)) for code in _list(flow_data(context, FLOW).get("periods"))]
    this_year = Period.containing(context.today())
    options = [(p.code, _period_words(p, this_year)) for p in periods]
    chosen = choose(typed_text(update), options)
    if chosen is None:
        return await _wrong(update, context, ASK_PERIOD, "input.use_buttons")
    return await _period_chosen(update, context, member, Period(code=chosen))


def _period_words(period: Period, this_year: Period) -> tuple[str, ...]:
    """What people type for a period besides its number in the list."""
    if period.is_term:
        return ("本学期", "学期", "这学期", "term", "this term", "semester")
    if period == this_year:
        return ("今年", "本年", "全年", "本年度", "this", "this year", "year")
    return ("明年", "下一年", "next", "next year")


async def _period_chosen(
    update: Update, context: XContext, member: Member, period: Period
) -> object:
    async with context.db.read() as conn:
        count = await store.open_count(conn, member.id, period.code)
    if count >= max_open(context):
        clear_flow(context, FLOW)
        text = _limit_text(context.t, count, max_open(context), period.code)
        await reply(update, context, text)
        return END
    flow_data(context, FLOW)["period"] = period.code
    await _ask(update, context, ASK_CATEGORY)
    return ASK_CATEGORY


async def category_pressed(update: Update, context: XContext) -> object:
    value = parse_callback(update, PREFIX).str_arg(0)
    if value not in {c.value for c in Category}:
        raise BadButton()
    await ack(update)
    await remove_buttons(update)
    return await _category_chosen(update, context, Category(value))


async def category_typed(update: Update, context: XContext) -> object:
    chosen = choose(typed_text(update), _options("pledge.category", [c.value for c in Category]))
    if chosen is None:
        return await _wrong(update, context, ASK_CATEGORY, "input.use_buttons")
    return await _category_chosen(update, context, Category(chosen))


async def _category_chosen(update: Update, context: XContext, category: Category) -> object:
    if "pid" in flow_data(context, FLOW):  # editing: change it and show the preview again
        return await _save(update, context, category=category)
    flow_data(context, FLOW)["category"] = category.value
    await _ask(update, context, ASK_TEXT)
    return ASK_TEXT


# ------------------------------------------------------------------ text, measures, date


async def receive_text(update: Update, context: XContext) -> object:
    member = require_branch_person(context)
    try:
        text = store.checked_text(typed_text(update), store.TEXT_MIN, store.TEXT_MAX)
    except BadLength as exc:
        return await _bad_length(update, context, ASK_TEXT, exc)
    if "pid" in flow_data(context, FLOW):
        return await _save(update, context, text=text)
    period = Period(code=str(flow_data(context, FLOW)["period"]))
    category = Category(str(flow_data(context, FLOW)["category"]))
    try:
        async with context.db.transaction() as tx:
            draft = await store.create_draft(
                tx,
                member=member,
                period=period,
                category=category,
                text=text,
                now=context.now(),
                max_open=max_open(context),
            )
    except PledgeLimitReached as exc:
        clear_flow(context, FLOW)
        await reply(update, context, _limit_text(context.t, exc.count, exc.limit, period.code))
        return END
    flow_data(context, FLOW)["pid"] = draft.id
    await reply(update, context, *views.ask_measures(context.t, just_saved=True))
    return ASK_MEASURES


async def receive_measures(update: Update, context: XContext) -> object:
    answer = typed_text(update)
    if flow_data(context, FLOW).get("edit") and says(answer, labels("pledge.button.skip")):
        return await _show_preview(update, context)  # as [Skip]: keep them as they are
    if is_skip(answer):  # 无, none ...: no measures (clears them when editing)
        return await _save(update, context, measures=[])
    try:
        measures = store.parse_measures(answer)
    except TooManyMeasures as exc:
        text = context.t("pledge.make.too_many_measures", count=exc.count, high=store.MEASURES_MAX)
        return await _wrong(update, context, ASK_MEASURES, text=text)
    except BadLength:
        text = context.t("pledge.make.bad_measure", low=store.MEASURE_MIN, high=store.MEASURE_MAX)
        return await _wrong(update, context, ASK_MEASURES, text=text)
    return await _save(update, context, measures=measures)


async def skip_measures(update: Update, context: XContext) -> object:
    require_branch_person(context)
    await ack(update)
    await remove_buttons(update)
    if flow_data(context, FLOW).get("edit"):  # editing: [Skip] keeps the measures as they are
        return await _show_preview(update, context)
    return await _save(update, context, measures=[])


async def date_pressed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    try:
        chosen = date.fromisoformat(parse_callback(update, PREFIX).str_arg(0))
    except ValueError as exc:
        raise BadButton() from exc
    await ack(update)
    await remove_buttons(update)
    return await _date_chosen(update, context, chosen)


async def date_typed(update: Update, context: XContext) -> object:
    row = await load(context, pledge_id_in_flow(context))
    period = Period(code=row.period)
    answer, today = typed_text(update), context.today()
    chosen = typed_date(answer, today, in_year(period.start.year))
    if chosen is not None and not period.contains(chosen) and period.end.year != chosen.year:
        # "1月15日" in an autumn term means the January the term ends in.
        chosen = typed_date(answer, today, in_year(period.end.year)) or chosen
    if chosen is None:
        return await _wrong(update, context, ASK_DATE, "pledge.make.bad_date")
    return await _date_chosen(update, context, chosen)


async def _date_chosen(update: Update, context: XContext, chosen: date) -> object:
    row = await load(context, pledge_id_in_flow(context))
    period = Period(code=row.period)
    try:
        store.check_target_date(chosen, period, context.today())
    except OutsidePeriod:
        text = context.t(
            "pledge.make.date_outside",
            date=chosen.isoformat(),
            period=views.period_label(context.t, period.code),
            start=max(context.today(), period.start).isoformat(),
            end=period.end.isoformat(),
        )
        return await _wrong(update, context, ASK_DATE, text=text)
    return await _save(update, context, target_date=chosen)


async def receive_post(update: Update, context: XContext) -> object:
    member = require_branch_person(context)
    try:
        post = store.checked_post(typed_text(update))
    except BadLength:
        text = context.t("pledge.make.bad_post", low=store.POST_MIN, high=store.POST_MAX)
        return await _wrong(update, context, ASK_POST, text=text)
    now = context.now()
    async with context.db.transaction() as tx:
        await members.set_post(tx, member.id, post, now=now)
    return await _show_preview(update, context)


# ------------------------------------------------------------------ preview and editing


async def submit(update: Update, context: XContext) -> object:
    """[Submit] / [Resubmit] on the pledge's own screen (no flow running for it)."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    return await _submit(update, context, pledge_id)


async def submit_in_flow(update: Update, context: XContext) -> object:
    """[Submit] on the preview: a target date that has passed meanwhile is asked again."""
    pledge_id = parse_callback(update, PREFIX).int_arg(0)
    return await _submit(update, context, pledge_id, in_flow=True)


async def preview_typed(update: Update, context: XContext) -> object:
    words = [
        ("submit", ("提交", "确认", "确定", "submit", "send")),
        ("edit", ("修改", "编辑", "edit", "change")),
    ]
    chosen = choose(typed_text(update), words)
    if chosen == "submit":
        return await _submit(update, context, pledge_id_in_flow(context), in_flow=True)
    if chosen == "edit":
        flow_data(context, FLOW)["edit"] = True
        await _ask(update, context, EDIT_MENU)
        return EDIT_MENU
    return await _wrong(update, context, PREVIEW, "input.use_buttons")


async def field_pressed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    field = parse_callback(update, PREFIX).str_arg(0)
    if field not in views.EDIT_FIELDS:
        raise BadButton()
    await ack(update)
    await remove_buttons(update)
    return await _edit_field(update, context, field)


async def field_typed(update: Update, context: XContext) -> object:
    options = _options("pledge.field", list(views.EDIT_FIELDS))
    options.append(("back", ("返回", "预览", "back", "preview")))
    chosen = choose(typed_text(update), options)
    if chosen is None:
        return await _wrong(update, context, EDIT_MENU, "input.use_buttons")
    if chosen == "back":
        return await _show_preview(update, context)
    return await _edit_field(update, context, chosen)


async def back_pressed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    await ack(update)
    await remove_buttons(update)
    return await _show_preview(update, context)


async def _edit_field(update: Update, context: XContext, field: str) -> object:
    flow_data(context, FLOW)["edit"] = True
    state = {
        "category": ASK_CATEGORY,
        "text": ASK_TEXT,
        "measures": ASK_MEASURES,
        "date": ASK_DATE,
        "post": ASK_POST,
    }[field]
    await _ask(update, context, state)
    return state


async def _submit(
    update: Update, context: XContext, pledge_id: int, *, in_flow: bool = False
) -> object:
    member, row = await _own_editable(context, pledge_id)
    if not row.complete:
        raise Refusal("pledge.make.incomplete")
    if _date_passed(context, row):
        _check_period_open(context, row)
        if not in_flow or flow_data(context, FLOW).get("pid") != row.id:
            raise Refusal("pledge.make.date_passed_edit", date=str(row.target_date))
        await ack(update)
        await remove_buttons(update)
        return await _ask_date_again(update, context, row)
    try:
        async with context.db.transaction() as tx:
            await store.submit(
                tx, row, actor_id=member.id, now=context.now(), max_open=max_open(context)
            )
            await review.ask_reviewers(tx, context, pledge_id)
    except PledgeLimitReached as exc:
        period = views.period_label(context.t, row.period)
        raise Refusal("pledge.limit", count=exc.count, limit=exc.limit, period=period) from exc
    except (PledgeChanged, IllegalTransition) as exc:
        current = await load(context, pledge_id)
        raise not_now(context, current.status) from exc
    delivery.wake(context)
    await ack(update)
    await remove_buttons(update)
    await reply(update, context, context.t("pledge.make.submitted"))
    return END


# ------------------------------------------------------------------ saving and asking


async def _save(update: Update, context: XContext, **changes: object) -> object:
    """Write one answer into the draft, then go on to the next step (or the preview)."""
    member = require_branch_person(context)
    row = await load(context, pledge_id_in_flow(context))
    try:
        async with context.db.transaction() as tx:
            await store.edit(tx, row, actor_id=member.id, now=context.now(), **changes)
    except (IllegalTransition, PledgeChanged) as exc:
        current = await load(context, row.id)
        raise not_now(context, current.status) from exc
    row = await load(context, row.id)
    if flow_data(context, FLOW).get("edit"):
        return await _show_preview(update, context)
    return await _resume(update, context, row, member)


async def _resume(
    update: Update, context: XContext, row: PledgeRow, member: Member, *, edit: bool = False
) -> object:
    """The first required answer still missing; when none is, the preview (or with
    ``edit``, the choice of what to change, whose [返回] leads to the preview).

    Measures are optional, so a resumed draft goes on at the target date; the preview's
    [Edit] reaches the measures.
    """
    _check_period_open(context, row)
    if _date_passed(context, row):
        return await _ask_date_again(update, context, row)
    if row.target_date is None:
        await _ask(update, context, ASK_DATE)
        return ASK_DATE
    if not member.post:
        await _ask(update, context, ASK_POST)
        return ASK_POST
    if edit:
        flow_data(context, FLOW)["edit"] = True
        await _ask(update, context, EDIT_MENU)
        return EDIT_MENU
    return await _show_preview(update, context)


def _date_passed(context: XContext, row: PledgeRow) -> bool:
    return row.target_date is not None and row.target_date < context.today()


def _check_period_open(context: XContext, row: PledgeRow) -> None:
    """A draft or returned pledge of a year that is over can no longer be completed."""
    if Period(code=row.period).end < context.today():
        raise Refusal("pledge.make.period_over", period=views.period_label(context.t, row.period))


async def _ask_date_again(update: Update, context: XContext, row: PledgeRow) -> object:
    """The target date passed while the pledge waited (returned in December ...)."""
    flow_data(context, FLOW)["edit"] = True  # once chosen, back to the preview
    await reply(update, context, context.t("pledge.make.date_passed", date=str(row.target_date)))
    await _ask(update, context, ASK_DATE)
    return ASK_DATE


async def _show_preview(update: Update, context: XContext) -> object:
    flow_data(context, FLOW)["edit"] = False
    row = await load(context, pledge_id_in_flow(context))
    await reply(update, context, *views.preview(context.t, row))
    return PREVIEW


async def _ask(update: Update, context: XContext, state: str) -> None:
    """Ask (again) the question of ``state``."""
    t = context.t
    collected = flow_data(context, FLOW)
    if state == CHOOSE_DRAFT:
        member = require_branch_person(context)
        async with context.db.read() as conn:
            drafts = await store.unfinished(conn, member.id)
        await reply(update, context, *views.draft_choice(t, drafts))
    elif state == ASK_PERIOD:
        periods = [Period(code=str(code)) for code in _list(collected.get("periods"))]
        this_year = Period.containing(context.today())
        await reply(update, context, *views.ask_period(t, periods, this_year))
    elif state == ASK_CATEGORY:
        period = collected.get("period")
        if period is None:
            period = (await load(context, pledge_id_in_flow(context))).period
        await reply(update, context, *views.ask_category(t, str(period)))
    elif state == ASK_TEXT:
        category = collected.get("category")
        if category is None:
            category = (await load(context, pledge_id_in_flow(context))).category
        await reply(update, context, *views.ask_text(t, Category(str(category))))
    elif state == ASK_MEASURES:
        await reply(update, context, *views.ask_measures(t, editing=bool(collected.get("edit"))))
    elif state == ASK_DATE:
        row = await load(context, pledge_id_in_flow(context))
        _check_period_open(context, row)
        period = Period(code=row.period)
        earliest = max(context.today(), period.start)
        await reply(
            update, context, *views.ask_date(t, period, earliest, date_choices(earliest, period))
        )
    elif state == ASK_POST:
        await reply(update, context, *views.ask_post(t))
    elif state == PREVIEW:
        await _show_preview(update, context)
    elif state == EDIT_MENU:
        await reply(update, context, *views.edit_menu(t))


def date_choices(earliest: date, period: Period) -> list[date]:
    """Quick answers: the end of this month, of next month, and of the period."""
    this_month_end = _month_end(earliest)
    next_month_end = _month_end(this_month_end + timedelta(days=1))
    found = {d for d in (this_month_end, next_month_end, period.end) if period.contains(d)}
    return sorted(d for d in found if d >= earliest)


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


async def _wrong(
    update: Update,
    context: XContext,
    state: str,
    key: str | None = None,
    *,
    text: str | None = None,
) -> object:
    """Say what was wrong with the answer, and ask the same question again."""
    await reply(
        update, context, text if text is not None else context.t(key or "input.use_buttons")
    )
    await _ask(update, context, state)
    return state


async def _bad_length(update: Update, context: XContext, state: str, exc: BadLength) -> object:
    text = bad_length_text(context, exc)
    return await _wrong(update, context, state, text=text)


def use_buttons(state: str) -> Step:
    """For a button question answered with a photo, a sticker ...: say so, ask again."""

    async def wrong(update: Update, context: XContext) -> object:
        return await _wrong(update, context, state, "input.use_buttons")

    return guarded_step(wrong)


def text_expected(state: str) -> Step:
    async def wrong(update: Update, context: XContext) -> object:
        return await _wrong(update, context, state, "input.text_expected")

    return guarded_step(wrong)


async def keep_draft_note(update: Update, context: XContext, how: Leaving) -> None:
    """On /cancel, [Cancel] or the timeout: a draft being made is kept; say where it is."""
    pledge_id = flow_data(context, FLOW).get("pid")
    chat = update.effective_chat
    if how is Leaving.COMMAND or not isinstance(pledge_id, int) or chat is None:
        return
    async with context.db.read() as conn:
        row = await store.get(conn, pledge_id)
    if row is None or not row.editable:
        return  # submitted meanwhile (its own screen's button): nothing waits here
    # A returned pledge is not a draft: say that the changes still need resubmitting.
    key = (
        "pledge.make.returned_kept"
        if row.status is PledgeStatus.RETURNED
        else "pledge.make.draft_kept"
    )
    await reply(update, context, context.t(key))


def _limit_text(t: Translator, count: int, limit: int, period: str) -> str:
    return t("pledge.limit", count=count, limit=limit, period=views.period_label(t, period))


def _options(prefix: str, values: list[str]) -> list[tuple[str, Sequence[str]]]:
    """Choices named in either language, so a typed answer works whatever the client."""
    return [(v, labels(f"{prefix}.{v}")) for v in values]


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []
