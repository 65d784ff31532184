"""/meeting: a secretary records a meeting held, or announces one ahead, and fills in its
record (attendance by tapping names, chair, recorder, key points, decisions and votes,
列席, photos) before submitting it for the bureau's review."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Collection, Iterator
from datetime import date, time
from typing import Any, TypeVar

from pydantic import ValidationError
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import delivery, reply
from handlers.common.callback import pattern, presses
from handlers.common.context import XContext
from handlers.common.errors import BadButton, Refusal
from handlers.common.flows import (
    END,
    OTHER,
    Handlers,
    Step,
    cancel_button,
    remove_buttons,
    step_handlers,
)
from handlers.common.guards import (
    parse_callback,
    require_branch_access,
    require_found,
    require_private,
    require_secretary,
)
from handlers.common.reply import answering
from handlers.common.typed import choose, is_skip
from handlers.common.views import cancel_only
from handlers.meetings import views
from handlers.meetings.common import (
    data,
    finish,
    guest_name,
    parse_names,
    parse_times,
    parse_votes,
    say,
    say_from_button,
    start,
    typed,
    typed_date,
)
from storage import branches, meetings, members, party_groups
from storage.meetings import (
    PHOTOS_MAX,
    CorrectionOpen,
    IllegalTransition,
    Meeting,
    MeetingChanged,
    MeetingFields,
    MeetingKind,
    MeetingProblem,
    MeetingRecord,
    MeetingStatus,
    Presence,
)
from storage.members import Role, Secretary

DATE, TIME, TOPIC, PLACE, SAME = "mt.date", "mt.time", "mt.topic", "mt.place", "mt.same"
GROUP = "mt.group"
T = TypeVar("T")
FIELD, VOTES, REASON, PHOTO = "mt.field", "mt.votes", "mt.reason", "mt.photo"
PEOPLE_FIELDS = ("chair", "recorder", "lecturer")
TEXT_FIELDS = ("topic", "time", "place", "key_points", "decisions", "observers")


def entry_points() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("meeting", meeting_command),
        *presses(
            "mt",
            new=new_pressed,
            open=open_pressed,
            f=field_pressed,
            pick=pick_pressed,
            att=attendance_pressed,
            tog=toggle_pressed,
            all=all_present_pressed,
            attok=attendance_done,
            ph=photos_pressed,
            phok=photos_done,
            held=held_pressed,
            sub=submit_pressed,
            wd=withdraw_pressed,
            fix=correction_pressed,
        ),
    ]


def states() -> dict[object, list[BaseHandler[Any, Any, Any]]]:
    def typed_step(callback: Step) -> Handlers:
        return step_handlers("mt", callback, text_expected)

    return {
        DATE: typed_step(date_typed),
        TIME: typed_step(time_typed),
        TOPIC: typed_step(topic_typed),
        PLACE: typed_step(place_typed),
        SAME: [
            CallbackQueryHandler(same_pressed, pattern=pattern("mt", "same")),
            MessageHandler(OTHER, use_buttons),
        ],
        GROUP: step_handlers("mt", group_typed, use_buttons, ng=group_pressed),
        FIELD: typed_step(field_typed),
        VOTES: typed_step(votes_typed),
        REASON: typed_step(reason_typed),
        PHOTO: [
            MessageHandler(filters.PHOTO, photo_received),
            MessageHandler(OTHER, photo_expected),
        ],
    }


# --------------------------------------------------------------------------- refusals


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """Storage's objections as the polite refusals the error handler (or a step) says."""
    try:
        yield
    except MeetingProblem as exc:
        raise Refusal(f"mt.problem.{exc.code}") from exc
    except ValidationError as exc:
        raise Refusal(f"mt.problem.{meetings.problem_code(exc)}") from exc
    except IllegalTransition as exc:
        raise Refusal("mt.locked") from exc
    except MeetingChanged as exc:
        raise Refusal("mt.changed") from exc
    except CorrectionOpen as exc:
        raise Refusal("mt.correction_open") from exc


async def again(
    update: Update,
    context: XContext,
    refusal: Refusal,
    state: str,
    *,
    ending: Collection[str] = (),
) -> object:
    """Say what was wrong with the typed answer and stay on the step; a refusal in
    ``ending`` (nothing is left to answer: the meeting closed, the record changed) ends it."""
    await say(update, context, context.t(refusal.key, **refusal.kwargs))
    if refusal.key in ending:
        finish(context)
        return END
    return state


