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
    CELL_TOO_LONG = "cell_too_long"
    ROW_TOO_LARGE = "row_too_large"


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
    Reject.CELL_TOO_LONG: (
        "Ada sel yang terlalu panjang (lebih dari 1.000 huruf), biasanya karena teks lain tertempel ke dalamnya. "
        "Periksa sel-sel baris ini, hapus isi yang bukan data peserta, lalu unggah ulang."
    ),
    Reject.ROW_TOO_LARGE: (
        "Baris ini terlalu besar untuk disimpan. Periksa sel-sel baris ini, hapus isi yang bukan data peserta "
        "(teks tertempel, catatan panjang), lalu unggah ulang."
    ),
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


# --- what staff read on the pages (report per list, rekap) ----------------------------------------------

LABELS: dict[Code, str] = {
    FileError.UNSUPPORTED: "Jenis berkas tidak didukung",
    FileError.UNREADABLE: "Berkas rusak",
    FileError.ENCRYPTED: "Berkas berkata sandi",
    FileError.SCANNED: "PDF hasil pindaian",
    FileError.TOO_LARGE: "Berkas terlalu besar",
    FileError.HEADER_NOT_FOUND: "Baris judul tidak ditemukan",
    FileError.PROGRAM_UNKNOWN: "Program tidak diketahui",
    FileError.STORE_FAILED: "Gangguan penyimpanan",
    FileError.PDF_LAYOUT_UNCLEAR: "Susunan kolom PDF tidak jelas",
    Reject.NIK_MISSING: "NIK kosong",
    Reject.NIK_INVALID: "NIK tidak valid",
    Reject.NIK_PRECISION_LOST: "NIK terpotong oleh Excel",
    Reject.NAME_MISSING: "Nama kosong",
    Reject.DUPLICATE_IN_FILE: "NIK ganda dalam berkas",
    Reject.START_DATE_INVALID: "TMT tidak valid",
    Reject.START_DATE_MISSING: "TMT kosong",
    Reject.PROGRAM_UNKNOWN: "Program tidak dikenali",
    Reject.CELL_TOO_LONG: "Sel terlalu panjang",
    Reject.ROW_TOO_LARGE: "Baris terlalu besar",
    Warn.PHONE_MISSING: "Nomor HP kosong",
    Warn.PHONE_INVALID: "Nomor HP tidak valid",
    Warn.PHONE_NOT_MOBILE: "Bukan nomor HP",
    Warn.PHONE_MULTIPLE: "Lebih dari satu nomor",
    Warn.NIK_FROM_NUMBER: "NIK dari sel angka",
    Warn.BIRTH_DATE_MISMATCH: "Tanggal lahir tidak cocok",
    Warn.NIK_OUTSIDE_REGION: "NIK luar Singkawang",
    Warn.PDF_LAYOUT_UNSURE: "Kolom PDF perlu diperiksa",
}
"""Short names of the codes, for chart bars and headings; the sentence to act on is ``MESSAGES``."""

NOTICE_LABELS: dict[str, str] = {
    "planned": "Menunggu dikirim",
    "sending": "Sedang dikirim",
    "sent": "Terkirim ke operator",
    "delivered": "Diterima di HP",
    "carrier_failed": "Gagal di operator (sementara)",
    "number_failed": "Nomor gagal permanen",
    "failed": "Gagal dikirim",
    "opted_out": "Menolak SMS",
    "no_phone": "Tanpa nomor HP",
    "not_mobile": "Bukan nomor HP",
    "superseded": "Sudah diperpanjang",
    "expired": "Terlambat (kepesertaan sudah berakhir)",
}
"""Reminder notice statuses (``reminders.notices.Status`` and the carrier's outcomes) as staff read them."""

