"""Readers: bytes in, tables of raw rows out. ``read`` picks the reader by content."""

from __future__ import annotations

from lindungi.intake.readers.base import Table
from lindungi.intake.readers.detect import Kind, examine
from lindungi.settings import Limits


def read(data: bytes, limits: Limits, deadline: float | None = None) -> tuple[Kind, list[Table]]:
    """Tables of ``data``, its kind judged by content. PDF support is imported only when a PDF arrives.

    ``deadline`` (``time.monotonic()``): when reading must be over (PDF pages are read until then).
    """
    examined = examine(data, limits)
    kind = examined.kind
    if kind is Kind.CSV:
        from lindungi.intake.readers import csvfile

        return kind, csvfile.read(data, limits)
    if kind is Kind.PDF:
        from lindungi.intake.readers import pdf

        return kind, pdf.read(data, limits, deadline)
    from lindungi.intake.readers import spreadsheet

    return kind, spreadsheet.read(data, limits, examined.extent, deadline)
