"""The staff-facing outputs: the fix-up workbook (formula-safe, re-uploadable) and the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
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
    assert by_status["PERINGATAN"][5].startswith("'=HYPERLINK")  # the name cell cannot run
    assert by_status["DITOLAK"][6].startswith("'@SUM")
    # The file goes back through the same parser: its headers are recognised.
    again = check(fix, "perbaikan.xlsx", "pekerja-rentan", today=TODAY)
    assert again.error is None and again.rows_read == 2


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
