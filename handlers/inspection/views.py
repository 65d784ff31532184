"""The inspection screens: the admin's groups, a group, its branch picker; the inspector's
branches and one branch's counts."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common import branch_picker
from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Raw, Translator
from handlers.common.links import deep_link
from handlers.common.views import clamp_page, page_count, page_turn
from handlers.inspection import texts  # noqa: F401  (fills the catalog)
from storage.branches import Branch
from storage.inspection import Group, GroupSummary, InspectionInvite
from storage.ledger import BranchLedger
from storage.members import Member
from storage.pledges import Period
from storage.rectification import Comment, Item, ItemRow, ItemStatus

PREFIX = "ins"
# The feature's one conversation: a group's name, a comment, an answer, a reopening.
FLOW = "inspect"
PAGE_SIZE = 10
Screen = tuple[str, InlineKeyboardMarkup | None]


def button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(PREFIX, action, *args))


# --------------------------------------------------------------------------- admin


def groups(t: Translator, listed: Sequence[GroupSummary]) -> Screen:
    if not listed:
        return t("insp.groups.none"), None
    rows = [
        [
            button(
                t.plain(
                    "insp.groups.line",
                    name=g.name,
                    inspectors=g.inspectors,
                    branches=g.branches,
                )[:60],
                "g",
                g.id,
            )
        ]
        for g in listed
    ]
    return t("insp.groups.title", count=len(listed)), InlineKeyboardMarkup(rows)


def group(t: Translator, group: Group, people: Sequence[Member], held: Sequence[Branch]) -> Screen:
    nobody = t("insp.group.nobody")
    text = t(
        "insp.group.title",
        name=group.name,
        inspector_count=len(people),
        inspectors=Raw("、".join(_escaped(p.name) for p in people) or nobody),
        branch_count=len(held),
        branches=Raw("、".join(_escaped(b.name) for b in held) or nobody),
    )
    rows = [
        [button(t.plain("insp.btn.invite_one"), "inv", group.id, 1)],
        [button(t.plain("insp.btn.invite_shared"), "inv", group.id, 0)],
        [button(t.plain("insp.btn.assign"), "as", group.id, 0)],
    ]
    if people:
        rows.append([button(t.plain("insp.btn.remove_inspector"), "rmls", group.id)])
    return text, InlineKeyboardMarkup(rows)


def invite(
    t: Translator, group: Group, invite: InspectionInvite, bot_username: str, zone: ZoneInfo
) -> str:
    return t(
        "insp.invite.link",
        group=group.name,
        link=deep_link(bot_username, invite.code),
        expires=invite.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        uses=invite.max_uses,
    )


def assign_picker(
    t: Translator, group: Group, every: Sequence[Branch], held: set[int], page: int
) -> Screen:
    if not every:
        return t("insp.assign.no_branches"), InlineKeyboardMarkup(
            [[button(t.plain("insp.btn.back"), "g", group.id)]]
        )
    pages = page_count(len(every), PAGE_SIZE)
    page = clamp_page(page, len(every), PAGE_SIZE)
    rows = [
        [button(("✅ " if b.id in held else "") + b.name[:50], "ab", group.id, b.id, page)]
        for b in every[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    rows += page_turn(t, page, len(every), PAGE_SIZE, lambda n: encode(PREFIX, "as", group.id, n))
    rows.append([button(t.plain("insp.btn.back"), "g", group.id)])
    text = t("insp.assign.title", name=group.name, page=page + 1, pages=pages)
    return text, InlineKeyboardMarkup(rows)


def remove_picker(t: Translator, group: Group, people: Sequence[Member]) -> Screen:
    if not people:
        return t("insp.remove.none", name=group.name), None
    rows = [[button(p.name, "rm", group.id, p.id)] for p in people]
    rows.append([button(t.plain("insp.btn.back"), "g", group.id)])
    return t("insp.remove.pick", name=group.name), InlineKeyboardMarkup(rows)


def remove_confirm(t: Translator, group: Group, person: Member) -> Screen:
    rows = [
        [
            button(t.plain("insp.btn.confirm_remove"), "rmok", group.id, person.id),
            button(t.plain("insp.btn.cancel"), "g", group.id),
        ]
    ]
    return t("insp.remove.confirm", person=person.name, name=group.name), InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------- inspector


def my_branches(t: Translator, group: Group | None, held: Sequence[Branch]) -> Screen:
    name = group.name if group is not None else t.plain("role.inspector")
    if not held:
        return t("insp.mine.none", group=name), None
    rows = [[button(b.name[:60], "b", b.id)] for b in held]
    return t("insp.mine.title", group=name, count=len(held)), InlineKeyboardMarkup(rows)


def branch_screen(t: Translator, ledger: BranchLedger, today: date) -> Screen:
    """The counts, with what an inspector does next: read the branch's boards (the shared
    picker's buttons, read-only for an inspector), comment, or see the items."""
    branch_id = ledger.branch.id
    year = Period.containing(today).code
    rows = [
        [
            branch_picker.button(t.plain("insp.btn.pledges"), "pl", branch_id, year),
            branch_picker.button(t.plain("insp.btn.roster"), "ro", branch_id),
        ],
        [
            branch_picker.button(t.plain("insp.btn.service"), "sv", branch_id),
            branch_picker.button(t.plain("insp.btn.meetings"), "mt", branch_id),
        ],
        [branch_picker.button(t.plain("insp.btn.members"), "mb", branch_id)],
        [button(t.plain("insp.btn.comment"), "c", branch_id)],
        [button(t.plain("insp.btn.items"), "il", branch_id)],
    ]
    return branch_overview(t, ledger, today), InlineKeyboardMarkup(rows)


