"""Self-payers (``bpu-mandiri``): a program of its own kind. No quota, no city reminders, a cover that ends
when the paid period ends, counted as the renewal of the city's covers on the rekap."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from lindungi.config import Programs, load_programs, programs
from lindungi.intake import store
from lindungi.intake.example import folders
from lindungi.intake.fields import Field, field_of, normalize
from lindungi.intake.validate import RowValidator
from lindungi.outcomes import AT_FAULT, LABELS, Reject, message
from lindungi.rekap.model import Cover, Rekap
from lindungi.rekap.page import render
from lindungi.rows import Accepted, Rejected, RowRef
from lindungi.sms import render as render_sms

SITI = "6172014509850003"
TODAY = date(2025, 9, 1)
COLUMNS = {Field.NIK: 0, Field.NAME: 1, Field.PHONE: 2, Field.COVERAGE_START: 3, Field.PAID_UNTIL: 4}
SELF_PAID = "bpu-mandiri"


def shipped_json() -> dict[str, Any]:
    from importlib import resources
    return json.loads(resources.files("lindungi").joinpath("programs.json").read_text("utf-8"))


def validate(tmt: Any, paid: Any, program: str = SELF_PAID) -> Accepted | Rejected:
    config = programs()
    return RowValidator(config, config.get(program), TODAY).validate(
        RowRef(2), [SITI, "SITI AMINAH", "0812-3456-7890", tmt, paid], COLUMNS)


@pytest.mark.parametrize(
    ("tmt", "paid", "expected"),
    [
        pytest.param("01-06-2025", "31-08-2025", ("2025-06-01", "2025-08-31"), id="tmt-and-paid-until-date"),
        pytest.param("01-06-2025", "2025-08-31", ("2025-06-01", "2025-08-31"), id="paid-until-iso"),
        pytest.param("01-06-2025", "31 Agustus 2025", ("2025-06-01", "2025-08-31"), id="paid-until-in-words"),
        pytest.param("01-06-2025", 45900, ("2025-06-01", "2025-08-31"), id="paid-until-serial-date"),
        pytest.param("01-06-2025", date(2025, 8, 31), ("2025-06-01", "2025-08-31"), id="paid-until-date-cell"),
        pytest.param("01-06-2025", "3 bulan", ("2025-06-01", "2025-08-31"), id="three-months-paid"),
        pytest.param("01-06-2025", 6, ("2025-06-01", "2025-11-30"), id="months-as-number-cell"),
        pytest.param("01-06-2025", "12 bln", ("2025-06-01", "2026-05-31"), id="months-abbreviated"),
        pytest.param("01-06-2025", "01-06-2025", ("2025-06-01", "2025-06-01"), id="paid-for-one-day"),
        pytest.param("01-06-2025", "", ("2025-06-01", "2025-06-30"), id="no-paid-until-default-months"),
        pytest.param("01-06-2025", None, ("2025-06-01", "2025-06-30"), id="empty-cell-default-months"),
        pytest.param("01-06-2025", "31-05-2025", ["paid_until_before_start"], id="paid-until-before-tmt"),
        pytest.param("01-06-2025", "lunas", ["paid_until_invalid"], id="paid-until-a-word"),
        pytest.param("01-06-2025", "31-13-2025", ["paid_until_invalid"], id="paid-until-impossible-date"),
        pytest.param("01-06-2025", 0, ["paid_until_invalid"], id="zero-months"),
        pytest.param("", "31-08-2025", ["start_date_missing"], id="no-tmt-and-no-default"),
        pytest.param("besok", "31-08-2025", ["start_date_invalid"], id="bad-tmt-good-paid-until"),
    ],
)
def test_a_self_payers_period(tmt: Any, paid: Any, expected: tuple[str, str] | list[str]) -> None:
    outcome = validate(tmt, paid)
    if isinstance(expected, list):
        assert isinstance(outcome, Rejected)
        assert [r.value for r in outcome.reasons] == expected
    else:
        assert isinstance(outcome, Accepted), outcome
        assert (outcome.program, outcome.coverage_start.isoformat(), outcome.coverage_end.isoformat()) == (
            SELF_PAID, *expected)


def test_a_city_list_without_paid_until_keeps_its_months() -> None:
    outcome = RowValidator(programs(), programs().get("pekerja-rentan"), TODAY).validate(
        RowRef(2), [SITI, "SITI AMINAH", "0812-3456-7890", "01-01-2025"],
        {Field.NIK: 0, Field.NAME: 1, Field.PHONE: 2, Field.COVERAGE_START: 3})
    assert isinstance(outcome, Accepted) and outcome.coverage_end == date(2025, 5, 31)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Iuran Sampai", Field.PAID_UNTIL), ("Paid until", Field.PAID_UNTIL), ("DIBAYAR SAMPAI", Field.PAID_UNTIL),
        ("Masa Iuran", Field.PAID_UNTIL), ("Iuran s/d", Field.PAID_UNTIL), ("Tgl Akhir Iuran", Field.PAID_UNTIL),
        ("Iuran dibayar sampai\ndengan", Field.PAID_UNTIL), ("Lunas sampai", Field.PAID_UNTIL),
        ("Tgl Mulai Iuran", Field.COVERAGE_START), ("TMT", Field.COVERAGE_START),
        ("Tanggal Akhir", None),
    ],
)
def test_paid_until_headers(header: str, field: Field | None) -> None:
    assert field_of(normalize(header)) is field


@pytest.mark.parametrize("code", [Reject.PAID_UNTIL_INVALID, Reject.PAID_UNTIL_BEFORE_START])
def test_the_new_codes_have_words_for_staff(code: Reject) -> None:
    assert "Iuran Sampai" in message(code) and LABELS[code] and "paid_until" in AT_FAULT[code]


def test_the_shipped_self_paid_program() -> None:
    program = programs().by_id[SELF_PAID]
    assert program.self_paid and program.quota is None and program.months == 1
    assert program.reminder_days == (), "no reminders by default"
    assert programs().match("BPU Mandiri") is program and programs().match("bpu sawit") is not program


def _with(**changes: Any) -> Programs:
    raw = shipped_json()
    raw["programs"][SELF_PAID].update(changes)
    return load_programs(json.dumps(raw))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param({"quota": 100}, "no quota", id="self-paid-with-a-quota"),
        pytest.param({"reminders": True, "templates": {}}, "own templates", id="reminded-in-the-citys-words"),
        pytest.param({"reminders": True, "templates": {"7": "Yth. {name}, iuran Anda sampai {end_date}. Info 175"}},
                     "stage 1", id="a-stage-without-words"),
        pytest.param({"reminders": True, "reminder_days": []}, "no reminder_days", id="reminded-without-stages"),
    ],
)
def test_a_wrong_self_paid_configuration_fails_at_load(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        _with(**changes)


def test_self_payers_reminded_when_the_setting_says_so_in_their_own_words() -> None:
    config = _with(reminders=True)
    program = config.by_id[SELF_PAID]
    assert program.reminder_days == (7, 1) and program.window_opens(7) == 10
    for stage in program.reminder_days:
        text = render_sms(config.reminders.template(SELF_PAID, stage), name="SITI AMINAH", end_date=date(2025, 8, 31))
        assert "iuran BPJS Ketenagakerjaan Anda sampai" in text.text and "berakhir" not in text.text, text.text
    assert "berakhir" in config.reminders.template("pekerja-rentan", 7)


@pytest.mark.parametrize("reminded", [False, True])
def test_a_self_paid_cover_is_in_the_reminder_index_either_way(reminded: bool) -> None:
    """Stored under its first stage's partition even with reminders off: switched on, the planner finds it."""
    config = _with(reminders=reminded)
    row = Accepted(RowRef(2), SITI, "SITI AMINAH", "+6281234567890", SELF_PAID, date(2025, 6, 1),
                   date(2025, 8, 31), sms_capable=True)
    item = store.coverage_item(row, store.Source("b", "incoming/bpu-mandiri/x.csv", None, "0" * 64, "t"), config)
    assert item["remind_key"] == f"{SELF_PAID}#7"


