"""Unruled pages: whitespace-aligned columns, found from the header text and the vertical gaps no row crosses.

A line that runs across columns (a title, "Halaman 2 dari 9") becomes a one-cell row instead
of being cut into columns; a continuation line without a NIK under a row (a wrapped name or
address) is joined back into that row.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from lindungi.intake import fields, table
from lindungi.intake.fields import Field
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
    cuts: list[float] = field(default_factory=list)
    """Boundaries between neighbouring columns."""
    nik: int | None = None
    texts: list[str] = field(default_factory=list)


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


def _fields(texts: Sequence[str]) -> set[Field | None]:
    return {fields.field_of(fields.normalize(t)) for t in texts}


def _tight(upper: Line, lower: Line) -> bool:
    return lower.top - upper.bottom < 0.8 * max(upper.size, lower.size)


def _absorb(columns: list[list[Word]], line: Line, above: bool) -> bool:
    """Add ``line``'s pieces to the header's columns; False if the line is no part of the header."""
    if data_like(line.text):
        return False
    placed: dict[int, list[Word]] = {}
    for piece in _segments(line):
        hits = [
            i for i, col in enumerate(columns)
            if piece[0] < max(w[1] for w in col) and piece[1] > min(w[0] for w in col)
        ]
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


def _header_block(lines: Sequence[Line], at: int) -> _Header | None:
    """The header starting at line ``at`` (it may wrap onto the lines around it): span, columns, texts."""
    if data_like(lines[at].text):
        return None
    anchor = _segments(lines[at])
    fields = _fields([s[2] for s in anchor])
    if Field.NIK not in fields and Field.NAME not in fields:
        return None
    columns: list[list[Word]] = [[s] for s in anchor]
    first, last = at, at
    while last + 1 < len(lines) and last - at < 2 and _tight(lines[last], lines[last + 1]):
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


def _gaps(body: Sequence[Line]) -> list[tuple[float, float]]:
    """Horizontal stretches that no piece of a tabular line (three columns or more) covers."""
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
    return gaps


def _cuts(spans: Sequence[tuple[float, float]], body: Sequence[Line]) -> list[float]:
    """Boundaries between columns: in the blank gap that no tabular line crosses, nearest the header's gap."""
    gaps = _gaps(body)
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


def _find_header(lines: Sequence[Line]) -> _Header | None:
    for at in range(len(lines)):
        header = _header_block(lines, at)
        if header is not None:
            return header
    return None


def rows(page: PageText, columns: Columns) -> list[list[str]]:
    """Rows of a whitespace-aligned page; ``columns`` carries the layout over to pages without a header."""
    lines = page.lines
    header = _find_header(lines)
    out: list[list[str]] = []
    body_start = 0
    if header is not None:
        first, last, spans, texts = header
        out.extend([line.text] for line in lines[:first])  # title and page-header lines
        columns.spans, columns.texts = spans, texts
        columns.cuts = _cuts(spans, lines[last + 1 :])
        columns.nik = next((i for i, t in enumerate(texts) if fields.field_of(fields.normalize(t)) is Field.NIK), None)
        out.append(texts)
        body_start = last + 1
    if not columns.spans:
        return [[line.text] for line in lines]
    out.extend(_body_rows(lines[body_start:], columns))
    return out


def _body_rows(lines: Sequence[Line], columns: Columns) -> list[list[str]]:
    """The lines under the header cut into the columns; wrapped tails joined to the row above."""
    width = len(columns.spans)
    out: list[list[str]] = []
    previous: tuple[Line, list[str]] | None = None
    for line in lines:
        data = data_like(line.text)
        crossing = any(p[0] < cut - 2 and p[1] > cut + 2 for p in _segments(line) for cut in columns.cuts)
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


def _continues(previous: tuple[Line, list[str]], line: Line, values: list[str], columns: Columns) -> bool:
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
    if _NO_COLUMN.match(fields.normalize(columns.texts[first] if first < len(columns.texts) else "")):
        return False
    return not table.is_footer(values)
