"""What "reads like its workbook" means for a printed list: one definition for the corpus script and the tests.

A printed list is held to the same list read as a workbook: the accepted rows (every value a worker's record
is made of, with their warnings) and the rejected rows (with their reasons), in file order. One allowance,
docs/domain.md's ``pdf_layout_unsure``: a row warned so may differ from the workbook's in whitespace inside
its text values only (a line break in a narrow cell the reader could not place: "SRIWAHYUNI" over "NGSIH",
one word or two?); it keeps the space and says so. Any other difference is a row read wrong.
"""

from __future__ import annotations

from lindungi.intake.report import Report
from lindungi.outcomes import Warn

Row = tuple[object, ...]
Rows = tuple[list[Row], list[Row]]

_TEXT = slice(1, 2), slice(6, 10)
"""Where an accepted row holds text a line break may split: the name; address, kelurahan, kecamatan, occupation."""


def rows(report: Report) -> Rows:
    """What a worker's record is made of, in file order: accepted (with warnings) and rejected (with reasons)."""
    accepted: list[Row] = [
        (a.nik, a.name, a.phone, a.program, a.coverage_start, a.coverage_end,
         a.address, a.kelurahan, a.kecamatan, a.occupation, tuple(a.warnings))
        for a in report.accepted]
    rejected: list[Row] = [(r.nik, r.name, tuple(r.reasons)) for r in report.rejected]
    return accepted, rejected


def _spaceless(row: Row) -> Row:
    """An accepted row with whitespace dropped from its text values and without ``pdf_layout_unsure``."""
    values = list(row)
    for part in _TEXT:
        values[part] = ["".join(str(v).split()) if v is not None else None for v in values[part]]
    warnings = values[-1]
    assert isinstance(warnings, tuple)
    values[-1] = tuple(w for w in warnings if w is not Warn.PDF_LAYOUT_UNSURE)
    return tuple(values)


def read_alike(got: Row, want: Row) -> bool:
    """The printed list's accepted row is the workbook's, or warned ``pdf_layout_unsure`` and the same but for
    whitespace in its text."""
    warnings = got[-1]
    assert isinstance(warnings, tuple)
    return got == want or (Warn.PDF_LAYOUT_UNSURE in warnings and _spaceless(got) == _spaceless(want))


def printed(got: Rows, want: Rows) -> Rows:
    """The workbook's rows with the text columns the print does not have blanked: a portrait print may leave
    out the address, kelurahan or occupation (no accepted row of it holds one), and a column that is not
    there is not a value read wrong."""
    accepted = got[0]
    absent = [i for part in _TEXT for i in range(*part.indices(len(accepted[0]) if accepted else 0))
              if all(row[i] is None for row in accepted)]
    if not absent:
        return want
    blank = [tuple(None if i in absent else v for i, v in enumerate(row)) for row in want[0]]
    return blank, want[1]


def alike(got: Rows, want: Rows) -> bool:
    """Every row read like the workbook's (``read_alike``), the rejected ones exactly, nothing more or less."""
    (accepted, rejected), (want_accepted, want_rejected) = got, printed(got, want)
    return (rejected == want_rejected and len(accepted) == len(want_accepted)
            and all(read_alike(a, b) for a, b in zip(accepted, want_accepted, strict=True)))
