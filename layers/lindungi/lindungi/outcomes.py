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
    PROGRAM_INVALID = "program_invalid"
    PAID_UNTIL_INVALID = "paid_until_invalid"
    PAID_UNTIL_BEFORE_START = "paid_until_before_start"
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
        "Jenis berkas ini tidak dapat dibaca. Simpan daftar sebagai .xlsx, .xls, .ods, .csv, atau PDF yang "
        "berisi teks, lalu unggah kembali."
    ),
    FileError.UNREADABLE: (
        "Berkas rusak atau terpotong sehingga tidak dapat dibaca. Buka berkas di komputer, simpan ulang, "
        "lalu unggah kembali."
    ),
    FileError.ENCRYPTED: "Berkas dikunci kata sandi. Buka berkas, hapus kata sandinya, simpan, lalu unggah kembali.",
    FileError.SCANNED: (
        "PDF ini hasil scan (gambar) tanpa teks, sehingga isinya tidak dapat dibaca. Unggah berkas Excel aslinya "
        "atau PDF yang dicetak langsung dari Excel."
    ),
    FileError.TOO_LARGE: (
        "Berkas terlalu besar atau terlalu lama dibaca (ukuran, jumlah baris atau halaman, atau ada sel terisi "
        "jauh di luar daftar). Bagi daftar menjadi beberapa berkas, atau hapus isi sel di luar daftar, simpan "
        "ulang, lalu unggah kembali."
    ),
    FileError.PDF_LAYOUT_UNCLEAR: (
        "Kolom atau baris di PDF ini tidak dapat dipisahkan dengan pasti, sehingga data dapat masuk ke kolom "
        "atau baris yang salah. Kirim daftar dalam bentuk spreadsheet aslinya (.xlsx, .xls, .ods, atau .csv)."
    ),
    FileError.HEADER_NOT_FOUND: (
        "Baris judul kolom tidak ditemukan. Pastikan di atas daftar ada satu baris judul yang memuat kolom NIK "
        "dan Nama (nama kolom yang dikenali tercantum di bawah), atau salin daftar ke contoh lembar kerja."
    ),
    FileError.PROGRAM_UNKNOWN: (
        "Berkas ini diunggah di luar folder program dan tidak memiliki kolom Program. Unggah ulang berkas ke "
        "folder programnya: incoming/pekerja-rentan/ (Pekerja Rentan), incoming/pekerja-sawit/ (Pekerja Sawit) "
        "atau incoming/bpu-mandiri/ (peserta BPU Mandiri yang membayar sendiri, daftar dari kantor cabang)."
    ),
    FileError.STORE_FAILED: (
        "Data belum tersimpan karena gangguan sistem. Sistem akan mencoba lagi secara otomatis; berkas tidak "
        "perlu diunggah ulang."
    ),
    Reject.NIK_MISSING: "Isi NIK 16 angka sesuai KTP/KK.",
    Reject.NIK_INVALID: (
        "Cocokkan NIK dengan KTP/KK lalu ketik ulang: NIK terdiri atas 16 angka dengan kode wilayah, tanggal "
        "lahir, dan nomor urut yang benar."
    ),
    Reject.NIK_PRECISION_LOST: (
        "Excel menyimpan NIK sebagai angka sehingga angka terakhirnya hilang (menjadi 0). Ubah format sel "
        "menjadi Teks, lalu ketik ulang NIK sesuai KTP/KK."
    ),
    Reject.NAME_MISSING: "Isi nama lengkap pekerja sesuai KTP.",
    Reject.DUPLICATE_IN_FILE: (
        "NIK ini sudah tercantum di baris lain dalam berkas yang sama, dan baris itulah yang dipakai. Hapus baris "
        "ini, atau perbaiki NIK-nya bila salah ketik."
    ),
    Reject.START_DATE_INVALID: "Isi TMT (tanggal mulai kepesertaan) dengan tanggal yang benar, misalnya 01-01-2025.",
    Reject.START_DATE_MISSING: (
        "Isi TMT (tanggal mulai kepesertaan), misalnya 01-01-2025: program ini tidak memiliki TMT bawaan."
    ),
    Reject.PROGRAM_INVALID: (
        "Isi kolom Program baris ini kosong atau tidak dikenali. Tulis nama program yang dikenali, misalnya "
        "Rentan atau Sawit, atau unggah berkas ke folder programnya."
    ),
    Reject.PAID_UNTIL_INVALID: (
        "Isi kolom Iuran Sampai dengan tanggal terakhir yang sudah dibayar, misalnya 31-08-2025, atau dengan "
        "jumlah bulan yang dibayar, misalnya 3 bulan."
    ),
    Reject.PAID_UNTIL_BEFORE_START: (
        "Tanggal Iuran Sampai lebih awal daripada TMT. Periksa kedua tanggal: Iuran Sampai adalah hari terakhir "
        "yang dibayar, TMT hari pertamanya."
    ),
    Reject.CELL_TOO_LONG: (
        "Ada sel lebih dari 1.000 huruf di baris ini: hapus isi yang bukan data pekerja (biasanya teks yang "
        "tertempel), lalu unggah ulang."
    ),
    Reject.ROW_TOO_LARGE: (
        "Baris ini terlalu besar untuk disimpan: hapus isi yang bukan data pekerja (teks tertempel, catatan "
        "panjang) dari sel-selnya, lalu unggah ulang."
    ),
    Warn.PHONE_MISSING: (
        "Pekerja tetap terdaftar, tetapi tidak dapat diingatkan melalui SMS. Isi nomor HP pekerja bila ada."
    ),
    Warn.PHONE_INVALID: (
        "Nomor HP ini bukan nomor Indonesia yang valid. Pekerja tetap terdaftar; perbaiki nomornya "
        "(misalnya 0812-3456-7890) agar pengingat SMS dapat dikirim."
    ),
    Warn.PHONE_NOT_MOBILE: (
        "Nomor ini telepon rumah atau kantor yang tidak dapat menerima SMS. Pekerja tetap terdaftar; isi nomor HP "
        "bila ada."
    ),
    Warn.PHONE_MULTIPLE: (
        "Sel berisi lebih dari satu nomor dan nomor pertama yang dipakai. Sisakan satu nomor HP milik pekerja."
    ),
    Warn.NIK_FROM_NUMBER: (
        "NIK tersimpan sebagai angka di Excel. Pekerja tetap terdaftar; cocokkan NIK dengan KTP/KK dan ubah "
        "format sel menjadi Teks."
    ),
    Warn.BIRTH_DATE_MISMATCH: (
        "Tanggal lahir atau jenis kelamin tidak sesuai dengan NIK. Pekerja tetap terdaftar; cocokkan keduanya "
        "dengan KTP/KK."
    ),
    Warn.NIK_OUTSIDE_REGION: (
        "NIK ini bukan terbitan Kota Singkawang (kode 6172). Pekerja tetap terdaftar; periksa domisili pekerja."
    ),
    Warn.PDF_LAYOUT_UNSURE: (
        "Letak sebagian teks baris ini di PDF tidak pasti (batas kolom, baris lanjutan, atau teks yang terpotong di "
        "ujung baris sel: satu kata yang dipotong atau dua kata). Periksa nama, alamat, kelurahan, kecamatan, dan "
        "pekerjaan, termasuk spasi di antara kata, dengan KTP/KK, atau kirim daftar dalam bentuk spreadsheet "
        "aslinya (.xlsx, .xls, .ods, atau .csv)."
    ),
}


