"""The screens of /links: a person's links and their standing, the setting steps, the
contact log, the secretary's and the bureau's coverage, the reminder and digest lines."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Translator
from handlers.common.views import cancel_only, clamp_page, page_count, page_turn
from handlers.links import texts as _texts  # noqa: F401  (fills the catalog)
from storage.link_rules import Family, Standing
from storage.links import (
    ContactEntry,
    ContactWay,
    FamilyCoverage,
    Link,
    LinkCoverage,
    LinkKind,
    LinkStatus,
)

PREFIX = "lk"
Screen = tuple[str, InlineKeyboardMarkup | None]
THREE_KINDS = (LinkKind.CLASS, LinkKind.DORM, LinkKind.STUDENT)
# Buttons on one screen of a list (people, branches, links): a page, then [上一页]/[下一页].
PAGE = 12


def button(
    t: Translator, key: str, action: str, *args: object, **kw: object
) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.plain(key, **kw), callback_data=encode(PREFIX, action, *args))


def plain_button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(PREFIX, action, *args))


@dataclass(frozen=True)
class Names:
    """Names the screens show for ids: members and branches."""

    members: Mapping[int, str]
    branches: Mapping[int, str]


def kind_name(t: Translator, kind: LinkKind) -> str:
    return t.plain(f"lk.kind.{kind.value}")


def way_name(t: Translator, way: ContactWay | None) -> str:
    return t.plain("lk.way.home_visit") if way is None else t.plain(f"lk.way.{way.value}")


def target(link: Link, names: Names, *, side: int | None = None) -> str:
    """Whom or what a link is with, as its owner (or, for a 结对, the ``side``) sees it."""
    if link.kind in (LinkKind.CLASS, LinkKind.DORM):
        return link.target_text or ""
    if link.kind is LinkKind.STUDENT:
        return link.student_alias or ""
    if link.kind is LinkKind.SERVE_PERSON:
        if link.target_member_id is not None:
            return names.members.get(link.target_member_id, "?")
        return f"{link.person_name}（{link.person_role}）"
    if link.kind is LinkKind.PAIR and side is not None and side == link.target_branch_id:
        return names.branches.get(link.branch_id, "?")
    return names.branches.get(link.target_branch_id or 0, "?")


def owner(link: Link, names: Names) -> str:
    if link.member_id is None:
        return names.branches.get(link.branch_id, "?")
    return names.members.get(link.member_id, "?")


def short(text: str, most: int = 14) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def standing_text(t: Translator, family: Family, line: LinkCoverage | None) -> str:
    window = t.plain(f"lk.window.{'month' if family is Family.THREE else 'term'}")
    if line is None or (line.standing is Standing.NOT_DUE and line.contacts == 0):
        return t.plain("lk.standing.not_due", window=window)
    if line.contacts:
        return t.plain("lk.standing.covered", window=window, count=line.contacts)
    key = "behind" if line.standing is Standing.BEHIND else "open"
    return t.plain(f"lk.standing.{key}", window=window)


# --------------------------------------------------------------------------- my links


def my_links(
    t: Translator,
    links: Sequence[Link],
    standings: Mapping[int, LinkCoverage],
    names: Names,
    *,
    side: int | None,
    loggable: Sequence[int],
    secretary: bool,
    waiting: int,
    past: int,
) -> Screen:
    """/links for a member or a secretary: each link in force with its standing, a button
    to log a contact on each active one, what they may set, and [往期联系] when ``past``
    (their links whose period is over or that ended) is not zero."""
    lines = [t("lk.mine.title")]
    if not links:
        lines.append(t("lk.mine.none"))
    for family in Family:
        here = [link for link in links if link.family is family]
        if not here:
            continue
        lines.append(t(f"lk.family.{family.value}"))
        for link in here:
            if link.status is LinkStatus.PROPOSED:
                state = t.plain("lk.standing.proposed")
            else:
                state = standing_text(t, family, standings.get(link.id))
            lines.append(
                t("lk.mine.line", kind=kind_name(t, link.kind),
                  target=target(link, names, side=side), state=state)
            )  # fmt: skip
    rows = [
        [plain_button(t.plain("lk.btn.log", target=short(target(link, names, side=side))),
                      "log", link.id)]
        for link in links
        if link.id in loggable
    ]  # fmt: skip
    rows.append([button(t, "lk.btn.new", "new")])
    if links:
        rows.append([button(t, "lk.btn.manage", "mine")])
    if past:
        rows.append([button(t, "lk.btn.past", "past", 0, count=past)])
    if secretary:
        rows.append([button(t, "lk.btn.serve", "serve"), button(t, "lk.btn.branch", "branch")])
        if waiting:
            rows.append([button(t, "lk.btn.waiting", "wait", count=waiting)])
    lines.append(t("lk.mine.hint"))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def manage(t: Translator, links: Sequence[Link], names: Names, *, side: int | None) -> Screen:
    """A list of links to open (and end)."""
    rows = [
        [plain_button(f"{kind_name(t, link.kind)} · {short(target(link, names, side=side))}",
                      "show", link.id)]
        for link in links
    ]  # fmt: skip
    return t("lk.manage.title"), InlineKeyboardMarkup([*rows, [cancel_button(t)]])


def past_links(t: Translator, links: Sequence[Link], names: Names, page: int) -> Screen:
    """One's links no longer in force, newest first, a page of them to open."""
    if not links:
        return t("lk.past.none"), None
    rows = _link_page(
        t, links, page, lambda link: f"{link.period_end:%Y-%m} · {kind_name(t, link.kind)} · "
        f"{short(target(link, names), 10)}", "past",
    )  # fmt: skip
    return t("lk.past.title", count=len(links)), InlineKeyboardMarkup(rows)


