"""Ruled pages (Excel's "Save as PDF"): the ruling lines give the columns and rows, merged cells included."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from lindungi.intake import fields
from lindungi.intake.fields import Field
from lindungi.intake.readers.pdf.page import Line, PageText, Word, data_like
from lindungi.nik import shaped

_HYPHENATED = re.compile(r"[0-9][0-9./-]*[-/]")
"""A number broken after a dash or slash of its own: a date or phone number wrapped in a narrow cell."""
_Placed = tuple[float, float, float, str, float, float]
"""A word in a cell: its line's top, x0, x1, text, its line's font size, the width of its first glyph."""
BROKEN = 2.0
"""A line that is one word as wide as its cell, less this (times the font size) for the padding, was broken
inside the word: the next line goes on with it."""
FIT = 0.05
"""What a line and a glyph must leave free of a cell's inner width (pt) to be proven to fit: the rounding of the
positions a producer writes (fpdf2 writes hundredths of a point: the two rules and the text's start give the
inner width to 0.02)."""
RULE_SNAP = 1.5
"""Rules closer than this (pt) are one rule: double borders, adjacent cells' rectangles sharing an edge."""


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


@dataclass(frozen=True, slots=True)
class Ends:
    """A cell's first and last line, for a break between a row's part on one page and its rest on the next
    (``broke_at_space``): where the part ends and where the rest starts."""

    words: int
    """Words on the last line."""
    width: float
    """The last line's width."""
    inner: float
    """The width text may take in the cell."""
    lead: float
    """The width of the first line's first glyph."""


@dataclass(frozen=True)
class Grid:
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
    columns: list[int]
    """The vertical rules that part the list's columns: those that cross most row bands. A rule crossing a few
    bands only parts the cells of a box under the list (a signature block) or of a merged header, and is no
    column of the list's own: the rows are as wide as the list's columns on every page."""

    @classmethod
    def of(cls, page: PageText) -> Grid | None:
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
        crossing = [sum(1 for cuts in row_cuts if c in cuts) for c in range(len(xs) - 1)]
        columns = [c for c in range(len(xs) - 1) if c == 0 or crossing[c] * 2 > len(row_cuts)]
        return cls(xs, ys, [sorted(s) for s in row_cuts], [sorted(s) for s in col_cuts], columns)

    def column(self, col: int) -> int:
        """The list's column (an index into the row) that grid column ``col`` is part of."""
        return bisect_right(self.columns, col) - 1

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

    def edges(self, at: tuple[int, int]) -> tuple[float, float]:
        """Left and right rule of cell ``at`` (a merged cell's outer rules)."""
        row, col = at
        cuts = self.row_cuts[row]
        i = bisect_right(cuts, col)
        return self.xs[col], self.xs[cuts[i]] if i < len(cuts) else self.xs[-1]

    def text(self, at: tuple[int, int], words: Sequence[_Placed]) -> tuple[str, bool]:
        """A cell's words, sorted top-down and left to right, as one value, and whether a line break in it
        could not be placed (``broke_at_space``).

        Its lines are joined by a space, but a number broken where it filled the cell's width
        ("61720218026400" over "02", "01-01-202" over "5"), or after a dash or slash of its own ("27-" over
        "02-" over "1978", "0812-" over "3456-7890"), goes on on the next line without one. Any other break
        is at a space where that is proven; where it is not ("SRIWAHYUNI" over "NGSIH": one word broken, or
        two?) the lines are still joined by a space, and the value is unsure: the row is warned.
        """
        if len(words) == 1:
            return words[0][3], False
        lines = _lines_of(words)
        if len(lines) == 1:
            return " ".join(w[3] for w in words), False
        left, right = self.edges(at)
        inner = _inner(lines, left, right)
        out: list[str] = []
        unsure = False
        for n, line in enumerate(lines):
            texts = [w[3] for w in line]
            if n:
                upper = lines[n - 1]
                _, px0, px1, _, psize, _ = upper[-1]
                full = len(upper) == 1 and px1 - px0 >= right - left - BROKEN * psize
                if number_goes_on(out[-1], texts[0]):
                    if full or _HYPHENATED.fullmatch(out[-1]):
                        out[-1] += texts.pop(0)
                elif not (broke_at_space(len(upper), px1 - upper[0][1], line[0][5], inner)
                          or word_starts(out[-1], texts[0])):
                    unsure = True
            out.extend(texts)
        return " ".join(out), unsure

    def ends(self, at: tuple[int, int], words: Sequence[_Placed]) -> Ends:
        """Where a cell's text (``words``, as for ``text``) starts and ends."""
        lines = _lines_of(words)
        if not lines:
            return Ends(0, 0.0, 0.0, float("inf"))
        left, right = self.edges(at)
        last = lines[-1]
        return Ends(len(last), last[-1][2] - last[0][1], _inner(lines, left, right), lines[0][0][5])

    def straddles(self, line: Line) -> bool:
        """Does ``line``, outside the table, run over its top or bottom rule (a header too tall for its row)?"""
        margin = 0.25 * line.size
        return any(line.top + margin < y < line.bottom - margin for y in (self.ys[0], self.ys[-1]))

    def crosses(self, at: tuple[int, int], word: Word, line: Line) -> bool:
        """Is ``word`` (of ``line``, in cell ``at``) drawn across a rule that bounds its row or column?"""
        row, col = at
        margin = 0.25 * line.size
        for r in self.col_cuts[col]:
            if line.top + margin < self.ys[r] < line.bottom - margin:
                return True
        return any(word[0] + 0.5 < self.xs[c] < word[1] - 0.5 for c in self.row_cuts[row])

    def holds_the_list(self, page: PageText) -> bool:
        """Are the worker rows (lines with a long digit run) inside the ruled area, or most of them?"""
        inside = outside = 0
        for line in page.lines:
            if data_like(line.text):
                if self.ys[0] < (line.top + line.bottom) / 2 < self.ys[-1]:
                    inside += 1
                else:
                    outside += 1
        return inside >= outside


