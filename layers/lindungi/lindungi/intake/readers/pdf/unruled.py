"""Unruled pages: whitespace-aligned columns, found from the header text and the vertical gaps no row crosses.

A line that runs across columns (a title, "Halaman 2 dari 9") becomes a one-cell row instead
of being cut into columns; a continuation line without a NIK under a row (a wrapped name or
address) is joined back into that row.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from lindungi.intake import fields, table
from lindungi.intake.fields import Field
from lindungi.intake.readers.pdf import ruled
from lindungi.intake.readers.pdf.columns import Cuts, boundaries
from lindungi.intake.readers.pdf.page import Line, PageText, Word, data_like

SEGMENT_GAP = 0.8
"""A gap wider than this (times the font size) between two words separates columns (two spaces in Courier)."""

_NO_COLUMN = re.compile(r"^(no|nomor|no urut)$")
_Header = tuple[int, int, list[tuple[float, float]], list[str]]
"""First and last line of the header, its columns' spans and texts."""


@dataclass
class Columns:
    """Columns of a whitespace-aligned list: found under the header, kept for pages without one."""

    spans: list[tuple[float, float]] = field(default_factory=list)
    """Left and right edge of each column's header text."""
    cuts: Cuts = field(default_factory=Cuts)
    """Boundaries between neighbouring columns, and where a word's column is not certain."""
    nik: int | None = None
    texts: list[str] = field(default_factory=list)
    doubtful: set[int] = field(default_factory=set)
    """Rows of the page last read (indexes into what ``rows`` returned) holding a word of uncertain place."""
    top_aligned: bool = False
    """On the page last read, wrapped lines went with the row above them (text aligned to the top of its
    cells) and never with the row below: wrapped lines at the top of the page are the rest of the last row
    of the page before, not the start of the row under them."""
    centred: bool = False
    """On the page last read, a wrapped line sat half a line beside a row's line (its text overlaps the row's
    in height): single-line cells vertically centred beside a wrapped one. Which row a wrapped line belongs
    to cannot be told from its distance there, so the page is not read."""
    overprinted: bool = False
    """On the page last read, a row's line had two texts printed over each other (a long address Gnumeric
    runs on over the next cell, the next cell's text printed on top of it): which glyph belongs to which
    cell cannot be proven, so the page is not read."""
    broken: dict[int, frozenset[int]] = field(default_factory=dict)
    """On the page last read, by row (indexes into what ``rows`` returned), the columns of a value whose line
    break could not be placed (``_placed``): ``RawRow.spacing``, a doubt about one value, not the row's cells."""


def segments(line: Line) -> list[Word]:
    """Words closer than ``SEGMENT_GAP`` joined: one column's text each, on a whitespace-aligned page."""
    out: list[Word] = []
    for x0, x1, text in line.words:
        if out and x0 - out[-1][1] <= SEGMENT_GAP * line.size:
            px0, _, ptext = out[-1]
            out[-1] = (px0, x1, f"{ptext} {text}")
        else:
            out.append((x0, x1, text))
    return out


def _fields(texts: Sequence[str]) -> set[Field | None]:
    return {fields.field_of(fields.normalize(t)) for t in texts}


def _tight(upper: Line, lower: Line) -> bool:
    return lower.top - upper.bottom < 0.8 * max(upper.size, lower.size)


def _absorb(columns: list[list[Word]], line: Line, above: bool) -> bool:
    """Add ``line``'s pieces to the header's columns; False if the line is no part of the header."""
    if data_like(line.text):
        return False
    placed: dict[int, list[Word]] = {}
    for piece in segments(line):
        hits = [
            i for i, col in enumerate(columns)
            if piece[0] < max(w[1] for w in col) and piece[1] > min(w[0] for w in col)
        ]
        if len(hits) > 1:
            return False  # a title or group label running over several columns: not part of the header
        if hits:
            placed.setdefault(hits[0], []).append(piece)
        elif not above:
            columns.append([piece])
        # A piece above the anchor over no column is a group label ("KONTAK" over "No. HP" and "Alamat").
    for i, pieces_here in placed.items():
        if len(pieces_here) > 1:  # the anchor was a group label ("KONTAK") over these columns
            columns[i] = [pieces_here[0]]
            columns.extend([p] for p in pieces_here[1:])
        elif above:
            columns[i].insert(0, pieces_here[0])
        else:
            columns[i].append(pieces_here[0])
    return True


