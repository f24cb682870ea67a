"""What a header text names: synonyms, odd punctuation, keywords with exclusions."""

from __future__ import annotations

import pytest

from lindungi.intake import fields
from lindungi.intake.fields import Field


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
    assert fields.field_of(fields.normalize(text)) == field
