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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

from lindungi.intake.readers.pdf.page import Line

WIDE = 0.8
"""A blank wider than this (times the font size) is the gap between two columns."""
TOUCH = 0.25
"""A blank narrower than this (times the font size) is no space: two cells printed one against the other."""

_Candidate = tuple[float, float, bool]
"""Where the cut goes, how wide the blank is, whether it is a column gap or two cells touching."""


@dataclass(frozen=True)
class Cuts:
    at: list[float] = field(default_factory=list)
    """Boundaries between neighbouring columns, left to right."""
    doubtful: list[tuple[float, float]] = field(default_factory=list)
    """Stretches of x where a word's column is not certain."""

    def doubts(self, x0: float, x1: float) -> bool:
        """Is the column of a word over ``x0``..``x1`` uncertain (it crosses a cut, or lies in a doubtful stretch)?"""
        i = bisect_right(self.at, x0)
        if i < len(self.at) and self.at[i] < x1:
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


def _candidates(blanks: Sequence[tuple[float, float]], left: float, right: float, size: float) -> list[_Candidate]:
    found: list[_Candidate] = []
    for b0, b1 in blanks:
        if b1 > left and b0 < right:
            lo, hi = max(b0, left), min(b1, right)
            found.append(((lo + hi) / 2, b1 - b0, b1 - b0 >= WIDE * size))
    clear = [c for c in found if c[2] or c[1] < TOUCH * size]
    return clear or found or [((left + right) / 2, 0.0, False)]


def boundaries(centres: Sequence[float], lines: Sequence[Line]) -> Cuts:
    """The cuts between columns whose labels are centred at ``centres``, from the tabular ``lines`` under them."""
    if len(centres) < 2:
        return Cuts()
    size = median(line.size for line in lines) if lines else 1.0
    mids = sorted((w[0] + w[1]) / 2 for line in lines for w in line.words)
    blanks = _blanks(lines)
    options = [_candidates(blanks, a, b, size) for a, b in pairwise(centres)]

    def filled(lo: float, hi: float) -> int:
        return int(bisect_left(mids, hi) > bisect_right(mids, lo))

    # Best choice left to right: score = (columns with text, column gaps used), kept per candidate.
    start = float("-inf")
    best: list[list[tuple[tuple[int, int], int]]] = []
    for b, cands in enumerate(options):
        row: list[tuple[tuple[int, int], int]] = []
        for cut, _, wide in cands:
            if b == 0:
                row.append(((filled(start, cut), int(wide)), -1))
                continue
            scored = [
                ((score[0] + filled(options[b - 1][p][0], cut), score[1] + int(wide)), p)
                for p, (score, _) in enumerate(best[b - 1])
            ]
            row.append(max(scored, key=lambda item: item[0]))
        best.append(row)
    last = max(range(len(options[-1])), key=lambda q: (
        best[-1][q][0][0] + filled(options[-1][q][0], float("inf")), best[-1][q][0][1]))
    chosen = [0] * len(options)
    chosen[-1] = last
    for b in range(len(options) - 1, 0, -1):
        chosen[b - 1] = best[b][chosen[b]][1]
    cuts = [options[b][q][0] for b, q in enumerate(chosen)]
    return Cuts(_ordered(cuts), _doubtful(options, chosen, cuts, filled))


def _doubtful(
    options: Sequence[Sequence[_Candidate]], chosen: Sequence[int], cuts: Sequence[float],
    filled: Callable[[float, float], int],
) -> list[tuple[float, float]]:
    """Stretches between a chosen cut and another that would do as well, its neighbours kept."""
    out: list[tuple[float, float]] = []
    for b, cands in enumerate(options):
        lo = cuts[b - 1] if b > 0 else float("-inf")
        hi = cuts[b + 1] if b + 1 < len(cuts) else float("inf")

        def local(cand: _Candidate, lo: float = lo, hi: float = hi) -> tuple[int, int]:
            return filled(lo, cand[0]) + filled(cand[0], hi), int(cand[2])

        mine = local(cands[chosen[b]])
        for q, cand in enumerate(cands):
            if q != chosen[b] and local(cand) >= mine:
                out.append((min(cand[0], cuts[b]), max(cand[0], cuts[b])))
        if cands[chosen[b]][1] == 0.0:  # no blank at all between the labels: every word there is doubtful
            out.append((cuts[b] - 1.0, cuts[b] + 1.0))
    return out


def _ordered(cuts: list[float]) -> list[float]:
    for i in range(1, len(cuts)):  # keep them in order whatever the data did
        cuts[i] = max(cuts[i], cuts[i - 1] + 0.1)
    return cuts
