"""Where an unruled table's columns part: between the labels' centres, where no word lies, no column left empty."""

from __future__ import annotations

import pytest

from lindungi.intake.readers.pdf.columns import boundaries
from lindungi.intake.readers.pdf.page import Line

SIZE = 5.0


def line(*words: tuple[float, float]) -> Line:
    return Line(0.0, SIZE, SIZE, tuple((x0, x1, "w") for x0, x1 in words))


@pytest.mark.parametrize(
    ("centres", "rows", "between", "doubtful"),
    [
        pytest.param(
            [35.0, 72.0], [[(39.7, 42.6), (43.5, 89.9)], [(37.0, 42.6), (43.5, 89.9)]], [(42.6, 43.5)], False,
            id="right-aligned-No-against-the-NIK",
        ),
        pytest.param(
            [712.0, 773.0], [[(719.9, 746.5), (747.3, 782.3)], [(719.9, 746.5), (747.3, 756.6), (758.2, 774.6)]],
            [(746.5, 747.3)], False, id="right-aligned-date-against-the-Program",
        ),
        pytest.param(
            [237.0, 266.0, 326.0], [[(217.8, 244.4), (258.1, 260.7), (275.7, 310.5)]] * 3,
            [(244.4, 258.1), (260.7, 275.7)], False, id="narrow-L/P-column-left-of-its-label-centre",
        ),
        pytest.param(
            [20.0, 60.0], [[(10.0, 30.0), (50.0, 70.0)]], [(30.0, 50.0)], False, id="plain-gap",
        ),
        pytest.param(
            [617.0, 685.5, 754.0],
            [[(587.5, 627.4), (693.6, 723.8), (724.7, 764.1)], [(587.5, 603.7), (647.2, 677.4), (724.7, 738.9)]],
            [(627.4, 647.2), (723.8, 724.7)], False, id="left-aligned-bad-date-and-right-aligned-dates-under-TMT",
        ),
        pytest.param(
            [20.0, 80.0], [[(10.0, 30.0), (45.0, 52.0), (70.0, 90.0)]], [(30.0, 70.0)], True,
            id="two-equal-gaps-between-the-labels-is-doubtful",
        ),
    ],
)
def test_cuts(
    centres: list[float], rows: list[list[tuple[float, float]]], between: list[tuple[float, float]], doubtful: bool
) -> None:
    cuts = boundaries(centres, [line(*r) for r in rows])
    assert all(lo < cut < hi for cut, (lo, hi) in zip(cuts.at, between, strict=True)), cuts.at
    assert bool(cuts.doubtful) is doubtful
    if doubtful:
        assert cuts.doubts(45.0, 52.0)  # the word that could go either way
        assert not cuts.doubts(10.0, 30.0)
