"""Dates as offices type them: day before month, Indonesian month names.

Accepted: spreadsheet date cells and serial numbers, ``dd-mm-yyyy``,
``dd/mm/yyyy``, ``dd.mm.yyyy``, ``yyyy-mm-dd``, ``12 Januari 2025``,
``12 Jan 2025``, ``12-Agu-2025``, with a two-digit year read as 20YY. A
fixed list of formats, not a guessing parser: a list from an office is
either one of these or a mistake staff should see.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

Cell = str | int | float | bool | date | None

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("januari", "jan", "january"),
        ("februari", "feb", "pebruari", "peb", "february"),
        ("maret", "mar", "march"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "jun", "june"),
        ("juli", "jul", "july"),
        ("agustus", "agu", "agt", "ags", "aug", "august"),
        ("september", "sep", "sept"),
        ("oktober", "okt", "oct", "october"),
        ("november", "nov", "nop", "nopember"),
        ("desember", "des", "dec", "december"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_NUMERIC_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_NAMED = re.compile(r"(\d{1,2})[\s\-/.]+([A-Za-z]+)\.?[\s\-/.,]+(\d{4}|\d{2})")
_EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers from 1955 to 2119: anything else in a date column is not a date.
_SERIAL_RANGE = (20_000, 80_000)


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


@lru_cache(maxsize=16_384)  # a list repeats its TMTs, and birth dates over thousands of rows
def _parse_text(text: str) -> date | None:
    text = " ".join(text.strip().split())
    if m := _ISO.fullmatch(text):
        return _safe(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DMY.fullmatch(text):
        return _safe(_year(m[3]), int(m[2]), int(m[1]))
    if m := _NAMED.fullmatch(text):
        month = MONTHS.get(m[2].lower())
        return _safe(_year(m[3]), month, int(m[1])) if month else None
    if text.isdigit() and _SERIAL_RANGE[0] <= int(text) <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    return None


def parse(cell: Cell) -> date | None:
    """The date in a cell, or None when it holds something that is not a date."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)):
        if float(cell).is_integer() and _SERIAL_RANGE[0] <= cell <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=int(cell))
        return None
    if not isinstance(cell, str):  # a time or duration cell: calamine gives those too
        return None
    return _parse_text(cell) if cell.strip() else None


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def add_months(start: date, months: int) -> date:
    """Calendar months; the day is clamped to the month's last day (31 Jan + 1 -> 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=4096)
def coverage_end(start: date, months: int) -> date:
    """Start plus the program's months, minus one day: 2025-01-01 + 5 -> 2025-05-31."""
    return add_months(start, months) - timedelta(days=1)
