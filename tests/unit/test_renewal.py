"""One definition of renewed (``lindungi.renewal``), its window read from programs.json."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

import pytest

from lindungi.config import load_programs, programs
from lindungi.renewal import Period, RenewalWindow

OLD = Period("pekerja-rentan", date(2025, 1, 1), date(2025, 5, 31))


def later(days_from_end: int, program: str = "bpu-mandiri") -> Period:
    start = OLD.end + timedelta(days=days_from_end)
    return Period(program, start, start + timedelta(days=90))


@pytest.mark.parametrize(
    ("days", "renews"),
    [(-61, False), (-60, True), (-1, True), (0, True), (1, True), (9, True), (90, True), (91, False)],
)
def test_a_later_cover_in_any_program_within_the_window_renews(days: int, renews: bool) -> None:
    window = programs().renewal
    assert (window.before, window.after) == (60, 90)
    assert window.renews(OLD, later(days)) is renews
    assert window.renewed(OLD, [OLD, later(days, "pekerja-rentan")]) is renews


def test_a_cover_never_renews_itself_nor_an_earlier_one() -> None:
    window = RenewalWindow()
    assert not window.renewed(OLD, [OLD])
    assert not window.renews(later(1), OLD)


def test_the_window_is_configuration() -> None:
    raw = json.loads(resources.files("lindungi").joinpath("programs.json").read_text("utf-8"))
    raw["renewal"] = {"from_days_before_end": 0, "until_days_after_end": 5}
    window = load_programs(json.dumps(raw)).renewal
    assert window.renews(OLD, later(5)) and not window.renews(OLD, later(6)) and not window.renews(OLD, later(-1))


def test_a_period_travels_as_a_token() -> None:
    assert Period.of_token(OLD.token()) == OLD and OLD.token() == "pekerja-rentan#2025-01-01#2025-05-31"