def _cover(program: str, start: str, end: str, nik: str = SITI) -> Cover:
    return Cover(nik, "SITI", program, date.fromisoformat(start), date.fromisoformat(end), "Singkawang Barat",
                 "Pasiran", True, f"incoming/{program}/x.csv", "2025-01-01")


def test_on_the_rekap_self_payers_renew_the_citys_covers_and_take_no_place_of_its_quota() -> None:
    rekap = Rekap(today=TODAY, programs=programs())
    rekap.add_worker([_cover("pekerja-rentan", "2025-01-01", "2025-05-31"),
                      _cover(SELF_PAID, "2025-06-10", "2025-12-31")])  # renewed with a gap of 9 days
    rekap.add_worker([_cover("pekerja-rentan", "2025-01-01", "2025-05-31", "6172031203900007")])  # lapsed
    rekap.add_worker([_cover(SELF_PAID, "2025-06-01", "2025-06-30", "6172035507800001")])  # a lapsed self-payer
    total = rekap.renewal()
    assert (total.ended, total.renewed) == (2, 1), "the headline: the city's covers, self-paid ones not in it"
    assert rekap.cohorts[(SELF_PAID, date(2025, 6, 1))].ended == 1, "self-payers are their own cohort line"
    assert rekap.covered == {SELF_PAID: 1}
    page = render(rekap)
    quota = page[page.index('id="quota-table"'):]
    table, after = quota[:quota.index("</table>")], quota[quota.index("</table>"):]
    assert "BPU Mandiri" in table and "7.737" in table and "tanpa kuota" not in table
    assert 'id="no-quota-bpu-mandiri">BPU Mandiri: tanpa kuota (bayar sendiri)</p>' in after


def test_the_example_workbook_names_the_self_payers_folder() -> None:
    notes = " ".join(folders(programs()))
    assert "incoming/bpu-mandiri/" in notes and "Iuran Sampai" in notes and "incoming/pekerja-rentan/" in notes