def continued(upper: str, lower: str) -> str:
    """A cell's text and its rest on the next line (or page): parted by a space, but a number broken after a
    dash or slash of its own goes on without one ("01-03-" and "2025")."""
    if not upper or not lower:
        return upper or lower
    return upper + lower if _HYPHENATED.fullmatch(upper) and lower[:1].isdigit() else f"{upper} {lower}"


def unplaced(upper: str, lower: str, ends: tuple[Ends | None, Ends | None] = (None, None)) -> bool:
    """Is the break between a cell's text and its rest on the next page not placed? ``continued`` joins them
    with a space; it is placed where a number goes on, or where ``broke_at_space`` proves it from the ends of
    the two parts (both printed in ruled cells of the same columns; unknown on an unruled page)."""
    if not upper or not lower or number_goes_on(upper, lower):
        return False
    if word_starts(upper, lower):
        return False
    part, rest = ends
    return part is None or rest is None or not broke_at_space(part.words, part.width, rest.lead, part.inner)


def word_starts(upper: str, lower: str) -> bool:
    """Does the next line start a word by its letters' case: a line ending in a small letter, the next starting
    with a capital and a small one ("Singkawang" over "Barat", "Mui" over "Fa")? A word broken in two goes on
    in small letters ("Sijangku" over "ng"); a capital inside a word after a small letter ("McDonald") is not
    how Indonesian names and places are written. Text in capitals only ("SRIWAHYUNI" over "NGSIH") says
    nothing, and lowercase on both sides ("Ahmad" over "bin") nothing either."""
    return upper[-1:].islower() and lower[:1].isupper() and lower[1:2].islower()


def broke_at_space(words: int, width: float, lead: float, inner: float) -> bool:
    """Is a line of a cell proven to end where a space was (not inside a word)? ``words``: the line's words,
    ``width``: its width, ``lead``: the width of the next line's first glyph, ``inner``: the width text may
    take in the cell (pt).

    Writers wrap greedily (fpdf2, LibreOffice, Chromium, TCPDF): a line takes words while they fit, and a
    word is broken only when it is alone on its line and wider than it. So a line holding a space broke at
    a space, and so did a line that the next line's first glyph would still have fitted on. Otherwise (one
    word filling the line) it cannot be told, and the answer is False: not proven. The line's trailing space,
    if any, is not in the PDF (fpdf2 prints each line as its own string, without it).
    """
    return words > 1 or width + lead <= inner - FIT


