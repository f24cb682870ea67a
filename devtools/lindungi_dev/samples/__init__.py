"""Realistic enrollment lists, as offices in Singkawang type them, with known faults.

``workers(n, program, seed)`` makes deterministic people; the writers lay them
out the way real lists look: a title block, a two-row header with a merged
group cell, one sheet per kecamatan, a total and a signature block. Faulty
rows are planted at known positions so tests can assert exact outcome codes.

The package's modules make the other files tests and benchmarks read: ``pdf`` (PDF lists, ruled and
unruled, scanned, encrypted, broken), ``office_exports`` (lists as offices save them, through LibreOffice,
committed in tests/fixtures/office), ``producers`` (lists printed and saved by TCPDF, dompdf, Chromium,
Writer and Gnumeric, committed in tests/fixtures/producers), ``format_fixtures`` (.ods and
password-protected lists, with ``lo_store`` run inside LibreOffice's Python), ``hostile`` (files built to
kill, hang or exhaust a reader) and ``coverages`` (WorkersTable items as ingestion stores them).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

KECAMATAN = {
    "617201": "Singkawang Tengah",
    "617202": "Singkawang Barat",
    "617203": "Singkawang Timur",
    "617204": "Singkawang Utara",
    "617205": "Singkawang Selatan",
}
KELURAHAN = ["Pasiran", "Melayu", "Kuala", "Sedau", "Roban", "Condong", "Naram", "Sijangkung", "Bagak Sahwa"]
FIRST = ["SITI", "BUDI", "AHMAD", "NURUL", "HENDRA", "LIM", "TAN", "RINA", "DEDI", "MARIA", "YULIANTI", "AGUS",
         "SRI", "MUHAMMAD", "ABDUL", "FITRI", "SUSANTI", "JOKO", "WAHYU", "DEWI", "ERNI", "APRIANUS", "KHO"]
LAST = ["AMINAH", "SANTOSO", "HIDAYAT", "HASANAH", "WIJAYA", "SIAU MEI", "KIM LIONG", "MARLINA", "KURNIAWAN",
        "ULFA", "SAPUTRA", "LESTARI", "RAHMAN", "PURNAMA", "HALIM", "SETIAWAN", "BONG", "FIRDAUS", ""]
JOBS = ["Pedagang Kecil", "Nelayan", "Petani", "Buruh Harian", "Tukang Ojek", "Penjahit", "Pemulung", "Buruh Sawit"]


@dataclass(frozen=True)
class Worker:
    nik: str
    name: str
    phone: str
    birth_date: date
    gender: str
    address: str
    kelurahan: str
    kecamatan: str
    occupation: str
    tmt: str
    program: str

    @property
    def kecamatan_code(self) -> str:
        return self.nik[:6]


def _nik(rng: random.Random, serial: int) -> tuple[str, date, str]:
    region = rng.choice(list(KECAMATAN))
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
    gender = rng.choice("LP")
    day = born.day + (40 if gender == "P" else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial % 9999 + 1:04d}", born, gender


def workers(n: int, program: str = "pekerja-rentan", seed: int = 1, start_serial: int = 0) -> list[Worker]:
    rng = random.Random(f"{seed}-{program}")
    out: list[Worker] = []
    seen: set[str] = set()
    serial = start_serial
    while len(out) < n:
        serial += 1
        nik, born, gender = _nik(rng, serial)
        if nik in seen:
            continue
        seen.add(nik)
        phone = "08" + str(rng.choice([11, 12, 13, 21, 22, 52, 53, 57, 58, 77, 78, 95, 96])) + "".join(
            rng.choice("0123456789") for _ in range(rng.choice([7, 8]))
        )
        style = rng.random()
        if style < 0.2:
            phone = phone[:4] + "-" + phone[4:8] + "-" + phone[8:]
        elif style < 0.3:
            phone = "+62 " + phone[1:4] + " " + phone[4:]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}".strip()
        tmt_day = date(2025, 1, 1) + timedelta(days=rng.choice([0, 0, 0, 31, 59]))
        out.append(
            Worker(
                nik=nik, name=name, phone=phone, birth_date=born, gender=gender,
                address=f"Jl. {rng.choice(KELURAHAN)} No. {rng.randint(1, 200)}",
                kelurahan=rng.choice(KELURAHAN), kecamatan=KECAMATAN[nik[:6]],
                occupation=rng.choice(JOBS), tmt=tmt_day.strftime("%d-%m-%Y"), program=program,
            )
        )
    return out


@dataclass(frozen=True)
class Fault:
    """A planted fault: the row of worker ``index`` is changed and must come out with ``codes``."""

    index: int
    codes: tuple[str, ...]
    accepted: bool


def plant_faults(people: Sequence[Worker], every: int = 97) -> tuple[list[Worker], list[Fault]]:
    """Every ``every``-th worker gets one typical fault, cycling through the kinds offices make."""
    kinds = [
        (lambda w: replace(w, nik=w.nik[:12]), ("nik_invalid",), False),
        (lambda w: replace(w, nik=""), ("nik_missing",), False),
        (lambda w: replace(w, name=""), ("name_missing",), False),
        (lambda w: replace(w, phone=""), ("phone_missing",), True),
        (lambda w: replace(w, phone="0561 631234"), ("phone_not_mobile",), True),
        (lambda w: replace(w, phone="12345"), ("phone_invalid",), True),
        (lambda w: replace(w, phone=w.phone + " / 0813-1111-2222"), ("phone_multiple",), True),
        (lambda w: replace(w, tmt="31-13-2025"), ("start_date_invalid",), False),
        (lambda w: replace(w, nik=w.nik[:12] + "0000"), ("nik_invalid",), False),
        (lambda w: replace(w, nik="6171" + w.nik[4:]), ("nik_outside_region",), True),
        (lambda w: replace(w, birth_date=w.birth_date + timedelta(days=3)), ("birth_date_mismatch",), True),
    ]
    out = list(people)
    faults: list[Fault] = []
    for n, index in enumerate(range(every // 2, len(out), every)):
        change, codes, accepted = kinds[n % len(kinds)]
        out[index] = change(out[index])
        faults.append(Fault(index, codes, accepted))
    return out, faults


HEADER_TOP = ["No", "NIK", "Nama Lengkap", "Tanggal Lahir", "L/P", "KONTAK", "", "Kelurahan", "Kecamatan",
              "Jenis Pekerjaan", "TMT"]
HEADER_BOTTOM = ["", "", "", "", "", "No. HP/WA", "Alamat", "", "", "", ""]
FLAT_HEADER = ["No", "NIK", "Nama Lengkap", "Tanggal Lahir", "L/P", "No. HP/WA", "Alamat", "Kelurahan",
               "Kecamatan", "Jenis Pekerjaan", "TMT"]


def row_values(number: int, w: Worker) -> list[str]:
    return [str(number), w.nik, w.name, w.birth_date.strftime("%d-%m-%Y"), w.gender, w.phone, w.address,
            w.kelurahan, w.kecamatan, w.occupation, w.tmt]


def title(program: str) -> str:
    if program == "bpu-mandiri":
        return "DAFTAR PESERTA BPU MANDIRI KANTOR CABANG BPJS KETENAGAKERJAAN SINGKAWANG TAHUN 2025"
    label = "PEKERJA RENTAN" if program == "pekerja-rentan" else "PEKERJA SAWIT (BPU)"
    return f"DAFTAR {label} PENERIMA BANTUAN IURAN BPJS KETENAGAKERJAAN TAHUN 2025"


def write_xlsx(people: Sequence[Worker], program: str, by_kecamatan: bool = True, nik_as_number: int = 0) -> bytes:
    """An office workbook: title, two-row merged header, one sheet per kecamatan, total and signature.

    ``nik_as_number``: the first N workers' NIK typed into a General cell (Excel keeps 15 digits).
    """
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": False})
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    groups: dict[str, list[tuple[int, Worker]]] = {}
    for index, w in enumerate(people):
        key = f"Kec. {w.kecamatan.replace('Singkawang ', '')}" if by_kecamatan else "Daftar"
        groups.setdefault(key, []).append((index, w))
    for sheet_name, members in groups.items():
        sheet = book.add_worksheet(sheet_name)
        sheet.write(0, 0, title(program))
        sheet.write(1, 0, f"KOTA SINGKAWANG - {sheet_name.upper()}")
        for col, text in enumerate(HEADER_TOP):
            if col in (5, 6):
                continue
            sheet.merge_range(3, col, 4, col, text, bold)
        sheet.merge_range(3, 5, 3, 6, "KONTAK", bold)
        sheet.write(4, 5, "No.\nHP/WA", bold)
        sheet.write(4, 6, "Alamat", bold)
        line = 5
        for number, (index, w) in enumerate(members, start=1):
            values = row_values(number, w)
            for col, value in enumerate(values):
                if col == 1 and index < nik_as_number and value.isdigit() and len(value) == 16:
                    sheet.write_number(line, col, float(value[:15] + "0") if value[15] != "0" else float(value))
                else:
                    sheet.write_string(line, col, value)
            line += 1
        sheet.write(line, 1, "Jumlah")
        sheet.write(line, 2, f"{len(members)} orang")
        sheet.write(line + 2, 8, "Singkawang, 2 Januari 2025")
        sheet.write(line + 3, 8, "Kepala Dinas Tenaga Kerja")
        sheet.write(line + 6, 8, "Drs. H. ABDUL MAJID, M.Si")
    book.close()
    return buffer.getvalue()


def write_csv(people: Sequence[Worker], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([title(people[0].program if people else "pekerja-rentan")])
    writer.writerow([])
    writer.writerow(FLAT_HEADER)
    for number, w in enumerate(people, start=1):
        writer.writerow(row_values(number, w))
    writer.writerow(["", "Jumlah", f"{len(people)} orang"])
    return out.getvalue().encode(encoding, errors="replace")


def write_xls(people: Sequence[Worker]) -> bytes:
    """The old binary format (BIFF8), still what many office PCs save."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    chunk = 60_000  # an .xls sheet holds 65,536 rows
    for part in range(0, max(len(people), 1), chunk):
        sheet = book.add_sheet(f"Daftar {part // chunk + 1}")
        sheet.write(0, 0, title(people[0].program if people else "pekerja-rentan"))
        for col, text in enumerate(FLAT_HEADER):
            sheet.write(2, col, text)
        for number, w in enumerate(people[part : part + chunk], start=part + 1):
            for col, value in enumerate(row_values(number, w)):
                sheet.write(3 + number - part - 1, col, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
