"""Properties (Hypothesis): the normalisers take any cell, and a whole list always ends in one outcome a row.

For generated lists (CSV and .xlsx, valid workers mixed with garbage cells and duplicates):
``check`` never fails the file, every row ends in exactly one outcome (accepted, rejected or
ignored), and shuffling the rows changes nothing but which copy of a duplicated NIK comes first.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lindungi import dates, nik, phone
from lindungi.intake import fields
from lindungi.intake.check import check
from lindungi.intake.fields import Field
from lindungi.intake.report import Report
from lindungi.intake.validate import text
from lindungi.outcomes import Reject
from lindungi.rows import Accepted, Rejected
from lindungi.settings import Limits
from lindungi_dev import samples

PROGRAM = "pekerja-rentan"
TODAY = date(2025, 6, 1)
FAST = settings(max_examples=150, deadline=None)
LISTS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)
# Text shaped like what offices type: digits, separators, letters, Indonesian month names, invisible marks.
typed = st.text(alphabet=st.sampled_from("0123456789 -./+'()abcdefghijlmnoprstuvwxyzABDEGHJLMNOPRS\u200b\u00a0"),
                max_size=24)


# ------------------------------------------------------------------------------- normalisers


@FAST
@given(any_cell)
def test_nik_normalize_takes_any_cell(cell: Any) -> None:
    result = nik.normalize(cell)
    if result.reject is None:
        assert result.nik is not None and len(result.nik) == 16 and result.nik.isascii()
        nik.birth_date(result.nik, TODAY)  # a valid NIK always has a birth date


@FAST
@given(st.one_of(any_cell, typed))
def test_phone_normalize_takes_any_cell(cell: Any) -> None:
    result = phone.normalize(cell)
    assert result.e164 is None or (result.e164.startswith("+62") and result.e164[1:].isdigit())
    assert result.sms_capable == (result.e164 is not None and result.warning is None)


@FAST
@given(st.one_of(any_cell, typed))
def test_dates_parse_takes_any_cell(cell: Any) -> None:
    parsed = dates.parse(cell)
    assert parsed is None or isinstance(parsed, date)


@FAST
@given(st.one_of(any_cell, typed))
def test_headers_and_text_take_any_cell(cell: Any) -> None:
    normalised = fields.normalize(cell)
    assert normalised == normalised.strip()
    fields.field_of(normalised)
    cleaned = text(cell)
    assert cleaned == " ".join(cleaned.split())


@FAST
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 36))
def test_coverage_end_is_the_day_before_start_plus_months(start: date, months: int) -> None:
    end = dates.coverage_end(start, months)
    assert end < dates.add_months(start, months) and end + timedelta(days=1) == dates.add_months(start, months)


# ----------------------------------------------------------------------------- whole lists

POOL = samples.workers(12, PROGRAM, seed=66)
HEADER = ["No", "NIK", "Nama", "No HP", "Tanggal Lahir", "L/P", "TMT"]
# The first data row is a plain worker, so no generated row can pass for the second line of a header.
ANCHOR = ["100", "6172054107900001", "ANCHOR", "081298765432", "01-07-1990", "P", "01-01-2025"]
garbage = st.text(alphabet=st.sampled_from("0123456789 -./'abcdefghijlmnoprstuvwxyzABDEGHJLMNOPRSTU\u200b"),
                  max_size=20)


@st.composite
def worker_row(draw: st.DrawFn) -> list[str]:
    w = draw(st.sampled_from(POOL))
    cells = [w.nik, w.name, w.phone, w.birth_date.strftime("%d-%m-%Y"), w.gender, w.tmt]
    # Any column may be spoiled: garbage, blank, or a typical typing slip.
    spoiled = draw(st.sets(st.integers(0, len(cells) - 1), max_size=2)) if draw(st.booleans()) else set()
    for index in spoiled:
        cells[index] = draw(st.one_of(garbage, st.just(""), st.just(cells[index][:-1])))
    return cells


garbage_row = st.lists(garbage, min_size=6, max_size=6)
rows_strategy = st.lists(st.one_of(worker_row(), worker_row(), worker_row(), garbage_row), min_size=1, max_size=40)


def numbered(rows: list[list[str]]) -> list[list[str]]:
    # "No" above 60 so that no row can look like the "(1) (2) (3)" line under a header, or a footer.
    return [[str(101 + n), *row] for n, row in enumerate(rows)]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([["DAFTAR PEKERJA RENTAN 2025"], [], HEADER, ANCHOR, *rows])
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Daftar")
    for line, row in enumerate([["DAFTAR PEKERJA RENTAN 2025"], [], HEADER, ANCHOR, *rows]):
        for col, value in enumerate(row):
            if value:
                sheet.write_string(line, col, value)
    book.close()
    return buffer.getvalue()


def run(data: bytes, name: str) -> Report:
    return check(data, name, PROGRAM, limits=Limits(), today=TODAY)


def outcome_by_no(report: Report) -> dict[str, tuple[str, ...]]:
    """Each data row's outcome, by its "No" cell (the line moves when rows are shuffled, the number does not)."""
    first_data_line = min(o.row.line for o in [*report.accepted, *report.rejected])  # the anchor
    out: dict[str, tuple[str, ...]] = {}
    for outcome in [*report.accepted, *report.rejected, *report.ignored]:
        key = str(outcome.row.line - first_data_line)
        assert key not in out, f"line {outcome.row.line} has two outcomes"
        if isinstance(outcome, Accepted):
            out[key] = ("accepted", outcome.nik, *sorted(w.value for w in outcome.warnings))
        elif isinstance(outcome, Rejected):
            out[key] = ("rejected", *sorted(r.value for r in outcome.reasons))
        else:
            out[key] = ("ignored", outcome.reason)
    return out


