"""The same worker list gives the same accepted records from its workbook and from the PDF made of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi_dev import samples
from lindungi_dev.samples import pdf as pdfsamples

TODAY = date(2025, 6, 1)
PROGRAM = "pekerja-rentan"


def records(report: Report) -> list[tuple[str, str, str | None, str, date, date]]:
    assert report.error is None, report.error_detail
    return [(a.nik, a.name, a.phone, a.program, a.coverage_start, a.coverage_end) for a in report.accepted]


@pytest.mark.parametrize(
    ("layout", "write"),
    [("ruled Excel Save-as-PDF", pdfsamples.write_ruled), ("unruled, Halaman N dari M", pdfsamples.write_unruled)],
)
def test_xlsx_and_its_pdf_give_the_same_accepted_records(
    layout: str, write: Callable[[Sequence[samples.Worker], str], bytes]
) -> None:
    people, _ = samples.plant_faults(samples.workers(120, PROGRAM, seed=11), every=9)
    from_xlsx = check(samples.write_xlsx(people, PROGRAM, by_kecamatan=False), "daftar.xlsx", PROGRAM, today=TODAY)
    from_pdf = check(write(people, PROGRAM), "daftar.pdf", PROGRAM, today=TODAY)
    assert records(from_pdf) == records(from_xlsx)
    assert len(from_pdf.accepted) > 100
    assert [r.reasons for r in from_pdf.rejected] == [r.reasons for r in from_xlsx.rejected]
    assert [a.warnings for a in from_pdf.accepted] == [a.warnings for a in from_xlsx.accepted]
