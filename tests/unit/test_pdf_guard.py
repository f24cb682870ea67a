"""A PDF's rows held against its own text: every NIK-shaped number in a reported row, every date and phone
number in a column the header named, or the file refused (``pdf_layout_unclear``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi.intake.report_page import render
from lindungi.nik import shaped
from lindungi.outcomes import FileError, Warn
from lindungi_dev import samples
from lindungi_dev.samples import pdf as pdfsamples
from tests.builders import BUDI, SITI, TODAY, PdfLine, pdf_lines

PROGRAM = "pekerja-rentan"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
X = (10.0, 20.0, 70.0, 120.0, 170.0)
"""Where each column's text starts, in mm."""


def row(*cells: str) -> PdfLine:
    return [(x, text) for x, text in zip(X, cells, strict=False) if text]


def read(lines: list[PdfLine], **options: object) -> Report:
    return check(pdf_lines([lines], **options), "daftar.pdf", PROGRAM, today=TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        pytest.param("6172014509850003", 1, id="a-NIK"),
        pytest.param("6172 0145 0985 0003", 1, id="spaced-in-fours"),
        pytest.param("6172.0145.0985.0003 081234567890", 1, id="spaced-NIK-then-a-phone"),
        pytest.param("1 6172014509850003", 1, id="row-number-before-it"),
        pytest.param("16172014509850003", 1, id="row-number-glued-on-17-digits"),
        pytest.param("617201450985003", 1, id="a-digit-short-15"),
        pytest.param("6172014509850003 6172051203900007", 2, id="two"),
        pytest.param("081234567890 / 0812 9876 5432", 0, id="two-phones"),
        pytest.param("617201450985", 0, id="a-short-NIK"),
        pytest.param("NIP 19650101 199003 1 005", 0, id="an-NIP-in-groups-18-digits"),
        pytest.param("NIP. 196501011990031005", 0, id="an-NIP-18-digits"),
        pytest.param("0813-1111-2222 186", 0, id="a-dashed-phone-then-a-house-number"),
    ],
)
def test_nik_shaped_numbers(text: str, count: int) -> None:
    assert shaped(text) == count


def test_a_plain_list_reports_as_many_nik_shaped_numbers_as_it_prints() -> None:
    report = read([row("No", "NIK", "Nama", "TMT"), row("1", SITI, "SITI AMINAH", "01-03-2025"),
                   row("2", BUDI, "BUDI", "01-03-2025")])
    assert report.error is None
    assert report.nik_shaped == (2, 2)
    assert [a.coverage_start.isoformat() for a in report.accepted] == ["2025-03-01"] * 2
    assert report.to_dict()["nik_shaped"] == {"found": 2, "reported": 2}


def test_a_nik_set_aside_refuses_the_file() -> None:
    """A NIK in a line read as a title (above the header) would be in no reported row."""
    report = read([[(10.0, f"Daftar susulan {SITI}")], row("No", "NIK", "Nama"), row("1", BUDI, "BUDI")])
    assert report.error is FileError.PDF_LAYOUT_UNCLEAR
    assert "2 NIK-shaped numbers on the pages, 1 in the rows reported" in report.error_detail
    assert report.nik_shaped == (2, 1)
    assert report.accepted == [] and report.rejected == []


@pytest.mark.parametrize(
    ("header", "cell", "refused"),
    [
        pytest.param("Tanggal", "01-03-2025", True, id="dates-under-a-header-that-names-nothing"),
        pytest.param("Tanggal", "1 Maret 2025", True, id="named-month-dates-under-a-header-that-names-nothing"),
        pytest.param("TMT", "01-03-2025", False, id="dates-under-TMT"),
        pytest.param("Lainnya", "0812-3456-7890", True, id="phones-under-a-header-that-names-nothing"),
        pytest.param("No. HP", "0812-3456-7890", False, id="phones-under-No-HP"),
        pytest.param("Keterangan", "baru", False, id="words-under-a-header-that-names-nothing"),
        pytest.param("Kode Pos", "79111", False, id="a-number-is-no-date"),
    ],
)
def test_a_date_or_phone_in_a_column_the_header_did_not_name_refuses_the_file(
    header: str, cell: str, refused: bool
) -> None:
    report = read([row("No", "NIK", "Nama", header), row("1", SITI, "SITI AMINAH", cell),
                   row("2", BUDI, "BUDI", cell)])
    if refused:
        assert report.error is FileError.PDF_LAYOUT_UNCLEAR, report.error_detail
        assert "no TMT column named" in report.error_detail or "no phone column named" in report.error_detail
    else:
        assert report.error is None, report.error_detail
        assert len(report.accepted) == 2


