"""The report page's HTML: one self-contained document, every word from outcomes.py, everything escaped."""

from __future__ import annotations

import io
import re
from html import escape

import pytest
from python_calamine import CalamineWorkbook

from lindungi.intake import example
from lindungi.intake.check import check
from lindungi.intake.fields import SYNONYMS, Field
from lindungi.intake.report import Report
from lindungi.intake.report_page import render
from lindungi.outcomes import FIELD_NAMES, LABELS, MESSAGES, PAGE, FileError, Reject, message, say
from tests.builders import HEADER, SITI, TODAY, xlsx

HOSTILE = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param('"><img src=x onerror=alert(1)>', id="attribute-break-out"),
    pytest.param("<svg onload=alert(1)>", id="svg"),
    pytest.param("</title><script>x</script>", id="title-break-out"),
    pytest.param("&lt;b&gt; already escaped", id="entities-stay-text"),
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_list_content_is_text_wherever_it_appears(hostile: str) -> None:
    data = xlsx({hostile[:31].replace("/", "-"): [HEADER, ["1", SITI, hostile, "", "", "", "01-01-2025"],
                                                  ["2", "123", hostile, "", "", "", "01-01-2025"]]})
    html = render(check(data, f"{hostile}.xlsx", "pekerja-rentan", today=TODAY), f"{hostile}.perbaikan.xlsx")
    body = html.split("<body>", 1)[1]
    assert not re.search(r"<(script|img|svg onload)", body), "no tag from the list"
    assert body.count(escape(hostile)) >= 3, "the file name, and the name on both rows, as text"


@pytest.mark.parametrize("upload", ["javascript:alert(document.domain)//.csv", "JaVaScRiPt:alert(1).csv",
                                    " javascript:alert(1).csv", "java\tscript:alert(1).csv",
                                    "data:text/html,<script>x</script>.csv", "//evil.example/x.csv",
                                    "daftar?x#y%20.csv"])
def test_the_fix_up_link_is_a_file_beside_the_page_whatever_the_upload_is_named(upload: str) -> None:
    from html import unescape
    from urllib.parse import unquote, urlsplit

    data = xlsx({"D": [HEADER, ["1", "123", "BUDI", "", "", "", ""]]})
    html = render(check(data, upload, "pekerja-rentan", today=TODAY), f"{upload}.perbaikan.xlsx")
    href = unescape(re.search(r'id="fix-workbook" href="([^"]*)"', html)[1])  # type: ignore[index]
    cleaned = href.strip().replace("\t", "").replace("\n", "")  # what a browser does before parsing a URL
    parts = urlsplit(cleaned)
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
    assert "/" not in parts.path and unquote(cleaned) == unquote(href) == f"{upload}.perbaikan.xlsx"


def test_nothing_is_loaded_from_elsewhere() -> None:
    html = render(check(xlsx({"D": [HEADER, ["1", "123", "BUDI", "", "", "", ""]]}), "d.xlsx", "pekerja-rentan",
                        today=TODAY))
    assert not re.search(r"<(script|link|img|iframe|object)\b", html)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


@pytest.mark.parametrize("code", list(FileError))
def test_a_file_error_says_what_to_do(code: FileError) -> None:
    html = render(Report(file="x.xlsx", program="pekerja-rentan", error=code))
    assert say("report.failed") in html and message(code) in html and 'class="status bad"' in html


def test_rejected_rows_are_grouped_by_reason_with_the_message() -> None:
    rows = [HEADER, ["1", "123", "BUDI", "", "", "", "01-01-2025"], ["2", "", "SITI", "", "", "", "01-01-2025"],
            ["3", "456", "ANI", "", "", "", "01-01-2025"]]
    html = render(check(xlsx({"Kec. Barat": rows}), "d.xlsx", "pekerja-rentan", today=TODAY))
    invalid = html.split('id="reject-nik_invalid"', 1)[1].split("</section>", 1)[0]
    assert MESSAGES[Reject.NIK_INVALID] in invalid and "BUDI" in invalid and "ANI" in invalid
    assert LABELS[Reject.NIK_MISSING] in html.split('id="reject-nik_missing"', 1)[1]