def _lines_of(words: Sequence[_Placed]) -> list[list[_Placed]]:
    """A cell's words, sorted, in the lines they are printed on."""
    lines: list[list[_Placed]] = []
    for word in words:
        if lines and word[0] - lines[-1][-1][0] <= 0.3 * word[4]:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def _inner(lines: Sequence[Sequence[_Placed]], left: float, right: float) -> float:
    """The width text may take between a cell's rules: less the padding its text starts at, on both sides."""
    return right - left - 2 * (min(line[0][1] for line in lines) - left)


def number_goes_on(upper: str, lower: str) -> bool:
    return lower[:1].isdigit() and (upper[-1:].isdigit() or upper[-1:] in "-/.")


def list_grid(page: PageText) -> Grid | None:
    """The page's ruled table if the list is in it; None when only the header (or a box around the
    signature) is ruled, or nothing is."""
    grid = Grid.of(page)
    return grid if grid is not None and grid.holds_the_list(page) else None


@dataclass
class PageRows:
    """What a page gives: its rows, those not certain, and whether the last may go on on the next page."""

    rows: list[list[str]]
    doubtful: set[int]
    """Indexes of the rows whose text is not certain."""
    cut_off: bool = False
    """The last row is a worker's row that may go on on the next page: printed under a ruled table's last
    rule, or the last row of an unruled page."""
    xs: tuple[float, ...] = ()
    """Where the list's columns part: the rest of a row cut off on the page before must have the same."""
    top_aligned: bool = False
    """An unruled page whose wrapped lines all go with the row above them (``unruled.Columns.top_aligned``)."""
    broken: dict[int, frozenset[int]] = field(default_factory=dict)
    """For the rows with a value whose line break could not be placed (``Grid.text``), by index, those
    values' columns (``RawRow.spacing``). Where the row's cells are is not in doubt: no page rule counts it."""
    grid: Grid | None = None
    placed: dict[int, dict[int, tuple[tuple[int, int], list[_Placed]]]] = field(default_factory=dict)
    """For the rows of a ruled page, by index: by column, the grid cell and the words in it (``ends``)."""

    def ends(self, row: int) -> dict[int, Ends]:
        """The ``Ends`` of row ``row``'s cells, by column (none on an unruled page): a row cut off by the page
        end and its rest on the next page are joined at a space where ``broke_at_space`` proves it."""
        grid = self.grid
        if grid is None:
            return {}
        return {index: grid.ends(at, words) for index, (at, words) in self.placed.get(row, {}).items()}


def _tail(page: PageText, grid: Grid) -> range:
    """The lines under the table that are a worker's row the page end cut off: a NIK printed below the last
    rule, inside the table's width, and the lines close under it (its wrapped cells); empty if none."""
    lines = page.lines
    bottom = grid.ys[-1]
    start = next((i for i, line in enumerate(lines) if (line.top + line.bottom) / 2 > bottom), len(lines))
    end = start
    while end < len(lines) and all(grid.xs[0] < w[0] and w[1] < grid.xs[-1] for w in lines[end].words) and (
        lines[end].top - (lines[end - 1].bottom if end > start else bottom) < 0.9 * lines[end].size
    ):
        end += 1
    if end == start or not shaped(lines[start].text):
        return range(0)
    return range(start, end)


