"""The spans a 台账 export covers: a school year, a calendar year, or one school term.

A school year runs 1 September to 31 August. A code (``sy2025``, ``y2026``,
``t2026-09-01.2027-01-31``) names a period in button data and stays under 30 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from storage.terms import Term


class PeriodKind(StrEnum):
    SCHOOL_YEAR = "school_year"
    YEAR = "year"
    TERM = "term"


@dataclass(frozen=True)
class LedgerPeriod:
    kind: PeriodKind
    start: date
    end: date

    @classmethod
    def school_year(cls, first_year: int) -> LedgerPeriod:
        return cls(PeriodKind.SCHOOL_YEAR, date(first_year, 9, 1), date(first_year + 1, 8, 31))

    @classmethod
    def school_year_of(cls, day: date) -> LedgerPeriod:
        """The school year ``day`` falls in."""
        return cls.school_year(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def calendar_year(cls, year: int) -> LedgerPeriod:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def of_term(cls, term: Term) -> LedgerPeriod:
        return cls(PeriodKind.TERM, term.start, term.end)

    @classmethod
    def from_code(cls, code: str) -> LedgerPeriod:
        """The period a ``code`` names; ``ValueError`` for anything else."""
        if code.startswith("sy") and code[2:].isdigit() and len(code) == 6:
            return cls.school_year(int(code[2:]))
        if code.startswith("y") and code[1:].isdigit() and len(code) == 5:
            return cls.calendar_year(int(code[1:]))
        if code.startswith("t") and len(code) == 22 and code[11] == ".":
            start, end = date.fromisoformat(code[1:11]), date.fromisoformat(code[12:])
            if end <= start:
                raise ValueError(f"a term ends after it starts: {code}")
            return cls(PeriodKind.TERM, start, end)
        raise ValueError(f"not a period code: {code}")

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.SCHOOL_YEAR:
            return f"sy{self.start.year}"
        if self.kind is PeriodKind.YEAR:
            return f"y{self.start.year}"
        return f"t{self.start.isoformat()}.{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """Language-neutral: "2025–2026", "2026", "2026-09-01–2027-01-31"."""
        if self.kind is PeriodKind.SCHOOL_YEAR:
            return f"{self.start.year}–{self.end.year}"
        if self.kind is PeriodKind.YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()}–{self.end.isoformat()}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[tuple[int, int]]:
        """(year, month) for every month the period touches, in order."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))
