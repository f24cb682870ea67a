"""PDF lists with a text layer, through pdfplumber: one table for the whole document, read page by page.

Two kinds of PDF arrive. Excel's "Save as PDF" prints ruled cells, so the ruling
lines give the columns and rows, merged header cells included. Other tools print
whitespace-aligned columns without lines, so the columns come from the header
text and from the vertical gaps that no row's text crosses. Either way every
text line of a page ends as a row: title, header (repeated on each page), worker
rows, totals, page footers and signature lines; the shared header detection and
validation (``headers.py``, ``validate.py``) tell them apart exactly as for
spreadsheets. A row's ``RowRef`` is the page and the row's place on it, counted
from the top of the page (title and header rows included).

What the reader does itself is what only the page geometry knows: text of one
cell that wraps onto two lines is joined back into one value (inside a ruled
cell, or as a continuation line without a NIK under an unruled row), and a line
that runs across columns (a title, "Halaman 2 dari 9") becomes a one-cell row
instead of being cut into columns.

Speed and memory. Nearly all the time goes into interpreting content streams.
Measured on the 8,504-row unruled sample (CPU seconds): pdfplumber's default
``extract_tables()`` 25; ``page.chars`` alone 24, as pdfplumber makes a dict of some
twenty keys per glyph; ``page.layout`` 10, an ``LTChar`` object per glyph; the
compact device below 4. So pdfplumber opens the document (password, damage, page
tree) and pdfminer.six, the engine pdfplumber is built on, interprets each page
into ``_Collector``, which keeps one tuple per glyph with ``LTChar``'s geometry (a
test holds it equal to ``page.chars``) and the straight ruling lines. Rows come out
lazily, page by page; nothing of a page is kept once its rows are out, and
pdfminer's object cache is off, so memory does not grow with the page count.
Pages are interpreted by worker processes (``multiprocessing.Process`` + ``Pipe``,
the only primitives that work without ``/dev/shm`` on Lambda), dealt out in turn
and read back in page order. With one CPU, a small file, or when no process can be
started, everything runs in this process; a worker that dies is replaced by this
process for the remaining pages.
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from multiprocessing.connection import Connection

import pdfplumber
from pdfminer.pdfcolor import PDFColorSpace
from pdfminer.pdfdevice import PDFTextDevice, PDFTextSeq
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFGraphicState, PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.utils import Matrix, PathSegment, Point, apply_matrix_pt, apply_matrix_rect
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException

from lindungi.config import Limits
from lindungi.intake import table
from lindungi.intake.readers.base import FileFailure, RawRow, RowRef, Table
from lindungi.intake.table import Field
from lindungi.outcomes import FileError
from lindungi.settings import PdfSettings

for _library in ("pdfminer", "pdfplumber"):
    # Their warnings quote document content (metadata, strings): no personal data in our logs.
    # Failures still arrive, as exceptions, and are reported by outcome code.
    logging.getLogger(_library).setLevel(logging.CRITICAL)

WORD_GAP = 0.12
"""A gap wider than this (times the font size) between two glyphs is a space, even without a space glyph."""
SEGMENT_GAP = 0.8
"""A gap wider than this (times the font size) between two words separates columns (two spaces in Courier)."""
RULE_SNAP = 1.5
"""Rules closer than this (pt) are one rule: double borders, adjacent cells' rectangles sharing an edge."""
THIN = 2.0
"""A filled rectangle thinner than this (pt) is a drawn rule, as Excel draws cell borders."""
MIN_PAGES_FOR_WORKERS = 4
"""Below this, starting processes costs more than it saves."""
WORKERS_ENV = "PDF_WORKERS"
"""Overrides the number of worker processes (1 = read in this process); default: the CPUs available."""

Word = tuple[float, float, str]
"""x0, x1, text: a run of glyphs without a space or a gap."""


