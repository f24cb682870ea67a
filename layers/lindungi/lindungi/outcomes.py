"""The one error vocabulary of Lindungi: the outcome codes of domain.md.

Code, tests, reports and messages to staff all use these enum values; the
Indonesian text a staff member reads lives here and nowhere else. The row
outcomes that carry these codes (``Accepted``, ``Rejected``, ``Ignored``) are
beside them, in ``lindungi/rows.py``.
"""

from __future__ import annotations

from enum import StrEnum


class FileError(StrEnum):
    """A file fails as a whole with exactly one of these."""

    UNSUPPORTED = "file_unsupported"
    UNREADABLE = "file_unreadable"
    ENCRYPTED = "file_encrypted"
    SCANNED = "file_scanned"
    PDF_LAYOUT_UNCLEAR = "pdf_layout_unclear"
    TOO_LARGE = "file_too_large"
    HEADER_NOT_FOUND = "header_not_found"
    PROGRAM_UNKNOWN = "program_unknown"
    # Not a property of the file: the rows could not be stored (after retries).
    STORE_FAILED = "store_failed"


class Reject(StrEnum):
    """A row is rejected with one or more of these."""

    NIK_MISSING = "nik_missing"
    NIK_INVALID = "nik_invalid"
    NIK_PRECISION_LOST = "nik_precision_lost"
    NAME_MISSING = "name_missing"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    START_DATE_INVALID = "start_date_invalid"
    START_DATE_MISSING = "start_date_missing"
    PROGRAM_UNKNOWN = "program_unknown"


class Warn(StrEnum):
    """An accepted row may carry these."""

    PHONE_MISSING = "phone_missing"
    PHONE_INVALID = "phone_invalid"
    PHONE_NOT_MOBILE = "phone_not_mobile"
    PHONE_MULTIPLE = "phone_multiple"
    NIK_FROM_NUMBER = "nik_from_number"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    NIK_OUTSIDE_REGION = "nik_outside_region"
    PDF_LAYOUT_UNSURE = "pdf_layout_unsure"


class Skip(StrEnum):
    """A row of the file that is not a worker is set aside with one of these (it is in the report, not stored)."""

    HEADER_REPEATED = "header_repeated"
    COLUMN_NUMBERS = "column_numbers"
    FOOTER = "footer"
    NOT_A_WORKER = "not_a_worker"


Code = FileError | Reject | Warn

MESSAGES: dict[Code, str] = {
    FileError.UNSUPPORTED: (
        "Jenis berkas tidak didukung. Unggah daftar sebagai .xlsx, .xls, .csv, atau .pdf yang berisi teks."
    ),
    FileError.UNREADABLE: "Berkas rusak atau terpotong sehingga tidak dapat dibaca. Simpan ulang lalu unggah kembali.",
    FileError.ENCRYPTED: "Berkas dilindungi kata sandi. Hapus kata sandinya, simpan, lalu unggah kembali.",
    FileError.SCANNED: (
        "PDF ini hasil pindaian (gambar) tanpa teks. Unggah berkas Excel aslinya atau PDF yang dicetak dari Excel."
    ),
    FileError.TOO_LARGE: (
        "Berkas terlalu besar atau terlalu lama dibaca (ukuran, jumlah baris atau halaman, atau ada sel terisi "
        "jauh di luar daftar). Bagi menjadi beberapa berkas, atau hapus isi sel di luar daftar lalu simpan ulang."
    ),
    FileError.PDF_LAYOUT_UNCLEAR: (
        "Kolom atau baris di PDF ini tidak dapat dipisahkan dengan pasti, sehingga data bisa masuk ke kolom "
        "atau baris yang salah. Kirim daftar dalam bentuk spreadsheet aslinya (.xlsx, .xls, .ods, atau .csv)."
    ),
    FileError.HEADER_NOT_FOUND: (
        "Baris judul kolom tidak ditemukan. Daftar harus memiliki kolom NIK dan Nama di baris judul."
    ),
    FileError.PROGRAM_UNKNOWN: (
        "Program tidak diketahui. Unggah ke folder incoming/pekerja-rentan/ atau incoming/pekerja-sawit/, "
        "atau isi kolom Program."
    ),
    FileError.STORE_FAILED: "Data belum tersimpan karena gangguan sistem. Sistem akan mencoba lagi secara otomatis.",
    Reject.NIK_MISSING: "NIK kosong.",
    Reject.NIK_INVALID: (
        "NIK tidak valid: harus 16 angka dengan kode wilayah, tanggal lahir, dan nomor urut yang benar."
    ),
    Reject.NIK_PRECISION_LOST: (
        "NIK tersimpan sebagai angka sehingga digit terakhir hilang (menjadi 0). "
        "Ubah format sel menjadi Teks lalu ketik ulang NIK."
    ),
    Reject.NAME_MISSING: "Nama kosong.",
    Reject.DUPLICATE_IN_FILE: (
        "NIK ini sudah ada di baris sebelumnya dalam berkas yang sama; baris pertama yang dipakai."
    ),
    Reject.START_DATE_INVALID: "TMT (tanggal mulai) bukan tanggal yang valid. Gunakan format 01-01-2025.",
    Reject.START_DATE_MISSING: "TMT (tanggal mulai) kosong dan program tidak memiliki TMT bawaan.",
    Reject.PROGRAM_UNKNOWN: "Isi kolom Program tidak dikenali (contoh yang benar: Rentan atau Sawit).",
    Warn.PHONE_MISSING: "Nomor HP kosong: peserta tetap terdaftar tetapi tidak bisa diingatkan lewat SMS.",
    Warn.PHONE_INVALID: "Nomor HP tidak valid untuk Indonesia: peserta tetap terdaftar tetapi tidak bisa diingatkan.",
    Warn.PHONE_NOT_MOBILE: "Nomor ini telepon rumah/kantor, tidak bisa menerima SMS.",
    Warn.PHONE_MULTIPLE: "Ada lebih dari satu nomor dalam sel; nomor pertama yang dipakai.",
    Warn.NIK_FROM_NUMBER: "NIK tersimpan sebagai angka di Excel; mohon periksa kembali dan ubah sel menjadi Teks.",
    Warn.BIRTH_DATE_MISMATCH: "Tanggal lahir atau jenis kelamin tidak sesuai dengan NIK; mohon periksa.",
    Warn.NIK_OUTSIDE_REGION: "NIK bukan terbitan Kota Singkawang (6172); mohon periksa domisili peserta.",
    Warn.PDF_LAYOUT_UNSURE: (
        "Letak sebagian teks baris ini di PDF tidak pasti (batas kolom atau baris lanjutan): periksa nama, alamat, "
        "dan kolom lain, atau kirim daftar dalam bentuk spreadsheet aslinya (.xlsx, .xls, .ods, atau .csv)."
    ),
}


DUPLICATE_NOTE = "Isi berkas ini sama dengan berkas yang sudah diproses; tidak ada data yang disimpan ulang."
"""Said in the report of an upload whose bytes were already processed under another name."""


def message(code: Code) -> str:
    """The Indonesian sentence a staff member reads for ``code``."""
    return MESSAGES[code]
