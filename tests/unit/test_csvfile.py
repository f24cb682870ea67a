"""CSV encodings as offices save them: recognised by decoding, each line read in its own encoding."""

from __future__ import annotations

import random

import pytest

from lindungi.intake.check import check
from lindungi.intake.readers.csvfile import decode
from lindungi.intake.readers.detect import Kind, detect
from lindungi.settings import Limits
from lindungi_dev import samples

ACCENTED = ["JOSÉ MUÑOZ", "FRANÇOISE", "MA’RUF", "ÑOÑO GARCÍA", "RENÉ D’ARC", "ANDRÉ SÉBASTIEN"]


def _people(n: int, every_name_accented: bool) -> list[samples.Worker]:
    people = samples.workers(n, seed=5)
    return [
        samples.Worker(**{**w.__dict__, "name": ACCENTED[i % len(ACCENTED)]})
        if every_name_accented or i % 10 == 3 else w
        for i, w in enumerate(people)
    ]


@pytest.mark.parametrize(
    ("delimiter", "every_name_accented"),
    [
        pytest.param(";", True, id="semicolon-every-name-accented"),
        pytest.param(",", True, id="comma-every-name-accented"),
        pytest.param(";", False, id="semicolon-some-names-accented"),
    ],
)
def test_windows_1252_csv_full_of_accented_names_is_read(delimiter: str, every_name_accented: bool) -> None:
    people = _people(60, every_name_accented)
    data = samples.write_csv(people, delimiter=delimiter, encoding="cp1252")
    report = check(data, "d.csv", "pekerja-rentan")
    assert report.error is None, report.error_detail
    assert [a.name for a in report.accepted] == [w.name for w in people]


def test_utf8_list_with_one_windows_1252_line_keeps_both() -> None:
    people = _people(20, every_name_accented=False)
    people[1] = samples.Worker(**{**people[1].__dict__, "name": "林美华"})
    lines = samples.write_csv(people, encoding="utf-8-sig").split(b"\r\n")
    pasted = samples.write_csv([samples.Worker(**{**people[6].__dict__, "name": "JOSÉ MUÑOZ"})], encoding="cp1252")
    lines[9] = pasted.split(b"\r\n")[3]  # the 7th worker's line, pasted from an old Windows file
    report = check(b"\r\n".join(lines), "d.csv", "pekerja-rentan")
    names = [a.name for a in report.accepted]
    assert names[1] == "林美华" and names[6] == "JOSÉ MUÑOZ" and len(names) == 20
    assert not any("\ufffd" in n or "Ã" in n for n in names)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param("NIK;Nama\r\n1;JOSÉ\r\n".encode("cp1252"), "NIK;Nama\r\n1;JOSÉ\r\n", id="windows-1252"),
        pytest.param("a;José\n".encode() + "b;Ñoño\n".encode("cp1252"), "a;José\nb;Ñoño\n", id="mixed-by-line"),
        pytest.param(b"\xef\xbb\xbf" + "a;Ñ\n".encode() + "b;ç\n".encode("cp1252"), "a;Ñ\nb;ç\n", id="bom-mixed"),
        pytest.param("a;林\n".encode("utf-16"), "a;林\n", id="utf-16-bom"),
    ],
)
def test_decode(data: bytes, text: str) -> None:
    assert decode(data) == text


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(("NIK;Nama;Alamat\r\n" + "6172;JOSÉ MUÑOZ;Jl. Ñ’ç\r\n" * 400).encode("cp1252"), Kind.CSV,
                     id="windows-1252-head-full-of-accents"),
        pytest.param(b"NIK;Nama\r\n" + "1;é\r\n".encode() * 818 + b"1;\xc3", Kind.CSV, id="utf8-char-cut-at-4096"),
        pytest.param("NIK;Nama\n1;林\n".encode("utf-16"), Kind.CSV, id="utf-16-with-bom"),
    ],
)
def test_text_is_recognised_by_decoding(data: bytes, kind: Kind) -> None:
    assert detect(data, Limits()) is kind


def test_binary_without_a_known_signature_is_still_unsupported() -> None:
    noise = random.Random(3).randbytes(8192).replace(b"\x00", b"\x01")
    report = check(noise, "d.csv", "pekerja-rentan")
    assert report.error is not None and report.error.value == "file_unsupported"