@dataclass(frozen=True, slots=True)
class Line:
    """Glyphs sharing a baseline, left to right, grouped into words."""

    top: float
    bottom: float
    size: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w[2] for w in self.words)


@dataclass(frozen=True, slots=True)
class PageText:
    """What a worker sends back for one page: text lines and ruling lines, in top-down page coordinates."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    vertical: tuple[tuple[float, float, float], ...]
    """Vertical rules as (x, top, bottom)."""
    horizontal: tuple[tuple[float, float, float], ...]
    """Horizontal rules as (y, x0, x1)."""
    glyphs: int
    image_area: float
    """Share of the page covered by images (a scan is one image the size of the page)."""


@dataclass(frozen=True, slots=True)
class _Failed:
    """A worker's report that the file cannot be read (sent instead of a page)."""

    code: FileError
    detail: str


# --- one page: glyphs and rules out of pdfminer's layout --------------------------------------


_Run = tuple[float, float, float, float, float, str]
"""(mid_y, top, bottom, x0, x1, text): glyphs printed one after another on one baseline."""


def _lines(runs: list[_Run], rule_xs: Sequence[float]) -> list[Line]:
    """Runs grouped into lines (by their middle) and words (split at gaps and at ruling lines)."""
    runs.sort()
    lines: list[Line] = []
    start = 0
    while start < len(runs):
        first_mid, top, bottom = runs[start][:3]
        end = start + 1
        while end < len(runs) and runs[end][0] - first_mid <= 0.4 * (bottom - top):
            end += 1
        members = sorted(runs[start:end], key=lambda r: r[3])
        top = min(r[1] for r in members)
        bottom = max(r[2] for r in members)
        size = bottom - top
        words: list[Word] = []
        for _, _, _, x0, x1, text in members:
            if words:
                p0, p1, ptext = words[-1]
                if ptext == text and abs(p0 - x0) < 0.5:
                    continue  # the same text printed twice (fake bold)
                if x0 - p1 <= WORD_GAP * size and not _rule_between(rule_xs, p1, x0):
                    words[-1] = (p0, max(p1, x1), ptext + text)
                    continue
            words.append((x0, x1, text))
        lines.append(Line(top, bottom, size, tuple(words)))
        start = end
    return lines


def _rule_between(rule_xs: Sequence[float], left: float, right: float) -> bool:
    if not rule_xs:
        return False
    i = bisect_right(rule_xs, left - 0.3)
    return i < len(rule_xs) and rule_xs[i] < right + 0.3


