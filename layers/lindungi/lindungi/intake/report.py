"""The per-file report: the JSON of domain.md, a fix-up workbook for staff, and a text table.

The fix-up workbook lists the rejected and warned rows with the reason in
Indonesian, under headers this very parser recognises, so staff can correct
it and upload it again. Every cell is written as text (a NIK stays 16
digits), and text that a spreadsheet would run as a formula carries the quote prefix (``lindungi.xlsx``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lindungi import nik
from lindungi.outcomes import EMPTY, FIELD_NAMES, LABELS, FileError, Reject, Skip, Warn, message, nik_fault, say
from lindungi.rows import Accepted, Ignored, Rejected, RowRef, as_written
from lindungi.xlsx import Book


@dataclass
class SheetSummary:
    name: str | None
    header_line: int | None

    def to_dict(self) -> dict[str, Any]:
        status = "read" if self.header_line is not None else "ignored_no_header"
        return {"name": self.name, "header_line": self.header_line, "status": status}


@dataclass
class Report:
    file: str
    program: str | None
    error: FileError | None = None
    error_detail: str = ""
    kind: str | None = None
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    columns_seen: list[str] = field(default_factory=list)
    """For ``header_not_found``: the column names the reader saw (the row most like a header)."""
    nik_shaped: tuple[int, int] | None = None
    """For a PDF whose list was found: the NIK-shaped numbers in its text, and those in the rows reported."""

    @property
    def rows_read(self) -> int:
        return len(self.accepted) + len(self.rejected)

    def counts(self) -> dict[str, Any]:
        """Outcome counts: what logs and metrics carry (no personal data)."""
        return {
            "rows_read": self.rows_read,
            "accepted": len(self.accepted),
            "rejected": len(self.rejected),
            "warned": sum(1 for a in self.accepted if a.warnings),
            "sms_capable": sum(1 for a in self.accepted if a.sms_capable),
            "ignored": len(self.ignored),
            "rejected_by_reason": dict(Counter(r.value for row in self.rejected for r in row.reasons)),
            "warnings_by_code": dict(Counter(w.value for row in self.accepted for w in row.warnings)),
        }

    def _error(self) -> dict[str, Any] | None:
        if self.error is None:
            return None
        error: dict[str, Any] = {"code": self.error.value, "message": message(self.error)}
        if self.error is FileError.HEADER_NOT_FOUND:
            error["columns_seen"] = self.columns_seen
        return error

    def _fields(self) -> Iterator[tuple[str, Any]]:
        """The report's keys in domain.md's order; the row lists as iterators of small dicts."""
        yield "file", self.file
        yield "program", self.program
        yield "error", self._error()
        yield "rows_read", self.rows_read
        yield "accepted", (a.to_dict() for a in self.accepted)
        yield "rejected", (r.to_dict() for r in self.rejected)
        yield "kind", self.kind
        yield "summary", self.counts()
        yield "sheets", [s.to_dict() for s in self.sheets]
        yield "ignored", ({"row": i.row.to_dict(), "reason": i.reason.value} for i in self.ignored)
        if self.nik_shaped is not None:
            yield "nik_shaped", {"found": self.nik_shaped[0], "reported": self.nik_shaped[1]}

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, Iterator) else value for key, value in self._fields()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report back from its JSON, as far as the page needs it: for the page of a copy of its file."""
        error = data.get("error") or {}
        return cls(
            file=data["file"], program=data.get("program"),
            error=FileError(error["code"]) if error else None, kind=data.get("kind"),
            accepted=[Accepted.from_dict(a) for a in data.get("accepted", [])],
            rejected=[Rejected.from_dict(r) for r in data.get("rejected", [])],
            ignored=[Ignored(RowRef.from_dict(i["row"]), Skip(i["reason"])) for i in data.get("ignored", [])],
            sheets=[SheetSummary(s.get("name"), s.get("header_line")) for s in data.get("sheets", [])],
            columns_seen=list(error.get("columns_seen", [])),
            nik_shaped=(shaped["found"], shaped["reported"]) if (shaped := data.get("nik_shaped")) else None,
        )

    def json_chunks(self, extra: dict[str, Any] | None = None) -> Iterator[str]:
        """The JSON report, piece by piece and one row a line: a 100,000-row report is never one big dict."""
        return json_chunks([*self._fields(), *(extra or {}).items()])

    def to_json(self) -> str:
        return "".join(self.json_chunks())


ROW_LISTS = ("accepted", "rejected", "ignored", "already_covered")
"""The report's keys that list rows: written one row a line."""


