"""PDF lists with a text layer, through pdfplumber: one table for the whole document, read page by page.

Two kinds of PDF arrive. Excel's "Save as PDF" prints ruled cells, so the ruling
lines give the columns and rows, merged header cells included (``ruled``). Other
tools print whitespace-aligned columns without lines, so the columns come from the
header text and from the vertical gaps that no row's text crosses (``unruled``).
Either way every text line of a page ends as a row: title, header (repeated on each
page), worker rows, totals, page footers and signature lines; the shared table
finding and validation (``intake/table.py``, ``intake/validate.py``) tell them apart
exactly as for spreadsheets. A row's ``RowRef`` is the page and the row's place on
it, counted from the top of the page (title and header rows included).

What the reader does itself is what only the page geometry knows: text of one
cell that wraps onto two lines is joined back into one value (inside a ruled
cell, or as a continuation line without a NIK under an unruled row), and a line
that runs across columns (a title, "Halaman 2 dari 9") becomes a one-cell row
instead of being cut into columns.

Speed and memory. Nearly all the time goes into interpreting content streams.
Measured on the 8,504-row unruled sample (CPU seconds): pdfplumber's default
``extract_tables()`` 25; ``page.chars`` alone 24, as pdfplumber makes a dict of some
twenty keys per glyph; ``page.layout`` 10, an ``LTChar`` object per glyph; the
compact device of ``glyphs`` 4. So pdfplumber opens the document (password, damage,
page tree) and pdfminer.six, the engine pdfplumber is built on, interprets each page
into ``glyphs.Collector``, which keeps one tuple per glyph and the straight ruling
lines. Rows come out lazily, page by page; nothing of a page is kept once its rows
are out, and pdfminer's object cache is off, so memory does not grow with the page
count. Pages are interpreted by worker processes (``workers``). LibreOffice prints each glyph
as its own hex string in a ``TJ`` array; ``content`` takes such an array in one match and reads its
items once a page (nearly a third off a worker's time on those exports).

    page.py      what a page gives the table readers (lines, words, rules)
    glyphs.py    pdfminer device: one page's glyphs and rules into text lines
    content.py   content streams tokenised by one regular expression, for pdfminer's interpreter
    workers.py   opening the document, pages dealt out to processes, read back in order
    ruled.py     ruled tables: cells from the ruling lines
    unruled.py   whitespace-aligned tables: columns from the header and the gaps
    columns.py   where an unruled table's columns part, and where that is not certain

Where the reader cannot be sure (text printed over text or across a rule, a wrapped line as
close to the row above as below, a column boundary that could go two ways) the row carries
``Warn.PDF_LAYOUT_UNSURE``; an unsure header or many unsure rows on a page fail the file as
``FileError.PDF_LAYOUT_UNCLEAR``, asking staff for the spreadsheet.
A line break in a ruled cell that cannot be told from a word broken in two is a doubt about one value,
not about where the row's cells are: the cell goes in ``RawRow.spacing`` (a name there is warned by
``validate``) and no page rule counts it.

A row split by a page break: each page's last row is held until the next page shows whether its
rest is there (``_CutOff``), and joined to it when it can only be that. The reader counts the
NIK-shaped numbers its pages print (``Table.tally``); ``readers.guard`` holds the rows reported to
that count, and to the header's columns, before the report is believed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from lindungi.intake import fields
from lindungi.intake.fields import Field
from lindungi.intake.readers import isolate
from lindungi.intake.readers.base import FileFailure, RawRow, Table, Tally
from lindungi.intake.readers.pdf import ruled, unruled
from lindungi.intake.readers.pdf.page import PageText, data_like
from lindungi.intake.readers.pdf.workers import (
    MIN_PAGES_FOR_WORKERS,
    Budget,
    declared_pages,
    page_texts,
    worker_count,
)
from lindungi.nik import SHAPED_DIGITS, shaped
from lindungi.outcomes import FileError, Warn
from lindungi.rows import RowRef
from lindungi.settings import Limits

for _library in ("pdfminer", "pdfplumber"):
    # Their warnings quote document content (metadata, strings): no personal data in our logs.
    # Failures still arrive, as exceptions, and are reported by outcome code.
    logging.getLogger(_library).setLevel(logging.CRITICAL)


def _check_complete(data: bytes) -> None:
    """A PDF ends with ``%%EOF``; without it the file was cut off (pdfminer would read what is left)."""
    if b"%%EOF" not in data[-2048:]:
        raise FileFailure(FileError.UNREADABLE, "no %%EOF: truncated")


def _scanned(page: PageText) -> bool:
    """A page that is a picture: no text, or a few words over an image covering most of it."""
    return page.image_area > 0 and (page.glyphs == 0 or (page.image_area > 0.4 and page.glyphs < 50))


UNSURE_SHARE = 0.25
"""Above this share of a page's rows with a long number being unsure of their layout, the file is refused."""
_UNSURE = (Warn.PDF_LAYOUT_UNSURE,)
OPEN_SECONDS = 60.0
"""The most opening the document and reading its declared page count may take (a child process)."""