class _Collector(PDFTextDevice):
    """A pdfminer device that keeps only what a list needs: glyph boxes, ruling lines, image area.

    pdfminer's own layout device builds an ``LTChar`` (and pdfplumber then a dict) for every
    glyph; here an upright glyph is one tuple, computed with the same geometry as ``LTChar``.
    Coordinates are those of the displayed page (``/Rotate`` applied), y pointing up.
    """

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.glyphs: list[tuple[float, float, float, float, str]] = []
        """x0, x1, y0, y1, text."""
        self.vertical: list[tuple[float, float, float]] = []
        self.horizontal: list[tuple[float, float, float]] = []
        self.image_area = 0.0
        self.width = self.height = 0.0
        self._fonts: dict[int, dict[int, tuple[str, float]]] = {}

    def begin_page(self, page: PDFPage, ctm: Matrix) -> None:
        x0, y0, x1, y1 = apply_matrix_rect(ctm, page.mediabox)
        self.width, self.height = abs(x1 - x0), abs(y1 - y0)

    def _glyph(self, font: PDFFont, cid: int) -> tuple[str, float]:
        table = self._fonts.setdefault(id(font), {})
        known = table.get(cid)
        if known is None:
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = f"(cid:{cid})"
            known = table[cid] = (text, font.char_width(cid))
        return known

    def render_string_horizontal(
        self, seq: PDFTextSeq, matrix: Matrix, pos: Point, font: PDFFont, fontsize: float, scaling: float,
        charspace: float, wordspace: float, rise: float, dxscale: float, ncs: PDFColorSpace,
        graphicstate: PDFGraphicState,
    ) -> Point:
        a, b, c, d, e, f = matrix
        if b or c or a <= 0 or d * scaling <= 0:  # rotated or mirrored text: the general path
            return super().render_string_horizontal(
                seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, graphicstate
            )
        x, y = pos
        bottom = d * (y + font.get_descent() * fontsize + rise) + f
        top = bottom + d * fontsize
        scale = fontsize * scaling
        glyphs = self.glyphs
        spaced = False
        for obj in seq:
            if isinstance(obj, bytes):
                for cid in font.decode(obj):
                    if spaced:
                        x += charspace
                    text, width = self._glyph(font, cid)
                    advance = width * scale
                    x0 = a * x + e
                    glyphs.append((x0, x0 + a * advance, bottom, top, text))
                    x += advance
                    if cid == 32 and wordspace:
                        x += wordspace
                    spaced = True
            elif isinstance(obj, int | float):
                x -= obj * dxscale
                spaced = True
        return (x, y)

    def render_char(
        self, matrix: Matrix, font: PDFFont, fontsize: float, scaling: float, rise: float, cid: int,
        ncs: PDFColorSpace, graphicstate: PDFGraphicState,
    ) -> float:
        """The general path, as ``LTChar`` computes it; glyphs that are not upright are no row text."""
        text, width = self._glyph(font, cid)
        advance = width * fontsize * scaling
        a, b, c, d, _, _ = matrix
        if a * d * scaling > 0 and b * c <= 0 and not font.is_vertical():
            descent = font.get_descent() * fontsize
            x0, y0, x1, y1 = apply_matrix_rect(matrix, (0, descent + rise, advance, descent + rise + fontsize))
            self.glyphs.append((min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1), text))
        return advance

    def paint_path(
        self, gstate: PDFGraphicState, stroke: bool, fill: bool, evenodd: bool, path: Sequence[PathSegment]
    ) -> None:
        """Keep the straight, axis-parallel pieces: stroked segments, and filled bars thinner than ``THIN``."""
        if not (stroke or fill) or self.ctm is None:
            return
        ctm = self.ctm
        subpaths: list[list[Point]] = []
        for segment in path:
            op = segment[0]
            if op == "m":
                subpaths.append([apply_matrix_pt(ctm, (float(segment[1]), float(segment[2])))])  # type: ignore[misc]
            elif op == "l" and subpaths:
                subpaths[-1].append(apply_matrix_pt(ctm, (float(segment[1]), float(segment[2]))))  # type: ignore[misc]
            elif op == "h" and subpaths and len(subpaths[-1]) > 1:
                subpaths[-1].append(subpaths[-1][0])
            elif op in ("c", "v", "y"):
                subpaths.append([])  # a curve is no ruling line
        height = self.height
        for points in subpaths:
            if len(points) < 2:
                continue
            if stroke:
                for (ax, ay), (bx, by) in pairwise(points):
                    if abs(ax - bx) <= 0.5 and abs(ay - by) > THIN:
                        self.vertical.append(((ax + bx) / 2, height - max(ay, by), height - min(ay, by)))
                    elif abs(ay - by) <= 0.5 and abs(ax - bx) > THIN:
                        self.horizontal.append((height - (ay + by) / 2, min(ax, bx), max(ax, bx)))
            else:
                xs = [p[0] for p in points]
                ys = [p[1] for p in points]
                x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
                if x1 - x0 <= THIN < y1 - y0:
                    self.vertical.append(((x0 + x1) / 2, height - y1, height - y0))
                elif y1 - y0 <= THIN < x1 - x0:
                    self.horizontal.append((height - (y0 + y1) / 2, x0, x1))

    def render_image(self, name: str, stream: PDFStream) -> None:
        if self.ctm is not None:
            a, b, c, d, _, _ = self.ctm
            self.image_area += abs(a * d - b * c)  # the unit square, as the image is drawn


