"""What a PDF's rows must show before its report is believed: every NIK-shaped number in a reported row,
and no date or phone number in a column the header did not name.

A spreadsheet's cells are the list's own; a PDF's rows are the reader's reconstruction of it, so
two things are held against what the page itself shows:

- **Nothing with a NIK is set aside.** The reader counts the NIK-shaped numbers (``nik.shaped``)
  in every line of every page (``Tally``); the rows handed to validation, each of which ends
  accepted or rejected, must hold as many. Fewer means a worker went into a row set aside (a
  half of a row split over a page break, a line read as a title): the file is refused
  (``pdf_layout_unclear``) rather than reported without that worker.
- **A column is named or the file is refused, never defaulted.** A date in a column the header
  did not name, while no column is named TMT, would otherwise leave every row on the program's
  default start (the wrong end date, reminders on the wrong days); a phone number in such a
  column while no column is named for phones would lose every worker's reminders. Text in a
  column that has no header at all (a header that names fewer columns than the rows have) is
  as unplaced. Each refuses the file at the first row that shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lindungi import dates, phone
from lindungi.intake.fields import Field
from lindungi.intake.readers.base import Cell, FileFailure, RawRow, Tally
from lindungi.intake.table import Header
from lindungi.nik import shaped
from lindungi.outcomes import FileError
from lindungi.rows import Ignored

PHONE_DIGITS = 9
"""Fewer digits than this is no phone number (a house number, a count), whatever phonenumbers makes of it."""


def _date_like(cell: Cell) -> bool:
    """A date written as one (``01-03-2025``, ``1 Maret 2025``); a bare number (a serial, a postcode) is not."""
    return isinstance(cell, str) and not cell.strip().isdigit() and dates.parse(cell) is not None


def _phone_like(cell: Cell) -> bool:
    return (isinstance(cell, str) and sum(ch.isdigit() for ch in cell) >= PHONE_DIGITS
            and phone.normalize(cell).e164 is not None)


@dataclass
class Guard:
    """Watches a PDF's rows on their way to validation; ``close`` when they are all through."""

    header: Header
    tally: Tally
    reported: int = 0
    """NIK-shaped numbers in the rows handed to validation (each ends accepted or rejected)."""

    def rows(self, rows: Iterable[RawRow | Ignored]) -> Iterator[RawRow | Ignored]:
        mapped = set(self.header.columns.values())
        named = self.header.texts
        no_start = Field.COVERAGE_START not in self.header.columns
        no_phone = Field.PHONE not in self.header.columns
        for row in rows:
            if isinstance(row, RawRow):
                for col, cell in enumerate(row.cells):
                    if col in mapped or dates.is_blank(cell):
                        continue
                    if col >= len(named) or not named[col]:
                        self._refuse(row, f"text in column {col + 1}, which has no header")
                    if no_start and _date_like(cell):
                        self._refuse(row, f"dates in column {col + 1} ({named[col]!r}), no TMT column named")
                    if no_phone and _phone_like(cell):
                        self._refuse(row, f"phone numbers in column {col + 1} ({named[col]!r}), no phone column named")
                self.reported += sum(shaped(cell) for cell in row.cells if isinstance(cell, str))
            yield row

    @staticmethod
    def _refuse(row: RawRow, why: str) -> None:
        raise FileFailure(FileError.PDF_LAYOUT_UNCLEAR, f"page {row.ref.page} line {row.ref.line}: {why}")

    def close(self) -> None:
        """Every row through: refuse the file if a NIK-shaped number is in no reported row."""
        if self.tally.nik_shaped > self.reported:
            raise FileFailure(
                FileError.PDF_LAYOUT_UNCLEAR,
                f"{self.tally.nik_shaped} NIK-shaped numbers on the pages, {self.reported} in the rows reported",
            )
