"""Finding the header row of a worker list and what each column means.

Header text is compared case- and punctuation-insensitively ("No.\\nHP" is
"no hp"), first against the synonyms of domain.md, then by keywords with
exclusions ("Nama Ibu Kandung" is not the worker's name). A header may span
two rows (a merged group cell such as "KONTAK" above "No. HP" and "Alamat").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lindungi.intake.readers.base import Cell


class Field(StrEnum):
    NIK = "nik"
    NAME = "name"
    PHONE = "phone"
    BIRTH_DATE = "birth_date"
    GENDER = "gender"
    ADDRESS = "address"
    KELURAHAN = "kelurahan"
    KECAMATAN = "kecamatan"
    OCCUPATION = "occupation"
    COVERAGE_START = "coverage_start"
    PROGRAM = "program"


REQUIRED = (Field.NIK, Field.NAME)

SYNONYMS: dict[Field, frozenset[str]] = {
    Field.NIK: frozenset(
        {"nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor ktp", "nomor induk kependudukan",
         "no induk kependudukan", "nik peserta", "nik pekerja", "nik e ktp"}
    ),
    Field.NAME: frozenset(
        {"nama", "nama lengkap", "nama peserta", "nama pekerja", "nama tenaga kerja", "nama sesuai ktp",
         "nama lengkap sesuai ktp", "nama tk"}
    ),
    Field.PHONE: frozenset(
        {"no hp", "no hp wa", "nomor handphone", "no handphone", "no telp", "telepon", "nomor hp", "hp", "no wa",
         "nomor telepon", "no telepon", "telp", "no tlp", "handphone", "whatsapp", "nomor hp wa", "no telp hp",
         "no hp telp", "kontak", "no kontak", "nomor wa", "ponsel"}
    ),
    Field.BIRTH_DATE: frozenset({"tanggal lahir", "tgl lahir", "tgl lhr", "tanggal lahir dd mm yyyy"}),
    Field.GENDER: frozenset({"jenis kelamin", "l p", "jk", "gender", "kelamin", "lp", "l pr"}),
    Field.ADDRESS: frozenset({"alamat", "alamat lengkap", "alamat domisili", "alamat sesuai ktp", "alamat rumah"}),
    Field.KELURAHAN: frozenset({"kelurahan", "kel desa", "desa", "kelurahan desa", "kel", "desa kelurahan"}),
    Field.KECAMATAN: frozenset({"kecamatan", "kec"}),
    Field.OCCUPATION: frozenset(
        {"jenis pekerjaan", "pekerjaan", "profesi", "jenis usaha", "bidang pekerjaan", "pekerjaan profesi"}
    ),
    Field.COVERAGE_START: frozenset(
        {"tmt", "tmt kepesertaan", "tanggal mulai", "mulai", "tgl mulai", "tmt peserta", "tanggal tmt",
         "mulai kepesertaan", "tgl tmt", "tanggal mulai kepesertaan"}
    ),
    Field.PROGRAM: frozenset({"program", "segmen", "kategori", "program kepesertaan", "jenis kepesertaan"}),
}

_NOT_THE_WORKER = {"ibu", "ayah", "kelurahan", "desa", "kecamatan", "usaha", "perusahaan", "ahli", "waris",
                   "kantor", "pemberi", "kerja", "petugas", "suami", "istri", "bank"}

_WORDS = re.compile(r"[^0-9a-z]+")


def normalize(cell: Cell) -> str:
    """``"No.\\nHP"`` -> ``"no hp"``; ``"NAMA  LENGKAP"`` -> ``"nama lengkap"``."""
    if cell is None or not isinstance(cell, str):
        return "" if cell is None or isinstance(cell, bool) else str(cell)
    return _WORDS.sub(" ", cell.lower()).strip()


def _by_keywords(text: str) -> Field | None:
    tokens = set(text.split())
    if not tokens:
        return None
    if "nik" in tokens or {"ktp", "no"} <= tokens or "kependudukan" in tokens:
        return Field.NIK
    if "lahir" in tokens and tokens & {"tgl", "tanggal", "tg"}:
        return Field.BIRTH_DATE
    if tokens & {"hp", "telp", "telepon", "telpon", "handphone", "wa", "whatsapp", "tlp", "ponsel"}:
        return Field.PHONE
    if "nama" in tokens and not tokens & _NOT_THE_WORKER:
        return Field.NAME
    if "kelamin" in tokens:
        return Field.GENDER
    if "tmt" in tokens or "mulai" in tokens:
        return Field.COVERAGE_START
    if "alamat" in tokens:
        return Field.ADDRESS
    if "kecamatan" in tokens or "kec" in tokens:
        return Field.KECAMATAN
    if tokens & {"kelurahan", "desa", "kel"}:
        return Field.KELURAHAN
    if tokens & {"pekerjaan", "profesi"}:
        return Field.OCCUPATION
    if tokens & {"program", "segmen", "kategori"}:
        return Field.PROGRAM
    return None


def field_of(text: str) -> Field | None:
    """The field a normalised header text names, if any."""
    for field, names in SYNONYMS.items():
        if text in names:
            return field
    return _by_keywords(text) if len(text) <= 40 else None


@dataclass(frozen=True)
class Header:
    columns: dict[Field, int]
    """Column index of each field found."""
    rows: int
    """How many rows the header spans (1 or 2)."""
    texts: tuple[str, ...]
    """The normalised header texts, to recognise the header repeated on a later page."""

    def has_required(self) -> bool:
        return all(f in self.columns for f in REQUIRED)


def _map(texts: Sequence[str]) -> dict[Field, int]:
    columns: dict[Field, int] = {}
    for index, text in enumerate(texts):
        field = field_of(text) if text else None
        if field is not None and field not in columns:
            columns[field] = index
    return columns


def _looks_like_data(cells: Sequence[Cell]) -> bool:
    """A row with a long number in it is a worker, not the second line of a header."""
    for cell in cells:
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 1e9:
            return True
        if isinstance(cell, str) and sum(ch.isdigit() for ch in cell) >= 10:
            return True
    return False


def _fill_merged(texts: list[str], row: int, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 < len(texts) and texts[c0]:
            for c in range(c0 + 1, min(c1 + 1, len(texts))):
                texts[c] = texts[c] or texts[c0]


def find(
    rows: Sequence[Sequence[Cell]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
) -> tuple[int, Header] | None:
    """Index of the header's first row among ``rows`` and the header, or None when there is none.

    ``merged`` indexes match ``rows`` (0-based), as the spreadsheet reader gives them.
    """
    for index, cells in enumerate(rows):
        upper = [normalize(c) for c in cells]
        single = _map(upper)
        if Field.NIK not in single and Field.NAME not in single:
            continue
        best = Header(single, 1, tuple(upper))
        if index + 1 < len(rows) and not _looks_like_data(rows[index + 1]):
            lower = [normalize(c) for c in rows[index + 1]]
            _fill_merged(upper, index, merged)
            width = max(len(upper), len(lower))
            upper += [""] * (width - len(upper))
            lower += [""] * (width - len(lower))
            combined: list[str] = []
            for up, low in zip(upper, lower, strict=True):
                joined = f"{up} {low}".strip()
                # The lower row is the specific label under a group cell ("KONTAK" over "No. HP").
                choice = next((t for t in (low, up, joined) if t and field_of(t)), joined)
                combined.append(choice)
            two = _map(combined)
            if len(two) > len(single) and all(f in two for f in REQUIRED):
                best = Header(two, 2, tuple(combined))
        if best.has_required():
            return index, best
    return None


_FOOTER = re.compile(
    r"^(jumlah|total|sub ?total|mengetahui|menyetujui|kepala|ttd|nip|halaman|hal|dicetak|catatan|keterangan"
    r"|an |a n |pj |plt |sekretaris|kabid|kasi|dibuat|diperiksa|petugas)\b"
)
_PLACE_DATE = re.compile(r"^[a-z ]+ \d{1,2} [a-z]+ \d{4}$")


def is_footer(cells: Sequence[Cell]) -> bool:
    """Totals, page footers, place-and-date and signature lines below a list."""
    for cell in cells:
        text = normalize(cell)
        if text:
            return bool(_FOOTER.match(text) or _PLACE_DATE.match(text))
    return False


def is_column_numbers(cells: Sequence[Cell]) -> bool:
    """The "(1) (2) (3)" row printed under many government table headers."""
    filled = 0
    for cell in cells:
        value = normalize(cell)
        if value:
            if not (value.isdigit() and int(value) <= 60):
                return False  # most rows stop here, at their second cell
            filled += 1
    return filled >= 3
