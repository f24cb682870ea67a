"""``.xlsx``/``.xls`` (and ``.xlsb``/``.ods``) through calamine, a Rust reader: fast and flat in memory.

calamine builds each sheet as a dense grid of its used range, and a Rust allocation failure aborts the
process. So no sheet is loaded here before its size is known to be within ``Limits.max_cells``: an
xlsx is measured while ``detect`` streams it (``extent``); every other workbook (xls, xlsb, ods, or an
xlsx whose cells do not all say where they are) is first loaded in a child process under a memory
limit (``isolate``), which only reports each sheet's size: its death is the file's ``file_too_large``.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from lindungi.intake.readers import isolate
from lindungi.intake.readers.base import FileFailure, RawRow, Table
from lindungi.intake.readers.extent import Extent
from lindungi.outcomes import FileError
from lindungi.rows import RowRef
from lindungi.settings import Limits

MEASURE_SECONDS = 300.0
"""The most a child may take to load every sheet once (a workbook that takes longer is unreadable)."""


def _sheet_rows(
    workbook: CalamineWorkbook, name: str, merged: list[tuple[tuple[int, int], tuple[int, int]]], loaded: list[int],
    limits: Limits,
) -> Iterator[RawRow]:
    """The rows of one sheet, loading it only now: one sheet in memory at a time, not the whole workbook.

    The row limit is checked as each sheet is loaded (``loaded`` counts the rows of the sheets so far),
    before any of its rows are validated; ``merged`` is filled in before the first row comes out.
    """
    try:
        sheet = workbook.get_sheet_by_name(name)
        loaded[0] += sheet.total_height
        if loaded[0] > limits.max_rows + 1_000:  # title, header and footer rows are not workers
            raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_rows} rows")
        start_row, start_col = sheet.start or (0, 0)
        # Merged ranges are absolute; rows from iter_rows start at the sheet's data origin.
        merged.extend(
            ((r0 - start_row, c0 - start_col), (r1 - start_row, c1 - start_col))
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()
        )
    except PasswordError as error:
        raise FileFailure(FileError.ENCRYPTED, str(error)) from error
    except (CalamineError, ValueError, OSError) as error:
        raise FileFailure(FileError.UNREADABLE, f"sheet {name}: {error}") from error
    # iter_rows converts one row at a time: Python memory stays flat however long the sheet.
    for index, cells in enumerate(sheet.iter_rows(), start=start_row + 1):
        yield RawRow(RowRef(line=index, sheet=name), cells)  # type: ignore[arg-type]


_ODS_BREAK = re.compile(rb"<text:(?:line-break|tab)\s*/>")
_ODS_INDENT = re.compile(rb">\s+(?=</?(?:table:|text:p[\s>/]))")
"""Whitespace between a tag and a table element or a paragraph: indentation, not content (ODF 1.3 part 3, 6.1.2)."""


def _ods_for_calamine(data: bytes) -> bytes:
    """An ODS as calamine reads it whole: line breaks and tabs inside a cell as a space, no indentation.

    calamine drops ``<text:line-break/>`` and ``<text:tab/>``, so "NUR" + line break + "FADILLAH" would read
    "NURFADILLAH"; ``<text:s/>`` is a space to it, as a break in an ``.xlsx`` cell is whitespace to the
    validator. calamine 0.9.1 also fails a row that holds whitespace between its cells ("Expecting
    'table-cell', found Text"), which is how Gnumeric writes every ``content.xml`` (indented, one element a
    line): the indentation goes, the text inside a paragraph stays.
    """
    if not data.startswith(b"PK"):
        return data
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        content = archive.read("content.xml") if "mimetype" in archive.namelist() else b""
        if not _ODS_BREAK.search(content) and not _ODS_INDENT.search(content):
            return data
        content = _ODS_INDENT.sub(b">", _ODS_BREAK.sub(b"<text:s/>", content))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as rebuilt:
            for info in archive.infolist():
                rebuilt.writestr(info, content if info.filename == "content.xml" else archive.read(info))
        return out.getvalue()
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return data  # calamine reports what is wrong with it


def _open(data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(_ods_for_calamine(data)))
    except PasswordError as error:
        raise FileFailure(FileError.ENCRYPTED, str(error)) from error
    except (CalamineError, ValueError, OSError) as error:
        message = str(error)
        if "password" in message.lower() or "encrypt" in message.lower():
            raise FileFailure(FileError.ENCRYPTED, message) from error
        raise FileFailure(FileError.UNREADABLE, message) from error


def sheet_sizes(data: bytes) -> list[tuple[str, int, int]]:
    """(name, rows, columns) of every sheet's grid, as calamine builds it: run in a child process."""
    workbook = _open(data)
    sizes = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except PasswordError as error:
            raise FileFailure(FileError.ENCRYPTED, str(error)) from error
        except (CalamineError, ValueError, OSError) as error:
            raise FileFailure(FileError.UNREADABLE, f"sheet {name}: {error}") from error
        sizes.append((name, sheet.height, sheet.width))
        del sheet
    return sizes


def measure(data: bytes, limits: Limits, deadline: float | None = None) -> None:
    """Every sheet loaded once in a child under ``limits.reader_memory_bytes``: raises if one is over budget."""
    if not isolate.available():
        return  # no fork (not Linux or macOS): nothing safer to do than read
    seconds = MEASURE_SECONDS if deadline is None else max(0.0, min(MEASURE_SECONDS, deadline - time.monotonic()))
    sizes = isolate.run(lambda: sheet_sizes(data), what="spreadsheet", extra_bytes=limits.reader_memory_bytes,
                        seconds=seconds)
    for name, height, width in sizes:
        if height * width > limits.max_cells:
            raise FileFailure(FileError.TOO_LARGE, f"sheet {name}: used range of {height * width} cells, "
                              f"limit {limits.max_cells} cells")


def read(data: bytes, limits: Limits, extent: Extent | None = None, deadline: float | None = None) -> list[Table]:
    """The workbook's sheets, each loaded when its rows are read; ``extent`` is what ``detect`` measured."""
    if extent is None or not extent.sure:
        measure(data, limits, deadline)
    workbook = _open(data)
    try:
        names = workbook.sheet_names
    except (CalamineError, ValueError, OSError) as error:
        raise FileFailure(FileError.UNREADABLE, str(error)) from error
    loaded = [0]
    tables: list[Table] = []
    for name in names:
        merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        tables.append(Table(name=name, rows=_sheet_rows(workbook, name, merged, loaded, limits), merged=merged))
    return tables