def json_chunks(fields: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """A report's (key, value) pairs as JSON, piece by piece; a value that is an iterator, one item a line."""
    yield "{"
    for n, (key, value) in enumerate(fields):
        yield f'{"," if n else ""}\n {json.dumps(key)}: '
        if isinstance(value, Iterator):
            yield "["
            for m, row in enumerate(value):
                yield f'{"," if m else ""}\n  {json.dumps(row, ensure_ascii=False)}'
            yield "\n ]"
        else:
            yield json.dumps(value, ensure_ascii=False)
    yield "\n}\n"


def written(row: Rejected | Accepted, codes: Sequence[Reject | Warn]) -> list[tuple[str, str, str]]:
    """The cells ``codes`` are about, as written: (field name, value or "(kosong)", what is wrong with it)."""
    out: list[tuple[str, str, str]] = []
    doubted = row.doubted if isinstance(row, Accepted) else ()
    for name, value in as_written(codes, row.raw, doubted).items():
        note = ""
        if name == "nik" and Reject.NIK_INVALID in codes and row.nik:
            kind = nik.fault(row.nik)  # the NIK as read, cleaned of spaces, dots and dashes
            note = nik_fault(kind, len(row.nik)) if kind else ""
        if name == "nik" and isinstance(row, Rejected) and row.first is not None:
            note = same_as(row.row, row.first)
        out.append((FIELD_NAMES[name], value or EMPTY, note))
    return out


def same_as(row: RowRef, first: RowRef) -> str:
    """"sama dengan baris 5", naming the sheet or page when it is another one."""
    if first.sheet != row.sheet and first.sheet:
        return say("report.same_as_sheet", line=first.line, sheet=first.sheet)
    if first.page != row.page and first.page:
        return say("report.same_as_page", line=first.line, page=first.page)
    return say("report.same_as", line=first.line)


# --- the fix-up workbook -------------------------------------------------------------------

FIX_COLUMNS: list[tuple[str, str]] = [
    ("nik", "NIK"),
    ("name", "Nama"),
    ("phone", "No HP"),
    ("birth_date", "Tanggal Lahir"),
    ("gender", "Jenis Kelamin"),
    ("address", "Alamat"),
    ("kelurahan", "Kelurahan"),
    ("kecamatan", "Kecamatan"),
    ("occupation", "Pekerjaan"),
    ("coverage_start", "TMT"),
    ("program", "Program"),
    ("paid_until", "Iuran Sampai"),
]


def why(row: Rejected | Accepted, codes: Sequence[Reject | Warn]) -> str:
    """Each code of a row as the fix-up workbook says it: its name, the value at fault as written, what to do.

    "NIK tidak valid (NIK: 617201450985, 12 angka, bukan 16). Cocokkan NIK dengan KTP/KK ..."
    """
    out: list[str] = []
    for code in codes:
        bad = "; ".join(f"{name}: {value}" + (f", {note}" if note else "")
                        for name, value, note in written(row, [code]) if value != EMPTY)  # "NIK kosong" says it
        out.append(f"{LABELS[code]}" + (f" ({bad})" if bad else "") + f". {message(code)}")
    return "\n".join(out)


def fix_workbook(report: Report) -> bytes | None:
    """The rejected and warned rows as an .xlsx staff can correct and upload again; None if none."""
    warned = [a for a in report.accepted if a.warnings]
    if not report.rejected and not warned:
        return None
    book = Book()
    heading = ["Status", "Alasan", "Lembar", "Baris"] + [label for _, label in FIX_COLUMNS]
    sheet = book.worksheet("Perbaikan", heading)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 70, book.wrap)
    sheet.set_column(4, len(heading), 18, book.text)
    line = 1
    rows: list[tuple[str, Sequence[Reject | Warn], Rejected | Accepted]] = [
        ("DITOLAK", row.reasons, row) for row in report.rejected
    ] + [("PERINGATAN", row.warnings, row) for row in warned]
    for status, codes, row in rows:
        where = row.row.sheet or (say("report.page", page=row.row.page) if row.row.page else "")
        values = [status, why(row, codes), where, str(row.row.line)] + [row.raw.get(key, "") for key, _ in FIX_COLUMNS]
        for col, value in enumerate(values):
            book.write_text(sheet, line, col, value, book.text if col >= 4 else book.wrap if col == 1 else None)
        line += 1
    return book.close()


def text_table(report: Report) -> str:
    """What ``python -m lindungi check FILE`` prints for a person."""
    out = [f"Berkas : {report.file}", f"Program: {report.program or '-'}"]
    if report.error:
        out += [f"GAGAL  : {report.error.value} - {message(report.error)}"]
        if report.error_detail:
            out += [f"         ({report.error_detail})"]
        return "\n".join(out)
    counts = report.counts()
    out += [
        f"Dibaca : {counts['rows_read']} baris; diterima {counts['accepted']}, ditolak {counts['rejected']}, "
        f"dengan peringatan {counts['warned']}",
        "",
        f"{'Lembar':<16} {'Baris':>6}  {'Status':<10} {'NIK':<18} {'Nama':<24} Kode",
    ]
    for r in report.rejected:
        out.append(
            f"{(r.row.sheet or str(r.row.page or '')):<16.16} {r.row.line:>6}  {'DITOLAK':<10} {r.nik or '':<18.18} "
            f"{r.name or '':<24.24} {', '.join(x.value for x in r.reasons)}"
        )
    for a in report.accepted:
        if a.warnings:
            out.append(
                f"{(a.row.sheet or str(a.row.page or '')):<16.16} {a.row.line:>6}  {'PERINGATAN':<10} {a.nik:<18} "
                f"{a.name:<24.24} {', '.join(w.value for w in a.warnings)}"
            )
    return "\n".join(out)
