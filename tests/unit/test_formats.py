"""Workbook formats besides .xlsx, as real files: .ods, .xlsb, and password-protected .xlsx/.xls/.xlsb/.ods.

The files are in tests/fixtures/formats/ (made by LibreOffice with ``python -m lindungi_dev.samples.format_fixtures``,
the .xlsb ones by Excel, from calamine's tests); password-protected .xlsx are encrypted here with
msoffcrypto-tool, as Excel does it (ECMA-376 agile encryption).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import msoffcrypto
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from lindungi.intake.check import check
from lindungi.intake.readers import spreadsheet
from lindungi.intake.readers.detect import Kind, detect
from lindungi.outcomes import FileError, message
from lindungi.settings import Limits
from lindungi_dev import samples
from lindungi_dev.samples import format_fixtures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
PASSWORD = format_fixtures.PASSWORD


def records(data: bytes, name: str) -> list[tuple[Any, ...]]:
    report = check(data, name, "pekerja-rentan")
    assert report.error is None, report.error
    assert report.rejected == []
    return sorted((a.nik, a.name, a.phone, a.coverage_start, a.coverage_end, tuple(a.warnings))
                  for a in report.accepted)


def test_the_fixture_list_is_the_sample_it_claims() -> None:
    expected = {w.nik for w in format_fixtures.people()}
    assert {r[0] for r in records((FIXTURES / "daftar.xlsx").read_bytes(), "daftar.xlsx")} == expected
    assert len(expected) == format_fixtures.PEOPLE


def test_ods_saved_by_libreoffice_reads_like_its_source() -> None:
    data = (FIXTURES / "daftar.ods").read_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert detect(data, Limits()) is Kind.XLSX  # calamine reads OpenDocument too
    from_ods = records(data, "daftar.ods")
    assert from_ods == records((FIXTURES / "daftar.xlsx").read_bytes(), "daftar.xlsx")
    assert len(from_ods) == format_fixtures.PEOPLE


def test_xlsb_saved_by_excel_is_read_cell_for_cell() -> None:
    """calamine's own fixture, with the values calamine's tests assert for it."""
    data = (FIXTURES / "calamine-issues.xlsb").read_bytes()
    assert "xl/workbook.bin" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert detect(data, Limits()) is Kind.XLSX
    sheets = {table.name: [row.cells for row in table.rows] for table in spreadsheet.read(data, Limits())}
    assert sheets["issue2"] == [[1.0, "a"], [2.0, "b"], [3.0, "c"]]
    assert sheets["datatypes"] == [[1.0], [1.5], ["ab"], [False], ["test"], [datetime.date(2016, 10, 20)]]
    assert sheets["spc_chrs"] == [[c] for c in ["&", "<", ">", "aaa ' aaa", '"', "☺", "֍", "àâéêèçöïî«»"]]
    # Read, not refused: its sheets simply hold no worker list.
    report = check(data, "rekap.xlsb", "pekerja-rentan")
    assert report.kind == "xlsx" and report.error is FileError.HEADER_NOT_FOUND
    assert {s.name for s in report.sheets} >= {"issue2", "datatypes", "spc_chrs"}


def _encrypted_xlsx() -> bytes:
    plain = samples.write_xlsx(format_fixtures.people(), "pekerja-rentan", by_kecamatan=False)
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(PASSWORD, out)
    return out.getvalue()


PROTECTED = [
    pytest.param(_encrypted_xlsx, "daftar.xlsx", id="xlsx-msoffcrypto"),
    pytest.param(lambda: (FIXTURES / "daftar-sandi.xls").read_bytes(), "daftar.xls", id="xls-libreoffice"),
    pytest.param(lambda: (FIXTURES / "daftar-sandi.ods").read_bytes(), "daftar.ods", id="ods-libreoffice"),
    pytest.param(lambda: (FIXTURES / "calamine-pass_protected.xlsb").read_bytes(), "daftar.xlsb", id="xlsb-excel"),
]


@pytest.mark.parametrize(("make", "name"), PROTECTED)
def test_password_protected_workbooks_are_file_encrypted(make: Any, name: str) -> None:
    report = check(make(), name, "pekerja-rentan")
    assert report.error is FileError.ENCRYPTED
    assert report.to_dict()["error"] == {"code": "file_encrypted", "message": message(FileError.ENCRYPTED)}
    assert report.accepted == [] and report.rejected == [] and report.rows_read == 0


@pytest.mark.parametrize(("make", "name"), PROTECTED[:2])
def test_the_protected_office_files_are_really_encrypted_lists(make: Any, name: str) -> None:
    """Not a look-alike: with the password they open, and hold the fixture's workers."""
    office = msoffcrypto.OfficeFile(io.BytesIO(make()))
    assert office.is_encrypted()
    office.load_key(password=PASSWORD)
    plain = io.BytesIO()
    office.decrypt(plain)
    assert {r[0] for r in records(plain.getvalue(), name)} == {w.nik for w in format_fixtures.people()}


def test_the_protected_ods_hides_its_content() -> None:
    archive = zipfile.ZipFile(io.BytesIO((FIXTURES / "daftar-sandi.ods").read_bytes()))
    assert b"encryption-data" in archive.read("META-INF/manifest.xml")
    assert b"office:document-content" not in archive.read("content.xml")
    nik = format_fixtures.people()[0].nik.encode()
    assert all(nik not in archive.read(n) for n in archive.namelist() if not n.endswith("/"))
