"""/safety (平安校园): a member logs a safety lesson or a drill they took part in; a
secretary logs a school drill once with everyone who took part, and sees who has done
both this term (/safety branch). Whoever logged a record may withdraw it (a mistake) while
its term is the current one."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler

from handlers.common import reply
from handlers.common.callback import Callback, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, OtherBranch, Refusal
from handlers.common.flows import END, OTHER, photo_step, step_handlers
from handlers.common.guards import (
    parse_callback,
    require_branch_person,
    require_found,
    require_private,
    require_secretary,
)
from handlers.common.i18n import Raw, Translator
from handlers.common.reply import remove_buttons
from handlers.common.views import cancel_only
from handlers.common.withdrawal import Withdrawal
from handlers.meetings import views
from handlers.meetings.common import (
    data,
    finish,
    normal,
    parse_count,
    say,
    say_from_button,
    start,
    typed,
    typed_date,
)
from handlers.meetings.record import text_expected, use_buttons
from storage import branches, meetings, safety, terms
from storage.safety import (
    Drill,
    DrillFields,
    DrillKind,
    DrillScope,
    Lesson,
    LessonFields,
    SafetyProblem,
    SafetyTopic,
)

Choice = TypeVar("Choice", bound=StrEnum)

DATE, CLASS, TOPIC, STUDENTS, PHOTO = "sf.date", "sf.class", "sf.topic", "sf.students", "sf.photo"
KIND, ROLE, PEOPLE = "sf.kind", "sf.role", "sf.people"


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("safety", safety_command),
        *presses(
            "sf",
            lesson=lesson_pressed,
            drill=drill_pressed,
            school=school_pressed,
            branch=branch_pressed,
        ),
    ]


def plain_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The term's records and their withdrawal: screens, not steps of the flow."""
    return [*presses("sf", mine=records_pressed), *WITHDRAWAL.handlers()]


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    return {
        DATE: step_handlers("sf", date_typed, text_expected),
        CLASS: step_handlers("sf", class_typed, text_expected, cls=class_pressed),
        # A choice is answered by its button or by typing its name.
        TOPIC: step_handlers("sf", topic_answered, use_buttons, tp=topic_answered),
        STUDENTS: step_handlers("sf", students_typed, text_expected),
        PHOTO: photo_step("sf", _save_lesson, photo_expected),
        KIND: step_handlers("sf", kind_answered, use_buttons, kd=kind_answered),
        ROLE: step_handlers("sf", role_typed, text_expected),
        PEOPLE: [
            *presses("sf", who=who_pressed, whook=people_done),
            MessageHandler(OTHER, use_buttons),
        ],
    }


async def problem(update: Update, context: XContext, code: str, state: str) -> str:
    await say(update, context, context.t(f"sf.problem.{code}"))
    return state


def _code(exc: ValidationError | SafetyProblem) -> str:
    return exc.code if isinstance(exc, SafetyProblem) else safety.problem_code(exc)


# --------------------------------------------------------------------------- menu


async def safety_command(update: Update, context: XContext) -> object:
    require_private(update)
    person = require_branch_person(context)
    finish(context)
    args = context.args or []
    if args and args[0].lower() in ("branch", "支部"):
        return await _coverage(update, context)
    today = context.today()
    async with context.db.read() as conn:
        term = await terms.term_for(conn, today)
        lessons = await safety.lessons_for_member(conn, person.id, term)
        drills = await safety.drills_for_member(conn, person.id, term)
        logged = await safety.drills_logged_by(conn, person.id, term)
    text, markup = views.safety_menu(
        context.t, term, len(lessons), len(drills), person.is_secretary,
        records=bool(lessons or drills or logged),
    )  # fmt: skip
    await say(update, context, text, markup)
    return END


async def branch_pressed(update: Update, context: XContext) -> object:
    finish(context)
    return await _coverage(update, context)


