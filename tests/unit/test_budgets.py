"""The parts of the reading budgets: the xlsx extent scan, the child process, the counted PDF pages."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from lindungi.intake.check import check
from lindungi.intake.readers import isolate
from lindungi.intake.readers.base import FileFailure
from lindungi.intake.readers.extent import PartScan, column_number
from lindungi.outcomes import FileError
from lindungi.settings import Limits
from lindungi_dev.samples import hostile

PROGRAM = "pekerja-rentan"
TODAY = date(2025, 6, 1)
CELL = '<c r="{}" t="s"><v>0</v></c>'


def scan(text: str, chunk: int = 7) -> PartScan:
    """``text`` fed in small chunks, so that tags are cut between chunks as they are in a real stream."""
    part = PartScan("xl/worksheets/sheet1.xml")
    data = text.encode()
    for start in range(0, len(data), chunk):
        part.feed(data[start : start + chunk])
    part.feed(b"", last=True)
    return part


@pytest.mark.parametrize(
    ("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("GR", 200), ("XFD", 16_384)],
)
def test_column_numbers(letters: str, number: int) -> None:
    assert column_number(letters.encode()) == number


@pytest.mark.parametrize(
    ("sheet", "area", "sure"),
    [
        pytest.param(CELL.format("A1") + CELL.format("E30"), 30 * 5, True, id="placed"),
        pytest.param(CELL.format("C3") + CELL.format("D4"), 2 * 2, True, id="from-first-to-last-used"),
        pytest.param(CELL.format("A1") + CELL.format("XFD1048576"), 1_048_576 * 16_384, True, id="far-cell"),
        pytest.param(CELL.format("B7") + CELL.format("A1048576"), (1_048_576 - 6) * 2, True, id="out-of-order"),
        pytest.param(CELL.format("A1") + '<c t="s"><v>1</v></c>', 1, False, id="cell-without-r"),
        pytest.param(CELL.format("A1") + '<c s="1" r="XFD9"><v>1</v></c>', 1, False, id="r-not-first"),
        pytest.param(CELL.format("A1") + '<x:c r="XFD9"><v>1</v></x:c>', 1, False, id="namespace-prefix"),
        pytest.param(CELL.format("A1") + '<c r="xfd9"><v>1</v></c>', 1, False, id="lower-case-reference"),
        pytest.param(CELL.format("A1") + f'<c foo="{"x" * 5000}" r="XFD9"/>', 1, False, id="padded-tag"),
        pytest.param('<row r="1048576"/>' + CELL.format("A1"), 1, True, id="empty-far-row"),
    ],
)
def test_the_scan_measures_the_grid_calamine_would_build(sheet: str, area: int, sure: bool) -> None:
    part = scan(f'<worksheet><dimension ref="A1:B2"/><sheetData><row r="1">{sheet}</row></sheetData></worksheet>')
    assert part.area == area
    assert (not part.unplaced and not part.too_long_tag) is sure
    assert part.declared_extent == (2, 2)


@pytest.mark.parametrize(
    ("declared", "strings", "error"),
    [
        pytest.param(3, 3, None, id="honest"),
        pytest.param(2, 3, None, id="under-declared"),
        pytest.param(1_000_000, 3, None, id="over-declared-within-budget"),
        pytest.param(4_294_967_295, 3, FileError.UNREADABLE, id="4G-declared"),
    ],
)
def test_shared_strings_declared_against_held(declared: int, strings: int, error: FileError | None) -> None:
    from lindungi.intake.readers.extent import Extent

    body = "".join(f"<si><t>{n}</t></si>" for n in range(strings))
    part = scan(f'<sst xmlns="x" count="{declared}" uniqueCount="{declared}">{body}</sst>')
    assert part.strings == strings
    extent = Extent([part])
    if error is None:
        extent.check(Limits())
    else:
        with pytest.raises(FileFailure) as failure:
            extent.check(Limits())
        assert failure.value.code is error


def test_an_xlsx_whose_cells_do_not_say_where_they_are_is_measured_in_a_child_and_read() -> None:
    def unplace(name: str, body: bytes) -> bytes:
        return re.sub(rb' r="[A-Z]+[0-9]+"', b"", body) if name.startswith("xl/worksheets/") else body

    data = hostile._rezip(hostile._workbook({}, rows=5), unplace)
    report = check(data, "daftar.xlsx", PROGRAM, today=TODAY)
    assert report.error is None
    assert len(report.accepted) == 5


def test_a_child_that_runs_out_of_memory_is_a_file_too_large() -> None:
    limits = Limits(reader_memory_bytes=64 * 2**20)  # the xls grid needs about 540 MB
    report = check(hostile.xls_far_cell(), "daftar.xls", PROGRAM, limits=limits, today=TODAY)
    assert report.error is FileError.TOO_LARGE
    assert "out of memory" in report.error_detail


def test_a_child_that_does_not_answer_in_time_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(FileFailure) as failure:
        isolate.run(lambda: time.sleep(30), what="test", extra_bytes=0, seconds=0.5)
    assert failure.value.code is FileError.UNREADABLE
    assert time.monotonic() - started < 5


def test_a_pdf_past_its_deadline_is_stopped() -> None:
    # 10,000 pages take about a minute to read here; 1,000 fit in 1.5 s on an idle machine, which made
    # this test depend on the machine's speed. The bound only says the reader was stopped, not how fast.
    data = hostile.pdf_many_pages(10_000, footers=1, declared=None)
    started = time.monotonic()
    report = check(data, "daftar.pdf", PROGRAM, limits=Limits(max_pdf_pages=20_000), today=TODAY,
                   deadline=time.monotonic() + 1.5)
    assert report.error in (FileError.TOO_LARGE, FileError.UNREADABLE)
    assert "time budget" in report.error_detail
    assert time.monotonic() - started < 20


def test_pdf_pages_are_counted_not_declared() -> None:
    data = hostile.pdf_many_pages(12, footers=1, declared=1)
    report = check(data, "daftar.pdf", PROGRAM, limits=Limits(max_pdf_pages=10), today=TODAY)
    assert report.error is FileError.TOO_LARGE
    assert report.error_detail == "over 10 pages (counted)"


@pytest.mark.parametrize(("memory_mb", "child_mb"), [(1024, 512), (2048, 1024), (10_240, 1024)])
def test_a_readers_child_may_use_at_most_half_the_functions_memory(memory_mb: int, child_mb: int) -> None:
    assert Limits().within_memory(memory_mb).reader_memory_bytes == child_mb * 2**20
