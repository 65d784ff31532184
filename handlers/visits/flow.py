"""The /visit conversation: log a home visit (or edit one) in a few taps.

Steps: date → student alias → class → form → whom met → summary. The summary has the
topics to tick (multi-select, edited in place), the optional parts (note, follow-up,
photo) as buttons, and [Save] [Edit] [Cancel]. Once the summary has been reached, every
step returns to it, so "Edit" is just the same steps again. Every step takes typed
answers as well as buttons and answers wrong input with a clear message and the
question again.

A typical visit is /visit, today, the typed alias, the class, the form, whom met, a
topic, [Save]: eight taps on the first visit too (the class is picked by grade and
number until the member has classes of their own to offer, then it is one tap).

What has been entered lives in ``flow_data(context, "visit")`` as JSON values, which the
persistence writes after every update: a restart mid-flow loses nothing. The visit is
written in one transaction at [Save], with its audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, NotFound
from handlers.common.flows import (
    CANCEL_DATA,
    END,
    Handlers,
    Step,
    enter_flow,
    flow_data,
    step_handlers,
)
from handlers.common.guards import parse_callback, require_branch_person, require_private
from handlers.common.i18n import LANGUAGES, Translator
from handlers.common.registry import Registrar
from handlers.common.reply import edit, edit_buttons, remove_buttons, reply
from handlers.common.typed import FUTURE, PAST, choose, labels, says, typed_date, typed_text
from handlers.visits import access, views
from handlers.visits.views import FLOW_PREFIX, RECORD_PREFIX
from storage import audit, terms, visits
from storage.terms import Term
from storage.visits import (
    Form,
    Met,
    Topic,
    VisitChanged,
    VisitContent,
    VisitLocked,
    VisitProblem,
)

FLOW = "visit"
DATE = "visit.date"
ALIAS = "visit.alias"
CLASS = "visit.class"
FORM = "visit.form"
MET = "visit.met"
TOPICS = "visit.topics"
SUMMARY = "visit.summary"
NOTE = "visit.note"
FOLLOW_UP = "visit.follow_up"
PHOTO = "visit.photo"
ORDER = (DATE, ALIAS, CLASS, FORM, MET)
FIELD_STATES = {
    "date": DATE,
    "alias": ALIAS,
    "class": CLASS,
    "form": FORM,
    "met": MET,
    "topics": TOPICS,
}
# Which step a model's complaint sends the person back to.
PROBLEM_STATES = {
    "date_future": DATE,
    "date_outside_term": DATE,
    "alias_empty": ALIAS,
    "alias_long": ALIAS,
    "class_empty": CLASS,
    "class_long": CLASS,
    "topics_empty": SUMMARY,
    "note_long": NOTE,
    "follow_up_early": FOLLOW_UP,
}
_TOPIC_SPLIT = re.compile(r"[,，、;；/\n]+")

E = TypeVar("E", bound=StrEnum)


def register_flow(reg: Registrar) -> None:
    def step(
        state: str, typed: Step, wrong: str, *first: BaseHandler[Any, Any, Any], **buttons: Step
    ) -> Handlers:
        """A step's buttons, what is typed, ``wrong`` for anything else; any other button of
        this flow (an earlier step's, or a calendar blank) is stale."""
        return [
            *first,
            *step_handlers(FLOW_PREFIX, typed, _reask(state, wrong), **buttons),
            CallbackQueryHandler(_stale(state), pattern=pattern(FLOW_PREFIX)),
        ]

    back = _go(SUMMARY)
    reg.conversation(
        FLOW,
        entry_points=[
            CommandHandler("visit", start),
            *presses(RECORD_PREFIX, new=start, edit=start_edit),
        ],
        states={
            DATE: step(
                DATE,
                date_typed,
                "input.text_expected",
                sum=back,
                date=date_button,
                cal=_calendar_month(DATE),
                day=_calendar_day(DATE),
                back=_go(DATE),
            ),
            ALIAS: step(ALIAS, alias_typed, "input.text_expected", sum=back, alias=keep_alias),
            CLASS: step(
                CLASS,
                class_typed,
                "input.text_expected",
                sum=back,
                cls=class_button,
                grade=grade_button,
                clsn=class_number_button,
            ),
            FORM: step(FORM, form_typed, "input.use_buttons", sum=back, form=form_button),
            MET: step(MET, met_typed, "input.use_buttons", sum=back, met=met_button),
            TOPICS: step(
                TOPICS,
                topics_typed,
                "input.use_buttons",
                sum=back,
                top=topic_toggle,
                topdone=topics_done,
            ),
            SUMMARY: step(
                SUMMARY,
                summary_typed,
                "input.use_buttons",
                MessageHandler(filters.PHOTO, photo_received),
                top=summary_topic_toggle,
                save=save,
                edit=edit_menu,
                field=edit_field,
                note=_go(NOTE),
                fu=_go(FOLLOW_UP),
                photo=_go(PHOTO),
                back=back,
            ),
            NOTE: step(NOTE, note_typed, "input.text_expected", rmnote=remove_note, back=back),
            FOLLOW_UP: step(
                FOLLOW_UP,
                follow_up_typed,
                "input.text_expected",
                fuset=follow_up_choice,
                cal=_calendar_month(FOLLOW_UP),
                day=_calendar_day(FOLLOW_UP),
                back=back,
            ),
            PHOTO: step(
                PHOTO,
                photo_typed,
                "visit.photo_expected",
                MessageHandler(filters.PHOTO, photo_received),
                MessageHandler(filters.Document.IMAGE, _reask(PHOTO, "visit.photo_as_file")),
                rmphoto=remove_photo,
                back=back,
            ),
        },
    )


# --------------------------------------------------------------------------- entry


async def start(update: Update, context: XContext) -> object:
    """/visit, or [Log a visit] on a reminder: a fresh draft, first question the date.

    With a visit half entered (the menu's /visit tapped again, a reminder's button), that
    one goes on where it was: nothing typed is dropped without [Cancel] or /cancel.
    """
    require_private(update)
    member = require_branch_person(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    waiting = (context.user_data or {}).get(FLOW) or {}
    if any(waiting.get(name) for name in FIELD_STATES):
        return await ask(update, context, _resume_state(waiting), context.t("visit.resumed"))
    draft = await _fresh_draft(update, context)
    async with context.db.read() as conn:
        # The why-an-alias explanation is shown to someone logging their first visit.
        draft["explain"] = not await visits.has_visits(conn, member.id)
    return await ask(update, context, DATE)


async def start_edit(update: Update, context: XContext) -> object:
    """[Edit] on one of the member's visits: the summary, filled in from the record."""
    require_private(update)
    data = parse_callback(update, RECORD_PREFIX)
    member = require_branch_person(context)
    visit = await access.load(context, data.int_arg(0))
    access.require_owner(member, visit)
    access.require_editable(visit, context.now())
    assert update.callback_query is not None
    await update.callback_query.answer()
    draft = await _fresh_draft(update, context)
    draft.update(
        {
            "edit_id": visit.id,
            "edit_version": visit.version,
            "orig_date": visit.visit_date.isoformat(),
            "date": visit.visit_date.isoformat(),
            "alias": visit.student_alias,
            "class": visit.class_name,
            "form": visit.form.value,
            "met": visit.met.value,
            "topics": [topic.value for topic in visit.topics],
            "note": visit.note,
            "photo": visit.photo_file_id,
            "follow_up": visit.follow_up_on.isoformat() if visit.follow_up_on else None,
            "summary": True,
        }
    )
    return await ask(update, context, SUMMARY)


def _resume_state(draft: dict[str, Any]) -> str:
    """Where an unfinished draft goes on: the summary once seen, else the first gap."""
    if draft.get("summary"):
        return SUMMARY
    fields = {state: name for name, state in FIELD_STATES.items()}
    return next((state for state in ORDER if not draft.get(fields[state])), SUMMARY)


async def _fresh_draft(update: Update, context: XContext) -> dict[str, Any]:
    """An empty draft; an unsaved one ([Edit] on a record meanwhile) is dropped, and the
    person is told so if anything had been entered."""
    waiting = (context.user_data or {}).get(FLOW) or {}
    if any(waiting.get(name) for name in FIELD_STATES):
        await reply(update, context, context.t("visit.left_draft"))
    return enter_flow(context, FLOW)


# --------------------------------------------------------------------------- asking


async def ask(update: Update, context: XContext, state: str, lead: str | None = None) -> str:
    """Send the question of ``state`` (after ``lead``, e.g. what was wrong) and wait there."""
    t = context.t
    draft = flow_data(context, FLOW)
    if state == DATE:
        screen = views.ask_date(t, await _term(context, draft), context.today(), lead)
    elif state == ALIAS:
        screen = views.ask_alias(t, bool(draft.pop("explain", False)), lead)
    elif state == CLASS:
        async with context.db.read() as conn:
            options = await visits.recent_classes(conn, _member_id(context))
        if draft.get("class") and draft["class"] not in options:
            options.insert(0, draft["class"])
        draft["class_options"] = options
        screen = views.ask_class(t, options, lead)
    elif state == FORM:
        screen = views.ask_form(t, lead)
    elif state == MET:
        screen = views.ask_met(t, lead)
    elif state == TOPICS:
        screen = views.ask_topics(t, draft.get("topics") or [], lead)
    elif state == NOTE:
        screen = views.ask_note(t, bool(draft.get("note")), lead)
    elif state == FOLLOW_UP:
        screen = views.ask_follow_up(t, lead)
    elif state == PHOTO:
        screen = views.ask_photo(t, bool(draft.get("photo")), lead)
    else:
        screen = views.summary(t, draft, lead)
    if state != SUMMARY:
        screen = _fit(context, screen)
    await reply(update, context, *screen)
    return state


def _fit(context: XContext, screen: views.Screen) -> views.Screen:
    """Once the summary has been seen, a step's [Cancel] becomes [Back to the summary].

    Changing one answer (or opening the follow-up calendar) and then thinking better of
    it must not throw away the whole visit; /cancel and the summary's [Cancel] still do.
    """
    text, markup = screen
    if markup is None or not flow_data(context, FLOW).get("summary"):
        return screen
    back = InlineKeyboardButton(context.t("visit.btn.to_summary"), callback_data=views.step("sum"))
    rows = [
        [back if button.callback_data == CANCEL_DATA else button for button in row]
        for row in markup.inline_keyboard
    ]
    return text, InlineKeyboardMarkup(rows)


async def advance(update: Update, context: XContext, answered: str) -> str:
    """The next question: the following step, or the summary once it has been seen."""
    draft = flow_data(context, FLOW)
    if draft.get("summary") or answered not in ORDER[:-1]:
        draft["summary"] = True
        return await ask(update, context, SUMMARY)
    return await ask(update, context, ORDER[ORDER.index(answered) + 1])


# --------------------------------------------------------------------------- date


async def date_button(update: Update, context: XContext) -> object:
    which = parse_callback(update, FLOW_PREFIX).str_arg(0)
    today = context.today()
    if which == "pick":
        lo, hi = await _date_bounds(context)
        await _in_place(update, _fit(context, views.date_calendar(context.t, hi, lo, hi)))
        return DATE
    days_ago = {"today": 0, "yesterday": 1}.get(which)
    if days_ago is None:
        raise BadButton()
    await _pressed(update)
    return await _take_date(update, context, today - timedelta(days=days_ago))


async def date_typed(update: Update, context: XContext) -> object:
    day = typed_date(typed_text(update), context.today(), PAST)
    if day is None:
        return await ask(update, context, DATE, context.t("visit.date_bad"))
    return await _take_date(update, context, day)


async def _take_date(update: Update, context: XContext, day: date) -> str:
    draft = flow_data(context, FLOW)
    problem = await _date_problem(context, draft, day)
    if problem:
        return await ask(update, context, DATE, problem)
    draft["date"] = day.isoformat()
    return await advance(update, context, DATE)


async def _date_problem(context: XContext, draft: dict[str, Any], day: date) -> str | None:
    today = context.today()
    if day > today:
        return context.t("visit.date_future", today=today.isoformat())
    term = await _term(context, draft)
    if not term.contains(day):
        return context.t(
            "visit.date_outside_term",
            date=day.isoformat(),
            start=term.start.isoformat(),
            end=term.end.isoformat(),
        )
    return None


async def _date_bounds(context: XContext) -> tuple[date, date]:
    """The days a visit may be on: in its term, up to today."""
    term = await _term(context, flow_data(context, FLOW))
    hi = min(term.end, context.today())
    return term.start, max(hi, term.start)


def _follow_up_bounds(context: XContext) -> tuple[date, date]:
    today = context.today()
    return today + timedelta(days=1), today + timedelta(days=views.FOLLOW_UP_MAX_DAYS)


def _date_arg(update: Update, suffix: str = "") -> date:
    """The ISO date a calendar button carries (``suffix`` completes a month to its 1st)."""
    raw = parse_callback(update, FLOW_PREFIX).str_arg(0)
    try:
        return date.fromisoformat(f"{raw}{suffix}")
    except ValueError as exc:
        raise BadButton() from exc


def _calendar_month(state: str) -> Step:
    async def flip(update: Update, context: XContext) -> object:
        month = _date_arg(update, "-01")  # the button carries the month: 2026-11
        if state == DATE:
            lo, hi = await _date_bounds(context)
        else:
            lo, hi = _follow_up_bounds(context)
        # A forged or stale month is brought back into the range rather than refused.
        month = min(max(month, lo.replace(day=1)), hi)
        make = views.date_calendar if state == DATE else views.follow_up_calendar
        await _in_place(update, _fit(context, make(context.t, month, lo, hi)))
        return state

    return flip


def _calendar_day(state: str) -> Step:
    async def pick(update: Update, context: XContext) -> object:
        day = _date_arg(update)
        await _pressed(update)
        if state == DATE:
            return await _take_date(update, context, day)
        return await _take_follow_up(update, context, day)

    return pick


# --------------------------------------------------------------------------- alias, class


async def alias_typed(update: Update, context: XContext) -> object:
    draft = flow_data(context, FLOW)
    raw = typed_text(update)
    try:
        alias = visits.clean_alias(raw)
    except VisitProblem as problem:
        count = len(" ".join(raw.split()))
        return await ask(update, context, ALIAS, context.t(f"visit.{problem.code}", count=count))
    if visits.looks_like_full_name(alias) and alias != draft.get("alias_pending"):
        # Warned, not refused: the button below (or typing it again) keeps it.
        draft["alias_pending"] = alias
        await reply(update, context, *_fit(context, views.full_name_warning(context.t, alias)))
        return ALIAS
    draft["alias"] = alias
    draft.pop("alias_pending", None)
    return await advance(update, context, ALIAS)


async def keep_alias(update: Update, context: XContext) -> object:
    draft = flow_data(context, FLOW)
    pending = draft.pop("alias_pending", None)
    if not pending:
        return await _stale(ALIAS)(update, context)
    await _pressed(update)
    draft["alias"] = pending
    return await advance(update, context, ALIAS)


async def class_button(update: Update, context: XContext) -> object:
    index = parse_callback(update, FLOW_PREFIX).int_arg(0)
    options = flow_data(context, FLOW).get("class_options") or []
    if index >= len(options):
        return await _stale(CLASS)(update, context)
    await _pressed(update)
    flow_data(context, FLOW)["class"] = options[index]
    return await advance(update, context, CLASS)


async def grade_button(update: Update, context: XContext) -> object:
    """A grade (or "all grades", back from the numbers): the next keyboard in place."""
    grade = parse_callback(update, FLOW_PREFIX).str_arg(0)
    if grade == "all":
        screen = views.grade_picker(context.t)
    elif grade in views.GRADES:
        used = [str(name) for name in flow_data(context, FLOW).get("class_options") or []]
        screen = views.class_number_picker(context.t, grade, used)
    else:
        raise BadButton()
    await _in_place(update, _fit(context, screen))
    return CLASS


async def class_number_button(update: Update, context: XContext) -> object:
    data = parse_callback(update, FLOW_PREFIX)
    grade, number = data.str_arg(0), data.int_arg(1)
    if grade not in views.GRADES or not 1 <= number <= views.CLASS_NUMBERS:
        raise BadButton()
    await _pressed(update)
    flow_data(context, FLOW)["class"] = views.class_name(grade, number)
    return await advance(update, context, CLASS)


async def class_typed(update: Update, context: XContext) -> object:
    try:
        name = visits.clean_class(typed_text(update))
    except VisitProblem as problem:
        return await ask(update, context, CLASS, context.t(f"visit.{problem.code}"))
    flow_data(context, FLOW)["class"] = name
    return await advance(update, context, CLASS)


# --------------------------------------------------------------------------- form, met, topics


async def form_button(update: Update, context: XContext) -> object:
    value = _enum(Form, parse_callback(update, FLOW_PREFIX).str_arg(0))
    await _pressed(update)
    flow_data(context, FLOW)["form"] = value.value
    return await advance(update, context, FORM)


async def met_button(update: Update, context: XContext) -> object:
    value = _enum(Met, parse_callback(update, FLOW_PREFIX).str_arg(0))
    await _pressed(update)
    flow_data(context, FLOW)["met"] = value.value
    return await advance(update, context, MET)


def _typed_one_of(
    kind: type[E], label: Callable[[Translator, E], str], state: str, field: str
) -> Step:
    """A one-answer step typed: a label in either language, the value, or its number."""

    async def typed_choice(update: Update, context: XContext) -> object:
        options = [(each, [label(t, each) for t in _both()]) for each in kind]
        found = choose(typed_text(update), options)
        if found is None:
            return await ask(update, context, state, _unknown_choice(context, kind, label))
        flow_data(context, FLOW)[field] = found.value
        return await advance(update, context, state)

    return typed_choice


form_typed = _typed_one_of(Form, views.form_label, FORM, "form")
met_typed = _typed_one_of(Met, views.met_label, MET, "met")


async def topic_toggle(update: Update, context: XContext) -> object:
    topic = _enum(Topic, parse_callback(update, FLOW_PREFIX).str_arg(0))
    draft = flow_data(context, FLOW)
    chosen = set(draft.get("topics") or [])
    chosen ^= {topic.value}
    draft["topics"] = [each.value for each in Topic if each.value in chosen]
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit_buttons(update, views.topics_keyboard(context.t, draft["topics"]))
    return TOPICS


async def topics_done(update: Update, context: XContext) -> object:
    query = update.callback_query
    assert query is not None
    if not flow_data(context, FLOW).get("topics"):
        await query.answer(context.t("visit.topics_empty"), show_alert=True)
        return TOPICS
    await _pressed(update)
    return await advance(update, context, TOPICS)


async def topics_typed(update: Update, context: XContext) -> object:
    """Topics typed as a list ("学习、安全", "study, safety"), or "完成" to go on."""
    raw = typed_text(update).strip()
    draft = flow_data(context, FLOW)
    if says(raw, labels("visit.btn.done")):
        if not draft.get("topics"):
            return await ask(update, context, TOPICS, context.t("visit.topics_empty"))
        return await advance(update, context, TOPICS)
    chosen, unknown = _typed_topics(raw)
    if unknown is not None:
        options = views.choice_options(
            context.t, [views.topic_label(context.t, each) for each in Topic]
        )
        problem = context.t("visit.topics_unknown", word=unknown, options=options)
        return await ask(update, context, TOPICS, problem)
    if not chosen:
        return await ask(update, context, TOPICS, context.t("visit.topics_empty"))
    draft["topics"] = [topic.value for topic in chosen]
    return await advance(update, context, TOPICS)


# --------------------------------------------------------------------------- summary


async def edit_menu(update: Update, context: XContext) -> object:
    await _pressed(update)
    await reply(update, context, *views.edit_menu(context.t))
    return SUMMARY


async def edit_field(update: Update, context: XContext) -> object:
    state = FIELD_STATES.get(parse_callback(update, FLOW_PREFIX).str_arg(0))
    if state is None:
        raise BadButton()
    await _pressed(update)
    return await ask(update, context, state)


async def summary_topic_toggle(update: Update, context: XContext) -> object:
    """A topic ticked or unticked on the summary: the summary is redrawn in place."""
    topic = _enum(Topic, parse_callback(update, FLOW_PREFIX).str_arg(0))
    draft = flow_data(context, FLOW)
    chosen = set(draft.get("topics") or []) ^ {topic.value}
    draft["topics"] = [each.value for each in Topic if each.value in chosen]
    await _in_place(update, views.summary(context.t, draft))
    return SUMMARY


async def summary_typed(update: Update, context: XContext) -> object:
    """The summary's buttons, typed: 保存 / save, 修改 / edit, 备注 / note, or topics."""
    raw = typed_text(update)
    if says(raw, labels("visit.btn.save")):
        return await save(update, context)
    if says(raw, labels("visit.btn.edit")):
        await reply(update, context, *views.edit_menu(context.t))
        return SUMMARY
    for key, state in (
        ("visit.btn.note", NOTE),
        ("visit.btn.follow_up", FOLLOW_UP),
        ("visit.btn.photo", PHOTO),
    ):
        if says(raw, labels(key)):
            return await ask(update, context, state)
    topics, _ = _typed_topics(raw)
    if topics:
        flow_data(context, FLOW)["topics"] = [topic.value for topic in topics]
        return await ask(update, context, SUMMARY)
    return await ask(update, context, SUMMARY, context.t("input.use_buttons"))


async def note_typed(update: Update, context: XContext) -> object:
    raw = typed_text(update)
    if says(raw, labels("button.back")):
        return await ask(update, context, SUMMARY)
    if says(raw, labels("visit.btn.remove_note")):
        return await remove_note(update, context)
    try:
        note = visits.clean_note(raw)
    except VisitProblem:
        return await ask(
            update, context, NOTE, context.t("visit.note_long", count=len(raw.strip()))
        )
    flow_data(context, FLOW)["note"] = note
    return await ask(update, context, SUMMARY)


async def remove_note(update: Update, context: XContext) -> object:
    await _pressed(update)
    flow_data(context, FLOW)["note"] = None
    return await ask(update, context, SUMMARY)


async def follow_up_choice(update: Update, context: XContext) -> object:
    choice = parse_callback(update, FLOW_PREFIX).str_arg(0)
    today = context.today()
    if choice == "pick":
        lo, hi = _follow_up_bounds(context)
        await _in_place(update, views.follow_up_calendar(context.t, lo, lo, hi))
        return FOLLOW_UP
    if choice == "none":
        await _pressed(update)
        flow_data(context, FLOW)["follow_up"] = None
        return await ask(update, context, SUMMARY)
    if choice not in ("7", "14"):
        raise BadButton()
    await _pressed(update)
    return await _take_follow_up(update, context, today + timedelta(days=int(choice)))


async def follow_up_typed(update: Update, context: XContext) -> object:
    """A date, or a button's label typed: 1 周后 / 2 周后 / 不需要回访."""
    raw = typed_text(update)
    today = context.today()
    for key, days in (("visit.btn.week1", 7), ("visit.btn.week2", 14)):
        if says(raw, labels(key)):
            return await _take_follow_up(update, context, today + timedelta(days=days))
    if says(raw, labels("visit.btn.no_follow_up")):
        flow_data(context, FLOW)["follow_up"] = None
        return await ask(update, context, SUMMARY)
    day = typed_date(raw, today, FUTURE)
    if day is None:
        return await ask(update, context, FOLLOW_UP, context.t("visit.date_bad"))
    return await _take_follow_up(update, context, day)


async def _take_follow_up(update: Update, context: XContext, day: date) -> str:
    lo, hi = _follow_up_bounds(context)
    if day < lo:
        return await ask(update, context, FOLLOW_UP, context.t("visit.follow_up_past"))
    if day > hi:
        problem = context.t(
            "visit.follow_up_far", days=views.FOLLOW_UP_MAX_DAYS, last=hi.isoformat()
        )
        return await ask(update, context, FOLLOW_UP, problem)
    flow_data(context, FLOW)["follow_up"] = day.isoformat()
    return await ask(update, context, SUMMARY)


async def photo_received(update: Update, context: XContext) -> object:
    message = update.effective_message
    assert message is not None and message.photo
    if _later_in_album(update, context):
        return SUMMARY  # the album's first photo is kept and was answered
    draft = flow_data(context, FLOW)
    draft["photo"] = message.photo[-1].file_id  # the largest size Telegram made
    lead = context.t("visit.album_first") if message.media_group_id else None
    if message.caption and not draft.get("note"):
        # A caption is what the teacher wanted to say about the visit: keep it as the note.
        try:
            draft["note"] = visits.clean_note(message.caption)
            lead = "\n".join(filter(None, [lead, context.t("visit.caption_as_note")]))
        except VisitProblem:
            pass  # over the note's limit (Telegram allows 1024): the photo alone is kept
    return await ask(update, context, SUMMARY, lead)


async def photo_typed(update: Update, context: XContext) -> object:
    """Text where a photo is asked: 返回 / 删除照片 typed, or the photo asked for again."""
    raw = typed_text(update)
    if says(raw, labels("button.back")):
        return await ask(update, context, SUMMARY)
    if says(raw, labels("visit.btn.remove_photo")):
        return await remove_photo(update, context)
    return await ask(update, context, PHOTO, context.t("visit.photo_expected"))


async def remove_photo(update: Update, context: XContext) -> object:
    await _pressed(update)
    flow_data(context, FLOW)["photo"] = None
    return await ask(update, context, SUMMARY)


async def save(update: Update, context: XContext) -> object:
    """Write the visit (or the edit, keeping the old version) and its audit entry at once."""
    member = require_branch_person(context)
    draft = flow_data(context, FLOW)
    for name, state in FIELD_STATES.items():
        if name != "topics" and not draft.get(name):
            return await ask(update, context, state)
    if not draft.get("topics"):
        # Ticked on the summary itself: say so where the person is looking.
        if update.callback_query is not None:
            await update.callback_query.answer(context.t("visit.topics_empty"), show_alert=True)
            return SUMMARY
        return await ask(update, context, SUMMARY, context.t("visit.topics_empty"))
    today = context.today()
    now = context.now()
    try:
        content = VisitContent(
            visit_date=draft["date"],
            student_alias=draft["alias"],
            class_name=draft["class"],
            form=draft["form"],
            met=draft["met"],
            topics=draft["topics"],
            note=draft.get("note"),
            photo_file_id=draft.get("photo"),
            follow_up_on=draft.get("follow_up"),
            today=today,
        )
    except ValidationError as error:
        return await _back_to_problem(update, context, visits.problem_code(error))
    term = await _term(context, draft)
    edit_id = draft.get("edit_id")
    edited_version: int | None = None
    try:
        async with context.db.transaction() as tx:
            if edit_id:
                current = await visits.get(tx, int(edit_id))
                if current is None:
                    raise NotFound()
                access.require_owner(member, current)
                started_from = current.model_copy(update={"version": draft["edit_version"]})
                visit, changed = await visits.update(
                    tx, started_from, content, term=term, actor_id=member.id, now=now
                )
                if changed:
                    edited_version = visit.version
                    await audit.record(
                        tx, at=now, actor_id=member.id, action="visit.edited",
                        entity="home_visit", entity_id=visit.id, version=visit.version,
                        fields=changed,
                    )  # fmt: skip
            else:
                visit = await visits.create(
                    tx, member_id=member.id, branch_id=member.branch_id, content=content,
                    term=term, now=now,
                )  # fmt: skip
                # Ids and dates only: the audit log is never cleaned, so no student data.
                await audit.record(
                    tx, at=now, actor_id=member.id, action="visit.logged",
                    entity="home_visit", entity_id=visit.id, branch_id=member.branch_id,
                    visit_date=visit.visit_date.isoformat(),
                    follow_up_on=visit.follow_up_on.isoformat() if visit.follow_up_on else None,
                )  # fmt: skip
            count = await visits.count_for_member(tx, member.id, term)
            target = await visits.target_for(tx, member.branch_id, term)
    except VisitProblem as problem:
        return await _back_to_problem(update, context, problem.code)
    except (VisitLocked, VisitChanged) as error:
        await _pressed(update)
        key = "visit.locked" if isinstance(error, VisitLocked) else "visit.changed_meanwhile"
        await reply(update, context, context.t(key))
        return END
    await _pressed(update)
    if edit_id and edited_version is None:
        await reply(update, context, context.t("visit.unchanged"))
        return END
    text = views.saved(context.t, visit, count, target, edited_version=edited_version)
    await reply(update, context, text)
    return END


async def _back_to_problem(update: Update, context: XContext, code: str) -> str:
    """Back to the step a model's complaint is about, saying what is wrong."""
    draft = flow_data(context, FLOW)
    state = PROBLEM_STATES.get(code, SUMMARY)
    if state == DATE:
        lead = await _date_problem(context, draft, date.fromisoformat(draft["date"]))
    elif state == FOLLOW_UP:
        lead = context.t("visit.follow_up_past")
    elif state == SUMMARY:
        lead = context.t("visit.topics_empty" if code == "topics_empty" else "input.use_buttons")
    else:
        field = {ALIAS: "alias", CLASS: "class", NOTE: "note"}.get(state, "")
        lead = context.t(f"visit.{code}", count=len(str(draft.get(field) or "")))
    return await ask(update, context, state, lead)


# --------------------------------------------------------------------------- shared steps


def _go(state: str) -> Step:
    """A button that only leads to another step (or back to one)."""

    async def go(update: Update, context: XContext) -> object:
        await _pressed(update)
        return await ask(update, context, state)

    return go


def _reask(state: str, key: str) -> Step:
    """Wrong kind of input (a photo where text is asked, and so on): say so, ask again."""

    async def reask(update: Update, context: XContext) -> object:
        if _later_in_album(update, context):
            return state  # one answer for an album, not one per picture
        return await ask(update, context, state, context.t(key))

    return reask


def _stale(state: str) -> Step:
    async def stale(update: Update, context: XContext) -> object:
        query = update.callback_query
        assert query is not None
        data = query.data or ""
        if data == views.step("noop"):
            await query.answer()  # a calendar blank or title: nothing to do
            return state
        await query.answer(context.t("visit.step_stale"))
        return await ask(update, context, state)

    return stale


def _later_in_album(update: Update, context: XContext) -> bool:
    """Whether this message is a second or later picture of an album already answered.

    Telegram delivers an album as one message per picture, sharing a media group id.
    """
    message = update.effective_message
    group = message.media_group_id if message is not None else None
    if group is None:
        return False
    draft = flow_data(context, FLOW)
    if draft.get("album") == group:
        return True
    draft["album"] = group
    return False


async def _term(context: XContext, draft: dict[str, Any]) -> Term:
    """The term a visit's date must be in: today's, or the edited visit's own."""
    async with context.db.read() as conn:
        if draft.get("orig_date"):
            return await terms.term_for(conn, date.fromisoformat(draft["orig_date"]))
        return await terms.term_for(conn, context.today())


async def _pressed(update: Update) -> None:
    """Acknowledge a button and take the buttons off its message (the step is answered)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        await remove_buttons(update)


async def _in_place(update: Update, screen: views.Screen) -> None:
    """The pressed button's message becomes ``screen`` (a calendar month, a keyboard's next
    level, the summary with a topic ticked)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit(update, *screen)


def _member_id(context: XContext) -> int:
    member = context.member
    assert member is not None
    return member.id


def _both() -> list[Translator]:
    return [Translator(lang) for lang in LANGUAGES]


def _typed_topics(raw: str) -> tuple[list[Topic], str | None]:
    """Topics typed as a list ("学习、安全", "study, safety"), in the list's order; or none
    and the first word that names no topic."""
    named = [(topic, [views.topic_label(t, topic) for t in _both()]) for topic in Topic]
    chosen: set[Topic] = set()
    for part in filter(None, (p.strip() for p in _TOPIC_SPLIT.split(raw))):
        found = choose(part, named, by_number=False)
        # "Health and mood" has spaces in it; "学习 安全" uses them as separators.
        for word in [part] if found is not None else part.split():
            topic = choose(word, named, by_number=False)
            if topic is None:
                return [], word
            chosen.add(topic)
    return [topic for topic in Topic if topic in chosen], None


def _enum(kind: type[E], value: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise BadButton() from exc


def _unknown_choice(context: XContext, kind: type[E], label: Callable[[Translator, E], str]) -> str:
    options = views.choice_options(context.t, [label(context.t, choice) for choice in kind])
    return context.t("visit.choice_unknown", options=options)
