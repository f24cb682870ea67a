"""The example list offered when a file's header is not found: ``contoh-daftar-peserta.xlsx``.

Made from the same names the reader matches (``fields.SYNONYMS``) and the fix-up workbook's column labels,
so it cannot drift from what is read: its first sheet is a list the reader accepts as it is, its second
names, per column, every header text that is recognised.
"""

from __future__ import annotations

from lindungi.config import Programs, programs
from lindungi.intake.fields import REQUIRED, SYNONYMS, Field, field_of, normalize
from lindungi.intake.keys import INCOMING
from lindungi.intake.report import FIX_COLUMNS
from lindungi.outcomes import FIELD_NAMES, say
from lindungi.xlsx import Book

NAME = "contoh-daftar-peserta.xlsx"
"""The example's file name, beside the report page that links to it."""

COLUMNS = [(Field(key), label) for key, label in FIX_COLUMNS if key not in (Field.PROGRAM, Field.PAID_UNTIL)]
"""The example's columns: the fix-up workbook's, without Program (the folder names the program; a Program
cell copied from the example into a list of the other program would move its workers) and without Iuran
Sampai (a self-payer's paid period: only the branch's lists under ``incoming/bpu-mandiri/`` have one; the
names sheet says so)."""

ROWS = [
    ["6172014509850003", "SITI AMINAH", "0812-3456-7890", "05-09-1985", "P", "Jl. Diponegoro No. 1",
     "Pasiran", "Singkawang Barat", "Pedagang", "01-01-2025"],
    ["6172031203900007", "BUDI SANTOSO", "0813-5000-1234", "12-03-1990", "L", "Jl. Alianyang No. 5",
     "Roban", "Singkawang Tengah", "Nelayan", "01-01-2025"],
]
"""Two made-up workers (their NIKs valid in form, of Kota Singkawang), to be replaced by the real list."""


def recognised(field: Field) -> list[str]:
    """The header texts read as ``field``, as a person would type them (case and punctuation do not matter)."""
    return sorted(SYNONYMS[field])


def workbook() -> bytes:
    for field, label in COLUMNS:
        assert field_of(normalize(label)) is field, f"{label} would not be read as {field}"
    book = Book()
    sheet = book.worksheet("Daftar", [label for _, label in COLUMNS])
    sheet.set_column(0, len(COLUMNS) - 1, 20, book.text)
    for line, row in enumerate(ROWS, start=1):
        for col, value in enumerate(row):
            sheet.write_string(line, col, value, book.text)
    names = book.worksheet("Nama kolom", [say("example.column"), say("example.required"), say("example.names")])
    names.set_column(0, 0, 18)
    names.set_column(1, 1, 12)
    names.set_column(2, 2, 90, book.wrap)
    for line, field in enumerate(Field, start=1):
        names.write_string(line, 0, FIELD_NAMES[field.value])
        names.write_string(line, 1, say("example.yes") if field in REQUIRED else say("example.no"))
        names.write_string(line, 2, ", ".join(recognised(field)), book.wrap)
    for line, note in enumerate(folders(programs()), start=len(Field) + 2):
        names.write_string(line, 2, note, book.wrap)
    return book.close()


def folders(shipped: Programs) -> list[str]:
    """Where each program's lists go, and what a self-paid program's list is: the notes under the names."""
    notes = [say("example.folders", folders=", ".join(f"{INCOMING}{p.id}/ ({p.name})" for p in shipped.by_id.values()))]
    notes += [say("example.self_paid", name=p.name, folder=f"{INCOMING}{p.id}/", months=p.months)
              for p in shipped.by_id.values() if p.self_paid]
    return notes