def test_every_code_has_a_label_and_every_page_text_formats() -> None:
    assert set(LABELS) == set(MESSAGES)
    for key, text in PAGE.items():
        fields = re.findall(r"{(\w+)}", text)
        assert say(key, **dict.fromkeys(fields, "1")) if fields else say(key)


def test_header_not_found_lists_the_columns_seen_and_those_looked_for() -> None:
    data = xlsx({"D": [["Nomor", "Nama Ibu", "Nomor KK", "Alamat Rumah"], ["1", "SITI", "6172...", "Jl. Merdeka"]]})
    report = check(data, "d.xlsx", "pekerja-rentan", today=TODAY)
    assert report.error is FileError.HEADER_NOT_FOUND
    assert report.to_dict()["error"]["columns_seen"] == ["Nomor", "Nama Ibu", "Nomor KK", "Alamat Rumah"]
    html = render(report)
    seen = html.split('id="columns-seen"', 1)[1].split("</ul>", 1)[0]
    assert all(f"<li>{name}</li>" in seen for name in ("Nomor", "Nama Ibu", "Nomor KK", "Alamat Rumah"))
    wanted = html.split('id="columns-wanted"', 1)[1]
    assert "nomor induk kependudukan" in wanted and "nama lengkap" in wanted
    assert f'href="{example.NAME}"' in html


def test_the_example_list_is_read_as_it_is_every_column_recognised() -> None:
    report = check(example.workbook(), example.NAME, "pekerja-rentan", today=TODAY)
    assert report.error is None and report.rows_read == len(example.ROWS) == len(report.accepted)
    assert not any(row.warnings for row in report.accepted)
    names = CalamineWorkbook.from_filelike(io.BytesIO(example.workbook())).get_sheet_by_name("Nama kolom")
    listed = {row[0]: row[2] for row in names.to_python()[1:]}
    assert all(all(n in listed[FIELD_NAMES[f.value]] for n in SYNONYMS[f]) for f in Field)


def test_a_read_list_states_its_cover_periods_reminder_days_and_when_it_was_processed() -> None:
    rows = [HEADER, ["1", SITI, "SITI", "0812-3456-7890", "", "", "01-01-2025"],
            ["2", "6172051203900007", "BUDI", "0812-3456-7891", "", "", "01-02-2025"],
            ["3", "6172051203900015", "ANI", "0812-3456-7892", "", "", "01-02-2025"]]
    report = check(xlsx({"D": rows}), "d.xlsx", "pekerja-rentan", today=TODAY)
    html = render(report, extra={"processed_at": "2025-08-20T03:15:00+00:00", "already_covered": []})
    covers = html.split('id="covers"', 1)[1].split("</table>", 1)[0]
    assert "<td" in covers and "01-01-2025" in covers and "31-05-2025" in covers and "30-06-2025" in covers
    assert "<span>2</span>" in covers, "two workers with TMT 01-02-2025"
    # Each stage from its window's first day to its own day (30 days before the end, etc.).
    assert "H-30: 25-04-2025 s.d. 01-05-2025" in covers and "H-1: 27-05-2025 s.d. 30-05-2025" in covers
    assert "20-08-2025 pukul 10.15 WIB" in html, "processed at 03:15 UTC is 10.15 WIB"
    assert say("report.earlier_none") in html


def test_the_page_says_which_workers_were_looked_up_only_at_guessed_tmts() -> None:
    """Workers without an item of their own were looked up at this list's TMTs and the default ones only:
    the page says how many; a report from before those items existed says it of everyone; none, nothing."""
    rows = [HEADER, ["1", SITI, "SITI", "0812-3456-7890", "", "", "01-01-2025"]]
    report = check(xlsx({"D": rows}), "d.xlsx", "pekerja-rentan", today=TODAY)
    html = {guessed: render(report, extra={"already_covered": [], "already_covered_guessed": guessed})
            for guessed in (0, 3)}
    assert say("report.earlier_none") in html[0] and 'id="earlier-guessed"' not in html[0]
    assert say("report.earlier_guessed", count=3) in html[3]
    older = render(report, extra={"already_covered": []})
    assert say("report.earlier_guessed_all") in older
