"""The 台账 workbook: a summary sheet, then one sheet per book, streamed branch by branch.

``LedgerBook`` is fed one ``BranchLedger`` at a time (``add``) and written with ``save``;
openpyxl's write-only mode keeps only the summary rows in memory, so a bureau workbook
costs about as much memory as one branch. Headers are in the reader's language; dates
are Excel dates and numbers are numbers; every sheet prints A4 landscape with its header
repeated. The 家访记录表 sheet exists only in a private book (secretaries and admins).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

import handlers.reports.texts  # noqa: F401  (registers the report.* messages)
from handlers.common.i18n import Translator
from storage.ledger import BranchLedger, MeetingCheck, MeetingEntry, MonthSummary, PartyDayEntry
from storage.ledger_period import LedgerPeriod
from storage.link_rules import Family
from storage.links import FamilyCoverage
from storage.objections import LedgerObjection
from storage.pioneers import Nomination, NominationStatus, Round, RoundStatus
from storage.rating import Line as RatingLine
from storage.rating import LineKind
from storage.rating import Sheet as RatingSheet

DATE = "yyyy-mm-dd"
MOMENT = "yyyy-mm-dd hh:mm"
RATE = "0.0%"
HOURS = "0.0"
_SHORT_FILL = PatternFill("solid", fgColor="FFE0E0")
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
# openpyxl's write-only sheet forwards page setup, widths and panes to a normal sheet at
# run time; its type stubs do not know those attributes.
Sheet = Any


@dataclass(frozen=True)
class Column:
    key: str  # message key of the header
    width: float  # characters; widened to fit the header
    fmt: str | None = None  # number format for dates, moments, rates and hours


SHEETS: dict[str, Sequence[Column]] = {
    "roster": (
        Column("report.col.no", 6),
        Column("report.col.name", 12),
        Column("report.col.role", 8),
        Column("report.col.post", 16),
        Column("report.col.joined", 12, DATE),
        Column("report.col.left", 12, DATE),
        Column("report.col.reachable", 8),
        Column("report.col.roster_state", 10),
    ),
    "pledges": (
        Column("report.col.no", 6),
        Column("report.col.member", 10),
        Column("report.col.pledge_period", 12),
        Column("report.col.category", 10),
        Column("report.col.text", 40),
        Column("report.col.measures", 40),
        Column("report.col.target_date", 12, DATE),
        Column("report.col.status", 10),
        Column("report.col.submitted", 16, MOMENT),
        Column("report.col.approved_by", 10),
        Column("report.col.approved", 16, MOMENT),
        Column("report.col.progress_count", 8),
        Column("report.col.last_progress", 16, MOMENT),
        Column("report.col.fulfilled", 16, MOMENT),
        Column("report.col.self_assessment", 30),
        Column("report.col.rating", 8),
        Column("report.col.evaluation", 30),
        Column("report.col.evaluator", 10),
        Column("report.col.evaluated", 16, MOMENT),
    ),
    "partyday": (
        Column("report.col.month", 10, "yyyy-mm"),
        Column("report.col.date", 12, DATE),
        Column("report.col.day_status", 8),
        Column("report.col.theme", 24),
        Column("report.col.form", 14),
        Column("report.col.place", 16),
        Column("report.col.expected", 8),
        Column("report.col.present", 8),
        Column("report.col.rate", 8, RATE),
        Column("report.col.rate_met", 6),
        Column("report.col.leaves", 30),
        Column("report.col.makeups", 30),
        Column("report.col.day_hours", 10, HOURS),
        Column("report.col.photos", 8),
        Column("report.col.recorder", 10),
        Column("report.col.remark", 24),
    ),
    "service": (
        Column("report.col.no", 6),
        Column("report.col.member", 10),
        Column("report.col.service_date", 12, DATE),
        Column("report.col.kind", 12),
        Column("report.col.hours", 8, HOURS),
        Column("report.col.description", 40),
        Column("report.col.linked_day", 12, DATE),
        Column("report.col.makeup_for", 10),
    ),
    "visits": (
        Column("report.col.no", 6),
        Column("report.col.visit_date", 12, DATE),
        Column("report.col.teacher", 10),
        Column("report.col.alias", 12),
        Column("report.col.class", 10),
        Column("report.col.visit_form", 8),
        Column("report.col.met_with", 10),
        Column("report.col.topics", 24),
        Column("report.col.note", 40),
        Column("report.col.follow_up_on", 12, DATE),
        Column("report.col.follow_up_done", 16, MOMENT),
        Column("report.col.follow_up_note", 30),
    ),
    "meetings": (
        Column("report.col.no", 6),
        Column("report.col.meeting_kind", 12),
        Column("report.col.party_group", 12),
        Column("report.col.year", 6),
        Column("report.col.quarter", 6),
        Column("report.col.month_no", 6),
        Column("report.col.topic", 24),
        Column("report.col.start", 8),
        Column("report.col.end", 8),
        Column("report.col.date", 12, DATE),
        Column("report.col.place", 14),
        Column("report.col.chair", 10),
        Column("report.col.recorder", 10),
        Column("report.col.lecturer", 10),
        Column("report.col.due_count", 8),
        Column("report.col.came_count", 8),
        Column("report.col.absent", 8),
        Column("report.col.absences", 30),
        Column("report.col.observers", 20),
        Column("report.col.key_points", 40),
        Column("report.col.decisions", 40),
        Column("report.col.quorum", 10),
        Column("report.col.photos", 8),
        Column("report.col.review", 24),
    ),
    "safety": (
        Column("report.col.no", 6),
        Column("report.col.member", 10),
        Column("report.col.date", 12, DATE),
        Column("report.col.safety_item", 12),
        Column("report.col.safety_topic", 12),
        Column("report.col.class", 10),
        Column("report.col.students", 8),
        Column("report.col.drill_role", 14),
        Column("report.col.photos", 8),
    ),
    "links": (
        Column("report.col.no", 6),
        Column("report.col.contact_date", 12, DATE),
        Column("report.col.link_kind", 14),
        Column("report.col.link_owner", 12),
        Column("report.col.link_target", 20),
        Column("report.col.contact_how", 10),
        Column("report.col.contact_note", 40),
        Column("report.col.pair_side", 14),
    ),
}
SHEETS["rectification"] = (
    Column("report.col.no", 6),
    Column("report.col.rect_comment_at", 16, MOMENT),
    Column("report.col.rect_group", 12),
    Column("report.col.rect_inspector", 10),
    Column("report.col.rect_comment", 40),
    Column("report.col.rect_item", 30),
    Column("report.col.rect_deadline", 12, DATE),
    Column("report.col.status", 12),
    Column("report.col.rect_answer", 40),
    Column("report.col.rect_answered_by", 10),
    Column("report.col.rect_answered_at", 16, MOMENT),
    Column("report.col.photos", 8),
    Column("report.col.rect_reopened", 8),
    Column("report.col.rect_reopen_reason", 24),
    Column("report.col.rect_accepted_by", 10),
    Column("report.col.rect_accepted_at", 16, MOMENT),
)
SHEETS["objections"] = (
    Column("report.col.no", 6),
    Column("report.col.objection_at", 16, MOMENT),
    Column("report.col.objection_about", 30),
    Column("report.col.objection_text", 40),
    Column("report.col.objection_answered_by", 10),
    Column("report.col.objection_answer", 40),
    Column("report.col.objection_answered_at", 16, MOMENT),
)
BRANCH_COLUMN = Column("report.col.branch", 16)
MONTH_COLUMNS = (
    Column("report.col.month", 10, "yyyy-mm"),
    Column("report.col.partyday", 10),
    Column("report.col.date", 12, DATE),
    Column("report.col.theme", 24),
    Column("report.col.expected", 8),
    Column("report.col.present", 8),
    Column("report.col.rate", 8, RATE),
    Column("report.col.pledges_submitted", 8),
    Column("report.col.pledges_approved", 8),
    Column("report.col.pledges_fulfilled", 8),
    Column("report.col.pledges_evaluated", 8),
    Column("report.col.visits", 8),
    Column("report.col.service_hours", 10, HOURS),
    Column("report.col.remark", 30),
)
CHECK_COLUMNS = (
    Column("report.col.item", 30),
    Column("report.col.required", 10),
    Column("report.col.actual", 10),
    Column("report.col.met", 10),
)
TERM_COLUMNS = (
    Column("report.col.term", 24),
    Column("report.col.people", 8),
    Column("report.col.target", 10),
    Column("report.col.required", 10),
    Column("report.col.actual", 10),
    Column("report.col.at_target", 10),
    Column("report.col.met", 10),
)


RATING_COLUMNS = (
    Column("report.col.rating_category", 14),
    Column("report.col.rating_item", 36),
    Column("report.col.rating_kind", 8),
    Column("report.col.rating_points", 8),
    Column("report.col.rating_records", 12),
    Column("report.col.rating_self", 8),
    Column("report.col.rating_evidence", 30),
    Column("report.col.rating_review", 8),
    Column("report.col.rating_reason", 24),
    Column("report.col.rating_final", 8),
)
PIONEER_COLUMNS = (
    Column("report.col.pioneer_round", 28),
    Column("report.col.pioneer_member", 10),
    Column("report.col.pioneer_how", 10),
    Column("report.col.pioneer_status", 14),
    Column("report.col.pioneer_reason", 20),
    Column("report.col.pioneer_deeds", 50),
    Column("report.col.pioneer_result", 14),
)


@dataclass(frozen=True)
class PioneerRow:
    """One nomination of the branch in a pioneers round, with its round."""

    round: Round
    nomination: Nomination

    @property
    def result(self) -> str | None:
        """The outcome as far as the round has gone (the votes themselves never shown)."""
        # Confirmed but not yet published: nobody outside the bureau learns the list early.
        unpublished = self.round.status in (RoundStatus.OPEN, RoundStatus.CONFIRMED)
        if unpublished or self.nomination.selected is None:
            return None
        if not self.nomination.selected:
            return "not_chosen"
        return "honoured" if self.round.status is RoundStatus.FINAL else "proposed"


RATING_TOTAL_COLUMNS = (
    Column("report.col.rating_self", 10),
    Column("report.col.rating_bonus", 8),
    Column("report.col.rating_deduction", 8),
    Column("report.col.rating_vetoes", 24),
    Column("report.col.rating_final", 10),
    Column("report.col.rating_tier", 10),
    Column("report.col.rating_tier_reason", 24),
    Column("report.col.rating_step", 12),
)


def sheet_keys(private: bool) -> list[str]:
    """The data sheets in order; the visits sheet only in a private book (the links sheet
    in every book, its students' aliases only in a private one)."""
    keys = [
        "roster", "pledges", "partyday", "meetings", "safety", "service", "rectification",
        "objections",
    ]  # fmt: skip
    return [*keys, "links", "visits"] if private else [*keys, "links"]


class LedgerBook:
    """One workbook being written: ``add`` each branch's ledger, then ``save``."""

    def __init__(
        self,
        t: Translator,
        *,
        title: str,
        period: LedgerPeriod,
        generated_at: datetime,
        private: bool,
        bureau: bool,
        part: tuple[int, int] | None = None,
    ) -> None:
        self.t = t
        self.title = title
        self.period = period
        self.generated_at = generated_at.replace(tzinfo=None)
        self.private = private
        self.bureau = bureau
        self.part = part
        self._book = Workbook(write_only=True)
        self._summary = self._book.create_sheet(t.plain("report.sheet.summary"))
        self._setup(self._summary, self._summary_widths(), freeze=False)
        self._sheets: dict[str, Sheet] = {}
        self._rows: dict[str, int] = {}
        self._formats: dict[str, list[tuple[int, str]]] = {}
        for key in sheet_keys(private):
            sheet = self._book.create_sheet(t.plain(f"report.sheet.{key}"))
            columns = self._columns(key)
            self._setup(sheet, columns, freeze=True)
            sheet.append(self._header(columns))
            self._sheets[key] = sheet
            self._rows[key] = 0
            self._formats[key] = self._special_formats(columns)
        self._ledgers: list[_Digest] = []
        self._on_demand: dict[str, Sheet] = {}
        self._ratings: list[RatingSheet] = []

    # ----------------------------------------------------------------- public

    def add(
        self,
        ledger: BranchLedger,
        rating: RatingSheet | None = None,
        pioneers: Sequence[PioneerRow] = (),
    ) -> None:
        """Append one branch's rows to every data sheet (and its star rating's and its
        pioneers nominations', if any)."""
        branch = [ledger.branch.name] if self.bureau else []
        t = self.t
        if rating is not None:
            self._add_rating(branch, rating)
        if pioneers:
            self._add_pioneers(branch, pioneers)
        for m in ledger.members:
            self._append(
                "roster",
                branch,
                [
                    m.name,
                    t.plain(f"report.role.{m.role}"),
                    m.post,
                    m.joined,
                    m.left,
                    self._yes(m.reachable),
                    t.plain("report.roster.joined"),
                ],
            )
        # Imported but never joined: on the roster, marked, with no date and no phone.
        for person in ledger.not_joined:
            self._append(
                "roster",
                branch,
                [
                    person.name,
                    t.plain(f"report.role.{person.role}"),
                    None,
                    None,
                    None,
                    None,
                    t.plain("report.roster.not_joined"),
                ],
            )
        for p in ledger.pledges:
            self._append(
                "pledges",
                branch,
                [
                    p.member,
                    p.period.replace("..", "–"),
                    t.plain(f"report.category.{p.category}"),
                    p.text,
                    t.plain("report.list_sep").join(p.measures),
                    p.target_date,
                    t.plain(f"report.status.{p.status}"),
                    _naive(p.submitted),
                    p.approved_by,
                    _naive(p.approved),
                    p.progress_count,
                    _naive(p.last_progress),
                    _naive(p.fulfilled),
                    p.self_assessment,
                    t.plain(f"report.rating.{p.rating}") if p.rating else None,
                    p.evaluation,
                    p.evaluator,
                    _naive(p.evaluated),
                ],
            )
        for day in ledger.party_days:
            self._append_party_day(branch, day)
        for meeting in ledger.meetings:
            self._append_meeting(branch, meeting)
        for item in ledger.safety:
            self._append(
                "safety",
                branch,
                [
                    item.member,
                    item.on_date,
                    t.plain(f"report.safety.{item.what}")
                    + (t.plain("report.safety.school") if item.school_drill else ""),
                    t.plain(f"report.safety.{item.what}.{item.topic}"),
                    item.class_name,
                    item.students,
                    item.role,
                    1 if item.photo else 0,
                ],
            )
        for s in ledger.service:
            self._append(
                "service",
                branch,
                [
                    s.member,
                    s.on_date,
                    t.plain(f"report.kind.{s.kind}"),
                    s.hours,
                    s.description,
                    s.party_day,
                    s.makeup_for,
                ],
            )
        for r in ledger.rectifications:
            self._append(
                "rectification",
                branch,
                [
                    _naive(r.comment_at),
                    r.group,
                    r.inspector,
                    r.comment,
                    r.item,
                    r.deadline,
                    t.plain(f"report.rect.{r.status}"),
                    r.answer,
                    r.answered_by,
                    _naive(r.answered_at),
                    1 if r.photo else 0,
                    r.reopen_count,
                    r.reopen_reason,
                    r.accepted_by,
                    _naive(r.accepted_at),
                ],
            )
        for o in ledger.objections:
            self._append(
                "objections",
                branch,
                [
                    _naive(o.at),
                    self._objected(o),
                    o.text if o.text is not None else t.plain("report.objection.withheld"),
                    o.answered_by,
                    o.answer
                    if o.text is not None or o.answered_at is None
                    else t.plain("report.objection.withheld"),
                    _naive(o.answered_at),
                ],
            )
        if self.private:
            for v in ledger.visits:
                self._append(
                    "visits",
                    branch,
                    [
                        v.visit_date,
                        v.member,
                        v.alias,
                        v.class_name,
                        t.plain(f"report.form.{v.form}"),
                        t.plain(f"report.met.{v.met}"),
                        t.plain("report.word_sep").join(
                            t.plain(f"report.topic.{topic}") for topic in v.topics
                        ),
                        v.note,
                        v.follow_up_on,
                        _naive(v.follow_up_done),
                        v.follow_up_note,
                    ],
                )
        for c in ledger.link_contacts:
            self._append(
                "links",
                branch,
                [
                    c.on_date,
                    t.plain(f"report.link.{c.kind.value}"),
                    c.owner,
                    c.target if c.target is not None else t.plain("report.link.hidden"),
                    t.plain(f"report.how.{c.how}"),
                    c.note,
                    c.side,
                ],
            )
        digest = _Digest.of(ledger)
        if pioneers:
            honoured = sum(row.result == "honoured" for row in pioneers)
            digest = dataclasses.replace(digest, pioneers=honoured)
        self._ledgers.append(digest)

    def row_counts(self) -> dict[str, int]:
        return dict(self._rows)

    def save(self, path: Path) -> None:
        """Write the summary (now that every branch is in) and the file."""
        self._write_summary()
        if self.bureau and self._ratings:
            self._write_ratings()
        self._book.save(path)

    # ----------------------------------------------------------------- star rating

    def _add_rating(self, branch: list[Any], rating: RatingSheet) -> None:
        """The branch's rating sheet: each item, how it is scored, what the records
        show, the self-score with its evidence, the review with its reason, the final."""
        t = self.t
        sheet = self._sheet_on_demand("report.sheet.rating", RATING_COLUMNS)
        self._ratings.append(rating)
        for line in rating.lines:
            auto = line.auto
            records = f"{auto.done}/{auto.required}" if auto is not None else None
            self_score = line.self_score
            sheet.append(
                [
                    *branch,
                    line.category or t.plain(f"report.rating.line.{line.kind.value}"),
                    line.text,
                    t.plain(f"report.rating.kind.{_kind_of(line)}"),
                    line.points,
                    records,
                    line.claimed,
                    self_score.note if self_score and self_score.note != "auto" else None,
                    line.review.score if line.review is not None else None,
                    line.review.reason if line.review is not None else None,
                    line.final,
                ]
            )
        tier = rating.rating.tier
        sheet.append(
            [
                *branch,
                self._styled(t.plain("report.rating.total"), font=_BOLD),
                t.plain(f"report.rating.tier.{tier.value}") if tier is not None else None,
                None,
                rating.rubric.total,
                None,
                rating.self_total,
                None,
                None,
                rating.rating.tier_reason,
                rating.total,
            ]
        )

    # ----------------------------------------------------------------- pioneers

    def _add_pioneers(self, branch: list[Any], rows: Sequence[PioneerRow]) -> None:
        """先锋评选: each nomination, how it was made, where it stands, the outcome."""
        t = self.t
        sheet = self._sheet_on_demand("report.sheet.pioneers", PIONEER_COLUMNS)
        for row in rows:
            n = row.nomination
            sheet.append(
                [
                    *branch,
                    row.round.title,
                    n.member_name,
                    t.plain("report.pioneer.self" if n.self_nominated else "report.pioneer.branch"),
                    t.plain(f"report.pioneer.status.{n.status.value}"),
                    n.decline_reason if n.status is NominationStatus.DECLINED else None,
                    n.deeds,
                    t.plain(f"report.pioneer.result.{row.result}") if row.result else None,
                ]
            )

    def _write_ratings(self) -> None:
        """The bureau's sheet: every branch's scores by category and its tier."""
        t = self.t
        categories = [c.name for c in self._ratings[0].rubric.categories]
        sheet = self._book.create_sheet(t.plain("report.sheet.ratings"))
        fixed = [BRANCH_COLUMN, *RATING_TOTAL_COLUMNS]
        self._setup(sheet, fixed, freeze=True)
        for index, name in enumerate(categories, start=len(fixed) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = _display_width(name) + 4
        sheet.append([*self._header(fixed), *(self._styled(n, font=_BOLD) for n in categories)])
        for rating in sorted(self._ratings, key=lambda r: -r.total):
            tier = rating.rating.tier
            sheet.append(
                [
                    rating.rating.branch_name,
                    rating.self_total,
                    rating.bonus,
                    rating.deduction,
                    t.plain("report.list_sep").join(line.text for line in rating.vetoed) or None,
                    rating.total,
                    t.plain(f"report.rating.tier.{tier.value}") if tier is not None else None,
                    rating.rating.tier_reason,
                    t.plain(f"report.rating.step.{rating.rating.status.value}"),
                    *(got for _, _, got in rating.by_category()),
                ]
            )

    # ----------------------------------------------------------------- sheets

    def _sheet_on_demand(self, name_key: str, columns: Sequence[Column]) -> Sheet:
        """A sheet only some exports have (a rating, nominations): made with its first row."""
        sheet = self._on_demand.get(name_key)
        if sheet is None:
            columns = [*([BRANCH_COLUMN] if self.bureau else []), *columns]
            sheet = self._book.create_sheet(self.t.plain(name_key))
            self._setup(sheet, columns, freeze=True)
            sheet.append(self._header(columns))
            self._on_demand[name_key] = sheet
        return sheet

    def _columns(self, key: str) -> list[Column]:
        columns = list(SHEETS[key])
        return [BRANCH_COLUMN, *columns] if self.bureau else columns

    def _setup(self, sheet: Sheet, columns: Sequence[Column], *, freeze: bool) -> None:
        for index, column in enumerate(columns, start=1):
            header = _display_width(self.t.plain(column.key)) + 2
            sheet.column_dimensions[get_column_letter(index)].width = max(column.width, header)
        if freeze:
            sheet.freeze_panes = "A2"
            sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    def _summary_widths(self) -> list[Column]:
        """One width per summary column: the widest of the three tables stacked in it."""
        lead = [BRANCH_COLUMN] if self.bureau else []
        tables = [[*lead, *cols] for cols in (CHECK_COLUMNS, MONTH_COLUMNS, TERM_COLUMNS)]
        widths = []
        for index in range(max(len(table) for table in tables)):
            here = [table[index] for table in tables if index < len(table)]
            widest = max(here, key=lambda c: max(c.width, _display_width(self.t.plain(c.key))))
            widths.append(widest)
        return widths

    def _header(self, columns: Sequence[Column]) -> list[Cell]:
        cells = []
        for column in columns:
            cell = WriteOnlyCell(self._summary, value=self.t.plain(column.key))
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cells.append(cell)
        return cells

    def _append(self, key: str, branch: list[Any], values: list[Any]) -> None:
        self._rows[key] += 1
        numbered = SHEETS[key][0].key == "report.col.no"
        row = [*branch, self._rows[key], *values] if numbered else [*branch, *values]
        for index, fmt in self._formats[key]:
            if row[index] is not None:
                cell = WriteOnlyCell(self._summary, value=row[index])
                cell.number_format = fmt
                row[index] = cell
        self._sheets[key].append(row)

    def _special_formats(self, columns: Sequence[Column]) -> list[tuple[int, str]]:
        """Columns whose format openpyxl would not give by itself.

        A plain date or datetime already gets an Excel date format, and hours read well
        as General; a styled cell costs several times a plain one, and a bureau export
        writes over a million cells.
        """
        return [
            (index, column.fmt)
            for index, column in enumerate(columns)
            if column.fmt is not None and column.fmt not in (DATE, MOMENT, HOURS)
        ]

    def _objected(self, objection: LedgerObjection) -> str:
        """What an objection was raised against: the branch's tier, or a pioneers list."""
        t = self.t
        if objection.about == "pioneers":
            return t.plain(
                "report.objection.pioneers", year=objection.year, title=objection.title or ""
            )
        label = f"{objection.year}–{objection.year + 1}"
        if objection.tier is None:
            return t.plain("report.objection.rating", year=label)
        tier = t.plain(f"report.rating.tier.{objection.tier}")
        return t.plain("report.objection.rating_tier", year=label, tier=tier)

    def _append_party_day(self, branch: list[Any], day: PartyDayEntry) -> None:
        t = self.t
        sep = t.plain("report.list_sep")
        leaves = sep.join(
            t.plain(
                "report.leave_line",
                name=leave.member,
                reason=leave.reason_text or t.plain(f"report.reason.{leave.reason_kind}"),
                approval=t.plain(f"report.approval.{leave.approval}"),
            )
            for leave in day.leaves
        )
        makeups = sep.join(
            t.plain(
                "report.makeup_line",
                name=m.member,
                date=m.on_date.isoformat(),
                hours=_hours_text(m.hours),
            )
            for m in day.makeups
        )
        rate = day.rate
        self._append(
            "partyday",
            branch,
            [
                date(day.year, day.month, 1),
                day.day,
                t.plain(f"report.day.{day.status}"),
                day.theme,
                t.plain("report.word_sep").join(t.plain(f"report.kind.{k}") for k in day.forms)
                or None,
                day.place,
                day.expected if day.status in ("held", "not_held") else None,
                day.present if day.status in ("held", "not_held") else None,
                rate,
                self._yes(day.meets_target) if rate is not None else None,
                leaves or None,
                makeups or None,
                day.hours,
                day.photos,
                day.recorder,
                day.reason,
            ],
        )

    def _append_meeting(self, branch: list[Any], m: MeetingEntry) -> None:
        t = self.t
        sep = t.plain("report.list_sep")
        absences = sep.join(
            t.plain("report.absence_line", name=name, reason=reason) if reason else name
            for name, reason in m.absences
        )
        decisions = m.decisions
        if m.votes is not None:
            votes = t.plain("report.votes", yes=m.votes[0], no=m.votes[1], abstain=m.votes[2])
            decisions = f"{decisions or ''}\n{votes}".strip()
        quorum = None if m.quorum_met is None else self._yes(m.quorum_met)
        review = t.plain(f"report.meeting_status.{m.status}")
        if m.review_note:
            review = f"{review}：{m.review_note}"
        if m.version > 1:
            review = f"{review}（{t.plain('report.version', version=m.version)}）"
        self._append(
            "meetings",
            branch,
            [
                t.plain(f"report.meeting_kind.{m.kind}"),
                m.group,
                m.on_date.year,
                (m.on_date.month - 1) // 3 + 1,
                m.on_date.month,
                m.topic,
                m.start_time.strftime("%H:%M") if m.start_time else None,
                m.end_time.strftime("%H:%M") if m.end_time else None,
                m.on_date,
                m.place,
                m.chair,
                m.recorder,
                m.lecturer,
                m.expected,
                m.present,
                m.absent,
                absences or None,
                sep.join(m.observers) or None,
                m.key_points,
                decisions,
                quorum,
                m.photos,
                review,
            ],
        )

    # ----------------------------------------------------------------- summary

    def _write_summary(self) -> None:
        t, sheet = self.t, self._summary
        name = t.plain("report.cover.bureau") if self.bureau else self.title
        sheet.append([self._styled(t.plain("report.cover.title", name=name), font=_TITLE)])
        if not self.bureau:
            sheet.append([t.plain("report.cover.branch"), self.title])
        else:
            sheet.append([t.plain("report.cover.branches"), len(self._ledgers)])
        sheet.append([t.plain("report.cover.period"), self.period.label])
        sheet.append([t.plain("report.cover.generated"), self._fmt(self.generated_at, MOMENT)])
        if self.part is not None:
            sheet.append([t.plain("report.cover.part", index=self.part[0], total=self.part[1])])
        if all(digest.empty for digest in self._ledgers):
            sheet.append([self._styled(t.plain("report.cover.empty"), fill=_SHORT_FILL)])
        if not self.private:
            sheet.append([t.plain("report.cover.no_visits_sheet")])
        sheet.append([])
        self._write_checks()
        sheet.append([])
        self._write_months()
        sheet.append([])
        self._write_terms()

    def _write_checks(self) -> None:
        t, sheet = self.t, self._summary
        sheet.append([self._styled(t.plain("report.cover.checks"), font=_BOLD)])
        lead = [BRANCH_COLUMN] if self.bureau else []
        sheet.append(self._header([*lead, *CHECK_COLUMNS]))
        for digest in self._ledgers:
            branch = [digest.name] if self.bureau else []
            for key, required, actual in digest.checks():
                met = None if required is None or key in _NO_VERDICT else actual >= required
                sheet.append(
                    [
                        *branch,
                        t.plain(key),
                        required,
                        self._fmt(actual, HOURS)
                        if key in ("report.check.service", "report.check.points")
                        else actual,
                        self._met(met),
                    ]
                )

    def _write_months(self) -> None:
        t, sheet = self.t, self._summary
        sheet.append([self._styled(t.plain("report.cover.months"), font=_BOLD)])
        lead = [BRANCH_COLUMN] if self.bureau else []
        sheet.append(self._header([*lead, *MONTH_COLUMNS]))
        for digest in self._ledgers:
            branch = [digest.name] if self.bureau else []
            for month in digest.months:
                day = month.party_day
                remark = self._month_remark(month)
                fill = _SHORT_FILL if month.party_day_short else None
                held = day.status in ("held", "not_held")
                sheet.append(
                    [
                        *branch,
                        self._fmt(date(month.year, month.month, 1), "yyyy-mm"),
                        self._styled(t.plain(f"report.day.{day.status}"), fill=fill),
                        self._fmt(day.day, DATE),
                        day.theme,
                        day.expected if held else None,
                        day.present if held else None,
                        self._styled(day.rate, fmt=RATE, fill=fill),
                        month.pledges_submitted,
                        month.pledges_approved,
                        month.pledges_fulfilled,
                        month.pledges_evaluated,
                        month.visits,
                        self._fmt(month.service_hours, HOURS),
                        self._styled(remark, fill=fill),
                    ]
                )

    def _month_remark(self, month: MonthSummary) -> str | None:
        if not month.party_day_short:
            return None
        day = month.party_day
        if day.status == "cancelled":
            return self.t.plain("report.short.cancelled", reason=day.reason or "—")
        if day.status != "held":
            return self.t.plain("report.short.partyday")
        return self.t.plain("report.short.rate")

    def _write_terms(self) -> None:
        t, sheet = self.t, self._summary
        sheet.append([self._styled(t.plain("report.cover.terms"), font=_BOLD)])
        lead = [BRANCH_COLUMN] if self.bureau else []
        sheet.append(self._header([*lead, *TERM_COLUMNS]))
        for digest in self._ledgers:
            branch = [digest.name] if self.bureau else []
            for term in digest.terms:
                label = f"{term.term.start.isoformat()}–{term.term.end.isoformat()}"
                sheet.append(
                    [
                        *branch,
                        label,
                        term.people,
                        term.target if term.target is not None else t.plain("report.no_target"),
                        term.required,
                        term.visits,
                        term.at_target if term.target is not None else None,
                        self._met(None if term.target is None else not term.short),
                    ]
                )

    # ----------------------------------------------------------------- cells

    def _met(self, met: bool | None) -> Any:
        if met is None:
            return self.t.plain("report.met.na")
        if met:
            return self.t.plain("report.met.yes")
        return self._styled(self.t.plain("report.met.no"), fill=_SHORT_FILL)

    def _yes(self, value: bool) -> str:
        return self.t.plain("report.yes" if value else "report.no")

    def _fmt(self, value: Any, fmt: str) -> Any:
        return self._styled(value, fmt=fmt) if value is not None else None

    def _styled(
        self,
        value: Any,
        *,
        fmt: str | None = None,
        fill: PatternFill | None = None,
        font: Font | None = None,
    ) -> Cell:
        cell = WriteOnlyCell(self._summary, value=value)
        if fmt:
            cell.number_format = fmt
        if fill:
            cell.fill = fill
        if font:
            cell.font = font
        return cell


def _kind_of(line: RatingLine) -> str:
    if line.kind is not LineKind.ITEM:
        return line.kind.value
    return "auto" if line.rule is not None else "manual"


@dataclass(frozen=True)
class _Digest:
    """What the summary needs of one branch, kept after its rows were streamed out."""

    name: str
    empty: bool
    months: list[MonthSummary]
    terms: list[Any]
    participants: int
    pledgers: int
    service_hours: float
    meeting_checks: list[MeetingCheck]
    safety_people: int
    safety_done: int
    rectifications_open: int
    objections: int
    objections_answered: int
    points_total: float
    link_coverage: dict[Family, FamilyCoverage]
    pioneers: int | None = None  # honoured in a final pioneers round of the period

    @classmethod
    def of(cls, ledger: BranchLedger) -> _Digest:
        return cls(
            name=ledger.branch.name,
            empty=ledger.empty,
            months=ledger.months,
            terms=ledger.terms,
            participants=len(ledger.participants),
            pledgers=ledger.pledgers,
            service_hours=sum(s.hours for s in ledger.service),
            meeting_checks=ledger.meeting_checks,
            safety_people=ledger.safety_people,
            safety_done=ledger.safety_done,
            rectifications_open=ledger.rectifications_open,
            objections=len(ledger.objections),
            objections_answered=sum(o.answered_at is not None for o in ledger.objections),
            points_total=ledger.points_total,
            link_coverage=ledger.link_coverage,
        )

    def checks(self) -> list[tuple[str, int | None, float]]:
        """(item, required or None, actual) for the requirement table."""
        past = [m for m in self.months if m.past and m.party_day.status != "upcoming"]
        held = sum(1 for m in past if m.party_day.status == "held")
        at_rate = sum(1 for m in past if m.party_day.meets_target)
        return [
            ("report.check.partyday", len(past), held),
            ("report.check.rate", len(past), at_rate),
            ("report.check.pledges", self.participants, self.pledgers),
            ("report.check.service", None, self.service_hours),
            *(
                (f"report.check.meeting.{c.kind}.{c.frequency}", c.required, c.held)
                for c in self.meeting_checks
            ),
            ("report.check.safety", self.safety_people, self.safety_done),
            # Nothing is required: the count of rectification items still open is shown.
            ("report.check.rectification_open", None, self.rectifications_open),
            # Raised and answered, without a verdict: answering is the bureau's, not the branch's.
            ("report.check.objections", self.objections, self.objections_answered),
            ("report.check.points", None, self.points_total),
            *(
                [("report.check.pioneers", None, self.pioneers)]
                if self.pioneers is not None
                else []
            ),
            *(
                (f"report.check.links_{family.value}", line.links, line.covered)
                for family, line in self.link_coverage.items()
                if line.links
            ),
        ]


ProgressCallback = Callable[[int], Any]

# Lines of the requirement table shown without 达标 / 未达标: what they count is not the
# branch's to do (the bureau answers a 公示's objections).
_NO_VERDICT = frozenset({"report.check.objections"})


def _naive(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: the local wall time, as the ledger reader reads it."""
    return moment.replace(tzinfo=None) if moment is not None else None


def _hours_text(hours: float) -> str:
    return f"{hours:g}"


def _display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