text_expected = answering("input.text_expected")


use_buttons = answering("input.use_buttons")


async def own_meeting(context: XContext, meeting_id: int) -> tuple[Secretary, Meeting]:
    """The secretary pressing, and the meeting, which must be their branch's."""
    secretary = require_secretary(context)
    meeting = await require_found(context, meetings.get, meeting_id)
    require_branch_access(secretary, meeting.branch_id)
    return secretary, meeting


async def member_pressed(
    update: Update,
    context: XContext,
    own: Callable[[XContext, int], Awaitable[tuple[Secretary, T]]],
) -> tuple[Secretary, T, int]:
    """A member's button under a meeting or a party group (``mt:<action>:<id>:<member>``):
    the secretary pressing, what ``own`` loads (their branch's), and the member's id."""
    callback = parse_callback(update, "mt")
    secretary, owned = await own(context, callback.int_arg(0))
    return secretary, owned, callback.int_arg(1)


async def back_to_card(
    update: Update, context: XContext, meeting_id: int, *, pressed: bool = False
) -> object:
    """End the step with the record card; a ``pressed`` message loses its buttons first."""
    finish(context)
    if pressed:
        await remove_buttons(update)
    await show_card(update, context, meeting_id)
    return END


async def show_card(update: Update, context: XContext, meeting_id: int) -> None:
    record = await require_found(context, meetings.get_record, meeting_id)
    text, markup = views.card(context.t, record)
    await say(update, context, text, markup)


# --------------------------------------------------------------------------- starting


async def meeting_command(update: Update, context: XContext) -> object:
    require_private(update)
    secretary = require_secretary(context)
    finish(context)
    async with context.db.read() as conn:
        open_records = await meetings.open_records(conn, secretary.branch_id)
    text, markup = views.start_screen(context.t, open_records)
    await say(update, context, text, markup)
    return END


async def new_pressed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    callback = parse_callback(update, "mt")
    kind = callback.enum_arg(MeetingKind)
    start(context, "new", kind=kind.value)
    if kind is MeetingKind.GROUP:
        async with context.db.read() as conn:
            groups = await party_groups.for_branch(conn, secretary.branch_id)
        if groups:
            # A 党小组会 is one group's: its members are the ones expected.
            text, markup = views.group_choices(context.t, kind, groups)
            await say_from_button(update, context, text, markup)
            return GROUP
    await _ask_date(update, context, kind)
    return DATE


async def _ask_date(update: Update, context: XContext, kind: MeetingKind) -> None:
    await say_from_button(
        update, context, context.t("mt.ask.date", kind=views.kind_name(context.t, kind)),
        cancel_only(context.t),
    )  # fmt: skip


async def group_pressed(update: Update, context: XContext) -> object:
    return await _group_chosen(update, context, parse_callback(update, "mt").int_arg(0))


async def group_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        groups = await party_groups.for_branch(conn, secretary.branch_id)
    chosen = choose(typed(update), [(g.id, [g.name]) for g in groups])
    if chosen is None:
        await say(update, context, context.t("input.use_buttons"))
        return GROUP
    return await _group_chosen(update, context, chosen)


async def _group_chosen(update: Update, context: XContext, group_id: int) -> object:
    secretary = require_secretary(context)
    async with context.db.read() as conn:
        group = await party_groups.get(conn, group_id)
    if group is None or group.branch_id != secretary.branch_id:
        raise Refusal("mt.problem.group_unknown")
    flow = data(context)
    flow["group_id"] = group.id
    await _ask_date(update, context, MeetingKind(flow["kind"]))
    return DATE


async def date_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    day = await typed_date(update, context)
    if day is None:
        return DATE
    today = context.today()
    flow = data(context)
    flow["date"] = day.isoformat()
    if day > today:
        flow["ahead"] = True
        await say(update, context, context.t("mt.ask.time"), cancel_only(context.t))
        return TIME
    kind = MeetingKind(flow["kind"])
    async with context.db.read() as conn:
        same = await meetings.same_meeting(
            conn, secretary.branch_id, kind, day, flow.get("group_id")
        )
    if same:
        existing = same[0]
        t = context.t
        text = t("mt.same", date=day.isoformat(), kind=views.kind_name(t, kind),
                 status=views.status_name(t, existing.status))  # fmt: skip
        markup = InlineKeyboardMarkup(
            [
                [views.button(t("mt.button.correct"), "mt", "same", "fix", existing.id)],
                [views.button(t("mt.button.another"), "mt", "same", "new", existing.id)],
                [cancel_button(t)],
            ]
        )
        await say(update, context, text, markup)
        return SAME
    await say(update, context, context.t("mt.ask.time_optional"), cancel_only(context.t))
    return TIME


