"""The rekap's words and cells: carrier answers in Indonesian, one date format, program names, real date and
percentage cells in the workbook, notices and numbers counted under their own names."""

from __future__ import annotations

import io
from datetime import date, datetime
from itertools import groupby

import pytest
from python_calamine import CalamineWorkbook

from lindungi.config import programs
from lindungi.outcomes import CARRIER_OTHER, CARRIER_REASONS, NOTICE_LABELS, carrier_reason, say
from lindungi.rekap.model import Cover, FailedNumber, Rekap
from lindungi.rekap.page import render
from lindungi.rekap.workbook import workbook
from lindungi.reminders.receipts import PROVIDER_PHRASES, PROVIDER_RESPONSES
from tests.builders import REKAP_DAY as TODAY
from tests.builders import SCENARIO

ENGLISH = ("invalid", "phone", "number", "carrier", "unreachable", "blocked", "opted", "message", "delivery",
           "error", "unknown", "status", "sent", "failed", "delivered", "pending", "true", "false", "none")
"""Words of the carrier's answers, the parser's messages and the notices' statuses that must not reach staff."""


def test_every_carrier_answer_the_receipts_know_has_its_indonesian_sentence() -> None:
    assert set(CARRIER_REASONS) == set(PROVIDER_RESPONSES)
    for phrase, _ in PROVIDER_PHRASES:
        assert carrier_reason(f"Something {phrase} now.") != CARRIER_OTHER, phrase


@pytest.mark.parametrize("answer", [*PROVIDER_RESPONSES, "Invalid phone number.", "PHONE HAS BLOCKED SMS", "",
                                    "Some new answer SNS gives one day"])
def test_a_carrier_answer_reads_in_indonesian(answer: str) -> None:
    text = carrier_reason(answer).casefold().split()
    assert not [w for w in text if w.strip("().,:;") in ENGLISH], carrier_reason(answer)


def _rekap() -> Rekap:
    rekap = Rekap(today=TODAY, programs=programs())
    rekap.unreachable = {"+6281200000006": FailedNumber("+6281200000006", "6172011601900006", "Invalid phone number",
                                                        "2025-06-30T18:30:00+00:00")}
    for _, items in groupby(SCENARIO, key=lambda item: item["nik"]):
        rekap.add_worker([Cover.from_item(item) for item in items])
    for stage, status in ((30, "sent"), (30, "delivered"), (7, "carrier_failed"), (7, "number_failed")):
        rekap.add_notice("pekerja-rentan", stage, status)
    return rekap


def test_the_workbook_has_program_names_date_cells_and_percentage_cells() -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(workbook(_rekap())))
    renewal = book.get_sheet_by_name("Perpanjangan").to_python()
    assert renewal[0] == [say("rekap.program"), "TMT", say("rekap.ended"), say("rekap.renewed"), say("rekap.rate")]
    names = {p.name for p in programs().by_id.values()}
    assert all(row[0] in names for row in renewal[1:])
    assert all(isinstance(row[1], (date, datetime)) for row in renewal[1:]), "TMT is a date cell"
    assert all(isinstance(row[4], float) and 0 <= row[4] <= 1 for row in renewal[1:] if row[4] != "-")
    weeks = book.get_sheet_by_name("Berakhir per minggu").to_python()[1:]
    assert all(isinstance(row[0], (date, datetime)) and row[1] in names for row in weeks)
    reminders = book.get_sheet_by_name("Pengingat").to_python()
    assert reminders[0][2] == say("rekap.status") and "status" not in reminders[0]
    assert {row[2] for row in reminders[1:]} <= set(NOTICE_LABELS.values())
    assert {row[1] for row in reminders[1:]} == {"H-30", "H-7"}
    everything = " ".join(str(c) for s in book.sheet_names for row in book.get_sheet_by_name(s).to_python()
                          for c in row)
    assert "pekerja-rentan" not in everything and "pekerja-sawit" not in everything
    assert "Invalid phone number" not in everything


def test_the_page_says_dates_one_way_and_counts_notices_and_numbers_apart() -> None:
    html = render(_rekap(), "2025-07-01.xlsx")
    assert "2025-0" not in html.split("<body>", 1)[1].replace("2025-07-01.xlsx", ""), "no ISO date on the page"
    assert say("rekap.reminders_lead") in html
    assert say("rekap.number_failed", count="1") in html
    assert "Invalid phone number" not in html and carrier_reason("Invalid phone number") in html
    assert "01-07-2025" in html, "the failure at 18.30 UTC on 30-06 is 01.30 WIB on 01-07"
    assert "(sementara)" not in html and NOTICE_LABELS["carrier_failed"] in html
