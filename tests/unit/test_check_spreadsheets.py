"""``check`` on spreadsheets and CSV as offices make them, end to end: file errors, sheets, the report.

Row codes one by one are in ``test_validate``; which rows are the list, in ``test_table``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest

from lindungi.config import programs
from lindungi.intake.check import check
from lindungi.settings import Limits
from lindungi_dev import samples
from tests.builders import BUDI, HEADER, SITI, TODAY, xlsx


def one_row(**overrides: Any) -> bytes:
    row = {"no": "1", "nik": SITI, "name": "SITI AMINAH", "phone": "0812-3456-7890", "born": "05-09-1985",
           "gender": "P", "tmt": "01-01-2025"} | overrides
    return xlsx({"Daftar": [["DAFTAR PEKERJA RENTAN 2025"], HEADER, list(row.values())]})


def codes(report: Any) -> tuple[str, list[str]]:
    if report.error:
        return "file", [report.error.value]
    if report.rejected:
        return "rejected", [r.value for r in report.rejected[0].reasons]
    if not report.accepted:
        return "ignored", [i.reason for i in report.ignored]
    return "accepted", [w.value for w in report.accepted[0].warnings]


@pytest.mark.parametrize(
    ("overrides", "outcome", "expected"),
    [
        pytest.param({}, "accepted", [], id="clean-row"),
        pytest.param({"nik": 6172014509850000.0}, "rejected", ["nik_precision_lost"], id="nik_precision_lost"),
        pytest.param({"nik": 6172014509850003.0}, "accepted", ["nik_from_number"], id="nik_from_number"),
        pytest.param({"nik": "", "name": "  "}, "ignored", ["not_a_worker"], id="row-without-nik-or-name-is-no-row"),
        pytest.param({"phone": 81234567890.0}, "accepted", [], id="phone-number-cell-lost-zero"),
        pytest.param({"born": date(1985, 9, 5)}, "accepted", [], id="birth-date-cell-agrees"),
        pytest.param({"tmt": date(2025, 2, 1)}, "accepted", [], id="tmt-date-cell"),
        pytest.param({"tmt": 45658.0}, "accepted", [], id="tmt-serial-number"),
    ],
)
def test_cells_as_excel_types_them(overrides: dict[str, Any], outcome: str, expected: list[str]) -> None:
    """Number, date and serial cells of a real workbook, end to end (every code: test_validate, test_table)."""
    report = check(one_row(**overrides), "daftar.xlsx", "pekerja-rentan", today=TODAY)
    assert codes(report) == (outcome, expected)


def test_duplicate_across_sheets_of_one_file() -> None:
    data = xlsx({"Kec. Barat": [HEADER, ["1", SITI, "SITI", "", "", "", ""]],
                 "Kec. Timur": [HEADER, ["1", SITI, "SITI", "", "", "", ""]]})
    report = check(data, "d.xlsx", "pekerja-rentan", today=TODAY)
    assert [r.row.to_dict() for r in report.rejected] == [{"sheet": "Kec. Timur", "line": 2}]


def test_program_from_a_column_when_the_folder_gives_none() -> None:
    data = xlsx({"Daftar": [[*HEADER, "Program"], ["1", SITI, "SITI", "", "", "", "", "Rentan"],
                            ["2", SITI, "SITI", "", "", "", "", "BPU Sawit"],
                            ["3", BUDI, "BUDI", "", "", "", "", "PKH"]]})
    report = check(data, "d.xlsx", None, today=TODAY)
    assert sorted(a.program for a in report.accepted) == ["pekerja-rentan", "pekerja-sawit"]
    assert [[c.value for c in r.reasons] for r in report.rejected] == [["program_invalid"]]


@pytest.mark.parametrize(
    ("data", "program", "code"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "pekerja-rentan", "file_unsupported", id="png"),
        pytest.param(b"<html><table><tr><td>NIK</td></tr></table></html>", "pekerja-rentan", "file_unsupported",
                     id="html-saved-as-xls"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500, "pekerja-rentan", "file_unsupported", id="exe"),
        pytest.param(one_row()[:400], "pekerja-rentan", "file_unreadable", id="truncated-xlsx"),
        pytest.param(b"", "pekerja-rentan", "file_unreadable", id="empty"),
        # file_encrypted: real password-protected workbooks in test_formats.py
        pytest.param(xlsx({"Rekap": [["Kecamatan", "Jumlah"], ["Barat", 10.0]]}), "pekerja-rentan",
                     "header_not_found", id="no-worker-header"),
        pytest.param(one_row(), None, "program_unknown", id="no-program-anywhere"),
        pytest.param(b"NIK;Nama\n" + f"{SITI};SITI\n".encode(), None, "program_unknown", id="csv-no-program"),
    ],
)
def test_file_level_errors(data: bytes, program: str | None, code: str) -> None:
    report = check(data, "daftar.xlsx", program, today=TODAY)
    assert report.error is not None and report.error.value == code
    assert report.to_dict()["error"]["message"]  # an Indonesian sentence for staff
    assert report.accepted == [] and report.rejected == []


def test_file_too_large_by_rows_and_by_bytes() -> None:
    people = samples.workers(50)
    data = samples.write_xlsx(people, "pekerja-rentan", by_kecamatan=False)
    assert check(data, "d.xlsx", "pekerja-rentan", limits=Limits(max_rows=10)).error.value == "file_too_large"
    assert check(data, "d.xlsx", "pekerja-rentan", limits=Limits(max_file_bytes=1000)).error.value == "file_too_large"
    csv = samples.write_csv(people)
    assert check(csv, "d.csv", "pekerja-rentan", limits=Limits(max_rows=10)).error.value == "file_too_large"


def test_unknown_zip_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert check(buffer.getvalue(), "d.xlsx", "pekerja-rentan").error.value == "file_unsupported"


def test_report_shape_is_domain_md() -> None:
    data = xlsx({"Kec. Barat": [
        ["DAFTAR PEKERJA RENTAN KOTA SINGKAWANG TAHUN 2025"], [], ["No", "NIK", "Nama", "No. HP"],
        ["1", SITI, "SITI  AMINAH ", "081234567890"],
        ["2", "617201450985", "BUDI", ""],
    ]})
    # Title on line 1, header on line 3: with the blank line 2, rows are 4 and 5.
    report = check(data, "daftar.xlsx", "pekerja-rentan", today=TODAY).to_dict()
    assert {k: report[k] for k in ("file", "program", "error", "rows_read")} == {
        "file": "daftar.xlsx", "program": "pekerja-rentan", "error": None, "rows_read": 2}
    assert report["accepted"] == [{
        "row": {"sheet": "Kec. Barat", "line": 4}, "nik": SITI, "name": "SITI AMINAH", "phone": "+6281234567890",
        "program": "pekerja-rentan", "coverage_start": "2025-01-01", "coverage_end": "2025-05-31", "warnings": [],
    }]
    assert report["rejected"] == [{"row": {"sheet": "Kec. Barat", "line": 5}, "nik": "617201450985", "name": "BUDI",
                                   "reasons": ["nik_invalid"], "as_written": {"nik": "617201450985"}}]


def test_office_workbook_with_every_mess() -> None:
    """Title block, merged two-row header, a sheet per kecamatan, totals and signatures: only workers count."""
    people, faults = samples.plant_faults(samples.workers(400), every=37)
    report = check(samples.write_xlsx(people, "pekerja-rentan", nik_as_number=0), "d.xlsx", "pekerja-rentan",
                   today=TODAY)
    assert report.error is None
    assert report.rows_read == 400
    assert {s.name for s in report.sheets} == {f"Kec. {k.replace('Singkawang ', '')}"
                                              for k in samples.KECAMATAN.values()}
    assert all(s.header_line == 4 for s in report.sheets)
    by_nik_line = {(r.row.sheet, r.row.line) for r in report.rejected}
    assert len(by_nik_line) == sum(1 for f in faults if not f.accepted)
    found = sorted(c.value for r in report.rejected for c in r.reasons) + sorted(
        w.value for a in report.accepted for w in a.warnings)
    planted = sorted(c for f in faults for c in f.codes)
    assert sorted(found) == sorted(planted)
    assert {i.reason for i in report.ignored} == {"footer"}


def test_sheet_without_worker_header_is_ignored() -> None:
    data = xlsx({"Rekap": [["Kecamatan", "Jumlah"], ["Barat", 10.0]], "Daftar": [HEADER, ["1", SITI, "SITI"]]})
    report = check(data, "d.xlsx", "pekerja-rentan", today=TODAY)
    assert [(s.name, s.to_dict()["status"]) for s in report.sheets] == [("Rekap", "ignored_no_header"),
                                                                        ("Daftar", "read")]
    assert report.rows_read == 1


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        pytest.param(";", "utf-8-sig", id="semicolon-utf8-bom"),
        pytest.param(",", "utf-8", id="comma-utf8"),
        pytest.param(";", "cp1252", id="semicolon-windows-1252"),
        pytest.param("\t", "utf-8", id="tab"),
    ],
)
def test_csv_variants(delimiter: str, encoding: str) -> None:
    people = samples.workers(30)
    people[0] = samples.Worker(**{**people[0].__dict__, "name": "JOSÉ MARÍA"})
    report = check(samples.write_csv(people, delimiter=delimiter, encoding=encoding), "d.csv", "pekerja-rentan")
    assert report.error is None and report.rows_read == 30 and not report.rejected
    assert report.accepted[0].name == "JOSÉ MARÍA"
    assert report.accepted[0].row.to_dict() == {"line": 4}


def test_csv_quoted_cell_with_line_break_keeps_line_numbers() -> None:
    data = f'NIK,Nama,Alamat\n{SITI},SITI,"Jl. Pasiran\nNo. 5"\n{BUDI},BUDI,Jl. Kuala\n'.encode()
    report = check(data, "d.csv", "pekerja-rentan", today=TODAY)
    assert [a.row.line for a in report.accepted] == [2, 4]
    assert report.accepted[0].address == "Jl. Pasiran No. 5"


@pytest.mark.parametrize("name", ["daftar.csv", "daftar.pdf", "daftar", "daftar.xls"])
def test_type_is_judged_by_content_not_name(name: str) -> None:
    report = check(one_row(), name, "pekerja-rentan", today=TODAY)
    assert report.kind == "xlsx" and report.error is None and report.rows_read == 1


def test_xls_binary_format() -> None:
    people = samples.workers(120)
    report = check(samples.write_xls(people), "lama.xls", "pekerja-rentan")
    assert report.kind == "xls" and report.error is None
    assert [a.nik for a in report.accepted] == [p.nik for p in people]


def test_same_people_same_records_from_xlsx_xls_csv() -> None:
    people, _ = samples.plant_faults(samples.workers(300), every=29)

    def records(data: bytes) -> list[tuple[Any, ...]]:
        report = check(data, "d", "pekerja-rentan", today=TODAY)
        return sorted((a.nik, a.name, a.phone, a.coverage_start, a.coverage_end, tuple(a.warnings))
                      for a in report.accepted)

    from_xlsx = records(samples.write_xlsx(people, "pekerja-rentan"))
    assert from_xlsx == records(samples.write_csv(people)) == records(samples.write_xls(people))
    assert len(from_xlsx) > 250


def test_programs_config_holds_both_programs() -> None:
    rentan, sawit = programs().by_id["pekerja-rentan"], programs().by_id["pekerja-sawit"]
    assert (rentan.months, rentan.quota, sawit.months, sawit.quota) == (5, 7737, 12, 767)
    assert rentan.quota + sawit.quota == 8504