def branch_overview(t: Translator, ledger: BranchLedger, today: date) -> str:
    """One branch's counts for an inspector: no student data is in ``ledger`` (it was read
    without ``private``), and none is shown."""
    people = ledger.participants
    past = [m for m in ledger.months if m.past]
    held = [m for m in past if m.party_day.status == "held"]
    lines = [
        t(
            "insp.branch.title",
            branch=ledger.branch.name,
            period=ledger.period.label,
            today=today.isoformat(),
        ),
        "",
        t(
            "insp.branch.members",
            count=len(people),
            names="、".join(m.name for m in people) or t.plain("insp.group.nobody"),
        ),
        t(
            "insp.branch.pledges",
            pledgers=ledger.pledgers,
            people=len(people),
            approved=sum(p.approved is not None for p in ledger.pledges),
            fulfilled=sum(p.fulfilled is not None for p in ledger.pledges),
            evaluated=sum(p.evaluated is not None for p in ledger.pledges),
        ),
        t(
            "insp.branch.partyday",
            months=len(past),
            held=len(held),
            met=sum(m.party_day.meets_target for m in held),
        ),
        _this_month(t, ledger, today),
    ]
    if ledger.meeting_checks:
        parts = [
            t.plain(
                "insp.branch.meeting_line",
                kind=t.plain(f"insp.kind.{check.kind}"),
                held=check.held,
                required=check.required,
            )
            for check in ledger.meeting_checks
        ]
        lines.append(t("insp.branch.meetings", lines="；".join(parts)))
    term = next((tv for tv in ledger.terms if tv.term.contains(today)), None)
    if term is not None:
        span = f"{term.term.start.isoformat()}–{term.term.end.isoformat()}"
        if term.target is None:
            lines.append(t("insp.branch.visits_no_target", term=span, visits=term.visits))
        else:
            lines.append(
                t(
                    "insp.branch.visits",
                    term=span,
                    visits=term.visits,
                    at_target=term.at_target,
                    people=term.people,
                    target=term.target,
                )
            )
    hours = sum(entry.hours for entry in ledger.service)
    lines.append(t("insp.branch.service", hours=f"{hours:g}"))
    lines += ["", t("insp.branch.privacy")]
    return "\n".join(lines)


def _this_month(t: Translator, ledger: BranchLedger, today: date) -> str:
    month = next(
        (d for d in ledger.party_days if (d.year, d.month) == (today.year, today.month)), None
    )
    if month is None or month.day is None:
        return t("insp.branch.partyday_none")
    return t(
        "insp.branch.partyday_month",
        date=month.day.isoformat(),
        status=t.plain(f"insp.status.{month.status}"),
        expected=month.expected,
        present=month.present,
        leave=len(month.leaves),
    )


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)


# --------------------------------------------------------------------------- comments, items


