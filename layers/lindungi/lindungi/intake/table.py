"""Where is the list: the header row of a table, and which rows below it are workers.

A header may span two rows (a merged group cell such as "KONTAK" above "No. HP"
and "Alamat"); what each header text names is ``fields.py``. Below the header,
rows that are not workers (blank, the header repeated on a later page, the
"(1) (2) (3)" column-number row, totals, footers and signature lines) are set
aside as ``Ignored`` with the reason, so nothing a person typed disappears
without a trace in the report; every other row is a worker row for validation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from lindungi import dates
from lindungi.intake.fields import REQUIRED, Field, field_of, normalize
from lindungi.intake.readers.base import Cell, RawRow, Table
from lindungi.outcomes import Skip
from lindungi.rows import Ignored

HEADER_SEARCH_ROWS = 60
"""The header is looked for in this many rows from the top of a table."""


@dataclass(frozen=True)
class Header:
    columns: dict[Field, int]
    """Column index of each field found."""
    rows: int
    """How many rows the header spans (1 or 2)."""
    texts: tuple[str, ...]
    """The normalised header texts, to recognise the header repeated on a later page."""

    def has_required(self) -> bool:
        return all(f in self.columns for f in REQUIRED)


def _map(texts: Sequence[str]) -> dict[Field, int]:
    columns: dict[Field, int] = {}
    for index, text in enumerate(texts):
        field = field_of(text) if text else None
        if field is not None and field not in columns:
            columns[field] = index
    return columns


def _looks_like_data(cells: Sequence[Cell]) -> bool:
    """A row with a long number in it is a worker, not the second line of a header."""
    for cell in cells:
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 1e9:
            return True
        if isinstance(cell, str) and sum(ch.isdigit() for ch in cell) >= 10:
            return True
    return False


def _fill_merged(texts: list[str], row: int, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 < len(texts) and texts[c0]:
            for c in range(c0 + 1, min(c1 + 1, len(texts))):
                texts[c] = texts[c] or texts[c0]


def find(
    rows: Sequence[Sequence[Cell]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
) -> tuple[int, Header] | None:
    """Index of the header's first row among ``rows`` and the header, or None when there is none.

    ``merged`` indexes match ``rows`` (0-based), as the spreadsheet reader gives them.
    """
    for index, cells in enumerate(rows):
        upper = [normalize(c) for c in cells]
        single = _map(upper)
        if Field.NIK not in single and Field.NAME not in single:
            continue
        best = Header(single, 1, tuple(upper))
        if index + 1 < len(rows) and not _looks_like_data(rows[index + 1]):
            _fill_merged(upper, index, merged)
            two = _two_rows(upper, [normalize(c) for c in rows[index + 1]])
            if len(two.columns) > len(single) and two.has_required():
                best = two
        if best.has_required():
            return index, best
    return None


def _two_rows(upper: list[str], lower: list[str]) -> Header:
    """The header read as two rows: each column named by its lower text, its upper text, or both."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    combined: list[str] = []
    for up, low in zip(upper, lower, strict=True):
        joined = f"{up} {low}".strip()
        # The lower row is the specific label under a group cell ("KONTAK" over "No. HP").
        choice = next((t for t in (low, up, joined) if t and field_of(t)), joined)
        combined.append(choice)
    return Header(_map(combined), 2, tuple(combined))


_FOOTER = re.compile(
    r"^(jumlah|total|sub ?total|mengetahui|menyetujui|kepala|ttd|nip|halaman|hal|dicetak|catatan|keterangan"
    r"|an |a n |pj |plt |sekretaris|kabid|kasi|dibuat|diperiksa|petugas)\b"
)
_PLACE_DATE = re.compile(r"^[a-z ]+ \d{1,2} [a-z]+ \d{4}$")


def is_footer(cells: Sequence[Cell]) -> bool:
    """Totals, page footers, place-and-date and signature lines below a list."""
    for cell in cells:
        text = normalize(cell)
        if text:
            return bool(_FOOTER.match(text) or _PLACE_DATE.match(text))
    return False


def is_column_numbers(cells: Sequence[Cell]) -> bool:
    """The "(1) (2) (3)" row printed under many government table headers."""
    filled = 0
    for cell in cells:
        value = normalize(cell)
        if value:
            if not (value.isdigit() and int(value) <= 60):
                return False  # most rows stop here, at their second cell
            filled += 1
    return filled >= 3


