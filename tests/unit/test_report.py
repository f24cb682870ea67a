"""The staff-facing outputs: the fix-up workbook (formula-safe, re-uploadable) and the CLI."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from lindungi.intake.check import check
from lindungi.intake.report import fix_workbook
from lindungi.ops.cli import main
from lindungi.xlsx import defuse
from tests.builders import HEADER, SITI, TODAY, xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("=HYPERLINK(\"http://x\",\"klik\")", "'=HYPERLINK(\"http://x\",\"klik\")", id="formula"),
        pytest.param("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", id="dde-plus"),
        pytest.param("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0", id="dde-minus"),
        pytest.param("@SUM(1,2)", "'@SUM(1,2)", id="at-sign"),
        pytest.param("\t=1+1", "'\t=1+1", id="leading-tab"),
        pytest.param("+62 812-3456-7890", "+62 812-3456-7890", id="phone-stays-as-typed"),
        pytest.param("-", "-", id="dash-placeholder-is-a-number-like"),
        pytest.param("SITI AMINAH", "SITI AMINAH", id="plain-text"),
    ],
)
def test_defuse(value: str, expected: str) -> None:
    assert defuse(value) == expected


LEADING_ZERO_NIK = "0172014509850003"  # 16 digits, rejected (no province 01): as a number it would be 15


def test_fix_workbook_is_safe_and_reuploadable() -> None:
    data = xlsx({"Daftar": [HEADER, ["1", SITI, "=HYPERLINK(\"http://evil\",\"x\")", "", "", "", ""],
                            ["2", LEADING_ZERO_NIK, "BUDI", "@SUM(A1)", "", "", ""]]})
    report = check(data, "d.xlsx", "pekerja-rentan", today=TODAY)
    fix = fix_workbook(report)
    assert fix is not None
    rows = CalamineWorkbook.from_filelike(io.BytesIO(fix)).get_sheet_by_name("Perbaikan").to_python()
    assert rows[0][:4] == ["Status", "Alasan", "Lembar", "Baris"]
    by_status = {row[0]: row for row in rows[1:]}
    # Both NIKs come back as the 16-character text typed, not as number cells (a float, the leading 0 lost).
    assert [(by_status[s][4], type(by_status[s][4])) for s in ("DITOLAK", "PERINGATAN")] == [
        (LEADING_ZERO_NIK, str), (SITI, str)]
    assert "NIK tidak valid" in by_status["DITOLAK"][1]
    # The name cell cannot run: it carries the quote prefix, and its value is exactly what was typed.
    assert by_status["PERINGATAN"][5] == "=HYPERLINK(\"http://evil\",\"x\")"
    assert by_status["DITOLAK"][6] == "@SUM(A1)"
    quoted = _quote_prefixed(fix)
    assert quoted == {(2, 6), (3, 5)}  # DITOLAK is row 2: its phone; PERINGATAN row 3: its name
    # The file goes back through the same parser: its headers are recognised.
    again = check(fix, "perbaikan.xlsx", "pekerja-rentan", today=TODAY)
    assert again.error is None and again.rows_read == 2


def _quote_prefixed(book: bytes) -> set[tuple[int, int]]:
    """(row, column), 1-based row as Excel shows it, of every cell whose format carries the quote prefix."""
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        styles = archive.read("xl/styles.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    xfs = re.findall(r"<xf [^>]*?/?>", styles.split("<cellXfs", 1)[1].split("</cellXfs>", 1)[0])
    marked = {i for i, xf in enumerate(xfs) if 'quotePrefix="1"' in xf}
    found = set()
    for ref, style in re.findall(r'<c r="([A-Z]+\d+)"[^>]*? s="(\d+)"', sheet):
        col, row = re.match(r"([A-Z]+)(\d+)", ref).groups()  # type: ignore[union-attr]
        if int(style) in marked:
            found.add((int(row), ord(col) - ord("A")))
    return found


TYPED = ["=WARGA 9", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "%0A", "|x"]


@pytest.mark.parametrize("typed", TYPED)
def test_the_fix_up_round_trip_returns_exactly_what_staff_typed(typed: str) -> None:
    """Staff correct the rejected row and upload the workbook again: the name is stored as typed, not with a
    defusing apostrophe (which would go into the SMS)."""
    data = xlsx({"Daftar": [HEADER, ["1", "123", typed, "081234567890", "", "", "01-01-2025"]]})
    fix = fix_workbook(check(data, "d.xlsx", "pekerja-rentan", today=TODAY))
    assert fix is not None
    rows = CalamineWorkbook.from_filelike(io.BytesIO(fix)).get_sheet_by_name("Perbaikan").to_python()
    assert rows[1][5] == typed and (2, 5) in _quote_prefixed(fix)
    corrected = _replace_cell(fix, "123", SITI)
    again = check(corrected, "d.xlsx.perbaikan.xlsx", "pekerja-rentan", today=TODAY)
    assert [a.name for a in again.accepted] == [typed]


def test_a_fix_up_workbook_of_the_old_kind_loses_its_literal_apostrophe() -> None:
    data = xlsx({"Daftar": [HEADER, ["1", SITI, "'=WARGA 9", "081234567890", "", "", "01-01-2025"]]})
    assert [a.name for a in check(data, "d.xlsx", "pekerja-rentan", today=TODAY).accepted] == ["=WARGA 9"]


def _replace_cell(book: bytes, old: str, new: str) -> bytes:
    """The workbook with a shared string changed, as staff correcting a cell would."""
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                body = body.replace(f"<t>{old}</t>".encode(), f"<t>{new}</t>".encode())
            target.writestr(info.filename, body)
    return out.getvalue()


def test_no_fix_workbook_when_everything_is_clean() -> None:
    data = xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "081234567890", "05-09-1985", "P", "01-01-2025"]]})
    assert fix_workbook(check(data, "d.xlsx", "pekerja-rentan", today=TODAY)) is None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m lindungi ARGS`` in a process of its own, as staff run it."""
    return subprocess.run([sys.executable, "-m", "lindungi", *args], capture_output=True, text=True, check=False,
                          timeout=120)


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command ``python -m lindungi ARGS`` runs (``sys.exit(main(ARGS))``) in this process, without starting
    an interpreter for each case; ``test_cli_check_file_error_exits_nonzero`` runs the real process."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["python", "-m", "lindungi", *args], code, out, err)