DUPLICATE_NOTE = (
    "Isi berkas ini sama persis dengan berkas yang sudah diproses sebelumnya; tidak ada data yang disimpan ulang."
)
"""Said in the report of an upload whose bytes were already processed under another name."""


def message(code: Code) -> str:
    """The Indonesian sentence a staff member reads for ``code``."""
    return MESSAGES[code]


FIELD_NAMES: dict[str, str] = {
    "nik": "NIK",
    "name": "Nama",
    "phone": "Nomor HP",
    "birth_date": "Tanggal lahir",
    "gender": "Jenis kelamin",
    "address": "Alamat",
    "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan",
    "occupation": "Pekerjaan",
    "coverage_start": "TMT",
    "program": "Program",
    "paid_until": "Iuran sampai",
}
"""The fields of a worker list (``intake.fields.Field`` values) as staff name them."""

AT_FAULT: dict[Reject | Warn, tuple[str, ...]] = {
    Reject.NIK_MISSING: ("nik",),
    Reject.NIK_INVALID: ("nik",),
    Reject.NIK_PRECISION_LOST: ("nik",),
    Reject.NAME_MISSING: ("name",),
    Reject.DUPLICATE_IN_FILE: ("nik",),
    Reject.START_DATE_INVALID: ("coverage_start",),
    Reject.START_DATE_MISSING: ("coverage_start",),
    Reject.PROGRAM_INVALID: ("program",),
    Reject.PAID_UNTIL_INVALID: ("paid_until",),
    Reject.PAID_UNTIL_BEFORE_START: ("coverage_start", "paid_until"),
    Reject.CELL_TOO_LONG: (),
    Reject.ROW_TOO_LARGE: (),
    Warn.PHONE_MISSING: ("phone",),
    Warn.PHONE_INVALID: ("phone",),
    Warn.PHONE_NOT_MOBILE: ("phone",),
    Warn.PHONE_MULTIPLE: ("phone",),
    Warn.NIK_FROM_NUMBER: ("nik",),
    Warn.BIRTH_DATE_MISMATCH: ("birth_date", "gender"),
    Warn.NIK_OUTSIDE_REGION: ("nik",),
    Warn.PDF_LAYOUT_UNSURE: (),
}
"""The fields whose value, as written, a row's code is about: what the page and the fix-up workbook show."""

