"""The auto items of a star-rating rubric: named rules over a branch's records for a
school year, each giving how much was done of what was required and the records behind.

Each rule reads the branch's 台账 (``storage.ledger.branch_ledger``, read once for all
rules), so an auto item and the ledger an inspector opens cannot disagree. Adding a rule
is one entry in ``AUTO_RULES``; a rubric naming anything else is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

import aiosqlite

from storage import ledger as ledger_store
from storage import links as link_store
from storage import terms as term_store
from storage.ledger import BranchLedger, BranchRef, Reading
from storage.ledger_period import LedgerPeriod
from storage.link_rules import Family, LinkRhythms, Standing

Value = str | int | float


@dataclass(frozen=True)
class Evidence:
    """One line behind an auto score: ``code`` names its message, ``values`` fill it."""

    code: str
    values: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class AutoResult:
    done: int
    required: int
    evidence: list[Evidence]

    @property
    def ratio(self) -> float:
        """Share of what was required that was done; nothing required counts as all."""
        return 1.0 if self.required == 0 else min(self.done / self.required, 1.0)

    def score(self, points: float) -> float:
        """The item's points in proportion, to a tenth."""
        return round(points * self.ratio, 1)


AutoRule = Callable[[BranchLedger], AutoResult]
Reads = Callable[[aiosqlite.Connection, BranchLedger, LinkRhythms], Awaitable[AutoResult]]


async def auto_results(
    conn: aiosqlite.Connection, branch: BranchRef, school_year: int, reading: Reading
) -> dict[str, AutoResult]:
    """Every rule's result for the branch's school year as of ``reading.today``."""
    period = LedgerPeriod.school_year(school_year)
    as_of = dataclasses.replace(reading, today=min(reading.today, period.end))
    book = await ledger_store.branch_ledger(conn, branch, period, as_of, private=False)
    found = {name: rule(book) for name, rule in AUTO_RULES.items()}
    for name, reads in READING_RULES.items():
        found[name] = await reads(conn, book, reading.rhythms)
    return found


# --------------------------------------------------------------------------- the rules


def party_day_monthly(book: BranchLedger) -> AutoResult:
    """A 主题党日 held in every month begun (a month cancelled with a reason is excused)."""
    evidence, done, required = [], 0, 0
    for day in _months_begun(book):
        month = f"{day.year}-{day.month:02d}"
        if day.status == "cancelled":
            evidence.append(
                Evidence("month_cancelled", {"month": month, "reason": day.reason or ""})
            )
            continue
        required += 1
        if day.status == "held":
            done += 1
            evidence.append(
                Evidence(
                    "month_held", {"month": month, "present": day.present, "expected": day.expected}
                )
            )
        else:
            evidence.append(Evidence("month_not_held", {"month": month}))
    return AutoResult(done, required, evidence)


def participation_85(book: BranchLedger) -> AutoResult:
    """Party days held with at least 85% of the members present."""
    evidence, done, required = [], 0, 0
    for day in _months_begun(book):
        if day.status != "held" or day.rate is None:
            continue
        required += 1
        done += day.meets_target
        evidence.append(
            Evidence(
                "month_rate",
                {"month": f"{day.year}-{day.month:02d}", "rate": round(day.rate * 100)},
            )
        )
    return AutoResult(done, required, evidence)


def meetings_frequency(book: BranchLedger) -> AutoResult:
    """三会一课: of the periods each meeting type was required in, those it was held in."""
    evidence = [
        Evidence("meetings", {"kind": c.kind, "held": c.held, "required": c.required})
        for c in book.meeting_checks
        if c.required
    ]
    done = sum(min(c.held, c.required) for c in book.meeting_checks)
    return AutoResult(done, sum(c.required for c in book.meeting_checks), evidence)


def visits_target(book: BranchLedger) -> AutoResult:
    """Members who reached their term's home-visit target (terms with a target)."""
    evidence, done, required = [], 0, 0
    for term in book.terms:
        span = f"{term.term.start:%Y-%m-%d}–{term.term.end:%Y-%m-%d}"
        if term.target is None:
            evidence.append(Evidence("visits_no_target", {"term": span}))
            continue
        required += term.people
        done += term.at_target
        evidence.append(
            Evidence(
                "visits",
                {
                    "term": span,
                    "target": term.target,
                    "at_target": term.at_target,
                    "people": term.people,
                },
            )
        )
    return AutoResult(done, required, evidence)


def safety_coverage(book: BranchLedger) -> AutoResult:
    """Members with both a safety lesson and a drill in the term."""
    term = book.safety_term
    span = f"{term.start:%Y-%m-%d}–{term.end:%Y-%m-%d}" if term else ""
    evidence = [
        Evidence("safety", {"term": span, "done": book.safety_done, "people": book.safety_people})
    ]
    return AutoResult(book.safety_done, book.safety_people, evidence)


def pledges_evaluated(book: BranchLedger) -> AutoResult:
    """Published pledges that were evaluated (评诺)."""
    counted = [p for p in book.pledges if p.status in ("published", "fulfilled", "evaluated")]
    evaluated = sum(p.status == "evaluated" for p in counted)
    evidence = [
        Evidence(
            "pledges",
            {
                "published": len(counted),
                "fulfilled": sum(p.status in ("fulfilled", "evaluated") for p in counted),
                "evaluated": evaluated,
            },
        )
    ]
    return AutoResult(evaluated, len(counted), evidence)


async def links_coverage(
    conn: aiosqlite.Connection, book: BranchLedger, rhythms: LinkRhythms
) -> AutoResult:
    """三联系: of the branch's class, dorm and student links owing a contact in each
    window (month or term, as ``XIANFENG_LINK_RHYTHM`` says) begun in the school year,
    those contacted in it."""
    stored = await term_store.set_terms(conn)
    windows: dict[tuple[date, date], tuple[int, int]] = {}
    for year, month in book.period.months():
        first = date(year, month, 1)
        if first > book.today:
            break
        rows = await link_store.coverage(
            conn,
            on=first,
            today=book.today,
            rhythms=rhythms,
            terms=stored,
            branch_id=book.branch.id,
        )
        due = [
            row
            for row in rows
            if row.link.family is Family.THREE
            and row.link.branch_id == book.branch.id
            and row.standing is not Standing.NOT_DUE
        ]
        if due:
            window = (due[0].window_start, due[0].window_end)
            covered = sum(row.standing is Standing.COVERED for row in due)
            windows[window] = (covered, len(due))
    evidence = [
        Evidence(
            "links",
            {"window": f"{start:%Y-%m-%d}–{end:%Y-%m-%d}", "covered": covered, "links": links},
        )
        for (start, end), (covered, links) in sorted(windows.items())
    ]
    done = sum(covered for covered, _ in windows.values())
    return AutoResult(
        done, sum(links for _, links in windows.values()), evidence or [Evidence("links_none")]
    )


def _months_begun(book: BranchLedger) -> list[ledger_store.PartyDayEntry]:
    today = book.today
    return [
        day
        for day in book.party_days
        if date(day.year, day.month, 1) <= today and day.status != "upcoming"
    ]


AUTO_RULES: dict[str, AutoRule] = {
    "party_day_monthly": party_day_monthly,
    "participation_85": participation_85,
    "meetings_frequency": meetings_frequency,
    "visits_target": visits_target,
    "safety_coverage": safety_coverage,
    "pledges_evaluated": pledges_evaluated,
}
# Rules that read more than the ledger holds.
READING_RULES: dict[str, Reads] = {"links_coverage": links_coverage}
RULE_NAMES = [*AUTO_RULES, *READING_RULES]