def branch_links(
    t: Translator, branch: str, links: Sequence[Link], names: Names, page: int, branch_id: int
) -> Screen:
    """A branch's running links (secretary or admin), a page of them, to open or end."""
    rows = _link_page(
        t, links, page, lambda link: f"{short(owner(link, names), 6)} · "
        f"{kind_name(t, link.kind)} · {short(target(link, names, side=branch_id), 10)}",
        "blist", branch_id,
    )  # fmt: skip
    text = t("lk.blist.title", branch=branch, count=len(links))
    if not links:
        text = t("lk.blist.none", branch=branch)
    return text, InlineKeyboardMarkup(rows) if rows else None


def _link_page(
    t: Translator,
    links: Sequence[Link],
    page: int,
    label: Callable[[Link], str],
    action: str,
    *args: object,
) -> list[list[InlineKeyboardButton]]:
    """A page of links, a button each to open it, then [上一页]/[下一页] (``action`` with
    ``args`` and the page) where there is one. A ``page`` that does not exist (forged, or
    the list shrank) shows the nearest."""
    page = clamp_page(page, len(links), PAGE)
    rows = [[plain_button(label(link), "show", link.id)] for link in links[page * PAGE :][:PAGE]]
    return rows + _turn(t, page, len(links), action, *args)