EMPTY = "(kosong)"
"""A cell at fault that was left empty."""

NIK_FAULTS: dict[str, str] = {
    "length": "{count} angka, bukan 16",
    "characters": "berisi huruf atau tanda selain angka",
    "serial": "4 angka terakhir 0000",
    "birth_date": "angka ke-7 s.d. ke-12 bukan tanggal lahir yang mungkin",
    "region": "kode wilayah (4 angka pertama) tidak terdaftar",
}
"""Why a NIK is invalid (``nik.fault``), said beside the NIK as written."""


def nik_fault(kind: str, count: int = 0) -> str:
    """What is wrong with an invalid NIK, e.g. "15 angka, bukan 16"."""
    return NIK_FAULTS[kind].format(count=count)


# --- what staff read on the pages (report per list, rekap) ----------------------------------------------

LABELS: dict[Code, str] = {
    FileError.UNSUPPORTED: "Jenis berkas tidak didukung",
    FileError.UNREADABLE: "Berkas rusak",
    FileError.ENCRYPTED: "Berkas dikunci kata sandi",
    FileError.SCANNED: "PDF hasil scan",
    FileError.TOO_LARGE: "Berkas terlalu besar",
    FileError.HEADER_NOT_FOUND: "Baris judul tidak ditemukan",
    FileError.PROGRAM_UNKNOWN: "Folder program tidak diketahui",
    FileError.STORE_FAILED: "Gangguan penyimpanan",
    FileError.PDF_LAYOUT_UNCLEAR: "Susunan kolom PDF tidak jelas",
    Reject.NIK_MISSING: "NIK kosong",
    Reject.NIK_INVALID: "NIK tidak valid",
    Reject.NIK_PRECISION_LOST: "NIK terpotong oleh Excel",
    Reject.NAME_MISSING: "Nama kosong",
    Reject.DUPLICATE_IN_FILE: "NIK ganda dalam berkas",
    Reject.START_DATE_INVALID: "TMT tidak valid",
    Reject.START_DATE_MISSING: "TMT kosong",
    Reject.PROGRAM_INVALID: "Isi kolom Program tidak dikenali",
    Reject.PAID_UNTIL_INVALID: "Iuran Sampai tidak valid",
    Reject.PAID_UNTIL_BEFORE_START: "Iuran Sampai sebelum TMT",
    Reject.CELL_TOO_LONG: "Sel terlalu panjang",
    Reject.ROW_TOO_LARGE: "Baris terlalu besar",
    Warn.PHONE_MISSING: "Nomor HP kosong",
    Warn.PHONE_INVALID: "Nomor HP tidak valid",
    Warn.PHONE_NOT_MOBILE: "Bukan nomor HP",
    Warn.PHONE_MULTIPLE: "Lebih dari satu nomor HP",
    Warn.NIK_FROM_NUMBER: "NIK dari sel angka",
    Warn.BIRTH_DATE_MISMATCH: "Tidak cocok dengan NIK",
    Warn.NIK_OUTSIDE_REGION: "NIK dari luar Singkawang",
    Warn.PDF_LAYOUT_UNSURE: "Kolom PDF perlu diperiksa",
}
"""Short names of the codes, for chart bars and headings; the sentence to act on is ``MESSAGES``."""

NOTICE_LABELS: dict[str, str] = {
    "planned": "Menunggu dikirim",
    "sending": "Sedang dikirim",
    "sent": "Terkirim ke operator seluler",
    "delivered": "Diterima di HP",
    "carrier_failed": "Tidak sampai (ditolak operator seluler)",
    "number_failed": "Nomor gagal permanen (tidak dikirim)",
    "failed": "Gagal dikirim",
    "opted_out": "Menolak SMS (tidak dikirim)",
    "no_phone": "Tanpa nomor HP (tidak dikirim)",
    "not_mobile": "Bukan nomor HP (tidak dikirim)",
    "superseded": "Sudah diperpanjang (tidak perlu dikirim)",
    "expired": "Terlambat (kepesertaan sudah berakhir)",
}
"""Reminder notice statuses (``reminders.notices.Status`` and the carrier's outcomes) as staff read them."""

