"""One file in, one report out: read -> find the table -> validate -> report. No AWS here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from lindungi.config import Program, Programs
from lindungi.config import programs as shipped_programs
from lindungi.intake import readers
from lindungi.intake.fields import Field
from lindungi.intake.readers.base import FileFailure, Table
from lindungi.intake.readers.guard import Guard
from lindungi.intake.report import Report, SheetSummary
from lindungi.intake.table import WorkerList, find_list
from lindungi.intake.validate import RowValidator
from lindungi.outcomes import FileError
from lindungi.rows import Accepted, Ignored, Rejected
from lindungi.settings import Limits


def check(
    data: bytes,
    filename: str,
    program_id: str | None,
    *,
    limits: Limits | None = None,
    programs: Programs | None = None,
    today: date | None = None,
    deadline: float | None = None,
) -> Report:
    """The report of one enrollment list. Never raises for bad input: the error is in the report.

    ``deadline`` (``time.monotonic()``) is when reading must end, e.g. the Lambda's remaining time minus
    a margin (``Limits.read_seconds`` from now when not given); past it the file is ``file_too_large``.
    """
    limits = limits or Limits.from_env()
    programs = programs or shipped_programs()
    today = today or datetime.now(programs.timezone).date()
    file_program = programs.get(program_id)
    report = Report(file=filename, program=file_program.id if file_program else None)
    try:
        _fill(report, data, limits, programs, file_program, today, deadline)
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
    report: Report, data: bytes, limits: Limits, programs: Programs, file_program: Program | None, today: date,
    deadline: float | None,
) -> None:
    kind, tables = readers.read(data, limits, deadline)
    report.kind = kind.value
    validator = RowValidator(programs, file_program, today)
    found_lists: Iterable[tuple[Table, WorkerList]]
    if file_program is None:
        # Every sheet's header first: without a program from the folder, one must come from a column.
        found_lists = [(table, find_list(table)) for table in tables]
        report.sheets = [SheetSummary(found.name, found.header_line) for _, found in found_lists]
        headers = [found.header for _, found in found_lists if found.header is not None]
        if headers and not any(Field.PROGRAM in header.columns for header in headers):
            raise FileFailure(FileError.PROGRAM_UNKNOWN)
    else:
        # One table at a time: a reader that loads a sheet when it is read holds one sheet in memory.
        found_lists = ((table, find_list(table)) for table in tables)
    for table, found in found_lists:
        if found.columns_seen and not report.columns_seen:
            report.columns_seen = list(found.columns_seen)
        if file_program is not None:
            report.sheets.append(SheetSummary(found.name, found.header_line))
        if found.header is None:
            continue
        if table.tally is None:
            _add(report, validator.outcomes(found.rows, found.header.columns), limits)
            continue
        guard = Guard(found.header, table.tally)
        try:
            _add(report, validator.outcomes(guard.rows(found.rows), found.header.columns), limits)
            guard.close()
        finally:
            report.nik_shaped = (table.tally.nik_shaped, guard.reported)
    if all(sheet.header_line is None for sheet in report.sheets):
        raise FileFailure(FileError.HEADER_NOT_FOUND)


def _add(report: Report, outcomes: Iterable[Accepted | Rejected | Ignored], limits: Limits) -> None:
    """The outcomes into the report, the row limit and the limit on rows set aside checked as they come."""
    for outcome in outcomes:
        if isinstance(outcome, Accepted):
            report.accepted.append(outcome)
        elif isinstance(outcome, Rejected):
            report.rejected.append(outcome)
        elif isinstance(outcome, Ignored):
            report.ignored.append(outcome)
            if len(report.ignored) > limits.max_ignored:
                raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_ignored} rows set aside (not workers)")
        if report.rows_read > limits.max_rows:
            raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_rows} rows")
