"""Finding the list: the header (two-row merged headers, what is not a header) and which rows below it are workers."""

from __future__ import annotations

import pytest

from lindungi.intake import table
from lindungi.intake.fields import Field
from lindungi.intake.readers.base import Cell, RawRow, Table
from lindungi.outcomes import Skip
from lindungi.rows import Ignored, RowRef

SITI = "6172014509850003"
BUDI = "6172051203900007"
HEADER = ["No", "NIK", "Nama Lengkap", "No. HP"]


def test_header_below_title_rows() -> None:
    rows = [
        ["DAFTAR PEKERJA RENTAN KOTA SINGKAWANG TAHUN 2025", "", ""],
        ["", "", ""],
        ["No", "NIK", "Nama Lengkap"],
        ["1", "6172014509850003", "SITI AMINAH"],
    ]
    found = table.find(rows)
    assert found is not None
    index, header = found
    assert index == 2 and header.rows == 1
    assert header.columns == {Field.NIK: 1, Field.NAME: 2}


def test_two_row_header_with_merged_group_cell() -> None:
    rows = [
        ["No", "NIK", "Nama", "KONTAK", "", "TMT"],
        ["", "", "", "No. HP", "Alamat", ""],
        ["1", "6172014509850003", "SITI", "0812", "Jl. X", "01-01-2025"],
    ]
    found = table.find(rows, merged=[((0, 3), (0, 4))])
    assert found is not None
    _, header = found
    assert header.rows == 2
    assert header.columns[Field.PHONE] == 3 and header.columns[Field.ADDRESS] == 4
    assert header.columns[Field.COVERAGE_START] == 5


def test_single_header_is_not_merged_with_the_first_worker() -> None:
    rows = [["NIK", "Nama", "Alamat"], ["6172014509850003", "SITI", "Desa Sedau"]]
    found = table.find(rows)
    assert found is not None and found[1].rows == 1


def test_no_header_without_nik_and_name() -> None:
    assert table.find([["Rekap per kecamatan", "Jumlah"], ["Barat", "120"]]) is None


@pytest.mark.parametrize(
    ("cells", "footer"),
    [
        pytest.param(["", "Jumlah", "120 orang"], True, id="jumlah"),
        pytest.param(["TOTAL", ""], True, id="total"),
        pytest.param(["", "", "Singkawang, 2 Januari 2025"], True, id="place-and-date"),
        pytest.param(["Mengetahui,"], True, id="mengetahui"),
        pytest.param(["Kepala Dinas Tenaga Kerja"], True, id="kepala"),
        pytest.param(["NIP. 19700101 199003 1 001"], True, id="nip"),
        pytest.param(["Halaman 2 dari 5"], True, id="page-footer"),
        pytest.param(["1", "6172014509850003", "SITI"], False, id="worker"),
    ],
)
def test_is_footer(cells: list[str], footer: bool) -> None:
    assert table.is_footer(cells) is footer


@pytest.mark.parametrize(
    ("cells", "numbers"),
    [
        pytest.param(["(1)", "(2)", "(3)", "(4)"], True, id="in-brackets"),
        pytest.param(["1", "2", "3", "4", "5"], True, id="bare"),
        pytest.param(["1", "2"], False, id="too-few"),
        pytest.param(["1", SITI, "SITI"], False, id="worker"),
    ],
)
def test_is_column_numbers(cells: list[str], numbers: bool) -> None:
    assert table.is_column_numbers(cells) is numbers


def sheet(*rows: list[Cell], page_break: int | None = None) -> Table:
    """A table with the rows on lines 1, 2, ...; from line ``page_break`` on, the rows are on page 2."""
    def ref(line: int) -> RowRef:
        if page_break is None:
            return RowRef(line=line)
        return RowRef(line=line, page=1 if line < page_break else 2)

    return Table(name=None, rows=[RawRow(ref(n), list(cells)) for n, cells in enumerate(rows, start=1)])


def classified(source: Table) -> list[tuple[int, str]]:
    """Each row below the header: its line and ``worker`` or the reason it is set aside."""
    found = table.find_list(source)
    return [(r.ref.line, "worker") if isinstance(r, RawRow) else (r.row.line, r.reason.value) for r in found.rows]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([HEADER, ["1", SITI, "SITI"], [], ["", "", ""], ["2", BUDI, "BUDI"]],
                     [(2, "worker"), (5, "worker")], id="blank-rows-are-dropped"),
        pytest.param([HEADER, ["(1)", "(2)", "(3)", "(4)"], ["1", SITI, "SITI"]],
                     [(2, "column_numbers"), (3, "worker")], id="column-numbers-under-the-header"),
        pytest.param([HEADER, ["1", SITI, "SITI"], HEADER, ["2", BUDI, "BUDI"]],
                     [(2, "worker"), (3, "header_repeated"), (4, "worker")], id="header-repeated"),
        pytest.param([HEADER, ["1", SITI, "SITI"], ["", "Jumlah", "1 orang"], ["", "Mengetahui,"], ["", "", "BUDI"]],
                     [(2, "worker"), (3, "footer"), (4, "footer"), (5, "footer")],
                     id="after-a-footer-only-footer"),
        pytest.param([HEADER, ["1", SITI, "SITI"], ["TOTAL"], ["3", BUDI, "BUDI"]],
                     [(2, "worker"), (3, "footer"), (4, "worker")], id="a-worker-after-a-footer-is-a-worker"),
        pytest.param([HEADER, ["1", "", "", "0812"]], [(2, "not_a_worker")], id="no-nik-no-name"),
        pytest.param([HEADER, ["1", "", "SITI"], ["2", "123", ""]], [(2, "worker"), (3, "worker")],
                     id="a-nik-or-a-name-is-a-worker-row-for-validation"),
        pytest.param([HEADER, ["1", 6172014509850003.0, "SITI"]], [(2, "worker")], id="nik-as-a-number"),
    ],
)
def test_rows_below_the_header(rows: list[list[Cell]], expected: list[tuple[int, str]]) -> None:
    assert classified(sheet(*rows)) == expected


def test_a_page_footer_does_not_end_the_list_on_the_next_page() -> None:
    rows = [HEADER, ["1", SITI, "SITI"], ["Halaman 1 dari 2"], ["", "", "BUDI"], ["2", BUDI, "BUDI"]]
    assert classified(sheet(*rows, page_break=4)) == [(2, "worker"), (3, "footer"), (4, "worker"), (5, "worker")]


def test_the_header_line_and_the_rows_above_it() -> None:
    found = table.find_list(sheet(["DAFTAR PEKERJA RENTAN"], [], HEADER, ["1", SITI, "SITI"]))
    assert found.header is not None and found.header_line == 3
    assert [r.ref.line for r in found.rows if isinstance(r, RawRow)] == [4]


def test_no_header_in_the_first_rows_means_no_list() -> None:
    rows = [["catatan"]] * table.HEADER_SEARCH_ROWS + [HEADER, ["1", SITI, "SITI"]]
    found = table.find_list(sheet(*rows))
    assert (found.header, found.header_line, list(found.rows)) == (None, None, [])


def test_ignored_rows_carry_their_place() -> None:
    found = table.find_list(sheet(HEADER, ["TOTAL"]))
    assert list(found.rows) == [Ignored(RowRef(line=2), Skip.FOOTER)]
