"""What one page of a PDF gives the table readers: text lines (words with their x extent) and ruling lines.

Coordinates are top-down page coordinates (y grows downwards), as pdfplumber's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Word = tuple[float, float, str]
"""x0, x1, text: a run of glyphs without a space or a gap."""


@dataclass(frozen=True, slots=True)
class Line:
    """Glyphs sharing a baseline, left to right, grouped into words."""

    top: float
    bottom: float
    size: float
    words: tuple[Word, ...]
    overprinted: bool = False
    """Two texts printed over each other on this line (one cell's text run onto another's)."""
    fresh: tuple[bool, ...] = ()
    """For each word, whether the page's content starts a string with it; False: it goes on, after a space,
    from the string of the word before (empty: not known)."""
    lead: tuple[float, ...] = ()
    """For each word, the width of its first glyph, as pdfplumber gives it (empty: not known)."""

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


_TEN_DIGITS = re.compile(r"(?:[^0-9]*+[0-9]){10}")


def data_like(text: str) -> bool:
    """A worker row: ten digits or more (a NIK or a phone number), as ``table._looks_like_data``.

    Asked of every line several times over; on ASCII text (nearly every line) one match that stops at
    the tenth digit, else ``str.isdigit`` over every character (it knows other scripts' digits).
    """
    if text.isascii():
        return _TEN_DIGITS.match(text) is not None
    return sum(map(str.isdigit, text)) >= 10
