"""NIK, phone and date normalisation: one row a messy case, as offices type them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lindungi import dates, nik, phone
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


@pytest.mark.parametrize(
    ("cell", "e164", "warnings"),
    [
        pytest.param("081234567890", "+6281234567890", (), id="08-plain"),
        pytest.param("0812-3456-7890", "+6281234567890", (), id="dashes"),
        pytest.param("0812 3456 7890", "+6281234567890", (), id="spaces"),
        pytest.param("(0812) 3456.7890", "+6281234567890", (), id="brackets-dots"),
        pytest.param("+62 812 3456 7890", "+6281234567890", (), id="plus-62"),
        pytest.param("6281234567890", "+6281234567890", (), id="62-no-plus"),
        pytest.param("81234567890", "+6281234567890", (), id="leading-zero-lost-text"),
        pytest.param(81234567890.0, "+6281234567890", (), id="leading-zero-lost-number-cell"),
        pytest.param(6281234567890, "+6281234567890", (), id="62-number-cell"),
        pytest.param("'081234567890", "+6281234567890", (), id="apostrophe"),
        pytest.param("0812-3456-7890 / 0813-1111-2222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-slash"),
        pytest.param("081234567890, 081311112222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-comma"),
        pytest.param("081234567890 atau 081311112222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-atau"),
        pytest.param("0812 3456 7890\n0813 1111 2222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-lines"),
        pytest.param("0561 631234", "+62561631234", (Warn.PHONE_NOT_MOBILE,), id="singkawang-landline"),
        pytest.param("(0561) 631234 / 0812-3456-7890", "+62561631234",
                     (Warn.PHONE_MULTIPLE, Warn.PHONE_NOT_MOBILE), id="landline-first-of-two"),
        pytest.param("12345", None, (Warn.PHONE_INVALID,), id="too-short"),
        pytest.param("+60 12-345 6789", None, (Warn.PHONE_INVALID,), id="malaysian-mobile"),
        pytest.param("tidak ada", None, (Warn.PHONE_INVALID,), id="words"),
        pytest.param("", None, (Warn.PHONE_MISSING,), id="empty"),
        pytest.param(None, None, (Warn.PHONE_MISSING,), id="none"),
        pytest.param("-", None, (Warn.PHONE_MISSING,), id="dash-placeholder"),
    ],
)
def test_phone_normalize(cell: object, e164: str | None, warnings: tuple[Warn, ...]) -> None:
    result = phone.normalize(cell)  # type: ignore[arg-type]
    assert (result.e164, result.warnings) == (e164, warnings)
    assert result.sms_capable == (e164 is not None and Warn.PHONE_NOT_MOBILE not in warnings)


@pytest.mark.parametrize(
    "number", ["0811234567", "081234567890", "0857123456789", "0895123456789", "087812345678", "085212345678"]
)
def test_phone_fast_path_agrees_with_libphonenumber(number: str) -> None:
    """The fast path is an optimisation only: the full parser gives the same answer."""
    import phonenumbers

    parsed = phonenumbers.parse(number, "ID")
    full = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    assert phonenumbers.is_valid_number(parsed)
    assert phone.normalize(number).e164 == full


def test_phone_mask() -> None:
    assert phone.mask("+6281234567890") == "+62812****7890"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("01-01-2025", date(2025, 1, 1), id="dd-mm-yyyy"),
        pytest.param("05/02/2025", date(2025, 2, 5), id="dd/mm/yyyy-day-first"),
        pytest.param("5.2.2025", date(2025, 2, 5), id="d.m.yyyy"),
        pytest.param("2025-02-05", date(2025, 2, 5), id="iso"),
        pytest.param("2025-02-05 00:00:00", date(2025, 2, 5), id="iso-with-time"),
        pytest.param("12 Januari 2025", date(2025, 1, 12), id="indonesian-month"),
        pytest.param("12 Jan 2025", date(2025, 1, 12), id="short-month"),
        pytest.param("12-Agu-2025", date(2025, 8, 12), id="agu"),
        pytest.param("17 Agustus 1945", date(1945, 8, 17), id="agustus"),
        pytest.param("1 Mei 2025", date(2025, 5, 1), id="mei"),
        pytest.param("01-Okt-25", date(2025, 10, 1), id="two-digit-year"),
        pytest.param("3 Desember 2025", date(2025, 12, 3), id="desember"),
        pytest.param("45658", date(2025, 1, 1), id="serial-as-text"),
        pytest.param(45658.0, date(2025, 1, 1), id="serial-number-cell"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 1), id="date-cell"),
        pytest.param(datetime(2025, 3, 1, 0, 0), date(2025, 3, 1), id="datetime-cell"),
        pytest.param("31-02-2025", None, id="31-february"),
        pytest.param("31-13-2025", None, id="month-13"),
        pytest.param("besok", None, id="word"),
        pytest.param("12 Foo 2025", None, id="unknown-month"),
        pytest.param(3.5, None, id="fraction"),
        pytest.param(12.0, None, id="small-number"),
        pytest.param(None, None, id="none"),
    ],
)
def test_dates_parse(cell: object, expected: date | None) -> None:
    assert dates.parse(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        pytest.param(date(2025, 1, 1), 5, date(2025, 5, 31), id="domain-example-rentan"),
        pytest.param(date(2025, 1, 1), 12, date(2025, 12, 31), id="sawit-year"),
        pytest.param(date(2025, 2, 1), 5, date(2025, 6, 30), id="feb-start"),
        pytest.param(date(2025, 3, 15), 12, date(2026, 3, 14), id="mid-month-over-year"),
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 27), id="clamped-to-february"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 28), id="leap-year-clamp"),
    ],
)
def test_coverage_end(start: date, months: int, end: date) -> None:
    assert dates.coverage_end(start, months) == end
