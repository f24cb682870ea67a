"""Lists as LibreOffice exports them read exactly like the workbook they were exported from.

The files are committed in ``tests/fixtures/office/`` (made by ``python -m lindungi_dev.samples.office_exports``,
which needs LibreOffice; CI only reads them). For every export the accepted rows (NIK, name, phone,
program, coverage, warnings) and the rejected rows (NIK, name, reasons) equal the source's, in order,
and there are no more of them; what a PDF reader cannot place surely it must say, never guess.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi.outcomes import FileError, Warn, message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "office"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
TODAY = date(2025, 6, 1)

Row = tuple[object, ...]


@cache
def report(name: str, program: str | None) -> Report:
    return check((FIXTURES / name).read_bytes(), name, program, today=TODAY)


def rows(result: Report, sheet: str | None = None) -> tuple[list[Row], list[Row]]:
    """What a worker's record is made of, in file order; a sheet's share of it when ``sheet`` is given."""
    assert result.error is None, (result.error, result.error_detail)
    accepted: list[Row] = [
        (a.nik, a.name, a.phone, a.program, a.coverage_start, a.coverage_end, tuple(a.warnings))
        for a in result.accepted if sheet is None or a.row.sheet == sheet
    ]
    rejected: list[Row] = [
        (r.nik, r.name, tuple(r.reasons)) for r in result.rejected if sheet is None or r.row.sheet == sheet
    ]
    return accepted, rejected


EXPORTS = [(case, export) for case, entry in MANIFEST["cases"].items() for export in entry["exports"]]
CSVS = [(case, name, sheet) for case, entry in MANIFEST["cases"].items() for name, sheet in entry["csv"].items()]


@pytest.mark.parametrize(("case", "export"), EXPORTS, ids=[e for _, e in EXPORTS])
def test_an_export_reads_like_its_workbook(case: str, export: str) -> None:
    entry = MANIFEST["cases"][case]
    expected = rows(report(entry["source"], entry["program"]))
    accepted, rejected = rows(report(export, entry["program"]))
    assert accepted == expected[0]
    assert rejected == expected[1]


@pytest.mark.parametrize(("case", "name", "sheet"), CSVS, ids=[n for _, n, _ in CSVS])
def test_a_windows_csv_reads_like_its_sheet(case: str, name: str, sheet: str) -> None:
    entry = MANIFEST["cases"][case]
    data = (FIXTURES / name).read_bytes()
    if not data.isascii():  # really Windows-1252, as Excel and Calc save "CSV" on Windows
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    expected = rows(report(entry["source"], entry["program"]), sheet)
    assert expected[0], "the sheet has workers"
    assert rows(report(name, entry["program"])) == expected


@pytest.mark.parametrize("case", list(MANIFEST["cases"]))
def test_the_sources_hold_the_hard_cases(case: str) -> None:
    """The source workbooks themselves: both outcomes present, the hard names read whole and spaced."""
    entry = MANIFEST["cases"][case]
    accepted, rejected = rows(report(entry["source"], entry["program"]))
    assert len(accepted) >= 25 and len(rejected) >= 3
    names = {row[1] for row in accepted} | {row[1] for row in rejected}
    assert {"NUR FADILLAH", "JOSÉ MUÑOZ", "MA’RUF AMIN"} <= names or {"Tjhai Mui Fa", "BONG SIU LAN"} <= names
    assert any(row[6] for row in accepted), "some accepted rows carry warnings"
    if entry["program"] is None:
        assert {row[3] for row in accepted} == {"pekerja-rentan", "pekerja-sawit"}
    assert len({row[4] for row in accepted}) > 1, "TMTs of the rows, not only the program's default"


@pytest.mark.parametrize("mark", ["<text:line-break/>", "<text:tab/>"])
def test_an_ods_line_break_inside_a_cell_is_a_space(mark: str) -> None:
    """Calc writes Alt+Enter as two paragraphs; other ODS writers put a line break (or a tab) inside one."""
    source = zipfile.ZipFile(FIXTURES / "campuran.ods")
    content = source.read("content.xml").decode()
    assert "<text:p>NUR</text:p><text:p>FADILLAH</text:p>" in content
    content = content.replace("<text:p>NUR</text:p><text:p>FADILLAH</text:p>", f"<text:p>NUR{mark}FADILLAH</text:p>")
    content = content.replace("<text:p>JOSÉ MUÑOZ</text:p>", f"<text:p>JOSÉ{mark}MUÑOZ</text:p>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:
        for info in source.infolist():
            rebuilt.writestr(info, content if info.filename == "content.xml" else source.read(info))
    names = {a.name for a in check(out.getvalue(), "d.ods", None, today=TODAY).accepted}
    assert {"NUR FADILLAH", "JOSÉ MUÑOZ"} <= names


UNSURE = [(case, export) for case, entry in MANIFEST["cases"].items() for export in entry["unsure"]]


@pytest.mark.parametrize(("case", "export"), UNSURE, ids=[e for _, e in UNSURE])
def test_a_pdf_the_reader_cannot_be_sure_of_says_so(case: str, export: str) -> None:
    """Rows printed too low for their wrapped text (it runs over the rules into the rows around it):
    the file is refused asking for the spreadsheet, or every row that differs from the source says so."""
    entry = MANIFEST["cases"][case]
    source = report(entry["source"], entry["program"])
    result = report(export, entry["program"])
    if result.error is not None:
        assert result.error is FileError.PDF_LAYOUT_UNCLEAR
        assert "spreadsheet" in message(result.error)
        return
    expected = {row[0]: row for row in rows(source)[0]}
    for row in rows(result)[0]:
        assert row == expected.get(row[0]) or Warn.PDF_LAYOUT_UNSURE in row[6], row
    assert set(rows(result)[1]) <= set(rows(source)[1])


def test_an_indented_ods_reads_like_the_same_ods_on_one_line() -> None:
    """Gnumeric writes content.xml indented, one element a line; calamine 0.9.1 fails a row with whitespace
    between its cells. The indentation is not content: the same rows come out, a space inside a cell stays."""
    source = zipfile.ZipFile(FIXTURES / "campuran.ods")
    content = source.read("content.xml").decode()
    indented = re.sub(r"(<table:table-(?:row|cell|column)\b|</table:table-(?:row|cell)>)", "\n      \\1", content)
    indented = indented.replace("<text:p>", "\n        <text:p>")
    assert indented.count("\n") > 100
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:
        for info in source.infolist():
            rebuilt.writestr(info, indented if info.filename == "content.xml" else source.read(info))
    result = check(out.getvalue(), "gnumeric.ods", None, today=TODAY)
    assert rows(result) == rows(report("campuran.ods", None))
    assert "BONG SIU LAN" in {a.name for a in result.accepted}
