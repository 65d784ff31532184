"""/holidays (admins): what the calendar knows of a year, and the bureau's corrections to
it (a day off or a make-up working day, 调休) for years no library knows yet."""

from __future__ import annotations

import re
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

import handlers.holidays.texts  # noqa: F401  (registers the catalog)
from handlers.common.callback import encode, presses
from handlers.common.context import XContext
from handlers.common.guards import parse_callback, require_admin, require_private
from handlers.common.i18n import Translator
from handlers.common.registry import Registrar
from handlers.common.reply import replace, reply
from handlers.common.services import CommandSpec
from storage import audit, calendar
from storage.calendar import DayKind, Override
from storage.members import Role

ADMIN = frozenset({Role.ADMIN})
COMMANDS = [CommandSpec("holidays", "cmd.holidays", ADMIN)]
# Words an admin may type for each kind of day, Chinese or English.
KIND_WORDS = {
    "off": DayKind.HOLIDAY,
    "holiday": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "work": DayKind.WORKDAY,
    "workday": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}
ADD_WORDS = {"add", "set", "添加", "设置"}
REMOVE_WORDS = {"remove", "delete", "删除", "取消"}
_DATE = re.compile(r"^(\d{4})-?(\d{1,2})-?(\d{1,2})$")


def register(reg: Registrar) -> None:
    reg.add(CommandHandler("holidays", holidays_command))
    reg.add(*presses("hol", ok=confirmed, no=cancelled))


async def holidays_command(update: Update, context: XContext) -> None:
    """``/holidays [year]`` shows; ``/holidays add DATE off|work`` and
    ``/holidays remove DATE`` ask for a confirmation."""
    require_private(update)
    require_admin(context)
    args = context.args or []
    if not args:
        await reply(
            update,
            context,
            year_view(context.t, context.now().astimezone(context.config.zone).year),
        )
        return
    verb = args[0].lower()
    if len(args) == 1 and args[0].isdigit() and 2000 <= int(args[0]) <= 2100:
        await reply(update, context, year_view(context.t, int(args[0])))
        return
    day = _parse_date(args[1]) if len(args) >= 2 else None
    if verb in ADD_WORDS and day is not None and len(args) == 3 and args[2].lower() in KIND_WORDS:
        kind = KIND_WORDS[args[2].lower()]
        text = context.t(
            "holidays.confirm_add",
            day=day.isoformat(),
            weekday=_weekday(context.t, day),
            kind=context.t(f"holidays.kind.{kind.value}"),
        )
        await reply(update, context, text, _confirm(context.t, day, kind.value))
        return
    if verb in REMOVE_WORDS and day is not None and len(args) == 2:
        if not any(o.day == day for o in calendar.overrides()):
            await reply(update, context, context.t("holidays.not_set", day=day.isoformat()))
            return
        text = context.t("holidays.confirm_remove", day=day.isoformat())
        await reply(update, context, text, _confirm(context.t, day, "remove"))
        return
    await reply(update, context, context.t("holidays.bad") + "\n" + context.t("holidays.usage"))


async def confirmed(update: Update, context: XContext) -> None:
    require_private(update)
    data = parse_callback(update, "hol")
    admin = require_admin(context)
    day = _parse_date(data.str_arg(0))
    action = data.str_arg(1)
    if day is None or action not in {"holiday", "workday", "remove"}:
        raise ValueError("bad calendar callback")
    now = context.now()
    async with context.db.transaction() as tx:
        if action == "remove":
            await calendar.remove_override(tx, day)
        else:
            await calendar.set_override(
                tx, Override(day, DayKind(action)), set_by=admin.id, now=now
            )
        await audit.record(
            tx,
            at=now,
            actor_id=admin.id,
            action=f"calendar.{'removed' if action == 'remove' else 'set'}",
            entity="calendar_day",
            entity_id=day.isoformat(),
            kind=action,
        )
    async with context.db.read() as conn:
        await calendar.load_overrides(conn)
    query = update.callback_query
    assert query is not None
    await query.answer()
    if action == "remove":
        await replace(update, context, context.t("holidays.removed", day=day.isoformat()))
    else:
        kind = context.t(f"holidays.kind.{action}")
        await replace(update, context, context.t("holidays.added", day=day.isoformat(), kind=kind))


async def cancelled(update: Update, context: XContext) -> None:
    require_private(update)
    require_admin(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await replace(update, context, context.t("holidays.cancelled"))


def year_view(t: Translator, year: int) -> str:
    """The year's source, its days off as ranges, its make-up working days, the overrides."""
    source = calendar.year_source(year)
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    days = [d for d in days if d.year == year]
    off = [d for d in days if calendar.is_holiday(d)]
    work = [d for d in days if d.weekday() >= 5 and calendar.is_working_day(d)]
    own = [o for o in calendar.overrides() if o.day.year == year]
    none = t.plain("holidays.none")
    lines = [
        t("holidays.title", year=year, source=t.plain(f"holidays.source.{source.value}")),
        t("holidays.days_off") + " " + ("、".join(_ranges(off)) or none),
        t("holidays.workdays") + " " + ("、".join(f"{d:%m-%d}" for d in work) or none),
    ]
    if own:
        lines.append(t("holidays.overrides"))
        lines += [
            t(
                "holidays.override_line",
                day=o.day.isoformat(),
                kind=t.plain(f"holidays.kind.{o.kind.value}"),
            )
            for o in own
        ]
    lines += ["", t("holidays.usage")]
    return "\n".join(lines)


def _ranges(days: list[date]) -> list[str]:
    """Consecutive dates as "10-01–10-08"."""
    spans: list[tuple[date, date]] = []
    for day in days:
        if spans and spans[-1][1] + timedelta(days=1) == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return [f"{a:%m-%d}" if a == b else f"{a:%m-%d}–{b:%m-%d}" for a, b in spans]


def _confirm(t: Translator, day: date, action: str) -> InlineKeyboardMarkup:
    stamp = f"{day:%Y%m%d}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.plain("holidays.yes"), callback_data=encode("hol", "ok", stamp, action)
                ),
                InlineKeyboardButton(
                    t.plain("holidays.no"), callback_data=encode("hol", "no", stamp)
                ),
            ]
        ]
    )


def _parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _weekday(t: Translator, day: date) -> str:
    names = t.plain("holidays.weekday")
    return names.split()[day.weekday()] if " " in names else names[day.weekday()]