def extract_page(pdf: PDF, page: PDFPage, number: int) -> PageText:
    """The text lines and ruling lines of one page.

    Glyphs come in the order the page prints them; those that follow each other on one
    baseline with no gap are joined into a run here, so only runs (a tenth as many) are sorted.
    """
    device = _Collector(pdf.rsrcmgr)
    try:
        PDFPageInterpreter(pdf.rsrcmgr, device).process_page(page)
    finally:
        device.close()
    height = device.height
    runs: list[_Run] = []
    count = 0
    parts: list[str] = []
    r_x0 = r_x1 = r_y0 = r_y1 = 0.0
    for x0, x1, y0, y1, text in device.glyphs:
        if text.isspace():
            if parts:
                runs.append(((2 * height - r_y0 - r_y1) / 2, height - r_y1, height - r_y0, r_x0, r_x1, "".join(parts)))
                parts = []
            continue
        count += 1
        if parts and abs(y0 - r_y0) < 0.05 and -0.3 < x0 - r_x1 < 0.3:
            parts.append(text)
            r_x1 = x1
            continue
        if parts:
            runs.append(((2 * height - r_y0 - r_y1) / 2, height - r_y1, height - r_y0, r_x0, r_x1, "".join(parts)))
        parts = [text]
        r_x0, r_x1, r_y0, r_y1 = x0, x1, y0, y1
    if parts:
        runs.append(((2 * height - r_y0 - r_y1) / 2, height - r_y1, height - r_y0, r_x0, r_x1, "".join(parts)))
    rule_xs = sorted(x for x, _, _ in device.vertical)
    page_area = max(device.width * height, 1.0)
    return PageText(
        number=number,
        width=device.width,
        height=height,
        lines=tuple(_lines(runs, rule_xs)),
        vertical=tuple(device.vertical),
        horizontal=tuple(device.horizontal),
        glyphs=count,
        image_area=min(device.image_area / page_area, 1.0),
    )


# --- opening the document and dealing out its pages ------------------------------------------