def test_cli_check_json_prints_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "081234567890", "", "", ""],
                                      ["2", "123", "BUDI", "", "", "", ""]]}))
    result = _main(capsys, "check", str(path), "--program", "pekerja-rentan", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert (report["rows_read"], len(report["accepted"]), report["rejected"][0]["reasons"]) == (2, 1, ["nik_invalid"])


def test_cli_check_table_for_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "daftar.csv"
    path.write_text(f"NIK;Nama;No HP\n{SITI};SITI;12345\n123;BUDI;\n", encoding="utf-8")
    result = _main(capsys, "check", str(path), "--program", "pekerja-sawit")
    assert result.returncode == 0
    assert "DITOLAK" in result.stdout and "nik_invalid" in result.stdout
    assert "PERINGATAN" in result.stdout and "phone_invalid" in result.stdout


def test_cli_check_file_error_exits_nonzero(tmp_path: Path) -> None:
    path = tmp_path / "scan.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = _cli("check", str(path), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "file_unsupported"


def test_streamed_json_is_the_report() -> None:
    data = xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "12345", "", "", ""], ["2", "123", "BUDI", "", "", "", ""]]})
    report = check(data, "d.xlsx", "pekerja-rentan", today=TODAY)
    extra = {"duplicate_of": "incoming/pekerja-rentan/a.xlsx", "stored": False}
    assert json.loads("".join(report.json_chunks(extra))) == report.to_dict() | extra
    assert json.loads(report.to_json()) == report.to_dict()