def comment_preview(
    t: Translator, branch: str, text: str, items: Sequence[dict[str, str]]
) -> Screen:
    rows = [
        [button(t.plain("insp.btn.add_item"), "ci")],
        [button(t.plain("insp.btn.submit"), "cs")],
        [cancel_button(t)],
    ]
    screen = t(
        "insp.comment.preview",
        branch=branch,
        text=text,
        items=Raw(draft_lines(t, items)),
    )
    return screen, InlineKeyboardMarkup(rows)


def draft_lines(t: Translator, items: Sequence[dict[str, str]]) -> str:
    if not items:
        return t("insp.comment.no_items")
    lines = [t("insp.comment.items_title")]
    lines += [
        t("insp.comment.item_line", n=n, text=item["text"], deadline=item["deadline"])
        for n, item in enumerate(items, start=1)
    ]
    return "\n".join(lines)


def comment_told(
    t: Translator, comment: Comment, made: Sequence[Item], *, branch: str, group: str, author: str
) -> Screen:
    """What the branch's secretaries receive: the comment, its items, a button each."""
    items = ""
    if made:
        lines = "\n".join(
            t("insp.comment.item_line", n=i.position, text=i.text, deadline=i.deadline.isoformat())
            for i in made
        )
        items = t("insp.comment.told_items", lines=Raw(lines))
    text = t(
        "insp.comment.told",
        group=group,
        author=author,
        branch=branch,
        text=comment.text,
        items=Raw(items),
    )
    rows = [[button(t.plain("insp.btn.answer_n", n=i.position), "ans", i.id)] for i in made]
    return text, InlineKeyboardMarkup(rows) if rows else None


def state_name(t: Translator, item: Item, today: date) -> str:
    if item.overdue(today):
        return t.plain("insp.state.open_overdue")
    return t.plain(f"insp.state.{item.status.value}")


def item_screen(
    t: Translator,
    row: ItemRow,
    zone: ZoneInfo,
    today: date,
    *,
    can_answer: bool,
    can_judge: bool,
) -> Screen:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    lines = [
        t(
            "insp.item.title",
            branch=row.branch_name,
            text=row.text,
            deadline=row.deadline.isoformat(),
            status=state_name(t, row, today),
            group=row.group_name,
            author=row.author_name,
            at=when(row.comment_at),
            comment=row.comment_text,
        )
    ]
    if row.answer:
        by = row.answered_by_name or ""
        lines.append(t("insp.item.answer", answer=row.answer, by=by, at=when(row.answered_at)))
    if row.reopen_reason:
        lines.append(t("insp.item.reopened", reason=row.reopen_reason, count=row.reopen_count))
    if row.status is ItemStatus.ACCEPTED:
        by = row.accepted_by_name or ""
        lines.append(t("insp.item.accepted", by=by, at=when(row.accepted_at)))
    rows = []
    if can_answer and row.status is ItemStatus.OPEN:
        rows.append([button(t.plain("insp.btn.answer"), "ans", row.id)])
    if can_judge and row.status is ItemStatus.DONE:
        rows.append(
            [
                button(t.plain("insp.btn.accept"), "ok", row.id),
                button(t.plain("insp.btn.reopen"), "re", row.id),
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


LIST_MAX = 20


def item_list(
    t: Translator, rows: Sequence[ItemRow], today: date, *, branch: str | None = None
) -> Screen:
    """Items with a button each (the first ``LIST_MAX``); ``branch``: one branch's, all
    states, else every unfinished one across branches."""
    if not rows:
        key = "insp.list.branch_none" if branch else "insp.list.none"
        return t(key, branch=branch or ""), None
    shown = rows[:LIST_MAX]
    head = (
        t("insp.list.branch_title", branch=branch, count=len(rows))
        if branch
        else t("insp.list.title", count=len(rows))
    )
    lines = [head]
    lines += [
        t(
            "insp.list.line",
            n=n,
            branch=row.branch_name,
            text=row.text[:40],
            deadline=row.deadline.isoformat(),
            status=state_name(t, row, today),
        )
        for n, row in enumerate(shown, start=1)
    ]
    if len(rows) > LIST_MAX:
        lines.append(t("insp.list.more", shown=LIST_MAX))
    buttons = [
        button(t.plain("insp.btn.item_n", n=n), "it", row.id) for n, row in enumerate(shown, 1)
    ]
    keyboard = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)
