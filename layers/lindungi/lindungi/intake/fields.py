"""What a header text names: the fields of a worker list and their synonyms (domain.md).

Header text is compared case- and punctuation-insensitively ("No.\\nHP" is
"no hp"), first against the synonyms of domain.md, then by keywords with
exclusions ("Nama Ibu Kandung" is not the worker's name).
"""

from __future__ import annotations

import re
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
    PAID_UNTIL = "paid_until"
    """The last day a self-payer's contributions pay for (a BPU mandiri list): the cover's end."""


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
    Field.PAID_UNTIL: frozenset(
        {"paid until", "iuran sampai", "dibayar sampai", "masa iuran", "bayar sampai", "lunas sampai",
         "iuran s d", "iuran sd", "dibayar s d", "iuran sampai dengan", "dibayar sampai dengan",
         "masa iuran sampai", "iuran dibayar sampai", "akhir iuran", "tanggal akhir iuran", "tgl akhir iuran",
         "iuran terakhir", "periode iuran sampai", "berlaku sampai"}
    ),
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
    if tokens & {"iuran", "dibayar", "lunas"} and tokens & {"sampai", "sd", "akhir", "terakhir", "masa"}:
        return Field.PAID_UNTIL
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


_SQUASHED = {name.replace(" ", ""): f for f, names in SYNONYMS.items() for name in names}
"""The synonyms without spaces: a PDF breaks a word inside a narrow header cell ("Kepen-" over "dudukan")."""


def field_of(text: str) -> Field | None:
    """The field a normalised header text names, if any (also when a line break split one of its words)."""
    for field, names in SYNONYMS.items():
        if text in names:
            return field
    squashed = _SQUASHED.get(text.replace(" ", ""))
    if squashed is not None:
        return squashed
    return _by_keywords(text) if len(text) <= 40 else None
