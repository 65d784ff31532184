"""The screens of /pioneers: a round at a glance for each role, a nomination with the
nominee's record, the ballot, the count and the cut, and the lists posted."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.callback import encode
from handlers.common.flows import cancel_button
from handlers.common.i18n import Translator
from handlers.evaluation import texts  # noqa: F401  (fills the catalog)
from handlers.evaluation.views import number
from storage.pioneer_rules import Cut
from storage.pioneers import Nomination, NominationStatus, NomineeRecord, Round, RoundStatus

PREFIX = "pn"
Screen = tuple[str, InlineKeyboardMarkup | None]
Row = list[InlineKeyboardButton]
BALLOT_BUTTONS = 60
ROWS_MAX = 30  # rows of a list's buttons on one screen (Telegram takes 100 buttons)


def button(
    t: Translator, key: str, action: str, *args: object, **values: object
) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.plain(key, **values), callback_data=encode(PREFIX, action, *args))


def markup(rows: Sequence[Row]) -> InlineKeyboardMarkup | None:
    kept = [list(row) for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def head(t: Translator, round_: Round, phase: str) -> str:
    """The round's title, numbers, windows and where it stands."""
    if round_.status is RoundStatus.OPEN:
        status = t(f"pioneers.phase.{phase}")
    elif round_.status is RoundStatus.PUBLISHED:
        status = t("pioneers.status.published", until=str(round_.notice_ends_on))
    else:
        status = t(f"pioneers.status.{round_.status.value}")
    return t(
        "pioneers.head",
        title=round_.title,
        quota=round_.quota,
        cap=round_.branch_cap,
        nominate_from=round_.nominate_from.isoformat(),
        nominate_until=round_.nominate_until.isoformat(),
        vote_from=round_.vote_from.isoformat(),
        vote_until=round_.vote_until.isoformat(),
        status=status,
    )


def nomination_line(t: Translator, n: Nomination, *, branch: bool = True) -> str:
    how = t("pioneers.by_self") if n.self_nominated else t("pioneers.by_secretary")
    status = t(f"pioneers.nomination.{n.status.value}")
    if n.status is NominationStatus.DECLINED and n.decline_reason:
        status += t("pioneers.reason", reason=n.decline_reason)
    return t(
        "pioneers.nomination.line",
        name=n.member_name,
        branch=t.plain("pioneers.in_branch", branch=n.branch_name) if branch else "",
        how=how,
        status=status,
    )


def record_lines(t: Translator, year: int, record: NomineeRecord) -> list[str]:
    """The nominee's year from the records: what a juror weighs beside the deeds."""
    lines = [
        t("pioneers.record.title", year=year),
        t("pioneers.record.points", points=number(record.points)),
        t(
            "pioneers.record.counts",
            visits=record.visits,
            hours=number(record.service_hours),
            meetings=record.meetings,
            links=record.links,
            contacts=record.contacts,
        ),
    ]
    if not record.pledges:
        lines.append(t("pioneers.record.no_pledges"))
    for pledge in record.pledges:
        rating = t(f"pioneers.pledge_rating.{pledge.rating}") if pledge.rating else ""
        lines.append(
            t(
                "pioneers.record.pledge",
                text=pledge.text,
                status=t(f"pioneers.pledge_status.{pledge.status}"),
                rating=rating,
            )
        )
    return lines


def nomination(
    t: Translator, year: int, n: Nomination, record: NomineeRecord, rows: Sequence[Row]
) -> Screen:
    lines = [
        t("pioneers.detail.title", name=n.member_name, branch=n.branch_name),
        nomination_line(t, n, branch=False),
        t("pioneers.detail.deeds", deeds=n.deeds),
    ]
    if n.photos:
        lines.append(t("pioneers.detail.photos", count=len(n.photos)))
    lines += record_lines(t, year, record)
    return "\n".join(lines), markup(rows)


