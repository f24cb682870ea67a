"""How big an xlsx really is, measured while its zip entries stream past, before calamine builds a grid.

calamine makes every sheet a dense grid from its first to its last used cell (tafia/calamine#693):
one value at A1 and one at XFD1048576 is a 17-billion-cell grid, a 512 GiB allocation, and a Rust
allocation failure aborts the process (Python cannot catch it). So the real extent, from every
cell's ``r="B7"`` reference, is measured here and checked against ``Limits.max_cells`` first; the
``<dimension ref>`` a sheet declares is read too but never trusted (calamine does not use it).
``sharedStrings.xml``'s declared ``uniqueCount`` is compared with the strings it holds:
calamine reserves room for the declared number (``count`` it ignores).

When a cell has no ``r`` (allowed: its place follows from the previous cell) or a tag is too long to
measure, the scan cannot vouch for the extent: ``Extent.sure`` is False and the reader loads the
sheets in a child process under a memory limit instead (see ``isolate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lindungi.intake.readers.base import FileFailure
from lindungi.outcomes import FileError
from lindungi.settings import Limits

# Cells are measured in the spelling every writer uses, ``<c r="B7"``; a cell spelled any other way
# (no ``r``, ``r`` not first, a namespace prefix) is "unplaced": the scan then cannot vouch for the extent.
# Every tag opening a cell is counted (at C speed); those with a reference are matched for their row.
# Columns are few: a cell in a column not seen yet is searched for, and only then are columns listed.
_CELL_OPENINGS = (b"<c ", b"<c>", b"<c/>")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
_PLACED_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_PLACED_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s[^<>]*?ref=["'](?:[A-Z]+[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})["']""")
_SST = re.compile(rb"<(?:\w+:)?sst\s[^<>]*>")
_DECLARED = re.compile(rb"""uniqueCount=["']([0-9]{1,20})["']""")
_STRING_OPENINGS = (b"<si>", b"<si ", b"<si/>")
_PREFIXED_STRING = re.compile(rb"<[A-Za-z_][\w.-]*:si[\s/>]")
_HEAD = 64 * 1024
_LONGEST_TAG = 4096


def column_number(letters: bytes) -> int:
    """``b"A"`` -> 1, ``b"XFD"`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@dataclass
class PartScan:
    """One zip entry, fed in chunks; only complete tags are matched (a cut tag waits for the next chunk)."""

    name: str
    placed: int = 0
    unplaced: bool = False
    rows: tuple[int, int] | None = None
    columns: set[bytes] = field(default_factory=set)
    declared_extent: tuple[int, int] | None = None
    shared_strings: bool = False
    """This part is a shared-string table (``<sst>``)."""
    declared_strings: int = 0
    strings: int = 0
    too_long_tag: bool = False
    _tail: bytes = b""
    _seen: int = 0
    _unseen: re.Pattern[bytes] | None = None
    """Matches a placed cell in a column not in ``columns``."""

    def feed(self, chunk: bytes, last: bool = False) -> None:
        buffer = self._tail + chunk if self._tail else chunk
        cut = len(buffer) if last else buffer.rfind(b"<")
        if cut < 0:
            cut = len(buffer)
        self._scan(buffer, cut)
        self._tail = buffer[cut:]
        if len(self._tail) > _LONGEST_TAG:  # a tag this long is not a cell anyone wrote: cannot vouch
            self.too_long_tag, self._tail = True, b""

    def _scan(self, text: bytes, end: int) -> None:
        """Count and measure the tags in ``text[:end]`` (positions, not a slice: no copy of the chunk)."""
        if self._seen < _HEAD:  # the dimension and the string count come first in their part
            if self.declared_extent is None and (dimension := _DIMENSION.search(text, 0, min(end, _HEAD))):
                self.declared_extent = (int(dimension[2]), column_number(dimension[1]))
            if not self.shared_strings and (sst := _SST.search(text, 0, min(end, _HEAD))):
                self.shared_strings = True
                self.declared_strings = max((int(n) for n in _DECLARED.findall(sst[0])), default=0)
        self._seen += end
        cells = sum(text.count(opening, 0, end) for opening in _CELL_OPENINGS)
        if text.find(b":c", 0, end) >= 0 and _PREFIXED_CELL.search(text, 0, end):
            self.unplaced = True
        if self.shared_strings:
            self.strings += sum(text.count(opening, 0, end) for opening in _STRING_OPENINGS)
            if text.find(b":si", 0, end) >= 0:
                self.strings += len(_PREFIXED_STRING.findall(text, 0, end))
        rows = _PLACED_ROW.findall(text, 0, end)
        self.placed += len(rows)
        if len(rows) != cells:  # a cell without ``r="B7"`` first: its place is not in the text
            self.unplaced = True
        if rows:
            self._columns(text, end)
            self._rows(rows)

    def _columns(self, text: bytes, end: int) -> None:
        if self._unseen is None or self._unseen.search(text, 0, end):
            self.columns.update(_PLACED_COLUMN.findall(text, 0, end))
            known = b"|".join(sorted(self.columns))
            self._unseen = re.compile(rb'<c r="(?!(?:' + known + rb')[0-9])')

    def _rows(self, rows: list[bytes]) -> None:
        shortest, longest = min(map(len, rows)), max(map(len, rows))
        if shortest == longest:  # digits of one length (nearly every chunk): text order is number order
            low, high = int(min(rows)), int(max(rows))
        else:
            numbers = [int(n) for n in set(rows)]
            low, high = min(numbers), max(numbers)
        self.rows = (min(low, self.rows[0]), max(high, self.rows[1])) if self.rows else (low, high)

    @property
    def area(self) -> int:
        """Cells in the grid calamine would build: first to last used row times first to last used column."""
        if self.rows is None:
            return 0
        numbers = [column_number(c) for c in self.columns]
        return (self.rows[1] - self.rows[0] + 1) * (max(numbers) - min(numbers) + 1)


@dataclass
class Extent:
    """Every entry's scan; ``check`` raises for a workbook over the budget."""

    parts: list[PartScan] = field(default_factory=list)

    @property
    def sure(self) -> bool:
        """Did every cell carry its place, so that the grid sizes measured are the ones calamine will build?"""
        return not any(p.unplaced or p.too_long_tag for p in self.parts)

    def check(self, limits: Limits) -> None:
        for part in self.parts:
            if part.area > limits.max_cells:
                declared = f", declared {part.declared_extent}" if part.declared_extent else ""
                raise FileFailure(
                    FileError.TOO_LARGE,
                    f"{part.name}: used range of {part.area} cells{declared}, limit {limits.max_cells} cells",
                )
            if part.strings > limits.max_cells:
                raise FileFailure(FileError.TOO_LARGE, f"{part.name}: {part.strings} sharedStrings")
            if part.declared_strings > max(part.strings, limits.max_cells):
                raise FileFailure(
                    FileError.UNREADABLE,
                    f"{part.name}: sharedStrings declares {part.declared_strings} strings, holds {part.strings}",
                )