def check_list(rows: list[list[str]], write: Any, name: str, seed: int) -> None:
    rows = numbered(rows)
    report = run(write(rows), name)
    assert report.error is None, report.error_detail
    outcomes = outcome_by_no(report)
    # Exactly one outcome a row: the anchor plus every generated row, none lost, none twice.
    assert sorted(outcomes, key=int) == [str(n) for n in range(len(rows) + 1)]

    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    again = outcome_by_no(run(write(shuffled), name))
    by_row_number = {row[0]: outcomes[str(n + 1)] for n, row in enumerate(rows)}
    by_row_number_again = {row[0]: again[str(n + 1)] for n, row in enumerate(shuffled)}
    duplicate = ("rejected", Reject.DUPLICATE_IN_FILE.value)
    for number, first in by_row_number.items():
        second = by_row_number_again[number]
        if first != second:
            # Only which copy of a NIK is kept may change: one side accepted, the other a duplicate.
            assert duplicate in (first, second), (number, first, second)
            assert {first[0], second[0]} == {"accepted", "rejected"}
    # Each valid NIK is accepted exactly once, whatever the order.
    for result in (by_row_number, by_row_number_again):
        accepted = Counter(o[1] for o in result.values() if o[0] == "accepted")
        assert all(count == 1 for count in accepted.values())
    assert Counter(o[0] for o in by_row_number.values()) == Counter(o[0] for o in by_row_number_again.values())
    event(f"accepted: {min(sum(o[0] == 'accepted' for o in by_row_number.values()), 3)}+")
    event(f"duplicates moved: {sum(by_row_number[k] != by_row_number_again[k] for k in by_row_number) > 0}")


@LISTS
@given(rows_strategy, st.integers(0, 2**32))
def test_generated_csv_list_ends_in_one_outcome_a_row_whatever_the_order(rows: list[list[str]], seed: int) -> None:
    check_list(rows, as_csv, "daftar.csv", seed)


@LISTS
@given(rows_strategy, st.integers(0, 2**32))
def test_generated_xlsx_list_ends_in_one_outcome_a_row_whatever_the_order(rows: list[list[str]], seed: int) -> None:
    check_list(rows, as_xlsx, "daftar.xlsx", seed)


@FAST
@given(st.lists(st.lists(any_cell, max_size=8), max_size=12))
def test_validation_of_any_cells_never_raises(rows: list[list[Any]]) -> None:
    """Rows straight into the validator, cells of every type calamine can give (times, durations too)."""
    from lindungi.config import programs
    from lindungi.intake.readers.base import RawRow, Table
    from lindungi.intake.table import find_list
    from lindungi.intake.validate import RowValidator
    from lindungi.rows import RowRef

    shipped = programs()
    sheet = Table(name="S", rows=[RawRow(RowRef(line=n + 2), cells) for n, cells in enumerate([HEADER, *rows])])
    found = find_list(sheet)
    assert found.header is not None and Field.NIK in found.header.columns
    outcomes = list(RowValidator(shipped, shipped.get(PROGRAM), TODAY).outcomes(found.rows, found.header.columns))
    assert len({o.row.line for o in outcomes}) == len(outcomes)
    assert len(outcomes) <= len(rows)


def test_time_and_duration_cells_do_not_fail_the_file() -> None:
    """calamine gives ``time`` and ``timedelta`` cells; they are wrong values, not a broken file."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    clock = book.add_format({"num_format": "hh:mm"})
    for col, label in enumerate(["NIK", "Nama", "No HP", "TMT"]):
        sheet.write_string(0, col, label)
    sheet.write_string(1, 0, "6172014509850003")
    sheet.write_string(1, 1, "SITI")
    sheet.write_datetime(1, 2, datetime(2025, 1, 1, 8, 30), clock)
    sheet.write_number(1, 3, 0.5, clock)  # a time of day where the TMT should be
    book.close()
    report = run(buffer.getvalue(), "daftar.xlsx")
    assert report.error is None
    (row,) = report.rejected
    assert row.reasons == [Reject.START_DATE_INVALID]