async def same_pressed(update: Update, context: XContext) -> object:
    callback = parse_callback(update, "mt")
    action = callback.str_arg(0)
    _, existing = await own_meeting(context, callback.int_arg(1))
    await remove_buttons(update)
    if action == "new":
        await say(update, context, context.t("mt.ask.time_optional"), cancel_only(context.t))
        data(context)["allow_same"] = True
        return TIME
    if action != "fix":
        raise BadButton()
    finish(context)
    if existing.status is MeetingStatus.APPROVED:
        return await _correct(update, context, existing)
    # Not approved yet: the record itself is still open to change (or waits for review).
    await show_card(update, context, existing.id)
    return END


async def time_typed(update: Update, context: XContext) -> object:
    flow = data(context)
    text = typed(update)
    if not flow.get("ahead") and is_skip(text):
        flow["start_time"] = flow["end_time"] = None
    else:
        times = parse_times(text)
        if times is None:
            await say(update, context, context.t("mt.bad.time"))
            return TIME
        flow["start_time"] = times[0].strftime("%H:%M")
        flow["end_time"] = times[1].strftime("%H:%M") if times[1] else None
    await say(update, context, context.t("mt.ask.topic"), cancel_only(context.t))
    return TOPIC


async def topic_typed(update: Update, context: XContext) -> object:
    try:
        topic = meetings.clean_line(typed(update), meetings.TOPIC_MIN, meetings.TOPIC_MAX,
                                    "topic_length")  # fmt: skip
    except MeetingProblem as exc:
        return await again(update, context, Refusal(f"mt.problem.{exc.code}"), TOPIC)
    flow = data(context)
    flow["topic"] = topic
    key = "mt.ask.place_ahead" if flow.get("ahead") else "mt.ask.place"
    await say(update, context, context.t(key), cancel_only(context.t))
    return PLACE


async def place_typed(update: Update, context: XContext) -> object:
    secretary = require_secretary(context)
    flow = data(context)
    text = typed(update)
    place: str | None = None
    if flow.get("ahead") or not is_skip(text):
        try:
            place = meetings.clean_line(text, 1, meetings.PLACE_MAX, "place_length")
        except MeetingProblem as exc:
            return await again(update, context, Refusal(f"mt.problem.{exc.code}"), PLACE)
    try:
        with refusals():
            fields = MeetingFields(
                kind=MeetingKind(flow["kind"]),
                on_date=date.fromisoformat(flow["date"]),
                start_time=_time(flow.get("start_time")),
                end_time=_time(flow.get("end_time")),
                place=place,
                topic=flow["topic"],
            )
            meeting = await _create(context, secretary, fields, ahead=bool(flow.get("ahead")),
                                    allow_same=bool(flow.get("allow_same")),
                                    group_id=flow.get("group_id"))  # fmt: skip
    except Refusal as refusal:
        finish(context)
        await say(update, context, context.t(refusal.key, **refusal.kwargs))
        return END
    finish(context)
    if isinstance(meeting, tuple):
        announced, count = meeting
        await say(update, context, context.t("mt.announced", count=count))
        await show_card(update, context, announced.id)
    else:
        await show_card(update, context, meeting.id)
    return END


async def _create(
    context: XContext, secretary: Secretary, fields: MeetingFields, *, ahead: bool,
    allow_same: bool, group_id: int | None,
) -> Meeting | tuple[Meeting, int]:  # fmt: skip
    """Record the meeting (expecting the whole branch, or the party group's members), or
    announce it and tell everyone expected, through the outbox, in the same transaction."""
    async with context.db.transaction() as tx:
        roster = await meetings.branch_members(tx, secretary.branch_id)
        ids = [m.id for m in roster]
        if group_id is not None:
            ids = await party_groups.member_ids(tx, group_id)
            if not ids:
                raise MeetingProblem("group_empty")
        new = meetings.NewMeeting(
            branch_id=secretary.branch_id, fields=fields, attendee_ids=ids,
            actor_id=secretary.id, today=context.today(), now=context.now(), group_id=group_id,
        )  # fmt: skip
        if not ahead:
            return await meetings.record(tx, allow_same=allow_same, **new)
        meeting = await meetings.announce(tx, **new)
        branch = await branches.get(tx, secretary.branch_id)
        branch_name = branch.name if branch else ""
        others = [m for m in roster if m.id in ids and m.id != secretary.id]
        await delivery.tell(
            tx, context, others, "meeting.announce",
            lambda t: views.announcement(t, meeting, branch_name), key=str(meeting.id),
        )  # fmt: skip
    delivery.wake(context)
    return meeting, len(others)


