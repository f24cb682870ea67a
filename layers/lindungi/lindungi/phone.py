"""Phone numbers: to E.164 with Google's libphonenumber (phonenumberslite).

Indonesian mobiles typed the usual way ("0812-3456-7890", "62812...",
"+62 812 ...", "812..." from a number cell) take a fast path: the digits are
matched against libphonenumber's own ID mobile pattern, which is the same
answer ``phonenumbers.parse`` gives in a tenth of the time. Anything else goes
through the full parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from lindungi.outcomes import Warn

Cell = str | int | float | None

# Two numbers in one cell: "0812... / 0813...", "0812..., 0813...", "0812... atau 0813...".
_SPLIT = re.compile(r"\s*(?:/|,|;|\||&|\n|\bdan\b|\batau\b|\bor\b)\s*", re.IGNORECASE)
_NOT_DIGIT = re.compile(r"[^\d+]")
# One number and nothing else (no separator _SPLIT knows): the usual cell, which skips the split.
_SINGLE = re.compile(r"[+ ().-]*\d[\d+ ().-]*")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass(frozen=True)
class PhoneResult:
    e164: str | None
    warning: Warn | None = None
    multiple: bool = False
    fallback: str | None = None
    """Of a cell with several numbers, the first other SMS-capable one: where a reminder goes when the
    first is reported dead (a family phone, a second SIM)."""

    @property
    def warnings(self) -> tuple[Warn, ...]:
        found = (Warn.PHONE_MULTIPLE,) if self.multiple else ()
        return found + ((self.warning,) if self.warning else ())

    @property
    def sms_capable(self) -> bool:
        return self.e164 is not None and self.warning is None


@cache
def _id_mobile() -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("ID")
    assert metadata is not None and metadata.mobile is not None
    return re.compile(metadata.mobile.national_number_pattern or "(?!)")


def _national_digits(text: str) -> str | None:
    """The national significant number of an obviously Indonesian entry, else None."""
    digits = _NOT_DIGIT.sub("", text)
    if digits.startswith("+62"):
        return digits[3:]
    if "+" in digits:
        return None
    if digits.startswith("62") and len(digits) >= 11:
        return digits[2:]
    if digits.startswith("0"):
        return digits[1:]
    if digits.startswith("8"):
        return digits
    return None


def _one(text: str) -> PhoneResult:
    national = _national_digits(text)
    if national is not None and national.startswith("8") and _id_mobile().fullmatch(national):
        return PhoneResult("+62" + national)
    candidate = text.strip()
    if national is not None and national.startswith("8") and not candidate.startswith(("+", "0", "62")):
        candidate = "0" + candidate  # leading zero lost in a number cell
    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException:
        return PhoneResult(None, Warn.PHONE_INVALID)
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        return PhoneResult(None, Warn.PHONE_INVALID)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return PhoneResult(e164, Warn.PHONE_NOT_MOBILE)
    return PhoneResult(e164)


def normalize(cell: Cell) -> PhoneResult:
    """E.164 for an SMS-capable Indonesian number, or the warning that says why not."""
    if cell is None or isinstance(cell, bool):
        return PhoneResult(None, Warn.PHONE_MISSING)
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and not cell.is_integer():
            return PhoneResult(None, Warn.PHONE_INVALID)
        cell = str(int(cell))
    if not isinstance(cell, str):  # a date, time or duration cell: not a phone number
        return PhoneResult(None, Warn.PHONE_INVALID)
    text = cell.strip().lstrip("'`’")
    if not text or text in {"-", "--", "0"}:
        return PhoneResult(None, Warn.PHONE_MISSING)
    if _SINGLE.fullmatch(text):
        return _one(text)
    parts = [p for p in _SPLIT.split(text) if any(ch.isdigit() for ch in p)]
    if not parts:
        return PhoneResult(None, Warn.PHONE_INVALID)
    first = _one(parts[0])
    if len(parts) > 1:
        others = (_one(part) for part in parts[1:])
        fallback = next((o.e164 for o in others if o.sms_capable and o.e164 != first.e164), None)
        return PhoneResult(first.e164, first.warning, multiple=True, fallback=fallback)
    return first


def mask(e164: str | None) -> str:
    """``+62812****7890``: safe for logs."""
    if not e164:
        return ""
    return e164[:6] + "*" * max(len(e164) - 10, 0) + e164[-4:] if len(e164) > 10 else "*" * len(e164)
