"""Hostile and malformed files: each ends in one clear file-level error, or in clean rows, within the limits.

Every file here is made in the test, small and fast to build: the bombs are highly compressible
streams written in chunks, never materialised at full size. Where a limit would take gigabytes to
reach, the test lowers it with ``Limits(...)`` and a second case shows the default catches the real
thing. ``tracemalloc`` shows that the checks run before the expensive work (nothing big is allocated).
"""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date

import pytest

from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi.outcomes import FileError, Reject, Warn
from lindungi.settings import Limits
from lindungi_dev import samples
from lindungi_dev.samples.hostile import pdf, zip_bomb

PROGRAM = "pekerja-rentan"
TODAY = date(2025, 6, 1)
MB = 2**20


def run(data: bytes, name: str, limits: Limits | None = None) -> Report:
    return check(data, name, PROGRAM, limits=limits or Limits(), today=TODAY)


def peak_bytes(work: Callable[[], object]) -> int:
    """The most Python memory ``work`` allocated at once."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def small_xlsx() -> bytes:
    return samples.write_xlsx(samples.workers(5, PROGRAM), PROGRAM, by_kecamatan=False)


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()


# ------------------------------------------------------------------------------------ zip bombs


def test_zip_bomb_stops_at_the_unzipped_limit_without_holding_the_content() -> None:
    bomb = zip_bomb(64 * MB)
    assert len(bomb) < MB  # a tiny upload...
    limits = Limits(max_unzipped_bytes=8 * MB)
    report = Report("x", None)

    def work() -> None:
        nonlocal report
        report = run(bomb, "daftar.xlsx", limits)

    peak = peak_bytes(work)
    assert report.error is FileError.TOO_LARGE
    assert "unzipped" in report.error_detail
    assert peak < 4 * MB  # streamed in chunks, never inflated whole


@pytest.mark.slow
def test_zip_bomb_over_the_default_limit_is_too_large() -> None:
    bomb = zip_bomb(Limits().max_unzipped_bytes + 8 * MB)
    assert len(bomb) < 4 * MB
    report = run(bomb, "daftar.xlsx")
    assert report.error is FileError.TOO_LARGE


def test_zip_with_ten_thousand_entries_is_too_large() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(10_001):
            archive.writestr(f"xl/x{n}.xml", "")
    assert run(out.getvalue(), "daftar.xlsx").error is FileError.TOO_LARGE


# ------------------------------------------------------------------------------- billion laughs

LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
) + "]>"


def laughs_in(part: str) -> bytes:
    data = small_xlsx()
    text = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    root = text.index("<sst") if part.endswith("sharedStrings.xml") else text.index("<worksheet")
    body = text[root:].replace("<t>NIK</t>", "<t>&lol9;</t>", 1)
    return rezip(data, {part: (LAUGHS + body).encode()})


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"], ids=["shared-strings", "sheet"])
def test_billion_laughs_is_never_expanded(part: str) -> None:
    report = run(laughs_in(part), "daftar.xlsx")
    if report.error is not None:
        assert report.error is FileError.UNREADABLE
    else:  # the entities were ignored: the rows are what was typed, nothing grew
        assert report.rows_read <= 5
        assert all(len(a.name) < 100 for a in report.accepted)
        assert "lol" not in report.to_json()


# ---------------------------------------------------------------------------------------- PDF


def pdf_claiming_pages(count: int) -> bytes:
    """A hand-made PDF whose page tree says it has ``count`` pages."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [3 0 R] /Count {count} >>".encode(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])


def test_pdf_with_a_huge_page_count_is_too_large_before_any_page_is_read() -> None:
    report = run(pdf_claiming_pages(50_000_000), "daftar.pdf")
    assert report.error is FileError.TOO_LARGE
    assert "pages" in report.error_detail


# ---------------------------------------------------------------------------------------- CSV


def test_ten_million_row_csv_is_rejected_by_counting_lines_before_parsing() -> None:
    data = b"NIK;Nama\n" + b"1;a\n" * 10_000_000  # 40 MB, under the file-size limit
    assert len(data) < Limits().max_file_bytes
    report = Report("x", None)

    def work() -> None:
        nonlocal report
        report = run(data, "daftar.csv")

    peak = peak_bytes(work)
    assert report.error is FileError.TOO_LARGE
    assert "lines" in report.error_detail
    assert peak < MB  # not decoded, not split: counted


@pytest.mark.parametrize(
    ("line_bytes", "limits"),
    [
        pytest.param(4 * MB, Limits(max_file_bytes=8 * MB, max_line_bytes=64 * 1024), id="4MB-line-lowered-limit"),
        pytest.param(2 * MB, Limits(), id="2MB-line-default-line-limit"),
        pytest.param(100 * MB, Limits(), id="100MB-line-default-file-limit"),
    ],
)
def test_csv_with_a_giant_line_is_too_large(line_bytes: int, limits: Limits) -> None:
    data = b"NIK;Nama\n6172014509850003;" + b"A" * line_bytes + b"\n"
    report = run(data, "daftar.csv", limits)
    assert report.error is FileError.TOO_LARGE
    assert report.rows_read == 0


# --------------------------------------------------------------------- junk with every extension

_rng = random.Random(6)
JUNK: dict[str, bytes] = {
    "random": bytes(_rng.randrange(256) for _ in range(4096)),
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(_rng.randrange(256) for _ in range(512)),
    "exe": b"MZ\x90\x00\x03\x00\x00\x00" + bytes(_rng.randrange(256) for _ in range(512)),
    "elf": b"\x7fELF\x02\x01\x01\x00" + bytes(512),
    "gzip": b"\x1f\x8b\x08\x00" + bytes(_rng.randrange(256) for _ in range(512)),
    "html": b"<html><body><table><tr><td>NIK</td></tr></table></body></html>",
}
EXTENSIONS = [".xlsx", ".xls", ".csv", ".pdf"]


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize("kind", sorted(JUNK))
def test_junk_under_any_accepted_name_is_unsupported(kind: str, extension: str) -> None:
    report = run(JUNK[kind], f"daftar{extension}")
    assert report.error is FileError.UNSUPPORTED
    assert report.rows_read == 0


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


BROKEN: dict[str, tuple[bytes, FileError]] = {
    "zip-not-a-workbook": (_zip_of_text(), FileError.UNSUPPORTED),
    "ole2-header-then-junk": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(_rng.randrange(256) for _ in range(4096)),
                              FileError.UNREADABLE),
    "pdf-header-then-junk": (b"%PDF-1.7\n" + bytes(_rng.randrange(256) for _ in range(4096)), FileError.UNREADABLE),
    "xlsx-cut-in-half": (small_xlsx()[: len(small_xlsx()) // 2], FileError.UNREADABLE),
    "xls-cut-in-half": (samples.write_xls(samples.workers(5))[:3000], FileError.UNREADABLE),
    "empty": (b"", FileError.UNREADABLE),
    "only-whitespace": (b" \r\n\t \n", FileError.UNREADABLE),
}


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_under_any_accepted_name_fails_clearly(case: str, extension: str) -> None:
    data, code = BROKEN[case]
    report = run(data, f"daftar{extension}")
    assert report.error is code
    assert report.rows_read == 0


# --------------------------------------------------------------------------------- Unicode tricks

NIK = "6172014509850003"
ZWSP, ZWJ, LRM, RLM, RLO, PDF_, BOM, NBSP, SHY = (
    "\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u202c", "\ufeff", "\u00a0", "\u00ad",
)


@pytest.mark.parametrize(
    ("name", "nik", "phone", "clean_name"),
    [
        pytest.param(f"SITI{ZWSP} AMINAH", NIK, "081234567890", "SITI AMINAH", id="zero-width-space"),
        pytest.param(f"SI{ZWJ}TI AMINAH", NIK, "081234567890", "SITI AMINAH", id="zero-width-joiner"),
        pytest.param(f"{RLM}SITI AMINAH{LRM}", NIK, "081234567890", "SITI AMINAH", id="direction-marks"),
        pytest.param(f"{RLO}HANIMA ITIS{PDF_}", NIK, "081234567890", "HANIMA ITIS", id="right-to-left-override"),
        pytest.param(f"{BOM}SITI AMINAH", NIK, "081234567890", "SITI AMINAH", id="byte-order-mark"),
        pytest.param(f"SITI{NBSP}{NBSP}AMINAH{NBSP}", NIK, "081234567890", "SITI AMINAH", id="no-break-spaces"),
        pytest.param(f"SITI AMI{SHY}NAH", NIK, "081234567890", "SITI AMINAH", id="soft-hyphen"),
        pytest.param("SITI AMINAH", f"{ZWSP}6172{ZWSP}0145{RLM}0985{BOM}0003", f"0812{ZWSP}3456{NBSP}7890",
                     "SITI AMINAH", id="invisible-characters-in-nik-and-phone"),
        pytest.param("SITI AMINAH", "６１７２０１４５０９８５０００３", "０８１２３４５６７８９０", "SITI AMINAH",
                     id="fullwidth-digits"),
        pytest.param("SITI AMINAH", f"{NBSP}{NIK}{NBSP}", f"{NBSP}+62 812-3456-7890", "SITI AMINAH",
                     id="no-break-spaces-around-nik-and-phone"),
    ],
)
def test_unicode_tricks_are_cleaned_and_the_row_still_parses(name: str, nik: str, phone: str, clean_name: str) -> None:
    text = f"NIK;Nama;No HP;TMT\n{nik};{name};{phone};01-01-2025\n"
    report = run(text.encode("utf-8"), "daftar.csv")
    assert report.error is None
    assert not report.rejected, [r.reasons for r in report.rejected]
    (row,) = report.accepted
    assert row.name == clean_name
    assert row.nik == NIK
    assert row.phone == "+6281234567890"
    assert Warn.PHONE_INVALID not in row.warnings


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        pytest.param(ZWSP * 3, Reject.NIK_MISSING, id="only-invisible-characters"),
        pytest.param("٦١٧٢٠١٤٥٠٩٨٥٠٠٠٣", Reject.NIK_INVALID, id="arabic-indic-digits"),
        pytest.param(f"6172014509850003{ZWSP}1", Reject.NIK_INVALID, id="hidden-seventeenth-digit"),
    ],
)
def test_unicode_nik_that_is_not_a_nik_is_rejected(nik: str, reason: Reject) -> None:
    report = run(f"NIK;Nama;TMT\n{nik};SITI;01-01-2025\n".encode(), "daftar.csv")
    (row,) = report.rejected
    assert row.reasons == [reason]


def test_name_of_only_invisible_characters_is_missing() -> None:
    report = run(f"NIK;Nama;TMT\n{NIK};{ZWSP}{RLM}{BOM};01-01-2025\n".encode(), "daftar.csv")
    (row,) = report.rejected
    assert row.reasons == [Reject.NAME_MISSING]
