"""Roster files: reading an XLSX or CSV the way a school office writes one, and writing
the template and the sheet of personal links.

Reading is forgiving about form (headers in Chinese or English, with or without a hint in
brackets; CSV in UTF-8 or GBK, as Excel in China saves it; the template's example row
left in) and strict about size. Everything here runs in a worker thread and keeps files
in memory: nothing is written to disk.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from storage.roster import MAX_ROWS, RosterRow

MAX_BYTES = 1024 * 1024
MAX_COLUMNS = 30
MAX_SCANNED = 10 * MAX_ROWS  # rows read from an XLSX, blank ones included


class Scope(StrEnum):
    """What a file lists: a branch's members (a secretary), or branches and their
    secretaries (an admin)."""

    MEMBERS = "members"
    BRANCHES = "branches"


# Header words per field, compared after ``_header_key`` (NFKC, case, spaces, and any hint
# in brackets removed): 手机（选填，仅书记可见） is 手机.
_MEMBER_COLUMNS = {
    "name": ("姓名", "名字", "教师姓名", "党员姓名", "name", "fullname"),
    "subject": ("学科", "科目", "任教学科", "subject"),
    "class_name": ("班级", "任教班级", "class", "classes"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile", "phonenumber"),
    "notes": ("备注", "说明", "notes", "note", "remarks"),
}
_BRANCH_COLUMNS = {
    "branch": ("党支部", "支部", "党支部名称", "支部名称", "branch", "branchname"),
    "name": ("书记", "支部书记", "书记姓名", "姓名", "secretary", "secretaryname", "name"),
    "phone": _MEMBER_COLUMNS["phone"],
}
_REQUIRED = {Scope.MEMBERS: ("name",), Scope.BRANCHES: ("branch", "name")}

# The template's headers and example row, per language; the example row is skipped when
# it is sent back unchanged.
TEMPLATE_HEADERS = {
    (Scope.MEMBERS, "zh"): (
        "姓名",
        "学科（选填）",
        "班级（选填）",
        "手机（选填，仅书记可见）",
        "备注（选填）",
    ),
    (Scope.MEMBERS, "en"): (
        "Name",
        "Subject (optional)",
        "Class (optional)",
        "Phone (optional, secretary only)",
        "Notes (optional)",
    ),
    (Scope.BRANCHES, "zh"): ("党支部", "书记姓名", "手机（选填）"),
    (Scope.BRANCHES, "en"): ("Branch", "Secretary", "Phone (optional)"),
}
_TEMPLATE_FIELDS = {
    Scope.MEMBERS: ("name", "subject", "class_name", "phone", "notes"),
    Scope.BRANCHES: ("branch", "name", "phone"),
}
EXAMPLES = {
    Scope.MEMBERS: ("张晓明", "语文", "初二(3)班", "13800000000", "示例行，可删除"),
    Scope.BRANCHES: ("示例中学党支部", "张晓明", "13800000000"),
}


class SheetProblem(StrEnum):
    TOO_BIG = "too_big"
    NOT_SPREADSHEET = "not_spreadsheet"
    OLD_EXCEL = "old_excel"  # .xls: Excel 97–2003
    UNREADABLE = "unreadable"  # a CSV in neither UTF-8 nor GBK
    EMPTY = "empty"
    MISSING_COLUMN = "missing_column"  # detail: the missing field
    TOO_MANY_ROWS = "too_many_rows"


class SheetRefused(Exception):
    def __init__(self, problem: SheetProblem, detail: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


@dataclass
class Table:
    rows: list[RosterRow]
    unknown_columns: list[str] = field(default_factory=list)
    example_skipped: bool = False


def read(content: bytes, file_name: str, scope: Scope) -> Table:
    """The rows of an XLSX or CSV roster, or ``SheetRefused`` saying why not."""
    if len(content) > MAX_BYTES:
        raise SheetRefused(SheetProblem.TOO_BIG)
    lower = file_name.lower()
    if lower.endswith(".xls"):
        raise SheetRefused(SheetProblem.OLD_EXCEL)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        cells = _csv_rows(content)
    elif zipfile.is_zipfile(io.BytesIO(content)):
        cells = _xlsx_rows(content)
    else:
        raise SheetRefused(SheetProblem.NOT_SPREADSHEET)
    return _table(cells, scope)


def template(scope: Scope, lang: str) -> bytes:
    """An XLSX with the headers and one example row, in the reader's language."""
    headers = TEMPLATE_HEADERS[(scope, lang)]
    return _workbook(headers, [list(EXAMPLES[scope])], title="名单" if lang == "zh" else "Roster")