def _time(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


async def open_pressed(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    return await back_to_card(update, context, meeting.id)


# --------------------------------------------------------------------------- fields


async def field_pressed(update: Update, context: XContext) -> object:
    callback = parse_callback(update, "mt")
    _, meeting = await own_meeting(context, callback.int_arg(0))
    field = callback.str_arg(1)
    if field not in PEOPLE_FIELDS + TEXT_FIELDS:
        raise BadButton()
    if not meeting.editable:
        raise Refusal("mt.locked")
    start(context, "field", meeting_id=meeting.id, field=field)
    t = context.t
    if field in PEOPLE_FIELDS:
        async with context.db.read() as conn:
            roster = await meetings.branch_members(conn, meeting.branch_id)
        text, markup = views.people_picker(t, meeting.id, field, roster)
    else:
        prompt = {
            "topic": "mt.ask.topic",
            "time": "mt.ask.time_optional",
            "place": "mt.ask.place",
            "key_points": "mt.ask.key_points",
            "decisions": "mt.ask.decisions",
            "observers": "mt.ask.observers",
        }[field]
        text, markup = t(prompt), cancel_only(context.t)
    await say(update, context, text, markup)
    return FIELD


async def pick_pressed(update: Update, context: XContext) -> object:
    """A branch member chosen as chair, recorder or lecturer."""
    callback = parse_callback(update, "mt")
    _, meeting = await own_meeting(context, callback.int_arg(0))
    field = callback.str_arg(1)
    if field not in PEOPLE_FIELDS:
        raise BadButton()
    async with context.db.read() as conn:
        chosen = await members.get(conn, callback.int_arg(2))
    if chosen is None:
        raise Refusal("mt.problem.person_not_in_branch")
    finish(context)
    await _edit(context, meeting, **{f"{field}_id": chosen.id, f"{field}_name": chosen.name})
    await remove_buttons(update)
    await show_card(update, context, meeting.id)
    return END


async def field_typed(update: Update, context: XContext) -> object:
    flow = data(context)
    _, meeting = await own_meeting(context, int(flow["meeting_id"]))
    field = str(flow["field"])
    text = typed(update)
    try:
        with refusals():
            changes = await _changes(context, meeting, field, text)
            if changes is None:
                return FIELD
            await _edit(context, meeting, **changes)
    except Refusal as refusal:
        return await again(update, context, refusal, FIELD)
    if field == "decisions" and changes.get("decisions") is not None:
        await say(update, context, context.t("mt.ask.votes"), cancel_only(context.t))
        return VOTES
    return await back_to_card(update, context, meeting.id)


async def _changes(
    context: XContext, meeting: Meeting, field: str, text: str
) -> dict[str, Any] | None:
    """What a typed answer changes (``MeetingProblem`` if it cannot); None after a
    message was already said and the step stays."""
    if field in PEOPLE_FIELDS:
        guest = guest_name(text)
        if guest is not None:
            return {f"{field}_id": None, f"{field}_name": meetings.clean_name(guest)}
        async with context.db.read() as conn:
            roster = await meetings.branch_members(conn, meeting.branch_id)
        name = " ".join(text.split())
        match = next((m for m in roster if m.name == name), None)
        if match is None:
            raise Refusal("mt.bad.person", name=name)
        return {f"{field}_id": match.id, f"{field}_name": match.name}
    if field == "topic":
        return {"topic": text}
    if field == "place":
        return {"place": None if is_skip(text) else text}
    if field == "time":
        if is_skip(text):
            return {"start_time": None, "end_time": None}
        times = parse_times(text)
        if times is None:
            raise Refusal("mt.bad.time")
        return {"start_time": times[0], "end_time": times[1]}
    if field == "key_points":
        return {"key_points": text}
    if field == "decisions":
        if is_skip(text):
            return {"decisions": None, "votes_for": None, "votes_against": None,
                    "votes_abstain": None}  # fmt: skip
        return {"decisions": text}
    if field == "observers":
        return {"observers": [] if is_skip(text) else parse_names(text)}
    raise BadButton()


async def votes_typed(update: Update, context: XContext) -> object:
    flow = data(context)
    _, meeting = await own_meeting(context, int(flow["meeting_id"]))
    text = typed(update)
    if is_skip(text):
        changes: dict[str, Any] = {"votes_for": None, "votes_against": None, "votes_abstain": None}
    else:
        votes = parse_votes(text)
        if votes is None:
            await say(update, context, context.t("mt.bad.votes"))
            return VOTES
        changes = dict(zip(("votes_for", "votes_against", "votes_abstain"), votes, strict=True))
    try:
        with refusals():
            await _edit(context, meeting, **changes)
    except Refusal as refusal:
        return await again(update, context, refusal, VOTES)
    return await back_to_card(update, context, meeting.id)


async def _edit(context: XContext, meeting: Meeting, **changes: Any) -> Meeting:
    with refusals():
        async with context.db.transaction() as tx:
            fresh = await meetings.get(tx, meeting.id)
            assert fresh is not None
            return await meetings.edit(
                tx, fresh, actor_id=_actor(context), today=context.today(), now=context.now(),
                **changes,
            )  # fmt: skip


def _actor(context: XContext) -> int:
    assert context.member is not None
    return context.member.id


# --------------------------------------------------------------------------- attendance


async def attendance_pressed(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.RETURNED):
        raise Refusal("mt.locked")
    finish(context)
    record = await _record(context, meeting.id)
    text, markup = views.attendance(context.t, record)
    await say(update, context, text, markup)
    return END


async def toggle_pressed(update: Update, context: XContext) -> object:
    """⬜ → ✅ → ❌ → ✅ …: one tap moves a name on; the list is redrawn in place."""
    _, meeting, member_id = await member_pressed(update, context, own_meeting)
    with refusals():
        async with context.db.transaction() as tx:
            found = await meetings.attendee(tx, meeting.id, member_id)
            if found is None:
                raise MeetingProblem("not_expected")
            after = Presence.ABSENT if found.presence is Presence.PRESENT else Presence.PRESENT
            await meetings.set_presence(
                tx, meeting, member_id, after, reason=found.absence_reason,
                actor_id=_actor(context), now=context.now(),
            )  # fmt: skip
    await _redraw_attendance(update, context, meeting.id)
    return None


async def all_present_pressed(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    with refusals():
        async with context.db.transaction() as tx:
            for a in await meetings.attendees(tx, meeting.id):
                if a.presence is not Presence.PRESENT:
                    await meetings.set_presence(
                        tx, meeting, a.member_id, Presence.PRESENT, actor_id=_actor(context),
                        now=context.now(),
                    )  # fmt: skip
    await _redraw_attendance(update, context, meeting.id)
    return None


async def _redraw_attendance(update: Update, context: XContext, meeting_id: int) -> None:
    record = await _record(context, meeting_id)
    text, markup = views.attendance(context.t, record)
    await reply.ack(update)
    await reply.replace(update, context, text, markup)


async def attendance_done(update: Update, context: XContext) -> object:
    """Attendance marked: ask why each one absent without a reason was away."""
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    record = await _record(context, meeting.id)
    await remove_buttons(update)
    waiting = views.absent_without_reason(record)
    if not waiting:
        return await back_to_card(update, context, meeting.id)
    start(context, "reason", meeting_id=meeting.id, queue=[a.member_id for a in waiting])
    await say(update, context, context.t("mt.ask.absence", name=waiting[0].name),
              cancel_only(context.t))  # fmt: skip
    return REASON


async def reason_typed(update: Update, context: XContext) -> object:
    flow = data(context)
    _, meeting = await own_meeting(context, int(flow["meeting_id"]))
    queue = [int(i) for i in flow["queue"]]
    try:
        with refusals():
            async with context.db.transaction() as tx:
                await meetings.set_presence(
                    tx, meeting, queue[0], Presence.ABSENT, reason=typed(update),
                    actor_id=_actor(context), now=context.now(),
                )  # fmt: skip
    except Refusal as refusal:
        return await again(update, context, refusal, REASON)
    queue = queue[1:]
    flow["queue"] = queue
    if queue:
        async with context.db.read() as conn:
            person = await meetings.attendee(conn, meeting.id, queue[0])
        assert person is not None
        await say(update, context, context.t("mt.ask.absence", name=person.name),
                  cancel_only(context.t))  # fmt: skip
        return REASON
    return await back_to_card(update, context, meeting.id)


async def _record(context: XContext, meeting_id: int) -> MeetingRecord:
    return await require_found(context, meetings.get_record, meeting_id)


# --------------------------------------------------------------------------- photos


async def photos_pressed(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    if not meeting.editable:
        raise Refusal("mt.locked")
    start(context, "photos", meeting_id=meeting.id)
    markup = InlineKeyboardMarkup(
        [[views.button(context.t("mt.button.done"), "mt", "phok", meeting.id)]]
    )
    await say(update, context, context.t("mt.ask.photos", max=PHOTOS_MAX), markup)
    return PHOTO


async def photo_received(update: Update, context: XContext) -> object:
    flow = data(context)
    _, meeting = await own_meeting(context, int(flow["meeting_id"]))
    message = update.effective_message
    assert message is not None and message.photo
    file_id = message.photo[-1].file_id
    try:
        updated = await _edit(context, meeting, photos=[*meeting.photos, file_id])
    except Refusal as refusal:
        return await again(update, context, refusal, PHOTO)
    await say(update, context, context.t("mt.photo.added", count=len(updated.photos)))
    return PHOTO


photo_expected = answering("mt.photo.expected", PHOTO)


async def photos_done(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    return await back_to_card(update, context, meeting.id, pressed=True)


# --------------------------------------------------------------------------- moves


async def held_pressed(update: Update, context: XContext) -> object:
    """An announced meeting took place: its record opens, leave answers marked absent."""
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    with refusals():
        async with context.db.transaction() as tx:
            await meetings.mark_held(
                tx, meeting, actor_id=_actor(context), today=context.today(), now=context.now()
            )
    return await back_to_card(update, context, meeting.id, pressed=True)


async def submit_pressed(update: Update, context: XContext) -> object:
    secretary, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    try:
        with refusals():
            async with context.db.transaction() as tx:
                submitted = await meetings.submit(
                    tx, meeting, actor_id=secretary.id, now=context.now()
                )
                branch = await branches.get(tx, meeting.branch_id)
                admins = await members.with_roles(tx, Role.ADMIN)
                name = branch.name if branch else ""
                await delivery.tell(
                    tx, context, admins, "meeting.review",
                    lambda t: views.review_notice(t, submitted, name),
                )  # fmt: skip
    except Refusal as refusal:
        # Said as a message (not a passing alert): the secretary needs to read what is missing.
        await say(update, context, context.t(refusal.key, **refusal.kwargs))
        return END
    delivery.wake(context)
    await remove_buttons(update)
    await say(update, context, context.t("mt.submitted"))
    return END


async def withdraw_pressed(update: Update, context: XContext) -> object:
    """Cancel an announced meeting (those expected are told) or discard a record."""
    secretary, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    with refusals():
        async with context.db.transaction() as tx:
            expected = await meetings.attendees(tx, meeting.id)
            await meetings.withdraw(tx, meeting, actor_id=secretary.id, now=context.now())
            if meeting.status is MeetingStatus.ANNOUNCED:
                branch = await branches.get(tx, meeting.branch_id)
                name = branch.name if branch else ""
                people = [
                    p for p in await meetings.branch_members(tx, meeting.branch_id)
                    if p.id in {a.member_id for a in expected} and p.id != secretary.id
                ]  # fmt: skip
                await delivery.tell(
                    tx, context, people, "meeting.cancelled",
                    lambda t: t("mt.cancelled.text", branch=name,
                                date=meeting.on_date.isoformat(),
                                kind=views.kind_name(t, meeting.kind), topic=meeting.topic),
                    key=str(meeting.id),
                )  # fmt: skip
    delivery.wake(context)
    key = "mt.cancelled" if meeting.status is MeetingStatus.ANNOUNCED else "mt.withdrawn"
    await say_from_button(update, context, context.t(key))
    return END


async def correction_pressed(update: Update, context: XContext) -> object:
    _, meeting = await own_meeting(context, parse_callback(update, "mt").int_arg(0))
    finish(context)
    await remove_buttons(update)
    return await _correct(update, context, meeting)


async def _correct(update: Update, context: XContext, meeting: Meeting) -> object:
    with refusals():
        async with context.db.transaction() as tx:
            correction = await meetings.start_correction(
                tx, meeting, actor_id=_actor(context), now=context.now()
            )
    await say(update, context, context.t("mt.correction_started", version=correction.version))
    await show_card(update, context, correction.id)
    return END