def _header_block(lines: Sequence[Line], at: int, below: int = 2) -> _Header | None:
    """The header starting at line ``at`` (it may wrap onto the lines around it): span, columns, texts."""
    if data_like(lines[at].text):
        return None
    anchor = segments(lines[at])
    fields = _fields([s[2] for s in anchor])
    if Field.NIK not in fields and Field.NAME not in fields:
        return None
    columns: list[list[Word]] = [[s] for s in anchor]
    first, last = at, at
    while last + 1 < len(lines) and last - at < below and _tight(lines[last], lines[last + 1]):
        if not _absorb(columns, lines[last + 1], above=False):
            break
        last += 1
    while first > 0 and at - first < 1 and _tight(lines[first - 1], lines[first]):
        if not _absorb(columns, lines[first - 1], above=True):
            break
        first -= 1
    columns.sort(key=lambda col: min(w[0] for w in col))
    texts = [" ".join(w[2] for w in col) for col in columns]
    found = _fields(texts)
    if Field.NIK not in found or Field.NAME not in found:
        return None
    spans = [(min(w[0] for w in col), max(w[1] for w in col)) for col in columns]
    return first, last, spans, texts


def _find_header(lines: Sequence[Line], known: Sequence[str] = ()) -> _Header | None:
    """The first header on the page. Where the list's header is ``known`` (from a page before), the header
    repeated is taken as deep as the known one: a row's wrapped lines close under it (the rest of a row
    the page break cut) are no part of it."""
    for at in range(len(lines)):
        header = _header_block(lines, at)
        if header is not None and known and list(header[3]) != list(known):
            for below in range(header[1] - at - 1, -1, -1):
                shallower = _header_block(lines, at, below)
                if shallower is not None and list(shallower[3]) == list(known):
                    return shallower
        if header is not None:
            return header
    return None


def _tabular(lines: Sequence[Line]) -> list[Line]:
    """The lines under the header whose blanks part the columns: the rows (three cells or more), and the
    wrapped lines between the first row and the last (a wrapped address runs as far right as its row's),
    not the footer or signature lines under the list."""
    data = [i for i, line in enumerate(lines) if data_like(line.text)]
    inside = range(data[0], data[-1] + 1) if data else range(0)
    return [line for i, line in enumerate(lines) if len(segments(line)) >= (2 if i in inside else 3)]


def rows(page: PageText, columns: Columns) -> list[list[str]]:
    """Rows of a whitespace-aligned page; ``columns`` carries the layout over to pages without a header."""
    lines = page.lines
    header = _find_header(lines, columns.texts)
    out: list[list[str]] = []
    body_start = 0
    if header is not None:
        first, last, spans, texts = header
        out.extend([line.text] for line in lines[:first])  # title and page-header lines
        columns.spans, columns.texts = spans, texts
        tabular = _tabular(lines[last + 1 :])
        columns.cuts = boundaries([(a + b) / 2 for a, b in spans], tabular)
        columns.nik = next((i for i, t in enumerate(texts) if fields.field_of(fields.normalize(t)) is Field.NIK), None)
        out.append(texts)
        body_start = last + 1
    columns.doubtful, columns.centred, columns.overprinted, columns.broken = set(), False, False, {}
    if not columns.spans:
        return [[line.text] for line in lines]
    body, doubtful, broken = _body_rows(lines[body_start:], columns)
    columns.doubtful = {len(out) + i for i in doubtful}
    columns.broken = {len(out) + i: cols for i, cols in broken.items()}
    out.extend(body)
    return out


@dataclass
class _Item:
    """One text line under the header: its words by column (None: a line across columns, a title or footer)."""

    line: Line
    values: list[str] | None
    unsure: bool = False
    extent: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    """By column, the line's text in it: left edge, right edge, the width of its first glyph (0: not known)."""


