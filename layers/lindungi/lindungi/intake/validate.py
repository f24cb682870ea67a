"""Rows to outcomes: every worker row ends accepted (maybe with warnings) or rejected with reasons.

Rows that are not workers (title, blank, repeated header, column numbers,
footer and signature lines) are set aside as ``Ignored`` with the reason, so
nothing a person typed disappears without a trace in the report.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from lindungi import dates, nik, phone
from lindungi.config import Program, Programs
from lindungi.intake import table
from lindungi.intake.readers.base import Cell, RawRow, RowRef, Table
from lindungi.intake.table import Field, Header
from lindungi.outcomes import Reject, Warn

HEADER_SEARCH_ROWS = 60


@dataclass(slots=True)
class Accepted:
    row: RowRef
    nik: str
    name: str
    phone: str | None
    program: str
    coverage_start: date
    coverage_end: date
    warnings: list[Warn] = field(default_factory=list)
    sms_capable: bool = False
    birth_date: date | None = None
    gender: str | None = None
    address: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    occupation: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    """The row's cells as typed, by field: kept only when the row has warnings (the fix-up workbook
    lists it); empty for a clean row, so a list of 100,000 workers does not hold every cell twice."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row.to_dict(),
            "nik": self.nik,
            "name": self.name,
            "phone": self.phone,
            "program": self.program,
            "coverage_start": self.coverage_start.isoformat(),
            "coverage_end": self.coverage_end.isoformat(),
            "warnings": [w.value for w in self.warnings],
        }


@dataclass(slots=True)
class Rejected:
    row: RowRef
    nik: str | None
    name: str | None
    reasons: list[Reject]
    raw: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row.to_dict(),
            "nik": self.nik,
            "name": self.name,
            "reasons": [r.value for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class Ignored:
    row: RowRef
    reason: str  # "header_repeated" | "column_numbers" | "footer" | "not_a_worker"


Outcome = Accepted | Rejected | Ignored


def clean(value: str) -> str:
    """Whitespace collapsed (NBSP and other Unicode spaces included) and invisible format characters
    (Unicode category Cf: zero-width space and joiner, LRM/RLM/RLO, BOM, soft hyphen) removed, so a
    name pasted from a chat or a web form is stored as it reads."""
    if not value.isascii():
        value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return " ".join(value.split())


def text(cell: Cell) -> str:
    """A cell as staff typed it: numbers without ``.0``, whitespace collapsed, format characters removed."""
    if cell is None or isinstance(cell, bool):
        return ""
    if isinstance(cell, str):
        return clean(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return clean(str(cell))


@lru_cache(maxsize=4096, typed=True)
def _place(cell: Cell) -> str | None:
    """Kelurahan, kecamatan, occupation: a few values repeated on every row, so cleaned and stored once each."""
    value = text(cell)
    return sys.intern(value) if value else None


_MALE = {"l", "lk", "laki laki", "laki", "pria", "m", "male"}
_FEMALE = {"p", "pr", "perempuan", "wanita", "w", "f", "female"}


@lru_cache(maxsize=256, typed=True)
def _gender(cell: Cell) -> str | None:
    value = table.normalize(cell)
    return "L" if value in _MALE else "P" if value in _FEMALE else None


@dataclass
class RowValidator:
    """Validates the worker rows of one file; remembers NIKs to find duplicates across its sheets."""

    programs: Programs
    file_program: Program | None
    today: date
    seen: set[tuple[str, str]] = field(default_factory=set)

    def validate(self, ref: RowRef, cells: Sequence[Cell], columns: dict[Field, int]) -> Accepted | Rejected:
        width = len(cells)
        values = {f: cells[i] for f, i in columns.items() if i < width}
        cell = values.get  # a column the row is too short for reads as an empty cell

        def raw() -> dict[str, str]:
            return {f.value: text(cell(f)) for f in columns}

        reasons: list[Reject] = []
        warnings: list[Warn] = []

        nik_result = nik.normalize(cell(Field.NIK))
        if nik_result.reject:
            reasons.append(nik_result.reject)
        warnings.extend(nik_result.warnings)

        name = text(cell(Field.NAME))
        if not name:
            reasons.append(Reject.NAME_MISSING)

        program = self.file_program
        program_text = text(cell(Field.PROGRAM))
        if program_text:
            program = self.programs.match(program_text)
        if program is None:
            reasons.append(Reject.PROGRAM_UNKNOWN)

        start: date | None = None
        start_cell = cell(Field.COVERAGE_START)
        if not dates.is_blank(start_cell):
            start = dates.parse(start_cell)
            if start is None:
                reasons.append(Reject.START_DATE_INVALID)
        elif program is not None:
            start = program.default_start
            if start is None:
                reasons.append(Reject.START_DATE_MISSING)

        if not reasons and program is not None and nik_result.nik is not None:
            key = (nik_result.nik, program.id)
            if key in self.seen:
                reasons.append(Reject.DUPLICATE_IN_FILE)
            else:
                self.seen.add(key)

        if reasons or program is None or start is None or nik_result.nik is None:
            return Rejected(ref, nik_result.nik, name or None, reasons, raw())

        valid_nik = nik_result.nik
        if not valid_nik.startswith(self.programs.region_prefix):
            warnings.append(Warn.NIK_OUTSIDE_REGION)
        phone_result = phone.normalize(cell(Field.PHONE))  # type: ignore[arg-type]
        warnings.extend(phone_result.warnings)

        birth = dates.parse(cell(Field.BIRTH_DATE))
        gender = _gender(cell(Field.GENDER))
        nik_birth = nik.birth_date(valid_nik, self.today)
        nik_gender = nik.gender(valid_nik)
        if (birth is not None and (birth.day, birth.month, birth.year % 100) != (
            nik_birth.day, nik_birth.month, nik_birth.year % 100
        )) or (gender is not None and gender != nik_gender):
            warnings.append(Warn.BIRTH_DATE_MISMATCH)

        return Accepted(
            row=ref,
            nik=valid_nik,
            name=name,
            phone=phone_result.e164,
            program=program.id,
            coverage_start=start,
            coverage_end=dates.coverage_end(start, program.months),
            warnings=warnings,
            sms_capable=phone_result.sms_capable,
            birth_date=birth or nik_birth,
            gender=gender or nik_gender,
            address=text(cell(Field.ADDRESS)) or None,
            kelurahan=_place(cell(Field.KELURAHAN)),
            kecamatan=_place(cell(Field.KECAMATAN)),
            occupation=_place(cell(Field.OCCUPATION)),
            raw=raw() if warnings else {},
        )


@dataclass(frozen=True)
class TableResult:
    name: str | None
    header: Header | None
    header_line: int | None
    outcomes: Iterator[Outcome]


def _is_blank_row(cells: Sequence[Cell]) -> bool:
    return all(dates.is_blank(c) for c in cells)


def _is_header_again(cells: Sequence[Cell], header: Header) -> bool:
    index = header.columns[Field.NIK]
    cell = cells[index] if index < len(cells) else None
    if not isinstance(cell, str) or cell.isdigit():
        return False  # numbers, dates and digit strings never name a column
    value = table.normalize(cell)
    return bool(value) and table.field_of(value) is Field.NIK


def _nik_like(cell: Cell) -> bool:
    """"Jumlah" or a signature can sit in the NIK column; a NIK has digits (six or more)."""
    if isinstance(cell, (int, float)):
        return True
    value = str(cell or "")
    if value.isdigit():
        return len(value) >= 6
    return sum(ch.isdigit() for ch in value) >= 6


def _worker_like(cell: Cell) -> bool:
    """Six digits or more: the NIK column of a worker's row (column numbers and footers have fewer)."""
    if isinstance(cell, str):
        return sum(ch.isdigit() for ch in cell) >= 6 if not cell.isdigit() else len(cell) >= 6
    return isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 100_000


def _outcomes(
    rows: Iterable[RawRow], header: Header, validator: RowValidator
) -> Iterator[Outcome]:
    nik_col, name_col = header.columns[Field.NIK], header.columns[Field.NAME]
    after_footer = False
    page: int | None = None
    for raw in rows:
        cells = raw.cells
        if raw.ref.page != page:  # a PDF page's footer ("Halaman 1 dari 5") does not end the list
            page, after_footer = raw.ref.page, False
        nik_cell = cells[nik_col] if nik_col < len(cells) else None
        if _worker_like(nik_cell):
            # The common case, first: a NIK-looking cell is never a header, column numbers, footer or blank.
            yield validator.validate(raw.ref, cells, header.columns)
            continue
        if _is_blank_row(cells):
            continue
        name_cell = cells[name_col] if name_col < len(cells) else None
        has_nik = not dates.is_blank(nik_cell)
        if _is_header_again(cells, header):
            after_footer = False  # the list goes on below a repeated header
            yield Ignored(raw.ref, "header_repeated")
        elif table.is_column_numbers(cells):
            yield Ignored(raw.ref, "column_numbers")
        elif not _nik_like(nik_cell) and (after_footer or table.is_footer(cells)):
            after_footer = True
            yield Ignored(raw.ref, "footer")
        elif not has_nik and dates.is_blank(name_cell):
            yield Ignored(raw.ref, "not_a_worker")
        else:
            yield validator.validate(raw.ref, cells, header.columns)


def validate_table(source: Table, validator: RowValidator) -> TableResult:
    """Find the table's header and validate the rows below it (lazily, one row at a time)."""
    rows = iter(source.rows)
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    found = table.find([r.cells for r in head], source.merged)
    if found is None:
        return TableResult(source.name, None, None, iter(()))
    index, header = found
    body = head[index + header.rows :]

    def chained() -> Iterator[RawRow]:
        yield from body
        yield from rows

    return TableResult(source.name, header, head[index].ref.line, _outcomes(chained(), header, validator))
