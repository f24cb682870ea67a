"""Logs without personal data: every line is redacted after it is formatted.

Masking at the formatter, not at each call site, covers what call sites
cannot: exception messages and tracebacks, payloads of failed events, a
botocore error that echoes a request. A NIK keeps its region and serial
(``6172********0003``), a phone its operator prefix and last four digits
(``+62812****7890``): enough to tell records apart at 2 a.m., not enough to
identify anyone. Names are never logged at all, and since staff name uploads
after people (``SITI AMINAH (0812) 3456 7890.csv``), an S3 key is logged as
``incoming/<program>/#<hash>.<ext>`` (``mask_key``): the program and the type
of file stay readable, the name becomes a short stable hash. A key is masked
whole wherever it stands: apostrophes, quotes and ``#`` belong to names
(``Nur'aini``), and a folder that is not a program is part of the name.
Numbers are recognised however they are grouped (``0812 3456 789``, pairs,
``(+62)``, ``0062``, ``_`` or ``+`` between digits) and in any script's digits
(full-width ``０８１２``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# Between two digits of a number: nothing, or one space/dot/slash/underscore/plus/dash of any kind (hyphen,
# non-breaking hyphen, en dash, minus...), with a space either side. \s is Unicode: no-break and narrow spaces
# too. Any two digits, not only between groups of four: "0812 3456 789", "08 12 34 56 78 90", a NIK in pairs.
_DASHES = "\\-\u2010-\u2015\u2212\ufe63\uff0d"
_SEP = rf"(?>\s?[./_+{_DASHES}]?\s?)"  # atomic: " " is one separator, never tried as two ways to split
# Not inside a longer number, not already masked, not the decimals of a float ("0.8123456789").
_START = r"(?<![\d*])(?<!\d\.)"
# 16 digits (a NIK), any of them apart.
_NIK = re.compile(rf"{_START}\d(?:{_SEP}\d){{15}}(?!\d)")
# Indonesian mobiles in any usual spelling: +62 812..., 62812..., 0062 812..., (+62) 812..., 0812-..., (0812) ...,
# +62 (812) ..., and (812) ... with neither (the operator in parentheses, closed, says what the digits are): the
# country code or the 0, then 8 and 8 to 11 more digits (the 9 to 12 of a mobile number).
# No dot or slash right after the country code or the 0, so the decimals of a number are never read as a phone.
_PHONE = re.compile(
    rf"{_START}(?:\(?(?P<code>(?:\+|%2B|00)?\s?\(?62|0)\)?[\s{_DASHES}_]?\(?|\((?=8\d{{1,2}}\)))"
    rf"(?P<number>8(?:\)?{_SEP}\d){{8,11}})(?!\d)"
)
_NOT_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def _ascii_digits(text: str) -> str:
    """Full-width (and any other script's) decimal digits as ASCII, so that they are read as numbers too."""
    if text.isascii():
        return text
    return _NOT_ASCII_DIGIT.sub(lambda m: str(unicodedata.decimal(m[0], "")) or m[0], text)


def _mask_phone(m: re.Match[str]) -> str:
    code = re.sub(r"[\s()]", "", m["code"] or "")
    digits = re.sub(r"\D", "", m["number"])
    return f"{code}{digits[:3]}****{digits[-4:]}"


def _mask_nik(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m[0])
    return f"{digits[:4]}********{digits[-4:]}"


def redact(text: str) -> str:
    """Mask every NIK and Indonesian phone number in ``text``."""
    text = _PHONE.sub(_mask_phone, _ascii_digits(text))
    return _NIK.sub(_mask_nik, text)


_KEY_PREFIXES = ("incoming/", "reports/")
_REPORT_SUFFIXES = (".perbaikan.xlsx", ".json", ".html")
"""What ``intake.publish.report_keys`` appends to an upload's name: a report's key hashes like its upload's."""
_OWN_FOLDERS = {"reports/": ("rekap",)}
"""Folders we name ourselves besides the programs: kept in clear."""
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_LIST_EXTENSION = r"\.(?:xlsx|xlsm|xls|xlsb|csv|tsv|txt|ods|pdf)(?:\.perbaikan\.xlsx|\.json|\.html)?(?![\w.])"
# An S3 key of ours inside any text. Staff name files after people, and names hold apostrophes, quotes and
# "#" ("Nur'aini", "Ma'ruf"): a key runs to its file extension, whatever it passes on the way; a key without
# one runs to a line end, a "#" (the version in a correlation id) or a closing quote (a quote not followed by
# a letter or digit, as the apostrophe inside a name is).
_KEY_IN_TEXT = re.compile(
    rf"(?<![\w/.-])(?:incoming|reports)/(?:[^\n\r\t]*?{_LIST_EXTENSION}|[^#\n\r\t]*?(?=[#\n\r\t]|[\"'](?!\w)|$))",
    re.IGNORECASE,
)
# A whole value that is a key with a version after it (the ingest function's correlation id): a key with an
# extension, then "#" and a version id.
_KEY_AND_VERSION = re.compile(rf"(.*?{_LIST_EXTENSION})(#[A-Za-z0-9._-]*)", re.IGNORECASE | re.DOTALL)


@functools.cache
def _programs() -> frozenset[str]:
    try:
        from lindungi.config import programs

        return frozenset(programs().by_id)
    except (OSError, ValueError, KeyError):  # no programs file: every folder is hashed with the name
        return frozenset()


def mask_key(key: str) -> str:
    """``incoming/pekerja-rentan/SITI AMINAH (0812) 3456 7890.csv`` -> ``incoming/pekerja-rentan/#3f2a9c.csv``.

    The top folder and the program folder stay; the rest is a six-hex-digit hash (SHA-256) of the file's name,
    the same for an upload and its reports (``reports/<program>/#3f2a9c.csv.json``), so one file's lines can be
    followed across functions, and a masked key can be found again by masking a bucket listing. A first folder
    that is not a program (``incoming/siti-aminah/daftar.xlsx``: staff may name a folder after a person) is
    hashed with the name. Keys that are not ours are returned as they are.
    """
    top = next((p for p in _KEY_PREFIXES if key.startswith(p)), None)
    if top is None:
        return key
    rest = key[len(top):]
    first, slash, _ = rest.partition("/")
    kept = slash and (first in _programs() or first in _OWN_FOLDERS.get(top, ()))
    folder = f"{first}/" if kept else ""
    name = rest[len(folder):]
    suffix = next((s for s in _REPORT_SUFFIXES if top == "reports/" and name.endswith(s) and name != s), "")
    name = name[: len(name) - len(suffix)]
    if not name:
        return key
    extension = _EXTENSION.search(name)
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
    return f"{top}{folder}#{digest}{extension[0].lower() if extension else ''}{suffix}"


def mask_keys(text: str) -> str:
    """``text`` with every upload or report key in it masked (``mask_key``)."""
    if "incoming/" not in text and "reports/" not in text:
        return text
    return _KEY_IN_TEXT.sub(lambda m: mask_key(m[0]), text)


def _mask_value(text: str) -> str:
    """A whole value: a key (with its version, as a correlation id) is masked whole, apostrophes and all."""
    if text.startswith(_KEY_PREFIXES) and "\n" not in text:
        versioned = _KEY_AND_VERSION.fullmatch(text)
        if versioned:
            return mask_key(versioned[1]) + versioned[2]
        return mask_key(text)
    return mask_keys(text)


def _mask_keys_deep(value: Any) -> Any:
    if isinstance(value, str):
        return _mask_value(value)
    if isinstance(value, dict):
        return {k: _mask_keys_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_keys_deep(v) for v in value]
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter: S3 keys masked in every field (``mask_key``), then ``redact`` over the line."""

    def __init__(self, **kwargs: Any) -> None:
        # Objects JSON cannot serialize are logged as str(); their keys are masked too.
        kwargs.setdefault("json_default", lambda value: mask_keys(str(value)))
        super().__init__(**kwargs)

    def serialize(self, log: Any) -> str:
        return redact(super().serialize(_mask_keys_deep(log)))


def get_logger(service: str | None = None) -> Logger:
    """The Powertools Logger every function uses."""
    return Logger(service=service, logger_formatter=RedactingFormatter())


Handler = TypeVar("Handler", bound=Callable[..., Any])


class MaskedError(Exception):
    """Raised in place of a handler's exception: its message masked, its chain dropped.

    Lambda's runtime prints an uncaught exception (message and traceback) to the function's log itself, and
    puts the message into the async-invoke failure record (the DLQ payload), past any formatter of ours.
    """


def masked_errors(logger: Logger) -> Callable[[Handler], Handler]:
    """Outermost decorator of every handler: log the failure through ``logger`` (masked, with the correlation
    id and traceback), then let Lambda see only ``MaskedError("<type>: <masked message>")``, so its retry
    and failure destination work as before."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            try:
                return handler(event, context)
            except Exception as error:
                logger.exception("invocation failed", extra={"error_type": type(error).__name__})
                raise MaskedError(f"{type(error).__name__}: {redact(str(error))}") from None

        return wrapper  # type: ignore[return-value]

    return decorate
