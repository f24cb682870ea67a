"""PDF lists, both layouts: every worker row exactly once, with its page and line, and the three ways a PDF fails."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import pdfplumber
import pytest
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage

from lindungi.intake.check import check
from lindungi.intake.readers import pdf as pdf_reader
from lindungi.intake.readers.pdf import glyphs, workers
from lindungi.intake.readers.pdf.workers import WORKERS_ENV
from lindungi.intake.report import Report
from lindungi.outcomes import FileError, Warn, message
from lindungi.settings import Limits
from lindungi_dev import samples
from lindungi_dev.samples import pdf as pdfsamples
from tests.builders import pdf_lines

TODAY = date(2025, 6, 1)
PROGRAM = "pekerja-rentan"
LONG_NAME = "MUHAMMAD ABDURRAHMAN KURNIAWAN SAPUTRA"
LONG_ADDRESS = "Jl. Gunung Sari Bagak Sahwa Gang Melati No. 17"
Writer = Callable[[Sequence[samples.Worker], str], bytes]
LAYOUTS: dict[str, Writer] = {"ruled": pdfsamples.write_ruled, "unruled": pdfsamples.write_unruled}


@cache
def people() -> tuple[list[samples.Worker], list[samples.Fault]]:
    """90 workers over three pages, every kind of planted fault at least once, one long name and address."""
    workers, faults = samples.plant_faults(samples.workers(90, PROGRAM, seed=3), every=7)
    workers[20] = replace(workers[20], name=LONG_NAME, address=LONG_ADDRESS)
    return workers, faults


@cache
def pdf_of(layout: str) -> bytes:
    return LAYOUTS[layout](people()[0], PROGRAM)


@cache
def report_of(layout: str) -> Report:
    return check(pdf_of(layout), f"daftar-{layout}.pdf", PROGRAM, today=TODAY)


def in_order(report: Report) -> list[Any]:
    """Accepted and rejected rows in the order they stand in the document."""
    rows: list[Any] = [*report.accepted, *report.rejected]
    return sorted(rows, key=lambda r: (r.row.page, r.row.line))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_worker_row_is_read_once_in_order(layout: str) -> None:
    report = report_of(layout)
    workers, _ = people()
    assert report.error is None
    assert report.kind == "pdf"
    assert report.rows_read == len(workers)
    assert [r.nik for r in in_order(report) if r.nik] == [w.nik for w in workers if w.nik]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_planted_faults_come_out_with_their_exact_codes(layout: str) -> None:
    rows = in_order(report_of(layout))
    _, faults = people()
    assert {code for f in faults for code in f.codes} >= {"nik_invalid", "nik_missing", "name_missing",
                                                           "phone_missing", "phone_not_mobile", "phone_invalid",
                                                           "phone_multiple", "start_date_invalid",
                                                           "nik_outside_region", "birth_date_mismatch"}
    faulty = {f.index for f in faults}
    for fault in faults:
        row = rows[fault.index]
        if fault.accepted:
            assert [w.value for w in row.warnings] == list(fault.codes), fault
        else:
            assert [r.value for r in row.reasons] == list(fault.codes), fault
    clean = [row for i, row in enumerate(rows) if i not in faulty]
    # In the bordered print "ABDURRAHMAN" fills its line of the name cell, "K" would not have fitted after it:
    # a break at the space cannot be told from a word broken in two, so that row alone is warned.
    warned = [(row.name, row.warnings) for row in clean if getattr(row, "warnings", None)]
    assert warned == ([(LONG_NAME, [Warn.PDF_LAYOUT_UNSURE])] if layout == "ruled" else [])
    assert not any(getattr(row, "reasons", None) for row in clean)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_header_repeated_on_every_page_is_skipped(layout: str) -> None:
    report = report_of(layout)
    pages = {r.row.page for r in in_order(report)}
    repeated = [i.row for i in report.ignored if i.reason == "header_repeated"]
    assert len(pages) >= 3
    assert [ref.page for ref in repeated] == sorted(pages)[1:]
    assert report.sheets[0].header_line is not None


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_wrapped_name_and_address_are_one_value(layout: str) -> None:
    text = pdfplumber.open(io.BytesIO(pdf_of(layout))).pages[0].extract_text()
    assert LONG_NAME not in text and LONG_ADDRESS not in text  # they do wrap onto two lines in the PDF
    (row,) = [a for a in report_of(layout).accepted if a.name == LONG_NAME]
    assert row.address == LONG_ADDRESS


@pytest.mark.parametrize("layout", LAYOUTS)
def test_row_gives_the_page_and_the_row_on_it(layout: str) -> None:
    rows = in_order(report_of(layout))
    second_page = [r for r in rows if r.row.page == 2]
    # page 2 starts with the repeated header: two ruled bands, or a page-header line and the header
    assert second_page[0].row.to_dict() == {"page": 2, "line": 3}
    assert [r.row.line for r in second_page] == list(range(3, 3 + len(second_page)))
    first = rows[0].row.to_dict()
    assert first["page"] == 1 and first["line"] > 3  # below the title block and the header


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_page_footer_does_not_hide_a_faulty_row_on_the_next_page(layout: str) -> None:
    workers = samples.workers(80, PROGRAM, seed=5)
    workers[50] = replace(workers[50], nik="")
    report = check(LAYOUTS[layout](workers, PROGRAM), "x.pdf", PROGRAM, today=TODAY)
    (rejected,) = report.rejected
    assert rejected.row.page == 2 and [r.value for r in rejected.reasons] == ["nik_missing"]
    assert report.rows_read == 80
    footers = {i.row.page for i in report.ignored if i.reason == "footer"}
    assert layout == "ruled" or footers >= {1, 2}  # "Halaman N dari M" on every page


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("scanned: pages are pictures", pdfsamples.write_scanned, FileError.SCANNED),
        ("password-protected", pdfsamples.write_encrypted, FileError.ENCRYPTED),
        ("cut off mid-file", pdfsamples.write_broken, FileError.UNREADABLE),
        ("garbage after the PDF signature", lambda p, prog: b"%PDF-1.7\n" + random.Random(1).randbytes(4000)
         + b"\n%%EOF\n", FileError.UNREADABLE),
    ],
)
def test_a_pdf_that_cannot_be_read_fails_with_its_code_and_message(name: str, make: Writer, code: FileError) -> None:
    report = check(make(people()[0][:40], PROGRAM), "daftar.pdf", PROGRAM, today=TODAY)
    assert report.error is code, name
    error = report.to_dict()["error"]
    assert error == {"code": code.value, "message": message(code)}
    assert report.accepted == [] and report.rejected == []


def test_too_many_pages_fail_before_any_page_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_page(*args: object) -> None:
        raise AssertionError("a page was read")

    monkeypatch.setattr(glyphs, "extract_page", no_page)
    report = check(pdf_of("unruled"), "x.pdf", PROGRAM, limits=Limits(max_pdf_pages=2), today=TODAY)
    assert report.error is FileError.TOO_LARGE


def test_a_scanned_page_among_typed_pages_fails_the_file() -> None:
    mixed = pdfsamples.write_scanned(people()[0][:70], PROGRAM, typed_first_page=True)
    document = pdfplumber.open(io.BytesIO(mixed))
    assert document.pages[0].chars and not document.pages[1].chars
    report = check(mixed, "x.pdf", PROGRAM, today=TODAY)
    assert report.error is FileError.SCANNED
    assert report.error_detail == "page 2 has no text layer"


def rows(data: bytes) -> list[tuple[dict[str, Any], list[str]]]:
    (table,) = pdf_reader.read(data, Limits())
    return [(r.ref.to_dict(), list(r.cells)) for r in table.rows]  # type: ignore[arg-type]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_worker_processes_give_the_same_rows_as_one_process(layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "1")
    alone = rows(pdf_of(layout))
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert rows(pdf_of(layout)) == alone


def test_when_no_process_can_be_started_the_file_is_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.context

    def refuse(self: object) -> None:
        raise OSError("no /dev/shm, no fork")

    monkeypatch.setenv(WORKERS_ENV, "1")
    alone = rows(pdf_of("ruled"))
    monkeypatch.setenv(WORKERS_ENV, "2")
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", refuse)
    assert rows(pdf_of("ruled")) == alone


@pytest.mark.parametrize("layout", LAYOUTS)
def test_glyphs_are_where_pdfplumber_puts_them(layout: str) -> None:
    """The compact pdfminer device must see the text exactly as pdfplumber's ``page.chars`` does."""
    data = pdf_of(layout)
    document = workers.open_document(data)
    page_obj = next(iter(PDFPage.create_pages(document.doc)))
    device = glyphs.Collector(document.rsrcmgr)
    PDFPageInterpreter(document.rsrcmgr, device).process_page(page_obj)
    ours = sorted((round(x0, 3), round(device.height - y1, 3), text) for x0, _, _, y1, text in device.glyphs)
    page = pdfplumber.open(io.BytesIO(data)).pages[0]
    theirs = sorted((round(c["x0"], 3), round(c["top"], 3), c["text"]) for c in page.chars)
    assert ours == theirs
    assert len(device.vertical) + len(device.horizontal) == len(page.edges)