CARRIER_REASONS: dict[str, str] = {
    "phone carrier is currently unreachable/unavailable": "Jaringan operator seluler sedang tidak dapat dihubungi",
    "phone is currently unreachable/unavailable": "HP sedang tidak aktif atau di luar jangkauan",
    "phone number is opted out": "Pemilik nomor menolak menerima SMS",
    "invalid phone number": "Nomor HP tidak terdaftar atau tidak valid",
    "phone has blocked sms": "HP memblokir SMS",
    "phone is on a blocked list": "Nomor HP masuk daftar blokir",
    "destination is on a blocked list": "Nomor tujuan masuk daftar blokir",
    "phone carrier has blocked this message": "Operator seluler memblokir pesan ini",
    "blocked as spam by phone carrier": "Pesan dianggap spam oleh operator seluler",
    "message body is invalid": "Isi pesan ditolak",
    "this delivery would exceed max price": "Melebihi batas biaya SMS",
    "unknown error attempting to reach phone": "HP tidak dapat dihubungi (sebab tidak diketahui)",
}
"""The carrier's answers (SNS ``providerResponse``, as ``reminders.receipts.PROVIDER_RESPONSES`` classifies them,
lower case without the final full stop) in Indonesian; a test holds the two tables to the same answers."""

CARRIER_PHRASES: tuple[tuple[str, str], ...] = (
    ("is opted out", "Pemilik nomor menolak menerima SMS"),
    ("invalid phone number", "Nomor HP tidak terdaftar atau tidak valid"),
    ("currently unreachable", "HP sedang tidak aktif atau di luar jangkauan"),
)
CARRIER_OTHER = "Ditolak operator seluler (sebab lain)"


def carrier_reason(answer: str) -> str:
    """The carrier's answer on a failed SMS as staff read it: never the English text itself."""
    normal = " ".join(answer.casefold().split()).rstrip(".")
    if normal in CARRIER_REASONS:
        return CARRIER_REASONS[normal]
    return next((text for phrase, text in CARRIER_PHRASES if phrase in normal), CARRIER_OTHER)


