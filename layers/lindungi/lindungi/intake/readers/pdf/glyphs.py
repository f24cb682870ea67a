"""One page's glyphs and ruling lines, out of pdfminer's content-stream interpreter, into text lines.

pdfminer's own layout device builds an ``LTChar`` (and pdfplumber then a dict) for every
glyph; ``Collector`` keeps one tuple per glyph, computed with the same geometry as ``LTChar``
(a test holds it equal to ``page.chars``), and the straight ruling lines.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

from pdfminer.pdfcolor import PDFColorSpace
from pdfminer.pdfdevice import PDFTextDevice, PDFTextSeq
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFGraphicState, PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream
from pdfminer.utils import Matrix, PathSegment, Point, apply_matrix_pt, apply_matrix_rect
from pdfplumber.pdf import PDF

from lindungi.intake.readers.pdf.content import Interpreter
from lindungi.intake.readers.pdf.page import Line, PageText, Word

OVERPRINT = 0.25
"""A run starting this far (times the font size) inside the word before it is printed over it."""
WORD_GAP = 0.12
"""A gap wider than this (times the font size) between two glyphs is a space, even without a space glyph."""
THIN = 2.0
OVERLAP = 0.5
MIN_SWITCH = 3
"""Text starting this far (pt) inside the end of the text before it on its line was printed apart from it."""
LONG_NUMBER = 10
"""A run of this many digits (a NIK, a phone number) followed, with no gap, by a letter is two cells printed
against each other (Gnumeric prints a NIK cell that fills its column right against the name): split there."""
"""A filled rectangle thinner than this (pt) is a drawn rule, as Excel draws cell borders."""

Glyph = tuple[float, float, float, float, str]
"""x0, x1, y0, y1, text, in displayed-page coordinates (y pointing up)."""
_Run = tuple[float, float, float, float, float, str, bool, float]
"""(mid_y, top, bottom, x0, x1, text, fresh, lead): glyphs printed one after another on one baseline; ``fresh``:
the run's first glyph is the first the page's content shows with its string (not after a space in it); ``lead``:
the first glyph's width."""


class Collector(PDFTextDevice):
    """A pdfminer device that keeps only what a list needs: glyph boxes, ruling lines, image area.

    Coordinates are those of the displayed page (``/Rotate`` applied), y pointing up; the rules
    are kept top-down, as ``PageText`` holds them.
    """

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.glyphs: list[Glyph] = []
        self.starts: set[int] = set()
        """Indexes of the glyphs that begin a string shown (a cell's text is one string, or a few)."""
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
        self.starts.add(len(self.glyphs))
        if b or c or a <= 0 or d * scaling <= 0:  # rotated or mirrored text: the general path
            return super().render_string_horizontal(
                seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, graphicstate
            )
        x, y = pos
        bottom = d * (y + font.get_descent() * fontsize + rise) + f
        top = bottom + d * fontsize
        scale = fontsize * scaling
        append = self.glyphs.append
        known = self._fonts.get(id(font)) or self._fonts.setdefault(id(font), {})
        decode = None if type(font).decode is PDFFont.decode else font.decode  # one byte a glyph: its code
        spaced = False
        for obj in seq:  # once per glyph: lookups bound outside, the font's glyphs cached (the hot loop)
            if isinstance(obj, bytes):
                for cid in obj if decode is None else decode(obj):
                    if spaced:
                        x += charspace
                    text, width = known.get(cid) or self._glyph(font, cid)
                    advance = width * scale
                    x0 = a * x + e
                    append((x0, x0 + a * advance, bottom, top, text))
                    x += advance
                    if cid == 32 and wordspace:
                        x += wordspace
                    spaced = True
            elif isinstance(obj, (int, float)):
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
        height = self.height
        for points in _subpaths(self.ctm, path):
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


def _subpaths(ctm: Matrix, path: Sequence[PathSegment]) -> list[list[Point]]:
    """The path's straight subpaths as device points; a curve starts an empty one (no ruling line)."""
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
            subpaths.append([])
    return subpaths


def extract_page(pdf: PDF, page: PDFPage, number: int, interpreter: type[PDFPageInterpreter] = Interpreter) -> PageText:
    """The text lines and ruling lines of one page."""
    device = Collector(pdf.rsrcmgr)
    try:
        interpreter(pdf.rsrcmgr, device).process_page(page)
    finally:
        device.close()
    runs, count = _runs(device.glyphs, device.starts, device.height)
    rule_xs = sorted(x for x, _, _ in device.vertical)
    page_area = max(device.width * device.height, 1.0)
    return PageText(
        number=number,
        width=device.width,
        height=device.height,
        lines=tuple(_lines(runs, rule_xs)),
        vertical=tuple(device.vertical),
        horizontal=tuple(device.horizontal),
        glyphs=count,
        image_area=min(device.image_area / page_area, 1.0),
    )


