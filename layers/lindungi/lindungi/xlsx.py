"""Workbooks for staff (the fix-up workbook, the rekap): every text cell written as text, defused.

xlsxwriter is told never to turn a string into a formula, a link or a number (a NIK stays 16 digits),
and a text a spreadsheet would still evaluate once a person edits the cell (OWASP's CSV-injection rule)
carries the quote prefix, the cell format Excel gives a value typed after ``'``: the cell cannot run, and
its value is exactly the text, so a workbook staff correct and upload again gives back what they typed (a
literal ``'`` in the value, as ``defuse`` writes for plain text, would come back with it). ``Book`` is an
in-memory workbook with the header and text formats both staff workbooks use, and a date (dd-mm-yyyy) and a
percentage format for real date and number cells.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import xlsxwriter

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "in_memory": True}
"""xlsxwriter's workbook options: strings stay strings."""
HEADER = {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True}
TEXT = {"num_format": "@"}
QUOTED = {**TEXT, "quote_prefix": True}
WRAP = {"text_wrap": True, "valign": "top"}
DATE = {"num_format": "dd-mm-yyyy", "align": "left"}
PERCENT = {"num_format": "0.0%"}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]+$")


def formula_like(value: str) -> bool:
    """Text a spreadsheet would evaluate if typed into a cell. Phone numbers such as "+62 812-3456" are
    numbers, not formulas."""
    return value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value)


def defuse(value: str) -> str:
    """OWASP's CSV-injection rule for plain text: a leading ``'`` on text a spreadsheet would evaluate.
    Workbooks use ``Book.write_text`` instead, which keeps the value and marks the cell."""
    return "'" + value if formula_like(value) else value


class Book:
    """An ``.xlsx`` built in memory; ``close`` gives its bytes."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, OPTIONS)
        self.header = self.book.add_format(HEADER)
        self.text = self.book.add_format(TEXT)
        self.wrap = self.book.add_format(WRAP)
        self.date = self.book.add_format(DATE)
        self.percent = self.book.add_format(PERCENT)
        self.quoted = self.book.add_format(QUOTED)
        self._quoted: dict[int | None, Any] = {
            None: self.book.add_format({"quote_prefix": True}),
            id(self.text): self.quoted,
            id(self.wrap): self.book.add_format({**WRAP, "quote_prefix": True}),
        }

    def worksheet(self, name: str, head: Sequence[str]) -> Any:
        """A new sheet (its name cut to Excel's 31 characters) with ``head`` as its frozen first row."""
        sheet = self.book.add_worksheet(name[:31])
        for col, label in enumerate(head):
            sheet.write_string(0, col, label, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def write_text(self, sheet: Any, line: int, col: int, value: str, cell_format: Any = None) -> None:
        """``value`` as a string cell in ``cell_format`` (``text``, ``wrap`` or none), that format with the quote
        prefix if the value is formula-like."""
        if formula_like(value):
            sheet.write_string(line, col, value, self._quoted[None if cell_format is None else id(cell_format)])
        else:
            sheet.write_string(line, col, value, cell_format)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()
