"""The rekap as a workbook for staff with access to the bucket: ``reports/rekap/<date>.xlsx``.

The same figures as the page, and the full lists behind them with the NIK
in full (as text, 16 digits), so an office can follow up worker by worker.
Written like the fix-up workbook: every text cell as a string, marked with
the quote prefix where a spreadsheet would run it as a formula; dates as date
cells, shares as percentage cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from lindungi.outcomes import NOTICE_LABELS, carrier_reason, say
from lindungi.page import local
from lindungi.rekap.model import Listing, Rekap
from lindungi.xlsx import Book


class Percent(float):
    """A share (0.3237) written as a number cell shown as a percentage (32.4%)."""


Cell = str | int | float | date


class _Book(Book):
    def sheet(self, name: str, head: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
        sheet = self.worksheet(name, head)
        sheet.set_column(0, max(0, len(head) - 1), 20)
        for line, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(line, col, datetime.combine(value, time()), self.date)
                elif isinstance(value, Percent):
                    sheet.write_number(line, col, value, self.percent)
                elif isinstance(value, (int, float)):
                    sheet.write_number(line, col, value)
                else:
                    self.write_text(sheet, line, col, value, self.text)


def _ratio(ended: int, renewed: int) -> Percent | str:
    return Percent(renewed / ended) if ended else "-"


def workbook(rekap: Rekap) -> bytes:
    """The rekap's figures and lists: program names, dates as date cells (dd-mm-yyyy, WIB), shares as
    percentage cells, the carrier's answers and the reminders' statuses in Indonesian."""
    book = _Book()
    name = lambda program: _program(rekap, program)  # noqa: E731

    def people(rows: Sequence[Listing]) -> Iterable[list[Cell]]:
        for row in rows:
            yield [row.nik, row.name, ", ".join(name(p) for p in row.programs), ", ".join(row.kecamatan),
                   row.kelurahan, ", ".join(row.files), carrier_reason(row.detail) if row.detail else "",
                   local(row.since).date() if row.since else ""]

    book.sheet("Perpanjangan", [say("rekap.program"), "TMT", say("rekap.ended"), say("rekap.renewed"),
                                say("rekap.rate")],
               ([name(p), s, r.ended, r.renewed, _ratio(r.ended, r.renewed)]
                for (p, s), r in sorted(rekap.cohorts.items())))
    book.sheet("Perpanjangan per kecamatan", [say("rekap.kecamatan"), say("rekap.ended"), say("rekap.renewed"),
                                              say("rekap.rate")],
               ([k or say("rekap.unknown_place"), r.ended, r.renewed, _ratio(r.ended, r.renewed)]
                for k, r in sorted(rekap.renewal_places.items())))
    book.sheet("Kuota", [say("rekap.program"), say("rekap.covered"), say("rekap.quota_col"), say("rekap.filled")],
               ([p.name, rekap.covered.get(p.id, 0), p.quota, _ratio(p.quota, rekap.covered.get(p.id, 0))]
                if p.quota is not None else [p.name, rekap.covered.get(p.id, 0), say("rekap.no_quota"), "-"]
                for p in rekap.programs.by_id.values()))
    book.sheet("Per kelurahan", [say("rekap.program"), say("rekap.kecamatan"), say("rekap.kelurahan"),
                                 say("rekap.covered")],
               ([name(p), k or say("rekap.unknown_place"), kel or say("rekap.unknown_place"), n]
                for (p, k, kel), n in sorted(rekap.places.items())))
    people_head = ["NIK", say("rekap.name"), say("rekap.programs"), say("rekap.kecamatan"), say("rekap.kelurahan"),
                   say("rekap.files"), say("rekap.failed_reason"), say("rekap.failed_since")]
    book.sheet("Terdaftar ganda", people_head, people(rekap.listed_twice))
    book.sheet("Dua program", people_head, people(rekap.both_programs))
    book.sheet("Tanpa HP", people_head, people(rekap.no_sms))
    book.sheet("Nomor gagal", people_head, people(rekap.failed_numbers))
    book.sheet("Berakhir per minggu", [say("rekap.week"), say("rekap.program"), say("rekap.count")],
               ([w, name(p), rekap.ending[(w, p)]] for w in rekap.weeks for p in rekap.programs.by_id))
    book.sheet("Pengingat", [say("rekap.program"), say("rekap.stage"), say("rekap.status"),
                             say("rekap.reminder_count")],
               ([name(p), say("rekap.stage_days", days=s), NOTICE_LABELS.get(st, st), n]
                for (p, s, st), n in sorted(rekap.notices.items())))
    return book.close()


def _program(rekap: Rekap, program: str) -> str:
    found = rekap.programs.get(program)
    return found.name if found else program


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