# --- the rows below the header ----------------------------------------------------------------


@dataclass(frozen=True)
class WorkerList:
    """A table with its header found (or not) and its rows below the header, classified lazily."""

    name: str | None
    header: Header | None
    header_line: int | None
    rows: Iterator[RawRow | Ignored]
    """Worker rows to validate, and the rows set aside with the reason, in file order."""
    columns_seen: tuple[str, ...] = ()
    """When no header was found: the texts of the row that looks most like one (most text cells), as typed."""


def find_list(source: Table) -> WorkerList:
    """Find the table's header and classify the rows below it (lazily, one row at a time)."""
    rows = iter(source.rows)
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    found = find([r.cells for r in head], source.merged)
    if found is None:
        return WorkerList(source.name, None, None, iter(()), _likeliest_header(head))
    index, header = found
    body = head[index + header.rows :]

    def chained() -> Iterator[RawRow]:
        yield from body
        yield from rows

    return WorkerList(source.name, header, head[index].ref.line, _classify(chained(), header))


def _likeliest_header(rows: Sequence[RawRow]) -> tuple[str, ...]:
    """The texts of the first row with the most cells of text that are not numbers (at least two)."""
    best: tuple[str, ...] = ()
    for row in rows:
        texts = tuple(" ".join(c.split()) for c in row.cells if isinstance(c, str) and c.strip()
                      and not normalize(c).replace(" ", "").isdigit())
        if len(texts) > len(best) and len(texts) >= 2:
            best = texts
    return best


def _classify(rows: Iterable[RawRow], header: Header) -> Iterator[RawRow | Ignored]:
    """Each row below the header as a worker row, or ``Ignored``; blank rows are dropped."""
    nik_col, name_col = header.columns[Field.NIK], header.columns[Field.NAME]
    after_footer = False
    page: int | None = None
    for raw in rows:
        cells = raw.cells
        if raw.ref.page != page:  # a PDF page's footer ("Halaman 1 dari 5") does not end the list
            page, after_footer = raw.ref.page, False
        nik_cell = cells[nik_col] if nik_col < len(cells) else None
        if _worker_like(nik_cell):
            # The common case, first: a NIK-looking cell is never a header, column numbers, footer or blank.
            yield raw
            continue
        if _is_blank_row(cells):
            continue
        name_cell = cells[name_col] if name_col < len(cells) else None
        if _is_header_again(cells, header):
            after_footer = False  # the list goes on below a repeated header
            yield Ignored(raw.ref, Skip.HEADER_REPEATED)
        elif is_column_numbers(cells):
            yield Ignored(raw.ref, Skip.COLUMN_NUMBERS)
        elif not _nik_like(nik_cell) and (after_footer or is_footer(cells)):
            after_footer = True
            yield Ignored(raw.ref, Skip.FOOTER)
        elif dates.is_blank(nik_cell) and dates.is_blank(name_cell):
            yield Ignored(raw.ref, Skip.NOT_A_WORKER)
        else:
            yield raw


def _is_blank_row(cells: Sequence[Cell]) -> bool:
    return all(dates.is_blank(c) for c in cells)


def _is_header_again(cells: Sequence[Cell], header: Header) -> bool:
    index = header.columns[Field.NIK]
    cell = cells[index] if index < len(cells) else None
    if not isinstance(cell, str) or cell.isdigit():
        return False  # numbers, dates and digit strings never name a column
    value = normalize(cell)
    return bool(value) and field_of(value) is Field.NIK


def _nik_like(cell: Cell) -> bool:
    """"Jumlah" or a signature can sit in the NIK column; a NIK has digits (six or more)."""
    if isinstance(cell, (int, float)):
        return True
    value = str(cell or "")
    if value.isdigit():
        return len(value) >= 6
    return sum(ch.isdigit() for ch in value) >= 6


def _worker_like(cell: Cell) -> bool:
    """Six digits or more: the NIK column of a worker's row (column numbers and footers have fewer)."""
    if isinstance(cell, str):
        return sum(ch.isdigit() for ch in cell) >= 6 if not cell.isdigit() else len(cell) >= 6
    return isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 100_000
