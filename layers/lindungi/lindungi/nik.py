"""NIK (Nomor Induk Kependudukan): cleaning and the rules of domain.md.

Structure (length, digits, birth date, registered province and regency) is
checked by python-stdnum's ``stdnum.id.nik``; this module adds what stdnum
does not know: the serial that is never 0000, the NIK that Excel cut to 15
significant digits, and a century guess that does not read YY=05 as 1905.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

from stdnum import numdb

from lindungi.outcomes import Reject, Warn

Cell = str | int | float | bool | date | None

_SEPARATORS = re.compile(r"[\s.\-]")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")


@dataclass(frozen=True)
class NikResult:
    nik: str | None
    """16 digits when valid; otherwise what was read, cleaned, for the report."""
    reject: Reject | None = None
    warnings: tuple[Warn, ...] = field(default=())


def _from_number(value: float | int) -> NikResult:
    if isinstance(value, float) and not value.is_integer():
        return NikResult(str(value), Reject.NIK_INVALID)
    digits = str(int(value))
    if len(digits) != 16:
        return NikResult(digits, Reject.NIK_INVALID)
    if digits.endswith("0"):
        return NikResult(digits, Reject.NIK_PRECISION_LOST)
    result = _check(digits)
    return NikResult(digits, result, () if result else (Warn.NIK_FROM_NUMBER,))


@cache
def _registered(prefix: str) -> bool:
    """stdnum's registration-place check (``id/loc`` database), once per 4-digit prefix."""
    return bool(numdb.get("id/loc").info(prefix)[0][1])


@cache
def _birth_ok(ddmmyy: str) -> bool:
    """stdnum's birth-date check: DD (+40 for women) MM YY is a real day in 19YY or 20YY."""
    day, month, year = int(ddmmyy[0:2]) % 40, int(ddmmyy[2:4]), int(ddmmyy[4:6])
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


def _check(digits: str) -> Reject | None:
    """``stdnum.id.nik.validate`` (16 ASCII digits, a real birth date, a registered province) plus a
    serial that is not 0000; the two table look-ups are cached, as a list repeats them on every row."""
    if len(digits) != 16 or not (digits.isascii() and digits.isdigit()) or digits.endswith("0000"):
        return Reject.NIK_INVALID
    if not _birth_ok(digits[6:12]) or not _registered(digits[:4]):
        return Reject.NIK_INVALID
    return None


def fault(digits: str) -> str | None:
    """Why a cleaned NIK is invalid, one of ``outcomes.NIK_FAULTS``' keys; None when it is valid."""
    if not (digits.isascii() and digits.isdigit()):
        return "characters"
    if len(digits) != 16:
        return "length"
    if digits.endswith("0000"):
        return "serial"
    if not _birth_ok(digits[6:12]):
        return "birth_date"
    if not _registered(digits[:4]):
        return "region"
    return None


def normalize(cell: Cell) -> NikResult:
    """Clean and validate a NIK cell, typed text or a spreadsheet number."""
    if cell is None or cell == "":
        return NikResult(None, Reject.NIK_MISSING)
    if isinstance(cell, str) and len(cell) == 16 and cell.isascii() and cell.isdigit():
        return NikResult(cell, _check(cell))  # typed as it should be: nothing to clean
    if isinstance(cell, (bool, date)):
        return NikResult(str(cell), Reject.NIK_INVALID)
    if isinstance(cell, (int, float)):
        return _from_number(cell)
    if not isinstance(cell, str):  # a time or duration cell: calamine gives those too
        return NikResult(str(cell), Reject.NIK_INVALID)
    if not cell.isascii():
        # Fullwidth or styled digits typed or pasted from a phone become ASCII; invisible format
        # characters (zero-width space, direction marks, BOM) go.
        cell = "".join(ch for ch in unicodedata.normalize("NFKC", cell) if unicodedata.category(ch) != "Cf")
    text = cell.strip().lstrip("'`’").strip()
    if not text:
        return NikResult(None, Reject.NIK_MISSING)
    if _SCIENTIFIC.match(text):
        # "6,17201E+15": a CSV saved by Excel from a number cell; the digits are gone.
        return NikResult(text, Reject.NIK_PRECISION_LOST)
    digits = _SEPARATORS.sub("", text)
    if digits.endswith(".0") or digits.endswith(",0"):
        digits = digits[:-2]
    return NikResult(digits, _check(digits))


_CHAIN = re.compile(r"(?<![0-9])[0-9]+(?:[ .\-][0-9]+)*+")
SHAPED_DIGITS = range(15, 18)
"""A NIK has 16 digits; 15 or 17 is one that lost or gained a digit (a row number glued on, a digit cut)."""
_LONG = 10


def shaped(text: str) -> int:
    """How many NIK-shaped numbers ``text`` holds: 15 to 17 digits in one run, or in short groups parted by
    one space, dot or dash each ("6172 0145 0985 0003"). A run of ten digits or more stands alone (a row
    number before a NIK, "12 6172014509850003", leaves one NIK-shaped number; a phone after a spaced NIK
    is not part of it); the short groups between such runs count together (an NIP of 18 digits in groups,
    "19650101 199003 1 005", is not NIK-shaped). Groups parted by dashes or dots end at a space: a phone
    number "0813-1111-2222" and the house number after it are two numbers."""
    count = 0
    for chain in _CHAIN.finditer(text):
        found = chain.group()
        mixed = " " in found and ("-" in found or "." in found)
        for part in found.split(" ") if mixed else (found,):
            count += _shaped_chain(part)
    return count


def _shaped_chain(chain: str) -> int:
    count = short = 0
    for group in _SEPARATORS.split(chain):
        if len(group) < _LONG:
            short += len(group)
            continue
        count += (short in SHAPED_DIGITS) + (len(group) in SHAPED_DIGITS)
        short = 0
    return count + (short in SHAPED_DIGITS)


def birth_date(nik: str, today: date) -> date:
    """The birth date a valid NIK encodes; YY is this century unless that is in the future."""
    day, month, yy = int(nik[6:8]) % 40, int(nik[8:10]), int(nik[10:12])
    for century in (2000, 1900) if 2000 + yy <= today.year else (1900,):
        try:
            return date(century + yy, month, day)
        except ValueError:
            continue
    raise ValueError(f"no birth date in NIK {mask(nik)}")


def gender(nik: str) -> Literal["L", "P"]:
    """L (laki-laki) or P (perempuan): women have 40 added to the day."""
    return "P" if int(nik[6:8]) > 40 else "L"


def mask(nik: str | None) -> str:
    """``6172********0003``: safe for logs."""
    if not nik:
        return ""
    return nik[:4] + "*" * max(len(nik) - 8, 0) + nik[-4:] if len(nik) > 8 else "*" * len(nik)