def _open(data: bytes) -> PDF:
    """The document, with pdfminer's object cache off: it would keep every page's decoded content
    stream until the end (+20 MB over 1,000 pages); fonts stay cached by the resource manager."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.doc.caching = False
        return pdf
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise FileFailure(FileError.ENCRYPTED, type(cause).__name__) from error
        raise FileFailure(FileError.UNREADABLE, type(cause).__name__) from error


def _page_count(pdf: PDF) -> int:
    try:
        pages = resolve1(pdf.doc.catalog["Pages"])
        return int(resolve1(pages["Count"]))
    except Exception:  # noqa: BLE001 - a damaged page tree: count the pages the slow way
        return sum(1 for _ in PDFPage.create_pages(pdf.doc))


def _pages(pdf: PDF, index: int = 0, step: int = 1, first: int = 1) -> Iterator[PageText]:
    """Pages from ``first`` on whose (number - 1) % step == index, one at a time.

    Each page is taken from the page tree as it comes and dropped after use: ``pdf.pages``
    would build a pdfplumber ``Page`` for every page up front and keep them all.
    """
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if number < first or (number - 1) % step != index:
            continue
        yield extract_page(pdf, page_obj, number)


def _worker(data: bytes, index: int, step: int, conn: Connection) -> None:
    """In a child process: interpret every ``step``-th page and send it back, in order."""
    try:
        pdf = _open(data)
        try:
            for page in _pages(pdf, index, step):
                conn.send(page)
        finally:
            pdf.close()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the reader stopped early (a failure elsewhere): nobody is listening any more
    except FileFailure as failure:
        _send_quietly(conn, _Failed(failure.code, failure.detail))
    except Exception as error:  # noqa: BLE001 - a broken page is the file's fault, reported as such
        _send_quietly(conn, _Failed(FileError.UNREADABLE, type(error).__name__))
    finally:
        conn.close()


def _send_quietly(conn: Connection, message: _Failed) -> None:
    with contextlib.suppress(OSError):
        conn.send(message)


def worker_count() -> int:
    """Worker processes to use: ``PDF_WORKERS`` if set, else the CPUs this process may run on."""
    configured = PdfSettings.from_env().workers
    if configured > 0:
        return configured
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _in_process(data: bytes, first: int) -> Iterator[PageText]:
    pdf = _open(data)
    try:
        yield from _pages(pdf, first=first)
    except PdfminerException as error:
        raise FileFailure(FileError.UNREADABLE, type(error.args[0] if error.args else error).__name__) from error
    finally:
        pdf.close()


def _page_texts(data: bytes, total: int, workers: int) -> Iterator[PageText]:
    """Every page's text in page order, from ``workers`` child processes or from this one."""
    if workers < 2 or total < MIN_PAGES_FOR_WORKERS or "fork" not in multiprocessing.get_all_start_methods():
        yield from _in_process(data, 1)
        return
    context = multiprocessing.get_context("fork")
    processes: list[multiprocessing.process.BaseProcess] = []
    receivers: list[Connection] = []
    try:
        try:
            for index in range(workers):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(data, index, workers, sender), daemon=True)
                process.start()
                sender.close()
                processes.append(process)
                receivers.append(receiver)
        except OSError:  # no processes allowed here: read in this process instead
            yield from _in_process(data, 1)
            return
        for number in range(1, total + 1):
            try:
                message = receivers[(number - 1) % workers].recv()
            except (EOFError, OSError):  # a worker died (killed, out of memory): finish the rest here
                yield from _in_process(data, number)
                return
            if isinstance(message, _Failed):
                raise FileFailure(message.code, message.detail)
            yield message
    finally:
        for receiver in receivers:
            receiver.close()
        for child in processes:
            child.join(timeout=0.5)
            if child.is_alive():
                child.terminate()
                child.join(timeout=1)


# --- a page's lines to rows -------------------------------------------------------------------


def _snap(values: Sequence[float]) -> list[float]:
    """Sorted positions with those closer than ``RULE_SNAP`` merged into one."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > RULE_SNAP:
            out.append(value)
    return out


def _index(positions: Sequence[float], value: float) -> int:
    """Index of the snapped position nearest ``value``."""
    i = bisect_left(positions, value)
    if i == len(positions) or (i > 0 and value - positions[i - 1] < positions[i] - value):
        i -= 1
    return i


@dataclass(frozen=True)
class _Grid:
    """The ruled table of a page: columns between vertical rules, rows between horizontal ones.

    A merged cell has no rule inside it, so text in it is put in its top-left column and row,
    the way spreadsheets keep a merged cell's value.
    """

    xs: list[float]
    ys: list[float]
    row_cuts: list[list[int]]
    """For each row band, the indexes of the vertical rules that cross it."""
    col_cuts: list[list[int]]
    """For each column, the indexes of the horizontal rules that cross it."""

    @classmethod
    def of(cls, page: PageText) -> _Grid | None:
        xs = _snap([x for x, _, _ in page.vertical])
        ys = _snap([y for y, _, _ in page.horizontal])
        if len(xs) < 3 or len(ys) < 3:
            return None
        row_cuts: list[set[int]] = [set() for _ in range(len(ys) - 1)]
        col_cuts: list[set[int]] = [set() for _ in range(len(xs) - 1)]
        for x, top, bottom in page.vertical:
            c = _index(xs, x)
            for r in range(bisect_left(ys, top - RULE_SNAP), len(ys) - 1):
                if (ys[r] + ys[r + 1]) / 2 > bottom:
                    break
                row_cuts[r].add(c)
        for y, x0, x1 in page.horizontal:
            r = _index(ys, y)
            for c in range(bisect_left(xs, x0 - RULE_SNAP), len(xs) - 1):
                if (xs[c] + xs[c + 1]) / 2 > x1:
                    break
                col_cuts[c].add(r)
        return cls(xs, ys, [sorted(s) for s in row_cuts], [sorted(s) for s in col_cuts])

    def cell(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell holding point (x, y), or None outside the table."""
        xs, ys = self.xs, self.ys
        if not (xs[0] < x < xs[-1] and ys[0] < y < ys[-1]):
            return None
        row = bisect_right(ys, y) - 1
        col = bisect_right(xs, x) - 1
        cuts = self.row_cuts[row]
        i = bisect_right(cuts, col) - 1
        col = cuts[i] if i >= 0 else 0
        cuts = self.col_cuts[col]
        i = bisect_right(cuts, row) - 1
        row = cuts[i] if i >= 0 else 0
        return row, col


