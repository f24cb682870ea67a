"""Logs without personal data: every line is redacted after it is formatted.

Masking at the formatter, not at each call site, covers what call sites
cannot: exception messages and tracebacks, payloads of failed events, a
botocore error that echoes a request. A NIK keeps its region and serial
(``6172********0003``), a phone its operator prefix and last four digits
(``+62812****7890``): enough to tell records apart at 2 a.m., not enough to
identify anyone. Names are never logged at all, and since staff name uploads
after people (``SITI AMINAH (0812) 3456 7890.csv``), an S3 key is logged as
``incoming/<program>/#<hash>.<ext>`` (``mask_key``): the program and the type
of file stay readable, the name becomes a short stable hash.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# Between the groups of a number: nothing, or one space/dot/slash/dash of any kind (hyphen, non-breaking
# hyphen, en dash, minus...), with a space either side. \s is Unicode: no-break and narrow spaces too.
_DASHES = "\\-\u2010-\u2015\u2212\ufe63\uff0d"
_SEP = rf"\s?[./{_DASHES}]?\s?"
# Not inside a longer number, not already masked, not the decimals of a float ("0.8123456789").
_START = r"(?<![\d*])(?<!\d\.)"
# 16 digits (a NIK) in 4-4-4-4 or run together.
_NIK = re.compile(rf"{_START}(\d{{4}}){_SEP}(\d{{4}}{_SEP}\d{{4}}){_SEP}(\d{{4}})(?!\d)")
# Indonesian mobiles in any usual spelling: +62 812..., 62812..., 0812-..., (0812) ..., +62 (812) ..., and
# (812) ... with neither (the operator in parentheses, closed, says what the digits are).
# No dot right after the country code or the 0, so the decimals of a number are never read as a phone.
_PHONE = re.compile(
    rf"{_START}(?:\(?((?:\+|%2B)?62|0)[\s{_DASHES}]?\(?|\((?=8\d{{1,2}}\)))"
    rf"(8\d{{1,2}})\)?{_SEP}(\d{{2,4}}{_SEP}\d{{0,4}}?){_SEP}(\d{{4}})(?!\d)"
)


def redact(text: str) -> str:
    """Mask every NIK and Indonesian phone number in ``text``."""
    text = _PHONE.sub(lambda m: f"{m[1] or ''}{m[2]}****{m[4]}", text)
    return _NIK.sub(lambda m: f"{m[1]}********{m[3]}", text)


_KEY_PREFIXES = ("incoming/", "reports/")
_REPORT_SUFFIXES = (".perbaikan.xlsx", ".json")
"""What ``intake.publish.report_keys`` appends to an upload's name: a report's key hashes like its upload's."""
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_PROGRAM = re.compile(r"[a-z0-9][a-z0-9_-]*/")
# An S3 key of ours inside any text: up to its file extension, else up to "#" (the version in a correlation
# id), a quote, a line end or the end of the text.
_KEY_IN_TEXT = re.compile(
    r"(?<![\w/.-])(?:incoming|reports)/[^#\"'\n\r\t]*?"
    r"(?:\.(?:xlsx|xlsm|xls|csv|tsv|txt|ods|pdf)(?:\.perbaikan\.xlsx|\.json)?(?![\w.])|(?=[#\"'\n\r\t]|$))",
    re.IGNORECASE,
)


def mask_key(key: str) -> str:
    """``incoming/pekerja-rentan/SITI AMINAH (0812) 3456 7890.csv`` -> ``incoming/pekerja-rentan/#3f2a9c.csv``.

    The top folder and the program folder stay; the rest is a six-hex-digit hash (SHA-256) of the file's name,
    the same for an upload and its reports (``reports/<program>/#3f2a9c.csv.json``), so one file's lines can be
    followed across functions, and a masked key can be found again by masking a bucket listing. Keys that are
    not ours are returned as they are.
    """
    top = next((p for p in _KEY_PREFIXES if key.startswith(p)), None)
    if top is None:
        return key
    rest = key[len(top):]
    program = _PROGRAM.match(rest)
    folder = program[0] if program else ""
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


def _mask_keys_deep(value: Any) -> Any:
    if isinstance(value, str):
        return mask_keys(value)
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
