"""Where the columns of a whitespace-aligned list part, and where that is not certain.

A header label sits inside its column (centred, or against either edge), so the boundary
between two columns lies between the centres of their labels, and it cuts no word of any
row. Every stretch there that no word of a tabular line covers is a candidate, and two
candidates differ only in which words go to the left or to the right. Among them:

- a stretch wider than two spaces is the blank between two columns; one narrower than a
  space is two cells printed against each other (a right-aligned ``No`` against a left-aligned
  NIK, a right-aligned date against the Program); a stretch one space wide is a space inside a
  cell ("Jl. Kuala"), a candidate only when there is no other;
- a choice that leaves a column without any text is worse than one that fills it (the ``No``
  numbers belong under "No", not glued to the NIK);

and when two candidates are equally good the words between them are doubtful: the rows that
hold such a word say so, instead of the reader guessing their column.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from statistics import median

from lindungi.intake.readers.pdf.page import Line, Word

WIDE = 0.8
"""A blank wider than this (times the font size) is the gap between two columns."""
TOUCH = 0.25
"""A blank narrower than this (times the font size) is no space: two cells printed one against the other."""

_Candidate = tuple[float, float, bool]
"""Where the cut goes, how wide the blank is, whether it is a column gap or two cells touching."""
ALIGNED_EDGE = -1.0
"""The width of a candidate that is no blank but an edge many rows' words share."""


@dataclass(frozen=True)
class Cuts:
    at: list[float] = field(default_factory=list)
    """Boundaries between neighbouring columns, left to right."""
    doubtful: list[tuple[float, float]] = field(default_factory=list)
    """Stretches of x where a word's column is not certain."""
    slack: float = 0.0
    """How far a word may run over a cut and still be in its column for certain (a fraction of the font size)."""

    def doubts(self, x0: float, x1: float) -> bool:
        """Is the column of a word over ``x0``..``x1`` uncertain (it crosses a cut by more than ``slack``, or
        lies in a doubtful stretch)?"""
        i = bisect_right(self.at, x0 + self.slack)
        if i < len(self.at) and self.at[i] < x1 - self.slack:
            return True
        mid = (x0 + x1) / 2
        return any(a <= mid <= b for a, b in self.doubtful)


