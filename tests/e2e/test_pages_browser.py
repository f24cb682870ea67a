"""The staff pages in a real browser (Debian's headless Chromium): what a person sees, nothing run from a list.

``make test`` installs Chromium first (``make browser``). Where it cannot be installed these tests skip and say
so; under CI (``CI=true``) a missing Chromium fails instead, so a green run always looked at the pages.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from html import unescape
from itertools import groupby
from pathlib import Path

import pytest

from lindungi.config import programs
from lindungi.intake.check import check
from lindungi.intake.report import written
from lindungi.intake.report_page import render as render_report
from lindungi.nik import mask
from lindungi.outcomes import EMPTY, LABELS, NOTICE_LABELS, FileError, Reject, message, say
from lindungi.page import number
from lindungi.rekap.model import WEEKS, Cover, FailedNumber, Rekap
from lindungi.rekap.page import render as render_rekap
from lindungi.reminders.notices import Status
from lindungi.reminders.receipts import PROVIDER_RESPONSES
from lindungi_dev import browser
from lindungi_dev.browser import Dom
from tests.builders import BUDI, HEADER, REKAP_DAY, SCENARIO, SCRIPT_NAME, SITI, TODAY, xlsx

pytestmark = pytest.mark.slow

SIZES = [pytest.param(browser.PHONE, id="phone-390x844"), pytest.param(browser.LAPTOP, id="laptop-1366x768")]

PARSER_WORDS = """over rows set aside not workers sheet used range of cells the reader ran out memory exit no result
within time budget sharedStrings bad zip file is entries unzipped content limit entry archive that spreadsheet bytes
empty encryption data encrypted package binary known kind truncated page has text layer pages header unsure"""
"""The words of the readers' details (``FileFailure``), which are for the logs, never for the page."""
ENGLISH = ({w for answer in PROVIDER_RESPONSES for w in re.findall(r"[a-z]+", answer)}
           | {w for status in Status for w in status.value.split("_")} | set(PARSER_WORDS.casefold().split())
           | {"delivered", "failed", "status", "error", "unknown"}) - {"sms", "spam", "a", "s", "no", "data"}
"""English words staff must not meet: the carrier's answers, the notices' statuses, the parser's details ("data"
and "SMS" are Indonesian too, "spam" the word offices use)."""

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


EARLIER = {"row": {"sheet": "Kec. <Barat>", "line": 2}, "nik": SITI, "name": "SITI", "program": "pekerja-sawit",
           "coverage_start": "2025-03-01", "coverage_end": "2026-02-28",
           "source_key": "incoming/pekerja-sawit/Daftar Sawit Kec Barat.xlsx"}


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    report = check(_list(), "Daftar <b>Barat</b>.xlsx", "pekerja-rentan", today=TODAY)
    path = tmp_path_factory.mktemp("pages") / "report.html"
    extra = {"processed_at": "2025-08-20T03:15:00+00:00", "already_covered": [EARLIER], "already_covered_guessed": 0}
    path.write_text(render_report(report, "Daftar <b>Barat</b>.xlsx.perbaikan.xlsx", extra), encoding="utf-8")
    return path, report