def _documents() -> list[object]:
    """Every fixture PDF and the sample writer's two layouts; the producers' corpus is slow (make test reads it)."""
    people = samples.plant_faults(samples.workers(90, PROGRAM, seed=5), every=7)[0]
    docs = [pytest.param(str(p.relative_to(FIXTURES)), p.read_bytes(), id=str(p.relative_to(FIXTURES)),
                         marks=[pytest.mark.slow] if p.parent.name == "producers" else [])
            for p in sorted(FIXTURES.rglob("*.pdf"))]
    return [*docs, pytest.param("own-ruled", pdfsamples.write_ruled(people), id="own-ruled"),
            pytest.param("own-unruled", pdfsamples.write_unruled(people), id="own-unruled")]


@pytest.mark.parametrize(("name", "data"), _documents())
def test_every_pdf_reports_each_nik_shaped_number_it_prints_or_is_refused(name: str, data: bytes) -> None:
    report = check(data, name, PROGRAM, today=TODAY)
    if report.error is not None:
        assert report.error in (FileError.PDF_LAYOUT_UNCLEAR, FileError.HEADER_NOT_FOUND), report.error
        return
    assert report.nik_shaped is not None
    found, reported = report.nik_shaped
    assert found == reported > 0


def test_the_page_states_the_nik_shaped_numbers_found_and_reported() -> None:
    read_page = render(read([row("No", "NIK", "Nama"), row("1", SITI, "SITI AMINAH")]))
    assert "PDF ini memuat 1 angka berbentuk NIK; 1 di antaranya ada di baris yang dilaporkan" in read_page
    refused = read([[(10.0, f"Daftar susulan {SITI}")], row("No", "NIK", "Nama"), row("1", BUDI, "BUDI")])
    assert "PDF ini memuat 2 angka berbentuk NIK; 1 di antaranya" in render(refused)


def test_a_right_aligned_row_number_a_narrow_space_before_the_nik_stays_under_no() -> None:
    """The blank between them is wider than a space but narrower than any fixed column gap: the numbers'
    shared right edge parts the columns (dompdf, TCPDF and Writer print it so)."""
    niks = [SITI, BUDI, "6172034110960014", "6172052912910020", "6172051011600011"]
    names = ["SITI AMINAH", "BUDI", "SRI KURNIAWAN", "LIM BONG", "RINA WIJAYA"]
    lines = [[(10.0, "No"), (25.0, "NIK"), (60.0, "Nama"), (110.0, "TMT")]]
    lines += [[(17.0, str(n + 1)), (20.0, nik), (60.0, name), (110.0, "01-03-2025")]
              for n, (nik, name) in enumerate(zip(niks, names, strict=True))]
    report = read(lines)
    assert report.error is None, report.error_detail
    assert [a.nik for a in report.accepted] == niks
    assert not any(Warn.PDF_LAYOUT_UNSURE in a.warnings for a in report.accepted)


EDGES = [10.0, 18.0, 55.0, 100.0, 130.0]
"""Column rules of the hand-made bordered list, in mm."""


def ruled_row(*cells: str) -> PdfLine:
    return [(x + 1.0, text) for x, text in zip(EDGES, cells, strict=False) if text]


def test_a_bordered_row_the_page_end_cut_is_joined_to_its_rest_on_the_next_page() -> None:
    """Its first line printed under the table's last rule, the rest in the first row of the next page's table."""
    first = [ruled_row("No", "NIK", "Nama", "TMT"), ruled_row("1", SITI, "SITI AMINAH", "01-03-2025"),
             ruled_row("2", BUDI, "BUDI", "01-03-")]
    second = [ruled_row("", "", "SANTOSO", "2025"), ruled_row("3", "6172034110960014", "SRI", "01-04-2025")]
    data = pdf_lines([first, second], ruled=(EDGES, 2))  # page 1: header and one row ruled, BUDI's row below
    report = check(data, "daftar.pdf", PROGRAM, today=TODAY)
    assert report.error is None, report.error_detail
    assert [(a.nik, a.name, a.coverage_start.isoformat(), Warn.PDF_LAYOUT_UNSURE in a.warnings)
            for a in report.accepted] == [
        (SITI, "SITI AMINAH", "2025-03-01", False), (BUDI, "BUDI SANTOSO", "2025-03-01", False),
        ("6172034110960014", "SRI", "2025-04-01", False)]
    assert report.nik_shaped == (3, 3)