def links_sheet(headers: Sequence[str], rows: Sequence[Sequence[str | int]], title: str) -> bytes:
    """The personal links to hand out, one person a row."""
    return _workbook(headers, [list(row) for row in rows], title=title)


def _workbook(headers: Sequence[str], rows: list[list[str | int]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        longest = max([_width(header), *(_width(str(row[index])) for row in rows)])
        sheet.column_dimensions[letter].width = min(max(longest + 2, 10), 60)
    # Phone numbers and class names stay text: Excel would show 1.38E+10 or a date.
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _width(text: str) -> int:
    """Columns a text takes in Excel: a Chinese character is two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    if b"\x00" in content[:4096]:
        raise SheetRefused(SheetProblem.NOT_SPREADSHEET)
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 reads GBK and GB2312 too
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetRefused(SheetProblem.UNREADABLE)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t，"
        )
    except csv.Error:
        dialect = csv.excel
    return iter(list(csv.reader(io.StringIO(text), dialect)))


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetRefused(SheetProblem.NOT_SPREADSHEET) from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise SheetRefused(SheetProblem.EMPTY)
        rows = []
        # One row past the limit is enough to know the file is too long; blank rows count
        # too, up to a bound, so a small file that unpacks to a million rows stops early.
        for scanned, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
        ):
            cells = [_cell_text(v) for v in values]
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_ROWS + 1 or scanned > MAX_SCANNED:
                raise SheetRefused(SheetProblem.TOO_MANY_ROWS)
        return iter(rows)
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number: 13800000000.0
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _table(cells: Iterator[list[str]], scope: Scope) -> Table:
    rows = [
        (number, row) for number, row in enumerate(cells, start=1) if any(c.strip() for c in row)
    ]
    if not rows:
        raise SheetRefused(SheetProblem.EMPTY)
    _, header = rows[0]
    columns, unknown = _columns(header, scope)
    for needed in _REQUIRED[scope]:
        if needed not in columns.values():
            raise SheetRefused(SheetProblem.MISSING_COLUMN, needed)
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise SheetRefused(SheetProblem.TOO_MANY_ROWS)
    table = Table(rows=[], unknown_columns=unknown)
    example = EXAMPLES[scope]
    for number, row in body:
        values = {name: row[i].strip() if i < len(row) else "" for i, name in columns.items()}
        if tuple(values.get(f, "") for f in _TEMPLATE_FIELDS[scope]) == example:
            table.example_skipped = True
            continue
        table.rows.append(RosterRow.model_validate({"number": number, **values}))
    if not table.rows and not table.example_skipped:
        raise SheetRefused(SheetProblem.EMPTY)
    return table


def _columns(header: list[str], scope: Scope) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field, and the headers no field has (shown, then ignored)."""
    known = _MEMBER_COLUMNS if scope is Scope.MEMBERS else _BRANCH_COLUMNS
    lookup = {_header_key(word): name for name, words in known.items() for word in words}
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for index, text in enumerate(header):
        if not text.strip():
            continue
        name = lookup.get(_header_key(text))
        if name is None or name in columns.values():
            unknown.append(text.strip())
        else:
            columns[index] = name
    return columns, unknown


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s_*:：\-]", "", text)
