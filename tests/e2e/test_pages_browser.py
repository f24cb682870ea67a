"""The staff pages in a real browser (Debian's headless Chromium): what a person sees, nothing run from a list.

``make test`` installs Chromium first (``make browser``). Where it cannot be installed these tests skip and say
so; under CI (``CI=true``) a missing Chromium fails instead, so a green run always looked at the pages.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pytest

from lindungi.config import programs
from lindungi.intake.check import check
from lindungi.intake.report_page import render as render_report
from lindungi.nik import mask
from lindungi.outcomes import LABELS, Reject, message, say
from lindungi.page import number
from lindungi.rekap.model import WEEKS, Cover, Rekap
from lindungi.rekap.page import render as render_rekap
from lindungi_dev import browser
from lindungi_dev.browser import Dom
from tests.builders import BUDI, HEADER, REKAP_DAY, SCENARIO, SCRIPT_NAME, SITI, TODAY, xlsx

pytestmark = pytest.mark.slow

TITLE_SCRIPT = "<script>document.title='DIRETAS'</script>"
IMG_SCRIPT = '<img src=x onerror="document.title=\'DIRETAS\'">'


@pytest.fixture(scope="module", autouse=True)
def chromium() -> Iterator[str]:
    found = browser.chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(browser.INSTALL_HINT)
        pytest.skip(browser.INSTALL_HINT)
    yield found


def _list() -> bytes:
    """A sheet with every kind of row a page must show: clean, hostile names, and rejected for five reasons."""
    rows = [
        HEADER,
        ["1", SITI, TITLE_SCRIPT, "", "05-09-1985", "P", "01-01-2025"],
        ["2", "617201450985", "BUDI KECIL", "0812-1111-2222", "", "L", "01-01-2025"],
        ["3", "", "TANPA NIK", "", "", "", "01-01-2025"],
        ["4", BUDI, "", "0812-3333-4444", "", "", "01-01-2025"],
        ["5", SITI, "SITI LAGI", "0812-5555-6666", "", "", "01-01-2025"],
        ["6", "6172051203900015", IMG_SCRIPT, "0812-7777-8888", "", "", "31-02-2025"],
        ["7", 6172051203900000.0, "ANGKA", "0812-7777-9999", "", "", "01-01-2025"],
        ["8", "6172051203900023", "RUMAH", "(0562) 631234", "", "", "01-01-2025"],
    ]
    return xlsx({"Kec. <Barat>": rows})


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    report = check(_list(), "Daftar <b>Barat</b>.xlsx", "pekerja-rentan", today=TODAY)
    path = tmp_path_factory.mktemp("pages") / "report.html"
    path.write_text(render_report(report, "Daftar <b>Barat</b>.xlsx.perbaikan.xlsx"), encoding="utf-8")
    return path, report


def test_the_harness_sees_a_script_that_runs(tmp_path: Path) -> None:
    """Control: without escaping, the same content would change the title, and the DOM dump shows it."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>asli</title></head><body>{TITLE_SCRIPT}</body></html>")
    assert Dom.of(browser.dump_dom(page)).title == "DIRETAS"


def test_report_page_shows_the_counts_the_chart_and_every_rejected_row(report_page: tuple[Path, object]) -> None:
    path, report = report_page
    dom = Dom.of(browser.dump_dom(path))
    counts = report.counts()  # type: ignore[attr-defined]
    assert counts["rejected"] == 6 and counts["accepted"] == 2
    assert say("report.ok_fix", rejected=6) in dom.text("status")
    for ident, key in (("rows-read", "rows_read"), ("accepted", "accepted"), ("rejected", "rejected"),
                       ("warned", "warned"), ("sms-capable", "sms_capable")):
        assert dom.text(ident).startswith(number(counts[key])), ident
    assert dom.tags["svg"] == 1 and dom.tags["rect"] == len(counts["rejected_by_reason"]) + len(
        counts["warnings_by_code"])
    chart = dom.text("reasons-chart")
    assert LABELS[Reject.NIK_INVALID] in chart and LABELS[Reject.DUPLICATE_IN_FILE] in chart
    for row in report.rejected:  # type: ignore[attr-defined]
        group = dom.text(f"reject-{row.reasons[0].value}")
        assert message(row.reasons[0]) in group
        assert f"Kec. <Barat> {row.row.line} " in group, f"line {row.row.line} is listed with its sheet"
    assert dom.text("fix-workbook") == say("report.fix_workbook")