def ballot(t: Translator, round_: Round, nominees: list[Nomination], ranking: list[int]) -> Screen:
    """The juror's ballot: tap the nominees in order; the first earns the most."""
    by_id = {n.id: n for n in nominees}
    lines = [t("pioneers.ballot.title", title=round_.title, quota=round_.quota)]
    for index, n in enumerate(nominees, start=1):
        lines.append(
            t("pioneers.ballot.nominee", n=index, name=n.member_name, branch=n.branch_name)
        )
    if ranking:
        chosen = t.plain("pioneers.ranking_sep").join(
            f"{place}. {by_id[i].member_name}" for place, i in enumerate(ranking, 1) if i in by_id
        )
        lines.append(t("pioneers.ballot.ranking", ranking=chosen))
    else:
        lines.append(t("pioneers.ballot.empty"))
    lines.append(t("pioneers.ballot.how", quota=round_.quota))
    # Telegram takes at most 100 buttons: beyond BALLOT_BUTTONS the numbers are typed.
    picks = [
        InlineKeyboardButton(
            ("✅ " if n.id in ranking else "") + n.member_name,
            callback_data=encode(PREFIX, "bt", n.id),
        )
        for n in (nominees if len(nominees) <= BALLOT_BUTTONS else [])
    ]
    rows: list[Row] = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    rows.append(
        [
            button(t, "pioneers.button.ballot_clear", "bc"),
            button(t, "pioneers.button.ballot_send", "bs"),
        ]
    )
    rows.append([cancel_button(t)])
    return "\n".join(lines), markup(rows)


def results(t: Translator, round_: Round, the_cut: Cut, by_id: dict[int, Nomination]) -> list[str]:
    """The count, once the jury's window closed: points per nominee, the cut, the tie."""
    lines = [t("pioneers.results.title", title=round_.title, quota=round_.quota)]
    tied = set(the_cut.tied)
    chosen = set(the_cut.chosen)
    for place, (nomination_id, points) in enumerate(the_cut.ranked, start=1):
        n = by_id[nomination_id]
        mark = "✅" if nomination_id in chosen else ("⚖️" if nomination_id in tied else "·")
        if n.tie_in is not None and nomination_id in tied:
            mark = "✅" if n.tie_in else "·"
        lines.append(
            t(
                "pioneers.results.line",
                mark=mark,
                place=place,
                name=n.member_name,
                branch=n.branch_name,
                points=points,
            )
        )
    if the_cut.has_tie:
        sep = t.plain("pioneers.list_sep")
        names = sep.join(f"{i}. {by_id[n].member_name}" for i, n in enumerate(the_cut.tied, 1))
        lines.append(t("pioneers.results.tie", places=the_cut.places, names=names))
        if round_.tie_reason:
            lines.append(t("pioneers.results.tie_decided", reason=round_.tie_reason))
    return lines


def chosen_list(t: Translator, chosen: list[Nomination]) -> str:
    """By branch and name: the order says nothing of the votes."""
    ordered = sorted(chosen, key=lambda n: (n.branch_name, n.member_name, n.id))
    return "\n".join(
        t("pioneers.list.line", n=i, name=n.member_name, branch=n.branch_name)
        for i, n in enumerate(ordered, start=1)
    )


def notice_post(t: Translator, round_: Round, chosen: list[Nomination]) -> str:
    return t(
        "pioneers.notice_post",
        title=round_.title,
        lines=chosen_list(t, chosen),
        until=str(round_.notice_ends_on),
    )


def final_post(t: Translator, round_: Round, chosen: list[Nomination]) -> str:
    return t("pioneers.final_post", title=round_.title, lines=chosen_list(t, chosen))


def endorsement_reminder(
    t: Translator,
    round_: Round,
    waiting: Sequence[Nomination],
    *,
    last: bool,
    bureau: bool,
    zone: ZoneInfo,
) -> Screen:
    """The daily list of the self-nominations this person decides, with the button to
    the list where they decide them: the branch's for a secretary, the round's for the
    bureau."""
    lines = [
        t(
            "pioneers.remind.waiting",
            title=round_.title,
            count=len(waiting),
            end=round_.nominate_until.isoformat(),
        )
    ]
    lines += [
        t(
            "pioneers.remind.line",
            name=n.member_name,
            branch=t.plain("pioneers.in_branch", branch=n.branch_name) if bureau else "",
            day=n.created_at.astimezone(zone).date().isoformat(),
        )
        for n in waiting
    ]
    if last:
        lines.append(t("pioneers.remind.last_day"))
    opens = button(t, "pioneers.button.decide", "nl" if bureau else "ov", round_.id)
    return "\n".join(lines), InlineKeyboardMarkup([[opens]])