def _ruled_rows(page: PageText, grid: _Grid) -> list[list[str]]:
    """Rows of a ruled page: each band of the table one row, each line outside the table one cell."""
    width = len(grid.xs) - 1
    cells: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    out: list[tuple[float, list[str]]] = []
    for line in page.lines:
        mid = (line.top + line.bottom) / 2
        outside: list[Word] = []
        for word in line.words:
            at = grid.cell((word[0] + word[1]) / 2, mid)
            if at is None:
                outside.append(word)
            else:
                cells.setdefault(at, []).append((line.top, word[0], word[2]))
        if outside:
            out.append((line.top, [" ".join(w[2] for w in outside)]))
    bands: dict[int, list[str]] = {}
    for (row, col), words in cells.items():
        words.sort()
        bands.setdefault(row, [""] * width)[col] = " ".join(w[2] for w in words)
    out.extend((grid.ys[row], values) for row, values in bands.items())
    out.sort(key=lambda item: item[0])
    return [values for _, values in out]


def _data_like(text: str) -> bool:
    """A worker row: a long run of digits (a NIK or a phone number), as ``table._looks_like_data``."""
    return sum(ch.isdigit() for ch in text) >= 10


def _segments(line: Line) -> list[Word]:
    """Words closer than ``SEGMENT_GAP`` joined: one column's text each, on a whitespace-aligned page."""
    out: list[Word] = []
    for x0, x1, text in line.words:
        if out and x0 - out[-1][1] <= SEGMENT_GAP * line.size:
            px0, _, ptext = out[-1]
            out[-1] = (px0, x1, f"{ptext} {text}")
        else:
            out.append((x0, x1, text))
    return out


@dataclass
class _Columns:
    """Columns of a whitespace-aligned list: found under the header, kept for pages without one."""

    spans: list[tuple[float, float]] = field(default_factory=list)
    """Left and right edge of each column's header text."""
    cuts: list[float] = field(default_factory=list)
    """Boundaries between neighbouring columns."""
    nik: int | None = None
    texts: list[str] = field(default_factory=list)


_NO_COLUMN = re.compile(r"^(no|nomor|no urut)$")


