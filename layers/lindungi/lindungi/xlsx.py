"""Workbooks for staff (the fix-up workbook, the rekap): every text cell written as text, defused.

xlsxwriter is told never to turn a string into a formula, a link or a number (a NIK stays 16 digits),
and ``defuse`` puts a ``'`` before text that a spreadsheet would still evaluate once a person edits the
cell (OWASP's CSV-injection rule). ``Book`` is an in-memory workbook with the header and text formats
both staff workbooks use, and a date (dd-mm-yyyy) and a percentage format for real date and number cells.
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
WRAP = {"text_wrap": True, "valign": "top"}
DATE = {"num_format": "dd-mm-yyyy", "align": "left"}
PERCENT = {"num_format": "0.0%"}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]+$")


def defuse(value: str) -> str:
    """OWASP's CSV-injection rule: a leading ``'`` on text a spreadsheet would evaluate.

    Phone numbers such as "+62 812-3456" are left as typed; they are numbers, not formulas.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


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

    def worksheet(self, name: str, head: Sequence[str]) -> Any:
        """A new sheet (its name cut to Excel's 31 characters) with ``head`` as its frozen first row."""
        sheet = self.book.add_worksheet(name[:31])
        for col, label in enumerate(head):
            sheet.write_string(0, col, label, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()