async def _coverage(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        term = await terms.term_for(conn, context.today())
        lines = await safety.coverage(conn, secretary.branch_id, term)
        summary = await safety.summary(conn, secretary.branch_id, term, lines)
        branch = await branches.get(conn, secretary.branch_id)
    text = views.coverage(context.t, branch.name if branch else "", term, lines, summary)
    await say(update, context, text)
    return END


async def lesson_pressed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    return await _ask_date(update, context, "lesson")


async def drill_pressed(update: Update, context: XContext) -> object:
    require_branch_person(context)
    return await _ask_date(update, context, "drill")


async def school_pressed(update: Update, context: XContext) -> object:
    require_secretary(context)
    return await _ask_date(update, context, "school")


async def _ask_date(update: Update, context: XContext, mode: str) -> object:
    start(context, mode)
    await say_from_button(update, context, context.t("sf.ask.date"), cancel_only(context.t))
    return DATE


async def date_typed(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    day = await typed_date(update, context)
    if day is None:
        return DATE
    today = context.today()
    try:
        safety.check_date(day, today)
    except SafetyProblem as exc:
        return await problem(update, context, exc.code, DATE)
    flow = data(context)
    flow["date"] = day.isoformat()
    if flow["mode"] != "lesson":
        text, markup = views.drill_choices(context.t)
        await say(update, context, text, markup)
        return KIND
    async with context.db.read() as conn:
        classes = await safety.recent_classes(conn, person.id)
    flow["classes"] = classes
    text, markup = views.class_choices(context.t, classes)
    await say(update, context, text, markup)
    return CLASS


# --------------------------------------------------------------------------- the term's records


async def records_pressed(update: Update, context: XContext) -> None:
    require_private(update)
    parse_callback(update, "sf")
    person = require_branch_person(context)
    async with context.db.read() as conn:
        term = await terms.term_for(conn, context.today())
        lessons = await safety.lessons_for_member(conn, person.id, term)
        taken = await safety.drills_for_member(conn, person.id, term)
        roles = {drill.id: drill.role for drill in taken}
        drills: dict[int, Drill] = {drill.id: drill for drill in taken}
        drills.update({d.id: d for d in await safety.drills_logged_by(conn, person.id, term)})
        lines = [
            (drill, roles.get(drill.id), len(await safety.participants(conn, drill.id)))
            for drill in sorted(drills.values(), key=lambda d: (d.on_date, d.id), reverse=True)
        ]
    text, markup = views.safety_records(context.t, term, lessons, lines, person.id)
    await say(update, context, text, markup)


async def _own_record(context: XContext, callback: Callback) -> Lesson | Drill:
    """The lesson or drill a [撤回] button names, if this person logged it, it still counts
    and its term is the current one (the rule of ``safety.withdraw_lesson`` and
    ``withdraw_drill``): a button on an old message must not change a past term."""
    person = require_branch_person(context)
    kind = callback.str_arg(0)
    if kind not in ("lesson", "drill"):
        raise BadButton()
    record: Lesson | Drill
    if kind == "lesson":
        record = await require_found(context, safety.get_lesson, callback.int_arg(1))
        owner = record.member_id
    else:
        record = await require_found(context, safety.get_drill, callback.int_arg(1))
        owner = record.logged_by
    if owner != person.id:
        raise (
            OtherBranch()
            if record.branch_id != person.branch_id
            else Refusal("sf.withdraw.not_yours")
        )
    if record.status != "active":
        raise Refusal("sf.withdraw.already")
    try:
        async with context.db.read() as conn:
            await safety.check_withdrawable(conn, record.on_date, context.today())
    except SafetyProblem as exc:
        raise Refusal("sf.withdraw.past_term") from exc
    return record


async def _record_line(context: XContext, record: Lesson | Drill) -> str:
    if isinstance(record, Lesson):
        return views.lesson_line(context.t, record)
    async with context.db.read() as conn:
        people = await safety.participants(conn, record.id)
        role = await safety.role_in(conn, record.id, record.logged_by)
    return views.drill_line(context.t, record, role, len(people))


async def _withdraw_question(context: XContext, record: Lesson | Drill) -> str:
    line = Raw(await _record_line(context, record))
    if isinstance(record, Drill) and record.scope is DrillScope.SCHOOL:
        async with context.db.read() as conn:
            people = await safety.participants(conn, record.id)
        return context.t("sf.withdraw.confirm_school", count=len(people), summary=line)
    return context.t("sf.withdraw.confirm", summary=line)


async def _withdraw(context: XContext, record: Lesson | Drill) -> str:
    person = require_branch_person(context)
    line = Raw(await _record_line(context, record))
    now, today = context.now(), context.today()
    try:
        async with context.db.transaction() as tx:
            if isinstance(record, Lesson):
                await safety.withdraw_lesson(
                    tx, record.id, member_id=person.id, now=now, today=today
                )
            else:
                await safety.withdraw_drill(tx, record.id, actor_id=person.id, now=now, today=today)
    except safety.NotFound as exc:  # withdrawn meanwhile (a second press, another chat)
        raise Refusal("sf.withdraw.already") from exc
    except SafetyProblem as exc:  # the term ended since the question was asked
        raise Refusal("sf.withdraw.past_term") from exc
    return context.t("sf.withdraw.done", summary=line)


def _kept(context: XContext, record: Lesson | Drill) -> str:
    return context.t("sf.withdraw.kept")


WITHDRAWAL = Withdrawal("sf", _own_record, _withdraw_question, _withdraw, _kept)


# --------------------------------------------------------------------------- lesson


async def class_pressed(update: Update, context: XContext) -> object:
    index = parse_callback(update, "sf").int_arg(0)
    classes = data(context).get("classes") or []
    if index >= len(classes):
        raise BadButton()
    await remove_buttons(update)
    return await _class_chosen(update, context, str(classes[index]))


async def class_typed(update: Update, context: XContext) -> object:
    return await _class_chosen(update, context, typed(update))


async def _class_chosen(update: Update, context: XContext, text: str) -> object:
    try:
        data(context)["class_name"] = safety.clean_class(text)
    except SafetyProblem as exc:
        return await problem(update, context, exc.code, CLASS)
    prompt, markup = views.topic_choices(context.t)
    await say(update, context, prompt, markup)
    return TOPIC


async def topic_answered(update: Update, context: XContext) -> object:
    topic = await _choice(update, context, SafetyTopic, "sf.topic")
    if topic is None:
        return TOPIC
    data(context)["topic"] = topic.value
    await say(update, context, context.t("sf.ask.students"), cancel_only(context.t))
    return STUDENTS


async def students_typed(update: Update, context: XContext) -> object:
    count = parse_count(typed(update))
    if count is None:
        return await problem(update, context, "students_range", STUDENTS)
    try:
        safety.check_students(count)
    except SafetyProblem as exc:
        return await problem(update, context, exc.code, STUDENTS)
    data(context)["students"] = count
    await say(update, context, context.t("sf.ask.photo"), views.skip_markup(context.t))
    return PHOTO


async def photo_expected(update: Update, context: XContext) -> object:
    await say(update, context, context.t("sf.photo_or_skip"), views.skip_markup(context.t))
    return PHOTO


async def _save_lesson(update: Update, context: XContext, photo: str | None) -> object:
    """The lesson with its photo (None: skipped)."""
    person = require_branch_person(context)
    flow = data(context)
    try:
        fields = LessonFields(
            on_date=date.fromisoformat(flow["date"]),
            class_name=flow["class_name"],
            topic=SafetyTopic(flow["topic"]),
            students=int(flow["students"]),
            photo_file_id=photo,
            today=context.today(),
        )
    except (ValidationError, SafetyProblem) as exc:
        finish(context)
        await say(update, context, context.t(f"sf.problem.{_code(exc)}"))
        return END
    async with context.db.transaction() as tx:
        await safety.log_lesson(
            tx, member_id=person.id, branch_id=person.branch_id, fields=fields, now=context.now()
        )
    finish(context)
    t = context.t
    saved = t(
        "sf.lesson.saved",
        date=fields.on_date.isoformat(),
        class_name=fields.class_name,
        topic=views.topic_name(t, fields.topic),
        students=fields.students,
    )
    await say(update, context, saved)
    return END


# --------------------------------------------------------------------------- drills


async def kind_answered(update: Update, context: XContext) -> object:
    kind = await _choice(update, context, DrillKind, "sf.kind")
    if kind is None:
        return KIND
    flow = data(context)
    flow["kind"] = kind.value
    if flow["mode"] == "drill":
        await say(update, context, context.t("sf.ask.role"), cancel_only(context.t))
        return ROLE
    secretary = require_secretary(context)
    flow["chosen"] = []
    async with context.db.read() as conn:
        roster = await meetings.branch_members(conn, secretary.branch_id)
    text, markup = views.people_choices(context.t, roster, set())
    await say(update, context, text, markup)
    return PEOPLE


async def role_typed(update: Update, context: XContext) -> object:
    person = require_branch_person(context)
    flow = data(context)
    try:
        role = safety.clean_role(typed(update))
        fields = DrillFields(on_date=date.fromisoformat(flow["date"]), kind=DrillKind(flow["kind"]),
                             today=context.today())  # fmt: skip
    except SafetyProblem as exc:
        return await problem(update, context, exc.code, ROLE)
    async with context.db.transaction() as tx:
        await safety.log_own_drill(
            tx, member_id=person.id, branch_id=person.branch_id, fields=fields, role=role,
            now=context.now(),
        )  # fmt: skip
    finish(context)
    t = context.t
    await say(update, context, t("sf.drill.saved", date=fields.on_date.isoformat(),
                                 kind=views.drill_name(t, fields.kind), role=role))  # fmt: skip
    return END


async def who_pressed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    member_id = parse_callback(update, "sf").int_arg(0)
    flow = data(context)
    chosen = {int(i) for i in flow.get("chosen", [])}
    chosen ^= {member_id}
    flow["chosen"] = sorted(chosen)
    async with context.db.read() as conn:
        roster = await meetings.branch_members(conn, secretary.branch_id)
    if member_id not in {m.id for m in roster}:
        raise Refusal("sf.problem.not_in_branch")
    text, markup = views.people_choices(context.t, roster, chosen)
    await reply.ack(update)
    await reply.replace(update, context, text, markup)
    return PEOPLE


async def people_done(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    flow = data(context)
    chosen = [int(i) for i in flow.get("chosen", [])]
    if not chosen:
        await say(update, context, context.t("sf.problem.no_participants"))
        return PEOPLE
    fields = DrillFields(on_date=date.fromisoformat(flow["date"]), kind=DrillKind(flow["kind"]),
                         today=context.today())  # fmt: skip
    try:
        async with context.db.transaction() as tx:
            await safety.log_school_drill(
                tx, branch_id=secretary.branch_id, fields=fields, participant_ids=chosen,
                actor_id=secretary.id, now=context.now(),
            )  # fmt: skip
    except SafetyProblem as exc:
        return await problem(update, context, exc.code, PEOPLE)
    finish(context)
    t = context.t
    await say_from_button(update, context, t("sf.school.saved", date=fields.on_date.isoformat(),
                                             kind=views.drill_name(t, fields.kind),
                                             count=len(chosen)))  # fmt: skip
    return END


async def _choice(
    update: Update, context: XContext, choices: type[Choice], prefix: str
) -> Choice | None:
    """The choice a button names (its buttons then go), or one typed by its name in either
    language (消防, fire); ``None`` once the person has been asked to use the buttons."""
    if update.callback_query is not None:
        try:
            choice = choices(parse_callback(update, "sf").str_arg(0))
        except ValueError as exc:
            raise BadButton() from exc
        await remove_buttons(update)
        return choice
    wanted = normal(typed(update))
    for choice in choices:
        if wanted in {normal(t(f"{prefix}.{choice.value}")) for t in _translators()}:
            return choice
    await say(update, context, context.t("input.use_buttons"))
    return None


def _translators() -> list[Translator]:
    return [Translator(language) for language in ("zh", "en")]
