"""Row validation: a worker row's cells, as the readers give them, to accepted (with warnings) or rejected."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from lindungi.config import Programs, load_programs, programs
from lindungi.intake.fields import Field
from lindungi.intake.validate import RowValidator
from lindungi.rows import Accepted, Rejected, RowRef

SITI = "6172014509850003"  # woman, born 05-09-1985, Singkawang Barat
TODAY = date(2025, 6, 1)
COLUMNS = {Field.NIK: 1, Field.NAME: 2, Field.PHONE: 3, Field.BIRTH_DATE: 4, Field.GENDER: 5,
           Field.COVERAGE_START: 6}
WITH_PROGRAM = {**COLUMNS, Field.PROGRAM: 7}


def row(**overrides: Any) -> list[Any]:
    values = {"no": "1", "nik": SITI, "name": "SITI AMINAH", "phone": "0812-3456-7890", "born": "05-09-1985",
              "gender": "P", "tmt": "01-01-2025"} | overrides
    return list(values.values())


def validator(program: str | None = "pekerja-rentan", config: Programs | None = None) -> RowValidator:
    config = config or programs()
    return RowValidator(config, config.get(program), TODAY)


def codes(outcome: Accepted | Rejected) -> tuple[str, list[str]]:
    if isinstance(outcome, Rejected):
        return "rejected", [r.value for r in outcome.reasons]
    return "accepted", [w.value for w in outcome.warnings]


@pytest.mark.parametrize(
    ("overrides", "outcome", "expected"),
    [
        pytest.param({}, "accepted", [], id="clean-row"),
        pytest.param({"nik": ""}, "rejected", ["nik_missing"], id="nik_missing"),
        pytest.param({"nik": "617201450985"}, "rejected", ["nik_invalid"], id="nik_invalid-short"),
        pytest.param({"nik": "6172014509850000"}, "rejected", ["nik_invalid"], id="nik_invalid-serial-0000"),
        pytest.param({"nik": 6172014509850000.0}, "rejected", ["nik_precision_lost"], id="nik_precision_lost"),
        pytest.param({"nik": 6172014509850003.0}, "accepted", ["nik_from_number"], id="nik_from_number"),
        pytest.param({"name": ""}, "rejected", ["name_missing"], id="name_missing"),
        pytest.param({"nik": "123", "name": ""}, "rejected", ["nik_invalid", "name_missing"], id="two-reasons"),
        pytest.param({"tmt": "31-13-2025"}, "rejected", ["start_date_invalid"], id="start_date_invalid"),
        pytest.param({"tmt": "besok"}, "rejected", ["start_date_invalid"], id="start_date_invalid-word"),
        pytest.param({"phone": ""}, "accepted", ["phone_missing"], id="phone_missing"),
        pytest.param({"phone": "12345"}, "accepted", ["phone_invalid"], id="phone_invalid"),
        pytest.param({"phone": "(0561) 631234"}, "accepted", ["phone_not_mobile"], id="phone_not_mobile"),
        pytest.param({"phone": "0812-3456-7890 / 0813-1111-2222"}, "accepted", ["phone_multiple"],
                     id="phone_multiple"),
        pytest.param({"phone": 81234567890.0}, "accepted", [], id="phone-number-cell-lost-zero"),
        pytest.param({"born": "06-09-1985"}, "accepted", ["birth_date_mismatch"], id="birth_date_mismatch"),
        pytest.param({"gender": "L"}, "accepted", ["birth_date_mismatch"], id="gender-disagrees-with-nik"),
        pytest.param({"born": date(1985, 9, 5)}, "accepted", [], id="birth-date-cell-agrees"),
        pytest.param({"nik": "6171014509850003"}, "accepted", ["nik_outside_region"], id="nik_outside_region"),
        pytest.param({"tmt": date(2025, 2, 1)}, "accepted", [], id="tmt-date-cell"),
        pytest.param({"tmt": 45658.0}, "accepted", [], id="tmt-serial-number"),
        pytest.param({"nik": "6171014509850000", "tmt": "x"}, "rejected", ["nik_invalid", "start_date_invalid"],
                     id="reasons-in-domain-order"),
    ],
)
def test_row_outcome_codes(overrides: dict[str, Any], outcome: str, expected: list[str]) -> None:
    assert codes(validator().validate(RowRef(line=3), row(**overrides), COLUMNS)) == (outcome, expected)


def test_an_accepted_row_holds_the_cleaned_record() -> None:
    accepted = validator().validate(RowRef(line=3), row(name=" SITI  AMINAH "), COLUMNS)
    assert isinstance(accepted, Accepted)
    assert (accepted.nik, accepted.name, accepted.phone, accepted.program) == (
        SITI, "SITI AMINAH", "+6281234567890", "pekerja-rentan")
    assert (accepted.coverage_start, accepted.coverage_end) == (date(2025, 1, 1), date(2025, 5, 31))
    assert (accepted.birth_date, accepted.gender, accepted.sms_capable) == (date(1985, 9, 5), "P", True)
    assert accepted.raw == {}  # a clean row does not keep its cells twice


def test_a_warned_or_rejected_row_keeps_its_cells_as_typed() -> None:
    warned = validator().validate(RowRef(line=3), row(phone="12345"), COLUMNS)
    rejected = validator().validate(RowRef(line=4), row(name=""), COLUMNS)
    assert warned.raw["phone"] == "12345" and warned.raw["nik"] == SITI
    assert rejected.raw == {"nik": SITI, "name": "", "phone": "0812-3456-7890", "birth_date": "05-09-1985",
                            "gender": "P", "coverage_start": "01-01-2025"}


def test_a_row_shorter_than_the_header_reads_missing_cells_as_empty() -> None:
    outcome = validator().validate(RowRef(line=3), ["1", SITI, "SITI"], COLUMNS)
    assert codes(outcome) == ("accepted", ["phone_missing"])


def test_duplicate_in_file_keeps_the_first() -> None:
    check = validator()
    first = check.validate(RowRef(line=2), row(name="SITI"), COLUMNS)
    second = check.validate(RowRef(line=3), row(name="SITI A."), COLUMNS)
    assert isinstance(first, Accepted)
    assert codes(second) == ("rejected", ["duplicate_in_file"])


def test_duplicate_across_sheets_of_one_file() -> None:
    check = validator()
    check.validate(RowRef(line=2, sheet="Kec. Barat"), row(), COLUMNS)
    assert codes(check.validate(RowRef(line=2, sheet="Kec. Timur"), row(), COLUMNS)) == (
        "rejected", ["duplicate_in_file"])


def test_a_rejected_row_does_not_take_the_nik_for_a_later_clean_one() -> None:
    check = validator()
    assert codes(check.validate(RowRef(line=2), row(name=""), COLUMNS)) == ("rejected", ["name_missing"])
    assert codes(check.validate(RowRef(line=3), row(), COLUMNS)) == ("accepted", [])


def test_same_nik_in_two_programs_is_not_a_duplicate() -> None:
    check = validator(program=None)
    outcomes = [check.validate(RowRef(line=n), [*row(), label], WITH_PROGRAM)
                for n, label in ((2, "Rentan"), (3, "BPU Sawit"))]
    assert sorted(o.program for o in outcomes if isinstance(o, Accepted)) == ["pekerja-rentan", "pekerja-sawit"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        pytest.param("PKH", ("rejected", ["program_invalid"]), id="unknown-value"),
        pytest.param("", ("rejected", ["program_invalid"]), id="blank-and-no-program-from-the-folder"),
        pytest.param("Rentan", ("accepted", []), id="known-value"),
    ],
)
def test_program_column(label: str, expected: tuple[str, list[str]]) -> None:
    assert codes(validator(program=None).validate(RowRef(line=2), [*row(), label], WITH_PROGRAM)) == expected


def test_start_date_missing_without_program_default() -> None:
    custom = load_programs(json.dumps({
        "timezone": "Asia/Pontianak", "region_prefix": "6172",
        "programs": {"pekerja-rentan": {"name": "Pekerja Rentan", "months": 5, "quota": 10, "default_start": None,
                                        "reminder_days": [30, 7, 1]}},
    }))
    outcome = validator(config=custom).validate(RowRef(line=3), row(tmt=""), COLUMNS)
    assert codes(outcome) == ("rejected", ["start_date_missing"])


def test_default_tmt_and_coverage_end_follow_the_program() -> None:
    accepted = validator(program="pekerja-sawit").validate(RowRef(line=3), row(tmt=""), COLUMNS)
    assert isinstance(accepted, Accepted)
    assert (accepted.coverage_start, accepted.coverage_end) == (date(2025, 1, 1), date(2025, 12, 31))