PAGE: dict[str, str] = {
    # any page
    "page.none": "Tidak ada.",
    "page.moment": "{day} pukul {time} WIB",
    # the report of one list
    "report.title": "Laporan daftar pekerja",
    "report.file": "Berkas",
    "report.program": "Program",
    "report.ok": "Berkas berhasil dibaca dan pekerja yang diterima sudah tersimpan.",
    "report.ok_fix": (
        "Berkas berhasil dibaca. {rejected} baris ditolak: perbaiki baris tersebut (daftarnya di bawah), lalu "
        "unggah kembali hanya baris yang sudah diperbaiki."
    ),
    "report.failed": "Berkas tidak dapat dibaca. Tidak ada pekerja yang disimpan dari berkas ini.",
    "report.processed": "Diproses",
    "report.covers": "Masa kepesertaan dan jadwal pengingat SMS",
    "report.covers_lead": (
        "Pekerja yang diterima dari daftar ini, per TMT. Pengingat SMS dikirim pukul 08.00-20.00 WIB kepada "
        "pekerja yang memiliki nomor HP."
    ),
    "report.cover_start": "TMT",
    "report.cover_end": "Berakhir",
    "report.workers": "Jumlah pekerja",
    "report.reminders": "Pengingat SMS",
    "report.stage_on": "H-{days}: {day}",
    "report.stage_between": "H-{days}: {first} s.d. {day}",
    "report.earlier": "Pekerja yang sudah tercakup sebelumnya",
    "report.earlier_lead": (
        "{count} pekerja dalam daftar ini sudah memiliki kepesertaan pada waktu yang sama dari daftar lain: "
        "{same} dalam program yang sama (kemungkinan dibayar dua kali; periksa sebelum mengajukan pembayaran) "
        "dan {other} dalam program lain."
    ),
    "report.earlier_none": (
        "Tidak ada pekerja dalam daftar ini yang sudah tercakup oleh daftar lain pada waktu yang sama."
    ),
    "report.earlier_guessed": (
        "{count} pekerja terdaftar sebelum catatan kepesertaan per pekerja tersedia, sehingga hanya diperiksa pada "
        "TMT daftar ini dan TMT baku program; kepesertaan mereka dengan TMT lain diperiksa di rekap harian."
    ),
    "report.earlier_guessed_all": "Kepesertaan dengan TMT lain diperiksa di rekap harian.",
    "report.earlier_unchecked": (
        "Daftar ini tidak dapat diperiksa saat diunggah; pekerja yang terdaftar ganda akan tampil di rekap besok."
    ),
    "report.earlier_by": "Sudah tercakup oleh",
    "report.earlier_cover": "{program}, {start} s.d. {end}, daftar {file}",
    "report.what_to_do": "Yang harus dilakukan",
    "report.rows_read": "Baris dibaca",
    "report.accepted": "Diterima",
    "report.rejected": "Ditolak",
    "report.warned": "Dengan peringatan",
    "report.sms_capable": "Dapat dihubungi melalui SMS",
    "report.ignored": "{ignored} baris lain dilewati (judul, baris kosong, catatan kaki, tanda tangan).",
    "report.nik_shaped": "PDF ini memuat {found} angka berbentuk NIK; {reported} di antaranya ada di baris yang "
                         "dilaporkan (diterima atau ditolak).",
    "report.chart": "Alasan penolakan dan peringatan",
    "report.chart_none": "Tidak ada baris yang ditolak atau diberi peringatan.",
    "report.to_fix": "Baris yang harus diperbaiki",
    "report.to_check": "Baris yang perlu diperiksa (tetap diterima)",
    "report.rows": "{count} baris",
    "report.where": "Lembar / halaman",
    "report.line": "Baris",
    "report.name": "Nama",
    "report.written": "Isi yang bermasalah",
    "report.same_as": "sama dengan baris {line}",
    "report.same_as_sheet": "sama dengan baris {line} di lembar {sheet}",
    "report.same_as_page": "sama dengan baris {line} di hal. {page}",
    "report.other": "Alasan lain",
    "report.fix_workbook": "Unduh lembar perbaikan (Excel) yang memuat semua baris ini",
    "report.fix_workbook_where": "Berkas {name} ada di folder yang sama di S3.",
    "report.sheets": "Lembar dalam berkas",
    "report.sheet_read": "dibaca (judul kolom di baris {line})",
    "report.sheet_ignored": "dilewati: tidak ada baris judul dengan kolom NIK dan Nama",
    "report.page": "hal. {page}",
    "report.duplicate_of": (
        "Isi berkas ini sama persis dengan berkas {first} yang diproses pada {time}, sehingga tidak ada data yang "
        "disimpan ulang. Hasil pemeriksaan berkas tersebut ditampilkan lengkap di bawah; baris yang ditolak "
        "masih perlu diperbaiki."
    ),
    "report.duplicate_of_undated": (
        "Isi berkas ini sama persis dengan berkas {first} yang sudah diproses sebelumnya, sehingga tidak ada data "
        "yang disimpan ulang. Hasil pemeriksaan berkas tersebut ditampilkan lengkap di bawah; baris yang ditolak "
        "masih perlu diperbaiki."
    ),
    "report.columns_seen": "Nama kolom yang terbaca di berkas ini",
    "report.columns_seen_none": "Tidak ada baris yang tampak seperti baris judul kolom.",
    "report.columns_wanted": "Nama kolom yang dikenali",
    "report.columns_wanted_lead": (
        "Huruf besar/kecil, titik, dan garis miring tidak berpengaruh. Kolom NIK dan Nama wajib ada; "
        "kolom lainnya boleh tidak ada."
    ),
    "report.example": "Unduh contoh daftar (Excel) dengan judul kolom yang benar",
    "report.example_where": "Berkas {name} ada di folder yang sama di S3.",
    "example.column": "Kolom",
    "example.required": "Wajib",
    "example.names": "Judul kolom yang dikenali",
    "example.yes": "Ya",
    "example.no": "Tidak",
    "example.folders": "Unggah daftar ke folder programnya: {folders}.",
    "example.self_paid": (
        "{name} ({folder}): peserta yang membayar iurannya sendiri, daftar dari kantor cabang BPJS "
        "Ketenagakerjaan. Kolom Iuran Sampai (hari terakhir yang dibayar) hanya untuk daftar ini; tanpa kolom "
        "itu, kepesertaan dihitung {months} bulan sejak TMT."
    ),
    # the rekap of every list
    "rekap.title": "Rekap program Lindungi",
    "rekap.as_of": "Keadaan per {date}, dari semua daftar yang sudah diunggah.",
    "rekap.renewal": "Perpanjangan kepesertaan",
    "rekap.renewal_lead": (
        "Dari {ended} kepesertaan yang sudah berakhir, {renewed} ({rate}) diperpanjang: pekerjanya terdaftar "
        "lagi dengan TMT yang lebih baru. Angka kepesertaan kota saat ini {baseline}; targetnya {target}."
    ),
    "rekap.renewal_none": "Belum ada kepesertaan yang berakhir.",
    "rekap.ended": "Sudah berakhir",
    "rekap.renewed": "Diperpanjang",
    "rekap.rate": "Persentase",
    "rekap.quota": "Pekerja aktif dibanding kuota",
    "rekap.program": "Program",
    "rekap.covered": "Aktif sekarang",
    "rekap.quota_col": "Kuota",
    "rekap.no_quota": "tanpa kuota (bayar sendiri)",
    "rekap.filled": "Terisi",
    "rekap.over_quota": (
        "MELEBIHI KUOTA sebanyak {over} pekerja: periksa NIK yang didaftarkan lebih dari satu kali di bawah."
    ),
    "rekap.places": "Per kecamatan dan kelurahan (pekerja aktif)",
    "rekap.kecamatan": "Kecamatan",
    "rekap.renewal_places": "Perpanjangan per kecamatan",
    "rekap.workers": "Jumlah pekerja",
    "rekap.kelurahan": "Kelurahan",
    "rekap.unknown_place": "(tidak diisi)",
    "rekap.by_kelurahan": "Rincian per kelurahan",
    "rekap.number_failed": "Nomor HP yang gagal permanen ({count} nomor)",
    "rekap.duplicates": "NIK yang didaftarkan lebih dari satu kali",
    "rekap.duplicates_lead": (
        "Pekerja dengan dua kepesertaan yang waktunya tumpang tindih dalam satu program, dari daftar yang "
        "berbeda: kemungkinan dibayar dua kali. Periksa sebelum mengajukan pembayaran."
    ),
    "rekap.both_programs": "NIK yang terdaftar di kedua program",
    "rekap.none": "Tidak ada.",
    "rekap.files": "Daftar (berkas)",
    "rekap.offices": "Kecamatan",
    "rekap.nik_masked": "NIK (disamarkan)",
    "rekap.name": "Nama",
    "rekap.programs": "Program",
    "rekap.unreachable": "Pekerja yang tidak dapat diingatkan melalui SMS",
    "rekap.unreachable_lead": (
        "{no_sms} pekerja aktif tidak memiliki nomor HP yang dapat menerima SMS, dan {failed} nomor HP gagal "
        "permanen. Mintalah nomor HP baru melalui kantor kelurahan; daftar lengkapnya ada di lembar kerja Excel."
    ),
    "rekap.failed_reason": "Jawaban operator seluler",
    "rekap.failed_since": "Sejak",
    "rekap.ending": "Kepesertaan yang berakhir, 12 minggu ke depan",
    "rekap.week": "Minggu mulai",
    "rekap.count": "Jumlah",
    "rekap.reminders": "Pengingat SMS per tahap",
    "rekap.reminders_lead": (
        "Angka di tabel ini adalah jumlah pengingat (SMS), bukan jumlah pekerja atau nomor. Satu pekerja "
        "menerima satu pengingat per tahap."
    ),
    "rekap.status": "Keadaan pengingat",
    "rekap.reminder_count": "Jumlah pengingat",
    "rekap.stage": "Tahap",
    "rekap.stage_days": "H-{days}",
    "rekap.program_stage": "{program} H-{days}",
    "rekap.total": "Jumlah",
    "rekap.workbook": "Unduh lembar kerja lengkap (Excel, dengan NIK lengkap, hanya untuk petugas)",
    "rekap.workbook_where": "Berkas {name} ada di folder yang sama di S3.",
    "rekap.more": "... dan {more} lainnya: lihat lembar kerja Excel.",
    "rekap.opt_outs": "Nomor dalam daftar tolak SMS yang dicatat petugas: {count} nomor.",
    "rekap.masked_note": (
        "NIK di halaman ini disamarkan (hanya 4 angka awal dan 4 angka akhir yang tampil); NIK lengkap hanya ada "
        "di lembar kerja Excel."
    ),
    # the staff portal
    "portal.name": "Portal Petugas Lindungi",
    "portal.signin": "Masuk",
    "portal.signin_lead": "Masuk dengan akun petugas yang diberikan administrator Lindungi.",
    "portal.username": "Nama pengguna",
    "portal.password": "Kata sandi",
    "portal.signin_wrong": "Nama pengguna atau kata sandi salah.",
    "portal.signin_reset": "Kata sandi Anda perlu diatur ulang. Hubungi administrator Lindungi.",
    "portal.signin_busy": "Terlalu banyak percobaan masuk. Tunggu beberapa menit, lalu coba lagi.",
    "portal.signin_unsupported": "Akun ini belum dapat masuk lewat portal. Hubungi administrator Lindungi.",
    "portal.signed_out": "Anda sudah keluar. Tutup peramban jika komputer ini dipakai bersama.",
    "portal.signin_again": "Sesi Anda sudah berakhir. Silakan masuk kembali.",
    "portal.new_password": "Buat kata sandi baru",
    "portal.new_password_lead": (
        "Ini pertama kali Anda masuk. Buat kata sandi baru: paling sedikit 12 karakter, dengan huruf besar, "
        "huruf kecil, dan angka. Jangan gunakan kata sandi dari tempat lain."
    ),
    "portal.new_password_field": "Kata sandi baru",
    "portal.new_password_again": "Ulangi kata sandi baru",
    "portal.password_mismatch": "Kedua kata sandi baru tidak sama.",
    "portal.password_weak": (
        "Kata sandi baru belum memenuhi syarat: paling sedikit 12 karakter, dengan huruf besar, huruf kecil, "
        "dan angka."
    ),
    "portal.mfa_code": "Kode verifikasi",
    "portal.mfa_code_lead": "Buka aplikasi autentikator di HP Anda dan masukkan kode 6 angka untuk Lindungi.",
    "portal.mfa_wrong": "Kode verifikasi salah atau sudah kedaluwarsa. Masukkan kode yang sedang tampil.",
    "portal.mfa_setup": "Aktifkan verifikasi dua langkah",
    "portal.mfa_setup_lead": (
        "Akun Anda dapat melihat data semua kantor, sehingga wajib memakai verifikasi dua langkah. Pasang "
        "aplikasi autentikator (misalnya Google Authenticator atau Microsoft Authenticator) di HP, pilih "
        "\"masukkan kunci penyiapan\", lalu ketik kunci di bawah ini."
    ),
    "portal.mfa_secret": "Kunci penyiapan",
    "portal.mfa_setup_code": "Kode 6 angka dari aplikasi",
    "portal.mfa_done": "Verifikasi dua langkah sudah aktif. Silakan masuk kembali dengan kode dari aplikasi.",
    "portal.no_role": (
        "Akun Anda belum diberi peran (kantor, kota, BPJS, atau operator), sehingga belum dapat melihat data. "
        "Hubungi administrator Lindungi."
    ),
    "portal.forbidden": "Anda tidak berhak membuka halaman ini.",
    "portal.forbidden_title": "Akses ditolak",
    "portal.not_found": "Halaman atau berkas tidak ditemukan.",
    "portal.bad_form": "Formulir sudah kedaluwarsa. Muat ulang halaman, lalu kirim kembali.",
    "portal.error": "Terjadi gangguan. Coba lagi beberapa saat lagi; jika berulang, hubungi operator Lindungi.",
    "portal.signed_in_as": "Masuk sebagai {user} ({role})",
    "portal.signed_in_office": "Masuk sebagai {user} ({role}, {office})",
    "portal.signout": "Keluar",
    "portal.send": "Kirim",
    "portal.home": "Beranda",
    "portal.role.kantor": "kantor",
    "portal.role.kota": "dinas kota",
    "portal.role.bpjs": "BPJS Ketenagakerjaan",
    "portal.role.operator": "operator",
    "portal.menu_upload": "Unggah daftar",
    "portal.menu_riwayat": "Riwayat unggahan",
    "portal.menu_lookup": "Cari peserta",
    "portal.menu_rekap": "Rekap",
    "portal.upload": "Unggah daftar pekerja",
    "portal.upload_lead": (
        "Pilih program, lalu pilih berkas daftar. Berkas yang dapat dibaca: .xlsx, .xls, .ods, .csv, atau PDF "
        "yang berisi teks (bukan hasil scan), paling besar {mb} MB."
    ),
    "portal.upload_program": "Program",
    "portal.upload_file": "Berkas daftar",
    "portal.upload_send": "Unggah",
    "portal.upload_example": "Unduh contoh daftar (Excel) dengan judul kolom yang benar",
    "portal.upload_wait": (
        "Berkas {file} sudah diterima dan sedang diperiksa. Halaman ini diperbarui sendiri setiap beberapa "
        "detik; laporan tampil di sini begitu selesai."
    ),
    "portal.upload_ready": "Laporan berkas {file} sudah selesai.",
    "portal.upload_open": "Buka laporan lengkap",
    "portal.riwayat": "Riwayat unggahan",
    "portal.riwayat_office": "Riwayat unggahan kantor {office}",
    "portal.riwayat_lead": "Daftar yang diunggah kantor ini melalui portal, yang terbaru di atas.",
    "portal.riwayat_pick": "Kantor",
    "portal.riwayat_when": "Waktu",
    "portal.riwayat_by": "Oleh",
    "portal.riwayat_file": "Berkas",
    "portal.riwayat_outcome": "Hasil",
    "portal.riwayat_failed": "Gagal dibaca",
    "portal.riwayat_counts": "{accepted} diterima, {rejected} ditolak, {warned} dengan peringatan",
    "portal.riwayat_same": "sama dengan berkas sebelumnya",
    "portal.riwayat_report": "Laporan",
    "portal.lookup": "Cari peserta",
    "portal.lookup_lead": "Masukkan NIK (16 angka) pekerja yang menanyakan kepesertaan atau SMS pengingatnya.",
    "portal.lookup_nik": "NIK",
    "portal.lookup_search": "Cari",
    "portal.lookup_bad_nik": "NIK harus 16 angka.",
    "portal.lookup_none": "Tidak ada kepesertaan untuk NIK {nik} di daftar mana pun.",
    "portal.lookup_worker": "Peserta {nik}",
    "portal.lookup_covers": "Kepesertaan",
    "portal.lookup_program": "Program",
    "portal.lookup_start": "TMT",
    "portal.lookup_end": "Berakhir",
    "portal.lookup_list": "Dari daftar",
    "portal.lookup_office": "Kantor",
    "portal.lookup_renewed": "Diperpanjang dengan TMT {day}",
    "portal.lookup_active": "Aktif",
    "portal.lookup_ended": "Sudah berakhir",
    "portal.lookup_not_yet": "Belum mulai",
    "portal.lookup_state": "Keadaan",
    "portal.lookup_contact": "Nomor HP untuk pengingat",
    "portal.lookup_contact_none": "Tidak ada nomor HP yang dapat menerima SMS.",
    "portal.lookup_fallback": "Nomor cadangan: {phone}",
    "portal.lookup_reminders": "Pengingat SMS",
    "portal.lookup_stage": "Tahap",
    "portal.lookup_status": "Keadaan",
    "portal.lookup_when": "Waktu",
    "portal.lookup_planned_for": "dijadwalkan {moment}",
    "portal.lookup_not_planned": "Belum dijadwalkan (belum waktunya, sudah diperpanjang, atau sudah berakhir)",
    "portal.lookup_numbers": "Nomor HP peserta",
    "portal.lookup_number": "Nomor",
    "portal.lookup_may_text": "Dapat menerima SMS",
    "portal.lookup_opted_out": "Menolak SMS",
    "portal.lookup_dead": "Gagal permanen sejak {moment}: {reason}",
    "portal.lookup_action": "Tindakan",
    "portal.optout": "Hentikan SMS ke nomor ini",
    "portal.optout_done": "Nomor {phone} tidak akan dikirimi SMS pengingat lagi.",
    "portal.new_number": "Catat nomor HP baru",
    "portal.new_number_lead": (
        "Untuk pekerja yang nomornya gagal atau berganti: nomor baru dipakai untuk pengingat berikutnya."
    ),
    "portal.new_number_field": "Nomor HP baru",
    "portal.new_number_bad": "Nomor HP baru tidak valid atau bukan nomor HP (harus dapat menerima SMS).",
    "portal.new_number_no_item": (
        "Pekerja ini terdaftar sebelum Lindungi menyimpan nomor per pekerja, sehingga nomor baru belum dapat "
        "dicatat di sini. Daftarkan nomor barunya melalui daftar berikutnya dari kantor kelurahan."
    ),
    "portal.new_number_done": "Nomor {phone} dicatat sebagai nomor HP untuk pengingat berikutnya.",
    "portal.rekap": "Rekap terbaru",
    "portal.rekap_none": "Belum ada rekap. Rekap dibuat setiap hari pukul 10.00 WIB.",
}
"""Headings and sentences of the staff pages. Placeholders are ``str.format`` fields."""


def say(key: str, **values: object) -> str:
    """The page text ``key`` with its placeholders filled in (values are not escaped here)."""
    return PAGE[key].format(**values) if values else PAGE[key]