def _nik_shaped(rows: list[list[str]], page: PageText, ruled_page: bool) -> int:
    """NIK-shaped numbers on the page, counted before any row is told from a title or a footer: on a ruled
    page in the text of each ruled cell (a NIK broken over two lines of a narrow cell is one number) and of
    each line outside the table; else in each line's text, cell by cell (words closer than a column gap),
    whatever rows the reader made of the lines."""
    if ruled_page:
        return sum(shaped(text) for cells in rows for text in cells if _FIFTEEN_DIGITS.match(text))
    return sum(shaped(segment[2]) for line in page.lines if _FIFTEEN_DIGITS.match(line.text)
               for segment in unruled.segments(line) if _FIFTEEN_DIGITS.match(segment[2]))


_FIFTEEN_DIGITS = re.compile(rf"(?:[^0-9]*+[0-9]){{{SHAPED_DIGITS.start}}}")
"""Text with fewer ASCII digits than a NIK-shaped number has holds none (most lines: a title, a header, a
footer); ``shaped`` is asked only of the rest."""


def _rows(data: bytes, workers: int, budget: Budget, tally: Tally) -> Iterator[RawRow]:
    columns = unruled.Columns()
    pages = 0
    held: _CutOff | None = None
    for page in page_texts(data, workers, budget):
        pages += 1
        if _scanned(page):
            raise FileFailure(FileError.SCANNED, f"page {page.number} has no text layer")
        grid = ruled.list_grid(page)
        if grid is not None:
            read = ruled.rows(page, grid)
        else:
            body = unruled.rows(page, columns)
            if columns.centred:
                raise FileFailure(FileError.PDF_LAYOUT_UNCLEAR,
                                  f"page {page.number}: cells centred beside wrapped ones")
            if columns.overprinted:
                raise FileFailure(FileError.PDF_LAYOUT_UNCLEAR,
                                  f"page {page.number}: one cell's text printed over another's")
            last = _last_row(body)
            read = ruled.PageRows(body, columns.doubtful, last is not None and data_like(" ".join(body[last])),
                                  tuple(a for a, _ in columns.spans), columns.top_aligned, columns.broken)
        rows, doubtful = read.rows, read.doubtful
        tally.nik_shaped += _nik_shaped(rows, page, grid is not None)
        _check_sure(page.number, rows, doubtful)
        if held is not None:
            yield held.joined(rows, read)
        held = None
        hold = _last_row(rows) if read.cut_off else None
        for line, cells in enumerate(rows, start=1):
            ref = RowRef(line=line, page=page.number)
            spacing = read.broken.get(line - 1, frozenset())  # not counted by _check_sure: the cells are sure
            if line - 1 == hold:
                held = _CutOff(ref, cells, read.xs, line - 1 in doubtful, grid is not None, spacing,
                               read.ends(line - 1))
                continue
            yield RawRow(ref, cells, _UNSURE if line - 1 in doubtful else (), spacing)
    if held is not None:
        yield held.joined([], None)
    if pages == 0:
        raise FileFailure(FileError.UNREADABLE, "no pages")


def _last_row(rows: list[list[str]]) -> int | None:
    """Index of the page's last row of cells, if only lines across the page (a footer) come after it."""
    return next((i for i in range(len(rows) - 1, -1, -1) if len(rows[i]) > 1), None)


