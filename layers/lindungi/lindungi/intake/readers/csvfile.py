"""CSV as offices save it: comma or semicolon, UTF-8 (with or without BOM) or Windows-1252."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from lindungi.config import Limits
from lindungi.intake.readers.base import FileFailure, RawRow, RowRef, Table
from lindungi.outcomes import FileError


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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
