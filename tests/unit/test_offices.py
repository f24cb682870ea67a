"""Offices as staff read them: the name a clerk gave a list (the portal's stamp belongs to the key only), and the
offices' names from programs.json, checked when they are loaded."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import pytest

from lindungi.config import load_programs, programs
from lindungi.intake.earlier import Earlier
from lindungi.intake.ingest import Upload
from lindungi.intake.riwayat import upload_item
from lindungi.offices import display_name, is_office, stamp
from lindungi.rekap.listings import Listed
from lindungi.rekap.model import Cover
from lindungi.rows import RowRef

OFFICE_KEY = "incoming/pekerja-rentan/kel-pasiran/20261206-180831-Daftar Pasiran.xlsx"


@pytest.mark.parametrize(("key", "shown"), [
    pytest.param(OFFICE_KEY, "Daftar Pasiran.xlsx", id="an-office-upload"),
    pytest.param("reports/pekerja-rentan/kel-pasiran/20261206-180831-Daftar.xlsx.perbaikan.xlsx",
                 "Daftar.xlsx.perbaikan.xlsx", id="its-fix-up-workbook"),
    pytest.param("reports/~rekap/kel-pasiran/20261206-180831-a.csv.json", "a.csv.json", id="a-report-of-folder-rekap"),
    pytest.param("incoming/pekerja-rentan/kel-pasiran/20261206-180831-20250101-080000-lama.xlsx",
                 "20250101-080000-lama.xlsx", id="a-clerk-name-that-looks-stamped-keeps-it"),
    pytest.param("incoming/pekerja-rentan/20261206-180831-Daftar.xlsx", "20261206-180831-Daftar.xlsx",
                 id="a-console-upload-keeps-its-whole-name"),
    pytest.param("incoming/pekerja-rentan/kel-pasiran/Daftar.xlsx", "Daftar.xlsx", id="console-in-an-office-folder"),
    pytest.param("incoming/pekerja-rentan/Kel Pasiran/20261206-180831-x.xlsx", "20261206-180831-x.xlsx",
                 id="a-folder-that-is-no-office"),
    pytest.param("incoming/pekerja-rentan/kel-pasiran/20261206-180831-", "20261206-180831-", id="nothing-after"),
    pytest.param("incoming/pekerja-rentan/kel-pasiran/2026126-180831-x.xlsx", "2026126-180831-x.xlsx",
                 id="not-a-stamp"),
    pytest.param("Daftar.xlsx", "Daftar.xlsx", id="a-bare-file-name"),
])
def test_the_name_shown_is_the_one_the_clerk_chose(key: str, shown: str) -> None:
    assert display_name(key) == shown


def test_a_stamp_is_wib_and_what_display_name_takes_off() -> None:
    now = datetime(2026, 12, 6, 11, 8, 31, tzinfo=UTC)
    assert stamp(now) == "20261206-180831"
    assert display_name(f"incoming/p/kel-a/{stamp(now)}-x.pdf") == "x.pdf"


def test_every_place_that_names_a_list_names_it_as_the_clerk_did() -> None:
    """Ingest (the report's file), the riwayat item, the earlier-cover note, the rekap's covers and listings."""
    report_key = "reports/pekerja-rentan/kel-pasiran/20261206-180831-Daftar Pasiran.xlsx.json"
    item = upload_item(OFFICE_KEY, "2026-12-06T11:08:31Z", "pasiran", "pekerja-rentan", report_key, None, {},
                       duplicate_of="incoming/pekerja-rentan/kel-pasiran/20261205-090000-Lama.xlsx")
    assert item is not None
    earlier = Earlier(RowRef(2, "Daftar"), "6172014509850003", "SITI", "pekerja-rentan", date(2025, 1, 1),
                      date(2025, 5, 31), OFFICE_KEY)
    cover = Cover.from_item({"nik": "6172014509850003", "program": "pekerja-rentan", "coverage_start": "2025-01-01",
                             "coverage_end": "2025-05-31", "source_key": OFFICE_KEY})
    listed = Listed(report_key, "Daftar", "pekerja-rentan", date(2025, 1, 1), date(2025, 5, 31))
    named = {"ingest": Upload("b", OFFICE_KEY, None, 1, "2026-12-06T11:08:31Z").filename, "riwayat": item["file"],
             "earlier": earlier.file, "rekap cover": cover.file, "rekap listing": listed.file}
    assert named == dict.fromkeys(named, "Daftar Pasiran.xlsx")
    assert item["duplicate_of"] == "Lama.xlsx"


def _with_offices(offices: Any) -> str:
    raw = json.loads(resources.files("lindungi").joinpath("programs.json").read_text("utf-8"))
    raw["offices"] = offices
    return json.dumps(raw)


def test_the_shipped_offices_are_office_ids_with_names() -> None:
    offices = programs().offices
    assert offices and all(is_office(o) for o in offices)
    assert programs().office_name("kel-pasiran") == "Kel. Pasiran"
    assert programs().office_name("kel-tidak-ada") == "kel-tidak-ada", "an office not configured: its id"


@pytest.mark.parametrize(("offices", "error"), [
    pytest.param({"Kel Pasiran": "Kel. Pasiran"}, "not an office id", id="an-id-that-is-no-folder"),
    pytest.param({"kel-pasiran": ""}, "needs a name", id="no-name"),
    pytest.param({"kel-pasiran": "  Kel. Pasiran"}, "needs a name", id="spaces-around"),
    pytest.param({"kel-pasiran": 7}, "needs a name", id="a-number"),
    pytest.param({"kel-pasiran": "Kel. Pasiran", "kel-pasiran-2": "kel. pasiran"}, "share the name",
                 id="two-offices-one-name"),
])
def test_the_loader_refuses_offices_staff_could_not_tell_apart(offices: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        load_programs(_with_offices(offices))


def test_a_doc_line_among_the_offices_is_no_office() -> None:
    loaded = load_programs(_with_offices({"_doc": "x", "kel-a": "Kel. A"}))
    assert loaded.offices == {"kel-a": "Kel. A"}
