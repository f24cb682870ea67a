"""Workbooks for staff (the fix-up workbook, the rekap): every text cell written as text, defused.

xlsxwriter is told never to turn a string into a formula, a link or a number (a NIK stays 16 digits),
and a text a spreadsheet would still evaluate once a person edits the cell (OWASP's CSV-injection rule)
carries the quote prefix, the cell format Excel gives a value typed after ``'``: the cell cannot run, and
its value is exactly the text, so a workbook staff correct and upload again gives back what they typed (a
literal ``'`` in the value, as ``defuse`` writes for plain text, would come back with it). ``Book`` is an
in-memory workbook with the header and text formats both staff workbooks use.
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
QUOTED = {"num_format": "@", "quote_prefix": True}

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
        self.quoted = self.book.add_format(QUOTED)
        self._quoted_general = self.book.add_format({"quote_prefix": True})

    def worksheet(self, name: str, head: Sequence[str]) -> Any:
        """A new sheet (its name cut to Excel's 31 characters) with ``head`` as its frozen first row."""
        sheet = self.book.add_worksheet(name[:31])
        for col, label in enumerate(head):
            sheet.write_string(0, col, label, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def write_text(self, sheet: Any, line: int, col: int, value: str, as_text: bool = True) -> None:
        """``value`` as a string cell, in the text format (``as_text``), with the quote prefix if it is formula-like."""
        if formula_like(value):
            sheet.write_string(line, col, value, self.quoted if as_text else self._quoted_general)
        else:
            sheet.write_string(line, col, value, self.text if as_text else None)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()