def _head(page: PageText, grid: Grid) -> range:
    """The lines over the table that are the rest of a row the page before cut off: on a page whose table
    starts without a header, lines close above its first rule, inside its width, without a long number
    (a page title stands apart from the table, or runs over its width); empty if none."""
    lines = page.lines
    top = grid.ys[0]
    end = next((i for i, line in enumerate(lines) if (line.top + line.bottom) / 2 > top), len(lines))
    first_band = [w[2] for line in lines[end:] if (line.top + line.bottom) / 2 < grid.ys[1] for w in line.words]
    if any(fields.field_of(fields.normalize(text)) in (Field.NIK, Field.NAME) for text in first_band):
        return range(0)
    start = end
    while start > 0:
        line = lines[start - 1]
        below = lines[start].top if start < end else top
        if (below - line.bottom > 0.9 * line.size or data_like(line.text)
                or not all(grid.xs[0] < w[0] and w[1] < grid.xs[-1] for w in line.words)):
            break
        start -= 1
    return range(start, end)


def rows(page: PageText, grid: Grid) -> PageRows:
    """Rows of a ruled page: each band of the table one row, each line outside the table one cell.

    Text of one cell that wraps onto two lines is joined back into one value. Also the indexes of
    the rows whose text is not certain: where text runs over a ruling line (a row too low for its
    wrapped text prints it over the rows around it), that row and the ones next to it. A worker's
    row that the page end cut off under the last rule (its rest on the next page) is cut into the
    table's columns, and is the page's last row (``cut_off``).
    """
    width = len(grid.columns)
    cells: dict[tuple[int, int], list[_Placed]] = {}
    out: list[tuple[float, list[str], int | None]] = []
    crossed: set[int] = set()
    tail, head = _tail(page, grid), _head(page, grid)
    below = len(grid.ys) - 1  # the band a cut-off row is put in: one past the table's last
    for number, line in enumerate(page.lines):
        mid = (line.top + line.bottom) / 2
        leads = _leads(line)
        if number in tail or number in head:
            band = below if number in tail else -1
            for word, lead in zip(line.words, leads, strict=True):
                col = bisect_right(grid.xs, (word[0] + word[1]) / 2) - 1
                cells.setdefault((band, min(max(col, 0), len(grid.xs) - 2)), []).append(
                    (line.top, word[0], word[1], word[2], line.size, lead))
            continue
        outside: list[Word] = []
        for word, lead in zip(line.words, leads, strict=True):
            at = grid.cell((word[0] + word[1]) / 2, mid)
            if at is None:
                outside.append(word)
                if grid.straddles(line):
                    crossed.add(0 if mid < grid.ys[0] else len(grid.ys) - 2)
                continue
            cells.setdefault(at, []).append((line.top, word[0], word[1], word[2], line.size, lead))
            if line.overprinted or grid.crosses(at, word, line):
                crossed.add(at[0])
        if outside:
            out.append((line.top, [" ".join(w[2] for w in outside)], None))
    bands: dict[int, list[str]] = {}
    broken: dict[int, set[int]] = {}
    placed: dict[int, dict[int, tuple[tuple[int, int], list[_Placed]]]] = {}
    for (row, col), words in sorted(cells.items(), key=lambda item: item[0]):
        words.sort()
        values = bands.setdefault(row, [""] * width)
        key = (row, col) if 0 <= row < below else (0, col)
        text, unplaced = grid.text(key, words)
        index = grid.column(col)
        placed.setdefault(row, {})[index] = (key, words)
        if unplaced:
            broken.setdefault(row, set()).add(index)
        values[index] = f"{values[index]} {text}" if values[index] else text
    out.extend((grid.ys[row] if row >= 0 else grid.ys[0] - 0.5, values, row) for row, values in bands.items())
    out.sort(key=lambda item: item[0])
    unsure = {r + step for r in crossed for step in (-1, 0, 1)}
    xs = (*(grid.xs[c] for c in grid.columns), grid.xs[-1])
    bands_of = [band for _, _, band in out]
    return PageRows([values for _, values, _ in out], {i for i, band in enumerate(bands_of) if band in unsure},
                    bool(tail), xs, broken={i: frozenset(broken[b]) for i, b in enumerate(bands_of) if b in broken},
                    grid=grid, placed={i: placed[b] for i, b in enumerate(bands_of) if b in placed})


def _leads(line: Line) -> Sequence[float]:
    """The width of each word's first glyph; where it is not known, wider than any cell (no break is proven)."""
    return line.lead if len(line.lead) == len(line.words) else [float("inf")] * len(line.words)
