"""Audit lines of the operators' commands: who did what, when, in the functions' own masked JSON log format.

Written to stderr (stdout is the command's answer), through the same ``RedactingFormatter`` as the functions'
logs, so a NIK or a number that slips into a line is masked there too. Who is the AWS identity the command
runs as (``sts:GetCallerIdentity``), which is also the identity CloudTrail records for each AWS call the
command makes (``UpdateSchedule``, ``UpdateEventSourceMapping``...).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from lindungi.logs import RedactingFormatter

_logger: Logger | None = None


class _Stderr(logging.StreamHandler):
    """Whatever ``sys.stderr`` is when a line is written (a test's capture, a redirected terminal)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def _audit_logger() -> Logger:
    global _logger
    if _logger is None:
        _logger = Logger(service="ops", logger_formatter=RedactingFormatter(), logger_handler=_Stderr())
    return _logger


def caller(sts: Any) -> str:
    """The ARN the command runs as; "unknown" when STS cannot say."""
    try:
        return str(sts.get_caller_identity()["Arn"])
    except (ClientError, BotoCoreError, KeyError):
        return "unknown"


def audit(action: str, who: str, **details: Any) -> None:
    """One audit line: ``{"message": "audit: <action>", "who": ..., ...}`` (masked like every log line)."""
    _audit_logger().info(f"audit: {action}", extra={"audit": action, "who": who, **details})
