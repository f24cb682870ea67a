"""One file in, one report out: detect, read, find headers, validate. No AWS here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from lindungi.config import Limits, Program, Programs
from lindungi.config import programs as shipped_programs
from lindungi.intake import readers
from lindungi.intake.readers import FileFailure
from lindungi.intake.report import Report, SheetSummary
from lindungi.intake.table import Field
from lindungi.intake.validate import Accepted, Ignored, Rejected, RowValidator, TableResult, validate_table
from lindungi.outcomes import FileError


def check(
    data: bytes,
    filename: str,
    program_id: str | None,
    *,
    limits: Limits | None = None,
    programs: Programs | None = None,
    today: date | None = None,
) -> Report:
    """The report of one enrollment list. Never raises for bad input: the error is in the report."""
    limits = limits or Limits.from_env()
    programs = programs or shipped_programs()
    today = today or datetime.now(programs.timezone).date()
    file_program = programs.get(program_id)
    report = Report(file=filename, program=file_program.id if file_program else None)
    try:
        _fill(report, data, limits, programs, file_program, today)
    except FileFailure as failure:
        _fail(report, failure.code, failure.detail)
    except ImportError:
        raise  # our packaging bug, not the file's fault: let it fail loudly
    except MemoryError:
        _fail(report, FileError.TOO_LARGE, "out of memory while reading")
    except Exception as error:  # noqa: BLE001 - a parser's crash on a broken file is that file's fault
        _fail(report, FileError.UNREADABLE, f"{type(error).__name__}")
    return report


def _fail(report: Report, code: FileError, detail: str) -> None:
    report.error, report.error_detail = code, detail
    report.accepted, report.rejected, report.ignored = [], [], []


def _fill(
    report: Report, data: bytes, limits: Limits, programs: Programs, file_program: Program | None, today: date
) -> None:
    kind, tables = readers.read(data, limits)
    report.kind = kind.value
    validator = RowValidator(programs, file_program, today)
    if file_program is None:
        # Every sheet's header first: without a program from the folder, one must come from a column.
        results: Iterable[TableResult] = [validate_table(table, validator) for table in tables]
        report.sheets = [SheetSummary(r.name, r.header_line) for r in results]
        found = [r for r in results if r.header is not None]
        if found and not any(Field.PROGRAM in r.header.columns for r in found if r.header):
            raise FileFailure(FileError.PROGRAM_UNKNOWN)
    else:
        # One table at a time: a reader that loads a sheet when it is read holds one sheet in memory.
        results = (validate_table(table, validator) for table in tables)
    for result in results:
        if file_program is not None:
            report.sheets.append(SheetSummary(result.name, result.header_line))
        for outcome in result.outcomes:
            if isinstance(outcome, Accepted):
                report.accepted.append(outcome)
            elif isinstance(outcome, Rejected):
                report.rejected.append(outcome)
            elif isinstance(outcome, Ignored):
                report.ignored.append(outcome)
            if report.rows_read > limits.max_rows:
                raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_rows} rows")
    if all(sheet.header_line is None for sheet in report.sheets):
        raise FileFailure(FileError.HEADER_NOT_FOUND)