def _runs(glyphs: Iterable[Glyph], starts: set[int], height: float) -> tuple[list[_Run], int]:
    """Runs of glyphs and the count of glyphs that are not spaces.

    Glyphs come in the order the page prints them; those that follow each other on one
    baseline with no gap are joined into a run here, so only runs (a tenth as many) are sorted.
    A string shown right against the one before, a number against a word or a word against a
    number, starts a run of its own: two cells printed one against the other ("HIDAYAT" and
    "06-01-1970"), which ``_words`` keeps apart.
    """
    runs: list[_Run] = []
    count = 0
    parts: list[str] = []
    opened = fresh = False  # a string began since the last glyph taken; the run being built began one
    digits = 0  # how many digits the run ends with
    r_x0 = r_x1 = r_y0 = r_y1 = r_lead = 0.0
    for i, (x0, x1, y0, y1, text) in enumerate(glyphs):  # once per glyph: each test made once
        start = i in starts
        opened = opened or start
        if text.isspace():
            if parts:
                runs.append(((2 * height - r_y0 - r_y1) / 2, height - r_y1, height - r_y0, r_x0, r_x1, "".join(parts),
                             fresh, r_lead))
                parts = []
            continue
        count += 1
        digit = text.isdigit()
        apart = (digits >= LONG_NUMBER and text.isalpha()) or (start and (digits > 0) != digit)
        if parts and abs(y0 - r_y0) < 0.05 and -0.3 < x0 - r_x1 < 0.3 and not apart:
            parts.append(text)
            r_x1, opened = x1, False
            digits = digits + 1 if digit else 0
            continue
        digits = 1 if digit else 0
        if parts:
            runs.append(((2 * height - r_y0 - r_y1) / 2, height - r_y1, height - r_y0, r_x0, r_x1, "".join(parts),
                         fresh, r_lead))
        parts, fresh, opened = [text], opened, False
        r_x0, r_x1, r_y0, r_y1, r_lead = x0, x1, y0, y1, x1 - x0
    if parts:
        runs.append(((2 * height - r_y0 - r_y1) / 2, height - r_y1, height - r_y0, r_x0, r_x1, "".join(parts), fresh,
                     r_lead))
    return runs, count


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
        words, overprinted, fresh, lead = _words(members, rule_xs, size)
        lines.append(Line(top, bottom, size, tuple(words), overprinted, tuple(fresh), tuple(lead)))
        start = end
    return lines


def _words(
    members: Sequence[_Run], rule_xs: Sequence[float], size: float
) -> tuple[list[Word], bool, list[bool], list[float]]:
    """One line's runs, left to right, joined into words where no gap and no ruling line parts them.

    Also whether two different texts are printed over each other (a run starting well inside the
    word before it): text overflowing its cell onto another's, so which is whose is not certain.
    """
    words: list[Word] = []
    fresh: list[bool] = []
    lead: list[float] = []
    overprinted = False
    for _, _, _, x0, x1, text, starts, first in members:
        if words:
            p0, p1, ptext = words[-1]
            if ptext == text and abs(p0 - x0) < 0.5:
                continue  # the same text printed twice (fake bold)
            overprinted = overprinted or x0 < p1 - OVERPRINT * size
            if x0 - p1 <= WORD_GAP * size and not _rule_between(rule_xs, p1, x0):
                if not _two_cells(ptext, text, p1 - x0):
                    words[-1] = (p0, max(p1, x1), ptext + text)
                    continue
                if x0 <= p1:  # printed over the end of the one before: the cells part where it starts
                    words[-1] = (p0, max(p0, x0 - 0.01), ptext)
        words.append((x0, x1, text))
        fresh.append(starts)
        lead.append(first)
    return words, overprinted, fresh, lead


def _two_cells(left: str, right: str, overlap: float) -> bool:
    """Two runs of text with no gap between them that are two cells printed against each other, not one word:
    a long number and a word (a NIK against the name its cell runs into), a word and a number printed over
    each other's ends or against each other (a long name run into the date after it). A cell's own text is
    printed as one run up to its spaces, so a word and a number meeting between runs are two cells."""
    if right[:1].isalpha() and len(left) >= LONG_NUMBER and left[-LONG_NUMBER:].isdigit():
        return True
    if overlap > OVERLAP:
        return left[-1:].isdigit() != right[:1].isdigit()
    return (left[-1:].isalpha() and right[:1].isdigit() and len(right) >= MIN_SWITCH
            and len(left) >= MIN_SWITCH and left[-MIN_SWITCH:].isalpha())


def _rule_between(rule_xs: Sequence[float], left: float, right: float) -> bool:
    if not rule_xs:
        return False
    i = bisect_right(rule_xs, left - 0.3)
    return i < len(rule_xs) and rule_xs[i] < right + 0.3
