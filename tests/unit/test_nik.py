"""NIK normalisation: one row a messy case, as offices type them."""

from __future__ import annotations

from datetime import date

import pytest

from lindungi import nik
from lindungi.outcomes import Reject, Warn

VALID = "6172014509850003"  # Singkawang Barat, woman born 05-09-1985, serial 0003


@pytest.mark.parametrize(
    ("cell", "expected_nik", "reject", "warnings"),
    [
        pytest.param(VALID, VALID, None, (), id="plain-text"),
        pytest.param("6172 0145 0985 0003", VALID, None, (), id="spaces"),
        pytest.param("6172.0145.0985.0003", VALID, None, (), id="dots"),
        pytest.param("6172-0145-0985-0003", VALID, None, (), id="dashes"),
        pytest.param("'6172014509850003", VALID, None, (), id="leading-apostrophe"),
        pytest.param("  6172014509850003 ", VALID, None, (), id="padded"),
        pytest.param(6172014509850003.0, VALID, None, (Warn.NIK_FROM_NUMBER,), id="number-cell-not-ending-0"),
        pytest.param(6172014509850003, VALID, None, (Warn.NIK_FROM_NUMBER,), id="int-cell"),
        pytest.param(6172014509850000.0, "6172014509850000", Reject.NIK_PRECISION_LOST, (), id="number-cell-cut"),
        pytest.param("6,17201E+15", "6,17201E+15", Reject.NIK_PRECISION_LOST, (), id="scientific-from-csv"),
        pytest.param("6.17201450985E+15", "6.17201450985E+15", Reject.NIK_PRECISION_LOST, (), id="scientific-dot"),
        pytest.param(None, None, Reject.NIK_MISSING, (), id="empty-cell"),
        pytest.param("   ", None, Reject.NIK_MISSING, (), id="blank-text"),
        pytest.param("617201450985", "617201450985", Reject.NIK_INVALID, (), id="too-short"),
        pytest.param("61720145098500031", "61720145098500031", Reject.NIK_INVALID, (), id="too-long"),
        pytest.param("6172014509850000", "6172014509850000", Reject.NIK_INVALID, (), id="serial-0000"),
        pytest.param("9972014509850003", "9972014509850003", Reject.NIK_INVALID, (), id="no-such-province"),
        pytest.param("6172013209850003", "6172013209850003", Reject.NIK_INVALID, (), id="day-32"),
        pytest.param("6172017213850003", "6172017213850003", Reject.NIK_INVALID, (), id="month-13"),
        pytest.param("6172013102850003", "6172013102850003", Reject.NIK_INVALID, (), id="31-february"),
        pytest.param("61720145O9850003", "61720145O9850003", Reject.NIK_INVALID, (), id="letter-O-for-zero"),
        pytest.param(12.5, "12.5", Reject.NIK_INVALID, (), id="fractional-number"),
    ],
)
def test_nik_normalize(
    cell: object, expected_nik: str | None, reject: Reject | None, warnings: tuple[Warn, ...]
) -> None:
    result = nik.normalize(cell)  # type: ignore[arg-type]
    assert (result.nik, result.reject, result.warnings) == (expected_nik, reject, warnings)


@pytest.mark.parametrize(
    ("value", "born", "gender"),
    [
        pytest.param("6172014509850003", date(1985, 9, 5), "P", id="woman-day-plus-40"),
        pytest.param("6172010509850003", date(1985, 9, 5), "L", id="man"),
        pytest.param("6172011203050001", date(2005, 3, 12), "L", id="yy-05-is-2005-not-1905"),
        pytest.param("6172011203990001", date(1999, 3, 12), "L", id="yy-99-is-1999"),
    ],
)
def test_nik_birth_date_and_gender(value: str, born: date, gender: str) -> None:
    assert nik.birth_date(value, today=date(2025, 6, 1)) == born
    assert nik.gender(value) == gender


def test_nik_mask_keeps_region_and_serial_only() -> None:
    assert nik.mask(VALID) == "6172********0003"