def _header_block(lines: Sequence[Line], at: int) -> tuple[int, int, list[tuple[float, float]], list[str]] | None:
    """The header starting at line ``at`` (it may wrap onto the lines around it): span, columns, texts."""
    if _data_like(lines[at].text):
        return None
    anchor = _segments(lines[at])
    fields = {table.field_of(table.normalize(s[2])) for s in anchor}
    if Field.NIK not in fields and Field.NAME not in fields:
        return None
    columns: list[list[Word]] = [[s] for s in anchor]
    first, last = at, at

    def tight(upper: Line, lower: Line) -> bool:
        return lower.top - upper.bottom < 0.8 * max(upper.size, lower.size)

    def absorb(line: Line, above: bool) -> bool:
        pieces = _segments(line)
        if _data_like(line.text):
            return False
        placed: dict[int, list[Word]] = {}
        for piece in pieces:
            hits = [i for i, col in enumerate(columns) if piece[0] < max(w[1] for w in col) and piece[1] > min(
                w[0] for w in col)]
            if len(hits) > 1:
                return False  # a title or group label running over several columns: not part of the header
            if hits:
                placed.setdefault(hits[0], []).append(piece)
            else:
                columns.append([piece])
        for i, pieces_here in placed.items():
            if len(pieces_here) > 1:  # the anchor was a group label ("KONTAK") over these columns
                columns[i] = [pieces_here[0]]
                columns.extend([p] for p in pieces_here[1:])
            elif above:
                columns[i].insert(0, pieces_here[0])
            else:
                columns[i].append(pieces_here[0])
        return True

    while last + 1 < len(lines) and last - at < 2 and tight(lines[last], lines[last + 1]):
        if not absorb(lines[last + 1], above=False):
            break
        last += 1
    while first > 0 and at - first < 1 and tight(lines[first - 1], lines[first]):
        if not absorb(lines[first - 1], above=True):
            break
        first -= 1
    columns.sort(key=lambda col: min(w[0] for w in col))
    texts = [" ".join(w[2] for w in col) for col in columns]
    found = {table.field_of(table.normalize(t)) for t in texts}
    if Field.NIK not in found or Field.NAME not in found:
        return None
    spans = [(min(w[0] for w in col), max(w[1] for w in col)) for col in columns]
    return first, last, spans, texts


def _cuts(spans: Sequence[tuple[float, float]], body: Sequence[Line]) -> list[float]:
    """Boundaries between columns: in the blank gap that no tabular line crosses, nearest the header's gap."""
    covered: list[tuple[float, float]] = []
    for line in body:
        pieces = _segments(line)
        if len(pieces) >= 3:
            covered.extend((p[0], p[1]) for p in pieces)
    covered.sort()
    gaps: list[tuple[float, float]] = []
    reach = float("-inf")
    for x0, x1 in covered:
        if x0 > reach and reach != float("-inf"):
            gaps.append((reach, x0))
        reach = max(reach, x1)
    cuts: list[float] = []
    for (left0, left1), (right0, right1) in pairwise(spans):
        header_gap = (min(left1, right0), max(left1, right0))
        best: tuple[float, float, float] | None = None
        for g0, g1 in gaps:
            if g1 <= left0 or g0 >= right1:
                continue
            distance = max(0.0, g0 - header_gap[1], header_gap[0] - g1)
            score = (distance, -(g1 - g0), (g0 + g1) / 2)
            if best is None or score < best:
                best = score
        cuts.append(best[2] if best is not None else (left1 + right0) / 2)
    for i in range(1, len(cuts)):  # keep them in order whatever the data did
        cuts[i] = max(cuts[i], cuts[i - 1] + 0.1)
    return cuts


def _unruled_rows(page: PageText, columns: _Columns) -> list[list[str]]:
    """Rows of a whitespace-aligned page; ``columns`` carries the layout over to pages without a header."""
    lines = page.lines
    header: tuple[int, int, list[tuple[float, float]], list[str]] | None = None
    for at in range(len(lines)):
        header = _header_block(lines, at)
        if header is not None:
            break
    out: list[list[str]] = []
    body_start = 0
    if header is not None:
        first, last, spans, texts = header
        out.extend([line.text] for line in lines[:first])  # title and page-header lines
        columns.spans, columns.texts = spans, texts
        columns.cuts = _cuts(spans, lines[last + 1 :])
        columns.nik = next(
            (i for i, t in enumerate(texts) if table.field_of(table.normalize(t)) is Field.NIK), None
        )
        out.append(texts)
        body_start = last + 1
    if not columns.spans:
        return [[line.text] for line in lines]
    width = len(columns.spans)
    previous: tuple[Line, list[str]] | None = None
    for line in lines[body_start:]:
        pieces = _segments(line)
        data = _data_like(line.text)
        crossing = any(
            p[0] < cut - 2 and p[1] > cut + 2 for p in pieces for cut in columns.cuts
        )
        if crossing and not data:
            out.append([line.text])
            previous = None
            continue
        values = [""] * width
        for x0, x1, text in line.words:
            col = bisect_right(columns.cuts, (x0 + x1) / 2)
            values[col] = f"{values[col]} {text}" if values[col] else text
        if previous is not None and _continues(previous, line, values, columns):
            _, above = previous
            for col, value in enumerate(values):
                if value:
                    above[col] = f"{above[col]} {value}"
            previous = (line, above)
            continue
        out.append(values)
        previous = (line, values) if data or any(values) else None
    return out


