"""CSV as offices save it: comma or semicolon, UTF-8 (with or without BOM) or Windows-1252."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from lindungi.intake.readers.base import FileFailure, RawRow, Table
from lindungi.outcomes import FileError
from lindungi.rows import RowRef
from lindungi.settings import Limits


def decode(data: bytes) -> str:
    """The text of a CSV, each line in the encoding it was saved in.

    UTF-8 when the whole file is UTF-8 (the common case, decoded in one go); otherwise line by
    line, UTF-8 where a line is UTF-8 and Windows-1252 where it is not, so a UTF-8 list that
    got one line pasted from an old Excel file keeps both its "MUÑOZ" and its "林美华". The
    five bytes Windows-1252 leaves undefined become U+FFFD (``detect`` refuses a file full of them).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_line(line) for line in data.splitlines(keepends=True))


def _line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """The separator that splits the first lines most consistently (Indonesian Excel saves ';')."""
    lines = [line for line in text[:65_536].splitlines()[:30] if line.strip()]
    best, best_score = ",", -1
    for candidate in (";", ",", "\t", "|"):
        counts = [line.count(candidate) for line in lines]
        score = sum(1 for c in counts if c > 0 and c == max(counts)) if counts else 0
        if score > best_score and max(counts, default=0) > 0:
            best, best_score = candidate, score
    return best


def _rows(text: str, limits: Limits) -> Iterator[RawRow]:
    previous = csv.field_size_limit()
    csv.field_size_limit(limits.max_line_bytes)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        line = 1
        count = 0
        try:
            for cells in reader:
                count += 1
                if count > limits.max_rows + 1_000:
                    raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_rows} rows")
                yield RawRow(RowRef(line=line), cells)
                line = reader.line_num + 1
        except csv.Error as error:
            code = FileError.TOO_LARGE if "field larger" in str(error) else FileError.UNREADABLE
            raise FileFailure(code, f"line {line}: {error}") from error
    finally:
        csv.field_size_limit(previous)


def read(data: bytes, limits: Limits) -> list[Table]:
    if data.count(b"\n") > limits.max_rows + 1_000:
        raise FileFailure(FileError.TOO_LARGE, f"over {limits.max_rows} lines")
    text = decode(data)
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > limits.max_line_bytes:
        raise FileFailure(FileError.TOO_LARGE, f"a line of {longest} characters")
    return [Table(name=None, rows=_rows(text, limits))]