def _cut(line: Line, columns: Columns) -> _Item:
    cuts = columns.cuts
    if not data_like(line.text) and any(
        p[0] < cut - 2 and p[1] > cut + 2 for p in segments(line) for cut in cuts.at
    ):
        return _Item(line, None)
    values = [""] * len(columns.spans)
    extent: dict[int, tuple[float, float, float]] = {}
    unsure = line.overprinted
    goes_on = _strings_go_on(line)
    leads = line.lead
    col = 0
    for k, (x0, x1, text) in enumerate(line.words):
        if k in goes_on:  # the rest of the cell's string before, run on past its column: that cell's
            values[col] = f"{values[col]} {text}"
            extent[col] = (extent[col][0], x1, extent[col][2])
            continue
        col = bisect_right(cuts.at, (x0 + x1) / 2)
        values[col] = f"{values[col]} {text}" if values[col] else text
        extent[col] = (extent[col][0], x1, extent[col][2]) if col in extent else (
            x0, x1, leads[k] if k < len(leads) else 0.0)
        unsure = unsure or cuts.doubts(x0, x1)
    return _Item(line, values, unsure, extent)


def _placed(upper: _Item, lower: _Item, col: int, widest: float) -> bool:
    """Is the line break between two lines of one cell proven to be at a space (``ruled.broke_at_space``)?
    The upper line holds a space; or the lower line starts a word by its letters' case
    (``ruled.word_starts``); or the upper line with the lower line's first glyph is no wider than the widest
    line the column holds on the page (a cell is at least as wide as every line printed in it, and a writer
    breaks inside a word only when the line is full). Unruled, the cell's own width is not printed."""
    assert upper.values is not None and lower.values is not None
    above, below = upper.values[col], lower.values[col]
    if " " in above or ruled.word_starts(above, below) or ruled.number_goes_on(above, below):
        return True
    x0, x1, _ = upper.extent[col]
    lead = lower.extent[col][2]
    return lead > 0 and ruled.broke_at_space(1, x1 - x0, lead, widest)


def _strings_go_on(line: Line) -> set[int]:
    """Words that go on, a space apart, from the string the word before them began, on a line printed a
    string per cell: every word after a column's gap begins a string of its own (two such gaps at least).
    Such a word is the same cell's text run on past its column (TCPDF's ``Cell()`` prints a long address
    over the next column), whatever column it lies in. Empty where the page's strings are not known, or a
    line is printed as one string (then a space proves nothing)."""
    words, fresh = line.words, line.fresh
    if len(fresh) != len(words):
        return set()
    apart = [k for k in range(1, len(words)) if words[k][0] - words[k - 1][1] > SEGMENT_GAP * line.size]
    if len(apart) < 2 or not all(fresh[k] for k in apart):
        return set()
    return {k for k in range(1, len(words)) if not fresh[k]}


def _fragment(item: _Item, columns: Columns) -> bool:
    """Could this line be the wrapped part of a row's cells (a name or address on two lines)?

    Not when it has a NIK, text in the "No" column, or reads as a footer (a second phone number may wrap).
    """
    values = item.values
    if values is None or (columns.nik is not None and values[columns.nik]):
        return False
    filled = [i for i, v in enumerate(values) if v]
    if not filled or _NO_COLUMN.match(fields.normalize(columns.texts[filled[0]] if filled[0] < len(columns.texts)
                                                       else "")):
        return False
    return not table.is_footer(values)


def _fits(block: Sequence[_Item], row: _Item) -> bool:
    """Text only in columns where the row has text too, at most half as many (a row missing its NIK
    still fills most columns, so it stays a row of its own)."""
    assert row.values is not None
    above_filled = {i for i, v in enumerate(row.values) if v}
    filled = {i for item in block if item.values for i, v in enumerate(item.values) if v}
    return bool(filled) and filled < above_filled and len(above_filled) >= 3 and len(filled) <= len(above_filled) // 2


def _gap(upper: Line, lower: Line) -> float | None:
    """The blank between two lines, if they are close enough to be lines of one cell."""
    gap = lower.top - upper.bottom
    return gap if gap < 0.9 * max(upper.size, lower.size) else None


def _owner(items: Sequence[_Item], start: int, end: int, columns: Columns) -> int | None:
    """Which row the wrapped lines ``items[start:end]`` belong to: the row right above (text aligned to
    the top of its cells), right below (aligned to the bottom, Excel's and Calc's default), None if
    neither; -1 when both are as close, so it cannot be told."""
    block = items[start:end]
    near: list[tuple[float, int]] = []
    for j, upper, lower in ((start - 1, start - 1, start), (end, end - 1, end)):
        if 0 <= j < len(items) and items[j].values is not None and not _fragment(items[j], columns):
            gap = _gap(items[upper].line, items[lower].line)
            if gap is not None and _fits(block, items[j]):
                near.append((gap, j))
    if len(near) < 2:
        return near[0][1] if near else None
    (close, j), (far, _) = sorted(near)
    return j if close < 0.5 * far else -1


