"""Reminder screens: the /settings switches, the branch's reminder times, the /notify preview
and message, and the secretary's monthly digest. Nothing here reads the database."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import handlers.reminders.texts  # noqa: F401  (fills the catalog)
from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Raw, Translator
from schedules.kinds import MUTABLE, SPECS, Kind
from schedules.quiet import QuietHours
from storage.members import Role
from storage.reminders import RULE_NAMES, BranchRules, Digest, rule_text

PREFIX = "rem"
NOTIFY_PREFIX = "ntf"
Screen = tuple[str, InlineKeyboardMarkup | None]

# Quick answers offered for each branch rule (typed answers work too).
TIME_CHOICES = ("07:30", "08:00", "09:00", "10:00", "16:00")
CHOICES: dict[str, tuple[str, ...]] = {
    "announce_days": ("1", "2", "3", "5", "7"),
    "monthly_day": ("1", "5", "10", "15", "25", "31"),
}
MAX_NAMES = 60
DIGEST_STATUSES = ("submitted", "returned", "published", "fulfilled", "evaluated")


def kinds_for(role: Role) -> list[Kind]:
    """The kinds this person can get, so the switches they see: a branch's people every
    kind meant for them; an admin only those naming admins (what the bureau decides)."""
    in_branch = role in (Role.MEMBER, Role.SECRETARY)
    return [
        k
        for k in MUTABLE
        if ((roles := SPECS[k].roles) is None and in_branch) or (roles and role in roles)
    ]


def kind_label(t: Translator, kind: str) -> str:
    return t(f"reminders.kind.{kind}")


def quiet_text(quiet: QuietHours) -> str:
    return f"{quiet.start:%H:%M}–{quiet.end:%H:%M}"


# --------------------------------------------------------------------------- /settings


def settings_screen(t: Translator, role: Role, muted: Collection[str], quiet: QuietHours) -> Screen:
    kinds = kinds_for(role)
    if not kinds:
        return t("reminders.settings.none"), None
    rows = []
    for kind in kinds:
        label = kind_label(t, kind.value)
        if kind.value in muted:
            text, action = t("reminders.switch.off", label=label), "on"
        else:
            text, action = t("reminders.switch.on", label=label), "off"
        rows.append([InlineKeyboardButton(text, callback_data=encode(PREFIX, action, kind.value))])
    if role is Role.SECRETARY:
        rows.append(
            [
                InlineKeyboardButton(
                    t("reminders.rules.button"), callback_data=encode(PREFIX, "rules")
                )
            ]
        )
    return t("reminders.settings.title", quiet=quiet_text(quiet)), InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------- branch times


def rule_label(t: Translator, name: str) -> str:
    return t(f"reminders.rule.{name}")


def rule_value(t: Translator, name: str, value: object) -> str:
    if name == "announce_days":
        return t("reminders.rule.days_value", n=str(value))
    if name == "monthly_day":
        return t("reminders.rule.monthly_value", n=str(value))
    return rule_text(value)


def rules_screen(t: Translator, branch: str, rules: BranchRules, quiet: QuietHours) -> Screen:
    lines = "\n".join(
        t(
            "reminders.rule.line",
            label=rule_label(t, name),
            value=rule_value(t, name, getattr(rules, name)),
        )
        for name in RULE_NAMES
    )
    keyboard = [
        [InlineKeyboardButton(rule_label(t, name), callback_data=encode(PREFIX, "rule", name))]
        for name in RULE_NAMES
    ]
    text = t("reminders.rules.title", branch=branch, lines=Raw(lines), quiet=quiet_text(quiet))
    return text, InlineKeyboardMarkup(keyboard)


def rule_question(t: Translator, name: str, current: object) -> Screen:
    if name == "announce_days":
        text = t("reminders.rule.ask_days", value=str(current))
    elif name == "monthly_day":
        text = t("reminders.rule.ask_day", value=str(current))
    else:
        text = t("reminders.rule.ask_time", label=rule_label(t, name), value=rule_text(current))
    choices = CHOICES.get(name, TIME_CHOICES)
    row = [
        InlineKeyboardButton(choice, callback_data=encode(PREFIX, "val", choice.replace(":", "")))
        for choice in choices
    ]
    return text, InlineKeyboardMarkup([row, [cancel_button(t)]])


def rule_saved(
    t: Translator, name: str, value: object, quiet: QuietHours, quiet_end: str | None
) -> str:
    text = t("reminders.rule.saved", label=rule_label(t, name), value=rule_value(t, name, value))
    if quiet_end is not None and isinstance(value, time):
        text += "\n" + t(
            "reminders.rule.in_quiet",
            value=rule_text(value),
            quiet=quiet_text(quiet),
            end=quiet_end,
        )
    return text


# --------------------------------------------------------------------------- /notify


def notify_message(t: Translator, branch: str, sender: str, text: str) -> str:
    """The notice as each member reads it (the secretary's text is escaped)."""
    return t("reminders.notify.message", branch=branch, sender=sender, text=text)


def notify_preview(
    t: Translator,
    message: str,
    count: int,
    night_until: str | None,
    unreachable: Sequence[str] = (),
) -> Screen:
    text = t("reminders.notify.preview", count=count, message=Raw(message))
    if unreachable:
        text += "\n" + t(
            "reminders.notify.unreachable",
            count=len(unreachable),
            names=t("reminders.notify.name_sep").join(unreachable),
        )
    if night_until is not None:
        text += "\n" + t("reminders.notify.night", time=night_until)
    keyboard = [
        [
            InlineKeyboardButton(
                t("reminders.notify.send"), callback_data=encode(NOTIFY_PREFIX, "send")
            ),
            cancel_button(t),
        ]
    ]
    return text, InlineKeyboardMarkup(keyboard)


# --------------------------------------------------------------------------- the digest


def digest(t: Translator, d: Digest) -> str:
    """Last month for the secretary; a section whose feature is absent is left out."""
    year, month = (int(part) for part in d.month.split("-"))
    lines = [
        t(
            "reminders.digest.title",
            branch=d.branch_name,
            month=_month(t, date(year, month, 1)),
            people=d.people,
        )
    ]
    if d.party_day is not None:
        if d.party_day.cancelled or d.party_day.day is None:
            lines.append(t("reminders.digest.party_day_cancelled"))
        else:
            lines.append(
                t(
                    "reminders.digest.party_day",
                    date=_day(t, d.party_day.day),
                    checked=d.party_day.checked_in,
                    people=d.party_day.participants,
                    leave=d.party_day.on_leave,
                    silent=d.party_day.no_reply,
                )
            )
    if d.service is not None:
        lines.append(
            t(
                "reminders.digest.service",
                hours=_hours(d.service.hours),
                records=d.service.records,
                people=d.service.people,
            )
        )
    if d.visits is not None:
        line = t(
            "reminders.digest.visits",
            month=d.visits.in_month,
            total=d.visits.term_total,
            start=_day(t, d.visits.term_start),
            end=_day(t, d.visits.term_end),
        )
        if d.visits.target is not None:
            line += t(
                "reminders.digest.visits_target",
                target=d.visits.target,
                done=d.visits.at_target,
                people=d.visits.people,
            )
        lines.append(line)
    if d.pledges is not None:
        parts = [
            t(f"reminders.digest.status.{status}", n=d.pledges.by_status[status])
            for status in DIGEST_STATUSES
            if d.pledges.by_status.get(status)
        ]
        statuses = "，".join(parts) if t.lang == "zh" else ", ".join(parts)
        lines.append(
            t(
                "reminders.digest.pledges",
                period=d.pledges.period,
                statuses=statuses or t("reminders.digest.pledges_none"),
                without=d.pledges.without,
            )
        )
    lines.append(
        t("reminders.digest.idle", names=_names(t, d.idle))
        if d.idle
        else t("reminders.digest.all_active")
    )
    if d.unreachable:
        lines.append(t("reminders.digest.unreachable", names=_names(t, d.unreachable)))
    return "\n".join(lines)


def _month(t: Translator, first: date) -> str:
    return f"{first.year}年{first.month}月" if t.lang == "zh" else f"{first:%B %Y}"


def _day(t: Translator, day: date) -> str:
    return f"{day.month}月{day.day}日" if t.lang == "zh" else f"{day.day} {day:%b}"


def _hours(hours: float) -> str:
    return f"{hours:g}"


def _names(t: Translator, names: Sequence[str]) -> str:
    # A long list would not fit one message (4096 characters); the digest says how many.
    shown = ("、" if t.lang == "zh" else ", ").join(names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        shown += t("reminders.digest.more", count=len(names))
    return shown