@dataclass
class _CutOff:
    """A page's last worker row, held until the next page shows whether its rest is there.

    On a ruled page, a row printed under the table's last rule (the page end cut it off); on an
    unruled page, any last row (a wrapped cell may go on over the page break). Joined to the first
    row of the next page's list (under its header, if repeated) when that row can only be its rest:
    the same columns, nothing in the first (a row's number, or its NIK, is on its first line) and no
    long number (no NIK, no phone of its own). The join is certain on a ruled page, and on an unruled
    page whose wrapped lines all go with the row above them; otherwise the joined row is warned. A
    ruled row cut off with no rest found is warned too (some of its cells may be missing).
    """

    ref: RowRef
    cells: list[str]
    xs: tuple[float, ...]
    unsure: bool
    cut: bool
    """Printed under a ruled table's last rule: the page end cut it."""
    spacing: frozenset[int] = frozenset()
    ends: dict[int, ruled.Ends] = field(default_factory=dict)

    def joined(self, rows: list[list[str]], page: ruled.PageRows | None) -> RawRow:
        alone = RawRow(self.ref, self.cells, _UNSURE if self.unsure or self.cut else (), self.spacing)
        if page is None:
            return alone
        at = next((i for i, cells in enumerate(rows) if len(cells) > 1 and not _header_like(cells)), None)
        same = len(page.xs) == len(self.xs) and all(
            abs(a - b) <= ruled.RULE_SNAP for a, b in zip(page.xs, self.xs, strict=True))
        if at is None or not same or data_like(" ".join(rows[at])) or rows[at][0] or len(rows[at]) != len(self.cells):
            return alone
        rest = rows[at]
        cells = [ruled.continued(a, b) for a, b in zip(self.cells, rest, strict=True)]
        rows[at] = [""] * len(rest)  # the rest is in the row above now; its line stays counted, blank
        sure = not self.unsure and (self.cut or page.top_aligned)
        starts = page.ends(at)  # a word may go on over the page break as over a line break
        across = {i for i, (a, b) in enumerate(zip(self.cells, rest, strict=True))
                  if ruled.unplaced(a, b, (self.ends.get(i), starts.get(i)))}
        spacing = self.spacing | page.broken.get(at, frozenset()) | across
        return RawRow(self.ref, cells, () if sure else _UNSURE, spacing)


def _check_sure(number: int, rows: list[list[str]], doubtful: set[int]) -> None:
    """A page where many worker rows are unsure of their layout is not read at all: staff send the spreadsheet."""
    if not doubtful:
        return
    if any(_header_like(rows[i]) for i in doubtful):  # the columns' meaning itself is in doubt
        raise FileFailure(FileError.PDF_LAYOUT_UNCLEAR, f"page {number}: header unsure")
    workers = sum(1 for cells in rows if data_like(" ".join(cells)))
    unsure = sum(1 for i in doubtful if data_like(" ".join(rows[i])))
    if unsure >= 3 and unsure > UNSURE_SHARE * workers:
        raise FileFailure(FileError.PDF_LAYOUT_UNCLEAR, f"page {number}: {unsure} of {workers} rows unsure")


def _header_like(cells: list[str]) -> bool:
    return not data_like(" ".join(cells)) and any(
        fields.field_of(fields.normalize(c)) in (Field.NIK, Field.NAME) for c in cells if c
    )


def _declared(data: bytes, limits: Limits, deadline: float) -> int | None:
    if not isolate.available():
        return declared_pages(data)
    seconds = max(0.0, min(OPEN_SECONDS, deadline - time.monotonic()))
    return isolate.run(lambda: declared_pages(data), what="PDF", extra_bytes=limits.reader_memory_bytes,
                       seconds=seconds)


def read(data: bytes, limits: Limits, deadline: float | None = None) -> list[Table]:
    """The document's one table (pages joined), rows read lazily page by page, in worker processes.

    ``deadline`` (``time.monotonic()``) is when reading must have ended: the Lambda's remaining time
    minus a margin; by default ``Limits.read_seconds`` from now. Pages are counted as they are read.
    """
    deadline = deadline if deadline is not None else time.monotonic() + limits.read_seconds
    _check_complete(data)
    declared = _declared(data, limits, deadline)
    if declared is not None and declared > limits.max_pdf_pages:
        raise FileFailure(FileError.TOO_LARGE, f"{declared} pages declared, limit {limits.max_pdf_pages}")
    workers = worker_count()
    if declared is not None and declared < MIN_PAGES_FOR_WORKERS:
        workers = 1  # a small file: starting more processes costs more than it saves
    budget = Budget(limits.max_pdf_pages, limits.reader_memory_bytes // workers, deadline)
    tally = Tally()
    return [Table(name=None, rows=_rows(data, workers, budget, tally), tally=tally)]