def _interleaved(a: Line, b: Line) -> bool:
    """Two text lines overlapping in height by more than a quarter of the font: not lines of a stack of cells
    (those follow each other at a line's pitch) but one set half a line off the other."""
    return min(a.bottom, b.bottom) - max(a.top, b.top) > 0.25 * max(a.size, b.size)


def _blocks(items: Sequence[_Item], columns: Columns) -> Iterator[tuple[int, int]]:
    """Runs of consecutive fragment lines, each line close under the one before."""
    i = 0
    while i < len(items):
        if not _fragment(items[i], columns):
            i += 1
            continue
        end = i + 1
        while end < len(items) and _fragment(items[end], columns) and _gap(items[end - 1].line, items[end].line):
            end += 1
        yield i, end
        i = end


def _body_rows(
    lines: Sequence[Line], columns: Columns,
) -> tuple[list[list[str]], set[int], dict[int, frozenset[int]]]:
    """The lines under the header cut into the columns, wrapped lines joined to their row (in line order).

    Also the indexes of the rows that are not certain: a word whose column is doubtful, or
    wrapped lines as close to the row above as to the row below (they join neither); and, by row, the
    columns of a value whose line break is not proven to be at a space (``_placed``).
    """
    items = [_cut(line, columns) for line in lines]
    columns.centred = any(
        _fragment(items[k], columns) and not _fragment(items[j], columns) and items[j].values is not None
        and _interleaved(items[k].line, items[j].line)
        for k in range(len(items)) for j in (k - 1, k + 1) if 0 <= j < len(items)
    )
    columns.overprinted = any(item.values is not None and item.line.overprinted for item in items)
    joined: dict[int, list[tuple[int, int]]] = {}
    dropped: set[int] = set()
    doubt: set[int] = set()
    blocks = [(start, end, _owner(items, start, end, columns)) for start, end in _blocks(items, columns)]
    at_top = [all(item.values is None for item in items[:start]) for start, _, _ in blocks]
    above = sum(1 for (start, _, owner), top in zip(blocks, at_top, strict=True) if owner == start - 1 and not top)
    below = sum(1 for (_, end, owner), top in zip(blocks, at_top, strict=True) if owner == end and not top)
    columns.top_aligned = above > 0 and below == 0
    for (start, end, owner), top in zip(blocks, at_top, strict=True):
        if owner is None:
            continue
        if top and owner == end and below < above:
            continue  # at the page's top, in a list whose wrapped lines go with the row above: not the row below's
        dropped.update(range(start, end))
        if owner == -1:
            doubt.update({start - 1, end})
        else:
            joined.setdefault(owner, []).append((start, end))
    widest: dict[int, float] = {}
    for item in items:
        for col, (x0, x1, _) in item.extent.items():
            widest[col] = max(widest.get(col, 0.0), x1 - x0)
    out: list[list[str]] = []
    doubtful: set[int] = set()
    broken: dict[int, frozenset[int]] = {}
    for i, item in enumerate(items):
        if i in dropped:
            continue
        if item.values is None:
            out.append([item.line.text])
            continue
        values, unsure = list(item.values), item.unsure or i in doubt
        unplaced: set[int] = set()
        for start, end in joined.get(i, []):
            parts = items[start:end]
            unsure = unsure or any(part.unsure for part in parts)
            stack = [*parts, item] if start < i else [item, *parts]
            for col in range(len(values)):
                cell = [line for line in stack if line.values is not None and line.values[col]]
                if len(cell) < 2:
                    continue
                unplaced.update(col for upper, lower in pairwise(cell) if not _placed(upper, lower, col, widest[col]))
                added = " ".join(line.values[col] for line in cell if line is not item)  # type: ignore[index]
                if added:
                    values[col] = f"{values[col]} {added}" if start > i else f"{added} {values[col]}"
        if unsure:
            doubtful.add(len(out))
        if unplaced:
            broken[len(out)] = frozenset(unplaced)
        out.append(values)
    return out, doubtful, broken
