"""The rekap as a workbook for staff with access to the bucket: ``reports/rekap/<date>.xlsx``.

The same figures as the page, and the full lists behind them with the NIK
in full (as text, 16 digits), so an office can follow up worker by worker.
Written like the fix-up workbook: every text cell as a string, marked with
the quote prefix where a spreadsheet would run it as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lindungi.outcomes import NOTICE_LABELS, say
from lindungi.rekap.model import Listing, Rekap
from lindungi.xlsx import Book


class _Book(Book):
    def sheet(self, name: str, head: Sequence[str], rows: Iterable[Sequence[str | int | float]]) -> None:
        sheet = self.worksheet(name, head)
        sheet.set_column(0, max(0, len(head) - 1), 20)
        for line, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, (int, float)):
                    sheet.write_number(line, col, value)
                else:
                    self.write_text(sheet, line, col, value)


def _people(rows: Sequence[Listing]) -> Iterable[list[str]]:
    for row in rows:
        yield [row.nik, row.name, ", ".join(row.programs), ", ".join(row.kecamatan), row.kelurahan,
               ", ".join(row.files), row.detail, row.since]


def workbook(rekap: Rekap) -> bytes:
    book = _Book()
    ratio = lambda ended, renewed: round(renewed / ended, 4) if ended else 0.0  # noqa: E731
    book.sheet("Perpanjangan", [say("rekap.program"), "TMT", say("rekap.ended"), say("rekap.renewed"),
                                say("rekap.rate")],
               ([p, s.isoformat(), r.ended, r.renewed, ratio(r.ended, r.renewed)]
                for (p, s), r in sorted(rekap.cohorts.items())))
    book.sheet("Perpanjangan per kecamatan", [say("rekap.kecamatan"), say("rekap.ended"), say("rekap.renewed"),
                                              say("rekap.rate")],
               ([k, r.ended, r.renewed, ratio(r.ended, r.renewed)] for k, r in sorted(rekap.renewal_places.items())))
    book.sheet("Kuota", [say("rekap.program"), say("rekap.covered"), say("rekap.quota_col")],
               ([p.name, rekap.covered.get(p.id, 0), p.quota] for p in rekap.programs.by_id.values()))
    book.sheet("Per kelurahan", [say("rekap.program"), say("rekap.kecamatan"), say("rekap.kelurahan"),
                                 say("rekap.covered")],
               ([p, k, kel, n] for (p, k, kel), n in sorted(rekap.places.items())))
    people_head = ["NIK", say("rekap.name"), say("rekap.programs"), say("rekap.kecamatan"), say("rekap.kelurahan"),
                   say("rekap.files"), say("rekap.failed_reason"), say("rekap.failed_since")]
    book.sheet("Terdaftar ganda", people_head, _people(rekap.listed_twice))
    book.sheet("Dua program", people_head, _people(rekap.both_programs))
    book.sheet("Tanpa HP", people_head, _people(rekap.no_sms))
    book.sheet("Nomor gagal", people_head, _people(rekap.failed_numbers))
    book.sheet("Berakhir per minggu", [say("rekap.week"), say("rekap.program"), say("rekap.count")],
               ([w.isoformat(), p, rekap.ending[(w, p)]] for w in rekap.weeks for p in rekap.programs.by_id))
    book.sheet("Pengingat", [say("rekap.program"), say("rekap.stage"), "status", say("rekap.count")],
               ([p, s, NOTICE_LABELS.get(st, st), n] for (p, s, st), n in sorted(rekap.notices.items())))
    return book.close()


def summary(rekap: Rekap) -> dict[str, Any]:
    """Counts only (no personal data): what the function logs and returns."""
    total = rekap.renewal()
    return {
        "today": rekap.today.isoformat(), "workers": rekap.workers, "covers": rekap.covers,
        "covered": dict(rekap.covered), "ended": total.ended, "renewed": total.renewed,
        "listed_twice": len(rekap.listed_twice), "both_programs": len(rekap.both_programs),
        "no_sms": len(rekap.no_sms), "failed_numbers": len(rekap.failed_numbers),
        "notices": sum(rekap.notices.values()), "read": dict(rekap.read),
    }
