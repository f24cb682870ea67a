"""Header detection: synonyms, odd punctuation, two-row merged headers, and what is not a header."""

from __future__ import annotations

import pytest

from lindungi.intake import table
from lindungi.intake.table import Field


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param("NIK", Field.NIK, id="nik"),
        pytest.param("No. NIK", Field.NIK, id="no-nik"),
        pytest.param("Nomor Induk Kependudukan", Field.NIK, id="long-nik"),
        pytest.param("No KTP", Field.NIK, id="no-ktp"),
        pytest.param("NAMA  LENGKAP", Field.NAME, id="double-space"),
        pytest.param("Nama Peserta", Field.NAME, id="nama-peserta"),
        pytest.param("Nama Pekerja", Field.NAME, id="nama-pekerja"),
        pytest.param("Nama Ibu Kandung", None, id="mother-is-not-the-worker"),
        pytest.param("Nama Kelurahan", Field.KELURAHAN, id="nama-kelurahan-is-a-place"),
        pytest.param("No.\nHP", Field.PHONE, id="line-break"),
        pytest.param("No HP/WA", Field.PHONE, id="hp-wa"),
        pytest.param("Nomor Handphone", Field.PHONE, id="handphone"),
        pytest.param("No. Telp", Field.PHONE, id="telp"),
        pytest.param("Telepon", Field.PHONE, id="telepon"),
        pytest.param("Tanggal Lahir", Field.BIRTH_DATE, id="tanggal-lahir"),
        pytest.param("Tgl. Lahir", Field.BIRTH_DATE, id="tgl-lahir"),
        pytest.param("Tempat/Tgl Lahir", Field.BIRTH_DATE, id="tempat-tgl-lahir"),
        pytest.param("Jenis Kelamin", Field.GENDER, id="jenis-kelamin"),
        pytest.param("L/P", Field.GENDER, id="l-p"),
        pytest.param("JK", Field.GENDER, id="jk"),
        pytest.param("Alamat", Field.ADDRESS, id="alamat"),
        pytest.param("Kel/Desa", Field.KELURAHAN, id="kel-desa"),
        pytest.param("Desa", Field.KELURAHAN, id="desa"),
        pytest.param("Kec", Field.KECAMATAN, id="kec"),
        pytest.param("Jenis Pekerjaan", Field.OCCUPATION, id="jenis-pekerjaan"),
        pytest.param("Profesi", Field.OCCUPATION, id="profesi"),
        pytest.param("TMT", Field.COVERAGE_START, id="tmt"),
        pytest.param("TMT Kepesertaan", Field.COVERAGE_START, id="tmt-kepesertaan"),
        pytest.param("Tanggal Mulai", Field.COVERAGE_START, id="tanggal-mulai"),
        pytest.param("Segmen", Field.PROGRAM, id="segmen"),
        pytest.param("Kategori", Field.PROGRAM, id="kategori"),
        pytest.param("No", None, id="row-number"),
        pytest.param("Keterangan", None, id="remarks"),
    ],
)
def test_field_of_header_text(text: str, field: Field | None) -> None:
    assert table.field_of(table.normalize(text)) == field


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
