"""Dates as offices type them, and coverage ends."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lindungi import dates


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
