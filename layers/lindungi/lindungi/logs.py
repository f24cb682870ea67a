"""Logs without personal data: every line is redacted after it is formatted.

Masking at the formatter, not at each call site, covers what call sites
cannot: exception messages and tracebacks, payloads of failed events, a
botocore error that echoes a request. A NIK keeps its region and serial
(``6172********0003``), a phone its operator prefix and last four digits
(``+62812****7890``): enough to tell records apart at 2 a.m., not enough to
identify anyone. Names are never logged at all.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# 16 digits (a NIK, possibly split by spaces/dots/dashes) not inside a longer number.
_NIK = re.compile(r"(?<![\d*])(\d{4})[\s.\-]?(\d{4}[\s.\-]?\d{4})[\s.\-]?(\d{4})(?!\d)")
# Indonesian mobiles in any usual spelling: +62 812..., 62812..., 0812-...
_PHONE = re.compile(r"(?<![\d*])((?:\+|%2B)?62|0)[\s\-]?(8\d{1,2})[\s\-]?(\d{2,4}[\s\-]?\d{0,4}?)[\s\-]?(\d{4})(?!\d)")


def redact(text: str) -> str:
    """Mask every NIK and Indonesian phone number in ``text``."""
    text = _PHONE.sub(lambda m: f"{m[1]}{m[2]}****{m[4]}", text)
    return _NIK.sub(lambda m: f"{m[1]}********{m[3]}", text)


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, then ``redact`` over the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


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
