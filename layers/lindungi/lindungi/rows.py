"""A row's outcome, beside the codes it carries (``outcomes.py``): accepted, rejected, or set aside.

Finding the list in a table (``intake/table.py``) sets rows aside as ``Ignored``; validation
(``intake/validate.py``) turns the worker rows into ``Accepted`` or ``Rejected``; the report and
the store read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lindungi.outcomes import AT_FAULT, Reject, Skip, Warn


@dataclass(frozen=True, slots=True)
class RowRef:
    """Where a row is: ``line`` is the row number a person sees in the sheet (or on the PDF page)."""

    line: int
    sheet: str | None = None
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.page is not None:
            out["page"] = self.page
        out["line"] = self.line
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowRef:
        return cls(int(data["line"]), data.get("sheet"), data.get("page"))


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
    phone_fallback: str | None = None
    """A second SMS-capable number of the phone cell (``phone_multiple``), kept as the worker's fallback."""
    doubted: tuple[str, ...] = ()
    """Fields whose value a PDF reader could not place (``pdf_layout_unsure``: a line break in the cell, a space
    or a word broken in two?): shown as written with that warning."""

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
        } | ({"as_written": as_written(self.warnings, self.raw, self.doubted)} if self.warnings else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Accepted:
        """An accepted row back from its report line (what the report says of it: the cells at fault only)."""
        warnings = [Warn(w) for w in data.get("warnings", [])]
        return cls(RowRef.from_dict(data["row"]), data["nik"], data["name"], data.get("phone"), data["program"],
                   date.fromisoformat(data["coverage_start"]), date.fromisoformat(data["coverage_end"]), warnings,
                   sms_capable=bool(data.get("phone")) and Warn.PHONE_NOT_MOBILE not in warnings,
                   raw=dict(data.get("as_written") or {}), doubted=_doubted(warnings, data.get("as_written") or {}))


def _doubted(codes: Sequence[Reject | Warn], written: dict[str, str]) -> tuple[str, ...]:
    """The fields of a report line's ``as_written`` that no code of it names: the doubted ones."""
    named = {f for code in codes for f in AT_FAULT[code]}
    return tuple(f for f in written if f not in named) if Warn.PDF_LAYOUT_UNSURE in codes else ()


@dataclass(slots=True)
class Rejected:
    row: RowRef
    nik: str | None
    name: str | None
    reasons: list[Reject]
    raw: dict[str, str] = field(default_factory=dict)
    first: RowRef | None = None
    """For a ``duplicate_in_file``: the row whose NIK this one repeats (the one kept)."""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "row": self.row.to_dict(),
            "nik": self.nik,
            "name": self.name,
            "reasons": [r.value for r in self.reasons],
            "as_written": as_written(self.reasons, self.raw),
        }
        if self.first is not None:
            out["first_row"] = self.first.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rejected:
        """A rejected row back from its report line."""
        first = data.get("first_row")
        return cls(RowRef.from_dict(data["row"]), data.get("nik"), data.get("name"),
                   [Reject(r) for r in data.get("reasons", [])], dict(data.get("as_written") or {}),
                   RowRef.from_dict(first) if first else None)


def as_written(codes: Sequence[Reject | Warn], raw: dict[str, str], doubted: Sequence[str] = ()) -> dict[str, str]:
    """The cells the codes are about (``outcomes.AT_FAULT``), as typed, by field: "" for an empty cell; with
    ``pdf_layout_unsure``, the ``doubted`` ones too. A field the list has no column for is left out."""
    fields = dict.fromkeys(f for code in codes for f in AT_FAULT[code])
    if Warn.PDF_LAYOUT_UNSURE in codes:
        fields.update(dict.fromkeys(doubted))
    return {f: raw[f] for f in fields if f in raw}


@dataclass(frozen=True, slots=True)
class Ignored:
    row: RowRef
    reason: Skip


Outcome = Accepted | Rejected | Ignored