def test_a_spreadsheet_check_does_not_import_pdfplumber() -> None:
    code = (
        "import sys\n"
        "from lindungi.intake.check import check\n"
        "from lindungi_dev import samples\n"
        "data = samples.write_xlsx(samples.workers(5), 'pekerja-rentan')\n"
        "assert check(data, 'a.xlsx', 'pekerja-rentan').error is None\n"
        "assert check(samples.write_csv(samples.workers(5)), 'a.csv', 'pekerja-rentan').error is None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pdfplumber', 'pdfminer', 'PIL')\n"
        "             or m.startswith('lindungi.intake.readers.pdf')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_cells_string_run_on_past_its_column_stays_that_cells() -> None:
    """A page printed a string per cell (TCPDF's ``Cell()``): a long address goes on over the next column
    with ordinary spaces; those words are the address's, not the next cell's, and the row is not unsure."""
    niks = ["6172014503880001", "6172021007900002", "6172034110960014"]
    header = [(10.0, "No"), (20.0, "NIK"), (60.0, "Nama"), (100.0, "Alamat"), (150.0, "Kelurahan"), (200.0, "TMT")]
    long_address = "Jl. Gunung Bawang Gg. Keluarga No. 12 RT 003"
    lines = [header] + [
        [(10.0, str(n + 1)), (20.0, nik), (60.0, "SITI"), (100.0, long_address if n == 1 else "Jl. Sedau No. 2"),
         *([] if n == 1 else [(150.0, "Melayu")]), (200.0, "01-03-2025")]
        for n, nik in enumerate(niks)]
    read = rows(pdf_lines([lines]))
    cells = [c for _, c in read if c and c[0] == "2"]
    assert [c[3:5] for c in cells] == [[long_address, ""]]
    report = check(pdf_lines([lines]), "daftar.pdf", PROGRAM, today=TODAY)
    assert report.error is None, report.error_detail
    assert [a.nik for a in report.accepted] == niks
    assert not any(Warn.PDF_LAYOUT_UNSURE in a.warnings for a in report.accepted)