def _continues(previous: tuple[Line, list[str]], line: Line, values: list[str], columns: _Columns) -> bool:
    """Is ``line`` the wrapped tail of the row above (names, addresses), not a row of its own?

    It is when it sits right under the row, has nothing in the NIK or "No" column, is not a
    footer, and has text only in columns where the row above has text too, at most half as
    many (a row whose NIK is missing still fills most columns, so it stays a row of its own).
    """
    above_line, above = previous
    if line.top - above_line.bottom > 0.9 * max(line.size, above_line.size):
        return False
    if columns.nik is not None and values[columns.nik]:
        return False
    filled = {i for i, v in enumerate(values) if v}
    above_filled = {i for i, v in enumerate(above) if v}
    if not filled or not filled < above_filled or len(above_filled) < 3 or len(filled) > len(above_filled) // 2:
        return False
    first = min(filled)
    if _NO_COLUMN.match(table.normalize(columns.texts[first] if first < len(columns.texts) else "")):
        return False
    return not table.is_footer(values)


# --- the reader -------------------------------------------------------------------------------


def _check_complete(data: bytes) -> None:
    """A PDF ends with ``%%EOF``; without it the file was cut off (pdfminer would read what is left)."""
    if b"%%EOF" not in data[-2048:]:
        raise FileFailure(FileError.UNREADABLE, "no %%EOF: truncated")


def _holds_the_list(page: PageText, grid: _Grid) -> bool:
    """Are the worker rows (lines with a long digit run) inside the ruled area, or most of them?"""
    inside = outside = 0
    for line in page.lines:
        if _data_like(line.text):
            if grid.ys[0] < (line.top + line.bottom) / 2 < grid.ys[-1]:
                inside += 1
            else:
                outside += 1
    return inside >= outside


def _scanned(page: PageText) -> bool:
    """A page that is a picture: no text, or a few words over an image covering most of it."""
    return page.image_area > 0 and (page.glyphs == 0 or (page.image_area > 0.4 and page.glyphs < 50))


def _rows(data: bytes, total: int, workers: int) -> Iterator[RawRow]:
    columns = _Columns()
    for page in _page_texts(data, total, workers):
        if _scanned(page):
            raise FileFailure(FileError.SCANNED, f"page {page.number} has no text layer")
        grid = _Grid.of(page)
        if grid is not None and not _holds_the_list(page, grid):
            grid = None  # only the header (or a box around the signature) is ruled
        rows = _ruled_rows(page, grid) if grid is not None else _unruled_rows(page, columns)
        for line, cells in enumerate(rows, start=1):
            yield RawRow(RowRef(line=line, page=page.number), cells)


def read(data: bytes, limits: Limits) -> list[Table]:
    """The document's one table (pages joined), rows read lazily page by page; checks run before any page."""
    _check_complete(data)
    pdf = _open(data)
    try:
        total = _page_count(pdf)
    finally:
        pdf.close()
    if total > limits.max_pdf_pages:
        raise FileFailure(FileError.TOO_LARGE, f"{total} pages, limit {limits.max_pdf_pages}")
    if total == 0:
        raise FileFailure(FileError.UNREADABLE, "no pages")
    return [Table(name=None, rows=_rows(data, total, worker_count()))]