def test_report_page_runs_nothing_from_the_list(report_page: tuple[Path, object]) -> None:
    dom = Dom.of(browser.dump_dom(report_page[0]))
    assert dom.title == f'{say("report.title")}: Daftar <b>Barat</b>.xlsx', "no script changed the title"
    assert dom.tags["script"] == 0 and dom.tags["img"] == 0 and dom.tags["b"] == 0
    assert dom.text("file-name") == "Daftar <b>Barat</b>.xlsx"
    assert IMG_SCRIPT in dom.text("reject-start_date_invalid"), "the hostile name is shown as text"
    assert TITLE_SCRIPT in dom.text("warn-phone_missing"), "listed, folded, as text"


def test_a_file_that_was_not_read_says_why_and_what_to_do(tmp_path: Path) -> None:
    report = check(b"%PDF-1.4 not really", "scan.pdf", "pekerja-rentan", today=TODAY)
    page = tmp_path / "failed.html"
    page.write_text(render_report(report), encoding="utf-8")
    status = Dom.of(browser.dump_dom(page)).text("status")
    assert say("report.failed") in status and message(report.error) in status  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rekap_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Rekap]:
    rekap = Rekap(today=REKAP_DAY, programs=programs())
    for _, items in groupby(SCENARIO, key=lambda item: item["nik"]):
        rekap.add_worker([Cover.from_item(item) for item in items])
    for stage, status in ((30, "sent"), (30, "delivered"), (7, "failed"), (7, "opted_out")):
        rekap.add_notice("pekerja-rentan", stage, status)
    path = tmp_path_factory.mktemp("rekap") / "rekap.html"
    path.write_text(render_rekap(rekap, "2025-07-01.xlsx"), encoding="utf-8")
    return path, rekap


def test_rekap_page_shows_the_renewal_headline_quota_chart_and_reminders(rekap_page: tuple[Path, Rekap]) -> None:
    path, rekap = rekap_page
    dom = Dom.of(browser.dump_dom(path))
    renewal = rekap.renewal()
    headline = dom.text("renewal-status")
    assert f"Dari {renewal.ended} kepesertaan" in headline and "27 %" in headline and "40-50 %" in headline
    assert "Pekerja Rentan" in dom.text("cohorts") and "01-01-2025" in dom.text("cohorts")
    for program in programs().by_id.values():
        assert dom.text(f"covered-{program.id}").startswith(number(rekap.covered[program.id]))
    assert dom.tags["svg"] == 1 and dom.tags["rect"] == WEEKS, "one bar a week"
    assert "25-08: 1" in dom.text("ending-chart"), "C's second cover ends on 31-08-2025, in the week of 25-08"
    assert "Diterima di HP" in dom.text("reminders-table") and "Menolak SMS" in dom.text("reminders-table")
    assert dom.title == f'{say("rekap.title")} 01-07-2025'


def test_rekap_page_masks_every_nik_and_runs_nothing(rekap_page: tuple[Path, Rekap]) -> None:
    path, rekap = rekap_page
    html = browser.dump_dom(path)
    dom = Dom.of(html)
    for item in SCENARIO:
        assert item["nik"] not in html
    both = dom.text("both-programs-table")
    assert all(mask(x.nik) in both for x in rekap.both_programs)
    assert SCRIPT_NAME in both, "the hostile name is text"
    assert dom.tags["script"] == 0 and dom.tags["b"] == 0


def _png_size(png: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize("size", [browser.PHONE, browser.LAPTOP], ids=["phone", "laptop"])
def test_both_pages_render_at_phone_and_laptop_width(size: tuple[int, int], report_page: tuple[Path, object],
                                                     rekap_page: tuple[Path, Rekap], tmp_path: Path) -> None:
    for page in (report_page[0], rekap_page[0]):
        png = browser.screenshot(page, tmp_path / f"{page.stem}.png", size)
        assert _png_size(png) == size and png.stat().st_size > 10_000, "a page, not a blank"
