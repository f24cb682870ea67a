"""What every reader gives: tables of raw rows, each row knowing where a person sees it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from lindungi.outcomes import FileError, Warn
from lindungi.rows import RowRef

Cell = str | int | float | bool | date | None


@dataclass(frozen=True, slots=True)
class RawRow:
    ref: RowRef
    cells: Sequence[Cell]
    warnings: tuple[Warn, ...] = ()
    """What the reader itself is unsure of in this row (a PDF's column boundary or wrapped line)."""
    spacing: frozenset[int] = frozenset()
    """Cells whose text wraps over lines where the reader could not tell a break at a space from a word broken
    in two (a PDF's narrow ruled cell): read with a space, warned where the field is a name (``validate``)."""


@dataclass
class Tally:
    """What a reader counted in the file's own text, to hold the rows reported against (a PDF's)."""

    nik_shaped: int = 0
    """NIK-shaped numbers in the text (``nik.shaped``), every line of every page read so far."""


@dataclass(frozen=True)
class Table:
    """One sheet, one CSV, or one PDF's list (its pages joined)."""

    name: str | None
    rows: Iterable[RawRow]
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()
    """Merged ranges as ((first row, first col), (last row, last col)), 0-based, as calamine gives them."""
    tally: Tally | None = None
    """Filled as the rows are read, by a reader that counts its text (the PDF reader); None for others."""


class FileFailure(Exception):
    """The file fails as a whole; carries the outcome code staff will read."""

    def __init__(self, code: FileError, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail
