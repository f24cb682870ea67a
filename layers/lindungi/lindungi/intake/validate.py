"""Is this row valid: every worker row ends accepted (maybe with warnings) or rejected with reasons.

Which rows are worker rows is the table's business (``table.py``); here a row's cells,
by field, are checked against domain.md: the reasons to reject it first, then, for a
row without any, the accepted record with its warnings.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from lindungi import dates, nik, phone
from lindungi.config import Program, Programs
from lindungi.intake.fields import Field, normalize
from lindungi.intake.readers.base import Cell, RawRow
from lindungi.outcomes import Reject, Warn
from lindungi.rows import Accepted, Ignored, Outcome, Rejected, RowRef


def clean(value: str) -> str:
    """Whitespace collapsed (NBSP and other Unicode spaces included) and invisible format characters
    (Unicode category Cf: zero-width space and joiner, LRM/RLM/RLO, BOM, soft hyphen) removed, so a
    name pasted from a chat or a web form is stored as it reads."""
    if not value.isascii():
        value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return " ".join(value.split())


CELL_MAX_CHARS = 1_000
"""The longest cell a worker row may hold (after cleaning): an address is a few hundred characters; a cell
over this is text pasted by mistake, and a row of such cells would not fit DynamoDB's 400 KB item."""
_SHOWN_CHARS = 200
"""How much of an over-long cell a report and the fix-up workbook show."""
SPACED = (Field.NAME, Field.KELURAHAN, Field.KECAMATAN, Field.ADDRESS, Field.OCCUPATION)
"""Fields whose words are the value: a line break in the cell that the reader could not place (a space, or a
word broken in two?) warns the row ``pdf_layout_unsure``. A narrow place column that wraps "Singkawang" over
"Barat" on every row is placed by the letters' case (``ruled.word_starts``); in capitals it is warned."""

_DEFUSED = ("'=", "'+", "'-", "'@", "'%", "'|")


def text(cell: Cell) -> str:
    """A cell as staff typed it: numbers without ``.0``, whitespace collapsed, format characters removed,
    and the ``'`` that fix-up workbooks before the quote-prefix format wrote before a formula-like value
    dropped (staff typed ``=WARGA 9``; the SMS must not say ``'=WARGA 9``)."""
    if cell is None or isinstance(cell, bool):
        return ""
    if isinstance(cell, str):
        value = clean(cell)
        return value[1:] if value.startswith(_DEFUSED) else value
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
    value = normalize(cell)
    return "L" if value in _MALE else "P" if value in _FEMALE else None


@dataclass(slots=True)
class _Checked:
    """What checking a row's cells found: the reasons to reject it, and what an accepted row is made of."""

    reasons: list[Reject]
    warnings: list[Warn]
    nik: str | None
    name: str
    program: Program | None
    start: date | None
    end: date | None = None
    """The paid-until cell's end (a self-payer's list), else None: the program's months from the start."""
    first: RowRef | None = None
    """The row a duplicate repeats."""
    doubted: tuple[str, ...] = ()
    """Fields whose line break the reader could not place (``RawRow.spacing``): ``Accepted.doubted``."""


@dataclass
class RowValidator:
    """Validates the worker rows of one file; remembers NIKs to find duplicates across its sheets."""

    programs: Programs
    file_program: Program | None
    today: date
    seen: dict[tuple[str, str], RowRef] = field(default_factory=dict)
    """(NIK, program) -> the row that listed it first."""

    def outcomes(self, rows: Iterable[RawRow | Ignored], columns: dict[Field, int]) -> Iterator[Outcome]:
        """Each worker row validated, rows set aside passed on as they are (lazily, in file order)."""
        validate = self.validate
        for row in rows:
            yield row if isinstance(row, Ignored) else validate(row.ref, row.cells, columns, row.warnings,
                                                                row.spacing)

    def validate(
        self, ref: RowRef, cells: Sequence[Cell], columns: dict[Field, int], noted: Sequence[Warn] = (),
        spacing: frozenset[int] = frozenset(),
    ) -> Accepted | Rejected:
        """``noted``: what the reader warns of this row itself (a PDF layout it is unsure of); ``spacing``: the
        cells whose line breaks it could not place (``RawRow.spacing``)."""
        width = len(cells)
        values = {f: cells[i] for f, i in columns.items() if i < width}
        checked = self._check(values, ref)
        checked.warnings.extend(noted)
        checked.doubted = tuple(f.value for f in SPACED if f in columns and columns[f] in spacing)
        if checked.doubted and Warn.PDF_LAYOUT_UNSURE not in noted:
            checked.warnings.append(Warn.PDF_LAYOUT_UNSURE)
        if checked.reasons or checked.program is None or checked.start is None or checked.nik is None:
            return Rejected(ref, checked.nik, shown(checked.name) or None, checked.reasons, _raw(values, columns),
                            checked.first)
        return self._accepted(ref, values, columns, checked, checked.nik, checked.program, checked.start)

    def _check(self, values: dict[Field, Cell], ref: RowRef) -> _Checked:
        """The reasons to reject the row, in the order domain.md lists them; duplicates among clean rows only."""
        cell = values.get  # a column the row is too short for reads as an empty cell
        reasons: list[Reject] = []
        if any(isinstance(v, str) and len(v) > CELL_MAX_CHARS and len(text(v)) > CELL_MAX_CHARS
               for v in values.values()):
            reasons.append(Reject.CELL_TOO_LONG)
        nik_result = nik.normalize(cell(Field.NIK))
        if nik_result.reject:
            reasons.append(nik_result.reject)
        name = text(cell(Field.NAME))
        if not name:
            reasons.append(Reject.NAME_MISSING)
        program = self.file_program
        program_text = text(cell(Field.PROGRAM))
        if program_text:
            program = self.programs.match(program_text)
        if program is None:
            reasons.append(Reject.PROGRAM_INVALID)
        start = _start(cell(Field.COVERAGE_START), program, reasons)
        end = _paid_until(cell(Field.PAID_UNTIL), start, reasons)
        if not reasons and program is not None and nik_result.nik is not None:
            first = self.seen.setdefault((nik_result.nik, program.id), ref)
            if first is not ref:
                reasons.append(Reject.DUPLICATE_IN_FILE)
                return _Checked(reasons, list(nik_result.warnings), nik_result.nik, name, program, start, end, first)
        return _Checked(reasons, list(nik_result.warnings), nik_result.nik, name, program, start, end)

    def _accepted(
        self, ref: RowRef, values: dict[Field, Cell], columns: dict[Field, int], checked: _Checked,
        valid_nik: str, program: Program, start: date,
    ) -> Accepted:
        """The accepted record of a row without reasons, with its warnings (region, phone, birth date)."""
        cell = values.get
        warnings = checked.warnings
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
            name=checked.name,
            phone=phone_result.e164,
            program=program.id,
            coverage_start=start,
            coverage_end=checked.end or dates.coverage_end(start, program.months),
            warnings=warnings,
            sms_capable=phone_result.sms_capable,
            phone_fallback=phone_result.fallback,
            birth_date=birth or nik_birth,
            gender=gender or nik_gender,
            address=text(cell(Field.ADDRESS)) or None,
            kelurahan=_place(cell(Field.KELURAHAN)),
            kecamatan=_place(cell(Field.KECAMATAN)),
            occupation=_place(cell(Field.OCCUPATION)),
            raw=_raw(values, columns) if warnings else {},
            doubted=checked.doubted,
        )


def _start(start_cell: Cell, program: Program | None, reasons: list[Reject]) -> date | None:
    """The coverage start (TMT): the cell's date, else the program's default; a reason when neither."""
    if not dates.is_blank(start_cell):
        start = dates.parse(start_cell)
        if start is None:
            reasons.append(Reject.START_DATE_INVALID)
        return start
    if program is None:
        return None
    if program.default_start is None:
        reasons.append(Reject.START_DATE_MISSING)
    return program.default_start


MAX_MONTHS_PAID = 36
"""A paid-until cell holding a whole number up to this (or "3 bulan") is months paid from the TMT; a larger
number is a spreadsheet date serial."""
_MONTHS = re.compile(r"(\d{1,2})\s*(?:bulan|bln|bl)?\.?")


def _paid_until(cell: Cell, start: date | None, reasons: list[Reject]) -> date | None:
    """The end a paid-until cell gives (its date, or the TMT plus the months it names, less a day); None when
    blank (the program's months decide). A date before the TMT, or neither a date nor months, is a reason.

    With both a TMT and a paid-until, the cover runs from the TMT to the paid-until: the branch knows which
    day the contributions pay up to; the program's default months are only for a list that does not say."""
    if dates.is_blank(cell):
        return None
    months = _months(cell)
    if months is not None:
        return dates.coverage_end(start, months) if start is not None else None
    end = dates.parse(cell)
    if end is None:
        reasons.append(Reject.PAID_UNTIL_INVALID)
    elif start is not None and end < start:
        reasons.append(Reject.PAID_UNTIL_BEFORE_START)
    return end


def _months(cell: Cell) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        number = float(cell)
        return int(number) if number.is_integer() and 1 <= number <= MAX_MONTHS_PAID else None
    if isinstance(cell, str):
        found = _MONTHS.fullmatch(cell.strip().lower())
        if found and 1 <= int(found.group(1)) <= MAX_MONTHS_PAID:
            return int(found.group(1))
    return None


def _raw(values: dict[Field, Cell], columns: dict[Field, int]) -> dict[str, str]:
    """The row's cells as typed, by field (for the fix-up workbook)."""
    return {f.value: shown(text(values.get(f))) for f in columns}


def shown(value: str) -> str:
    """A cell as a report shows it: an over-long one cut, with an ellipsis."""
    return value if len(value) <= CELL_MAX_CHARS else value[:_SHOWN_CHARS] + "…"