def link_detail(
    t: Translator,
    link: Link,
    names: Names,
    log: Sequence[ContactEntry],
    *,
    side: int | None,
    may_log: bool,
    may_end: bool,
    today: date,
    me: int,
) -> Screen:
    """A link, its period and state, and its recent log; [记录联系] and [结束] only while
    it is in force, and then [撤回] on each contact ``me`` (the viewer) logged."""
    status = link.status.value
    if link.running and not link.in_force(today):
        status = "expired"
    lines = [
        t("lk.detail.head", kind=kind_name(t, link.kind), owner=owner(link, names),
          target=target(link, names, side=side)),
        t("lk.detail.period", first=link.start_on.isoformat(), last=link.period_end.isoformat(),
          status=t.plain(f"lk.status.{status}")),
    ]  # fmt: skip
    if link.status is LinkStatus.ENDED and link.end_reason:
        lines.append(t("lk.detail.ended", on=str(link.ended_on or ""), reason=link.end_reason))
    lines.append(t("lk.detail.log_title") if log else t("lk.detail.no_log"))
    for entry in log:
        lines.append(contact_line(t, entry, names))
    rows = []
    if may_log and link.status is LinkStatus.ACTIVE and link.in_force(today):
        rows.append([button(t, "lk.btn.log_here", "log", link.id)])
    if may_end and link.in_force(today):
        rows.append([button(t, "lk.btn.end", "end", link.id)])
    if link.in_force(today):
        rows += [
            [button(t, "lk.btn.withdraw", "wd", entry.id, date=entry.on_date.isoformat())]
            for entry in log
            if not entry.home_visit and entry.logged_by == me
        ]
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def contact_line(t: Translator, entry: ContactEntry, names: Names) -> str:
    side = ""
    if entry.side_branch_id is not None:
        side = t.plain("lk.contact.side", branch=names.branches.get(entry.side_branch_id, "?"))
    photo = " 📷" if entry.photo_file_id else ""
    return t("lk.contact.line", date=entry.on_date.isoformat(), how=way_name(t, entry.how),
             note=entry.note or "", side=side, photo=photo)  # fmt: skip


# --------------------------------------------------------------------------- setting


def three_kinds(t: Translator) -> Screen:
    rows = [[button(t, f"lk.kind.{kind.value}", "kind", kind.value)] for kind in THREE_KINDS]
    return t("lk.ask.kind"), InlineKeyboardMarkup([*rows, [cancel_button(t)]])


def ask_target(t: Translator, kind: LinkKind) -> Screen:
    return t(f"lk.ask.{kind.value}"), cancel_only(t)


def full_name_warning(t: Translator, alias: str, suggest: str) -> Screen:
    rows = [[button(t, "lk.btn.keep_alias", "keep")], [cancel_button(t)]]
    return t("lk.alias_full_name", alias=alias, suggest=suggest), InlineKeyboardMarkup(rows)


def replace_class(t: Translator, current: str, new: str) -> Screen:
    rows = [[button(t, "lk.btn.replace", "repl", new=short(new))], [cancel_button(t)]]
    return t("lk.ask.replace", current=current, new=new), InlineKeyboardMarkup(rows)


def pick(
    t: Translator,
    question: str,
    choices: Sequence[Sequence[object]],
    action: str,
    page: int,
    *,
    size: int = PAGE,
    in_flow: bool = True,
) -> Screen:
    """A page of ``(id, name)`` choices to tap (``action`` carries the id), then
    [上一页]/[下一页] where there is one and, in a conversation, [取消]."""
    shown = choices[page * size : (page + 1) * size]
    rows = [[plain_button(short(str(name), 24), action, key)] for key, name in shown]
    rows += page_turn(t, page, len(choices), size, lambda n: encode(PREFIX, "page", n))
    if in_flow:
        rows.append([cancel_button(t)])
    return question, InlineKeyboardMarkup(rows)


def serve_kinds(t: Translator, owner_name: str) -> Screen:
    rows = [
        [button(t, "lk.kind.serve_branch", "sk", LinkKind.SERVE_BRANCH.value)],
        [button(t, "lk.kind.serve_person", "sk", LinkKind.SERVE_PERSON.value)],
        [cancel_button(t)],
    ]
    return t("lk.ask.serve_kind", owner=owner_name), InlineKeyboardMarkup(rows)


def admin_menu(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(t, "lk.btn.cadre", "cadre"), button(t, "lk.btn.pair", "pair")],
            [button(t, "lk.btn.branch_links", "bpick")],
        ]
    )


# --------------------------------------------------------------------------- confirming


def confirm_request(t: Translator, link: Link, names: Names) -> Screen:
    text = t("lk.request", owner=owner(link, names), kind=kind_name(t, link.kind),
             target=target(link, names))  # fmt: skip
    if link.replaces_id is not None:
        text += "\n" + t("lk.request.replaces")
    rows = [
        [button(t, "lk.btn.confirm", "ok", link.id), button(t, "lk.btn.decline", "no", link.id)]
    ]
    return text, InlineKeyboardMarkup(rows)


