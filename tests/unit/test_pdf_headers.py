"""Header cells as PDFs print them: a label broken over lines, inside a word too, with its punctuation."""

from __future__ import annotations

import pytest

from lindungi.intake.fields import Field, field_of, normalize


@pytest.mark.parametrize(
    ("printed", "field"),
    [
        pytest.param("TMT\nKEPESERTAAN", Field.COVERAGE_START, id="tmt-over-two-lines"),
        pytest.param("TMT KEPESER- TAAN", Field.COVERAGE_START, id="tmt-word-hyphenated"),
        pytest.param("No.\nHP", Field.PHONE, id="no-hp-two-lines"),
        pytest.param("No. HP/ WA", Field.PHONE, id="no-hp-wa"),
        pytest.param("Nama\nLeng-\nkap", Field.NAME, id="nama-word-broken-with-hyphen"),
        pytest.param("Nama Leng kap", Field.NAME, id="nama-word-broken-without-hyphen"),
        pytest.param("Nomor Induk Kepen-\ndudukan", Field.NIK, id="nik-long-label-broken"),
        pytest.param("Tgl.\nLa hir", Field.BIRTH_DATE, id="tgl-lahir-broken"),
        pytest.param("Jenis\nPeker jaan", Field.OCCUPATION, id="pekerjaan-broken"),
        pytest.param("Kel/\nDesa", Field.KELURAHAN, id="kel-desa"),
        pytest.param("Nama Ibu\nKandung", None, id="mother-is-not-the-worker"),
    ],
)
def test_a_header_label_broken_in_a_pdf_cell_keeps_its_field(printed: str, field: Field | None) -> None:
    assert field_of(normalize(printed)) is field
