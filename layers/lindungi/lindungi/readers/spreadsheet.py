"""``.xlsx``/``.xls`` (and ``.xlsb``/``.ods``) through calamine, a Rust reader: fast and flat in memory."""

from __future__ import annotations

import io
from collections.abc import Iterator

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError

from ..config import Limits
from ..outcomes import FileError
from .base import FileFailure, RawRow, RowRef, Table


def _rows(sheet: CalamineSheet, first_line: int) -> Iterator[RawRow]:
    # iter_rows converts one row at a time: memory stays flat however long the sheet.
    for index, cells in enumerate(sheet.iter_rows()):
        yield RawRow(RowRef(line=first_line + index, sheet=sheet.name), cells)  # type: ignore[arg-type]


def read(data: bytes, limits: Limits) -> list[Table]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as error:
        raise FileFailure(FileError.ENCRYPTED, str(error)) from error
    except (CalamineError, ValueError, OSError) as error:
        message = str(error)
        if "password" in message.lower() or "encrypt" in message.lower():
            raise FileFailure(FileError.ENCRYPTED, message) from error
        raise FileFailure(FileError.UNREADABLE, message) from error
    tables: list[Table] = []
    total_rows = 0
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            total_rows += sheet.total_height
            if total_rows > limits.max_rows + 1_000:  # title, header and footer rows are not workers
                raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_rows} rows")
            start_row, start_col = sheet.start or (0, 0)
            # Merged ranges are absolute; rows from iter_rows start at the sheet's data origin.
            merged = [
                ((r0 - start_row, c0 - start_col), (r1 - start_row, c1 - start_col))
                for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()
            ]
        except PasswordError as error:
            raise FileFailure(FileError.ENCRYPTED, str(error)) from error
        except (CalamineError, ValueError, OSError) as error:
            raise FileFailure(FileError.UNREADABLE, f"sheet {name}: {error}") from error
        tables.append(Table(name=name, rows=_rows(sheet, start_row + 1), merged=merged))
    return tables
