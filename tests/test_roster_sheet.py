"""Reading roster files: headers in either language, cells as Excel stores them, limits."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from handlers.roster import sheet
from handlers.roster.sheet import Scope, SheetProblem, SheetRefused


def _xlsx(rows: list[list[object]], far_row: int | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    if far_row is not None:
        ws.cell(row=far_row, column=1, value="远处")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_headers_in_chinese_or_english_with_hints_are_recognised() -> None:
    content = _xlsx(
        [
            [
                "  Name ",
                "任教学科",
                "班级【选填】",
                "Phone Number",
                "备注(选填)",
                "身份证号",
                "姓名",
            ],
            ["王芳", "语文", "初二(3)班", 13912345678.0, "", "330000", "重复列"],
        ]
    )
    table = sheet.read(content, "x.xlsx", Scope.MEMBERS)
    [row] = table.rows
    assert (row.number, row.name, row.subject, row.class_name, row.phone) == (
        2,
        "王芳",
        "语文",
        "初二(3)班",
        "13912345678",
    )
    assert table.unknown_columns == ["身份证号", "姓名"]  # a second name column is unknown


def test_the_template_reads_back_as_only_its_example() -> None:
    for scope in Scope:
        for lang in ("zh", "en"):
            table = sheet.read(sheet.template(scope, lang), "t.xlsx", scope)
            assert table.rows == [] and table.example_skipped and table.unknown_columns == []


def test_blank_rows_are_skipped_and_row_numbers_kept() -> None:
    content = "\n\n姓名,手机\n\n王芳,139\n,\n刘伟,\n".encode("gbk")
    table = sheet.read(content, "名单.csv", Scope.MEMBERS)
    assert [(r.number, r.name) for r in table.rows] == [(5, "王芳"), (7, "刘伟")]


def test_semicolon_and_tab_separated_csv() -> None:
    for separator in (";", "\t"):
        content = f"姓名{separator}学科\n王芳{separator}语文\n".encode()
        [row] = sheet.read(content, "x.csv", Scope.MEMBERS).rows
        assert (row.name, row.subject) == ("王芳", "语文")


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (_xlsx([["姓名"]], far_row=sheet.MAX_SCANNED + 5), "x.xlsx", SheetProblem.TOO_MANY_ROWS),
        (_xlsx([["党支部"], ["一中"]]), "x.xlsx", SheetProblem.MISSING_COLUMN),
        (b"just text", "x.docx", SheetProblem.NOT_SPREADSHEET),
    ],
)
def test_files_refused(content: bytes, name: str, problem: SheetProblem) -> None:
    with pytest.raises(SheetRefused) as refused:
        sheet.read(content, name, Scope.MEMBERS)
    assert refused.value.problem is problem


def test_a_branch_sheet_needs_both_columns() -> None:
    with pytest.raises(SheetRefused) as refused:
        sheet.read(_xlsx([["党支部"], ["一中"]]), "x.xlsx", Scope.BRANCHES)
    assert (refused.value.problem, refused.value.detail) == (SheetProblem.MISSING_COLUMN, "name")