def waiting_list(t: Translator, links: Sequence[Link], names: Names) -> Screen:
    if not links:
        return t("lk.wait.none"), None
    lines = [t("lk.wait.title", count=len(links))]
    rows = []
    for link in links:
        lines.append(
            t("lk.wait.line", owner=owner(link, names), kind=kind_name(t, link.kind),
              target=target(link, names))
        )  # fmt: skip
        label = f"{short(owner(link, names), 6)} · {short(target(link, names), 10)}"
        rows.append([plain_button("✅ " + label, "ok", link.id), plain_button("↩️", "no", link.id)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------- logging


def ways(
    t: Translator, link: Link, names: Names, day: date, today: date, side: int | None
) -> Screen:
    when = t.plain("lk.today") if day == today else day.isoformat()
    text = t("lk.ask.how", kind=kind_name(t, link.kind), target=target(link, names, side=side),
             when=when)  # fmt: skip
    rows = [
        [button(t, f"lk.way.{way.value}", "how", way.value) for way in list(ContactWay)[:3]],
        [button(t, f"lk.way.{way.value}", "how", way.value) for way in list(ContactWay)[3:]],
        [button(t, "lk.btn.other_day", "day"), cancel_button(t)],
    ]
    return text, InlineKeyboardMarkup(rows)


def ask_note(t: Translator) -> Screen:
    rows = [[button(t, "lk.btn.skip", "skip")], [cancel_button(t)]]
    return t("lk.ask.note"), InlineKeyboardMarkup(rows)


# --------------------------------------------------------------------------- coverage


def family_counts(t: Translator, counts: Mapping[Family, FamilyCoverage]) -> str:
    parts = [
        t.plain(f"lk.count.{family.value}", covered=line.covered, links=line.links,
                behind=line.behind)
        for family, line in counts.items()
        if line.links
    ]  # fmt: skip
    return "；".join(parts) if parts else t.plain("lk.count.none")


def branch_coverage(
    t: Translator,
    branch: str,
    rows: Sequence[LinkCoverage],
    totals: Mapping[Family, FamilyCoverage],
    branch_id: int,
    names: Names,
) -> Screen:
    """/links branch: per member (and per 结对) this window's contacts, and who is behind."""
    lines = [t("lk.branch.title", branch=branch), family_counts(t, totals)]
    by_owner: dict[str, list[LinkCoverage]] = {}
    for row in rows:
        if row.standing is Standing.NOT_DUE and row.contacts == 0:
            continue
        name = row.owner_name if row.link.member_id is not None else t.plain("lk.branch.pairs")
        by_owner.setdefault(name, []).append(row)
    for name, here in by_owner.items():
        done = sum(1 for row in here if row.contacts)
        behind = [
            f"{kind_name(t, row.link.kind)} {target(row.link, names, side=branch_id)}"
            for row in here
            if row.standing is Standing.BEHIND
        ]
        lines.append(
            t("lk.branch.line", name=name, done=done, links=len(here),
              behind=t.plain("lk.branch.behind", which="、".join(behind)) if behind else "")
        )  # fmt: skip
    if not by_owner:
        lines.append(t("lk.branch.none"))
    rows_markup = [[button(t, "lk.btn.branch_links", "blist", branch_id, 0)]]
    return "\n".join(lines), InlineKeyboardMarkup(rows_markup)


def bureau(
    t: Translator,
    per_branch: Mapping[int, Mapping[Family, FamilyCoverage]],
    names: Names,
    page: int,
) -> Screen:
    """The bureau's /links: a page of branches with their figures, a button to each
    branch with links behind (its list), then [上一页]/[下一页] and the admin's buttons.
    A ``page`` that does not exist (forged, or fewer branches now) shows the nearest."""
    listed = [(branch_id, name) for branch_id, name in names.branches.items()
              if branch_id in per_branch]  # fmt: skip
    page = clamp_page(page, len(listed), PAGE)
    late = {
        branch_id: sum(line.behind for line in per_branch[branch_id].values())
        for branch_id, _ in listed
    }
    lines = [t("lk.bureau.title")]
    if not listed:
        lines.append(t("lk.bureau.none"))
    if any(late.values()):
        lines.append(t("lk.bureau.late_branches", count=sum(1 for n in late.values() if n)))
    shown = listed[page * PAGE : (page + 1) * PAGE]
    rows = []
    for branch_id, name in shown:
        counts = family_counts(t, per_branch[branch_id])
        lines.append(t("lk.bureau.line", branch=name, counts=counts))
        if late[branch_id]:
            rows.append([button(t, "lk.btn.late", "late", branch_id, 0, branch=short(name, 16),
                                count=late[branch_id])])  # fmt: skip
    if len(listed) > PAGE:
        lines.append(t("lk.bureau.page", page=page + 1, pages=page_count(len(listed), PAGE),
                       count=len(listed)))  # fmt: skip
    rows += _turn(t, page, len(listed), "bur")
    return "\n".join(lines), InlineKeyboardMarkup([*rows, *admin_menu(t).inline_keyboard])


def behind_links(
    t: Translator,
    branch: str,
    rows: Sequence[LinkCoverage],
    names: Names,
    page: int,
    branch_id: int,
) -> Screen:
    """One branch's links behind (the bureau's drill-down), a page of them: a line each
    with its last contact, a button each to open it, [上一页]/[下一页], back to the bureau.
    A ``page`` that does not exist shows the nearest."""
    page = clamp_page(page, len(rows), PAGE)
    if not rows:
        text = t("lk.late.none", branch=branch)
        return text, InlineKeyboardMarkup([[button(t, "lk.btn.bureau", "bur", 0)]])
    lines = [t("lk.late.title", branch=branch, count=len(rows))]
    shown = rows[page * PAGE : (page + 1) * PAGE]
    for row in shown:
        last = row.last_contact.isoformat() if row.last_contact else t.plain("lk.late.never")
        lines.append(
            t("lk.late.line", owner=_who(row, branch), kind=kind_name(t, row.link.kind),
              target=target(row.link, names, side=branch_id), last=last)
        )  # fmt: skip
    if len(rows) > PAGE:
        lines.append(t("lk.late.page", page=page + 1, pages=page_count(len(rows), PAGE)))
    buttons = [
        [plain_button(f"{short(_who(row, branch), 6)} · {kind_name(t, row.link.kind)} · "
                      f"{short(target(row.link, names, side=branch_id), 10)}", "show", row.link.id)]
        for row in shown
    ]  # fmt: skip
    buttons += _turn(t, page, len(rows), "late", branch_id)
    buttons.append([button(t, "lk.btn.bureau", "bur", 0)])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def _who(row: LinkCoverage, branch: str) -> str:
    """Whose link it is: its member, or for a 结对 the branch whose list this is."""
    return row.owner_name if row.link.member_id is not None else branch


def _turn(
    t: Translator, page: int, total: int, action: str, *args: object
) -> list[list[InlineKeyboardButton]]:
    """[上一页] and [下一页] under a page of ``total`` items (``action`` with ``args`` and
    the page) where there is one."""
    return page_turn(t, page, total, PAGE, lambda n: encode(PREFIX, action, *args, n))


def reminder(
    t: Translator, due: Sequence[tuple[Link, date]], names: Names, side: int | None
) -> Screen:
    """The links still without a contact, as ``side`` (the recipient's branch) sees them."""
    lines = [t("lk.remind.title")]
    rows = []
    for link, end in due:
        lines.append(
            t("lk.remind.line", kind=kind_name(t, link.kind),
              target=target(link, names, side=side), end=end.isoformat())
        )  # fmt: skip
        rows.append(
            [plain_button(t.plain("lk.btn.log", target=short(target(link, names, side=side))),
                          "log", link.id)]
        )  # fmt: skip
    lines.append(t("lk.remind.hint"))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def digest_line(t: Translator, counts: Mapping[Family, FamilyCoverage]) -> str | None:
    if not any(line.links for line in counts.values()):
        return None
    return t("lk.digest", counts=family_counts(t, counts))