def _blanks(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """The stretches no word of ``lines`` covers, from minus to plus infinity."""
    covered = sorted((w[0], w[1]) for line in lines for w in line.words)
    blanks: list[tuple[float, float]] = []
    reach = float("-inf")
    for x0, x1 in covered:
        if x0 > reach:
            blanks.append((reach, x0))
        reach = max(reach, x1)
    blanks.append((reach, float("inf")))
    return blanks


def _candidates(
    blanks: Sequence[tuple[float, float]], edges: tuple[list[float], list[float]], left: float, right: float,
    size: float,
    wide: float,
) -> list[_Candidate]:
    """The places a cut between ``left`` and ``right`` can go: the blanks no word covers that are a column gap
    (``wide`` or more) or two cells touching, and the right edge of a column of right-aligned numbers;
    else a left edge many rows share; else any blank."""
    found: list[_Candidate] = []
    for b0, b1 in blanks:
        if b1 > left and b0 < right:
            lo, hi = max(b0, left), min(b1, right)
            found.append(((lo + hi) / 2, b1 - b0, b1 - b0 >= wide))
    clear = [c for c in found if c[2] or c[1] < TOUCH * size]
    starts, number_ends = edges
    clear += [(x, ALIGNED_EDGE, True) for x in number_ends if left < x < right]
    if clear:
        return clear
    aligned = [(x, ALIGNED_EDGE, True) for x in starts if left < x < right]
    return aligned or found or [((left + right) / 2, 0.0, False)]


SPACES = 2.0
"""A blank this many times the rows' own word space (or ``WIDE`` times the font size, if less) is a column gap."""
NARROWEST = 0.45
"""... but never narrower than this (times the font size)."""


def _wide(lines: Sequence[Line], size: float) -> float:
    """How wide a blank must be to part two columns, scaled to the font: two of the spaces between the words
    of one cell (measured on the rows: a proportional font's space is a quarter of its size, Courier's
    three fifths), at most ``WIDE`` times the size, as before for a monospaced font."""
    gaps = [b[0] - a[1] for line in lines for a, b in pairwise(line.words) if 0 < b[0] - a[1] < WIDE * size]
    if len(gaps) < 3:
        return WIDE * size
    return min(WIDE * size, max(SPACES * median(gaps), NARROWEST * size))


ALIGNED = 0.5
"""A left edge this share of the rows' words start at (or more, and at least 3) is where a column starts."""


def _cell_starts(line: Line) -> list[Word]:
    """The words of a line that may start a cell: the first, and those after a blank wider than a space or
    with none at all (two cells printed against each other); not those after a space inside a cell."""
    return [w for n, w in enumerate(line.words)
            if n == 0 or not TOUCH * line.size <= w[0] - line.words[n - 1][1] < WIDE * line.size]


def _edges(lines: Sequence[Line]) -> tuple[list[float], list[float]]:
    """Where many rows start a word at the same x, and where many end a short number at the same x: the left
    edge of a left-aligned column and the right edge of a right-aligned column of row numbers, found even where
    nothing blank is left between two columns (a NIK wider than its column printed against the name) or
    the blank is no wider than a space (row numbers a narrow space before the NIK)."""
    least = max(3, ALIGNED * len(lines))
    starts = Counter(round(w[0] * 2) / 2 for line in lines for w in _cell_starts(line))
    ends = Counter(round(w[1] * 2) / 2 for line in lines for w in line.words if w[2].isdigit() and len(w[2]) <= 4)
    return ([x - 0.26 for x, n in sorted(starts.items()) if n >= least],
            [x + 0.26 for x, n in sorted(ends.items()) if n >= least])


class _Mids:
    """The middles of the words under the header, sorted, with prefix sums: how many lie between two
    cuts, and how far they are from a label's centre, each in O(log n)."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.mids = sorted((w[0] + w[1]) / 2 for line in lines for w in line.words)
        self.sums = [0.0, *accumulate(self.mids)]

    def filled(self, lo: float, hi: float) -> int:
        return int(bisect_left(self.mids, hi) > bisect_right(self.mids, lo))

    def cost(self, lo: float, hi: float, centre: float) -> float:
        """The summed distance from ``centre`` of the words between ``lo`` and ``hi``."""
        i, j = bisect_right(self.mids, lo), bisect_left(self.mids, hi)
        k = min(max(bisect_left(self.mids, centre), i), j)
        sums = self.sums
        return centre * (k - i) - (sums[k] - sums[i]) + (sums[j] - sums[k]) - centre * (j - k)

    def score(self, lo: float, hi: float, centre: float) -> tuple[int, float]:
        """A column from ``lo`` to ``hi``: has it text, and how near its words are to its label (higher is better)."""
        return self.filled(lo, hi), -self.cost(lo, hi, centre)


def _add(a: tuple[int, float], b: tuple[int, float]) -> tuple[int, float]:
    return a[0] + b[0], a[1] + b[1]


def boundaries(centres: Sequence[float], lines: Sequence[Line]) -> Cuts:
    """The cuts between columns whose labels are centred at ``centres``, from the tabular ``lines`` under them.

    Chosen together, left to right: as many columns with text as can be, then each word as near
    its column's label as can be (a left-aligned bad date and right-aligned dates both stay
    under "TMT", though the label is centred over the blank between them).
    """
    if len(centres) < 2:
        return Cuts()
    size = median(line.size for line in lines) if lines else 1.0
    words = _Mids(lines)
    blanks = _blanks(lines)
    edges = _edges(lines)
    wide = _wide(lines, size)
    options = [_candidates(blanks, edges, a, b, size, wide) for a, b in pairwise(centres)]
    start, end = float("-inf"), float("inf")
    best: list[list[tuple[tuple[int, float], int]]] = []
    for b, cands in enumerate(options):
        row: list[tuple[tuple[int, float], int]] = []
        for cut, _, _ in cands:
            if b == 0:
                row.append((words.score(start, cut, centres[0]), -1))
                continue
            row.append(max(
                ((_add(score, words.score(options[b - 1][p][0], cut, centres[b])), p)
                 for p, (score, _) in enumerate(best[b - 1])),
                key=lambda item: item[0],
            ))
        best.append(row)
    last = max(range(len(options[-1])), key=lambda q: _add(
        best[-1][q][0], words.score(options[-1][q][0], end, centres[-1])))
    chosen = [0] * len(options)
    chosen[-1] = last
    for b in range(len(options) - 1, 0, -1):
        chosen[b - 1] = best[b][chosen[b]][1]
    cuts = [options[b][q][0] for b, q in enumerate(chosen)]
    return Cuts(_ordered(cuts), _doubtful(options, chosen, cuts, centres, words), TOUCH * size)


NEAR = 1.33
"""Words that would be at most this much farther from their label under another cut could be in either column."""


def _doubtful(
    options: Sequence[Sequence[_Candidate]], chosen: Sequence[int], cuts: Sequence[float],
    centres: Sequence[float], words: _Mids,
) -> list[tuple[float, float]]:
    """Stretches between a chosen cut and another that would do nearly as well, its neighbours kept."""
    out: list[tuple[float, float]] = []
    for b, cands in enumerate(options):
        lo = cuts[b - 1] if b > 0 else float("-inf")
        hi = cuts[b + 1] if b + 1 < len(cuts) else float("inf")
        mine = cuts[b]
        for q, (cut, width, _) in enumerate(cands):
            if q == chosen[b] or width == ALIGNED_EDGE or words.filled(min(cut, mine), max(cut, mine)) == 0:
                continue  # an aligned edge is a cut where the rows agree, not an alternative that could be
            now = _add(words.score(lo, mine, centres[b]), words.score(mine, hi, centres[b + 1]))
            then = _add(words.score(lo, cut, centres[b]), words.score(cut, hi, centres[b + 1]))
            if then[0] >= now[0] and -then[1] <= -now[1] + (NEAR - 1) * _moved_cost(words, cut, mine, centres, b):
                out.append((min(cut, mine), max(cut, mine)))
        if cands[chosen[b]][1] == 0.0:  # no blank at all between the labels: every word there is doubtful
            out.append((mine - 1.0, mine + 1.0))
    return out


def _moved_cost(words: _Mids, cut: float, mine: float, centres: Sequence[float], b: int) -> float:
    """How far the words between the two cuts are from the label they have under the chosen cut."""
    lo, hi = min(cut, mine), max(cut, mine)
    return words.cost(lo, hi, centres[b] if cut < mine else centres[b + 1])


def _ordered(cuts: list[float]) -> list[float]:
    for i in range(1, len(cuts)):  # keep them in order whatever the data did
        cuts[i] = max(cuts[i], cuts[i - 1] + 0.1)
    return cuts
