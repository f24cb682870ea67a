"""The pictures of the staff guide (``docs/img/``): each staff page as a phone and a laptop first show it.

``python -m lindungi_dev.staff_images [docs/img]`` builds the pages from the sample lists with the faults
offices make (``samples``), not from the emulator: a list's report (its top, then its rows to fix), a list
without a header row, a second upload of the same file, and a rekap (its top, the workers SMS cannot reach,
the reminders); each at 390x844 and 1366x768, cut to
the window and reduced to 256 colours so the guide stays small. Needs Debian's Chromium (``make browser``).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from lindungi.config import programs
from lindungi.dates import coverage_end
from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi.intake.report_page import render
from lindungi.rekap.model import Cover, FailedNumber, Rekap
from lindungi.rekap.page import render as render_rekap

from . import browser, samples

SIZES = {"phone": browser.PHONE, "laptop": browser.LAPTOP}
PROCESSED = "2025-01-06T02:41:00+00:00"
LIST = "Daftar Pekerja Rentan Kec Barat.xlsx"
TODAY = date(2025, 1, 6)


def _list_page() -> tuple[str, Report]:
    people, _ = samples.plant_faults(samples.workers(240, "pekerja-rentan"), every=23)
    report = check(samples.write_xlsx(people, "pekerja-rentan"), LIST, "pekerja-rentan", today=TODAY)
    earlier = [{"row": a.row.to_dict(), "nik": a.nik, "name": a.name, "program": "pekerja-sawit",
                "coverage_start": "2025-01-01", "coverage_end": "2025-12-31",
                "source_key": "incoming/pekerja-sawit/Daftar BPU Sawit Desember 2024.xlsx"}
               for a in report.accepted[:3]]
    extra = {"processed_at": PROCESSED, "already_covered": earlier, "already_covered_guessed": 0}
    return render(report, f"{LIST}.perbaikan.xlsx", extra), report


def _header_page() -> str:
    """A list whose columns name neither the worker's NIK nor the worker's name."""
    data = (b"DAFTAR PENERIMA BANTUAN 2025\nNo;Nama Ibu Kandung;No. KK;Alamat;Desa\n"
            b"1;SITI;6172010101010001;Jl. Merdeka No. 1;Pasiran\n")
    report = check(data, "Data Bantuan Kelurahan.csv", "pekerja-rentan", today=TODAY)
    return render(report, None, {"processed_at": PROCESSED})


def _copy_page(report: Report) -> str:
    copy = Report.from_dict(json.loads(report.to_json()) | {"file": "Daftar Kec Barat (revisi).xlsx"})
    extra = {"processed_at": PROCESSED, "duplicate_of": f"incoming/pekerja-rentan/{LIST}", "stored": False}
    return render(copy, "Daftar Kec Barat (revisi).xlsx.perbaikan.xlsx", extra)


def _covers() -> Iterator[list[Cover]]:
    """Each sample worker's covers: TMT January to March, a quarter of the vulnerable renewed as BPU self-payers
    after their cover ended, every eleventh without a phone, two listed again by a later list."""
    shipped = programs()
    people = [(w, "pekerja-rentan") for w in samples.workers(600, "pekerja-rentan")]
    people += [(w, "pekerja-sawit") for w in samples.workers(80, "pekerja-sawit", seed=2)]
    for n, (w, program) in enumerate(people):
        start = date(2025, 1 + n % 3, 1)
        end = coverage_end(start, shipped.by_id[program].months)
        phone = "" if n % 11 == 0 else f"+62812000{n:05d}"
        first = Cover(nik=w.nik, name=w.name, program=program, start=start, end=end, kecamatan=w.kecamatan,
                      kelurahan=w.kelurahan, sms_capable=bool(phone), phone=phone,
                      source_key=f"incoming/{program}/Daftar {w.kecamatan}.xlsx", listed_at="2025-01-02T01:00:00Z")
        covers = [first]
        if program == "pekerja-rentan" and n % 4 == 0:
            renewed = end + timedelta(days=1)
            covers.append(replace(first, start=renewed, end=coverage_end(renewed, 5), listed_at="2025-06-10T01:00:00Z",
                                  source_key="incoming/pekerja-rentan/Daftar BPU Mandiri.xlsx"))
        if n in (5, 17):
            covers.append(replace(first, source_key="incoming/pekerja-rentan/Daftar Susulan.xlsx",
                                  listed_at="2025-01-20T01:00:00Z"))
        yield covers


def _rekap_page() -> str:
    rekap = Rekap(today=date(2025, 8, 20), programs=programs())
    rekap.unreachable = {"+6281200000004": FailedNumber("+6281200000004", "", "Invalid phone number",
                                                        "2025-07-29T04:12:00Z")}
    for covers in _covers():
        rekap.add_worker(covers)
    notices = [("pekerja-rentan", 30, "delivered", 512), ("pekerja-rentan", 30, "carrier_failed", 9),
               ("pekerja-rentan", 30, "no_phone", 55), ("pekerja-rentan", 7, "delivered", 498),
               ("pekerja-rentan", 7, "number_failed", 3), ("pekerja-rentan", 1, "delivered", 490),
               ("pekerja-rentan", 1, "superseded", 12)]
    for program, stage, status, n in notices:
        for _ in range(n):
            rekap.add_notice(program, stage, status)
    return render_rekap(rekap, "2025-08-20.xlsx")


def _shoot(html: str, name: str, out: Path, anchor: str = "") -> list[Path]:
    from PIL import Image  # pdfplumber's dependency

    shots: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="lindungi-staff-") as folder:
        page = Path(folder) / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        for label, size in SIZES.items():
            png = out / f"{name}.{label}.png"
            browser.screenshot(page, png, size, anchor=anchor)
            with Image.open(png) as shot:
                shot.convert("RGB").quantize(colors=256).save(png, optimize=True)
            shots.append(png)
    return shots


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/img")
    out.mkdir(parents=True, exist_ok=True)
    html, report = _list_page()
    made = [*_shoot(html, "laporan", out), *_shoot(html, "laporan-baris", out, "#to-fix"),
            *_shoot(_header_page(), "laporan-judul-kolom", out), *_shoot(_copy_page(report), "laporan-salinan", out)]
    rekap = _rekap_page()
    made += [*_shoot(rekap, "rekap", out), *_shoot(rekap, "rekap-tanpa-sms", out, "#unreachable"),
             *_shoot(rekap, "rekap-pengingat", out, "#reminders")]
    for png in made:
        print(f"{png} ({png.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