PAGE: dict[str, str] = {
    # the report of one list
    "report.title": "Laporan daftar peserta",
    "report.file": "Berkas",
    "report.program": "Program",
    "report.ok": "Berkas berhasil dibaca dan peserta yang diterima sudah tersimpan.",
    "report.ok_fix": "Berkas berhasil dibaca. {rejected} baris ditolak: perbaiki baris di bawah lalu unggah kembali.",
    "report.failed": "Berkas tidak dapat dibaca. Tidak ada peserta yang disimpan dari berkas ini.",
    "report.what_to_do": "Yang harus dilakukan",
    "report.rows_read": "Baris dibaca",
    "report.accepted": "Diterima",
    "report.rejected": "Ditolak",
    "report.warned": "Dengan peringatan",
    "report.sms_capable": "Bisa dihubungi lewat SMS",
    "report.ignored": "{ignored} baris lain dilewati (judul, baris kosong, catatan kaki, tanda tangan).",
    "report.chart": "Alasan penolakan dan peringatan",
    "report.chart_none": "Tidak ada baris yang ditolak atau diberi peringatan.",
    "report.to_fix": "Baris yang harus diperbaiki",
    "report.to_check": "Baris yang perlu diperiksa (tetap diterima)",
    "report.rows": "{count} baris",
    "report.where": "Lembar / halaman",
    "report.line": "Baris",
    "report.nik": "NIK (seperti tertulis)",
    "report.name": "Nama",
    "report.other": "Alasan lain",
    "report.fix_workbook": "Unduh lembar perbaikan (Excel) berisi semua baris ini",
    "report.fix_workbook_where": "Berkas {name} ada di folder yang sama di S3.",
    "report.sheets": "Lembar dalam berkas",
    "report.sheet_read": "dibaca (judul kolom di baris {line})",
    "report.sheet_ignored": "dilewati: tidak ada baris judul NIK dan Nama",
    "report.page": "hal. {page}",
    "report.duplicate": DUPLICATE_NOTE,
    "report.duplicate_of": "Laporan lengkapnya ada pada berkas yang diproses lebih dulu: {first}",
    # the rekap of every list
    "rekap.title": "Rekap program Lindungi",
    "rekap.as_of": "Keadaan per {date} (WIB), dari semua daftar yang sudah diunggah.",
    "rekap.renewal": "Perpanjangan kepesertaan",
    "rekap.renewal_lead": (
        "Dari {ended} kepesertaan yang sudah berakhir, {renewed} ({rate}) diperpanjang: pekerjanya terdaftar "
        "lagi dengan TMT yang lebih baru. Angka kota saat ini {baseline}; target {target}."
    ),
    "rekap.renewal_none": "Belum ada kepesertaan yang berakhir.",
    "rekap.cohort": "Angkatan (program, TMT)",
    "rekap.ended": "Sudah berakhir",
    "rekap.renewed": "Diperpanjang",
    "rekap.rate": "Persentase",
    "rekap.quota": "Peserta aktif dibanding kuota",
    "rekap.program": "Program",
    "rekap.covered": "Aktif sekarang",
    "rekap.quota_col": "Kuota",
    "rekap.filled": "Terisi",
    "rekap.over_quota": "MELEBIHI KUOTA sebanyak {over} orang: periksa daftar ganda di bawah.",
    "rekap.places": "Per kecamatan dan kelurahan (peserta aktif)",
    "rekap.kecamatan": "Kecamatan",
    "rekap.kelurahan": "Kelurahan",
    "rekap.unknown_place": "(tidak diisi)",
    "rekap.by_kelurahan": "Rincian per kelurahan",
    "rekap.no_sms": "Tanpa nomor HP yang bisa di-SMS",
    "rekap.number_failed": "Nomor gagal permanen",
    "rekap.duplicates": "NIK yang didaftarkan lebih dari satu kali",
    "rekap.duplicates_lead": (
        "Pekerja dengan dua kepesertaan yang waktunya tumpang tindih dalam satu program (kemungkinan dibayar "
        "dua kali), dari berkas yang berbeda."
    ),
    "rekap.both_programs": "NIK yang terdaftar di kedua program",
    "rekap.none": "Tidak ada.",
    "rekap.files": "Berkas",
    "rekap.offices": "Kecamatan",
    "rekap.nik_masked": "NIK (disamarkan)",
    "rekap.name": "Nama",
    "rekap.programs": "Program",
    "rekap.unreachable": "Pekerja yang tidak bisa diingatkan lewat SMS",
    "rekap.unreachable_lead": (
        "{no_sms} peserta aktif tanpa nomor HP yang bisa menerima SMS, dan {failed} nomor yang gagal permanen. "
        "Mintalah nomor HP baru lewat kantor kelurahan; daftar lengkap ada di lembar kerja Excel."
    ),
    "rekap.failed_reason": "Alasan",
    "rekap.failed_since": "Sejak",
    "rekap.ending": "Kepesertaan yang berakhir, 12 minggu ke depan",
    "rekap.week": "Minggu mulai",
    "rekap.count": "Jumlah",
    "rekap.reminders": "Pengingat SMS per tahap",
    "rekap.stage": "Tahap",
    "rekap.stage_days": "H-{days}",
    "rekap.total": "Jumlah",
    "rekap.workbook": "Lembar kerja lengkap (dengan NIK utuh, hanya untuk petugas): {name}",
    "rekap.more": "... dan {more} lainnya: lihat lembar kerja Excel.",
    "rekap.opt_outs": "Nomor dalam daftar tolak SMS dari petugas: {count}.",
    "rekap.masked_note": "NIK di halaman ini disamarkan seperti di log; NIK utuh hanya ada di lembar kerja Excel.",
}
"""Headings and sentences of the staff pages. Placeholders are ``str.format`` fields."""


def say(key: str, **values: object) -> str:
    """The page text ``key`` with its placeholders filled in (values are not escaped here)."""
    return PAGE[key].format(**values) if values else PAGE[key]