def _seen(html: str) -> str:
    """The text a person reads: the body without styles and tags, entities decoded."""
    body = re.sub(r"<style>.*?</style>", " ", html.split("<body>", 1)[-1], flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _english(html: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", _seen(html).casefold()) if w in ENGLISH}


def _fits(page: Path, size: tuple[int, int]) -> None:
    """Nothing wider than the window: no page scroll, no table scrolling sideways in its box (a key column out
    of sight), nothing past the right edge."""
    found = browser.layout(page, size)
    assert found == {"width": size[0], "scroll_width": size[0], "overflowing": []}, found


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


@pytest.mark.parametrize("size", SIZES)
def test_each_bad_value_is_beside_its_row_and_nothing_is_off_screen(
        size: tuple[int, int], report_page: tuple[Path, object]) -> None:
    path, report = report_page
    _fits(path, size)
    dom = Dom.of(browser.dump_dom(path))
    for row in [*report.rejected, *(a for a in report.accepted if a.warnings)]:  # type: ignore[attr-defined]
        codes = getattr(row, "reasons", None) or row.warnings
        group = dom.text(f"{'reject' if hasattr(row, 'reasons') else 'warn'}-{codes[0].value}")
        bad = " ".join(f"{name}: {value}" + (f" ({note})" if note else "") for name, value, note in written(row, codes))
        assert f"Kec. <Barat> {row.row.line} {row.name or EMPTY} {bad}" in group, (row.row.line, group)
    invalid = dom.text("reject-nik_invalid")
    assert "NIK: 617201450985 (12 angka, bukan 16)" in invalid
    assert "NIK: 6172014509850003 (sama dengan baris 2)" in dom.text("reject-duplicate_in_file")
    assert "TMT: 31-02-2025" in dom.text("reject-start_date_invalid")
    assert "Nomor HP: (0562) 631234" in dom.text("warn-phone_not_mobile")
    assert "Pekerja Sawit, 01-03-2025 s.d. 28-02-2026, daftar Daftar Sawit Kec Barat.xlsx" in dom.text("earlier")
    assert dom.text("processed") == "20-08-2025 pukul 10.15 WIB"


@pytest.mark.parametrize("size", SIZES)
def test_a_list_without_a_header_names_the_columns_it_has_and_fits(size: tuple[int, int], tmp_path: Path) -> None:
    data = xlsx({"Data": [["No", "Nama Ibu Kandung", "No. KK", "Alamat Lengkap Sesuai Kartu Keluarga"],
                          ["1", "SITI", "6172010101010001", "Jl. Merdeka No. 1"]]})
    report = check(data, "daftar tanpa judul.xlsx", "pekerja-rentan", today=TODAY)
    assert report.error is FileError.HEADER_NOT_FOUND
    page = tmp_path / "header.html"
    page.write_text(render_report(report), encoding="utf-8")
    _fits(page, size)
    dom = Dom.of(browser.dump_dom(page))
    assert dom.text("columns-seen") == "No Nama Ibu Kandung No. KK Alamat Lengkap Sesuai Kartu Keluarga"
    assert "nomor induk kependudukan" in dom.text("columns-wanted") and dom.text("example-workbook")


@pytest.mark.parametrize("data", [pytest.param(b"PK\x03\x04 not a zip at all", id="bad-zip"),
                                  pytest.param(b"%PDF-1.4 not really", id="no-pdf")])
def test_a_failed_file_says_nothing_in_english(data: bytes, tmp_path: Path) -> None:
    report = check(data, "daftar.xlsx", "pekerja-rentan", today=TODAY)
    assert report.error is not None and report.error_detail, "the reader has a detail for the logs"
    page = tmp_path / "failed.html"
    page.write_text(render_report(report), encoding="utf-8")
    html = browser.dump_dom(page)
    assert _english(html) == set() and report.error_detail not in html


def test_the_report_page_has_no_english_word(report_page: tuple[Path, object]) -> None:
    assert _english(browser.dump_dom(report_page[0])) == set()


@pytest.fixture(scope="module")
def full_rekap_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rekap with every kind of row: a failed number (with the carrier's English answer), every status."""
    rekap = Rekap(today=REKAP_DAY, programs=programs())
    rekap.unreachable = {"+6281200000006": FailedNumber("+6281200000006", "6172011601900006",
                                                        "Phone is currently unreachable/unavailable",
                                                        "2025-06-30T18:30:00Z")}
    for _, items in groupby(SCENARIO, key=lambda item: item["nik"]):
        rekap.add_worker([Cover.from_item(item) for item in items])
    for n, status in enumerate(NOTICE_LABELS):
        for program, stage in (("pekerja-rentan", 30), ("pekerja-rentan", 7), ("pekerja-rentan", 1),
                               ("pekerja-sawit", 30), ("pekerja-sawit", 7), ("pekerja-sawit", 1)):
            for _ in range(n % 3 + 1):
                rekap.add_notice(program, stage, status)
    path = tmp_path_factory.mktemp("rekap-full") / "rekap.html"
    path.write_text(render_rekap(rekap, "2025-07-01.xlsx"), encoding="utf-8")
    return path


@pytest.mark.parametrize("size", SIZES)
def test_every_rekap_table_fits_with_its_key_column(size: tuple[int, int], full_rekap_page: Path) -> None:
    """Every status of every stage of both programs: the widest reminders table, still within a laptop and
    stacked on a phone; the headline percentage in sight at 390 px."""
    _fits(full_rekap_page, size)
    dom = Dom.of(browser.dump_dom(full_rekap_page))
    assert say("rekap.rate") in dom.text("cohorts") and "%" in dom.text("cohorts")
    reminders = dom.text("reminders-table")
    assert all(label in reminders for label in NOTICE_LABELS.values())
    assert "Pekerja Rentan H-30" in reminders and "Pekerja Sawit H-1" in reminders


def test_the_rekap_has_no_english_word_and_names_the_failed_number_in_indonesian(full_rekap_page: Path) -> None:
    html = browser.dump_dom(full_rekap_page)
    assert _english(html) == set()
    failed = Dom.of(html).text("failed-numbers-table")
    assert "HP sedang tidak aktif atau di luar jangkauan" in failed and "01-07-2025" in failed


def test_an_empty_rekap_says_tidak_ada_under_every_heading(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(render_rekap(Rekap(today=REKAP_DAY, programs=programs())), encoding="utf-8")
    dom = Dom.of(browser.dump_dom(page))
    for ident in ("listed-twice-table-none", "both-programs-table-none", "failed-numbers-table-none",
                  "no-sms-places", "reminders-table", "places-table"):
        assert say("page.none") in dom.text(ident), ident
    _fits(page, browser.PHONE)


def _png_size(png: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize("size", [browser.PHONE, browser.LAPTOP], ids=["phone", "laptop"])
def test_both_pages_render_at_phone_and_laptop_width(size: tuple[int, int], report_page: tuple[Path, object],
                                                     rekap_page: tuple[Path, Rekap], tmp_path: Path) -> None:
    for page in (report_page[0], rekap_page[0]):
        png = browser.screenshot(page, tmp_path / f"{page.stem}.png", size)
        assert _png_size(png) == size and png.stat().st_size > 10_000, "a page, not a blank"
